"""Finding earlier copies of a fingerprint: candidates by indexed band lookup, then
verification frame by frame, then temporal voting.

1. **Which frames count.** Flat frames have no hash. Of the others, a frame within
   DUPLICATE_DISTANCE bits of the last kept frame adds nothing (a still shot, a static
   card such as colour bars): it is neither indexed nor looked up, and a match needs
   MIN_FRAMES *distinct* matching frames, so footage without movement matches nothing.
2. **Candidates.** Up to QUERY_FRAMES of the kept frames (spread over the clip) are looked
   up in one query on the BANDS band indexes (an exact `IN` on each band, OR-ed: ordinary
   B-tree indexes on SQLite and PostgreSQL, no scan). Every returned frame is checked by
   Hamming distance (<= VOTE_MAX_DISTANCE) and votes for (fingerprint, time offset).
3. **Verification.** The CANDIDATES best (fingerprint, offset) pairs are aligned frame by
   frame over the whole query (offset ± 1 frame, for timing jitter). A match needs at least
   MIN_FRAMES distinct matching frames and MIN_FRACTION of the frames that overlap, in the
   same order (a single offset). The overlapping time ranges are reported on both sides.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q

from .bands import BANDS, band_keys, from_signed
from .fingerprint import hamming, unpack

FRAME_MAX_DISTANCE = 16  # bits of 64 two frames may differ by and still be the same picture
VOTE_MAX_DISTANCE = 20  # looser, for choosing candidates only: verification decides (bench/provenance.py)
DUPLICATE_DISTANCE = 4  # a frame this close to the previous kept one is the same shot
QUERY_FRAMES = 32  # frames of an upload looked up in the index (spread over its length)
CANDIDATES = 25  # (fingerprint, offset) pairs verified frame by frame
OFFSETS_PER_FINGERPRINT = 4  # offsets tried per candidate fingerprint (slow footage votes for neighbours)
MIN_FRAMES = 5  # distinct matching frames needed for a match
MIN_FRACTION = 0.6  # of the overlapping distinct frames that must match


@dataclass(frozen=True)
class Match:
    fingerprint_id: int
    offset: int  # stored position = query position + offset
    frames: int  # distinct frames that matched
    overlap: int  # distinct query frames that had a stored frame to compare with
    start: int  # first and last matching frame, in query positions
    end: int
    stored_start: int
    stored_end: int

    def seconds(self, sample_fps: int) -> tuple[float, float, float, float]:
        """(start, end) in the query and (start, end) in the stored clip, in seconds."""
        return (
            self.start / sample_fps,
            (self.end + 1) / sample_fps,
            self.stored_start / sample_fps,
            (self.stored_end + 1) / sample_fps,
        )


def kept_positions(hashes: Sequence[int | None]) -> list[int]:
    """Positions of the frames that carry information: not flat, not a repeat of the last kept."""
    kept: list[int] = []
    last: int | None = None
    for position, value in enumerate(hashes):
        if value is None:
            continue
        if last is not None and hamming(value, last) <= DUPLICATE_DISTANCE:
            continue
        kept.append(position)
        last = value
    return kept


def _spread(positions: list[int], limit: int) -> list[int]:
    if len(positions) <= limit:
        return positions
    step = len(positions) / limit
    return [positions[int(i * step)] for i in range(limit)]


def candidate_votes(hashes: Sequence[int | None], *, exclude: Iterable[int] = ()) -> dict[tuple[int, int], int]:
    """{(fingerprint id, offset): votes} from one indexed lookup of the upload's frames."""
    from .models import FrameHash

    query = _spread(kept_positions(hashes), QUERY_FRAMES)
    if not query:
        return {}
    by_band: list[dict[int, list[int]]] = [defaultdict(list) for _ in range(BANDS)]
    for position in query:
        value = hashes[position]
        assert value is not None  # noqa: S101 (kept positions have hashes)
        for band, key in enumerate(band_keys(value)):
            by_band[band][key].append(position)
    condition = reduce(or_, (Q(**{f"b{band}__in": list(keys)}) for band, keys in enumerate(by_band)))
    band_names = [f"b{band}" for band in range(BANDS)]
    rows = FrameHash.objects.filter(condition).exclude(fingerprint_id__in=list(exclude))
    votes: dict[tuple[int, int], int] = defaultdict(int)
    for fingerprint_id, position, signed, *keys in rows.values_list("fingerprint_id", "position", "hash", *band_names):
        stored = from_signed(signed)
        seen: set[int] = set()
        for band, key in enumerate(keys):
            for query_position in by_band[band].get(key, ()):
                if query_position in seen:
                    continue
                seen.add(query_position)
                value = hashes[query_position]
                if value is not None and hamming(value, stored) <= VOTE_MAX_DISTANCE:
                    votes[(fingerprint_id, position - query_position)] += 1
    return votes


