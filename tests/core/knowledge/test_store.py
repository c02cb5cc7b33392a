from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from ldn_core.knowledge import KnowledgeError, KnowledgeStore, Source
from ldn_core.knowledge.store import load_sources

from .conftest import Tree

REPO = Path(__file__).resolve().parents[3]


def test_loads_sources_and_passages(tree: Tree) -> None:
    store = KnowledgeStore.load(tree.kdir)
    assert sorted(store.sources) == ["alpha2020", "beta2019", "delta2018"]
    # files are read in sorted order: dosing.yaml before fibromyalgia.yaml
    assert [p.id for p in store.passages] == [
        "dose-cohort-range",
        "fm-alpha-trial",
        "fm-beta-review",
    ]
    alpha = store.source("alpha2020")
    assert alpha.year == 2020 and alpha.type == "rct" and alpha.evidence_level == "B"
    assert alpha.nct == "NCT01234567" and alpha.volume_pages == "1(2):3–4"


def test_passage_fields_are_typed(tree: Tree) -> None:
    store = KnowledgeStore.load(tree.kdir)
    review = store.passage("fm-beta-review")
    assert review.topic == "fibromyalgia"
    assert review.file == "passages/fibromyalgia.yaml"
    assert review.conditions == ("fibromyalgia",)
    assert review.sources == ("beta2019", "delta2018")
    assert review.conflicts_with == ("fm-alpha-trial",)
    assert review.reviewed == dt.date(2026, 11, 27)
    assert store.passage("fm-alpha-trial").conflicts_with == ()
    assert [s.id for s in store.sources_of(review)] == ["beta2019", "delta2018"]
    assert [p.id for p in store.passages_for_topic("dosing")] == ["dose-cohort-range"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        review.evidence = "high"  # type: ignore[misc]


def test_repo_root_and_knowledge_dir_both_work(tree: Tree) -> None:
    by_root = KnowledgeStore.load(tree.base)
    by_dir = KnowledgeStore.load(tree.kdir)
    assert [p.id for p in by_root.passages] == [p.id for p in by_dir.passages]
    assert by_root.content_hash() == by_dir.content_hash()


def test_unknown_ids_raise_key_error(tree: Tree) -> None:
    store = KnowledgeStore.load(tree.kdir)
    with pytest.raises(KeyError):
        store.passage("fm-nope")
    with pytest.raises(KeyError):
        store.source("nope2000")


def test_text_whitespace_is_folded(tree: Tree, make_passage) -> None:
    tree.write_text(
        "passages/dosing.yaml",
        "topic: dosing\npassages:\n"
        "  - id: dose-folded\n    title: Folded\n    conditions: [general]\n"
        "    text: >-\n      First line\n      second line.\n"
        "    sources: [delta2018]\n    evidence: very_low\n    reviewed: 2026-11-27\n",
    )
    passage = KnowledgeStore.load(tree.kdir).passage("dose-folded")
    assert passage.text == "First line second line."
    assert passage.reviewed == dt.date(2026, 11, 27)


def test_empty_year_means_unverified(tree: Tree, make_source) -> None:
    tree.write_sources([make_source(year="")])
    assert KnowledgeStore.load(tree.kdir).source("alpha2020").year is None


def test_no_passage_directory_gives_no_passages(tree: Tree) -> None:
    for path in (tree.kdir / "passages").iterdir():
        path.unlink()
    (tree.kdir / "passages").rmdir()
    store = KnowledgeStore.load(tree.kdir)
    assert store.passages == [] and len(store.sources) == 3


# ------------------------------------------------------------------ errors name file and field


def test_malformed_yaml_names_the_file(tree: Tree) -> None:
    tree.write_text("passages/crps.yaml", "topic: crps\npassages: [\n  - id: x\n")
    with pytest.raises(KnowledgeError) as info:
        KnowledgeStore.load(tree.kdir)
    assert info.value.file == "knowledge/passages/crps.yaml"
    assert "knowledge/passages/crps.yaml" in str(info.value)
    assert "invalid YAML" in str(info.value) and "line" in str(info.value)


def test_missing_field_names_file_item_and_field(tree: Tree, make_passage) -> None:
    bad = make_passage(id="fm-no-evidence")
    del bad["evidence"]
    tree.write_passages("fibromyalgia", [bad])
    with pytest.raises(KnowledgeError) as info:
        KnowledgeStore.load(tree.kdir)
    err = info.value
    assert (err.file, err.item, err.field) == (
        "knowledge/passages/fibromyalgia.yaml",
        "fm-no-evidence",
        "evidence",
    )
    assert str(err).startswith("knowledge/passages/fibromyalgia.yaml: fm-no-evidence: evidence:")


def test_unquoted_pmid_is_rejected_with_field(tree: Tree, make_source) -> None:
    tree.write_sources([make_source(pmid=12345678)])
    with pytest.raises(KnowledgeError) as info:
        KnowledgeStore.load(tree.kdir)
    assert (info.value.file, info.value.field) == ("knowledge/sources.yaml", "pmid")
    assert "quoted string" in info.value.message


def test_duplicate_passage_ids_across_files_raise(tree: Tree, make_passage) -> None:
    tree.write_passages("crps", [make_passage(conditions=["crps"])])  # same id as in fibromyalgia
    with pytest.raises(KnowledgeError) as info:
        KnowledgeStore.load(tree.kdir)
    assert info.value.field == "id" and "duplicate" in info.value.message


def test_duplicate_source_ids_raise(tree: Tree, make_source) -> None:
    tree.write_sources([make_source(), make_source()])
    with pytest.raises(KnowledgeError, match="duplicate source id"):
        KnowledgeStore.load(tree.kdir)


def test_unknown_topic_file_raises(tree: Tree, make_passage) -> None:
    tree.write_passages("weather", [make_passage(id="wx-sunny")])
    with pytest.raises(KnowledgeError) as info:
        KnowledgeStore.load(tree.kdir)
    assert info.value.file == "knowledge/passages/weather.yaml" and info.value.field == "topic"


def test_missing_sources_file_raises(tree: Tree) -> None:
    (tree.kdir / "sources.yaml").unlink()
    with pytest.raises(KnowledgeError, match="sources.yaml"):
        KnowledgeStore.load(tree.kdir)


# ------------------------------------------------------------------ content hash


def test_content_hash_tracks_sources_and_passages_only(tree: Tree, make_passage) -> None:
    first = KnowledgeStore.load(tree.kdir).content_hash()
    assert len(first) == 64
    assert KnowledgeStore.load(tree.kdir).content_hash() == first
    tree.write_text("rules/screening.yaml", "rules: []\n")
    assert KnowledgeStore.load(tree.kdir).content_hash() == first
    tree.write_passages(
        "dosing",
        [
            make_passage(
                id="dose-other", conditions=["general"], sources=["delta2018"], evidence="very_low"
            )
        ],
    )
    second = KnowledgeStore.load(tree.kdir).content_hash()
    assert second != first
    path = tree.kdir / "sources.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# comment\n", encoding="utf-8")
    assert KnowledgeStore.load(tree.kdir).content_hash() != second


