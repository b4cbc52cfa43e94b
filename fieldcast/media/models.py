"""Uploaded files and what the pipeline makes of them.

Upload: a tus upload (bytes arriving, resumable). MediaAsset: one finished file
attached (or to be attached) to an item, with its probe data and processing
state. Rendition: one output made from an asset, unique per (asset, profile).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from fieldcast.core.ids import new_public_id


class Upload(models.Model):
    """A tus upload. Bytes are appended to `path` (under MEDIA_UPLOAD_DIR) as they arrive."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="uploads")
    length = models.PositiveBigIntegerField(help_text="Upload-Length: the whole file's size in bytes.")
    offset = models.PositiveBigIntegerField(default=0, help_text="Bytes received so far.")
    filename = models.CharField(max_length=255, blank=True, help_text="Sanitised name from Upload-Metadata.")
    filetype = models.CharField(max_length=100, blank=True, help_text="Claimed type: never trusted.")
    path = models.CharField(max_length=500, help_text="The partial file, relative to MEDIA_UPLOAD_DIR.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField(db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(offset__lte=models.F("length")), name="upload_offset_within_length"),
        ]

    def __str__(self) -> str:
        return f"{self.filename or self.id} ({self.offset}/{self.length})"

    @property
    def is_complete(self) -> bool:
        return self.offset == self.length


class MediaAsset(models.Model):
    """One uploaded file: the original (kept private, with its metadata) and its state."""

    class Kind(models.TextChoices):
        UNKNOWN = "unknown", "Not probed yet"
        VIDEO = "video", "Video"
        IMAGE = "image", "Image"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a worker"
        PROCESSING = "processing", "Processing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    public_id = models.CharField(max_length=10, unique=True, default=new_public_id, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="assets")
    item = models.ForeignKey("items.Item", null=True, blank=True, on_delete=models.CASCADE, related_name="assets")
    position = models.PositiveSmallIntegerField(default=0, help_text="Order on the item page.")
    upload = models.OneToOneField(Upload, null=True, blank=True, on_delete=models.SET_NULL, related_name="asset")

    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.UNKNOWN)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    failure_reason = models.CharField(max_length=500, blank=True, help_text="Shown to the uploader.")

    original = models.CharField(max_length=500, blank=True, help_text="Storage name of the original file.")
    original_name = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    probe = models.JSONField(default=dict, blank=True, help_text="What PyAV read from the original.")
    duration = models.FloatField(null=True, blank=True, help_text="Seconds, for videos.")
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)

    step = models.CharField(max_length=20, blank=True, help_text="The processing step running now.")
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent of the current step.")
    playable = models.BooleanField(default=False, help_text="At least the first HLS segments exist.")
    heartbeat_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["item", "position"], name="asset_item_order")]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="asset_progress_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.original_name or self.public_id} ({self.get_status_display()})"


class Rendition(models.Model):
    """One output of the pipeline: an HLS rung or master playlist, the progressive MP4,
    the poster, the sprite sheet and its WebVTT index, or a resized image."""

    asset = models.ForeignKey(MediaAsset, on_delete=models.CASCADE, related_name="renditions")
    profile = models.CharField(
        max_length=32, help_text="e.g. hls, hls-720, mp4, poster, sprite, sprite-vtt, image-1280"
    )
    path = models.CharField(max_length=500, help_text="Storage name (for HLS: the playlist).")
    content_type = models.CharField(max_length=100)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    bitrate = models.PositiveIntegerField(null=True, blank=True, help_text="Bits per second.")
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["asset", "profile"], name="rendition_unique_profile")]

    def __str__(self) -> str:
        return f"{self.asset_id}:{self.profile}"
