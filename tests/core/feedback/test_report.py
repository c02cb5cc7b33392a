"""The curator report: weekly counts, reasons, passages involved; scrubbed; CSV and SVG."""

from __future__ import annotations

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET

from ldn_core.feedback.events import Declined
from ldn_core.feedback.report import build_report, to_csv, to_html, to_svg, week_of

UTC = dt.timezone.utc  # noqa: UP017


def ts(day: str) -> float:
    return dt.datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp()


DECLINED = [
    Declined(ts("2026-11-30T10:00"), "s1", "out_of_scope", "best pizza near Mrs Smith?", None),
    Declined(ts("2026-12-08T10:00"), "s2", "no_answer", "LDN for tinnitus in a 71M?", "dosing"),
]
FEEDBACK = [
    {
        "created_at": ts("2026-12-01T09:00"),
        "rating": "not_helpful",
        "reason": "outdated",
        "channel": "webchat",
        "passage_ids": "dose-max-4-5,fm-final-trial",
        "rule_ids": "",
        "knowledge_version": "abc",
        "question": "max dose for a 44F, MRN 1234567?",
        "comment": "=HYPERLINK(bad) FINAL changed this",
    },
    {
        "created_at": ts("2026-12-09T09:00"),
        "rating": "not_helpful",
        "reason": "wrong",
        "channel": "slack",
        "passage_ids": "dose-max-4-5",
        "rule_ids": "opioid_current",
        "knowledge_version": "abc",
        "question": "washout?",
        "comment": "",
    },
    {
        "created_at": ts("2026-12-09T10:00"),
        "rating": "helpful",
        "reason": None,
        "channel": "rest",
        "passage_ids": "dose-start",
        "rule_ids": "",
        "knowledge_version": "abc",
        "question": "start dose?",
        "comment": "",
    },
]


def test_weekly_counts_reasons_and_passages() -> None:
    report = build_report(DECLINED, FEEDBACK)
    assert report.weeks == ["2026-W49", "2026-W50"]
    assert report.counts["2026-W49"]["out_of_scope"] == 1
    assert report.counts["2026-W49"]["not_helpful"] == 1
    assert report.counts["2026-W50"]["no_answer"] == 1
    assert report.reasons["2026-W50"]["wrong"] == 1
    assert report.helpful["2026-W50"] == 1
    assert report.passages.most_common(1) == [("dose-max-4-5", 2)]
    assert week_of(ts("2027-01-01T00:00")) == "2026-W53"


def test_csv_is_scrubbed_and_formula_safe() -> None:
    rows = list(csv.DictReader(io.StringIO(to_csv(build_report(DECLINED, FEEDBACK)))))
    assert [r["item"] for r in rows] == ["out_of_scope", "not_helpful", "no_answer", "not_helpful"]
    assert rows[0]["question"] == "best pizza near [NAME]?"
    assert rows[1]["question"] == "max dose for a [AGE], [ID]?"
    assert rows[1]["comment"].startswith("'=HYPERLINK")
    assert rows[1]["passage_ids"] == "dose-max-4-5 fm-final-trial"
    assert rows[3]["rule_ids"] == "opioid_current"


def test_html_page_has_chart_tables_and_no_patient_details() -> None:
    page = to_html(build_report(DECLINED, FEEDBACK), csv_href="x.csv")
    assert "<svg" in page and "Passages most often involved" in page
    assert "dose-max-4-5" in page and "Outdated 1" in page and "href='x.csv'" in page
    for secret in ("Smith", "71M", "44F", "1234567"):
        assert secret not in page


def test_svg_is_well_formed_even_without_data() -> None:
    for report in (build_report(DECLINED, FEEDBACK), build_report([], [])):
        root = ET.fromstring(to_svg(report))
        assert root.tag.endswith("svg")
    bars = ET.fromstring(to_svg(build_report(DECLINED, FEEDBACK))).findall(
        "{http://www.w3.org/2000/svg}rect"
    )
    assert len(bars) == 4 + 3  # four bar segments + three legend keys
