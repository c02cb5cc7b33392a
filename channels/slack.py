"""Slack app channel: signed Events API requests in, Block Kit answers out, in the thread.

Built on Rasa 3.6's SlackInput (its signature check: HMAC-SHA256 "v0" of the raw body with the
signing secret, timestamps older than 5 minutes rejected) with these changes:

- configured from the environment (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, optional
  SLACK_CHANNEL and SLACK_API_BASE_URL); scripts/stack.py enables it when the first two are set;
- the Web API base URL is configurable (SLACK_API_BASE_URL), so tests run against a local fake;
- answers go in the thread of the question (a direct message outside a thread is answered
  in place); a conversation is one thread, so follow-ups keep their context;
- an answer is ONE chat.postMessage with the Block Kit blocks rendered by the action server
  (payload["slack_blocks"], from ldn_core/render/slack.py): this channel holds no clinical
  content and no second renderer, it only transports;
- a question delivered twice (an app_mention plus a message event for the same ts, or a
  retry with X-Slack-Retry-Num) is answered once;
- every accepted question gets a reply, even when the action server is down
  (channels/safety.py), and message text gets the same hygiene as on the other channels;
- each answer ends with its review date and feedback controls (a "Helpful" button and a
  "Not helpful" reason menu); a click arrives as a signed interactivity payload and is stored
  like web-chat feedback (channels/feedback.py), off the answer path.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from http import HTTPStatus
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.slack import SlackBot, SlackInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.web.async_client import AsyncWebClient

from channels import feedback
from channels.safety import EMPTY_TEXT, UNAVAILABLE_TEXT, prepare_message
from ldn_core.feedback.model import REASONS, FeedbackError, parse_submission

logger = logging.getLogger(__name__)

DEFAULT_API_BASE_URL = "https://slack.com/api/"
# Event subtypes that are a person writing; edits, joins, bot posts etc. are not questions.
USER_SUBTYPES = {None, "thread_broadcast", "file_share"}


FEEDBACK_ACTION_PREFIX = "ldn_feedback"
FEEDBACK_BLOCK_PREFIX = "ldn_feedback:"
MAX_BLOCKS = 50  # Slack's limit per message
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def _human_date(iso: str) -> str:
    try:
        year, month, day = (int(part) for part in iso.split("-"))
        return f"{day} {_MONTHS[month - 1]} {year}"
    except (ValueError, IndexError):
        return iso


def feedback_blocks(custom: dict[str, Any]) -> list[dict[str, Any]]:
    """Review date and feedback controls appended to an answer (none for plain messages)."""
    answer_id = custom.get("answer_id")
    if not isinstance(answer_id, str) or custom.get("kind") in ("message", "unavailable"):
        return []
    blocks: list[dict[str, Any]] = []
    if custom.get("reviewed"):
        blocks.append(
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": f"Content last reviewed {_human_date(str(custom['reviewed']))}",
                    }
                ],
            }
        )
    blocks.append(
        {
            "type": "actions",
            "block_id": FEEDBACK_BLOCK_PREFIX + answer_id,
            "elements": [
                {
                    "type": "button",
                    "action_id": f"{FEEDBACK_ACTION_PREFIX}_helpful",
                    "text": {"type": "plain_text", "text": "Helpful"},
                    "value": "helpful",
                },
                {
                    "type": "static_select",
                    "action_id": f"{FEEDBACK_ACTION_PREFIX}_not_helpful",
                    "placeholder": {"type": "plain_text", "text": "Not helpful: why?"},
                    "options": [
                        {"text": {"type": "plain_text", "text": label}, "value": code}
                        for code, label in REASONS.items()
                    ],
                },
            ],
        }
    )
    return blocks


def feedback_from_action(payload: dict[str, Any]) -> dict[str, str] | None:
    """{"answer_id", "rating", "reason"?} of a click on our feedback controls, else None."""
    action = (payload.get("actions") or [{}])[0]
    block_id = str(action.get("block_id") or "")
    if not str(action.get("action_id") or "").startswith(FEEDBACK_ACTION_PREFIX):
        return None
    if not block_id.startswith(FEEDBACK_BLOCK_PREFIX):
        return None
    answer_id = block_id[len(FEEDBACK_BLOCK_PREFIX) :]
    if action.get("action_id") == f"{FEEDBACK_ACTION_PREFIX}_helpful":
        return {"answer_id": answer_id, "rating": "helpful"}
    reason = ((action.get("selected_option") or {}).get("value")) or None
    return {"answer_id": answer_id, "rating": "not_helpful", "reason": reason}


def mrkdwn_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class DeliveryLog:
    """Keys of events already accepted, kept for ``ttl`` seconds (at most ``size`` keys)."""

    def __init__(self, ttl: float = 3600.0, size: int = 10_000) -> None:
        self.ttl = ttl
        self.size = size
        self._seen: OrderedDict[str, float] = OrderedDict()

    def _expire(self, now: float) -> None:
        while self._seen:
            key, at = next(iter(self._seen.items()))
            if now - at <= self.ttl and len(self._seen) <= self.size:
                break
            self._seen.popitem(last=False)

    def first_time(self, keys: Iterable[str]) -> bool:
        """True (and remembers the keys) unless one of them was seen. No await inside, so
        two concurrent deliveries of one event cannot both pass."""
        now = time.monotonic()
        self._expire(now)
        keys = [k for k in keys if k]
        if any(k in self._seen for k in keys):
            return False
        for key in keys:
            self._seen[key] = now
        return True


class RedisDeliveryLog:
    """The same log shared by every Rasa replica (production profile): a Slack retry or the
    second event of one post may reach another replica than the first. Falls back to this
    process's own log when Redis does not answer."""

    # All keys are checked and set in one server-side step: two replicas receiving one event
    # at the same moment cannot both pass.
    _CHECK_AND_SET = """
    for _, key in ipairs(KEYS) do
      if redis.call('EXISTS', key) == 1 then return 0 end
    end
    for _, key in ipairs(KEYS) do
      redis.call('SET', key, '1', 'EX', ARGV[1])
    end
    return 1
    """

    def __init__(self, client: Any, prefix: str, ttl: int = 3600) -> None:
        self.client = client
        self.prefix = prefix
        self.ttl = ttl
        self.local = DeliveryLog(ttl=ttl)
        self._script = client.register_script(self._CHECK_AND_SET)

    def first_time(self, keys: Iterable[str]) -> bool:
        keys = [k for k in keys if k]
        if not keys:
            return True
        try:
            return bool(self._script(keys=[self.prefix + k for k in keys], args=[self.ttl]))
        except Exception as error:  # noqa: BLE001 - Redis down: still answer, once per replica
            logger.warning("slack: delivery log in Redis unavailable (%s)", type(error).__name__)
            return self.local.first_time(keys)

    @classmethod
    def from_env(cls) -> RedisDeliveryLog | None:
        host = os.environ.get("LDN_REDIS_HOST")
        if not host:
            return None
        import redis

        client = redis.Redis(
            host=host,
            port=int(os.environ.get("LDN_REDIS_PORT") or 6379),
            db=int(os.environ.get("LDN_REDIS_DB") or 1),
            password=os.environ.get("LDN_REDIS_PASSWORD") or None,
            socket_timeout=2,
        )
        prefix = f"{os.environ.get('LDN_REDIS_PREFIX') or 'ldn'}:slack:"
        return cls(client, prefix)


