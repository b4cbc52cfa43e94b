from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def avatar_url(person: Any, size: int = 256) -> str:
    """The address of a member's picture at `size` px ("" without one)."""
    if person is None or not getattr(person, "avatar_key", ""):
        return ""
    return str(person.avatar_url(int(size)))
