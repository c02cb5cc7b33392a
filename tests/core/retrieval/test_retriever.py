from __future__ import annotations

import pytest

from ldn_core.retrieval import RetrievalConfig


def test_pure_text_question_finds_its_passage(make_retriever):
    result = make_retriever().retrieve("fibro crossover trial placebo")
    assert not result.abstained
    assert result.hits[0].passage.id == "fm-trial"
    assert result.candidates[0].passage.id == "fm-trial"
    assert len(result.candidates) == 5


def test_abbreviation_expansion_reaches_the_passage(make_retriever):
    result = make_retriever().retrieve("LDN in MS quality of life")
    assert result.hits[0].passage.id == "ms-evidence"
    assert "multiple sclerosis" in result.expanded_query


def test_low_similarity_abstains_but_keeps_the_ranking(make_retriever):
    # answerable = -0.5 + best cosine: abstain when the best cosine is under 0.5
    retriever = make_retriever(answerable_bias=-0.5, answerable_score=1.0)
    result = retriever.retrieve("banana bread recipe")
    assert result.abstained
    assert len(result.hits) == 1 and len(result.candidates) == 5
    assert result.top_similarity < 0.5


def test_low_coverage_abstains_even_with_similarity(make_retriever):
    retriever = make_retriever(answerable_bias=-0.5, answerable_coverage=1.0)
    assert retriever.retrieve("LDN for tinnitus").abstained
    assert not retriever.retrieve("LDN vivid dreams").abstained


def test_empty_question_abstains(make_retriever):
    result = make_retriever().retrieve("   ")
    assert result.abstained and result.hits == []


def test_topic_and_condition_boosts_reorder(make_retriever):
    retriever = make_retriever(topic_boost=0.5, condition_boost=0.0)
    question = "trial quality"
    plain = retriever.retrieve(question).hits[0].passage.id
    boosted = retriever.retrieve(question, topics={"adverse_effects"}).hits[0]
    assert boosted.passage.id == "ae-dreams" != plain
    assert boosted.score == pytest.approx(boosted.similarity + 0.5)
    cond = make_retriever(topic_boost=0.0, condition_boost=0.5)
    assert cond.retrieve(question, conditions={"multiple_sclerosis"}).hits[0].passage.id == (
        "ms-evidence"
    )


def test_lexical_weight_adds_bm25(make_retriever):
    retriever = make_retriever(lexical_weight=0.3)
    signals = retriever.signals("tramadol washout")
    assert signals.lexical.max() == pytest.approx(1.0)
    result = retriever.decide(signals)
    top = result.hits[0]
    assert top.passage.id == "opi-washout"
    assert top.score == pytest.approx(top.similarity + 0.3)


def test_keep_within_and_top_k_cut_hits(make_retriever):
    retriever = make_retriever(keep_within=0.0, top_k=3)
    assert len(retriever.retrieve("vivid dreams side effects").hits) == 1
    wide = make_retriever(keep_within=10.0, top_k=2)
    assert len(wide.retrieve("vivid dreams side effects").hits) == 2


def test_config_loads_and_rejects_unknown_keys(tmp_path):
    path = tmp_path / "retrieval.yaml"
    path.write_text("keep_within: 0.2\ntop_k: 2\n")
    cfg = RetrievalConfig.load(path)
    assert (cfg.keep_within, cfg.top_k) == (0.2, 2)
    # a misspelt or retired setting (the old hard floors) is refused, not ignored
    for line in ("keep_withn: 0.2\n", "abstain_below: 0.4\n", "answerable_match: 0\n"):
        path.write_text(line)
        with pytest.raises(ValueError, match=line.split(":")[0]):
            RetrievalConfig.load(path)


def test_title_weight_adds_the_title_view(make_retriever):
    retriever = make_retriever(title_weight=0.5)
    signals = retriever.signals("vivid dreams insomnia")
    top = retriever.decide(signals).hits[0]
    assert top.passage.id == "ae-dreams"
    title = float(signals.title_similarities[3])
    assert title > 0.5
    assert top.score == pytest.approx(top.similarity + 0.5 * title)


def test_misspelt_words_are_corrected_before_expansion(make_retriever):
    retriever = make_retriever()
    signals = retriever.signals("fibromyalga crosover trial")
    assert "fibromyalgia crossover" in signals.content
    assert retriever.decide(signals).hits[0].passage.id == "fm-trial"


def test_answerability_model_abstains_below_zero(make_retriever):
    # answerable = -1 + 1 x score + 1 x coverage: an on-topic question clears 0, banana bread
    # (coverage 0, low score) does not
    retriever = make_retriever(answerable_bias=-1.0, answerable_score=1.0, answerable_coverage=1.0)
    on_topic = retriever.answerability(retriever.signals("LDN vivid dreams"))
    assert on_topic.logit == pytest.approx(-1.0 + on_topic.score + on_topic.coverage)
    assert not on_topic.abstain and not retriever.retrieve("LDN vivid dreams").abstained
    off = retriever.answerability(retriever.signals("banana bread recipe"))
    assert off.coverage == 0.0 and off.abstain
    assert retriever.retrieve("banana bread recipe").abstained


