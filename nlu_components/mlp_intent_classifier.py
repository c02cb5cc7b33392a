# Typing generics (List, Dict, Text, Optional) as in Rasa's own components: Rasa validates the
# graph by comparing these annotations with its built-in components' ones.
# ruff: noqa: UP006, UP007, UP019, UP035
"""Rasa NLU component: intents from the average of small one-hidden-layer networks.

It classifies from each sparse featurizer's sentence vector (word n-gram counts, character
n-gram counts, regex matches) L2-normalised on its own, next to the dense MiniLM sentence
embedding multiplied by `dense_weight`. Two models:

- `mlp` (the default, what config.yml runs): the average of small one-hidden-layer networks
  (ReLU, L2 `alpha`, Adam), one per seed in `seeds`, so no single seed's luck decides.
  Deterministic for fixed seeds.
- `logistic`: multinomial logistic regression (lbfgs, deterministic), the model it replaced
  (docs/nlu-report.md, session 4); kept for comparisons.

The trained weights are stored as plain numpy arrays (no pickle) and prediction is numpy, so
inference needs no scikit-learn.

config.yml:

    - name: nlu_components.mlp_intent_classifier.AveragedMLPIntentClassifier
      model: mlp          # or logistic
      dense_weight: 2.0   # scale of the dense sentence embedding against the sparse blocks
      C: 10.0             # logistic: inverse L2 regularisation strength
      hidden: 256         # mlp: hidden units
      alpha: 0.001        # mlp: L2 penalty
      seeds: [0, 1, 2, 3, 4]
"""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Optional, Text, Type

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

SENTENCE = "sentence"
MODELS = ("logistic", "mlp")
WEIGHTS = "weights.npz"
META = "meta.json"


def sentence_vector(
    message: Message, blocks: List[str], dims: Dict[str, int], dense_weight: float
) -> scipy.sparse.csr_matrix:
    """The message's sentence features as one row: sparse blocks L2-normalised, dense scaled.

    `blocks` fixes the order of the featurizers (by origin); a block missing from the message
    (e.g. an empty text) is all zeros.
    """
    found = {
        f.origin: f
        for f in message.features
        if f.attribute == TEXT and f.type == SENTENCE and f.origin in dims
    }
    parts = []
    for origin in blocks:
        feature = found.get(origin)
        if feature is None:
            parts.append(scipy.sparse.csr_matrix((1, dims[origin]), dtype=np.float32))
            continue
        row = scipy.sparse.csr_matrix(feature.features, dtype=np.float32)
        if feature.is_dense():
            row = row * np.float32(dense_weight)
        else:
            norm = float(np.sqrt(row.multiply(row).sum()))
            if norm > 0:
                row = row / np.float32(norm)
        parts.append(row)
    return scipy.sparse.hstack(parts, format="csr", dtype=np.float32)


