"""Counter moves. Always a single UPDATE with F(): never read-modify-write."""

from __future__ import annotations

from django.db.models import F
from django.db.models.expressions import Combinable
from django.db.models.functions import Greatest

from .models import COUNTER_FIELDS, Item


def item_counter_add(*, item_id: int, field: str, delta: int = 1) -> None:
    if field not in COUNTER_FIELDS:
        raise ValueError(f"{field} is not an item counter")
    expression: Combinable = F(field) + delta
    if delta < 0 and field != "vote_score":
        expression = Greatest(F(field) + delta, 0)
    Item.objects.filter(pk=item_id).update(**{field: expression})
