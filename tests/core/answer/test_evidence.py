from ldn_core.answer.evidence import describe_sources, evidence_sentence, weakest
from ldn_core.knowledge import KnowledgeStore
from ldn_core.settings import REPO_ROOT

STORE = KnowledgeStore.load(REPO_ROOT / "knowledge")


def test_source_types_are_counted_with_plurals():
    sources = [STORE.source(s) for s in ("younger2013", "bruun2024_final", "label_ntx_oral")]
    assert describe_sources(sources) == "2 randomised trials, 1 drug label"


def test_evidence_sentence_names_certainty_and_basis():
    sentence = evidence_sentence("low", [STORE.source("vatvani2024_ma")])
    assert sentence == "Low certainty (based on: 1 systematic review/meta-analysis)"


def test_weakest_level_wins():
    assert weakest(["moderate", "very_low", "low"]) == "very_low"
    assert weakest([]) == "very_low"
