"""Retrieval with NLU hints, dense + lexical score fusion and calibrated abstention.

Per question:
1. expand abbreviations and strip LDN-generic filler (``QueryExpander.content``);
2. score every passage: MiniLM cosine + ``lexical_weight`` x BM25 (scaled so the best passage
   gets 1), plus the optional topic/condition boosts from NLU hints;
3. abstain ("no curated answer") when the best cosine is under ``abstain_below`` or the store's
   vocabulary covers less than ``min_coverage`` of the question's content words
   (``LexicalIndex.coverage``); both thresholds are tuned on the dev split.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np
import yaml

from ldn_core.knowledge import KnowledgeStore
from ldn_core.retrieval.encoder import Encoder
from ldn_core.retrieval.index import Hit, PassageIndex, passage_document
from ldn_core.retrieval.lexical import LexicalIndex
from ldn_core.retrieval.query import QueryExpander

CANDIDATES = 10  # ranking depth kept for callers and the benchmark


@dataclass(frozen=True)
class RetrievalConfig:
    """Tuned on the dev split of bench/retrieval_questions (bench/tune_retrieval.py)."""

    abstain_below: float = 0.35  # top raw cosine under this: "no curated answer"
    min_coverage: float = 0.0  # share of content words the store knows; under this: abstain
    lexical_weight: float = 0.0  # weight of the max-scaled BM25 score added to the cosine
    topic_boost: float = 0.05
    condition_boost: float = 0.05
    top_k: int = 3
    keep_within: float = 0.12  # drop hits scoring this far below the best one

    @classmethod
    def load(cls, path: Path) -> RetrievalConfig:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        names = {f.name for f in fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise ValueError(f"{path}: unknown retrieval setting(s) {sorted(unknown)}")
        known = {k: int(v) if k == "top_k" else float(v) for k, v in data.items()}
        return cls(**known)


@dataclass(frozen=True)
class QuerySignals:
    """Everything retrieval computes from the question text alone (no hints, no thresholds)."""

    question: str
    expanded: str  # abbreviations expanded
    content: str  # expanded, LDN-generic filler removed: what is embedded and matched
    similarities: np.ndarray  # cosine per passage (index order)
    lexical: np.ndarray  # BM25 per passage scaled to [0, 1] (best passage = 1, or all 0)
    coverage: float  # LexicalIndex.coverage of the content query

    @property
    def top_similarity(self) -> float:
        return float(self.similarities.max()) if self.similarities.size else 0.0


@dataclass(frozen=True)
class RetrievalResult:
    query: str
    expanded_query: str
    hits: list[Hit] = field(default_factory=list)
    abstained: bool = False
    # the full ranking (best first, CANDIDATES deep) before abstention and the top_k cut
    candidates: list[Hit] = field(default_factory=list)
    coverage: float = 1.0

    @property
    def top_similarity(self) -> float:
        return max((h.similarity for h in self.candidates or self.hits), default=0.0)


class Retriever:
    def __init__(
        self,
        store: KnowledgeStore,
        index: PassageIndex,
        expander: QueryExpander,
        config: RetrievalConfig,
        lexical: LexicalIndex | None = None,
    ):
        self.store = store
        self.index = index
        self.expander = expander
        self.config = config
        self.lexical = lexical or LexicalIndex(
            [passage_document(p) for p in index.passages], known=expander.vocabulary()
        )

    @classmethod
    def from_knowledge(
        cls, root: Path, encoder: Encoder, cache_dir: Path | None = None
    ) -> Retriever:
        store = KnowledgeStore.load(root)
        return cls(
            store,
            PassageIndex.build(store, encoder, cache_dir),
            QueryExpander.load(root / "lexicon" / "abbreviations.yaml"),
            RetrievalConfig.load(root / "retrieval.yaml"),
        )

    def _boosts(self, topics: set[str], conditions: set[str]) -> dict[str, float]:
        boosts: dict[str, float] = {}
        for p in self.store.passages:
            bonus = 0.0
            if p.topic in topics:
                bonus += self.config.topic_boost
            if conditions & set(p.conditions):
                bonus += self.config.condition_boost
            if bonus:
                boosts[p.id] = bonus
        return boosts

    def signals(self, question: str) -> QuerySignals:
        """Encode and score the question once; ``decide`` turns this into a result."""
        text = question.strip()
        expanded = self.expander.expand(text)
        content = self.expander.content(text)
        lexical = self.lexical.scores(content)
        best = float(lexical.max()) if lexical.size else 0.0
        scaled = lexical / best if best > 0 else np.zeros_like(lexical)
        return QuerySignals(
            question=question,
            expanded=expanded,
            content=content,
            similarities=self.index.similarities(content),
            lexical=scaled,
            coverage=self.lexical.coverage(content),
        )

    def decide(
        self,
        signals: QuerySignals,
        topics: set[str] | None = None,
        conditions: set[str] | None = None,
        config: RetrievalConfig | None = None,
    ) -> RetrievalResult:
        cfg = config or self.config
        boosts = self._boosts(topics or set(), conditions or set())
        ranked = self.index.rank(
            signals.similarities,
            k=max(cfg.top_k, CANDIDATES),
            boosts=boosts,
            extra=cfg.lexical_weight * signals.lexical,
        )
        abstain = (
            not ranked
            or signals.top_similarity < cfg.abstain_below
            or signals.coverage < cfg.min_coverage
        )
        if abstain:
            return RetrievalResult(
                signals.question, signals.expanded, ranked[:1], True, ranked, signals.coverage
            )
        best = ranked[0].score
        kept = [h for h in ranked if best - h.score <= cfg.keep_within]
        return RetrievalResult(
            signals.question, signals.expanded, kept[: cfg.top_k], False, ranked, signals.coverage
        )

    def retrieve(
        self,
        question: str,
        topics: set[str] | None = None,
        conditions: set[str] | None = None,
    ) -> RetrievalResult:
        if not question.strip():
            return RetrievalResult(question, "", [], abstained=True, coverage=0.0)
        return self.decide(self.signals(question), topics, conditions)
