# Typing generics (List, Dict, Text, Optional) as in Rasa's own components: Rasa validates the
# graph by comparing these annotations with its built-in components' ones.
# ruff: noqa: UP006, UP007, UP019, UP035
"""Rasa NLU component: a regularised logistic-regression intent classifier.

It classifies from the message's sentence-level features: each sparse featurizer's sentence
vector (word n-gram counts, character n-gram counts, regex matches) L2-normalised on its own,
next to the dense MiniLM sentence embedding multiplied by `dense_weight`. On this assistant's
training data it did better than DIET with the same features (docs/nlu-report.md)
and trains in seconds. Training is deterministic (lbfgs, no random initialisation); the
trained weights are stored as plain numpy arrays (no pickle) and prediction is a numpy
softmax, so inference needs no scikit-learn.

config.yml:

    - name: nlu_components.linear_intent_classifier.LinearIntentClassifier
      C: 10.0             # inverse L2 regularisation strength
      dense_weight: 2.0   # scale of the dense sentence embedding against the sparse blocks
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


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(IntentClassifier, GraphComponent):
    """Multinomial logistic regression over the message's sentence-level features."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Featurizer]

    @staticmethod
    def required_packages() -> List[Text]:
        return ["sklearn", "scipy", "numpy"]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"C": 10.0, "dense_weight": 2.0, "max_iter": 5000, "ranking_length": 10}

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        if float(config["C"]) <= 0 or float(config["dense_weight"]) < 0:
            raise InvalidConfigException("LinearIntentClassifier: C > 0, dense_weight >= 0")

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
        self.coef: Optional[np.ndarray] = weights.get("coef")
        self.intercept: Optional[np.ndarray] = weights.get("intercept")

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    # --- training ---

    def _matrix(self, messages: List[Message]) -> scipy.sparse.csr_matrix:
        rows = [
            sentence_vector(m, self.blocks, self.dims, float(self.config["dense_weight"]))
            for m in messages
        ]
        return scipy.sparse.vstack(rows, format="csr")

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.linear_model import LogisticRegression

        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            logger.debug("LinearIntentClassifier: no intent examples, nothing to train")
            return self._resource
        dims: Dict[str, int] = {}
        for example in examples:
            for f in example.features:
                if f.attribute == TEXT and f.type == SENTENCE:
                    dims[f.origin] = int(f.features.shape[-1])
        self.blocks = sorted(dims)
        self.dims = dims
        labels = [e.get(INTENT) for e in examples]
        model = LogisticRegression(C=float(self.config["C"]), max_iter=int(self.config["max_iter"]))
        model.fit(self._matrix(examples), labels)
        self.classes = [str(c) for c in model.classes_]
        self.coef = model.coef_.astype(np.float32)
        self.intercept = model.intercept_.astype(np.float32)
        self.persist()
        return self._resource

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as folder:
            np.savez(folder / WEIGHTS, coef=self.coef, intercept=self.intercept)
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
    ) -> LinearIntentClassifier:
        try:
            with model_storage.read_from(resource) as folder:
                meta = json.loads((folder / META).read_text(encoding="utf-8"))
                with np.load(folder / WEIGHTS) as arrays:
                    weights = {
                        **meta,
                        "coef": arrays["coef"].copy(),
                        "intercept": arrays["intercept"].copy(),
                    }
        except ValueError:
            logger.debug("LinearIntentClassifier: no trained weights, using an untrained one")
            return cls.create(config, model_storage, resource, execution_context)
        return cls(config, model_storage, resource, weights)

    # --- prediction ---

    def probabilities(self, messages: List[Message]) -> np.ndarray:
        scores = np.asarray(self._matrix(messages) @ self.coef.T) + self.intercept
        scores = np.exp(scores - scores.max(axis=1, keepdims=True))
        return scores / scores.sum(axis=1, keepdims=True)

    def process(self, messages: List[Message]) -> List[Message]:
        if self.coef is None or not messages:
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
