"""A question about one LDN dose gets the dosing rule's placement of that dose."""

from __future__ import annotations

import pytest

from ldn_core.answer.dose_question import asked_ldn_dose, dose_statement


@pytest.mark.parametrize(
    "text, rule_id",
    [
        ("is 9 mg of LDN safe?", "dose_above_protocol"),
        ("can she go up to 6 mg?", "dose_above_protocol"),
        ("is 0.5 mg too low to work?", "dose_below_usual"),
        ("is 4.5mg ok long term?", "dose_usual"),
        ("is 50 mg ok for pain?", "dose_not_low_dose"),
    ],
)
def test_the_dose_asked_about_is_placed_by_the_rules(text, rule_id):
    statement = dose_statement(text)
    assert statement is not None and statement.rule_id == rule_id
    assert statement.sources  # every rule statement is cited


@pytest.mark.parametrize(
    "text",
    [
        "LDN 4.5 mg nightly, vivid dreams - options?",  # a dose named, not judged
        "from 1.5 mg to 3 mg: is that step ok?",  # two doses: which one?
        "is 500 mg ok?",  # not a dose of any naltrexone product: no rule applies
        "what is the usual dose?",  # no number: the titration rule answers instead
        "Meds: amlodipine 5 mg, is LDN ok for her?",  # the dose is amlodipine's
    ],
)
def test_no_dose_statement_without_one_judged_dose(text):
    assert dose_statement(text) is None


def test_a_judgement_asked_about_something_else_is_not_a_dose_question():
    filler = "Rx: LDN 4.5 mg nocte\nPharmacy uses a lactose filler.\nIs that ok?"
    assert asked_ldn_dose(filler) is None
    assert asked_ldn_dose("Rx: LDN 4.5 mg nocte.\nIs that ok for a 50 kg woman?") == 4.5
