"""Checks of channels/ that must run in the Rasa venv (the channels import Rasa and sanic).

Run by tests/channels/test_channels.py as ``<rasa venv python> channel_checks.py NAME``; each
check raises on failure and prints "checked" when it passes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sys
import time
from types import SimpleNamespace

SECRET = "test-signing-secret"


def _signed(body: bytes, timestamp: int, secret: str = SECRET) -> SimpleNamespace:
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256)
    headers = {
        "X-Slack-Signature": f"v0={digest.hexdigest()}",
        "X-Slack-Request-Timestamp": str(timestamp),
    }
    return SimpleNamespace(headers=headers, body=body)


def slack_signature() -> None:
    """A request signed with the secret passes; another secret, a changed body or a
    timestamp over five minutes old does not."""
    from channels.slack import ClinicalSlackInput

    channel = ClinicalSlackInput.from_credentials(
        {"slack_token": "xoxb-test", "slack_signing_secret": SECRET}
    )
    body = json.dumps({"type": "event_callback", "event": {"text": "max dose?"}}).encode()
    now = int(time.time())
    assert channel.is_request_from_slack_authentic(_signed(body, now))
    assert not channel.is_request_from_slack_authentic(_signed(body, now, "another-secret"))
    tampered = _signed(body, now)
    tampered.body = body.replace(b"max", b"min")
    assert not channel.is_request_from_slack_authentic(tampered)
    assert not channel.is_request_from_slack_authentic(_signed(body, now - 6 * 60))


def slack_duplicates() -> None:
    """The app_mention and message events of one post, and a retry, are one delivery."""
    from channels.slack import DeliveryLog, delivery_keys

    post = {"channel": "C1", "ts": "1700000000.000100", "text": "<@U1> max dose?"}
    mention = {"event_id": "Ev1", "team_id": "T1", "event": {**post, "type": "app_mention"}}
    message = {"event_id": "Ev2", "team_id": "T1", "event": {**post, "type": "message"}}
    other = {"event_id": "Ev3", "team_id": "T1", "event": {**post, "ts": "1700000001.0"}}
    log = DeliveryLog()
    assert log.first_time(delivery_keys(mention))
    assert not log.first_time(delivery_keys(mention))  # a retry carries the same event_id
    assert not log.first_time(delivery_keys(message))  # same channel and ts
    assert log.first_time(delivery_keys(other))
    expiring = DeliveryLog(ttl=-1.0)  # everything older than now has expired
    assert expiring.first_time(["id:x"]) and expiring.first_time(["id:x"])


def static_files() -> None:
    """Only visible files of the served kinds under web/ are served."""
    from channels.webchat import WEB_DIR, static_file

    assert static_file("index.html") == WEB_DIR / "index.html"
    for refused in (
        "../README.md",
        "../channels/slack.py",
        "vendor/../../domain.yml",
        "/etc/passwd",
        "package.json",  # a file under web/, but not a served kind
        ".hidden.js",
        "missing.js",
        "",
    ):
        assert static_file(refused) is None, refused


def safety() -> None:
    """Control and zero-width characters go, long text is cut, and no turn goes unanswered."""
    from channels.safety import (
        MAX_MESSAGE_CHARS,
        UNAVAILABLE_TEXT,
        clean_message,
        ensure_reply,
        prepare_message,
    )

    assert clean_message("max\x00 dose\u200b of \t LDN ") == "max dose of LDN"
    # line breaks carry a pasted chart's structure: kept, blank runs folded
    assert clean_message("PMH: FM \r\n\n\n\nDH:\tsertraline") == "PMH: FM\n\nDH: sertraline"
    text, cut = prepare_message("x" * (MAX_MESSAGE_CHARS + 10))
    assert cut and len(text) == MAX_MESSAGE_CHARS
    assert prepare_message("  dose?  ") == ("dose?", False)
    reply = ensure_reply([], "dr-a")
    assert reply[0] == {"recipient_id": "dr-a", "text": UNAVAILABLE_TEXT}
    assert reply[1]["custom"]["kind"] == "unavailable"
    given = [{"recipient_id": "dr-a", "text": "answer"}]
    assert ensure_reply(given, "dr-a") is given


def rest_parse() -> None:
    """Malformed REST bodies get a 4xx with the reason; a good one passes through."""
    from channels.rest import MAX_BODY_BYTES, ClinicalRestInput

    def parse(body: bytes):
        return ClinicalRestInput.parse(SimpleNamespace(body=body))

    data, problem = parse(b'{"sender": "dr-a", "message": "max dose?"}')
    assert problem is None and data["message"] == "max dose?"
    for body, status, reason in (
        (b"not json", 400, "JSON"),
        (b"[]", 400, "object"),
        (b'{"sender": "dr-a"}', 400, "message"),
        (b'{"sender": 1, "message": "x"}', 400, "sender"),
        (b'{"sender": " ", "message": "x"}', 400, "sender"),
        (b"x" * (MAX_BODY_BYTES + 1), 413, "bytes"),
    ):
        data, problem = parse(body)
        assert data is None and problem.status == status, body[:40]
        assert reason in json.loads(problem.body)["error"], body[:40]


def webchat_payload() -> None:
    """The web chat never receives the Slack rendering."""
    from channels.webchat import _public_payload

    custom = {"ldn_answer": 1, "kind": "knowledge", "slack_blocks": [], "slack_text": "x"}
    assert _public_payload(custom) == {"ldn_answer": 1, "kind": "knowledge"}


CHECKS = {
    "slack_signature": slack_signature,
    "slack_duplicates": slack_duplicates,
    "static_files": static_files,
    "safety": safety,
    "rest_parse": rest_parse,
    "webchat_payload": webchat_payload,
}

if __name__ == "__main__":
    CHECKS[sys.argv[1]]()
    print("checked")
