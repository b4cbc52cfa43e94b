"""The "hold new uploads for review" switch, read by items.services.item_create.

Kept apart from services.py so that the items app can import it without pulling in
the moderation services (which import items)."""

from __future__ import annotations

from typing import Any

from .models import SiteModerationSettings

HELD_NEW_UPLOAD_REASON = "New items are reviewed by moderators before they are shown."


def site_settings() -> SiteModerationSettings:
    settings_row, _ = SiteModerationSettings.objects.get_or_create(pk=1)
    return settings_row


def new_item_moderation(author: Any) -> dict[str, str]:
    """The moderation fields of a new item: held while the site holds new uploads
    (moderators' own items excepted), else nothing to change."""
    if not SiteModerationSettings.objects.filter(pk=1, hold_new_uploads=True).exists():
        return {}
    from .permissions import can_moderate

    if can_moderate(author):
        return {}
    return {"moderation": "held", "moderation_reason": HELD_NEW_UPLOAD_REASON}
