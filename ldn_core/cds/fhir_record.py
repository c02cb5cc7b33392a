"""The patient's FHIR resources from a hook's prefetch (or from the FHIR server), parsed
and validated with the ``fhir.resources`` R4B models (R4B is R4 for every resource used
here; ``fhir.resources`` >= 7 defaults to R5, so the R4B package is named explicitly).

A resource that fails validation is not guessed at: it is listed in ``unreadable`` (type,
id and the failing field names only, never values) and the facts it could have given stay
unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

# prefetch key -> the resource type its search returns
PREFETCH_TYPES = {
    "patient": "Patient",
    "medications": "MedicationRequest",
    "conditions": "Condition",
    "observations": "Observation",
    "serviceRequests": "ServiceRequest",
    "procedures": "Procedure",
}


@dataclass
class PatientRecord:
    resources: dict[str, list[Any]] = field(default_factory=dict)  # prefetch key -> models
    unreadable: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # prefetch keys with no data

    def get(self, key: str) -> list[Any]:
        return self.resources.get(key, [])

    def has(self, key: str) -> bool:
        """True when the key's data was provided (even as an empty search result)."""
        return key in self.resources

    def readable(self, resource_type: str) -> bool:
        return not any(u.startswith(f"{resource_type}:") for u in self.unreadable)


def parse_resource(raw: Any, expected: str | None = None) -> tuple[Any | None, str | None]:
    """(model, None) or (None, problem). ``problem`` names no patient values."""
    if not isinstance(raw, dict) or not isinstance(raw.get("resourceType"), str):
        return None, "not a FHIR resource (no resourceType)"
    kind = raw["resourceType"]
    name = f"{kind}/{raw.get('id', '?')}"
    if expected and kind != expected:
        return None, f"{name}: expected {expected}"
    try:
        return get_fhir_model_class(kind).model_validate(raw), None
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        if isinstance(exc, ValidationError):
            where = sorted({".".join(str(p) for p in e["loc"]) or "resource" for e in exc.errors()})
            return None, f"{name}: invalid {', '.join(where)}"
        return None, f"{name}: unknown resource type"


def _entries(value: Any) -> list[Any]:
    """Resources of a prefetch value: a Bundle's entries (search matches only) or one
    resource."""
    if isinstance(value, dict) and value.get("resourceType") == "Bundle":
        entries = value.get("entry") or []
        return [
            e.get("resource")
            for e in entries
            if isinstance(e, dict) and (e.get("search") or {}).get("mode", "match") == "match"
        ]
    return [value]


def is_missing(value: Any) -> bool:
    """No data for a prefetch key: absent, null, or an OperationOutcome in place of the
    result (the EHR could not run the search)."""
    return value is None or (
        isinstance(value, dict) and value.get("resourceType") == "OperationOutcome"
    )


def has_more_pages(value: Any) -> bool:
    links = value.get("link") if isinstance(value, dict) else None
    return any(isinstance(li, dict) and li.get("relation") == "next" for li in links or [])


def read_record(prefetch: dict[str, Any]) -> PatientRecord:
    record = PatientRecord()
    for key, expected in PREFETCH_TYPES.items():
        value = prefetch.get(key)
        if is_missing(value):
            record.missing.append(key)
            continue
        if has_more_pages(value):
            # only part of the search result: what is absent from it is unknown, not absent
            record.unreadable.append(f"{expected}: search result has pages that were not sent")
        models = []
        for raw in _entries(value):
            if isinstance(raw, dict) and raw.get("resourceType") == "OperationOutcome":
                continue  # search warnings, not data
            model, problem = parse_resource(raw, expected)
            if problem:
                record.unreadable.append(f"{expected}: {problem}")
            else:
                models.append(model)
        record.resources[key] = models
    return record
