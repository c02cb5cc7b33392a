"""Bad input never crashes anything and always gets a sensible reply."""

from __future__ import annotations

import pytest
import requests

pytestmark = pytest.mark.live


def post_raw(stack, body: bytes, content_type: str = "application/json") -> requests.Response:
    return requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": content_type},
        timeout=60,
    )


@pytest.mark.parametrize(
    "body, expected_error",
    [
        (b"{not json", "JSON"),
        (b"[1, 2, 3]", "object"),
        (b'{"sender": "x"}', "message"),
        (b'{"message": "hi"}', "sender"),
        (b'{"sender": "x", "message": 42}', "message"),
        (b'{"sender": "", "message": "hi"}', "sender"),
    ],
)
def test_malformed_requests_get_a_4xx_with_a_reason(stack, body, expected_error):
    response = post_raw(stack, body)
    assert 400 <= response.status_code < 500
    assert expected_error in response.json()["error"]


def test_oversized_body_is_rejected(stack):
    response = post_raw(stack, b'{"sender": "x", "message": "' + b"a" * 70_000 + b'"}')
    assert response.status_code == 413


def test_empty_message_gets_guidance(chat):
    text, _ = chat.ask("   ")
    assert "empty" in text.lower()


def test_ten_thousand_characters_get_a_reply_and_a_truncation_note(chat):
    text, _ = chat.ask("what is the starting dose of LDN? " * 300)
    assert "very long" in text
    assert len(text) > 100


@pytest.mark.parametrize(
    "message",
    [
        "💊💊💊 ???",
        "¿Cuál es la dosis inicial de naltrexona en dosis baja?",
        "低剂量纳曲酮的剂量是多少",
        "what is\x00 the\x07 dose\u200b of LDN\x1b?",
        "<script>alert(1)</script>",
        "' OR 1=1; DROP TABLE events; --",
    ],
)
def test_odd_input_gets_a_sensible_reply_without_a_stack_trace(chat, message):
    replies = chat.send(message)
    text = "\n".join(r.get("text") or "" for r in replies)
    assert text.strip(), "a reply is always sent"
    assert "Traceback" not in text and "Exception" not in text
