#!/usr/bin/env bash
# Headless Chromium for the web chat browser tests (tests/live/browser.py). Installs Debian's
# `chromium` only when it is missing; never downloads a browser build of its own (Playwright
# drives /usr/bin/chromium through `executable_path`). Exit 0 even when installation is
# impossible: the browser tests then skip with the reason.
set -uo pipefail
CHROMIUM=${LDN_CHROMIUM:-/usr/bin/chromium}
if [ -x "$CHROMIUM" ]; then
  echo "chromium present: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
  exit 0
fi
"$(dirname "$0")/apt_install.sh" "the browser tests will be skipped" chromium fonts-dejavu-core \
  || exit 0
echo "chromium installed: $("$CHROMIUM" --version 2>/dev/null || echo '?')"
