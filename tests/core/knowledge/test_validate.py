from __future__ import annotations

from pathlib import Path

import pytest

from ldn_core.knowledge import ValidationIssue, validate
from ldn_core.knowledge.dossier import Dossier, contains_identifier, contains_number
from ldn_core.knowledge.validate import count_sentences, default_dossier, main, similarity

from .conftest import Tree, default_passages, default_records, default_sources, record_of

REPO = Path(__file__).resolve().parents[3]
REAL_DOSSIER = default_dossier()


def errors(tree: Tree) -> list[ValidationIssue]:
    return [i for i in validate(tree.kdir, tree.dossier) if i.severity == "error"]


def only_error(tree: Tree) -> ValidationIssue:
    found = errors(tree)
    assert len(found) == 1, "\n".join(map(str, found))
    return found[0]


def with_source(tree: Tree, index: int, **changes: object) -> None:
    items = default_sources()
    items[index].update(changes)
    tree.write_sources(items)


def test_fixture_tree_is_clean(tree: Tree) -> None:
    assert validate(tree.kdir, tree.dossier) == []
    assert validate(tree.base, tree.dossier) == []  # repo root accepted too


# ------------------------------------------------------------------ citations


def test_passage_citing_missing_source(tree: Tree, make_passage) -> None:
    tree.write_passages(
        "dosing",
        [
            make_passage(
                id="dose-x",
                conditions=["general"],
                sources=["delta2018", "ghost2001"],
                evidence="very_low",
            )
        ],
    )
    issue = only_error(tree)
    assert (issue.file, issue.item, issue.field) == (
        "knowledge/passages/dosing.yaml",
        "dose-x",
        "sources",
    )
    assert "ghost2001" in issue.message
    assert str(issue).startswith("ERROR knowledge/passages/dosing.yaml [dose-x] sources:")


def test_passage_without_sources_is_an_error(tree: Tree, make_passage) -> None:
    passages = default_passages()["dosing"]
    passages[0]["sources"] = []
    tree.write_passages("dosing", passages)
    found = errors(tree)
    assert any(i.item == "dose-cohort-range" and i.field == "sources" for i in found)


def test_unused_source(tree: Tree, make_source) -> None:
    tree.write_sources(
        default_sources() + [make_source(id="gamma", doi="", pmid="", pmcid="", nct="")]
    )
    found = [i for i in errors(tree) if i.item == "gamma"]
    assert any(
        i.field == "id" and "not cited" in i.message and i.file == "knowledge/sources.yaml"
        for i in found
    )


def test_unknown_conflicts_with(tree: Tree, make_passage) -> None:
    tree.write_passages(
        "crps", [make_passage(id="crps-x", conditions=["crps"], conflicts_with=["crps-none"])]
    )
    found = errors(tree)
    assert [(i.item, i.field) for i in found if "crps-none" in i.message] == [
        ("crps-x", "conflicts_with")
    ]


# ------------------------------------------------------------------ identifiers vs the dossier


def test_malformed_doi(tree: Tree) -> None:
    with_source(tree, 0, doi="doi:10.1234/abc.5678")
    issue = only_error(tree)
    assert (issue.file, issue.item, issue.field) == ("knowledge/sources.yaml", "alpha2020", "doi")
    assert "malformed" in issue.message


def test_well_formed_doi_not_in_dossier(tree: Tree) -> None:
    with_source(tree, 0, doi="10.1234/abc.9999")
    issue = only_error(tree)
    assert issue.field == "doi" and "does not appear in the evidence dossier" in issue.message


def test_doi_prefix_of_a_dossier_doi_is_not_accepted(tree: Tree) -> None:
    with_source(tree, 0, doi="10.1234/abc.567")
    assert only_error(tree).field == "doi"


def test_doi_match_is_case_insensitive(tree: Tree) -> None:
    with_source(tree, 0, doi="10.1234/ABC.5678")
    assert errors(tree) == []


def test_doi_of_another_row_is_an_error(tree: Tree) -> None:
    with_source(tree, 0, doi="10.5555/rev.1")
    issue = only_error(tree)
    assert issue.field == "doi" and "not in the row of alpha2020" in issue.message


def test_doi_seen_only_outside_section_1_is_an_error(tree: Tree) -> None:
    with_source(tree, 0, doi="10.9999/elsewhere.1")
    assert only_error(tree).field == "doi"


