"""factory_boy factories shared by every app's tests. Writes go through services."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from fieldcast.accounts.models import User
from fieldcast.accounts.services import user_create
from fieldcast.channels.models import Channel
from fieldcast.geo.models import Place
from fieldcast.items.models import Item
from fieldcast.items.services import item_create
from fieldcast.media.models import MediaAsset, Rendition

PASSWORD = "correct horse battery staple"  # noqa: S105 (test accounts)


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # type: ignore[no-untyped-def]
        minor = kwargs.pop("minor", False)
        dob = timezone.localdate() - datetime.timedelta(days=365 * 15) if minor else None
        return user_create(
            username=kwargs["username"],
            email=kwargs["email"],
            password=kwargs.get("password", PASSWORD),
            date_of_birth=kwargs.get("date_of_birth", dob),
            adult_confirmed=not minor,
            is_staff=kwargs.get("is_staff", False),
            is_superuser=kwargs.get("is_superuser", False),
        )


class PlaceFactory(factory.django.DjangoModelFactory[Place]):
    class Meta:
        model = Place

    name = "Homs"
    kind = Place.Kind.CITY
    country_code = "SY"
    country_name = "Syria"
    latitude = 34.7324
    longitude = 36.7137
    population = 775_000


class ChannelFactory(factory.django.DjangoModelFactory[Channel]):
    class Meta:
        model = Channel

    name = factory.Sequence(lambda n: f"Channel {n}")
    slug = factory.Sequence(lambda n: f"channel-{n}")
    kind = Channel.Kind.TOPIC


class ItemFactory(factory.django.DjangoModelFactory[Item]):
    """Builds items through item_create; states set afterwards, as moderation would."""

    class Meta:
        model = Item

    title = factory.Sequence(lambda n: f"Footage number {n}")
    rating = "GA"
    author = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # type: ignore[no-untyped-def]
        states = {k: kwargs.pop(k) for k in ("lifecycle", "moderation", "moderation_reason", "added_at") if k in kwargs}
        item = item_create(**kwargs)
        if states:
            Item.objects.filter(pk=item.pk).update(**states)
            item.refresh_from_db()
        return item


def attach_video_rows(item: Item, *, position: int = 0) -> MediaAsset:
    """An item's processed video as database rows only (no files): for page and list
    tests that count queries or check URLs, not for the pipeline."""
    asset = MediaAsset.objects.create(
        owner=item.author, item=item, kind="video", status="ready", playable=True, position=position,
        original_name="clip.mp4", duration=12.0, width=1280, height=720,
    )  # fmt: skip
    base = f"assets/{asset.public_id}"
    for profile, name, ctype in [
        ("hls", "hls/master.m3u8", "application/vnd.apple.mpegurl"),
        ("hls-720", "hls/720/index.m3u8", "application/vnd.apple.mpegurl"),
        ("mp4", "video.mp4", "video/mp4"),
        ("poster", "poster.jpg", "image/jpeg"),
        ("sprite-vtt", "sprite.vtt", "text/vtt"),
    ]:
        Rendition.objects.create(asset=asset, profile=profile, path=f"{base}/{name}", content_type=ctype)
    return asset
