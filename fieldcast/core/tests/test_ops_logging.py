"""Request ids (from the proxy or made here) on responses and on every log record of the
request; JSON log lines; task ids on the records a task makes."""

from __future__ import annotations

import io
import json
import logging
import re
import uuid
from types import SimpleNamespace

import pytest
from django.utils import timezone

from fieldcast.core.logs import ContextFilter, JsonFormatter, log_context, task_finished, task_started

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_lines():
    """Every record (root logger, INFO and up) as the JSON handler of LOG_FORMAT=json writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    root, access = logging.getLogger(), logging.getLogger("fieldcast.access")
    levels = (root.level, access.level)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    access.setLevel(logging.INFO)

    def lines() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield lines
    root.removeHandler(handler)
    root.setLevel(levels[0])
    access.setLevel(levels[1])


def test_a_request_gets_an_id_on_its_response_and_its_access_line(client, json_lines):
    response = client.get("/search", {"q": "secret words"})

    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    access = [line for line in json_lines() if line["logger"] == "fieldcast.access"]
    assert len(access) == 1
    line = access[0]
    assert line["request_id"] == request_id
    assert (line["method"], line["path"], line["status"], line["view"]) == ("GET", "/search", 200, "discovery:search")
    assert isinstance(line["duration_ms"], float)
    assert line["level"] == "INFO"
    assert line["message"].startswith("GET /search 200 ")
    assert "secret" not in json.dumps(line)  # the query string is never logged
    assert line["time"].endswith("+00:00")


def test_the_proxys_id_is_kept(client):
    offered = str(uuid.uuid4())
    assert client.get("/healthz").get("X-Request-ID") is None  # probes are answered before
    assert client.get("/", HTTP_X_REQUEST_ID=offered)["X-Request-ID"] == offered


@pytest.mark.parametrize(
    "offered",
    ["", "has space", "new\nline", "x" * 129, '"quoted"', "<script>", "-leading-dash"],
)
def test_a_malformed_id_is_replaced(client, offered):
    response = client.get("/", HTTP_X_REQUEST_ID=offered)
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_every_record_of_the_request_carries_its_id_even_after_the_middleware(client, json_lines):
    """Django logs "Not Found" after the middleware chain has returned: it carries the id too."""
    response = client.get("/no/such/page", {"q": "secret"}, HTTP_X_REQUEST_ID="edge-4711")
    assert response.status_code == 404
    lines = json_lines()
    assert "secret" not in json.dumps(lines)  # Django's `request` extra (its repr has the query) is left out
    not_found = [line for line in lines if line["logger"] == "django.request"]
    assert not_found
    assert not_found[0]["message"] == "Not Found: /no/such/page"
    assert not_found[0]["request_id"] == "edge-4711"
    assert all(line.get("request_id") == "edge-4711" for line in lines)


def test_errors_carry_the_traceback(json_lines):
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("fieldcast.test").exception("it broke")
    (line,) = [line for line in json_lines() if line["logger"] == "fieldcast.test"]
    assert line["message"] == "it broke"
    assert line["level"] == "ERROR"
    assert "ValueError: boom" in line["exc_info"]
    assert "request_id" not in line  # outside any request


def test_the_plain_format_shows_the_id():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s [%(request_id)s] %(message)s"))
    logger = logging.getLogger("fieldcast.test.plain")
    logger.addHandler(handler)
    try:
        token = log_context.set({"request_id": "abc123"})
        logger.warning("inside")
        log_context.reset(token)
        logger.warning("outside")
    finally:
        logger.removeHandler(handler)
    assert stream.getvalue().splitlines() == [
        "WARNING fieldcast.test.plain [abc123] inside",
        "WARNING fieldcast.test.plain [-] outside",
    ]


def test_a_task_logs_with_its_id_and_gives_the_request_its_id_back(json_lines):
    task = SimpleNamespace(module_path="fieldcast.player.tasks.flush_counters", queue_name="default")
    now = timezone.now()
    result = SimpleNamespace(id="6f1c", task=task, status="SUCCESSFUL", started_at=now, finished_at=now)
    log = logging.getLogger("fieldcast.test.task")

    token = log_context.set({"request_id": "req-1"})
    try:
        task_started(sender=None, task_result=result)
        log.info("working")
        task_finished(sender=None, task_result=result)
        log.info("after")
    finally:
        log_context.reset(token)

    working, after = [line for line in json_lines() if line["logger"] == "fieldcast.test.task"]
    assert (working["task_id"], working["task"], working["request_id"]) == (
        "6f1c",
        "fieldcast.player.tasks.flush_counters",
        "req-1",
    )
    assert after["request_id"] == "req-1"
    assert "task_id" not in after


def test_log_format_setting_picks_the_formatter(settings):
    handler = settings.LOGGING["handlers"]["console"]
    assert handler["formatter"] == settings.LOG_FORMAT == "plain"  # tests and DEBUG: plain
    assert handler["filters"] == ["context"]
