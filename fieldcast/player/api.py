"""The player's event beacons in the REST API: /api/v1/events/play and /api/v1/events/view
run exactly the code of the site's /events/play and /events/view (player.views.record_event),
so that they are described in the OpenAPI document and a client may count from its own player.

They trust only the signed event token that the item page and the embed carry (`data-token`
on the player); an API token or the session only decides who counts (members by id, guests
by the `fc_vid` cookie or a daily hash of address and browser)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Form, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from fieldcast.api.schemas import ErrorOut
from fieldcast.community.api_support import BEACON_AUTH

from .models import EventKind
from .views import record_event, remember_visitor

router = Router(tags=["Player events"])


class EventIn(Schema):
    token: str = Field(
        ...,
        max_length=2000,
        description="The signed event token of the page or embed (valid 24 hours).",
        examples=["eyJpIjoiazNKZDlhUTIiLCJlIjowfQ:1tXyZa:abc..."],
    )
    host: str = Field(
        "",
        max_length=260,
        description="Plays inside an embed only: the host name of the page embedding the player.",
        examples=["news.example.org"],
    )


class EventOut(Schema):
    counted: bool = Field(
        ...,
        description=(
            "Whether this event counted: false for a repeat within 30 minutes from the same viewer, "
            "the uploader's own plays and obvious bots."
        ),
    )


EVENT_RESPONSES = {
    200: EventOut,
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}


def _event(request: HttpRequest, response: HttpResponse, kind: str, payload: EventIn) -> EventOut:
    outcome = record_event(request, kind, token=payload.token, host=payload.host)
    if outcome.error:
        raise HttpError(outcome.status, outcome.error)
    remember_visitor(response, request, outcome.visitor_id)
    return EventOut(counted=outcome.counted)


@router.post("/events/play", auth=BEACON_AUTH, response=EVENT_RESPONSES, summary="Count a play")
def event_play(request: HttpRequest, response: HttpResponse, payload: Form[EventIn]) -> EventOut:
    """Count one play of the item the token names, once playback started (the player posts
    it on its first `playing` event; inside an embed with `host`). Form-encoded, like the
    site's beacon. 403: the token is forged or expired (reload the page); 404: the item
    cannot be counted (unknown, unfinished or moderated); 400: a bad host."""
    return _event(request, response, EventKind.PLAY, payload)


@router.post("/events/view", auth=BEACON_AUTH, response=EVENT_RESPONSES, summary="Count a page view")
def event_view(request: HttpRequest, response: HttpResponse, payload: Form[EventIn]) -> EventOut:
    """Count one view of the item's page (the page posts it when it opens, so that cached
    pages still count). Views carry no `host`."""
    return _event(request, response, EventKind.VIEW, payload)
