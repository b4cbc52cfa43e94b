"""Avatars: validated by content, re-encoded as small squares, never kept as uploaded.

An upload is opened with Pillow (so HTML, SVG or anything that is not a raster image in
an allowed format is refused whatever its name says), bounded in pixels before it is
decoded, turned upright, cropped to a centred square and written as WebP (JPEG where
Pillow has no WebP encoder) at AVATAR_SIZES. The written files carry no metadata.
"""

from __future__ import annotations

import io
import secrets
from typing import IO

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError, features

AVATAR_SIZES = (256, 64)
ALLOWED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
CONTENT_TYPES = {"webp": "image/webp", "jpg": "image/jpeg"}


class AvatarError(ValueError):
    """The upload cannot be an avatar; the message is written for the member."""


def avatar_extension() -> str:
    return "webp" if features.check("webp") else "jpg"


def avatar_new_key() -> str:
    return f"{secrets.token_urlsafe(9)}.{avatar_extension()}"


def avatar_storage_name(user_id: int, size: int, key: str) -> str:
    return f"avatars/{user_id}/{size}-{key}"


def avatar_render(source: IO[bytes], *, extension: str | None = None) -> dict[int, bytes]:
    """The avatar's files, {size: encoded bytes}, or AvatarError with a reason."""
    extension = extension or avatar_extension()
    max_bytes = settings.AVATAR_MAX_BYTES
    data = source.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise AvatarError(f"The picture is too large: at most {max_bytes // (1024 * 1024)} MB.")
    try:
        image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise AvatarError("This file is not a picture we can use: upload a JPEG, PNG, GIF or WebP image.") from exc
    with image:
        if image.format not in ALLOWED_FORMATS:
            raise AvatarError("This file is not a picture we can use: upload a JPEG, PNG, GIF or WebP image.")
        width, height = image.size
        # Checked from the header, before any pixel is decoded (decompression bombs).
        if width * height > settings.AVATAR_MAX_PIXELS or width < 1 or height < 1:
            raise AvatarError(
                f"The picture is {width}×{height} pixels: at most {settings.AVATAR_MAX_PIXELS // 1_000_000} "
                "million pixels."
            )
        try:
            image.seek(0)  # the first frame of an animation
            image.load()
            upright = ImageOps.exif_transpose(image)
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
            raise AvatarError("The picture is damaged or cut short: try another file.") from exc
    return {size: _encode(upright, size, extension) for size in AVATAR_SIZES}


def _encode(image: Image.Image, size: int, extension: str) -> bytes:
    has_alpha = image.mode in {"RGBA", "LA", "PA"} or (image.mode == "P" and "transparency" in image.info)
    if extension == "webp" and has_alpha:
        pixels = image.convert("RGBA")
    elif has_alpha:
        rgba = image.convert("RGBA")
        pixels = Image.new("RGB", rgba.size, (255, 255, 255))
        pixels.paste(rgba, mask=rgba.getchannel("A"))
    else:
        pixels = image.convert("RGB")
    square = ImageOps.fit(pixels, (size, size), method=Image.Resampling.LANCZOS)
    # A fresh image: nothing of the upload's metadata (EXIF, GPS, comments, ICC) travels on.
    clean = Image.new(square.mode, square.size)
    clean.paste(square)
    out = io.BytesIO()
    if extension == "webp":
        clean.save(out, format="WEBP", quality=85, method=4)
    else:
        clean.save(out, format="JPEG", quality=88, optimize=True)
    return out.getvalue()
