"""The new-evidence watch on recorded (synthetic) responses, and without any network."""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
from pathlib import Path

from scripts import evidence_watch

DATA = Path(__file__).parent / "data" / "evidence_watch"
RECORDINGS = {
    "esearch.fcgi": "pubmed_esearch.json",
    "esummary.fcgi": "pubmed_esummary.json",
    "/studies?": "ctgov_studies.json",
}


def recorded(urls: list[str]):
    def fetch(url: str):
        urls.append(url)
        name = next(f for key, f in RECORDINGS.items() if key in url)
        return json.loads((DATA / name).read_text(encoding="utf-8"))

    return fetch


def test_new_records_are_listed_and_known_ones_dropped(tmp_path: Path) -> None:
    urls: list[str] = []
    fresh, notes = evidence_watch.run(recorded(urls), tmp_path)
    assert notes == []
    assert [(c.source, c.identifier) for c in fresh] == [
        ("pubmed", "49990001"),
        ("clinicaltrials.gov", "NCT09990001"),
        ("pubmed", "49990002"),
    ]
    assert fresh[0].doi == "10.9999/synthetic.1" and fresh[0].date == "2026/10/02"
    assert fresh[1].detail == "recruiting"
    # dated from the year of the newest source in the store
    _, newest = evidence_watch.known_identifiers(evidence_watch.ROOT / "knowledge/sources.yaml")
    assert f"mindate={newest}%2F01%2F01" in urls[0]
    assert f"RANGE%5B{newest}-01-01%2CMAX%5D" in urls[2]
    listing = (tmp_path / "review-list.md").read_text()
    assert "| to review | pubmed | [49990001](https://pubmed.ncbi.nlm.nih.gov/49990001/)" in listing
    assert "Synthetic cohort / LDN dosing" in listing  # a pipe cannot break the table
    saved = json.loads((tmp_path / "review-list.json").read_text())
    assert len(saved["candidates"]) == 3


def test_without_network_it_says_so_and_exits_0(tmp_path: Path, monkeypatch, capsys) -> None:
    def offline(url: str):
        raise urllib.error.URLError("Temporary failure in name resolution")

    monkeypatch.setattr(evidence_watch, "fetch_json", offline)
    assert evidence_watch.main(["--out", str(tmp_path), "--since", "2025-01-01"]) == 0
    out = capsys.readouterr().out
    assert "PubMed could not be reached" in out and "ClinicalTrials.gov could not be reached" in out
    assert "no network" in out
    assert "nothing new found" in (tmp_path / "review-list.md").read_text()


def test_a_closed_port_counts_as_no_network(tmp_path: Path, monkeypatch) -> None:
    # A real connection attempt, to a local port nothing listens on (never the internet).
    monkeypatch.setenv("LDN_PUBMED_BASE_URL", "http://127.0.0.1:9/")
    monkeypatch.setenv("LDN_CTGOV_BASE_URL", "http://127.0.0.1:9/")
    assert evidence_watch.main(["--out", str(tmp_path), "--since", "2025-01-01"]) == 0
    saved = json.loads((tmp_path / "review-list.json").read_text())
    assert len(saved["notes"]) == 2 and saved["candidates"] == []
    assert saved["since"] == dt.date(2025, 1, 1).isoformat()
