"""Another drug in a message: taken together with LDN, or the subject of its own question."""

from __future__ import annotations

import pytest

from ldn_core.understanding.other_drugs import co_medication


@pytest.mark.parametrize(
    "text, drug",
    [
        ("is LDN ok with her sertraline?", "sertraline"),
        ("ldn and gabapentin together ok?", "gabapentin"),
        ("any interaction between LDN and warfarin", "warfarin"),
        ("ldn w/ duloxetine?", "duloxetine"),
        ("my patient wants to know if LDN is fine alongside her citalopram", "citalopram"),
        ("pt on LDN 4.5 for FM, GP wants to add amitriptyline - any interaction?", "amitriptyline"),
        ("is it okay with warfarin?", "warfarin"),
        ("his wife emailed asking if LDN is safe alongside his Stelara injections", "stelara"),
        ("ok to take LDN with her cetirizine?", "cetirizine"),
        ("can she take LDN with her hay fever tablets?", "hay fever tablets"),
    ],
)
def test_a_drug_taken_with_ldn_is_a_co_medication_question(text, drug):
    assert co_medication(text) == drug


@pytest.mark.parametrize(
    "text",
    [
        "difference between LDN and amitriptyline for PDN",  # a comparison, not a combination
        "LDN in a patient with MS",  # "with" before a condition
        "is LDN ok with alcohol?",  # not a listed drug
    ],
)
def test_a_comparison_or_a_condition_is_not_a_co_medication_question(text):
    assert co_medication(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "62M PDN, on gabapentin together with amitriptyline, opioid naive. LDN worth trying?",
        "HPI: 49F FM. Meds: duloxetine 60 mg with pregabalin 75 bd. Plan: ?LDN - suitable?",
        "55F MS, takes baclofen alongside her DMT, wants to know if LDN could help fatigue",
    ],
)
def test_a_medication_list_in_a_case_is_not_a_co_medication_question(text):
    assert co_medication(text) is None


def test_a_class_of_medicines_taken_with_ldn_is_a_co_medication():
    assert co_medication("is LDN safe with her blood pressure tablets?") == "blood pressure tablets"
    assert co_medication("Meds: thyroid medication. PMH: FM. LDN?") is None


def test_a_bare_drug_after_a_co_medication_question_asks_the_same_of_it():
    from ldn_core.understanding.other_drugs import co_medication_followup

    assert co_medication_followup("and sertraline?", "LDN with her pregabalin ok?") == "sertraline"
    # after a question that was not about taking a drug with LDN, it is not one
    assert co_medication_followup("and amitriptyline?", "does LDN help PDN?") is None
    assert co_medication_followup("and amitriptyline?", None) is None
    # the same drug asked about again at a dose; a new subject is not the drug question
    asked = "is naltrexone ok with sertraline"
    assert co_medication_followup("and at LDN doses?", asked) == "sertraline"
    assert co_medication_followup("what about at 4.5 mg?", asked) == "sertraline"
    assert co_medication_followup("and in pregnancy?", asked) is None


@pytest.mark.parametrize(
    ("text", "another"),
    [
        ("methadone titration for someone newly starting OST?", True),
        ("buprenorphine induction protocol?", True),
        ("can someone on methadone start LDN?", False),
        ("starting low dose naltrexone after morphine", False),
        ("off methadone 2 weeks, ok to start?", False),
        ("pt wants to use kratom to come off his opioids - is it legal here?", True),
        ("45F on tramadol, FM, wants to try LDN", False),
    ],
)
def test_starting_another_drug_is_told_from_starting_ldn(text, another):
    from ldn_core.understanding.other_drugs import starts_another_drug

    assert starts_another_drug(text) is another


def test_in_a_follow_up_ldn_need_not_be_named_to_ask_about_combining():
    text = "different point, same patient - she's on azathioprine, any interaction?"
    assert co_medication(text) is None
    assert co_medication(text, ldn_implied=True) == "azathioprine"
