"""Domain tuning of the encoder: recipe checks, training pairs, batching, caching.

The training step itself (torch) is replaced by a recorder here; the real one runs in the
unit phase through every test that loads the served encoder (tests/core/test_assistant.py).
"""

from __future__ import annotations

import dataclasses
import json
import random
import threading
from pathlib import Path

import pytest

from ldn_core.retrieval import tuning
from ldn_core.retrieval.index import embedded_document
from ldn_core.retrieval.tuning import (
    DONE_MARKER,
    TrainingPair,
    TuningRecipe,
    batches_without_shared_passage,
    ensure_tuned_model,
    learning_rate_factor,
    training_pairs,
    tuned_key,
)

from .conftest import EXPANDER, PASSAGES, make_store

REPO = Path(__file__).resolve().parents[3]


def with_questions(*questions_per_passage: tuple[str, ...]):
    return make_store(
        [
            dataclasses.replace(p, questions=qs)
            for p, qs in zip(PASSAGES, questions_per_passage, strict=False)
        ]
    )


STORE = with_questions(
    ("when do I give the first dose?", "starting dose of LDN?"),
    ("does ldn help fibro?",),
    ("MS quality of life data?", "LDN in MS?", "is it used in multiple sclerosis"),
)


# --- recipe -------------------------------------------------------------------------------


def test_the_committed_recipe_loads():
    recipe = TuningRecipe.load(REPO / "knowledge" / "encoder_tuning.yaml")
    assert recipe.epochs >= 1 and 0 < recipe.learning_rate < 1e-3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("epochs: 1\nlearning_rat: 0.1\n", "unknown encoder tuning setting(s) ['learning_rat']"),
        ("epochs: two\n", "epochs must be a number"),
        ("epochs: true\n", "epochs must be a number"),
        ("epochs: 1.5\n", "epochs must be a number"),
        ("epochs: [1]\n", "epochs must be a number"),
        ("batch_size: 0\n", "batch_size must be positive"),
        ("learning_rate: -1e-5\n", "learning_rate must be positive"),
        ("warmup_share: 1.0\n", "warmup_share must be below 1"),
        ("- epochs\n", "expected a mapping"),
    ],
)
def test_a_bad_recipe_is_refused_naming_file_and_field(tmp_path, text, message):
    path = tmp_path / "encoder_tuning.yaml"
    path.write_text(text)
    with pytest.raises(ValueError) as err:
        TuningRecipe.load(path)
    assert message in str(err.value) and str(path) in str(err.value)


def test_recipe_values_keep_their_types(tmp_path):
    path = tmp_path / "encoder_tuning.yaml"
    # "3e-5" without a dot is a string to PyYAML; it still means the number
    path.write_text("epochs: 2\nlearning_rate: 3e-5\nseed: 0\nwarmup_share: 0\n")
    recipe = TuningRecipe.load(path)
    assert (recipe.epochs, recipe.learning_rate, recipe.seed) == (2, 3e-5, 0)
    assert isinstance(recipe.epochs, int)


# --- training pairs and batches ---------------------------------------------------------------


def test_every_hand_written_question_becomes_one_pair_with_its_own_passage():
    pairs = training_pairs(STORE, EXPANDER.content)
    assert len(pairs) == 6
    assert {p.passage for p in pairs} == {0, 1, 2}
    fibro = next(p for p in pairs if p.passage == 1)
    # prepared as a user query is: the abbreviation expanded
    assert "fibromyalgia" in fibro.question
    assert fibro.document == embedded_document(STORE.passages[1])


def pairs_of(owners: list[int]) -> list[TrainingPair]:
    return [TrainingPair(f"q{i}", f"doc{o}", o) for i, o in enumerate(owners)]


@pytest.mark.parametrize("size", [1, 2, 3, 8])
def test_batches_use_every_pair_once_and_never_hold_a_passage_twice(size):
    pairs = pairs_of([0, 0, 0, 0, 1, 1, 2, 3, 3, 4, 5, 5, 5])
    batches = batches_without_shared_passage(pairs, size, random.Random(7))
    assert sorted(p.question for b in batches for p in b) == sorted(p.question for p in pairs)
    for batch in batches:
        assert 1 <= len(batch) <= size
        assert len({p.passage for p in batch}) == len(batch)


