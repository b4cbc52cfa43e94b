"""Search: relevance, the index kept in step, filters, sorts, snippets, suggestions, bad input."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from fieldcast.core.testing.factories import ChannelFactory, ItemFactory, PlaceFactory, UserFactory, attach_video_rows
from fieldcast.discovery.models import SearchDocument
from fieldcast.discovery.search import (
    SearchFilters,
    parse_query,
    search_index_item,
    search_items,
    search_page_rows,
    search_reindex,
    search_unindex_item,
)
from fieldcast.discovery.snippets import highlight, search_suggestions, snippet
from fieldcast.items.models import Item
from fieldcast.items.services import item_update
from fieldcast.moderation.viewer import anonymous_viewer

pytestmark = pytest.mark.django_db


def titles(qs) -> list[str]:
    return [i.title for i in qs]


def test_title_match_outranks_body_match():
    body_item = ItemFactory(title="Street scene", body="Later the convoy crossed the bridge near the river.")
    title_item = ItemFactory(title="Convoy crosses the bridge", body="Footage from the morning.")
    found = list(search_items(anonymous_viewer(), "convoy"))
    assert [i.pk for i in found] == [title_item.pk, body_item.pk]
    assert found[0].search_rank > found[1].search_rank


def test_tag_match_finds_items_without_the_word_in_the_text():
    item = ItemFactory(title="Night footage", body="Lights over the hills.", tags=["Qalamoun"])
    ItemFactory(title="Other footage", body="Nothing to see.")
    assert titles(search_items(anonymous_viewer(), "qalamoun")) == [item.title]


def test_channel_and_place_names_are_searched():
    author = UserFactory()
    channel = ChannelFactory(name="Siege of Mariupol", owner=author)
    place = PlaceFactory(name="Yabroud", country_code="SY", country_name="Syria")
    in_channel = ItemFactory(author=author, title="Shelling at dawn", channels=[channel])
    at_place = ItemFactory(title="Market reopens", location_label="Yabroud")
    Item.objects.filter(pk=at_place.pk).update(place=place)
    search_index_item(item_id=at_place.pk)
    viewer = anonymous_viewer()
    assert titles(search_items(viewer, "mariupol")) == [in_channel.title]
    assert titles(search_items(viewer, "syria")) == [at_place.title]


def test_arabic_and_ukrainian_words_are_found():
    arabic = ItemFactory(title="قصف على حي الوعر في حمص", body="شهود عيان يصفون القصف")
    ukrainian = ItemFactory(title="Обстріл Харкова вночі", body="Свідки розповідають про вибухи.")
    viewer = anonymous_viewer()
    assert titles(search_items(viewer, "حمص")) == [arabic.title]
    assert titles(search_items(viewer, "القصف")) == [arabic.title]
    assert titles(search_items(viewer, "Харкова")) == [ukrainian.title]
    assert titles(search_items(viewer, "вибухи")) == [ukrainian.title]


def test_phrases_and_exclusions():
    a = ItemFactory(title="Protest in the old town square")
    b = ItemFactory(title="Old protest footage from the town hall")
    viewer = anonymous_viewer()
    assert titles(search_items(viewer, '"town square"')) == [a.title]
    assert titles(search_items(viewer, "protest -hall")) == [a.title]
    assert set(titles(search_items(viewer, "protest town"))) == {a.title, b.title}


def test_index_follows_edits():
    item = ItemFactory(title="Flooded road", body="Water everywhere.")
    viewer = anonymous_viewer()
    item_update(
        item=item, editor=item.author, title="Collapsed bridge", rating="GA", body="Concrete in the river.",
        occurred_on=None, occurred_precision="unknown", source="", location_label="", tags=["infrastructure"],
        channels=[], visibility="public",
    )  # fmt: skip
    assert titles(search_items(viewer, "flooded")) == []
    assert titles(search_items(viewer, "bridge")) == ["Collapsed bridge"]
    assert titles(search_items(viewer, "infrastructure")) == ["Collapsed bridge"]
    SearchDocument.objects.all().delete()
    assert search_reindex() == 1
    assert titles(search_items(viewer, "concrete")) == ["Collapsed bridge"]


def test_results_respect_the_access_layer(settings):
    ItemFactory(title="Checkpoint public")
    ItemFactory(title="Checkpoint private", visibility="private")
    ItemFactory(title="Checkpoint removed", moderation="removed")
    ItemFactory(title="Checkpoint processing", lifecycle="processing")
    ItemFactory(title="Checkpoint graphic", rating="MA")
    settings.SAFE_MODE_POLICY = "blur"  # Safe Mode on: MA stays listed, its card shielded
    assert set(titles(search_items(anonymous_viewer(), "checkpoint"))) == {"Checkpoint public", "Checkpoint graphic"}
    settings.SAFE_MODE_POLICY = "hide"
    page = Client().get(reverse("discovery:search"), {"q": "checkpoint"}).content.decode()
    assert "Checkpoint public" in page
    for hidden in ("private", "removed", "processing", "graphic"):
        assert f"Checkpoint {hidden}" not in page


def test_filters_and_sorts():
    author = UserFactory()
    channel = ChannelFactory(owner=author)
    old = ItemFactory(
        author=author, title="Rally one", rating="PG", tags=["election"], channels=[channel],
        occurred_on=datetime.date(2024, 3, 1), occurred_precision="day",
    )  # fmt: skip
    new = ItemFactory(author=author, title="Rally two", occurred_on=datetime.date(2025, 1, 1), occurred_precision="day")
    Item.objects.filter(pk=old.pk).update(plays_count=50, vote_score=1)
    Item.objects.filter(pk=new.pk).update(plays_count=5, vote_score=9)
    attach_video_rows(new)
    viewer = anonymous_viewer()
    assert titles(search_items(viewer, "rally", sort="newest")) == ["Rally two", "Rally one"]
    assert titles(search_items(viewer, "rally", sort="played")) == ["Rally one", "Rally two"]
    assert titles(search_items(viewer, "rally", sort="voted")) == ["Rally two", "Rally one"]
    assert titles(search_items(viewer, "rally", sort="occurred")) == ["Rally two", "Rally one"]
    f = SearchFilters
    assert titles(search_items(viewer, "rally", filters=f(rating="PG"))) == ["Rally one"]
    assert titles(search_items(viewer, "rally", rating="PG", tag_key="election")) == ["Rally one"]
    assert titles(search_items(viewer, "rally", filters=f(tag_key="ELECTION"))) == ["Rally one"]
    assert titles(search_items(viewer, "rally", filters=f(channel_id=channel.pk))) == ["Rally one"]
    assert titles(search_items(viewer, "rally", filters=f(has_video=True))) == ["Rally two"]
    assert titles(search_items(viewer, "rally", filters=f(occurred_to=datetime.date(2024, 12, 31)))) == ["Rally one"]
    assert titles(search_items(viewer, "rally", filters=f(occurred_from=datetime.date(2024, 12, 31)))) == ["Rally two"]
    today = datetime.date.today()
    assert len(search_items(viewer, "rally", filters=f(added_from=today, added_to=today))) == 2
    # Filters alone (no words) list the matching items, newest first; nothing at all finds nothing.
    assert titles(search_items(viewer, "", filters=f(tag_key="election"))) == ["Rally one"]
    assert titles(search_items(viewer, "")) == []


def test_country_and_place_filters():
    place = PlaceFactory(name="Kharkiv", country_code="UA", country_name="Ukraine")
    item = ItemFactory(title="Tram line repaired", location_label="Kharkiv")
    Item.objects.filter(pk=item.pk).update(place=place)
    ItemFactory(title="Tram line closed", location_label="Lviv")
    viewer = anonymous_viewer()
    assert titles(search_items(viewer, "tram", filters=SearchFilters(country="ua"))) == [item.title]
    assert titles(search_items(viewer, "tram", filters=SearchFilters(place="kharkiv"))) == [item.title]


def test_relevance_ranks_a_bounded_set_of_candidates(settings):
    settings.SEARCH_MAX_CANDIDATES = 3
    for n in range(5):
        ItemFactory(title=f"Common word {n}")
    assert len(search_items(anonymous_viewer(), "common")) == 3
    assert len(search_items(anonymous_viewer(), "common", sort="newest")) == 5


@pytest.mark.parametrize(
    ("sort", "filters"),
    [
        ("relevance", SearchFilters()),
        ("relevance", SearchFilters(occurred_from=datetime.date(2020, 1, 1))),
        ("relevance", SearchFilters(tag_key="port")),
        ("newest", SearchFilters()),
        ("voted", SearchFilters()),
    ],
)
def test_page_rows_keep_the_result_order_and_the_access_layer(sort, filters, settings, django_assert_num_queries):
    settings.SEARCH_MAX_CANDIDATES = 5
    settings.SEARCH_RUM_MAX_PERCENT = 0  # the GIN path (test_search_rum.py has the RUM one)
    viewer = anonymous_viewer()
    for n in range(7):
        item = ItemFactory(title=f"Harbour {n}" + " harbour" * (n % 3), body="harbour " * n, tags=["port"])
        Item.objects.filter(pk=item.pk).update(
            vote_score=n % 4, occurred_on=datetime.date(2024, 1, 1 + n), occurred_precision="day"
        )
    hidden = ItemFactory(title="Harbour private", visibility="private")
    parsed = parse_query("harbour")
    expected = [item.pk for item in search_items(viewer, parsed, sort=sort, filters=filters)]
    assert hidden.pk not in expected
    assert len(expected) == (5 if sort == "relevance" else 7)
    with django_assert_num_queries(4):  # the page's ids, its rows, their tags, their files
        rows = search_page_rows(viewer, parsed, sort=sort, filters=filters, start=1, stop=4)
        assert [row.search_doc.body for row in rows]  # loaded with the rows
        assert [link.tag.name for row in rows for link in row.tag_links.all()]
    assert [row.pk for row in rows] == expected[1:4]
    assert search_page_rows(viewer, parsed, sort=sort, filters=filters, start=10, stop=20) == []


def test_highlight_escapes_and_marks_only_the_words():
    out = highlight('<script>alert("x")</script> Convoy & CONVOY convoys', ["convoy"])
    assert "<script>" not in out
    assert "&lt;script&gt;" in out
    assert out.count("<mark>") == 2
    assert "<mark>CONVOY</mark>" in out
    assert "convoys" in out
    assert "<mark>convoys" not in out
    assert highlight("<b>", []) == "&lt;b&gt;"


def test_snippet_is_a_window_around_the_first_match():
    text = "word " * 200 + "the <em>target</em> here " + "tail " * 200
    out = snippet(text, ["target"])
    assert "<mark>target</mark>" in out
    assert "&lt;em&gt;" in out
    assert out.startswith("… ")
    assert out.endswith(" …")
    assert len(out) < 400


def test_search_page_shows_highlighted_escaped_snippets(django_assert_max_num_queries):
    for n in range(3):
        item = ItemFactory(title=f"Evacuation {n}", body=f"Buses `<b>leave</b>` the evacuation point {n}.", tags=["x"])
        attach_video_rows(item)
    client = Client()
    url = reverse("discovery:search")
    with django_assert_max_num_queries(12):
        response = client.get(url, {"q": "evacuation"})
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('<p class="search-snippet" dir="auto">') == 3
    assert "<mark>evacuation</mark>" in page
    assert "&lt;b&gt;leave&lt;/b&gt;" in page
    for n in range(3, 20):
        ItemFactory(title=f"Evacuation {n}", tags=["x", "y"])
    with django_assert_max_num_queries(12):
        response = client.get(url, {"q": "evacuation", "sort": "newest", "has_video": "on"})
    assert response.status_code == 200


def test_search_page_pages_through_results(settings):
    settings.PAGE_SIZE = 2
    for n in range(5):
        ItemFactory(title=f"Ferry {n}")
    client = Client()
    url = reverse("discovery:search")
    first = client.get(url, {"q": "ferry", "sort": "newest"}).content.decode()
    assert "Ferry 4" in first
    assert "Ferry 3" in first
    assert "Ferry 2" not in first
    assert "page=2" in first
    third = client.get(url, {"q": "ferry", "sort": "newest", "page": "3"}).content.decode()
    assert "Ferry 0" in third
    assert "More results" not in third


def test_invalid_filters_are_reported_not_fatal():
    ItemFactory(title="Harbour fire")
    response = Client().get(
        reverse("discovery:search"),
        {"q": "harbour", "country": "Syria", "channel": "no-such", "occurred_from": "2025-13-45",
         "added_from": "2025-02-01", "added_to": "2025-01-01", "sort": "bogus", "page": "-3", "rating": "XX"},
    )  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 200
    assert "two-letter code" in page
    assert "no channel at this address" in page
    assert "comes before the" in page
    assert "Harbour fire" in page  # the words still search; only invalid filters are left out


@pytest.mark.parametrize(
    "q",
    [
        "", "   ", '"', '""', "-", "--x", "*", "AND OR NOT", "a:b", "title:fire", "NEAR(a b)",
        "'; DROP TABLE items_item; --",
        "\x00", "fire\x00smoke", "()", "^a", "x" * 5000, "word " * 300, "%_%", "\\", "<script>alert(1)</script>",
        "!!!", "&|!", "a & b | !c <-> d", ":*", "'", "\u200f", "ـــ",
    ],
)  # fmt: skip
def test_odd_queries_give_a_normal_page(q):
    ItemFactory(title="Smoke over the port")
    response = Client().get(reverse("discovery:search"), {"q": q})
    assert response.status_code == 200
    assert len(parse_query(q).text) <= 200
    response = Client().get(reverse("discovery:suggest"), {"q": q})
    assert response.status_code == 200


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(max_size=300))
def test_any_query_is_answered(q):
    # search_items() and suggestions never raise, whatever the text (quotes, operators, NULs)
    list(search_items(anonymous_viewer(), q)[:5])
    search_suggestions(anonymous_viewer(), q)


def test_suggestions_offer_titles_tags_and_channels():
    author = UserFactory()
    ChannelFactory(name="Kherson front", owner=author)
    ItemFactory(author=author, title="Kherson ferry crossing", tags=["Kherson"])
    ItemFactory(title="Khartoum private", visibility="private", tags=["Khartoum"])
    response = Client().get(reverse("discovery:suggest"), {"q": "kher"})
    page = response.content.decode()
    assert 'value="Kherson ferry crossing"' in page
    assert 'label="Tag: Kherson"' in page
    assert 'label="Channel: Kherson front"' in page
    assert "Khartoum" not in Client().get(reverse("discovery:suggest"), {"q": "khar"}).content.decode()
    assert Client().get(reverse("discovery:suggest"), {"q": "k"}).content.decode().strip() == ""


def test_header_has_one_search_box():
    page = Client().get(reverse("home")).content.decode()
    assert page.count('role="search"') == 1
    assert '<label for="site-search-q"' in page


def test_the_search_vector_is_stored_on_postgresql():
    item = ItemFactory(title="Vector check")
    doc = SearchDocument.objects.get(item=item)
    if connection.vendor == "postgresql":
        assert doc.vector is not None
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT title FROM discovery_search_fts WHERE rowid = %s", [item.pk])
            assert cursor.fetchone() == ("Vector check",)


def test_search_reindex_command_rebuilds_the_index():
    from io import StringIO

    from django.core.management import call_command

    item = ItemFactory(title="Reindexed footage")
    search_unindex_item(item_id=item.pk)
    assert titles(search_items(anonymous_viewer(), "reindexed")) == []
    out = StringIO()
    call_command("search_reindex", stdout=out)
    assert "1 item indexed" in out.getvalue()
    assert titles(search_items(anonymous_viewer(), "reindexed")) == [item.title]
    call_command("search_reindex", str(item.pk), "--batch-size", "1", stdout=out)


def test_nul_characters_in_filters_are_reported():
    response = Client().get(reverse("discovery:search"), {"q": "x", "tag": "a\x00b", "place": "\x00"})
    assert response.status_code == 200
    assert "Null characters are not allowed" in response.content.decode()
