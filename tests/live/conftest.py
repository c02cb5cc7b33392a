"""A real stack (action server + Rasa server) for the whole live session.

Started once by the test run itself (scripts/stack.py), on test ports (5105/5155 by default,
set by scripts/test_all.sh), with its own tracker database; stopped at the end.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
import requests

from scripts.stack import Stack, stack_env
from tests.live.fake_slack import BOT_TOKEN, FakeSlack

# The session stack has the Slack channel enabled, pointed at a local fake Slack Web API.
SLACK_SIGNING_SECRET = "test-signing-secret-0123456789abcdef"


@pytest.fixture(scope="session")
def fake_slack():
    with FakeSlack(BOT_TOKEN) as fake:
        yield fake


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, fake_slack: FakeSlack):
    data_dir = Path(os.environ.get("LDN_DATA_DIR") or tmp_path_factory.mktemp("stack"))
    shutil.rmtree(data_dir / "tracker.db", ignore_errors=True)
    if (data_dir / "tracker.db").exists():
        (data_dir / "tracker.db").unlink()
    env = stack_env(
        {
            "LDN_DATA_DIR": str(data_dir),
            "LDN_TRACKER_DB": str(data_dir / "tracker.db"),
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SLACK_SIGNING_SECRET,
            "SLACK_API_BASE_URL": fake_slack.base_url,
            "SLACK_CHANNEL": "C0LDNTEST",
        }
    )
    running = Stack(env=env)
    running.start()
    yield running
    running.stop()


class Chat:
    """Talks to the REST channel as an integrator would."""

    def __init__(
        self,
        base_url: str,
        sender: str | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 60,
    ):
        self.base_url = base_url
        self.sender = sender or f"test-{uuid.uuid4().hex[:10]}"
        self.headers = headers or {}
        self.timeout = timeout

    def send(self, message: str, base_url: str | None = None) -> list[dict]:
        """The reply messages; ``base_url`` sends this one message to another server."""
        response = requests.post(
            f"{base_url or self.base_url}/webhooks/rest/webhook",
            json={"sender": self.sender, "message": message},
            headers=self.headers,
            timeout=self.timeout,
        )
        assert response.status_code == 200, (response.status_code, response.text[:300])
        return response.json()

    def ask(self, message: str, base_url: str | None = None) -> tuple[str, dict]:
        """The reply's text (all text messages joined) and its structured payload."""
        replies = self.send(message, base_url)
        text = "\n".join(r["text"] for r in replies if r.get("text"))
        payloads = [r["custom"] for r in replies if isinstance(r.get("custom"), dict)]
        return text, (payloads[-1] if payloads else {})


@pytest.fixture
def chat(stack: Stack) -> Chat:
    return Chat(stack.rasa_url)
