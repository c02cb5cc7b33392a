"""The order's indication (``MedicationRequest.reasonCode`` text) -> the condition id the
screening rules know, through the chat's condition lexicon (knowledge/lexicon/conditions.yaml).

Only unambiguous terms count ("CD" needs context words an order's reason rarely has), the
longest term found wins, and an LDN indication wins over a secondary one (an order "for
fibromyalgia; history of alcohol use disorder" is for fibromyalgia), as in the chat.
The file is read here rather than through ``ldn_core.extraction``, whose package import
loads spaCy (about 10 s), which the CDS service does not need.
"""

from __future__ import annotations

import functools
import re

import yaml

from ldn_core.settings import Settings


@functools.cache
def _terms() -> tuple[tuple[tuple[str, str], ...], frozenset[str]]:
    path = Settings.from_env().knowledge_dir / "lexicon" / "conditions.yaml"
    entries = yaml.safe_load(path.read_text("utf-8")).get("conditions", [])
    plain = [(_words(str(term)), str(e["id"])) for e in entries for term in e.get("terms", [])]
    secondary = frozenset(str(e["id"]) for e in entries if e.get("secondary"))
    return tuple(sorted(plain, key=lambda item: -len(item[0]))), secondary


def _words(text: str) -> str:
    return " " + " ".join(re.sub(r"[^a-z0-9']+", " ", text.lower()).split()) + " "


def indication_of(texts: list[str]) -> str | None:
    terms, secondary = _terms()
    words = _words(" ; ".join(texts))
    found = [cid for literal, cid in terms if literal in words]
    primary = [cid for cid in found if cid not in secondary]
    return (primary or found or [None])[0]
