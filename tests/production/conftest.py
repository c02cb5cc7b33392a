"""The production profile, started once for these tests on its real services.

Two Rasa replicas and two action servers behind nginx, PostgreSQL tracker store, Redis lock
store, RabbitMQ event broker, tokens and CORS on: what `make run-production` starts, on test
ports and with test names (database ldn_tracker_test, Redis db 2 / prefix ldntest, queue
ldn_events_test), each reset first. When a service or nginx is missing, every test here is
skipped with the reason printed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import subprocess
import time
from pathlib import Path

import pika
import pytest
import requests

from scripts.production import (
    LOCAL_SERVICES,
    ProductionStack,
    nginx_binary,
    port_open,
    production_env,
)
from scripts.stack import ROOT
from tests.live.conftest import Chat
from tests.live.fake_slack import BOT_TOKEN, FakeSlack

REST_TOKEN = "test-rest-token-" + "r" * 24
API_TOKEN = "test-api-token-" + "a" * 24
ALLOWED_ORIGIN = "https://clinic.example.org"
SLACK_SIGNING_SECRET = "prod-test-signing-secret-0123456789"
WEBCHAT_JWT_KEY = "test-webchat-jwt-key-" + "k" * 24

TEST_SETTINGS = {
    "LDN_PUBLIC_PORT": os.environ.get("TEST_PROD_PUBLIC_PORT", "8180"),
    "LDN_RASA_BASE_PORT": os.environ.get("TEST_PROD_RASA_BASE_PORT", "5210"),
    "LDN_ACTION_BASE_PORT": os.environ.get("TEST_PROD_ACTION_BASE_PORT", "5260"),
    "LDN_ACTION_PROXY_PORT": os.environ.get("TEST_PROD_ACTION_PROXY_PORT", "5259"),
    "LDN_PG_DB": "ldn_tracker_test",
    "LDN_REDIS_DB": "2",
    "LDN_REDIS_PREFIX": "ldntest",
    "LDN_RABBITMQ_QUEUE": "ldn_events_test",
    "RASA_AUTH_TOKEN": API_TOKEN,
    "LDN_REST_TOKEN": REST_TOKEN,
    "LDN_CORS_ORIGINS": ALLOWED_ORIGIN,
    "SLACK_BOT_TOKEN": BOT_TOKEN,
    "SLACK_SIGNING_SECRET": SLACK_SIGNING_SECRET,
    "SLACK_CHANNEL": "C0LDNPROD",
    "LDN_WEBCHAT_JWT_KEY": WEBCHAT_JWT_KEY,
}

RASA_PYTHON = str(ROOT / ".venv/rasa/bin/python")


def socketio_connect(base_url: str, affinity: str, auth: dict | None) -> str:
    """Engine.io long-polling through nginx as the web chat does it: handshake, connect to
    the default namespace with ``auth``, then poll. Returns the server's reply to the
    connect: "40{...}" accepted, "44{...}" refused."""
    session = requests.Session()
    session.cookies.set("ldn_affinity", affinity)
    base = f"{base_url}/socket.io/?EIO=4&transport=polling"
    handshake = session.get(base, timeout=10)
    assert handshake.status_code == 200, handshake.text
    sid = json.loads(handshake.text[1:])["sid"]  # "0{...}": the engine.io open packet
    connect = "40" + (json.dumps(auth) if auth is not None else "")
    sent = session.post(f"{base}&sid={sid}", data=connect, timeout=10)
    assert sent.status_code == 200, sent.text
    polled = session.get(f"{base}&sid={sid}", timeout=10)
    assert polled.status_code == 200, polled.text
    return polled.text


def webchat_token(key: str = WEBCHAT_JWT_KEY, lifetime_s: int = 3600) -> str:
    """An HS256 JWT like the one an organisation's sign-in would issue for the web chat."""

    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = part(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = {"sub": "test-clinician", "exp": int(time.time()) + lifetime_s}
    body = part(json.dumps(claims).encode())
    signature = hmac.new(key.encode(), f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{part(signature)}"


def missing_prerequisite(env: dict[str, str]) -> str | None:
    for service, (host_var, port_var, _) in LOCAL_SERVICES.items():
        if not port_open(env[host_var], int(env[port_var])):
            return f"{service} is not reachable on {env[host_var]}:{env[port_var]}"
    try:
        nginx_binary()
    except RuntimeError as err:
        return str(err)
    return None


def run_in_rasa_venv(env: dict[str, str], *argv: str) -> str:
    """Run a module or snippet with the Rasa venv's Python (psycopg2 and redis live there)."""
    result = subprocess.run(
        [RASA_PYTHON, "-W", "ignore", *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def tracker_database(env: dict[str, str], *command: str) -> str:
    """rasa_plugins/tracker_database.py: ensure, drop [NAME], count SENDER."""
    return run_in_rasa_venv(env, "-m", "rasa_plugins.tracker_database", *command).strip()


def flush_redis_db(env: dict[str, str]) -> None:
    """Empty the test Redis database (locks, Slack deliveries) with Debian's redis-cli."""
    command = ["redis-cli", "-h", env["LDN_REDIS_HOST"], "-p", env["LDN_REDIS_PORT"]]
    command += ["-n", env["LDN_REDIS_DB"], "FLUSHDB"]
    extra = {"REDISCLI_AUTH": env["LDN_REDIS_PASSWORD"]} if env.get("LDN_REDIS_PASSWORD") else {}
    done = subprocess.run(
        command, env={**os.environ, **extra}, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and done.stdout.strip() == "OK", done.stdout + done.stderr


def rabbitmq_channel(env: dict[str, str]):
    credentials = pika.PlainCredentials(env["LDN_RABBITMQ_USER"], env["LDN_RABBITMQ_PASSWORD"])
    connection = pika.BlockingConnection(
        pika.ConnectionParameters(
            host=env["LDN_RABBITMQ_HOST"],
            port=int(env["LDN_RABBITMQ_PORT"]),
            credentials=credentials,
        )
    )
    return connection, connection.channel()


def reset_services(env: dict[str, str]) -> None:
    tracker_database(env, "drop")
    flush_redis_db(env)
    connection, channel = rabbitmq_channel(env)
    channel.queue_delete(queue=env["LDN_RABBITMQ_QUEUE"])
    connection.close()


@pytest.fixture(scope="session")
def prod_fake_slack():
    with FakeSlack(BOT_TOKEN) as fake:
        yield fake


@pytest.fixture(scope="session")
def prod(tmp_path_factory: pytest.TempPathFactory, prod_fake_slack: FakeSlack):
    data_dir = Path(
        os.environ.get("LDN_PROD_TEST_DATA_DIR") or tmp_path_factory.mktemp("production")
    )
    env = production_env(
        {
            **TEST_SETTINGS,
            "LDN_DATA_DIR": str(data_dir),
            "SLACK_API_BASE_URL": prod_fake_slack.base_url,
        }
    )
    reason = missing_prerequisite(env)
    if reason:
        pytest.skip(f"production profile not testable here: {reason}")
    reset_services(env)
    stack = ProductionStack(env=env)
    stack.start()
    yield stack
    stack.stop()


class ProdChat(Chat):
    """The REST client of the live tests, with the bearer token the profile requires."""

    def __init__(self, base_url: str, sender: str | None = None, token: str = REST_TOKEN):
        # Long timeout: a message retried after a replica crash waits for the dead ticket.
        super().__init__(base_url, sender, {"Authorization": f"Bearer {token}"}, timeout=90)


def tracker(base_url: str, sender: str) -> dict:
    response = requests.get(
        f"{base_url}/conversations/{sender}/tracker",
        params={"token": API_TOKEN},
        timeout=30,
    )
    assert response.status_code == 200, response.text[:300]
    return response.json()


@pytest.fixture
def prod_chat(prod: ProductionStack) -> ProdChat:
    return ProdChat(prod.rasa_url)
