"""What a medication is, read the way the chat reads it: by RxNorm ingredient code and by
its text through the same opioid lexicon (``ldn_core.rules.opioids``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ldn_core.rules import interaction_note, lookup_opioid, naltrexone_product

from .fhir_values import concept_codes, concept_texts
from .rxnorm import INGREDIENTS, RXNORM_SYSTEM

OPIOID = "opioid"
NALTREXONE = "naltrexone"  # plain naltrexone: the dose decides LDN or full dose
NALTREXONE_BUPROPION = "naltrexone_bupropion"
NALTREXONE_FULL_DOSE = "naltrexone_full_dose"  # named products: Vivitrol, Revia, implants
INTERACTION = "interaction"  # opioid-receptor antidiarrhoeals (loperamide): a note only
OTHER = "other"


@dataclass(frozen=True)
class MedicationKind:
    category: str
    name: str  # canonical opioid or product name; "" for OTHER
    label: str  # the medication's own text, shown to the clinician
    long_acting: bool | None = None  # opioids: True/False when the form says so, else None


def medication_concept(request: Any) -> Any:
    """The CodeableConcept of a MedicationRequest (contained Medication references are not
    followed: their text is usually repeated in ``medicationReference.display``)."""
    if request.medicationCodeableConcept is not None:
        return request.medicationCodeableConcept
    reference = request.medicationReference
    if reference is not None and reference.display:
        return type("Concept", (), {"text": reference.display, "coding": []})()
    return None


# Plain dose forms of coded products; release markers were already matched by the lexicon.
IMMEDIATE_RELEASE_FORM = re.compile(
    r"\boral (?:tablet|capsule|solution|liquid)\b|\b(?:immediate[- ]release|ir)\b",
    re.IGNORECASE,
)


def classify(concept: Any) -> MedicationKind:
    texts = concept_texts(concept)
    ingredients = {
        INGREDIENTS[code]
        for system, code in concept_codes(concept)
        if system == RXNORM_SYSTEM
        if code in INGREDIENTS
    }
    label = texts[0] if texts else ", ".join(sorted(ingredients)) or "unnamed medication"
    words = " ".join(texts).lower() + " " + " ".join(sorted(ingredients))
    products = {p.name for p in (naltrexone_product(t) for t in texts) if p is not None}
    if "naltrexone" in words or products:
        if NALTREXONE_BUPROPION in products or "bupropion" in words:
            return MedicationKind(NALTREXONE_BUPROPION, NALTREXONE_BUPROPION, label)
        if NALTREXONE_FULL_DOSE in products:
            return MedicationKind(NALTREXONE_FULL_DOSE, NALTREXONE_FULL_DOSE, label)
        return MedicationKind(NALTREXONE, NALTREXONE, label)
    for text in [*texts, *sorted(ingredients)]:
        match = lookup_opioid(text)
        if match is not None:
            long_acting = None  # form not stated: screening warns and uses the usual kind
            if match.kind != match.default_kind:
                long_acting = match.kind == "long_acting"
            elif match.kind == "short_acting" and IMMEDIATE_RELEASE_FORM.search(words):
                # A coded EHR product names its dose form and says "extended release" when
                # it is (RxNorm: "... Oral Tablet" vs "... Extended Release Oral Tablet"), so
                # a plain oral form with no release marker is immediate release.
                long_acting = False
            return MedicationKind(OPIOID, match.name, label, long_acting)
    for text in texts:
        note = interaction_note(text)
        if note is not None:
            return MedicationKind(INTERACTION, note.name, label)
    return MedicationKind(OTHER, "", label)
