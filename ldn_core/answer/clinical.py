"""Answers from the deterministic rules: a screening verdict and a titration schedule."""

from __future__ import annotations

import datetime as dt

from ldn_core.answer.compose import CitationNumbering
from ldn_core.answer.evidence import evidence_sentence, weakest
from ldn_core.answer.model import Answer, AnswerKind, Point
from ldn_core.knowledge import KnowledgeStore
from ldn_core.rules import Schedule, ScreeningResult, Verdict

SEVERITY_TITLE = {
    "block": "Do not start",
    "review": "Needs specialist review",
    "wait": "Wait",
    "caution": "Caution",
    "info": "Note",
}


def human_date(day: dt.date | None) -> str:
    return day.strftime("%a %-d %b %Y") if day else ""


SCHEDULE_REQUEST = "Give me the titration schedule starting {date}"


def schedule_button(day: dt.date) -> tuple[str, str]:
    """(title, payload): the payload is a plain request the schedule intent understands."""
    return (
        SCHEDULE_REQUEST.format(date=human_date(day)),
        SCHEDULE_REQUEST.format(date=day.isoformat()),
    )


def unconfirmed_sentence(result: ScreeningResult) -> str:
    """Which facts a start depends on that nobody has confirmed yet."""
    labels = [item["label"] for item in result.unconfirmed if not item["blocking"]]
    if not labels:
        return ""
    return (
        " This holds only if none of the following applies; they are not confirmed yet, so "
        "check them before prescribing: " + "; ".join(labels) + "."
    )


def verdict_headline(result: ScreeningResult) -> str:
    verdict = result.verdict.value
    if verdict == "can_start":
        start = result.earliest_start or result.start_date
        return f"Verdict: LDN can be started (from {human_date(start)})." + unconfirmed_sentence(
            result
        )
    if verdict == "wait_until":
        if result.earliest_start is None:
            return "Verdict: wait. LDN should not be started before the planned procedure."
        line = f"Verdict: wait. Earliest start {human_date(result.earliest_start)}"
        if result.conservative_start and result.conservative_start != result.earliest_start:
            line += f" (more conservative: {human_date(result.conservative_start)})"
        return line + "."
    if verdict == "do_not_start":
        if result.schedule_from is not None:
            return (
                "Verdict: do not start LDN while opioids are being taken. If the last opioid "
                f"dose is today, the earliest start is {human_date(result.schedule_from)}; "
                "the path forward below gives the steps."
            )
        return "Verdict: do not start LDN."
    if verdict == "needs_specialist_review":
        return "Verdict: needs specialist review before LDN is started."
    return "Verdict: not enough information yet to decide."


def compose_screening(
    store: KnowledgeStore,
    result: ScreeningResult,
    schedule: Schedule | None = None,
    *,
    offer_schedule: bool = True,
) -> Answer:
    """The verdict, its reasons, the path forward and, when a start date is known and no
    schedule is attached, a button asking for the dated titration schedule."""
    numbering = CitationNumbering(store)
    points = [
        Point(
            title=SEVERITY_TITLE.get(reason.severity, reason.severity),
            text=reason.text,
            evidence=reason.evidence,
            refs=numbering.refs(reason.sources),
            origin_id=reason.rule_id,
        )
        for reason in result.reasons
    ]
    points += [
        Point(
            title="Path forward",
            text=step.text,
            evidence=step.evidence,
            refs=numbering.refs(step.sources),
            origin_id=step.rule_id,
        )
        for step in result.path_forward
    ]
    intro = verdict_headline(result)
    open_questions = [result.questions[k] for k in result.missing if k in result.questions]
    # "Do not start" is final: more facts cannot change it, so asking for them would mislead.
    if open_questions and result.verdict is not Verdict.DO_NOT_START:
        intro += " To decide, I still need: " + " ".join(open_questions)
    structured: dict = {"screening": result.to_dict()}
    if schedule is not None:
        schedule_answer = compose_schedule(store, schedule, numbering)
        points += list(schedule_answer.points)
        structured.update(schedule_answer.structured)
    buttons: tuple[tuple[str, str], ...] = ()
    if offer_schedule and schedule is None and result.schedule_from is not None:
        buttons = (schedule_button(result.schedule_from),)
    decisive = [p.evidence for p in points if p.title not in ("Note", "Path forward")] or [
        p.evidence for p in points
    ]
    level = weakest(decisive) if decisive else None
    return Answer(
        kind=AnswerKind.SCREENING,
        intro=intro,
        points=tuple(points),
        citations=numbering.citations(),
        evidence=level,
        evidence_note=evidence_sentence(level, numbering.sources()) if level else "",
        structured=structured,
        buttons=buttons,
        topic="screening",
    )


def compose_schedule(
    store: KnowledgeStore, schedule: Schedule, numbering: CitationNumbering | None = None
) -> Answer:
    numbering = numbering or CitationNumbering(store)
    refs = numbering.refs(schedule.sources)
    points = [
        Point(
            title="Titration schedule" if i == 0 else "Schedule note",
            text=note,
            evidence=schedule.evidence,
            refs=refs,
            origin_id=schedule.rule_ids[0] if schedule.rule_ids else "titration",
        )
        for i, note in enumerate(schedule.notes)
    ]
    points += [
        Point("Caution", warning, schedule.evidence, refs, "titration_warning")
        for warning in schedule.warnings
    ]
    return Answer(
        kind=AnswerKind.SCHEDULE,
        intro=(
            f"Titration schedule ({schedule.variant.replace('_', ' ')}) from "
            f"{human_date(schedule.start)}: target {schedule.target_mg:g} mg reached on "
            f"{human_date(schedule.target_reached_on)}."
        ),
        points=tuple(points),
        citations=numbering.citations(),
        evidence=schedule.evidence,
        evidence_note=evidence_sentence(schedule.evidence, numbering.sources()),
        structured={"schedule": schedule.to_dict()},
        topic="dosing",
    )
