"""Places in the text: the matcher's rules, its precision on hand-labelled texts, storage, the hook."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fieldcast.core.text import normalize_key
from fieldcast.geo import extract
from fieldcast.geo.extract import Candidate, Gazetteer, item_places_done, item_places_extract, places_in_text
from fieldcast.geo.models import ItemPlace, Place, PlaceName

CASES = json.loads((Path(__file__).parent / "places_extract_cases.json").read_text(encoding="utf-8"))


def load_places() -> dict[str, Place]:
    places: dict[str, Place] = {}
    for row in CASES["places"]:
        place = Place.objects.create(
            name=row["name"], kind=row["kind"], country_code=row["cc"], latitude=row["lat"], longitude=row["lon"],
            population=row["pop"],
        )  # fmt: skip
        for alt in row["alt"]:
            PlaceName.objects.get_or_create(place=place, key=normalize_key(alt), defaults={"name": alt})
        places[f"{row['name']}|{row['cc']}"] = place
    return places


def labels(found) -> list[str]:  # type: ignore[no-untyped-def]
    by_id = {p.pk: f"{p.name}|{p.country_code}" for p in Place.objects.all()}
    return [by_id[f.candidate.place_id] for f in found]


@pytest.fixture
def gazetteer_rows(db):
    extract._cached = None
    return load_places()


def test_precision_and_recall_on_hand_labelled_texts(gazetteer_rows, capsys):
    true_pos = false_pos = false_neg = 0
    misses: list[str] = []
    for case in CASES["cases"]:
        got = set(labels(places_in_text(case["title"], case["body"])))
        expected = set(case["expected"])
        true_pos += len(got & expected)
        false_pos += len(got - expected)
        false_neg += len(expected - got)
        if got != expected:
            misses.append(
                f"  [{case['lang']}] {case['title']}: extra {sorted(got - expected)}, missed {sorted(expected - got)}"
            )
    precision = true_pos / max(1, true_pos + false_pos)
    recall = true_pos / max(1, true_pos + false_neg)
    with capsys.disabled():
        print(f"\nplaces in the text: {len(CASES['cases'])} texts, precision {precision:.2f}, recall {recall:.2f}")  # noqa: T201
        print("\n".join(misses))  # noqa: T201
    assert precision >= 0.9
    assert recall >= 0.8


def test_title_mentions_and_repeats_rank_first(gazetteer_rows):
    found = places_in_text("Shelling in Homs", "Homs again. A convoy left for Aleppo.")
    assert labels(found)[0] == "Homs|SY"
    assert found[0].mentions == 2
    assert found[0].matched_text == "Homs"


def test_whole_words_only_and_capitalised_in_latin(gazetteer_rows):
    assert labels(places_in_text("Homsville and Damascusroad", "")) == []
    assert labels(places_in_text("a report from homs", "")) == []
    assert labels(places_in_text("(Homs)", "")) == ["Homs|SY"]


def test_short_names_need_the_gazetteer_spelling(gazetteer_rows):
    assert labels(places_in_text("Of course", "")) == []  # "of" is common, and Turkey is not named
    assert labels(places_in_text("Fans from Of, Turkey", "")) == ["Of|TR", "Turkey|TR"]
    assert labels(places_in_text("Trade with the uk", "")) == []
    assert labels(places_in_text("Trade with the UK", "")) == ["United Kingdom|GB"]


def test_common_words_need_their_country(gazetteer_rows):
    assert labels(places_in_text("Police in March", "The Battle of the square.")) == []
    assert set(labels(places_in_text("Police, Poland", ""))) == {"Police|PL", "Poland|PL"}


def test_shared_names_go_to_the_named_country_then_the_most_populous(gazetteer_rows):
    assert labels(places_in_text("Tripoli", "")) == ["Tripoli|LY"]  # the most populous
    assert "Tripoli|LB" in labels(places_in_text("Tripoli", "Lebanon"))
    assert "Tripoli|LB" in labels(places_in_text("Tripoli and Beirut", ""))  # same country as Beirut
    assert labels(places_in_text("Córdoba", "")) == ["Córdoba|AR"]
    assert "Córdoba|ES" in labels(places_in_text("Cordoba", "Valencia"))


def test_diacritics_and_case_insensitive_alternate_names(gazetteer_rows):
    assert labels(places_in_text("Yabrud", "")) == ["Yabroud|SY"]
    assert labels(places_in_text("CIUDAD JUAREZ", "")) == ["Ciudad Juárez|MX"]


def test_arabic_proclitics_and_ukrainian_case_endings(gazetteer_rows):
    assert labels(places_in_text("وصلوا بدمشق", "")) == ["Damascus|SY"]
    assert labels(places_in_text("حمصي", "")) == []  # "from Homs" (an adjective) is another word
    assert labels(places_in_text("у Харкові", "")) == ["Kharkiv|UA"]
    assert labels(places_in_text("з Києва", "")) == ["Kyiv|UA"]
    assert labels(places_in_text("Харковянин", "")) == []


def test_small_places_are_not_looked_for(gazetteer_rows):
    assert labels(places_in_text("Smalltown", "")) == []


def test_empty_and_huge_texts(gazetteer_rows):
    assert places_in_text("", "") == []
    body = ("Homs " * 20_000) + "Aleppo"
    assert labels(places_in_text("", body)) == ["Homs|SY"]  # read up to MAX_TEXT


def test_gazetteer_is_cached_and_rebuilt_when_places_change(gazetteer_rows, django_assert_max_num_queries):
    first = extract.gazetteer()
    with django_assert_max_num_queries(2):
        assert extract.gazetteer() is first
    Place.objects.create(name="Newcity", country_code="SY", latitude=1, longitude=1, population=50_000)
    assert extract.gazetteer() is not first
    assert labels(places_in_text("Newcity", "")) == ["Newcity|SY"]


def test_build_works_without_a_database():
    homs = Candidate(1, "Homs", "city", "SY", 775404)
    gazetteer = Gazetteer.build([("Homs", homs, True), ("حمص", homs, False)])
    assert [f.candidate for f in gazetteer.find("حمص", "Homs")] == [homs]
    assert Gazetteer.build([]).find("Homs") == []


def test_item_places_are_stored_and_replaced(gazetteer_rows, item_factory, member):
    from fieldcast.items.services import item_update

    item = item_factory(author=member, title="Shelling in Homs", body="Smoke over Hama, Syria.")
    assert not item_places_done(item)
    item_places_extract(item_id=item.pk)
    rows = list(ItemPlace.objects.filter(item=item).select_related("place"))
    assert rows[0].place.name == "Homs"
    assert {r.place.name for r in rows} == {"Homs", "Hama", "Syria"}
    item.refresh_from_db()
    assert item_places_done(item)

    item = item_update(
        item=item, editor=member, title="Shelling in Aleppo", rating="GA", body="", occurred_on=None,
        occurred_precision=item.occurred_precision, source="", location_label="", tags=[], channels=[],
        visibility=item.visibility,
    )  # fmt: skip
    assert not item_places_done(item)
    item_places_extract(item_id=item.pk)
    assert [r.place.name for r in ItemPlace.objects.filter(item=item).select_related("place")] == ["Aleppo"]
    assert item_places_extract(item_id=10**9) == []


def test_saving_an_item_enqueues_the_extraction(db, member, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    from fieldcast.items.services import item_create

    with django_capture_on_commit_callbacks(execute=True):
        item = item_create(author=member, title="Report from Homs", rating="GA")
    queued = DBTaskResult.objects.filter(task_path="fieldcast.geo.tasks.extract_item_places", queue_name="default")
    assert [row.args_kwargs["args"] for row in queued] == [[item.pk]]


def test_the_task_runs_the_extraction(gazetteer_rows, item_factory, member):
    from fieldcast.geo.tasks import extract_item_places

    item = item_factory(author=member, title="Report from Homs")
    assert extract_item_places.call(item.pk) == 1
    assert ItemPlace.objects.filter(item=item, place__name="Homs").exists()
