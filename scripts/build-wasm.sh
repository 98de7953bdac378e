#!/usr/bin/env bash
# Builds every contract for wasm32, replaces code no input can reach (the symbol demangler, f64
# formatting and the Display of std's Backtrace, see below) with `unreachable`, lowers the
# bulk-memory instructions the CosmWasm VM rejects, optimizes for size, checks that bad input
# gets errors and not traps, validates each with cosmwasm-check, enforces the project's size
# limit (400,000 bytes per contract) and wasmd's upload limit, and writes
# artifacts/<contract>.wasm and artifacts/checksums.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh
bw_tools_ensure

# The four protocol contracts, then the devnet venue (a pool and a flash receiver the keeper's
# bidder uses on the local chain; not part of the protocol).
CONTRACTS=(${BREAKWATER_CONTRACTS:-oracle market liquidator backstop devnet-pool flash-receiver})
# wasmd's MaxWasmSize (800 KiB): larger code cannot be stored on chain.
MAX_BYTES=819200
# The project's limit (docs/BENCHMARKS.md, issue 11): at most 400 KB per optimized contract,
# read strictly as 400,000 bytes, fatal for every contract. BREAKWATER_WASM_OVER_LIMIT can name
# contracts for which it is only reported (for measurements of trees that are over it;
# wasmd's limit stays fatal); empty by default.
LIMIT_BYTES=${BREAKWATER_WASM_LIMIT:-400000}
OVER_LIMIT=(${BREAKWATER_WASM_OVER_LIMIT-})
OUT=artifacts
mkdir -p "$OUT"

# Panic locations name their files: shorter paths (and wasm that does not depend on where the
# checkout and the cargo registry are).
remap="--remap-path-prefix=$PWD=/breakwater"
for d in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/; do
  [ -d "$d" ] && remap="$remap --remap-path-prefix=$d="
done
# Each contract's crate is a cdylib and an rlib (the tests link the rlib). Cargo does not apply
# the profile's `lto = true` to a crate that is also an rlib, so a plain `cargo build` links the
# contract without link-time optimization; `cargo rustc --crate-type cdylib` builds the cdylib
# alone, with it (the market 401,554 -> 344,917 bytes; docs/BENCHMARKS.md).
for c in "${CONTRACTS[@]}"; do
  echo "[wasm] cargo rustc --release --lib --target wasm32-unknown-unknown -p breakwater-$c --crate-type cdylib"
  RUSTFLAGS="${RUSTFLAGS:-} -C link-arg=--allow-undefined $remap" \
    cargo rustc --release --lib --locked --target wasm32-unknown-unknown -p "breakwater-$c" --crate-type cdylib
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

