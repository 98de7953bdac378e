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
