from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from fieldcast.accounts.models import User
from fieldcast.core.text import clean_line, normalize_key, unicode_slug

from .banners import BANNER_HEIGHT, BANNER_MAX_BYTES, BANNER_WIDTH, banner_from_upload
from .models import Channel, Curator
from .querysets import DEFAULT_SORT, SORTS

# Addresses under /c/ that are pages, not channels; "user-" is how members' channels begin.
RESERVED_SLUGS = {"new", "feed", "me", "search", "admin", "api"}
RESERVED_PREFIXES = ("user-",)
_SLUG_TEXT = re.compile(r"^[-\w]+$")


class ChannelForm(forms.Form):
    """Create or edit a topic channel. Field names match channel_create's arguments."""

    name = forms.CharField(
        max_length=100,
        error_messages={"required": "Give the channel a name, e.g. the story it follows."},
        widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "off"}),
    )
    slug = forms.CharField(
        required=False,
        max_length=80,
        label="Address",
        help_text="The channel's link: /c/<address>. Leave it empty to make it from the name.",
        widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "off", "spellcheck": "false"}),
    )
    description = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6, "dir": "auto"}),
        help_text="Markdown. What the channel follows, and what belongs in it.",
    )
    banner = forms.FileField(
        required=False,
        label="Banner picture",
        help_text=(
            f"Optional. JPEG, PNG, WebP or GIF, up to {BANNER_MAX_BYTES // 1024 // 1024} MB; "
            f"cropped to {BANNER_WIDTH}×{BANNER_HEIGHT} (4:1) around its centre."
        ),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )

    def __init__(self, *args: Any, channel: Channel | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.channel = channel
        if channel is not None and channel.banner:
            self.fields["remove_banner"] = forms.BooleanField(required=False, label="Remove the current banner")

    @classmethod
    def initial_for(cls, channel: Channel) -> dict[str, Any]:
        return {"name": channel.name, "slug": channel.slug, "description": channel.description}

    def _others(self) -> Any:
        qs = Channel.objects.all()
        return qs.exclude(pk=self.channel.pk) if self.channel is not None else qs

    def clean_name(self) -> str:
        name = clean_line(self.cleaned_data.get("name", ""))
        if not name:
            raise forms.ValidationError("Give the channel a name, e.g. the story it follows.")
        if self._others().directory().filter(name_key=normalize_key(name)).exists():
            raise forms.ValidationError(f"A channel named “{name}” already exists: choose another name.")
        return name

    def clean_slug(self) -> str:
        raw = self.cleaned_data.get("slug", "").strip()
        if not raw:
            return ""
        slug = unicode_slug(raw)
        if not slug or not _SLUG_TEXT.match(slug):
            raise forms.ValidationError("Use letters, digits and hyphens for the address.")
        return slug

    def clean_banner(self) -> bytes | None:
        upload: UploadedFile | None = self.cleaned_data.get("banner")
        if not upload:
            return None
        return banner_from_upload(upload)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "slug" in self.errors or "name" not in cleaned:
            return cleaned
        slug = cleaned.get("slug") or unicode_slug(cleaned["name"])
        field_typed = bool(cleaned.get("slug"))
        if not slug:
            self.add_error("slug", "The name has no letters to make an address from: type an address.")
        elif slug in RESERVED_SLUGS or slug.startswith(RESERVED_PREFIXES):
            self.add_error("slug", f"The address “{slug}” is reserved: choose another.")
        elif self._others().filter(slug=slug).exists():
            if field_typed:
                self.add_error("slug", f"The address /c/{slug} is taken by another channel: choose another.")
            else:
                self.add_error(
                    "slug", f"The address made from the name, /c/{slug}, is taken by another channel: type another."
                )
        cleaned["slug"] = slug
        return cleaned


class InviteForm(forms.Form):
    username = forms.CharField(
        max_length=150,
        label="Member's username",
        help_text="They get a notification and accept or decline.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}),
        error_messages={"required": "Type the username of the member to invite."},
    )

    def __init__(self, *args: Any, channel: Channel, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.channel = channel

    def clean_username(self) -> User:
        name = self.cleaned_data["username"].strip().lstrip("@")
        user = User.objects.filter(username__iexact=name, is_active=True).first()
        if user is None:
            raise forms.ValidationError(f"No member is called “{name}”.")
        if user.pk == self.channel.owner_id:
            raise forms.ValidationError("The owner already curates this channel.")
        status = Curator.objects.filter(channel=self.channel, user=user).values_list("status", flat=True).first()
        if status == Curator.Status.ACCEPTED:
            raise forms.ValidationError(f"{user.username} already curates this channel.")
        if status == Curator.Status.INVITED:
            raise forms.ValidationError(f"{user.username} is already invited and has not answered yet.")
        return user


class FlagsForm(forms.Form):
    is_current_event = forms.BooleanField(required=False, label="Current event (a developing story)")
    is_featured = forms.BooleanField(required=False, label="Featured in the channel directory")


class DeleteForm(forms.Form):
    confirm = forms.BooleanField(
        label="Yes, delete this channel for good",
        error_messages={"required": "Tick the box to confirm: deleting cannot be undone."},
    )


class DirectoryForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=100,
        label="Search channels",
        widget=forms.TextInput(attrs={"type": "search", "dir": "auto"}),
    )
    sort = forms.ChoiceField(
        required=False,
        choices=[(key, label) for key, (label, _) in SORTS.items()],
        label="Sort by",
        initial=DEFAULT_SORT,
    )


class FileItemForm(forms.Form):
    """'Add to channel' on the item page: one of the channels the member may file in."""

    channel = forms.ModelChoiceField(
        queryset=Channel.objects.none(),
        label="Add to channel",
        empty_label="Choose a channel …",
        error_messages={
            "required": "Choose a channel to add the item to.",
            "invalid_choice": "You cannot add items to that channel.",
        },
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = Channel.objects.fileable_by(user).order_by("kind", "name_key")  # type: ignore[attr-defined]
