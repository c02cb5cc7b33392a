"""A small, valid knowledge tree, its verification record and a sample dossier (written into
tmp_path for each test). The sample dossier keeps the dossier parser tested without the real
dossier beside the repository."""
# ruff: noqa: E501  (the dossier fixture holds long markdown table rows)

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

DOSSIER = textwrap.dedent(
    """\
    # Test dossier

    ## 0. Preamble
    | Article ref | Claim | Most likely publication |
    |---|---|---|
    | 1 | something | alpha2020 |

    ## 1. Sources table

    ### 1a. Things
    | ID | Citation | PMID / DOI | Design |
    |---|---|---|---|
    | alpha2020 | Alpha A, Beta B. A randomised trial of things. *J Things* 2020;1(2):3–4. NCT01234567 | DOI 10.1234/abc.5678; PMID 12345678 (addr); PMC7654321 | RCT |
    | beta2019 | Gamma G. A systematic review of stuff. *Rev J* 2019 | DOI 10.5555/rev.1 | Review |
    | delta2018 (= article ref 2) | Delta D. A cohort of patients. *Coh J* 2018 | PMID 2345678 | Cohort |
    | gone_case | A case report nobody found | **unverified**: not located | Case report |

    ## 2. Claims table
    Mentions an identifier outside section 1: 10.9999/elsewhere.1 and PMID 87654321.
    """
)


def source(**overrides: object) -> dict:
    base: dict = {
        "id": "alpha2020",
        "authors": "Alpha A, Beta B",
        "year": 2020,
        "title": "A randomised trial of things",
        "journal": "J Things",
        "volume_pages": "1(2):3–4",
        "doi": "10.1234/abc.5678",
        "pmid": "12345678",
        "pmcid": "PMC7654321",
        "nct": "NCT01234567",
        "url": "",
        "type": "rct",
        "evidence_level": "B",
        "notes": "PMID seen only in a page address (addr).",
    }
    base.update(overrides)
    return base


def default_sources() -> list[dict]:
    return [
        source(),
        source(
            id="beta2019",
            authors="Gamma G",
            year=2019,
            title="A systematic review of stuff",
            journal="Rev J",
            volume_pages="",
            doi="10.5555/rev.1",
            pmid="",
            pmcid="",
            nct="",
            type="systematic_review",
            evidence_level="A",
            notes="",
        ),
        source(
            id="delta2018",
            authors="Delta D",
            year=2018,
            title="A cohort of patients",
            journal="Coh J",
            volume_pages="",
            doi="",
            pmid="2345678",
            pmcid="",
            nct="",
            type="cohort",
            evidence_level="C",
            notes="",
        ),
    ]


def passage(**overrides: object) -> dict:
    base: dict = {
        "id": "fm-alpha-trial",
        "title": "Alpha trial",
        "conditions": ["fibromyalgia"],
        "text": "A small randomised trial of 31 women found less pain on LDN. "
        "The effect was modest.",
        "sources": ["alpha2020"],
        "evidence": "low",
        "reviewed": "2026-11-27",
    }
    base.update(overrides)
    return base


def default_passages() -> dict[str, list[dict]]:
    return {
        "fibromyalgia": [
            passage(),
            passage(
                id="fm-beta-review",
                title="Beta review",
                text="A systematic review pooled several trials, e.g. the alpha trial, and the "
                "difference was 0.86 points vs. placebo on a 0-10 scale.",
                sources=["beta2019", "delta2018"],
                evidence="moderate",
                conflicts_with=["fm-alpha-trial"],
            ),
        ],
        "dosing": [
            passage(
                id="dose-cohort-range",
                title="Doses in a cohort",
                conditions=["general"],
                text="Doses in one retrospective cohort ranged widely between patients.",
                sources=["delta2018"],
                evidence="very_low",
                reviewed="2026-01-02",
            ),
        ],
    }


def record_of(src: dict, **overrides: object) -> dict:
    """A verification record confirming exactly the identifiers of ``src``."""
    base: dict = {
        "id": src["id"],
        "checked": "2026-11-27",
        "checked_by": "evidence curator",
        "identifiers": {
            k: str(src[k]) for k in ("doi", "pmid", "pmcid", "nct") if src.get(k) not in ("", None)
        },
        "verified": "bibliographic details and identifiers",
        "against": ["a record page"],
    }
    base.update(overrides)
    return base


def default_records() -> list[dict]:
    return [record_of(s) for s in default_sources()]


EXCLUDED = [{"id": "gone_case", "reason": "not located"}]


class Tree:
    """Writes knowledge/ (with verification.yaml) and the sample dossier under a temp dir."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.kdir = base / "knowledge"
        self.dossier = base / "ldn_evidence.md"
        self.dossier.write_text(DOSSIER, encoding="utf-8")
        self.write_sources(default_sources())
        for topic, items in default_passages().items():
            self.write_passages(topic, items)
        self.write_reviews()

    def write_sources(self, items: list[dict], *, record: bool = True) -> Path:
        """sources.yaml; with ``record`` also a verification record confirming them."""
        if record:
            unique = {str(s.get("id")): s for s in items}  # one record per id, even for dupes
            self.write_records([record_of(s) for s in unique.values()])
        return self.write_yaml("sources.yaml", {"sources": items})

    def write_records(self, records: list[dict], excluded: list[dict] | None = None) -> Path:
        doc = {"records": records, "excluded": EXCLUDED if excluded is None else excluded}
        return self.write_yaml("verification.yaml", doc)

    def write_passages(
        self, topic: str, items: list[dict], *, file_topic: str | None = None
    ) -> Path:
        return self.write_yaml(
            f"passages/{file_topic or topic}.yaml", {"topic": topic, "passages": items}
        )

    def write_reviews(self, rules: dict | None = None, **top: object) -> Path:
        """reviews.yaml; the fixture's own items never age out (tests of ageing pass a
        fixed ``today`` and maximum age) so the suite does not depend on the calendar."""
        doc = {
            "max_age_months": 1200,
            "passages": {"reviewed_by": "evidence curator"},
            "rules": rules or {},
            **top,
        }
        return self.write_yaml("reviews.yaml", doc)

    def write_yaml(self, relative: str, doc: object) -> Path:
        return self.write_text(relative, yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))

    def write_text(self, relative: str, text: str) -> Path:
        path = self.kdir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path


@pytest.fixture
def tree(tmp_path: Path) -> Tree:
    return Tree(tmp_path)


@pytest.fixture
def make_source() -> Callable[..., dict]:
    return source


@pytest.fixture
def make_passage() -> Callable[..., dict]:
    return passage
