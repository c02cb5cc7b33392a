#!/usr/bin/env bash
# Install Debian packages with apt-get, for a test or profile that needs them.
# Usage: scripts/apt_install.sh "<what skips without them>" package...
# Refreshes the package list first (a fresh CI machine has none) and keeps any package from
# starting a system-wide daemon (policy-rc.d 101). Exits 1 with the reason on stderr when the
# install is impossible or fails; callers decide whether that is fatal.
set -uo pipefail
consequence=$1; shift
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
  echo "$* missing and not root (no sudo): $consequence" >&2
  exit 1
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo -n"
echo "==> installing $* with apt-get"
export DEBIAN_FRONTEND=noninteractive
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null && $SUDO chmod +x "$policy"
  created_policy=1
fi
ok=1
$SUDO apt-get update -qq || ok=0
[ $ok -eq 1 ] && { $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null || ok=0; }
[ $created_policy -eq 1 ] && $SUDO rm -f "$policy"
if [ $ok -eq 0 ]; then
  echo "apt-get install $* failed: $consequence" >&2
  exit 1
fi
