from __future__ import annotations

import datetime
import re
import zoneinfo
from typing import Any

from django import forms
from django.http import Http404
from django.utils import timezone

from fieldcast.channels.models import Channel
from fieldcast.channels.services import channels_fileable_by
from fieldcast.media.models import MediaAsset
from fieldcast.media.services.attach import assets_for_attach

from .models import CommentsMode, ContentFlag, DatePrecision, Item, Rating, Visibility
from .services import MAX_TAG_LENGTH, MAX_TAGS, tags_parse

_PUBLIC_ID_IN_TEXT = re.compile(r"(?:/v/|^)([0-9A-Za-z]{10})(?:[/?#]|$)")


def _coordinate_field(axis: str, limit: int, example: str, lead: str, negative: str) -> forms.FloatField:
    """An optional map-pin coordinate in decimal degrees, with messages that say which and why."""
    out_of_range = f"{axis.capitalize()} is between -{limit} and {limit} degrees."
    return forms.FloatField(
        required=False,
        min_value=-limit,
        max_value=limit,
        label=f"Pin {axis} (optional)",
        help_text=f"{lead}, e.g. {example} ({negative} is negative).",
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        error_messages={
            "invalid": f"Give the {axis} as a number of degrees, e.g. {example}.",
            "min_value": out_of_range,
            "max_value": out_of_range,
        },
    )


