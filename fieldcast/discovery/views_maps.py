"""/map (the world map of recent items, with the search filters) and /map/items.json
(its clustered points, also used by the channel maps)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_cookie

from .maps import MapParamError, fallback_items, filters_from, map_payload, parse_bbox, parse_zoom
from .views_search import SearchForm

MAP_FILTER_FIELDS = ("q", "rating", "channel", "tag", "country", "occurred_from", "occurred_to")


@require_safe
def world_map(request: HttpRequest) -> HttpResponse:
    viewer = request.viewer  # type: ignore[attr-defined]
    form = SearchForm(request.GET)
    form.is_valid()  # invalid filters are shown beside their fields and left out
    q = form.value("q") or ""
    filters = form.filters()
    query = request.GET.copy()
    for name in list(query):
        if name not in MAP_FILTER_FIELDS:
            query.pop(name)
    context = {
        "form": form,
        "fields": [form[name] for name in MAP_FILTER_FIELDS],
        "items": fallback_items(viewer, q=q, filters=filters),
        "filter_query": query.urlencode(),
        "filters_open": any(form.value(n) for n in MAP_FILTER_FIELDS) or bool(form.errors),
    }
    return render(request, "discovery/map.html", context)


@require_safe
@vary_on_cookie
@cache_control(private=True, max_age=30)
def map_items(request: HttpRequest) -> HttpResponse:
    """Clustered points as JSON: ?bbox=west,south,east,north&zoom=0..18 and the filters of
    /search. A parameter that cannot be used answers 400 with {"error", "parameter"}."""
    viewer = request.viewer  # type: ignore[attr-defined]
    try:
        bbox = parse_bbox(request.GET.get("bbox"))
        zoom = parse_zoom(request.GET.get("zoom"))
        q, filters = filters_from(request.GET)
    except MapParamError as error:
        return JsonResponse({"error": error.message, "parameter": error.parameter}, status=400)
    return JsonResponse(map_payload(viewer, bbox=bbox, zoom=zoom, q=q, filters=filters))
