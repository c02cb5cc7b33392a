"""Rasa-side plugins checked in the Rasa venv itself (no running stack needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.rasa_venv import run_check

CHECKS = Path(__file__).resolve().parent / "rasa_checks.py"


@pytest.mark.parametrize(
    "check",
    [
        "validation",  # action responses are still validated like Rasa does, with its message
        "session",  # one kept-alive client session per endpoint instead of one per request
        "patches",  # one installer, refusing another Rasa minor version
    ],
)
def test_rasa_plugin_in_the_rasa_venv(check):
    run_check(CHECKS, check, timeout=120)
