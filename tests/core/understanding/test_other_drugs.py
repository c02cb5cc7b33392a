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
