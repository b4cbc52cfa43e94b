"""The moderators' pages: the queue of reports grouped by target, one target's page,
held items, appeals, copyright notices and the "hold new uploads" switch. Every view
is behind `moderator_required` (the `moderation.act` permission), every POST is rate
limited, and every action goes through services.py."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from fieldcast.accounts.models import User
from fieldcast.community.models import Comment
from fieldcast.core.ratelimit import limit_writes
from fieldcast.items.models import Item

from .forms_queue import ActionForm, AppealDecisionForm, BulkActionForm, CopyrightDecisionForm, HoldUploadsForm
from .holds import site_settings
from .models import Appeal, Case, CopyrightNoticeItem, TargetKind, target_key
from .permissions import moderator_required
from .selectors import (
    case_reports,
    cases_by_ids,
    held_items_page,
    open_case_for,
    open_copyright_entries,
    pending_appeals,
    queue_counts,
    queue_page,
    target_history,
)
from .services import ModerationError, cases_act, hold_new_uploads_set, target_act
from .services_appeals import appeal_decide
from .services_copyright import copyright_resolve

STATUS_FILTERS = {"open": Case.Status.OPEN, "handled": Case.Status.HANDLED}
KIND_FILTERS = ("all", TargetKind.ITEM, TargetKind.COMMENT, TargetKind.USER)


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or default
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _action_form(kind: str, pk: int | str, data: Any = None) -> ActionForm:
    # One form per row: ids carry the row so that every label points at its own control.
    return ActionForm(data, kind=kind, auto_id=f"a{pk}_%s")


def _base_context() -> dict[str, Any]:
    return {"counts": queue_counts()}


@moderator_required
def queue(request: HttpRequest, bulk_form: BulkActionForm | None = None, status: int = 200) -> HttpResponse:
    """Reports grouped by target, newest first, with counts per reason and the actions."""
    state = request.GET.get("status", "open")
    kind = request.GET.get("kind", "all")
    page = queue_page(
        status=STATUS_FILTERS.get(state, Case.Status.OPEN),
        kind=kind if kind in KIND_FILTERS else "all",
        cursor=request.GET.get("after"),
    )
    rows = [(case, _action_form(case.kind, case.pk)) for case in page.items]
    hold_on = site_settings().hold_new_uploads
    context = _base_context() | {
        "page": page,
        "rows": rows,
        "state": state if state in STATUS_FILTERS else "open",
        "kind": kind if kind in KIND_FILTERS else "all",
        "kinds": KIND_FILTERS,
        "bulk_form": bulk_form or BulkActionForm(auto_id="bulk_%s"),
        "hold_on": hold_on,
    }
    return render(request, "moderation/queue.html", context, status=status)


@moderator_required
@require_POST
@limit_writes("moderation")
def bulk_act(request: HttpRequest) -> HttpResponse:
    """One action on every selected group of reports."""
    ids = [int(v) for v in request.POST.getlist("cases") if v.isdigit()]
    form = BulkActionForm(request.POST, case_ids=ids, auto_id="bulk_%s")
    if not form.is_valid():
        return queue(request, bulk_form=form, status=400)
    data = form.cleaned_data
    outcome = cases_act(
        moderator=request.user,  # type: ignore[arg-type]
        cases=cases_by_ids(data["cases"]),
        action=data["action"],
        reason=data.get("reason", ""),
        rating=data.get("rating", ""),
        days=data.get("days"),
    )
    if outcome.done:
        messages.success(request, f"Done for {outcome.done} group{'s' if outcome.done != 1 else ''} of reports.")
    for skipped in outcome.skipped:
        messages.warning(request, f"Skipped {skipped}")
    return redirect(_back(request, reverse("moderation:queue")))


def _target_page(
    request: HttpRequest,
    *,
    target: Model | None,
    kind: str,
    label: str,
    case: Case | None,
    form: ActionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    history: list[Any] = []
    if target is not None:
        if kind == TargetKind.ITEM:
            history = target_history(item=target)
        elif kind == TargetKind.COMMENT:
            history = target_history(comment=target)
        else:
            history = target_history(subject=target)
    context = _base_context() | {
        "case": case,
        "reports": case_reports(case) if case is not None else [],
        "target": target,
        "kind": kind,
        "label": label,
        "history": history,
        "form": form or _action_form(kind, "t"),
    }
    return render(request, "moderation/target.html", context, status=status)


def _act(request: HttpRequest, *, target: Model | None, kind: str, label: str, case: Case | None) -> HttpResponse:
    """POST: validate the action form and run it; GET: the target's page. From a queue
    row (htmx), the answer is the row itself, handled or with its errors."""
    if request.method != "POST":
        return _target_page(request, target=target, kind=kind, label=label, case=case)
    row = bool(getattr(request, "htmx", False)) and case is not None
    form = _action_form(kind, case.pk if row and case is not None else "t", request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            entry = target_act(
                moderator=request.user,  # type: ignore[arg-type]
                action=data["action"],
                target=target,
                case=case,
                reason=data.get("reason", ""),
                rating=data.get("rating", ""),
                days=data.get("days"),
            )
        except ModerationError as exc:
            form.add_error(None, str(exc))
        else:
            if row:
                return render(request, "moderation/_case_row.html", {"case": case, "done": entry})
            messages.success(request, f"{entry.get_kind_display()}: {label}.")
            return redirect(_back(request, request.path))
    if row:
        # htmx swaps only 2xx answers: the row comes back with its errors.
        return render(request, "moderation/_case_row.html", {"case": case, "form": form, "reason_counts": []})
    return _target_page(request, target=target, kind=kind, label=label, case=case, form=form, status=400)


@moderator_required
@limit_writes("moderation")
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One group of reports: every report, the target's history, the actions."""
    case = get_object_or_404(Case.objects.select_related("item", "comment", "owner"), pk=pk)
    target = {TargetKind.ITEM: case.item, TargetKind.COMMENT: case.comment}.get(case.kind, case.owner)  # type: ignore[call-overload]
    return _act(request, target=target, kind=case.kind, label=case.target_label or case.target_key, case=case)


