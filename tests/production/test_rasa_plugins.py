"""Rasa-side plugins checked in the Rasa venv itself (no running stack needed)."""

from __future__ import annotations

import subprocess

from scripts.stack import ROOT
from tests.production.conftest import RASA_PYTHON

VALIDATION_CHECK = """
import rasa_plugins.tracker_store  # installs the validator
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
action = RemoteAction.__new__(RemoteAction)
ok = {"events": [{"event": "slot", "name": "topic", "value": "dosing"}],
      "responses": [{"text": "an answer", "custom": {"citations": [{"number": 1}]}}]}
assert action._validate_action_result(ok) is True
bad_results = (
    {"events": "not a list"},
    {"responses": ["not an object"]},
    {"events": [{"event": "no_such_event"}]},
)
for bad in bad_results:
    try:
        action._validate_action_result(bad)
    except ValidationError as error:
        assert "Failed to validate Action server response" in error.message
    else:
        raise AssertionError(f"accepted {bad}")
print("checked")
"""


def test_action_responses_are_still_validated_like_rasa_does():
    result = subprocess.run(
        [RASA_PYTHON, "-W", "ignore", "-c", VALIDATION_CHECK],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "RASA_TELEMETRY_ENABLED": "false"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("checked")
