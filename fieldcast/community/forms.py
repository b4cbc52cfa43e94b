from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms

if TYPE_CHECKING:
    from django.http import HttpRequest

    from fieldcast.items.models import Item


class CommentForm(forms.Form):
    body = forms.CharField(
        max_length=10_000,
        label="Your comment",
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
        error_messages={"required": "Write something before posting."},
        help_text="Markdown is supported.",
    )


def comment_form_for(request: HttpRequest, item: Item) -> CommentForm | None:
    """A blank form for members; guests get None and the call to register."""
    return CommentForm() if request.user.is_authenticated else None