: > "$OUT/checksums.txt"
status=0
for c in "${CONTRACTS[@]}"; do
  raw="${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/release/breakwater_${c//-/_}.wasm"
  out="$OUT/breakwater_${c//-/_}.wasm"
  [ -f "$raw" ] || { echo "[wasm] missing $raw" >&2; exit 1; }
  # Code no input can reach, replaced with `unreachable` (docs/BENCHMARKS.md):
  # - rustc_demangle's own functions. They are linked only through the Display of std's
  #   Backtrace, which cosmwasm-std boxes into every StdError; they run only on the symbol
  #   names of captured frames, and on wasm32-unknown-unknown std captures none
  #   (cosmwasm-std stores Backtrace::disabled(), and std's tracer and symbolizer there are
  #   no-ops). Only symbols whose path is in rustc_demangle: std's generic functions that
  #   rustc_demangle merely instantiated (`<&str as Display>::fmt`, `str::trim_start_matches`,
  #   ... whose symbol ends in `..._14rustc_demangle`, the instantiating crate) are shared by
  #   every other caller and must stay. About 25 KB per contract.
  # - core's f64 formatting, linked only through the `Unexpected::Float` arm of serde's
  #   `Unexpected` Display, which serde_json never takes (it formats floats itself). Only
  #   where scripts/check-float-arm.mjs proves it on this build's call graph; it is
  #   conservative (a number that could be the formatter's table slot counts as a use), so
  #   where it cannot prove it the code stays. About 18 KB per contract without link-time
  #   optimization; with it LLVM drops the arm itself and the check reports nothing to do.
  # - `<std::backtrace::Backtrace as Display>::fmt` (with the frame printer only it calls),
  #   where scripts/check-backtrace.mjs proves it never called: on the build, it is reachable
  #   only through the Display slot of cosmwasm-std's private `Printable` vtable (`BT`), and
  #   in the linked crates' sources nothing displays a `BT` (every line naming a backtrace is
  #   a reviewed one). Conservative like the float check: where it cannot prove it the code
  #   stays (today the devnet pool, where a constant equals the function's table index).
  #   About 1.9 KB per contract.
  # scripts/check-wasm-errors.mjs then checks that bad input still gets errors, not traps.
  float=()
  why=$(node scripts/check-float-arm.mjs "$BINARYEN_DIR" "$raw" 2>&1) && rc=0 || rc=$?
  if [ "$rc" -eq 3 ]; then
    : # link-time optimization already dropped it
  elif [ "$rc" -eq 0 ]; then
    float=('^_ZN[0-9]+_\$LT\$serde_core\.\.de\.\.WithDecimalPoint\$u20\$as\$u20\$core\.\.fmt\.\.Display\$GT\$3fmt17h[0-9a-f]{16}E$'
      '^_RNvXs[0-9a-z]*_NtNtCs[0-9A-Za-z_]+_4core3fmt5floatdNtB[0-9a-z]+_7Display3fmt$')
  else
    echo "[wasm] $c: f64 formatting kept (${why#check-float-arm: })"
  fi
  bt=()
  if why=$(node scripts/check-backtrace.mjs "$BINARYEN_DIR" "$raw" "breakwater-$c" 2>&1); then
    bt=('^_RNvXs[0-9a-z]*_NtCs[0-9A-Za-z_]+_3std9backtraceNtB[0-9a-z]+_9BacktraceNtNtCs[0-9A-Za-z_]+_4core3fmt7Display3fmt$')
  else
    echo "[wasm] $c: Backtrace's Display kept (${why#check-backtrace: })"
  fi
  node scripts/wasm-snip.mjs "$BINARYEN_DIR" "$raw" "$tmp/snipped.wasm" 'rustc_demangle(?!$)' "${float[@]}" "${bt[@]}" >/dev/null
  # --low-memory-unused: address arithmetic folded into load/store offsets, valid because no
  # pointer is within 1 KiB of 4 GiB (the VM's memory is tens of MiB); --reorder-functions:
  # the most-called functions get the shortest indices. Neither changes what the code does.
  "$WASM_OPT" -Oz --converge --low-memory-unused --reorder-functions --enable-bulk-memory --enable-sign-ext \
    --signext-lowering --llvm-memory-copy-fill-lowering \
    --strip-debug --strip-producers --strip-target-features "$tmp/snipped.wasm" -o "$out"
  size=$(stat -c %s "$out")
  exempt=no
  for e in "${OVER_LIMIT[@]}"; do [ "$e" = "$c" ] && exempt=yes; done
  if [ "$size" -gt "$MAX_BYTES" ]; then
    echo "[wasm] error: $out is $size bytes, over wasmd's $MAX_BYTES-byte upload limit" >&2
    status=1
  elif [ "$size" -gt "$LIMIT_BYTES" ] && [ "$exempt" = no ]; then
    echo "[wasm] error: $out is $size bytes, over the $LIMIT_BYTES-byte limit by $(( size - LIMIT_BYTES ))" >&2
    status=1
  elif [ "$size" -gt "$LIMIT_BYTES" ]; then
    echo "[wasm] $out: $size bytes, OVER the $LIMIT_BYTES-byte limit by $(( size - LIMIT_BYTES )) (listed in OVER_LIMIT: reported, not fatal)"
  else
    echo "[wasm] $out: $size bytes, $(( LIMIT_BYTES - size )) under the $LIMIT_BYTES-byte limit"
  fi
  (cd "$OUT" && sha256sum "breakwater_${c//-/_}.wasm") >> "$OUT/checksums.txt"
done
echo "[wasm] bad input gets errors, not traps"
node scripts/check-wasm-errors.mjs $(for c in "${CONTRACTS[@]}"; do printf "%s " "$OUT/breakwater_${c//-/_}.wasm"; done) 2>&1 | sed 's/^/[wasm] /'
[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "[wasm] error: a contract traps on bad input" >&2; exit 1; }
echo "[wasm] cosmwasm-check"
"$COSMWASM_CHECK" --available-capabilities iterator,staking,stargate,cosmwasm_1_1,cosmwasm_1_2,cosmwasm_1_3,cosmwasm_1_4,cosmwasm_2_0,cosmwasm_2_1,cosmwasm_2_2 \
  $(for c in "${CONTRACTS[@]}"; do printf "%s " "$OUT/breakwater_${c//-/_}.wasm"; done) 2>&1 | sed 's/^/[wasm] /'
check=${PIPESTATUS[0]}
[ "$check" -eq 0 ] || { echo "[wasm] error: cosmwasm-check failed" >&2; exit 1; }
exit $status
