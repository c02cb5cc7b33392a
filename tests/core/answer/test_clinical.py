"""Screening answers: a final verdict does not ask for facts it does not need."""

from __future__ import annotations

import datetime as dt

import pytest

from ldn_core.answer.clinical import compose_screening
from ldn_core.knowledge import KnowledgeStore
from ldn_core.patient import OpioidExposure, PatientFacts
from ldn_core.render import to_text
from ldn_core.rules import screen
from ldn_core.settings import REPO_ROOT
from tests.core.patients import clean_patient

TODAY = dt.date(2026, 3, 1)


@pytest.fixture(scope="module")
def store() -> KnowledgeStore:
    return KnowledgeStore.load(REPO_ROOT / "knowledge")


def test_do_not_start_is_not_followed_by_questions(store):
    # Buprenorphine maintenance, liver status unknown: the verdict is already final.
    facts = PatientFacts(opioids=[OpioidExposure("buprenorphine", current=True)])
    result = screen(facts, TODAY)
    assert result.verdict.value == "do_not_start" and result.missing
    text = to_text(compose_screening(store, result))
    assert text.startswith("Verdict: do not start LDN.")
    assert "still need" not in text


def test_a_provisional_verdict_lists_what_is_still_needed(store):
    stopped = OpioidExposure("oxycodone", current=False, last_dose=TODAY - dt.timedelta(days=3))
    facts = PatientFacts(opioids=[stopped], last_opioid_dose=stopped.last_dose)
    result = screen(facts, TODAY)
    assert result.verdict.value == "wait_until" and result.missing
    text = to_text(compose_screening(store, result))
    assert "To decide, I still need:" in text
    assert all(result.questions[k] in text for k in result.missing if k in result.questions)


def clean_facts(**changes) -> PatientFacts:
    """Blocking facts known and clear; pregnancy, age and kidney left unknown."""
    unknown = dict(
        renal_impairment=None,
        pregnant=None,
        breastfeeding=None,
        planning_pregnancy=None,
        age_years=None,
    )
    return clean_patient(**{**unknown, **changes})


def test_can_start_names_every_unconfirmed_fact_in_every_rendering(store):
    from ldn_core.render import to_payload
    from ldn_core.render.slack import to_slack_blocks as to_slack

    result = screen(clean_facts(), TODAY)
    assert result.verdict.value == "can_start"
    answer = compose_screening(store, result)
    assert "holds only if none of the following applies" in answer.intro
    for label in ("pregnancy, breastfeeding or planning pregnancy", "kidney function", "age"):
        assert label in answer.intro
    assert "cough, cold and antidiarrhoeal" in answer.intro
    payload = to_payload(answer)
    groups = {u["group"] for u in payload["screening"]["unconfirmed"]}
    assert {"pregnancy", "age", "kidney", "opioid_products"} <= groups
    assert "holds only if none" in to_text(answer)
    assert "holds only if none" in str(to_slack(answer))


def test_waiting_verdict_offers_the_dated_schedule_and_the_steps(store):
    last = TODAY - dt.timedelta(days=3)
    facts = clean_facts(
        opioid_free=None,
        opioids=[OpioidExposure("tramadol", current=False, last_dose=last, long_acting=False)],
    )
    result = screen(facts, TODAY)
    answer = compose_screening(store, result)
    assert answer.buttons == (
        (
            "Give me the titration schedule starting Thu 5 Mar 2026",
            "Give me the titration schedule starting 2026-03-05",
        ),
    )
    steps = [p for p in answer.points if p.title == "Path forward"]
    assert [p.origin_id for p in steps] == ["path_washout_short", "path_start_low"]
    assert "1.5 mg" in steps[-1].text and all(p.refs for p in steps)


def test_current_opioid_gives_steps_and_a_date_if_stopped_today(store):
    facts = clean_facts(opioid_free=None, opioids=[OpioidExposure("codeine", current=True)])
    answer = compose_screening(store, screen(facts, TODAY))
    assert answer.intro.startswith("Verdict: do not start LDN while opioids are being taken.")
    assert "Wed 11 Mar 2026" in answer.intro  # day 10: the codeine form was not given
    ids = [p.origin_id for p in answer.points if p.title == "Path forward"]
    assert ids == ["path_stop_opioid", "path_washout_short", "path_start_low"]
    assert answer.buttons and "2026-03-11" in answer.buttons[0][1]


def test_no_schedule_offer_when_something_besides_the_opioid_blocks(store):
    facts = clean_facts(
        opioid_free=None,
        on_naltrexone_50mg=True,
        opioids=[OpioidExposure("codeine", current=True)],
    )
    answer = compose_screening(store, screen(facts, TODAY))
    assert answer.intro == "Verdict: do not start LDN." and answer.buttons == ()
