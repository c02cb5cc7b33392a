"""Structural checks and conversion of the raw YAML of the knowledge store.

``check_*`` functions return a list of ``FieldProblem`` (never raise), so the
validator can report every problem at once; ``build_*`` turn checked raw dicts
into model objects; ``read_yaml`` raises ``KnowledgeError`` on unreadable YAML.
Content checks (identifiers, dossier, evidence, text length) live in ``validate``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .model import (
    CONDITIONS,
    EVIDENCE_LEVELS,
    EVIDENCE_WORDS,
    SOURCE_TYPES,
    Passage,
    Source,
)

SOURCE_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
PASSAGE_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)+$")

SOURCE_STRING_FIELDS: tuple[str, ...] = (
    "authors",
    "title",
    "journal",
    "volume_pages",
    "doi",
    "pmid",
    "pmcid",
    "nct",
    "url",
    "type",
    "evidence_level",
    "notes",
)
SOURCE_REQUIRED: tuple[str, ...] = (
    "id",
    "authors",
    "year",
    "title",
    "journal",
    "volume_pages",
    "doi",
    "pmid",
    "pmcid",
    "type",
    "evidence_level",
    "notes",
)
SOURCE_OPTIONAL: tuple[str, ...] = ("nct", "url")
SOURCE_FIELDS: frozenset[str] = frozenset(SOURCE_REQUIRED + SOURCE_OPTIONAL)

PASSAGE_REQUIRED: tuple[str, ...] = (
    "id",
    "title",
    "conditions",
    "text",
    "sources",
    "evidence",
    "reviewed",
)
# ``reviewed_by``: the reviewer's role; without it the default of knowledge/reviews.yaml applies.
PASSAGE_OPTIONAL: tuple[str, ...] = ("conflicts_with", "questions", "reviewed_by")
# ``questions``: at most this many per passage, each at most this many characters.
MAX_QUESTIONS = 5
MAX_QUESTION_CHARS = 120
PASSAGE_FIELDS: frozenset[str] = frozenset(PASSAGE_REQUIRED + PASSAGE_OPTIONAL)


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str


class KnowledgeError(ValueError):
    """A knowledge file cannot be loaded; names the file, the item and the field."""

    def __init__(self, file: str, item: str, field: str, message: str) -> None:
        self.file, self.item, self.field, self.message = file, item, field, message
        where = ": ".join(part for part in (file, item, field) if part)
        super().__init__(f"{where}: {message}")


def read_yaml(path: Path, display: str) -> Any:
    """Parsed YAML of ``path``; ``KnowledgeError`` naming ``display`` if unreadable."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise KnowledgeError(display, "", "", f"invalid YAML{where}: {problem}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise KnowledgeError(display, "", "", f"cannot read file: {exc}") from exc


def item_id(raw: Any) -> str:
    """The ``id`` of a raw item when it has a usable one, else ``""``."""
    if isinstance(raw, dict) and isinstance(raw.get("id"), str):
        return raw["id"]
    return ""


def _unknown_and_missing(
    raw: dict, required: tuple[str, ...], known: frozenset[str]
) -> list[FieldProblem]:
    problems = [FieldProblem(f, "required field is missing") for f in required if f not in raw]
    problems += [
        FieldProblem(str(k), f"unknown field (allowed: {', '.join(sorted(known))})")
        for k in raw
        if k not in known
    ]
    return problems


def _id_list(
    value: Any, field: str, pattern: re.Pattern[str], *, non_empty: bool
) -> list[FieldProblem]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return [FieldProblem(field, "must be a list of id strings")]
    if non_empty and not value:
        return [FieldProblem(field, "must list at least one id")]
    bad = [v for v in value if not pattern.match(v)]
    if bad:
        return [FieldProblem(field, f"malformed id(s): {', '.join(bad)}")]
    if len(set(value)) != len(value):
        return [FieldProblem(field, "lists the same id twice")]
    return []


# ------------------------------------------------------------------ sources


def check_source(raw: Any) -> list[FieldProblem]:
    if not isinstance(raw, dict):
        return [FieldProblem("", "each source must be a mapping of fields")]
    problems = _unknown_and_missing(raw, SOURCE_REQUIRED, SOURCE_FIELDS)
    if "id" in raw:
        if not isinstance(raw["id"], str) or not SOURCE_ID_RE.match(raw["id"]):
            problems.append(
                FieldProblem(
                    "id", f"malformed source id {raw['id']!r} (lowercase letters, digits, _)"
                )
            )
    for name in SOURCE_STRING_FIELDS:
        if name in raw and not isinstance(raw[name], str):
            problems.append(
                FieldProblem(
                    name,
                    f"must be a quoted string, got {type(raw[name]).__name__} "
                    f'{raw[name]!r} (use "" when unverified)',
                )
            )
    if "year" in raw:
        year = raw["year"]
        if year in ("", None):
            pass
        elif isinstance(year, bool) or not isinstance(year, int):
            problems.append(FieldProblem("year", f'must be a 4-digit year or "", got {year!r}'))
        elif not 1900 <= year <= 2100:
            problems.append(FieldProblem("year", f"implausible year {year}"))
    if isinstance(raw.get("title"), str) and not raw["title"].strip():
        problems.append(FieldProblem("title", "must not be empty"))
    if isinstance(raw.get("type"), str) and raw["type"] not in SOURCE_TYPES:
        problems.append(
            FieldProblem(
                "type", f"unknown type {raw['type']!r} (allowed: {', '.join(SOURCE_TYPES)})"
            )
        )
    level = raw.get("evidence_level")
    if isinstance(level, str) and level not in EVIDENCE_LEVELS:
        problems.append(FieldProblem("evidence_level", f"must be one of A-E, got {level!r}"))
    return problems