def test_content_hash_depends_on_file_names(tree: Tree) -> None:
    before = KnowledgeStore.load(tree.kdir).content_hash()
    src = tree.kdir / "passages" / "dosing.yaml"
    text = src.read_text(encoding="utf-8").replace("topic: dosing", "topic: renal")
    src.unlink()
    tree.write_text("passages/renal.yaml", text)
    assert KnowledgeStore.load(tree.kdir).content_hash() != before


# ------------------------------------------------------------------ Source properties


def _source(**kw: object) -> Source:
    base = dict(
        id="x2020",
        authors="",
        year=None,
        title="T",
        journal="",
        volume_pages="",
        doi="",
        pmid="",
        pmcid="",
        nct="",
        url="",
        type="rct",
        evidence_level="B",
        notes="",
    )
    base.update(kw)
    return Source(**base)  # type: ignore[arg-type]


def test_urls_and_best_url_precedence() -> None:
    full = _source(
        doi="10.1002/art.37734",
        pmid="12345678",
        pmcid="PMC3586944",
        url="https://example.org/x",
        nct="NCT00568555",
    )
    assert full.doi_url == "https://doi.org/10.1002/art.37734"
    assert full.pubmed_url == "https://pubmed.ncbi.nlm.nih.gov/12345678/"
    assert full.pmc_url == "https://pmc.ncbi.nlm.nih.gov/articles/PMC3586944/"
    assert full.best_url == full.doi_url
    assert (
        _source(pmid="12345678", pmcid="PMC1").best_url
        == "https://pubmed.ncbi.nlm.nih.gov/12345678/"
    )
    assert (
        _source(pmcid="PMC1", url="https://e.org").best_url
        == "https://pmc.ncbi.nlm.nih.gov/articles/PMC1/"
    )
    assert _source(url="https://e.org", nct="NCT00568555").best_url == "https://e.org"
    assert _source(nct="NCT00568555").best_url == "https://clinicaltrials.gov/study/NCT00568555"
    assert _source(nct="CTRI/2013/06/003735").best_url == ""
    assert _source().best_url == "" and _source().doi_url == "" and _source().pubmed_url == ""


def test_short_citation() -> None:
    younger = _source(
        authors="Younger J, Noor N, McCue R, Mackey S", year=2013, journal="Arthritis Rheum"
    )
    assert younger.short_citation == "Younger J et al. 2013, Arthritis Rheum"
    assert (
        _source(authors="Spargo A", year=2025, journal="J X").short_citation == "Spargo A 2025, J X"
    )
    assert (
        _source(authors="Smith JP, et al.", year=2013, journal="J").short_citation
        == "Smith JP et al. 2013, J"
    )
    assert _source(authors="Raknes G, Smabrekke L").short_citation == "Raknes G et al."
    anonymous = _source(
        title="Opioid antagonists for alcohol dependence", journal="Cochrane", year=2010
    )
    assert anonymous.short_citation == "Opioid antagonists for alcohol dependence, Cochrane 2010"
    assert _source(title="Low-Dose Naltrexone").short_citation == "Low-Dose Naltrexone"


# ------------------------------------------------------------------ the real bibliography


def test_real_sources_file_loads() -> None:
    sources = load_sources(REPO / "knowledge")
    assert len(sources) >= 60
    assert "pdn_case" not in sources and "spaqi2021" not in sources
    younger = sources["younger2013"]
    assert (
        younger.doi == "10.1002/art.37734" and younger.pmid == "" and younger.nct == "NCT00568555"
    )
    assert sources["bruun2024_final"].journal == "Lancet Rheumatol"
    assert sources["label_ntx_oral"].type == "drug_label" and sources["label_ntx_oral"].url == ""
