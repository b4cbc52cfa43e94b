from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from fieldcast.channels.services import channel_ensure_personal


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        user = super().save_user(request, user, form, commit=False)
        data = form.cleaned_data
        user.date_of_birth = data.get("date_of_birth")
        if data.get("confirm_adult"):
            from django.utils import timezone

            user.adult_confirmed_at = timezone.now()
        if commit:
            user.save()
            channel_ensure_personal(user=user)
        return user
