"""Checks of nlu_components.mlp_intent_classifier that must run in the Rasa venv.

Run by tests/nlu_components/test_mlp_intent_classifier.py as
``<rasa venv python> classifier_checks.py NAME``; each check raises on failure and prints
"checked" when it passes.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

INTENTS = ("ask_dosing", "greet", "out_of_scope")


def _messages(n_per_intent: int = 12, seed: int = 3):
    """Messages carrying one dense and one sparse sentence feature, clustered by intent."""
    import scipy.sparse
    from rasa.shared.nlu.training_data.features import Features
    from rasa.shared.nlu.training_data.message import Message

    rng = np.random.default_rng(seed)
    out = []
    for k, intent in enumerate(INTENTS):
        for i in range(n_per_intent):
            dense = rng.normal(0, 0.3, (1, 8)).astype(np.float32)
            dense[0, k] += 1.0
            sparse = np.zeros((1, 5), dtype=np.float32)
            sparse[0, k] = 1.0
            sparse[0, 3 + i % 2] = 1.0
            m = Message.build(text=f"{intent} {i}", intent=intent)
            m.add_features(Features(dense, "sentence", "text", "dense_origin"))
            m.add_features(Features(scipy.sparse.coo_matrix(sparse), "sentence", "text", "sp"))
            out.append(m)
    return out


def _component(folder: Path, **config):
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource

    from nlu_components.mlp_intent_classifier import AveragedMLPIntentClassifier

    storage = LocalModelStorage(folder)
    resource = Resource("intent_classifier")
    context = ExecutionContext(GraphSchema({}), "check")
    return AveragedMLPIntentClassifier.create(config, storage, resource, context), storage, resource


def _reload(component, storage, resource):
    from rasa.engine.graph import ExecutionContext, GraphSchema

    from nlu_components.mlp_intent_classifier import AveragedMLPIntentClassifier

    context = ExecutionContext(GraphSchema({}), "check")
    return AveragedMLPIntentClassifier.load(component.config, storage, resource, context)


def mlp() -> None:
    """The numpy forward pass equals scikit-learn's, averaged over the seeds, and survives
    persisting; the ranking is set on every message."""
    from rasa.shared.nlu.training_data.training_data import TrainingData
    from sklearn.neural_network import MLPClassifier

    messages = _messages()
    with tempfile.TemporaryDirectory() as tmp:
        clf, storage, resource = _component(
            Path(tmp), model="mlp", hidden=16, alpha=0.001, seeds=[0, 1]
        )
        clf.train(TrainingData(messages))
        x = clf._matrix(messages)
        labels = [m.get("intent") for m in messages]
        expected = np.mean(
            [
                MLPClassifier(hidden_layer_sizes=(16,), alpha=0.001, max_iter=300, random_state=s)
                .fit(x, labels)
                .predict_proba(x)
                for s in (0, 1)
            ],
            axis=0,
        )
        got = clf.probabilities(messages)
        assert np.allclose(got, expected, atol=1e-4), float(np.abs(got - expected).max())
        assert clf.hidden_coef.shape == (2, 13, 16) and clf.coef is None
        again = _reload(clf, storage, resource)
        assert np.allclose(again.probabilities(messages), got, atol=1e-6)
        fresh = _messages(seed=9)
        again.process(fresh)
        right = sum(m.get("intent")["name"] == m.data["text"].split()[0] for m in fresh)
        assert right >= 0.9 * len(fresh), right
        assert len(fresh[0].get("intent_ranking")) == len(INTENTS)


def logistic() -> None:
    """The logistic model still matches scikit-learn and survives persisting."""
    from rasa.shared.nlu.training_data.training_data import TrainingData
    from sklearn.linear_model import LogisticRegression

    messages = _messages()
    with tempfile.TemporaryDirectory() as tmp:
        clf, storage, resource = _component(Path(tmp), model="logistic", C=10.0)
        clf.train(TrainingData(messages))
        x = clf._matrix(messages)
        labels = [m.get("intent") for m in messages]
        expected = LogisticRegression(C=10.0, max_iter=5000).fit(x, labels).predict_proba(x)
        got = _reload(clf, storage, resource).probabilities(messages)
        assert np.allclose(got, expected, atol=1e-4)


def config() -> None:
    """Bad settings are refused at creation, naming the rule."""
    from rasa.shared.exceptions import InvalidConfigException

    bad = [
        {"model": "forest"},
        {"model": "mlp", "seeds": []},
        {"model": "mlp", "seeds": "0"},
        {"model": "mlp", "hidden": 0},
        {"C": 0},
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for settings in bad:
            try:
                _component(Path(tmp), **settings)
            except InvalidConfigException as err:
                assert "AveragedMLPIntentClassifier" in str(err)
            else:
                raise AssertionError(f"accepted {settings}")


if __name__ == "__main__":
    {"mlp": mlp, "logistic": logistic, "config": config}[sys.argv[1]]()
    print("checked")
