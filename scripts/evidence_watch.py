"""New-evidence watch: LDN records newer than the store's newest source, as a review list.

    python scripts/evidence_watch.py [--out results/evidence-watch] [--since YYYY-MM-DD]
    make evidence-watch

Queries PubMed (NCBI E-utilities: esearch + esummary) and the ClinicalTrials.gov API (v2) for
low-dose naltrexone records dated on or after the year of the newest source in
knowledge/sources.yaml (or ``--since``), drops those the store already cites (PMID, DOI, NCT),
and writes ``review-list.md`` and ``review-list.json`` for a curator. Nothing is added to the
store: each candidate must be verified and written up by hand (README, "Adding knowledge").

Offline-safe: when a service cannot be reached it says so and exits 0 (what was reached is
still written). ``LDN_PUBMED_BASE_URL`` and ``LDN_CTGOV_BASE_URL`` point the queries elsewhere
(a mirror or a test server); tests use recorded responses (tests/scripts/data/).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
PUBMED = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
CTGOV = "https://clinicaltrials.gov/api/v2/"
PUBMED_TERM = (
    '"low-dose naltrexone"[tiab] OR "low dose naltrexone"[tiab] OR (LDN[tiab] AND naltrexone[tiab])'
)
CTGOV_TERM = "low dose naltrexone"
TIMEOUT_S = 15
MAX_RECORDS = 200

Fetch = Callable[[str], Any]  # URL -> parsed JSON; raises OSError when unreachable


@dataclass(frozen=True)
class Candidate:
    source: str  # pubmed | clinicaltrials.gov
    identifier: str  # PMID or NCT id
    title: str
    date: str
    detail: str  # journal, or the trial's status
    doi: str
    url: str


def known_identifiers(sources_file: Path) -> tuple[set[str], int | None]:
    """Identifiers the store already cites (lower-case) and the newest source year."""
    doc = yaml.safe_load(sources_file.read_text(encoding="utf-8")) or {}
    known: set[str] = set()
    years = []
    for s in doc.get("sources") or []:
        for key in ("pmid", "doi", "nct", "pmcid"):
            if s.get(key):
                known.add(str(s[key]).lower())
        if isinstance(s.get("year"), int):
            years.append(s["year"])
    return known, max(years) if years else None


def fetch_json(url: str) -> Any:
    request = urllib.request.Request(url, headers={"User-Agent": "ldn-assistant-evidence-watch"})
    with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310
        return json.loads(response.read().decode("utf-8"))


def pubmed_candidates(fetch: Fetch, since: dt.date, base: str = PUBMED) -> list[Candidate]:
    query = urllib.parse.urlencode(
        {
            "db": "pubmed",
            "term": PUBMED_TERM,
            "datetype": "pdat",
            "mindate": since.strftime("%Y/%m/%d"),
            "maxdate": "3000",
            "retmax": MAX_RECORDS,
            "retmode": "json",
            "sort": "pub_date",
        }
    )
    ids = fetch(f"{base}esearch.fcgi?{query}").get("esearchresult", {}).get("idlist", [])
    if not ids:
        return []
    summary = fetch(
        f"{base}esummary.fcgi?"
        + urllib.parse.urlencode({"db": "pubmed", "id": ",".join(ids), "retmode": "json"})
    ).get("result", {})
    found = []
    for pmid in ids:
        item = summary.get(pmid) or {}
        doi = next(
            (a.get("value", "") for a in item.get("articleids", []) if a.get("idtype") == "doi"),
            "",
        )
        found.append(
            Candidate(
                source="pubmed",
                identifier=pmid,
                title=str(item.get("title", "")).strip(),
                date=str(item.get("sortpubdate") or item.get("pubdate") or "")[:10],
                detail=str(item.get("fulljournalname") or item.get("source") or ""),
                doi=doi,
                url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
            )
        )
    return found


def trial_candidates(fetch: Fetch, since: dt.date, base: str = CTGOV) -> list[Candidate]:
    query = urllib.parse.urlencode(
        {
            "query.term": CTGOV_TERM,
            "filter.advanced": f"AREA[LastUpdatePostDate]RANGE[{since.isoformat()},MAX]",
            "pageSize": 100,
            "format": "json",
        }
    )
    found = []
    for study in fetch(f"{base}studies?{query}").get("studies", []):
        protocol = study.get("protocolSection", {})
        ident = protocol.get("identificationModule", {})
        status = protocol.get("statusModule", {})
        nct = str(ident.get("nctId", ""))
        if not nct:
            continue
        found.append(
            Candidate(
                source="clinicaltrials.gov",
                identifier=nct,
                title=str(ident.get("briefTitle", "")).strip(),
                date=str((status.get("lastUpdatePostDateStruct") or {}).get("date", "")),
                detail=str(status.get("overallStatus", "")).lower().replace("_", " "),
                doi="",
                url=f"https://clinicaltrials.gov/study/{nct}",
            )
        )
    return found


def new_only(candidates: list[Candidate], known: set[str]) -> list[Candidate]:
    seen: set[str] = set()
    fresh = []
    for c in candidates:
        keys = {c.identifier.lower(), c.doi.lower()} - {""}
        if keys & (known | seen):
            continue
        seen |= keys
        fresh.append(c)
    return sorted(fresh, key=lambda c: (c.date, c.identifier), reverse=True)


def markdown(candidates: list[Candidate], since: dt.date, notes: list[str]) -> str:
    lines = [
        "# New-evidence review list",
        "",
        f"Records about low-dose naltrexone dated from {since.isoformat()} (the year of the "
        "store's newest source) that the store does not cite yet. Each one needs checking "
        "against its record and, if relevant, a verified entry in knowledge/sources.yaml and "
        "knowledge/verification.yaml before any passage cites it.",
        "",
    ]
    lines += [f"> {n}" for n in notes]
    lines += ["", "| Status | Source | Id | Date | Title | Journal / trial status |"]
    lines += ["|---|---|---|---|---|---|"]
    for c in candidates:
        title = c.title.replace("|", "/")
        lines.append(
            f"| to review | {c.source} | [{c.identifier}]({c.url}) | {c.date} | {title} | "
            f"{c.detail.replace('|', '/')} |"
        )
    if not candidates:
        lines.append("| — | — | — | — | nothing new found | — |")
    return "\n".join(lines) + "\n"


def run(
    fetch: Fetch,
    out: Path,
    since: dt.date | None = None,
    sources_file: Path = ROOT / "knowledge" / "sources.yaml",
    pubmed_base: str = PUBMED,
    ctgov_base: str = CTGOV,
) -> tuple[list[Candidate], list[str]]:
    known, newest = known_identifiers(sources_file)
    since = since or dt.date(newest or dt.date.today().year, 1, 1)
    found: list[Candidate] = []
    notes: list[str] = []
    for name, query, base in (
        ("PubMed", pubmed_candidates, pubmed_base),
        ("ClinicalTrials.gov", trial_candidates, ctgov_base),
    ):
        try:
            found += query(fetch, since, base)
        except (OSError, ValueError) as error:  # URLError is an OSError; bad JSON a ValueError
            notes.append(
                f"{name} could not be reached ({type(error).__name__}: {error}); "
                "its records are not in this list."
            )
    fresh = new_only(found, known)
    out.mkdir(parents=True, exist_ok=True)
    (out / "review-list.md").write_text(markdown(fresh, since, notes), "utf-8")
    (out / "review-list.json").write_text(
        json.dumps(
            {"since": since.isoformat(), "notes": notes, "candidates": [asdict(c) for c in fresh]},
            indent=2,
        ),
        "utf-8",
    )
    return fresh, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "evidence-watch")
    parser.add_argument("--since", type=dt.date.fromisoformat, default=None)
    args = parser.parse_args(argv)
    fresh, notes = run(
        fetch_json,
        args.out,
        args.since,
        pubmed_base=os.environ.get("LDN_PUBMED_BASE_URL", PUBMED),
        ctgov_base=os.environ.get("LDN_CTGOV_BASE_URL", CTGOV),
    )
    for note in notes:
        print(f"note: {note}")
    if len(notes) == 2:
        print("no network: neither service answered; the review list is empty (exit 0)")
    print(f"{len(fresh)} new record(s) to review -> {args.out / 'review-list.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
