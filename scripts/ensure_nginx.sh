#!/usr/bin/env bash
# nginx for the production profile (deploy/nginx.conf.j2), from Debian's packages, installed
# only when missing. The package's own daemon is not used: the profile runs its own nginx
# master in the foreground with a rendered configuration. Exit 0 even when installation is
# impossible: the production tests then skip with the reason.
set -uo pipefail
version() { (nginx -v || /usr/sbin/nginx -v) 2>&1; }
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
  echo "nginx present: $(version)"
  exit 0
fi
"$(dirname "$0")/apt_install.sh" "the production tests will be skipped" nginx || exit 0
echo "nginx installed: $(version)"