def test_naming_ldn_or_a_topic_hint_raises_answerability(make_retriever):
    retriever = make_retriever(answerable_bias=-0.5, answerable_names=1.0)
    named = retriever.signals("LDN vivid dreams")
    unnamed = retriever.signals("vivid dreams")
    assert named.names_ldn and not unnamed.names_ldn
    assert retriever.signals("is naltrexon safe").names_ldn  # word forms count
    assert not retriever.answerability(named).abstain
    assert retriever.answerability(unnamed).abstain
    hinted = retriever.answerability(unnamed, topics={"adverse_effects"})
    assert hinted.names_ldn and not hinted.abstain
    assert not retriever.retrieve("vivid dreams", topics={"adverse_effects"}).abstained


def test_model_off_by_default_never_abstains(make_retriever):
    retriever = make_retriever()
    a = retriever.answerability(retriever.signals("banana bread recipe"))
    assert a.logit == 0.0 and not a.abstain
    assert not retriever.retrieve("banana bread recipe").abstained


def test_config_loads_model_coefficients(tmp_path):
    path = tmp_path / "retrieval.yaml"
    path.write_text("title_weight: 0.2\nanswerable_bias: -6.9\nanswerable_names: 1.7\n")
    cfg = RetrievalConfig.load(path)
    assert (cfg.title_weight, cfg.answerable_bias, cfg.answerable_names) == (0.2, -6.9, 1.7)
    assert cfg.abstention_weights()["names"] == 1.7 and cfg.abstention_weights()["score"] == 0.0


def test_referring_to_the_drug_as_it_raises_answerability(make_retriever):
    retriever = make_retriever(answerable_bias=-0.5, answerable_refers=1.0)
    implicit = retriever.signals("does it cause vivid dreams")
    named_other = retriever.signals("vivid dreams with metformin")
    assert implicit.refers and not named_other.refers
    assert retriever.signals("can she take this drug at night").refers
    assert not retriever.signals("item itself").refers  # whole words only
    assert not retriever.answerability(implicit).abstain
    assert retriever.answerability(named_other).abstain


def test_title_and_specific_coverage_enter_the_model(make_retriever):
    retriever = make_retriever(answerable_bias=-1.5, answerable_title=1.0, answerable_specific=1.0)
    signals = retriever.signals("vivid dreams")
    a = retriever.answerability(signals)
    assert a.title == pytest.approx(float(signals.title_similarities.max()))
    assert a.specific == pytest.approx(signals.specific_coverage)
    assert a.logit == pytest.approx(-1.5 + a.title + a.specific)
    off = retriever.answerability(retriever.signals("tinnitus eczema"))
    assert off.specific == 0.0 and off.abstain


def test_config_loads_the_new_abstention_weights(tmp_path):
    path = tmp_path / "retrieval.yaml"
    path.write_text("answerable_title: 2.5\nanswerable_refers: 1.6\nanswerable_specific: 2.4\n")
    cfg = RetrievalConfig.load(path)
    assert (cfg.answerable_title, cfg.answerable_refers, cfg.answerable_specific) == (
        2.5,
        1.6,
        2.4,
    )


def test_question_weight_adds_the_question_view_but_abstention_reads_it_apart(encoder):
    import dataclasses

    from ldn_core.retrieval import PassageIndex, Retriever

    from .conftest import EXPANDER, PASSAGES, make_store

    questioned = [
        dataclasses.replace(p, questions=("is tramadol ok with it",))
        if p.id == "opi-washout"
        else p
        for p in PASSAGES
    ]
    store = make_store(questioned)
    index = PassageIndex.build(store, encoder, prepare_question=EXPANDER.content)
    cfg = RetrievalConfig(question_weight=0.5)
    retriever = Retriever(store, index, EXPANDER, cfg)
    signals = retriever.signals("is ultram ok with it")  # "ultram" expands to tramadol
    top = retriever.decide(signals).hits[0]
    assert top.passage.id == "opi-washout"
    question = float(signals.question_similarities[4])
    assert question == pytest.approx(float(signals.question_similarities.max()))
    assert top.score == pytest.approx(top.similarity + 0.5 * question)
    # abstention: the score feature leaves the question view out, which has its own weight
    model = dataclasses.replace(cfg, answerable_bias=-1.0, answerable_question=2.0)
    a = retriever.answerability(signals, model)
    assert a.question == pytest.approx(question)
    assert a.score == pytest.approx(float(signals.similarities.max()))
    assert a.logit == pytest.approx(-1.0 + 2.0 * question)
    without = dataclasses.replace(model, question_weight=0.0)
    assert retriever.answerability(signals, without).score == pytest.approx(a.score)
