"""How strong the evidence is, in words a clinician reads at a glance."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from ldn_core.knowledge import Source

CERTAINTY_LABEL = {
    "high": "High certainty",
    "moderate": "Moderate certainty",
    "low": "Low certainty",
    "very_low": "Very low certainty",
}

CERTAINTY_ORDER = ["very_low", "low", "moderate", "high"]

SOURCE_TYPE_LABEL = {
    "guideline": "guideline",
    "systematic_review": "systematic review/meta-analysis",
    "rct": "randomised trial",
    "drug_label": "drug label",
    "cohort": "observational study",
    "case_series": "case report/series",
    "narrative_review": "narrative review or expert opinion",
    "practice_source": "practice source (not research evidence)",
}


def weakest(levels: Iterable[str]) -> str:
    ranked = [lvl for lvl in levels if lvl in CERTAINTY_ORDER]
    return min(ranked, key=CERTAINTY_ORDER.index) if ranked else "very_low"


def describe_sources(sources: Iterable[Source]) -> str:
    """'2 randomised trials, 1 drug label' (plural by a trailing 's', readable enough)."""
    counts = Counter(SOURCE_TYPE_LABEL.get(s.type, s.type) for s in sources)
    parts = []
    for label, n in counts.most_common():
        parts.append(f"{n} {label}" + ("s" if n > 1 and not label.endswith(")") else ""))
    return ", ".join(parts)


def evidence_sentence(level: str, sources: Iterable[Source]) -> str:
    basis = describe_sources(sources)
    label = CERTAINTY_LABEL.get(level, level)
    return f"{label}" + (f" (based on: {basis})" if basis else "")
