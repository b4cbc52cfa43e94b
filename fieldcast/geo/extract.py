"""Places in the text: find gazetteer names in an item's title and body.

One pyahocorasick automaton over the folded (casefolded, diacritics dropped) names of the
countries and of the places above `MIN_POPULATION`, with their alternate names, built once per
process and rebuilt when the Place or PlaceName table changes (keyed on counts and max ids).

Rules against false positives, in order:
- whole words only, in any script (a boundary is any character that is not a letter, mark or
  digit); Arabic proclitics (و ب ل ف ك) before a name and common Ukrainian/Russian case endings
  after one are allowed, since those languages write them as one word;
- in Latin scripts a name must stand capitalised ("Homs", not "homs"); names of 3 letters or
  fewer must stand exactly as the gazetteer spells them (or in capitals), and alternate names that
  short are not used at all;
- common words that are also place names somewhere ("battle", "march", "police", "nice", ...)
  count only when the text also names that place's country.
Disambiguation: a name shared by several places goes to the one in a country the text names,
then in the country of most other places found, then to a country, then the most populous.
"""

from __future__ import annotations

import functools
import math
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import ahocorasick
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max, Q

MIN_POPULATION = 15_000  # cities below this are not looked for in texts (measured by bench/places.py)
MAX_TEXT = 50_000  # characters of title + body read
MAX_RESULTS = 12  # places stored per item
DONE_KEY = "geo:extract:done:{item_id}"  # the item's updated_at once its places are found

# Common words (English, Spanish, French) that are also the name of a place somewhere.
STOPLIST = frozenset(
    """
    battle march police mobile split nice reading bath man of bar hope independence liberty sale deal wells
    university center centre orange gap most colon mercedes concordia salt bay bend rest chance union progress
    victory friendship commerce industry enterprise temple parish harbour harbor garden gardens lake river
    valley mount mountain beach cape port north south east west central new
    mayo sur norte paz sucre playa plata rosario esperanza victoria libertad trinidad concepcion
    tours sens vienne marche mars fort grand puerto villa asuncion
    """.split()  # noqa: SIM905
)
_ARABIC_PROCLITICS = frozenset("وبلفك")
_CYRILLIC_ENDINGS = frozenset(
    "а у ю і ї я е є и ом ем ою ею ові еві ах ях ам ям ами ого ому ій ськ ського ському ській".split()  # noqa: SIM905
)


@functools.lru_cache(maxsize=65536)
def _fold_char(ch: str) -> str:
    folded = ch.casefold()
    # Cyrillic й, ї, ё are letters of their own, not a letter with a mark.
    if _script(folded[:1]) == "CYRILLIC":
        return folded
    return "".join(part for part in unicodedata.normalize("NFKD", folded) if unicodedata.category(part) != "Mn")


def fold(text: str) -> tuple[str, list[int] | None]:
    """`text` casefolded, without diacritics (combining marks), with the index in `text`
    of each folded character (so that a match maps back to the words as written); the
    index is None when it is the identity (ASCII text)."""
    if text.isascii():
        return text.lower(), None
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        folded = ch.lower() if ch.isascii() else _fold_char(ch)
        out.append(folded)
        if len(folded) == 1:
            index.append(i)
        else:
            index.extend([i] * len(folded))
    return "".join(out), index


def fold_name(name: str) -> str:
    return " ".join(fold(name)[0].split())


