"""Maps mentions (entity + context + date) onto :class:`ldn_core.patient.PatientFacts`."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from spacy.tokens import Doc

from ..patient import OpioidExposure, PatientFacts
from .lexicon import Lexicon
from .measures import ckd_stage_category, egfr_category, find_age, find_doses
from .mentions import Mention

LIVER_SEVERITY = [
    "normal",
    "raised_lfts",
    "compensated_cirrhosis",
    "acute_hepatitis",
    "decompensated_cirrhosis",
]
RENAL_SEVERITY = ["none", "mild", "moderate", "severe"]
SHORT_ACTING_MARKERS = ("ir", "immediate release", "instant release", "immediate-release")
PAIN_USE = re.compile(r"\bfor\s+(?:\w+\s+){0,2}pain\b|\banalges|\bpatch\b", re.I)
MAX_LDN_DOSE_MG = 10.0  # a requested dose above this is not LDN


def _past(m: Mention, today: dt.date) -> dt.date | None:
    return m.time.resolve(today, "past") if m.time else None


def _future(m: Mention, today: dt.date) -> dt.date | None:
    if m.time is None or m.time.kind == "for" or m.time.text_direction == "past":
        return None
    return m.time.resolve(today, "future")


def _worst(values: Iterable[str], order: list[str]) -> str | None:
    ranked = [v for v in values if v in order]
    return max(ranked, key=order.index) if ranked else None


def _long_acting(m: Mention, markers: tuple[str, ...]) -> bool | None:
    """Form named by the alias (OxyContin) or by the next words ("morphine SR", "oxycodone IR")."""
    form = m.meta.get("form")
    if form:
        return form == "long_acting"
    if m.meta.get("kind") == "long_acting" and m.span.text.lower() != m.value:
        return True  # a brand of a long-acting generic ("Duragesic")
    words = m.span.text.lower().split()
    after = " ".join(t.lower_ for t in m.span.doc[m.span.end : m.span.end + 2])
    if any(w in markers for w in words[1:]) or any(
        after == k or after.startswith(k + " ") for k in markers
    ):
        return True
    if any(after == k or after.startswith(k + " ") for k in SHORT_ACTING_MARKERS):
        return False
    return None


def _opioid(m: Mention, lexicon: Lexicon, today: dt.date) -> OpioidExposure | None:
    long_acting = _long_acting(m, lexicon.long_acting_markers)
    maintenance = (
        lexicon.opioid_kinds.get(m.value) == "maintenance"
        and long_acting is not True
        and not PAIN_USE.search(m.sentence.text)
    )
    exposure = OpioidExposure(drug=m.value, maintenance=maintenance, long_acting=long_acting)
    if m.status == "ALLERGY":
        return None  # an opioid on the allergy list is not taken; its use stays unknown
    if m.status == "HISTORICAL" or (m.status == "NEGATED_EXISTENCE" and m.time):
        exposure.current, exposure.last_dose = False, _past(m, today)
    elif m.status == "CURRENT":
        exposure.current = True
    elif m.status is None and not m.future:
        if m.time is not None and m.time.text_direction != "future":
            exposure.current, exposure.last_dose = False, _past(m, today)
    else:
        return None  # negated without date, hypothetical, or planned for later
    return exposure


def _merge_opioid(found: dict[str, OpioidExposure], new: OpioidExposure) -> None:
    old = found.get(new.drug)
    if old is None:
        found[new.drug] = new
        return
    old.current = new.current if new.current is not None else old.current
    old.last_dose = new.last_dose or old.last_dose
    old.maintenance = old.maintenance or new.maintenance
    if new.long_acting is not None and old.long_acting is not True:
        old.long_acting = (
            new.long_acting
        )  # a long-acting form, once named, is kept (longer washout)


def _opioid_facts(
    facts: PatientFacts, mentions: list[Mention], lexicon: Lexicon, today: dt.date
) -> None:
    has_procedure = any(m.category == "PROCEDURE" and not m.negated for m in mentions)
    found: dict[str, OpioidExposure] = {}
    class_dates: list[dt.date] = []
    for m in mentions:
        if (
            m.category in {"OPIOID", "OPIOID_CLASS"}
            and m.future
            and m.status in {None, "NEGATED_EXISTENCE", "HYPOTHETICAL"}
        ):
            if has_procedure:
                facts.procedure_needs_opioids = not m.negated
            continue
        if m.category == "OPIOID":
            exposure = _opioid(m, lexicon, today)
            if exposure:
                _merge_opioid(found, exposure)
        elif m.category == "OPIOID_CLASS":
            if m.negated or m.stop_cue:
                facts.opioid_free = True
                class_dates += [d for d in [_past(m, today)] if d]
            elif m.status == "CURRENT" and facts.opioid_free is None:
                facts.opioid_free = False
        elif m.category == "OPIOID_FREE" and m.status != "HYPOTHETICAL":
            facts.opioid_free = not m.negated
            class_dates += [d for d in [_past(m, today)] if d and not m.negated]
        elif m.category == "PROC_OPIOIDS":
            facts.procedure_needs_opioids = (m.value == "true") != m.negated
    facts.opioids = list(found.values())
    last_doses = [o.last_dose for o in facts.opioids if o.last_dose] + class_dates
    facts.last_opioid_dose = max(last_doses) if last_doses else None


def _liver(mentions: list[Mention]) -> str | None:
    values = []
    for m in mentions:
        if m.category != "LIVER" or m.status in {"HISTORICAL", "HYPOTHETICAL"}:
            continue
        if m.negated:
            # A "normal" phrase asserts itself ("LFTs are normal"; "LFTs not normal" does
            # not match it), so a negation reaching it belongs to an earlier list item:
            # "no opioids and LFTs are normal".
            values.append("normal")
        elif m.value != "unspecified":
            values.append(m.value)
    return _worst(values, LIVER_SEVERITY)


def _renal(mentions: list[Mention]) -> str | None:
    values = []
    for m in mentions:
        if m.category != "RENAL" or m.status in {"HISTORICAL", "HYPOTHETICAL"}:
            continue
        if m.value == "egfr":
            value = egfr_category(m.span.text)
        elif m.value == "stage":
            value = ckd_stage_category(m.span.text)
        else:
            value = m.value
        if m.negated:
            value = "none"
        if value and value != "unspecified":
            values.append(value)
    return _worst(values, RENAL_SEVERITY)


# Categories whose mention counts even in a hypothetical frame: a plan is hypothetical by
# nature ("asks about trying for a baby next year", "considering IVF").
HYPOTHETICAL_COUNTS = frozenset({"PLANNING_PREGNANCY"})


def _flag(mentions: list[Mention], category: str) -> bool | None:
    """True if any current positive mention; False if only negated/stopped ones."""
    result: bool | None = None
    for m in mentions:
        if m.category != category:
            continue
        if m.status == "HYPOTHETICAL" and category not in HYPOTHETICAL_COUNTS:
            continue
        positive = m.value == "true"
        if m.negated or (m.status == "HISTORICAL" and category.startswith("NTX")):
            positive = not positive
        elif m.status == "HISTORICAL":
            continue
        result = positive or bool(result)
    return result


def _naltrexone_reaction(mentions: list[Mention]) -> str | None:
    """A reaction to naltrexone counts whenever it happened ("years ago" included): an allergy
    does not lapse. A denial ("no allergy to naltrexone") is "none"."""
    values = []
    for m in mentions:
        if m.category != "NTX_ALLERGY" or m.status == "HYPOTHETICAL":
            continue
        values.append("none" if m.negated else m.value)
    return _worst(values, ["none", "reaction", "allergy"])


def _urine_screen(mentions: list[Mention]) -> str | None:
    """A positive screen wins over a negative one; a negated or historical result is ignored."""
    values = {
        m.value
        for m in mentions
        if m.category == "URINE_OPIOID_SCREEN" and m.status in (None, "CURRENT")
    }
    return "positive" if "positive" in values else "negative" if "negative" in values else None


def _indication(mentions: list[Mention], secondary: set[str], umbrella: set[str]) -> str | None:
    """The first LDN indication named; a specific one beats an umbrella term ("IBD clinic,
    Crohn's" is Crohn's), and either beats another naltrexone product's condition."""
    found = [m.value for m in mentions if m.category == "CONDITION" and not m.negated]
    primary = [c for c in found if c not in secondary]
    specific = [c for c in primary if c not in umbrella]
    return (specific or primary or found or [None])[0]


