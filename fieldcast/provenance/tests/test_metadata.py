from __future__ import annotations

import datetime

from fieldcast.provenance.metadata import facts_from_tags, parse_recorded_at


def test_phone_tags_become_facts():
    facts = facts_from_tags(
        {
            "com.apple.quicktime.location.ISO6709": "+48.8577+002.2950+035.000/",
            "com.apple.quicktime.make": "Apple",
            "com.apple.quicktime.model": "iPhone 15",
            "creation_time": "2024-05-01T12:00:00.000000Z",
            "encoder": "Lavf61.1.100",
        }
    )
    assert (facts.latitude, facts.longitude, facts.altitude) == (48.8577, 2.295, 35.0)
    assert (facts.make, facts.model, facts.encoder) == ("Apple", "iPhone 15", "Lavf61.1.100")
    assert facts.recorded_at == datetime.datetime(2024, 5, 1, 12, tzinfo=datetime.UTC)


def test_dates_in_other_shapes_and_unset_clocks():
    assert parse_recorded_at("2024:05:01 14:00:00") == datetime.datetime(2024, 5, 1, 14, tzinfo=datetime.UTC)
    offset = parse_recorded_at("2024-05-01T14:00:00+0200")
    assert offset == datetime.datetime(2024, 5, 1, 12, tzinfo=datetime.UTC)
    assert parse_recorded_at("1970-01-01T00:00:00Z") is None
    assert parse_recorded_at("yesterday") is None


def test_bad_locations_are_dropped():
    facts = facts_from_tags({"location": "+95.0000+200.0000/"})
    assert facts.latitude is None
    assert facts.longitude is None