def delivery_keys(body: dict[str, Any]) -> list[str]:
    """One event, however delivered: its event_id (same on retries) and channel+ts (same for
    the app_mention and message events of one post)."""
    event = body.get("event") or {}
    keys = []
    if body.get("event_id"):
        keys.append(f"id:{body['event_id']}")
    if event.get("channel") and event.get("ts"):
        keys.append(f"ts:{body.get('team_id', '')}:{event['channel']}:{event['ts']}")
    return keys


class ClinicalSlackBot(SlackBot):
    """Posts one message per answer (Block Kit when the payload has it), in the thread."""

    def __init__(
        self,
        token: str,
        slack_channel: str | None = None,
        thread_id: str | None = None,
        proxy: str | None = None,
        api_base_url: str = DEFAULT_API_BASE_URL,
    ) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        self.client = AsyncWebClient(token, base_url=api_base_url, proxy=proxy)
        self.sent = 0

    async def _post_message(self, channel: str, **kwargs: Any) -> None:
        kwargs.pop("as_user", None)  # legacy parameter; refused for granular bot tokens
        kwargs.setdefault("unfurl_links", False)  # no big previews under each citation
        kwargs.setdefault("unfurl_media", False)
        if self.thread_id:
            kwargs["thread_ts"] = self.thread_id
        await self.client.chat_postMessage(channel=channel, **kwargs)
        self.sent += 1

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        custom = message.get("custom")
        if isinstance(custom, dict) and custom.get("slack_blocks"):
            fallback = custom.get("slack_text") or mrkdwn_escape(message.get("text") or "")
            blocks = list(custom["slack_blocks"])
            extra = feedback_blocks(custom)
            if len(blocks) + len(extra) <= MAX_BLOCKS:
                blocks += extra
            await self._post_message(
                channel=self.slack_channel or recipient_id,
                text=fallback[:3000] or "Answer",
                blocks=blocks,
            )
            return
        if isinstance(custom, dict) and custom.get("ldn_answer"):
            # Our payload without Slack blocks: the readable text says it all.
            message = {k: v for k, v in message.items() if k != "custom"}
        await super().send_response(recipient_id, message)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """One message (Rasa splits at blank lines into several), escaped for mrkdwn."""
        await self._post_message(
            channel=self.slack_channel or recipient_id, text=mrkdwn_escape(text.strip())
        )


