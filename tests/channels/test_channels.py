"""The input channels' own checks, run in the Rasa venv (they import Rasa and sanic)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.rasa_venv import run_check

CHECKS = Path(__file__).resolve().parent / "channel_checks.py"


@pytest.mark.parametrize(
    "check",
    [
        "slack_signature",  # HMAC with the signing secret, timestamps under 5 minutes
        "slack_duplicates",  # one post or its retry answered once
        "static_files",  # nothing outside web/, hidden or of another kind is served
        "safety",  # control characters stripped, long text cut, every turn answered
        "rest_parse",  # malformed REST bodies refused with the reason
        "webchat_payload",  # no Slack rendering to the web chat
    ],
)
def test_channel_in_the_rasa_venv(check):
    run_check(CHECKS, check)
