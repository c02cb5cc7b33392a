"""REST channel with request validation and a reply on every turn.

Same URL and reply shape as Rasa's built-in ``rest`` channel
(POST /webhooks/rest/webhook {"sender", "message"} -> list of messages), plus:
- malformed JSON, a missing or non-string field, or an oversized body -> 4xx JSON error;
- control characters stripped, empty messages answered without bothering the model;
- no reply from the assistant (e.g. action server down) -> a clear "temporarily
  unavailable" message instead of silence;
- optional bearer-token auth (env LDN_REST_TOKEN);
- patient text is never logged at INFO.
"""

import hmac
import inspect
import json
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.safety import (
    EMPTY_TEXT,
    MAX_MESSAGE_CHARS,
    TRUNCATED_NOTE,
    ensure_reply,
    prepare_message,
)

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024


def _error(status: int, message: str) -> HTTPResponse:
    return response.json({"error": message}, status=status)


class ClinicalRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def _authorised(self, request: Request) -> bool:
        token = os.environ.get("LDN_REST_TOKEN", "")
        if not token:
            return True
        header = request.headers.get("Authorization", "")
        return hmac.compare_digest(header, f"Bearer {token}")

    @staticmethod
    def parse(request: Request) -> "tuple[dict[str, Any] | None, HTTPResponse | None]":
        body = request.body or b""
        if len(body) > MAX_BODY_BYTES:
            return None, _error(413, f"request body over {MAX_BODY_BYTES} bytes")
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return None, _error(400, 'body must be JSON: {"sender": str, "message": str}')
        if not isinstance(data, dict):
            return None, _error(400, "body must be a JSON object")
        for key in ("sender", "message"):
            if key not in data:
                return None, _error(400, f"missing field '{key}'")
            if not isinstance(data[key], str):
                return None, _error(400, f"field '{key}' must be a string")
        if not data["sender"].strip() or len(data["sender"]) > 200:
            return None, _error(400, "field 'sender' must be 1-200 characters")
        if "metadata" in data and not isinstance(data["metadata"], dict | None):
            return None, _error(400, "field 'metadata' must be an object")
        return data, None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        module = inspect.getmodule(self)
        webhook = Blueprint(
            f"custom_webhook_{type(self).__name__}", module.__name__ if module else None
        )

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self._authorised(request):
                return _error(401, "missing or invalid bearer token")
            data, problem = self.parse(request)
            if problem is not None:
                return problem
            sender = data["sender"]
            text, truncated = prepare_message(data["message"])
            if not text:
                return response.json([{"recipient_id": sender, "text": EMPTY_TEXT}])
            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(
                        text,
                        collector,
                        sender,
                        input_channel=self.name(),
                        metadata=data.get("metadata"),
                    )
                )
            except Exception:  # never a stack trace to the user; details for operators
                logger.exception("rest: handling a message failed (sender %s)", sender)
            messages = ensure_reply(collector.messages, sender)
            if truncated:
                note = TRUNCATED_NOTE.format(limit=MAX_MESSAGE_CHARS)
                messages = [{"recipient_id": sender, "text": note}] + messages
            return response.json(messages)

        return webhook
