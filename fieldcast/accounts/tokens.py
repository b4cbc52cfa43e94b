"""Personal API tokens: made, found and revoked here (the API's TokenAuth calls `token_find`).

A token reads `fc_<prefix>_<secret>`: the prefix (public, unique) finds the row, the
SHA-256 of the whole token must match its digest. The plaintext exists only in the answer
to `api_token_create`; it is never stored or logged.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import ApiToken, User

TOKEN_PREFIX = "fc_"  # noqa: S105 (a marker, not a secret)
# last_used_at is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=5)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, user: User, name: str, scope: str = ApiToken.Scope.READ, expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """A new token for `user`: (the row, the plaintext to show once)."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the token a name, so you know later what uses it."})
    if scope not in ApiToken.Scope.values:
        raise ValidationError({"scope": "Choose read or write."})
    if expires_in_days is not None and not 1 <= expires_in_days <= 3650:
        raise ValidationError({"expires_in_days": "A token may last from 1 to 3650 days; leave it empty for no end."})
    active = ApiToken.objects.filter(user=user, revoked_at__isnull=True).count()
    if active >= settings.API_TOKENS_PER_MEMBER:
        raise ValidationError(
            f"You have {active} tokens, the most a member may have: revoke one you no longer use first."
        )
    prefix = secrets.token_hex(4)
    while ApiToken.objects.filter(prefix=prefix).exists():  # 2^32 prefixes: a clash is rare
        prefix = secrets.token_hex(4)
    plaintext = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    expires_at = timezone.now() + datetime.timedelta(days=expires_in_days) if expires_in_days else None
    token = ApiToken.objects.create(
        user=user, name=name[:80], prefix=prefix, digest=_digest(plaintext), scope=scope, expires_at=expires_at
    )
    return token, plaintext


def api_token_revoke(*, user: User, token_id: int) -> bool:
    """Revoke one of `user`'s tokens; False when there is no such active token of theirs."""
    updated = ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    return bool(updated)


def token_find(plaintext: str) -> ApiToken | None:
    """The active token `plaintext` names, with its owner loaded; None for anything else."""
    if not plaintext.startswith(TOKEN_PREFIX) or len(plaintext) > 100:
        return None
    prefix, _, secret = plaintext[len(TOKEN_PREFIX) :].partition("_")
    if not prefix or not secret:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(plaintext)):
        return None
    if not token.is_active or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def user_from_bearer(authorization: str | None) -> User | None:
    """The owner of the active *write* token in an `Authorization: Bearer` header, for
    endpoints outside the API that accept tokens (tus uploads); None otherwise."""
    if not authorization:
        return None
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() != "bearer":
        return None
    token = token_find(value.strip())
    if token is None or not token.can_write:
        return None
    return token.user
