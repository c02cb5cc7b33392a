"""The Slack app end to end: signed Events API requests to the running Rasa server, answers
recorded by a local fake Slack Web API (tests/live/fake_slack.py)."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
import uuid

import pytest
import requests

from tests.live.conftest import SLACK_SIGNING_SECRET

pytestmark = pytest.mark.live

BOT_USER = "U0LDNBOT"
CLINICIAN = "U0CLINIC"
CHANNEL = "C0LDNTEST"  # SLACK_CHANNEL of the session stack: message events there are accepted
LINK = re.compile(r"<(https?://[^|>]+)\|([^>]*)>")
QUIET_SECONDS = 4.0  # how long "nothing (more) was posted" is watched for


def new_ts() -> str:
    return f"{int(time.time())}.{uuid.uuid4().int % 1_000_000:06d}"


def event_body(
    text: str,
    ts: str,
    kind: str = "app_mention",
    event_id: str | None = None,
    thread_ts: str | None = None,
    channel: str = CHANNEL,
) -> dict:
    event = {
        "type": kind,
        "user": CLINICIAN,
        "text": f"<@{BOT_USER}> {text}",
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
    }
    if kind == "message":
        event["channel_type"] = "channel"
    if thread_ts:
        event["thread_ts"] = thread_ts
    return {
        "token": "legacy-verification-token",
        "team_id": "T0LDNTEAM",
        "api_app_id": "A0LDNAPP",
        "type": "event_callback",
        "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": int(float(ts)),
        "authorizations": [{"user_id": BOT_USER, "is_bot": True, "team_id": "T0LDNTEAM"}],
        "event": event,
    }


def sign(body: bytes, timestamp: int | None = None, secret: str = SLACK_SIGNING_SECRET) -> dict:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest}",
    }


class SlackClient:
    """Plays Slack's Events API against the running Rasa server."""

    def __init__(self, rasa_url: str, fake) -> None:
        self.url = f"{rasa_url}/webhooks/slack/webhook"
        self.fake = fake

    def deliver(self, body: dict, headers: dict | None = None, **sign_args) -> requests.Response:
        raw = json.dumps(body).encode()
        return requests.post(
            self.url, data=raw, headers={**sign(raw, **sign_args), **(headers or {})}, timeout=30
        )

    def thread_posts(self, thread_ts: str) -> list[dict]:
        return [p for p in self.fake.posts() if p.get("thread_ts") == thread_ts]

    def wait_thread(self, thread_ts: str, count: int = 1, timeout: float = 60) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.thread_posts(thread_ts)) < count:
            time.sleep(0.1)
        return self.thread_posts(thread_ts)

    def quiet(self, thread_ts: str) -> list[dict]:
        """Posts in the thread after QUIET_SECONDS more (catches late duplicates)."""
        time.sleep(QUIET_SECONDS)
        return self.thread_posts(thread_ts)


@pytest.fixture
def slack(stack, fake_slack) -> SlackClient:
    return SlackClient(stack.rasa_url, fake_slack)


def block_texts(post: dict) -> list[str]:
    texts = []
    for block in post.get("blocks") or []:
        if block["type"] == "section":
            texts.append(block["text"]["text"])
        elif block["type"] == "context":
            texts += [e["text"] for e in block["elements"]]
    return texts


def test_url_verification_challenge_is_echoed(slack):
    body = {
        "token": "x",
        "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
        "type": "url_verification",
    }
    response = slack.deliver(body)
    assert response.status_code == 200
    assert response.json() == {"challenge": body["challenge"]}


def test_signed_mention_is_answered_once_in_its_thread_with_cited_blocks(slack):
    ts = new_ts()
    response = slack.deliver(event_body("what is the starting dose of LDN?", ts))
    assert response.status_code == 200, response.text
    posts = slack.wait_thread(ts)
    assert len(posts) == 1, posts
    assert len(slack.quiet(ts)) == 1, "answered more than once"
    post = posts[0]
    assert post["channel"] == CHANNEL and post["thread_ts"] == ts
    assert post["text"], "a notification fallback text"
    assert post.get("unfurl_links") is False
    types = {b["type"] for b in post["blocks"]}
    assert {"section", "context", "divider"} <= types
    texts = block_texts(post)
    joined = "\n".join(texts)
    assert "1.5 mg" in joined and "4.5 mg" in joined
    links = [url for t in texts for url, _ in LINK.findall(t)]
    assert any(
        u.startswith(("https://doi.org/", "https://pubmed.ncbi.nlm.nih.gov/")) for u in links
    )
    assert "References" in joined and "Strength of evidence" in joined
    # Only Slack's three control characters are escaped, and nothing leaks raw.
    for text in texts:
        bare = LINK.sub("", text)
        assert "<" not in bare and ">" not in bare
    calls = [c for c in slack.fake.calls if c["body"].get("thread_ts") == ts]
    assert all(c["authorised"] for c in calls), "the bot token is sent as a Bearer token"


