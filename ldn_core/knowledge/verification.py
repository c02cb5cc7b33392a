"""The repository's own verification record of the bibliography (``knowledge/verification.yaml``).

For each source: the identifiers that were confirmed, how and against what, when and by whom.
The validator checks ``sources.yaml`` against it, so a clone of the repository validates with
nothing beside it; the evidence dossier outside the repository is an optional cross-check.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .schema import KnowledgeError, read_yaml

VERIFICATION_FILE = "verification.yaml"
IDENTIFIER_FIELDS: tuple[str, ...] = ("doi", "pmid", "pmcid", "nct")
RECORD_REQUIRED: tuple[str, ...] = (
    "id",
    "checked",
    "checked_by",
    "identifiers",
    "verified",
    "against",
)
RECORD_OPTIONAL: tuple[str, ...] = ("how_seen", "open")
RECORD_FIELDS = frozenset(RECORD_REQUIRED + RECORD_OPTIONAL)


@dataclass(frozen=True)
class Record:
    id: str
    checked: dt.date
    checked_by: str
    identifiers: dict[str, str]
    verified: str
    against: tuple[str, ...]
    how_seen: dict[str, str] = field(default_factory=dict)
    open: tuple[str, ...] = ()


@dataclass(frozen=True)
class Problem:
    item: str
    field: str
    message: str
    severity: str = "error"


@dataclass
class VerificationRecord:
    records: dict[str, Record]
    excluded: dict[str, str]  # source id -> why it is not cited
    problems: list[Problem]


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _check_record(raw: Any, today: dt.date) -> tuple[Record | None, list[Problem]]:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        return None, [Problem("", "", "each record must be a mapping with a string id")]
    item = raw["id"]
    problems = [
        Problem(item, f, "required field is missing") for f in RECORD_REQUIRED if f not in raw
    ]
    problems += [Problem(item, str(k), "unknown field") for k in raw if k not in RECORD_FIELDS]
    checked = _as_date(raw.get("checked"))
    if "checked" in raw and checked is None:
        problems.append(
            Problem(item, "checked", f"must be a date YYYY-MM-DD, got {raw['checked']!r}")
        )
    elif checked is not None and checked > today:
        problems.append(Problem(item, "checked", f"date {checked} is in the future"))
    identifiers = raw.get("identifiers") or {}
    if not isinstance(identifiers, dict) or any(
        k not in IDENTIFIER_FIELDS or not isinstance(v, str) or not v
        for k, v in identifiers.items()
    ):
        problems.append(
            Problem(
                item, "identifiers", f"must map {'/'.join(IDENTIFIER_FIELDS)} to non-empty strings"
            )
        )
        identifiers = {}
    how_seen = raw.get("how_seen") or {}
    if not isinstance(how_seen, dict) or not set(how_seen) <= set(identifiers):
        problems.append(Problem(item, "how_seen", "must only describe listed identifiers"))
        how_seen = {}
    for name in ("checked_by", "verified"):
        if name in raw and (not isinstance(raw[name], str) or not raw[name].strip()):
            problems.append(Problem(item, name, "must be a non-empty string"))
    against = raw.get("against")
    if "against" in raw and (
        not isinstance(against, list) or not against or not all(isinstance(a, str) for a in against)
    ):
        problems.append(
            Problem(item, "against", "must be a non-empty list of where it was checked")
        )
    if problems:
        return None, problems
    return (
        Record(
            id=item,
            checked=checked,  # type: ignore[arg-type]  # checked above
            checked_by=raw["checked_by"].strip(),
            identifiers={k: v.strip() for k, v in identifiers.items()},
            verified=raw["verified"].strip(),
            against=tuple(against),
            how_seen=dict(how_seen),
            open=tuple(raw.get("open") or ()),
        ),
        [],
    )


def parse(doc: Any, today: dt.date | None = None) -> VerificationRecord:
    """The record from its parsed YAML; every structural problem is collected, none raised."""
    today = today or dt.date.today()
    result = VerificationRecord(records={}, excluded={}, problems=[])
    if not isinstance(doc, dict) or not isinstance(doc.get("records"), list):
        result.problems.append(Problem("", "records", "the file must have a list `records:`"))
        return result
    for raw in doc["records"]:
        record, problems = _check_record(raw, today)
        result.problems += problems
        if record is None:
            continue
        if record.id in result.records:
            result.problems.append(Problem(record.id, "id", "duplicate record"))
            continue
        result.records[record.id] = record
    for raw in doc.get("excluded") or []:
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not raw.get("reason"):
            result.problems.append(Problem("", "excluded", "each entry needs an id and a reason"))
            continue
        result.excluded[raw["id"]] = str(raw["reason"])
    for sid in set(result.excluded) & set(result.records):
        result.problems.append(Problem(sid, "id", "both verified and excluded"))
    return result


def load(kdir: Path, display: str) -> VerificationRecord:
    """``verification.yaml`` of the knowledge dir; ``KnowledgeError`` if missing or unreadable."""
    path = Path(kdir) / VERIFICATION_FILE
    if not path.exists():
        raise KnowledgeError(
            display, "", "", "file not found: every source needs a verification record"
        )
    return parse(read_yaml(path, display))


def compare_source(
    source_id: str, identifiers: dict[str, str], vr: VerificationRecord
) -> list[Problem]:
    """How one source's identifiers (field -> value, "" if empty) differ from its record."""
    if source_id in vr.excluded:
        return [
            Problem(
                source_id, "id", f"excluded by the verification record: {vr.excluded[source_id]}"
            )
        ]
    record = vr.records.get(source_id)
    if record is None:
        return [
            Problem(
                source_id, "id", "no entry in the verification record (knowledge/verification.yaml)"
            )
        ]
    problems = []
    for name in IDENTIFIER_FIELDS:
        value, verified = identifiers.get(name, ""), record.identifiers.get(name, "")
        if value and not verified:
            problems.append(
                Problem(
                    source_id, name, f"{name.upper()} {value} is not in the verification record"
                )
            )
        elif value and value.lower() != verified.lower():
            problems.append(
                Problem(
                    source_id,
                    name,
                    f"{name.upper()} {value} differs from the verified {verified}",
                )
            )
        elif verified and not value:
            problems.append(
                Problem(
                    source_id,
                    name,
                    f"the verified {name.upper()} {verified} is missing from sources.yaml",
                    "warning",
                )
            )
    return problems
