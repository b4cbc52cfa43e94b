"""Counting plays, views and shares so that none is lost and none counts twice.

An event counts once per viewer, item and kind per DEDUP_WINDOW_S window (fixed
windows, so that a unique constraint or a Redis SET NX decides races). Two ways
to count, chosen by settings.COUNTER_BUFFER:

- "database" (no Redis): the dedup row and the F() increments commit together;
- "redis": dedup with SET NX EX, increments with HINCRBY into one hash that
  `counters_flush` moves into the database every few seconds (a scheduler job).
  The flush renames the hash first, so increments arriving meanwhile go to a new
  one, and a failed flush leaves the renamed hash to the next run: nothing lost.
"""

from __future__ import annotations

import datetime
import logging
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from fieldcast.core import pagecache
from fieldcast.items.counters import item_counter_add
from fieldcast.player.models import CountedEvent, EmbedHost, EventKind, HourlyStat

logger = logging.getLogger(__name__)

DEDUP_WINDOW_S = 30 * 60
BUFFER_KEY = "fc:counters"
FLUSHING_PREFIX = "fc:counters:flushing:"
# For the flush lag (core/ops.py, /metrics): when the oldest event in BUFFER_KEY was counted
# (set with it, removed with the rename that takes the buffer away), and when a flush last ran.
OLDEST_KEY = "fc:counters:oldest"
FLUSHED_AT_KEY = "fc:counters:flushed_at"

# Item counter and HourlyStat column moved by each kind of event.
ITEM_FIELDS = {EventKind.PLAY: "plays_count", EventKind.VIEW: "views_count", EventKind.SHARE: "shares_count"}
STAT_FIELDS = {EventKind.PLAY: "plays", EventKind.VIEW: "views", EventKind.SHARE: "shares"}


@dataclass(frozen=True)
class Event:
    item_id: int
    kind: str
    viewer_key: str
    embed: bool = False
    host: str = ""


def _window(now: datetime.datetime) -> int:
    seconds = int(now.timestamp())
    return seconds - seconds % DEDUP_WINDOW_S


def _hour(now: datetime.datetime) -> datetime.datetime:
    return now.astimezone(datetime.UTC).replace(minute=0, second=0, microsecond=0)


def event_count(event: Event, *, now: datetime.datetime | None = None) -> bool:
    """Count `event` unless its viewer already counted in this window; True if it counted."""
    now = now or timezone.now()
    if settings.COUNTER_BUFFER == "redis":
        return _count_in_redis(event, now)
    return _count_in_database(event, now)


# --- Without Redis ------------------------------------------------------------------


@transaction.atomic
def _count_in_database(event: Event, now: datetime.datetime) -> bool:
    try:
        with transaction.atomic():
            CountedEvent.objects.create(
                item_id=event.item_id, kind=event.kind, viewer_key=event.viewer_key, window=_window(now)
            )
    except IntegrityError:
        return False
    _apply(event.item_id, event.kind, embed=event.embed, host=event.host, hour=_hour(now), amount=1)
    pagecache.item_counters_changed(event.item_id)  # guest pages: at most once per COUNTER_FLUSH_S
    return True


def _apply(item_id: int, kind: str, *, embed: bool, host: str, hour: datetime.datetime, amount: int) -> None:
    """Move an item's counters and statistics by `amount` events (F() updates only)."""
    item_counter_add(item_id=item_id, field=ITEM_FIELDS[EventKind(kind)], delta=amount)
    stat = {STAT_FIELDS[EventKind(kind)]: F(STAT_FIELDS[EventKind(kind)]) + amount}
    if embed and kind == EventKind.PLAY:
        item_counter_add(item_id=item_id, field="embed_plays_count", delta=amount)
        stat["embed_plays"] = F("embed_plays") + amount
        if host:
            _upsert(EmbedHost, {"item_id": item_id, "host": host}, {"plays": F("plays") + amount})
    _upsert(HourlyStat, {"item_id": item_id, "hour": hour}, stat)


def _upsert(model, key: dict, increments: dict) -> None:  # type: ignore[no-untyped-def, type-arg]
    """Add to a row's columns, creating the row first if needed (race-safe)."""
    if model.objects.filter(**key).update(**increments):
        return
    try:
        with transaction.atomic():
            model.objects.create(**key)
    except IntegrityError:
        pass  # created concurrently: the update below lands on it
    model.objects.filter(**key).update(**increments)


# --- With Redis -------------------------------------------------------------------


def redis_client():  # type: ignore[no-untyped-def]
    import redis

    return redis.Redis.from_url(settings.REDIS_URL)


