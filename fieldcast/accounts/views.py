"""Member pages: the profile (a member's channel), the "My …" hub, settings, blocks,
avatars, the data export and account deletion."""

from __future__ import annotations

from typing import Any

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from fieldcast.core.ratelimit import limit_writes
from fieldcast.items.models import Item
from fieldcast.items.selectors import item_list_page
from fieldcast.media import storage as media_storage

from .avatars import AVATAR_SIZES, CONTENT_TYPES, AvatarError, avatar_storage_name
from .deletion import account_delete
from .export import export_filename, export_stream
from .forms import AccountDeleteForm, ApiTokenForm, ProfileForm
from .mfa import has_authenticator
from .models import ApiToken, Block, User
from .selectors import blocks_made, profile_stats, user_email_verified
from .services import user_block, user_remove_avatar, user_set_avatar, user_unblock, user_update_profile
from .tokens import api_token_create, api_token_revoke


def profile(request: HttpRequest, username: str) -> HttpResponse:
    """A member and their personal channel: what they posted, and a few figures."""
    member = get_object_or_404(User, username=username, is_active=True)
    viewer = request.viewer  # type: ignore[attr-defined]
    is_self = viewer.user_id == member.pk
    page = item_list_page(Item.objects.authored_by_for(member.pk, viewer), cursor=request.GET.get("after"))
    blocked = (
        viewer.is_authenticated
        and not is_self
        and Block.objects.filter(blocker_id=viewer.user_id, blocked_id=member.pk).exists()
    )
    context = {
        "member": member,
        "page": page,
        "is_self": is_self,
        "stats": profile_stats(member, viewer),
        "blocked": blocked,
        "favorites_visible": is_self or member.favorites_public,
    }
    return render(request, "accounts/profile.html", context)


@login_required
def me(request: HttpRequest) -> HttpResponse:
    """The member's own pages, in one place."""
    return render(request, "accounts/me.html", {"member": request.user})


@login_required
@limit_writes("profile")
def settings_view(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    initial = {"display_name": user.display_name, "bio": user.bio, "favorites_public": user.favorites_public}
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES, initial=initial, has_avatar=bool(user.avatar_key))
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data.get("avatar"):
                    user_set_avatar(user=user, upload=data["avatar"])
                elif data.get("remove_avatar"):
                    user_remove_avatar(user=user)
            except AvatarError as exc:
                form.add_error("avatar", str(exc))
            else:
                user_update_profile(
                    user=user,
                    display_name=data["display_name"],
                    bio=data["bio"],
                    favorites_public=data["favorites_public"],
                )
                messages.success(request, "Your profile is saved.")
                return redirect("accounts:settings")
    else:
        form = ProfileForm(initial=initial, has_avatar=bool(user.avatar_key))
    context = {
        "form": form,
        "blocks": blocks_made(user),
        "email_verified": user_email_verified(user),
        "two_factor": has_authenticator(user),
    }
    return render(request, "accounts/settings.html", context, status=400 if form.errors else 200)


