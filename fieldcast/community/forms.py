from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms

if TYPE_CHECKING:
    from django.http import HttpRequest

    from fieldcast.items.models import Item

MAX_COMMENT_LENGTH = 10_000


def _body_field(label: str) -> forms.CharField:
    return forms.CharField(
        max_length=MAX_COMMENT_LENGTH,
        label=label,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
        error_messages={
            "required": "Write something before posting.",
            "max_length": f"A comment can have at most {MAX_COMMENT_LENGTH:,} characters (it has %(show_value)d).",
        },
        help_text="Markdown is supported. Mention a member with @username.",
    )


class CommentForm(forms.Form):
    """A new comment, or with `parent` a reply. Its ids are unique on a page that
    shows several forms (one per reply)."""

    body = _body_field("Your comment")
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, parent_id: int | None = None, **kwargs: Any) -> None:
        if parent_id is not None:
            kwargs.setdefault("auto_id", f"id_reply{parent_id}_%s")
            kwargs.setdefault("initial", {"parent": parent_id})
        super().__init__(*args, **kwargs)
        self.parent_id = parent_id
        if parent_id is not None:
            self.fields["body"].label = "Your reply"

    @property
    def html_id(self) -> str:
        return f"reply-form-{self.parent_id}" if self.parent_id else "comment-form"


class CommentEditForm(forms.Form):
    body = _body_field("Edit comment")

    def __init__(self, *args: Any, comment_id: int, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_edit{comment_id}_%s")
        super().__init__(*args, **kwargs)


def comment_form_for(request: HttpRequest, item: Item) -> CommentForm | None:
    """A blank form for members; guests get None and the call to register."""
    return CommentForm() if request.user.is_authenticated else None
