"""Rasa-side plugins checked in the Rasa venv itself (no running stack needed)."""

from __future__ import annotations

import subprocess

import pytest

from scripts.stack import ROOT
from tests.production.conftest import RASA_PYTHON

CHECKS = ROOT / "tests" / "production" / "rasa_checks.py"


@pytest.mark.parametrize(
    "check",
    [
        "validation",  # action responses are still validated like Rasa does, with its message
        "session",  # one kept-alive client session per endpoint instead of one per request
        "patches",  # one installer, refusing another Rasa minor version
    ],
)
def test_rasa_plugin_in_the_rasa_venv(check):
    result = subprocess.run(
        [RASA_PYTHON, "-W", "ignore", str(CHECKS), check],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "RASA_TELEMETRY_ENABLED": "false"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("checked")
