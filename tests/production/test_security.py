"""Security of the production profile, through the public nginx entry point."""

from __future__ import annotations

import json
import time
import uuid

import pytest
import requests

from tests.live.test_slack import event_body, new_ts, sign
from tests.production.conftest import (
    ALLOWED_ORIGIN,
    API_TOKEN,
    REST_TOKEN,
    SLACK_SIGNING_SECRET,
    WEBCHAT_JWT_KEY,
    ProdChat,
    socketio_connect,
    webchat_token,
)

pytestmark = pytest.mark.production


def rest_post(prod, headers: dict, body: bytes | None = None) -> requests.Response:
    payload = body or json.dumps({"sender": "sec-test", "message": "hello"}).encode()
    return requests.post(
        f"{prod.rasa_url}/webhooks/rest/webhook",
        data=payload,
        headers={"Content-Type": "application/json", **headers},
        timeout=30,
    )


def test_rest_channel_requires_the_bearer_token(prod):
    assert rest_post(prod, {}).status_code == 401
    assert rest_post(prod, {"Authorization": "Bearer wrong-token"}).status_code == 401
    assert rest_post(prod, {"Authorization": f"Bearer {API_TOKEN}"}).status_code == 401
    assert rest_post(prod, {"Authorization": f"Bearer {REST_TOKEN}"}).status_code == 200


def test_rasa_http_api_requires_its_token(prod):
    sender = ProdChat(prod.rasa_url).sender
    url = f"{prod.rasa_url}/conversations/{sender}/tracker"
    assert requests.get(url, timeout=10).status_code == 401
    assert requests.get(url, params={"token": REST_TOKEN}, timeout=10).status_code == 401
    assert requests.get(url, params={"token": API_TOKEN}, timeout=10).status_code == 200
    assert requests.get(f"{prod.rasa_url}/status", timeout=10).status_code == 401
    # Replicas enforce it too, not only the proxy.
    for name in prod.rasa_ports:
        assert requests.get(f"{prod.replica_url(name)}/status", timeout=10).status_code == 401


def test_cors_allows_only_the_configured_origin(prod):
    def preflight(origin: str) -> requests.Response:
        return requests.options(
            f"{prod.rasa_url}/webhooks/rest/webhook",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,content-type",
            },
            timeout=10,
        )

    allowed = preflight(ALLOWED_ORIGIN)
    assert allowed.headers.get("Access-Control-Allow-Origin") == ALLOWED_ORIGIN
    refused = preflight("https://evil.example.com")
    assert "Access-Control-Allow-Origin" not in refused.headers
    answered = rest_post(
        prod, {"Authorization": f"Bearer {REST_TOKEN}", "Origin": "https://evil.example.com"}
    )
    assert "Access-Control-Allow-Origin" not in answered.headers


def test_oversized_requests_are_refused_at_the_proxy(prod):
    big = json.dumps({"sender": "sec-test", "message": "x" * 100_000}).encode()
    response = rest_post(prod, {"Authorization": f"Bearer {REST_TOKEN}"}, big)
    assert response.status_code == 413


def test_slack_requires_a_valid_signature(prod, prod_fake_slack):
    url = f"{prod.rasa_url}/webhooks/slack/webhook"
    ts = new_ts()
    body = event_body("what is the starting dose of LDN?", ts, channel="C0LDNPROD")
    raw = json.dumps(body).encode()
    unsigned = requests.post(
        url, data=raw, headers={"Content-Type": "application/json"}, timeout=30
    )
    forged = requests.post(url, data=raw, headers=sign(raw, secret="not-the-secret"), timeout=30)
    assert unsigned.status_code in (400, 401, 403)
    assert forged.status_code in (400, 401, 403)
    signed = requests.post(
        url, data=raw, headers=sign(raw, secret=SLACK_SIGNING_SECRET), timeout=30
    )
    assert signed.status_code == 200
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any(p.get("thread_ts") == ts for p in prod_fake_slack.posts()):
            break
        time.sleep(0.2)
    posts = [p for p in prod_fake_slack.posts() if p.get("thread_ts") == ts]
    assert posts, "the signed request was not answered"


@pytest.mark.parametrize(
    ("auth", "accepted"),
    [
        (None, False),  # no sign-in token
        ({"token": "not-a-jwt"}, False),
        ({"token": webchat_token(key="another-key-of-at-least-32-chars!!")}, False),
        ({"token": webchat_token(lifetime_s=-60)}, False),  # expired
        ({"token": webchat_token()}, True),
    ],
    ids=["none", "garbage", "wrong-key", "expired", "valid"],
)
def test_the_web_chat_connection_requires_a_valid_sign_in_token(prod, auth, accepted):
    reply = socketio_connect(prod.rasa_url, uuid.uuid4().hex, auth)
    assert reply.startswith("40" if accepted else "44"), reply


def test_no_patient_text_or_secret_in_any_log(prod):
    marker = f"Zq{uuid.uuid4().hex[:12]}"
    chat = ProdChat(prod.rasa_url)
    chat.ask(f"pt {marker} with CRPS on tramadol, can I start LDN?")
    chat.ask(f"side effects of LDN for {marker}?")
    sign_in = webchat_token()
    assert socketio_connect(prod.rasa_url, uuid.uuid4().hex, {"token": sign_in}).startswith("40")
    time.sleep(1)
    secrets = [REST_TOKEN, API_TOKEN, SLACK_SIGNING_SECRET, WEBCHAT_JWT_KEY, sign_in]
    logs = sorted(prod.log_dir.glob("*.log"))
    assert {p.name for p in logs} >= {"rasa-1.log", "actions-1.log", "nginx-access.log"}
    for log_file in logs:
        content = log_file.read_text(errors="replace")
        assert marker not in content, f"patient text in {log_file}"
        for secret in secrets:
            assert secret not in content, f"a secret in {log_file}"


def test_a_slack_event_reaching_both_replicas_is_answered_once(prod, prod_fake_slack):
    """Slack retries (and the app_mention + message pair of one post) can land on different
    replicas: the delivery log is shared in Redis, so the clinician gets one answer."""
    ts = new_ts()
    body = event_body("what are the side effects of LDN?", ts, channel="C0LDNPROD")
    raw = json.dumps(body).encode()
    for name in prod.rasa_ports:
        response = requests.post(
            f"{prod.replica_url(name)}/webhooks/slack/webhook",
            data=raw,
            headers={**sign(raw, secret=SLACK_SIGNING_SECRET), "X-Slack-Retry-Num": "1"},
            timeout=30,
        )
        assert response.status_code == 200
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not [
        p for p in prod_fake_slack.posts() if p.get("thread_ts") == ts
    ]:
        time.sleep(0.2)
    time.sleep(4)  # a duplicate answer would arrive by now
    posts = [p for p in prod_fake_slack.posts() if p.get("thread_ts") == ts]
    assert len(posts) == 1, f"{len(posts)} answers posted"
