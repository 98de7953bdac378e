#!/usr/bin/env bash
# The TypeScript client in ts/src, generated from schema/ by @cosmwasm/ts-codegen (pinned in
# ts/package-lock.json, installed once into the cache by scripts/tools.sh).
#   scripts/ts-client.sh           regenerate ts/src, fail if it differs from the committed one,
#                                  then type-check it with tsc (part of `make test`)
#   scripts/ts-client.sh --write   regenerate ts/src in place
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh
bw_ensure_ts_tools
root=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Only the contracts' API files (schema/<c>/*.json); raw/ and cw_schema/ are other formats.
for c in oracle market liquidator backstop; do
  mkdir -p "$tmp/schema/$c"
  cp schema/$c/*.json "$tmp/schema/$c/"
done
# Node resolves the codegen from the tools folder.
cp ts/codegen.mjs "$TS_TOOLS/codegen.mjs"
(cd "$TS_TOOLS" && node codegen.mjs "$tmp/schema" "$tmp/src" >/dev/null)
if [ "${1:-}" = "--write" ]; then
  rm -rf ts/src && mkdir -p ts/src && cp -r "$tmp/src/." ts/src/
  echo "[ts] ts/src regenerated"
else
  if ! diff -r "$tmp/src" ts/src >/dev/null 2>&1; then
    echo "[ts] error: ts/src is stale; run scripts/ts-client.sh --write and commit" >&2
    diff -r "$tmp/src" ts/src | head -20 >&2 || true
    exit 1
  fi
  echo "[ts] ts/src matches schema/"
fi
# Type-check against the pinned @cosmjs types.
ln -sfn "$TS_TOOLS/node_modules" ts/node_modules
"$TS_TOOLS/node_modules/.bin/tsc" -p ts/tsconfig.json
echo "[ts] tsc: the client type-checks"
