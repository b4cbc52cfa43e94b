"""Media in the API: an item's files and signed URLs, processing status, attaching finished
tus uploads, and the tus endpoint and media files with an API token."""

from __future__ import annotations

import base64
import io
import subprocess

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client

from fieldcast.api.testing import api_client, as_member, token_for
from fieldcast.core.testing.factories import ItemFactory, UserFactory, attach_video_rows
from fieldcast.items.models import Item
from fieldcast.media.models import MediaAsset, Upload
from fieldcast.media.tests.conftest import make_asset

pytestmark = pytest.mark.django_db

API = "/api/v1"
TUS = {"HTTP_TUS_RESUMABLE": "1.0.0"}


@pytest.fixture(autouse=True)
def _media_dirs(settings, tmp_path):
    settings.MEDIA_UPLOAD_DIR = tmp_path / "uploads"
    settings.MEDIA_ROOT = tmp_path / "media"


def safe_off(user):
    user.safe_mode = False
    user.save(update_fields=["safe_mode"])
    return user


def fields_of(response):
    return {e["field"] for e in response.json()["errors"]}


# --- GET /items/{public_id}/media -----------------------------------------------------------------


def test_media_gives_signed_urls_of_shown_files(member, other_member):
    item = ItemFactory(author=member)
    video = attach_video_rows(item)
    make_asset(member, item, position=1, name="late.mp4", status="processing", playable=False)
    make_asset(member, item, position=2, name="bad.mp4", status="failed", playable=False)
    body = as_member(other_member, "read").get(f"{API}/items/{item.public_id}/media").json()
    assert body["item"] == item.public_id
    (asset,) = body["assets"]  # the unplayable and failed files are not shown
    assert asset["public_id"] == video.public_id
    assert asset["kind"] == "video"
    assert asset["duration"] == 12.0
    assert set(asset["urls"]) == {"hls", "mp4", "poster", "sprite-vtt"}
    assert all(url.startswith("/m/") for url in asset["urls"].values())
    assert asset["original_url"] is None
    assert body["expires_at"]
    own = as_member(member, "read").get(f"{API}/items/{item.public_id}/media").json()
    assert own["assets"][0]["original_url"] is None  # rows without an original file: nothing to give


def test_media_of_ma_items_only_out_of_safe_mode(member, other_member, minor):
    item = ItemFactory(author=member, rating="MA")
    attach_video_rows(item)
    for client in (Client(), as_member(other_member, "read"), as_member(minor, "read")):
        response = client.get(f"{API}/items/{item.public_id}/media")
        assert response.status_code == 403
        assert "Safe Mode" in response.json()["detail"]
    assert as_member(safe_off(other_member), "read").get(f"{API}/items/{item.public_id}/media").status_code == 200
    assert as_member(member, "read").get(f"{API}/items/{item.public_id}/media").status_code == 200  # the author


def test_media_of_removed_private_and_processing_items(member, other_member):
    removed = ItemFactory(author=member, moderation="removed", moderation_reason="Doxxing")
    private = ItemFactory(author=member, visibility="private")
    processing = ItemFactory(author=member, lifecycle="processing")
    for item in (removed, private, processing):
        attach_video_rows(item)
    other = as_member(other_member, "read")
    response = other.get(f"{API}/items/{removed.public_id}/media")
    assert response.status_code == 410
    assert "Doxxing" in response.json()["detail"]
    assert other.get(f"{API}/items/{private.public_id}/media").status_code == 404
    assert other.get(f"{API}/items/{processing.public_id}/media").status_code == 404
    assert as_member(member, "read").get(f"{API}/items/{private.public_id}/media").status_code == 200
    assert as_member(member, "read").get(f"{API}/items/{removed.public_id}/media").status_code == 410


def test_ma_file_opens_with_the_token_of_a_member_out_of_safe_mode(member, other_member):
    item = ItemFactory(author=member, rating="MA")
    video = attach_video_rows(item)
    default_storage.save(f"assets/{video.public_id}/poster.jpg", ContentFile(b"\xff\xd8\xff fake jpeg"))
    token = token_for(safe_off(other_member), "read")
    poster = api_client(token).get(f"{API}/items/{item.public_id}/media").json()["assets"][0]["urls"]["poster"]
    assert api_client(token).get(poster).status_code == 200
    assert Client().get(poster).status_code == 403  # the URL alone, without the token: Safe Mode holds
    in_safe_mode = token_for(UserFactory(username="careful"), "read")
    assert api_client(in_safe_mode).get(poster).status_code == 403