def test_pmid_not_in_dossier(tree: Tree) -> None:
    with_source(tree, 0, pmid="12345679")
    issue = only_error(tree)
    assert issue.field == "pmid" and "12345679" in issue.message


def test_pmid_must_not_match_inside_a_longer_number(tree: Tree) -> None:
    with_source(tree, 2, pmid="234567")  # 6 digits: malformed; and a substring of 2345678
    issue = only_error(tree)
    assert issue.field == "pmid" and "malformed" in issue.message
    with_source(tree, 0, pmid="1234567")  # well-formed 7 digits but only inside 12345678
    assert only_error(tree).field == "pmid"


def test_malformed_pmid(tree: Tree) -> None:
    with_source(tree, 0, pmid="PMID12345678")
    assert "malformed PMID" in only_error(tree).message


def test_pmcid_and_nct_must_be_in_dossier(tree: Tree) -> None:
    with_source(tree, 0, pmcid="PMC7654322", nct="NCT01234568")
    assert sorted(i.field for i in errors(tree)) == ["nct", "pmcid"]


def test_source_not_in_dossier_and_uncitable_source(tree: Tree, make_passage, make_source) -> None:
    extra = [
        make_source(id="zeta2021", doi="", pmid="", pmcid="", nct=""),
        make_source(
            id="gone_case",
            doi="",
            pmid="",
            pmcid="",
            nct="",
            type="case_series",
            evidence_level="D",
        ),
    ]
    tree.write_sources(default_sources() + extra)
    tree.write_records([record_of(s) for s in default_sources() + extra], excluded=[])
    tree.write_passages(
        "crps",
        [
            make_passage(
                id="crps-x",
                conditions=["crps"],
                sources=["zeta2021", "gone_case"],
                evidence="very_low",
            )
        ],
    )
    found = {(i.file, i.item, i.field): i.message for i in errors(tree)}
    assert "not listed in section 1" in found[("knowledge/sources.yaml", "zeta2021", "id")]
    assert "do not cite" in found[("knowledge/sources.yaml", "gone_case", "id")]


# ------------------------------------------------------------------ the verification record


def record_errors(tree: Tree) -> list[ValidationIssue]:
    """Errors without the dossier: what a bare clone of the repository checks."""
    return [i for i in validate(tree.kdir) if i.severity == "error"]


def test_record_alone_validates_a_bare_tree(tree: Tree) -> None:
    tree.dossier.unlink()
    assert validate(tree.kdir) == []


def test_missing_record_file_is_an_error(tree: Tree) -> None:
    (tree.kdir / "verification.yaml").unlink()
    found = record_errors(tree)
    assert [(i.file, i.message.split(":")[0]) for i in found] == [
        ("knowledge/verification.yaml", "file not found")
    ]


def test_source_without_a_record(tree: Tree) -> None:
    tree.write_records(default_records()[1:])
    found = record_errors(tree)
    assert [(i.item, i.field) for i in found] == [("alpha2020", "id")]
    assert "no entry in the verification record" in found[0].message


def test_identifier_not_verified_or_different(tree: Tree) -> None:
    records = default_records()
    del records[0]["identifiers"]["pmcid"]
    records[0]["identifiers"]["doi"] = "10.1234/abc.5679"
    tree.write_records(records)
    found = {i.field: i.message for i in record_errors(tree)}
    assert set(found) == {"doi", "pmcid"}
    assert "differs from the verified 10.1234/abc.5679" in found["doi"]
    assert "PMC7654321 is not in the verification record" in found["pmcid"]


def test_verified_identifier_left_out_of_sources_is_a_warning(tree: Tree) -> None:
    items = default_sources()
    items[0]["nct"] = ""
    tree.write_sources(items, record=False)
    issues = validate(tree.kdir)
    assert [(i.severity, i.item, i.field) for i in issues] == [("warning", "alpha2020", "nct")]


