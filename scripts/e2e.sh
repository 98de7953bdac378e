#!/usr/bin/env bash
# End to end on a real chain (part of `make test`): ensures wasmd (built once from the Go
# module proxy, cached) and the optimized wasm, then runs, against real wasmd nodes on their
# own loopback ports (packages/keeper/tests/):
#   devnet.rs    the devnet lifecycle (up, idempotent up, down, resume, reset)
#   e2e.rs       a crash on one validator, every keeper role, the node restarted mid-run
#   failover.rs  a crash on four validators, the keeper's node stopped mid-run (failover)
#   admin.rs     migration to new code, admin and ownership handed to a 2-of-2 multisig
# BW_SKIP_WASM=1 reuses artifacts/ as built by the caller. BREAKWATER_E2E_PORT_BASE=N moves
# every test network's ports (N, N+100, N+200, N+300) off the defaults (36657, 46657, 46757,
# 46857).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh
mkdir -p "$BW_CACHE"
bw_ensure_wasmd
if [ "${BW_SKIP_WASM:-0}" != 1 ] || [ ! -f artifacts/breakwater_market.wasm ]; then
  scripts/build-wasm.sh
fi
export WASMD
cargo test --locked -p breakwater-keeper --test devnet --test e2e --test failover --test admin -- --ignored --nocapture --test-threads 1