# --- GET /items/{public_id}/status ----------------------------------------------------------------


def test_status_for_the_author(member, other_member, staff):
    item = ItemFactory(author=member)
    make_asset(member, item, name="clip.mp4", status="processing", playable=False, progress=40, step="ladder")
    make_asset(member, item, position=1, name="bad.mov", status="failed", playable=False,
               failure_reason="This is a web page or text file, not a video or image.")  # fmt: skip
    response = as_member(member, "read").get(f"{API}/items/{item.public_id}/status")
    assert response.status_code == 200
    body = response.json()
    assert body["item"] == item.public_id
    first, second = body["assets"]
    assert (first["name"], first["step"], first["progress"], first["done"]) == ("clip.mp4", "ladder", 40, False)
    assert first["label"]
    assert (second["status"], second["done"]) == ("failed", True)
    assert "web page" in second["failure_reason"]
    assert as_member(staff, "read").get(f"{API}/items/{item.public_id}/status").status_code == 200
    assert as_member(other_member, "read").get(f"{API}/items/{item.public_id}/status").status_code == 403
    assert Client().get(f"{API}/items/{item.public_id}/status").status_code == 401
    private = ItemFactory(author=member, visibility="private")
    assert as_member(other_member, "read").get(f"{API}/items/{private.public_id}/status").status_code == 404


# --- POST /items/{public_id}/media ----------------------------------------------------------------


def finished_upload(owner, name="clip.mp4"):
    upload = Upload.objects.create(owner=owner, length=10, offset=10, filename=name, path="x.part",
                                   expires_at="2100-01-01T00:00:00Z", completed_at="2024-01-01T00:00:00Z")  # fmt: skip
    asset = make_asset(owner, None, name=name, status="pending", playable=False, upload=upload)
    return upload, asset


def test_attach_by_asset_id_and_by_upload_address(member):
    item = ItemFactory(author=member)
    _, first = finished_upload(member, "one.mp4")
    upload, second = finished_upload(member, "two.mp4")
    response = as_member(member).post(
        f"{API}/items/{item.public_id}/media",
        {"assets": [first.public_id], "uploads": [f"http://testserver/uploads/{upload.pk}"]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert [a["public_id"] for a in body["assets"]] == [first.public_id, second.public_id]
    assert body["lifecycle"] == "processing"
    item.refresh_from_db()
    assert item.lifecycle == "processing"
    assert list(MediaAsset.objects.filter(item=item).values_list("position", flat=True)) == [0, 1]


@pytest.mark.parametrize("case", ["others", "unfinished", "attached", "failed", "garbage", "none"])
def test_attach_refuses_files_that_cannot_be_attached(member, other_member, case):
    item = ItemFactory(author=member)
    payload: dict = {}
    if case == "others":
        payload = {"assets": [finished_upload(other_member)[1].public_id]}
    elif case == "unfinished":
        upload, _ = finished_upload(member)
        Upload.objects.filter(pk=upload.pk).update(offset=5, completed_at=None)
        payload = {"uploads": [str(upload.pk)]}
    elif case == "attached":
        payload = {"assets": [make_asset(member, ItemFactory(author=member)).public_id]}
    elif case == "failed":
        payload = {"assets": [make_asset(member, None, status="failed", failure_reason="Audio only.").public_id]}
    elif case == "garbage":
        payload = {"uploads": ["../../etc/passwd"]}
    response = as_member(member).post(f"{API}/items/{item.public_id}/media", payload, content_type="application/json")
    assert response.status_code == 422, response.content
    assert fields_of(response) <= {"assets", "uploads"}
    assert response.json()["detail"]
    assert not MediaAsset.objects.filter(item=item).exists()


def test_attach_needs_the_author_and_a_write_credential(member, other_member):
    item = ItemFactory(author=member)
    _, asset = finished_upload(member)
    payload = {"assets": [asset.public_id]}
    url = f"{API}/items/{item.public_id}/media"
    assert Client().post(url, payload, content_type="application/json").status_code == 401
    assert as_member(member, "read").post(url, payload, content_type="application/json").status_code == 403
    _, theirs = finished_upload(other_member)
    response = as_member(other_member).post(url, {"assets": [theirs.public_id]}, content_type="application/json")
    assert response.status_code == 403
    assert not MediaAsset.objects.filter(item=item).exists()


# --- tus with a token ------------------------------------------------------------------------------


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_tus_accepts_a_write_token_without_csrf(member):
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {token_for(member, 'write')}")
    created = client.generic(
        "POST", "/uploads/", b"", **TUS, HTTP_UPLOAD_LENGTH="4", HTTP_UPLOAD_METADATA=f"filename {b64('a.mp4')}"
    )
    assert created.status_code == 201, created.content
    location = created["Location"]
    done = client.generic(
        "PATCH", location, b"abcd", content_type="application/offset+octet-stream", HTTP_UPLOAD_OFFSET="0", **TUS
    )
    assert done.status_code == 204
    asset = MediaAsset.objects.get(upload__pk=location.rsplit("/", 1)[1])
    assert asset.owner == member
    assert done["Fieldcast-Asset"] == asset.public_id
    assert client.head(location, **TUS).status_code == 200


def test_tus_refuses_read_only_and_unknown_tokens_and_keeps_csrf_for_sessions(member):
    headers = {**TUS, "HTTP_UPLOAD_LENGTH": "4"}
    read_only = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(member, 'read')}").generic(
        "POST", "/uploads/", b"", **headers
    )
    assert read_only.status_code == 403
    assert "read-only" in read_only.content.decode()
    unknown = Client(HTTP_AUTHORIZATION="Bearer fc_12345678_nope").generic("POST", "/uploads/", b"", **headers)
    assert unknown.status_code == 401
    session = Client(enforce_csrf_checks=True)
    session.force_login(member)
    assert session.generic("POST", "/uploads/", b"", **headers).status_code == 403
    assert Client().generic("POST", "/uploads/", b"", **headers).status_code == 403
    assert not Upload.objects.exists()


