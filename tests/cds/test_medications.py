"""Medication coding: a coded product's dose form decides the opioid's release kind."""

from __future__ import annotations

import pytest
from fhir.resources.R4B.codeableconcept import CodeableConcept

from ldn_core.cds.medications import OPIOID, classify


def concept(text: str) -> CodeableConcept:
    return CodeableConcept(text=text)


@pytest.mark.parametrize(
    ("text", "long_acting"),
    [
        ("oxycodone hydrochloride 5 MG Oral Tablet", False),  # plain oral form: immediate release
        ("tramadol hydrochloride 50 MG Oral Capsule", False),
        ("12 HR oxycodone hydrochloride 10 MG Extended Release Oral Tablet", True),
        ("OxyContin 20 mg", True),
        ("oxycodone", None),  # form not given: the conservative washout applies in screening
        ("tramadol 50 mg", None),
    ],
)
def test_the_release_kind_comes_from_the_product(text, long_acting):
    kind = classify(concept(text))
    assert kind.category == OPIOID
    assert kind.long_acting is long_acting
