"""Keyset (cursor) pagination for every API list: stable while rows are added, and a deep
page costs what the first one does (an index range scan, never OFFSET).

A list orders by a tuple of keys whose last is unique (the primary key). The cursor is the
previous page's last row's key values, base64url-encoded JSON, tagged with the list's
ordering so a cursor from one ordering is refused by another. Nullable keys sort last.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F, Model, Q, QuerySet
from ninja import Schema

M = TypeVar("M", bound=Model)


class CursorError(ValueError):
    """A cursor this list did not issue: answered 422 on the `cursor` parameter."""


@dataclass(frozen=True)
class Key:
    field: str
    descending: bool = True
    nullable: bool = False

    def order(self) -> Any:
        expr = F(self.field)
        if self.nullable:
            return expr.desc(nulls_last=True) if self.descending else expr.asc(nulls_last=True)
        return expr.desc() if self.descending else expr.asc()


def newest_first(field: str = "created_at") -> tuple[Key, ...]:
    return (Key(field), Key("pk"))


def oldest_first(field: str = "created_at") -> tuple[Key, ...]:
    return (Key(field, descending=False), Key("pk", descending=False))


def _dump(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return {"t": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"d": value.isoformat()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return {"s": str(value)}  # Decimal and the like: compared as text by the database


def _load(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        (tag, raw), *_ = value.items()
        if tag == "t":
            return datetime.datetime.fromisoformat(raw)
        if tag == "d":
            return datetime.date.fromisoformat(raw)
        if tag == "s":
            return str(raw)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise CursorError


def encode_cursor(tag: str, values: Sequence[Any]) -> str:
    raw = json.dumps([tag, [_dump(v) for v in values]], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, tag: str, count: int) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        got_tag, values = json.loads(raw)
        if got_tag != tag or not isinstance(values, list) or len(values) != count:
            raise CursorError
        return [_load(v) for v in values]
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as exc:
        raise CursorError from exc


def _after(key: Key, value: Any) -> Q:
    """Rows that come after `value` on this key alone."""
    if value is None:  # nulls sort last: nothing but nulls (decided by later keys) follows
        return Q(pk__in=[])
    q = Q(**{f"{key.field}__{'lt' if key.descending else 'gt'}": value})
    if key.nullable:
        q |= Q(**{f"{key.field}__isnull": True})
    return q


def _bound(key: Key, value: Any) -> Q:
    """Rows at or after `value` on this key alone (nulls sort last)."""
    if value is None:
        return Q(**{f"{key.field}__isnull": True})
    q = Q(**{f"{key.field}__{'lte' if key.descending else 'gte'}": value})
    if key.nullable:
        q |= Q(**{f"{key.field}__isnull": True})
    return q


def _equal(key: Key, value: Any) -> Q:
    return Q(**{f"{key.field}__isnull": True}) if value is None else Q(**{key.field: value})


def _value(row: Model, field: str) -> Any:
    obj: Any = row
    for part in field.split("__"):
        obj = getattr(obj, part)
    return obj


def clamp_limit(limit: int | None, default: int = 20) -> int:
    if limit is None:
        return default
    return max(1, min(limit, settings.API_PAGE_SIZE_MAX))


def keyset_page(
    queryset: QuerySet[M], keys: Sequence[Key], *, cursor: str | None, limit: int, tag: str
) -> tuple[list[M], str | None]:
    """One page of `queryset` in `keys` order after `cursor`: (rows, next cursor or None).
    Raises CursorError for a cursor this list did not issue."""
    qs = queryset.order_by(*(k.order() for k in keys))
    if cursor:
        values = decode_cursor(cursor, tag, len(keys))
        condition = Q(pk__in=[])
        for i, key in enumerate(keys):
            step = _after(key, values[i])
            for prior, prior_value in zip(keys[:i], values[:i], strict=True):
                step &= _equal(prior, prior_value)
            condition |= step
        # The first key's own bound (the condition above is an OR the index cannot start
        # from), so a deep page starts where the cursor is instead of reading every row before it.
        try:
            qs = qs.filter(_bound(keys[0], values[0])).filter(condition)
        except (ValueError, TypeError, ValidationError) as exc:  # values of the wrong kinds for this list
            raise CursorError from exc
    rows = list(qs[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_cursor(tag, [_value(rows[-1], k.field) for k in keys])


def keyset_slice(
    rows: Sequence[tuple[Any, ...]], *, width: int, cursor: str | None, limit: int, tag: str
) -> tuple[list[tuple[Any, ...]], str | None]:
    """`keyset_page` for a list already in memory: `rows` are key tuples of `width` values,
    in descending order of the whole tuple (no nulls). Same cursors: the last row's values."""
    start = 0
    if cursor:
        after = tuple(decode_cursor(cursor, tag, width))
        try:
            start = next((i for i, row in enumerate(rows) if row < after), len(rows))
        except TypeError as exc:  # values of the wrong kinds for this list
            raise CursorError from exc
    page = list(rows[start : start + limit + 1])
    if len(page) <= limit:
        return page, None
    page = page[:limit]
    return page, encode_cursor(tag, page[-1])


class Page(Schema):
    """Base of every list answer: `items` (declared by each list) and the cursor to the next page."""

    next_cursor: str | None = None
