"""The tus 1.0 server over HTTP, through Django's test client."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connections
from django.test import Client
from django_tasks_db.models import DBTaskResult

from fieldcast.core.testing.factories import PASSWORD
from fieldcast.media.models import MediaAsset, Upload
from fieldcast.media.services import uploads as services
from fieldcast.media.tus import clean_filename

TUS = {"HTTP_TUS_RESUMABLE": "1.0.0"}
OCTETS = "application/offset+octet-stream"
MiB = 1024 * 1024


@pytest.fixture(autouse=True)
def _upload_dir(settings, tmp_path):
    settings.MEDIA_UPLOAD_DIR = tmp_path / "uploads"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def member_client(client, member):
    client.login(username=member.username, password=PASSWORD)
    return client


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def create(client: Client, length: int, filename: str = "clip.mp4", **extra: str):
    headers = {**TUS, "HTTP_UPLOAD_LENGTH": str(length), **extra}
    if filename is not None:
        headers.setdefault("HTTP_UPLOAD_METADATA", f"filename {b64(filename)},filetype {b64('video/mp4')}")
    return client.generic("POST", "/uploads/", b"", **headers)


def patch(client: Client, url: str, data: bytes, offset: int, **extra: str):
    return client.generic("PATCH", url, data, content_type=OCTETS, HTTP_UPLOAD_OFFSET=str(offset), **TUS, **extra)


def sha1_header(data: bytes) -> str:
    return "sha1 " + base64.b64encode(hashlib.sha1(data).digest()).decode()  # noqa: S324 (the tus checksum)


def part_file(url: str) -> Path:
    upload = Upload.objects.get(pk=url.rsplit("/", 1)[1])
    return services.upload_file(upload)


class CutOffBody:
    """A wsgi.input that delivers `data` and then ends early (b"") or fails, like a dropped connection."""

    def __init__(self, data: bytes, *, fail: bool) -> None:
        self.data, self.fail, self.pos = data, fail, 0

    def read(self, size: int = -1) -> bytes:
        if self.pos >= len(self.data):
            if self.fail:
                raise OSError("connection reset by peer")
            return b""
        size = len(self.data) - self.pos if size < 0 else size
        chunk = self.data[self.pos : self.pos + size]
        self.pos += len(chunk)
        return chunk

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


def patch_cut_off(client: Client, url: str, sent: bytes, claimed: int, offset: int, *, fail: bool, **extra: str):
    return client.generic(
        "PATCH",
        url,
        b"",
        HTTP_UPLOAD_OFFSET=str(offset),
        CONTENT_TYPE=OCTETS,
        CONTENT_LENGTH=str(claimed),
        **{"wsgi.input": CutOffBody(sent, fail=fail)},
        **TUS,
        **extra,
    )


def test_options_lists_the_protocol_without_login(client, settings):
    response = client.options("/uploads/")
    assert response.status_code == 204
    assert response["Tus-Resumable"] == "1.0.0"
    assert response["Tus-Version"] == "1.0.0"
    assert set(response["Tus-Extension"].split(",")) == {"creation", "termination", "expiration", "checksum"}
    assert response["Tus-Checksum-Algorithm"] == "sha1"
    assert response["Tus-Max-Size"] == str(settings.UPLOAD_MAX_BYTES)


def test_full_upload_in_chunks_records_the_asset_and_enqueues_processing(
    member_client, member, django_capture_on_commit_callbacks
):
    data = secrets.token_bytes(3 * MiB + 5)
    created = create(member_client, len(data), filename="Хроника دمشق.mp4")
    assert created.status_code == 201
    assert created["Tus-Resumable"] == "1.0.0"
    assert "Upload-Expires" in created
    url = created["Location"]
    assert url.startswith("/uploads/")
    head = member_client.head(url, **TUS)
    assert (head.status_code, head["Upload-Offset"], head["Upload-Length"]) == (200, "0", str(len(data)))
    assert head["Cache-Control"] == "no-store"

    offset = 0
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        while offset < len(data):
            chunk = data[offset : offset + MiB]
            response = patch(member_client, url, chunk, offset, HTTP_UPLOAD_CHECKSUM=sha1_header(chunk))
            assert response.status_code == 204, response.content
            offset = int(response["Upload-Offset"])
            if offset < len(data):
                assert "Fieldcast-Asset" not in response
    assert offset == len(data)
    assert len(callbacks) == 1  # the processing task, only once the last byte is in

    asset = MediaAsset.objects.get(upload__pk=url.rsplit("/", 1)[1])
    assert response["Fieldcast-Asset"] == asset.public_id
    assert (asset.owner, asset.item, asset.status) == (member, None, MediaAsset.Status.PENDING)
    assert (asset.original_name, asset.size, asset.sha256) == ("Хроника دمشق.mp4", len(data), "")
    assert asset.upload.completed_at is not None
    assert part_file(url).read_bytes() == data  # the worker moves the bytes, the request never does
    task = DBTaskResult.objects.get(task_path="fieldcast.media.tasks.process_asset")
    assert (task.queue_name, task.args_kwargs["args"]) == ("media", [asset.pk])

    head = member_client.head(url, **TUS)
    assert head["Upload-Offset"] == str(len(data))
    assert head["Fieldcast-Asset"] == asset.public_id


@pytest.mark.parametrize("fail", [False, True], ids=["short-body", "read-error"])
def test_a_patch_cut_off_midway_keeps_what_arrived_and_resumes(member_client, fail):
    data = secrets.token_bytes(2 * MiB + 100)
    url = create(member_client, len(data))["Location"]
    arrived = MiB + 17  # not a multiple of the read size: the cut falls inside a read
    response = patch_cut_off(member_client, url, data[:arrived], claimed=len(data), offset=0, fail=fail)
    assert response.status_code == 400
    assert "Resume from Upload-Offset" in response.content.decode()
    assert response["Upload-Offset"] == str(arrived)
    assert member_client.head(url, **TUS)["Upload-Offset"] == str(arrived)

    response = patch(member_client, url, data[arrived:], arrived)
    assert response.status_code == 204
    assert part_file(url).read_bytes() == data
    assert "Fieldcast-Asset" in response


def test_a_cut_off_patch_with_a_checksum_keeps_nothing(member_client):
    data = secrets.token_bytes(MiB)
    url = create(member_client, len(data))["Location"]
    response = patch_cut_off(
        member_client, url, data[:1000], claimed=len(data), offset=0, fail=True, HTTP_UPLOAD_CHECKSUM=sha1_header(data)
    )
    assert response.status_code == 400
    assert response["Upload-Offset"] == "0"
    assert part_file(url).stat().st_size == 0


def test_wrong_offset_is_a_conflict_and_writes_nothing(member_client):
    url = create(member_client, 100)["Location"]
    assert patch(member_client, url, b"a" * 10, 0).status_code == 204
    response = patch(member_client, url, b"b" * 10, 5)
    assert response.status_code == 409
    assert response["Upload-Offset"] == "10"
    assert "Upload-Offset is 5 but the server has 10 bytes" in response.content.decode()
    assert part_file(url).read_bytes() == b"a" * 10


def test_checksum_mismatch_discards_that_patch(member_client):
    url = create(member_client, 20)["Location"]
    assert patch(member_client, url, b"a" * 10, 0).status_code == 204
    response = patch(member_client, url, b"b" * 10, 10, HTTP_UPLOAD_CHECKSUM=sha1_header(b"c" * 10))
    assert response.status_code == 460
    assert response.reason_phrase == "Checksum Mismatch"
    assert "discarded" in response.content.decode()
    assert Upload.objects.get().offset == 10
    assert part_file(url).read_bytes() == b"a" * 10
    assert patch(member_client, url, b"b" * 10, 10, HTTP_UPLOAD_CHECKSUM=sha1_header(b"b" * 10)).status_code == 204


@pytest.mark.parametrize(
    ("header", "message"),
    [("md5 AAAA", "supports sha1"), ("sha1 not-base64!", "sha1 <base64 digest>"), ("sha1 AAAA", "wrong length")],
)
def test_unusable_checksum_header_is_refused(member_client, header, message):
    url = create(member_client, 10)["Location"]
    response = patch(member_client, url, b"a" * 10, 0, HTTP_UPLOAD_CHECKSUM=header)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Upload.objects.get().offset == 0


def test_patch_needs_the_offset_content_type(member_client):
    url = create(member_client, 10)["Location"]
    response = member_client.generic(
        "PATCH", url, b"a" * 10, content_type="application/octet-stream", HTTP_UPLOAD_OFFSET="0", **TUS
    )
    assert response.status_code == 415
    assert OCTETS in response.content.decode()


def test_patch_beyond_upload_length_writes_nothing(member_client):
    url = create(member_client, 10)["Location"]
    response = patch(member_client, url, b"a" * 11, 0)
    assert response.status_code == 413
    assert "only 10 remain" in response.content.decode()
    assert part_file(url).stat().st_size == 0


def test_file_over_the_maximum_is_refused_with_the_limit_in_gib(member_client, settings):
    response = create(member_client, settings.UPLOAD_MAX_BYTES + 1)
    assert response.status_code == 413
    assert "maximum of 4 GiB" in response.content.decode()
    assert not Upload.objects.exists()


def test_empty_file_is_refused(member_client):
    response = create(member_client, 0)
    assert response.status_code == 400
    assert response.content.decode().strip() == "The file is empty."


def test_upload_length_is_required(member_client):
    response = member_client.generic("POST", "/uploads/", b"", **TUS)
    assert response.status_code == 400
    assert "Upload-Length is required" in response.content.decode()


def test_filename_is_sanitised_and_never_reaches_the_disk(member_client, settings):
    response = create(member_client, 10, filename="../../etc/pass\x00wd\u202e\n4pm.mp4")
    upload = Upload.objects.get()
    assert upload.filename == "passwd4pm.mp4"
    assert upload.path == f"{upload.pk}.part"
    assert services.upload_file(upload).parent == Path(settings.MEDIA_UPLOAD_DIR)
    assert response["Location"] == f"/uploads/{upload.pk}"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("C:\\Users\\ana\\Видео\\клип 1.mp4", "клип 1.mp4"),
        ("مظاهرة في حمص.mov", "مظاهرة في حمص.mov"),
        ("..", ""),
        ("a\tb\x07c.jpg", "abc.jpg"),
        ("x" * 300 + ".mp4", "x" * 251 + ".mp4"),
    ],
)
def test_clean_filename(raw, clean):
    assert clean_filename(raw) == clean
    assert len(clean_filename(raw)) <= 255


def test_metadata_must_be_base64(member_client):
    response = create(member_client, 10, HTTP_UPLOAD_METADATA="filename not*base64")
    assert response.status_code == 400
    assert "base64" in response.content.decode()


def test_another_members_upload_is_not_found(member_client, other_member):
    url = create(member_client, 10)["Location"]
    other = Client()
    other.login(username=other_member.username, password=PASSWORD)
    assert other.head(url, **TUS).status_code == 404
    assert patch(other, url, b"a" * 10, 0).status_code == 404
    assert other.generic("DELETE", url, **TUS).status_code == 404
    assert Upload.objects.get().offset == 0


def test_guests_are_told_to_log_in(client):
    response = create(client, 10)
    assert response.status_code == 403
    assert response["Tus-Resumable"] == "1.0.0"
    assert "Log in" in response.content.decode()


def test_csrf_is_enforced_and_the_header_passes(member, settings):
    client = Client(enforce_csrf_checks=True)
    client.login(username=member.username, password=PASSWORD)
    refused = create(client, 10)
    assert refused.status_code == 403
    assert "X-CSRFToken" in refused.content.decode()
    token = secrets.token_hex(16)
    client.cookies[settings.CSRF_COOKIE_NAME] = token
    created = create(client, 10, HTTP_X_CSRFTOKEN=token)
    assert created.status_code == 201
    assert patch(client, created["Location"], b"a" * 10, 0, HTTP_X_CSRFTOKEN=token).status_code == 204


def test_tus_version_mismatch_is_a_precondition_failure(member_client):
    response = member_client.generic("POST", "/uploads/", b"", HTTP_UPLOAD_LENGTH="10", HTTP_TUS_RESUMABLE="0.2.2")
    assert response.status_code == 412
    assert response["Tus-Version"] == "1.0.0"
    assert response["Tus-Resumable"] == "1.0.0"
    missing = member_client.generic("POST", "/uploads/", b"", HTTP_UPLOAD_LENGTH="10")
    assert missing.status_code == 412


def test_delete_terminates_an_unfinished_upload(member_client):
    url = create(member_client, 100)["Location"]
    patch(member_client, url, b"a" * 10, 0)
    path = part_file(url)
    response = member_client.generic("DELETE", url, **TUS)
    assert response.status_code == 204
    assert not path.exists()
    assert not Upload.objects.exists()
    assert member_client.head(url, **TUS).status_code == 404


def test_a_finished_upload_cannot_be_terminated(member_client):
    url = create(member_client, 10)["Location"]
    patch(member_client, url, b"a" * 10, 0)
    response = member_client.generic("DELETE", url, **TUS)
    assert response.status_code == 409
    assert MediaAsset.objects.count() == 1


def test_method_override_for_clients_without_patch(member_client):
    url = create(member_client, 10)["Location"]
    response = member_client.generic(
        "POST", url, b"a" * 10, content_type=OCTETS, HTTP_UPLOAD_OFFSET="0", HTTP_X_HTTP_METHOD_OVERRIDE="PATCH", **TUS
    )
    assert response.status_code == 204
    assert response["Upload-Offset"] == "10"


def test_not_an_upload_id(member_client):
    response = member_client.head("/uploads/not-a-uuid", **TUS)
    assert response.status_code == 404
    assert response["Tus-Resumable"] == "1.0.0"


def test_creation_is_rate_limited_per_member(member_client, settings):
    settings.UPLOAD_RATE_LIMIT_PER_MINUTE = 2
    assert [create(member_client, 10).status_code for _ in range(2)] == [201, 201]
    response = create(member_client, 10)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


@contextmanager
def lock_held_elsewhere(upload_id: str) -> Iterator[None]:
    """Hold the upload's writer lock from another thread (another request, another connection)."""
    taken, release, failed = threading.Event(), threading.Event(), []

    def hold() -> None:
        try:
            with services._locked(upload_id, None):
                taken.set()
                release.wait(10)
        except Exception as exc:  # surfaced below
            failed.append(exc)
            taken.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=hold)
    thread.start()
    assert taken.wait(10)
    assert not failed, failed
    try:
        yield
    finally:
        release.set()
        thread.join(10)


@pytest.mark.django_db(transaction=True)
def test_concurrent_patch_on_one_upload_is_a_conflict(member_client):
    url = create(member_client, 20)["Location"]
    with lock_held_elsewhere(url.rsplit("/", 1)[1]):
        response = patch(member_client, url, b"a" * 10, 0)
        assert response.status_code == 409
        assert "Another request is writing" in response.content.decode()
    assert patch(member_client, url, b"a" * 10, 0).status_code == 204
