"""Feedback submissions are validated, and joined with the stored answer they are about."""

from __future__ import annotations

import json

import pytest

from ldn_core.feedback.events import declined_questions, find_answer
from ldn_core.feedback.model import FeedbackError, FeedbackRecord, parse_submission


def submission(**changes):
    data = {"sender": "s1", "answer_id": "a1", "rating": "not_helpful", "reason": "outdated"}
    data.update(changes)
    return data


def test_a_valid_submission() -> None:
    s = parse_submission(submission(comment="  the \x07dose changed\n "), "webchat")
    assert (s.sender_id, s.answer_id, s.rating, s.reason, s.channel) == (
        "s1",
        "a1",
        "not_helpful",
        "outdated",
        "webchat",
    )
    assert s.comment == "the dose changed"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"rating": "meh"}, "rating"),
        ({"reason": "boring"}, "reason"),
        ({"rating": "helpful", "reason": "wrong"}, "only given with 'not_helpful'"),
        ({"sender": ""}, "sender"),
        ({"answer_id": 5}, "answer_id"),
        ({"comment": "x" * 1001}, "longer than 1000"),
    ],
)
def test_invalid_submissions(changes, message) -> None:
    with pytest.raises(FeedbackError, match=message):
        parse_submission(submission(**changes), "rest")


def test_helpful_needs_no_reason_and_not_helpful_may_omit_it() -> None:
    assert parse_submission(submission(rating="helpful", reason=None), "rest").reason is None
    assert parse_submission(submission(reason=""), "slack").reason is None
    with pytest.raises(FeedbackError):
        parse_submission([], "rest")
    with pytest.raises(FeedbackError):
        parse_submission(submission(), "fax")


def bot(answer_id: str, kind: str = "knowledge", points=()) -> str:
    custom = {
        "ldn_answer": 1,
        "kind": kind,
        "answer_id": answer_id,
        "points": [{"id": p, "reviewed": "2026-11-27"} for p in points],
        "knowledge_version": "abc123",
        "reviewed": "2026-11-27" if points else None,
        "topic": "dosing",
    }
    return json.dumps({"event": "bot", "text": "...", "data": {"custom": custom}})


def user(text: str) -> str:
    return json.dumps({"event": "user", "text": text})


ROWS = [
    ("s1", "user", 100.0, user("what is the max dose of LDN?")),
    ("s1", "bot", 101.0, bot("a1", points=("dose-max-4-5", "fm-final-trial", "opioid_current"))),
    ("s1", "user", 200.0, user("best pizza in town?")),
    ("s1", "bot", 201.0, bot("a2", kind="out_of_scope")),
    ("s2", "user", 300.0, user("LDN for tinnitus?")),
    ("s2", "bot", 301.0, bot("a3", kind="no_answer")),
    ("s2", "bot", 302.0, json.dumps({"event": "bot", "text": "hi", "data": {}})),
]


def test_the_answer_is_found_with_its_question_and_ids() -> None:
    facts = find_answer(ROWS, "a1")
    assert facts.question == "what is the max dose of LDN?"
    assert facts.passage_ids == ("dose-max-4-5", "fm-final-trial")
    assert facts.rule_ids == ("opioid_current",)
    assert (facts.kind, facts.knowledge_version, facts.reviewed) == (
        "knowledge",
        "abc123",
        "2026-11-27",
    )
    assert find_answer(ROWS, "nope") is None


def test_declined_questions_are_the_out_of_scope_and_no_answer_replies() -> None:
    found = [(d.sender_id, d.kind, d.question) for d in declined_questions(ROWS)]
    assert found == [
        ("s1", "out_of_scope", "best pizza in town?"),
        ("s2", "no_answer", "LDN for tinnitus?"),
    ]


def test_record_row_has_every_column() -> None:
    record = FeedbackRecord(parse_submission(submission(), "rest"), find_answer(ROWS, "a1"), 5.0)
    row = record.row()
    assert row["passage_ids"] == "dose-max-4-5,fm-final-trial"
    assert row["rule_ids"] == "opioid_current"
    assert row["question"] == "what is the max dose of LDN?"
    assert (row["rating"], row["reason"], row["channel"]) == ("not_helpful", "outdated", "rest")


def test_a_short_answer_counts_as_its_passage() -> None:
    rows = [
        ("s3", "user", 10.0, user("is LDN dosed by weight?")),
        (
            "s3",
            "bot",
            11.0,
            bot("a9", points=("dose-fraction#short", "dose-fraction", "ntx-tiers")),
        ),
    ]
    facts = find_answer(rows, "a9")
    assert facts.passage_ids == ("dose-fraction", "ntx-tiers")
