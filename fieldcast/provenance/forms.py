from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from .models import VerificationStatus

MAX_SOURCES = 10


class VerificationForm(forms.Form):
    status = forms.ChoiceField(
        label="Verification status", choices=VerificationStatus.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="Public note",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        help_text="Shown on the item: what was checked and how.",
    )
    sources = forms.CharField(
        label="Sources",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "ltr"}),
        help_text=f"Links that support the status, one per line (at most {MAX_SOURCES}).",
    )

    def clean_sources(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["sources"].splitlines() if line.strip()]
        if len(lines) > MAX_SOURCES:
            raise ValidationError(f"Give at most {MAX_SOURCES} links (you gave {len(lines)}).")
        check = URLValidator(schemes=["http", "https"])
        for line in lines:
            if len(line) > 500:
                raise ValidationError("A link is longer than 500 characters.")
            try:
                check(line)
            except ValidationError:
                raise ValidationError(f"“{line[:80]}” is not a web address (http:// or https://).") from None
        return lines

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        status = data.get("status")
        if status in (VerificationStatus.DISPUTED, VerificationStatus.MISATTRIBUTED) and not data.get("note"):
            self.add_error("note", "Say in the note why the footage is disputed or misattributed.")
        return data
