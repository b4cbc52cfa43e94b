"""Schemathesis against the OpenAPI document: requests generated from /api/v1/openapi.json
(valid and invalid ones), sent to the application in-process, for every operation. It fails
on any 5xx and on any answer the document does not describe (status code, content type,
body schema, headers).

Run twice per operation: as a guest and with a member's write token, against a small data
set (items of each rating and state, a channel, comments) so that generated requests meet
real rows as well as missing ones. Not checked: that every schema-valid request succeeds
(a cursor, a date range or a title can be well-formed and still refused, with a 422 that
says why). Bounded: SCHEMATHESIS_MAX_EXAMPLES per operation (10).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from fieldcast.api.testing import token_for
from fieldcast.core.testing import factories

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=False)]

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "10"))
APP = WSGIHandler()


@pytest.fixture
def api_schema(db, settings):
    """The document as the application serves it, with the application to send requests to."""
    for name in (
        "API_READ_RATE_LIMIT_PER_MINUTE",
        "API_WRITE_RATE_LIMIT_PER_MINUTE",
        "WRITE_RATE_LIMIT_PER_MINUTE",
        "COMMENT_RATE_LIMIT_PER_MINUTE",
        "VOTE_RATE_LIMIT_PER_MINUTE",
    ):
        setattr(settings, name, 10**9)  # generated requests are many; 429 is tested elsewhere
    settings.ALLOWED_HOSTS = ["*"]
    # The WSGI handler closes the database connection after each request; the test's
    # transaction lives on it, so (as Django's test client does) keep it open.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(db):
    """A little of everything, so generated requests also meet rows that exist."""
    author = factories.UserFactory(username="reporter")
    for rating in ("GA", "PG", "MA"):
        factories.ItemFactory(author=author, rating=rating, lifecycle="ready")
    factories.ItemFactory(author=author, lifecycle="processing")
    factories.ItemFactory(author=author, lifecycle="ready", moderation="removed")
    return author


SETTINGS = hypothesis_settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def _checker(operation, headers: dict[str, str]):
    @given(case=operation.as_strategy())
    @SETTINGS
    def check(case):
        case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

    return check


def _run_every_operation(api_schema, headers: dict[str, str]) -> None:
    failures: list[str] = []
    operations = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1

        try:
            _checker(operation, headers)()
        except Exception as exc:
            failures.append(f"{operation.label}: {type(exc).__name__}: {str(exc)[:1500]}")
    assert operations > 0
    assert not failures, f"{len(failures)} of {operations} operations failed:\n\n" + "\n\n".join(failures)


def test_api_answers_guests_as_documented(api_schema, seeded):
    _run_every_operation(api_schema, {})


def test_api_answers_a_members_token_as_documented(api_schema, seeded):
    _run_every_operation(api_schema, {"Authorization": f"Bearer {token_for(seeded, 'write')}"})
