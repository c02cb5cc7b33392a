"""Short direct answers: loaded strictly, chosen by cue, cited through their passage."""

from __future__ import annotations

import pytest

from ldn_core.knowledge import KnowledgeStore
from ldn_core.knowledge.short_answers import (
    ShortAnswerError,
    load_short_answers,
    short_answer_for,
)
from ldn_core.settings import REPO_ROOT


@pytest.fixture(scope="module")
def store() -> KnowledgeStore:
    return KnowledgeStore.load(REPO_ROOT / "knowledge")


@pytest.fixture(scope="module")
def answers(store):
    return load_short_answers(REPO_ROOT / "knowledge", {p.id for p in store.passages})


def test_the_store_short_answers_load_and_name_real_passages(answers, store):
    ids = {p.id for p in store.passages}
    assert answers and set(answers) <= ids
    assert all(a.text for group in answers.values() for a in group)


def test_a_cue_picks_the_answer_that_fits_the_question(answers, store):
    fraction = store.passage("dose-fraction-of-standard-dose")
    by_weight = short_answer_for("is LDN dosed by weight?", [fraction], answers)
    assert by_weight and "body weight" in by_weight[0].text
    assert short_answer_for("what is LDN?", [fraction], answers) is None
    schedule = store.passage("dose-practice-titration-schedule")
    how_to_start = short_answer_for("how do I start it?", [schedule], answers)
    assert how_to_start and "1.5 mg" in how_to_start[0].text


def test_cued_only_skips_general_answers(answers, store):
    tiers = store.passage("ntx-dose-tiers")
    question = "is LDN the same as contrave?"
    assert short_answer_for(question, [tiers], answers)
    assert short_answer_for(question, [tiers], answers, cued_only=True) is None


def test_whether_dreams_settle_gets_its_own_answer(answers, store):
    passage = store.passage("ae-vivid-dreams")
    settle = short_answer_for("do the vivid dreams go away?", [passage], answers)
    general = short_answer_for("does LDN cause vivid dreams?", [passage], answers)
    assert settle and "time course" in settle[0].text
    assert general and "placebo" in general[0].text


def test_a_passage_without_short_answers_gives_none(answers, store):
    passage = store.passage("mech-tlr4-glial-hypothesis")
    assert short_answer_for("how does it work?", [passage], answers) is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("answers: {}", "top-level 'answers:' list"),
        ("answers:\n  - passage: nope\n    answer: x", "unknown passage 'nope'"),
        ("answers:\n  - passage: p-one\n    answer: ''", "must be non-empty"),
        ("answers:\n  - passage: p-one\n    answer: x\n    cue: '('", "bad cue"),
        ("answers:\n  - passage: p-one\n    answer: x\n    colour: red", "keys are"),
        ("answers:\n  - passage: p-one\n    answer: " + "x" * 300, "longer than"),
    ],
)
def test_bad_files_are_refused_with_the_entry_named(tmp_path, content, message):
    (tmp_path / "answers.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(ShortAnswerError, match=message):
        load_short_answers(tmp_path, {"p-one"})


def test_no_file_means_no_short_answers(tmp_path):
    assert load_short_answers(tmp_path, {"p-one"}) == {}
