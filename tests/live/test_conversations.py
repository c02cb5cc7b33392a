"""Live conversation suite: YAML conversations replayed over REST against the running stack.

Each file in tests/live/conversations/ holds a list of conversations:

    - name: starting dose then MS follow-up
      turns:
        - user: what is the starting dose of LDN?
          kind: knowledge            # payload kind, or a list of accepted kinds; "text" means
                                     # a plain response without a structured payload
          text_contains: ["1.5 mg"]  # case-insensitive; a string or a list
          text_not_contains: [...]
          min_citations: 1
          max_citations: 0           # e.g. out of scope: nothing cited
          cites: [label_ntx_oral]    # source ids that must all be cited
          verdict: wait_until        # screening verdict (or a list of accepted verdicts)
          has_buttons: true
          no_uncited_dose: true      # a dose in mg may appear only in an answer with citations

One pytest test per conversation, each with a fresh sender; a failure names the turn, the
expectation and the reply.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

pytestmark = pytest.mark.live

HERE = Path(__file__).resolve().parent / "conversations"
KNOWN_KEYS = {
    "user",
    "kind",
    "text_contains",
    "text_not_contains",
    "min_citations",
    "max_citations",
    "cites",
    "verdict",
    "has_buttons",
    "no_uncited_dose",
}
DOSE_MG = re.compile(r"\b\d+(?:\.\d+)?\s?mg\b", re.IGNORECASE)
# The fixed scope statement names "50 mg naltrexone" as a topic; that is not a dose given.
SCOPE_MENTION = re.compile(r"\b50 mg\s+naltrexone\b", re.IGNORECASE)


def load_conversations() -> list[tuple[str, list[dict[str, Any]]]]:
    conversations = []
    seen: set[str] = set()
    for path in sorted(HERE.glob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            name = f"{path.stem}: {item['name']}"
            assert name not in seen, f"duplicate conversation name {name}"
            seen.add(name)
            for turn in item["turns"]:
                unknown = set(turn) - KNOWN_KEYS
                assert not unknown, f"{name}: unknown keys {unknown}"
                assert isinstance(turn.get("user"), str), f"{name}: every turn needs `user`"
            conversations.append((name, item["turns"], item.get("known_issue")))
    return conversations


CONVERSATIONS = load_conversations()


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def check_turn(turn: dict[str, Any], replies: list[dict]) -> list[str]:
    """The expectations this reply breaks (empty when it meets them all)."""
    text = "\n".join(r["text"] for r in replies if r.get("text"))
    payloads = [r["custom"] for r in replies if isinstance(r.get("custom"), dict)]
    payload = payloads[-1] if payloads else {}
    citations = payload.get("citations") or []
    cited = {c.get("source_id") for c in citations}
    buttons = [b for r in replies for b in (r.get("buttons") or [])]
    lowered = text.lower()
    problems = []
    if not text.strip():
        problems.append("empty reply")
    if "kind" in turn:
        kind = payload.get("kind", "text") if payload else "text"
        if kind not in as_list(turn["kind"]):
            problems.append(f"kind {kind!r}, expected {turn['kind']!r}")
    for needle in as_list(turn.get("text_contains", [])):
        if str(needle).lower() not in lowered:
            problems.append(f"text lacks {needle!r}")
    for needle in as_list(turn.get("text_not_contains", [])):
        if str(needle).lower() in lowered:
            problems.append(f"text contains {needle!r}")
    if len(citations) < turn.get("min_citations", 0):
        problems.append(f"{len(citations)} citations, expected >= {turn['min_citations']}")
    if "max_citations" in turn and len(citations) > turn["max_citations"]:
        problems.append(f"{len(citations)} citations, expected <= {turn['max_citations']}")
    missing = set(as_list(turn.get("cites", []))) - cited
    if missing:
        problems.append(f"does not cite {sorted(missing)} (cites {sorted(cited)})")
    if "verdict" in turn:
        verdict = (payload.get("screening") or {}).get("verdict")
        if verdict not in as_list(turn["verdict"]):
            problems.append(f"verdict {verdict!r}, expected {turn['verdict']!r}")
    if "has_buttons" in turn and bool(buttons) != bool(turn["has_buttons"]):
        titles = [b.get("title") for b in buttons]
        problems.append(f"buttons {titles}, expected {turn['has_buttons']}")
    dose_given = DOSE_MG.search(SCOPE_MENTION.sub("", text))
    if turn.get("no_uncited_dose") and dose_given and not citations:
        problems.append("a dose in mg without any citation")
    return problems


def conversation_params() -> list:
    """A conversation with `known_issue: <reason>` documents a defect not yet fixed: it runs,
    and is reported as xfail with that reason (or XPASS once fixed, so the mark can go)."""
    return [
        pytest.param(
            turns,
            id=name,
            marks=[pytest.mark.xfail(reason=f"known issue: {issue}", strict=False)]
            if issue
            else [],
        )
        for name, turns, issue in CONVERSATIONS
    ]


@pytest.mark.parametrize("turns", conversation_params())
def test_conversation(stack, turns: list[dict[str, Any]]):
    url = f"{stack.rasa_url}/webhooks/rest/webhook"
    sender = f"conv-{uuid.uuid4().hex[:12]}"
    for number, turn in enumerate(turns, start=1):
        response = requests.post(url, json={"sender": sender, "message": turn["user"]}, timeout=60)
        assert response.status_code == 200, f"turn {number} {turn['user']!r}: {response.text}"
        replies = response.json()
        problems = check_turn(turn, replies)
        if problems:
            payload = next((r["custom"] for r in replies if isinstance(r.get("custom"), dict)), {})
            reply_text = "\n".join(r.get("text") or "" for r in replies)
            pytest.fail(
                f"turn {number} {turn['user']!r}: {'; '.join(problems)}\n"
                f"payload kind={payload.get('kind')!r} topic={payload.get('topic')!r} "
                f"cites={[c.get('source_id') for c in payload.get('citations') or []]}\n"
                f"reply:\n{reply_text[:1500]}",
                pytrace=False,
            )


def test_suite_has_at_least_80_conversations_and_multi_turn_ones():
    assert len(CONVERSATIONS) >= 80
    assert sum(1 for _, turns, _ in CONVERSATIONS if len(turns) >= 3) >= 10
