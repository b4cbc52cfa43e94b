from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

from fieldcast.provenance.models import VerificationStatus

register = template.Library()


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


@register.simple_tag
def verification_badge(status: str) -> str:
    label = VerificationStatus(status).label if status in VerificationStatus.values else status
    return format_html('<span class="badge verification verification-{}">{}</span>', status, label)


@register.filter
def listed_verification(item: Any) -> str:
    """The status a card shows beside the rating ("" for unverified): read only from what the
    list's query loaded (`ItemQuerySet.for_cards`), never with a query of its own."""
    verification = item._state.fields_cache.get("verification")
    if verification is None or verification.status == VerificationStatus.UNVERIFIED:
        return ""
    return str(verification.status)


@register.simple_tag
def copy_ranges(copy: Any) -> str:
    """The matching time ranges of a Copy, here and in the other item."""
    here_start, here_end, there_start, there_end = copy.ranges
    if copy.kind == "exact":
        return "the same file"
    return (
        f"{_clock(here_start)}–{_clock(here_end)} of this item match "
        f"{_clock(there_start)}–{_clock(there_end)} of the other"
    )
