"""Settings from environment variables, with defaults that work in a fresh clone."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def cache_root() -> Path:
    """Everything rebuilt from content hashes (environments, Rasa models, encoders, the
    index) lives here, outside the clone. Read by both processes and scripts/ensure_env.sh."""
    return Path(os.environ.get("LDN_CACHE_DIR", Path.home() / ".cache" / "ldn-assistant"))


@dataclass(frozen=True)
class Settings:
    knowledge_dir: Path
    cache_dir: Path  # the embedding index
    encoder_dir: Path  # the domain-tuned sentence encoder (ldn_core.retrieval.tuning)

    @classmethod
    def from_env(cls) -> Settings:
        cache = cache_root()
        return cls(
            knowledge_dir=Path(os.environ.get("LDN_KNOWLEDGE_DIR", REPO_ROOT / "knowledge")),
            cache_dir=cache / "index",
            encoder_dir=cache / "encoders",
        )
