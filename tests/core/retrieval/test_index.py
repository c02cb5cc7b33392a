from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from ldn_core.retrieval import PassageIndex
from ldn_core.retrieval.index import (
    DOC_FORMAT,
    embedded_document,
    embedded_questions,
    embedded_title,
    lexical_document,
    passage_document,
)

from .conftest import PASSAGES, HashingEncoder, make_store, passage


def test_embedded_document_has_title_conditions_and_no_generic_words():
    p = PASSAGES[1]
    assert passage_document(p).startswith("Fibromyalgia crossover trial (fibromyalgia). ")
    embedded = embedded_document(p)
    assert "LDN" not in embedded
    assert "crossover trial" in embedded and "placebo" in embedded


def test_build_writes_cache_and_reuses_it(tmp_path, encoder):
    store = make_store()
    first = PassageIndex.build(store, encoder, tmp_path)
    assert encoder.calls == 1
    assert len(list(tmp_path.glob("passages-*.npz"))) == 1
    second = PassageIndex.build(store, encoder, tmp_path)
    assert encoder.calls == 1  # loaded, not re-embedded
    np.testing.assert_array_equal(first.vectors, second.vectors)


def test_content_change_invalidates_cache(tmp_path, encoder):
    PassageIndex.build(make_store(content_hash="hash-1"), encoder, tmp_path)
    changed = [*PASSAGES[:-1], passage("opi-new", "opioids", "New opioid text", "Different.")]
    index = PassageIndex.build(make_store(changed, content_hash="hash-2"), encoder, tmp_path)
    assert encoder.calls == 2
    assert [p.id for p in index.passages][-1] == "opi-new"
    assert len(list(tmp_path.glob("passages-*.npz"))) == 2


def test_encoder_id_is_part_of_the_cache_key(encoder):
    other = HashingEncoder()
    other.model_id = "another-model"
    store = make_store()
    assert PassageIndex.cache_key(store, encoder) != PassageIndex.cache_key(store, other)


def test_rank_applies_boosts_and_extra_scores(encoder):
    index = PassageIndex.build(make_store(), encoder)
    sims = np.array([0.5, 0.4, 0.3, 0.2, 0.1], dtype=np.float32)
    assert index.rank(sims, 1)[0].passage.id == "dose-start"
    boosted = index.rank(sims, 1, boosts={"ms-evidence": 0.25})[0]
    assert boosted.passage.id == "ms-evidence"
    assert boosted.similarity == pytest.approx(0.3) and boosted.score == pytest.approx(0.55)
    extra = np.array([0, 0, 0, 0, 0.5], dtype=np.float32)
    assert index.rank(sims, 1, extra=extra)[0].passage.id == "opi-washout"


def test_mismatched_vectors_are_rejected(encoder):
    with pytest.raises(ValueError):
        PassageIndex(list(PASSAGES), np.zeros((2, 4), dtype=np.float32), encoder)


def test_title_view_and_title_weighted_lexical_document():
    p = PASSAGES[4]
    assert embedded_title(p) == "Opioid washout before"  # generic words stripped
    assert lexical_document(p).count("Opioid washout before LDN") == 3  # title x2 + document
    assert "v5" in DOC_FORMAT and "offtopic" in DOC_FORMAT


def test_index_keeps_a_title_view_and_caches_it(tmp_path, encoder):
    store = make_store()
    index = PassageIndex.build(store, encoder, tmp_path)
    assert index.title_vectors is not None
    assert index.title_vectors.shape == index.vectors.shape
    full, titles = index.view_similarities("vivid dreams insomnia")
    np.testing.assert_allclose(full, index.similarities("vivid dreams insomnia"))
    assert titles.argmax() == 3  # "Vivid dreams and insomnia"
    again = PassageIndex.build(store, encoder, tmp_path)
    assert encoder.calls == 3  # one build, two queries: the second build came from the cache
    np.testing.assert_array_equal(again.title_vectors, index.title_vectors)