def test_a_token_cannot_touch_another_members_upload(member, other_member):
    mine = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(member, 'write')}")
    location = mine.generic("POST", "/uploads/", b"", **TUS, HTTP_UPLOAD_LENGTH="4")["Location"]
    theirs = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(other_member, 'write')}")
    assert theirs.head(location, **TUS).status_code == 404
    patch = theirs.generic(
        "PATCH", location, b"abcd", content_type="application/offset+octet-stream", HTTP_UPLOAD_OFFSET="0", **TUS
    )
    assert patch.status_code == 404


# --- the whole journey, with real ffmpeg ----------------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_tuspy_upload_with_a_token_then_post_and_process(live_server, member, tmp_path):
    from tusclient.client import TusClient

    from fieldcast.media.ffmpeg import ffmpeg_binary
    from fieldcast.media.services.processing import asset_process

    clip = tmp_path / "clip.mp4"
    subprocess.run(  # noqa: S603 (fixed arguments)
        [ffmpeg_binary(), "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=s=160x120:r=15:d=2",
         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(clip)],
        check=True,
    )  # fmt: skip
    token = token_for(member, "write")
    tus = TusClient(f"{live_server.url}/uploads/", headers={"Authorization": f"Bearer {token}"})
    uploader = tus.uploader(file_stream=io.BytesIO(clip.read_bytes()), chunk_size=64 * 1024,
                            metadata={"filename": "clip.mp4"})  # fmt: skip
    uploader.upload()
    client = api_client(token)
    created = client.post(
        f"{API}/items",
        {"title": "Uploaded by a bot", "rating": "GA", "agree_terms": True, "uploads": [uploader.url]},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    public_id = created.json()["public_id"]
    status = client.get(f"{API}/items/{public_id}/status").json()
    assert status["lifecycle"] == "processing"
    (asset,) = status["assets"]
    assert asset["name"] == "clip.mp4"
    asset_process(asset_id=MediaAsset.objects.get(public_id=asset["public_id"]).pk)  # what the worker runs
    status = client.get(f"{API}/items/{public_id}/status").json()
    assert status["lifecycle"] == "ready"
    assert status["assets"][0]["done"]
    assert status["assets"][0]["playable"]
    assert Item.objects.get(public_id=public_id).lifecycle == "ready"
    media = client.get(f"{API}/items/{public_id}/media").json()
    hls = media["assets"][0]["urls"]["hls"]
    assert client.get(hls).status_code == 200
