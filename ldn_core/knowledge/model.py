"""Data model of the knowledge store: bibliography entries and curated passages.

The vocabularies below are the single source of truth for ``docs/knowledge-format.md``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

TOPICS: tuple[str, ...] = (
    "dosing",
    "fibromyalgia",
    "crps",
    "diabetic_neuropathy",
    "corneal_pain",
    "low_back_pain",
    "chronic_pain",
    "crohns",
    "multiple_sclerosis",
    "mechanism",
    "contraindications",
    "opioids",
    "perioperative",
    "hepatic",
    "renal",
    "pregnancy",
    "paediatric",
    "interactions",
    "adverse_effects",
    "efficacy",
    "formulations",
    "other_naltrexone",
)

CONDITIONS: tuple[str, ...] = (
    "general",
    "fibromyalgia",
    "crps",
    "diabetic_neuropathy",
    "corneal_pain",
    "low_back_pain",
    "chronic_pain",
    "crohns",
    "ibd",
    "multiple_sclerosis",
    "alcohol_use_disorder",
    "opioid_use_disorder",
    "obesity",
    "spondylosis",
)

#: source type -> evidence level (docs/knowledge-format.md)
TYPE_LEVEL: dict[str, str] = {
    "guideline": "A",
    "systematic_review": "A",
    "rct": "B",
    "drug_label": "B",
    "cohort": "C",
    "case_series": "D",
    "narrative_review": "D",
    "practice_source": "E",
}
SOURCE_TYPES: tuple[str, ...] = tuple(TYPE_LEVEL)
EVIDENCE_LEVELS: tuple[str, ...] = ("A", "B", "C", "D", "E")

#: certainty words of a passage, strongest first
EVIDENCE_WORDS: tuple[str, ...] = ("high", "moderate", "low", "very_low")

#: source evidence level -> the strongest passage ``evidence`` word it can support
LEVEL_MAX_EVIDENCE: dict[str, str] = {
    "A": "high",
    "B": "moderate",
    "C": "low",
    "D": "very_low",
    "E": "very_low",
}

#: source evidence level -> every passage ``evidence`` word it allows
LEVEL_ALLOWS: dict[str, frozenset[str]] = {
    level: frozenset(EVIDENCE_WORDS[EVIDENCE_WORDS.index(best) :])
    for level, best in LEVEL_MAX_EVIDENCE.items()
}


def evidence_rank(word: str) -> int:
    """0 for ``high`` ... 3 for ``very_low`` (lower is stronger)."""
    return EVIDENCE_WORDS.index(word)


@dataclass(frozen=True)
class Source:
    """One publication of ``knowledge/sources.yaml``; ``""``/``None`` = not verified."""

    id: str
    authors: str
    year: int | None
    title: str
    journal: str
    volume_pages: str
    doi: str
    pmid: str
    pmcid: str
    nct: str
    url: str
    type: str
    evidence_level: str
    notes: str

    @property
    def doi_url(self) -> str:
        return f"https://doi.org/{self.doi}" if self.doi else ""

    @property
    def pubmed_url(self) -> str:
        return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/" if self.pmid else ""

    @property
    def pmc_url(self) -> str:
        return f"https://pmc.ncbi.nlm.nih.gov/articles/{self.pmcid}/" if self.pmcid else ""

    @property
    def registry_url(self) -> str:
        """ClinicalTrials.gov record for NCT ids; ``""`` for other registries."""
        if self.nct.startswith("NCT"):
            return f"https://clinicaltrials.gov/study/{self.nct}"
        return ""

    @property
    def best_url(self) -> str:
        """DOI, else PubMed, else PMC, else ``url``, else the trial registry, else ``""``."""
        return self.doi_url or self.pubmed_url or self.pmc_url or self.url or self.registry_url

    @property
    def first_author(self) -> str:
        """``"Younger J"`` from ``"Younger J, Noor N"``; ``""`` when authors are unverified."""
        first = self.authors.split(",")[0].strip()
        if first.endswith(" et al."):
            first = first[: -len(" et al.")].strip()
        return first

    @property
    def short_title(self) -> str:
        """The title up to its subtitle, at most about 70 characters."""
        title = self.title.split(": ")[0]
        for cut in (", ", " ("):
            if len(title) > 70 and cut in title:
                title = title.split(cut)[0]
        if len(title) > 70:
            title = title[:70].rsplit(" ", 1)[0] + "…"
        return title

    @property
    def short_citation(self) -> str:
        """E.g. ``"Younger J et al. 2013, Arthritis Rheum"``.

        Without verified authors: ``"<short title>, <journal> <year>"``.
        """
        year = "" if self.year is None else str(self.year)
        if not self.first_author:
            tail = " ".join(part for part in (self.journal, year) if part)
            return f"{self.short_title}, {tail}" if tail else self.short_title
        several = "," in self.authors or "et al" in self.authors
        lead = self.first_author + (" et al." if several else "")
        text = f"{lead} {year}" if year else lead
        return f"{text}, {self.journal}" if self.journal else text


@dataclass(frozen=True)
class Passage:
    """One curated statement of ``knowledge/passages/<topic>.yaml``."""

    id: str
    topic: str
    title: str
    conditions: tuple[str, ...]
    text: str
    sources: tuple[str, ...]
    evidence: str
    conflicts_with: tuple[str, ...]
    reviewed: dt.date
    file: str  # path relative to the knowledge directory, e.g. "passages/dosing.yaml"
    # Optional short questions a clinician might ask that this passage answers ("doc2query"
    # written by hand): a retrieval view only, never shown to the user.
    questions: tuple[str, ...] = ()
