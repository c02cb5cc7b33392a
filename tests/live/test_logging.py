"""Operators' logs must not carry patient text at the default (INFO) level."""

from __future__ import annotations

import time
import uuid

import pytest

pytestmark = pytest.mark.live


def test_patient_text_never_reaches_the_logs(stack, chat):
    marker = f"Zq{uuid.uuid4().hex[:12]}"
    chat.ask(f"pt {marker} with CRPS, stopped oxycodone 3 days ago, can I start LDN tonight?")
    chat.ask(f"what are the side effects of LDN for {marker}?")
    time.sleep(1)  # let both servers flush their log files
    for log_file in stack.log_dir.glob("*.log"):
        assert marker not in log_file.read_text(errors="replace"), f"patient text in {log_file}"
