"""Lexical side of retrieval: tokens, a light stemmer, BM25 and vocabulary coverage.

Plain numpy, no extra dependency. Two jobs:

* ``LexicalIndex.scores``: BM25 over the passages, fused with the dense score at a small weight
  (it rescues exact names, trial acronyms and figures that MiniLM blurs);
* ``LexicalIndex.coverage``: how much of the question's content (IDF-weighted) the store's
  vocabulary knows at all. "LDN for tinnitus" mentions nothing the store covers: coverage 0,
  a strong, explainable abstention signal that the top cosine alone does not give.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

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
    ):
        """``known``: further text whose words count as in-domain for ``coverage`` only
        (the reviewed lexicon: "RSD", "reflex sympathetic dystrophy", "MA", "ntx")."""
        docs = [tokens(d) for d in documents]
        self.size = len(docs)
        df: Counter[str] = Counter()
        for doc in docs:
            df.update(set(doc))
        n = max(self.size, 1)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        # what an unseen word would weigh: rarer than anything in the store
        self.unknown_idf = math.log(1 + (n + 0.5) / 0.5)
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
        terms = [t for t in set(tokens(query)) if not _is_number(t)]
        if not terms:
            return 1.0
        known = sum(self._known_idf[t] for t in terms if t in self._known_idf)
        total = known + sum(self.unknown_idf for t in terms if t not in self._known_idf)
        return known / total