def test_a_cache_without_title_view_is_rebuilt(tmp_path, encoder):
    store = make_store()
    key = PassageIndex.cache_key(store, encoder)
    np.savez(
        tmp_path / f"passages-{key}.npz",
        ids=np.array([p.id for p in PASSAGES]),
        vectors=np.zeros((len(PASSAGES), 4), dtype=np.float32),
    )
    index = PassageIndex.build(store, encoder, tmp_path)
    assert encoder.calls == 1 and index.title_vectors is not None


def test_index_without_title_view_gives_zero_title_scores(encoder):
    vectors = encoder.encode([embedded_document(p) for p in PASSAGES])
    index = PassageIndex(list(PASSAGES), vectors, encoder)
    _, titles = index.view_similarities("vivid dreams")
    assert not titles.any()
    with pytest.raises(ValueError):
        PassageIndex(list(PASSAGES), vectors, encoder, title_vectors=vectors[:2])


def with_questions(p, *questions):
    return dataclasses.replace(p, questions=tuple(questions))


QUESTIONED = [
    with_questions(PASSAGES[0], "when to take the first capsule", "how much to begin with"),
    *PASSAGES[1:4],
    with_questions(PASSAGES[4], "is tramadol ok with it"),
]


def test_question_view_scores_the_best_question_and_falls_back_to_the_full_view(encoder):
    index = PassageIndex.build(make_store(QUESTIONED), encoder)
    assert index.question_vectors.shape[0] == 3
    assert list(index.question_owner) == [0, 0, 4]
    views = index.views("how much to begin with")
    per_question = index.question_vectors @ encoder.encode(["how much to begin with"])[0]
    assert views.question[0] == pytest.approx(per_question[:2].max())
    assert views.question[0] == pytest.approx(1.0)  # the same words as its second question
    assert views.question[4] == pytest.approx(per_question[2])
    np.testing.assert_allclose(views.question[1:4], views.full[1:4])  # no questions: full view
    assert views.question.argmax() == 0


def test_questions_are_prepared_like_user_questions_and_cached(tmp_path, encoder):
    store = make_store(QUESTIONED)
    index = PassageIndex.build(store, encoder, tmp_path, prepare_question=str.upper, salt="a")
    again = PassageIndex.build(store, encoder, tmp_path, prepare_question=str.upper, salt="a")
    assert encoder.calls == 1  # the second build came from the cache
    np.testing.assert_array_equal(again.question_vectors, index.question_vectors)
    np.testing.assert_array_equal(again.question_owner, index.question_owner)
    assert embedded_questions(QUESTIONED[4], str.upper) == ["IS TRAMADOL OK WITH IT"]
    assert embedded_questions(QUESTIONED[4]) == ["is tramadol ok with it"]
    assert PassageIndex.cache_key(store, encoder, "a") != PassageIndex.cache_key(store, encoder)


def test_a_cache_without_question_view_is_rebuilt(tmp_path, encoder):
    store = make_store(QUESTIONED)
    key = PassageIndex.cache_key(store, encoder)
    vectors = np.zeros((len(QUESTIONED), 4), dtype=np.float32)
    np.savez(
        tmp_path / f"passages-{key}.npz",
        ids=np.array([p.id for p in QUESTIONED]),
        vectors=vectors,
        title_vectors=vectors,
    )
    index = PassageIndex.build(store, encoder, tmp_path)
    assert encoder.calls == 1 and index.question_vectors.shape[0] == 3


def test_question_owners_must_match_the_passages(encoder):
    vectors = encoder.encode([embedded_document(p) for p in PASSAGES])
    with pytest.raises(ValueError):
        PassageIndex(list(PASSAGES), vectors, encoder, vectors, vectors[:2], np.array([0]))
    with pytest.raises(ValueError):
        PassageIndex(list(PASSAGES), vectors, encoder, vectors, vectors[:1], np.array([9]))
