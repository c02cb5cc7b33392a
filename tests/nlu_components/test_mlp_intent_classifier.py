"""The intent classifier component, checked in the Rasa venv (it imports Rasa)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECKS = ROOT / "tests" / "nlu_components" / "classifier_checks.py"
RASA_PYTHON = Path(os.environ.get("LDN_RASA_PYTHON", ROOT / ".venv" / "rasa" / "bin" / "python"))


@pytest.mark.parametrize(
    "check",
    [
        "mlp",  # numpy forward pass = scikit-learn's, averaged over seeds; persists
        "logistic",  # the logistic model still matches scikit-learn
        "config",  # bad settings refused
    ],
)
def test_classifier_in_the_rasa_venv(check):
    if not RASA_PYTHON.exists():
        pytest.skip(f"no Rasa venv at {RASA_PYTHON}: run `make envs`")
    result = subprocess.run(
        [str(RASA_PYTHON), "-W", "ignore", str(CHECKS), check],
        cwd=ROOT,
        env={
            "PYTHONPATH": str(ROOT),
            "PATH": "/usr/bin:/bin",
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "3",
        },
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0 and "checked" in result.stdout, result.stdout + result.stderr
