from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fieldcast.community.forms import comment_form_for
from fieldcast.core.markdown import render_markdown
from fieldcast.core.pagecache import ITEM, LIST, guest_page
from fieldcast.core.ratelimit import limit_writes
from fieldcast.core.text import normalize_key
from fieldcast.discovery.trending import popular_items
from fieldcast.moderation.viewer import add_grant
from fieldcast.player.tokens import event_token

from .access import Access, item_get_editable, item_get_for_viewer
from .forms import DeleteForm, ItemForm
from .models import Item, Lifecycle, Tag
from .selectors import EDITORIAL_FEATURED, EDITORIAL_MUST_SEE, editorial_items, item_list_page, item_page_context
from .services import item_create, item_delete, item_update


@guest_page(LIST)
def home(request: HttpRequest) -> HttpResponse:
    viewer = request.viewer  # type: ignore[attr-defined]
    featured_channel, featured = editorial_items(EDITORIAL_FEATURED, viewer)
    must_see_channel, must_see = editorial_items(EDITORIAL_MUST_SEE, viewer)
    popular = popular_items(viewer) if not request.GET.get("after") else []
    page = item_list_page(Item.objects.visible_to(viewer), cursor=request.GET.get("after"))
    return render(
        request,
        "items/home.html",
        {
            "page": page,
            "featured": featured,
            "featured_channel": featured_channel,
            "must_see": must_see,
            "must_see_channel": must_see_channel,
            "popular": popular,
        },
    )


@guest_page(ITEM)
def item_detail(request: HttpRequest, public_id: str, slug: str | None = None) -> HttpResponse:
    viewer = request.viewer  # type: ignore[attr-defined]
    result = item_get_for_viewer(viewer, public_id)
    item = result.item
    if result.shows_content and item.slug and slug != item.slug:
        return redirect(item.get_absolute_url(), permanent=True)
    context = item_page_context(result, viewer)
    context["comment_form"] = comment_form_for(request, item)
    if result.access in (Access.SHOW, Access.INTERSTITIAL) and item.lifecycle == Lifecycle.READY:
        context["event_token"] = event_token(item.public_id)
    return render(request, "items/item_detail.html", context, status=result.status_code)


@require_POST
@limit_writes("safe_mode")
def item_unlock(request: HttpRequest, public_id: str) -> HttpResponse:
    """'I am 18 or over, show this item': a signed grant for this one item."""
    viewer = request.viewer  # type: ignore[attr-defined]
    result = item_get_for_viewer(viewer, public_id)
    if not request.POST.get("confirm_adult"):
        messages.error(request, "Tick “I am 18 or over” to show this item.")
        return redirect(result.item.get_absolute_url())
    if not viewer.can_leave_safe_mode:
        raise PermissionDenied("Your date of birth says you are under 18: this item stays hidden.")
    response = redirect(result.item.get_absolute_url())
    add_grant(request, response, result.item.public_id)
    return response


@login_required
@limit_writes("item")
def item_new(request: HttpRequest) -> HttpResponse:
    from fieldcast.moderation.selectors import suspension_message

    if (suspended := suspension_message(request.user)) is not None:
        raise PermissionDenied(suspended)  # 403 with the date the suspension ends
    initial = {"follow_up_of": request.GET.get("update_of", "")}
    form = ItemForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        user=request.user,
        viewer=request.viewer,  # type: ignore[attr-defined]
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("agree_terms")
        update_of = data.pop("follow_up_of")
        try:
            item = item_create(author=request.user, update_of=update_of, **data)  # type: ignore[arg-type]
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, "Your item is published.")
            return redirect(item.get_absolute_url())
    return render(request, "items/item_form.html", {"form": form, "is_new": True})


@login_required
@limit_writes("item")
def item_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    item = item_get_editable(request.viewer, public_id)  # type: ignore[attr-defined]
    if request.method == "POST":
        form = ItemForm(request.POST, user=request.user, item=item)
        if form.is_valid():
            try:
                item = item_update(item=item, editor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))
            else:
                messages.success(request, "Your changes are saved.")
                return redirect(item.get_absolute_url())
    else:
        form = ItemForm(initial=ItemForm.initial_for(item), user=request.user, item=item)
    return render(request, "items/item_form.html", {"form": form, "item": item, "is_new": False})


@login_required
def item_delete_view(request: HttpRequest, public_id: str) -> HttpResponse:
    item = item_get_editable(request.viewer, public_id)  # type: ignore[attr-defined]
    form = DeleteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        title = item.title
        item_delete(item=item)
        messages.success(request, f"“{title}” was deleted.")
        return redirect("accounts:profile", username=request.user.get_username())
    return render(request, "items/item_delete.html", {"item": item, "form": form})


@login_required
@require_POST
def body_preview(request: HttpRequest) -> HttpResponse:
    """The article as it will look (htmx swaps it into the form)."""
    html = render_markdown(request.POST.get("body", "")[:50_000])
    return render(request, "items/_preview.html", {"html": html})


@guest_page(LIST)
def tag_detail(request: HttpRequest, key: str) -> HttpResponse:
    tag = Tag.objects.filter(key=key).first()
    if tag is None:
        normalized = normalize_key(key)
        if normalized != key and Tag.objects.filter(key=normalized).exists():
            return redirect("items:tag", key=normalized, permanent=True)
        raise Http404("No item carries this tag.")
    viewer = request.viewer  # type: ignore[attr-defined]
    page = item_list_page(Item.objects.visible_to(viewer).filter(tag_links__tag=tag), cursor=request.GET.get("after"))
    return render(request, "items/tag.html", {"tag": tag, "page": page})
