"""Clinician feedback end to end on the running stack: REST, the web chat in Chromium, signed
Slack interactions; rows in the tracker database's feedback table; the curator report page.

Saves results/screenshots/curator-report.png.
"""

from __future__ import annotations

import json
import sqlite3
import time
import urllib.parse
import uuid
from pathlib import Path

import pytest
import requests

from tests.live.browser import ask, chromium_page, wait_connected
from tests.live.conftest import Chat
from tests.live.test_slack import CHANNEL, CLINICIAN, SlackClient, event_body, new_ts, sign

pytestmark = pytest.mark.live

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "results" / "screenshots"


def feedback_url(stack) -> str:
    return f"{stack.rasa_url}/webhooks/feedback/"


def rows(stack, answer_id: str, timeout: float = 10.0) -> list[dict]:
    """Rows of the feedback table for one answer (waits: Slack's are stored in the background)."""
    deadline = time.monotonic() + timeout
    while True:
        with sqlite3.connect(stack.env["LDN_TRACKER_DB"]) as db:
            db.row_factory = sqlite3.Row
            try:
                found = [
                    dict(r)
                    for r in db.execute(
                        "SELECT * FROM ldn_feedback WHERE answer_id = ?", (answer_id,)
                    )
                ]
            except sqlite3.OperationalError:  # table not created yet
                found = []
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def test_rest_feedback_is_stored_with_the_answers_ids_and_question(stack):
    chat = Chat(stack.rasa_url)
    _, payload = chat.ask("what is the starting dose of LDN?")
    assert payload["kind"] == "knowledge" and payload["answer_id"] and payload["reviewed"]
    point_ids = [p["id"] for p in payload["points"]]
    body = {
        "sender": chat.sender,
        "answer_id": payload["answer_id"],
        "rating": "not_helpful",
        "reason": "missing_source",
        "comment": "which trial gave 1.5 mg?",
    }
    response = requests.post(feedback_url(stack), json=body, timeout=30)
    assert response.status_code == 201, response.text
    (row,) = rows(stack, payload["answer_id"])
    assert row["id"] == response.json()["id"]
    assert (row["channel"], row["rating"], row["reason"]) == (
        "rest",
        "not_helpful",
        "missing_source",
    )
    assert row["question"] == "what is the starting dose of LDN?"
    # a short answer ("<passage>#short") counts as its passage
    passages = list(dict.fromkeys(i.split("#", 1)[0] for i in point_ids if "-" in i))
    assert row["passage_ids"].split(",") == passages
    assert row["knowledge_version"] == payload["knowledge_version"]
    assert row["reviewed"] == payload["reviewed"]


def test_feedback_on_an_unknown_answer_or_with_a_bad_reason_is_refused(stack):
    chat = Chat(stack.rasa_url)
    _, payload = chat.ask("what is the maximum dose of LDN?")
    base = {"sender": chat.sender, "answer_id": payload["answer_id"], "rating": "not_helpful"}
    bad_reason = requests.post(feedback_url(stack), json={**base, "reason": "boring"}, timeout=30)
    assert bad_reason.status_code == 400 and "reason" in bad_reason.json()["error"]
    other = {**base, "sender": f"someone-else-{uuid.uuid4().hex[:6]}"}
    assert requests.post(feedback_url(stack), json=other, timeout=30).status_code == 404
    assert requests.post(feedback_url(stack), data=b"{nope", timeout=30).status_code == 400
    assert rows(stack, payload["answer_id"], timeout=0) == []


