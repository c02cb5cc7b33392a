"""When each passage and rule was last reviewed, and by whom (a role, never a name).

Passages carry ``reviewed:`` (and optionally ``reviewed_by:``) in their own files; rules are
read by a strict loader, so their review metadata lives in ``knowledge/reviews.yaml`` by rule
id. ``ReviewIndex`` joins both so the validator can flag stale items and the answer payload
can show each point's review date.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .store import RULES_DIR, content_files, hash_files, knowledge_dir, passage_files

REVIEWS_FILE = "reviews.yaml"
# libyaml's loader when present: the first answer of an action server loads this index, and
# the C loader reads the whole store about 8x faster than the pure-Python one.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DEFAULT_MAX_AGE_MONTHS = 12


@dataclass(frozen=True)
class Review:
    reviewed: dt.date
    reviewed_by: str


@dataclass(frozen=True)
class ReviewIndex:
    passages: dict[str, Review]
    rules: dict[str, Review]
    files: dict[str, Review]  # rule files reviewed as a whole, e.g. "rules/opioids.yaml"
    rule_ids: dict[str, str]  # every rule id found in knowledge/rules -> its file
    max_age_months: int
    knowledge_version: str  # short content hash of sources.yaml + passages

    def of(self, origin_id: str) -> Review | None:
        """The review of the passage or rule an answer point came from, if known."""
        return self.passages.get(origin_id) or self.rules.get(origin_id)

    def stale(self, today: dt.date, max_age_months: int | None = None) -> list[tuple[str, Review]]:
        """(id, review) of every item last reviewed before the cut-off, oldest first."""
        cutoff = months_before(today, max_age_months or self.max_age_months)
        items = {**self.passages, **self.rules, **self.files}
        return sorted(
            ((k, r) for k, r in items.items() if r.reviewed < cutoff), key=lambda kv: kv[1].reviewed
        )


def months_before(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _review(raw: Any, default_by: str) -> Review | None:
    if not isinstance(raw, dict):
        return None
    day = _date(raw.get("reviewed"))
    by = raw.get("reviewed_by") or default_by
    return Review(day, str(by)) if day and by else None


def _read(path: Path) -> Any:
    """Parsed YAML, or None when missing or unreadable (the validator reports those)."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)  # safe loaders only
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None


def load_reviews(root: Path) -> ReviewIndex:
    """Read the review metadata of the knowledge store under ``root`` (tolerant: items whose
    metadata is malformed are left out; the validator reports them)."""
    kdir = knowledge_dir(Path(root))
    ledger = _read(kdir / REVIEWS_FILE) or {}
    default_by = str((ledger.get("passages") or {}).get("reviewed_by") or "")
    passages: dict[str, Review] = {}
    for path in passage_files(kdir):
        doc = _read(path)
        for raw in doc.get("passages") or [] if isinstance(doc, dict) else []:
            review = _review(raw, default_by)
            if review and isinstance(raw.get("id"), str):
                passages[raw["id"]] = review
    rules = {
        str(k): r
        for k, v in (ledger.get("rules") or {}).items()
        if (r := _review(v, "")) is not None
    }
    files = {
        str(k): r
        for k, v in (ledger.get("files") or {}).items()
        if (r := _review(v, "")) is not None
    }
    rule_ids: dict[str, str] = {}
    for path in sorted((kdir / RULES_DIR).glob("*.yaml")):
        doc = _read(path) or {}
        for raw in doc.get("rules") or [] if isinstance(doc, dict) else []:
            if isinstance(raw, dict) and isinstance(raw.get("id"), str):
                rule_ids[raw["id"]] = f"{RULES_DIR}/{path.name}"
    max_age = ledger.get("max_age_months", DEFAULT_MAX_AGE_MONTHS)
    return ReviewIndex(
        passages=passages,
        rules=rules,
        files=files,
        rule_ids=rule_ids,
        max_age_months=int(max_age) if isinstance(max_age, int) else DEFAULT_MAX_AGE_MONTHS,
        knowledge_version=hash_files(kdir, content_files(kdir))[:12],
    )


@functools.lru_cache(maxsize=4)
def reviews_for(root: str) -> ReviewIndex:
    """Cached per knowledge dir: the answer path reads it on every answer."""
    return load_reviews(Path(root))
