"""A deterministic fake encoder and a tiny in-memory passage store for retrieval tests."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import numpy as np
import pytest

from ldn_core.knowledge import KnowledgeStore, Passage
from ldn_core.retrieval import PassageIndex, QueryExpander, RetrievalConfig, Retriever

DIM = 256


class HashingEncoder:
    """Bag of words hashed into DIM buckets, unit-normalised: same words, same vector."""

    model_id = "fake-hashing-bow/1"

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z0-9]+", text.lower()):
                bucket = int(hashlib.md5(word.encode()).hexdigest(), 16) % DIM
                out[row, bucket] += 1.0
            norm = np.linalg.norm(out[row])
            if norm:
                out[row] /= norm
        return out


def passage(pid: str, topic: str, title: str, text: str, conditions=("general",)) -> Passage:
    return Passage(
        id=pid,
        topic=topic,
        title=title,
        conditions=tuple(conditions),
        text=text,
        sources=("alpha2020",),
        evidence="low",
        conflicts_with=(),
        reviewed=dt.date(2026, 1, 1),
        file=f"passages/{topic}.yaml",
    )


PASSAGES = [
    passage(
        "dose-start",
        "dosing",
        "Starting dose at bedtime",
        "LDN is usually started at 1.5 mg at bedtime and titrated to 4.5 mg.",
    ),
    passage(
        "fm-trial",
        "fibromyalgia",
        "Fibromyalgia crossover trial",
        "A crossover trial of LDN in fibromyalgia women reduced pain versus placebo.",
        conditions=("fibromyalgia",),
    ),
    passage(
        "ms-evidence",
        "multiple_sclerosis",
        "Multiple sclerosis quality of life",
        "Small trials of LDN in multiple sclerosis measured quality of life.",
        conditions=("multiple_sclerosis",),
    ),
    passage(
        "ae-dreams",
        "adverse_effects",
        "Vivid dreams and insomnia",
        "Vivid dreams and sleep disturbance are the commonest LDN side effects.",
    ),
    passage(
        "opi-washout",
        "opioids",
        "Opioid washout before LDN",
        "Stop opioid analgesics such as tramadol 7 to 10 days before starting LDN.",
    ),
]


def make_store(passages=PASSAGES, content_hash: str = "hash-1") -> KnowledgeStore:
    return KnowledgeStore({}, list(passages), content_hash)


EXPANDER = QueryExpander(
    terms={"ldn": "low-dose naltrexone", "fibro": "fibromyalgia", "ultram": "tramadol opioid"},
    case_sensitive={"MS": "multiple sclerosis"},
)


@pytest.fixture
def encoder() -> HashingEncoder:
    return HashingEncoder()


@pytest.fixture
def make_retriever(encoder):
    def build(**config) -> Retriever:
        store = make_store()
        index = PassageIndex.build(store, encoder)
        return Retriever(store, index, EXPANDER, RetrievalConfig(**config))

    return build
