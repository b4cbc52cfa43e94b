"""Media in object storage (STORAGE_BACKEND=s3) against a real S3 endpoint: SeaweedFS on
loopback. The pipeline reads and writes the bucket; /m/ URLs check the token, the item's
state and Safe Mode, then redirect to presigned URLs; the bucket refuses everyone else.

The signer's own tests (equal to boto3's URLs) need no server and run in the fast suite."""

from __future__ import annotations

import datetime
import io
import runpy
import shutil
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from PIL import Image

from fieldcast.channels.banners import banner_store
from fieldcast.core.testing import factories
from fieldcast.items.models import Item
from fieldcast.media import paths
from fieldcast.media import storage as media_storage
from fieldcast.media.access import media_for_item, original_url_for
from fieldcast.media.models import MediaAsset
from fieldcast.media.services import hls_sync
from fieldcast.media.services import video as video_steps
from fieldcast.media.services.processing import asset_process
from fieldcast.media.services.thumbnails import asset_render_thumbnail
from fieldcast.media.tasks_files import delete_asset_files
from fieldcast.media.testing import asset_from_file, clips_fixture, media_dirs_fixture  # noqa: F401 (fixtures)
from fieldcast.media.testing_s3 import ACCESS_KEY, SECRET_KEY, SeaweedFS, settings_for_s3
from fieldcast.moderation.viewer import viewer_for_user

BUCKET = "fieldcast-media"
SETTINGS_FILE = Path(__file__).resolve().parents[3] / "config" / "settings.py"


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """A plain HTTP GET (outside Django), as a browser following a redirect makes it."""
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (loopback)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


# --- the signer (no server) -------------------------------------------------------------------


@pytest.mark.parametrize("style", ["path", "virtual"])
@pytest.mark.parametrize(
    "key", ["assets/AbC123/hls/720/seg_00003.m4s", "avatars/7/128-x y+z.jpg", "channels/1/بانر.jpg"]
)
def test_presigned_urls_equal_boto3s(monkeypatch, style, key):
    import boto3
    import botocore.auth
    from botocore.config import Config

    when = datetime.datetime(2026, 3, 1, 12, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: when)
    endpoint = "http://127.0.0.1:8333" if style == "path" else "https://s3.eu-west-1.amazonaws.com"
    client = boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret/+key",
        region_name="eu-west-1", config=Config(signature_version="s3v4", s3={"addressing_style": style}),
    )  # fmt: skip
    params = {"response-content-type": "video/iso.segment", "response-content-disposition": 'attachment; x="a b"'}
    theirs = client.generate_presigned_url(
        "get_object",
        Params={
            "Bucket": "media",
            "Key": key,
            "ResponseContentType": params["response-content-type"],
            "ResponseContentDisposition": params["response-content-disposition"],
        },
        ExpiresIn=600,
    )
    ours = media_storage.presign(
        key, endpoint_url=endpoint, bucket="media", region="eu-west-1", access_key="AKIDEXAMPLE",
        secret_key="secret/+key", expires_in=600, signed_at=when, addressing_style=style, params=params,
    )  # fmt: skip
    assert urlsplit(ours)._replace(query="") == urlsplit(theirs)._replace(query="")
    assert parse_qs(urlsplit(ours).query) == parse_qs(urlsplit(theirs).query)


