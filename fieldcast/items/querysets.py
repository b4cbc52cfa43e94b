"""Reads of items. Every visibility rule lives here and in items.access: no view
filters on lifecycle, visibility, moderation or rating by itself."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from fieldcast.moderation.viewer import Viewer

LISTED = Q(lifecycle="ready", visibility="public", moderation="ok")


class ItemQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def listed(self) -> ItemQuerySet:
        """Ready, public and not moderated: what lists, feeds and search may show."""
        return self.filter(LISTED)

    def visible_to(self, viewer: Viewer) -> ItemQuerySet:
        """Items this viewer may find in a list (home, channel, tag, user pages).

        Safe Mode with the `hide` policy drops MA items; with `blur` they stay
        listed and cards show a neutral placeholder instead of the thumbnail (the
        `shielded` template filter); with `show` cards keep the real thumbnail and
        the MA badge (items.access.may_see_thumbnail).
        """
        qs = self.listed()
        if viewer.hides_ma_in_lists:
            qs = qs.exclude(rating="MA")
        return qs

    def openable_by(self, viewer: Viewer) -> ItemQuerySet:
        """Items whose page this viewer may open with its content (link sharing
        included: unlisted items open; private and unfinished ones only for the
        author and staff; held, removed and disabled ones for staff and moderators,
        who review them). MA items are openable: their page shows the interstitial
        (items.access.decide)."""
        if viewer.is_staff:
            return self.all()
        shared = Q(lifecycle="ready", visibility__in=["public", "unlisted"])
        if not viewer.is_moderator:
            shared &= Q(moderation="ok")
        if viewer.is_authenticated:
            own = Q(author_id=viewer.user_id) & Q(moderation__in=["ok", "held"])
            return self.filter(shared | own)
        return self.filter(shared)

    def authored_by_for(self, author_id: int, viewer: Viewer) -> ItemQuerySet:
        """An author's items as this viewer may list them: all of them for the
        author and staff (with their states), the listed ones for everyone else."""
        qs = self.filter(author_id=author_id)
        if viewer.user_id == author_id:
            return qs.exclude(lifecycle="draft")
        if viewer.is_staff:  # every state, but Safe Mode's `hide` holds for staff too
            qs = qs.exclude(lifecycle="draft")
            return qs.exclude(rating="MA") if viewer.hides_ma_in_lists else qs
        return qs.visible_to(viewer)

    def held_for_review(self) -> ItemQuerySet:
        """The moderators' queue of held items (callers check the moderation permission)."""
        return self.filter(moderation="held").exclude(lifecycle="draft")

    def for_cards(self) -> ItemQuerySet:
        """What an item card needs, in one query (its verification status included:
        provenance.Verification, absent for unverified items)."""
        return self.select_related("author", "place", "verification")
