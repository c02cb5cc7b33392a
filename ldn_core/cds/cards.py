"""CDS Hooks cards from the screening core's result. Every clinical sentence on a card is
the text of a screening or titration rule (with its sources); the service adds only dates,
what the record showed, and the mapping notes. A suggestion is offered only where the
rules produce one: the titration schedule, when LDN can start or has a computed earliest
start.
"""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from dataclasses import dataclass

from ldn_core.rules import ScreeningResult, Verdict, build_schedule
from ldn_core.rules.dosing import DoseAssessment, Schedule

from .citations import Citations
from .draft_order import LDN_MAX_DAILY_MG, LDN_THRESHOLD_SOURCES, DraftOrder
from .patient_facts import MappedFacts
from .wording import VERDICT_LABELS, fit_summary, missing_phrase, rule_phrase

SOURCE_LABEL = "LDN clinical assistant (deterministic screening rules)"
TOPIC_SYSTEM = "urn:ldn-assistant:cds-topic"
OVERRIDE_SYSTEM = "urn:ldn-assistant:override-reason"
OVERRIDE_REASONS = [
    {
        "system": OVERRIDE_SYSTEM,
        "code": "record-out-of-date",
        "display": "The record is out of date (medication stopped or not taken)",
    },
    {"system": OVERRIDE_SYSTEM, "code": "specialist-agreed", "display": "Agreed with a specialist"},
    {
        "system": OVERRIDE_SYSTEM,
        "code": "patient-informed",
        "display": "Discussed with the patient; benefit judged to outweigh risk",
    },
]
DISCLAIMER = (
    "_Decision support from deterministic rules, not a prescriber. LDN is an unlicensed, "
    "compounded product: check against local guidance and your own judgement._"
)
INDICATOR = {
    Verdict.DO_NOT_START: "critical",
    Verdict.NEEDS_SPECIALIST_REVIEW: "warning",
    Verdict.WAIT_UNTIL: "warning",
    Verdict.INSUFFICIENT_INFORMATION: "warning",
    Verdict.CAN_START: "info",
}


@dataclass(frozen=True)
class PathForward:
    """What the rules say if every current opioid's last dose were the order date."""

    stopped: tuple[str, ...]
    last_dose: dt.date
    result: ScreeningResult


def _card(summary: str, detail: str, indicator: str, topic: str, citations: Citations) -> dict:
    return {
        "uuid": str(uuid.uuid4()),
        "summary": fit_summary(summary),
        "detail": detail,
        "indicator": indicator,
        "source": {
            "label": SOURCE_LABEL,
            "topic": {"system": TOPIC_SYSTEM, "code": topic, "display": topic.replace("_", " ")},
        },
        "links": citations.links(),
    }


def _order_line(order: DraftOrder) -> str:
    dose = f"{order.daily_dose_mg:g} mg daily" if order.daily_dose_mg is not None else "dose ?"
    return (
        f"Order: {order.medication.label} ({dose}), start {order.start.isoformat()}; "
        f"dates are counted from the order date {order.order_date.isoformat()}."
    )


def _bullets(title: str, lines: list[str]) -> list[str]:
    return [f"**{title}**", *(f"- {line}" for line in lines), ""] if lines else []


def _references(citations: Citations) -> list[str]:
    lines = citations.reference_lines()
    return ["**References**", "", *lines, ""] if lines else []


def _schedule_table(schedule: Schedule, cite: str) -> list[str]:
    rows = [
        f"| {r.step} | {r.start.isoformat()} | {r.end.isoformat() if r.end else 'continue'} "
        f"| {r.dose_mg:g} mg | {r.liquid_ml:g} mL |"
        for r in schedule.rows
    ]
    return [
        f"**Titration ({schedule.variant}, practice convention)** {cite}",
        "",
        "| Step | From | To | Dose | Liquid (1 mg/mL) |",
        "|---|---|---|---|---|",
        *rows,
        "",
        *(f"- {note}" for note in (*schedule.notes, *schedule.warnings)),
        "",
    ]


