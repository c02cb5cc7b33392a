"""One CDS Hooks call of the ``ldn-order-check`` service, without HTTP: validate the
request, read the draft order and the record, screen, compose cards."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from typing import Any

from ldn_core.patient import PatientFacts
from ldn_core.rules import DosingError, Verdict, check_dose, screen

from .cards import PathForward, not_ldn_card, screening_card, unknown_dose_card, unreadable_card
from .draft_order import DraftOrder, read_draft_order
from .fhir_record import PREFETCH_TYPES, is_missing, parse_resource, read_record
from .patient_facts import facts_from_record
from .prefetch import PREFETCH

SERVICE_ID = "ldn-order-check"
HOOKS = ("order-select", "order-sign")
_PATIENT_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")  # the FHIR id datatype


class HookError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def _service(hook: str, service_id: str, title: str) -> dict:
    return {
        "hook": hook,
        "id": service_id,
        "title": title,
        "description": (
            "Screens a low-dose naltrexone (LDN) order against the patient's record: opioids "
            "and other naltrexone products, liver, kidney, pregnancy and planned procedures, "
            "with cited rules and a dated titration."
        ),
        "prefetch": dict(PREFETCH),
        "usageRequirements": "Naltrexone orders up to 6 mg a day are screened as LDN.",
    }


def discovery() -> dict:
    """One service id per hook, as CDS Hooks requires; both ids reach the same check, and
    ``/cds-services/ldn-order-check`` itself accepts either hook."""
    return {
        "services": [
            _service("order-select", SERVICE_ID, "Low-dose naltrexone order check"),
            _service("order-sign", f"{SERVICE_ID}-sign", "Low-dose naltrexone order check (sign)"),
        ]
    }


def validate_request(body: Any) -> dict:
    """The hook request's context, or HookError(400) naming what is wrong."""
    if not isinstance(body, dict):
        raise HookError(400, "the request body must be a JSON object")
    if body.get("hook") not in HOOKS:
        raise HookError(400, f"hook must be one of {', '.join(HOOKS)}")
    if not isinstance(body.get("hookInstance"), str) or not body["hookInstance"]:
        raise HookError(400, "hookInstance (a string) is required")
    context = body.get("context")
    if not isinstance(context, dict):
        raise HookError(400, "context (an object) is required")
    patient_id = context.get("patientId")
    if not isinstance(patient_id, str) or not _PATIENT_ID.match(patient_id):
        raise HookError(400, "context.patientId must be a FHIR id")
    orders = context.get("draftOrders")
    if not isinstance(orders, dict) or orders.get("resourceType") != "Bundle":
        raise HookError(400, "context.draftOrders must be a FHIR Bundle")
    if not isinstance(orders.get("entry", []), list):
        raise HookError(400, "context.draftOrders.entry must be a list")
    if body["hook"] == "order-select" and not isinstance(context.get("selections"), list):
        raise HookError(400, "context.selections (a list) is required for order-select")
    prefetch = body.get("prefetch", {})
    if prefetch is not None and not isinstance(prefetch, dict):
        raise HookError(400, "prefetch must be an object")
    server = body.get("fhirServer")
    if server is not None and not (isinstance(server, str) and server.startswith("http")):
        raise HookError(400, "fhirServer must be an http(s) URL")
    return context


def missing_prefetch(body: dict) -> list[str]:
    prefetch = body.get("prefetch") or {}
    return [key for key in PREFETCH_TYPES if is_missing(prefetch.get(key))]


def draft_orders(body: dict, today: dt.date) -> list[DraftOrder]:
    context = body["context"]
    selected = set(context.get("selections") or []) if body["hook"] == "order-select" else None
    orders = []
    for entry in context["draftOrders"].get("entry") or []:
        raw = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(raw, dict) or raw.get("resourceType") != "MedicationRequest":
            continue  # other draft orders (labs, imaging) are not this service's business
        if selected is not None and f"MedicationRequest/{raw.get('id')}" not in selected:
            continue
        model, problem = parse_resource(raw, "MedicationRequest")
        if problem:
            raise HookError(400, f"draft order is not a valid MedicationRequest: {problem}")
        orders.append(read_draft_order(model, raw, today))
    return orders


def path_forward(facts: PatientFacts, order_date: dt.date) -> PathForward | None:
    """The rules' answer if every current opioid had its last dose on the order date."""
    current = [o for o in facts.opioids if o.current]
    if not current:
        return None
    stopped = [
        replace(o, current=False, last_dose=order_date) if o.current else o for o in facts.opioids
    ]
    what_if = replace(facts, opioids=stopped, requested_start=order_date)
    return PathForward(tuple(o.drug for o in current), order_date, screen(what_if, order_date))


def cards_for_order(order: DraftOrder, record: Any) -> list[dict]:
    if order.daily_dose_mg is None and order.medication.category == "naltrexone":
        return [unknown_dose_card(order)]
    if not order.is_ldn:
        try:
            assessment = check_dose(order.daily_dose_mg) if order.daily_dose_mg else None
        except DosingError:
            assessment = None  # above 50 mg: the dose rule itself refuses it
        return [not_ldn_card(order, assessment)]
    mapped = facts_from_record(record, order)
    result = screen(mapped.facts, order.order_date)
    path = path_forward(mapped.facts, order.order_date)
    if result.verdict is not Verdict.DO_NOT_START:
        path = None
    return [screening_card(order, mapped, result, path)]


def check_order(body: dict, today: dt.date) -> dict:
    """Cards for a validated hook request whose prefetch is complete."""
    orders = [o for o in draft_orders(body, today) if o.is_naltrexone]
    if not orders:
        return {"cards": []}
    record = read_record(body.get("prefetch") or {})
    cards = [card for order in orders for card in cards_for_order(order, record)]
    if record.unreadable and any(o.is_ldn for o in orders):
        cards.append(unreadable_card(record.unreadable))
    return {"cards": cards}
