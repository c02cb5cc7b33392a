"""Load and validate the rule files under ``knowledge/rules/`` into frozen dataclasses.

The YAML files are the clinicians' audit surface; this module only checks their shape and
turns them into typed objects. A malformed file raises ``RulesDataError`` naming the file,
the rule and the field. Whether cited source ids exist in ``sources.yaml`` is checked by
``python -m ldn_core.knowledge.validate`` (and by the tests).
"""

from __future__ import annotations

import datetime as dt
import functools
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

RULES_DIR = Path(__file__).resolve().parents[2] / "knowledge" / "rules"

EVIDENCE_WORDS = ("high", "moderate", "low", "very_low")
SEVERITIES = ("block", "review", "wait", "caution", "info")
# uncertain: acts on opioid receptors (or may), but is not a classic opioid painkiller and no
# verified washout or interaction figure exists (kratom, tianeptine, eluxadoline, loperamide
# misuse). Screening sends these to specialist review.
OPIOID_KINDS = ("short_acting", "long_acting", "maintenance", "uncertain")
_RULE_KEYS = {"id", "severity", "params", "reason", "sources", "evidence", "decision"}


class RulesDataError(ValueError):
    """A rule file is missing, malformed or lacks something the code needs."""


def format_value(value: Any) -> str:
    """How numbers and dates appear inside reason texts: ``4.5``, ``14``, ``Thu 5 Mar 2026``."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dt.date):
        return f"{value:%a} {value.day} {value:%b %Y}"
    return str(value)


@dataclass(frozen=True)
class Rule:
    """One rule: parameters, a reason template, its sources and evidence word."""

    id: str
    reason: str
    sources: tuple[str, ...]
    evidence: str
    params: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    severity: str | None = None
    decision: str = ""

    def param(self, name: str) -> float:
        try:
            return self.params[name]
        except KeyError:
            raise RulesDataError(f"rule {self.id!r} has no parameter {name!r}") from None

    def placeholders(self) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(self.reason) if name}

    def render(self, **values: Any) -> str:
        """The reason text with params and ``values`` filled in (values win over params)."""
        context = {**self.params, **values}
        missing = self.placeholders() - context.keys()
        if missing:
            raise RulesDataError(f"rule {self.id!r}: no value for {sorted(missing)} in its reason")
        return " ".join(
            self.reason.format(**{k: format_value(v) for k, v in context.items()}).split()
        )


@dataclass(frozen=True)
class Confirmation:
    """A group of facts a verdict depends on, named for the clinician.

    ``blocking``: while any of ``keys`` is unknown, no ``can_start`` is given (the verdict is
    ``insufficient_information``). Otherwise the unknown fact is listed under "confirm before
    prescribing" next to a qualified ``can_start``.
    """

    group: str
    label: str
    blocking: bool
    keys: tuple[str, ...]
    decision: str = ""


@dataclass(frozen=True)
class RuleSet:
    path: Path
    sources: tuple[str, ...]
    rules: Mapping[str, Rule]
    questions: Mapping[str, str]
    confirmations: tuple[Confirmation, ...] = ()

    def confirmation_for(self, key: str) -> Confirmation | None:
        """The group of a question key; ``opioid_current:tramadol`` belongs to its prefix."""
        base = key.split(":", 1)[0]
        return next((c for c in self.confirmations if base in c.keys), None)

    def rule(self, rule_id: str) -> Rule:
        try:
            return self.rules[rule_id]
        except KeyError:
            raise RulesDataError(f"{self.path.name}: no rule with id {rule_id!r}") from None

    def question(self, key: str, **values: Any) -> str:
        try:
            text = self.questions[key]
        except KeyError:
            raise RulesDataError(f"{self.path.name}: no question {key!r}") from None
        return " ".join(text.format(**values).split())


@dataclass(frozen=True)
class OpioidEntry:
    name: str
    kind: str
    aliases: tuple[str, ...]
    long_acting_aliases: tuple[str, ...] = ()
    short_acting_aliases: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class InteractionEntry:
    name: str
    aliases: tuple[str, ...]
    note: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class NaltrexoneProduct:
    name: str
    fact: str  # the PatientFacts field it sets, e.g. "on_naltrexone_bupropion"
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class OpioidData:
    sources: tuple[str, ...]
    long_acting_markers: tuple[str, ...]
    opioids: tuple[OpioidEntry, ...]
    interaction_only: tuple[InteractionEntry, ...]
    naltrexone_products: tuple[NaltrexoneProduct, ...]


# ---------------------------------------------------------------- helpers


class _Checker:
    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, message: str) -> RulesDataError:
        return RulesDataError(f"{self.path.name} [{where}]: {message}")

    def read(self) -> dict[str, Any]:
        try:
            doc = yaml.safe_load(self.path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise RulesDataError(f"cannot read rule file {self.path}: {exc}") from exc
        except yaml.YAMLError as exc:
            raise RulesDataError(f"{self.path.name}: invalid YAML: {exc}") from exc
        if not isinstance(doc, dict):
            raise self.fail("top", "expected a mapping at the top level")
        return doc

    def text(self, raw: Mapping[str, Any], key: str, where: str, required: bool = True) -> str:
        value = raw.get(key, "" if not required else None)
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(where, f"{key!r} must be a non-empty string")
        return value.strip()

    def strings(
        self, raw: Mapping[str, Any], key: str, where: str, required: bool = True
    ) -> tuple[str, ...]:
        value = raw.get(key)
        if value is None and not required:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(where, f"{key!r} must be a list of strings")
        return tuple(v.strip() for v in value)

    def choice(self, raw: Mapping[str, Any], key: str, where: str, allowed: tuple[str, ...]) -> str:
        value = raw.get(key)
        if value not in allowed:
            raise self.fail(where, f"{key!r} must be one of {', '.join(allowed)}, got {value!r}")
        return value

    def params(self, raw: Mapping[str, Any], where: str) -> Mapping[str, float]:
        value = raw.get("params", {}) or {}
        if not isinstance(value, dict):
            raise self.fail(where, "'params' must be a mapping of name: number")
        for name, number in value.items():
            if isinstance(number, bool) or not isinstance(number, int | float):
                raise self.fail(where, f"parameter {name!r} must be a number, got {number!r}")
        return MappingProxyType(dict(value))


def load_rule_set(
    path: Path,
    required: Mapping[str, Iterable[str]] | None = None,
    need_severity: bool = False,
) -> RuleSet:
    """Load a rules file. ``required`` maps rule ids the caller needs to their parameter names."""
    check = _Checker(Path(path))
    doc = check.read()
    sources = check.strings(doc, "sources", "top", required=False)
    raw_rules = doc.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise check.fail("top", "'rules' must be a non-empty list")
    rules: dict[str, Rule] = {}
    for index, raw in enumerate(raw_rules):
        where = f"rules[{index}]"
        if not isinstance(raw, dict):
            raise check.fail(where, "each rule must be a mapping")
        rule_id = check.text(raw, "id", where)
        where = rule_id
        unknown = set(raw) - _RULE_KEYS
        if unknown:
            raise check.fail(where, f"unknown field(s) {sorted(unknown)}")
        if rule_id in rules:
            raise check.fail(where, "duplicate rule id")
        severity = None
        if need_severity or "severity" in raw:
            severity = check.choice(raw, "severity", where, SEVERITIES)
        rule = Rule(
            id=rule_id,
            reason=check.text(raw, "reason", where),
            sources=check.strings(raw, "sources", where),
            evidence=check.choice(raw, "evidence", where, EVIDENCE_WORDS),
            params=check.params(raw, where),
            severity=severity,
            decision=check.text(raw, "decision", where, required=False),
        )
        try:
            rule.placeholders()
        except ValueError as exc:
            raise check.fail(where, f"malformed reason template: {exc}") from exc
        rules[rule_id] = rule
    for rule_id, names in (required or {}).items():
        if rule_id not in rules:
            raise check.fail(rule_id, "rule required by the code is missing")
        absent = set(names) - rules[rule_id].params.keys()
        if absent:
            raise check.fail(rule_id, f"missing parameter(s) {sorted(absent)}")
    questions = doc.get("questions", {}) or {}
    if not isinstance(questions, dict) or not all(isinstance(v, str) for v in questions.values()):
        raise check.fail("questions", "must be a mapping of key: text")
    confirmations = _confirmations(check, doc.get("confirmations"), questions)
    return RuleSet(
        Path(path),
        sources,
        MappingProxyType(rules),
        MappingProxyType(dict(questions)),
        confirmations,
    )


def _confirmations(
    check: _Checker, raw: Any, questions: Mapping[str, str]
) -> tuple[Confirmation, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise check.fail("confirmations", "must be a list of groups")
    groups: list[Confirmation] = []
    seen_keys: set[str] = set()
    for index, item in enumerate(raw):
        where = f"confirmations[{index}]"
        if not isinstance(item, dict):
            raise check.fail(where, "each group must be a mapping")
        blocking = item.get("blocking")
        if not isinstance(blocking, bool):
            raise check.fail(where, "'blocking' must be true or false")
        group = Confirmation(
            group=check.text(item, "group", where),
            label=check.text(item, "label", where),
            blocking=blocking,
            keys=check.strings(item, "keys", where),
            decision=check.text(item, "decision", where, required=False),
        )
        for key in group.keys:
            if key in seen_keys:
                raise check.fail(where, f"question key {key!r} is in two groups")
            if key not in questions:
                raise check.fail(where, f"question key {key!r} has no question")
            seen_keys.add(key)
        groups.append(group)
    unassigned = set(questions) - seen_keys
    if unassigned:
        raise check.fail("confirmations", f"question(s) in no group: {sorted(unassigned)}")
    return tuple(groups)


def load_opioid_data(path: Path) -> OpioidData:
    check = _Checker(Path(path))
    doc = check.read()
    opioids = []
    for index, raw in enumerate(doc.get("opioids") or []):
        where = (
            raw.get("name", f"opioids[{index}]") if isinstance(raw, dict) else f"opioids[{index}]"
        )
        if not isinstance(raw, dict):
            raise check.fail(where, "each opioid must be a mapping")
        opioids.append(
            OpioidEntry(
                name=check.text(raw, "name", where).lower(),
                kind=check.choice(raw, "kind", where, OPIOID_KINDS),
                aliases=check.strings(raw, "aliases", where),
                long_acting_aliases=check.strings(
                    raw, "long_acting_aliases", where, required=False
                ),
                short_acting_aliases=check.strings(
                    raw, "short_acting_aliases", where, required=False
                ),
                note=check.text(raw, "note", where, required=False),
            )
        )
    if not opioids:
        raise check.fail("opioids", "must be a non-empty list")
    interactions = tuple(
        InteractionEntry(
            name=check.text(raw, "name", "interaction_only").lower(),
            aliases=check.strings(raw, "aliases", raw.get("name", "interaction_only")),
            note=check.text(raw, "note", raw.get("name", "interaction_only")),
            sources=check.strings(raw, "sources", raw.get("name", "interaction_only")),
        )
        for raw in doc.get("interaction_only") or []
    )
    products = tuple(
        NaltrexoneProduct(
            name=check.text(raw, "name", "naltrexone_products"),
            fact=check.text(raw, "fact", raw.get("name", "naltrexone_products")),
            aliases=check.strings(raw, "aliases", raw.get("name", "naltrexone_products")),
        )
        for raw in doc.get("naltrexone_products") or []
    )
    return OpioidData(
        sources=check.strings(doc, "sources", "top", required=False),
        long_acting_markers=tuple(
            m.lower() for m in check.strings(doc, "long_acting_markers", "top")
        ),
        opioids=tuple(opioids),
        interaction_only=interactions,
        naltrexone_products=products,
    )


@functools.cache
def opioid_data(rules_dir: Path = RULES_DIR) -> OpioidData:
    return load_opioid_data(Path(rules_dir) / "opioids.yaml")
