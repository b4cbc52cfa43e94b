"""What the journeys share: typed factories, logging in through the real form, screenshots, page checks."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from playwright.sync_api import Page, Route

from fieldcast.core.testing import factories
from fieldcast.core.testing.factories import PASSWORD

if TYPE_CHECKING:
    from fieldcast.accounts.models import User
    from fieldcast.channels.models import Channel
    from fieldcast.items.models import Item


# factory_boy types a factory call as the factory; these say what they build.
def make_item(**fields: Any) -> Item:
    return cast("Item", factories.ItemFactory(**fields))


def make_user(**fields: Any) -> User:
    return cast("User", factories.UserFactory(**fields))


def make_channel(**fields: Any) -> Channel:
    return cast("Channel", factories.ChannelFactory(**fields))


def login(page: Page, live_server: Any, user: Any) -> None:
    """Log in through the real allauth form, as a person would."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=login]").fill(user.username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form:has(input[name=password]) [type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login" not in url)
    # The header now names the member: the login really took.
    page.locator("header .user-link", has_text=user.username).wait_for()


def shot(page: Page, tmp_path: Path, name: str) -> Path:
    """A full-page screenshot into the test's tmp_path."""
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def no_horizontal_scroll(page: Page) -> tuple[int, int]:
    """(scrollWidth, viewport width) of the document."""
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def assert_clean(page: Page) -> None:
    """No uncaught script error, and nothing tried to leave the machine (except tiles)."""
    assert page.js_errors == [], f"JavaScript errors: {page.js_errors}"  # type: ignore[attr-defined]
    assert page.blocked_urls == [], f"Requests to other hosts: {page.blocked_urls}"  # type: ignore[attr-defined]


def hold_requests(page: Page, pattern: str) -> list[Route]:
    """Requests matching `pattern` wait, unanswered, in the returned list until
    `release` lets them go: a slow network, in a chosen order."""
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)

    page.route(pattern, hold)
    return held


def release(page: Page, held: list[Route], *, count: int = 1, timeout_ms: int = 5_000) -> None:
    """Let the held requests go, once `count` of them have been made."""
    waited = 0
    while len(held) < count:
        if waited >= timeout_ms:
            raise AssertionError(f"{count} request(s) expected, {len(held)} made")
        page.wait_for_timeout(50)  # lets Playwright deliver the route events
        waited += 50
    for route in held:
        route.continue_()
