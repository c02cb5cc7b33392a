"""The curator report from the tracker database: `make curator-report`.

    python scripts/curator_report.py [--db URL | --profile production] [--days 84] [--out DIR]

Reads the tracker store's events (questions answered out_of_scope / no_answer) and the
feedback table, and writes DIR/curator-report.html (tables + inline SVG chart),
DIR/curator-report.csv and DIR/curator-report.svg (default DIR: results/curator-report).
Patient details are masked (ldn_core/feedback/scrub.py). Runs with the Rasa venv's Python
(SQLAlchemy and the PostgreSQL driver are pinned there). The same report is served by the
Rasa server at /webhooks/feedback/report (token-protected in production).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from channels import feedback_store
from ldn_core.feedback.events import declined_questions
from ldn_core.feedback.report import UTC, build_report, to_csv, to_html, to_svg

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", help="database URL (default: the tracker database)")
    parser.add_argument("--profile", choices=("dev", "production"), default=None)
    parser.add_argument("--days", type=int, default=84, help="how far back (default 84)")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "curator-report")
    args = parser.parse_args(argv)
    url = args.db or feedback_store.tracker_db_url(args.profile)
    engine = sa.create_engine(url)
    since = time.time() - args.days * 86400
    try:
        declined = declined_questions(feedback_store.all_events(engine, since))
        rows = feedback_store.feedback_rows(engine, since)
    except sa.exc.OperationalError as error:
        print(f"error: cannot read the tracker database: {error.orig}", file=sys.stderr)
        return 1
    report = build_report(declined, rows)
    args.out.mkdir(parents=True, exist_ok=True)
    generated = dt.datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    (args.out / "curator-report.html").write_text(
        to_html(report, csv_href="curator-report.csv", generated=generated), "utf-8"
    )
    (args.out / "curator-report.csv").write_text(to_csv(report), "utf-8")
    (args.out / "curator-report.svg").write_text(to_svg(report), "utf-8")
    shown = engine.url.render_as_string(hide_password=True)
    print(
        f"curator report from {shown}, last {args.days} days: {len(declined)} declined "
        f"questions, {sum(r['rating'] == 'not_helpful' for r in rows)} not-helpful and "
        f"{sum(r['rating'] == 'helpful' for r in rows)} helpful answers -> {args.out}/"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
