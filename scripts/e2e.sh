#!/usr/bin/env bash
# End to end on a real chain (part of `make test`): ensures wasmd (built once from the Go
# module proxy, cached) and the optimized wasm, then runs the devnet lifecycle test and the
# end-to-end keeper test (packages/keeper/tests/{devnet,e2e}.rs) against real wasmd nodes on
# their own loopback ports. BW_SKIP_WASM=1 reuses artifacts/ as built by the caller.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh
mkdir -p "$BW_CACHE"
bw_ensure_wasmd
if [ "${BW_SKIP_WASM:-0}" != 1 ] || [ ! -f artifacts/breakwater_market.wasm ]; then
  scripts/build-wasm.sh
fi
export WASMD
cargo test --locked -p breakwater-keeper --test devnet --test e2e -- --ignored --nocapture --test-threads 1
