"""A local stand-in for Slack's Web API that records chat.postMessage calls.

The live stack's Slack channel is pointed at it with SLACK_API_BASE_URL, so the tests see
exactly what the assistant would post to Slack, without any network access.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BOT_TOKEN = "xoxb-test-token"


class FakeSlack:
    def __init__(self, token: str = BOT_TOKEN) -> None:
        self.token = token
        self.calls: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._ts = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server API
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    body = json.loads(raw or b"{}")
                else:
                    body = {k: v[0] for k, v in urllib.parse.parse_qs(raw.decode()).items()}
                method = self.path.rsplit("/", 1)[-1]
                authorised = self.headers.get("Authorization") == f"Bearer {fake.token}"
                reply = fake.record(method, body, authorised)
                data = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/"

    def record(self, method: str, body: dict[str, Any], authorised: bool) -> dict[str, Any]:
        with self._lock:
            self.calls.append({"method": method, "body": body, "authorised": authorised})
            if not authorised:
                return {"ok": False, "error": "invalid_auth"}
            if method != "chat.postMessage":
                return {"ok": False, "error": "unknown_method"}
            self._ts += 1
            ts = f"{int(time.time())}.{self._ts:06d}"
            return {"ok": True, "channel": body.get("channel"), "ts": ts, "message": body}

    def posts(self, channel: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [
                c["body"]
                for c in self.calls
                if c["method"] == "chat.postMessage"
                and (channel is None or c["body"].get("channel") == channel)
            ]

    def wait_for_posts(self, channel: str, count: int = 1, timeout: float = 60) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            posts = self.posts(channel)
            if len(posts) >= count:
                return posts
            time.sleep(0.1)
        return self.posts(channel)

    def __enter__(self) -> FakeSlack:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