@login_required
@limit_writes("api-tokens")
def tokens(request: HttpRequest) -> HttpResponse:
    """Personal API tokens: make one (its secret is shown once, on the answer to the POST),
    see when each was last used, revoke."""
    user: User = request.user  # type: ignore[assignment]
    form = ApiTokenForm(request.POST or None)
    created = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                token, plaintext = api_token_create(
                    user=user,
                    name=form.cleaned_data["name"],
                    scope=form.cleaned_data["scope"],
                    expires_in_days=form.cleaned_data["expires_in_days"],
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        for message in errors:
                            form.add_error(field if field in form.fields else None, message)
                else:
                    form.add_error(None, exc.messages[0])
            else:
                created = {"token": token, "plaintext": plaintext}
                form = ApiTokenForm()
        if form.errors:
            status = 400
    context = {
        "form": form,
        "created": created,
        "tokens": ApiToken.objects.filter(user=user, revoked_at__isnull=True),
    }
    response = render(request, "accounts/tokens.html", context, status=status)
    response["Cache-Control"] = "no-store"  # the page may carry a token's secret
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    if api_token_revoke(user=request.user, token_id=token_id):  # type: ignore[arg-type]
        messages.success(request, "The token is revoked: anything using it is refused from now on.")
    else:
        messages.error(request, "That token does not exist or is already revoked.")
    return redirect("accounts:tokens")


def avatar(request: HttpRequest, user_id: int, size: int, key: str) -> HttpResponseBase:
    """A member's avatar file. Public, and immutable under its key (a new picture gets a
    new key), so it may be cached for a year; an old key stops answering at once."""
    if size not in AVATAR_SIZES or not User.objects.filter(pk=user_id, avatar_key=key, is_active=True).exists():
        raise Http404("No such picture.")
    name = avatar_storage_name(user_id, size, key)
    if media_storage.is_remote():  # the store sends the bytes (a presigned, short-lived URL)
        return media_storage.remote_response(name, content_type=CONTENT_TYPES[key.rsplit(".", 1)[-1]], headers={})
    try:
        handle = default_storage.open(name, "rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404("No such picture.") from exc
    response = FileResponse(handle, content_type=CONTENT_TYPES[key.rsplit(".", 1)[-1]])
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _back(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@login_required
@require_POST
@limit_writes("block")
def block(request: HttpRequest, username: str) -> HttpResponse:
    member = get_object_or_404(User, username=username, is_active=True)
    try:
        user_block(blocker=request.user, blocked=member)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("accounts:profile", username=member.username)
    return _block_response(request, member, blocked=True)


@login_required
@require_POST
@limit_writes("block")
def unblock(request: HttpRequest, username: str) -> HttpResponse:
    member = get_object_or_404(User, username=username)
    user_unblock(blocker=request.user, blocked=member)  # type: ignore[arg-type]
    return _block_response(request, member, blocked=False)


def _block_response(request: HttpRequest, member: User, *, blocked: bool) -> HttpResponse:
    text = (
        f"You blocked {member.username}: you no longer see their comments, and they cannot reply to or mention you."
        if blocked
        else f"You unblocked {member.username}."
    )
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "accounts/_block_button.html", {"member": member, "blocked": blocked, "said": text})
    messages.success(request, text)
    return redirect(_back(request, reverse("accounts:profile", kwargs={"username": member.username})))


@login_required
@limit_writes("export")  # type: ignore[arg-type]  # the decorator passes any response through
def export(request: HttpRequest) -> HttpResponseBase:
    """A page explaining the export; its button (POST) downloads the JSON."""
    user: User = request.user  # type: ignore[assignment]
    if request.method == "POST":
        response = StreamingHttpResponse(export_stream(user), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{export_filename(user)}"'
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "accounts/export.html")


def _has_no_password(request: HttpRequest) -> bool:
    return request.user.is_authenticated and not request.user.has_usable_password()


@login_required
# Members without a password (none today; social sign-in later) confirm by signing in again.
@reauthentication_required(enabled=_has_no_password)
@limit_writes("account_delete")
def delete(request: HttpRequest) -> HttpResponse:
    """Delete the account, after the password (or a fresh sign-in without one)."""
    user: User = request.user  # type: ignore[assignment]
    form = AccountDeleteForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        keep = form.cleaned_data["content"] == AccountDeleteForm.KEEP
        account_delete(user=user, keep_content=keep)
        logout(request)
        request.session["fc_account_deleted"] = "keep" if keep else "delete"
        return redirect("accounts:deleted")
    viewer = request.viewer  # type: ignore[attr-defined]
    context: dict[str, Any] = {"form": form, "item_count": Item.objects.authored_by_for(user.pk, viewer).count()}
    return render(request, "accounts/delete.html", context, status=400 if form.errors else 200)


def deleted(request: HttpRequest) -> HttpResponse:
    """Said once, after the account is gone."""
    how = request.session.pop("fc_account_deleted", None)
    if how is None:
        return redirect("home")
    return render(request, "accounts/deleted.html", {"kept": how == "keep"})


def rate_limited(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """allauth's answer when sign-ups, logins or resets from one address come too fast."""
    response = render(request, "accounts/rate_limited.html", status=429)
    response["Retry-After"] = "600"
    return response
