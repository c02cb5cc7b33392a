"""Numbers with a fixed meaning: age ("62F", "16 yo"), doses ("1.5 mg"), eGFR and CKD stage."""

from __future__ import annotations

import re
from dataclasses import dataclass

_AGE_PATTERNS = [
    r"\b(\d{1,3})\s*-?\s*(?:years?|yrs?|y)\s*-?\s*old\b",
    r"\b(\d{1,3})\s*(?:yo|y/o|y\.o\.?)(?=\W|$|[FfMm]\b)",
    r"\b(?i:age|aged|ages)\s*:?\s*(\d{1,3})\b",
    r"(?<![\w./-])(\d{1,3})\s?(?:[FfMm]|male|female|man|woman|yo[FfMm])\b(?![/.]\w)",
    r"\b(?:patient|pt|she|he)\s+is\s+(\d{1,3})\b(?!\s*(?:mg|kg|weeks?|days?|months?|%|/|cm|lb))",
]
_AGE = [re.compile(p) for p in _AGE_PATTERNS]
_DOSE = re.compile(r"(?<![\d/])(\d+(?:\.\d+)?)\s*(?:mg|milligrams?)\b", re.I)
_EGFR_NUMBER = re.compile(r"(<=|>=|<|>|≤|≥)?\s*(\d{1,3})\s*$")
_STAGE = re.compile(r"(?i)(?:ckd\s*(?:stage\s*)?|stage\s*)(iv|v|iii|ii|i|[1-5])")
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5}


@dataclass(frozen=True)
class Dose:
    start: int
    end: int
    mg: float


def find_age(text: str) -> int | None:
    """The first plausible age in the text (1-115 years)."""
    hits: list[tuple[int, int]] = []
    for regex in _AGE:
        for m in regex.finditer(text):
            age = int(m.group(1))
            if 0 < age <= 115:
                hits.append((m.start(), age))
    return min(hits)[1] if hits else None


def find_doses(text: str) -> list[Dose]:
    return [Dose(m.start(), m.end(), float(m.group(1))) for m in _DOSE.finditer(text)]


def egfr_category(span_text: str) -> str | None:
    """ "eGFR 25" -> "severe"; "eGFR < 30" -> "severe"; "eGFR 95" -> "none"."""
    m = _EGFR_NUMBER.search(span_text.strip())
    if not m:
        return None
    op, value = m.group(1), int(m.group(2))
    if op in {"<", "≤"}:
        value -= 1
    if value >= 90:
        return "none"
    if value >= 60:
        return "mild"
    return "moderate" if value >= 30 else "severe"


def ckd_stage_category(span_text: str) -> str | None:
    """ "CKD stage 4" -> "severe"; "CKD 3b" -> "moderate"; "CKD 2" -> "mild"."""
    m = _STAGE.search(span_text)
    if not m:
        return None
    raw = m.group(1).lower()
    stage = int(raw) if raw.isdigit() else _ROMAN[raw]
    return "mild" if stage <= 2 else "moderate" if stage == 3 else "severe"
