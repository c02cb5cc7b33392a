"""Embedding index over passages: exact cosine search with numpy, cached on disk.

The cache key is the knowledge content hash + the encoder id + the document format, so the
index is rebuilt only when passages (or the way they are embedded) change.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ldn_core.knowledge import KnowledgeStore, Passage
from ldn_core.retrieval.encoder import Encoder
from ldn_core.retrieval.query import strip_generic

log = logging.getLogger(__name__)

# Bump when passage_document(), embedded_document() or embedded_title() changes: it
# invalidates every cached index.
DOC_FORMAT = "views:title+conditions+text,title,questions,offtopic/strip-generic/v5"

# How many times the title is repeated in the lexical (BM25) document: a field weight, so a
# word in the title counts more than the same word in the text (dev: R@1 0.88 -> 0.90).
TITLE_REPEAT = 2


def passage_document(passage: Passage) -> str:
    """Title, conditions and text: the full form, also what the lexical index reads.

    A title helps short clinical questions match (measured on the dev split).
    """
    conditions = ", ".join(c.replace("_", " ") for c in passage.conditions if c != "general")
    suffix = f" ({conditions})" if conditions else ""
    return f"{passage.title}{suffix}. {passage.text}"


def embedded_document(passage: Passage) -> str:
    """What gets embedded: ``passage_document`` without the words every passage shares
    ("LDN", "naltrexone", "patients"), the same stripping the query gets, so the vectors
    differ by content rather than by how often a passage says "LDN" (dev: R@3 0.86 -> 0.90).
    """
    return strip_generic(passage_document(passage))


def embedded_title(passage: Passage) -> str:
    """The second embedded view: the title alone, stripped the same way. Short questions
    ("Gironi PPMS pilot safety") match a title better than a 4-sentence text; the retriever
    adds this view's cosine at ``RetrievalConfig.title_weight``."""
    return strip_generic(passage.title) or passage.title


def stripped_question(question: str) -> str:
    """A question without LDN-generic filler (the question itself when nothing is left): the
    preparation used when the caller gives none."""
    return strip_generic(question) or question


def embedded_questions(passage: Passage, prepare: Callable[[str], str] | None = None) -> list[str]:
    """The third embedded view: the passage's hand-written ``questions`` (doc2query by hand).
    A clinician's question is closer in form to another question than to a 4-sentence
    statement; the retriever adds the best of these cosines at
    ``RetrievalConfig.question_weight``. ``prepare`` is what the retriever does to a user
    question before embedding it (``QueryExpander.content``: abbreviations expanded, generic
    words stripped), so both sides of the comparison get the same treatment; without it the
    questions are only stripped."""
    return [(prepare or stripped_question)(q) for q in passage.questions]


def lexical_document(passage: Passage) -> str:
    """What BM25 reads: the title ``TITLE_REPEAT`` extra times, then ``passage_document``."""
    return f"{passage.title}. " * TITLE_REPEAT + passage_document(passage)


@dataclass(frozen=True)
class ViewScores:
    """Cosines of one query with every passage (index order), one array per view."""

    full: np.ndarray
    title: np.ndarray  # zeros when the index has no title view
    question: np.ndarray  # best cosine over the passage's questions; see ``question_scores``
    offtopic: float = 0.0  # best cosine with an off-topic reference question (0: none)


@dataclass(frozen=True)
class Hit:
    passage: Passage
    similarity: float  # raw cosine similarity
    score: float  # similarity plus topic/condition boosts, used for ranking


