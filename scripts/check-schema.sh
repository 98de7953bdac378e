#!/usr/bin/env bash
# Regenerates every contract's JSON schema and fails if the committed schema/ differs.
# `scripts/check-schema.sh --write` updates schema/ instead.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
CONTRACTS=(${BREAKWATER_CONTRACTS:-oracle market liquidator backstop devnet-pool flash-receiver})
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cargo build --locked --examples $(for c in "${CONTRACTS[@]}"; do printf -- "-p breakwater-%s " "$c"; done) >&2
for c in "${CONTRACTS[@]}"; do
  mkdir -p "$tmp/$c"
  (cd "$tmp/$c" && "$root/target/debug/examples/schema_$c" >/dev/null)
done
if [ "${1:-}" = "--write" ]; then
  for c in "${CONTRACTS[@]}"; do
    rm -rf "schema/$c"; mkdir -p "schema/$c"; cp -r "$tmp/$c/schema/." "schema/$c/"
  done
  echo "[schema] written to schema/"
  exit 0
fi
stale=0
for c in "${CONTRACTS[@]}"; do
  if ! diff -r "$tmp/$c/schema" "schema/$c" >/dev/null 2>&1; then
    echo "[schema] error: schema/$c is stale; run scripts/check-schema.sh --write and commit" >&2
    diff -r "$tmp/$c/schema" "schema/$c" | head -20 >&2 || true
    stale=1
  fi
done
[ $stale -eq 0 ] && echo "[schema] schema/ is up to date"
exit $stale
