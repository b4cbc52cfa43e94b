"""Keyset (cursor) pagination: stable under inserts, constant cost for deep pages."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.db.models import Model, Q, QuerySet

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class KeysetPage(Generic[M]):
    items: list[M]
    next_cursor: str | None


def _encode(values: list[Any]) -> str:
    raw = json.dumps([v.isoformat() if isinstance(v, datetime) else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, count: int) -> list[Any] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(values, list) or len(values) != count:
        return None
    return values


def keyset_paginate(queryset: QuerySet[M], *, keys: tuple[str, str], cursor: str | None, size: int) -> KeysetPage[M]:
    """Newest first by (keys[0], keys[1]) descending; keys[1] must be unique.

    A malformed cursor gives the first page rather than an error: cursors come
    from URLs people share and edit.
    """
    first, second = keys
    qs = queryset.order_by(f"-{first}", f"-{second}")
    values = _decode(cursor, 2) if cursor else None
    if values is not None:
        value, tie = values
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                value = None
        if value is not None:
            # The first condition alone bounds the index range, so a deep page starts where the
            # cursor is instead of reading every row before it; the second breaks the ties.
            qs = qs.filter(Q(**{f"{first}__lte": value}))
            qs = qs.filter(Q(**{f"{first}__lt": value}) | Q(**{first: value, f"{second}__lt": tie}))
    rows = list(qs[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = _encode([_attr(last, first), _attr(last, second)])
    return KeysetPage(items=rows, next_cursor=next_cursor)


def _attr(obj: Model, path: str) -> Any:
    for part in path.split("__"):
        obj = getattr(obj, part)
    return obj
