"""One HTTP client session per endpoint, reused, instead of a new one for every request.

Rasa 3.6's ``EndpointConfig.request`` opens ``async with self.session()`` around each call:
every custom action builds a new aiohttp ``ClientSession`` (connector, headers, auth) and a new
TCP connection to the action server, then tears both down. Here ``session()`` hands out the
endpoint's long-lived session, created on first use in the running event loop with Rasa's
own settings, so connections are kept alive and reused; leaving the ``async with`` block no
longer closes it. Installed by ``rasa_plugins.patches``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import ClientSession
from rasa.utils.endpoints import EndpointConfig

_SESSION_ATTRIBUTE = "_ldn_shared_session"
_rasa_session = EndpointConfig.session


class _Borrowed:
    """``async with`` support that lends the shared session without closing it after."""

    def __init__(self, session: ClientSession) -> None:
        self.session = session

    async def __aenter__(self) -> ClientSession:
        return self.session

    async def __aexit__(self, *exc_info: Any) -> bool:
        return False


def shared_session(self: EndpointConfig) -> _Borrowed:
    loop = asyncio.get_running_loop()
    session: ClientSession | None = getattr(self, _SESSION_ATTRIBUTE, None)
    # A session belongs to the loop it was made in (tests and servers may start new loops).
    if session is None or session.closed or session._loop is not loop:
        session = _rasa_session(self)
        setattr(self, _SESSION_ATTRIBUTE, session)
    return _Borrowed(session)
