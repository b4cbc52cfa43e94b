from __future__ import annotations

from django import forms

from .models import Digest


class PreferenceForm(forms.Form):
    email_digest = forms.ChoiceField(
        label="Email digest",
        choices=Digest.choices,
        widget=forms.RadioSelect,
        help_text="A summary of your unread notifications, sent to your verified email address.",
        error_messages={
            "required": "Choose how often to get a digest, or Off.",
            "invalid_choice": "Choose Off, Daily or Weekly.",
        },
    )
