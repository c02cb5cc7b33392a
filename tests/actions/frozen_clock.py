"""The day the action tests run on, fixed so a run that spans midnight gives the same answers."""

from __future__ import annotations

import datetime as dt

# A Wednesday, so "Monday", "tomorrow" and "a week ago" all land in other weeks and months.
TODAY = dt.date(2026, 6, 10)
