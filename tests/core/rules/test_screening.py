"""Screening rules: verdicts, dates, reasons with sources, missing facts."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from ldn_core.patient import OpioidExposure, PatientFacts
from ldn_core.rules.dosing import build_schedule
from ldn_core.rules.screening import Verdict, screen
from tests.core.patients import clean_patient as clean

TODAY = dt.date(2026, 3, 10)
D = dt.timedelta


def stopped(drug: str, last: dt.date, **kw) -> PatientFacts:
    return clean(
        opioid_free=None, opioids=[OpioidExposure(drug, current=False, last_dose=last, **kw)]
    )


def ids(result) -> set[str]:
    return {r.rule_id for r in result.reasons}


def reason(result, rule_id):
    return next(r for r in result.reasons if r.rule_id == rule_id)


# ------------------------------------------------------------ acceptance examples


def test_acceptance_crps_oxycodone_stopped_three_days_ago():
    # The form was not given: the conservative day 10 is the earliest start, and the
    # form is listed to confirm.
    facts = PatientFacts(
        indication="crps",
        requested_start=TODAY,
        opioids=[OpioidExposure("oxycodone", current=False, last_dose=TODAY - D(days=3))],
    )
    result = screen(facts, TODAY)
    assert result.verdict is Verdict.WAIT_UNTIL
    assert result.earliest_start == TODAY + D(days=7)
    assert result.conservative_start == TODAY + D(days=7)
    assert "opioid_form:oxycodone" in result.to_confirm
    washout = reason(result, "opioid_washout_wait")
    assert "label_ntx_oral" in washout.sources
    assert "7-10" in washout.text and "day 3" in washout.text
    assert result.schedule_from == result.earliest_start
    assert [p.rule_id for p in result.path_forward] == ["path_washout_short", "path_start_low"]


def test_acceptance_crps_immediate_release_oxycodone_uses_day_seven():
    facts = PatientFacts(
        indication="crps",
        opioids=[
            OpioidExposure(
                "oxycodone", current=False, last_dose=TODAY - D(days=3), long_acting=False
            )
        ],
    )
    result = screen(facts, TODAY)
    assert result.verdict is Verdict.WAIT_UNTIL
    assert result.earliest_start == TODAY + D(days=4)
    assert result.conservative_start == TODAY + D(days=7)


def test_acceptance_fibromyalgia_opioid_free_can_start_and_schedule_reaches_target():
    facts = PatientFacts(
        indication="fibromyalgia",
        opioid_free=True,
        liver_status="normal",
        on_naltrexone_50mg=False,
        on_naltrexone_bupropion=False,
    )
    result = screen(facts, TODAY)
    assert result.verdict is Verdict.CAN_START
    assert result.earliest_start == TODAY and result.missing == []
    assert "indication_fibromyalgia" in ids(result)  # FINAL shown as information
    assert "bruun2024_final" in reason(result, "indication_fibromyalgia").sources
    schedule = build_schedule(result.earliest_start)
    assert schedule.rows[-1].dose_mg == 4.5


# ------------------------------------------------------------ clean patient


def test_clean_patient_can_start_with_only_otc_opioids_to_confirm():
    result = screen(clean(), TODAY)
    assert result.verdict is Verdict.CAN_START
    assert result.missing == [] and result.to_confirm == ["otc_opioids"]
    assert [u["group"] for u in result.unconfirmed] == ["opioid_products"]
    assert result.qualified
    assert result.hold_from is None and result.restart_note is None


def test_requested_start_in_future_is_screened():
    result = screen(clean(requested_start=TODAY + D(days=5)), TODAY)
    assert result.start_date == result.earliest_start == TODAY + D(days=5)


def test_requested_start_in_past_is_moved_to_today():
    assert screen(clean(requested_start=TODAY - D(days=5)), TODAY).start_date == TODAY


# ------------------------------------------------------------ opioid washout edges


@pytest.mark.parametrize(
    "days_since, verdict, rule_id",
    [
        (0, Verdict.WAIT_UNTIL, "opioid_washout_wait"),
        (6, Verdict.WAIT_UNTIL, "opioid_washout_wait"),
        (7, Verdict.CAN_START, "opioid_washout_window"),
        (9, Verdict.CAN_START, "opioid_washout_window"),
        (10, Verdict.CAN_START, "opioid_washout_complete"),
        (400, Verdict.CAN_START, "opioid_washout_complete"),
    ],
)
def test_short_acting_washout_day_counting(days_since, verdict, rule_id):
    last = TODAY - D(days=days_since)
    result = screen(stopped("tramadol", last, long_acting=False), TODAY)
    assert result.verdict is verdict
    assert rule_id in ids(result)
    assert result.conservative_start == last + D(days=10)
    if verdict is Verdict.WAIT_UNTIL:
        assert result.earliest_start == last + D(days=7)
    else:
        assert result.earliest_start == TODAY


def test_window_reason_gives_the_conservative_date():
    result = screen(stopped("codeine", TODAY - D(days=8), long_acting=False), TODAY)
    assert reason(result, "opioid_washout_window").severity == "caution"
    assert "Thu 12 Mar 2026" in reason(result, "opioid_washout_window").text  # day 10


@pytest.mark.parametrize(
    "last, earliest",
    [
        (dt.date(2026, 1, 28), dt.date(2026, 2, 4)),  # month boundary
        (dt.date(2026, 12, 28), dt.date(2027, 1, 4)),  # year boundary
        (dt.date(2028, 2, 25), dt.date(2028, 3, 3)),  # across a leap day
        (dt.date(2028, 2, 22), dt.date(2028, 2, 29)),  # landing on a leap day
    ],
)
def test_washout_dates_across_calendar_boundaries(last, earliest):
    result = screen(stopped("oxycodone", last, long_acting=False), last + D(days=1))
    assert result.verdict is Verdict.WAIT_UNTIL
    assert result.earliest_start == earliest
    assert result.conservative_start == last + D(days=10)


def test_several_opioids_the_latest_washout_wins():
    facts = clean(
        opioid_free=None,
        opioids=[
            OpioidExposure(
                "tramadol", current=False, last_dose=TODAY - D(days=5), long_acting=False
            ),
            OpioidExposure(
                "codeine", current=False, last_dose=TODAY - D(days=2), long_acting=False
            ),
        ],
    )
    result = screen(facts, TODAY)
    assert result.earliest_start == TODAY + D(days=5)


def test_form_unstated_warns_for_drugs_with_long_acting_forms():
    result = screen(stopped("oxycodone", TODAY - D(days=12)), TODAY)
    assert "opioid_form_unstated" in ids(result)
    assert "OxyContin" in reason(result, "opioid_form_unstated").text
    explicit = screen(stopped("oxycodone", TODAY - D(days=12), long_acting=False), TODAY)
    assert "opioid_form_unstated" not in ids(explicit)
    assert "opioid_form_unstated" not in ids(
        screen(stopped("meperidine", TODAY - D(days=12)), TODAY)
    )


def test_brand_name_in_exposure_is_understood():
    result = screen(stopped("OxyContin", TODAY - D(days=20)), TODAY)
    assert result.verdict is Verdict.NEEDS_SPECIALIST_REVIEW
    assert "opioid_stopped_long_acting" in ids(result)
    assert "oxycodone" in reason(result, "opioid_stopped_long_acting").text


# ------------------------------------------------------------ current use, long-acting, maintenance


@pytest.mark.parametrize("drug", ["oxycodone", "tramadol", "fentanyl", "OxyContin", "pholcodine"])
def test_current_opioid_use_is_do_not_start(drug):
    facts = clean(opioid_free=None, opioids=[OpioidExposure(drug, current=True)])
    result = screen(facts, TODAY)
    assert result.verdict is Verdict.DO_NOT_START
    assert "label_ntx_oral" in reason(result, "opioid_current").sources
    assert result.earliest_start is None


def test_current_use_with_planned_stop_gives_future_dates_as_information():
    last = TODAY + D(days=4)
    facts = clean(
        opioid_free=None, opioids=[OpioidExposure("tramadol", current=True, last_dose=last)]
    )
    result = screen(facts, TODAY)
    assert result.verdict is Verdict.DO_NOT_START
    text = reason(result, "opioid_planned_stop").text
    assert "Sat 21 Mar 2026" in text and "Tue 24 Mar 2026" in text  # day 7 and day 10


def test_opioid_free_flag_false_without_a_name_is_current_use():
    result = screen(clean(opioid_free=False), TODAY)
    assert result.verdict is Verdict.DO_NOT_START
    assert "opioid_name" in result.missing


def test_listed_current_opioid_overrides_opioid_free_flag():
    facts = clean(opioid_free=True, opioids=[OpioidExposure("codeine", current=True)])
    assert screen(facts, TODAY).verdict is Verdict.DO_NOT_START


@pytest.mark.parametrize("drug", ["methadone", "buprenorphine"])
def test_maintenance_current_is_do_not_start(drug):
    facts = clean(opioid_free=None, opioids=[OpioidExposure(drug, current=True, maintenance=True)])
    result = screen(facts, TODAY)
    assert result.verdict is Verdict.DO_NOT_START
    assert "opioid_maintenance_current" in ids(result)


def test_maintenance_flag_applies_even_to_an_unusual_drug_name():
    facts = clean(opioid_free=None, opioids=[OpioidExposure("Suboxone", current=True)])
    assert "opioid_maintenance_current" in ids(screen(facts, TODAY))


@pytest.mark.parametrize(
    "drug, rule_id",
    [
        ("methadone", "opioid_stopped_maintenance"),
        ("buprenorphine", "opioid_stopped_maintenance"),
        ("fentanyl", "opioid_stopped_long_acting"),
        ("Butrans", "opioid_stopped_long_acting"),
        ("levorphanol", "opioid_stopped_long_acting"),
    ],
)
def test_stopped_long_acting_or_maintenance_needs_specialist_and_no_date(drug, rule_id):
    result = screen(stopped(drug, TODAY - D(days=30)), TODAY)
    assert result.verdict is Verdict.NEEDS_SPECIALIST_REVIEW
    assert rule_id in ids(result)
    assert result.earliest_start is None
    assert not any(ch.isdigit() for ch in reason(result, rule_id).text.split("stopped on")[0])


def test_long_acting_flag_on_exposure():
    result = screen(stopped("morphine", TODAY - D(days=12), long_acting=True), TODAY)
    assert result.verdict is Verdict.NEEDS_SPECIALIST_REVIEW


def test_loperamide_is_an_interaction_note_not_a_washout():
    facts = clean(opioid_free=None, opioids=[OpioidExposure("loperamide", current=True)])
    result = screen(facts, TODAY)
    assert result.verdict is Verdict.CAN_START
    assert reason(result, "opioid_interaction_only").severity == "info"
    assert "label_vivitrol" in reason(result, "opioid_interaction_only").sources


# ------------------------------------------------------------ missing opioid facts


def test_unknown_opioid_status_is_insufficient_information():
    result = screen(clean(opioid_free=None), TODAY)
    assert result.verdict is Verdict.INSUFFICIENT_INFORMATION
    assert result.missing == ["opioid_status"]
    assert "tramadol" in result.questions["opioid_status"]
    assert result.earliest_start is None


def test_stopped_without_last_dose_is_missing():
    facts = clean(opioid_free=None, opioids=[OpioidExposure("tramadol", current=False)])
    result = screen(facts, TODAY)
    assert result.verdict is Verdict.INSUFFICIENT_INFORMATION
    assert result.missing == ["opioid_last_dose:tramadol"]


def test_unclear_current_status_without_date_asks_both():
    facts = clean(opioid_free=None, opioids=[OpioidExposure("tramadol")])
    result = screen(facts, TODAY)
    assert result.verdict is Verdict.INSUFFICIENT_INFORMATION
    assert set(result.missing) == {"opioid_current:tramadol", "opioid_last_dose:tramadol"}


def test_unclear_current_status_with_past_date_still_computes_the_wait():
    facts = clean(
        opioid_free=None,
        opioids=[OpioidExposure("tramadol", last_dose=TODAY - D(days=2), long_acting=False)],
    )
    result = screen(facts, TODAY)
    assert result.verdict is Verdict.WAIT_UNTIL
    assert result.earliest_start == TODAY + D(days=5)
    assert "opioid_current:tramadol" in result.missing


def test_unclear_current_status_with_past_date_after_washout_is_not_can_start():
    facts = clean(
        opioid_free=None, opioids=[OpioidExposure("tramadol", last_dose=TODAY - D(days=20))]
    )
    assert screen(facts, TODAY).verdict is Verdict.INSUFFICIENT_INFORMATION


def test_last_dose_today_with_unclear_status_counts_as_current():
    facts = clean(opioid_free=None, opioids=[OpioidExposure("tramadol", last_dose=TODAY)])
    assert screen(facts, TODAY).verdict is Verdict.DO_NOT_START


def test_unnamed_opioid_with_last_dose_uses_the_conservative_date_and_asks_the_name():
    result = screen(clean(opioid_free=None, last_opioid_dose=TODAY - D(days=2)), TODAY)
    assert result.verdict is Verdict.WAIT_UNTIL
    assert result.earliest_start == TODAY + D(days=8)  # day 10: the form is unknown too
    assert "opioid_name" in result.missing
    assert "opioid_unnamed" in ids(result)


def test_facts_level_last_dose_fills_an_exposure_without_date():
    facts = clean(
        opioid_free=None,
        last_opioid_dose=TODAY - D(days=1),
        opioids=[OpioidExposure("codeine", current=False, long_acting=False)],
    )
    assert screen(facts, TODAY).earliest_start == TODAY + D(days=6)


@pytest.mark.parametrize("current", [True, False, None])
def test_unknown_substance_needs_specialist_review(current):
    facts = clean(
        opioid_free=None,
        opioids=[OpioidExposure("zorbaxin", current=current, last_dose=TODAY - D(days=30))],
    )
    result = screen(facts, TODAY)
    assert result.verdict is Verdict.NEEDS_SPECIALIST_REVIEW
    assert "zorbaxin" in reason(result, "opioid_unknown_drug").text


@pytest.mark.parametrize(
    "drug", ["kratom", "mitragynine", "tianeptine", "Viberzi", "high-dose loperamide"]
)
@pytest.mark.parametrize("current", [True, False])
def test_uncertain_opioid_activity_needs_specialist_review(drug, current):
    result = screen(
        stopped(drug, TODAY - D(days=60))
        if not current
        else clean(opioid_free=None, opioids=[OpioidExposure(drug, current=True)]),
        TODAY,
    )
    assert result.verdict is Verdict.NEEDS_SPECIALIST_REVIEW
    assert "opioid_uncertain_activity" in ids(result)
    assert result.earliest_start is None


# ------------------------------------------------------------ procedures


def surgery(days_ahead: int, **kw) -> PatientFacts:
    return clean(
        procedure_planned=True,
        procedure_date=TODAY + D(days=days_ahead),
        procedure_needs_opioids=True,
        **kw,
    )


def test_distant_procedure_gives_hold_date_and_restart_note():
    result = screen(surgery(60), TODAY)
    assert result.verdict is Verdict.CAN_START
    assert result.hold_from == TODAY + D(days=57)  # 72 h before
    hold = reason(result, "procedure_hold")
    assert "Thu 7 May 2026" in hold.text  # the 48 h practice date
    assert {"whately2023", "ldndirect_blog"} <= set(hold.sources)
    assert result.restart_note and "no longer needed" in result.restart_note


def test_procedure_soon_after_start_is_flagged_as_short_window():
    result = screen(surgery(10), TODAY)
    assert result.verdict is Verdict.CAN_START
    assert "procedure_short_window" in ids(result)


@pytest.mark.parametrize("days_ahead", [0, 1, 2, 3])
def test_procedure_within_72h_defers_start(days_ahead):
    result = screen(surgery(days_ahead), TODAY)
    assert result.verdict is Verdict.WAIT_UNTIL
    assert result.earliest_start is None  # after the procedure, date unknown
    assert "procedure_defer_start" in ids(result)
    assert "procedure_hold_passed" in ids(result)
    assert result.hold_from == TODAY + D(days=days_ahead - 3)


def test_procedure_across_month_boundary():
    facts = clean(
        procedure_planned=True, procedure_date=dt.date(2026, 5, 1), procedure_needs_opioids=True
    )
    assert screen(facts, TODAY).hold_from == dt.date(2026, 4, 28)


def test_procedure_inside_opioid_washout_waits_with_no_date():
    facts = surgery(
        5,
        opioid_free=None,
        opioids=[OpioidExposure("tramadol", current=False, last_dose=TODAY - D(days=1))],
    )
    result = screen(facts, TODAY)
    assert result.verdict is Verdict.WAIT_UNTIL
    assert result.earliest_start is None
    assert {"opioid_washout_wait", "procedure_defer_start"} <= ids(result)


def test_procedure_without_opioids_has_no_hold():
    result = screen(
        clean(
            procedure_planned=True, procedure_date=TODAY + D(days=2), procedure_needs_opioids=False
        ),
        TODAY,
    )
    assert result.verdict is Verdict.CAN_START and result.hold_from is None


def test_past_procedure_is_ignored():
    assert screen(surgery(-5), TODAY).verdict is Verdict.CAN_START


@pytest.mark.parametrize(
    "changes, key",
    [
        ({"procedure_date": None}, "procedure_date"),
        ({"procedure_needs_opioids": None}, "procedure_needs_opioids"),
    ],
)
def test_procedure_facts_missing(changes, key):
    facts = dataclasses.replace(surgery(30), **changes)
    result = screen(facts, TODAY)
    assert result.verdict is Verdict.INSUFFICIENT_INFORMATION
    assert key in result.missing


# ------------------------------------------------- liver, kidney, pregnancy, age, products


@pytest.mark.parametrize(
    "changes, verdict, rule_id",
    [
        ({"liver_status": "acute_hepatitis"}, Verdict.DO_NOT_START, "liver_acute_hepatitis"),
        (
            {"liver_status": "decompensated_cirrhosis"},
            Verdict.NEEDS_SPECIALIST_REVIEW,
            "liver_decompensated_cirrhosis",
        ),
        ({"liver_status": "raised_lfts"}, Verdict.NEEDS_SPECIALIST_REVIEW, "liver_raised_lfts"),
        (
            {"liver_status": "compensated_cirrhosis"},
            Verdict.CAN_START,
            "liver_compensated_cirrhosis",
        ),
        ({"renal_impairment": "severe"}, Verdict.NEEDS_SPECIALIST_REVIEW, "renal_severe"),
        ({"renal_impairment": "moderate"}, Verdict.CAN_START, "renal_moderate"),
        ({"pregnant": True}, Verdict.NEEDS_SPECIALIST_REVIEW, "pregnancy"),
        ({"breastfeeding": True}, Verdict.NEEDS_SPECIALIST_REVIEW, "breastfeeding"),
        ({"age_years": 17}, Verdict.NEEDS_SPECIALIST_REVIEW, "age_under_18"),
        ({"age_years": 8}, Verdict.NEEDS_SPECIALIST_REVIEW, "age_under_18"),
        ({"on_naltrexone_bupropion": True}, Verdict.DO_NOT_START, "on_naltrexone_bupropion"),
        ({"on_naltrexone_50mg": True}, Verdict.DO_NOT_START, "on_naltrexone_full_dose"),
        (
            {"naltrexone_reaction": "allergy"},
            Verdict.DO_NOT_START,
            "naltrexone_hypersensitivity",
        ),
        (
            {"naltrexone_reaction": "reaction"},
            Verdict.NEEDS_SPECIALIST_REVIEW,
            "naltrexone_possible_reaction",
        ),
        ({"indication": "crohns"}, Verdict.NEEDS_SPECIALIST_REVIEW, "indication_crohns"),
        ({"indication": "multiple_sclerosis"}, Verdict.CAN_START, "indication_multiple_sclerosis"),
        ({"indication": "fibromyalgia"}, Verdict.CAN_START, "indication_fibromyalgia"),
        (
            {"indication": "alcohol_use_disorder"},
            Verdict.NEEDS_SPECIALIST_REVIEW,
            "indication_other_naltrexone",
        ),
    ],
)
def test_patient_rules(changes, verdict, rule_id):
    result = screen(clean(**changes), TODAY)
    assert result.verdict is verdict
    r = reason(result, rule_id)
    assert r.sources and r.text


def test_adult_age_boundary():
    assert "age_under_18" not in ids(screen(clean(age_years=18), TODAY))


def test_paediatric_reason_carries_the_pilot_dosing():
    text = reason(screen(clean(age_years=12), TODAY), "age_under_18").text
    assert "0.1 mg/kg" in text and "4.5 mg" in text and "12 years" in text


def test_crohns_reason_says_reported_and_ms_is_not_a_prohibition():
    crohns = reason(screen(clean(indication="crohns"), TODAY), "indication_crohns")
    assert "reported" in crohns.text and "cag2019_crohn" in crohns.sources
    ms = reason(
        screen(clean(indication="multiple_sclerosis"), TODAY), "indication_multiple_sclerosis"
    )
    assert ms.severity == "info" and "insufficient" in ms.text


def test_decompensated_cirrhosis_mentions_article_and_newer_labels():
    text = reason(
        screen(clean(liver_status="decompensated_cirrhosis"), TODAY),
        "liver_decompensated_cirrhosis",
    ).text
    assert "avoid" in text and "current labels" in text


@pytest.mark.parametrize("liver", [None, "unknown", "fatty"])
def test_unknown_liver_status_is_missing(liver):
    result = screen(clean(liver_status=liver), TODAY)
    assert result.verdict is Verdict.INSUFFICIENT_INFORMATION
    assert result.missing == ["liver_status"]


def test_unknown_non_blocking_facts_are_listed_to_confirm():
    facts = PatientFacts(
        opioid_free=True,
        liver_status="normal",
        on_naltrexone_50mg=False,
        on_naltrexone_bupropion=False,
    )
    result = screen(facts, TODAY)
    assert result.verdict is Verdict.CAN_START
    assert set(result.to_confirm) == {
        "otc_opioids",
        "procedure_planned",
        "renal_impairment",
        "pregnant",
        "breastfeeding",
        "planning_pregnancy",
        "age_years",
        "indication",
    }
    assert set(result.questions) == set(result.to_confirm)
    groups = [u["group"] for u in result.unconfirmed]
    assert groups == ["opioid_products", "pregnancy", "procedure", "age", "kidney", "indication"]
    assert not any(u["blocking"] for u in result.unconfirmed)


@pytest.mark.parametrize(
    "changes, key",
    [
        ({"on_naltrexone_50mg": None}, "other_naltrexone"),
        ({"on_naltrexone_bupropion": None}, "other_naltrexone"),
        ({"opioid_free": None}, "opioid_status"),
        ({"liver_status": None}, "liver_status"),
    ],
)
def test_blocking_unknowns_give_insufficient_information(changes, key):
    result = screen(clean(**changes), TODAY)
    assert result.verdict is Verdict.INSUFFICIENT_INFORMATION
    assert result.missing == [key]
    assert any(u["blocking"] and u["questions"] for u in result.unconfirmed)


# ------------------------------------------------------------ precedence, dose, output


def test_precedence_do_not_start_over_review_over_wait():
    facts = clean(
        opioid_free=None,
        liver_status="raised_lfts",
        on_naltrexone_50mg=True,
        opioids=[OpioidExposure("tramadol", current=False, last_dose=TODAY)],
    )
    assert screen(facts, TODAY).verdict is Verdict.DO_NOT_START
    facts = dataclasses.replace(facts, on_naltrexone_50mg=False)
    assert screen(facts, TODAY).verdict is Verdict.NEEDS_SPECIALIST_REVIEW
    facts = dataclasses.replace(facts, liver_status=None)
    assert screen(facts, TODAY).verdict is Verdict.WAIT_UNTIL


def test_reasons_are_sorted_by_severity():
    facts = clean(indication="fibromyalgia", pregnant=True, on_naltrexone_50mg=True)
    severities = [r.severity for r in screen(facts, TODAY).reasons]
    assert severities == sorted(
        severities, key=["block", "review", "wait", "caution", "info"].index
    )
    assert severities[0] == "block"


@pytest.mark.parametrize(
    "mg, severity", [(4.5, "info"), (6, "caution"), (60, "caution"), (-1, "caution")]
)
def test_requested_dose_is_checked(mg, severity):
    result = screen(clean(requested_dose_mg=mg), TODAY)
    assert result.verdict is Verdict.CAN_START
    assert reason(result, "requested_dose").severity == severity


def test_result_to_dict_is_json_safe():
    facts = surgery(
        30,
        opioid_free=None,
        requested_dose_mg=6,
        opioids=[
            OpioidExposure(
                "tramadol", current=False, last_dose=TODAY - D(days=1), long_acting=False
            )
        ],
    )
    d = screen(facts, TODAY).to_dict()
    assert json.loads(json.dumps(d)) == d
    assert d["verdict"] == "wait_until" and d["earliest_start"] == "2026-03-16"
    assert d["hold_from"] == "2026-04-06"
    assert all(
        {"rule_id", "text", "sources", "evidence", "severity"} <= set(r) for r in d["reasons"]
    )
    assert d["schedule_from"] == "2026-03-16"
    assert [p["rule_id"] for p in d["path_forward"]] == ["path_washout_short", "path_start_low"]
    assert all({"group", "label", "blocking", "questions"} <= set(u) for u in d["unconfirmed"])


def test_past_procedure_needs_no_further_facts():
    facts = clean(
        procedure_planned=True, procedure_date=TODAY - D(days=1), procedure_needs_opioids=None
    )
    result = screen(facts, TODAY)
    assert result.verdict is Verdict.CAN_START and result.missing == []


def test_short_window_is_measured_from_the_end_of_the_washout():
    # washout ends on day 7 (TODAY + 6); the hold starts 72 h before TODAY + 16 = TODAY + 13
    facts = surgery(
        16,
        opioid_free=None,
        opioids=[
            OpioidExposure(
                "tramadol", current=False, last_dose=TODAY - D(days=1), long_acting=False
            )
        ],
    )
    result = screen(facts, TODAY)
    assert result.verdict is Verdict.WAIT_UNTIL and result.earliest_start == TODAY + D(days=6)
    assert "7 day(s)" in reason(result, "procedure_short_window").text


def test_public_api_is_importable_from_the_package():
    import ldn_core.rules as rules

    assert rules.canonical_opioid("Percocet") == "oxycodone"
    assert rules.screen(clean(), TODAY).verdict is rules.Verdict.CAN_START


def test_stopped_short_acting_opioid_without_a_date_explains_the_washout():
    from ldn_core.patient import OpioidExposure, PatientFacts
    from ldn_core.rules import Verdict, screen

    facts = PatientFacts(opioids=[OpioidExposure("oxycodone", current=False)])
    result = screen(facts, dt.date(2026, 3, 1))
    assert result.verdict is Verdict.INSUFFICIENT_INFORMATION
    assert "opioid_last_dose:oxycodone" in result.missing
    reason = next(r for r in result.reasons if r.rule_id == "opioid_washout_unknown_date")
    assert "7-10" in reason.text and "label_ntx_oral" in reason.sources


# ------------------------------------------------------------ issue 14: confirmations, populations


def test_positive_urine_screen_with_denial_is_confirm_before_starting():
    result = screen(clean(urine_opioid_screen="positive"), TODAY)
    assert result.verdict is Verdict.INSUFFICIENT_INFORMATION
    assert result.missing == ["urine_opioid_screen"]
    r = reason(result, "urine_screen_positive")
    assert "label_ntx_oral" in r.sources and "Confirm before starting" in r.text


def test_negative_urine_screen_changes_nothing():
    assert screen(clean(urine_opioid_screen="negative"), TODAY).verdict is Verdict.CAN_START


@pytest.mark.parametrize(
    "changes, who",
    [
        ({"age_years": 65}, "Age 65 years"),
        ({"age_years": 82, "frail": True}, "Age 82 years, frail"),
        ({"frail": True}, "Frail patient"),
    ],
)
def test_older_or_frail_patients_need_specialist_review_stating_the_gap(changes, who):
    result = screen(clean(**changes), TODAY)
    assert result.verdict is Verdict.NEEDS_SPECIALIST_REVIEW
    r = reason(result, "older_or_frail")
    assert r.text.startswith(who) and "no evidence" in r.text
    assert "bruun2024_final" in r.sources


def test_age_64_is_not_flagged_as_older():
    assert "older_or_frail" not in ids(screen(clean(age_years=64), TODAY))


def test_planning_pregnancy_needs_specialist_review():
    result = screen(clean(planning_pregnancy=True), TODAY)
    assert result.verdict is Verdict.NEEDS_SPECIALIST_REVIEW
    assert "missing" in reason(result, "planning_pregnancy").text


def test_planning_pregnancy_is_not_asked_when_pregnant():
    result = screen(clean(pregnant=True, planning_pregnancy=None), TODAY)
    assert "planning_pregnancy" not in result.questions


def test_ordinary_loperamide_asks_for_the_dose_but_does_not_block():
    facts = clean(opioid_free=None, opioids=[OpioidExposure("Imodium", current=True)])
    result = screen(facts, TODAY)
    assert result.verdict is Verdict.CAN_START
    assert "antidiarrhoeal_dose:loperamide" in result.to_confirm


@pytest.mark.parametrize("drug", ["OxyContin", "methadone"])
def test_current_long_acting_or_maintenance_path_is_the_specialist_route_without_a_date(drug):
    facts = clean(opioid_free=None, opioids=[OpioidExposure(drug, current=True)])
    result = screen(facts, TODAY)
    assert result.verdict is Verdict.DO_NOT_START
    assert [p.rule_id for p in result.path_forward] == [
        "path_stop_opioid",
        "path_washout_long",
        "path_start_low",
    ]
    assert "addiction service" in result.path_forward[0].text
    assert result.schedule_from is None


def test_current_short_acting_opioid_with_planned_stop_dates_the_path():
    last = TODAY + D(days=4)
    facts = clean(
        opioid_free=None,
        opioids=[OpioidExposure("tramadol", current=True, last_dose=last, long_acting=False)],
    )
    result = screen(facts, TODAY)
    assert result.verdict is Verdict.DO_NOT_START
    assert result.schedule_from == last + D(days=7)
    washout = next(p for p in result.path_forward if p.rule_id == "path_washout_short")
    assert "Sat 21 Mar 2026" in washout.text and "label_ntx_oral" in washout.sources


def test_start_low_step_takes_its_dose_and_sources_from_the_titration_rules():
    from ldn_core.rules.dosing import titration_rules

    facts = clean(opioid_free=None, opioids=[OpioidExposure("codeine", current=True)])
    step = screen(facts, TODAY).path_forward[-1]
    rule = titration_rules().rule("titration_standard")
    assert f"{rule.param('start_mg'):g} mg" in step.text
    assert step.sources == rule.sources


def test_every_question_key_belongs_to_one_confirmation_group():
    from ldn_core.rules.screening import screening_rules

    rules = screening_rules()
    for key in rules.questions:
        assert rules.confirmation_for(key) is not None, key
    blocking = {c.group for c in rules.confirmations if c.blocking}
    assert {"opioids", "other_naltrexone"} <= blocking


def test_a_denied_naltrexone_reaction_changes_nothing():
    assert screen(clean(naltrexone_reaction="none"), TODAY).verdict is Verdict.CAN_START
