"""Places found in an item's text: suggestions on its edit form, extra markers on its map."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from fieldcast.items.access import item_get_editable, item_get_for_viewer

from .extract import item_places_done
from .models import ItemPlace

POLLS = 15  # the form asks every 2 s while the task has not run, at most this many times


def _mentioned(item_id: int) -> list[ItemPlace]:
    return list(ItemPlace.objects.filter(item_id=item_id).select_related("place"))


@login_required
@require_GET
def places_found(request: HttpRequest, public_id: str) -> HttpResponse:
    """The "Places found in your text" box of the edit form (htmx; polls until the task ran)."""
    item = item_get_editable(request.viewer, public_id)  # type: ignore[attr-defined]
    try:
        polls = max(0, min(int(request.GET.get("n", "0")), POLLS))
    except ValueError:
        polls = 0
    done = item_places_done(item)
    mentioned = _mentioned(item.pk)
    return render(
        request,
        "geo/_place_suggestions.html",
        {
            "item": item,
            "mentioned": mentioned,
            "pending": not done and polls < POLLS,
            "next_poll": polls + 1,
            "loaded": True,
        },
    )


@require_GET
def places_json(request: HttpRequest, public_id: str) -> JsonResponse:
    """The other places an item's text names, for its map (the main place is on the button)."""
    result = item_get_for_viewer(request.viewer, public_id)  # type: ignore[attr-defined]
    if not result.shows_content:
        return JsonResponse({"places": []}, status=result.status_code)
    item = result.item
    places = [
        {
            "label": str(m.place),
            "lat": round(m.place.latitude, 5),
            "lon": round(m.place.longitude, 5),
            "matched": m.matched_text,
        }
        for m in _mentioned(item.pk)
        if m.place_id != item.place_id
    ]
    return JsonResponse({"places": places})
