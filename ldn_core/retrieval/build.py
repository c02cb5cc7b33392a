"""Build (or reuse) the cached embedding index: `python -m ldn_core.retrieval.build`."""

from __future__ import annotations

import logging
import sys
import time

from ldn_core.retrieval.retriever import Retriever
from ldn_core.retrieval.tuning import tuned_encoder
from ldn_core.settings import Settings


def main() -> int:
    logging.basicConfig(level=logging.WARNING)
    settings = Settings.from_env()
    started = time.monotonic()
    print("==> loading the knowledge store and its embedding index", flush=True)
    try:
        encoder = tuned_encoder(
            settings.knowledge_dir,
            settings.encoder_dir,
            progress=lambda line: print(f"    {line}", flush=True),
        )
        retriever = Retriever.from_knowledge(settings.knowledge_dir, encoder, settings.cache_dir)
    except ValueError as err:  # a KnowledgeError, or a bad encoder_tuning.yaml
        print(f"error: knowledge store does not load: {err}", file=sys.stderr)
        return 1
    print(
        f"==> embedding index ready: {len(retriever.store.passages)} passages "
        f"({time.monotonic() - started:.0f} s; cached by content hash)",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
