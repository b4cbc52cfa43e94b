"""Provenance: where footage came from first, and what its file says.

Fingerprint: one per video asset (the perceptual hashes in time order, packed). FrameHash:
the fingerprint's indexed frames (the informative ones that differ from the frame before),
with their hash split into BANDS keys, each its own index, for the candidate lookup.
CopyMatch: a later asset found to be a copy of an earlier one, with the time ranges that
overlap. FileMetadata: what the original file says (creation time, place, device), shown
as unverified when the uploader publishes it. Verification: the status trusted members and
moderators give an item, with its public note and sources; VerificationChange keeps every
change (append-only).
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone

from .bands import BANDS


class Fingerprint(models.Model):
    asset = models.OneToOneField("media.MediaAsset", on_delete=models.CASCADE, related_name="fingerprint")
    algorithm = models.PositiveSmallIntegerField()
    sample_fps = models.PositiveSmallIntegerField()
    frames = models.PositiveIntegerField(help_text="Frames sampled.")
    informative = models.PositiveIntegerField(help_text="Frames that are not flat.")
    hashes = models.BinaryField(help_text="8 bytes per sampled frame, big-endian.")
    flat = models.BinaryField(help_text="A bit per frame: set when the frame is flat (no hash).")
    crop = models.JSONField(default=list, blank=True, help_text="Picture area found by cropdetect: x, y, w, h.")
    seconds_spent = models.FloatField(default=0)
    computed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"fingerprint of asset {self.asset_id} ({self.frames} frames)"


class FrameHash(models.Model):
    """An indexed frame. `hash` is the 64-bit hash as a signed integer (h - 2**63)."""

    fingerprint = models.ForeignKey(Fingerprint, on_delete=models.CASCADE, related_name="frame_hashes")
    position = models.PositiveIntegerField(help_text="Frame number: position / sample_fps seconds.")
    hash = models.BigIntegerField()
    b0 = models.IntegerField()
    b1 = models.IntegerField()
    b2 = models.IntegerField()
    b3 = models.IntegerField()
    b4 = models.IntegerField()
    b5 = models.IntegerField()
    b6 = models.IntegerField()
    b7 = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=[f"b{i}"], name=f"provenance_band_{i}") for i in range(BANDS)]
        constraints = [
            models.UniqueConstraint(fields=["fingerprint", "position"], name="provenance_frame_unique_position")
        ]

    def __str__(self) -> str:
        return f"frame {self.position} of fingerprint {self.fingerprint_id}"


class CopyMatch(models.Model):
    """`asset` (the later upload) shows the same footage as `earlier`."""

    class Kind(models.TextChoices):
        EXACT = "exact", "Exact copy (the same file)"
        NEAR = "near", "Same footage"

    asset = models.ForeignKey("media.MediaAsset", on_delete=models.CASCADE, related_name="copy_matches")
    earlier = models.ForeignKey("media.MediaAsset", on_delete=models.CASCADE, related_name="copied_by")
    kind = models.CharField(max_length=5, choices=Kind.choices)
    start = models.FloatField(default=0, help_text="Seconds into `asset` where the shared footage starts.")
    end = models.FloatField(default=0)
    earlier_start = models.FloatField(default=0, help_text="Seconds into `earlier`.")
    earlier_end = models.FloatField(default=0)
    frames = models.PositiveIntegerField(default=0, help_text="Matching frames (0 for exact copies).")
    found_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["asset", "earlier"], name="provenance_match_unique_pair")]
        indexes = [models.Index(fields=["earlier"], name="provenance_match_earlier")]

    def __str__(self) -> str:
        return f"asset {self.asset_id} copies {self.earlier_id} ({self.kind})"


class FileMetadata(models.Model):
    """What the original file says about itself. Never verified; private until published."""

    asset = models.OneToOneField("media.MediaAsset", on_delete=models.CASCADE, related_name="file_metadata")
    recorded_at = models.DateTimeField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    altitude = models.FloatField(null=True, blank=True)
    make = models.CharField(max_length=100, blank=True)
    model = models.CharField(max_length=100, blank=True)
    encoder = models.CharField(max_length=100, blank=True)
    published = models.BooleanField(default=False, help_text="The uploader chose to show it on the item page.")
    read_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"file metadata of asset {self.asset_id}"

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def is_empty(self) -> bool:
        return not (self.recorded_at or self.has_location or self.make or self.model or self.encoder)

    @property
    def device(self) -> str:
        return " ".join(part for part in (self.make, self.model) if part)


class VerificationStatus(models.TextChoices):
    UNVERIFIED = "unverified", "Unverified"
    CONFIRMED = "confirmed", "Source confirmed"
    DISPUTED = "disputed", "Disputed"
    MISATTRIBUTED = "misattributed", "Misattributed"


class Verification(models.Model):
    """An item's verification status. No row means unverified."""

    item = models.OneToOneField("items.Item", on_delete=models.CASCADE, related_name="verification")
    status = models.CharField(
        max_length=15, choices=VerificationStatus.choices, default=VerificationStatus.UNVERIFIED, db_index=True
    )
    note = models.TextField(blank=True, max_length=2000, help_text="Public: why this status.")
    sources = models.JSONField(default=list, blank=True, help_text="Public: links that support it.")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=VerificationStatus.values), name="provenance_verification_status"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.status}"


class VerificationChange(models.Model):
    """One change of an item's verification (append-only: the history shown on the item)."""

    item = models.ForeignKey("items.Item", on_delete=models.CASCADE, related_name="verification_changes")
    status = models.CharField(max_length=15, choices=VerificationStatus.choices)
    note = models.TextField(blank=True)
    sources = models.JSONField(default=list, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    as_moderator = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["item", "-created_at"], name="provenance_change_item")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.status} at {self.created_at:%Y-%m-%d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Verification history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ValueError("Verification history is append-only.")