def _procedure(facts: PatientFacts, mentions: list[Mention], today: dt.date) -> None:
    for m in mentions:
        if m.category != "PROCEDURE" or m.status in {"HISTORICAL", "HYPOTHETICAL"}:
            continue
        if m.time is not None and m.time.text_direction == "past":
            continue  # "surgery 3 weeks ago"
        if m.negated:
            if facts.procedure_planned is None:
                facts.procedure_planned = False
            continue
        facts.procedure_planned = True
        date = _future(m, today)
        if date and (facts.procedure_date is None or date < facts.procedure_date):
            facts.procedure_date = date


def _start_and_dose(facts: PatientFacts, doc: Doc, mentions: list[Mention], today: dt.date) -> None:
    starts = [m for m in mentions if m.category == "START" and not m.negated]
    for m in starts:
        if facts.requested_start is None:
            facts.requested_start = _future(m, today)
    drug_ends = [m.span.end for m in mentions if m.category in {"OPIOID", "NTX_FULL", "NTX_BUP"}]
    for dose in find_doses(doc.text):
        span = doc.char_span(dose.start, dose.end, alignment_mode="expand")
        if span is None or not 0 < dose.mg <= MAX_LDN_DOSE_MG:
            continue
        if any(0 <= span.start - end <= 3 for end in drug_ends):
            continue  # "oxycodone 5 mg" is the opioid's dose
        if any(s.sentence == span.sent for s in starts):
            facts.requested_dose_mg = dose.mg
            break


