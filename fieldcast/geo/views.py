from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from .selectors import SUGGEST_MAX_QUERY, places_suggest


@require_GET
def suggest(request: HttpRequest) -> JsonResponse:
    """Places for the location field's autocomplete: {"results": [{"label", "name", ...}]}.

    Empty input gives no results; input over SUGGEST_MAX_QUERY characters is refused (400) with a message.
    """
    query = request.GET.get("q", "")
    if len(query) > SUGGEST_MAX_QUERY:
        return JsonResponse(
            {"error": f"Type at most {SUGGEST_MAX_QUERY} characters to look up a place.", "results": []}, status=400
        )
    results = [
        {
            "label": str(place),
            "name": place.name,
            "kind": place.kind,
            "country": place.country_name,
            "latitude": round(place.latitude, 5),
            "longitude": round(place.longitude, 5),
        }
        for place in places_suggest(query.strip())
    ]
    response = JsonResponse({"query": query, "results": results})
    response["Cache-Control"] = "public, max-age=3600"
    return response
