"""Running a check script inside the Rasa venv (Python 3.10) from a test in the actions venv.

Code that imports Rasa (channels, NLU components, Rasa plugins) is checked by small scripts
whose named checks raise on failure and print "checked" when they pass.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RASA_PYTHON = Path(os.environ.get("LDN_RASA_PYTHON", ROOT / ".venv" / "rasa" / "bin" / "python"))


def run_check(script: Path, check: str, timeout: int = 300) -> None:
    if not RASA_PYTHON.exists():
        pytest.skip(f"no Rasa venv at {RASA_PYTHON}: run `make envs`")
    result = subprocess.run(
        [str(RASA_PYTHON), "-W", "ignore", str(script), check],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "3",
        },
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0 and "checked" in result.stdout, (
        result.stdout[-2000:] + result.stderr[-2000:]
    )