def facts_from_mentions(
    doc: Doc, mentions: list[Mention], today: dt.date, lexicon: Lexicon
) -> PatientFacts:
    facts = PatientFacts()
    facts.indication = _indication(
        mentions, lexicon.secondary_conditions, lexicon.umbrella_conditions
    )
    _opioid_facts(facts, mentions, lexicon, today)
    _procedure(facts, mentions, today)
    if facts.procedure_planned is not True and facts.procedure_needs_opioids is not None:
        facts.procedure_needs_opioids = (
            None if facts.procedure_planned is None else facts.procedure_needs_opioids
        )
    facts.liver_status = _liver(mentions)
    facts.renal_impairment = _renal(mentions)
    facts.pregnant = _flag(mentions, "PREGNANCY")
    facts.breastfeeding = _flag(mentions, "BREASTFEEDING")
    facts.planning_pregnancy = _flag(mentions, "PLANNING_PREGNANCY")
    facts.frail = _flag(mentions, "FRAILTY")
    facts.urine_opioid_screen = _urine_screen(mentions)
    facts.on_naltrexone_bupropion = _flag(mentions, "NTX_BUP")
    facts.on_naltrexone_50mg = _flag(mentions, "NTX_FULL")
    if any(m.category == "NTX_NONE" and m.status in (None, "CURRENT") for m in mentions):
        # a statement that no naltrexone is taken answers both products, unless named
        if facts.on_naltrexone_bupropion is None:
            facts.on_naltrexone_bupropion = False
        if facts.on_naltrexone_50mg is None:
            facts.on_naltrexone_50mg = False
    facts.naltrexone_reaction = _naltrexone_reaction(mentions)
    facts.age_years = find_age(doc.text)
    _start_and_dose(facts, doc, mentions, today)
    return facts