class PassageIndex:
    def __init__(
        self,
        passages: list[Passage],
        vectors: np.ndarray,
        encoder: Encoder,
        title_vectors: np.ndarray | None = None,
        question_vectors: np.ndarray | None = None,
        question_owner: np.ndarray | None = None,
        offtopic_vectors: np.ndarray | None = None,
    ):
        """``vectors``: the full view (``embedded_document``); ``title_vectors``: the title
        view (``embedded_title``), same row order; None when only the full view exists.
        ``question_vectors``: one row per hand-written question (``embedded_questions``) and
        ``question_owner`` the index of the passage each row belongs to.
        ``offtopic_vectors``: one row per off-topic reference question
        (``ldn_core.retrieval.offtopic``); none: the off-topic cosine is 0."""
        if len(passages) != vectors.shape[0]:
            raise ValueError("index and passages are out of step")
        if title_vectors is not None and title_vectors.shape != vectors.shape:
            raise ValueError("title view and full view are out of step")
        if question_vectors is None:
            question_vectors = np.zeros((0, vectors.shape[1]), dtype=vectors.dtype)
            question_owner = np.zeros(0, dtype=np.int64)
        if question_owner is None or len(question_owner) != question_vectors.shape[0]:
            raise ValueError("question view and its owners are out of step")
        if question_owner.size and (
            question_owner.min() < 0 or question_owner.max() >= len(passages)
        ):
            raise ValueError("question view names a passage the index does not have")
        self.passages = passages
        self.vectors = vectors
        self.title_vectors = title_vectors
        self.question_vectors = question_vectors
        self.question_owner = question_owner.astype(np.int64)
        if offtopic_vectors is None:
            offtopic_vectors = np.zeros((0, vectors.shape[1]), dtype=vectors.dtype)
        self.offtopic_vectors = offtopic_vectors
        self.has_questions = np.zeros(len(passages), dtype=bool)
        self.has_questions[self.question_owner] = True
        self.encoder = encoder

    @staticmethod
    def cache_key(store: KnowledgeStore, encoder: Encoder, salt: str = "") -> str:
        """``salt`` identifies anything else the embedded text depends on (the lexicon that
        ``prepare_question`` expands with)."""
        raw = f"{store.content_hash()}|{encoder.model_id}|{DOC_FORMAT}|{salt}"
        return hashlib.sha256(raw.encode()).hexdigest()[:20]

    @classmethod
    def build(
        cls,
        store: KnowledgeStore,
        encoder: Encoder,
        cache_dir: Path | None = None,
        prepare_question: Callable[[str], str] | None = None,
        salt: str = "",
        offtopic: Sequence[str] = (),
    ) -> PassageIndex:
        """The index from the cache when it holds this content, else embedded and saved.

        ``prepare_question`` and ``salt``: see ``embedded_questions`` and ``cache_key``;
        ``offtopic``: the off-topic reference questions, prepared like the passage questions
        (``salt`` must identify them)."""
        passages = list(store.passages)
        cache_file = None
        if cache_dir is not None:
            cache_file = cache_dir / f"passages-{cls.cache_key(store, encoder, salt)}.npz"
            cached = cls.load(cache_file, passages, encoder)
            if cached is not None:
                return cached
        index = cls.embed(passages, encoder, prepare_question, offtopic)
        if cache_file is not None:
            index.save(cache_file)
        return index

    @classmethod
    def load(cls, path: Path, passages: list[Passage], encoder: Encoder) -> PassageIndex | None:
        """The saved index, or None when there is none for exactly these passages."""
        if not path.exists():
            return None
        cached = np.load(path, allow_pickle=False)
        ids = [str(i) for i in cached["ids"]]
        views = ("title_vectors", "question_vectors", "question_owner", "offtopic_vectors")
        if ids != [p.id for p in passages] or not all(v in cached for v in views):
            return None
        log.info("embedding index loaded from cache (%d passages)", len(ids))
        return cls(
            passages,
            cached["vectors"],
            encoder,
            cached["title_vectors"],
            cached["question_vectors"],
            cached["question_owner"],
            cached["offtopic_vectors"],
        )

    @classmethod
    def embed(
        cls,
        passages: list[Passage],
        encoder: Encoder,
        prepare_question: Callable[[str], str] | None = None,
        offtopic: Sequence[str] = (),
    ) -> PassageIndex:
        """Every view of every passage, and the off-topic references, in one encoder call."""
        started = time.perf_counter()
        questions = [
            (i, q) for i, p in enumerate(passages) for q in embedded_questions(p, prepare_question)
        ]
        prepare = prepare_question or stripped_question
        n, m = len(passages), len(questions)
        every = encoder.encode(
            [embedded_document(p) for p in passages]
            + [embedded_title(p) for p in passages]
            + [q for _, q in questions]
            + [prepare(q) for q in offtopic]
        )
        vectors, title_vectors = every[:n], every[n : 2 * n]
        question_vectors, offtopic_vectors = every[2 * n : 2 * n + m], every[2 * n + m :]
        question_owner = np.array([i for i, _ in questions], dtype=np.int64)
        log.info(
            "embedded %d passages, %d questions and %d off-topic references in %.1f s",
            n,
            m,
            len(offtopic),
            time.perf_counter() - started,
        )
        return cls(
            passages,
            vectors,
            encoder,
            title_vectors,
            question_vectors,
            question_owner,
            offtopic_vectors,
        )

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(
            tmp,
            ids=np.array([p.id for p in self.passages]),
            vectors=self.vectors,
            title_vectors=self.title_vectors,
            question_vectors=self.question_vectors,
            question_owner=self.question_owner,
            offtopic_vectors=self.offtopic_vectors,
        )
        tmp.replace(path)  # atomic: a crash never leaves a half-written index

    def similarities(self, query: str) -> np.ndarray:
        """Cosine similarity of ``query`` with every passage, in ``self.passages`` order."""
        return self.view_similarities(query)[0]

    def view_similarities(self, query: str) -> tuple[np.ndarray, np.ndarray]:
        """(full-view cosine, title-view cosine) per passage from one query encoding; the
        title cosine is zeros when the index has no title view."""
        views = self.views(query)
        return views.full, views.title

    def views(self, query: str) -> ViewScores:
        """Every view's cosines from one query encoding."""
        query_vector = self.encoder.encode([query])[0]
        full = self.vectors @ query_vector
        title = (
            np.zeros_like(full) if self.title_vectors is None else self.title_vectors @ query_vector
        )
        offtopic = self.offtopic_vectors @ query_vector
        return ViewScores(
            full,
            title,
            self.question_scores(self.question_vectors @ query_vector, full),
            float(offtopic.max()) if offtopic.size else 0.0,
        )

    def question_scores(self, per_question: np.ndarray, full: np.ndarray) -> np.ndarray:
        """Per passage, the best cosine over its questions; a passage without questions gets
        its full-view cosine instead (neutral: the view then neither helps nor hurts it more
        than the full view already does)."""
        best = np.full(len(self.passages), -np.inf, dtype=np.float32)
        np.maximum.at(best, self.question_owner, per_question.astype(np.float32))
        return np.where(self.has_questions, best, full).astype(np.float32)

    def search(
        self,
        query: str,
        k: int,
        boosts: dict[str, float] | None = None,
        extra: np.ndarray | None = None,
    ) -> list[Hit]:
        """Top-k passages. ``boosts`` maps passage id -> additive score bonus; ``extra`` is an
        additive score per passage (e.g. the weighted lexical score)."""
        return self.rank(self.similarities(query), k, boosts, extra)

    def rank(
        self,
        similarities: np.ndarray,
        k: int,
        boosts: dict[str, float] | None = None,
        extra: np.ndarray | None = None,
    ) -> list[Hit]:
        scores = similarities.astype(np.float32, copy=True)
        if extra is not None:
            scores += extra
        if boosts:
            for i, passage in enumerate(self.passages):
                scores[i] += boosts.get(passage.id, 0.0)
        order = np.argsort(-scores)[:k]
        return [Hit(self.passages[i], float(similarities[i]), float(scores[i])) for i in order]
