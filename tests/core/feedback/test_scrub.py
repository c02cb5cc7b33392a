"""The scrubber masks patient details and keeps the clinical content a curator needs."""

from __future__ import annotations

import pytest

from ldn_core.feedback.scrub import scrub


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("71M, post-herpetic neuralgia", "[AGE], post-herpetic neuralgia"),
        ("44F ulcerative colitis, failed 5-ASA", "[AGE] ulcerative colitis, failed 5-ASA"),
        ("pt is a 45-year-old man", "pt is a [AGE] man"),
        ("a 60 yo woman and an 8 y/o child", "a [AGE] woman and an [AGE] child"),
        ("aged 62, age: 70", "[AGE], [AGE]"),
        ("seen 2026-11-27 and 03/04/1961", "seen [DATE] and [DATE]"),
        (
            "from 27 Nov 2026 to Nov 3, 2025; since March 2024",
            "from [DATE] to [DATE]; since [DATE]",
        ),
        ("Mrs. Jane Smith asked", "[NAME] asked"),
        ("Dr Patel wants to know", "[NAME] wants to know"),
        ("patient John Doe has CRPS", "patient [NAME] has CRPS"),
        ("her name is Alice", "her name is [NAME]"),
        ("MRN 1234567", "[ID]"),
        ("NHS number 943 476 5919", "[ID]"),
        ("hospital no: AB123456, pt #00123", "[ID], [ID]"),
        ("ref 12345678 in notes", "ref [ID] in notes"),
        ("call 020 7946 0958 or jd@example.org", "call [CONTACT] or [CONTACT]"),
    ],
)
def test_patient_details_are_masked(text: str, expected: str) -> None:
    assert scrub(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "what is the starting dose of LDN for fibromyalgia?",
        "stopped oxycodone 3 days ago, can I start LDN tonight?",
        "titrate 1.5 mg to 4.5 mg over 6 weeks; 50 mg naltrexone differs",
        "The patient has CRPS and MS",
        "patient with Crohn's on LDN 4.5mg",
        "NCT04270877 reported 28.8% vs 18.0%",
    ],
)
def test_clinical_content_is_kept(text: str) -> None:
    assert scrub(text) == text


def test_empty_and_none() -> None:
    assert scrub(None) == "" and scrub("") == ""
