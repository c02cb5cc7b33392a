"""Finds time expressions in text and resolves them against ``today``.

No date library is installed in the project venv, so this is a small focused resolver
(python-dateutil's parser, or dateparser with ``RELATIVE_BASE``, would be preferable).
Conventions:
- Numeric dates are US month/day: "3/12" is 12 March; "2026-03-12" (ISO) is accepted too.
- A date without a year takes the year that puts it on the right side of ``today``: the
  latest such date on or before today for past events, the earliest on or after today for
  future events (so on 2 January, "28 December" in the past is last year's).
- A bare or "last" weekday in the past is the most recent one before today; a bare, "this"
  or "next" weekday in the future is the next one after today.
- Vague periods resolve to their conservative end: "next week"/"next month" -> first day,
  "last week" -> its Sunday, "last month" -> its last day.
- "for 10 days" (a duration, as in "opioid-free for 10 days") means since 10 days ago.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

Direction = Literal["past", "future"]

_WORDS = "one two three four five six seven eight nine ten eleven twelve".split()
NUMBER_WORDS = {word: i for i, word in enumerate(_WORDS, start=1)}
NUMBER_WORDS |= {"a": 1, "an": 1, "fourteen": 14, "a couple of": 2, "couple of": 2}
NUMBER_WORDS |= {"a couple": 2, "a few": 3, "few": 3, "several": 3}
UNIT_DAYS = {"day": 1, "week": 7, "fortnight": 14}
_DAY_NAMES = ["monday mon", "tuesday tue tues", "wednesday wed", "thursday thu thur thurs"]
_DAY_NAMES += ["friday fri", "saturday sat", "sunday sun"]
WEEKDAYS = {name: i for i, names in enumerate(_DAY_NAMES) for name in names.split()}
MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
MONTHS["sept"] = 9

_NUM = r"(\d{1,3}|" + "|".join(sorted(map(re.escape, NUMBER_WORDS), key=len, reverse=True)) + r")"
_UNIT = r"(days?|weeks?|wks?|fortnights?|months?|mos?|years?|yrs?)"
_WD = r"(" + "|".join(sorted(WEEKDAYS, key=len, reverse=True)) + r")\.?"
_MON = r"(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"

PATTERNS: list[tuple[str, str]] = [
    ("iso", r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b"),
    ("numeric", r"\b(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?\b"),
    ("ago", _NUM + r"\s+" + _UNIT + r"\s+(?:ago|back|earlier)\b"),
    ("in", r"\bin\s+" + _NUM + r"\s+" + _UNIT + r"(?:'?s)?(?:\s+time)?\b"),
    ("from_now", _NUM + r"\s+" + _UNIT + r"\s+from\s+(?:now|today)\b"),
    ("for", r"\bfor\s+(?:the\s+(?:last|past)\s+)?" + _NUM + r"\s+" + _UNIT + r"\b"),
    ("day_month", r"\b" + _DAY + r"(?:\s+of)?\s+" + _MON + r"(?:,?\s+(\d{4}))?\b"),
    ("month_day", r"\b" + _MON + r"\s+" + _DAY + r"(?:,?\s+(\d{4}))?\b"),
    ("weekday", r"\b(?:(last|this|next|coming|this coming|past|on)\s+)?" + _WD + r"\b"),
    ("period", r"\b(last|next|this|past)\s+(week|month|weekend)\b"),
    (
        "month_only",
        r"\b(?:in|by|early|mid|late|next|last|since|during)\s+(?:-\s*)?" + _MON + r"(?!\s*\d)\b",
    ),
    ("weekend", r"\b(?:over\s+|at\s+)?the\s+weekend\b"),
    ("day_of_month", r"\b(?:on\s+)?the\s+" + _DAY + r"\b"),
    (
        "word",
        r"\b(day after tomorrow|day before yesterday|today|tonight|this evening|this morning"
        r"|this afternoon|now|yesterday|last night|tomorrow)\b",
    ),
]
_COMPILED = [(kind, re.compile(pattern, re.I)) for kind, pattern in PATTERNS]
_WORD_OFFSETS = {
    "today": 0,
    "tonight": 0,
    "this evening": 0,
    "this morning": 0,
    "this afternoon": 0,
    "now": 0,
    "yesterday": -1,
    "last night": -1,
    "tomorrow": 1,
    "day after tomorrow": 2,
    "day before yesterday": -2,
}


@dataclass(frozen=True)
class TimeExpr:
    start: int  # character offsets in the text
    end: int
    kind: str
    groups: tuple[str | None, ...]

    @property
    def text_direction(self) -> Direction | None:
        """The direction the expression itself fixes ("3 days ago" is past), if any."""
        if self.kind in {"ago", "for"}:
            return "past"
        if self.kind in {"in", "from_now"}:
            return "future"
        if self.kind == "word":
            offset = _WORD_OFFSETS[self.groups[0].lower()]
            return "past" if offset < 0 else "future" if offset > 0 else None
        if self.kind in {"weekday", "period"} and self.groups[0]:
            q = self.groups[0].lower()
            return (
                "past"
                if q in {"last", "past"}
                else "future"
                if q in {"next", "coming", "this coming"}
                else None
            )
        return None

    def resolve(self, today: dt.date, direction: Direction = "past") -> dt.date | None:
        return _RESOLVERS[self.kind](self.groups, today, self.text_direction or direction)


def _count(word: str) -> int:
    word = word.lower()
    return int(word) if word.isdigit() else NUMBER_WORDS[word]


def _shift(today: dt.date, n: int, unit: str, sign: int) -> dt.date:
    unit = unit.lower().rstrip("s")
    if unit in {"month", "mo"}:
        return add_months(today, sign * n)
    if unit in {"year", "yr"}:
        return add_months(today, sign * 12 * n)
    days = UNIT_DAYS.get(unit, 7 if unit == "wk" else 1)
    return today + dt.timedelta(days=sign * n * days)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _pick_year(
    month: int, day: int, year: str | None, today: dt.date, direction: Direction
) -> dt.date | None:
    if year:
        y = int(year)
        return _safe_date(y + 2000 if y < 100 else y, month, day)
    candidate = _safe_date(today.year, month, day)
    if candidate is None:
        return None
    if direction == "past" and candidate > today:
        return _safe_date(today.year - 1, month, day)
    if direction == "future" and candidate < today:
        return _safe_date(today.year + 1, month, day)
    return candidate


def _weekday(groups, today: dt.date, direction: Direction) -> dt.date:
    qualifier, name = (groups[0] or "").lower(), groups[1].lower()
    target = WEEKDAYS[name]
    if direction == "past":
        back = (today.weekday() - target) % 7 or 7
        return today - dt.timedelta(days=back)
    ahead = (target - today.weekday()) % 7
    if ahead == 0 and qualifier != "this":
        ahead = 7
    return today + dt.timedelta(days=ahead)


def _period(groups, today: dt.date, direction: Direction) -> dt.date:
    qualifier, unit = groups[0].lower(), groups[1].lower()
    monday = today - dt.timedelta(days=today.weekday())
    if unit == "weekend":
        return _weekday((None, "sunday" if direction == "past" else "saturday"), today, direction)
    if unit == "week":
        if direction == "past":
            return monday - dt.timedelta(days=1) if qualifier in {"last", "past"} else today
        return monday + dt.timedelta(days=7) if qualifier == "next" else today
    first = today.replace(day=1)
    if direction == "past":
        return first - dt.timedelta(days=1) if qualifier in {"last", "past"} else today
    return add_months(first, 1) if qualifier == "next" else today


def _day_of_month(groups, today: dt.date, direction: Direction) -> dt.date | None:
    day = int(groups[0])
    for months in range(0, 13):
        step = -months if direction == "past" else months
        base = add_months(today.replace(day=1), step)
        candidate = _safe_date(base.year, base.month, day)
        if candidate and (
            (direction == "past" and candidate <= today)
            or (direction == "future" and candidate >= today)
        ):
            return candidate
    return None


def _month_only(groups, today: dt.date, direction: Direction) -> dt.date:
    """ "in March": first day of the next March (future), last day of the last one (past)."""
    month = MONTHS[groups[0].lower()]
    if month == today.month:
        return today
    if direction == "future":
        year = today.year + (month < today.month)
        return dt.date(year, month, 1)
    year = today.year - (month > today.month)
    return dt.date(year, month, calendar.monthrange(year, month)[1])


_RESOLVERS = {
    "iso": lambda g, t, d: _safe_date(int(g[0]), int(g[1]), int(g[2])),
    "numeric": lambda g, t, d: _pick_year(int(g[0]), int(g[1]), g[2], t, d),
    "ago": lambda g, t, d: _shift(t, _count(g[0]), g[1], -1),
    "in": lambda g, t, d: _shift(t, _count(g[0]), g[1], +1),
    "from_now": lambda g, t, d: _shift(t, _count(g[0]), g[1], +1),
    "for": lambda g, t, d: _shift(t, _count(g[0]), g[1], -1),
    "day_month": lambda g, t, d: _pick_year(MONTHS[g[1].lower()], int(g[0]), g[2], t, d),
    "month_day": lambda g, t, d: _pick_year(MONTHS[g[0].lower()], int(g[1]), g[2], t, d),
    "weekday": _weekday,
    "period": _period,
    "weekend": lambda g, t, d: _period(("this", "weekend"), t, d),
    "day_of_month": _day_of_month,
    "month_only": _month_only,
    "word": lambda g, t, d: t + dt.timedelta(days=_WORD_OFFSETS[g[0].lower()]),
}


def find_time_expressions(text: str) -> list[TimeExpr]:
    """All non-overlapping time expressions, longest first, in text order."""
    found: list[TimeExpr] = []
    for kind, regex in _COMPILED:
        for m in regex.finditer(text):
            if (
                kind == "weekday"
                and m.group(2).lower() in {"sun", "sat", "wed", "mon"}
                and m.group(2).islower()
            ):
                continue  # "sat", "wed", "sun" as ordinary words
            if any(m.start() < f.end and f.start < m.end() for f in found):
                continue
            found.append(TimeExpr(m.start(), m.end(), kind, m.groups()))
    return sorted(found, key=lambda f: f.start)
