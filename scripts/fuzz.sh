#!/usr/bin/env bash
# Fuzzes every contract's execute and query entry points (cargo-fuzz + libFuzzer, targets in
# fuzz/fuzz_targets/, harness in fuzz/src/; see docs/SECURITY.md, "Fuzzing").
#
#   scripts/fuzz.sh [seconds-per-target]     default 20: the short run of `make test`
#   scripts/fuzz.sh --seeds                  rewrite the seed corpora fuzz/corpus/<target>/
#   FUZZ_TARGETS="fuzz_queries" scripts/fuzz.sh 60   only some targets
#
# Installs cargo-fuzz into $BREAKWATER_CACHE (default ~/.cache/breakwater), builds the targets
# into fuzz/target (the fuzz crate is its own workspace), replays fuzz/regressions/<target>/,
# then runs each target for the given time from fuzz/corpus/<target>/ (committed seeds) and
# fuzz/target/corpus/<target>/ (what earlier local runs found), prints each target's runs, and
# fails if any target crashed (the input is left in fuzz/artifacts/<target>/).
#
# Toolchain: `cargo +nightly fuzz` when a nightly toolchain is installed; otherwise the stable
# toolchain with RUSTC_BOOTSTRAP=1 (cargo-fuzz passes -Z flags). BREAKWATER_FUZZ_TOOLCHAIN=
# stable|nightly forces one. Sanitizer: none by default (the contracts are safe Rust, so
# AddressSanitizer finds nothing more and halves the speed; panics and overflow checks are on
# either way); BREAKWATER_FUZZ_SANITIZER=address turns it on (both toolchains ship its runtime).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

CARGO_FUZZ_VERSION="0.13.2"
BW_CACHE="${BREAKWATER_CACHE:-$HOME/.cache/breakwater}"
TARGETS=(${FUZZ_TARGETS:-fuzz_market_execute fuzz_oracle_execute fuzz_liquidator_execute fuzz_backstop_execute fuzz_queries fuzz_structured})
SANITIZER="${BREAKWATER_FUZZ_SANITIZER:-none}"
TARGET_DIR="$root/fuzz/target"
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"

log() { printf '[fuzz] %s\n' "$*" >&2; }
die() { printf '[fuzz] error: %s\n' "$*" >&2; exit 1; }

# cargo-fuzz, cached by version (0.13.2 builds with rustc 1.95; ~2 minutes once).
fuzz_root="$BW_CACHE/cargo-fuzz-$CARGO_FUZZ_VERSION"
if [ ! -x "$fuzz_root/bin/cargo-fuzz" ]; then
  log "installing cargo-fuzz $CARGO_FUZZ_VERSION into $fuzz_root (one time, ~2 minutes)"
  CARGO_TARGET_DIR="$BW_CACHE/cargo-fuzz-build" \
    cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --root "$fuzz_root" >&2 \
    || die "cargo could not install cargo-fuzz $CARGO_FUZZ_VERSION"
  rm -rf "$BW_CACHE/cargo-fuzz-build"
fi
export PATH="$fuzz_root/bin:$PATH"

toolchain="${BREAKWATER_FUZZ_TOOLCHAIN:-}"
if [ -z "$toolchain" ]; then
  if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then toolchain=nightly; else toolchain=stable; fi
fi
case "$toolchain" in
  nightly) cargo_fuzz=(cargo +nightly fuzz) ;;
  stable) cargo_fuzz=(cargo fuzz); export RUSTC_BOOTSTRAP=1 ;;
  *) die "BREAKWATER_FUZZ_TOOLCHAIN must be stable or nightly, not $toolchain" ;;
esac
host=$(rustc -vV | sed -n 's/^host: //p')
bin_dir="$TARGET_DIR/$host/release"

if [ "${1:-}" = "--seeds" ]; then
  (cd fuzz && cargo run --locked --release --example seeds)
  exit 0
fi
SECONDS_PER_TARGET="${1:-20}"
[[ "$SECONDS_PER_TARGET" =~ ^[0-9]+$ ]] || die "usage: scripts/fuzz.sh [seconds-per-target] | --seeds"

