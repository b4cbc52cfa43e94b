"""/search: ranked full-text search with filters and sorts, and the header box's suggestions."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control

from fieldcast.channels.models import Channel
from fieldcast.core.pagecache import LIST, guest_page
from fieldcast.items.models import Item, Rating
from fieldcast.provenance.models import VerificationStatus

from .search import MAX_QUERY_LENGTH, SORTS, SearchFilters, parse_query, search_page_rows
from .snippets import search_suggestions, snippet

SEARCH_PAGES = 20  # deepest page offered; relevance ranks a bounded set of candidates anyway
COUNTRY_CODE = re.compile(r"^[A-Za-z]{2}$")
# The length filter: key -> (label, at least, less than) in seconds of the main video.
DURATIONS: dict[str, tuple[str, int | None, int | None]] = {
    "short": ("Under 1 minute", None, 60),
    "medium": ("1 to 5 minutes", 60, 300),
    "long": ("5 to 20 minutes", 300, 1200),
    "longer": ("Over 20 minutes", 1200, None),
}


class SearchForm(forms.Form):
    """The query string of /search. Invalid filters are reported and left out; the page
    still answers (a search never fails because of what is in the address)."""

    q = forms.CharField(
        label="Search for",
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "dir": "auto", "maxlength": MAX_QUERY_LENGTH}),
        help_text='All words must match. "Quoted words" match as a phrase; -word leaves out items with it.',
    )
    sort = forms.ChoiceField(label="Sort by", choices=list(SORTS.items()), required=False)
    rating = forms.ChoiceField(label="Rating", choices=[("", "Any rating"), *Rating.choices], required=False)
    channel = forms.CharField(label="Channel (its address)", required=False, max_length=80)
    tag = forms.CharField(label="Tag", required=False, max_length=50, widget=forms.TextInput(attrs={"dir": "auto"}))
    country = forms.CharField(
        label="Country code",
        required=False,
        help_text="Two letters, such as SY or UA.",
        widget=forms.TextInput(attrs={"maxlength": 2, "size": 3}),
    )
    place = forms.CharField(
        label="Place", required=False, max_length=200, widget=forms.TextInput(attrs={"dir": "auto"})
    )
    occurred_from = forms.DateField(
        label="Happened from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    occurred_to = forms.DateField(
        label="Happened until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    added_from = forms.DateField(label="Added from", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    added_to = forms.DateField(label="Added until", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    has_video = forms.BooleanField(label="Only items with a video", required=False)
    duration = forms.ChoiceField(
        label="Length of the video",
        choices=[("", "Any length"), *((key, label) for key, (label, _, _) in DURATIONS.items())],
        required=False,
    )
    verification = forms.ChoiceField(
        label="Verification", choices=[("", "Any status"), *VerificationStatus.choices], required=False
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=SEARCH_PAGES, widget=forms.HiddenInput)

    def __init__(self, data: Any) -> None:
        data = data.copy()
        if "q" in data:
            data["q"] = data.get("q", "").replace("\x00", "")[:MAX_QUERY_LENGTH]
        super().__init__(data)
        self.channel_obj: Channel | None = None

    def clean_country(self) -> str:
        value: str = self.cleaned_data.get("country") or ""
        if value and not COUNTRY_CODE.match(value):
            raise forms.ValidationError("Give the country as its two-letter code, such as SY or UA.")
        return value.upper()

    def clean_channel(self) -> str:
        slug: str = self.cleaned_data.get("channel") or ""
        if slug:
            self.channel_obj = Channel.objects.filter(slug=slug).first()
            if self.channel_obj is None:
                raise forms.ValidationError("There is no channel at this address.")
        return slug

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for start, end, what in (("occurred_from", "occurred_to", "happened"), ("added_from", "added_to", "added")):
            if data.get(start) and data.get(end) and data[start] > data[end]:
                self.add_error(end, f"The “until” date of when it {what} comes before the “from” date.")
        return data

    def value(self, name: str) -> Any:
        """A cleaned value, or nothing when it was invalid."""
        return self.cleaned_data.get(name) if name not in self.errors else None

    def filters(self) -> SearchFilters:
        def date(name: str) -> datetime.date | None:
            return self.value(name)

        return SearchFilters(
            rating=self.value("rating") or "",
            channel_id=self.channel_obj.pk if self.channel_obj and "channel" not in self.errors else None,
            tag_key=self.value("tag") or "",
            country=self.value("country") or "",
            place=self.value("place") or "",
            occurred_from=date("occurred_from") if "occurred_to" not in self.errors else None,
            occurred_to=date("occurred_to"),
            added_from=date("added_from") if "added_to" not in self.errors else None,
            added_to=date("added_to"),
            has_video=bool(self.value("has_video")),
            duration_min=DURATIONS[duration][1] if (duration := self.value("duration")) else None,
            duration_max=DURATIONS[duration][2] if duration else None,
            verification=self.value("verification") or "",
        )


@guest_page(LIST)
def search(request: HttpRequest) -> HttpResponse:
    viewer = request.viewer  # type: ignore[attr-defined]
    form = SearchForm(request.GET)
    form.is_valid()  # errors are shown beside their fields; valid filters still apply
    q = form.value("q") or ""
    parsed = parse_query(q)
    sort = form.value("sort") or "relevance"
    page_number = form.value("page") or 1
    filters = form.filters()
    size = settings.PAGE_SIZE
    results: list[Item] = []
    has_next = False
    if not parsed.is_empty or filters.any:
        offset = (page_number - 1) * size
        rows = search_page_rows(viewer, parsed, sort=sort, filters=filters, start=offset, stop=offset + size + 1)
        has_next = len(rows) > size and page_number < SEARCH_PAGES
        results = rows[:size]
        for item in results:
            doc = getattr(item, "search_doc", None)
            item.search_snippet = snippet(doc.body if doc else item.body, parsed.highlight)  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "q": q,
        "search_q": q,
        "parsed": parsed,
        "results": results,
        "searched": not parsed.is_empty or filters.any,
        "page_number": page_number,
        "next_page": page_number + 1 if has_next else None,
        "previous_page": page_number - 1 if page_number > 1 else None,
        "base_query": query.urlencode(),
        "sorts": SORTS,
        "sort": sort,
        "filters_open": filters.any or any(k in form.errors for k in form.fields if k != "q"),
    }
    return render(request, "discovery/search.html", context)


@cache_control(private=True, max_age=30)
def suggest(request: HttpRequest) -> HttpResponse:
    """<option>s for the header box's datalist: titles, tags and channels starting with `q`."""
    viewer = request.viewer  # type: ignore[attr-defined]
    q = request.GET.get("q", "")[:MAX_QUERY_LENGTH]
    suggestions = search_suggestions(viewer, q)
    return render(request, "discovery/_search_suggestions.html", {"suggestions": suggestions})
