"""Small readers for FHIR datatypes parsed by ``fhir.resources`` (dates, codes, text)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any


def as_date(value: Any) -> dt.date | None:
    """FHIR date/dateTime (already parsed by the models) -> calendar date; None otherwise.

    A partial date ("2026" or "2026-11") is kept by the models as a string: it is too vague
    to count days from, so it reads as unknown rather than as the first of the month.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


def concept_texts(concept: Any) -> list[str]:
    """``text`` and every coding's ``display`` of a CodeableConcept (or a list of them)."""
    if concept is None:
        return []
    if isinstance(concept, list):
        return [t for c in concept for t in concept_texts(c)]
    texts = [concept.text] if getattr(concept, "text", None) else []
    texts += [c.display for c in concept.coding or [] if c.display]
    return texts


def concept_codes(concept: Any) -> set[tuple[str, str]]:
    """``(system, code)`` pairs of a CodeableConcept (or a list of them)."""
    if concept is None:
        return set()
    if isinstance(concept, list):
        return {pair for c in concept for pair in concept_codes(c)}
    return {(c.system or "", c.code or "") for c in concept.coding or [] if c.code}


def has_code(concept: Any, system: str, codes: Iterable[str]) -> bool:
    wanted = set(codes)
    return any(s == system and c in wanted for s, c in concept_codes(concept))


def lower_text(concept: Any) -> str:
    return " ".join(concept_texts(concept)).lower()


def status_code(concept: Any) -> str | None:
    """The first code of a status CodeableConcept (Condition.clinicalStatus and the like)."""
    for _system, code in sorted(concept_codes(concept)):
        return code
    return None