def _is_word_char(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LMN"


@functools.lru_cache(maxsize=65536)
def _script(ch: str) -> str:
    try:
        return unicodedata.name(ch).split(" ", 1)[0]
    except ValueError:
        return ""


_CYRILLIC_VOWELS = frozenset("аеєиіїоуюяьй")


def _ukrainian_stems(key: str) -> list[str]:
    """Ukrainian names whose end changes when declined: Харків -> Харкова, Київ -> Києві,
    Маріуполь -> Маріуполя, Одеса -> Одеси. The stems are matched only with a case ending
    after them."""
    if len(key) < 4 or _script(key[-1]) != "CYRILLIC":
        return []
    if key[-1] in "ьаяо":
        return [key[:-1]] if len(key) >= 5 else []
    if key[-1] in _CYRILLIC_VOWELS:
        return []
    vowel = key[-2]
    if vowel == "і":
        return [key[:-2] + "о" + key[-1]]
    if vowel == "ї":
        return [key[:-2] + "є" + key[-1]]
    return []


def _letters(text: str) -> int:
    return sum(1 for ch in text if ch.isalpha())


@dataclass(frozen=True)
class Candidate:
    place_id: int
    name: str
    kind: str
    country_code: str
    population: int

    @property
    def is_country(self) -> bool:
        return self.kind == "country"


@dataclass
class Mention:
    start: int  # in the original text
    end: int
    text: str
    key: str
    candidates: tuple[Candidate, ...]
    in_title: bool = False
    chosen: Candidate | None = None


@dataclass
class Found:
    """A place found in the text, with the words that named it and how sure we are."""

    candidate: Candidate
    matched_text: str
    score: float
    mentions: int = 1


@dataclass
class Gazetteer:
    """The automaton over folded names, and what each name may mean."""

    automaton: ahocorasick.Automaton
    short_forms: dict[str, frozenset[str]] = field(default_factory=dict)  # key -> spellings, keys <= 3 letters
    names: int = 0

    @classmethod
    def build(cls, entries: Iterable[tuple[str, Candidate, bool]]) -> Gazetteer:
        """`entries`: (name, candidate, is_main_name) for every name of every place."""
        by_key: dict[str, dict[int, Candidate]] = defaultdict(dict)
        short: dict[str, set[str]] = defaultdict(set)
        for name, candidate, is_main in entries:
            name = name.strip()
            first = name[:1]
            if not first or (not first.isupper() and _script(first) == "LATIN"):
                continue  # a lower-case romanisation can never match a capitalised word
            key = fold_name(name)
            if not key:
                continue
            if _letters(key) <= 3:
                if _script(key[0]) == "LATIN" and not (is_main or candidate.is_country):
                    continue  # short alternate names are mostly codes; a country's (UK, USA) are kept
                short[key].add(name.strip())
            by_key[key][candidate.place_id] = candidate
        automaton = ahocorasick.Automaton()
        stems: dict[str, dict[int, Candidate]] = defaultdict(dict)
        for key, places in by_key.items():
            automaton.add_word(key, (key, tuple(places.values()), False))
            for stem in _ukrainian_stems(key):
                if stem not in by_key:
                    stems[stem].update(places)
        for stem, places in stems.items():  # only with a case ending after it: Харкова, Києві
            automaton.add_word(stem, (stem, tuple(places.values()), True))
        if by_key:
            automaton.make_automaton()
        return cls(automaton, {k: frozenset(v) for k, v in short.items()}, len(by_key))

    # --- matching -------------------------------------------------------------------------

    def mentions(self, text: str, *, in_title: bool = False) -> list[Mention]:
        """Whole-word matches in `text`, the longest where they overlap."""
        if not text or self.names == 0:
            return []
        text = text[:MAX_TEXT]
        folded, index = fold(text)
        raw: list[Mention] = []
        for end, (key, candidates, needs_ending) in self.automaton.iter(folded):
            start = end - len(key) + 1
            span = self._word_span(folded, start, end + 1, key, needs_ending)
            if span is None:
                continue
            f_start, f_end = span
            o_start, o_end = (f_start, f_end) if index is None else (index[f_start], index[f_end - 1] + 1)
            written = text[o_start:o_end]
            if not self._capitalised(written, key):
                continue
            raw.append(Mention(o_start, o_end, written, key, candidates, in_title))
        raw.sort(key=lambda m: (-(m.end - m.start), m.start))
        taken: list[Mention] = []
        for mention in raw:
            if all(mention.end <= t.start or mention.start >= t.end for t in taken):
                taken.append(mention)
        taken.sort(key=lambda m: m.start)
        return taken

    @staticmethod
    def _word_span(folded: str, start: int, end: int, key: str, needs_ending: bool) -> tuple[int, int] | None:
        """The word(s) the match stands for, or None when it is only part of a word."""
        before = folded[start - 1] if start > 0 else " "
        after = folded[end] if end < len(folded) else " "
        if _is_word_char(before):
            # Arabic writes "and", "in", "to" ... joined to the next word: وحمص، بدمشق.
            head_start = start
            while head_start > 0 and _is_word_char(folded[head_start - 1]):
                head_start -= 1
            head = folded[head_start:start]
            if not (_script(key[0]) == "ARABIC" and len(head) <= 2 and set(head) <= _ARABIC_PROCLITICS):
                return None
        if _is_word_char(after):
            # Ukrainian and Russian decline names: Харкові, Маріуполя.
            tail_end = end
            while tail_end < len(folded) and _is_word_char(folded[tail_end]):
                tail_end += 1
            tail = folded[end:tail_end]
            if not (_script(key[-1]) == "CYRILLIC" and _letters(key) >= 4 and tail in _CYRILLIC_ENDINGS):
                return None
            end = tail_end
        elif needs_ending:
            return None
        return start, end

    def _capitalised(self, written: str, key: str) -> bool:
        first = written[:1]
        if not first or _script(first) != "LATIN":
            return True  # Arabic, Hebrew, CJK ... have no capitals; Cyrillic is left as written
        if not first.isupper():
            return False
        if _letters(key) <= 3:
            forms = self.short_forms.get(key, frozenset())
            return written in forms or (written.isupper() and len(written) > 1)
        return True

    # --- choosing -------------------------------------------------------------------------

    def find(self, title: str, body: str = "") -> list[Found]:
        """The places named in an item's title and body, surest first."""
        mentions = self.mentions(title, in_title=True) + self.mentions(body[: max(0, MAX_TEXT - len(title))])
        if not mentions:
            return []
        named_countries = {c.country_code for m in mentions for c in m.candidates if c.is_country}
        # How many mentions could be in each country: "same country wins".
        support: dict[str, int] = defaultdict(int)
        for m in mentions:
            for code in {c.country_code for c in m.candidates}:
                support[code] += 1
        for m in mentions:
            m.chosen = max(
                m.candidates,
                key=lambda c: (
                    c.country_code in named_countries,
                    support[c.country_code],
                    c.is_country,
                    c.population,
                    -c.place_id,
                ),
            )
        found: dict[int, Found] = {}
        for m in mentions:
            chosen = m.chosen
            if chosen is None:
                continue
            confirmed = chosen.country_code in named_countries
            if self._is_common_word(m.key) and not confirmed:
                continue
            score = (2.0 if m.in_title else 1.0) * (1.5 if confirmed else 1.0) * (0.75 if chosen.is_country else 1.0)
            score += math.log10(max(chosen.population, 10)) / 100  # a tie-breaker
            if chosen.place_id in found:
                entry = found[chosen.place_id]
                entry.score += score
                entry.mentions += 1
            else:
                found[chosen.place_id] = Found(chosen, m.text, score)
        ranked = sorted(found.values(), key=lambda f: (-f.score, f.candidate.is_country, f.candidate.place_id))
        return ranked[:MAX_RESULTS]

    @staticmethod
    def _is_common_word(key: str) -> bool:
        return key in STOPLIST or all(word in STOPLIST for word in key.split())


# --- the per-process automaton over the Place table --------------------------------------

_cached: tuple[tuple[object, ...], Gazetteer] | None = None


def _table_version() -> tuple[object, ...]:
    from .models import Place, PlaceName

    places = Place.objects.aggregate(n=Count("id"), top=Max("id"))
    names = PlaceName.objects.aggregate(n=Count("id"), top=Max("id"))
    return (places["n"], places["top"], names["n"], names["top"], MIN_POPULATION)


def _entries() -> Iterable[tuple[str, Candidate, bool]]:
    from .models import Place, PlaceName

    wanted = Q(kind=Place.Kind.COUNTRY) | Q(population__gte=MIN_POPULATION)
    candidates: dict[int, Candidate] = {}
    rows = Place.objects.filter(wanted).values_list("id", "name", "kind", "country_code", "population")
    for pk, name, kind, code, population in rows.iterator(chunk_size=5000):
        candidates[pk] = Candidate(pk, name, kind, code, population)
        yield name, candidates[pk], True
    alternates = PlaceName.objects.filter(place_id__in=Place.objects.filter(wanted).values("id"))
    for place_id, name in alternates.values_list("place_id", "name").iterator(chunk_size=5000):
        if place_id in candidates:
            yield name, candidates[place_id], False


def gazetteer() -> Gazetteer:
    """The automaton for the current Place table (built on first use, rebuilt when it changes)."""
    global _cached
    version = _table_version()
    if _cached is None or _cached[0] != version:
        _cached = (version, Gazetteer.build(_entries()))
    return _cached[1]


def places_in_text(title: str, body: str = "") -> list[Found]:
    return gazetteer().find(title, body)


# --- storing the results --------------------------------------------------------------------


def item_places_extract(*, item_id: int) -> list[Found]:
    """Find the places in an item's title and body and store them as its ItemPlace rows
    (replacing the last run's), then mark the item's current version as done."""
    from fieldcast.items.models import Item

    from .models import ItemPlace

    item = Item.objects.filter(pk=item_id).only("id", "title", "body", "updated_at").first()
    if item is None:
        return []
    found = places_in_text(item.title, item.body)
    with transaction.atomic():
        ItemPlace.objects.filter(item_id=item_id).delete()
        ItemPlace.objects.bulk_create(
            ItemPlace(item_id=item_id, place_id=f.candidate.place_id, matched_text=f.matched_text[:200], score=f.score)
            for f in found
        )
    cache.set(DONE_KEY.format(item_id=item_id), item.updated_at.isoformat(), 24 * 3600)
    return found


def item_places_done(item) -> bool:  # type: ignore[no-untyped-def]
    """Whether the places of the item as it is now were looked for already."""
    return bool(cache.get(DONE_KEY.format(item_id=item.pk)) == item.updated_at.isoformat())
