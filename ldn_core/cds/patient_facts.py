"""FHIR record -> ``PatientFacts`` for the screening core, with dates counted from the
order date. ``None`` stays "not known": a fact is only set when the record states it.

Mapping conventions (service choices, not clinical rules; docs/cds-hooks.md lists them):
- medications: active/on-hold = taking now, unless the dosage bounds ended before the order
  date (then stopped on that day); completed/stopped = stopped on the bounds' end date
  (unknown when absent); draft/cancelled/entered-in-error orders are ignored. Stopped
  orders whose end (or, without one, authoring) is more than RECENT_DAYS before the order
  date are ignored.
- "no opioid" is only concluded when the medication list was provided and every entry of it
  could be read; the card then says it rests on the record.
- liver: an active Condition naming acute hepatitis or (de)compensated cirrhosis; else the
  latest ALT/AST within RECENT_DAYS judged by its interpretation code or reference range.
  Cirrhosis without its stage leaves the liver status unknown (the rules then ask).
- kidney: the latest eGFR within RECENT_DAYS: < 30 severe, 30-59 moderate, 60-89 mild, else
  none (the KDIGO G-stage boundaries).
- pregnancy / breastfeeding: an active Condition, or a pregnancy-status Observation.
- indication: the order's reasonCode text through the chat's condition lexicon.
- procedures: a planned ServiceRequest (not a laboratory or imaging request) or a Procedure
  in preparation on or after the order date. Whether it needs opioids is never in the
  record, so the rules ask.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ldn_core.patient import OpioidExposure, PatientFacts

from .dosage import bounds, daily_dose_mg
from .draft_order import LDN_MAX_DAILY_MG, DraftOrder
from .fhir_record import PatientRecord
from .fhir_values import as_date, concept_codes, has_code, lower_text, status_code
from .indication import indication_of
from .medications import (
    NALTREXONE,
    NALTREXONE_BUPROPION,
    NALTREXONE_FULL_DOSE,
    OPIOID,
    MedicationKind,
    classify,
    medication_concept,
)

RECENT_DAYS = 90
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10 = ("http://hl7.org/fhir/sid/icd-10-cm", "http://hl7.org/fhir/sid/icd-10")
LIVER_LABS = {"1742-6": "ALT", "1920-8": "AST"}
EGFR_CODES = {"33914-3", "62238-1", "98979-8", "48642-3", "48643-1"}
PREGNANCY_STATUS = "82810-3"
SNOMED_PREGNANT = "77386006"
LAB_OR_IMAGING_CATEGORIES = {"108252007", "363679005"}  # SNOMED laboratory / imaging procedure
HIGH_FLAGS = {"H", "HH", "HU", "A", "AA"}
ACTIVE_CONDITION = {"active", "recurrence", "relapse"}
ACTIVE_ORDER = {"active", "on-hold"}
STOPPED_ORDER = {"completed", "stopped"}
NEVER_TAKEN = {"draft", "cancelled", "entered-in-error"}
LIVER_ORDER = (  # most serious first; None = cirrhosis of unknown stage
    "acute_hepatitis",
    "decompensated_cirrhosis",
    None,
    "compensated_cirrhosis",
    "raised_lfts",
    "normal",
)


@dataclass
class MappedFacts:
    facts: PatientFacts
    findings: list[str] = field(default_factory=list)  # what the record showed, for the card
    unreadable: list[str] = field(default_factory=list)
    opioids_from_record_only: bool = False  # "no opioid" rests on the prescription list


@dataclass(frozen=True)
class _MedicationUse:
    kind: MedicationKind
    current: bool | None
    last_dose: dt.date | None
    daily_mg: float | None
    reference: str


class _Mapper:
    def __init__(self, record: PatientRecord, order: DraftOrder) -> None:
        self.record, self.order, self.day0 = record, order, order.order_date
        self.facts = PatientFacts(
            requested_start=order.start,
            requested_dose_mg=order.daily_dose_mg,
            indication=indication_of(list(order.reason_texts)),
        )
        self.findings: list[str] = []
        self.liver: list[str | None] = []

    def recent(self, day: dt.date | None) -> bool:
        return day is not None and (self.day0 - day).days <= RECENT_DAYS

    # ------------------------------------------------------------ medications

    def medication_use(self, request: Any) -> _MedicationUse | None:
        reference = f"MedicationRequest/{request.id}"
        if reference == self.order.reference or request.status in NEVER_TAKEN:
            return None
        concept = medication_concept(request)
        kind = classify(concept)
        start, end = bounds(request)
        authored = as_date(request.authoredOn)
        if request.status in ACTIVE_ORDER:
            stopped = end is not None and end < self.day0
            current, last = (False, end) if stopped else (True, end)
        elif request.status in STOPPED_ORDER:
            current, last = False, end
        else:  # "unknown" or a status outside R4's list: taking it or not is unknown
            current, last = None, end
        if current is False and not self.recent(last or authored or start):
            return None
        return _MedicationUse(kind, current, last, daily_dose_mg(request, concept), reference)

    def medications(self) -> None:
        if not self.record.has("medications"):
            return
        uses = [u for r in self.record.get("medications") if (u := self.medication_use(r))]
        exposures: dict[str, OpioidExposure] = {}
        for use in uses:
            if use.kind.category == OPIOID:
                self.add_opioid(exposures, use)
            elif use.kind.category == "interaction" and use.current:
                exposures.setdefault(use.kind.name, OpioidExposure(use.kind.name, current=True))
            elif use.kind.category.startswith(NALTREXONE) and use.current:
                self.naltrexone(use)
        self.facts.opioids = list(exposures.values())
        complete = self.record.readable("MedicationRequest")
        if complete:
            self.facts.on_naltrexone_bupropion = bool(self.facts.on_naltrexone_bupropion)
            self.facts.on_naltrexone_50mg = bool(self.facts.on_naltrexone_50mg)
            if not any(u.kind.category == OPIOID for u in uses):
                self.facts.opioid_free = True
                self.findings.append("No opioid prescription active or recent in the record.")

    def add_opioid(self, exposures: dict[str, OpioidExposure], use: _MedicationUse) -> None:
        exposure = OpioidExposure(
            use.kind.name,
            current=use.current,
            last_dose=use.last_dose,
            long_acting=use.kind.long_acting,
        )
        state = "active" if use.current else "stopped" if use.current is False else "status unknown"
        when = f", last dose {use.last_dose.isoformat()}" if use.last_dose else ""
        self.findings.append(f"{use.kind.label} ({state}{when}).")
        previous = exposures.get(exposure.drug)
        if previous is None or _more_recent(exposure, previous):
            exposures[exposure.drug] = exposure

    def naltrexone(self, use: _MedicationUse) -> None:
        category = use.kind.category
        if category == NALTREXONE_BUPROPION:
            self.facts.on_naltrexone_bupropion = True
        elif category == NALTREXONE_FULL_DOSE or (
            use.daily_mg is not None and use.daily_mg > LDN_MAX_DAILY_MG
        ):
            self.facts.on_naltrexone_50mg = True
        else:
            self.findings.append(
                f"An active naltrexone order already exists ({use.kind.label}): check for a "
                "duplicate order."
            )
            return
        self.findings.append(f"{use.kind.label} (active).")

    # ------------------------------------------------------------ conditions

    def active_conditions(self) -> list[Any]:
        kept = []
        for condition in self.record.get("conditions"):
            clinical = status_code(condition.clinicalStatus)
            verification = status_code(condition.verificationStatus)
            if clinical is not None and clinical not in ACTIVE_CONDITION:
                continue
            if verification in ("refuted", "entered-in-error"):
                continue
            kept.append(condition)
        return kept

    def conditions(self) -> None:
        for condition in self.active_conditions():
            text = lower_text(condition.code)
            icd = {c for s, c in concept_codes(condition.code) if s in ICD10}
            label = (condition.code.text if condition.code and condition.code.text else text) or "?"
            if "hepatitis" in text or any(c[:3] in ("B15", "B16", "B17") for c in icd):
                if "acute" in text or any(c[:3] in ("B15", "B16", "B17") for c in icd):
                    self.liver.append("acute_hepatitis")
                    self.findings.append(f"Active condition: {label} (read as acute hepatitis).")
                else:
                    self.findings.append(f"Active condition: {label} (not stated as acute).")
            if "cirrhosis" in text:
                stage = (
                    "decompensated_cirrhosis"
                    if "decompensated" in text
                    else "compensated_cirrhosis"
                    if "compensated" in text
                    else None
                )
                self.liver.append(stage)
                note = "" if stage else " (compensation not recorded)"
                self.findings.append(f"Active condition: {label}{note}.")
            if _pregnancy_condition(condition.code, text, icd):
                self.facts.pregnant = True
                self.findings.append(f"Active condition: {label}.")
            if "breastfeeding" in text or "lactating" in text:
                self.facts.breastfeeding = True
                self.findings.append(f"Active condition: {label}.")

    # ------------------------------------------------------------ observations

    def latest(self, codes: set[str]) -> Any | None:
        found = [
            o
            for o in self.record.get("observations")
            if o.status not in ("entered-in-error", "cancelled", "preliminary")
            and any(s == LOINC and c in codes for s, c in concept_codes(o.code))
            and self.recent(as_date(o.effectiveDateTime))
            and as_date(o.effectiveDateTime) <= self.day0
        ]
        return max(found, key=lambda o: as_date(o.effectiveDateTime), default=None)

    def observations(self) -> None:
        judged = []
        for code, name in LIVER_LABS.items():
            observation = self.latest({code})
            if observation is None:
                continue
            verdict = _lab_judgement(observation)
            judged.append(verdict)
            day = as_date(observation.effectiveDateTime).isoformat()
            self.findings.append(f"{name} on {day}: {verdict or 'not interpretable'}.")
        if judged and None not in judged:
            self.liver.append("raised_lfts" if "raised" in judged else "normal")
        egfr = self.latest(EGFR_CODES)
        value = egfr.valueQuantity.value if egfr is not None and egfr.valueQuantity else None
        if value is not None:
            value = float(value)
            self.facts.renal_impairment = (
                "severe"
                if value < 30
                else "moderate"
                if value < 60
                else "mild"
                if value < 90
                else "none"
            )
            day = as_date(egfr.effectiveDateTime).isoformat()
            stage = self.facts.renal_impairment.replace("none", "no impairment")
            self.findings.append(f"eGFR {value:g} on {day} ({stage}).")
        status = self.latest({PREGNANCY_STATUS})
        if status is not None and status.valueCodeableConcept is not None:
            answer = lower_text(status.valueCodeableConcept)
            if has_code(status.valueCodeableConcept, SNOMED, {SNOMED_PREGNANT}) or (
                "pregnant" in answer and "not" not in answer
            ):
                self.facts.pregnant = True
                self.findings.append("Pregnancy status: pregnant.")
            elif "not pregnant" in answer and self.facts.pregnant is None:
                self.facts.pregnant = False

    def liver_status(self) -> None:
        if self.liver:
            self.facts.liver_status = min(self.liver, key=LIVER_ORDER.index)

    # ------------------------------------------------------------ procedures

    def procedures(self) -> None:
        upcoming: list[tuple[dt.date, str]] = []
        for request in self.record.get("serviceRequests"):
            categories = {c for _s, c in concept_codes(request.category or [])}
            if request.status not in ("draft", "active", "on-hold") or (
                categories & LAB_OR_IMAGING_CATEGORIES
            ):
                continue
            period = request.occurrencePeriod
            day = as_date(request.occurrenceDateTime) or as_date(period.start if period else None)
            if day is not None and day >= self.day0:
                upcoming.append((day, lower_text(request.code) or "procedure"))
        for procedure in self.record.get("procedures"):
            period = procedure.performedPeriod
            day = as_date(procedure.performedDateTime) or as_date(period.start if period else None)
            if procedure.status == "preparation" and day is not None and day >= self.day0:
                upcoming.append((day, lower_text(procedure.code) or "procedure"))
        if upcoming:
            day, name = min(upcoming)
            self.facts.procedure_planned, self.facts.procedure_date = True, day
            self.findings.append(f"Planned procedure on {day.isoformat()}: {name}.")
        elif self.record.has("serviceRequests") and self.record.has("procedures"):
            if self.record.readable("ServiceRequest") and self.record.readable("Procedure"):
                self.facts.procedure_planned = False

    # ------------------------------------------------------------ patient

    def patient(self) -> None:
        for patient in self.record.get("patient"):
            born = as_date(patient.birthDate)
            if born is not None:
                years = self.day0.year - born.year
                if (self.day0.month, self.day0.day) < (born.month, born.day):
                    years -= 1
                self.facts.age_years = years

    def mapped(self) -> MappedFacts:
        self.patient()
        self.medications()
        self.conditions()
        self.observations()
        self.liver_status()
        self.procedures()
        return MappedFacts(self.facts, self.findings, list(self.record.unreadable))


def _more_recent(new: OpioidExposure, old: OpioidExposure) -> bool:
    if new.current != old.current:
        return bool(new.current)
    return (new.last_dose or dt.date.min) > (old.last_dose or dt.date.min)


def _pregnancy_condition(code: Any, text: str, icd: set[str]) -> bool:
    if "not pregnant" in text:
        return False
    return (
        "pregnan" in text
        or has_code(code, SNOMED, {SNOMED_PREGNANT})
        or any(c.startswith("O") or c.startswith("Z33.1") for c in icd)
    )


def _lab_judgement(observation: Any) -> str | None:
    """ "raised", "normal" or None (no interpretation and no usable reference range)."""
    flags = {c for _s, c in concept_codes(observation.interpretation or [])}
    if flags & HIGH_FLAGS:
        return "raised"
    if "N" in flags:
        return "normal"
    value = observation.valueQuantity.value if observation.valueQuantity else None
    high = next(
        (r.high.value for r in observation.referenceRange or [] if r.high and r.high.value),
        None,
    )
    if value is None or high is None:
        return None
    return "raised" if value > high else "normal"


def facts_from_record(record: PatientRecord, order: DraftOrder) -> MappedFacts:
    return _Mapper(record, order).mapped()
