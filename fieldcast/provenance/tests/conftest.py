from __future__ import annotations

import random

import pytest

from fieldcast.accounts.models import User
from fieldcast.core.testing import factories
from fieldcast.media.models import MediaAsset
from fieldcast.moderation.permissions import moderators_group
from fieldcast.provenance.fingerprint import Fingerprint as FingerprintData
from fieldcast.provenance.models import Fingerprint
from fieldcast.provenance.services import fingerprint_save


def random_clip(seed: int, frames: int = 40) -> list[int | None]:
    """A moving clip's hashes: every frame a different balanced 64-bit value."""
    rng = random.Random(seed)
    return [rng.getrandbits(64) for _ in range(frames)]


def distort(hashes: list[int | None], bits: int, seed: int = 1) -> list[int | None]:
    """The same clip re-encoded: `bits` random bits of every frame flipped."""
    rng = random.Random(seed)
    out: list[int | None] = []
    for value in hashes:
        if value is None:
            out.append(None)
            continue
        for bit in rng.sample(range(64), bits):
            value ^= 1 << bit
        out.append(value)
    return out


def store(item, hashes: list[int | None], **asset_fields) -> Fingerprint:  # type: ignore[no-untyped-def]
    asset = MediaAsset.objects.create(
        owner=item.author, item=item, kind="video", status="ready", playable=True,
        duration=len(hashes) / 4, original_name="clip.mp4", **asset_fields,
    )  # fmt: skip
    return fingerprint_save(asset=asset, data=FingerprintData(hashes=hashes), seconds=0.1)


@pytest.fixture
def moderator(db) -> User:
    user = factories.UserFactory(username="vera_mod")
    user.groups.add(moderators_group())
    return User.objects.get(pk=user.pk)
