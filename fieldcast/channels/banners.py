"""Channel banners: an uploaded picture, checked by its content and re-encoded by us.

The work is bounded so that it may run inside the request: at most BANNER_MAX_BYTES read,
the header's dimensions checked before any pixel is decoded (at most BANNER_MAX_PIXELS),
JPEGs decoded at a reduced scale. What we store and serve is always a JPEG we wrote:
never the uploaded bytes, never SVG or HTML, without EXIF/GPS metadata.
"""

from __future__ import annotations

import io
import secrets
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError

BANNER_WIDTH, BANNER_HEIGHT = 1600, 400  # 4:1, shown full width above the channel
BANNER_MIN_WIDTH, BANNER_MIN_HEIGHT = 400, 100
BANNER_MAX_BYTES = 5 * 1024 * 1024
BANNER_MAX_PIXELS = 16_000_000
ACCEPTED_FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WebP", "GIF": "GIF"}
JPEG_QUALITY = 85


def banner_from_upload(upload: UploadedFile) -> bytes:
    """The banner JPEG made from `upload`, or ValidationError with a reason a person reads."""
    if upload.size is not None and upload.size > BANNER_MAX_BYTES:
        raise ValidationError(
            f"The picture is {upload.size / 1024 / 1024:.1f} MB; a banner can be at most "
            f"{BANNER_MAX_BYTES // 1024 // 1024} MB."
        )
    data = upload.read(BANNER_MAX_BYTES + 1)
    if len(data) > BANNER_MAX_BYTES:
        raise ValidationError(f"A banner can be at most {BANNER_MAX_BYTES // 1024 // 1024} MB.")
    return banner_from_bytes(data)


def banner_from_bytes(data: bytes) -> bytes:
    unreadable = ValidationError("This file is not a picture we can read: upload a JPEG, PNG, WebP or GIF.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own, lower limit applies
            with Image.open(io.BytesIO(data)) as opened:
                if opened.format not in ACCEPTED_FORMATS:
                    raise unreadable
                width, height = opened.size
                if width * height > BANNER_MAX_PIXELS:
                    raise ValidationError(
                        f"The picture is {width}×{height} pixels; a banner can have at most "
                        f"{BANNER_MAX_PIXELS // 1_000_000} million pixels."
                    )
                if width < BANNER_MIN_WIDTH or height < BANNER_MIN_HEIGHT:
                    raise ValidationError(
                        f"The picture is {width}×{height} pixels; a banner needs at least "
                        f"{BANNER_MIN_WIDTH}×{BANNER_MIN_HEIGHT}."
                    )
                if opened.format in {"JPEG", "MPO"}:
                    opened.draft("RGB", (BANNER_WIDTH, BANNER_HEIGHT))  # decode at a reduced scale
                image = ImageOps.exif_transpose(opened)
                image.load()
    except ValidationError:
        raise
    except (OSError, SyntaxError, ValueError, UnidentifiedImageError, Image.DecompressionBombError) as exc:
        raise unreadable from exc
    return _encode(_flatten(image))


def _flatten(image: Image.Image) -> Image.Image:
    if image.mode in {"RGBA", "LA", "PA"} or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB") if image.mode != "RGB" else image


def _encode(image: Image.Image) -> bytes:
    """Cropped to 4:1 around the centre, scaled down (never up) to the banner size."""
    width, height = image.size
    if width / height > BANNER_WIDTH / BANNER_HEIGHT:
        crop_w = round(height * BANNER_WIDTH / BANNER_HEIGHT)
        left = (width - crop_w) // 2
        image = image.crop((left, 0, left + crop_w, height))
    else:
        crop_h = round(width * BANNER_HEIGHT / BANNER_WIDTH)
        top = (height - crop_h) // 2
        image = image.crop((0, top, width, top + crop_h))
    image.thumbnail((BANNER_WIDTH, BANNER_HEIGHT), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # No exif= argument: nothing of the original's metadata is written.
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue()


def banner_store(*, channel_id: int, data: bytes) -> str:
    """Save the JPEG under a fresh name (so caches never show an old banner); its storage name."""
    name = f"channels/{channel_id}/banner-{secrets.token_hex(8)}.jpg"
    return default_storage.save(name, ContentFile(data))


def banner_delete(name: str) -> None:
    if name and name.startswith("channels/"):
        default_storage.delete(name)
