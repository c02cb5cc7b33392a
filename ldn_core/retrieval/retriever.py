"""Retrieval with NLU hints, dense + lexical score fusion and calibrated abstention.

Per question:
1. correct misspelt words against the store's and the lexicon's vocabulary
   (``LexicalIndex.correct``), expand abbreviations and strip LDN-generic filler
   (``QueryExpander.content``);
2. score every passage (the "text score"): MiniLM cosine with the passage (title, conditions
   and text) + ``title_weight`` x cosine with its title alone + ``question_weight`` x the best
   cosine with its hand-written questions (``questions:``, doc2query by hand) +
   ``lexical_weight`` x BM25 over a title-weighted document (scaled so the best passage
   gets 1); the optional topic/condition
   boosts from NLU hints are added for ranking only;
3. abstain ("no curated answer") when the answerability
       bias + sum of answerable_<feature> x feature, over ``ABSTENTION_FEATURES``
   is below 0 (a logistic regression fitted on the dev split by bench/tune_retrieval.py,
   coefficients in knowledge/retrieval.yaml). The features: ``score``, the best text score
   without the question view; ``coverage``, the IDF-weighted share of the question's content
   words the store knows at all (``LexicalIndex``); ``names``, 1 when the question names LDN
   or naltrexone (or a product of it) or the NLU gave a topic hint (the assistant then knows
   the question is about LDN); ``title``, the best cosine with a passage title alone;
   ``refers``, 1 when the question speaks of "it"/"this drug" without naming it (in an LDN
   assistant that drug is LDN, while off-topic questions name their subject: "infliximab
   dosing in crohns"); ``specific``, coverage with unknown common English words left neutral
   (only unknown specific terms, "metformin", "tinnitus", count against); ``question``, the
   best cosine with a hand-written passage question; ``offtopic``, the best cosine with an
   off-topic reference question. Otherwise hints only reorder; the benchmark measures the
   text alone (no hints).
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import numpy as np
import yaml

from ldn_core.knowledge import KnowledgeStore
from ldn_core.retrieval.encoder import Encoder, encoder_dictionary
from ldn_core.retrieval.index import Hit, PassageIndex, lexical_document
from ldn_core.retrieval.lexical import LexicalIndex, load_real_words
from ldn_core.retrieval.offtopic import load_offtopic_examples
from ldn_core.retrieval.query import QueryExpander
from ldn_core.rules.opioids import lexicon as opioid_lexicon

# The question names the drug: LDN, naltrexone (typos are expanded by the lexicon first),
# "ntx", or a naltrexone product the lexicon expands to "naltrexone" (Contrave, Revia...).
NAMES_LDN = re.compile(r"\b(?:ldn|ntx|naltrexon\w*|low[- ]dose naltrex\w*)\b", re.IGNORECASE)
# The question refers to the drug without naming it ("can she take it in the AM", "does this
# med cause nausea"): in an LDN assistant that drug is LDN. Off-topic questions name their
# subject instead ("metformin dose in CKD").
REFERS = re.compile(
    r"\b(?:it|its|it's|this (?:drug|medicine|medication|med|stuff)|the (?:drug|med|stuff))\b",
    re.IGNORECASE,
)

CANDIDATES = 10  # ranking depth kept for callers and the benchmark
SIGNALS_KEPT = 256  # recent questions whose encoding is kept (a turn reads its text 2-6 ways)
# The abstention model's features, in the order the logit adds them up (the order fixes the
# float sum, so the figures tuned on it do not move). Each has a weight answerable_<name>.
ABSTENTION_FEATURES = (
    "score",
    "coverage",
    "names",
    "title",
    "refers",
    "specific",
    "question",
    "offtopic",
)


@dataclass(frozen=True)
class RetrievalConfig:
    """Tuned on the dev split of eval/retrieval (bench/tune_retrieval.py)."""

    lexical_weight: float = 0.0  # weight of the max-scaled BM25 score added to the cosine
    title_weight: float = 0.0  # weight of the title-view cosine added to the cosine
    question_weight: float = 0.0  # weight of the best question-view cosine added to the cosine
    # answerability = answerable_bias + the sum of answerable_<feature> x feature over
    # ABSTENTION_FEATURES; abstain when it is below 0. All zero (the default): the model is
    # off and nothing abstains.
    answerable_bias: float = 0.0
    answerable_score: float = 0.0
    answerable_coverage: float = 0.0
    answerable_names: float = 0.0
    answerable_title: float = 0.0
    answerable_refers: float = 0.0
    answerable_specific: float = 0.0
    answerable_question: float = 0.0
    answerable_offtopic: float = 0.0
    # A question the NLU reads as out of scope (or is unsure of) is still answered from the
    # store when its answerability is at least this (text alone, no hints); 0 = never.
    overrule_out_of_scope_at: float = 0.0
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

    def abstention_weights(self) -> dict[str, float]:
        return {name: getattr(self, f"answerable_{name}") for name in ABSTENTION_FEATURES}

    @property
    def abstention_model_on(self) -> bool:
        return self.answerable_bias != 0.0 or any(self.abstention_weights().values())

    def answerability_logit(self, features: dict[str, float]) -> float:
        weights = self.abstention_weights()
        logit = self.answerable_bias
        for name in ABSTENTION_FEATURES:  # in order: see ABSTENTION_FEATURES
            logit += weights[name] * features[name]
        return logit


@dataclass(frozen=True)
class QuerySignals:
    """Everything retrieval computes from the question text alone (no hints, no thresholds)."""

    question: str
    expanded: str  # abbreviations expanded
    content: str  # expanded, LDN-generic filler removed: what is embedded and matched
    similarities: np.ndarray  # cosine per passage (index order)
    lexical: np.ndarray  # BM25 per passage scaled to [0, 1] (best passage = 1, or all 0)
    coverage: float  # LexicalIndex.coverage of the content query
    title_similarities: np.ndarray | None = None  # cosine with each passage's title alone
    names_ldn: bool = True  # the (expanded) question names LDN/naltrexone
    refers: bool = False  # the question says "it"/"this drug" (LDN left implicit)
    specific_coverage: float = 1.0  # LexicalIndex.specific_coverage of the content query
    # best cosine with each passage's hand-written questions (``PassageIndex.question_scores``)
    question_similarities: np.ndarray | None = None
    offtopic: float = 0.0  # best cosine with an off-topic reference question (offtopic.py)

    @property
    def top_similarity(self) -> float:
        return float(self.similarities.max()) if self.similarities.size else 0.0

    def text_scores(self, cfg: RetrievalConfig, questions: bool = True) -> np.ndarray:
        """The fused score per passage without hints: cosine + title, question and BM25 terms
        (``questions=False``: without the question view, the score abstention reads)."""
        scores = self.similarities + cfg.lexical_weight * self.lexical
        if self.title_similarities is not None:
            scores = scores + cfg.title_weight * self.title_similarities
        if questions and self.question_similarities is not None:
            scores = scores + cfg.question_weight * self.question_similarities
        return scores


@dataclass(frozen=True)
class Answerability:
    """The abstention features of one question and the decision they lead to."""

    score: float  # best text score (no hints, no question view)
    coverage: float
    names_ldn: bool  # named in the text, or an NLU topic hint was given
    title: float = 0.0  # best cosine with a passage title alone
    refers: bool = False
    specific: float = 1.0  # specific coverage
    question: float = 0.0  # best cosine with a hand-written passage question
    offtopic: float = 0.0  # best cosine with an off-topic reference question
    logit: float = 0.0  # the fitted model's answerability; 0.0 when the model is off
    abstain: bool = False

    @property
    def features(self) -> dict[str, float]:
        """The model's inputs by name (``ABSTENTION_FEATURES``)."""
        return {
            "score": self.score,
            "coverage": self.coverage,
            "names": float(self.names_ldn),
            "title": self.title,
            "refers": float(self.refers),
            "specific": self.specific,
            "question": self.question,
            "offtopic": self.offtopic,
        }


