"""Test helpers for the API: a token for a member, and a client that sends it."""

from __future__ import annotations

from django.test import Client

from fieldcast.accounts.models import ApiToken, User
from fieldcast.accounts.tokens import api_token_create


def token_for(user: User, scope: str = ApiToken.Scope.WRITE) -> str:
    """A new token of `user`'s, in plaintext."""
    _, plaintext = api_token_create(user=user, name=f"test {scope}", scope=scope)
    return plaintext


def api_client(token: str | None = None) -> Client:
    """A Django test client that sends `token` as a Bearer token (anonymous without one)."""
    if token is None:
        return Client()
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def as_member(user: User, scope: str = ApiToken.Scope.WRITE) -> Client:
    """A client acting as `user` through a new token of theirs."""
    return api_client(token_for(user, scope))
