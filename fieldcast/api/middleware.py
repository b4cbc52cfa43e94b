"""What every /api/v1/ answer gets besides its body:

- `ETag` on successful GETs (a hash of the body), and 304 Not Modified when the client's
  `If-None-Match` names it: a client polling an item pays no transfer for no change;
- `Vary: Authorization, Cookie`, since what a caller sees depends on who they are;
- CORS for reads when API_CORS_ORIGINS allows the requesting origin (never with
  credentials, never for writes).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers, set_response_etag

API_PREFIX = "/api/v1/"
READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def _allowed_origin(origin: str) -> str | None:
    allowed = settings.API_CORS_ORIGINS
    if not origin or not allowed:
        return None
    if "*" in allowed:
        return "*"
    return origin if origin in allowed else None


class ApiMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        origin = _allowed_origin(request.headers.get("Origin", ""))
        if request.method == "OPTIONS" and origin and request.headers.get("Access-Control-Request-Method"):
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response["Access-Control-Allow-Headers"] = "Authorization, If-None-Match, Content-Type"
            response["Access-Control-Max-Age"] = "86400"
        else:
            response = self.get_response(request)
            if request.method in ("GET", "HEAD") and response.status_code == 200 and not response.streaming:
                set_response_etag(response)
                response = get_conditional_response(request, etag=response["ETag"], response=response) or response
            patch_vary_headers(response, ("Authorization", "Cookie", "Origin"))
        if origin and request.method in READ_METHODS:
            response["Access-Control-Allow-Origin"] = origin
            response["Access-Control-Expose-Headers"] = "ETag, Retry-After"
        return response
