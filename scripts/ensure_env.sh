#!/usr/bin/env bash
# Build (or reuse) one of the two Python environments, in two layers:
#   base  the pinned third-party packages of a lock file, cached OUTSIDE the clone and shared by
#         every clone on the machine ($LDN_CACHE_DIR/venvs/<name>-<hash of lock and Python>);
#   thin  .venv/<name> in this clone: a venv of the same Python whose site-packages reads the
#         base's (a .pth runs site.addsitedir, so the base's own .pth files work too), with
#         THIS clone's packages (packages/*) installed editable on top, and the base's
#         commands (rasa, pytest, ruff, ...) provided in its bin/.
# The editable installs must not go into the shared base: there they would point at whichever
# clone installed last. The thin venv takes a few seconds and is rebuilt by itself when the
# base, the packages' metadata or the clone's folder change. Usage:
#   scripts/ensure_env.sh <name> <python-version> <lock-file> <package-folder>...
set -euo pipefail
name=$1 pyver=$2 lock=$3
shift 3
packages=("$@")
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${LDN_CACHE_DIR:-$HOME/.cache/ldn-assistant}  # as ldn_core.settings.cache_root()
key=$( (cat "$root/$lock"; echo "$pyver") | sha256sum | cut -c1-16)
venv="$cache/venvs/$name-$key"
thin="$root/.venv/$name"
# pip prints a warning per package for a missing local mirror folder: noise, filtered.
quiet() { "$@" 2>&1 | grep -v "is ignored: it is neither a file nor a directory" || true; }

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
  quiet "$venv/bin/pip" install --quiet --disable-pip-version-check pip==24.0
  # --no-deps: the lock file is the complete, resolved set; nothing else may slip in.
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps -r "$root/$lock" \
    2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
  "$venv/bin/pip" check
  touch "$venv/.complete"
  echo "==> $name environment ready in $(( $(date +%s) - start )) s"
fi
exec 9>&-  # the base is complete and never changes under its key: release it

# The thin per-clone venv. Its stamp names everything it was built from.
stamp=$(
  sha256sum <"$root/scripts/ensure_env.sh"  # this recipe
  echo "$venv $(stat -c %Y "$venv/.complete")"  # a rebuilt base has a new .complete
  echo "$root"
  for package in "${packages[@]}"; do echo "$package"; cat "$root/$package/pyproject.toml"; done
)
[ -f "$thin/.ldn-stamp" ] && [ "$(cat "$thin/.ldn-stamp")" = "$stamp" ] && exit 0

mkdir -p "$root/.venv"
exec 8>"$root/.venv/.$name.lock"  # two make jobs in this clone
flock 8
[ -f "$thin/.ldn-stamp" ] && [ "$(cat "$thin/.ldn-stamp")" = "$stamp" ] && exit 0
start=$(date +%s)
# Before the thin venvs, .venv/<name> was a symbolic link to the base: remove the link only.
if [ -L "$thin" ]; then rm -f "$thin"; else rm -rf "$thin"; fi
"$venv/bin/python" -m venv --without-pip "$thin"  # the base's interpreter; pip comes from the base
purelib() { "$1/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])'; }
base_site=$(purelib "$venv")
echo "import site; site.addsitedir('$base_site')" >"$(purelib "$thin")/_ldn_base_venv.pth"

# The base's commands, run by the thin venv's Python: console scripts get their first line
# rewritten (the rest imports the entry point, now found through the .pth); binaries
# (ruff) are linked. What the thin venv has already (python, activate) is kept.
shebang="#!$thin/bin/python"
for file in "$venv"/bin/*; do
  target="$thin/bin/$(basename "$file")"
  [ -f "$file" ] && [ ! -e "$target" ] || continue
  if [ "$(head -c 2 "$file")" = "#!" ] && head -n 1 "$file" | grep -qx "#!$venv/bin/python[0-9.]*"; then
    if [ ${#shebang} -le 127 ]; then
      { echo "$shebang"; tail -n +2 "$file"; } >"$target"
    else  # over the kernel's limit for a first line: pip's own workaround
      { echo "#!/bin/sh"; echo "'''exec' \"$thin/bin/python\" \"\$0\" \"\$@\""; echo "' '''"
        tail -n +2 "$file"; } >"$target"
    fi
    chmod +x "$target"
  elif [ -x "$file" ]; then
    ln -s "$file" "$target"
  fi
done

# This clone's packages, editable: --no-deps (the base has them all, from the lock),
# --no-build-isolation (the base's setuptools), --no-index (nothing is downloaded). `pip check`
# over the whole venv (base and packages) is a unit test (tests/structure/test_packages.py).
editables=()
for package in "${packages[@]}"; do editables+=(-e "$root/$package"); done
"$thin/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
  --no-build-isolation --no-index "${editables[@]}" \
  2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
echo "$stamp" >"$thin/.ldn-stamp"
echo "==> .venv/$name: this clone's packages over $venv ($(( $(date +%s) - start )) s)"
