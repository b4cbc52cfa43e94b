"""Provenance writes: an asset's fingerprint, its file metadata and the copies it matches
(called by the media pipeline once the video is playable), the uploader publishing the file
metadata, and the verification status of an item."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from fieldcast.media.models import MediaAsset

from .bands import band_keys, to_signed
from .fingerprint import ALGORITHM, fingerprint_file, flat_mask, pack
from .fingerprint import Fingerprint as FingerprintData
from .matching import find_matches, kept_positions
from .metadata import read_file_facts
from .models import (
    CopyMatch,
    FileMetadata,
    Fingerprint,
    FrameHash,
    Verification,
    VerificationChange,
    VerificationStatus,
)

log = logging.getLogger(__name__)

ProgressCallback = Callable[[float], None]


def file_metadata_save(*, asset: MediaAsset, source: Path, probe_tags: dict[str, str] | None = None) -> FileMetadata:
    """Read what the original says about itself; keeps the uploader's `published` choice."""
    facts = read_file_facts(source, probe_tags)
    metadata, _ = FileMetadata.objects.update_or_create(
        asset=asset,
        defaults={
            "recorded_at": facts.recorded_at,
            "latitude": facts.latitude,
            "longitude": facts.longitude,
            "altitude": facts.altitude,
            "make": facts.make,
            "model": facts.model,
            "encoder": facts.encoder,
            "read_at": timezone.now(),
        },
    )
    return metadata


def fingerprint_save(*, asset: MediaAsset, data: FingerprintData, seconds: float) -> Fingerprint:
    """Store the fingerprint and its indexed frames (replacing an earlier one)."""
    with transaction.atomic():
        Fingerprint.objects.filter(asset=asset).delete()
        fingerprint = Fingerprint.objects.create(
            asset=asset,
            algorithm=ALGORITHM,
            sample_fps=data.sample_fps,
            frames=len(data.hashes),
            informative=data.informative,
            hashes=pack(data.hashes),
            flat=flat_mask(data.hashes),
            crop=list(data.crop),
            seconds_spent=round(seconds, 3),
        )
        rows = []
        for position in kept_positions(data.hashes):
            value = data.hashes[position]
            assert value is not None  # noqa: S101 (kept positions have hashes)
            keys = band_keys(value)
            rows.append(
                FrameHash(
                    fingerprint=fingerprint,
                    position=position,
                    hash=to_signed(value),
                    **{f"b{band}": key for band, key in enumerate(keys)},
                )
            )
        FrameHash.objects.bulk_create(rows, batch_size=500)
    return fingerprint


def _record(asset: MediaAsset, other: MediaAsset, kind: str, ranges: tuple[float, float, float, float], frames: int):  # type: ignore[no-untyped-def]
    """One CopyMatch, the later of the two assets copying the earlier."""
    if (other.created_at, other.pk) > (asset.created_at, asset.pk):
        later, earlier = other, asset
        ranges = (ranges[2], ranges[3], ranges[0], ranges[1])
    else:
        later, earlier = asset, other
    CopyMatch.objects.update_or_create(
        asset=later,
        earlier=earlier,
        defaults={
            "kind": kind,
            "start": round(ranges[0], 2),
            "end": round(ranges[1], 2),
            "earlier_start": round(ranges[2], 2),
            "earlier_end": round(ranges[3], 2),
            "frames": frames,
            "found_at": timezone.now(),
        },
    )


def copies_record(*, asset: MediaAsset, fingerprint: Fingerprint | None) -> int:
    """Find and record the assets this one shares footage with: the same bytes (sha256)
    or the same pictures (the fingerprint). Returns how many were found."""
    found = 0
    duration = asset.duration or 0.0
    if asset.sha256:
        same = MediaAsset.objects.filter(sha256=asset.sha256).exclude(pk=asset.pk)
        for other in same:
            _record(asset, other, CopyMatch.Kind.EXACT, (0.0, duration, 0.0, other.duration or 0.0), 0)
            found += 1
    if fingerprint is None:
        return found
    from .fingerprint import unpack

    hashes = unpack(bytes(fingerprint.hashes), bytes(fingerprint.flat))
    matches = find_matches(hashes, exclude=[fingerprint.pk])
    if not matches:
        return found
    owners = dict(Fingerprint.objects.filter(pk__in=[m.fingerprint_id for m in matches]).values_list("pk", "asset_id"))
    others = MediaAsset.objects.in_bulk(list(owners.values()))
    exact = set(CopyMatch.objects.filter(asset=asset, kind=CopyMatch.Kind.EXACT).values_list("earlier_id", flat=True))
    exact |= set(CopyMatch.objects.filter(earlier=asset, kind=CopyMatch.Kind.EXACT).values_list("asset_id", flat=True))
    for match in matches:
        near = others.get(owners.get(match.fingerprint_id, 0))
        if near is None or near.pk in exact:
            continue
        _record(asset, near, CopyMatch.Kind.NEAR, match.seconds(fingerprint.sample_fps), match.frames)
        found += 1
    return found


def asset_provenance_compute(
    *,
    asset: MediaAsset,
    source: Path,
    probe_tags: dict[str, str] | None = None,
    on_progress: ProgressCallback | None = None,
) -> int:
    """File metadata, fingerprint and copies of one processed video (the media pipeline calls
    it after the video is playable). Returns the number of copies found."""
    file_metadata_save(asset=asset, source=source, probe_tags=probe_tags)
    started = time.perf_counter()
    data = fingerprint_file(source, duration=asset.duration, on_progress=on_progress)
    fingerprint = fingerprint_save(asset=asset, data=data, seconds=time.perf_counter() - started)
    return copies_record(asset=asset, fingerprint=fingerprint)


def image_provenance_compute(*, asset: MediaAsset, source: Path, probe_tags: dict[str, str] | None = None) -> int:
    """Pictures: the file metadata (EXIF) and exact copies only."""
    file_metadata_save(asset=asset, source=source, probe_tags=probe_tags)
    return copies_record(asset=asset, fingerprint=None)


def file_metadata_publish(*, user: Any, asset: MediaAsset, published: bool) -> FileMetadata:
    """The uploader (or staff) shows or hides the file's metadata on the item page."""
    if not (user.is_staff or (asset.owner_id is not None and asset.owner_id == user.pk)):
        raise PermissionDenied("Only the uploader can publish what the file says.")
    with transaction.atomic():
        metadata = FileMetadata.objects.select_for_update().get(asset=asset)
        if metadata.published != published:
            metadata.published = published
            metadata.save(update_fields=["published"])
    return metadata


def verification_set(
    *, item: Any, by: Any, status: str, note: str, sources: list[str], as_moderator: bool
) -> Verification:
    """Set an item's verification status (callers check who may: trusted members and
    moderators, see selectors.may_verify) and append the change to its history."""
    if status not in VerificationStatus.values:
        raise ValueError(f"unknown verification status {status!r}")
    with transaction.atomic():
        verification, _ = Verification.objects.select_for_update().get_or_create(item=item)
        verification.status, verification.note, verification.sources = status, note, sources
        verification.updated_by, verification.updated_at = by, timezone.now()
        verification.save(update_fields=["status", "note", "sources", "updated_by", "updated_at"])
        VerificationChange.objects.create(
            item=item, status=status, note=note, sources=sources, changed_by=by, as_moderator=as_moderator
        )
    return verification
