"""Conditions the store holds no LDN study of, asked about as a reason to use LDN.

"pt with Hashimoto's read that LDN lowers thyroid antibodies" names no condition the store
covers, yet retrieval finds passages on a neighbouring one (fatigue in MS, fibromyalgia). The
honest answer is that the store has no trial in that condition and that LDN for chronic
disorders is experimental. The names are data: knowledge/lexicon/untested_conditions.yaml.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from ldn_core.settings import REPO_ROOT
from ldn_core.understanding.sentences import sentences
from ldn_core.understanding.signals import asks_if_it_helps

UNTESTED_FILE = Path("lexicon") / "untested_conditions.yaml"


@lru_cache(maxsize=4)
def _terms(knowledge_dir: Path = REPO_ROOT / "knowledge") -> tuple[tuple[re.Pattern, str], ...]:
    data = yaml.safe_load((knowledge_dir / UNTESTED_FILE).read_text(encoding="utf-8")) or {}
    compiled = []
    for entry in data.get("conditions", []):
        names = sorted({str(t) for t in entry.get("terms", [])}, key=len, reverse=True)
        pattern = re.compile(
            r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w-])",
            re.IGNORECASE,
        )
        compiled.append((pattern, str(entry["label"])))
    return tuple(compiled)


def asked_about_untested_condition(text: str) -> str | None:
    """The label of a store-uncovered condition named in a sentence that asks whether LDN
    helps ("will LDN help her thyroid?"), or None. A comorbidity listed on its own line of a
    chart ("PMH: depression, migraine") is not the question."""
    for sentence in sentences(text):
        if not asks_if_it_helps(sentence):
            continue
        for pattern, label in _terms():
            if pattern.search(sentence):
                return label
    return None