def _best_offsets(votes: dict[tuple[int, int], int]) -> list[tuple[int, int]]:
    """The CANDIDATES best (fingerprint, offset) pairs, votes of neighbouring offsets pooled,
    at most OFFSETS_PER_FINGERPRINT per fingerprint."""
    pooled = {
        (fp, offset): count + votes.get((fp, offset - 1), 0) + votes.get((fp, offset + 1), 0)
        for (fp, offset), count in votes.items()
    }
    ranked = sorted(pooled.items(), key=lambda entry: (-entry[1], entry[0]))
    chosen: list[tuple[int, int]] = []
    per_fingerprint: dict[int, int] = defaultdict(int)
    for (fp, offset), _ in ranked:
        if per_fingerprint[fp] >= OFFSETS_PER_FINGERPRINT or any(fp == f and abs(offset - o) <= 1 for f, o in chosen):
            continue
        chosen.append((fp, offset))
        per_fingerprint[fp] += 1
        if len(chosen) >= CANDIDATES:
            break
    return chosen


def align(query: Sequence[int | None], stored: Sequence[int | None], offset: int) -> Match | None:
    """Compare the query's kept frames with the stored frames `offset` positions later
    (± 1 for jitter); a Match when enough distinct frames agree. fingerprint_id is 0."""
    matched: list[tuple[int, int]] = []
    overlap = 0
    for position in kept_positions(query):
        value = query[position]
        assert value is not None  # noqa: S101 (kept positions have hashes)
        best: tuple[int, int] | None = None
        compared = False
        for candidate in (position + offset, position + offset - 1, position + offset + 1):
            if 0 <= candidate < len(stored) and stored[candidate] is not None:
                compared = True
                distance = hamming(value, stored[candidate])  # type: ignore[arg-type]
                if distance <= FRAME_MAX_DISTANCE and (best is None or distance < best[0]):
                    best = (distance, candidate)
        overlap += compared
        if best is not None:
            matched.append((position, best[1]))
    if not matched:
        return None
    distinct_stored = len(kept_positions([stored[s] for _, s in matched]))
    frames = min(len(matched), distinct_stored)
    if frames < MIN_FRAMES or len(matched) < MIN_FRACTION * overlap:
        return None
    return Match(
        fingerprint_id=0,
        offset=offset,
        frames=frames,
        overlap=overlap,
        start=matched[0][0],
        end=matched[-1][0],
        stored_start=min(s for _, s in matched),
        stored_end=max(s for _, s in matched),
    )


def find_matches(hashes: Sequence[int | None], *, exclude: Iterable[int] = ()) -> list[Match]:
    """Stored fingerprints that share footage with `hashes` (best first, one per fingerprint)."""
    from .models import Fingerprint

    votes = candidate_votes(hashes, exclude=exclude)
    if not votes:
        return []
    chosen = _best_offsets(votes)
    stored = {
        pk: unpack(bytes(data), bytes(flat))
        for pk, data, flat in Fingerprint.objects.filter(pk__in={fp for fp, _ in chosen}).values_list(
            "pk", "hashes", "flat"
        )
    }
    best: dict[int, Match] = {}
    for fp, offset in chosen:
        if fp not in stored:
            continue
        found = align(hashes, stored[fp], offset)
        if found is not None and (fp not in best or found.frames > best[fp].frames):
            best[fp] = Match(**{**found.__dict__, "fingerprint_id": fp})
    return sorted(best.values(), key=lambda m: (-m.frames, m.fingerprint_id))
