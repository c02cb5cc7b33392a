#!/usr/bin/env bash
# Create (or reuse) a pinned virtualenv, cached outside the clone and keyed on the
# lock file's content, then link it at .venv/<name>. Usage:
#   scripts/ensure_env.sh <name> <python-version> <lock-file>
set -euo pipefail
name=$1 pyver=$2 lock=$3
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${LDN_CACHE_DIR:-$HOME/.cache/ldn-assistant}  # as ldn_core.settings.cache_root()
key=$( (cat "$root/$lock"; echo "$pyver") | sha256sum | cut -c1-16)
venv="$cache/venvs/$name-$key"
link="$root/.venv/$name"

# Two checkouts (or two make jobs) may ask for the same environment at once: without a lock
# the second one deletes the half-built venv of the first. Wait for the builder instead.
mkdir -p "$cache/venvs"
exec 9>"$venv.lock"
if ! flock -n 9; then
  echo "==> waiting for another build of the $name environment to finish"
  flock 9
fi

if [ ! -f "$venv/.complete" ]; then
  python="$(pyenv prefix "$pyver" 2>/dev/null)/bin/python" || true
  [ -x "$python" ] || python=$(command -v "python$pyver" || true)
  if [ -z "$python" ] || [ ! -x "$python" ]; then
    echo "error: Python $pyver not found (tried pyenv and python$pyver)." >&2; exit 1
  fi
  echo "==> building the $name environment (Python $pyver, $lock); first time only, a few minutes"
  start=$(date +%s)
  rm -rf "$venv"; mkdir -p "$cache/venvs"
  "$python" -m venv "$venv"
  # pip prints a warning per package for a missing local mirror folder: noise, filtered.
  quiet() { "$@" 2>&1 | grep -v "is ignored: it is neither a file nor a directory" || true; }
  quiet "$venv/bin/pip" install --quiet --disable-pip-version-check pip==24.0
  # --no-deps: the lock file is the complete, resolved set; nothing else may slip in.
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps -r "$root/$lock" \
    2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
  "$venv/bin/pip" check
  touch "$venv/.complete"
  echo "==> $name environment ready in $(( $(date +%s) - start )) s"
fi
mkdir -p "$root/.venv"
ln -sfn "$venv" "$link"