def test_follow_up_in_the_thread_keeps_the_context(slack):
    root = new_ts()
    slack.deliver(event_body("what is the starting dose of LDN?", root))
    assert len(slack.wait_thread(root)) == 1
    reply = new_ts()
    slack.deliver(event_body("and in MS?", reply, thread_ts=root))
    posts = slack.wait_thread(root, count=2)
    assert len(posts) == 2
    follow_up = "\n".join(block_texts(posts[1])).lower()
    assert "multiple sclerosis" in follow_up or " ms" in follow_up
    # Cited like every clinical answer (a reference has a link only where the dossier
    # verifies a DOI, PMID or URL).
    assert "references" in follow_up and "[1]" in follow_up


def test_bad_signature_is_rejected_and_nothing_is_posted(slack):
    ts = new_ts()
    response = slack.deliver(
        event_body("what is the starting dose of LDN?", ts), secret="not-the-secret"
    )
    assert response.status_code in (400, 401, 403)
    unsigned = requests.post(slack.url, json=event_body("hello", new_ts()), timeout=30)
    assert unsigned.status_code in (400, 401, 403)
    assert slack.quiet(ts) == []


def test_tampered_body_is_rejected(slack):
    ts = new_ts()
    raw = json.dumps(event_body("what is the starting dose of LDN?", ts)).encode()
    headers = sign(raw)
    tampered = raw.replace(b"starting dose", b"maximum dose!")
    response = requests.post(slack.url, data=tampered, headers=headers, timeout=30)
    assert response.status_code in (400, 401, 403)
    assert slack.quiet(ts) == []


def test_timestamp_older_than_five_minutes_is_rejected(slack):
    ts = new_ts()
    old = int(time.time()) - 6 * 60
    response = slack.deliver(event_body("what is the starting dose of LDN?", ts), timestamp=old)
    assert response.status_code in (400, 401, 403)
    assert slack.quiet(ts) == []


def test_mention_delivered_twice_and_retried_is_answered_once(slack):
    ts = new_ts()
    mention = event_body("what is the starting dose of LDN?", ts, kind="app_mention")
    message = event_body("what is the starting dose of LDN?", ts, kind="message")
    assert mention["event_id"] != message["event_id"]
    first = slack.deliver(mention)
    second = slack.deliver(message)
    retry = slack.deliver(
        mention, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    )
    assert [r.status_code for r in (first, second, retry)] == [200, 200, 200]
    assert len(slack.wait_thread(ts)) == 1
    posts = slack.quiet(ts)
    assert len(posts) == 1, f"answered {len(posts)} times"
    # A replay of the same signed event later (new signature, same event) is still ignored.
    assert slack.deliver(mention).status_code == 200
    assert len(slack.quiet(ts)) == 1


def test_bot_messages_and_edits_are_not_answered(slack):
    ts = new_ts()
    bot = event_body("what is the starting dose of LDN?", ts, kind="message")
    bot["event"]["bot_id"] = "B0LDNBOT"
    edit = event_body("what is the starting dose of LDN?", new_ts(), kind="message")
    edit["event"]["subtype"] = "message_changed"
    assert slack.deliver(bot).status_code == 200
    assert slack.deliver(edit).status_code == 200
    assert slack.quiet(ts) == []
    assert slack.thread_posts(edit["event"]["ts"]) == []


def test_mention_still_gets_a_reply_when_the_action_server_is_down(stack, slack):
    ts = new_ts()
    stack.stop_process("actions")
    try:
        assert slack.deliver(event_body("what is the starting dose of LDN?", ts)).status_code == 200
        posts = slack.wait_thread(ts)
    finally:
        stack.start_actions()
    assert len(posts) == 1
    assert "temporarily unavailable" in posts[0]["text"]
