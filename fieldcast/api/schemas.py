"""Schemas every router shares: errors, pages, and the error responses to document."""

from __future__ import annotations

from ninja import Schema
from pydantic import Field


class FieldError(Schema):
    field: str = Field(..., description="The input at fault (a body field or query parameter); '' for the request.")
    message: str = Field(..., description="What is wrong and what to do about it.")


class ErrorOut(Schema):
    """Every error answer (4xx) has this shape."""

    detail: str = Field(..., examples=["This API token is read-only: make a token with the write scope at /me/tokens."])
    errors: list[FieldError] = Field(default_factory=list, description="Per-field problems (422 only).")


# The error answers to document on each kind of operation: `response={200: X, **READ_ERRORS}`.
READ_ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}
LIST_ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 422: ErrorOut, 429: ErrorOut}
WRITE_ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}


class Message(Schema):
    detail: str


CURSOR_DESCRIPTION = "Opaque cursor from a previous page's `next_cursor`; omit it for the first page."
LIMIT_DESCRIPTION = "Rows per page, 1 to 100."
