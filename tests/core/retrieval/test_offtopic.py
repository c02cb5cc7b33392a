"""The off-topic reference questions: reading them, embedding them, and the feature they give."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ldn_core.retrieval import PassageIndex, Retriever
from ldn_core.retrieval.offtopic import example_text, load_offtopic_examples, nlu_examples
from ldn_core.retrieval.retriever import RetrievalConfig

from .conftest import EXPANDER, make_store

REPO = Path(__file__).resolve().parents[3]

NLU_FILE = """version: "3.1"
nlu:
  - intent: out_of_scope
    examples: |
      - metformin dose in [CKD](condition)?
      - what is the weather today
      - best [statin]{"entity": "drug", "value": "statin"} for a diabetic
  - intent: greet
    examples: |
      - hello there
"""


def write_knowledge(tmp_path: Path, config: str, nlu: str | None = NLU_FILE) -> Path:
    kdir = tmp_path / "knowledge"
    kdir.mkdir()
    (kdir / "offtopic.yaml").write_text(config)
    if nlu is not None:
        (tmp_path / "oos.yml").write_text(nlu)
    return kdir


def test_entity_annotations_are_reduced_to_their_words():
    assert example_text("metformin dose in [CKD](condition)?") == "metformin dose in CKD?"
    assert example_text('best [statin]{"entity": "drug"} now ') == "best statin now"


def test_only_the_named_intent_is_read(tmp_path):
    path = tmp_path / "oos.yml"
    path.write_text(NLU_FILE)
    assert nlu_examples(path, "out_of_scope") == [
        "metformin dose in CKD?",
        "what is the weather today",
        "best statin for a diabetic",
    ]
    assert nlu_examples(path, "greet") == ["hello there"]


def test_files_are_relative_to_the_knowledge_directory_and_deduplicated(tmp_path):
    kdir = write_knowledge(tmp_path, "intent: out_of_scope\nfiles: [../oos.yml, ../oos.yml]\n")
    assert load_offtopic_examples(kdir) == [
        "metformin dose in CKD?",
        "what is the weather today",
        "best statin for a diabetic",
    ]


def test_no_reference_file_means_no_references(tmp_path):
    assert load_offtopic_examples(tmp_path) == []


@pytest.mark.parametrize(
    ("config", "nlu", "message"),
    [
        ("intent: out_of_scope\nfiles: []\n", NLU_FILE, "files must be a non-empty list"),
        ("files: [../oos.yml]\n", NLU_FILE, "intent must name the NLU intent"),
        ("intent: out_of_scope\nfiles: [../missing.yml]\n", NLU_FILE, "files: no file"),
        ("intent: ask_dosing\nfiles: [../oos.yml]\n", NLU_FILE, "hold no `ask_dosing` examples"),
        ("intent: out_of_scope\nfiles: [../oos.yml]\n", "nlu: 3\n", "no `nlu:` list"),
        ("intent: out_of_scope\nfiles: [../oos.yml]\n", "nlu: [\n", "cannot read"),
    ],
)
def test_a_bad_reference_configuration_is_a_clear_error(tmp_path, config, nlu, message):
    kdir = write_knowledge(tmp_path, config, nlu)
    with pytest.raises(ValueError, match=message.replace("[", r"\[")):
        load_offtopic_examples(kdir)


def test_the_committed_reference_reads_the_nlu_out_of_scope_examples():
    examples = load_offtopic_examples(REPO / "knowledge")
    assert len(examples) >= 400
    assert not any("[" in e or "](" in e for e in examples)


def test_the_index_embeds_and_caches_the_references(tmp_path, encoder):
    store = make_store()
    refs = ["metformin dose in CKD", "weather today"]
    index = PassageIndex.build(store, encoder, tmp_path, salt="r", offtopic=refs)
    again = PassageIndex.build(store, encoder, tmp_path, salt="r", offtopic=refs)
    assert encoder.calls == 1 and again.offtopic_vectors.shape == (2, index.vectors.shape[1])
    np.testing.assert_array_equal(again.offtopic_vectors, index.offtopic_vectors)
    query = encoder.encode(["metformin dose in CKD"])[0]
    expected = float((index.offtopic_vectors @ query).max())
    assert index.views("metformin dose in CKD").offtopic == pytest.approx(expected)
    assert index.views("metformin dose in CKD").offtopic > index.views("vivid dreams").offtopic


def test_without_references_the_feature_is_zero(encoder):
    index = PassageIndex.build(make_store(), encoder)
    assert index.views("metformin dose in CKD").offtopic == 0.0


def test_closeness_to_a_reference_lowers_answerability(encoder):
    store = make_store()
    refs = ["metformin dose in kidney disease"]
    index = PassageIndex.build(store, encoder, offtopic=refs, prepare_question=EXPANDER.content)
    cfg = RetrievalConfig(answerable_bias=0.2, answerable_offtopic=-1.0)
    retriever = Retriever(store, index, EXPANDER, cfg)
    near = retriever.answerability(retriever.signals("metformin dose in kidney disease"))
    far = retriever.answerability(retriever.signals("vivid dreams on LDN"))
    assert near.offtopic == pytest.approx(1.0, abs=1e-5) and near.abstain
    assert near.logit == pytest.approx(0.2 - near.offtopic)
    assert far.offtopic < near.offtopic and not far.abstain


def test_the_knowledge_loader_reads_the_references(tmp_path, encoder):
    # Retriever.from_knowledge wires the references in, and their text is in the cache key
    root = REPO / "knowledge"
    first = Retriever.from_knowledge(root, encoder, tmp_path)
    assert first.index.offtopic_vectors.shape[0] == len(load_offtopic_examples(root))
