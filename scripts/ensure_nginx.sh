#!/usr/bin/env bash
# nginx for the production profile (deploy/nginx.conf.j2), from Debian's packages, installed
# only when missing. The package's own daemon is not used: the profile runs its own nginx
# master in the foreground with a rendered configuration. Exit 0 even when installation is
# impossible: the production tests then skip with the reason.
set -uo pipefail
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
  echo "nginx present: $( (nginx -v || /usr/sbin/nginx -v) 2>&1)"
  exit 0
fi
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
  echo "nginx missing and not root (no sudo): the production tests will be skipped" >&2
  exit 0
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo -n"
echo "==> installing nginx with apt-get"
export DEBIAN_FRONTEND=noninteractive
# policy-rc.d 101: the package must not start (or need) a system-wide daemon on port 80.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null && $SUDO chmod +x "$policy"
  created_policy=1
fi
ok=1
$SUDO apt-get update -qq || ok=0
[ $ok -eq 1 ] && { $SUDO apt-get install -y -qq --no-install-recommends nginx >/dev/null || ok=0; }
[ $created_policy -eq 1 ] && $SUDO rm -f "$policy"
if [ $ok -eq 0 ]; then
  echo "apt-get install nginx failed: the production tests will be skipped" >&2
  exit 0
fi
echo "nginx installed: $( (nginx -v || /usr/sbin/nginx -v) 2>&1)"