def test_urls_are_stable_within_a_window_and_keep_half_their_life(settings, monkeypatch):
    settings.S3_URL_TTL_S = 600
    settings.S3_BUCKET, settings.S3_ACCESS_KEY_ID, settings.S3_SECRET_ACCESS_KEY = "b", "k", "s"
    settings.S3_PUBLIC_ENDPOINT_URL, settings.S3_ADDRESSING_STYLE = "http://127.0.0.1:1", "path"
    clock = [1_800_000_000.0]  # a window start (a multiple of 300)
    monkeypatch.setattr(media_storage.time, "time", lambda: clock[0])
    first = media_storage.presigned_url("assets/x/poster.jpg", params={})
    assert media_storage.url_window()[1] == 600
    clock[0] += 299
    assert media_storage.presigned_url("assets/x/poster.jpg", params={}) == first
    assert media_storage.url_window()[1] == 301  # never less than half the TTL
    clock[0] += 1
    assert media_storage.presigned_url("assets/x/poster.jpg", params={}) != first


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"STORAGE_BACKEND": "s3"}, "S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY"),
        ({"STORAGE_BACKEND": "s3", "S3_BUCKET": "m", "S3_ACCESS_KEY_ID": "k"}, "needs S3_SECRET_ACCESS_KEY"),
        ({"STORAGE_BACKEND": "nfs"}, "STORAGE_BACKEND must be 'local' or 's3'"),
        ({"S3_URL_TTL_S": "5"}, "S3_URL_TTL_S must be between 60"),
        ({"S3_ADDRESSING_STYLE": "dns"}, "S3_ADDRESSING_STYLE must be"),
    ],
)
def test_settings_refuse_incomplete_s3_configuration(monkeypatch, env, message):
    for name in ("STORAGE_BACKEND", "S3_BUCKET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "S3_URL_TTL_S"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        runpy.run_path(str(SETTINGS_FILE))


def test_settings_select_the_s3_backend(monkeypatch):
    for name, value in {"STORAGE_BACKEND": "s3", "S3_BUCKET": "m", "S3_ACCESS_KEY_ID": "k"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("S3_SECRET_ACCESS_KEY", "s")
    values = runpy.run_path(str(SETTINGS_FILE))
    assert values["STORAGES"]["default"]["BACKEND"] == "fieldcast.media.storage.MediaS3Storage"
    assert values["S3_ADDRESSING_STYLE"] == "virtual"  # AWS without an endpoint


# --- against SeaweedFS ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory):
    with SeaweedFS(tmp_path_factory.mktemp("seaweedfs")) as server:
        server.create_bucket(BUCKET, cors_origins=["http://testserver"])
        yield server


@pytest.fixture
def s3(settings, seaweedfs, media_dirs):
    settings_for_s3(settings, seaweedfs, BUCKET)
    assert media_storage.is_remote()
    return seaweedfs


def bucket_keys(server: SeaweedFS, prefix: str) -> list[str]:
    pages = server.client().get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
    return sorted(obj["Key"] for page in pages for obj in page.get("Contents", []))


def follow(client: Client, url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    """GET an /m/ URL through the app; a redirect is followed to the store, as a browser does."""
    response = client.get(url, headers=headers)
    if response.status_code != 302:
        body = b"".join(response.streaming_content) if response.streaming else response.content
        return response.status_code, dict(response.items()), body
    assert response["Location"].startswith(media_storage.settings.S3_PUBLIC_ENDPOINT_URL + f"/{BUCKET}/")
    return fetch(response["Location"], headers)


@pytest.fixture
def processed_video(s3, clips, member):
    item = factories.ItemFactory(author=member, lifecycle="processing", title="On the bridge")
    asset = asset_from_file(clips.video(320, 240, seconds=4), owner=member, item=item, name="bridge.mov")
    asset_process(asset_id=asset.pk)
    asset.refresh_from_db()
    assert asset.status == MediaAsset.Status.READY, asset.failure_reason
    item.refresh_from_db()
    return item, MediaAsset.objects.prefetch_related("renditions").get(pk=asset.pk)


@pytest.mark.slow
@pytest.mark.django_db
def test_pipeline_reads_and_writes_the_bucket_and_pages_play_through_redirects(processed_video, s3, media_dirs):
    item, asset = processed_video
    base = f"assets/{asset.public_id}"
    keys = bucket_keys(s3, base + "/")
    for name in ("original.mp4", "hls/master.m3u8", "hls/240/index.m3u8", "hls/240/init_240.mp4",
                 "hls/240/seg_00000.m4s", "video.mp4", "poster.jpg", "sprite.jpg", "sprite.vtt"):  # fmt: skip
        assert f"{base}/{name}" in keys
    # Nothing was left on the local disk: not in MEDIA_ROOT, not the partial upload.
    assert [p for p in media_dirs.root.rglob("*") if p.is_file()] == []
    assert [p for p in media_dirs.uploads.rglob("*") if p.is_file()] == []
    assert item.lifecycle == "ready"

    (media,) = media_for_item(item, [asset])
    client = Client()
    # The playlists come from the app, their relative references untouched.
    master = client.get(media.urls["hls"])
    assert master.status_code == 200
    assert master["Content-Type"] == "application/vnd.apple.mpegurl"
    assert "240/index.m3u8" in master.content.decode()
    rung = client.get(media.urls["hls"].replace("master.m3u8", "240/index.m3u8")).content.decode()
    assert "seg_00000.m4s" in rung
    assert "#EXT-X-ENDLIST" in rung
    # A segment: a redirect to a presigned URL, whose answer is the stored object.
    segment_url = media.urls["hls"].replace("master.m3u8", "240/seg_00000.m4s")
    redirect = client.get(segment_url)
    assert redirect.status_code == 302
    assert "X-Amz-Signature=" in redirect["Location"]
    assert "private" in redirect["Cache-Control"]
    status, headers, body = fetch(redirect["Location"], {"Origin": "http://testserver"})
    stored = s3.client().get_object(Bucket=BUCKET, Key=f"{base}/hls/240/seg_00000.m4s")["Body"].read()
    assert (status, body) == (200, stored)
    assert headers["Content-Type"] == "video/iso.segment"
    assert headers["Access-Control-Allow-Origin"] == "http://testserver"  # hls.js reads it with XHR
    # The MP4 with a byte range, the poster, and the sprite's WebVTT from the app.
    status, headers, body = follow(client, media.urls["mp4"], Range="bytes=0-99")
    assert (status, len(body), headers["Content-Type"]) == (206, 100, "video/mp4")
    assert follow(client, media.urls["poster"])[1]["Content-Type"] == "image/jpeg"
    vtt = client.get(media.urls["sprite-vtt"])
    assert vtt.status_code == 200
    assert "sprite.jpg#xywh=" in vtt.content.decode()

    # The bucket itself is private: no object opens without a signature, or with a stale one.
    assert fetch(f"{s3.endpoint}/{BUCKET}/{base}/video.mp4")[0] == 403
    assert fetch(f"{s3.endpoint}/{BUCKET}?list-type=2")[0] == 403
    old = datetime.datetime.now(tz=datetime.UTC) - datetime.timedelta(hours=1)
    stale = media_storage.presign(
        f"{base}/video.mp4", endpoint_url=s3.endpoint, bucket=BUCKET, region="us-east-1", access_key=ACCESS_KEY,
        secret_key=SECRET_KEY, expires_in=60, signed_at=old,
    )  # fmt: skip
    assert fetch(stale)[0] == 403
    tampered = redirect["Location"].replace("seg_00000", "seg_00001")
    assert fetch(tampered)[0] == 403


@pytest.mark.slow
@pytest.mark.django_db
def test_the_ladder_plays_from_the_bucket_while_ffmpeg_still_works(s3, clips, member, monkeypatch, tmp_path):
    """The asset becomes playable once every rung's first segments are in the bucket, while the
    transcode goes on: at that moment the stored playlists (EVENT, no end) name only stored
    files, and the app serves them with segment redirects that open. In the end the bucket holds
    the finished ladder as ffmpeg and the pipeline left it, each segment uploaded once."""
    # A sync at every progress report (0.25 s) rather than every 2 s: ffmpeg encodes this
    # clip in a second or two, so with 2 s it would be done before the first sync.
    monkeypatch.setattr(hls_sync, "SYNC_EVERY_S", 0.25)
    saved: list[str] = []  # from the upload threads: list.append is atomic
    real_save = media_storage.MediaS3Storage.save

    def counting_save(storage, name, content, max_length=None):  # type: ignore[no-untyped-def]
        saved.append(name)
        return real_save(storage, name, content, max_length=max_length)

    monkeypatch.setattr(media_storage.MediaS3Storage, "save", counting_save)
    local_copy = tmp_path / "ladder"
    real_output_dir = paths.local_output_dir

    @contextmanager
    def keeping_a_copy(name: str, **options) -> Iterator[Path]:  # type: ignore[no-untyped-def]
        with real_output_dir(name, **options) as local:
            yield local
            shutil.copytree(local, local_copy)  # complete, before the end of the block uploads the rest

    monkeypatch.setattr(paths, "local_output_dir", keeping_a_copy)
    real_mark = video_steps._mark_playable
    seen: dict = {}

    def mark_and_look(run, state):  # type: ignore[no-untyped-def]
        real_mark(run, state)
        if seen:
            return  # marked again once every file is stored
        seen["step"] = MediaAsset.objects.values_list("step", flat=True).get(pk=run.asset.pk)
        hls = paths.hls_dir(run.asset.public_id)
        keys = set(bucket_keys(s3, hls + "/"))
        seen["playlists"] = {}
        seen["unstored"] = set()
        for rung in state.rungs:
            key = paths.hls_rung_playlist(run.asset.public_id, rung.quality)
            text = s3.client().get_object(Bucket=BUCKET, Key=key)["Body"].read().decode()
            seen["playlists"][rung.quality] = text
            named = {f"{hls}/{rung.quality}/{name}" for name in hls_sync.playlist_files(text)}
            seen["unstored"] |= named - keys
        # As a player gets it: the master and the rung playlists from the app, every segment
        # through a redirect to a presigned URL.
        item.refresh_from_db()
        seen["lifecycle"] = item.lifecycle
        (media,) = media_for_item(item, [MediaAsset.objects.prefetch_related("renditions").get(pk=run.asset.pk)])
        web = Client()
        master = web.get(media.urls["hls"])
        seen["master"] = master.status_code
        seen["served"], seen["fetched"] = {}, {}
        for rung_playlist in hls_sync.playlist_files(master.content.decode()):
            quality = int(rung_playlist.split("/")[0])
            response = web.get(media.urls["hls"].replace(paths.HLS_MASTER, rung_playlist))
            seen["served"][quality] = (response.status_code, response.content.decode())
            for name in hls_sync.playlist_files(response.content.decode()):
                redirect = web.get(media.urls["hls"].replace(paths.HLS_MASTER, f"{quality}/{name}"))
                status, _, body = fetch(redirect["Location"]) if redirect.status_code == 302 else (0, {}, b"")
                stored = s3.client().get_object(Bucket=BUCKET, Key=f"{hls}/{quality}/{name}")["Body"].read()
                seen["fetched"][f"{quality}/{name}"] = (redirect.status_code, status, body == stored)

    monkeypatch.setattr(video_steps, "_mark_playable", mark_and_look)
    item = factories.ItemFactory(author=member, lifecycle="processing", title="Breaking: the bridge")
    asset = asset_from_file(clips.video(640, 360, seconds=12), owner=member, item=item, name="bridge.mov")
    asset_process(asset_id=asset.pk)
    asset.refresh_from_db()
    assert asset.status == MediaAsset.Status.READY, asset.failure_reason

    # When it became playable: still transcoding, playlists still growing, all they name stored.
    assert seen["step"] == "transcode"
    assert seen["lifecycle"] == "ready"
    assert sorted(seen["playlists"]) == [240, 360]
    for text in seen["playlists"].values():
        assert "#EXT-X-PLAYLIST-TYPE:EVENT" in text
        assert "#EXT-X-ENDLIST" not in text
        assert 1 <= text.count("#EXTINF") < 6  # 12 s in 2 s segments
    assert seen["unstored"] == set()
    assert seen["master"] == 200
    assert {quality: status for quality, (status, _) in seen["served"].items()} == {240: 200, 360: 200}
    assert {quality: text for quality, (_, text) in seen["served"].items()} == seen["playlists"]
    assert len(seen["fetched"]) >= 4  # an init segment and a segment per rung, at least
    assert set(seen["fetched"].values()) == {(302, 200, True)}

    # In the end: the bucket's ladder is the local one, finished; no segment went up twice.
    hls = paths.hls_dir(asset.public_id)
    client = s3.client()
    stored = {key.removeprefix(hls + "/"): client.get_object(Bucket=BUCKET, Key=key)["Body"].read()
              for key in bucket_keys(s3, hls + "/")}  # fmt: skip
    local = {p.relative_to(local_copy).as_posix(): p.read_bytes() for p in local_copy.rglob("*") if p.is_file()}
    assert stored == local
    for quality in (240, 360):
        playlist = stored[f"{quality}/index.m3u8"].decode()
        assert "#EXT-X-PLAYLIST-TYPE:VOD" in playlist
        assert playlist.count("#EXTINF") == 6
        assert playlist.rstrip().endswith("#EXT-X-ENDLIST")
    uploads = Counter(saved)
    media_files = [name for name in stored if not name.endswith(".m3u8")]
    assert len(media_files) == 2 * (1 + 6)
    assert {name: uploads[f"{hls}/{name}"] for name in media_files} == dict.fromkeys(media_files, 1)


@pytest.mark.slow
@pytest.mark.django_db
def test_removal_and_safe_mode_hold_with_object_storage(processed_video, s3, member):
    item, asset = processed_video
    Item.objects.filter(pk=item.pk).update(rating="MA")
    item.refresh_from_db()
    (media,) = media_for_item(item, [asset])  # issued to the author, who may always see it
    author = Client()
    author.force_login(member)
    assert author.get(media.urls["mp4"]).status_code == 302
    # Copied to a guest in Safe Mode: refused by the app, so no presigned URL leaks.
    guest = Client().get(media.urls["mp4"])
    assert guest.status_code == 403
    assert "Location" not in guest

    Item.objects.filter(pk=item.pk).update(moderation="removed", moderation_reason="Doxxing")
    for url in (media.urls["mp4"], media.urls["hls"], media.urls["hls"].replace("master.m3u8", "240/seg_00000.m4s")):
        response = author.get(url)
        assert response.status_code == 410
        assert "Location" not in response


@pytest.mark.slow
@pytest.mark.django_db
def test_original_downloads_as_an_attachment_and_files_are_deleted(processed_video, s3, member):
    item, asset = processed_video
    url = original_url_for(viewer_for_user(member), item, asset)
    assert url is not None
    author = Client()
    author.force_login(member)
    status, headers, body = follow(author, url)
    assert status == 200
    assert headers["Content-Type"] == "video/mp4"  # as served from a local disk: a download all the same
    assert headers["Content-Disposition"].startswith('attachment; filename="bridge.mov"')
    assert body[4:8] == b"ftyp"

    # A chosen thumbnail frame: read from the bucket, written back to it.
    rendition = asset_render_thumbnail(asset_id=asset.pk, time=1.0)
    assert rendition is not None
    assert rendition.path in bucket_keys(s3, f"assets/{asset.public_id}/thumb")

    delete_asset_files.call(asset.public_id)
    assert bucket_keys(s3, f"assets/{asset.public_id}/") == []


@pytest.mark.slow
@pytest.mark.django_db
def test_avatars_and_banners_live_in_the_bucket(s3, member, client):
    from fieldcast.accounts.services import user_set_avatar

    picture = io.BytesIO()
    Image.linear_gradient("L").resize((300, 300)).convert("RGB").save(picture, "JPEG")
    picture.seek(0)
    user_set_avatar(user=member, upload=picture)
    member.refresh_from_db()
    assert bucket_keys(s3, f"avatars/{member.pk}/")
    avatar_url = member.avatar_url(256)
    assert avatar_url in client.get(f"/u/{member.username}").content.decode()
    status, headers, body = follow(client, avatar_url)
    stored = s3.client().get_object(Bucket=BUCKET, Key=f"avatars/{member.pk}/256-{member.avatar_key}")["Body"].read()
    assert (status, body) == (200, stored)
    assert headers["Content-Type"].startswith("image/")

    channel = factories.ChannelFactory(owner=member)
    banner = io.BytesIO()
    Image.new("RGB", (800, 200), "navy").save(banner, "JPEG")
    channel.banner = banner_store(channel_id=channel.pk, data=banner.getvalue())
    channel.save(update_fields=["banner"])
    url = reverse("channels:banner", kwargs={"slug": channel.slug, "name": channel.banner.rsplit("/", 1)[-1]})
    response = client.get(url)
    assert response.status_code == 302
    assert "immutable" not in response["Cache-Control"]  # the presigned URL behind it expires
    assert fetch(response["Location"])[2] == banner.getvalue()
    assert not default_storage.exists("channels/none.jpg")
    default_storage.save("channels/x.txt", ContentFile(b"x"))
    assert fetch(f"{s3.endpoint}/{BUCKET}/channels/x.txt")[0] == 403
