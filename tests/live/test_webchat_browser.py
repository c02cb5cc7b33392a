"""The web chat in a real browser: Debian's headless Chromium driven by Playwright.

Asks a question, checks the cited answer and that its citation link opens, asks a follow-up,
reloads and finds the conversation still there. Saves results/screenshots/webchat.png.
Browser helpers: tests/live/browser.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.live.browser import CITATION_URL, ask, chromium_page, wait_connected

pytestmark = pytest.mark.live

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "results" / "screenshots"


@pytest.fixture
def browser_page(stack, tmp_path):
    with chromium_page(tmp_path / "profile") as page_and_errors:
        yield page_and_errors


def test_webchat_question_citation_follow_up_and_reload(stack, browser_page):
    page, errors = browser_page
    page.goto(f"{stack.rasa_url}/webhooks/webchat/")
    assert page.title() == "LDN clinical assistant"
    wait_connected(page)

    # Visible medical disclaimer, labelled input, an announced conversation log.
    assert page.locator(".disclaimer").is_visible()
    assert "Medical disclaimer" in page.locator(".disclaimer").inner_text()
    assert page.get_by_role("log").get_attribute("aria-live") == "polite"
    assert page.evaluate("document.activeElement.id") == "message"

    ask(page, "what is the starting dose of LDN?", 0)
    answer = page.locator("#log .msg-bot").nth(0)
    text = answer.inner_text()
    assert "1.5 mg" in text and "4.5 mg" in text
    assert "Strength of evidence" in text
    assert answer.locator(".evidence-chip").count() >= 1
    assert page.evaluate("document.activeElement.id") == "message", "focus stays in the box"
    assert page.locator("#typing").is_hidden()

    # Numbered citations: inline [n] jumps to the reference, whose link opens the source.
    inline = answer.locator(".points .refs a").first
    target = inline.get_attribute("href")
    assert target and target.startswith("#cite-")
    inline.click()
    assert page.evaluate("location.hash") == target
    reference_links = answer.locator(".references a[href]")
    assert reference_links.count() >= 1
    hrefs = [reference_links.nth(i).get_attribute("href") for i in range(reference_links.count())]
    cited = [h for h in hrefs if CITATION_URL.match(h)]
    assert cited, f"no DOI/PubMed link among {hrefs}"
    link = answer.locator(f'.references a[href="{cited[0]}"]')
    assert link.get_attribute("rel") == "noopener noreferrer"
    with page.context.expect_page() as opened:
        link.click()
    source_page = opened.value
    source_page.wait_for_load_state()
    assert source_page.url.rstrip("/") == cited[0].rstrip("/")
    source_page.close()

    ask(page, "and in MS?", 1)
    follow_up = page.locator("#log .msg-bot").nth(1).inner_text()
    assert re.search(r"\bMS\b|multiple sclerosis", follow_up, re.IGNORECASE), follow_up
    before = page.locator("#log").inner_text()

    page.reload()
    wait_connected(page)
    assert page.locator("#log .msg-user").count() == 2
    assert page.locator("#log .msg-bot").count() == 2
    assert page.locator("#log").inner_text() == before
    assert page.locator("#log .msg-bot").nth(0).locator(".references a[href]").count() >= 1

    # The restored conversation, as the clinician sees it after the reload: the first answer
    # with its references (webchat.png), then the follow-up (webchat-followup.png).
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("document.querySelector('.conversation').scrollTop = 0")
    page.screenshot(path=str(SCREENSHOTS / "webchat.png"))
    page.evaluate("(c => c.scrollTo(0, c.scrollHeight))(document.querySelector('.conversation'))")
    page.screenshot(path=str(SCREENSHOTS / "webchat-followup.png"))

    # Still the same server-side conversation: the session id survived the reload.
    ask(page, "what about side effects?", 2)
    assert page.locator("#log .msg-bot").count() == 3
    assert not errors, f"JavaScript errors: {errors}"


def test_webchat_shows_reconnecting_until_the_server_is_reachable(stack, browser_page):
    page, errors = browser_page
    socket_io = re.compile(r".*/socket\.io/.*")
    page.route(socket_io, lambda route: route.abort())
    page.goto(f"{stack.rasa_url}/webhooks/webchat/")
    page.wait_for_selector('#connection[data-state="reconnecting"]')
    status = page.get_by_role("status").filter(has_text=re.compile("Retrying|Reconnecting"))
    assert status.count() == 1
    assert page.locator("#send").is_disabled(), "no sending into the void"
    page.unroute(socket_io)
    wait_connected(page)  # the client retries by itself (back-off up to 5 s)
    assert page.locator("#send").is_enabled()
    assert not errors, f"JavaScript errors: {errors}"


def test_webchat_says_unavailable_when_the_action_server_is_down(stack, browser_page):
    page, errors = browser_page
    page.goto(f"{stack.rasa_url}/webhooks/webchat/")
    wait_connected(page)
    stack.stop_process("actions")
    try:
        ask(page, "what is the starting dose of LDN?", 0)
        notice = page.locator("#log .msg-bot .notice")
        assert notice.count() == 1
        assert "temporarily unavailable" in notice.inner_text()
        assert page.locator("#typing").is_hidden()
    finally:
        stack.start_actions()
    assert not errors, f"JavaScript errors: {errors}"


def test_webchat_serves_its_own_assets_and_nothing_else(stack):
    import requests

    base = f"{stack.rasa_url}/webhooks/webchat"
    page = requests.get(f"{base}/", timeout=30)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "https://" not in page.text, "no CDN: every asset is local"
    for asset in ("chat.js", "chat.css", "vendor/socket.io.min.js"):
        assert requests.get(f"{base}/{asset}", timeout=30).status_code == 200, asset
    for private in ("package.json", "package-lock.json", "../README.md", "%2e%2e/README.md"):
        assert requests.get(f"{base}/{private}", timeout=30).status_code == 404, private