def softmax(scores: np.ndarray) -> np.ndarray:
    scores = np.exp(scores - scores.max(axis=1, keepdims=True))
    return scores / scores.sum(axis=1, keepdims=True)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class AveragedMLPIntentClassifier(IntentClassifier, GraphComponent):
    """Averaged one-hidden-layer networks (or logistic regression) over sentence features."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Featurizer]

    @staticmethod
    def required_packages() -> List[Text]:
        return ["sklearn", "scipy", "numpy"]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "model": "mlp",
            "C": 10.0,
            "dense_weight": 2.0,
            "max_iter": 5000,
            "hidden": 256,
            "alpha": 0.001,
            "seeds": [0, 1, 2, 3, 4],
            "mlp_max_iter": 300,
            "ranking_length": 10,
        }

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        if config["model"] not in MODELS:
            raise InvalidConfigException(f"AveragedMLPIntentClassifier: model is one of {MODELS}")
        if float(config["C"]) <= 0 or float(config["dense_weight"]) < 0:
            raise InvalidConfigException("AveragedMLPIntentClassifier: C > 0, dense_weight >= 0")
        seeds = config["seeds"]
        if not isinstance(seeds, list) or not seeds or not all(isinstance(s, int) for s in seeds):
            raise InvalidConfigException("AveragedMLPIntentClassifier: seeds is a list of integers")
        if int(config["hidden"]) <= 0 or float(config["alpha"]) < 0:
            raise InvalidConfigException("AveragedMLPIntentClassifier: hidden > 0, alpha >= 0")

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        weights: Optional[Dict[str, Any]] = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self.validate_config(self.config)
        self._model_storage = model_storage
        self._resource = resource
        weights = weights or {}
        self.classes: List[str] = list(weights.get("classes", []))
        self.blocks: List[str] = list(weights.get("blocks", []))
        self.dims: Dict[str, int] = dict(weights.get("dims", {}))
        # logistic: coef (classes x features), intercept (classes)
        self.coef: Optional[np.ndarray] = weights.get("coef")
        self.intercept: Optional[np.ndarray] = weights.get("intercept")
        # mlp, one slice per seed: hidden_coef (seeds x features x hidden), hidden_intercept
        # (seeds x hidden), output_coef (seeds x hidden x classes), output_intercept
        self.hidden_coef: Optional[np.ndarray] = weights.get("hidden_coef")
        self.hidden_intercept: Optional[np.ndarray] = weights.get("hidden_intercept")
        self.output_coef: Optional[np.ndarray] = weights.get("output_coef")
        self.output_intercept: Optional[np.ndarray] = weights.get("output_intercept")

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> AveragedMLPIntentClassifier:
        return cls(config, model_storage, resource)

    # --- training ---

    def _matrix(self, messages: List[Message]) -> scipy.sparse.csr_matrix:
        rows = [
            sentence_vector(m, self.blocks, self.dims, float(self.config["dense_weight"]))
            for m in messages
        ]
        return scipy.sparse.vstack(rows, format="csr")

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            logger.debug("AveragedMLPIntentClassifier: no intent examples, nothing to train")
            return self._resource
        dims: Dict[str, int] = {}
        for example in examples:
            for f in example.features:
                if f.attribute == TEXT and f.type == SENTENCE:
                    dims[f.origin] = int(f.features.shape[-1])
        self.blocks = sorted(dims)
        self.dims = dims
        labels = [e.get(INTENT) for e in examples]
        x = self._matrix(examples)
        if self.config["model"] == "mlp":
            self._train_mlp(x, labels)
        else:
            self._train_logistic(x, labels)
        self.persist()
        return self._resource

    def _train_logistic(self, x: scipy.sparse.csr_matrix, labels: List[str]) -> None:
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(C=float(self.config["C"]), max_iter=int(self.config["max_iter"]))
        model.fit(x, labels)
        self.classes = [str(c) for c in model.classes_]
        self.coef = model.coef_.astype(np.float32)
        self.intercept = model.intercept_.astype(np.float32)

    def _train_mlp(self, x: scipy.sparse.csr_matrix, labels: List[str]) -> None:
        from sklearn.neural_network import MLPClassifier
        from threadpoolctl import threadpool_limits

        hidden_coef, hidden_intercept, output_coef, output_intercept = [], [], [], []
        for seed in self.config["seeds"]:
            model = MLPClassifier(
                hidden_layer_sizes=(int(self.config["hidden"]),),
                alpha=float(self.config["alpha"]),
                max_iter=int(self.config["mlp_max_iter"]),
                random_state=int(seed),
            )
            # one BLAS thread: the matrices are small, and parallel BLAS beside TensorFlow's
            # threads spent a third of the training time in the kernel (whole model: 411 s -> 319 s)
            with threadpool_limits(limits=1):
                model.fit(x, labels)
            self.classes = [str(c) for c in model.classes_]
            if len(self.classes) < 3:
                # scikit-learn then fits one logistic output, not a softmax over classes
                raise InvalidConfigException("AveragedMLPIntentClassifier mlp: needs >= 3 intents")
            hidden_coef.append(model.coefs_[0])
            output_coef.append(model.coefs_[1])
            hidden_intercept.append(model.intercepts_[0])
            output_intercept.append(model.intercepts_[1])
        self.hidden_coef = np.stack(hidden_coef).astype(np.float32)
        self.hidden_intercept = np.stack(hidden_intercept).astype(np.float32)
        self.output_coef = np.stack(output_coef).astype(np.float32)
        self.output_intercept = np.stack(output_intercept).astype(np.float32)

    def _arrays(self) -> Dict[str, np.ndarray]:
        names = ["coef", "intercept", "hidden_coef", "hidden_intercept"]
        names += ["output_coef", "output_intercept"]
        return {n: getattr(self, n) for n in names if getattr(self, n) is not None}

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as folder:
            np.savez(folder / WEIGHTS, **self._arrays())
            meta = {"classes": self.classes, "blocks": self.blocks, "dims": self.dims}
            (folder / META).write_text(json.dumps(meta), encoding="utf-8")

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> AveragedMLPIntentClassifier:
        try:
            with model_storage.read_from(resource) as folder:
                meta = json.loads((folder / META).read_text(encoding="utf-8"))
                with np.load(folder / WEIGHTS) as arrays:
                    weights = {**meta, **{name: arrays[name].copy() for name in arrays.files}}
        except ValueError:
            logger.debug("AveragedMLPIntentClassifier: no trained weights, using an untrained one")
            return cls.create(config, model_storage, resource, execution_context)
        return cls(config, model_storage, resource, weights)

    # --- prediction ---

    @property
    def trained(self) -> bool:
        return self.coef is not None or self.hidden_coef is not None

    def probabilities(self, messages: List[Message]) -> np.ndarray:
        x = self._matrix(messages)
        if self.hidden_coef is None:
            return softmax(np.asarray(x @ self.coef.T) + self.intercept)
        per_seed = []
        for k in range(self.hidden_coef.shape[0]):
            hidden = np.maximum(np.asarray(x @ self.hidden_coef[k]) + self.hidden_intercept[k], 0)
            per_seed.append(softmax(hidden @ self.output_coef[k] + self.output_intercept[k]))
        return np.mean(per_seed, axis=0)

    def process(self, messages: List[Message]) -> List[Message]:
        if not self.trained or not messages:
            return messages
        probabilities = self.probabilities(messages)
        for message, row in zip(messages, probabilities, strict=False):
            order = np.argsort(-row, kind="stable")
            ranking = [
                {"name": self.classes[i], "confidence": float(row[i])}
                for i in order[: int(self.config["ranking_length"]) or len(order)]
            ]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
