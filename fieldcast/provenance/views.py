"""Provenance pages: the item's panel (htmx-loaded, also a page of its own), setting the
verification status, publishing the file metadata, the upload form's notice, and the
moderators' clusters of copies."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from fieldcast.core.ratelimit import limit_writes
from fieldcast.items.access import item_get_for_viewer
from fieldcast.items.models import Item
from fieldcast.media.models import MediaAsset
from fieldcast.moderation.models import ActionKind
from fieldcast.moderation.permissions import moderator_required
from fieldcast.moderation.services import ModerationError, target_act

from .forms import VerificationForm
from .models import FileMetadata
from .selectors import copy_clusters, item_provenance, may_verify, upload_notices
from .services import file_metadata_publish, verification_set

UPLOAD_POLLS = 60  # the form asks every 5 s, for at most 5 minutes


def _panel_context(request: HttpRequest, item, form: VerificationForm | None = None) -> dict:  # type: ignore[no-untyped-def]
    viewer = request.viewer  # type: ignore[attr-defined]
    panel = item_provenance(item, viewer)
    allowed, _ = may_verify(request.user)
    if allowed and form is None:
        current = panel.verification
        form = VerificationForm(
            initial={
                "status": panel.status,
                "note": current.note if current else "",
                "sources": "\n".join(current.sources) if current else "",
            }
        )
    own_metadata = []
    if request.user.is_authenticated and (request.user.pk == item.author_id or request.user.is_staff):
        own_metadata = [
            m for m in FileMetadata.objects.filter(asset__item_id=item.pk).select_related("asset") if not m.is_empty
        ]
    return {"item": item, "panel": panel, "form": form if allowed else None, "own_metadata": own_metadata}


@require_GET
def panel(request: HttpRequest, public_id: str) -> HttpResponse:
    """The Provenance panel: a fragment for htmx, a page of its own without JavaScript."""
    result = item_get_for_viewer(request.viewer, public_id)  # type: ignore[attr-defined]
    if not result.shows_content:
        return redirect(result.item.get_absolute_url())
    context = _panel_context(request, result.item)
    template = "provenance/_panel.html" if request.htmx else "provenance/panel_page.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
@require_POST
@limit_writes("verification")
def verification_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    result = item_get_for_viewer(request.viewer, public_id)  # type: ignore[attr-defined]
    allowed, as_moderator = may_verify(request.user)
    if not allowed:
        raise PermissionDenied("Only trusted members and moderators can set the verification status.")
    if not (result.shows_content or as_moderator):
        raise PermissionDenied("This item cannot be verified now.")
    item = result.item
    form = VerificationForm(request.POST)
    if form.is_valid():
        verification_set(
            item=item,
            by=request.user,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
            sources=form.cleaned_data["sources"],
            as_moderator=as_moderator,
        )
        if not request.htmx:  # type: ignore[attr-defined]
            messages.success(request, "The verification status is saved.")
            return redirect(f"{item.get_absolute_url()}#provenance")
        context = _panel_context(request, item)
        context["saved"] = True
        return render(request, "provenance/_panel.html", context)
    context = _panel_context(request, item, form)
    template = "provenance/_panel.html" if request.htmx else "provenance/panel_page.html"  # type: ignore[attr-defined]
    response = render(request, template, context, status=400)
    return response


@login_required
@require_POST
@limit_writes("item")
def metadata_publish(request: HttpRequest, asset_id: str) -> HttpResponse:
    asset = get_object_or_404(MediaAsset.objects.select_related("item"), public_id=asset_id, item__isnull=False)
    if not FileMetadata.objects.filter(asset=asset).exists():
        raise PermissionDenied("This file said nothing about itself.")
    publish = request.POST.get("published") == "1"
    file_metadata_publish(user=request.user, asset=asset, published=publish)
    item = asset.item
    assert item is not None  # noqa: S101 (filtered above)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "provenance/_panel.html", _panel_context(request, item))
    messages.success(request, "The file's metadata is now shown." if publish else "The file's metadata is hidden.")
    return redirect(f"{item.get_absolute_url()}#provenance")


@login_required
@require_GET
def upload_check(request: HttpRequest) -> HttpResponse:
    """The upload form's notice: earlier copies of the files being uploaded and what the files
    say (their date and place, which the form can take). Polls until every file was checked."""
    raw = request.GET.get("assets", "")
    ids = [int(part) for part in raw.replace(" ", "").split(",") if part.isdigit()][:20]
    try:
        polls = max(0, min(int(request.GET.get("n", "0")), UPLOAD_POLLS))
    except ValueError:
        polls = 0
    notices = upload_notices(request.user, request.viewer, ids)  # type: ignore[attr-defined]
    pending = any(not n.done for n in notices) and polls < UPLOAD_POLLS
    return render(
        request,
        "provenance/_upload_check.html",
        {"notices": notices, "pending": pending, "next_poll": polls + 1, "loaded": True, "assets": raw[:200]},
    )


# What moderators may do to a whole group of copies at once (moderation.target_act).
CLUSTER_ACTIONS = [
    (ActionKind.HOLD, "Hold for review"),
    (ActionKind.REMOVE, "Remove"),
    (ActionKind.RESTORE, "Restore"),
    (ActionKind.LOCK_COMMENTS, "Lock comments"),
    (ActionKind.DISMISS, "Dismiss their reports"),
]


@moderator_required
@require_GET
def clusters(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "provenance/clusters.html",
        {"clusters": copy_clusters(request.viewer), "actions": CLUSTER_ACTIONS},  # type: ignore[attr-defined]
    )


@moderator_required
@require_POST
@limit_writes("moderation")
def clusters_act(request: HttpRequest) -> HttpResponse:
    """One moderator action on the chosen items of a group of copies, each recorded in the
    moderation log as if taken on its own (the same service as the item's review page)."""
    action = request.POST.get("action", "")
    reason = request.POST.get("reason", "").strip()[:1000]
    public_ids = request.POST.getlist("items")[:100]
    if action not in {value for value, _ in CLUSTER_ACTIONS}:
        messages.error(request, "Choose what to do with the chosen items.")
        return redirect("provenance:clusters")
    if not public_ids:
        messages.error(request, "Tick the items to act on first.")
        return redirect("provenance:clusters")
    done, refused = 0, []
    for item in Item.objects.filter(public_id__in=public_ids).order_by("added_at"):
        try:
            target_act(moderator=request.user, action=action, target=item, reason=reason)  # type: ignore[arg-type]
        except ModerationError as exc:
            refused.append(f"“{item.title}”: {exc}")
        else:
            done += 1
    label = dict(CLUSTER_ACTIONS)[ActionKind(action)]
    if done:
        messages.success(request, f"{label}: done for {done} item{'s' if done != 1 else ''}.")
    for message in refused:
        messages.error(request, message)
    return redirect("provenance:clusters")