def build_source(raw: dict) -> Source:
    """A ``Source`` from a raw dict that passed ``check_source``."""
    year = raw["year"]
    return Source(
        id=raw["id"],
        year=None if year in ("", None) else int(year),
        **{name: raw.get(name, "").strip() for name in SOURCE_STRING_FIELDS},
    )


# ------------------------------------------------------------------ passages


def _check_date(value: Any) -> list[FieldProblem]:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date | str):
        return [FieldProblem("reviewed", f"must be a date YYYY-MM-DD, got {value!r}")]
    if isinstance(value, str):
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return [FieldProblem("reviewed", f"must be a date YYYY-MM-DD, got {value!r}")]
    return []


def check_passage(raw: Any) -> list[FieldProblem]:
    if not isinstance(raw, dict):
        return [FieldProblem("", "each passage must be a mapping of fields")]
    problems = _unknown_and_missing(raw, PASSAGE_REQUIRED, PASSAGE_FIELDS)
    if "id" in raw and (not isinstance(raw["id"], str) or not PASSAGE_ID_RE.match(raw["id"])):
        problems.append(
            FieldProblem(
                "id",
                f"malformed passage id {raw['id']!r} "
                "(kebab-case with a topic prefix, e.g. fm-final-trial)",
            )
        )
    for name in ("title", "text"):
        if name in raw and (not isinstance(raw[name], str) or not raw[name].strip()):
            problems.append(FieldProblem(name, "must be a non-empty string"))
    if "conditions" in raw:
        conditions = raw["conditions"]
        if (
            not isinstance(conditions, list)
            or not conditions
            or not all(isinstance(c, str) for c in conditions)
        ):
            problems.append(FieldProblem("conditions", "must be a non-empty list of condition ids"))
        else:
            unknown = [c for c in conditions if c not in CONDITIONS]
            if unknown:
                problems.append(
                    FieldProblem("conditions", f"unknown condition id(s): {', '.join(unknown)}")
                )
    if "sources" in raw:
        problems += _id_list(raw["sources"], "sources", SOURCE_ID_RE, non_empty=True)
    if "conflicts_with" in raw and raw["conflicts_with"] is not None:
        problems += _id_list(
            raw["conflicts_with"], "conflicts_with", PASSAGE_ID_RE, non_empty=False
        )
    if "evidence" in raw and raw["evidence"] not in EVIDENCE_WORDS:
        problems.append(
            FieldProblem(
                "evidence", f"must be one of {', '.join(EVIDENCE_WORDS)}, got {raw['evidence']!r}"
            )
        )
    if "reviewed" in raw:
        problems += _check_date(raw["reviewed"])
    if "questions" in raw and raw["questions"] is not None:
        problems += _check_questions(raw["questions"])
    return problems


def _check_questions(questions: Any) -> list[FieldProblem]:
    if not isinstance(questions, list) or not all(
        isinstance(q, str) and q.strip() for q in questions
    ):
        return [FieldProblem("questions", "must be a list of non-empty strings")]
    problems = []
    if len(questions) > MAX_QUESTIONS:
        problems.append(
            FieldProblem("questions", f"{len(questions)} questions (max {MAX_QUESTIONS})")
        )
    for q in questions:
        if len(q.strip()) > MAX_QUESTION_CHARS:
            problems.append(
                FieldProblem(
                    "questions", f"question longer than {MAX_QUESTION_CHARS} characters: {q!r}"
                )
            )
    seen = [" ".join(q.lower().split()) for q in questions]
    if len(set(seen)) != len(seen):
        problems.append(FieldProblem("questions", "the same question is listed twice"))
    return problems


def build_passage(raw: dict, topic: str, file: str) -> Passage:
    """A ``Passage`` from a raw dict that passed ``check_passage``."""
    reviewed = raw["reviewed"]
    if isinstance(reviewed, str):
        reviewed = dt.date.fromisoformat(reviewed)
    return Passage(
        id=raw["id"],
        topic=topic,
        title=raw["title"].strip(),
        conditions=tuple(raw["conditions"]),
        text=" ".join(raw["text"].split()),
        sources=tuple(raw["sources"]),
        evidence=raw["evidence"],
        conflicts_with=tuple(raw.get("conflicts_with") or ()),
        reviewed=reviewed,
        file=file,
        questions=tuple(" ".join(q.split()) for q in raw.get("questions") or ()),
    )


# ------------------------------------------------------------------ file level


def check_sources_document(doc: Any) -> list[FieldProblem]:
    if not isinstance(doc, dict) or not isinstance(doc.get("sources"), list):
        return [FieldProblem("sources", "file must be a mapping with a 'sources' list")]
    extra = [k for k in doc if k != "sources"]
    return [FieldProblem(str(k), "unknown top-level key") for k in extra]


def check_passages_document(doc: Any, file_topic: str) -> list[FieldProblem]:
    if not isinstance(doc, dict) or not isinstance(doc.get("passages"), list):
        return [
            FieldProblem("passages", "file must be a mapping with 'topic' and a 'passages' list")
        ]
    problems = [
        FieldProblem(str(k), "unknown top-level key") for k in doc if k not in ("topic", "passages")
    ]
    if doc.get("topic") != file_topic:
        problems.append(
            FieldProblem(
                "topic",
                f"topic {doc.get('topic')!r} must equal the file name's topic {file_topic!r}",
            )
        )
    return problems
