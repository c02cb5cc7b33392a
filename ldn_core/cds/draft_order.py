"""The order being written: is it naltrexone, and is it low-dose naltrexone?

LDN threshold: a daily naltrexone dose up to ``LDN_MAX_DAILY_MG`` (6 mg) is treated as
LDN. 6 mg is the highest dose given in an LDN trial (FINAL, bruun2024_final, titrated to
6 mg once daily); the usual practice target is 4.5 mg (dieckmann2017_review,
practice_dosing). Higher orders (up to the 50 mg licensed tablet, label_ntx_oral) get a
"not LDN" card instead of the screening cards: the screening rules are written for LDN.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .dosage import bounds, daily_dose_mg
from .fhir_values import concept_texts
from .medications import NALTREXONE, MedicationKind, classify, medication_concept

LDN_MAX_DAILY_MG = 6.0
LDN_THRESHOLD_SOURCES = ("bruun2024_final", "dieckmann2017_review")


@dataclass(frozen=True)
class DraftOrder:
    resource: dict  # the draft MedicationRequest as sent (the suggestion updates it)
    reference: str  # "MedicationRequest/<id>"
    medication: MedicationKind
    daily_dose_mg: float | None
    order_date: dt.date  # dates of the record are counted from here
    start: dt.date  # requested start: the dosage's bounds start, else the order date
    reason_texts: tuple[str, ...] = ()  # reasonCode text: the indication

    @property
    def is_naltrexone(self) -> bool:
        return self.medication.category.startswith(NALTREXONE)

    @property
    def is_ldn(self) -> bool:
        return (
            self.medication.category == NALTREXONE
            and self.daily_dose_mg is not None
            and self.daily_dose_mg <= LDN_MAX_DAILY_MG
        )


def read_draft_order(model: Any, raw: dict, today: dt.date) -> DraftOrder:
    """``model``: the parsed MedicationRequest; ``today``: the service's date, used when
    the order carries no ``authoredOn``."""
    concept = medication_concept(model)
    kind = classify(concept)
    authored = model.authoredOn
    order_date = authored.date() if isinstance(authored, dt.datetime) else authored
    if not isinstance(order_date, dt.date):
        order_date = today
    start, _end = bounds(model)
    return DraftOrder(
        resource=raw,
        reference=f"MedicationRequest/{model.id}" if model.id else "MedicationRequest",
        medication=kind,
        daily_dose_mg=daily_dose_mg(model, concept),
        order_date=order_date,
        start=max(start, order_date) if start else order_date,
        reason_texts=tuple(concept_texts(model.reasonCode)),
    )
