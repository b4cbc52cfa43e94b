"""The takedown notice and the counter-notice: the elements 17 U.S.C. § 512 asks for."""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import urlsplit

from django import forms
from django.http import Http404
from django.urls import Resolver404, resolve

from fieldcast.items.access import Access, item_get_for_viewer
from fieldcast.items.models import Item

MAX_URLS = 20


def item_from_url(url: str, viewer: Any) -> Item | None:
    """The item a page address of this site names (any host: copies of links keep the path)."""
    path = urlsplit(url.strip()).path
    if not path:
        return None
    try:
        match = resolve(path if path.startswith("/") else f"/{path}")
    except Resolver404:
        return None
    public_id = match.kwargs.get("public_id")  # item pages, their sub-pages, the embed
    if not public_id:
        return None
    try:
        result = item_get_for_viewer(viewer, public_id)
    except Http404:
        return None
    if result.access is Access.REMOVED:
        return None
    return result.item


# The contact details and signature both notices ask for (the field names differ: they are the services' arguments).
def _full_name_field() -> forms.CharField:
    return forms.CharField(
        label="Your full name", max_length=200, widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "name"})
    )


def _address_field() -> forms.CharField:
    return forms.CharField(
        label="Postal address",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto", "autocomplete": "street-address"}),
    )


def _email_field() -> forms.EmailField:
    return forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": "Enter an email address like name@example.org."},
    )


def _phone_field() -> forms.CharField:
    return forms.CharField(
        label="Telephone number",
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )


def _signature_field() -> forms.CharField:
    return forms.CharField(
        label="Electronic signature",
        max_length=200,
        widget=forms.TextInput(attrs={"dir": "auto"}),
        help_text="Type your full name: it is your signature.",
    )


class _SignedForm(forms.Form):
    """A notice signed by typing again the full name given in the field `name_field`."""

    name_field: ClassVar[str]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        name, signature = data.get(self.name_field, ""), data.get("signature", "")
        if name and signature and signature.strip().casefold() != name.strip().casefold():
            self.add_error("signature", "Type your full name exactly as above to sign.")
        return data


class TakedownForm(_SignedForm):
    name_field = "claimant_name"

    claimant_name = _full_name_field()
    claimant_address = _address_field()
    claimant_email = _email_field()
    claimant_phone = _phone_field()
    copyrighted_work = forms.CharField(
        label="The copyrighted work",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
        help_text="Describe the work you own (or represent), with a link to it where it is published.",
    )
    infringing_urls = forms.CharField(
        label="The item page(s) on this site",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "ltr", "placeholder": "https://…/v/abc123XYZ0"}),
        help_text=f"The address of each item page, one per line (at most {MAX_URLS}).",
    )
    good_faith = forms.BooleanField(
        label="I have a good faith belief that the use of the material described is not authorised by the "
        "copyright owner, its agent, or the law.",
        error_messages={"required": "This statement is required for a copyright notice."},
    )
    accuracy_under_perjury = forms.BooleanField(
        label="The information in this notice is accurate, and under penalty of perjury, I am the owner, or "
        "authorised to act on behalf of the owner, of the exclusive right that is allegedly infringed.",
        error_messages={"required": "This statement is required for a copyright notice."},
    )
    signature = _signature_field()

    def __init__(self, *args: Any, viewer: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.viewer = viewer
        self.items: list[Item] = []

    def clean_infringing_urls(self) -> str:
        raw = self.cleaned_data["infringing_urls"]
        lines = [line.strip() for line in raw.splitlines() if line.strip()]
        if not lines:
            raise forms.ValidationError("Give the address of at least one item page.")
        if len(lines) > MAX_URLS:
            raise forms.ValidationError(f"At most {MAX_URLS} addresses per notice: send another notice for the rest.")
        items: dict[int, Item] = {}
        unknown = []
        for line in lines:
            item = item_from_url(line, self.viewer)
            if item is None:
                unknown.append(line)
            else:
                items.setdefault(item.pk, item)
        if unknown:
            raise forms.ValidationError(
                "These addresses are not item pages on this site (or the items are already removed): "
                + ", ".join(unknown[:5])
            )
        self.items = list(items.values())
        return "\n".join(lines)


class CounterNoticeForm(_SignedForm):
    name_field = "full_name"

    full_name = _full_name_field()
    address = _address_field()
    phone = _phone_field()
    email = _email_field()
    statement = forms.CharField(
        label="Why the item was disabled by mistake",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
        help_text="For example: you filmed it yourself, or you have the owner's permission.",
    )
    mistake_under_perjury = forms.BooleanField(
        label="I swear, under penalty of perjury, that I have a good faith belief that the material was removed "
        "or disabled as a result of mistake or misidentification of the material.",
        error_messages={"required": "This statement is required for a counter-notice."},
    )
    consent_to_jurisdiction = forms.BooleanField(
        label="I consent to the jurisdiction of the courts for my address (or, outside the United States, any "
        "judicial district where the service provider may be found), and will accept service of process from "
        "the person who sent the notice.",
        error_messages={"required": "This statement is required for a counter-notice."},
    )
    signature = _signature_field()

    def cleaned_data_for_service(self) -> dict[str, Any]:
        """The fields counter_notice_submit takes (the two statements are required to validate)."""
        data = dict(self.cleaned_data)
        data.pop("mistake_under_perjury")
        data.pop("consent_to_jurisdiction")
        return data
