from __future__ import annotations

import re
from typing import Any, cast

from django import forms

from .models import GUEST_REASONS, Reason, TargetKind

TIMESTAMP_RE = re.compile(r"^(?:(\d{1,2}):)?(\d{1,3}):([0-5]\d)$")

REASONS_FOR: dict[str, list[Reason]] = {
    TargetKind.ITEM: list(Reason),
    TargetKind.COMMENT: [r for r in Reason if r not in (Reason.WRONG_RATING, Reason.COPYRIGHT)],
    TargetKind.USER: [r for r in Reason if r not in (Reason.WRONG_RATING, Reason.COPYRIGHT, Reason.GRAPHIC)],
}


def parse_timestamp(value: str) -> int | None:
    """'m:ss' or 'h:mm:ss' to seconds; None when it is not a time."""
    match = TIMESTAMP_RE.match(value.strip())
    if match is None:
        return None
    hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    if hours and minutes > 59:
        return None
    return hours * 3600 + minutes * 60 + seconds


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label="What is wrong?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what is wrong.", "invalid_choice": "Choose one of the reasons listed."},
    )
    details = forms.CharField(
        label="Details",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
        help_text="Optional, except for “Other”: what moderators should look at.",
    )
    timestamp = forms.CharField(
        label="Where in the video (mm:ss)",
        required=False,
        max_length=9,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "1:23", "autocomplete": "off"}),
        help_text="Optional: the moment that shows the problem.",
    )
    contact_email = forms.EmailField(
        label="Your email address",
        required=False,
        help_text="Optional: only moderators see it, and only to ask you about this report.",
        error_messages={"invalid": "Enter an email address like name@example.org, or leave it empty."},
    )

    def __init__(self, *args: Any, kind: str, guest: bool, has_video: bool, duration: float | None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        reasons = [r for r in REASONS_FOR[kind] if not guest or r in GUEST_REASONS]
        cast(forms.ChoiceField, self.fields["reason"]).choices = [(r.value, r.label) for r in reasons]
        self.duration = duration
        if not has_video:
            del self.fields["timestamp"]
        if not guest:
            del self.fields["contact_email"]

    def clean_timestamp(self) -> int | None:
        raw = self.cleaned_data.get("timestamp", "").strip()
        if not raw:
            return None
        seconds = parse_timestamp(raw)
        if seconds is None:
            raise forms.ValidationError("Write the time as minutes:seconds, like 1:23, or leave it empty.")
        if self.duration is not None and seconds > self.duration:
            total = int(self.duration)
            raise forms.ValidationError(f"The video is only {total // 60}:{total % 60:02d} long.")
        return seconds

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reason") == Reason.OTHER and not data.get("details", "").strip():
            self.add_error("details", "Say what is wrong: “Other” needs a few words.")
        return data
