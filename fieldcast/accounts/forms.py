from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.conf import settings
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


# Characters that reorder or hide text: in a name they let one member pose as another.
# (Zero-width joiners U+200C/U+200D stay: Persian and emoji need them.)
_HIDDEN_CHARACTERS = re.compile("[\u0000-\u001f\u007f-\u009f\u200b\u200e\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        required=False,
        max_length=80,
        label="Display name",
        help_text="Shown on your profile instead of your username. Any script; up to 80 characters.",
    )
    bio = forms.CharField(
        required=False,
        max_length=2000,
        label="About you",
        widget=forms.Textarea(attrs={"rows": 5, "dir": "auto"}),
        help_text="Markdown: **bold**, *italic*, [links](https://example.org). Up to 2,000 characters.",
    )
    avatar = forms.FileField(
        required=False,
        label="Profile picture",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}),
        help_text="A JPEG, PNG, GIF or WebP picture; we crop it to a square and keep only small copies.",
    )
    remove_avatar = forms.BooleanField(required=False, label="Remove my profile picture")
    favorites_public = forms.BooleanField(
        required=False,
        label="Anyone may see my favorites",
        help_text="Off: only you see your favorites.",
    )

    def __init__(self, *args: Any, has_avatar: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["display_name"].widget.attrs["dir"] = "auto"
        self.fields["avatar"].widget = forms.FileInput(attrs=self.fields["avatar"].widget.attrs)
        if not has_avatar:
            del self.fields["remove_avatar"]

    def clean_display_name(self) -> str:
        name: str = self.cleaned_data["display_name"].strip()
        if _HIDDEN_CHARACTERS.search(name):
            raise forms.ValidationError("Remove the invisible or text-direction characters from your name.")
        return name

    def clean_bio(self) -> str:
        return str(self.cleaned_data["bio"]).strip()

    def clean_avatar(self) -> Any:
        upload = self.cleaned_data.get("avatar")
        if upload and upload.size > settings.AVATAR_MAX_BYTES:
            raise forms.ValidationError(
                f"The picture is too large: at most {settings.AVATAR_MAX_BYTES // (1024 * 1024)} MB."
            )
        return upload


class AccountDeleteForm(forms.Form):
    KEEP = "keep"
    DELETE = "delete"
    content = forms.ChoiceField(
        label="What happens to what you posted",
        widget=forms.RadioSelect,
        choices=[
            (KEEP, "Keep my items and comments, anonymised: they stay, shown as by “[deleted account]”."),
            (DELETE, "Delete my items, comments and votes for good."),
        ],
        error_messages={"required": "Choose whether your items and comments stay (anonymised) or go."},
    )
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="To be sure it is you.",
        error_messages={"required": "Enter your password."},
    )
    confirm = forms.BooleanField(
        label="I understand that my account cannot be restored",
        error_messages={"required": "Tick this box to confirm."},
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if not user.has_usable_password():
            # Accounts without a password confirm by having signed in a moment ago.
            del self.fields["password"]

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("This is not your password.")
        return password


class ApiTokenForm(forms.Form):
    """A new personal API token (accounts.tokens.api_token_create checks it again)."""

    name = forms.CharField(
        max_length=80, label="Name", help_text="What will use it, e.g. “archive bot” or “newsroom uploader”."
    )
    scope = forms.ChoiceField(
        choices=[("read", "Read only"), ("write", "Read and write (post, edit, comment, vote, upload)")],
        initial="read",
        widget=forms.RadioSelect,
        label="What it may do",
    )
    expires_in_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=3650,
        label="Expires after (days)",
        help_text="Optional: leave empty for a token that lasts until you revoke it.",
    )
