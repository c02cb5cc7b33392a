"""Term lists for the extractor, loaded from YAML data files.

Opioids and other naltrexone products come from ``knowledge/rules/opioids.yaml`` (shared
with the screening rules); conditions, patient-state terms and ConText cues from
``knowledge/lexicon/``. This module only reads data: no spaCy here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
OPIOIDS_PATH = REPO_ROOT / "knowledge" / "rules" / "opioids.yaml"
LEXICON_DIR = REPO_ROOT / "knowledge" / "lexicon"

_NTX_FACT_CATEGORY = {"on_naltrexone_bupropion": "NTX_BUP", "on_naltrexone_50mg": "NTX_FULL"}


@dataclass(frozen=True)
class Term:
    """One matchable phrase (``literal``) or regular expression (``regex``)."""

    category: str  # OPIOID, CONDITION, LIVER, RENAL, PROCEDURE, ...
    value: str  # canonical id: drug name, condition id, liver status, "true"/"false", ...
    literal: str | None = None
    regex: str | None = None
    meta: tuple[tuple[str, Any], ...] = ()  # extra data, e.g. (("form", "long_acting"),)

    def get(self, key: str, default: Any = None) -> Any:
        return dict(self.meta).get(key, default)


@dataclass(frozen=True)
class ContextCue:
    literal: str
    category: str  # NEGATED_EXISTENCE, HISTORICAL, HYPOTHETICAL, CURRENT, FUTURE, TERMINATE
    direction: str  # FORWARD, BACKWARD, BIDIRECTIONAL, TERMINATE
    max_scope: int | None


@dataclass
class Lexicon:
    terms: list[Term] = field(default_factory=list)
    cues: list[ContextCue] = field(default_factory=list)
    opioid_kinds: dict[str, str] = field(default_factory=dict)  # drug -> kind
    long_acting_markers: tuple[str, ...] = ()  # "er", "sr", "patch", "extended release", ...
    secondary_conditions: set[str] = field(default_factory=set)
    umbrella_conditions: set[str] = field(default_factory=set)  # "IBD" beside "Crohn's"

    def fuzzy_vocabulary(self, min_len: int = 6) -> set[str]:
        """Single-word drug/condition names that tolerate small typos ("oxycodne")."""
        words = set()
        for t in self.terms:
            if t.category in {"OPIOID", "CONDITION", "OPIOID_CLASS"} and t.literal:
                w = t.literal.lower()
                if w.isalpha() and len(w) >= min_len:
                    words.add(w)
        return words


def variants(literal: str) -> list[str]:
    """Spelling variants of a phrase: hyphen vs space vs joined ("opioid-naive")."""
    out = [literal]
    if "-" in literal:
        out += [literal.replace("-", " "), literal.replace("-", "")]
    parts = literal.split()
    if len(parts) == 2 and all(p.isalpha() for p in parts):
        out.append("-".join(parts))
    return list(dict.fromkeys(out))


def _read(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


def load_opioid_terms(path: Path) -> tuple[list[Term], dict[str, str], tuple[str, ...]]:
    """Opioid aliases; ``form`` meta is the form a name itself states (None: not stated)."""
    data = _read(path)
    terms: list[Term] = []
    kinds: dict[str, str] = {}
    for entry in data.get("opioids", []):
        name, kind = str(entry["name"]), str(entry.get("kind", "short_acting"))
        kinds[name] = kind
        groups: list[tuple[str | None, list[str]]] = [(None, [name, *entry.get("aliases", [])])]
        groups.append(("long_acting", entry.get("long_acting_aliases", []) or []))
        groups.append(("short_acting", entry.get("short_acting_aliases", []) or []))
        for form, names in groups:
            for alias in names:
                terms.append(
                    Term("OPIOID", name, literal=str(alias), meta=(("form", form), ("kind", kind)))
                )
    for product in data.get("naltrexone_products", []):
        category = _NTX_FACT_CATEGORY.get(str(product.get("fact")))
        if category:
            for alias in product.get("aliases", []):
                terms.append(Term(category, "true", literal=str(alias)))
    markers = tuple(str(m).lower() for m in data.get("long_acting_markers", []))
    return terms, kinds, markers


def load_condition_terms(path: Path) -> tuple[list[Term], set[str], set[str]]:
    terms: list[Term] = []
    secondary: set[str] = set()
    umbrella: set[str] = set()
    for entry in _read(path).get("conditions", []):
        cid = str(entry["id"])
        if entry.get("secondary"):
            secondary.add(cid)
        if entry.get("umbrella"):
            umbrella.add(cid)
        for literal in entry.get("terms", []):
            terms.append(Term("CONDITION", cid, literal=str(literal)))
        for amb in entry.get("ambiguous", []) or []:
            needs = tuple(str(w).lower() for w in amb.get("needs_any", []))
            terms.append(
                Term("CONDITION", cid, literal=str(amb["term"]), meta=(("needs_any", needs),))
            )
    return terms, secondary, umbrella


def load_patient_terms(path: Path) -> list[Term]:
    terms: list[Term] = []
    for category, values in _read(path).items():
        for value, spec in values.items():
            for literal in spec.get("terms", []) or []:
                terms.append(Term(str(category), str(value), literal=str(literal)))
            for regex in spec.get("regex", []) or []:
                terms.append(Term(str(category), str(value), regex=str(regex)))
    return terms


def load_context_cues(path: Path) -> list[ContextCue]:
    cues: list[ContextCue] = []
    for category, directions in _read(path).get("rules", {}).items():
        for direction, items in directions.items():
            for literal, scope in items:
                cues.append(ContextCue(str(literal), str(category), str(direction), scope))
    return cues


def load_lexicon(opioids_path: Path = OPIOIDS_PATH, lexicon_dir: Path = LEXICON_DIR) -> Lexicon:
    opioid_terms, kinds, markers = load_opioid_terms(opioids_path)
    condition_terms, secondary, umbrella = load_condition_terms(lexicon_dir / "conditions.yaml")
    terms = opioid_terms + condition_terms + load_patient_terms(lexicon_dir / "patient_terms.yaml")
    cues = load_context_cues(lexicon_dir / "context_rules.yaml")
    return Lexicon(terms, cues, kinds, markers, secondary, umbrella)
