"""Plain text (light Markdown) for REST and the web widget."""

from __future__ import annotations

from ldn_core.answer.evidence import CERTAINTY_LABEL
from ldn_core.answer.model import DISCLAIMER, Answer, Citation
from ldn_core.knowledge import Source


def _refs(numbers: tuple[int, ...]) -> str:
    return "".join(f"[{n}]" for n in numbers)


def format_reference(source: Source) -> str:
    """Authors (year). Title. Journal volume(issue):pages. DOI / PMID with links."""
    parts = []
    year = source.year if source.year is not None else "year not verified"
    title = source.title.rstrip(".") + "." if source.title else ""
    if source.authors:
        parts += [f"{source.authors} ({year}).", title]
    else:
        # Labels, web pages and some reports: no verified author list to show.
        parts += [title, f"({year}; authors not verified)."]
    journal = " ".join(x for x in (source.journal, source.volume_pages) if x)
    if journal:
        parts.append(journal + ".")
    ids = []
    if source.doi:
        ids.append(f"DOI {source.doi} {source.doi_url}")
    if source.pmid:
        ids.append(f"PMID {source.pmid} {source.pubmed_url}")
    if source.pmcid and not ids:
        ids.append(f"{source.pmcid} {source.pmc_url}")
    if not ids and source.url:
        ids.append(source.url)
    if ids:
        parts.append("; ".join(ids))
    return " ".join(parts)


def references_block(citations: tuple[Citation, ...]) -> str:
    lines = ["References:"]
    lines += [f"[{c.number}] {format_reference(c.source)}" for c in citations]
    return "\n".join(lines)


def schedule_table(schedule: dict) -> str:
    """Markdown table of the dated steps; the last step continues."""
    lines = [
        "| Step | From | Until | Dose at bedtime | Liquid 1 mg/mL |",
        "|---|---|---|---|---|",
    ]
    for row in schedule["rows"]:
        until = row["end"] or "continue"
        lines.append(
            f"| {row['step']} | {row['start']} | {until} | {row['dose_mg']:g} mg "
            f"| {row['liquid_ml']:g} mL |"
        )
    return "\n".join(lines)


def to_text(answer: Answer) -> str:
    blocks: list[str] = []
    if answer.intro:
        blocks.append(answer.intro)
    if "schedule" in answer.structured:
        blocks.append(schedule_table(answer.structured["schedule"]))
    for point in answer.points:
        marker = "Disagreeing evidence: " if point.disputes else ""
        level = CERTAINTY_LABEL.get(point.evidence, point.evidence).lower()
        blocks.append(f"- {marker}**{point.title}**: {point.text} {_refs(point.refs)} ({level})")
    if answer.conflict_note:
        blocks.append(f"Note: {answer.conflict_note}")
    if answer.evidence_note:
        blocks.append(f"Strength of evidence: {answer.evidence_note}.")
    if answer.citations:
        blocks.append(references_block(answer.citations))
    if answer.is_clinical:
        blocks.append(f"_{DISCLAIMER}_")
    return "\n\n".join(blocks)
