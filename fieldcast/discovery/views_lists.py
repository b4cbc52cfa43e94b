"""Lists: "Popular now" (/popular), "Top rated" (/top), "Most discussed" (/discussed).

Each page is keyset-paginated (a cursor, never an offset: page 500 costs what page 1
does) through Item.objects.visible_to(viewer), with the period switch in the query string.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from fieldcast.core.pagecache import LIST, guest_page
from fieldcast.items.models import Item
from fieldcast.items.selectors import item_list_page
from fieldcast.moderation.viewer import Viewer

from .trending import POPULAR_PERIODS, popular_queryset

# Top rated and Most discussed: items added within the period (None: all time).
ADDED_PERIODS: dict[str, tuple[str, datetime.timedelta | None]] = {
    "24h": ("Last 24 hours", datetime.timedelta(hours=24)),
    "7d": ("Last 7 days", datetime.timedelta(days=7)),
    "30d": ("Last 30 days", datetime.timedelta(days=30)),
    "all": ("All time", None),
}
POPULAR_LABELS = {key: ADDED_PERIODS[key][0] for key in POPULAR_PERIODS}


@dataclass(frozen=True)
class ListKind:
    name: str  # url name
    title: str
    intro: str
    periods: dict[str, str]  # key -> label
    default_period: str
    key: str  # the ordering annotation or field, with "id" as the tie-breaker
    empty: str


LISTS = {
    "popular": ListKind(
        "popular",
        "Popular now",
        "Plays, views, votes, comments and shares, the most recent counting most.",
        POPULAR_LABELS,
        "24h",
        "popularity",
        "Nothing has drawn attention in this period yet.",
    ),
    "top": ListKind(
        "top",
        "Top rated",
        "Items added in this period, by their votes (up minus down).",
        {k: label for k, (label, _) in ADDED_PERIODS.items()},
        "7d",
        "vote_score",
        "No item was added in this period.",
    ),
    "discussed": ListKind(
        "discussed",
        "Most discussed",
        "Items added in this period, by their number of comments.",
        {k: label for k, (label, _) in ADDED_PERIODS.items()},
        "7d",
        "comments_count",
        "No item added in this period has comments yet.",
    ),
}


def list_queryset(kind: ListKind, viewer: Viewer, period: str, *, now: datetime.datetime | None = None) -> Any:
    """The items of one list for this viewer, before ordering and pagination."""
    if kind.name == "popular":
        return popular_queryset(viewer, period=period)
    qs = Item.objects.visible_to(viewer)
    since = ADDED_PERIODS[period][1]
    if since is not None:
        qs = qs.filter(added_at__gte=(now or timezone.now()) - since)
    if kind.name == "discussed":
        qs = qs.filter(comments_count__gt=0)
    return qs


def _list_view(request: HttpRequest, name: str) -> HttpResponse:
    kind = LISTS[name]
    period = request.GET.get("period", kind.default_period)
    if period not in kind.periods:
        period = kind.default_period
    viewer = request.viewer  # type: ignore[attr-defined]
    page = item_list_page(list_queryset(kind, viewer, period), cursor=request.GET.get("after"), keys=(kind.key, "id"))
    periods = [{"key": k, "label": label, "current": k == period} for k, label in kind.periods.items()]
    return render(
        request,
        "discovery/lists.html",
        {"kind": kind, "period": period, "periods": periods, "page": page, "list_names": LISTS},
    )


@guest_page(LIST)
def popular(request: HttpRequest) -> HttpResponse:
    return _list_view(request, "popular")


@guest_page(LIST)
def top(request: HttpRequest) -> HttpResponse:
    return _list_view(request, "top")


@guest_page(LIST)
def discussed(request: HttpRequest) -> HttpResponse:
    return _list_view(request, "discussed")
