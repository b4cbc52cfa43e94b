"""The optional RUM index (discovery/rum.py): made by the migrations where the extension
exists, chosen for rare words and phrases by PostgreSQL's statistics, and giving exactly the
results of the GIN path. PostgreSQL with the rum extension only (CI installs it)."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fieldcast.core.testing.factories import ItemFactory
from fieldcast.discovery import rum
from fieldcast.discovery.search import SearchFilters, parse_query, search_items, search_page_rows
from fieldcast.items.models import Item
from fieldcast.moderation.viewer import anonymous_viewer

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="RUM is a PostgreSQL index: the PostgreSQL run"),
]


@pytest.fixture
def with_rum():
    if not rum.extension_available():
        pytest.skip("the rum extension is not installed on this PostgreSQL server (Debian: postgresql-15-rum)")
    rum.forget()
    assert rum.index_ready(), "the migrations make the index where the extension exists"
    yield
    rum.forget()


def analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE discovery_searchdocument")
    rum.forget()


def page_ids(parsed, filters, start=0, stop=25):  # type: ignore[no-untyped-def]
    rows = search_page_rows(anonymous_viewer(), parsed, sort="relevance", filters=filters, start=start, stop=stop)
    return [row.pk for row in rows]


def test_rare_words_and_phrases_take_the_rum_path_and_common_words_do_not(with_rum, settings):
    for n in range(40):
        words = "harbour crane" if n % 10 == 0 else "harbour"
        ItemFactory(title=f"Clip {n}", body=f"{words} footage number {n}")
    analyze()
    settings.SEARCH_RUM_MAX_PERCENT = 20
    assert rum.use_for(["crane"])  # in 10%
    assert rum.use_for(["harbour", "crane"])  # the rarest word decides
    assert rum.use_for(["zeppelin"])  # in no document: below every common one
    assert not rum.use_for(["harbour"])  # in all
    settings.SEARCH_RUM_MAX_PERCENT = 5
    assert not rum.use_for(["crane"])


@pytest.mark.parametrize(
    ("query", "filters"),
    [
        ("crane", SearchFilters()),
        ('"harbour crane"', SearchFilters()),
        ("crane -night", SearchFilters()),
        ("crane", SearchFilters(rating="GA")),
        ("crane", SearchFilters(occurred_from=datetime.date(2024, 1, 1))),  # a date range: GIN path
    ],
)
def test_the_rum_path_finds_the_same_candidates_and_pages(with_rum, settings, query, filters):
    settings.SEARCH_MAX_CANDIDATES = 6
    for n in range(30):
        words = "harbour crane" if n % 3 else "crane harbour at night"
        item = ItemFactory(title=f"Clip {n}" + (" crane" * (n % 4)), body=f"{words} footage {n}")
        Item.objects.filter(pk=item.pk).update(occurred_on=datetime.date(2024, 1, 1 + n), occurred_precision="day")
    ItemFactory(title="Crane, private", body="harbour crane", visibility="private")
    analyze()
    parsed = parse_query(query)
    settings.SEARCH_RUM_MAX_PERCENT = 0  # GIN
    expected = [item.pk for item in search_items(anonymous_viewer(), parsed, filters=filters)]
    gin_first, gin_second = page_ids(parsed, filters, 0, 4), page_ids(parsed, filters, 4, 8)
    settings.SEARCH_RUM_MAX_PERCENT = 100  # RUM whenever it applies
    rum.forget()
    with CaptureQueriesContext(connection) as queries:
        first = page_ids(parsed, filters, 0, 4)
    assert first == gin_first == expected[:4]
    assert page_ids(parsed, filters, 4, 8) == gin_second == expected[4:8]
    took_rum = any("<=|" in q["sql"] for q in queries.captured_queries)
    assert took_rum == (filters.occurred_from is None)


def test_the_index_serves_the_newest_first_order(with_rum):
    items = [ItemFactory(title=f"Clip {n}", body="crane" if n % 2 else "harbour") for n in range(20)]
    analyze()
    sql = (
        "SELECT item_id FROM discovery_searchdocument WHERE vector @@ plainto_tsquery('simple', 'crane') "  # noqa: S608 (constants)
        "AND " + rum.ONLY_RUM_SQL + " ORDER BY " + rum.NEWEST_FIRST_SQL + " LIMIT 3"
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a table this small would be read whole
        cursor.execute("EXPLAIN " + sql, [rum.MAX_ITEM_ID])
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute(sql, [rum.MAX_ITEM_ID])
        newest = [row[0] for row in cursor.fetchall()]
    assert f"Index Scan using {rum.INDEX_NAME}" in plan
    assert newest == [item.pk for item in reversed(items) if "crane" in item.body][:3]


def test_other_queries_cannot_use_the_rum_index(with_rum):
    """A nested loop probing the RUM index once per item walks a common word's whole posting
    tree each time (seconds at scale; the planner does pick it on big tables): the index is
    partial, on a condition that only the RUM path writes, so no other query can use it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [rum.INDEX_NAME])
        definition = cursor.fetchone()[0]
    assert definition.endswith("WHERE (item_id > 0)")
    ItemFactory(title="Crane", body="crane")
    for sort in ("relevance", "newest", "played", "voted", "occurred"):
        sql = str(search_items(anonymous_viewer(), "crane", sort=sort).query)
        assert 'item_id" > 0' not in sql
        assert "<=|" not in sql


def test_the_search_leaves_the_planner_settings_as_it_found_them(with_rum, settings):
    ItemFactory(title="Crane", body="crane")
    analyze()
    settings.SEARCH_RUM_MAX_PERCENT = 100
    page_ids(parse_query("crane"), SearchFilters())
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_bitmapscan")
        assert cursor.fetchone()[0] == "on"


def test_the_command_drops_and_makes_the_index(with_rum):
    out = StringIO()
    call_command("search_rum", "--drop", stdout=out)
    assert not rum.index_ready()
    assert "gone" in out.getvalue()
    call_command("search_rum", stdout=out)
    assert rum.index_ready()
    assert "in place" in out.getvalue()
