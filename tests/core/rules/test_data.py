"""The rule files load, cite real sources and render; malformed files fail clearly."""

from __future__ import annotations

import datetime as dt
import string
from pathlib import Path

import pytest
import yaml

from ldn_core.rules import data
from ldn_core.rules.data import RulesDataError, format_value, load_opioid_data, load_rule_set
from ldn_core.rules.dosing import titration_rules
from ldn_core.rules.screening import screening_rules

REPO = Path(__file__).resolve().parents[3]
RULE_FILES = sorted((REPO / "knowledge" / "rules").glob("*.yaml"))

# Source ids of the evidence dossier that the rules may cite (section 1 IDs).
DOSSIER_IDS = {
    "label_ntx_oral",
    "label_ntx_older",
    "label_vivitrol",
    "whately2023",
    "ldndirect_blog",
    "dieckmann2017_review",
    "practice_dosing",
    "compounder_liquid",
    "cag2019_crohn",
    "parker2018_cochrane",
    "cree2010",
    "raknes2017_ms",
    "smith2013_peds",
    "renal_ref",
    "wachman2019",
    "kelty2017",
    "drug_guide_pk",
    "label_contrave",
    "bruun2024_final",
    "marcus2024",
    "driver2023",
    "liver_cohort2022",
    "younger2014",
    "younger2013",
    "ukmi2013",
    "jucm_ldn",
}
NEVER_CITE = {"spaqi2021", "pdn_case"}


def _all_sources(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "sources":
                yield from value
            else:
                yield from _all_sources(value)
    elif isinstance(node, list):
        for value in node:
            yield from _all_sources(value)


def test_rule_files_exist():
    names = {p.name for p in RULE_FILES}
    assert {"opioids.yaml", "titration.yaml", "screening.yaml"} <= names


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_every_cited_source_is_a_dossier_id(path):
    cited = set(_all_sources(yaml.safe_load(path.read_text())))
    assert cited, "a rule file must cite something"
    assert cited <= DOSSIER_IDS, cited - DOSSIER_IDS
    assert not cited & NEVER_CITE


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_cited_sources_exist_in_sources_yaml(path):
    sources_file = REPO / "knowledge" / "sources.yaml"
    if not sources_file.exists():
        pytest.skip("knowledge/sources.yaml not written yet")
    known = {s["id"] for s in yaml.safe_load(sources_file.read_text())["sources"]}
    missing = set(_all_sources(yaml.safe_load(path.read_text()))) - known
    assert not missing


@pytest.mark.parametrize(
    "rules", [titration_rules, screening_rules], ids=["titration", "screening"]
)
def test_every_rule_renders_with_values_for_its_placeholders(rules):
    for rule in rules().rules.values():
        values = {name: "X" for name in rule.placeholders() - rule.params.keys()}
        text = rule.render(**values)
        assert "{" not in text and text.strip()
        assert rule.evidence in data.EVIDENCE_WORDS


def test_screening_rules_all_have_a_severity():
    assert all(r.severity in data.SEVERITIES for r in screening_rules().rules.values())


def test_safety_rules_cite_a_source():
    for rule in screening_rules().rules.values():
        if rule.severity in ("block", "review", "wait"):
            assert rule.sources, rule.id


def test_render_reports_a_missing_value():
    rule = screening_rules().rule("opioid_current")
    with pytest.raises(RulesDataError, match="drug"):
        rule.render()


def test_questions_are_plain_text():
    rules = screening_rules()
    assert "oxycodone" in rules.question("opioid_current", drug="oxycodone")
    with pytest.raises(RulesDataError):
        rules.question("no_such_question")


def test_format_value():
    assert format_value(4.0) == "4"
    assert format_value(1.5) == "1.5"
    assert format_value(72) == "72"
    assert format_value(dt.date(2024, 2, 29)) == "Thu 29 Feb 2024"


def _write(tmp_path, doc) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(doc) if not isinstance(doc, str) else doc)
    return path


GOOD = {
    "rule": {
        "id": "r1",
        "reason": "Wait {days} days.",
        "sources": ["label_ntx_oral"],
        "evidence": "low",
        "severity": "wait",
        "params": {"days": 7},
    }
}


def test_load_good_rule(tmp_path):
    rules = load_rule_set(_write(tmp_path, {"rules": [GOOD["rule"]]}), {"r1": ["days"]})
    assert rules.rule("r1").render() == "Wait 7 days."
    assert rules.rule("r1").param("days") == 7
    with pytest.raises(RulesDataError, match="no parameter"):
        rules.rule("r1").param("hours")
    with pytest.raises(RulesDataError, match="no rule"):
        rules.rule("r2")


@pytest.mark.parametrize(
    "change, message",
    [
        ({"evidence": "strong"}, "evidence"),
        ({"severity": "maybe"}, "severity"),
        ({"sources": "label_ntx_oral"}, "sources"),
        ({"params": {"days": "seven"}}, "number"),
        ({"params": {"days": True}}, "number"),
        ({"reason": ""}, "reason"),
        ({"reason": "Wait {days days."}, "template"),
        ({"colour": "red"}, "unknown field"),
    ],
)
def test_malformed_rule_is_rejected_with_its_id(tmp_path, change, message):
    raw = {**GOOD["rule"], **change}
    with pytest.raises(RulesDataError, match=message) as info:
        load_rule_set(_write(tmp_path, {"rules": [raw]}), need_severity=True)
    assert "r1" in str(info.value)


def test_duplicate_ids_missing_required_and_bad_yaml(tmp_path):
    with pytest.raises(RulesDataError, match="duplicate"):
        load_rule_set(_write(tmp_path, {"rules": [GOOD["rule"], GOOD["rule"]]}))
    with pytest.raises(RulesDataError, match="missing parameter"):
        load_rule_set(_write(tmp_path, {"rules": [GOOD["rule"]]}), {"r1": ["hours"]})
    with pytest.raises(RulesDataError, match="required by the code"):
        load_rule_set(_write(tmp_path, {"rules": [GOOD["rule"]]}), {"r9": []})
    with pytest.raises(RulesDataError, match="invalid YAML"):
        load_rule_set(_write(tmp_path, "rules: [\n"))
    with pytest.raises(RulesDataError, match="cannot read"):
        load_rule_set(tmp_path / "absent.yaml")


def test_opioid_file_kinds_are_validated(tmp_path):
    doc = {
        "long_acting_markers": ["er"],
        "opioids": [{"name": "oxycodone", "kind": "fast", "aliases": ["oxy"]}],
    }
    with pytest.raises(RulesDataError, match="kind"):
        load_opioid_data(_write(tmp_path, doc))


def test_rule_objects_are_frozen():
    rule = screening_rules().rule("opioid_current")
    with pytest.raises(AttributeError):
        rule.id = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        rule.params["x"] = 1  # type: ignore[index]


def test_reason_templates_use_no_positional_fields():
    for rules in (titration_rules(), screening_rules()):
        for rule in rules.rules.values():
            for _, name, _, _ in string.Formatter().parse(rule.reason):
                assert name != "", rule.id


def test_day_counts_are_the_same_in_every_rule_that_states_them():
    for name in ("min_days", "conservative_days"):
        values = {r.params[name] for r in screening_rules().rules.values() if name in r.params}
        assert len(values) == 1, (name, values)
    assert screening_rules().rule("opioid_washout_wait").params["min_days"] == 7
    assert screening_rules().rule("opioid_washout_wait").params["conservative_days"] == 10
