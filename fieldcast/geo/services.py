from __future__ import annotations

from fieldcast.core.text import normalize_key

from .models import Place


def place_resolve(label: str) -> Place | None:
    """The best known place for what an uploader typed ("Yabroud", "Homs, Syria").

    Exact name match, narrowed by a country named after a comma, the most
    populous first. Issue #7's gazetteer widens this with alternate names.
    """
    parts = [normalize_key(p) for p in label.split(",") if p.strip()]
    if not parts:
        return None
    candidates = Place.objects.filter(name_key=parts[0])
    if len(parts) > 1:
        country = parts[-1]
        narrowed = [
            p for p in candidates if normalize_key(p.country_name) == country or p.country_code.casefold() == country
        ]
        if narrowed:
            return max(narrowed, key=lambda p: p.population)
    places = list(candidates)
    return max(places, key=lambda p: (p.kind == Place.Kind.COUNTRY, p.population)) if places else None
