"""Read a MedicationRequest's daily dose (mg) and its dates from ``dosageInstruction``."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from .fhir_values import as_date, concept_texts

_MG_FACTOR = {"mg": 1.0, "g": 1000.0, "ug": 0.001, "mcg": 0.001, "microgram": 0.001}
# a strength per unit ("1 mg/mL") is a concentration, not a dose: not read as one
_DOSE_IN_TEXT = re.compile(r"(\d+(?:\.\d+)?)\s*(mg|mcg|microgram|g)\b(?!\s*/)", re.IGNORECASE)


def _quantity_mg(quantity: Any) -> float | None:
    if quantity is None or quantity.value is None:
        return None
    unit = (quantity.code or quantity.unit or "").strip().lower()
    factor = _MG_FACTOR.get(unit)
    return None if factor is None else float(quantity.value) * factor


def _doses_per_day(timing: Any) -> float | None:
    """Administrations per day from ``timing.repeat``; 1 when no repeat is given (an order
    for "4.5 mg at bedtime" usually carries no frequency); None for non-daily patterns."""
    repeat = getattr(timing, "repeat", None) if timing is not None else None
    if repeat is None or (repeat.frequency is None and repeat.period is None):
        return 1.0
    frequency = repeat.frequency or 1
    period, unit = repeat.period or 1, (repeat.periodUnit or "d")
    per_day = {"h": 24.0, "d": 1.0}.get(unit)
    if per_day is None:
        return None  # weekly or monthly patterns: not a daily oral LDN dose
    return frequency * per_day / float(period)


def daily_dose_mg(request: Any, concept: Any = None) -> float | None:
    """Total mg per day of the first dosage instruction; falls back to a strength written in
    the medication's text ("naltrexone 4.5 mg capsule") taken once a day. None if unknown."""
    for dosage in request.dosageInstruction or []:
        for dose_and_rate in dosage.doseAndRate or []:
            mg = _quantity_mg(dose_and_rate.doseQuantity)
            per_day = _doses_per_day(dosage.timing)
            if mg is not None and per_day is not None:
                return round(mg * per_day, 3)
        break  # only the first instruction: later ones are usually titration steps
    for text in concept_texts(concept):
        found = _DOSE_IN_TEXT.search(text)
        if found:
            return float(found.group(1)) * _MG_FACTOR[found.group(2).lower()]
    return None


def bounds(request: Any) -> tuple[dt.date | None, dt.date | None]:
    """Start and end dates of the first dosage's ``timing.repeat.boundsPeriod``, else of
    ``dispenseRequest.validityPeriod``."""
    for dosage in request.dosageInstruction or []:
        repeat = getattr(dosage.timing, "repeat", None) if dosage.timing else None
        period = getattr(repeat, "boundsPeriod", None) if repeat else None
        if period is not None:
            return as_date(period.start), as_date(period.end)
        break
    validity = request.dispenseRequest.validityPeriod if request.dispenseRequest else None
    if validity is not None:
        return as_date(validity.start), as_date(validity.end)
    return None, None