def titration_suggestion(order: DraftOrder, schedule: Schedule) -> dict:
    """Update the draft order's dosage to the schedule's dated steps (one Dosage a step)."""
    resource = copy.deepcopy(order.resource)
    resource["dosageInstruction"] = [
        {
            "sequence": row.step,
            "text": f"{row.dose_mg:g} mg ({row.liquid_ml:g} mL of 1 mg/mL liquid) once daily "
            f"from {row.start.isoformat()}" + (f" to {row.end.isoformat()}" if row.end else ""),
            "timing": {
                "repeat": {
                    "boundsPeriod": {
                        "start": row.start.isoformat(),
                        **({"end": row.end.isoformat()} if row.end else {}),
                    },
                    "frequency": 1,
                    "period": 1,
                    "periodUnit": "d",
                }
            },
            "doseAndRate": [
                {
                    "doseQuantity": {
                        "value": row.dose_mg,
                        "unit": "mg",
                        "system": "http://unitsofmeasure.org",
                        "code": "mg",
                    }
                }
            ],
        }
        for row in schedule.rows
    ]
    label = (
        f"Titrate from {schedule.start.isoformat()}: {schedule.rows[0].dose_mg:g} mg up to "
        f"{schedule.target_mg:g} mg by {schedule.target_reached_on.isoformat()}"
    )
    return {
        "label": label,
        "uuid": str(uuid.uuid4()),
        "isRecommended": False,  # a practice schedule, not a trial-tested one
        "actions": [
            {
                "type": "update",
                "description": "Replace the draft order's dosage with the dated titration steps.",
                "resource": resource,
            }
        ],
    }


def _summary(
    result: ScreeningResult,
    path: PathForward | None,
    mapped: MappedFacts,
    schedule: Schedule | None,
) -> str:
    verdict = result.verdict
    label = VERDICT_LABELS[verdict]
    forcing = {"do_not_start": "block", "needs_specialist_review": "review", "wait_until": "wait"}
    severity = forcing.get(verdict.value)
    phrases = list(
        dict.fromkeys(rule_phrase(r.rule_id) for r in result.reasons if r.severity == severity)
    )
    if verdict is Verdict.DO_NOT_START:
        current = [o.drug for o in mapped.facts.opioids if o.current]
        text = f"{label}: " + "; ".join(
            f"{p} ({', '.join(current)})" if p == "active opioid" and current else p
            for p in phrases
        )
        if path and path.result.verdict is Verdict.WAIT_UNTIL and path.result.earliest_start:
            text += f". If stopped today, earliest start {path.result.earliest_start.isoformat()}"
        elif path and path.result.verdict is Verdict.NEEDS_SPECIALIST_REVIEW:
            text += ". After stopping: specialist review"
        return text
    if verdict is Verdict.WAIT_UNTIL:
        when = result.earliest_start.isoformat() if result.earliest_start else "after the procedure"
        return f"{label}: earliest start {when} ({', '.join(phrases)})"
    if verdict is Verdict.INSUFFICIENT_INFORMATION:
        return f"{label}: " + ", ".join(missing_phrase(k) for k in result.missing)
    if verdict is Verdict.NEEDS_SPECIALIST_REVIEW:
        return f"{label}: " + ", ".join(phrases)
    text = f"{label} on {result.start_date.isoformat()}"
    if schedule is not None:
        text += (
            f": {schedule.rows[0].dose_mg:g} mg, titrate to {schedule.target_mg:g} mg by "
            f"{schedule.target_reached_on.isoformat()}"
        )
    if result.unconfirmed:
        # never an unqualified clearance: the summary says there is something to confirm
        text += f" (confirm {len(result.unconfirmed)} item(s) first)"
    return text


def _path_lines(path: PathForward | None, citations: Citations) -> list[str]:
    if path is None:
        return []
    result = path.result
    drugs = ", ".join(path.stopped)
    lines = [f"If {drugs} is stopped with the last dose on {path.last_dose.isoformat()}:"]
    if result.earliest_start:
        conservative = result.conservative_start
        lines[0] += f" earliest start {result.earliest_start.isoformat()}" + (
            f", conservative start {conservative.isoformat()}." if conservative else "."
        )
    for reason in result.reasons:
        if reason.rule_id.startswith("opioid_") and reason.severity in ("wait", "review"):
            lines.append(f"{reason.text} {citations.cite(reason.sources)}")
    return _bullets("Path forward", lines) if len(lines) > 1 else []


