from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()


def described_by(field: BoundField) -> str:
    """Ids of the hint and the error message that explain a field (see _field.html)."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_helptext")
    if field.errors:
        ids.append(f"{field.auto_id}_error")
    return " ".join(ids)


@register.filter
def describedby(field: BoundField) -> str:
    return described_by(field)


@register.filter
def widget(field: BoundField) -> SafeString:
    """The field's input, tied to its hint and its error for screen readers."""
    ids = described_by(field)
    return field.as_widget(attrs={"aria-describedby": ids} if ids else None)
