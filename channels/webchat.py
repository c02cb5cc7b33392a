"""The clinicians' web chat, served by the Rasa server itself (same origin, no CDN).

Two input channels, both listed in credentials.yml:

- ``WebChatInput`` serves the page and its assets from ``web/`` at ``/webhooks/webchat/``
  (index.html, chat.js, chat.css, vendor/socket.io.min.js), with a strict Content Security
  Policy. It handles no messages itself.
- ``ClinicalSocketIOInput`` replaces Rasa's built-in socket.io channel (same name, URL and
  events) and fixes what the widget needs:
    * session persistence: the room join is awaited when python-socketio makes it a coroutine
      (>= 5.10, where Rasa 3.6 silently drops every reply), so it works with either version;
    * one ``bot_uttered`` event per assistant message, carrying ``text``, ``quick_replies``
      and the structured payload under ``custom`` (Rasa 3.6 passes a custom payload to
      ``emit`` as keyword arguments, which fails for ours);
    * the same input hygiene and "every turn gets a reply" safeguard as the REST channel
      (channels/safety.py): empty, oversized or failed turns still get an answer.
"""

from __future__ import annotations

import inspect
import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.safety import (
    EMPTY_TEXT,
    MAX_MESSAGE_CHARS,
    TRUNCATED_NOTE,
    UNAVAILABLE_TEXT,
    prepare_message,
)

logger = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parent.parent / "web"

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
}
# Only these are served; package.json, the lock file and anything else stay private.
SERVED_SUFFIXES = {".html", ".js", ".css", ".svg", ".png", ".ico"}

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self' ws: wss:; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}

SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def static_file(relative: str) -> Path | None:
    """The file under web/ for a request path, or None (missing, hidden, outside web/)."""
    try:
        path = (WEB_DIR / relative).resolve()
        path.relative_to(WEB_DIR)
    except (ValueError, OSError):
        return None
    if any(part.startswith(".") for part in path.relative_to(WEB_DIR).parts):
        return None
    if path.suffix not in SERVED_SUFFIXES or not path.is_file():
        return None
    return path


class WebChatInput(InputChannel):
    """Serves the web chat page; messages travel over ClinicalSocketIOInput."""

    @classmethod
    def name(cls) -> str:
        return "webchat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webchat = Blueprint("webchat_static", __name__)

        async def serve(relative: str) -> HTTPResponse:
            path = static_file(relative)
            if path is None:
                return response.text("not found", status=404, headers=SECURITY_HEADERS)
            return response.raw(
                path.read_bytes(),
                content_type=CONTENT_TYPES.get(path.suffix, "application/octet-stream"),
                headers=SECURITY_HEADERS,
            )

        @webchat.route("/", methods=["GET"])
        async def index(request: Request) -> HTTPResponse:
            # Sanic routes /webhooks/webchat/ and /webhooks/webchat here; the page's relative
            # asset URLs need the trailing slash (relative Location: proxy prefixes survive).
            if not request.path.endswith("/"):
                return response.redirect("webchat/", status=308, headers=SECURITY_HEADERS)
            return await serve("index.html")

        @webchat.route("/<relative:path>", methods=["GET"])
        async def asset(_: Request, relative: str) -> HTTPResponse:
            return await serve(relative or "index.html")

        return webchat


def _public_payload(custom: dict[str, Any]) -> dict[str, Any]:
    """The payload the browser needs: Slack's rendering of it is dead weight there."""
    return {k: v for k, v in custom.items() if not str(k).startswith("slack_")}


class ClinicalSocketIOOutput(SocketIOOutput):
    """One bot_uttered event per assistant message; counts what it sent."""

    def __init__(self, sio: Any, bot_message_evt: str) -> None:
        super().__init__(sio, bot_message_evt)
        self.sent = 0

    async def _send_message(self, socket_id: str, response: Any) -> None:
        await super()._send_message(socket_id, response)
        self.sent += 1

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        event: dict[str, Any] = {}
        if message.get("text"):
            event["text"] = message["text"]
        buttons = message.get("quick_replies") or message.get("buttons") or []
        if buttons:
            event["quick_replies"] = [
                {"content_type": "text", "title": b.get("title", ""), "payload": b.get("payload")}
                for b in buttons
            ]
        if isinstance(message.get("custom"), dict):
            event["custom"] = _public_payload(message["custom"])
        if message.get("image"):
            event["attachment"] = {"type": "image", "payload": {"src": message["image"]}}
        elif message.get("attachment"):
            event["attachment"] = message["attachment"]
        if message.get("elements"):
            event["elements"] = list(message["elements"])
        if event:
            await self._send_message(recipient_id, event)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"text": text})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_response(recipient_id, {"text": text, "buttons": buttons})

    async def send_elements(
        self, recipient_id: str, elements: Iterable[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_response(recipient_id, {"elements": list(elements)})

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        await self._send_message(recipient_id, {"custom": _public_payload(json_message)})


class ClinicalSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel with an awaited room join and a reply on every turn."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def get_output_channel(self) -> OutputChannel | None:
        if self.sio is None:
            return super().get_output_channel()
        return ClinicalSocketIOOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        socketio_webhook = super().blueprint(on_new_message)
        sio = self.sio
        assert sio is not None

        # python-socketio keeps one handler per (namespace, event): these replace Rasa's.
        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: dict | None) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            if isinstance(requested, str) and SESSION_ID.match(requested):
                session_id = requested
            else:
                session_id = uuid.uuid4().hex
            if self.session_persistence:
                joined = sio.enter_room(sid, session_id, namespace=self.namespace)
                if inspect.isawaitable(joined):  # python-socketio >= 5.10
                    await joined
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            await self._handle_message(sid, data, on_new_message)

        return socketio_webhook

    async def _reply(self, room: str, text: str, kind: str | None = None) -> None:
        event: dict[str, Any] = {"text": text}
        if kind:
            event["custom"] = {"ldn_answer": 1, "kind": kind}
        assert self.sio is not None
        await self.sio.emit(self.bot_message_evt, event, room=room, namespace=self.namespace)

    async def _handle_message(
        self, sid: str, data: Any, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        assert self.sio is not None
        data = data if isinstance(data, dict) else {}
        if self.session_persistence:
            session_id = data.get("session_id")
            if not isinstance(session_id, str) or not SESSION_ID.match(session_id):
                await self._reply(sid, "Your chat session was not recognised. Please reload.")
                return
            sender_id, room = session_id, session_id
        else:
            sender_id, room = sid, sid

        raw = data.get("message", "")
        text, truncated = prepare_message(raw if isinstance(raw, str) else "")
        if not text:
            await self._reply(room, EMPTY_TEXT)
            return
        if truncated:
            await self._reply(room, TRUNCATED_NOTE.format(limit=MAX_MESSAGE_CHARS))

        metadata = data.get(self.metadata_key) or {}
        if isinstance(metadata, str):
            try:
                metadata = json.loads(metadata)
            except json.JSONDecodeError:
                metadata = {}
        if not isinstance(metadata, dict):
            metadata = {}

        output = ClinicalSocketIOOutput(self.sio, self.bot_message_evt)
        try:
            await on_new_message(
                UserMessage(text, output, sender_id, input_channel=self.name(), metadata=metadata)
            )
        except Exception:  # never silence; details for operators only
            logger.exception("socketio: handling a message failed (session %s)", sender_id)
        if output.sent == 0:
            await self._reply(room, UNAVAILABLE_TEXT, kind="unavailable")
