"""Block Kit rendering: the same Answer as the text and JSON renderers, in Slack's dialect."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from ldn_core.answer import Answer, AnswerKind, compose_knowledge_answer
from ldn_core.answer.clinical import compose_schedule, compose_screening
from ldn_core.answer.model import DISCLAIMER, Citation, Point
from ldn_core.knowledge import KnowledgeStore
from ldn_core.patient import OpioidExposure, PatientFacts
from ldn_core.render import notification_text, to_payload, to_slack_blocks
from ldn_core.render.slack import MAX_BLOCKS, MAX_SECTION_CHARS, escape, link
from ldn_core.rules import build_schedule, screen
from ldn_core.settings import REPO_ROOT

LINK = re.compile(r"<(https?://[^|>]+)\|([^>]*)>")


@pytest.fixture(scope="module")
def store() -> KnowledgeStore:
    return KnowledgeStore.load(REPO_ROOT / "knowledge")


def mrkdwn_texts(blocks: list[dict]) -> list[str]:
    texts = []
    for block in blocks:
        if block["type"] == "section":
            texts.append(block["text"]["text"])
        elif block["type"] == "context":
            texts += [e["text"] for e in block["elements"]]
    return texts


def assert_valid_block_kit(blocks: list[dict]) -> None:
    json.dumps(blocks)
    assert 0 < len(blocks) <= MAX_BLOCKS
    for block in blocks:
        assert block["type"] in {"section", "context", "divider", "actions"}
        if block["type"] == "section":
            assert block["text"]["type"] == "mrkdwn"
            assert 0 < len(block["text"]["text"]) <= MAX_SECTION_CHARS
        if block["type"] == "context":
            assert 1 <= len(block["elements"]) <= 10
        if block["type"] == "actions":
            assert 1 <= len(block["elements"]) <= 5
            for button in block["elements"]:
                assert len(button["text"]["text"]) <= 75
    for text in mrkdwn_texts(blocks):
        # Outside links, no raw < or > may remain; every & starts an entity.
        bare = LINK.sub("", text)
        assert "<" not in bare and ">" not in bare, text
        assert not re.search(r"&(?!amp;|lt;|gt;)", bare), text


def test_escape_handles_the_three_control_characters_once():
    assert escape("a < b & c > d") == "a &lt; b &amp; c &gt; d"
    assert escape("&lt;") == "&amp;lt;"  # literal text stays literal


def test_link_only_for_http_urls_and_escapes_url_and_label():
    assert link("https://doi.org/10.1/x", "A & B") == "<https://doi.org/10.1/x|A &amp; B>"
    assert link("https://x.org/?a=1&b=<2>|3", "t") == "<https://x.org/?a=1&amp;b=%3C2%3E%7C3|t>"
    assert link("javascript:alert(1)", "t") == "t"
    assert link(None, "<t>") == "&lt;t&gt;"


def test_knowledge_answer_has_points_linked_refs_evidence_references_disclaimer(store):
    passage = next(p for p in store.passages if any(store.source(s).doi for s in p.sources))
    answer = compose_knowledge_answer(store, [passage])
    blocks = to_slack_blocks(answer)
    assert_valid_block_kit(blocks)
    joined = "\n".join(mrkdwn_texts(blocks))
    assert escape(passage.text) in joined
    # Inline reference numbers link to the same URL as the reference list.
    first = answer.citations[0]
    assert f"<{first.source.best_url}|[1]>" in joined
    references = next(
        b["text"]["text"]
        for b in blocks
        if b["type"] == "section" and "References" in b["text"]["text"]
    )
    assert references.count("\n[") == len(answer.citations)
    assert f"|{escape(first.source.title.rstrip('.'))}>" in references
    assert any(
        u.startswith(("https://doi.org/", "https://pubmed.ncbi.nlm.nih.gov/"))
        for u, _ in LINK.findall(references)
    )
    assert "Evidence: " in joined and "Strength of evidence" in joined
    assert escape(DISCLAIMER) in joined
    assert {"divider", "context"} <= {b["type"] for b in blocks}


def test_every_payload_citation_url_appears_as_a_slack_link(store):
    passages = [p for p in store.passages if p.sources][:4]
    answer = compose_knowledge_answer(store, passages)
    urls = {u for text in mrkdwn_texts(to_slack_blocks(answer)) for u, _ in LINK.findall(text)}
    payload_urls = {
        c["url"].replace("&", "&amp;") for c in to_payload(answer)["citations"] if c["url"]
    }
    assert payload_urls <= urls


def test_hostile_text_is_escaped_everywhere(store):
    source = next(iter(store.sources.values()))
    answer = Answer(
        kind=AnswerKind.KNOWLEDGE,
        intro="<!channel> dose & <b>",
        points=(Point("Title *with* star", "x < y > z & <@U123>", "low", (1,), "p1"),),
        citations=(Citation(1, source),),
        evidence="low",
        evidence_note="Low <certainty>",
        conflict_note="A & B disagree",
    )
    blocks = to_slack_blocks(answer)
    assert_valid_block_kit(blocks)
    joined = "\n".join(mrkdwn_texts(blocks))
    assert "&lt;!channel&gt; dose &amp; &lt;b&gt;" in joined
    assert "x &lt; y &gt; z &amp; &lt;@U123&gt;" in joined
    assert "*Title ∗with∗ star*" in joined
    assert "A &amp; B disagree" in joined
    assert notification_text(answer) == "&lt;!channel&gt; dose &amp; &lt;b&gt;"


def test_schedule_is_a_fixed_width_table_with_every_row(store):
    answer = compose_schedule(store, build_schedule(dt.date(2026, 12, 21)))
    blocks = to_slack_blocks(answer)
    assert_valid_block_kit(blocks)
    table = next(t for t in mrkdwn_texts(blocks) if t.startswith("```"))
    lines = table.strip("`\n").splitlines()
    assert lines[0].split()[:3] == ["Step", "From", "Until"]
    rows = to_payload(answer)["schedule"]["rows"]
    assert len(lines) == 1 + len(rows)
    assert re.search(r"^1\s+2026-12-21\s+2027-01-03\s+1.5 mg\s+1.5 mL$", lines[1])
    assert re.search(r"continue\s+4.5 mg\s+4.5 mL$", lines[-1])


def test_screening_verdict_leads_with_an_icon(store):
    facts = PatientFacts(
        indication="crps",
        opioids=[
            OpioidExposure(
                "oxycodone", current=False, last_dose=dt.date(2026, 2, 26), long_acting=False
            )
        ],
        last_opioid_dose=dt.date(2026, 2, 26),
        liver_status="normal",
    )
    answer = compose_screening(store, screen(facts, dt.date(2026, 3, 1)))
    blocks = to_slack_blocks(answer)
    assert_valid_block_kit(blocks)
    first = blocks[0]["text"]["text"]
    assert first.startswith(":large_yellow_circle: Verdict: wait.")
    assert "Thu 5 Mar 2026" in first


def test_buttons_become_an_actions_block_with_payload_values():
    answer = Answer(
        kind=AnswerKind.MESSAGE,
        intro="Which topic?",
        buttons=tuple((f"Topic {i}", f"question {i}") for i in range(7)),
    )
    blocks = to_slack_blocks(answer)
    assert_valid_block_kit(blocks)
    actions = [b for b in blocks if b["type"] == "actions"]
    assert len(actions) == 1 and len(actions[0]["elements"]) == 5
    assert actions[0]["elements"][0]["value"] == "question 0"
    # Non-clinical messages carry no disclaimer or evidence.
    assert not any("Evidence" in t or escape(DISCLAIMER) in t for t in mrkdwn_texts(blocks))


def test_many_points_stay_within_the_block_limit(store):
    passages = [p for p in store.passages if p.sources][:40]
    answer = compose_knowledge_answer(store, passages)
    blocks = to_slack_blocks(answer)
    assert_valid_block_kit(blocks)
    joined = "\n".join(mrkdwn_texts(blocks))
    assert escape(DISCLAIMER) in joined and "References" in joined


def test_payload_blocks_are_json_and_match_the_renderer(store):
    passage = next(p for p in store.passages if p.sources)
    answer = compose_knowledge_answer(store, [passage])
    assert json.loads(json.dumps(to_slack_blocks(answer))) == to_slack_blocks(answer)
