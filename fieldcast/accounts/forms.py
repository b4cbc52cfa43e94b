from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone

from .models import ADULT_AGE


class SignupForm(forms.Form):
    """Extra sign-up fields (allauth adds username, email and passwords).

    Safe Mode needs to know whether a member may turn it off: a date of birth,
    or the member's word that they are 18 or over.
    """

    date_of_birth = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Optional. Used only to decide whether you may turn Safe Mode off.",
    )
    confirm_adult = forms.BooleanField(
        required=False,
        label=f"I am {ADULT_AGE} or over",
        help_text="Or tick this instead of giving your date of birth.",
    )

    def clean_date_of_birth(self) -> datetime.date | None:
        dob: datetime.date | None = self.cleaned_data.get("date_of_birth")
        if dob is None:
            return None
        today = timezone.localdate()
        if dob > today:
            raise forms.ValidationError("Your date of birth cannot be in the future.")
        if dob.year < today.year - 130:
            raise forms.ValidationError("Please check the year of your date of birth.")
        return dob

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        dob = cleaned.get("date_of_birth")
        if cleaned.get("confirm_adult") and dob is not None:
            today = timezone.localdate()
            age = today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
            if age < ADULT_AGE:
                self.add_error("confirm_adult", "Your date of birth says you are under 18.")
        return cleaned

    def signup(self, request: Any, user: Any) -> None:
        """allauth calls this after creating the user; the adapter stored the fields."""
