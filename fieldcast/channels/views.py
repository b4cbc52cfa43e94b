from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from fieldcast.accounts.models import User
from fieldcast.core.pagecache import LIST, guest_page
from fieldcast.core.ratelimit import limit_writes
from fieldcast.items.access import Access, item_get_for_viewer
from fieldcast.items.selectors import channel_item_page, channel_timeline
from fieldcast.media.serving import serve_file
from fieldcast.moderation.viewer import Viewer

from .forms import ChannelForm, DeleteForm, DirectoryForm, FileItemForm, FlagsForm, InviteForm
from .models import Channel, ChannelItem, Curator
from .querysets import DEFAULT_SORT
from .selectors import (
    channel_directory,
    channel_for_page,
    channels_of,
    featured_channels,
    feed_page,
    subscriptions_of,
)
from .services import (
    channel_add_item,
    channel_create,
    channel_delete,
    channel_ensure_personal,
    channel_may_manage,
    channel_remove_item,
    channel_set_flags,
    channel_update,
    curator_invite,
    curator_remove,
    curator_respond,
)
from .subscriptions import subscription_add, subscription_remove
from .templatetags.channel_tags import subscribe_context


def _viewer(request: HttpRequest) -> Viewer:
    return request.viewer  # type: ignore[attr-defined,no-any-return]


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


