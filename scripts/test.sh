#!/usr/bin/env bash
# The README's test command (`make test`) and what CI runs: installs what is missing, then
# formatting, lints, every test, the schema check, and the optimized, validated wasm build.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh
bw_tools_ensure
rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy

step() { printf '\n==> %s\n' "$*"; }

# A cold run writes ~7 GB (target/ and fuzz/target/); a full disk fails it with compiler errors
# that do not say so (a CI run once failed that way in the fuzz build). Say how much is free at
# the start, warn when it is short, and say it again when a step fails.
disk_free_gb() { df -Pk . | awk 'NR == 2 { printf "%.1f", $4 / 1048576 }'; }
printf '[test] %s GB free on the disk of %s\n' "$(disk_free_gb)" "$(pwd)"
if awk -v f="$(disk_free_gb)" 'BEGIN { exit !(f < 10) }'; then
  printf '[test] warning: under 10 GB free; a cold run writes ~7 GB and may fail for want of space\n' >&2
fi
trap 'printf "\n[test] a step failed; %s GB free on the disk of %s\n" "$(disk_free_gb)" "$(pwd)" >&2' ERR

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --locked --workspace --all-targets -- -D warnings

step "cargo test (unit, integration, property)"
cargo test --locked --workspace

step "schemas are up to date"
scripts/check-schema.sh

step "TypeScript client: regenerated from schema/ and type-checked"
scripts/ts-client.sh

step "optimized wasm: build, lower, cosmwasm-check, size budget"
scripts/build-wasm.sh

step "fuzzing: every contract's execute and query entry points, short run"
scripts/fuzz.sh "${BREAKWATER_FUZZ_SECONDS:-20}"

step "end to end on a real chain: wasmd devnet, deployer, keeper bots, node restart"
BW_SKIP_WASM=1 scripts/e2e.sh

printf '\nall checks passed\n'
