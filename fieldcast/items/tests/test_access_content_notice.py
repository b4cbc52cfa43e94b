"""Content flags and the uploader's one-line content warning: set in the item form,
shown near the rating badge, on the interstitial and on the embed's interstitial."""

from __future__ import annotations

import re

from django.urls import reverse

from fieldcast.core.testing.factories import ItemFactory
from fieldcast.items.models import Item
from fieldcast.items.tests.test_access_surfaces import viewer_client

ARABIC = "تظهر جثث الضحايا"


def form_data(**overrides):
    data = {
        "title": "Shelling of the old town",
        "body": "",
        "rating": "MA",
        "occurred_precision": "unknown",
        "visibility": "public",
        "agree_terms": "on",
        "content_flags": ["death_injury", "graphic_violence"],
        "content_warning": f"  Bodies visible   from 0:40 — {ARABIC}  ",
    }
    data.update(overrides)
    return data


def test_form_saves_flags_and_warning(client, member):
    client.force_login(member)
    form = client.get(reverse("items:new")).content.decode()
    assert 'name="content_flags"' in form
    assert 'name="content_warning"' in form
    assert "<legend>Content flags (optional)" in form
    assert 'for="id_content_warning"' in form  # labelled
    response = client.post(reverse("items:new"), form_data())
    assert response.status_code == 302
    item = Item.objects.get()
    assert item.content_flags == ["graphic_violence", "death_injury"]  # the form's order, once each
    assert item.content_warning == f"Bodies visible from 0:40 — {ARABIC}"


def test_form_errors_name_the_field(client, member):
    client.force_login(member)
    body = client.post(reverse("items:new"), form_data(content_flags=["gore"], content_warning="x" * 201)).content
    text = body.decode()
    assert "“gore” is not one of the content flags" in text
    assert "Keep the content warning to one line of at most 200 characters." in text
    assert not Item.objects.exists()


def test_edit_keeps_and_changes_them(client, member):
    item = ItemFactory(author=member, rating="MA", content_flags=["sexual"], content_warning="Nudity")
    client.force_login(member)
    form = client.get(reverse("items:edit", kwargs={"public_id": item.public_id})).content.decode()
    assert re.search(r'value="sexual"[^>]*checked', form)
    assert not re.search(r'value="language"[^>]*checked', form)
    assert 'value="Nudity"' in form
    data = form_data(content_flags=["language"], content_warning="")
    data.pop("agree_terms")
    response = client.post(reverse("items:edit", kwargs={"public_id": item.public_id}), data)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.content_flags == ["language"]
    assert item.content_warning == ""


def test_shown_near_the_badge_on_the_item_page_and_escaped(db):
    item = ItemFactory(rating="PG", content_flags=["language"], content_warning=f"<b>loud</b> {ARABIC}")
    body = viewer_client("guest").get(item.get_absolute_url()).content.decode()
    start = body.index('class="item-header"')
    header = body[start : body.index("</header>", start)]
    assert "Strong language" in header
    assert f"&lt;b&gt;loud&lt;/b&gt; {ARABIC}" in header
    assert 'dir="auto"' in header


def test_shown_on_the_interstitial_once(db):
    item = ItemFactory(rating="MA", content_flags=["graphic_violence"], content_warning=ARABIC)
    body = viewer_client("guest").get(item.get_absolute_url()).content.decode()
    assert body.count(ARABIC) == 1
    assert body.index(ARABIC) > body.index('class="interstitial"')


def test_nothing_shown_without_them(db):
    item = ItemFactory(rating="MA")
    body = viewer_client("guest").get(item.get_absolute_url()).content.decode()
    assert "content-notice" not in body
