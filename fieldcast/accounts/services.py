from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from fieldcast.channels.services import channel_ensure_personal

from .models import User


@transaction.atomic
def user_create(
    *,
    username: str,
    email: str,
    password: str | None,
    date_of_birth: datetime.date | None = None,
    adult_confirmed: bool = False,
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    user = User(
        username=username,
        email=email,
        date_of_birth=date_of_birth,
        adult_confirmed_at=timezone.now() if adult_confirmed else None,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    channel_ensure_personal(user=user)
    return user


@transaction.atomic
def user_set_safe_mode(*, user: User, on: bool) -> None:
    """Turn Safe Mode on or off. Off requires an adult; callers check the confirmation."""
    if not on and user.is_minor():
        raise ValueError("Members under 18 cannot turn Safe Mode off.")
    user.safe_mode = on
    fields = ["safe_mode"]
    if not on and user.adult_confirmed_at is None:
        user.adult_confirmed_at = timezone.now()
        fields.append("adult_confirmed_at")
    user.save(update_fields=fields)
