"""The curator report: per ISO week, the questions the assistant declined or could not answer,
the answers marked not helpful (with reasons), and the passages most often involved.

Input is plain data (``Declined`` items and feedback-table rows), output is a ``Report`` and
its three renderings: CSV (one line per item), an HTML page (tables + an inline SVG chart) and
the chart alone. Every free text is scrubbed (``scrub``) before it reaches any rendering.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .events import Declined
from .model import REASONS
from .scrub import scrub

# Also imported by the Rasa process (Python 3.10), which has no datetime.UTC.
UTC = dt.timezone.utc  # noqa: UP017

SERIES = (
    ("out_of_scope", "Declined (out of scope)", "#6b7280"),
    ("no_answer", "No answer in the store", "#b45309"),
    ("not_helpful", "Marked not helpful", "#b91c1c"),
)
CSV_COLUMNS = (
    "week",
    "date",
    "item",
    "kind_or_reason",
    "channel",
    "passage_ids",
    "rule_ids",
    "knowledge_version",
    "question",
    "comment",
)


def week_of(timestamp: float) -> str:
    year, week, _ = dt.datetime.fromtimestamp(timestamp, UTC).isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class Item:
    """One line of the report (and of the CSV), already scrubbed."""

    timestamp: float
    item: str  # out_of_scope | no_answer | not_helpful | helpful
    kind_or_reason: str
    channel: str
    passage_ids: tuple[str, ...]
    rule_ids: tuple[str, ...]
    knowledge_version: str
    question: str
    comment: str

    @property
    def week(self) -> str:
        return week_of(self.timestamp)

    @property
    def date(self) -> str:
        return dt.datetime.fromtimestamp(self.timestamp, UTC).date().isoformat()


@dataclass
class Report:
    items: list[Item]
    weeks: list[str] = field(default_factory=list)
    counts: dict[str, Counter] = field(default_factory=dict)  # week -> item kind -> n
    reasons: dict[str, Counter] = field(default_factory=dict)  # week -> reason -> n
    passages: Counter = field(default_factory=Counter)  # passage id -> not-helpful count
    helpful: Counter = field(default_factory=Counter)  # week -> helpful count


def _ids(value: Any) -> tuple[str, ...]:
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value if v)
    return tuple(v for v in str(value or "").split(",") if v)


def build_report(declined: Iterable[Declined], feedback: Iterable[dict[str, Any]]) -> Report:
    items = [
        Item(d.timestamp, d.kind, d.kind, "", (), (), "", scrub(d.question), "") for d in declined
    ]
    for row in feedback:
        items.append(
            Item(
                timestamp=float(row["created_at"]),
                item=str(row["rating"]),
                kind_or_reason=str(row.get("reason") or ""),
                channel=str(row.get("channel") or ""),
                passage_ids=_ids(row.get("passage_ids")),
                rule_ids=_ids(row.get("rule_ids")),
                knowledge_version=str(row.get("knowledge_version") or ""),
                question=scrub(row.get("question")),
                comment=scrub(row.get("comment")),
            )
        )
    items.sort(key=lambda i: i.timestamp)
    report = Report(items=items)
    for item in items:
        week = item.week
        report.counts.setdefault(week, Counter())[item.item] += 1
        if item.item == "not_helpful":
            report.reasons.setdefault(week, Counter())[item.kind_or_reason or "no reason"] += 1
            report.passages.update(item.passage_ids)
        if item.item == "helpful":
            report.helpful[week] += 1
    report.weeks = sorted(report.counts)
    return report


# ------------------------------------------------------------------ renderings


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for i in report.items:
        if i.item == "helpful":
            continue  # the report is about what needs a curator; counts keep the helpful ones
        writer.writerow(
            [
                i.week,
                i.date,
                i.item,
                i.kind_or_reason,
                i.channel,
                " ".join(i.passage_ids),
                " ".join(i.rule_ids),
                i.knowledge_version,
                _csv_safe(i.question),
                _csv_safe(i.comment),
            ]
        )
    return out.getvalue()


def _csv_safe(text: str) -> str:
    # A cell starting with = + - @ is run as a formula by spreadsheet programs.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def to_svg(report: Report, width: int = 640, height: int = 240) -> str:
    """Stacked bars per week: declined, no answer, not helpful."""
    esc = html.escape
    left, bottom, top = 40, 40, 30
    weeks = report.weeks or ["(no data)"]
    totals = [sum(report.counts.get(w, Counter())[k] for k, _, _ in SERIES) for w in weeks]
    peak = max(totals + [1])
    plot_h = height - bottom - top
    slot = (width - left - 10) / len(weeks)
    bar = max(min(slot * 0.6, 60), 4)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-title">',
        '<title id="chart-title">Declined questions and not-helpful answers per week</title>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" '
        'stroke="#374151"/>',
        f'<text x="{left - 6}" y="{top + 4}" font-size="11" text-anchor="end">{peak}</text>',
        f'<text x="{left - 6}" y="{top + plot_h}" font-size="11" text-anchor="end">0</text>',
    ]
    for index, week in enumerate(weeks):
        x = left + index * slot + (slot - bar) / 2
        y = top + plot_h
        for key, label, colour in SERIES:
            n = report.counts.get(week, Counter())[key]
            if not n:
                continue
            h = plot_h * n / peak
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{colour}"><title>{esc(week)}: {n} {esc(label.lower())}</title></rect>'
            )
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{top + plot_h + 16}" font-size="11" '
            f'text-anchor="middle">{esc(week)}</text>'
        )
    for index, (_, label, colour) in enumerate(SERIES):
        lx = left + index * 200
        parts.append(f'<rect x="{lx}" y="6" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{lx + 16}" y="16" font-size="12">{esc(label)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#111827;max-width:72rem}
table{border-collapse:collapse;margin:0 0 1.5rem}
th,td{border:1px solid #d1d5db;padding:.3rem .6rem;text-align:left;vertical-align:top}
th{background:#f3f4f6} td.num{text-align:right} .muted{color:#4b5563}
code{font-size:.9em}
"""


