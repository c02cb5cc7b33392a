"""Shared helpers of the CDS tests: fixtures on disk, the response schema, and aiohttp
apps served on free ports of 127.0.0.1 from a background thread."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import socket
import threading
from pathlib import Path

import jsonschema
import pytest
from aiohttp import web

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
ORDER_DATE = dt.date(2026, 12, 4)


def load_scenario(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text("utf-8"))


def scenario_names() -> list[str]:
    return sorted(p.stem for p in FIXTURES.glob("*.json"))


@pytest.fixture(scope="session")
def response_validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((HERE / "cds_hooks_response.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServedApp:
    """Serve an aiohttp application on 127.0.0.1:<free port> until ``close``."""

    def __init__(self, app: web.Application, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(app,), daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("test server did not start")

    def _run(self, app: web.Application) -> None:
        asyncio.set_event_loop(self._loop)
        self._runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        self._loop.run_until_complete(site.start())
        self._ready.set()
        self._loop.run_forever()

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