def test_excluded_source_cannot_be_cited(tree: Tree) -> None:
    tree.write_records(default_records()[1:], excluded=[{"id": "alpha2020", "reason": "lost"}])
    found = record_errors(tree)
    assert [(i.item, i.field) for i in found] == [("alpha2020", "id")]
    assert "excluded by the verification record: lost" in found[0].message


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"checked": "27/11/2026"}, "checked"),
        ({"checked": "2999-01-01"}, "checked"),
        ({"against": []}, "against"),
        ({"identifiers": {"isbn": "123"}}, "identifiers"),
        ({"how_seen": {"nct": "in a page address"}, "identifiers": {}}, "how_seen"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_record_schema(tree: Tree, change: dict, field: str) -> None:
    records = default_records()
    records[1].update(change)
    tree.write_records(records)
    found = [(i.file, i.item, i.field) for i in record_errors(tree)]
    assert ("knowledge/verification.yaml", "beta2019", field) in found


def test_record_of_an_unknown_source_is_a_warning(tree: Tree, make_source) -> None:
    tree.write_records(default_records() + [record_of(make_source(id="omega2021"))])
    issues = validate(tree.kdir)
    assert [(i.severity, i.item) for i in issues] == [("warning", "omega2021")]


def test_record_differences_with_the_dossier(tree: Tree, make_source) -> None:
    records = default_records()
    records.append(record_of(make_source(id="omega2021", doi="10.7777/x.1")))
    tree.write_records(records, excluded=[{"id": "beta_lost", "reason": "not located"}])
    found = {(i.item, i.field): (i.severity, i.message) for i in validate(tree.kdir, tree.dossier)}
    assert found[("omega2021", "id")][1] == "not listed in section 1 of the evidence dossier"
    assert "does not appear in the evidence dossier" in found[("omega2021", "doi")][1]
    assert found[("beta_lost", "excluded")][0] == "error"
    # a dossier entry with no record: reported so a curator adds one (or excludes it)
    assert found[("gone_case", "id")] == (
        "warning",
        "dossier difference: listed in the dossier but not in the verification record",
    )


# ------------------------------------------------------------------ schema and uniqueness


def test_duplicate_source_ids(tree: Tree) -> None:
    tree.write_sources(default_sources() + [default_sources()[0]])
    issue = only_error(tree)
    assert (issue.item, issue.field, issue.message) == ("alpha2020", "id", "duplicate source id")


def test_duplicate_passage_ids_across_files(tree: Tree, make_passage) -> None:
    tree.write_passages("crps", [make_passage(conditions=["crps"])])  # id fm-alpha-trial again
    issue = only_error(tree)
    assert (
        issue.file == "knowledge/passages/fibromyalgia.yaml"
        or issue.file == "knowledge/passages/crps.yaml"
    )
    assert issue.field == "id" and "duplicate passage id" in issue.message


def test_type_and_evidence_level_must_agree(tree: Tree) -> None:
    with_source(tree, 2, evidence_level="B")  # cohort -> C
    issue = only_error(tree)
    assert (issue.item, issue.field) == ("delta2018", "evidence_level")


def test_schema_problems_are_all_reported(tree: Tree, make_source) -> None:
    bad = make_source(id="Bad Id", year="2020", colour="red", pmid=12345678, type="anecdote")
    del bad["notes"]
    tree.write_sources(default_sources() + [bad])
    fields = {i.field for i in errors(tree) if i.item == "Bad Id"}
    assert {"id", "year", "colour", "pmid", "type", "notes"} <= fields


def test_passage_schema_problems(tree: Tree, make_passage) -> None:
    tree.write_passages(
        "crps",
        [make_passage(id="Crps_X", conditions=["gout"], evidence="strong", reviewed="27/11/2026")],
    )
    fields = {i.field for i in errors(tree) if i.item == "Crps_X"}
    assert fields == {"id", "conditions", "evidence", "reviewed"}


def test_topic_must_match_file(tree: Tree, make_passage) -> None:
    tree.write_passages("dosing", default_passages()["dosing"], file_topic="renal")
    found = [i for i in errors(tree) if i.field == "topic"]
    assert [(i.file, i.item) for i in found] == [("knowledge/passages/renal.yaml", "")]


def test_unknown_topic_file(tree: Tree, make_passage) -> None:
    tree.write_passages("weather", [make_passage(id="wx-sunny")])
    issue = only_error(tree)
    assert (issue.file, issue.field) == ("knowledge/passages/weather.yaml", "topic")


def test_malformed_yaml_is_reported_not_raised(tree: Tree) -> None:
    tree.write_text("passages/crps.yaml", "topic: crps\npassages:\n  - id: [unclosed\n")
    issue = only_error(tree)
    assert issue.file == "knowledge/passages/crps.yaml" and "invalid YAML" in issue.message


# ------------------------------------------------------------------ evidence strength


def test_evidence_stronger_than_source_allows(tree: Tree, make_passage) -> None:
    tree.write_passages(
        "dosing",
        [
            make_passage(
                id="dose-x", conditions=["general"], sources=["delta2018"], evidence="moderate"
            )
        ],
    )
    issue = only_error(tree)
    assert (issue.file, issue.item, issue.field) == (
        "knowledge/passages/dosing.yaml",
        "dose-x",
        "evidence",
    )
    assert "at most 'low'" in issue.message


@pytest.mark.parametrize(
    ("sources", "evidence", "ok"),
    [
        (["beta2019"], "high", True),
        (["alpha2020"], "high", False),
        (["alpha2020"], "moderate", True),
        (["delta2018", "alpha2020"], "moderate", True),  # the best source counts
        (["delta2018"], "low", True),
        (["delta2018"], "very_low", True),
    ],
)
def test_evidence_ladder(tree: Tree, make_passage, sources, evidence, ok) -> None:
    passages = default_passages()["dosing"] + [
        make_passage(id="dose-x", conditions=["general"], sources=sources, evidence=evidence)
    ]
    tree.write_passages("dosing", passages)
    assert (errors(tree) == []) is ok


# ------------------------------------------------------------------ passage text


def test_too_many_sentences(tree: Tree, make_passage) -> None:
    text = "One is here. Two is here. Three is here. Four is here. Five is here."
    tree.write_passages("crps", [make_passage(id="crps-x", conditions=["crps"], text=text)])
    issue = only_error(tree)
    assert (issue.field, issue.message) == ("text", "text has 5 sentences (1-4 allowed)")


def test_too_long(tree: Tree, make_passage) -> None:
    text = "word " * 150 + "end."
    tree.write_passages("crps", [make_passage(id="crps-x", conditions=["crps"], text=text)])
    issue = only_error(tree)
    assert issue.field == "text" and "max 700" in issue.message


def test_near_duplicate_is_a_warning(tree: Tree, make_passage) -> None:
    original = default_passages()["fibromyalgia"][0]["text"]
    tree.write_passages(
        "crps",
        [make_passage(id="crps-x", conditions=["crps"], text=original.replace("modest", "small"))],
    )
    issues = validate(tree.kdir, tree.dossier)
    assert [i.severity for i in issues] == ["warning"]
    # reported on the later file (fibromyalgia.yaml sorts after crps.yaml)
    assert (issues[0].item, issues[0].field) == ("fm-alpha-trial", "text")
    assert "near-duplicate of crps-x" in issues[0].message


def test_count_sentences() -> None:
    assert count_sentences("One sentence.") == 1
    assert (
        count_sentences("Pain fell 28.8% vs. 18.0% (P=0.016), e.g. in women. Then 2 more. Done!")
        == 3
    )
    assert count_sentences("Smith et al. reported it. Another sentence") == 2
    assert count_sentences("   ") == 0


def test_similarity() -> None:
    assert similarity("LDN helps. Maybe.", "ldn helps maybe") == 1.0
    assert similarity("LDN reduced pain in women.", "Cats sleep all day long.") < 0.2


# ------------------------------------------------------------------ rules files


def test_rules_must_cite_existing_sources(tree: Tree) -> None:
    tree.write_yaml(
        "rules/screening.yaml",
        {
            "rules": [
                {
                    "id": "opioid-washout",
                    "sources": ["alpha2020"],
                    "then": {"sources": ["nobody1999"]},
                },
                {"id": "bad-shape", "sources": "alpha2020"},
            ],
            "sources": ["beta2019"],
        },
    )
    found = sorted((i.item, i.message) for i in errors(tree))
    assert found == [
        ("bad-shape", "must be a list of source ids"),
        ("opioid-washout", "cites unknown source 'nobody1999'"),
    ]
    assert all(i.file == "knowledge/rules/screening.yaml" for i in errors(tree))


# ------------------------------------------------------------------ dossier parsing


def test_dossier_rows_and_uncitable(tree: Tree) -> None:
    dossier = Dossier.load(tree.dossier)
    assert dossier.source_ids == {"alpha2020", "beta2019", "delta2018", "gone_case"}
    assert dossier.uncitable == {"gone_case"}
    assert "10.5555/rev.1" in dossier.row("beta2019")


def test_identifier_matching() -> None:
    text = "DOI 10.1002/art.37734; PMID 19453963 (addr); see doi/epdf/10.1111/x.1."
    assert contains_identifier(text, "10.1002/ART.37734")
    assert not contains_identifier(text, "10.1002/art.3773")
    assert contains_identifier(text, "10.1111/x.1")
    assert contains_number(text, "19453963") and not contains_number(text, "9453963")


# ------------------------------------------------------------------ CLI


def test_cli_exit_codes_and_output(tree: Tree, capsys, make_passage) -> None:
    assert main(["--root", str(tree.kdir), "--dossier", str(tree.dossier)]) == 0
    assert "0 error(s), 0 warning(s)" in capsys.readouterr().out
    tree.write_passages(
        "dosing",
        [
            make_passage(
                id="dose-x",
                conditions=["general"],
                text="Doses varied in a cohort.",
                sources=["delta2018"],
                evidence="high",
            )
        ],
    )
    assert main(["--root", str(tree.kdir), "--dossier", str(tree.dossier)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert "ERROR knowledge/passages/dosing.yaml [dose-x] evidence:" in out[0]
    assert out[-1].endswith("3 sources, 3 passages; 1 error(s), 0 warning(s)")


def test_cli_reports_missing_dossier(tree: Tree, capsys) -> None:
    assert main(["--root", str(tree.kdir), "--dossier", str(tree.base / "nope.md")]) == 1
    assert "cannot read the evidence dossier" in capsys.readouterr().out


def test_cli_without_a_dossier_beside_the_repo_passes_and_says_so(
    tree: Tree, capsys, monkeypatch
) -> None:
    monkeypatch.setenv("LDN_EVIDENCE_DOSSIER", str(tree.base / "absent.md"))
    assert main(["--root", str(tree.kdir)]) == 0
    out = capsys.readouterr().out
    assert "note: evidence dossier not found" in out and "comparison was skipped" in out
    assert main(["--root", str(tree.kdir), "--no-dossier"]) == 0


def test_default_dossier_uses_environment(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LDN_EVIDENCE_DOSSIER", str(tmp_path / "d.md"))
    assert default_dossier() == tmp_path / "d.md"
    monkeypatch.delenv("LDN_EVIDENCE_DOSSIER")
    assert default_dossier() == REPO.parent / "shared" / "evidence" / "ldn_evidence.md"


# ------------------------------------------------------------------ the real knowledge tree


def test_real_knowledge_tree_has_no_errors() -> None:
    """Against the in-repo verification record only: passes in a bare clone."""
    passages = sorted((REPO / "knowledge" / "passages").glob("*.yaml"))
    if not passages:
        reason = "knowledge/passages has no files yet"
        print(reason)
        pytest.skip(reason)
    found = [i for i in validate(REPO / "knowledge") if i.severity == "error"]
    assert found == [], "\n".join(map(str, found))


def test_real_knowledge_tree_matches_the_dossier() -> None:
    """The optional cross-check, where the dossier sits beside the repository."""
    if not REAL_DOSSIER.exists():
        reason = f"evidence dossier not found at {REAL_DOSSIER}: comparison skipped"
        print(reason)
        pytest.skip(reason)
    found = [i for i in validate(REPO / "knowledge", REAL_DOSSIER) if i.severity == "error"]
    assert found == [], "\n".join(map(str, found))


# ------------------------------------------------------------------ retrieval questions


def test_passage_questions_are_loaded_and_checked(tree: Tree, make_passage) -> None:
    tree.write_passages("crps", [make_passage(id="crps-x", questions=["does it  help CRPS?"])])
    assert errors(tree) == []
    tree.write_passages(
        "crps",
        [
            make_passage(id="crps-x", questions="does it help?"),  # not a list
            make_passage(id="crps-y", questions=["q one", "q two", "q 3", "q 4", "q 5", "q 6"]),
            make_passage(id="crps-z", questions=["x" * 121]),
            make_passage(id="crps-w", questions=["same?", "Same?"]),
        ],
    )
    found = {i.item: i.message for i in errors(tree) if i.field == "questions"}
    assert set(found) == {"crps-x", "crps-y", "crps-z", "crps-w"}
    assert "max 5" in found["crps-y"] and "120" in found["crps-z"] and "twice" in found["crps-w"]


def test_a_question_shared_by_two_passages_is_an_error(tree: Tree, make_passage) -> None:
    tree.write_passages(
        "crps",
        [
            make_passage(id="crps-x", questions=["LDN for CRPS?"]),
            make_passage(
                id="crps-y", text="Another statement about it.", questions=["ldn for crps"]
            ),
        ],
    )
    issue = only_error(tree)
    assert (issue.item, issue.field) == ("crps-y", "questions")
    assert "crps-x" in issue.message