class ClinicalSlackInput(SlackInput):
    @classmethod
    def name(cls) -> str:
        return "slack"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        env = os.environ
        return cls(
            slack_token=credentials.get("slack_token") or env.get("SLACK_BOT_TOKEN", ""),
            slack_channel=credentials.get("slack_channel") or env.get("SLACK_CHANNEL") or None,
            proxy=credentials.get("proxy"),
            slack_retry_reason_header=credentials.get(
                "slack_retry_reason_header", "x-slack-retry-reason"
            ),
            slack_retry_number_header=credentials.get(
                "slack_retry_number_header", "x-slack-retry-num"
            ),
            errors_ignore_retry=credentials.get("errors_ignore_retry"),
            use_threads=credentials.get("use_threads", True),
            slack_signing_secret=(
                credentials.get("slack_signing_secret") or env.get("SLACK_SIGNING_SECRET", "")
            ),
            conversation_granularity=credentials.get("conversation_granularity", "thread"),
            api_base_url=(
                credentials.get("api_base_url")
                or env.get("SLACK_API_BASE_URL")
                or DEFAULT_API_BASE_URL
            ),
        )

    def __init__(self, *args: Any, api_base_url: str = DEFAULT_API_BASE_URL, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if not self.slack_token:
            raise ValueError("Slack channel enabled without a bot token (SLACK_BOT_TOKEN)")
        self.api_base_url = api_base_url.rstrip("/") + "/"
        self.deliveries = RedisDeliveryLog.from_env() or DeliveryLog()

    def get_output_channel(
        self, channel: str | None = None, thread_id: str | None = None
    ) -> ClinicalSlackBot:
        channel = channel or self.slack_channel
        return ClinicalSlackBot(self.slack_token, channel, thread_id, self.proxy, self.api_base_url)

    @staticmethod
    def _is_user_message(slack_event: dict[str, Any]) -> bool:
        event = slack_event.get("event") or {}
        return bool(
            SlackInput._is_user_message(slack_event) and event.get("subtype") in USER_SUBTYPES
        )

    def get_metadata(self, request: Request) -> dict[str, Any]:
        metadata = super().get_metadata(request)
        if request.headers.get("content-type") == "application/json":
            event = (request.json or {}).get("event", {})
            # A direct message outside a thread is answered in place, not in a new thread.
            if event.get("channel_type") == "im" and not event.get("thread_ts"):
                metadata["thread_id"] = None
        return metadata

    async def _answer(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        text: str,
        sender_id: str | None,
        metadata: dict[str, Any],
    ) -> None:
        thread_id = metadata.get("thread_id") if self.use_threads else None
        output = self.get_output_channel(metadata.get("out_channel"), thread_id)
        try:
            if not text:
                await output.send_text_message(output.slack_channel or "", EMPTY_TEXT)
                return
            await on_new_message(
                UserMessage(text, output, sender_id, input_channel=self.name(), metadata=metadata)
            )
            if output.sent == 0:
                await output.send_text_message(output.slack_channel or "", UNAVAILABLE_TEXT)
        except Exception:  # details for operators; patient text is not logged
            logger.exception("slack: answering a message failed (conversation %s)", sender_id)

    def _start(self, coroutine: Awaitable[None]) -> None:
        # Slack wants an answer within 3 s: acknowledge now, answer in the background.
        task = asyncio.ensure_future(coroutine)
        self._background_tasks.add(task)
        task.add_done_callback(self._background_tasks.discard)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        slack_webhook = Blueprint("slack_webhook", __name__)

        @slack_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @slack_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self.is_request_from_slack_authentic(request):
                logger.warning("slack: rejected a request with a bad signature or timestamp")
                return response.text(
                    "Message is not properly signed with a valid X-Slack-Signature header",
                    status=HTTPStatus.BAD_REQUEST,
                )
            content_type = (request.headers.get("content-type") or "").split(";")[0].strip()
            if content_type == "application/json":
                return await self._on_event(request, on_new_message)
            if content_type == "application/x-www-form-urlencoded":
                return await self._on_interaction(request, on_new_message)
            return response.text("unsupported content type", status=HTTPStatus.BAD_REQUEST)

        return slack_webhook

    async def _on_event(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        try:
            body = json.loads(request.body or b"{}")
        except (UnicodeDecodeError, json.JSONDecodeError):
            return response.text("body is not JSON", status=HTTPStatus.BAD_REQUEST)
        if not isinstance(body, dict):
            return response.text("body is not a JSON object", status=HTTPStatus.BAD_REQUEST)
        if body.get("type") == "url_verification":
            return response.json({"challenge": body.get("challenge", "")})
        if not self._is_user_message(body):
            return response.text("not a user message: ignored")
        metadata = self.get_metadata(request)
        if not self._is_supported_channel(body, metadata):
            return response.text("channel not supported")
        if not self.deliveries.first_time(delivery_keys(body)):
            logger.info(
                "slack: duplicate delivery ignored (retry %s)",
                request.headers.get(self.retry_num_header) or "no",
            )
            return response.text("duplicate: already answered", headers={"X-Slack-No-Retry": "1"})
        event = body["event"]
        conversation_id = self._get_conversation_id(
            event.get("user", ""), metadata.get("out_channel"), metadata.get("thread_id")
        )
        raw = self._sanitize_user_message(event.get("text", ""), metadata.get("users"))
        text, _ = prepare_message(raw)
        self._start(self._answer(on_new_message, text, conversation_id, metadata))
        return response.text("")

    async def _on_interaction(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        """A click on a clarification button: its value is the question to ask."""
        try:
            payload = json.loads(request.form["payload"][0])
        except (KeyError, IndexError, TypeError, json.JSONDecodeError):
            return response.text("no interaction payload", status=HTTPStatus.BAD_REQUEST)
        rated = feedback_from_action(payload)
        if rated is not None:
            return self._on_feedback(request, payload, rated)
        if not self._is_interactive_message(payload):
            return response.text("interaction ignored")
        text = self._get_interactive_response(payload["actions"][0])
        if text is None:
            return response.text("interaction without a value ignored")
        metadata = self.get_metadata(request)
        conversation_id = self._get_conversation_id(
            payload.get("user", {}).get("id"), metadata.get("out_channel"), metadata["thread_id"]
        )
        clean, _ = prepare_message(text)
        self._start(self._answer(on_new_message, clean, conversation_id, metadata))
        return response.text("")

    def _on_feedback(
        self, request: Request, payload: dict[str, Any], rated: dict[str, str]
    ) -> HTTPResponse:
        """A click on the feedback controls: stored in the background, acknowledged now."""
        metadata = self.get_metadata(request)
        channel, thread = metadata.get("out_channel"), metadata.get("thread_id")
        user = payload.get("user", {}).get("id") or ""
        conversation_id = self._get_conversation_id(user, channel, thread) or user
        try:
            submission = parse_submission({"sender": conversation_id, **rated}, "slack")
        except FeedbackError as problem:
            return response.text(f"feedback ignored: {problem}")
        app = request.app

        async def save() -> None:
            # The answer may sit in a colleague's conversation of the same thread, or (a
            # direct message answered in place) in the user's conversation without a thread.
            others = await asyncio.to_thread(
                feedback.feedback_store.conversations_ending,
                feedback.engine_for(app),
                f"_{channel}_{thread}" if channel and thread else "",
            )
            try:
                await feedback.store(app, submission, (*others, user))
            except feedback.UnknownAnswer:
                logger.warning("slack: feedback on an answer not found in the tracker")
            except Exception:  # details for operators; nothing reaches the user
                logger.exception("slack: storing feedback failed")

        self._start(save())
        return response.text("")
