"""Patient facts: the inputs of the screening rules.

Filled from free text by ``ldn_core.extraction`` and from form slots by the Rasa
adapters; consumed by ``ldn_core.rules.screening``. ``None`` always means
"not known yet" (the assistant asks for it), never "no".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields


@dataclass
class OpioidExposure:
    """One opioid the patient takes or took.

    ``drug`` is the canonical generic name (``"oxycodone"``), also for brand
    names (``"OxyContin"`` -> ``"oxycodone"``).
    """

    drug: str
    current: bool | None = None  # True: still taking; False: stopped; None: unclear
    last_dose: dt.date | None = None
    maintenance: bool = False  # methadone / buprenorphine maintenance for OUD
    # True when an extended-release / patch / depot form was named (OxyContin, Duragesic,
    # "morphine SR"): use ldn_core.rules.opioids.opioid_kind(text) == "long_acting".
    # None = form not stated (screening then uses the generic's usual kind and warns).
    long_acting: bool | None = None


@dataclass
class PatientFacts:
    indication: str | None = None  # canonical condition id, e.g. "fibromyalgia", "crps"
    opioids: list[OpioidExposure] = field(default_factory=list)
    opioid_free: bool | None = None  # explicit "no opioids" / "denies opioid use"
    last_opioid_dose: dt.date | None = None  # latest known last dose over all opioids
    procedure_planned: bool | None = None
    procedure_date: dt.date | None = None
    procedure_needs_opioids: bool | None = None
    # "normal" | "raised_lfts" | "acute_hepatitis" | "compensated_cirrhosis"
    # | "decompensated_cirrhosis"
    liver_status: str | None = None
    renal_impairment: str | None = None  # "none" | "mild" | "moderate" | "severe"
    pregnant: bool | None = None
    breastfeeding: bool | None = None
    planning_pregnancy: bool | None = None
    age_years: int | None = None
    frail: bool | None = None
    # "positive" | "negative": a urine opioid screen result, when one was mentioned
    urine_opioid_screen: str | None = None
    on_naltrexone_bupropion: bool | None = None
    on_naltrexone_50mg: bool | None = None
    # a past reaction to naltrexone (LDN included): "allergy" (allergy, hypersensitivity,
    # anaphylaxis, rash) | "reaction" (kind not stated) | "none" (explicitly denied)
    naltrexone_reaction: str | None = None
    requested_start: dt.date | None = None  # "can I start tonight" -> today
    requested_dose_mg: float | None = None

    def merged_with(self, other: PatientFacts) -> PatientFacts:
        """Facts from ``other`` override ours where ``other`` knows them."""
        merged = PatientFacts()
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if f.name == "opioids":
                by_drug = {o.drug: o for o in mine}
                by_drug.update({o.drug: o for o in theirs})
                setattr(merged, f.name, list(by_drug.values()))
            else:
                setattr(merged, f.name, theirs if theirs is not None else mine)
        return merged


def facts_to_dict(facts: PatientFacts) -> dict:
    """JSON-safe form (ISO dates) for storing facts in a conversation slot."""

    def plain(value: object) -> object:
        if isinstance(value, dt.date):
            return value.isoformat()
        return value

    data = {f.name: plain(getattr(facts, f.name)) for f in fields(facts) if f.name != "opioids"}
    data["opioids"] = [
        {f.name: plain(getattr(o, f.name)) for f in fields(o)} for o in facts.opioids
    ]
    return data


def facts_from_dict(data: dict | None) -> PatientFacts:
    """Inverse of facts_to_dict; unknown keys are ignored, bad dates become unknown."""

    def date_or_none(value: object) -> dt.date | None:
        try:
            return dt.date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            return None

    if not data:
        return PatientFacts()
    date_fields = {"last_opioid_dose", "procedure_date", "requested_start"}
    known = {f.name for f in fields(PatientFacts)} - {"opioids"}
    values = {
        k: (date_or_none(v) if k in date_fields else v) for k, v in data.items() if k in known
    }
    exposure_fields = {f.name for f in fields(OpioidExposure)}
    opioids = []
    for item in data.get("opioids") or []:
        if isinstance(item, dict) and item.get("drug"):
            entry = {k: v for k, v in item.items() if k in exposure_fields}
            entry["last_dose"] = date_or_none(entry.get("last_dose"))
            opioids.append(OpioidExposure(**entry))
    return PatientFacts(opioids=opioids, **values)
