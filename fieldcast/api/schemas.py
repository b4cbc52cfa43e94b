"""Schemas every router shares: errors, pages, and the error responses to document."""

from __future__ import annotations

from django.http import HttpResponse
from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field


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


class Out(BaseModel):
    """Base of output schemas that the code builds field by field (item cards, details): plain
    pydantic, without ninja's per-attribute Django getter, which is what an answer of a
    hundred cards spends most of its time in. (Input schemas stay ninja `Schema`s.)"""

    model_config = ConfigDict(from_attributes=True)


class Message(Schema):
    detail: str


CURSOR_DESCRIPTION = "Opaque cursor from a previous page's `next_cursor`; omit it for the first page."
LIMIT_DESCRIPTION = "Rows per page, 1 to 100."


def json_answer(obj: BaseModel, *, status: int = 200) -> HttpResponse:
    """`obj` as the answer's JSON body, for operations whose output is already a built (and so
    validated) schema object: ninja would validate it a second time, attribute by attribute,
    which costs more than the queries on a long list. The document still describes the
    answer (the operation's `response=`), and Schemathesis checks that they agree."""
    return HttpResponse(obj.model_dump_json(), status=status, content_type="application/json; charset=utf-8")