@dataclass(frozen=True)
class RetrievalResult:
    query: str
    expanded_query: str
    hits: list[Hit] = field(default_factory=list)
    abstained: bool = False
    # the full ranking (best first, CANDIDATES deep) before abstention and the top_k cut
    candidates: list[Hit] = field(default_factory=list)
    coverage: float = 1.0
    answerability: float = 0.0  # the abstention model's logit (0.0 when the model is off)

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
        real_words: frozenset[str] = frozenset(),
    ):
        """``real_words``: clinical words spelling correction leaves alone, beside the
        encoder's vocabulary (knowledge/lexicon/real_words.yaml)."""
        self.store = store
        self.index = index
        self.expander = expander
        self.config = config
        self.lexical = lexical or LexicalIndex(
            [lexical_document(p) for p in index.passages],
            known=expander.vocabulary(),
            dictionary=encoder_dictionary(index.encoder) | real_words,
        )
        # read-only results (frozen dataclass, arrays never written), so sharing them is safe
        self._recent_signals = functools.lru_cache(maxsize=SIGNALS_KEPT)(self._compute_signals)

    @classmethod
    def from_knowledge(
        cls, root: Path, encoder: Encoder, cache_dir: Path | None = None
    ) -> Retriever:
        store = KnowledgeStore.load(root)
        lexicon = root / "lexicon" / "abbreviations.yaml"
        opioids = root / "rules" / "opioids.yaml"
        expander = QueryExpander.load(lexicon, opioid_lexicon(root / "rules").query_terms())
        offtopic = load_offtopic_examples(root)
        # passage questions and off-topic references are expanded with the lexicon (and the
        # opioid names) like user questions, so the cached index depends on them too
        salt = hashlib.sha256(
            lexicon.read_bytes() + opioids.read_bytes() + "\x1e".join(offtopic).encode()
        ).hexdigest()
        return cls(
            store,
            PassageIndex.build(store, encoder, cache_dir, expander.content, salt[:16], offtopic),
            expander,
            RetrievalConfig.load(root / "retrieval.yaml"),
            real_words=load_real_words(root),
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
        """Encode and score the question once; ``decide`` turns this into a result. The router
        reads one message several ways (alone, each question part, with hints), so the last
        few are kept: the same text is never encoded twice in a turn."""
        return self._recent_signals(question)

    def _compute_signals(self, question: str) -> QuerySignals:
        text = self.lexical.correct(question.strip())
        expanded = self.expander.expand(text)
        content = self.expander.content(text)
        lexical = self.lexical.scores(content)
        best = float(lexical.max()) if lexical.size else 0.0
        scaled = lexical / best if best > 0 else np.zeros_like(lexical)
        views = self.index.views(content)
        return QuerySignals(
            question=question,
            expanded=expanded,
            content=content,
            similarities=views.full,
            lexical=scaled,
            coverage=self.lexical.coverage(content),
            title_similarities=views.title,
            question_similarities=views.question,
            names_ldn=NAMES_LDN.search(expanded) is not None,
            refers=REFERS.search(text) is not None,
            specific_coverage=self.lexical.specific_coverage(content),
            offtopic=views.offtopic,
        )

    def answerability(
        self,
        signals: QuerySignals,
        config: RetrievalConfig | None = None,
        topics: set[str] | None = None,
    ) -> Answerability:
        """Should this question be answered from the store? A topic hint from NLU counts as
        naming LDN; nothing else of the hints is used."""
        cfg = config or self.config
        names = signals.names_ldn or bool(topics)
        if not signals.similarities.size:
            return Answerability(
                score=0.0, coverage=signals.coverage, names_ldn=names, abstain=True
            )
        # the best text score WITHOUT the question view: question-to-question cosines are
        # high for off-topic questions of the same form too ("metformin dose in CKD?"), so
        # on dev the question view helped ranking but blurred abstention; it enters the
        # model only as its own feature (``question``), weighted by CV on dev
        score = float(signals.text_scores(cfg, questions=False).max())
        titles = signals.title_similarities
        asked = signals.question_similarities
        found = Answerability(
            score=score,
            coverage=signals.coverage,
            names_ldn=names,
            title=float(titles.max()) if titles is not None and titles.size else 0.0,
            refers=signals.refers,
            specific=signals.specific_coverage,
            question=float(asked.max()) if asked is not None and asked.size else 0.0,
            offtopic=signals.offtopic,
        )
        if not cfg.abstention_model_on:
            return found
        logit = cfg.answerability_logit(found.features)
        return replace(found, logit=logit, abstain=logit < 0.0)

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
            extra=signals.text_scores(cfg) - signals.similarities,
        )
        answerability = self.answerability(signals, cfg, topics)
        abstained = not ranked or answerability.abstain
        if abstained:
            hits = ranked[:1]
        else:
            best = ranked[0].score
            hits = [h for h in ranked if best - h.score <= cfg.keep_within][: cfg.top_k]
        return RetrievalResult(
            query=signals.question,
            expanded_query=signals.expanded,
            hits=hits,
            abstained=abstained,
            candidates=ranked,
            coverage=signals.coverage,
            answerability=answerability.logit,
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