def test_batches_are_reproducible_from_the_seed():
    pairs = pairs_of(list(range(20)) * 2)
    first = batches_without_shared_passage(pairs, 8, random.Random(0))
    again = batches_without_shared_passage(pairs, 8, random.Random(0))
    other = batches_without_shared_passage(pairs, 8, random.Random(1))
    assert first == again and first != other


# --- cache key and schedule -------------------------------------------------------------------


def test_the_key_changes_with_questions_recipe_and_base_model():
    pairs = training_pairs(STORE, EXPANDER.content)
    recipe = TuningRecipe()
    key = tuned_key(pairs, recipe, "base")
    assert key == tuned_key(list(pairs), TuningRecipe(), "base")
    changed = [dataclasses.replace(pairs[0], question="a reworded question"), *pairs[1:]]
    assert tuned_key(changed, recipe, "base") != key
    assert tuned_key(pairs, dataclasses.replace(recipe, epochs=2), "base") != key
    assert tuned_key(pairs, recipe, "other base") != key


def test_learning_rate_warms_up_then_decays_to_zero():
    factors = [learning_rate_factor(s, 100, 0.1) for s in range(100)]
    assert factors[0] == pytest.approx(0.1)
    assert max(factors) == pytest.approx(factors[9]) and factors[9] > 0.9
    assert factors == sorted(factors[:10]) + sorted(factors[10:], reverse=True)
    assert learning_rate_factor(100, 100, 0.1) == 0.0


# --- building once, atomically ----------------------------------------------------------------


class RecordingTrainer:
    """Stands in for the torch step: records calls and writes a model folder."""

    def __init__(self, fail: bool = False) -> None:
        self.calls = 0
        self.fail = fail

    def __call__(self, base_path, pairs, recipe, out_dir: Path, progress) -> None:
        self.calls += 1
        out_dir.mkdir(parents=True)
        (out_dir / "model.safetensors").write_text("weights")
        progress(f"trained on {len(pairs)} pairs")
        if self.fail:
            raise RuntimeError("out of memory")


def build(cache: Path, store=STORE, progress=lambda line: None):
    return ensure_tuned_model(
        store, EXPANDER.content, TuningRecipe(), Path("/base"), "base", cache, progress
    )


def test_the_model_is_trained_once_and_then_found_in_the_cache(tmp_path, monkeypatch):
    trainer = RecordingTrainer()
    monkeypatch.setattr(tuning, "train", trainer)
    lines: list[str] = []
    folder, model_id = build(tmp_path, progress=lines.append)
    assert trainer.calls == 1
    assert (folder / "model.safetensors").exists()
    assert json.loads((folder / DONE_MARKER).read_text())["pairs"] == 6
    assert model_id.startswith("base+ldn-tuned-") and model_id.endswith(folder.name[-16:])
    assert any("tuning the retrieval encoder on 6 passage questions" in line for line in lines)
    assert build(tmp_path) == (folder, model_id)
    assert trainer.calls == 1


def test_changed_questions_train_a_new_model(tmp_path, monkeypatch):
    trainer = RecordingTrainer()
    monkeypatch.setattr(tuning, "train", trainer)
    first, _ = build(tmp_path)
    second, _ = build(tmp_path, store=with_questions(("a different question",)))
    assert first != second and trainer.calls == 2


def test_a_failed_training_leaves_nothing_that_looks_done(tmp_path, monkeypatch):
    monkeypatch.setattr(tuning, "train", RecordingTrainer(fail=True))
    with pytest.raises(RuntimeError, match="out of memory"):
        build(tmp_path)
    assert not list(tmp_path.glob(f"*/{DONE_MARKER}"))
    trainer = RecordingTrainer()
    monkeypatch.setattr(tuning, "train", trainer)
    folder, _ = build(tmp_path)  # the half-written attempt does not block a retry
    assert trainer.calls == 1 and (folder / DONE_MARKER).exists()


def test_parallel_builders_wait_for_one_training(tmp_path, monkeypatch):
    trainer = RecordingTrainer()
    monkeypatch.setattr(tuning, "train", trainer)
    results: list[tuple[Path, str]] = []
    threads = [threading.Thread(target=lambda: results.append(build(tmp_path))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert trainer.calls == 1 and len(set(results)) == 1


def test_a_store_without_questions_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="no passage has hand-written questions"):
        build(tmp_path, store=make_store())
