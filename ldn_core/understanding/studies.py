"""Messages that name one of the store's studies ("remind me what FINAL found", "was the
Younger 2013 trial crossover?"): questions about LDN evidence even when LDN is not named.

The names come from the store itself: each source's first author with a year or a study word
beside it (a bare "Smith" or "Martin" is nobody's study), plus the trial names of
knowledge/lexicon/study_names.yaml.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import yaml

from ldn_core.knowledge.model import Source

STUDY_NAMES_FILE = Path("lexicon") / "study_names.yaml"
_STUDY_WORD = (
    r"(?:et\s+al\b\.?|trial|study|studies|pilot|paper|rct|review|cohort|data|series|"
    r"case\s+reports?|protocol|analysis)"
)


def first_surname(authors: str) -> str | None:
    """ "Younger J, Noor N" -> "Younger"; "Rassi-Mariani V, ..." -> "Rassi-Mariani"."""
    first = authors.split(",", 1)[0].strip()
    surname = first.rsplit(" ", 1)[0] if " " in first else first
    return surname if len(surname) >= 3 else None


def load_trial_names(knowledge_dir: Path, sources: dict[str, Source]) -> list[str]:
    data = yaml.safe_load((knowledge_dir / STUDY_NAMES_FILE).read_text(encoding="utf-8")) or {}
    names = []
    for entry in data.get("studies") or []:
        if entry.get("source") not in sources:
            raise ValueError(f"{STUDY_NAMES_FILE}: {entry.get('name')!r} names unknown source")
        names.append(str(entry["name"]))
    return names


class StudyNames:
    """Finds a named study of the store in a message."""

    def __init__(self, sources: Iterable[Source], trial_names: Iterable[str]) -> None:
        surnames = sorted({s for s in (first_surname(x.authors) for x in sources) if s})
        authors = "|".join(re.escape(s) for s in surnames)
        # "Younger 2013", "Younger et al.", "the Younger trial", "Younger's study"
        self._author = re.compile(
            rf"\b(?:{authors})(?:'s)?(?:\s+et\s+al\b\.?)?(?:\s*[(,]?\s*(?:19|20)\d\d\b|"
            rf"\s+(?:\w+\s+)?{_STUDY_WORD}\b)",
            re.IGNORECASE,
        )
        names = "|".join(re.escape(n) for n in sorted(trial_names, key=len, reverse=True))
        # a trial name as written in capitals ("FINAL"), or in any case with a study word
        # beside it ("the final trial" would be too common a phrase without it)
        self._trial = re.compile(rf"\b(?:{names})\b") if names else None
        self._trial_with_word = (
            re.compile(rf"\b(?:{names})\s+{_STUDY_WORD}\b", re.IGNORECASE) if names else None
        )

    @classmethod
    def load(cls, knowledge_dir: Path, sources: dict[str, Source]) -> StudyNames:
        return cls(sources.values(), load_trial_names(knowledge_dir, sources))

    def named_in(self, text: str) -> bool:
        if self._author.search(text):
            return True
        if self._trial is None:
            return False
        return bool(self._trial.search(text) or self._trial_with_word.search(text))
