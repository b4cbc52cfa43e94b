from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject

from .viewer import viewer_from_request


class ViewerMiddleware:
    """Attach `request.viewer`, built on first use (after the session user is known)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.viewer = SimpleLazyObject(lambda: viewer_from_request(request))  # type: ignore[attr-defined]
        response = self.get_response(request)
        # Pages differ by Safe Mode state and grants (cookies): any shared cache must
        # key on them. Added to whatever Vary the view set, never instead of it.
        patch_vary_headers(response, ("Cookie",))
        return response
