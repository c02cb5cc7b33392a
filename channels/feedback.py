"""Clinician feedback over HTTP, in the Rasa process, and the curator report page.

    POST /webhooks/feedback/            {"sender", "answer_id", "rating", "reason"?, "comment"?,
                                          "channel"?}  -> 201 {"status": "stored", "id": n}
    GET  /webhooks/feedback/report      the curator report (HTML, inline SVG chart)
    GET  /webhooks/feedback/report.csv  the same items as CSV

A route of its own, not an NLU message: feedback never enters the conversation, never
retrains or waits on the model, and the answer path is untouched. The answer's passage ids,
rule ids, knowledge version and question are read from the tracker's stored events by
``answer_id`` (the payload's id), never taken from the client. Database work runs in a
thread. Authentication: submissions need the web chat sign-in cookie when
LDN_WEBCHAT_JWT_KEY is set (or the REST bearer token, LDN_REST_TOKEN); the report needs the
Rasa API token (RASA_AUTH_TOKEN, as ``?token=`` or a bearer header) when it is set.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import feedback_store
from ldn_core.feedback.events import declined_questions, find_answer
from ldn_core.feedback.model import FeedbackError, FeedbackRecord, Submission, parse_submission
from ldn_core.feedback.report import UTC, build_report, to_csv, to_html

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
REPORT_DAYS = 84  # twelve weeks on the page; the command line takes any range
_fallback_engines: dict[str, sa.engine.Engine] = {}


class UnknownAnswer(LookupError):
    pass


def engine_for(app: Any) -> sa.engine.Engine:
    """The tracker store's engine when Rasa has an SQL store, else one from the environment."""
    engine = feedback_store.engine_from_agent(getattr(app.ctx, "agent", None))
    if engine is not None:
        return engine
    url = feedback_store.tracker_db_url()
    if url not in _fallback_engines:
        _fallback_engines[url] = sa.create_engine(url, pool_pre_ping=True)
    return _fallback_engines[url]


def record_feedback(
    engine: sa.engine.Engine, submission: Submission, other_senders: tuple[str, ...] = ()
) -> int:
    """Join the submission with its stored answer and insert it (blocking: call in a thread).

    The answer is looked for in the submitter's conversation, then in ``other_senders`` (in
    Slack, a colleague may rate an answer given in someone else's thread)."""
    for sender in dict.fromkeys((submission.sender_id, *other_senders)):
        rows = feedback_store.conversation_events(engine, sender)
        facts = find_answer(rows, submission.answer_id)
        if facts is not None:
            record = FeedbackRecord(replace(submission, sender_id=sender), facts, time.time())
            return feedback_store.insert(engine, record)
    raise UnknownAnswer(submission.answer_id)


async def store(app: Any, submission: Submission, other_senders: tuple[str, ...] = ()) -> int:
    feedback_id = await asyncio.to_thread(
        record_feedback, engine_for(app), submission, other_senders
    )
    # ids and codes only: the question and comment may hold patient details
    logger.info(
        "feedback stored: id %s, %s, reason %s, via %s",
        feedback_id,
        submission.rating,
        submission.reason or "-",
        submission.channel,
    )
    return feedback_id


def report_pages(
    engine: sa.engine.Engine, days: int = REPORT_DAYS, csv_href: str = "report.csv"
) -> tuple[str, str]:
    """(html, csv) of the curator report over the last ``days`` days (blocking)."""
    since = time.time() - days * 86400
    declined = declined_questions(feedback_store.all_events(engine, since))
    report = build_report(declined, feedback_store.feedback_rows(engine, since))
    generated = dt.datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return to_html(report, csv_href=csv_href, generated=generated), to_csv(report)


def _error(status: int, message: str) -> HTTPResponse:
    return response.json({"error": message}, status=status)


def _bearer(request: Request) -> str:
    header = request.headers.get("Authorization", "")
    return header[7:] if header.startswith("Bearer ") else ""


def submission_allowed(request: Request) -> bool:
    rest_token = os.environ.get("LDN_REST_TOKEN", "")
    if rest_token and hmac.compare_digest(_bearer(request), rest_token):
        return True
    jwt_key = os.environ.get("LDN_WEBCHAT_JWT_KEY", "")
    if not jwt_key:
        return True  # the web chat is open in this deployment, so is its feedback
    import jwt  # PyJWT, pinned with Rasa

    try:
        jwt.decode(request.cookies.get("ldn_chat_token", ""), jwt_key, algorithms=["HS256"])
        return True
    except jwt.PyJWTError:
        return False


def report_allowed(request: Request) -> bool:
    token = os.environ.get("RASA_AUTH_TOKEN", "")
    if not token:
        return True
    given = request.args.get("token") or _bearer(request)
    return hmac.compare_digest(given, token)


class FeedbackInput(InputChannel):
    """Registered in credentials.yml; serves /webhooks/feedback/."""

    @classmethod
    def name(cls) -> str:
        return "feedback"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("ldn_feedback", __name__)

        @bp.route("/", methods=["POST"])
        async def submit(request: Request) -> HTTPResponse:
            if not submission_allowed(request):
                return _error(401, "sign-in or bearer token required")
            body = request.body or b""
            if len(body) > MAX_BODY_BYTES:
                return _error(413, f"request body over {MAX_BODY_BYTES} bytes")
            try:
                data = json.loads(body.decode("utf-8"))
                channel = data.get("channel", "rest") if isinstance(data, dict) else "rest"
                submission = parse_submission(data, channel)
            except (UnicodeDecodeError, json.JSONDecodeError):
                return _error(400, "body must be JSON")
            except FeedbackError as problem:
                return _error(400, str(problem))
            try:
                feedback_id = await store(request.app, submission)
            except UnknownAnswer:
                return _error(404, "no such answer in this conversation")
            except sa.exc.SQLAlchemyError:
                logger.exception("feedback: storing failed")
                return _error(503, "feedback could not be stored; please try again")
            return response.json({"status": "stored", "id": feedback_id}, status=201)

        @bp.route("/report", methods=["GET"])
        async def report_page(request: Request) -> HTTPResponse:
            if not report_allowed(request):
                return _error(401, "missing or invalid token")
            token = request.args.get("token")
            href = "report.csv" + (f"?{urlencode({'token': token})}" if token else "")
            page, _ = await asyncio.to_thread(
                report_pages, engine_for(request.app), REPORT_DAYS, href
            )
            return response.html(page, headers={"Cache-Control": "no-store"})

        @bp.route("/report.csv", methods=["GET"])
        async def report_csv(request: Request) -> HTTPResponse:
            if not report_allowed(request):
                return _error(401, "missing or invalid token")
            _, text = await asyncio.to_thread(report_pages, engine_for(request.app))
            return response.text(
                text,
                content_type="text/csv; charset=utf-8",
                headers={
                    "Content-Disposition": "attachment; filename=curator-report.csv",
                    "Cache-Control": "no-store",
                },
            )

        return bp
