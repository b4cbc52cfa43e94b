"""The API object: /api/v1/, its OpenAPI document and docs page, its error answers.

Each app contributes a router from `<app>/api.py`; they are mounted here. Every error
answer has the ErrorOut shape (schemas.py): `detail` says what went wrong and what to do,
`errors` lists per-field problems on 422.
"""

from __future__ import annotations

import math
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from .auth import READ_AUTH, AnonymousAuth
from .pagination import CursorError
from .throttling import ApiThrottle

DESCRIPTION = """
The Fieldcast REST API: items (footage with its article), channels, comments, votes,
favorites, follow-up updates, tags, places, members, reports, moderation and notifications.

**Authentication.** Send `Authorization: Bearer <token>` with a personal token made at
`/me/tokens` (scope `read` or `write`). Without one, public data may be read anonymously.
The site's own pages call the API with their session cookie and CSRF token.

**Safe Mode.** Anonymous callers always have Safe Mode on: MA items are listed with their
rating but carry no media URLs. A token inherits its owner's Safe Mode setting.

**Pages.** Every list is cursor-paginated: pass the `next_cursor` of one page as `cursor`
to get the next; `limit` sets the page size (1 to 100).

**Errors** have the shape `{"detail": "...", "errors": [{"field": "...", "message": "..."}]}`.
Over the rate limit the answer is 429 with `Retry-After` (seconds). Detail answers carry an
`ETag`; send it back as `If-None-Match` to get 304 when nothing changed.
"""


class FieldcastAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        """The document, with anonymous access shown where operations allow it: their
        security requirements include `{}` (credentials optional), as OpenAPI spells it."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        optional = {
            self.get_openapi_operation_id(op)
            for router in self._get_bound_routers()
            for view in router.path_operations.values()
            for op in view.operations
            if any(isinstance(cb, AnonymousAuth) for cb in (op.auth_callbacks or []))
        }
        for methods in schema.get("paths", {}).values():
            for details in methods.values():
                if details.get("operationId") in optional and {} not in details.setdefault("security", []):
                    details["security"].append({})
        return schema


api = FieldcastAPI(
    title="Fieldcast API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=READ_AUTH,
    throttle=[ApiThrottle()],
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def error(request: HttpRequest, status: int, detail: str, errors: list[dict[str, str]] | None = None) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "errors": errors or []}, status=status)


def _field_name(loc: Any) -> str:
    """`["body", "payload", "title"]` → "title", `["query", "limit"]` → "limit": the location
    dropped, never a field that happens to be called "body"."""
    parts = [str(p) for p in loc]
    if len(parts) > 2 and parts[0] in ("body", "form"):
        return ".".join(parts[2:])  # ["body", <the operation's parameter>, field, ...]
    if parts and parts[0] in ("body", "query", "path", "form", "header", "cookie", "file"):
        parts = parts[1:]
    return ".".join(parts)


@api.exception_handler(NinjaValidationError)
def _validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {"field": _field_name(e.get("loc", ())), "message": str(e.get("msg", "Invalid value."))} for e in exc.errors
    ]
    names = ", ".join(sorted({e["field"] for e in errors if e["field"]})) or "the request"
    return error(request, 422, f"Some input is not valid: {names}. See `errors` for each field.", errors)


@api.exception_handler(DjangoValidationError)
def _service_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    """A service refused the change (the same rules as the site's forms)."""
    if hasattr(exc, "error_dict"):
        errors = [
            {"field": "" if f == "__all__" else f, "message": m} for f, ms in exc.message_dict.items() for m in ms
        ]
    else:
        errors = [{"field": "", "message": m} for m in exc.messages]
    detail = errors[0]["message"] if len(errors) == 1 else "Some input is not valid: see `errors`."
    return error(request, 422, detail, errors)


@api.exception_handler(CursorError)
def _cursor(request: HttpRequest, exc: CursorError) -> HttpResponse:
    message = "This cursor did not come from this list: start again without `cursor`."
    return error(request, 422, message, [{"field": "cursor", "message": message}])


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    detail = str(exc) if str(exc) and not str(exc).startswith("No ") else "Not found, or not visible to you."
    return error(request, 404, detail)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error(request, 403, str(exc) or "You may not do this.")


@api.exception_handler(Throttled)
def _throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    response = error(request, 429, "Too many requests: wait for the number of seconds in Retry-After, then go on.")
    if exc.wait:  # an operation's own limit (api.throttling.limit_write); ninja sets it for ApiThrottle
        response["Retry-After"] = str(math.ceil(exc.wait))
    return response


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    detail = str(exc)
    if detail == "Unauthorized":
        detail = "Sign in first: send 'Authorization: Bearer <token>' with a token made at /me/tokens."
    return error(request, 401, detail)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error(request, exc.status_code, str(exc))


def _mount() -> None:
    from fieldcast.accounts.api import router as users
    from fieldcast.channels.api import router as channels
    from fieldcast.community.api import router as community
    from fieldcast.geo.api import router as places
    from fieldcast.items.api import router as items
    from fieldcast.media.api import router as media
    from fieldcast.moderation.api import router as moderation
    from fieldcast.notifications.api import router as notifications
    from fieldcast.player.api import router as player

    api.add_router("/", items)
    api.add_router("/", media)
    api.add_router("/", community)
    api.add_router("/", channels)
    api.add_router("/", places)
    api.add_router("/", users)
    api.add_router("/", moderation)
    api.add_router("/", notifications)
    api.add_router("/", player)


_mount()
