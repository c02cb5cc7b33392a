import datetime as dt

import pytest

from ldn_core.extraction.dates import add_months, find_time_expressions

FRI = dt.date(2026, 11, 27)  # a Friday


def resolve(text: str, direction: str = "past", today: dt.date = FRI) -> dt.date | None:
    found = find_time_expressions(text)
    assert len(found) == 1, found
    return found[0].resolve(today, direction)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("3 days ago", dt.date(2026, 11, 24)),
        ("a week ago", dt.date(2026, 11, 20)),
        ("two weeks ago", dt.date(2026, 11, 13)),
        ("a couple of days ago", dt.date(2026, 11, 25)),
        ("2 months ago", dt.date(2026, 9, 27)),
        ("yesterday", dt.date(2026, 11, 26)),
        ("last night", dt.date(2026, 11, 26)),
        ("Sunday", dt.date(2026, 11, 22)),
        ("last Sunday", dt.date(2026, 11, 22)),
        ("on Friday", dt.date(2026, 11, 20)),  # today is Friday: the previous one
        ("on the 3rd", dt.date(2026, 11, 3)),
        ("on the 28th", dt.date(2026, 10, 28)),
        ("12 March", dt.date(2026, 3, 12)),
        ("March 12", dt.date(2026, 3, 12)),
        ("3/12", dt.date(2026, 3, 12)),  # US month/day
        ("12/3", dt.date(2026, 12, 3) - dt.timedelta(days=365)),  # 3 Dec, past -> 2025
        ("last week", dt.date(2026, 11, 22)),  # its Sunday (conservative)
        ("last month", dt.date(2026, 10, 31)),  # its last day (conservative)
        ("for 10 days", dt.date(2026, 11, 17)),
        ("2026-03-12", dt.date(2026, 3, 12)),
    ],
)
def test_past_expressions(text, expected):
    assert resolve(text, "past") == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("today", FRI),
        ("tonight", FRI),
        ("tomorrow", dt.date(2026, 11, 28)),
        ("in 2 weeks", dt.date(2026, 12, 11)),
        ("in ten days", dt.date(2026, 12, 7)),
        ("next week", dt.date(2026, 11, 30)),  # its Monday
        ("next month", dt.date(2026, 12, 1)),
        ("next Tuesday", dt.date(2026, 12, 1)),
        ("Sunday", dt.date(2026, 11, 29)),
        ("Friday", dt.date(2026, 12, 4)),  # today is Friday: the next one
        ("on the 3rd", dt.date(2026, 12, 3)),
        ("12 March", dt.date(2027, 3, 12)),
        ("12/14", dt.date(2026, 12, 14)),
    ],
)
def test_future_expressions(text, expected):
    assert resolve(text, "future") == expected


def test_relative_words_fix_their_own_direction():
    assert resolve("3 days ago", "future") == dt.date(2026, 11, 24)
    assert resolve("in 3 days", "past") == dt.date(2026, 11, 30)
    assert resolve("next Tuesday", "past") == dt.date(2026, 12, 1)


def test_year_boundary_past_and_future():
    jan2 = dt.date(2027, 1, 2)
    assert resolve("28 December", "past", jan2) == dt.date(2026, 12, 28)
    assert resolve("12/30", "past", jan2) == dt.date(2026, 12, 30)
    dec29 = dt.date(2026, 12, 29)
    assert resolve("Jan 5", "future", dec29) == dt.date(2027, 1, 5)
    assert resolve("on the 4th", "future", dec29) == dt.date(2027, 1, 4)
    assert resolve("next week", "future", dec29) == dt.date(2027, 1, 4)


def test_explicit_year_is_kept():
    assert resolve("March 12, 2025", "future") == dt.date(2025, 3, 12)
    assert resolve("3/12/25", "future") == dt.date(2025, 3, 12)


def test_invalid_dates_resolve_to_none():
    assert resolve("2/30", "past") is None


def test_dose_ratios_and_plain_words_are_not_dates():
    assert find_time_expressions("Percocet 5/325") == []
    assert find_time_expressions("20 weeks pregnant, may need opioids, sat with her") == []


def test_add_months_clamps_to_month_end():
    assert add_months(dt.date(2026, 3, 31), -1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 12, 15), 1) == dt.date(2027, 1, 15)


def test_month_only():
    assert resolve("in March", "future") == dt.date(2027, 3, 1)
    assert resolve("in October", "past") == dt.date(2026, 10, 31)
    assert resolve("in November", "past") == FRI