class ItemForm(forms.Form):
    """The owner's form for an item. Field names match item_create's arguments."""

    title = forms.CharField(
        max_length=200,
        error_messages={"required": "Give the item a title: what happened, where."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "auto"}),
    )
    body = forms.CharField(
        required=False,
        max_length=50_000,
        label="Article",
        widget=forms.Textarea(attrs={"rows": 10, "dir": "auto"}),
        help_text="Markdown. Explain what the footage shows; paste or link the news article.",
    )
    rating = forms.ChoiceField(
        choices=Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a rating: GA, PG or MA. MA items are shielded by Safe Mode."},
    )
    content_flags = forms.MultipleChoiceField(
        choices=ContentFlag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Content flags (optional)",
        help_text="Tick what the footage shows, so viewers know before they watch.",
        error_messages={"invalid_choice": "“%(value)s” is not one of the content flags: tick the boxes listed."},
    )
    content_warning = forms.CharField(
        required=False,
        max_length=200,
        label="Content warning (optional)",
        help_text="One line shown before the item, beside the rating and on the age check of MA items, "
        "e.g. “Bodies of victims are visible from 0:40”.",
        widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "off"}),
        error_messages={"max_length": "Keep the content warning to one line of at most %(limit_value)d characters."},
    )
    occurred_precision = forms.ChoiceField(
        choices=DatePrecision.choices, initial=DatePrecision.DAY, label="How exactly is the date known?"
    )
    occurred_on = forms.DateField(
        required=False,
        label="Occurred on",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="When the event happened (not when you post it).",
    )
    occurred_time = forms.TimeField(
        required=False, label="Time (optional)", widget=forms.TimeInput(attrs={"type": "time"})
    )
    occurred_tz = forms.CharField(
        required=False,
        max_length=64,
        label="Time zone (optional)",
        help_text="For example Europe/Kyiv or Asia/Damascus.",
    )
    source = forms.CharField(
        required=False,
        max_length=500,
        label="Source / credit",
        help_text="Who filmed it, and where it was first published.",
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    location_label = forms.CharField(
        required=False,
        max_length=200,
        label="Location",
        help_text="A place name, e.g. “Homs, Syria”: pick a suggestion or type any name (a valley, a road).",
        widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "off"}),
    )
    pin_latitude = _coordinate_field(
        "latitude", 90, "34.7324", "Where exactly it was filmed, in decimal degrees", "south"
    )
    pin_longitude = _coordinate_field("longitude", 180, "36.7137", "In decimal degrees", "west")
    tags = forms.CharField(
        required=False,
        max_length=1200,
        help_text=f"Separated by commas, up to {MAX_TAGS}.",
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    channels = forms.ModelMultipleChoiceField(
        queryset=Channel.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="File the item in channels that follow this story.",
    )
    assets = forms.CharField(
        required=False,
        widget=forms.HiddenInput,
        help_text="Public ids of the uploaded files, in order (filled in by the upload page).",
    )
    embeddable = forms.BooleanField(
        required=False,
        initial=True,
        label="Let other sites embed the player",
        help_text="News sites and blogs can show this item with an embed code.",
    )
    visibility = forms.ChoiceField(choices=Visibility.choices, initial=Visibility.PUBLIC, widget=forms.RadioSelect)
    comments_mode = forms.ChoiceField(
        required=False,  # left out (older clients, scripts): comments stay open
        choices=CommentsMode.choices,
        initial=CommentsMode.OPEN,
        widget=forms.RadioSelect,
        label="Who may comment",
        help_text="“Only members registered for some days” keeps out accounts made just to comment.",
    )
    comments_min_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=365,
        initial=7,
        label="Days a member must have been registered to comment",
        help_text="Used when only members registered for some days may comment (1 to 365).",
        error_messages={
            "min_value": "Give at least 1 day.",
            "max_value": "Give at most 365 days.",
            "invalid": "Give a number of days, e.g. 7.",
        },
    )

    def __init__(self, *args: Any, user: Any, item: Item | None = None, viewer: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.item = item
        self.viewer = viewer
        if item is None:  # only a new item can follow up another, and needs the terms agreed
            self.fields["follow_up_of"] = forms.CharField(
                required=False,
                max_length=300,
                label="Follow-up of (optional)",
                help_text="The link to an earlier item this one follows up, e.g. a later stage of the same event.",
                widget=forms.TextInput(attrs={"inputmode": "url", "autocomplete": "off"}),
            )
            self.fields["agree_terms"] = forms.BooleanField(
                label="I agree to the terms of use",
                error_messages={"required": "Agree to the terms of use to post: they say what may be posted here."},
            )
        self.fields["channels"].queryset = channels_fileable_by(user)  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, item: Item) -> dict[str, Any]:
        return {
            "title": item.title,
            "body": item.body,
            "rating": item.rating,
            "content_flags": list(item.content_flags or []),
            "content_warning": item.content_warning,
            "occurred_precision": item.occurred_precision,
            "occurred_on": item.occurred_on,
            "occurred_time": item.occurred_time,
            "occurred_tz": item.occurred_tz,
            "source": item.source,
            "location_label": item.location_label,
            "pin_latitude": item.pin_latitude,
            "pin_longitude": item.pin_longitude,
            "tags": ", ".join(t.name for t in item.tags.all()),
            "channels": list(item.channels.all()),
            "visibility": item.visibility,
            "embeddable": item.embeddable,
            "comments_mode": item.comments_mode,
            "comments_min_days": item.comments_min_days,
        }

    def clean_assets(self) -> list[MediaAsset]:
        public_ids = [p.strip() for p in self.cleaned_data.get("assets", "").split(",") if p.strip()]
        if not public_ids:
            return []
        return assets_for_attach(owner=self.user, public_ids=public_ids, item=self.item)

    def clean_follow_up_of(self) -> Item | None:
        from .access import Access, item_get_for_viewer

        raw = self.cleaned_data.get("follow_up_of", "").strip()
        if not raw:
            return None
        match = _PUBLIC_ID_IN_TEXT.search(raw)
        if match is None:
            raise forms.ValidationError("Paste the link to an item of this site (it contains /v/ and its id).")
        try:
            result = item_get_for_viewer(self.viewer, match.group(1))
        except Http404:
            raise forms.ValidationError(
                "No item you can see has this link: check it, or leave the field empty."
            ) from None
        if result.access not in (Access.SHOW, Access.INTERSTITIAL):
            raise forms.ValidationError("That item was removed or is under review: it cannot receive updates.")
        return result.item

    def clean_tags(self) -> list[str]:
        names = tags_parse(self.cleaned_data.get("tags", ""))
        if len(names) > MAX_TAGS:
            raise forms.ValidationError(f"Use at most {MAX_TAGS} tags (you gave {len(names)}).")
        too_long = [n for n in names if len(n) > MAX_TAG_LENGTH]
        if too_long:
            raise forms.ValidationError(
                f"Each tag can have at most {MAX_TAG_LENGTH} characters; shorten “{too_long[0][:60]}”."
            )
        return names

    def clean_comments_mode(self) -> str:
        return self.cleaned_data.get("comments_mode") or CommentsMode.OPEN

    def clean_comments_min_days(self) -> int:
        days = self.cleaned_data.get("comments_min_days")
        return 7 if days is None else days

    def clean_occurred_tz(self) -> str:
        tz = self.cleaned_data.get("occurred_tz", "").strip()
        if tz and tz not in zoneinfo.available_timezones():
            raise forms.ValidationError(f"“{tz}” is not a time zone name. Use one like Europe/Kyiv, or leave it empty.")
        return tz

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        precision = cleaned.get("occurred_precision")
        occurred_on: datetime.date | None = cleaned.get("occurred_on")
        if (
            precision
            and precision != DatePrecision.UNKNOWN
            and occurred_on is None
            and "occurred_on" not in self.errors
        ):
            self.add_error("occurred_on", "Give the date it occurred on, or choose “Unknown”.")
        pin = (cleaned.get("pin_latitude"), cleaned.get("pin_longitude"))
        if (pin[0] is None) != (pin[1] is None) and not {"pin_latitude", "pin_longitude"} & set(self.errors):
            missing = "pin_longitude" if pin[1] is None else "pin_latitude"
            self.add_error(missing, "Give both latitude and longitude for the pin, or leave both empty.")
        if occurred_on is not None:
            # A day's grace: in some time zones it is already tomorrow.
            latest = timezone.localdate() + datetime.timedelta(days=1)
            if occurred_on > latest:
                self.add_error("occurred_on", "The date it occurred on cannot be in the future.")
        return cleaned


class DeleteForm(forms.Form):
    confirm = forms.BooleanField(
        label="Yes, delete this item for good",
        error_messages={"required": "Tick the box to confirm: deleting cannot be undone."},
    )
