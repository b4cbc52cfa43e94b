"""How a 64-bit frame hash is split into the keys the candidate lookup indexes.

BANDS keys of BAND_BITS bits each, every key made of a fixed, seeded random choice of the
hash's bits (bands may share bits). Measured by bench/provenance.py (frames of a copy that
share a band with the source's frame at the same instant, 10% crop / logo overlay): eight
disjoint 8-bit bands 76% / 88%, but only 256 values a band, so at 100,000 stored clips each
lookup returns 1/256 of all indexed frames; four disjoint 16-bit bands 24% / 39%; these eight
random 16-bit keys 28% / 37% at 16 bits of selectivity. A clip has dozens of frames and is
found through any one of them, then verified frame by frame (matching.py).
"""

from __future__ import annotations

import random
from functools import cache

BANDS = 8
BAND_BITS = 16
SEED = 20240501  # part of the algorithm: changing it means recomputing every FrameHash


@cache
def layout() -> tuple[tuple[int, ...], ...]:
    rng = random.Random(SEED)  # noqa: S311 (a fixed layout, not a secret)
    return tuple(tuple(sorted(rng.sample(range(64), BAND_BITS))) for _ in range(BANDS))


def band_keys(value: int, bands: tuple[tuple[int, ...], ...] | None = None) -> list[int]:
    """The BANDS keys of a 64-bit hash (bit 0 is the most significant)."""
    keys = []
    for bits in bands or layout():
        key = 0
        for bit in bits:
            key = (key << 1) | ((value >> (63 - bit)) & 1)
        keys.append(key)
    return keys


def to_signed(value: int) -> int:
    """A 64-bit hash as the signed integer a BigIntegerField holds."""
    return value - (1 << 63)


def from_signed(value: int) -> int:
    return value + (1 << 63)