def _form_errors_from(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _managed_channel(request: HttpRequest, slug: str) -> Channel:
    """The topic channel at `slug` if this member may manage it (owner or staff)."""
    channel = get_object_or_404(Channel.objects.select_related("owner"), slug=slug)
    if not channel_may_manage(channel=channel, user=request.user):  # type: ignore[arg-type]
        raise PermissionDenied("Only the channel's owner and staff can do this.")
    return channel


def _may_file_on_page(channel: Channel, user: Any) -> bool:
    """services.channel_may_file, answered from channel_for_page's annotations (no query)."""
    if not user.is_authenticated or channel.kind == Channel.Kind.PERSONAL:
        return False
    if user.is_staff:
        return True
    if channel.kind == Channel.Kind.EDITORIAL:
        return False
    return channel.owner_id == user.pk or getattr(channel, "my_curator_status", None) == Curator.Status.ACCEPTED


def _timeline(channel: Channel, viewer: Viewer) -> Any:
    """A current event's items by the date they occurred on (community/_timeline.html)."""
    return channel_timeline(channel, viewer) if channel.is_current_event else None


# --- The directory and a channel's page ----------------------------------------------------


@require_safe
def channel_index(request: HttpRequest) -> HttpResponse:
    form = DirectoryForm(request.GET)
    query, sort = "", DEFAULT_SORT
    if form.is_valid():
        query, sort = form.cleaned_data["q"].strip(), form.cleaned_data["sort"] or DEFAULT_SORT
    page = Paginator(channel_directory(query=query, sort=sort), settings.PAGE_SIZE).get_page(request.GET.get("page"))
    featured = featured_channels() if not query and page.number == 1 else []
    return render(
        request,
        "channels/channel_index.html",
        {"form": form, "page": page, "featured": featured, "query": query, "sort": sort},
    )


@require_safe
@guest_page(LIST)
def channel_detail(request: HttpRequest, slug: str) -> HttpResponse:
    channel = channel_for_page(slug, request.user)
    if channel.kind == Channel.Kind.PERSONAL and channel.owner is not None:
        return redirect(channel.get_absolute_url(), permanent=True)
    viewer = _viewer(request)
    page = channel_item_page(channel, viewer, cursor=request.GET.get("after"))
    context = {
        "channel": channel,
        "page": page,
        "may_file": _may_file_on_page(channel, request.user),
        "may_manage": channel_may_manage(channel=channel, user=request.user),  # type: ignore[arg-type]
        "invited": getattr(channel, "my_curator_status", None) == Curator.Status.INVITED,
        "timeline": _timeline(channel, viewer),
    }
    if request.user.is_staff:
        context["flags_form"] = FlagsForm(
            initial={"is_current_event": channel.is_current_event, "is_featured": channel.is_featured}
        )
    return render(request, "channels/channel_detail.html", context)


def channel_banner(request: HttpRequest, slug: str, name: str) -> HttpResponse:
    """The banner JPEG we produced (the name changes with every new banner)."""
    channel = get_object_or_404(Channel, slug=slug)
    if not channel.banner or channel.banner.rsplit("/", 1)[-1] != name:
        raise Http404("This channel has no such banner.")
    response = serve_file(request, channel.banner)
    if response.status_code == 200:
        response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response  # type: ignore[return-value]


# --- Creating, editing, deleting ----------------------------------------------------------


@login_required
@limit_writes("channel")
def channel_new(request: HttpRequest) -> HttpResponse:
    form = ChannelForm(request.POST if request.method == "POST" else None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            channel = channel_create(owner=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            _form_errors_from(form, exc)
        else:
            messages.success(request, f"Your channel “{channel.name}” is ready. Add items to it from their pages.")
            return redirect(channel.get_absolute_url())
    return render(request, "channels/channel_form.html", {"form": form, "is_new": True})


@login_required
@limit_writes("channel")
def channel_edit(request: HttpRequest, slug: str) -> HttpResponse:
    channel = _managed_channel(request, slug)
    if request.method == "POST":
        form = ChannelForm(request.POST, request.FILES, channel=channel)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                channel = channel_update(
                    channel=channel,
                    editor=request.user,  # type: ignore[arg-type]
                    name=data["name"],
                    slug=data["slug"],
                    description=data["description"],
                    banner=data.get("banner"),
                    remove_banner=bool(data.get("remove_banner")),
                )
            except ValidationError as exc:
                _form_errors_from(form, exc)
            else:
                messages.success(request, "Your changes are saved.")
                return redirect(channel.get_absolute_url())
    else:
        form = ChannelForm(initial=ChannelForm.initial_for(channel), channel=channel)
    return render(request, "channels/channel_form.html", {"form": form, "channel": channel, "is_new": False})


@login_required
@limit_writes("channel")
def channel_delete_view(request: HttpRequest, slug: str) -> HttpResponse:
    channel = _managed_channel(request, slug)
    form = DeleteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        name = channel.name
        channel_delete(channel=channel, actor=request.user)  # type: ignore[arg-type]
        messages.success(request, f"The channel “{name}” was deleted.")
        return redirect("channels:mine")
    return render(request, "channels/channel_delete.html", {"channel": channel, "form": form})


@login_required
@require_POST
@limit_writes("channel")
def channel_flags(request: HttpRequest, slug: str) -> HttpResponse:
    if not request.user.is_staff:
        raise PermissionDenied("Only staff can feature channels or mark current events.")
    channel = get_object_or_404(Channel.objects.directory(), slug=slug)
    form = FlagsForm(request.POST)
    form.is_valid()  # two optional check boxes: always valid
    channel_set_flags(channel=channel, actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
    messages.success(request, "The channel's marks are saved.")
    return redirect(channel.get_absolute_url())


# --- Filing items ---------------------------------------------------------------------------


@login_required
@require_POST
@limit_writes("curate")
def item_file(request: HttpRequest, public_id: str) -> HttpResponse:
    """'Add to channel' on the item page."""
    result = item_get_for_viewer(_viewer(request), public_id)
    item = result.item
    if result.access not in (Access.SHOW, Access.INTERSTITIAL):
        raise PermissionDenied("This item was removed or is under review: it cannot be added to channels.")
    form = FileItemForm(request.POST, user=request.user)  # type: ignore[arg-type]
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors["channel"]))
        return redirect(item.get_absolute_url())
    channel = form.cleaned_data["channel"]
    if channel_add_item(channel=channel, item=item, actor=request.user):  # type: ignore[arg-type]
        messages.success(request, f"Added to the channel “{channel.name}”.")
    else:
        messages.info(request, f"This item is already in the channel “{channel.name}”.")
    return redirect(item.get_absolute_url())


@login_required
@require_POST
@limit_writes("curate")
def item_unfile(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    """The remove control on a channel's page (owner, curators, staff)."""
    channel = get_object_or_404(Channel, slug=slug)
    link = ChannelItem.objects.select_related("item").filter(channel=channel, item__public_id=public_id).first()
    if link is None:
        raise Http404("This item is not in this channel.")
    channel_remove_item(channel=channel, item=link.item, actor=request.user)  # type: ignore[arg-type]
    messages.success(request, f"“{link.item.title}” was taken out of the channel.")
    return redirect(_safe_next(request, channel.get_absolute_url()))


# --- Curators -------------------------------------------------------------------------------


@login_required
@limit_writes("curate")
def curators(request: HttpRequest, slug: str) -> HttpResponse:
    channel = _managed_channel(request, slug)
    if channel.kind != Channel.Kind.TOPIC:
        raise Http404("Only topic channels have curators.")
    form = InviteForm(request.POST if request.method == "POST" else None, channel=channel)
    if request.method == "POST" and form.is_valid():
        invitee = form.cleaned_data["username"]
        try:
            curator_invite(channel=channel, inviter=request.user, user=invitee)  # type: ignore[arg-type]
        except ValidationError as exc:
            _form_errors_from(form, exc)
        else:
            messages.success(request, f"{invitee.username} is invited; they will see it in their notifications.")
            return redirect("channels:curators", slug=channel.slug)
    rows = Curator.objects.filter(channel=channel).select_related("user").order_by("status", "user__username")
    return render(request, "channels/curators.html", {"channel": channel, "form": form, "rows": rows})


@login_required
@require_POST
@limit_writes("curate")
def curator_remove_view(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    channel = _managed_channel(request, slug)
    if curator_remove(channel=channel, actor=request.user, user_id=user_id):  # type: ignore[arg-type]
        messages.success(request, "Removed.")
    return redirect("channels:curators", slug=channel.slug)


@login_required
@limit_writes("curate")
def invitation(request: HttpRequest, slug: str) -> HttpResponse:
    """The invitee's answer. Only the member the invitation names can see or answer it."""
    channel = get_object_or_404(Channel.objects.select_related("owner"), slug=slug)
    user: User = request.user  # type: ignore[assignment]  # login_required
    curator = Curator.objects.filter(channel=channel, user=user).select_related("invited_by").first()
    if curator is None or curator.status == Curator.Status.DECLINED:
        raise Http404("You have no invitation to curate this channel.")
    if request.method == "POST":
        accept = request.POST.get("answer") == "accept"
        curator_respond(channel=channel, user=user, accept=accept)
        if accept:
            messages.success(request, f"You now curate “{channel.name}”: add items from their pages.")
        elif curator.status == Curator.Status.ACCEPTED:
            messages.success(request, f"You no longer curate “{channel.name}”.")
        else:
            messages.success(request, "You declined the invitation.")
        return redirect(channel.get_absolute_url())
    return render(request, "channels/invitation.html", {"channel": channel, "curator": curator})


# --- Subscriptions --------------------------------------------------------------------------


def _subscription_answer(request: HttpRequest, channel: Channel, *, member: User | None, fallback: str) -> HttpResponse:
    subscribe = request.POST.get("action", "subscribe") != "unsubscribe"
    error = ""
    try:
        if subscribe:
            subscription_add(user=request.user, channel=channel)  # type: ignore[arg-type]
        else:
            subscription_remove(user=request.user, channel=channel)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.messages[0]
    if request.htmx:  # type: ignore[attr-defined]
        channel.refresh_from_db(fields=["subscribers_count"])
        context = subscribe_context(request, channel=channel, member=member, error=error)
        return render(request, "channels/_subscribe_button.html", context, status=400 if error else 200)
    if error:
        messages.error(request, error)
    else:
        name = member.username if member is not None else f"“{channel.name}”"
        messages.success(request, f"You subscribed to {name}." if subscribe else f"You unsubscribed from {name}.")
    return redirect(_safe_next(request, fallback))


@require_POST
@limit_writes("subscribe")
def channel_subscribe(request: HttpRequest, slug: str) -> HttpResponse:
    channel = get_object_or_404(Channel.objects.select_related("owner"), slug=slug)
    if not request.user.is_authenticated:
        return redirect_to_login(channel.get_absolute_url())
    if channel.kind == Channel.Kind.PERSONAL and channel.owner is not None:
        return _subscription_answer(request, channel, member=channel.owner, fallback=channel.get_absolute_url())
    return _subscription_answer(request, channel, member=None, fallback=channel.get_absolute_url())


@require_POST
@limit_writes("subscribe")
def member_subscribe(request: HttpRequest, username: str) -> HttpResponse:
    member = get_object_or_404(User, username=username, is_active=True)
    profile = reverse("accounts:profile", kwargs={"username": member.username})
    if not request.user.is_authenticated:
        return redirect_to_login(profile)
    channel = channel_ensure_personal(user=member)
    return _subscription_answer(request, channel, member=member, fallback=profile)


@login_required
@require_safe
def my_subscriptions(request: HttpRequest) -> HttpResponse:
    rows = subscriptions_of(request.user)  # type: ignore[arg-type]
    channels = [s.channel for s in rows if s.channel.kind != Channel.Kind.PERSONAL]
    members = [s.channel for s in rows if s.channel.kind == Channel.Kind.PERSONAL]
    for channel in channels + members:
        channel.is_subscribed = True  # type: ignore[attr-defined]
    return render(request, "channels/subscriptions.html", {"channels": channels, "members": members})


@login_required
@require_safe
def my_channels(request: HttpRequest) -> HttpResponse:
    return render(request, "channels/my_channels.html", {"mine": channels_of(request.user)})  # type: ignore[arg-type]


@login_required
@require_safe
def feed(request: HttpRequest) -> HttpResponse:
    page = feed_page(_viewer(request), cursor=request.GET.get("after"))
    return render(request, "channels/feed.html", {"page": page})
