from __future__ import annotations

from typing import Any, cast

from django import forms

from fieldcast.items.models import Rating

from .models import ActionKind, TargetKind
from .services import ACTIONS_FOR, MAX_SUSPENSION_DAYS, REASON_REQUIRED

BULK_ACTIONS = (
    ActionKind.DISMISS,
    ActionKind.REMOVE,
    ActionKind.RESTORE,
    ActionKind.RATE,
    ActionKind.LOCK_COMMENTS,
    ActionKind.REMOVE_COMMENT,
    ActionKind.WARN,
    ActionKind.SUSPEND,
)

ACTION_LABELS = {
    ActionKind.DISMISS: "Dismiss the reports",
    ActionKind.RATE: "Change the rating",
    ActionKind.REMOVE: "Remove the item",
    ActionKind.RESTORE: "Restore the item",
    ActionKind.LOCK_COMMENTS: "Lock comments",
    ActionKind.UNLOCK_COMMENTS: "Unlock comments",
    ActionKind.REMOVE_COMMENT: "Remove the comment",
    ActionKind.WARN: "Warn the member",
    ActionKind.SUSPEND: "Suspend the member",
    ActionKind.UNSUSPEND: "Lift the suspension",
    ActionKind.TRUST: "Mark the member trusted",
    ActionKind.UNTRUST: "Withdraw trust",
}


def _note_field(label: str, max_length: int, help_text: str = "") -> forms.CharField:
    """An optional one-line text (a reason, an answer), written in any script."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        widget=forms.TextInput(attrs={"dir": "auto"}),
        help_text=help_text,
    )


def _decision_field(choices: list[tuple[str, str]], required: str) -> forms.ChoiceField:
    """A moderator's decision on one row of a queue, as radio buttons."""
    return forms.ChoiceField(
        label="Decision", choices=choices, widget=forms.RadioSelect, error_messages={"required": required}
    )


class ActionForm(forms.Form):
    action = forms.ChoiceField(label="Action", error_messages={"required": "Choose an action."})
    reason = _note_field("Reason", 500, "Shown to the member concerned and in the public moderation log.")
    rating = forms.ChoiceField(label="New rating", required=False, choices=[("", "(unchanged)"), *Rating.choices])
    days = forms.IntegerField(
        label="Suspend for (days)",
        required=False,
        min_value=1,
        max_value=MAX_SUSPENSION_DAYS,
        error_messages={"invalid": "Enter a whole number of days."},
    )

    def __init__(self, *args: Any, kind: str | None = None, actions: tuple[str, ...] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        names = actions if actions is not None else ACTIONS_FOR[kind or TargetKind.ITEM]
        cast(forms.ChoiceField, self.fields["action"]).choices = [(a, ACTION_LABELS[ActionKind(a)]) for a in names]
        if kind in (TargetKind.COMMENT, TargetKind.USER):
            del self.fields["rating"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if action in REASON_REQUIRED and not data.get("reason", "").strip():
            self.add_error("reason", "Give a reason: the member concerned and the public log show it.")
        if action == ActionKind.RATE and not data.get("rating"):
            self.add_error("rating", "Choose the new rating.")
        if action == ActionKind.SUSPEND and not data.get("days"):
            self.add_error("days", "Give the number of days.")
        return data


class BulkActionForm(ActionForm):
    cases = forms.TypedMultipleChoiceField(
        label="Selected groups",
        coerce=int,
        error_messages={"required": "Select at least one group of reports."},
    )

    def __init__(self, *args: Any, case_ids: list[int] | None = None, **kwargs: Any):
        super().__init__(*args, actions=BULK_ACTIONS, **kwargs)
        cast(forms.ChoiceField, self.fields["cases"]).choices = [(pk, str(pk)) for pk in (case_ids or [])]


class HoldUploadsForm(forms.Form):
    on = forms.TypedChoiceField(
        label="Hold new uploads for review",
        coerce=lambda v: v == "1",
        choices=[("1", "On: new items wait for a moderator"), ("0", "Off: new items are published at once")],
        widget=forms.RadioSelect,
    )


class AppealDecisionForm(forms.Form):
    decision = _decision_field(
        [("accept", "Accept: undo the action"), ("reject", "Reject: the action stands")], "Choose accept or reject."
    )
    response = _note_field("Answer to the member", 500)


class CopyrightDecisionForm(forms.Form):
    decision = _decision_field(
        [("restore", "Restore the item"), ("remove", "Remove the item")], "Choose restore or remove."
    )
    reason = _note_field("Reason", 400, "Needed to remove; shown to the uploader and in the public log.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "remove" and not data.get("reason", "").strip():
            self.add_error("reason", "Give a reason to remove the item.")
        return data


class AppealForm(forms.Form):
    text = forms.CharField(
        label="Why should the moderators change this?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        error_messages={"required": "Say why you appeal."},
        help_text="You can appeal each action once.",
    )
