from __future__ import annotations

import datetime
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from fieldcast.channels.services import channel_ensure_personal
from fieldcast.core.markdown import render_markdown

from .avatars import AVATAR_SIZES, avatar_new_key, avatar_render, avatar_storage_name
from .models import Block, User


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


@transaction.atomic
def user_update_profile(*, user: User, display_name: str, bio: str, favorites_public: bool) -> User:
    """Save the public profile; the bio's Markdown is rendered and sanitised once, here."""
    user.display_name = display_name
    user.bio = bio
    user.bio_html = render_markdown(bio) if bio.strip() else ""
    user.favorites_public = favorites_public
    user.save(update_fields=["display_name", "bio", "bio_html", "favorites_public"])
    return user


@transaction.atomic
def user_set_avatar(*, user: User, upload: IO[bytes]) -> User:
    """Replace the avatar with squares re-encoded from `upload` (AvatarError if unusable).
    The files are written first; the previous ones are deleted once the row is committed."""
    files = avatar_render(upload)
    key = avatar_new_key()
    for size, data in files.items():
        default_storage.save(avatar_storage_name(user.pk, size, key), ContentFile(data))
    old_key = user.avatar_key
    user.avatar_key = key
    user.save(update_fields=["avatar_key"])
    if old_key:
        _delete_avatar_files_on_commit(user.pk, old_key)
    return user


@transaction.atomic
def user_remove_avatar(*, user: User) -> User:
    if user.avatar_key:
        _delete_avatar_files_on_commit(user.pk, user.avatar_key)
        user.avatar_key = ""
        user.save(update_fields=["avatar_key"])
    return user


def _delete_avatar_files_on_commit(user_id: int, key: str) -> None:
    def delete() -> None:
        for size in AVATAR_SIZES:
            default_storage.delete(avatar_storage_name(user_id, size, key))

    transaction.on_commit(delete)


@transaction.atomic
def user_block(*, blocker: User, blocked: User) -> bool:
    """`blocker` blocks `blocked`; False when that was already so."""
    if blocker.pk == blocked.pk:
        raise ValidationError("You cannot block yourself.")
    try:
        with transaction.atomic():
            _, created = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
    except IntegrityError:  # the same block made concurrently
        return False
    return created


@transaction.atomic
def user_unblock(*, blocker: User, blocked: User) -> bool:
    deleted, _ = Block.objects.filter(blocker=blocker, blocked=blocked).delete()
    return bool(deleted)


@transaction.atomic
def user_set_trusted(*, user: User, trusted: bool) -> None:
    """Mark a member trusted by moderators (their reports count), or not. Trust needs a
    verified email address (accounts.selectors.user_may_be_trusted)."""
    from .selectors import user_may_be_trusted

    if trusted and not user_may_be_trusted(user):
        raise ValidationError("Only members with a verified email address can be marked trusted.")
    user.trusted_by_moderator = trusted
    user.save(update_fields=["trusted_by_moderator"])
