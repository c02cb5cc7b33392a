"""Conditions the store holds no study of, asked about as a reason to use LDN."""

from __future__ import annotations

import pytest

from ldn_core.understanding.untested_conditions import asked_about_untested_condition


@pytest.mark.parametrize(
    "text, label",
    [
        ("could LDN help her ME/CFS?", "ME/CFS"),
        ("mother asks whether LDN treats autism", "autism"),
        ("any evidence for low dose naltrexone in lupus", "lupus"),
        ("he wants to try LDN for his psoriasis", "psoriasis"),
        ("pt with Hailey-Hailey asked if LDN works for it", "Hailey-Hailey disease"),
    ],
)
def test_a_question_whether_ldn_helps_an_untested_condition_names_it(text, label):
    assert asked_about_untested_condition(text) == label


@pytest.mark.parametrize(
    "text",
    [
        "is LDN safe with levothyroxine for her thyroid",  # a co-medication question
        "PMH: depression, lupus\nwill LDN help her widespread pain?",  # comorbidity on its line
        "does LDN help fatigue in MS?",  # a condition the store covers
    ],
)
def test_a_comorbidity_or_a_covered_condition_is_not_an_untested_question(text):
    assert asked_about_untested_condition(text) is None


@pytest.mark.parametrize(
    ("text", "about"),
    [
        ("what did the RCT show?", True),
        ("does it work for her?", True),
        ("is it in the guidelines?", True),
        ("does it matter if she takes it in the morning?", False),
        ("is that statement accurate?", False),
        # whether LDN stops another medicine working is an interaction question
        ("will these still work or will the naltrexone cancel them out?", False),
        ("does the LDN block her codeine?", False),
        ("will it stop the co-codamol from working?", False),
    ],
)
def test_a_question_about_evidence_is_told_from_other_questions(text, about):
    from ldn_core.understanding import asks_about_evidence

    assert asks_about_evidence(text) is about
