"""The date the actions reason from: one place to read (and to patch in tests)."""

from __future__ import annotations

import datetime as dt


def today() -> dt.date:
    return dt.date.today()
