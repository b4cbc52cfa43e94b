"""The verification badge on list cards: shown for reviewed items, read from the list's own
query (no query per card)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fieldcast.core.testing import factories
from fieldcast.provenance.models import Verification

pytestmark = pytest.mark.django_db


def test_cards_show_the_verification_status_without_a_query_each(client, member):
    confirmed = factories.ItemFactory(author=member, title="Confirmed footage", lifecycle="ready")
    disputed = factories.ItemFactory(author=member, title="Disputed footage", lifecycle="ready")
    factories.ItemFactory(author=member, title="Never reviewed", lifecycle="ready")
    Verification.objects.create(item=confirmed, status="confirmed")
    Verification.objects.create(item=disputed, status="disputed", note="Filmed elsewhere in 2019.")

    page = client.get("/").content.decode()
    assert page.count("verification-confirmed") == 1
    assert page.count("verification-disputed") == 1
    assert "Source confirmed" in page

    with CaptureQueriesContext(connection) as few:
        client.get("/")
    for _ in range(4):
        item = factories.ItemFactory(author=member, lifecycle="ready")
        Verification.objects.create(item=item, status="misattributed", note="An older video.")
    with CaptureQueriesContext(connection) as more:
        client.get("/")
    assert len(more) == len(few)
