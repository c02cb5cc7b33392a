"""The web chat through nginx in a real browser (Debian's Chromium, Playwright).

What a clinician's browser does in production: loads the page from the public port, gets the
affinity cookie, talks socket.io (polling, then the WebSocket upgrade) through nginx to one
replica, and keeps its conversation across a reload. Browser helpers: tests/live/browser.py.
"""

from __future__ import annotations

import re

import pytest

from tests.live.browser import ask, chromium_page, wait_connected
from tests.production.conftest import webchat_token

pytestmark = pytest.mark.production


def socketio_requests(access_log: str, affinity: str) -> list[tuple[str, str]]:
    """(status, upstream) of each socket.io request of one browser (the log has no queries)."""
    pattern = rf'"\S+ /socket\.io/" (\d{{3}}) .*upstream=(\S+) \S+ affinity={affinity}$'
    return re.findall(pattern, access_log, re.MULTILINE)


def test_webchat_through_nginx_stays_on_one_replica_and_survives_a_reload(prod, tmp_path):
    with chromium_page(tmp_path / "profile") as (page, errors):
        # The cookie the organisation's sign-in would set (LDN_WEBCHAT_JWT_KEY is on here).
        page.context.add_cookies(
            [{"name": "ldn_chat_token", "value": webchat_token(), "url": prod.rasa_url}]
        )
        page.goto(f"{prod.rasa_url}/webhooks/webchat/")
        assert page.title() == "LDN clinical assistant"
        wait_connected(page)
        cookies = {c["name"]: c["value"] for c in page.context.cookies()}
        affinity = cookies.get("ldn_affinity")
        assert affinity and re.fullmatch(r"[0-9a-f]{16,}", affinity), cookies

        ask(page, "what is the starting dose of LDN?", 0)
        answer = page.locator("#log .msg-bot").nth(0)
        assert "4.5 mg" in answer.inner_text()
        assert answer.locator(".references a[href]").count() >= 1

        page.reload()
        wait_connected(page)
        assert page.locator("#log .msg-bot").count() == 1, "the conversation survives a reload"
        ask(page, "and in MS?", 1)
        follow_up = page.locator("#log .msg-bot").nth(1).inner_text()
        assert re.search(r"\bMS\b|multiple sclerosis", follow_up, re.IGNORECASE), follow_up
        assert not errors, f"JavaScript errors: {errors}"

    requests_seen = socketio_requests((prod.log_dir / "nginx-access.log").read_text(), affinity)
    assert requests_seen, "the browser's socket.io requests are not in the access log"
    upstreams = {upstream for _, upstream in requests_seen}
    assert len(upstreams) == 1, f"one browser was served by {upstreams}"
    statuses = [status for status, _ in requests_seen]
    # (the token travels in the socket.io connect packet, so the access log never holds it)
    assert "101" in statuses, f"no WebSocket upgrade through nginx: {statuses}"
    assert set(statuses) <= {"101", "200"}, statuses


def test_webchat_without_sign_in_says_so(prod, tmp_path):
    with chromium_page(tmp_path / "profile") as (page, errors):
        page.goto(f"{prod.rasa_url}/webhooks/webchat/")
        page.wait_for_selector('#connection[data-state="disconnected"]')
        assert "Sign-in needed" in page.locator("#connection").inner_text()
        assert page.locator("#send").is_disabled()
        assert not errors, f"JavaScript errors: {errors}"
