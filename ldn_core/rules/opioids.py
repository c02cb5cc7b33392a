"""Opioid lexicon: map what a clinician typed ("OxyContin 20mg", "percs", "tramadl") to a
canonical generic name and its kind (short_acting | long_acting | maintenance).

Matching ignores case, spaces and punctuation; it strips doses, salt names and
extended-release markers; it tolerates small typos in names of five letters or more.
Names with digits (``Tylenol #3``) only match exactly, so plain "Tylenol" never maps to
codeine. Data: ``knowledge/rules/opioids.yaml``.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from .data import (
    RULES_DIR,
    InteractionEntry,
    NaltrexoneProduct,
    OpioidData,
    RulesDataError,
    load_opioid_data,
)

_DOSE = re.compile(
    r"\b\d+(?:\s\d+)?\s?(?:mg|mcg|microgram|micrograms|ug|g|ml|mcg h|mcg hr|mcg hour|mg h)\b"
)
_SALTS = {
    "hydrochloride",
    "hcl",
    "sulfate",
    "sulphate",
    "phosphate",
    "tartrate",
    "bitartrate",
    "citrate",
    "acetate",
    "sodium",
    "tablet",
    "tablets",
    "tab",
    "tabs",
    "capsule",
    "capsules",
    "oral",
    "solution",
    "liquid",
    "syrup",
    "injection",
    "iv",
    "po",
    "prn",
    "daily",
    "bd",
    "tds",
}
_FUZZY_CUTOFF = 0.85
_FUZZY_MIN_LEN = 5


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


@dataclass(frozen=True)
class OpioidMatch:
    name: str  # canonical generic name
    kind: str  # kind of the form that was named (short_acting | long_acting | maintenance)
    default_kind: str  # kind of the generic when no form is stated
    matched: str  # the alias or generic name that matched
    long_acting_forms: tuple[str, ...]  # examples of long-acting forms of this drug


class OpioidLexicon:
    def __init__(self, data: OpioidData) -> None:
        self.data = data
        self.entries = {e.name: e for e in data.opioids}
        self.markers = tuple(sorted(data.long_acting_markers, key=len, reverse=True))
        self._index: dict[str, tuple[str, str | None, str]] = {}  # key -> (name, form kind, alias)
        for entry in data.opioids:
            self._add(entry.name, entry.name, None, "opioid")
            for alias in entry.aliases:
                self._add(alias, entry.name, None, "opioid")
            for alias in entry.long_acting_aliases:
                self._add(alias, entry.name, "long_acting", "opioid")
            for alias in entry.short_acting_aliases:
                self._add(alias, entry.name, "short_acting", "opioid")
        self._other: dict[str, tuple[str, str]] = {}  # key -> (section, name)
        for item in data.interaction_only:
            for alias in (item.name, *item.aliases):
                self._add_other(alias, "interaction", item.name)
        for product in data.naltrexone_products:
            for alias in product.aliases:
                self._add_other(alias, "naltrexone", product.name)

    def _add(self, alias: str, name: str, kind: str | None, section: str) -> None:
        key = _key(alias)
        previous = self._index.get(key)
        if previous and previous[0] != name:
            raise RulesDataError(
                f"opioids.yaml: alias {alias!r} is listed for both {previous[0]} and {name}"
            )
        if not previous or kind is not None:
            self._index[key] = (name, kind, alias)

    def _add_other(self, alias: str, section: str, name: str) -> None:
        key = _key(alias)
        if key in self._index:
            raise RulesDataError(f"opioids.yaml: {alias!r} is both an opioid and a {section} entry")
        self._other[key] = (section, name)

    def query_terms(self) -> dict[str, str]:
        """One-word names and brands (lower-cased) -> "<generic> opioid": how retrieval reads
        "Zomorph" or "cocodamol" in a question, as the passages speak of opioids."""
        terms: dict[str, str] = {}
        for entry in self.data.opioids:
            names = (entry.name, *entry.aliases, *entry.long_acting_aliases)
            for alias in (*names, *entry.short_acting_aliases):
                if " " not in alias.strip():
                    terms[alias.strip().lower()] = f"{entry.name} opioid"
        return terms

    # ------------------------------------------------------------ matching

    def _strip(self, words: str) -> tuple[str, bool]:
        """Remove doses, salts and release markers; report whether a long-acting marker was seen."""
        text = _DOSE.sub(" ", f" {words} ")
        marked = False
        for marker in self.markers:
            pattern = rf"(?<![a-z0-9]){re.escape(marker)}(?![a-z0-9])"
            if re.search(pattern, text):
                marked = True
                text = re.sub(pattern, " ", text)
        kept = [w for w in text.split() if w not in _SALTS and not w.isdigit()]
        return " ".join(kept), marked

    def _find(self, text: str) -> tuple[str, str | None, str] | None:
        words = _words(text)
        if not words:
            return None
        if _key(words) in self._index:
            return self._index[_key(words)]
        stripped, _ = self._strip(words)
        if _key(stripped) in self._index:
            return self._index[_key(stripped)]
        tokens = words.split()
        for size in (3, 2, 1):  # longest phrase inside the text, first from the left
            for start in range(len(tokens) - size + 1):
                hit = self._index.get("".join(tokens[start : start + size]))
                if hit:
                    return hit
        return self._fuzzy([_key(stripped), *stripped.split()])

    def _fuzzy(self, candidates: list[str]) -> tuple[str, str | None, str] | None:
        keys = [k for k in self._index if len(k) >= _FUZZY_MIN_LEN and k.isalpha()]
        for candidate in candidates:
            if (
                len(candidate) < _FUZZY_MIN_LEN
                or not candidate.isalpha()
                or candidate in self._other
            ):
                continue
            close = difflib.get_close_matches(candidate, keys, n=5, cutoff=_FUZZY_CUTOFF)
            if not close:
                continue
            best = difflib.SequenceMatcher(None, candidate, close[0]).ratio()
            names = {
                self._index[k][0]
                for k in close
                if difflib.SequenceMatcher(None, candidate, k).ratio() == best
            }
            if len(names) == 1:
                return self._index[close[0]]
            return None  # equally close to two drugs: refuse to guess
        return None

    def lookup(self, text: str) -> OpioidMatch | None:
        """The opioid named in ``text``, or None (also for loperamide and non-opioids)."""
        if not isinstance(text, str) or _key(text) in self._other:
            return None
        hit = self._find(text)
        if hit is None:
            return None
        name, form_kind, alias = hit
        entry = self.entries[name]
        kind = form_kind or entry.kind
        _, marked = self._strip(_words(text))
        if marked and kind == "short_acting" and form_kind is None:
            kind = "long_acting"
        return OpioidMatch(name, kind, entry.kind, alias, self.long_acting_forms(name))

    def long_acting_forms(self, name: str) -> tuple[str, ...]:
        entry = self.entries.get(name)
        return entry.long_acting_aliases[:3] if entry else ()

    def other(self, text: str, section: str) -> str | None:
        if not isinstance(text, str):
            return None
        words = _words(text)
        stripped, _ = self._strip(words)
        for key in (_key(words), _key(stripped), *(_key(w) for w in words.split())):
            hit = self._other.get(key)
            if hit and hit[0] == section:
                return hit[1]
        return None


@functools.cache
def lexicon(rules_dir: Path = RULES_DIR) -> OpioidLexicon:
    return OpioidLexicon(load_opioid_data(Path(rules_dir) / "opioids.yaml"))


def lookup_opioid(name: str) -> OpioidMatch | None:
    return lexicon().lookup(name)


def canonical_opioid(name: str) -> str | None:
    """Canonical generic name for an opioid name, brand, abbreviation or slang; else None."""
    match = lexicon().lookup(name)
    return match.name if match else None


def opioid_kind(name: str) -> str | None:
    """Kind of the named form: ``OxyContin`` -> long_acting, ``oxycodone`` -> short_acting."""
    match = lexicon().lookup(name)
    return match.kind if match else None


def interaction_note(name: str) -> InteractionEntry | None:
    """The entry for opioid-receptor antidiarrhoeals (loperamide, diphenoxylate), else None."""
    found = lexicon().other(name, "interaction")
    return (
        next((e for e in lexicon().data.interaction_only if e.name == found), None)
        if found
        else None
    )


def naltrexone_product(name: str) -> NaltrexoneProduct | None:
    """``Contrave`` -> the naltrexone-bupropion product; its ``fact`` names the facts field."""
    found = lexicon().other(name, "naltrexone")
    return (
        next((p for p in lexicon().data.naltrexone_products if p.name == found), None)
        if found
        else None
    )
