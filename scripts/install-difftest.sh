#!/usr/bin/env bash
# Installs the Node.js side of the differential test of internal/cedar
# (TestDifferentialAgainstCedarWasm): @cedar-policy/cedar-wasm, pinned
# exactly in internal/cedar/difftest/package.json and package-lock.json, into
# internal/cedar/difftest/node_modules (ignored by git) with `npm ci`.
#
# Idempotent: when node_modules was installed by this script from the same
# package.json and package-lock.json, it does nothing (a few milliseconds).
# Needs node (>= 18) and npm on PATH; everything comes from the npm registry.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/internal/cedar/difftest"
stamp="$dir/node_modules/.install-difftest.stamp"

for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "install-difftest: '$tool' was not found on PATH. The differential test of internal/cedar needs" >&2
    echo "install-difftest: Node.js >= 18 with npm (e.g. apt-get install nodejs npm), or set JITSUDO_SKIP_DIFFTEST=1 to skip it." >&2
    exit 1
  fi
done

# The stamp records what node_modules was installed from.
want=$(cat "$dir/package.json" "$dir/package-lock.json" | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] &&
  [ -f "$dir/node_modules/@cedar-policy/cedar-wasm/package.json" ]; then
  exit 0
fi

major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 18 ]; then
  echo "install-difftest: Node.js $(node --version) is too old; the differential test needs Node.js >= 18" >&2
  exit 1
fi

echo "installing internal/cedar/difftest/node_modules (npm ci)"
# npm ci installs exactly what package-lock.json records (and fails if it does
# not match package.json); it starts from an empty node_modules, so a failed
# run leaves no stamp behind. No package of this project runs install scripts.
(cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
echo "$want" >"$stamp"
