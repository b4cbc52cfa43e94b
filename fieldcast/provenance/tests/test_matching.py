"""Matching through the band index (the database), with synthetic hashes."""

from __future__ import annotations

import pytest

from fieldcast.core.testing.factories import ItemFactory
from fieldcast.provenance.fingerprint import frame_hash, hamming
from fieldcast.provenance.matching import find_matches, kept_positions

from .conftest import distort, random_clip, store

pytestmark = pytest.mark.django_db


def test_a_reencoded_copy_matches_its_original_and_nothing_else():
    original = store(ItemFactory(), random_clip(1))
    other = store(ItemFactory(), random_clip(2))
    matches = find_matches(distort(random_clip(1), 10))
    assert [m.fingerprint_id for m in matches] == [original.pk]
    assert other.pk not in [m.fingerprint_id for m in matches]
    assert matches[0].frames >= 30


def test_a_trimmed_segment_reports_where_it_sits_in_the_original():
    original = store(ItemFactory(), random_clip(3, frames=80))
    segment = distort(random_clip(3, frames=80), 6)[40:64]
    [match] = find_matches(segment)
    assert match.fingerprint_id == original.pk
    assert match.offset == 40
    start, _end, stored_start, stored_end = match.seconds(4)
    assert (start, stored_start) == (0.0, 10.0)
    assert stored_end == pytest.approx(16.0)


def test_unrelated_clips_do_not_match():
    for seed in range(10, 20):
        store(ItemFactory(), random_clip(seed))
    assert find_matches(random_clip(99)) == []


def test_a_static_clip_matches_nothing_even_its_twin():
    still = [0x0F0F_F0F0_3C3C_C3C3] * 40
    store(ItemFactory(), still)
    assert kept_positions(still) == [0]
    assert find_matches(still) == []


def test_flat_frames_have_no_hash_and_are_never_looked_up():
    clip = random_clip(5)
    clip[:10] = [None] * 10
    stored = store(ItemFactory(), clip)
    assert stored.informative == 30
    assert stored.frame_hashes.count() == 30
    assert find_matches([None] * 40) == []


def test_frame_hash_of_a_flat_frame_is_none_and_of_a_pattern_is_balanced():
    assert frame_hash(bytes([128]) * 1024) is None
    pattern = bytes((x * 7 + y * 3) % 256 for y in range(32) for x in range(32))
    value = frame_hash(pattern)
    assert value is not None
    assert value.bit_count() == 32
    brighter = bytes(min(255, p + 10) for p in pattern)
    assert hamming(value, frame_hash(brighter) or 0) <= 4
