"""The two deployables (and what they share) are installable packages with their own metadata
(packages/*/pyproject.toml), installed editable into this clone's thin venvs
(scripts/ensure_env.sh), so that this clone's own code is what each venv imports, with no
PYTHONPATH and no sys.path edits."""

from __future__ import annotations

import json
import os
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ROOT / "packages"

# Which distribution each environment gets, and what it must (not) be able to import.
ENVIRONMENTS = {
    "actions": {
        "dists": ["ldn-core", "ldn-action-server", "ldn-dev-tools"],
        "imports": ["ldn_core", "actions", "cds_service", "scripts", "bench"],
        "absent": ["channels", "nlu_components", "rasa_plugins"],
    },
    "rasa": {
        "dists": ["ldn-core", "ldn-rasa-server", "ldn-dev-tools"],
        "imports": ["ldn_core", "channels", "nlu_components", "rasa_plugins", "scripts", "bench"],
        "absent": ["actions", "cds_service"],
    },
}


def metadata() -> dict[str, dict]:
    return {
        path.parent.name: tomllib.loads(path.read_text(encoding="utf-8"))
        for path in sorted(PACKAGES.glob("*/pyproject.toml"))
    }


def test_every_subpackage_is_listed_and_every_source_folder_is_in_one_package():
    owners: dict[str, str] = {}
    for folder, meta in metadata().items():
        setup = meta["tool"]["setuptools"]
        assert meta["project"]["name"] == folder
        for top, where in setup["package-dir"].items():
            assert (PACKAGES / folder / where).resolve() == ROOT / top, (folder, top, where)
            assert top not in owners, f"{top} is in both {owners.get(top)} and {folder}"
            owners[top] = folder
            found = sorted(
                ".".join(init.parent.relative_to(ROOT).parts)
                for init in (ROOT / top).rglob("__init__.py")
            )
            listed = sorted(p for p in setup["packages"] if p == top or p.startswith(top + "."))
            assert listed == found, f"{folder}/pyproject.toml lists {listed}, the tree has {found}"
    python_folders = {
        path.parts[0] for path in (p.relative_to(ROOT) for p in ROOT.glob("*/**/*.py"))
    } - {"tests", "packages", ".venv"}
    assert python_folders == set(owners)


@pytest.mark.parametrize("name", sorted(ENVIRONMENTS))
def test_each_venv_imports_this_clones_code_without_pythonpath(name, tmp_path):
    python = ROOT / ".venv" / name / "bin" / "python"
    if not python.exists():
        pytest.skip(f"no {python}: run `make envs`")
    expected = ENVIRONMENTS[name]
    probe = (
        "import importlib.metadata as m, importlib.util as u, json, sys\n"
        f"names = {expected['imports'] + expected['absent']!r}\n"
        "found = {n: (u.find_spec(n).origin if u.find_spec(n) else None) for n in names}\n"
        f"dists = {{d: m.version(d) for d in {expected['dists']!r}}}\n"
        "print(json.dumps({'found': found, 'dists': dists}))\n"
    )
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    result = subprocess.run(
        [str(python), "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    for module in expected["imports"]:
        assert report["found"][module] == str(ROOT / module / "__init__.py")
    for module in expected["absent"]:
        assert report["found"][module] is None, f"{module} importable in the {name} venv"
    assert sorted(report["dists"]) == sorted(expected["dists"])


@pytest.mark.parametrize("name", sorted(ENVIRONMENTS))
def test_pip_check_passes_in_each_venv(name):
    python = ROOT / ".venv" / name / "bin" / "python"
    if not python.exists():
        pytest.skip(f"no {python}: run `make envs`")
    result = subprocess.run(
        [str(python), "-m", "pip", "check", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
