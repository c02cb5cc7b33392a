"""CDS Hooks 2.0 HTTP service for LDN orders (aiohttp).

    GET  /cds-services                               discovery
    POST /cds-services/ldn-order-check               order-select or order-sign
    POST /cds-services/ldn-order-check-sign          order-sign (its discovery entry)
    POST /cds-services/{id}/feedback                 card outcomes -> SQLite

Logs carry hook names, status codes and card counts; never patient data.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from aiohttp import web

from ldn_core.cds import SERVICE_ID, HookError, check_order, discovery
from ldn_core.cds.service import missing_prefetch, validate_request

from .auth import AuthError, check_bearer
from .feedback_store import FeedbackError, FeedbackStore
from .fhir_client import FhirFetchError, fetch_missing
from .settings import CdsSettings

log = logging.getLogger("cds_service")
SERVICE_IDS = (SERVICE_ID, f"{SERVICE_ID}-sign")
MAX_BODY_BYTES = 2 * 1024 * 1024  # a patient's prefetch can be large, but not unbounded
SETTINGS = web.AppKey("settings", CdsSettings)
FEEDBACK = web.AppKey("feedback", FeedbackStore)


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


@web.middleware
async def errors_and_auth(request: web.Request, handler: Any) -> web.StreamResponse:
    if request.path == "/health":  # process supervision, no data
        return await handler(request)
    try:
        await check_bearer(
            request.headers.get("Authorization"), request.path, request.app[SETTINGS]
        )
    except AuthError as exc:
        log.warning("refused %s %s: %s", request.method, request.path, exc)
        return _error(401, str(exc))
    try:
        return await handler(request)
    except HookError as exc:
        log.info("hook error %s on %s", exc.status, request.path)
        return _error(exc.status, exc.message)
    except web.HTTPException:
        raise
    except Exception as exc:  # noqa: BLE001 - the message may quote patient data: type only
        log.error("internal error on %s: %s", request.path, type(exc).__name__)
        return _error(500, "internal error")


async def read_json(request: web.Request) -> Any:
    if request.content_type != "application/json":
        raise HookError(415, "Content-Type must be application/json")
    try:
        return await request.json()
    except ValueError:
        raise HookError(400, "the body is not valid JSON") from None


async def services(request: web.Request) -> web.Response:
    return web.json_response(discovery())


async def hook(request: web.Request) -> web.Response:
    service_id = request.match_info["service_id"]
    if service_id not in SERVICE_IDS:
        raise HookError(404, f"no CDS service {service_id!r}")
    body = await read_json(request)
    context = validate_request(body)
    if service_id.endswith("-sign") and body["hook"] != "order-sign":
        raise HookError(400, f"{service_id} handles order-sign only")
    missing = missing_prefetch(body)
    if missing:
        if not body.get("fhirServer"):
            raise HookError(
                412, "required prefetch missing and no fhirServer given: " + ", ".join(missing)
            )
        try:
            fetched = await fetch_missing(
                body["fhirServer"],
                body.get("fhirAuthorization"),
                context["patientId"],
                missing,
                request.app[SETTINGS].fhir_timeout_s,
            )
        except FhirFetchError as exc:
            raise HookError(502, str(exc)) from None
        body["prefetch"] = {**(body.get("prefetch") or {}), **fetched}
    today = dt.datetime.now(dt.UTC).date()
    result = check_order(body, today)
    log.info(
        "%s: %d card(s) %s (fetched %d key(s))",
        body["hook"],
        len(result["cards"]),
        ",".join(c["indicator"] for c in result["cards"]),
        len(missing),
    )
    return web.json_response(result)


async def feedback(request: web.Request) -> web.Response:
    service_id = request.match_info["service_id"]
    if service_id not in SERVICE_IDS:
        raise HookError(404, f"no CDS service {service_id!r}")
    body = await read_json(request)
    try:
        stored = request.app[FEEDBACK].record(service_id, body)
    except FeedbackError as exc:
        raise HookError(400, str(exc)) from None
    log.info("feedback: %d item(s) for %s", stored, service_id)
    return web.json_response({"stored": stored})


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def make_app(settings: CdsSettings | None = None) -> web.Application:
    settings = settings or CdsSettings.from_env()
    app = web.Application(middlewares=[errors_and_auth], client_max_size=MAX_BODY_BYTES)
    app[SETTINGS] = settings
    app[FEEDBACK] = FeedbackStore(settings.data_dir / "cds_feedback.db")
    app.router.add_get("/health", health)
    app.router.add_get("/cds-services", services)
    app.router.add_post("/cds-services/{service_id}", hook)
    app.router.add_post("/cds-services/{service_id}/feedback", feedback)
    return app
