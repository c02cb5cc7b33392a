"""Fast NLU experiments with the assistant's own featurizers (Rasa venv).

Builds the featurizers of config.yml (WhitespaceTokenizer, RegexFeaturizer, the two
CountVectorsFeaturizers, MiniLM) as Rasa components, fits them on a training set, and trains
the same logistic regression as nlu_components.mlp_intent_classifier on the same sentence
vectors, so one variant costs seconds instead of a `rasa train`. MiniLM vectors are cached
per text. Two evaluations per variant, with the FallbackClassifier rule applied
(top confidence < threshold -> nlu_fallback), scored by bench/nlu_heldout.compute:

- dev: train on data/nlu, predict eval/nlu/dev.yml (the independent dev set);
- cv: stratified k-fold cross-validation on data/nlu, featurizers refitted in every fold
  (accuracy here is the classifier's, strict OOS; fallback figures shown separately).

    .venv/rasa/bin/python bench/nlu_sweep.py --grid baseline
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import scipy.sparse
import yaml

from bench.nlu_heldout import FALLBACK, Prediction, compute

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Variant:
    name: str
    C: float = 10.0
    dense_weight: float = 2.0
    threshold: float = 0.35


def pipeline_configs() -> dict[str, dict]:
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    return {f"{i}_{c['name'].split('.')[-1]}": c for i, c in enumerate(config["pipeline"])}


class Featurizers:
    """The config.yml featurizers as live Rasa components, refitted by `fit`."""

    def __init__(self, workdir: Path) -> None:
        from rasa.engine.graph import ExecutionContext, GraphSchema
        from rasa.engine.storage.local_model_storage import LocalModelStorage

        self.storage = LocalModelStorage(workdir)
        self.context = lambda name: ExecutionContext(GraphSchema({}), node_name=name)
        self.configs = pipeline_configs()
        self.cache: dict[str, np.ndarray] = {}
        self.fits = 0

    def _make(self, key: str, cls):
        from rasa.engine.storage.resource import Resource

        config = {k: v for k, v in self.configs[key].items() if k != "name"}
        config = {**cls.get_default_config(), **config}
        name = f"{key}_{self.fits}"
        return cls.create(config, self.storage, Resource(name), self.context(key))

    def fit(self, train) -> None:
        """Fit the trainable featurizers on `train` (a TrainingData) and featurize it."""
        from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
            CountVectorsFeaturizer,
        )
        from rasa.nlu.featurizers.sparse_featurizer.regex_featurizer import RegexFeaturizer
        from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer

        self.fits += 1
        self.steps = []
        for key in self.configs:
            if key.endswith("WhitespaceTokenizer"):
                step = self._make(key, WhitespaceTokenizer)
            elif key.endswith("RegexFeaturizer"):
                step = self._make(key, RegexFeaturizer)
                step.train(train)
            elif key.endswith("CountVectorsFeaturizer"):
                step = self._make(key, CountVectorsFeaturizer)
            else:
                continue
            if key.endswith("CountVectorsFeaturizer"):
                step.train(train)
            step.process_training_data(train)
            self.steps.append(step)
        self._dense(train.training_examples)

    def _dense(self, messages) -> None:
        from rasa.shared.nlu.constants import TEXT
        from rasa.shared.nlu.training_data.features import Features

        from nlu_components.sentence_featurizer import _load

        key = next(k for k in self.configs if k.endswith("MiniLMSentenceFeaturizer"))
        todo = sorted({m.get(TEXT) for m in messages if m.get(TEXT) not in self.cache})
        if todo:
            encoder = _load(str(self.configs[key].get("encoder_version", "0.1.0")))
            for text, vector in zip(todo, encoder.embed_many(todo), strict=True):
                self.cache[text] = vector
        for m in messages:
            vector = self.cache[m.get(TEXT)].reshape(1, -1)
            m.add_features(Features(vector, "sentence", TEXT, key))

    def transform(self, messages) -> None:
        for step in self.steps:
            step.process(messages)
        self._dense(messages)


def messages_of(rows: list[tuple[str, str]]):
    from rasa.shared.nlu.training_data.message import Message

    return [Message.build(text=t, intent=i) for t, i in rows]


def training_data(rows, reference):
    from rasa.shared.nlu.training_data.training_data import TrainingData

    return TrainingData(
        messages_of(rows),
        entity_synonyms=reference.entity_synonyms,
        regex_features=reference.regex_features,
        lookup_tables=reference.lookup_tables,
    )


def matrix(messages, dense_weight: float):
    from nlu_components.mlp_intent_classifier import sentence_vector

    dims: dict[str, int] = {}
    for m in messages:
        for f in m.features:
            if f.type == "sentence" and f.attribute == "text":
                dims[f.origin] = int(f.features.shape[-1])
    blocks = sorted(dims)
    rows = [sentence_vector(m, blocks, dims, dense_weight) for m in messages]
    return scipy.sparse.vstack(rows, format="csr"), blocks, dims


def run(variants: list[Variant], train_rows, test_rows, reference, feats: Featurizers):
    """Predictions (no fallback applied) of every variant; they share the featurized data."""
    from sklearn.linear_model import LogisticRegression

    train = training_data(train_rows, reference)
    feats.fit(train)
    test = messages_of(test_rows)
    feats.transform(test)
    # TrainingData drops duplicate examples
    labels = [m.get("intent") for m in train.training_examples]
    results = {}
    for v in variants:
        x_train, _, _ = matrix(train.training_examples, v.dense_weight)
        x_test, _, _ = matrix(test, v.dense_weight)
        model = LogisticRegression(C=v.C, max_iter=5000)
        model.fit(x_train, labels)
        probs = model.predict_proba(x_test)
        classes = [str(c) for c in model.classes_]
        out = []
        for (text, gold), row in zip(test_rows, probs, strict=True):
            best = int(np.argmax(row))
            out.append(Prediction(text, gold, classes[best], float(row[best])))
        results[v.name] = out
    return results


def folds(rows, k: int, seed: int = 42):
    from sklearn.model_selection import StratifiedKFold

    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    labels = [i for _, i in rows]
    for train_idx, test_idx in splitter.split(np.zeros(len(rows)), labels):
        yield [rows[i] for i in train_idx], [rows[i] for i in test_idx]


def load_rows(path: str):
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(path)
    return [(m.get("text"), m.get("intent")) for m in data.intent_examples], data


def summary(preds: list[Prediction]) -> dict:
    m = compute(preds)
    return {
        "acc": round(m.accuracy, 3),
        "oos_e2e": round(m.oos_end_to_end, 3),
        "oos_strict": round(m.oos_strict, 3),
        "in_to_oos": round(m.in_scope_to_oos, 3),
        "in_to_fb": round(m.in_scope_to_fallback, 3),
        "errors": len(m.errors),
    }


# Variants that lost (typo augmentation, class weighting, a k-NN vote over MiniLM vectors)
# were removed from the code; their figures are in docs/nlu-report.md.
GRIDS = {
    "baseline": [Variant("baseline")],
    "classifier": [
        Variant("baseline"),
        Variant("C5", C=5.0),
        Variant("C20", C=20.0),
        Variant("C50", C=50.0),
        Variant("dw1.5", dense_weight=1.5),
        Variant("dw3", dense_weight=3.0),
    ],
}


def main(argv: list[str] | None = None) -> int:
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", default="baseline")
    parser.add_argument("--train", default=str(ROOT / "data" / "nlu"))
    parser.add_argument("--dev", default=str(ROOT / "eval" / "nlu" / "dev.yml"))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--no-cv", action="store_true")
    parser.add_argument("--thresholds", default="", help="comma list: also score these")
    parser.add_argument("--errors", action="store_true", help="print dev errors")
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--extra",
        nargs="*",
        default=[],
        help="training files kept out of the CV test folds (always trained on), so CV "
        "figures stay comparable on the original examples",
    )
    parser.add_argument("--cv-intents", action="store_true", help="per-intent CV figures")
    args = parser.parse_args(argv)
    train_rows, reference = load_rows(args.train)
    dev_rows, _ = load_rows(args.dev)
    extra_rows = [r for path in args.extra for r in load_rows(path)[0]]
    base_rows = [r for r in train_rows if r not in set(extra_rows)]
    extra = [float(t) for t in args.thresholds.split(",") if t]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        feats = Featurizers(Path(tmp))
        variants = GRIDS[args.grid]
        dev = run(variants, train_rows, dev_rows, reference, feats)
        cv: dict[str, list[Prediction]] = {v.name: [] for v in variants}
        if not args.no_cv:
            for tr, te in folds(base_rows, args.folds):
                for name, preds in run(variants, tr + extra_rows, te, reference, feats).items():
                    cv[name] += preds
        for v in variants:
            for t in sorted({v.threshold, *extra}):
                rec = {
                    "variant": v.name,
                    "threshold": t,
                    "dev": summary(with_threshold(dev[v.name], t)),
                }
                if cv[v.name]:
                    rec["cv"] = summary(with_threshold(cv[v.name], t))
                results.append(rec)
                print(json.dumps(rec), flush=True)
            if args.cv_intents and cv[v.name]:
                m = compute(with_threshold(cv[v.name], v.threshold))
                for label, (p_, r_, f_, n_) in sorted(m.per_intent.items(), key=lambda x: x[1][2]):
                    print(f"   cv {label:<26} P {p_:.3f} R {r_:.3f} F1 {f_:.3f} n={n_}")
                for gold, pred, count in m.confusions[:20]:
                    print(f"   cv confusion {gold} -> {pred}: {count}")
            if args.errors:
                for p in with_threshold(dev[v.name], v.threshold):
                    if p.gold != p.predicted:
                        print(f"   {p.gold:>24} -> {p.predicted:<24} {p.confidence:.2f} {p.text}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


def with_threshold(preds: list[Prediction], t: float) -> list[Prediction]:
    return [
        replace(p, predicted=FALLBACK) if p.confidence < t and p.predicted != FALLBACK else p
        for p in preds
    ]


if __name__ == "__main__":
    sys.exit(main())