def _count_in_redis(event: Event, now: datetime.datetime) -> bool:
    client = redis_client()
    dedup_key = f"fc:seen:{event.kind}:{event.item_id}:{event.viewer_key}:{_window(now)}"
    if not client.set(dedup_key, 1, nx=True, ex=DEDUP_WINDOW_S + 60):
        return False
    hour = int(_hour(now).timestamp())
    fields = [f"{event.item_id}|{event.kind}|{int(event.embed)}|{hour}|{event.host}"]
    pipe = client.pipeline(transaction=True)
    for name in fields:
        pipe.hincrby(BUFFER_KEY, name, 1)
    pipe.set(OLDEST_KEY, int(now.timestamp()), nx=True)
    pipe.execute()
    return True


def counters_flush() -> int:
    """Move buffered Redis counts into the database; returns the events moved."""
    if settings.COUNTER_BUFFER != "redis":
        return 0
    client = redis_client()
    moved = 0
    # Leftovers of a flush that failed before deleting its hash come first.
    for key in client.scan_iter(match=FLUSHING_PREFIX + "*"):
        moved += _flush_key(client, key)
    flushing = FLUSHING_PREFIX + uuid.uuid4().hex
    try:
        pipe = client.pipeline(transaction=True)
        pipe.rename(BUFFER_KEY, flushing)
        pipe.delete(OLDEST_KEY)
        pipe.execute()
    except Exception as exc:  # redis.ResponseError "no such key": nothing buffered
        if "no such key" not in str(exc).lower():
            raise
    else:
        moved += _flush_key(client, flushing)
    client.set(FLUSHED_AT_KEY, repr(time.time()))
    return moved


@dataclass(frozen=True)
class CounterBufferState:
    mode: str  # "database" (nothing buffered) or "redis"
    entries: int = 0  # buffered (item, kind, hour, host) rows waiting for the flush
    events: int = 0  # buffered events in them
    leftover_flushes: int = 0  # hashes of flushes that failed midway (the next flush takes them)
    # (counted only when asked: see counter_buffer_state)
    oldest_event_age_s: float = 0.0  # the flush lag: how long the oldest buffered event has waited
    last_flush_age_s: float | None = None  # None: no flush since Redis started


def counter_buffer_state(*, now: float | None = None, leftovers: bool = False) -> CounterBufferState:
    """The Redis buffer's backlog and lag: three reads, one of them HVALS of the buffer (as
    many entries as one flush interval brought). `leftovers` also counts the hashes of failed
    flushes, which takes a SCAN of the whole keyspace (the dedup keys too): for the command."""
    if settings.COUNTER_BUFFER != "redis":
        return CounterBufferState(mode="database")
    now = time.time() if now is None else now
    client = redis_client()
    pipe = client.pipeline(transaction=False)
    pipe.hvals(BUFFER_KEY)
    pipe.get(OLDEST_KEY)
    pipe.get(FLUSHED_AT_KEY)
    values, oldest, flushed_at = pipe.execute()
    left = sum(1 for _ in client.scan_iter(match=FLUSHING_PREFIX + "*", count=1000)) if leftovers else 0
    return CounterBufferState(
        mode="redis",
        entries=len(values),
        events=sum(int(v) for v in values),
        leftover_flushes=left,
        oldest_event_age_s=max(0.0, now - float(oldest)) if oldest and values else 0.0,
        last_flush_age_s=max(0.0, now - float(flushed_at)) if flushed_at else None,
    )


def _flush_key(client, key) -> int:  # type: ignore[no-untyped-def]
    entries = client.hgetall(key)
    moved = 0
    flushed: set[int] = set()
    with transaction.atomic():
        for raw_name, raw_count in entries.items():
            name = raw_name.decode() if isinstance(raw_name, bytes) else raw_name
            item_id, kind, embed, hour, host = name.split("|", 4)
            count = int(raw_count)
            hour_at = datetime.datetime.fromtimestamp(int(hour), tz=datetime.UTC)
            _apply(int(item_id), kind, embed=embed == "1", host=host, hour=hour_at, amount=count)
            moved += count
            flushed.add(int(item_id))
        # Cached guest pages of these items show the new counts from the next request on.
        pagecache.items_counters_flushed(flushed)
    client.delete(key)
    return moved


def counted_events_prune(*, now: datetime.datetime | None = None) -> int:
    """Drop dedup rows of windows that have closed (they decide nothing any more)."""
    now = now or timezone.now()
    deleted, _ = CountedEvent.objects.filter(window__lt=_window(now) - DEDUP_WINDOW_S).delete()
    return deleted