def test_slack_feedback_menu_is_signed_and_stored(stack, fake_slack):
    slack = SlackClient(stack.rasa_url, fake_slack)
    ts = new_ts()
    assert slack.deliver(event_body("what is the starting dose of LDN?", ts)).status_code == 200
    (post,) = slack.wait_thread(ts)
    actions = [b for b in post["blocks"] if b["type"] == "actions"]
    assert actions, "feedback controls under the answer"
    controls = actions[-1]
    answer_id = controls["block_id"].split(":", 1)[1]
    menu = next(e for e in controls["elements"] if e["type"] == "static_select")
    assert [o["value"] for o in menu["options"]] == [
        "wrong",
        "outdated",
        "missing_source",
        "unsafe",
        "did_not_answer",
    ]
    assert any(
        "last reviewed" in e["text"]
        for b in post["blocks"]
        if b["type"] == "context"
        for e in b["elements"]
    )
    interaction = {
        "type": "block_actions",
        "user": {"id": CLINICIAN},
        "channel": {"id": CHANNEL},
        "message": {"ts": new_ts(), "thread_ts": ts},
        "actions": [
            {
                "type": "static_select",
                "action_id": menu["action_id"],
                "block_id": controls["block_id"],
                "selected_option": {"value": "unsafe"},
            }
        ],
    }
    raw = urllib.parse.urlencode({"payload": json.dumps(interaction)}).encode()
    url = f"{stack.rasa_url}/webhooks/slack/webhook"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    forged = {**sign(raw, secret="not-the-secret"), **form}
    assert requests.post(url, data=raw, headers=forged, timeout=30).status_code == 400
    assert rows(stack, answer_id, timeout=2) == [], "an unsigned click is not stored"
    signed = {**sign(raw), **form}
    assert requests.post(url, data=raw, headers=signed, timeout=30).status_code == 200
    (row,) = rows(stack, answer_id)
    assert (row["channel"], row["rating"], row["reason"]) == ("slack", "not_helpful", "unsafe")
    assert row["question"] == "what is the starting dose of LDN?"
    assert row["passage_ids"]
    assert len(slack.quiet(ts)) == 1, "a feedback click posts no new answer"


def test_browser_not_helpful_with_a_reason_reaches_the_curator_report(stack, tmp_path):
    # A declined question too, so the report shows both kinds of item.
    Chat(stack.rasa_url).ask("what is the best pizza topping?")
    with chromium_page(tmp_path / "profile") as (page, errors):
        page.goto(f"{stack.rasa_url}/webhooks/webchat/")
        wait_connected(page)
        ask(page, "what is the starting dose of LDN?", 0)
        answer = page.locator("#log .msg-bot").nth(0)
        assert "Content last reviewed" in answer.locator(".reviewed").inner_text()
        answer.get_by_role("button", name="Not helpful").click()
        answer.get_by_label("Outdated").check()
        answer.get_by_label("Comment (optional", exact=False).fill("FINAL trial 2024 changed this")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        answer.screenshot(path=str(SCREENSHOTS / "webchat-feedback.png"))
        answer.get_by_role("button", name="Send feedback").click()
        page.wait_for_function(
            "() => /Thank you/.test(document.querySelector('#log .msg-bot .feedback-status')"
            ".textContent)"
        )
        state = json.loads(page.evaluate("localStorage.getItem('ldn-webchat-v1')"))
        answer_id = next(iter(state["feedback"]))
        assert state["feedback"][answer_id] == "not_helpful"
        passage_ids = answer.evaluate(
            "el => [...el.querySelectorAll('.points li[data-origin]')].map(li => li.dataset.origin)"
        )

        (row,) = rows(stack, answer_id)
        assert (row["channel"], row["rating"], row["reason"]) == (
            "webchat",
            "not_helpful",
            "outdated",
        )
        assert row["comment"] == "FINAL trial 2024 changed this"
        assert row["sender_id"] == state["sessionId"]
        stored_passages = row["passage_ids"].split(",")
        assert stored_passages and set(stored_passages) <= set(passage_ids)

        # After a reload the answer shows the feedback as sent, not the buttons again.
        page.reload()
        wait_connected(page)
        assert "Thank you" in page.locator("#log .msg-bot .feedback-status").first.inner_text()

        page.goto(f"{stack.rasa_url}/webhooks/feedback/report")
        html = page.content()
        assert "Curator report" in html and "<svg" in html
        assert stored_passages[0] in html, "the passage of the not-helpful answer is listed"
        assert "Outdated" in html and "what is the best pizza topping?" in html
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "curator-report.png"), full_page=True)
        assert not errors, errors

    csv_text = requests.get(f"{stack.rasa_url}/webhooks/feedback/report.csv", timeout=30).text
    assert csv_text.startswith("week,date,item,") and stored_passages[0] in csv_text
