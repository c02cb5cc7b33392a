import datetime as dt

from ldn_core.patient import (
    OpioidExposure,
    PatientFacts,
    facts_from_dict,
    facts_to_dict,
)


def test_facts_round_trip_through_json_safe_dict():
    facts = PatientFacts(
        indication="crps",
        opioids=[OpioidExposure("oxycodone", current=False, last_dose=dt.date(2026, 2, 28))],
        procedure_date=dt.date(2026, 3, 1),
        age_years=44,
        pregnant=False,
    )
    data = facts_to_dict(facts)
    assert data["opioids"][0]["last_dose"] == "2026-02-28"
    assert facts_from_dict(data) == facts


def test_bad_stored_values_become_unknown_not_errors():
    restored = facts_from_dict(
        {
            "procedure_date": "not a date",
            "opioids": [{"drug": "tramadol", "last_dose": "x"}, 7],
            "unknown_key": 1,
        }
    )
    assert restored.procedure_date is None
    assert restored.opioids == [OpioidExposure("tramadol")]


def test_merge_keeps_known_facts_and_lets_new_answers_override():
    earlier = PatientFacts(
        indication="fibromyalgia",
        liver_status="normal",
        opioids=[OpioidExposure("tramadol", current=True)],
    )
    later = PatientFacts(
        opioids=[OpioidExposure("tramadol", current=False, last_dose=dt.date(2026, 1, 2))],
        pregnant=False,
    )
    merged = earlier.merged_with(later)
    assert merged.indication == "fibromyalgia" and merged.liver_status == "normal"
    assert merged.pregnant is False
    assert merged.opioids == [
        OpioidExposure("tramadol", current=False, last_dose=dt.date(2026, 1, 2))
    ]
