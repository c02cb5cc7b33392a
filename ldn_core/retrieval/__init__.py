"""Semantic search over the curated passages, with abstention."""

from ldn_core.retrieval.index import Hit, PassageIndex
from ldn_core.retrieval.query import QueryExpander
from ldn_core.retrieval.retriever import (
    Answerability,
    RetrievalConfig,
    RetrievalResult,
    Retriever,
)

__all__ = [
    "Answerability",
    "Hit",
    "PassageIndex",
    "QueryExpander",
    "RetrievalConfig",
    "RetrievalResult",
    "Retriever",
]