log "building every fuzz target ($toolchain toolchain, sanitizer $SANITIZER) into fuzz/target"
# No -O: cargo-fuzz then keeps debug assertions and overflow checks on (the contracts' release
# profile has overflow checks too). 16 codegen units instead of cargo-fuzz's default of 1: a
# shorter build for a little speed.
"${cargo_fuzz[@]}" build -s "$SANITIZER" --codegen-units 16 --target-dir "$TARGET_DIR" >&2 \
  || die "cargo fuzz build failed"
# The seed generator (`--seeds`) is built by nothing else: check that it still compiles against
# the messages (it once fell behind a new field unnoticed).
log "checking the seed generator (fuzz/examples/seeds.rs) compiles"
(cd fuzz && cargo check --locked --quiet --example seeds) >&2 \
  || die "the seed generator fuzz/examples/seeds.rs does not compile"

failed=()
# Every input that once crashed a target replays on each run.
for t in "${TARGETS[@]}"; do
  dir="fuzz/regressions/$t"
  [ -d "$dir" ] || continue
  files=("$dir"/*)
  [ -e "${files[0]}" ] || continue
  log "replaying ${#files[@]} regression input(s) of $t"
  if ! "$bin_dir/$t" -runs=1 "${files[@]}" > "$TARGET_DIR/$t.regressions.log" 2>&1; then
    tail -n 40 "$TARGET_DIR/$t.regressions.log" >&2
    failed+=("$t (regression)")
  fi
done

rows=()
for t in "${TARGETS[@]}"; do
  work="$TARGET_DIR/corpus/$t"
  mkdir -p "$work" "fuzz/artifacts/$t"
  out="$TARGET_DIR/$t.log"
  log "running $t for ${SECONDS_PER_TARGET}s"
  rc=0
  "$bin_dir/$t" -max_total_time="$SECONDS_PER_TARGET" -timeout=30 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="fuzz/artifacts/$t/" "$work" "fuzz/corpus/$t" \
    > "$out" 2>&1 || rc=$?
  runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1/p' "$out" | tail -n 1)
  secs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\2/p' "$out" | tail -n 1)
  cov=$(grep -o 'cov: [0-9]*' "$out" | tail -n 1 | cut -d' ' -f2)
  corp=$(grep -o 'corp: [0-9]*' "$out" | tail -n 1 | cut -d' ' -f2)
  if [ "$rc" -ne 0 ]; then
    runs=$(grep -o '^#[0-9]*' "$out" | tail -n 1 | tr -d '#')
    grep -E "panicked at|^  left|^  right|untyped|SUMMARY|Test unit written" "$out" >&2 || tail -n 40 "$out" >&2
    failed+=("$t")
    result="CRASH (see fuzz/artifacts/$t/, log $out)"
  else
    result="ok"
  fi
  rate="-"
  if [ -n "${runs:-}" ] && [ -n "${secs:-}" ] && [ "${secs:-0}" -gt 0 ]; then rate=$((runs / secs)); fi
  rows+=("$(printf '| %-24s | %10s | %5s | %7s | %6s | %6s | %s |' "$t" "${runs:--}" "${secs:--}" "$rate" "${cov:--}" "${corp:--}" "$result")")
done

printf '\nfuzzing summary (%s s per target, %s toolchain, sanitizer %s, %s)\n' \
  "$SECONDS_PER_TARGET" "$toolchain" "$SANITIZER" "$(date -u +%Y-%m-%d)"
printf '| %-24s | %10s | %5s | %7s | %6s | %6s | %s |\n' target runs secs exec/s cov corpus result
printf '|%s|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..26})" "$(printf -- '-%.0s' {1..12})" \
  "$(printf -- '-%.0s' {1..7})" "$(printf -- '-%.0s' {1..9})" "$(printf -- '-%.0s' {1..8})" \
  "$(printf -- '-%.0s' {1..8})" "--------"
printf '%s\n' "${rows[@]}"
if [ "${#failed[@]}" -gt 0 ]; then
  printf '\n[fuzz] FAILED: %s\n' "${failed[*]}" >&2
  printf '[fuzz] replay an input: fuzz/target/%s/release/<target> <file>, or natively with a\n' "$host" >&2
  printf '[fuzz] plain backtrace and a trace of every message:\n' >&2
  printf '[fuzz]   (cd fuzz && BREAKWATER_FUZZ_TRACE=1 cargo run --release --example replay -- <target> <file>)\n' >&2
  exit 1
fi
