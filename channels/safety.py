"""Input hygiene and the no-reply safeguard shared by our channels."""

import re
from typing import Any

# Longest message passed to the assistant; longer text is cut (the user is told).
MAX_MESSAGE_CHARS = 4000

UNAVAILABLE_TEXT = (
    "Sorry, the assistant is temporarily unavailable: its knowledge service did not "
    "answer. Nothing you typed was lost. Please try again in a minute."
)
EMPTY_TEXT = (
    "Your message was empty. Type a question about low-dose naltrexone (LDN), for example "
    '"What is the starting dose of LDN?"'
)
TRUNCATED_NOTE = "Note: your message was very long, so only its first {limit} characters were read."

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\ufeff]")


def clean_message(text: str) -> str:
    """Strip control and zero-width characters; fold runs of spaces and tabs. Line breaks
    stay: a pasted chart's "PMH:" lines, a signature block or a chat log are read by them."""
    for line_break in ("\r\n", "\r", "\u2028", "\u2029"):
        text = text.replace(line_break, "\n")
    text = _CONTROL.sub(" ", text)
    text = re.sub(r"[^\S\n]+", " ", text)
    text = re.sub(r" ?\n ?", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def prepare_message(raw: str) -> "tuple[str, bool]":
    """Returns (text to send to Rasa, whether it was truncated)."""
    text = clean_message(raw)
    if len(text) > MAX_MESSAGE_CHARS:
        return text[:MAX_MESSAGE_CHARS], True
    return text, False


def ensure_reply(messages: list[dict[str, Any]], recipient_id: str | None) -> list[dict[str, Any]]:
    """Every user turn gets a reply; none means an action failed (e.g. server down)."""
    if messages:
        return messages
    return [
        {"recipient_id": recipient_id, "text": UNAVAILABLE_TEXT},
        {"recipient_id": recipient_id, "custom": {"ldn_answer": 1, "kind": "unavailable"}},
    ]
