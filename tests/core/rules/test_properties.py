"""Property-based checks of the schedule and screening invariants."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from ldn_core.patient import OpioidExposure, PatientFacts
from ldn_core.rules.dosing import build_schedule
from ldn_core.rules.screening import Verdict, screen

dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 12, 31))
maybe_bool = st.sampled_from([None, True, False])


@st.composite
def schedule_args(draw):
    variant = draw(st.sampled_from(["standard", "low_start"]))
    max_step = 1.5 if variant == "standard" else 1.0
    step = draw(
        st.one_of(st.none(), st.sampled_from([0.5, 0.75, 1.0, 1.25, 1.5][: int(max_step * 4) - 1]))
    )
    interval = draw(st.one_of(st.none(), st.integers(min_value=7, max_value=14)))
    target = draw(
        st.one_of(st.none(), st.integers(min_value=1, max_value=90).map(lambda n: n / 10))
    )
    return variant, step, interval, target


@settings(max_examples=200, deadline=None)
@given(dates, schedule_args())
def test_schedule_never_exceeds_target_nor_steps_too_far(start, args):
    variant, step, interval, target = args
    s = build_schedule(start, variant, target_mg=target, step_mg=step, interval_days=interval)
    doses = [r.dose_mg for r in s.rows]
    assert doses[-1] == s.target_mg
    assert max(doses) <= s.target_mg
    assert all(0 < b - a <= s.step_mg + 1e-9 for a, b in zip(doses, doses[1:], strict=False))
    starts = [r.start for r in s.rows]
    assert starts[0] == start
    assert all(a < b for a, b in zip(starts, starts[1:], strict=False))
    assert all((b - a).days == s.interval_days for a, b in zip(starts, starts[1:], strict=False))
    day = dt.timedelta(days=1)
    assert all(r.end == nxt.start - day for r, nxt in zip(s.rows, s.rows[1:], strict=False))
    assert s.rows[-1].end is None
    assert all(abs(r.liquid_ml - r.dose_mg / s.concentration_mg_per_ml) < 0.006 for r in s.rows)


drug_names = st.sampled_from(
    [
        "oxycodone",
        "OxyContin",
        "tramadol",
        "methadone",
        "buprenorphine",
        "fentanyl",
        "codeine",
        "pholcodine",
        "loperamide",
        "Percocet",
        "morphine",
    ]
)


@st.composite
def exposures(draw, current):
    return OpioidExposure(
        drug=draw(drug_names),
        current=draw(current),
        last_dose=draw(st.one_of(st.none(), dates)),
        maintenance=draw(st.booleans()),
        long_acting=draw(maybe_bool),
    )


@st.composite
def facts(draw, force_current: bool):
    others = draw(st.lists(exposures(maybe_bool), max_size=3))
    if force_current:
        current = draw(exposures(st.just(True)))
        while current.drug == "loperamide":  # an antidiarrhoeal is not opioid use
            current = draw(exposures(st.just(True)))
        others.insert(draw(st.integers(0, len(others))), current)
    return PatientFacts(
        indication=draw(
            st.sampled_from([None, "fibromyalgia", "crps", "crohns", "multiple_sclerosis"])
        ),
        opioids=others,
        opioid_free=draw(maybe_bool),
        last_opioid_dose=draw(st.one_of(st.none(), dates)),
        procedure_planned=draw(maybe_bool),
        procedure_date=draw(st.one_of(st.none(), dates)),
        procedure_needs_opioids=draw(maybe_bool),
        liver_status=draw(
            st.sampled_from(
                [
                    None,
                    "normal",
                    "raised_lfts",
                    "acute_hepatitis",
                    "decompensated_cirrhosis",
                    "compensated_cirrhosis",
                ]
            )
        ),
        renal_impairment=draw(st.sampled_from([None, "none", "mild", "moderate", "severe"])),
        pregnant=draw(maybe_bool),
        breastfeeding=draw(maybe_bool),
        age_years=draw(st.one_of(st.none(), st.integers(0, 100))),
        on_naltrexone_bupropion=draw(maybe_bool),
        on_naltrexone_50mg=draw(maybe_bool),
        requested_start=draw(st.one_of(st.none(), dates)),
        requested_dose_mg=draw(st.one_of(st.none(), st.floats(-5, 100, allow_nan=False))),
    )


@settings(max_examples=200, deadline=None)
@given(facts(force_current=True), dates)
def test_current_opioid_use_never_yields_can_start(f, today):
    result = screen(f, today)
    assert result.verdict is Verdict.DO_NOT_START
    assert result.verdict is not Verdict.CAN_START


@settings(max_examples=200, deadline=None)
@given(facts(force_current=False), dates)
def test_screening_invariants(f, today):
    result = screen(f, today)
    if result.verdict is Verdict.CAN_START:
        assert not result.missing
        assert result.earliest_start == result.start_date >= today
        assert not any(r.severity in ("block", "review", "wait") for r in result.reasons)
    if result.earliest_start is not None:
        assert result.earliest_start >= today
    if result.missing and result.verdict is not Verdict.INSUFFICIENT_INFORMATION:
        assert result.verdict in (
            Verdict.DO_NOT_START,
            Verdict.NEEDS_SPECIALIST_REVIEW,
            Verdict.WAIT_UNTIL,
        )
    assert all(r.text and "{" not in r.text for r in result.reasons)
    assert set(result.questions) == set(result.missing) | set(result.to_confirm)
    result.to_dict()