@moderator_required
@limit_writes("moderation")
def item_panel(request: HttpRequest, public_id: str) -> HttpResponse:
    """Act on any item (held items, or one a moderator found without reports)."""
    viewer = request.viewer  # type: ignore[attr-defined]
    item = Item.objects.openable_by(viewer).select_related("author").filter(public_id=public_id).first()
    if item is None:
        raise Http404("No item has this address.")
    case = open_case_for(target_key("item", item.pk))
    return _act(request, target=item, kind=TargetKind.ITEM, label=item.title, case=case)


@moderator_required
@limit_writes("moderation")
def comment_panel(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = Comment.objects.select_related("item", "author").filter(pk=comment_id).first()
    if comment is None:
        raise Http404("No comment has this number.")
    case = open_case_for(target_key("comment", comment.pk))
    return _act(request, target=comment, kind=TargetKind.COMMENT, label=f"comment {comment.pk}", case=case)


@moderator_required
@limit_writes("moderation")
def member_panel(request: HttpRequest, username: str) -> HttpResponse:
    """Warn, suspend, lift a suspension, mark trusted."""
    member = get_object_or_404(User, username=username)
    case = open_case_for(target_key("user", member.pk))
    return _act(request, target=member, kind=TargetKind.USER, label=member.username, case=case)


@moderator_required
def held(request: HttpRequest) -> HttpResponse:
    page = held_items_page(cursor=request.GET.get("after"))
    rows = [(item, _action_form(TargetKind.ITEM, item.pk, None)) for item in page.items]
    return render(request, "moderation/held.html", _base_context() | {"page": page, "rows": rows})


@moderator_required
@require_POST
@limit_writes("moderation")
def hold_uploads(request: HttpRequest) -> HttpResponse:
    form = HoldUploadsForm(request.POST)
    if form.is_valid():
        on = form.cleaned_data["on"]
        changed = hold_new_uploads_set(moderator=request.user, on=on)  # type: ignore[arg-type]
        if changed:
            messages.success(
                request, "New uploads are now held for review." if on else "New uploads are published at once."
            )
    else:
        messages.error(request, "Choose on or off.")
    return redirect("moderation:queue")


@dataclass(frozen=True)
class _DecisionQueue:
    """A moderators' page of pending rows, each with its own decision form (appeals, copyright notices)."""

    template: str
    form_class: type[forms.Form]
    id_prefix: str  # ids carry the row so that every label points at its own control
    pending: Callable[[], Iterable[Model]]
    done_url: str
    done_message: str

    def form(self, pk: int, data: Any = None) -> forms.Form:
        return self.form_class(data, auto_id=f"{self.id_prefix}{pk}_%s")

    def page(
        self, request: HttpRequest, refused: forms.Form | None = None, refused_pk: int | None = None
    ) -> HttpResponse:
        """The queue; after a refused decision, that row keeps its form and errors (400)."""
        rows = [(row, refused if row.pk == refused_pk else self.form(row.pk)) for row in self.pending()]
        status = 200 if refused is None else 400
        return render(request, self.template, _base_context() | {"rows": rows}, status=status)

    def decide(self, request: HttpRequest, pk: int, act: Callable[[dict[str, Any]], object]) -> HttpResponse:
        """Validate the row's form and `act` on its cleaned data; a ModerationError shows on the form."""
        form = self.form(pk, request.POST)
        if form.is_valid():
            try:
                act(form.cleaned_data)
            except ModerationError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, self.done_message)
                return redirect(self.done_url)
        return self.page(request, refused=form, refused_pk=pk)


APPEALS = _DecisionQueue(
    template="moderation/appeals.html",
    form_class=AppealDecisionForm,
    id_prefix="ap",
    pending=pending_appeals,
    done_url="moderation:appeals",
    done_message="The appeal is decided and the member told.",
)
COPYRIGHT = _DecisionQueue(
    template="moderation/copyright_queue.html",
    form_class=CopyrightDecisionForm,
    id_prefix="cn",
    pending=open_copyright_entries,
    done_url="moderation:copyright",
    done_message="The notice is decided and the uploader told.",
)


@moderator_required
def appeals(request: HttpRequest) -> HttpResponse:
    return APPEALS.page(request)


@moderator_required
@require_POST
@limit_writes("moderation")
def appeal_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = get_object_or_404(Appeal, pk=pk)

    def decide(data: dict[str, Any]) -> None:
        appeal_decide(
            moderator=request.user,  # type: ignore[arg-type]
            appeal=appeal,
            accept=data["decision"] == "accept",
            response=data.get("response", ""),
        )

    return APPEALS.decide(request, appeal.pk, decide)


@moderator_required
def copyright_queue(request: HttpRequest) -> HttpResponse:
    return COPYRIGHT.page(request)


@moderator_required
@require_POST
@limit_writes("moderation")
def copyright_decide(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(CopyrightNoticeItem, pk=pk)

    def decide(data: dict[str, Any]) -> None:
        copyright_resolve(
            moderator=request.user,  # type: ignore[arg-type]
            entry=entry,
            restore=data["decision"] == "restore",
            reason=data.get("reason", ""),
        )

    return COPYRIGHT.decide(request, entry.pk, decide)
