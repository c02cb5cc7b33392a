"""The intent classifier component, checked in the Rasa venv (it imports Rasa)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.rasa_venv import run_check

CHECKS = Path(__file__).resolve().parent / "classifier_checks.py"


@pytest.mark.parametrize(
    "check",
    [
        "mlp",  # numpy forward pass = scikit-learn's, averaged over seeds; persists
        "logistic",  # the logistic model still matches scikit-learn
        "config",  # bad settings refused
    ],
)
def test_classifier_in_the_rasa_venv(check):
    run_check(CHECKS, check)
