"""The demo, loaded once per test module inside a transaction rolled back at the module's end;
each test runs in a savepoint within it. (test_load_demo.py has its own `demo`: a fresh load per test.)"""

from __future__ import annotations

import pytest
from django.db import transaction

from fieldcast.demo.loader import DemoSummary, load_demo


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        summary: DemoSummary = load_demo(media=False)
        yield summary
        transaction.set_rollback(True)
