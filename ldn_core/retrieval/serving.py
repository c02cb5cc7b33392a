"""The encoder the assistant serves with, one per process.

It sits above both ``encoder`` (the model wrapper, a leaf) and ``tuning`` (which builds the
tuned model from the wrapper), so that neither has to import the other back.
"""

from __future__ import annotations

import threading

from ldn_core.retrieval.encoder import MiniLMEncoder
from ldn_core.retrieval.tuning import tuned_encoder
from ldn_core.settings import Settings

_lock = threading.Lock()
_shared: MiniLMEncoder | None = None


def shared_encoder() -> MiniLMEncoder:
    """One encoder per process (loading costs seconds and ~500 MB): the domain-tuned one,
    which the retrieval weights in knowledge/retrieval.yaml were tuned for."""
    global _shared
    with _lock:
        if _shared is None:
            settings = Settings.from_env()
            _shared = tuned_encoder(settings.knowledge_dir, settings.encoder_dir)
        return _shared
