"""Naming one of the store's studies marks a message as about LDN evidence."""

from __future__ import annotations

import pytest

from ldn_core.knowledge import KnowledgeStore
from ldn_core.knowledge.model import Source
from ldn_core.settings import REPO_ROOT
from ldn_core.understanding.studies import StudyNames, first_surname


def source(authors: str) -> Source:
    return Source(
        id="x", authors=authors, year=2013, title="", journal="", volume_pages="", doi="",
        pmid="", pmcid="", nct="", url="", type="rct", evidence_level="B", notes="",
    )  # fmt: skip


@pytest.fixture(scope="module")
def names() -> StudyNames:
    store = KnowledgeStore.load(REPO_ROOT / "knowledge")
    return StudyNames.load(REPO_ROOT / "knowledge", store.sources)


def test_first_surname_keeps_compound_names():
    assert first_surname("Younger J, Noor N") == "Younger"
    assert first_surname("Rassi-Mariani V, Barreto ESR") == "Rassi-Mariani"
    assert first_surname("") is None


@pytest.mark.parametrize(
    "text",
    [
        "remind me what FINAL found",
        "was the final trial powered for pain?",
        "Younger 2013 - crossover or parallel?",
        "what did the Younger trial use as placebo",
        "smith et al. remission figures",
        "Smith (2007) pilot numbers?",
    ],
)
def test_a_study_of_the_store_is_recognised(names, text):
    assert names.named_in(text)


@pytest.mark.parametrize(
    "text",
    [
        "the final dose of the day",  # a common word, in lower case, with no study word
        "Mrs Smith asked about her sleep",  # an author's surname that is nobody's study here
        "younger patients respond better?",
        "best way to treat head lice",
    ],
)
def test_ordinary_words_are_not_taken_for_a_study(names, text):
    assert not names.named_in(text)


def test_a_trial_name_must_point_at_a_listed_source(tmp_path):
    (tmp_path / "lexicon").mkdir()
    (tmp_path / "lexicon" / "study_names.yaml").write_text(
        "studies:\n  - name: GHOST\n    source: nowhere\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match="GHOST"):
        StudyNames.load(tmp_path, {"x": source("Younger J")})
