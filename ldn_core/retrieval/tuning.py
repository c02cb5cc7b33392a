"""Domain tuning of the sentence encoder on the store's own hand-written questions.

all-MiniLM-L6-v2 was trained on general web text; it does not know that "washout" and
"stop before surgery" are close, or that a question about "FM" belongs to a fibromyalgia
passage. Each passage carries 4-6 hand-written questions (``questions:``), so the store
itself is a small labelled set of (question, passage) pairs. One pass of contrastive
training on those pairs (in-batch negatives, ``MultipleNegativesRankingLoss`` done by hand
so no extra library is needed) moves clinical questions toward the passages that answer them.

Measured on the dev split only (bench/tune_retrieval.py, 5-fold CV, weights retuned for each
encoder): Recall@1 0.881 -> 0.909, Recall@3 0.947 -> 0.975; abstention CV off-topic abstained
0.890 -> 0.910 with answerable wrongly abstained 0.085 -> 0.069. Two epochs were no better.
The benchmark questions (dev and test) are never trained on: only the passages' own
``questions:``, which tests/core/retrieval/test_benchmark_hygiene.py keeps apart from them.

The tuned model is built once per content hash (passages, lexicon, recipe, base model) into
the cache, under a lock so parallel processes wait for one build instead of racing.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import random
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import yaml

from ldn_core.knowledge.store import KnowledgeStore
from ldn_core.retrieval.encoder import MODEL_ID, MiniLMEncoder, base_model_path
from ldn_core.retrieval.index import embedded_document, embedded_questions
from ldn_core.retrieval.query import QueryExpander

log = logging.getLogger(__name__)

RECIPE_FILE = "encoder_tuning.yaml"
DONE_MARKER = "tuned.json"
# Bump when the training code changes in a way the recipe does not capture.
TRAINER_VERSION = "mnrl-symmetric/v1"


@dataclass(frozen=True)
class TuningRecipe:
    epochs: int = 1
    learning_rate: float = 2e-5
    batch_size: int = 32
    # cosine x scale are the logits of the in-batch softmax (20: sentence-transformers' default)
    scale: float = 20.0
    warmup_share: float = 0.1
    seed: int = 0
    # Fixed, not "all cores": the summation order, hence the weights, depends on it.
    threads: int = 2

    @classmethod
    def load(cls, path: Path) -> TuningRecipe:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected a mapping of recipe settings")
        types = {f.name: f.type for f in fields(cls)}
        unknown = sorted(set(data) - set(types))
        if unknown:
            raise ValueError(f"{path}: unknown encoder tuning setting(s) {unknown}")
        values = {}
        for name, raw in data.items():
            cast = int if types[name] == "int" else float
            try:
                # PyYAML reads "2e-5" (no dot) as a string: accept it as the number it means
                value = cast(float(raw) if isinstance(raw, str) else raw)
            except (TypeError, ValueError):
                value = None
            if isinstance(raw, bool) or value is None or value != float(raw):
                raise ValueError(f"{path}: {name} must be a number, got {raw!r}")
            if value < 0 or (value == 0 and name not in {"seed", "warmup_share"}):
                raise ValueError(f"{path}: {name} must be positive, got {raw!r}")
            values[name] = value
        if values.get("warmup_share", 0.0) >= 1:
            raise ValueError(f"{path}: warmup_share must be below 1")
        return cls(**values)


@dataclass(frozen=True)
class TrainingPair:
    question: str  # prepared like a user query (abbreviations expanded, filler stripped)
    document: str  # the passage as embedded in the index
    passage: int  # index of the passage in the store, so a batch never holds it twice


def training_pairs(
    store: KnowledgeStore, prepare: Callable[[str], str] | None = None
) -> list[TrainingPair]:
    """One pair per hand-written passage question, prepared exactly as the index prepares it."""
    return [
        TrainingPair(question, embedded_document(passage), i)
        for i, passage in enumerate(store.passages)
        for question in embedded_questions(passage, prepare)
    ]


def batches_without_shared_passage(
    pairs: Sequence[TrainingPair], size: int, rng: random.Random
) -> list[list[TrainingPair]]:
    """Shuffle ``pairs`` into batches of at most ``size`` where no passage appears twice.

    In-batch negatives must be real negatives: two questions of one passage in a batch would
    teach the model to push that passage away from its own question. Every pair is used once.
    """
    queue = list(pairs)
    rng.shuffle(queue)
    out: list[list[TrainingPair]] = []
    while queue:
        batch: list[TrainingPair] = []
        seen: set[int] = set()
        rest: list[TrainingPair] = []
        for pair in queue:
            if len(batch) < size and pair.passage not in seen:
                batch.append(pair)
                seen.add(pair.passage)
            else:
                rest.append(pair)
        out.append(batch)
        queue = rest
    return out


def tuned_key(pairs: Sequence[TrainingPair], recipe: TuningRecipe, base_model_id: str) -> str:
    digest = hashlib.sha256()
    header = {"base": base_model_id, "trainer": TRAINER_VERSION, "recipe": asdict(recipe)}
    digest.update(json.dumps(header, sort_keys=True).encode())
    for pair in pairs:
        digest.update(f"{pair.passage}\x1f{pair.question}\x1f{pair.document}\x1e".encode())
    return digest.hexdigest()[:16]


def learning_rate_factor(step: int, total: int, warmup_share: float) -> float:
    """Linear warm-up over the first ``warmup_share`` of the steps, then linear decay to 0."""
    warmup = max(1, int(total * warmup_share))
    return min(1.0, (step + 1) / warmup) * max(0.0, 1.0 - step / total)


def train(
    base_path: Path,
    pairs: Sequence[TrainingPair],
    recipe: TuningRecipe,
    out_dir: Path,
    progress: Callable[[str], None],
) -> None:
    """Fine-tune the model at ``base_path`` on ``pairs`` and save it to ``out_dir``."""
    import numpy as np
    import torch
    from sentence_transformers import SentenceTransformer

    rng = random.Random(recipe.seed)
    np.random.seed(recipe.seed)
    torch.manual_seed(recipe.seed)
    previous_threads = torch.get_num_threads()
    torch.set_num_threads(recipe.threads)
    try:
        model = SentenceTransformer(str(base_path), device="cpu")
        model.train()
        plan = [
            batches_without_shared_passage(pairs, recipe.batch_size, rng)
            for _ in range(recipe.epochs)
        ]
        total = sum(len(epoch) for epoch in plan)
        optimiser = torch.optim.AdamW(model.parameters(), lr=recipe.learning_rate)
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimiser, lambda s: learning_rate_factor(s, total, recipe.warmup_share)
        )

        def embed(texts: list[str]) -> torch.Tensor:
            vectors = model(model.preprocess(texts))["sentence_embedding"]
            return torch.nn.functional.normalize(vectors, dim=-1)

        started, step = time.monotonic(), 0
        for batches in plan:
            for batch in batches:
                logits = (
                    embed([p.question for p in batch])
                    @ embed([p.document for p in batch]).T
                    * recipe.scale
                )
                labels = torch.arange(len(batch))
                cross_entropy = torch.nn.functional.cross_entropy
                # symmetric: each question picks its passage, each passage its question
                loss = (cross_entropy(logits, labels) + cross_entropy(logits.T, labels)) / 2
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                schedule.step()
                step += 1
                if step == 1 or step % 5 == 0 or step == total:
                    progress(
                        f"tuning the retrieval encoder: step {step}/{total}, "
                        f"loss {loss.item():.3f} ({time.monotonic() - started:.0f} s)"
                    )
        model.eval()
        model.save(str(out_dir))
    finally:
        torch.set_num_threads(previous_threads)
    # the tokenizer's word list, read by MiniLMEncoder.dictionary()
    shutil.copyfile(base_path / "vocab.txt", out_dir / "vocab.txt")


def ensure_tuned_model(
    store: KnowledgeStore,
    prepare: Callable[[str], str] | None,
    recipe: TuningRecipe,
    base_path: Path,
    base_model_id: str,
    cache_root: Path,
    progress: Callable[[str], None] = log.info,
) -> tuple[Path, str]:
    """Folder of the tuned model and its id, training it first if the cache lacks it."""
    pairs = training_pairs(store, prepare)
    if not pairs:
        raise ValueError("no passage has hand-written questions: nothing to tune the encoder on")
    key = tuned_key(pairs, recipe, base_model_id)
    folder = cache_root / f"minilm-ldn-{key}"
    model_id = f"{base_model_id}+ldn-tuned-{key}"
    if (folder / DONE_MARKER).exists():
        return folder, model_id
    cache_root.mkdir(parents=True, exist_ok=True)
    with (cache_root / f"minilm-ldn-{key}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be building the same model
        if (folder / DONE_MARKER).exists():
            return folder, model_id
        progress(
            f"tuning the retrieval encoder on {len(pairs)} passage questions "
            f"(once per knowledge change; about 2 minutes on 2 cores)"
        )
        partial = folder.with_name(folder.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        started = time.monotonic()
        train(base_path, pairs, recipe, partial, progress)
        info = {"pairs": len(pairs), "recipe": asdict(recipe), "base": base_model_id}
        info["seconds"] = round(time.monotonic() - started, 1)
        (partial / DONE_MARKER).write_text(json.dumps(info, indent=2), encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)
        partial.rename(folder)  # a crash mid-training never leaves a model that looks done
        progress(f"retrieval encoder tuned in {info['seconds']:.0f} s")
    return folder, model_id


def tuned_encoder(
    knowledge_dir: Path, cache_root: Path, progress: Callable[[str], None] = log.info
) -> MiniLMEncoder:
    """The encoder retrieval runs on: MiniLM tuned on this knowledge directory's questions,
    prepared with its lexicon as ``Retriever.from_knowledge`` prepares them."""
    store = KnowledgeStore.load(knowledge_dir)
    expander = QueryExpander.load(knowledge_dir / "lexicon" / "abbreviations.yaml")
    recipe = TuningRecipe.load(knowledge_dir / RECIPE_FILE)
    folder, model_id = ensure_tuned_model(
        store, expander.content, recipe, base_model_path(), MODEL_ID, cache_root, progress
    )
    return MiniLMEncoder(folder, model_id)
