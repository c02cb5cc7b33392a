"""LDN titration schedules and dose checks, driven by ``knowledge/rules/titration.yaml``.

Doses are handled in whole hundredths of a milligram so that 1.5 + 1.5 + 1.5 is exactly
4.5. A schedule starts on ``start`` (day 0) and steps up every ``interval_days`` until the
target; the last row has no end date ("continue"). It never exceeds the target and never
steps by more than ``step_mg``.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass, field
from pathlib import Path

from .data import RULES_DIR, Rule, RuleSet, load_rule_set

VARIANTS = {"standard": "titration_standard", "low_start": "titration_low_start"}
_VARIANT_PARAMS = (
    "start_mg",
    "step_mg",
    "min_step_mg",
    "max_step_mg",
    "interval_days",
    "min_interval_days",
    "max_interval_days",
    "target_mg",
)
REQUIRED = {
    "titration_standard": _VARIANT_PARAMS,
    "titration_low_start": _VARIANT_PARAMS,
    "liquid_volume": ("concentration_mg_per_ml",),
    "dose_invalid": (),
    "dose_absurd": ("hard_max_mg",),
    "dose_below_usual": ("usual_min_mg",),
    "dose_usual": ("usual_min_mg", "protocol_max_mg"),
    "dose_above_protocol": ("protocol_max_mg", "reported_max_mg"),
    "dose_not_low_dose": ("reported_max_mg", "hard_max_mg"),
    "titration_target_too_high": ("reported_max_mg",),
}


class DosingError(ValueError):
    """An input the dosing rules cannot accept; ``str(error)`` is a clinician-readable message."""

    def __init__(self, message: str, rule_id: str = "") -> None:
        super().__init__(message)
        self.rule_id = rule_id


@functools.cache
def titration_rules(rules_dir: Path = RULES_DIR) -> RuleSet:
    return load_rule_set(Path(rules_dir) / "titration.yaml", REQUIRED)


def _centi(mg: float) -> int:
    return round(mg * 100)


def _mg(centi: int) -> float:
    return centi / 100


@dataclass(frozen=True)
class DoseAssessment:
    dose_mg: float
    status: str  # below_usual | usual | above_protocol | not_low_dose
    rule_id: str
    message: str
    sources: tuple[str, ...]
    evidence: str

    @property
    def outside_usual_protocol(self) -> bool:
        return self.status in ("above_protocol", "not_low_dose")

    def to_dict(self) -> dict:
        return {
            "dose_mg": self.dose_mg,
            "status": self.status,
            "rule_id": self.rule_id,
            "message": self.message,
            "sources": list(self.sources),
            "evidence": self.evidence,
        }


def _valid_number(value: object) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        rule = titration_rules().rule("dose_invalid")
        raise DosingError(rule.render(dose=repr(value)), rule.id)
    return float(value)


def check_dose(mg: float) -> DoseAssessment:
    """Place a daily LDN dose against the usual range. Raises DosingError for 0, negative,
    non-numeric or absurd (> 50 mg) values."""
    rules = titration_rules()
    dose = _valid_number(mg)
    absurd = rules.rule("dose_absurd")
    if dose > absurd.param("hard_max_mg"):
        raise DosingError(absurd.render(dose_mg=dose), absurd.id)
    if dose < rules.rule("dose_below_usual").param("usual_min_mg"):
        status, rule = "below_usual", rules.rule("dose_below_usual")
    elif _centi(dose) <= _centi(rules.rule("dose_usual").param("protocol_max_mg")):
        status, rule = "usual", rules.rule("dose_usual")
    elif dose <= rules.rule("dose_above_protocol").param("reported_max_mg"):
        status, rule = "above_protocol", rules.rule("dose_above_protocol")
    else:
        status, rule = "not_low_dose", rules.rule("dose_not_low_dose")
    return DoseAssessment(
        dose, status, rule.id, rule.render(dose_mg=dose), rule.sources, rule.evidence
    )


@dataclass(frozen=True)
class ScheduleRow:
    step: int  # 1-based
    start: dt.date
    end: dt.date | None  # None for the last row: continue at this dose
    dose_mg: float
    liquid_ml: float  # volume of the 1 mg/mL liquid

    def to_dict(self) -> dict:
        return {
            "step": self.step,
            "start": self.start.isoformat(),
            "end": self.end.isoformat() if self.end else None,
            "dose_mg": self.dose_mg,
            "liquid_ml": self.liquid_ml,
        }


@dataclass(frozen=True)
class Schedule:
    variant: str
    start: dt.date
    target_mg: float
    step_mg: float
    interval_days: int
    concentration_mg_per_ml: float
    rows: tuple[ScheduleRow, ...]
    notes: tuple[str, ...]  # plain-language description of the regimen and the liquid
    warnings: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    evidence: str = "very_low"
    rule_ids: tuple[str, ...] = field(default=())

    @property
    def target_reached_on(self) -> dt.date:
        return self.rows[-1].start

    def to_dict(self) -> dict:
        return {
            "variant": self.variant,
            "start": self.start.isoformat(),
            "target_mg": self.target_mg,
            "step_mg": self.step_mg,
            "interval_days": self.interval_days,
            "concentration_mg_per_ml": self.concentration_mg_per_ml,
            "target_reached_on": self.target_reached_on.isoformat(),
            "rows": [r.to_dict() for r in self.rows],
            "notes": list(self.notes),
            "warnings": list(self.warnings),
            "sources": list(self.sources),
            "evidence": self.evidence,
            "rule_ids": list(self.rule_ids),
        }


def _variant_rule(variant: str) -> Rule:
    if variant not in VARIANTS:
        raise DosingError(f"Unknown schedule {variant!r}; choose one of: {', '.join(VARIANTS)}.")
    return titration_rules().rule(VARIANTS[variant])


def _check_range(value: float, low: float, high: float, what: str, unit: str, variant: str) -> None:
    if not low <= value <= high:
        raise DosingError(
            f"A {what} of {value:g} {unit} is outside the {low:g}-{high:g} {unit} used for the "
            f"{variant} schedule in the practice sources."
        )


def build_schedule(
    start: dt.date,
    variant: str = "standard",
    target_mg: float | None = None,
    step_mg: float | None = None,
    interval_days: int | None = None,
) -> Schedule:
    """Titration rows from ``start`` (day 0) up to the target dose.

    Standard: 1.5 mg on day 0, 3 mg on day 14, 4.5 mg from day 28 (continue). Overrides must
    stay within the step and interval ranges of the variant's rule; a target above 4.5 mg is
    allowed with a warning up to the highest dose reported in the sources (9 mg).
    """
    if not isinstance(start, dt.date) or isinstance(start, dt.datetime):
        raise DosingError("The start must be a calendar date.")
    rules = titration_rules()
    rule = _variant_rule(variant)
    liquid = rules.rule("liquid_volume")
    warnings: list[str] = []
    rule_ids = [rule.id, liquid.id]
    sources = list(rule.sources) + [s for s in liquid.sources if s not in rule.sources]

    target = rule.param("target_mg") if target_mg is None else _valid_number(target_mg)
    assessment = check_dose(target)
    too_high = rules.rule("titration_target_too_high")
    if target > too_high.param("reported_max_mg"):
        raise DosingError(too_high.render(dose_mg=target), too_high.id)
    if assessment.outside_usual_protocol:
        warnings.append(assessment.message)
        rule_ids.append(assessment.rule_id)
        sources += [s for s in assessment.sources if s not in sources]

    step = rule.param("step_mg") if step_mg is None else _valid_number(step_mg)
    _check_range(step, rule.param("min_step_mg"), rule.param("max_step_mg"), "step", "mg", variant)
    interval = int(rule.param("interval_days")) if interval_days is None else interval_days
    if isinstance(interval, bool) or not isinstance(interval, int):
        raise DosingError("The interval between steps must be a whole number of days.")
    _check_range(
        interval,
        rule.param("min_interval_days"),
        rule.param("max_interval_days"),
        "step interval",
        "days",
        variant,
    )

    doses: list[int] = [min(_centi(rule.param("start_mg")), _centi(target))]
    while doses[-1] < _centi(target):
        doses.append(min(doses[-1] + _centi(step), _centi(target)))
    if _centi(target) < _centi(rule.param("start_mg")):
        warnings.append(
            f"The target {target:g} mg is below this schedule's usual starting dose, "
            f"so the schedule is a single dose of {target:g} mg."
        )

    concentration = liquid.param("concentration_mg_per_ml")
    rows = []
    for index, centi in enumerate(doses):
        begins = start + dt.timedelta(days=index * interval)
        last = index == len(doses) - 1
        rows.append(
            ScheduleRow(
                step=index + 1,
                start=begins,
                end=None if last else begins + dt.timedelta(days=interval - 1),
                dose_mg=_mg(centi),
                liquid_ml=round(_mg(centi) / concentration, 2),
            )
        )
    notes = (
        rule.render(step_mg=step, interval_days=interval, target_mg=target),
        liquid.render(),
    )
    return Schedule(
        variant,
        start,
        target,
        step,
        interval,
        concentration,
        tuple(rows),
        notes,
        tuple(warnings),
        tuple(sources),
        rule.evidence,
        tuple(rule_ids),
    )
