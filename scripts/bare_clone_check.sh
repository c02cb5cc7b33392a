#!/usr/bin/env bash
# CI phase `bare-clone`: a plain `git clone` of this checkout's HEAD, in an empty temporary
# folder with nothing beside it (no ../shared evidence dossier), must pass the knowledge
# validation and the unit tests. It proves the repository carries everything its checks need.
# Usage: scripts/bare_clone_check.sh [pytest arguments of the unit phase]
# Only committed files are cloned: commit before relying on this phase.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
[ $# -gt 0 ] || set -- tests/core tests/actions -q
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ldn-bare-clone.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
git clone --quiet "$src" "$tmp/repo"
cd "$tmp/repo"
echo "==> bare clone of $(git rev-parse --short HEAD) in $tmp/repo (nothing beside it: $(ls -A "$tmp" | tr '\n' ' '))"
# Nothing from the outer run may point back at the original checkout or the dossier.
unset LDN_EVIDENCE_DOSSIER LDN_KNOWLEDGE_DIR PYTHONPATH
export LDN_DATA_DIR=$PWD/var
export RASA_TELEMETRY_ENABLED=false HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
# The base venvs and the embedding index are cached by content hash: reused, not rebuilt. The
# clone gets its own thin venvs (.venv/*), with ITS packages installed editable.
make --no-print-directory envs
.venv/actions/bin/python -m ldn_core.knowledge.validate
.venv/actions/bin/python -m ldn_core.retrieval.build
nice .venv/actions/bin/python -m pytest -p no:cacheprovider "$@"
