"""Slack Block Kit for an Answer: sections, context blocks and links in mrkdwn.

The Slack channel (channels/slack.py, in the Rasa process) cannot import ldn_core, so the action
server renders the blocks here and ships them inside the structured payload
(``payload["slack_blocks"]`` and the notification text ``payload["slack_text"]``). The channel
only posts them: every clinical word Slack shows comes from the same Answer as the REST text,
the JSON payload and the web chat.

Slack's mrkdwn needs ``&``, ``<`` and ``>`` escaped as HTML entities (a raw ``<`` starts a link
or a mention); links are ``<url|label>``. Block Kit limits respected here: 50 blocks per message,
3,000 characters per section text, 10 elements per context block, 75 characters per button
label, 5 buttons (Rasa's Slack limit).
"""

from __future__ import annotations

from typing import Any

from ldn_core.answer.evidence import CERTAINTY_LABEL
from ldn_core.answer.model import DISCLAIMER, Answer, Citation

MAX_BLOCKS = 50
MAX_SECTION_CHARS = 3000
MAX_CONTEXT_CHARS = 2000
MAX_BUTTONS = 5
MAX_BUTTON_LABEL = 75
MAX_NOTIFICATION_CHARS = 300

VERDICT_ICON = {
    "can_start": ":large_green_circle:",
    "wait_until": ":large_yellow_circle:",
    "do_not_start": ":red_circle:",
    "needs_specialist_review": ":large_orange_circle:",
    "insufficient_information": ":white_circle:",
}


