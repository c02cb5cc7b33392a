#!/usr/bin/env bash
# Reproduce web/vendor/ from the npm registry, pinned by web/package.json + package-lock.json.
#   scripts/vendor_web.sh          re-vendor (npm ci in a temporary folder, copy the built file)
#   scripts/vendor_web.sh --check  verify the committed file matches what npm ci produces
# The web chat serves only these local files: no CDN, no bundler, no node_modules in the tree.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v npm >/dev/null || { echo "npm is needed to re-vendor web/vendor/" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp web/package.json web/package-lock.json "$work/"
(cd "$work" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)

src="$work/node_modules/socket.io-client/dist/socket.io.min.js"
version=$(node -p "require('$work/node_modules/socket.io-client/package.json').version")
if [ "${1:-}" = "--check" ]; then
  if cmp -s "$src" web/vendor/socket.io.min.js; then
    echo "web/vendor/socket.io.min.js matches socket.io-client $version from the lock file"
  else
    echo "web/vendor/socket.io.min.js differs from socket.io-client $version: run scripts/vendor_web.sh" >&2
    exit 1
  fi
  exit 0
fi
mkdir -p web/vendor
cp "$src" web/vendor/socket.io.min.js
cp "$work/node_modules/socket.io-client/LICENSE" web/vendor/socket.io-client.LICENSE
echo "vendored socket.io-client $version -> web/vendor/socket.io.min.js ($(sha256sum web/vendor/socket.io.min.js | cut -c1-16)...)"
