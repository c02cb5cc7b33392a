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

# (singular, plural)
SOURCE_TYPE_LABEL = {
    "guideline": ("guideline", "guidelines"),
    "systematic_review": ("systematic review/meta-analysis", "systematic reviews/meta-analyses"),
    "rct": ("randomised trial", "randomised trials"),
    "drug_label": ("drug label", "drug labels"),
    "cohort": ("observational study", "observational studies"),
    "case_series": ("case report/series", "case reports/series"),
    "narrative_review": (
        "narrative review or expert opinion",
        "narrative reviews or expert opinions",
    ),
    "practice_source": (
        "practice source (not research evidence)",
        "practice sources (not research evidence)",
    ),
}


def weakest(levels: Iterable[str]) -> str:
    ranked = [lvl for lvl in levels if lvl in CERTAINTY_ORDER]
    return min(ranked, key=CERTAINTY_ORDER.index) if ranked else "very_low"


def describe_sources(sources: Iterable[Source]) -> str:
    """'2 randomised trials, 1 drug label'."""
    counts = Counter(s.type for s in sources)
    parts = []
    for source_type, n in counts.most_common():
        singular, plural = SOURCE_TYPE_LABEL.get(source_type, (source_type, source_type))
        parts.append(f"{n} {singular if n == 1 else plural}")
    return ", ".join(parts)


def evidence_sentence(level: str, sources: Iterable[Source]) -> str:
    basis = describe_sources(sources)
    label = CERTAINTY_LABEL.get(level, level)
    return f"{label}" + (f" (based on: {basis})" if basis else "")
