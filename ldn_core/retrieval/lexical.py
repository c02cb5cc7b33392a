"""Lexical side of retrieval: tokens, a light stemmer, BM25 and vocabulary coverage.

Plain numpy, no extra dependency. Two jobs:

* ``LexicalIndex.scores``: BM25 over the passages, fused with the dense score at a small weight
  (it rescues exact names, trial acronyms and figures that MiniLM blurs);
* ``LexicalIndex.coverage``: how much of the question's content (IDF-weighted) the store's
  vocabulary knows at all. "LDN for tinnitus" mentions nothing the store covers: coverage 0,
  a strong, explainable abstention signal that the top cosine alone does not give;
* ``LexicalIndex.correct``: spelling correction of the question against the store's own
  words ("fibromyagia" -> "fibromyalgia", "titraton" -> "titration"), so a typo neither hides
  the passage from BM25 nor reads as an off-topic word to ``coverage``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Sequence
from pathlib import Path

import numpy as np
import yaml

_TOKEN = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")

# Function words and words every LDN passage or question shares: they carry no topic.
STOPWORDS = frozenset(
    """
    a an the of in on for to and or nor with without is are am was were be been being do does
    did done can could should would will shall may might must i me my we our you your he she
    him her his it its this that these those what whats which who whom how when where why any
    there their they them than then vs versus at by from as if about into onto after before
    still now just also too very much many more most some such other per so not no yes ok okay
    get gets got give gives take takes taking taken use used using ppl people someone anyone
    tell know want wants need needs thing things like really actually please hi hello thanks
    has have had having worth try tries tried trying reasonable view point big bigger biggest
    ongoing sit sits improve okay fine good bad best better say says said mean means
    make makes made go goes going up down between known feel feels feeling felt look looks
    anything something everything lot lots bit kind sort thanks thank
    monday tuesday wednesday thursday friday saturday sunday today tomorrow yesterday
    ldn low dose doses dosed naltrexone naltrexon patient patients pt pts
    """.split()
)

_SUFFIXES = (
    ("ations", "at"),
    ("ation", "at"),
    ("ings", ""),
    ("ing", ""),
    ("ities", ""),
    ("ity", ""),
    ("ness", ""),
    ("ies", "y"),
    ("es", ""),
    ("ed", ""),
    ("ly", ""),
    ("s", ""),
)


def stem(word: str) -> str:
    """Crude suffix stripping so word forms meet: "titrate", "titrating", "titration" ->
    "titrat"; words of 4 letters or fewer stay as they are."""
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)] + replacement
            break
    if len(word) > 5 and word.endswith("e"):
        word = word[:-1]
    return word


def tokens(text: str) -> list[str]:
    """Lower-cased, stemmed content tokens (stopwords and LDN-generic words removed)."""
    out = []
    for word in _TOKEN.findall(text.lower().replace("’", "'")):
        if word in STOPWORDS or len(word) < 2:
            continue
        out.append(stem(word))
    return out


_WORD = re.compile(r"[a-z]+")
_ANY_CASE_WORD = re.compile(r"[A-Za-z]+")
_ABBREVIATION = re.compile(r"\b[A-Z]{3,4}\b")
# Typo tolerance: words shorter than this are never corrected; from LONG_WORD letters on, two
# edits are allowed instead of one.
MIN_CORRECTED = 5
LONG_WORD = 8


def _deletes(word: str, depth: int) -> set[str]:
    """Every string made by deleting up to ``depth`` letters from ``word``."""
    out, frontier = set(), {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        out |= frontier
    return out


def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment): insert, delete, substitute,
    swap two neighbours."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


REAL_WORDS_FILE = Path("lexicon") / "real_words.yaml"


def load_real_words(knowledge_dir: Path) -> frozenset[str]:
    """The reviewed clinical words spelling correction must leave alone (none if no file)."""
    path = knowledge_dir / REAL_WORDS_FILE
    if not path.exists():
        return frozenset()
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    words = data.get("words") if isinstance(data, dict) else None
    if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
        raise ValueError(f"{path}: expected 'words:' with a list of words")
    return frozenset(w.strip().lower() for w in words)


class SpellingCorrector:
    """Nearest known word within 1 edit (2 for long words), by symmetric deletion lookup.

    Only words the vocabulary does not contain are touched; ties go to the word that occurs
    more often. Words that are stopwords, short, real words of ``dictionary`` ("cancer" is not
    a typo of "cancel", "heart" not of "heat") or without a near neighbour stay as typed.
    """

    def __init__(
        self,
        counts: Counter[str],
        dictionary: Collection[str] = (),
        abbreviations: Collection[str] = (),
    ):
        """``abbreviations``: lower-case forms of the short words the store writes in capitals
        ("crps", "ldn"): the only targets for swapped letters in a typed abbreviation."""
        self.counts = counts
        self.dictionary = frozenset(dictionary)
        self._index: dict[str, set[str]] = {}
        for word in counts:
            if len(word) < MIN_CORRECTED - 1:
                continue
            depth = 2 if len(word) >= LONG_WORD - 1 else 1
            for variant in _deletes(word, depth) | {word}:
                self._index.setdefault(variant, set()).add(word)
        self._cache: dict[str, str] = {}
        # short known words by their letters, for swapped letters in typed abbreviations
        self._short_by_letters: dict[str, set[str]] = {}
        for word in abbreviations:
            if len(word) < MIN_CORRECTED:
                self._short_by_letters.setdefault("".join(sorted(word)), set()).add(word)

    def abbreviation(self, typed: str) -> str:
        """An upper-case abbreviation with two neighbouring letters swapped ("CRSP", "LND") is
        the known one ("crps", "ldn"); any other short word stays as typed."""
        word = typed.lower()
        if (
            not typed.isupper()
            or not 3 <= len(word) < MIN_CORRECTED
            or word in self.counts
            or word in self.dictionary
        ):
            return word
        swapped = {
            known
            for known in self._short_by_letters.get("".join(sorted(word)), ())
            if sum(a != b for a, b in zip(word, known, strict=True)) == 2
            and edit_distance(word, known) == 1
        }
        return min(swapped, key=lambda w: (-self.counts[w], w)) if swapped else word

    def word(self, word: str) -> str:
        if (
            word in self.counts
            or len(word) < MIN_CORRECTED
            or word in STOPWORDS
            or word in self.dictionary
        ):
            return word
        if word not in self._cache:
            depth = 2 if len(word) >= LONG_WORD else 1
            candidates = set()
            for variant in _deletes(word, depth) | {word}:
                candidates |= self._index.get(variant, set())
            scored = [
                (d, -self.counts[c], c)
                for c in candidates
                if (d := edit_distance(word, c)) <= depth
            ]
            self._cache[word] = min(scored)[2] if scored else word
        return self._cache[word]

    def text(self, text: str) -> str:
        """``text`` with each misspelt word replaced by its (lower-case) correction; every
        other character stays as typed, so case-sensitive abbreviations ("MS") survive."""

        def fix(match: re.Match[str]) -> str:
            typed = match.group(0)
            corrected = self.word(typed.lower())
            if corrected == typed.lower():
                corrected = self.abbreviation(typed)
            return typed if corrected == typed.lower() else corrected

        return _ANY_CASE_WORD.sub(fix, text)


_MEASURE = re.compile(r"\d+(?:\.\d+)?[a-z]{0,3}")  # 4.5, 48h, 5mg


def _is_number(token: str) -> bool:
    return _MEASURE.fullmatch(token) is not None


class LexicalIndex:
    """BM25 (k1=1.2, b=0.75) over a fixed list of documents."""

    def __init__(
        self,
        documents: Sequence[str],
        known: Sequence[str] = (),
        k1: float = 1.2,
        b: float = 0.75,
        dictionary: Collection[str] = (),
    ):
        """``known``: further text whose words count as in-domain for ``coverage`` only
        (the reviewed lexicon: "RSD", "reflex sympathetic dystrophy", "MA", "ntx");
        ``dictionary``: lower-case real words that spelling correction must leave alone."""
        docs = [tokens(d) for d in documents]
        self.size = len(docs)
        df: Counter[str] = Counter()
        for doc in docs:
            df.update(set(doc))
        n = max(self.size, 1)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        # what an unseen word would weigh: rarer than anything in the store
        self.unknown_idf = math.log(1 + (n + 0.5) / 0.5)
        words: Counter[str] = Counter()
        for text in [*documents, *known]:
            words.update(_WORD.findall(text.lower().replace("’", "'")))
        abbreviations = {
            w.lower() for text in [*documents, *known] for w in _ABBREVIATION.findall(text)
        }
        self.speller = SpellingCorrector(words, dictionary, abbreviations)
        extra = {t for text in known for t in tokens(text)} - set(self.idf)
        typical = float(np.median(list(self.idf.values()))) if self.idf else 1.0
        self._known_idf = {**{t: typical for t in extra}, **self.idf}
        lengths = np.array([len(d) for d in docs], dtype=np.float32)
        norm = k1 * (1 - b + b * lengths / max(float(lengths.mean()) if docs else 1.0, 1.0))
        self._weights: dict[str, np.ndarray] = {}
        for i, doc in enumerate(docs):
            for term, tf in Counter(doc).items():
                row = self._weights.setdefault(term, np.zeros(self.size, dtype=np.float32))
                row[i] = self.idf[term] * tf * (k1 + 1) / (tf + norm[i])

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document for ``query`` (zeros when nothing matches)."""
        total = np.zeros(self.size, dtype=np.float32)
        for term in set(tokens(query)):
            row = self._weights.get(term)
            if row is not None:
                total += row
        return total

    def coverage(self, query: str) -> float:
        """IDF-weighted share of the query's content words that occur anywhere in the store.

        Numbers are ignored (doses and years are everywhere and nowhere); a query with no
        content words at all ("LDN?") has coverage 1: nothing in it is off-topic.
        """
        terms = self._content_terms(query)
        if not terms:
            return 1.0
        known = sum(self._known_idf[t] for t in terms if t in self._known_idf)
        total = known + sum(self.unknown_idf for t in terms if t not in self._known_idf)
        return known / total

    def specific_coverage(self, query: str) -> float:
        """``coverage`` where an unknown word that is a common English word (the encoder's
        whole-word vocabulary, ``dictionary``) is neutral rather than off-topic: "how fast do I
        go up" is plain English the store need not contain, "metformin" or "tinnitus" is a
        specific term the store does not cover. 1.0 when nothing specific is left."""
        common = self.speller.dictionary
        terms: dict[str, bool] = {}
        for word in _TOKEN.findall(query.lower().replace("’", "'")):
            if word in STOPWORDS or len(word) < 2:
                continue
            term = stem(word)
            if not _is_number(term):
                terms[term] = terms.get(term, False) or word in common
        known = total = 0.0
        for term, is_common in terms.items():
            if term in self._known_idf:
                known += self._known_idf[term]
                total += self._known_idf[term]
            elif not is_common:
                total += self.unknown_idf
        return known / total if total else 1.0

    def correct(self, text: str) -> str:
        """``text`` with misspelt words replaced by the store's nearest word."""
        return self.speller.text(text)

    def _content_terms(self, query: str) -> list[str]:
        return [t for t in set(tokens(query)) if not _is_number(t)]