def _table(headers: list[str], rows: list[list[str]], caption: str) -> str:
    esc = html.escape
    head = "".join(f"<th scope='col'>{esc(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td class='num'>{esc(c)}</td>" if c.isdigit() else f"<td>{esc(c)}</td>" for c in row
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"  # noqa: E501


def to_html(report: Report, csv_href: str = "curator-report.csv", generated: str = "") -> str:
    weekly = [
        [
            w,
            str(report.counts[w]["out_of_scope"]),
            str(report.counts[w]["no_answer"]),
            str(report.counts[w]["not_helpful"]),
            str(report.helpful[w]),
            ", ".join(f"{REASONS.get(r, r)} {n}" for r, n in report.reasons[w].most_common())
            if w in report.reasons
            else "",
        ]
        for w in report.weeks
    ]
    passages = [[pid, str(n)] for pid, n in report.passages.most_common(20)]
    items = [
        [
            i.date,
            i.item.replace("_", " "),
            REASONS.get(i.kind_or_reason, i.kind_or_reason.replace("_", " ")),
            " ".join(i.passage_ids + i.rule_ids),
            i.question,
            i.comment,
        ]
        for i in reversed(report.items)
        if i.item != "helpful"
    ]
    return "\n".join(
        [
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
            "<title>LDN assistant: curator report</title>",
            f"<style>{_STYLE}</style></head><body>",
            "<h1>Curator report</h1>",
            "<p class='muted'>Questions the assistant declined or could not answer, answers "
            "clinicians marked not helpful, and the passages involved, per ISO week. Patient "
            "details (ages, dates, names, record numbers, contacts) are masked."
            + (f" Generated {html.escape(generated)}." if generated else "")
            + f" <a href='{html.escape(csv_href)}'>Download CSV</a></p>",
            to_svg(report),
            _table(
                ["Week", "Out of scope", "No answer", "Not helpful", "Helpful", "Reasons"],
                weekly,
                "Per week",
            ),
            _table(
                ["Passage", "Times in a not-helpful answer"],
                passages,
                "Passages most often involved",
            ),
            _table(
                ["Date", "Item", "Reason / kind", "Passages and rules", "Question", "Comment"],
                items,
                "Items (newest first)",
            ),
            "</body></html>",
        ]
    )