def screening_card(
    order: DraftOrder,
    mapped: MappedFacts,
    result: ScreeningResult,
    path: PathForward | None = None,
) -> dict:
    citations = Citations()
    reasons = [f"{r.text} {citations.cite(r.sources)}".strip() for r in result.reasons]
    questions = [result.questions[k] for k in result.missing if k in result.questions]
    to_confirm = [result.questions[k] for k in result.to_confirm if k in result.questions]
    schedule = None
    start = None
    if result.verdict is Verdict.CAN_START:
        start = result.start_date
    elif result.verdict is Verdict.WAIT_UNTIL and result.earliest_start:
        start = result.earliest_start
    if start is not None:
        schedule = build_schedule(start)
    detail = [
        f"**{VERDICT_LABELS[result.verdict]}** ({result.verdict.value}).",
        "",
        _order_line(order),
        "",
        *_bullets("Why", reasons),
        *_path_lines(path, citations),
        *_bullets("Needed before deciding", questions),
        *_bullets("Worth confirming", to_confirm),
        *_bullets("From the record", mapped.findings),
    ]
    if schedule is not None:
        detail += _schedule_table(schedule, citations.cite(schedule.sources))
    detail += _references(citations) + [DISCLAIMER]
    card = _card(
        _summary(result, path, mapped, schedule),
        "\n".join(detail),
        INDICATOR[result.verdict],
        result.verdict.value,
        citations,
    )
    if schedule is not None:
        card["suggestions"] = [titration_suggestion(order, schedule)]
        card["selectionBehavior"] = "at-most-one"
    if card["indicator"] != "info":
        card["overrideReasons"] = OVERRIDE_REASONS
    return card


def not_ldn_card(order: DraftOrder, assessment: DoseAssessment | None) -> dict:
    """Naltrexone above the LDN threshold (or a naltrexone combination): the LDN screening
    does not apply; the dose rule says what the dose is."""
    citations = Citations()
    dose = order.daily_dose_mg
    what = f"{dose:g} mg/day" if dose is not None else order.medication.label
    lines = [
        _order_line(order),
        "",
        f"This service screens low-dose naltrexone orders (up to {LDN_MAX_DAILY_MG:g} mg a day, "
        f"the highest dose given in an LDN trial) {citations.cite(LDN_THRESHOLD_SOURCES)}. "
        "This order is outside that range, so no LDN screening was done.",
    ]
    if assessment is not None:
        lines += ["", f"{assessment.message} {citations.cite(assessment.sources)}"]
    lines += ["", *_references(citations), DISCLAIMER]
    return _card(
        f"Not an LDN order (naltrexone {what}): LDN screening does not apply",
        "\n".join(lines),
        "info",
        "not_ldn",
        citations,
    )


def unknown_dose_card(order: DraftOrder) -> dict:
    citations = Citations()
    lines = [
        _order_line(order),
        "",
        "The order's daily dose could not be read in mg, so it is unknown whether this is "
        f"low-dose naltrexone (up to {LDN_MAX_DAILY_MG:g} mg a day) "
        f"{citations.cite(LDN_THRESHOLD_SOURCES)}. Enter the dose in mg to get the LDN check.",
        "",
        *_references(citations),
        DISCLAIMER,
    ]
    card = _card(
        "Naltrexone order without a dose in mg: LDN check not done",
        "\n".join(lines),
        "warning",
        "dose_unknown",
        citations,
    )
    card["overrideReasons"] = OVERRIDE_REASONS
    return card


def unreadable_card(unreadable: list[str]) -> dict:
    citations = Citations()
    lines = [
        "These resources of the record failed FHIR validation and were left out. Facts they "
        "could hold (opioids, liver, kidney, pregnancy, procedures) were treated as unknown, "
        "never as absent:",
        "",
        *(f"- {item}" for item in unreadable),
    ]
    card = _card(
        f"{len(unreadable)} record entr{'y' if len(unreadable) == 1 else 'ies'} unreadable: "
        "LDN screening may be incomplete",
        "\n".join(lines),
        "warning",
        "unreadable_record",
        citations,
    )
    card["overrideReasons"] = OVERRIDE_REASONS
    return card
