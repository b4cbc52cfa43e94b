"""Comments, live: a member comments and another replies without a page reload, votes,
edits; an injected <script> never runs and shows as text."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import assert_clean, login, make_item, make_user, shot
from playwright.sync_api import Page, expect

from fieldcast.community.models import Comment
from fieldcast.community.services import comment_create

pytestmark = [pytest.mark.slow, pytest.mark.browser]

INJECTED = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> look'


def test_comment_and_live_reply_without_reload(page: Page, live_server: Any, tmp_path: Path) -> None:
    item = make_item(title="Checkpoint queue at dawn")
    first = make_user(username="first_member")
    second = make_user(username="second_member")

    login(page, live_server, first)
    page.goto(item.get_absolute_url())
    page.evaluate("window.__notReloaded = true")
    comments = page.get_by_role("region", name=re.compile(r"^Comments"))
    page.get_by_label("Your comment").fill("The queue was **two kilometres** long. " + INJECTED)
    page.get_by_role("button", name="Post comment").click()

    comment = comments.locator(".comment").first
    expect(comment.locator(".comment-body strong")).to_have_text("two kilometres")
    expect(comment).to_be_focused()
    expect(page.get_by_role("heading", name="Comments (1)")).to_be_visible()
    expect(page.locator(".counters")).to_contain_text("Comments: 1")
    expect(page.get_by_label("Your comment")).to_have_value("")
    expect(page.get_by_text("No comments yet.")).to_have_count(0)
    assert page.evaluate("window.__notReloaded") is True
    # The script and the image's handler are gone; the words around them stay as text.
    expect(comment.locator(".comment-body")).to_contain_text("look")
    assert comment.locator(".comment-body script, .comment-body img").count() == 0
    assert page.evaluate("window.__pwned") is None
    shot(page, tmp_path, "1-commented")

    # The form refuses an empty comment in place, the message under the field.
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator("#comment-form .error")).to_have_text("Write something before posting.")
    expect(page.get_by_label("Your comment")).to_be_focused()

    # The second member answers, live.
    page.context.clear_cookies()
    login(page, live_server, second)
    page.goto(item.get_absolute_url())
    page.evaluate("window.__notReloaded = true")
    posted = Comment.objects.get()
    thread = page.locator(f"#comment-{posted.pk}")
    thread.locator(".comment-votes").get_by_role("button", name="Vote up").click()
    expect(thread.locator(".comment-votes .score").first).to_have_text(re.compile(r"^1"))
    expect(thread.get_by_role("button", name="Vote up")).to_have_attribute("aria-pressed", "true")
    thread.get_by_role("link", name="Reply").click()
    reply_box = page.get_by_label("Your reply")
    expect(reply_box).to_be_focused()
    reply_box.fill("I counted **three**, @first_member")
    page.get_by_role("button", name="Post reply").click()

    reply = thread.locator(".replies .comment").first
    expect(reply.locator(".comment-body strong")).to_have_text("three")
    expect(reply.get_by_role("link", name="@first_member")).to_have_attribute("href", "/u/first_member")
    expect(reply).to_be_focused()
    expect(page.get_by_label("Your reply")).to_have_count(0)
    expect(page.locator(".counters")).to_contain_text("Comments: 2")
    assert page.evaluate("window.__notReloaded") is True
    shot(page, tmp_path, "2-replied")

    # The author of the reply corrects it in place.
    reply.get_by_role("link", name="Edit").click()
    edit_box = page.get_by_label("Edit comment")
    expect(edit_box).to_be_focused()
    edit_box.fill("I counted **four**, @first_member")
    page.get_by_role("button", name="Save").click()
    expect(reply.locator(".comment-body strong")).to_have_text("four")
    expect(reply.locator(".edited")).to_have_text("edited")
    assert page.evaluate("window.__notReloaded") is True
    assert Comment.objects.get(parent=posted).body.startswith("I counted **four**")
    shot(page, tmp_path, "3-edited")
    assert_clean(page)


def test_folded_replies_open_and_a_permalink_finds_its_comment(page: Page, live_server: Any, tmp_path: Path) -> None:
    item = make_item(title="Bridge closed")
    author = make_user(username="talker")
    chain = [comment_create(item=item, author=author, body="level 0")]
    for depth in range(1, 4):
        chain.append(comment_create(item=item, author=author, body=f"level {depth}", parent=chain[-1]))
    page.goto(item.get_absolute_url())
    expect(page.get_by_text("level 3")).to_be_hidden()
    page.get_by_text("1 more reply").click()
    expect(page.get_by_text("level 3")).to_be_visible()

    page.goto(f"{item.get_absolute_url()}#comment-{chain[3].pk}")
    expect(page.get_by_text("level 3")).to_be_visible()
    expect(page.locator(f"#comment-{chain[3].pk}")).to_be_focused()
    shot(page, tmp_path, "permalink")
    assert_clean(page)


def test_plain_post_without_javascript(browser: Any, live_server: Any, transactional_db: None, tmp_path: Path) -> None:
    item = make_item(title="Power cut")
    member = make_user(username="nojs")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        login(page, live_server, member)
        page.goto(item.get_absolute_url())
        page.get_by_label("Your comment").fill("Whole district dark " + INJECTED)
        page.get_by_role("button", name="Post comment").click()
        page.wait_for_url(re.compile(r"#comment-\d+$"))
        expect(page.locator(".comment-body")).to_contain_text("Whole district dark")
        assert page.locator(".comment-body script").count() == 0
        shot(page, tmp_path, "no-js")
    finally:
        context.close()
