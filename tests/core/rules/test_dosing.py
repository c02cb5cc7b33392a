"""Titration schedules and dose checks."""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest

from ldn_core.rules.dosing import DosingError, build_schedule, check_dose

MONDAY = dt.date(2026, 3, 2)


def test_standard_schedule_dates_and_doses():
    s = build_schedule(MONDAY)
    assert [(r.step, r.start, r.end, r.dose_mg) for r in s.rows] == [
        (1, MONDAY, MONDAY + dt.timedelta(days=13), 1.5),
        (2, MONDAY + dt.timedelta(days=14), MONDAY + dt.timedelta(days=27), 3.0),
        (3, MONDAY + dt.timedelta(days=28), None, 4.5),
    ]
    assert s.target_reached_on == dt.date(2026, 3, 30)
    assert [r.liquid_ml for r in s.rows] == [1.5, 3.0, 4.5]
    assert s.warnings == ()
    assert {"dieckmann2017_review", "practice_dosing", "compounder_liquid"} <= set(s.sources)
    assert s.evidence == "very_low"
    assert "bedtime" in s.notes[0] and "1 mg/mL" in s.notes[1]


def test_schedule_across_year_end_and_leap_day():
    s = build_schedule(dt.date(2027, 12, 20))
    assert [r.start for r in s.rows] == [
        dt.date(2027, 12, 20),
        dt.date(2028, 1, 3),
        dt.date(2028, 1, 17),
    ]
    leap = build_schedule(dt.date(2028, 2, 15))
    assert leap.rows[0].end == dt.date(2028, 2, 28)
    assert leap.rows[1].start == dt.date(2028, 2, 29)


def test_low_start_schedule():
    s = build_schedule(MONDAY, variant="low_start")
    doses = [r.dose_mg for r in s.rows]
    assert doses == [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5]
    assert s.rows[1].start == MONDAY + dt.timedelta(days=7)
    assert "compounder_liquid" in s.sources


def test_low_start_with_one_mg_steps_every_fortnight_ends_exactly_on_target():
    s = build_schedule(MONDAY, variant="low_start", step_mg=1.0, interval_days=14, target_mg=4.0)
    assert [r.dose_mg for r in s.rows] == [0.5, 1.5, 2.5, 3.5, 4.0]
    assert s.rows[-1].start == MONDAY + dt.timedelta(days=56)


def test_liquid_volume_for_fractional_doses():
    s = build_schedule(MONDAY, variant="low_start", step_mg=0.75)
    assert [r.liquid_ml for r in s.rows] == [0.5, 1.25, 2.0, 2.75, 3.5, 4.25, 4.5]


def test_target_below_start_gives_single_row_with_warning():
    s = build_schedule(MONDAY, target_mg=1.0)
    assert [r.dose_mg for r in s.rows] == [1.0]
    assert s.rows[0].end is None
    assert s.warnings


def test_target_above_protocol_is_allowed_with_a_warning():
    s = build_schedule(MONDAY, target_mg=6)
    assert [r.dose_mg for r in s.rows] == [1.5, 3.0, 4.5, 6.0]
    assert any("outside the usual protocol" in w for w in s.warnings)
    assert "bruun2024_final" in s.sources


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"variant": "fast"}, "Unknown schedule"),
        ({"target_mg": 12}, "no LDN schedule"),
        ({"target_mg": 60}, "entry error"),
        ({"target_mg": 0}, "positive"),
        ({"target_mg": -1}, "positive"),
        ({"target_mg": math.nan}, "positive"),
        ({"step_mg": 3}, "step"),
        ({"step_mg": 0.25}, "step"),
        ({"variant": "low_start", "step_mg": 1.5}, "step"),
        ({"interval_days": 3}, "interval"),
        ({"interval_days": 30}, "interval"),
        ({"interval_days": 7.5}, "whole number"),
    ],
)
def test_invalid_requests_raise_readable_errors(kwargs, message):
    with pytest.raises(DosingError, match=message):
        build_schedule(MONDAY, **kwargs)


def test_start_must_be_a_date():
    with pytest.raises(DosingError, match="date"):
        build_schedule("2026-03-02")  # type: ignore[arg-type]
    with pytest.raises(DosingError, match="date"):
        build_schedule(dt.datetime(2026, 3, 2, 21, 0))


def test_schedule_to_dict_is_json_safe():
    d = build_schedule(MONDAY).to_dict()
    assert json.loads(json.dumps(d)) == d
    assert d["rows"][0]["start"] == "2026-03-02" and d["rows"][-1]["end"] is None
    assert d["target_reached_on"] == "2026-03-30"


@pytest.mark.parametrize("mg", [0, -1, -4.5, math.inf, math.nan, "4.5", None, True])
def test_check_dose_rejects_unusable_values(mg):
    with pytest.raises(DosingError, match="positive"):
        check_dose(mg)


@pytest.mark.parametrize("mg", [50.01, 60, 450])
def test_check_dose_rejects_absurd_doses(mg):
    with pytest.raises(DosingError, match="entry error") as info:
        check_dose(mg)
    assert info.value.rule_id == "dose_absurd"


@pytest.mark.parametrize(
    "mg, status",
    [
        (0.1, "below_usual"),
        (1.5, "below_usual"),
        (2.99, "below_usual"),
        (3, "usual"),
        (4.5, "usual"),
        (4.51, "above_protocol"),
        (5, "above_protocol"),
        (6, "above_protocol"),
        (9, "above_protocol"),
        (9.5, "not_low_dose"),
        (32, "not_low_dose"),
        (50, "not_low_dose"),
    ],
)
def test_check_dose_status(mg, status):
    assert check_dose(mg).status == status


def test_six_mg_message_cites_final_and_mayo_range():
    a = check_dose(6)
    assert a.outside_usual_protocol
    assert "outside the usual protocol" in a.message and "FINAL" in a.message
    assert "0.8 to 9 mg" in a.message
    assert {"bruun2024_final", "driver2023"} <= set(a.sources)
    assert json.loads(json.dumps(a.to_dict()))["status"] == "above_protocol"


def test_usual_dose_is_not_flagged():
    a = check_dose(4.5)
    assert not a.outside_usual_protocol and a.rule_id == "dose_usual"
