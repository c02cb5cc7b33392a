from __future__ import annotations

import pytest

from ldn_core.retrieval import RetrievalConfig


def test_pure_text_question_finds_its_passage(make_retriever):
    result = make_retriever(abstain_below=0.1).retrieve("fibro crossover trial placebo")
    assert not result.abstained
    assert result.hits[0].passage.id == "fm-trial"
    assert result.candidates[0].passage.id == "fm-trial"
    assert len(result.candidates) == 5


def test_abbreviation_expansion_reaches_the_passage(make_retriever):
    result = make_retriever(abstain_below=0.1).retrieve("LDN in MS quality of life")
    assert result.hits[0].passage.id == "ms-evidence"
    assert "multiple sclerosis" in result.expanded_query


def test_low_similarity_abstains_but_keeps_the_ranking(make_retriever):
    result = make_retriever(abstain_below=0.5).retrieve("banana bread recipe")
    assert result.abstained
    assert len(result.hits) == 1 and len(result.candidates) == 5
    assert result.top_similarity < 0.5


def test_low_coverage_abstains_even_with_similarity(make_retriever):
    retriever = make_retriever(abstain_below=0.0, min_coverage=0.5)
    assert retriever.retrieve("LDN for tinnitus").abstained
    assert not retriever.retrieve("LDN vivid dreams").abstained


def test_empty_question_abstains(make_retriever):
    result = make_retriever().retrieve("   ")
    assert result.abstained and result.hits == []


def test_topic_and_condition_boosts_reorder(make_retriever):
    retriever = make_retriever(abstain_below=0.0, topic_boost=0.5, condition_boost=0.0)
    question = "trial quality"
    plain = retriever.retrieve(question).hits[0].passage.id
    boosted = retriever.retrieve(question, topics={"adverse_effects"}).hits[0]
    assert boosted.passage.id == "ae-dreams" != plain
    assert boosted.score == pytest.approx(boosted.similarity + 0.5)
    cond = make_retriever(abstain_below=0.0, topic_boost=0.0, condition_boost=0.5)
    assert cond.retrieve(question, conditions={"multiple_sclerosis"}).hits[0].passage.id == (
        "ms-evidence"
    )


def test_lexical_weight_adds_bm25(make_retriever):
    retriever = make_retriever(abstain_below=0.0, lexical_weight=0.3)
    signals = retriever.signals("tramadol washout")
    assert signals.lexical.max() == pytest.approx(1.0)
    result = retriever.decide(signals)
    top = result.hits[0]
    assert top.passage.id == "opi-washout"
    assert top.score == pytest.approx(top.similarity + 0.3)


def test_keep_within_and_top_k_cut_hits(make_retriever):
    retriever = make_retriever(abstain_below=0.0, keep_within=0.0, top_k=3)
    assert len(retriever.retrieve("vivid dreams side effects").hits) == 1
    wide = make_retriever(abstain_below=0.0, keep_within=10.0, top_k=2)
    assert len(wide.retrieve("vivid dreams side effects").hits) == 2


def test_config_loads_and_rejects_unknown_keys(tmp_path):
    path = tmp_path / "retrieval.yaml"
    path.write_text("abstain_below: 0.4\nmin_coverage: 0.3\ntop_k: 2\n")
    cfg = RetrievalConfig.load(path)
    assert (cfg.abstain_below, cfg.min_coverage, cfg.top_k) == (0.4, 0.3, 2)
    path.write_text("abstain_belo: 0.4\n")
    with pytest.raises(ValueError, match="abstain_belo"):
        RetrievalConfig.load(path)
