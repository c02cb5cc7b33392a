"""Can this patient start LDN, when, or not at all, and why?

``screen(facts, today)`` applies the rules of ``knowledge/rules/screening.yaml`` to
``PatientFacts``. Every reason carries its rule id, sources and evidence word.

Day counting for the opioid-free interval: the day of the last opioid dose is day 0, the
next day is day 1, and so on. With a last dose on 1 March, day 7 is 8 March (the earliest
start, last dose + 7 days) and day 10 is 11 March (the conservative start, last dose + 10
days). All arithmetic uses ``datetime.date``.

Verdict precedence: do_not_start > needs_specialist_review > wait_until >
insufficient_information > can_start. Any current opioid use gives do_not_start.

Unknown facts never clear a patient. Which unknowns block a ``can_start`` is rules data (the
``confirmations`` groups of screening.yaml): an unknown opioid status, other naltrexone
product or liver status gives ``insufficient_information``; the other unknowns are listed in
``ScreeningResult.unconfirmed`` next to a qualified ``can_start``. A substance the rules do not
know, or whose opioid activity is uncertain, gives ``needs_specialist_review``.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from ..patient import OpioidExposure, PatientFacts
from .data import RULES_DIR, RuleSet, format_value, load_rule_set
from .dosing import DosingError, check_dose, titration_rules
from .opioids import interaction_note, lexicon, lookup_opioid


class Verdict(str, Enum):
    CAN_START = "can_start"
    WAIT_UNTIL = "wait_until"
    DO_NOT_START = "do_not_start"
    NEEDS_SPECIALIST_REVIEW = "needs_specialist_review"
    INSUFFICIENT_INFORMATION = "insufficient_information"


PRECEDENCE = (
    Verdict.DO_NOT_START,
    Verdict.NEEDS_SPECIALIST_REVIEW,
    Verdict.WAIT_UNTIL,
    Verdict.INSUFFICIENT_INFORMATION,
    Verdict.CAN_START,
)
SEVERITY_VERDICT = {
    "block": Verdict.DO_NOT_START,
    "review": Verdict.NEEDS_SPECIALIST_REVIEW,
    "wait": Verdict.WAIT_UNTIL,
}
SEVERITY_ORDER = ("block", "review", "wait", "caution", "info")

REQUIRED = {
    "opioid_planned_stop": ("min_days", "conservative_days"),
    "opioid_washout_wait": ("min_days", "conservative_days"),
    "opioid_washout_window": ("min_days", "conservative_days"),
    "procedure_hold": ("hold_hours", "practice_hold_hours"),
    "procedure_short_window": ("short_window_days",),
    "age_under_18": ("adult_age",),
    "older_or_frail": ("older_age",),
    "opioid_form_unstated": ("min_days", "conservative_days"),
    "path_washout_short": ("min_days", "conservative_days"),
    **{
        rule: ()
        for rule in (
            "opioid_current",
            "opioid_maintenance_current",
            "opioid_washout_complete",
            "opioid_stopped_long_acting",
            "opioid_stopped_maintenance",
            "opioid_unnamed",
            "opioid_unknown_drug",
            "opioid_uncertain_activity",
            "urine_screen_positive",
            "planning_pregnancy",
            "path_stop_opioid",
            "path_washout_long",
            "path_start_low",
            "opioid_free_reported",
            "opioid_interaction_only",
            "procedure_hold_passed",
            "procedure_defer_start",
            "procedure_restart",
            "liver_acute_hepatitis",
            "liver_decompensated_cirrhosis",
            "liver_raised_lfts",
            "liver_compensated_cirrhosis",
            "renal_severe",
            "renal_moderate",
            "pregnancy",
            "breastfeeding",
            "on_naltrexone_bupropion",
            "on_naltrexone_full_dose",
            "naltrexone_hypersensitivity",
            "naltrexone_possible_reaction",
            "indication_crohns",
            "indication_multiple_sclerosis",
            "indication_fibromyalgia",
            "indication_other_naltrexone",
            "requested_dose",
        )
    },
}
NALTREXONE_REACTION_RULES = {
    "allergy": "naltrexone_hypersensitivity",
    "reaction": "naltrexone_possible_reaction",
}
LIVER_RULES = {
    "acute_hepatitis": "liver_acute_hepatitis",
    "decompensated_cirrhosis": "liver_decompensated_cirrhosis",
    "raised_lfts": "liver_raised_lfts",
    "compensated_cirrhosis": "liver_compensated_cirrhosis",
}
INDICATION_RULES = {
    "crohns": "indication_crohns",
    "multiple_sclerosis": "indication_multiple_sclerosis",
    "fibromyalgia": "indication_fibromyalgia",
    "alcohol_use_disorder": "indication_other_naltrexone",
    "opioid_use_disorder": "indication_other_naltrexone",
    "obesity": "indication_other_naltrexone",
}
INDICATION_LABELS = {
    "alcohol_use_disorder": "Alcohol use disorder",
    "opioid_use_disorder": "Opioid use disorder",
    "obesity": "Obesity",
}
UNNAMED_OPIOID = "an unnamed opioid"
# Rules whose block comes from an opioid the patient is taking now: a do_not_start made only
# of these gets the path forward (stop, wait, start low), dated when the wait is known.
OPIOID_BLOCK_RULES = frozenset({"opioid_current", "opioid_maintenance_current"})


@functools.cache
def screening_rules(rules_dir: Path = RULES_DIR) -> RuleSet:
    return load_rule_set(Path(rules_dir) / "screening.yaml", REQUIRED, need_severity=True)


@dataclass(frozen=True)
class Reason:
    rule_id: str
    text: str
    sources: tuple[str, ...]
    evidence: str
    severity: str  # block | review | wait | caution | info

    def to_dict(self) -> dict:
        return {
            "rule_id": self.rule_id,
            "text": self.text,
            "sources": list(self.sources),
            "evidence": self.evidence,
            "severity": self.severity,
        }


@dataclass(frozen=True)
class ScreeningResult:
    verdict: Verdict
    start_date: dt.date  # the date screened: requested start, or today
    earliest_start: dt.date | None  # set for can_start and (when computable) wait_until
    conservative_start: dt.date | None  # last opioid dose + 10 days, when a washout applies
    hold_from: dt.date | None  # stop LDN from this date before a procedure needing opioids
    restart_note: str | None
    reasons: list[Reason] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # keys of facts needed to decide
    to_confirm: list[str] = field(default_factory=list)  # keys worth checking, not blocking
    questions: dict[str, str] = field(default_factory=dict)  # key -> question to ask
    # Facts not confirmed, by group: {"group", "label", "blocking", "questions"}. With a
    # can_start, the verdict holds only if none of them applies.
    unconfirmed: list[dict] = field(default_factory=list)
    # Steps to a start after a waiting or opioid do-not-start verdict, each with sources.
    path_forward: list[Reason] = field(default_factory=list)
    schedule_from: dt.date | None = None  # date to offer a titration schedule from

    @property
    def qualified(self) -> bool:
        """True when the verdict depends on facts nobody has confirmed yet."""
        return bool(self.unconfirmed)

    def to_dict(self) -> dict:
        iso = lambda d: d.isoformat() if d else None  # noqa: E731
        return {
            "verdict": self.verdict.value,
            "start_date": iso(self.start_date),
            "earliest_start": iso(self.earliest_start),
            "conservative_start": iso(self.conservative_start),
            "hold_from": iso(self.hold_from),
            "restart_note": self.restart_note,
            "reasons": [r.to_dict() for r in self.reasons],
            "missing": list(self.missing),
            "to_confirm": list(self.to_confirm),
            "questions": dict(self.questions),
            "unconfirmed": [dict(item) for item in self.unconfirmed],
            "path_forward": [r.to_dict() for r in self.path_forward],
            "schedule_from": iso(self.schedule_from),
        }


class _Screening:
    def __init__(self, facts: PatientFacts, today: dt.date) -> None:
        self.facts, self.today = facts, today
        self.start = max(facts.requested_start or today, today)
        self.rules = screening_rules()
        self.reasons: list[Reason] = []
        self.missing: dict[str, str] = {}
        self.to_confirm: dict[str, str] = {}
        self.wait_dates: list[dt.date | None] = []  # None: "after the procedure"
        self.conservative: list[dt.date] = []
        self.hold_from: dt.date | None = None
        self.restart_note: str | None = None
        self.path: list[Reason] = []
        self.path_earliest: dt.date | None = None  # start date if the current opioid stops today
        self.current_opioid = False

    # ------------------------------------------------------------ helpers

    def reason(
        self, rule_id: str, sources: tuple[str, ...] | None = None, **values: object
    ) -> Reason:
        rule = self.rules.rule(rule_id)
        return Reason(
            rule.id,
            rule.render(**values),
            sources or rule.sources,
            rule.evidence,
            rule.severity or "info",
        )

    def add(self, rule_id: str, sources: tuple[str, ...] | None = None, **values: object) -> None:
        self.reasons.append(self.reason(rule_id, sources, **values))

    def step(self, rule_id: str, sources: tuple[str, ...] | None = None, **values: object) -> None:
        if all(r.rule_id != rule_id for r in self.path):
            self.path.append(self.reason(rule_id, sources, **values))

    def need(self, key: str, question: str, **values: object) -> None:
        """Ask for an unknown fact; the rules data decides whether it blocks can_start."""
        group = self.rules.confirmation_for(key)
        blocking = group is None or group.blocking  # an ungrouped unknown blocks: safe side
        target = self.missing if blocking else self.to_confirm
        target.setdefault(key, self.rules.question(question, **values))

    # ------------------------------------------------------------ opioids

    def opioids(self) -> None:
        f = self.facts
        exposures = list(f.opioids)
        if not exposures and f.last_opioid_dose is not None:
            exposures = [
                OpioidExposure(UNNAMED_OPIOID, current=False, last_dose=f.last_opioid_dose)
            ]
        if not exposures:
            if f.opioid_free is True:
                self.add("opioid_free_reported")
            elif f.opioid_free is False:  # reported as using opioids, drug not named
                self.add("opioid_current", drug="an opioid")
                self.current_opioid = True
                self.need("opioid_name", "opioid_name")
                self.opioid_path("an opioid", None, None)
            else:
                self.need("opioid_status", "opioid_status")
        for exposure in exposures:
            self.exposure(exposure)
        if f.urine_opioid_screen == "positive" and not self.current_opioid:
            self.add("urine_screen_positive")
            self.need("urine_opioid_screen", "urine_opioid_screen")
        # Denials and stopped lists miss over-the-counter products often enough to ask.
        self.need("otc_opioids", "otc_opioids")

    def exposure(self, e: OpioidExposure) -> None:
        match = lookup_opioid(e.drug)
        if match is None and e.drug != UNNAMED_OPIOID:
            note = interaction_note(e.drug)
            if note is not None:
                self.add("opioid_interaction_only", sources=note.sources, note=note.note)
                if e.current is not False:
                    self.need(
                        f"antidiarrhoeal_dose:{note.name}", "antidiarrhoeal_dose", drug=e.drug
                    )
                return
            self.add("opioid_unknown_drug", drug=e.drug)
            return
        if match is not None and match.kind == "uncertain" and not e.maintenance:
            entry = lexicon().entries[match.name]
            self.add("opioid_uncertain_activity", drug=match.name, note=entry.note or match.name)
            return
        drug = match.name if match else e.drug
        if e.maintenance:
            kind = "maintenance"
        elif e.long_acting:
            kind = "long_acting"
        else:
            kind = match.kind if match else None
        # The short-acting interval is used only when the form is known to be short-acting;
        # an unstated form of a drug with long-acting products gets the conservative day.
        form_unstated = match is None or (
            kind == "short_acting" and bool(match.long_acting_forms) and e.long_acting is None
        )
        last = e.last_dose or self.facts.last_opioid_dose
        current = e.current
        if current is None and last is not None and last >= self.today:
            current = True  # a last dose today or later: still taking
        if current:
            self.current_opioid = True
            self.add(
                "opioid_maintenance_current" if kind == "maintenance" else "opioid_current",
                drug=drug,
            )
            if last is not None and last >= self.today and kind in ("short_acting", None):
                self.add(
                    "opioid_planned_stop",
                    drug=drug,
                    last_dose=last,
                    **self.washout_dates(last, "opioid_planned_stop"),
                )
            if match is None:
                self.need("opioid_name", "opioid_name")
            planned_last = last if last is not None and last >= self.today else None
            self.opioid_path(drug, kind, planned_last, form_unstated)
            return
        if current is None:
            self.need(f"opioid_current:{drug}", "opioid_current", drug=drug)
        if last is None:
            self.need(f"opioid_last_dose:{drug}", "opioid_last_dose", drug=drug)
            if kind in ("short_acting", None) and match is not None:
                self.add("opioid_washout_unknown_date", drug=drug)
            return
        form = "long-acting form" if kind == "long_acting" else "maintenance agent"
        if kind == "maintenance":
            self.add("opioid_stopped_maintenance", drug=drug, form=form, last_dose=last)
        elif kind == "long_acting":
            self.add("opioid_stopped_long_acting", drug=drug, form=form, last_dose=last)
        else:
            if match is None:
                self.add("opioid_unnamed")
                self.need("opioid_name", "opioid_name")
            elif form_unstated:
                self.add(
                    "opioid_form_unstated", drug=drug, examples=", ".join(match.long_acting_forms)
                )
                self.need(f"opioid_form:{drug}", "opioid_form", drug=drug)
            self.short_acting_washout(drug, last, conservative_only=form_unstated)

    def opioid_path(
        self,
        drug: str,
        kind: str | None,
        planned_last: dt.date | None,
        form_unstated: bool = True,
    ) -> None:
        """Steps from a current opioid to a start: stop under supervision, wait, start low."""
        self.step("path_stop_opioid", drug=drug)
        if kind in ("long_acting", "maintenance"):
            form = "long-acting form" if kind == "long_acting" else "maintenance agent"
            self.step("path_washout_long", drug=drug, form=form)
        else:
            last = planned_last or self.today
            shown = format_value(last) if planned_last else f"{format_value(last)} if stopped today"
            earliest = self.washout_step(drug, last, shown, form_unstated)
            if self.path_earliest is None or earliest > self.path_earliest:
                self.path_earliest = earliest
        self.start_low_step()

    def washout_step(
        self, drug: str, last: dt.date, last_dose_text: str, conservative_only: bool
    ) -> dt.date:
        """The waiting step of the path forward; returns the earliest start it gives."""
        rule = self.rules.rule("path_washout_short")
        dates = self.washout_dates(last, "path_washout_short")
        day = rule.param("conservative_days" if conservative_only else "min_days")
        earliest = dates["conservative"] if conservative_only else dates["earliest"]
        self.step(
            "path_washout_short",
            drug=drug,
            last_dose=last_dose_text,
            earliest=earliest,
            earliest_day=day,
            conservative=dates["conservative"],
        )
        return earliest

    def start_low_step(self) -> None:
        titration = titration_rules().rule("titration_standard")
        self.step(
            "path_start_low",
            sources=titration.sources,
            start_mg=titration.param("start_mg"),
        )

    def washout_dates(self, last: dt.date, rule_id: str = "opioid_washout_wait") -> dict:
        rule = self.rules.rule(rule_id)
        return {
            "earliest": last + dt.timedelta(days=int(rule.param("min_days"))),
            "conservative": last + dt.timedelta(days=int(rule.param("conservative_days"))),
        }

    def short_acting_washout(self, drug: str, last: dt.date, conservative_only: bool) -> None:
        rule = self.rules.rule("opioid_washout_wait")
        dates = self.washout_dates(last)
        days_since = (self.start - last).days
        values = dict(drug=drug, last_dose=last, start=self.start, days_since=days_since, **dates)
        min_days = rule.param("min_days")
        if conservative_only:  # the earliest start moves to the conservative day
            min_days = rule.param("conservative_days")
            values.update(min_days=min_days, earliest=dates["conservative"])
        self.conservative.append(dates["conservative"])
        if days_since < min_days:
            self.add("opioid_washout_wait", **values)
            self.wait_dates.append(values["earliest"])
            self.washout_step(drug, last, format_value(last), conservative_only)
            self.start_low_step()
        elif days_since < rule.param("conservative_days"):
            self.add("opioid_washout_window", **values)
        else:
            self.add("opioid_washout_complete", **values)

    # ------------------------------------------------------------ procedure

    def procedure(self) -> None:
        f = self.facts
        if f.procedure_planned is False:
            return
        if f.procedure_planned is None and f.procedure_date is None:
            self.need("procedure_planned", "procedure_planned")
            return
        if f.procedure_date is not None and f.procedure_date < self.today:
            return  # already happened
        if f.procedure_date is None:
            self.need("procedure_date", "procedure_date")
        if f.procedure_needs_opioids is None:
            self.need("procedure_needs_opioids", "procedure_needs_opioids")
        if f.procedure_date is None or not f.procedure_needs_opioids:
            return
        hold = self.rules.rule("procedure_hold")
        date = f.procedure_date
        self.hold_from = date - dt.timedelta(days=math.ceil(hold.param("hold_hours") / 24))
        practice = date - dt.timedelta(days=math.ceil(hold.param("practice_hold_hours") / 24))
        self.add(
            "procedure_hold",
            procedure_date=date,
            hold_from=self.hold_from,
            practice_hold_from=practice,
        )
        self.restart_note = self.rules.rule("procedure_restart").render()
        if self.hold_from <= self.today:
            self.add("procedure_hold_passed", hold_from=self.hold_from)
        # the first day LDN could really start, given any opioid-free interval still running
        start = max([self.start, *(d for d in self.wait_dates if d is not None)])
        if start >= self.hold_from:
            self.add(
                "procedure_defer_start", procedure_date=date, hold_from=self.hold_from, start=start
            )
            self.wait_dates.append(None)
            return
        window = (self.hold_from - start).days
        if window < self.rules.rule("procedure_short_window").param("short_window_days"):
            self.add(
                "procedure_short_window", start=start, window_days=window, hold_from=self.hold_from
            )

    # ------------------------------------------------------------ other facts

    def patient(self) -> None:
        f = self.facts
        if f.liver_status in LIVER_RULES:
            self.add(LIVER_RULES[f.liver_status])
        elif f.liver_status != "normal":
            self.need("liver_status", "liver_status")
        if f.renal_impairment == "severe":
            self.add("renal_severe")
        elif f.renal_impairment == "moderate":
            self.add("renal_moderate")
        elif f.renal_impairment not in ("none", "mild"):
            self.need("renal_impairment", "renal_impairment")
        for flag, rule, key in (
            (f.pregnant, "pregnancy", "pregnant"),
            (f.breastfeeding, "breastfeeding", "breastfeeding"),
        ):
            if flag:
                self.add(rule)
            elif flag is None:
                self.need(key, key)
        if f.planning_pregnancy:
            self.add("planning_pregnancy")
        elif f.planning_pregnancy is None and not f.pregnant:
            self.need("planning_pregnancy", "planning_pregnancy")
        self.age_and_frailty()
        if f.on_naltrexone_bupropion:
            self.add("on_naltrexone_bupropion")
        if f.on_naltrexone_50mg:
            self.add("on_naltrexone_full_dose")
        if f.naltrexone_reaction in NALTREXONE_REACTION_RULES:
            self.add(NALTREXONE_REACTION_RULES[f.naltrexone_reaction])
        if f.on_naltrexone_bupropion is None or f.on_naltrexone_50mg is None:
            self.need("other_naltrexone", "other_naltrexone")
        if f.indication is None:
            self.need("indication", "indication")
        elif f.indication in INDICATION_RULES:
            self.add(
                INDICATION_RULES[f.indication],
                indication_label=INDICATION_LABELS.get(f.indication, f.indication),
            )
        if f.requested_dose_mg is not None:
            self.requested_dose(f.requested_dose_mg)

    def age_and_frailty(self) -> None:
        f = self.facts
        older = self.rules.rule("older_or_frail").param("older_age")
        if f.age_years is None:
            self.need("age_years", "age_years")
        elif f.age_years < self.rules.rule("age_under_18").param("adult_age"):
            self.add("age_under_18", age=f.age_years)
        if f.age_years is not None and f.age_years >= older:
            who = f"Age {f.age_years} years" + (", frail" if f.frail else "")
            self.add("older_or_frail", who=who)
        elif f.frail:
            self.add("older_or_frail", who="Frail patient")

    def requested_dose(self, mg: float) -> None:
        rule = self.rules.rule("requested_dose")
        try:
            assessment = check_dose(mg)
        except DosingError as exc:
            self.reasons.append(
                Reason(rule.id, rule.render(message=str(exc)), (), "very_low", "caution")
            )
            return
        severity = "caution" if assessment.outside_usual_protocol else "info"
        self.reasons.append(
            Reason(
                rule.id,
                rule.render(message=assessment.message),
                assessment.sources,
                assessment.evidence,
                severity,
            )
        )

    # ------------------------------------------------------------ result

    def result(self) -> ScreeningResult:
        self.opioids()
        self.procedure()
        self.patient()
        found = {
            SEVERITY_VERDICT[r.severity] for r in self.reasons if r.severity in SEVERITY_VERDICT
        }
        if self.missing:
            found.add(Verdict.INSUFFICIENT_INFORMATION)
        verdict = next((v for v in PRECEDENCE if v in found), Verdict.CAN_START)
        earliest: dt.date | None = None
        if verdict is Verdict.CAN_START:
            earliest = self.start
        elif verdict is Verdict.WAIT_UNTIL and self.wait_dates and None not in self.wait_dates:
            earliest = max(d for d in self.wait_dates if d is not None)
        reasons = sorted(self.reasons, key=lambda r: SEVERITY_ORDER.index(r.severity))
        path: list[Reason] = []
        schedule_from: dt.date | None = None
        if verdict is Verdict.WAIT_UNTIL and self.path:
            path, schedule_from = self.path, earliest
        elif verdict is Verdict.DO_NOT_START and self.path:
            decisive = {r.rule_id for r in self.reasons if r.severity in ("block", "review")}
            if decisive <= OPIOID_BLOCK_RULES:  # nothing else stands in the way
                path, schedule_from = self.path, self.path_earliest
        return ScreeningResult(
            verdict=verdict,
            start_date=self.start,
            earliest_start=earliest,
            conservative_start=max(self.conservative) if self.conservative else None,
            hold_from=self.hold_from,
            restart_note=self.restart_note,
            reasons=reasons,
            missing=list(self.missing),
            to_confirm=list(self.to_confirm),
            questions={**self.missing, **self.to_confirm},
            unconfirmed=self.unconfirmed(),
            path_forward=list(path),
            schedule_from=schedule_from,
        )

    def unconfirmed(self) -> list[dict]:
        """Unknown facts by group, in the order the rules data lists the groups."""
        unknown = {**self.missing, **self.to_confirm}
        items = []
        for group in self.rules.confirmations:
            questions = [q for k, q in unknown.items() if k.split(":", 1)[0] in group.keys]
            if questions:
                items.append(
                    {
                        "group": group.group,
                        "label": " ".join(group.label.split()),
                        "blocking": group.blocking,
                        "questions": list(dict.fromkeys(questions)),
                    }
                )
        ungrouped = [q for k, q in unknown.items() if self.rules.confirmation_for(k) is None]
        if ungrouped:
            items.append(
                {"group": "other", "label": "other facts", "blocking": True, "questions": ungrouped}
            )
        return items


def screen(facts: PatientFacts, today: dt.date) -> ScreeningResult:
    """Screen ``facts`` for starting LDN on ``facts.requested_start`` (default: ``today``).

    The last opioid dose is day 0; the earliest start after a short-acting opioid is
    last dose + 7 days, the conservative start last dose + 10 days.
    """
    return _Screening(facts, today).result()
