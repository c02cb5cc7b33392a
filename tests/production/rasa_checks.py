"""Checks of the Rasa-side plugins that must run inside the Rasa venv (Python 3.10).

Run by tests/production/test_rasa_plugins.py as ``<rasa venv python> rasa_checks.py NAME``;
each check raises on failure and prints "checked" when it passes.
"""

from __future__ import annotations

import asyncio
import sys


def validation() -> None:
    from jsonschema import ValidationError
    from rasa.core.actions.action import RemoteAction

    import rasa_plugins.tracker_store  # noqa: F401  (installs the validator)

    action = RemoteAction.__new__(RemoteAction)
    ok = {
        "events": [{"event": "slot", "name": "topic", "value": "dosing"}],
        "responses": [{"text": "an answer", "custom": {"citations": [{"number": 1}]}}],
    }
    assert action._validate_action_result(ok) is True
    bad_results = (
        {"events": "not a list"},
        {"responses": ["not an object"]},
        {"events": [{"event": "no_such_event"}]},
    )
    for bad in bad_results:
        try:
            action._validate_action_result(bad)
        except ValidationError as error:
            assert "Failed to validate Action server response" in error.message
        else:
            raise AssertionError(f"accepted {bad}")


async def _connections_for(requests: int) -> tuple[int, list]:
    """TCP connections a local server sees for ``requests`` endpoint calls, and the replies."""
    from aiohttp import web
    from rasa.utils.endpoints import EndpointConfig

    peers = []
    headers_seen = []

    async def handle(request: web.Request) -> web.Response:
        peers.append(request.transport.get_extra_info("peername"))
        headers_seen.append(request.headers.get("X-Endpoint"))
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/webhook", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    endpoint = EndpointConfig(url=f"http://127.0.0.1:{port}/webhook", headers={"X-Endpoint": "a"})
    replies = [await endpoint.request(json={"n": n}) for n in range(requests)]
    await runner.cleanup()
    assert headers_seen == ["a"] * requests, headers_seen  # Rasa's session settings kept
    return len(set(peers)), replies


def session() -> None:
    from rasa.utils.endpoints import EndpointConfig

    original = EndpointConfig.session
    connections, replies = asyncio.run(_connections_for(5))
    assert connections == 5, f"Rasa's own session: expected 5 connections, saw {connections}"
    import rasa_plugins.tracker_store  # noqa: F401  (installs the shared session)

    assert EndpointConfig.session is not original
    connections, replies = asyncio.run(_connections_for(5))
    assert replies == [{"ok": True}] * 5
    assert connections == 1, f"shared session: expected 1 kept-alive connection, {connections}"
    # a second event loop gets a session of its own (the first loop's is unusable there)
    connections, _ = asyncio.run(_connections_for(2))
    assert connections == 1


def patches() -> None:
    import warnings

    import rasa
    from rasa.core.actions.action import RemoteAction

    from rasa_plugins import action_validation
    from rasa_plugins.patches import WRITTEN_FOR, UnsupportedRasaVersion, install

    assert rasa.__version__ == WRITTEN_FOR, rasa.__version__
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        install("3.6.22")  # another patch release: installed, with a warning
    assert any("3.6.22" in str(w.message) for w in caught), [str(w.message) for w in caught]
    assert RemoteAction._validate_action_result is action_validation.validate_action_result
    for other in ("3.7.0", "4.0.0"):
        try:
            install(other)
        except UnsupportedRasaVersion as err:
            assert other in str(err) and "EndpointConfig.session" in str(err)
        else:
            raise AssertionError(f"installed on Rasa {other}")


CHECKS = {"validation": validation, "session": session, "patches": patches}

if __name__ == "__main__":
    CHECKS[sys.argv[1]]()
    print("checked")
