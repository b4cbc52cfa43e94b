"""Resized renditions of an image, upright and without metadata.

The picture is decoded (Pillow, or PyAV for formats only ffmpeg reads), turned upright
from its EXIF orientation or display matrix, and re-encoded as JPEG. Re-encoding is what
strips EXIF, GPS and maker notes: nothing of the original's metadata is copied, apart from
the ICC colour profile (colours, not people).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import av
import av.error
from PIL import Image, ImageOps

from fieldcast.media.probe import CUT_OFF, UNREADABLE, MediaRejected, Probe

SIZES = (1280, 640)  # longest side; never upscaled
JPEG_QUALITY = 85


@dataclass
class ImageOutput:
    size: int  # the profile's nominal size: image-<size>
    width: int
    height: int


def image_load(source: Path, probe: Probe) -> Image.Image:
    """The picture, upright, in RGB (transparency flattened onto white)."""
    try:
        if probe.decoder == "pillow":
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own limit applies
                with Image.open(source) as opened:
                    if opened.format in {"JPEG", "MPO"}:
                        opened.draft("RGB", (max(SIZES), max(SIZES)))  # decode at a reduced scale
                    icc = opened.info.get("icc_profile")
                    image = ImageOps.exif_transpose(opened)
                    image.load()
        else:
            with av.open(str(source)) as container:
                frame = next(container.decode(container.streams.video[probe.video_stream or 0]), None)
                if frame is None:
                    raise MediaRejected(UNREADABLE)
                image = frame.to_image()
                icc = None
            if probe.rotation:
                image = image.rotate(probe.rotation, expand=True)  # display matrix: counter-clockwise
    except (OSError, SyntaxError, av.error.FFmpegError) as exc:
        raise MediaRejected(CUT_OFF) from exc
    if image.mode in {"RGBA", "LA", "PA"} or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    elif image.mode != "RGB":
        image = image.convert("RGB")
    # Nothing of the original's info (exif, xmp, comments) travels on, apart from colours.
    image.info = {"icc_profile": icc} if icc else {}
    return image


def image_write(image: Image.Image, size: int, target: Path) -> ImageOutput:
    """A JPEG of `image` fitting in size x size (never larger than the image)."""
    copy = image.copy()
    copy.thumbnail((size, size), Image.Resampling.LANCZOS)
    icc = image.info.get("icc_profile")
    options = {"icc_profile": icc} if icc else {}
    # No exif= argument: Pillow writes no EXIF block unless given one.
    copy.save(target, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True, **options)
    return ImageOutput(size=size, width=copy.width, height=copy.height)