def escape(text: str) -> str:
    """Slack mrkdwn escaping: only &, < and > are control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _bold(text: str) -> str:
    # An asterisk inside a bold span would end it early.
    return f"*{escape(text).replace('*', chr(0x2217))}*"


def link(url: str | None, label: str) -> str:
    """``<url|label>`` for http(s) URLs; the escaped label alone otherwise."""
    if not url or not url.startswith(("https://", "http://")):
        return escape(label)
    safe_url = url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E")
    safe_url = safe_url.replace("|", "%7C").replace(" ", "%20")
    return f"<{safe_url}|{escape(label)}>"


def _ref_links(refs: tuple[int, ...], by_number: dict[int, Citation]) -> str:
    parts = []
    for n in refs:
        citation = by_number.get(n)
        parts.append(link(citation.source.best_url if citation else None, f"[{n}]"))
    return "".join(parts)


def reference_line(citation: Citation) -> str:
    """[n] Authors (year). <url|Title>. Journal volume:pages. (DOI/PMID in the link)."""
    source = citation.source
    head = source.authors or "Authors not verified"
    year = source.year if source.year is not None else "year not verified"
    title = (source.title or source.id).rstrip(".")
    journal = " ".join(x for x in (source.journal, source.volume_pages) if x)
    line = f"[{citation.number}] {escape(head)} ({year}). {link(source.best_url, title)}."
    if journal:
        line += f" _{escape(journal)}_."
    ids = []
    if source.doi:
        ids.append(f"DOI {escape(source.doi)}")
    if source.pmid:
        ids.append(f"PMID {escape(source.pmid)}")
    if ids:
        line += " " + "; ".join(ids)
    return line


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _clip(text, MAX_SECTION_CHARS)}}


def _context(*texts: str) -> dict[str, Any]:
    return {
        "type": "context",
        "elements": [
            {"type": "mrkdwn", "text": _clip(t, MAX_CONTEXT_CHARS)} for t in texts[:10] if t
        ],
    }


def _chunked_sections(lines: list[str], header: str = "") -> list[dict[str, Any]]:
    """Lines grouped into as few sections as the 3,000-character limit allows."""
    blocks: list[dict[str, Any]] = []
    current = header
    for line in lines:
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > MAX_SECTION_CHARS and current:
            blocks.append(_section(current))
            current = line
        else:
            current = candidate
    if current:
        blocks.append(_section(current))
    return blocks


def schedule_lines(schedule: dict[str, Any]) -> list[str]:
    """A fixed-width table (Block Kit has no table block) of the dated steps."""
    header = ("Step", "From", "Until", "Dose at bedtime", "Liquid 1 mg/mL")
    rows = [
        (
            str(row["step"]),
            row["start"],
            row["end"] or "continue",
            f"{row['dose_mg']:g} mg",
            f"{row['liquid_ml']:g} mL",
        )
        for row in schedule["rows"]
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    fmt = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()  # noqa: E731
    return [fmt(header), *(fmt(r) for r in rows)]


def to_slack_blocks(answer: Answer) -> list[dict[str, Any]]:
    by_number = {c.number: c for c in answer.citations}
    blocks: list[dict[str, Any]] = []

    if answer.intro:
        intro = escape(answer.intro)
        verdict = (answer.structured.get("screening") or {}).get("verdict")
        if verdict:
            intro = f"{VERDICT_ICON.get(verdict, '')} {intro}".strip()
        blocks.append(_section(intro))

    schedule = answer.structured.get("schedule")
    if schedule and schedule.get("rows"):
        table = "\n".join(escape(line) for line in schedule_lines(schedule))
        blocks.append(_section(f"```\n{table}\n```"))

    point_blocks: list[dict[str, Any]] = []
    for point in answer.points:
        marker = "Disagreeing evidence: " if point.disputes else ""
        refs = _ref_links(point.refs, by_number)
        text = f"{escape(marker)}{_bold(point.title)}: {escape(point.text)} {refs}".rstrip()
        level = CERTAINTY_LABEL.get(point.evidence, point.evidence)
        point_blocks.append(_section(text))
        point_blocks.append(_context(f"Evidence: {escape(level)}"))
    blocks += point_blocks

    if answer.conflict_note:
        blocks.append(_section(f":warning: {_bold('Note')}: {escape(answer.conflict_note)}"))
    if answer.evidence_note:
        blocks.append(_context(f"{_bold('Strength of evidence')}: {escape(answer.evidence_note)}."))

    reference_blocks: list[dict[str, Any]] = []
    if answer.citations:
        reference_blocks.append({"type": "divider"})
        reference_blocks += _chunked_sections(
            [reference_line(c) for c in answer.citations], header=_bold("References")
        )

    button_blocks: list[dict[str, Any]] = []
    if answer.buttons:
        button_blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": _clip(title, MAX_BUTTON_LABEL)},
                        "value": payload[:2000],
                    }
                    for title, payload in answer.buttons[:MAX_BUTTONS]
                ],
            }
        )

    tail: list[dict[str, Any]] = []
    if answer.is_clinical:
        tail.append(_context(f"_{escape(DISCLAIMER)}_"))

    fixed = len(reference_blocks) + len(button_blocks) + len(tail)
    if len(blocks) + fixed > MAX_BLOCKS:
        # Too many points for one message: drop the per-point evidence context blocks and
        # put each level inline instead, then merge what still does not fit.
        blocks = _compact(answer, by_number, MAX_BLOCKS - fixed)
    return blocks + reference_blocks + button_blocks + tail


def _compact(answer: Answer, by_number: dict[int, Citation], budget: int) -> list[dict[str, Any]]:
    lines = []
    if answer.intro:
        lines.append(escape(answer.intro))
    schedule = answer.structured.get("schedule")
    if schedule and schedule.get("rows"):
        table = "\n".join(escape(line) for line in schedule_lines(schedule))
        lines.append(f"```\n{table}\n```")
    for point in answer.points:
        marker = "Disagreeing evidence: " if point.disputes else ""
        level = CERTAINTY_LABEL.get(point.evidence, point.evidence).lower()
        refs = _ref_links(point.refs, by_number)
        lines.append(
            f"• {escape(marker)}{_bold(point.title)}: {escape(point.text)} {refs} ({escape(level)})"
        )
    if answer.conflict_note:
        lines.append(f":warning: {_bold('Note')}: {escape(answer.conflict_note)}")
    if answer.evidence_note:
        lines.append(f"{_bold('Strength of evidence')}: {escape(answer.evidence_note)}.")
    blocks = _chunked_sections(lines)
    return blocks[: max(budget, 1)]


def notification_text(answer: Answer) -> str:
    """Plain fallback text Slack shows in notifications and to screen readers."""
    if answer.intro:
        first = answer.intro
    elif answer.points:
        first = f"{answer.points[0].title}: {answer.points[0].text}"
    else:
        first = "Answer about low-dose naltrexone (LDN)"
    return escape(_clip(first, MAX_NOTIFICATION_CHARS))
