#!/usr/bin/env bash
# Installs and caches every external tool the build needs. Run it, or source it and call
# `bw_tools_ensure`, which exports WASM_OPT and COSMWASM_CHECK.
#
# Cache: $BREAKWATER_CACHE (default ~/.cache/breakwater), one folder per tool and version,
# so a second run finds everything and returns at once.
set -euo pipefail

BW_CACHE="${BREAKWATER_CACHE:-$HOME/.cache/breakwater}"
BINARYEN_VERSION="132.0.0"
COSMWASM_CHECK_VERSION="3.0.10"
WASMD_VERSION="v0.61.14"
# wasmd v0.61.14 pins bytedance/sonic 1.14.2, which does not build with Go >= 1.26; the go
# command fetches this toolchain from the module proxy (cached in the module cache).
WASMD_GO_TOOLCHAIN="go1.24.11"

bw_log() { printf '[tools] %s\n' "$*" >&2; }
bw_die() { printf '[tools] error: %s\n' "$*" >&2; exit 1; }

bw_need() {
  command -v "$1" >/dev/null 2>&1 || bw_die "$1 is required ($2) and was not found on PATH"
}

# The wasm32 target for the current toolchain.
bw_ensure_wasm_target() {
  bw_need rustup "install Rust with rustup"
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    bw_log "installing the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown >&2 || bw_die "rustup could not add wasm32-unknown-unknown"
  fi
}

# wasm-opt from the npm package `binaryen` (Debian's and the crates.io builds are too old to
# lower bulk-memory instructions).
bw_ensure_wasm_opt() {
  local dir="$BW_CACHE/binaryen-$BINARYEN_VERSION"
  local bin="$dir/node_modules/.bin/wasm-opt"
  if [ ! -x "$bin" ]; then
    bw_need npm "install Node.js and npm to get wasm-opt from the binaryen package"
    bw_log "installing binaryen@$BINARYEN_VERSION (wasm-opt) into $dir"
    mkdir -p "$dir"
    (cd "$dir" && npm install --no-audit --no-fund --silent "binaryen@$BINARYEN_VERSION" >&2) \
      || bw_die "npm could not install binaryen@$BINARYEN_VERSION"
  fi
  [ -x "$bin" ] || bw_die "wasm-opt not found at $bin after install"
  WASM_OPT="$bin"
  # The binaryen.js beside it serves scripts/wasm-snip.mjs.
  BINARYEN_DIR="$dir"
  export WASM_OPT BINARYEN_DIR
}

# cosmwasm-check 3.0.10 (3.0.11 needs rustc 1.96). Takes ~4.5 minutes once, then cached.
bw_ensure_cosmwasm_check() {
  local root="$BW_CACHE/cosmwasm-check-$COSMWASM_CHECK_VERSION"
  local bin="$root/bin/cosmwasm-check"
  if [ ! -x "$bin" ]; then
    bw_need cargo "install Rust with rustup"
    bw_log "installing cosmwasm-check $COSMWASM_CHECK_VERSION into $root (one time, several minutes)"
    CARGO_TARGET_DIR="$BW_CACHE/cosmwasm-check-build" \
      cargo install cosmwasm-check --version "$COSMWASM_CHECK_VERSION" --locked --root "$root" >&2 \
      || bw_die "cargo could not install cosmwasm-check $COSMWASM_CHECK_VERSION"
    rm -rf "$BW_CACHE/cosmwasm-check-build"
  fi
  COSMWASM_CHECK="$bin"
  export COSMWASM_CHECK
}

# wasmd, built from the Go module proxy inside the downloaded module directory (`go install`
# refuses modules with replace directives). The binary finds libwasmvm through an rpath into
# the Go module cache, which must therefore be kept. Cached by version.
bw_ensure_wasmd() {
  local dir="$BW_CACHE/wasmd-$WASMD_VERSION"
  local bin="$dir/wasmd"
  mkdir -p "$BW_CACHE"
  # One build at a time: a second caller waits for the first and then finds the binary.
  exec 9>"$BW_CACHE/.wasmd-build.lock"
  flock 9
  if [ ! -x "$bin" ] || ! "$bin" version >/dev/null 2>&1; then
    bw_need go "install Go (only used to build wasmd for the local chain)"
    bw_need python3 "python3 reads the module directory from go's JSON output"
    bw_log "building wasmd $WASMD_VERSION into $dir (one time, several minutes)"
    mkdir -p "$dir"
    local mod
    mod=$(GOTOOLCHAIN="$WASMD_GO_TOOLCHAIN" GOFLAGS=-mod=mod go mod download -json "github.com/CosmWasm/wasmd@$WASMD_VERSION" \
      | python3 -c 'import json,sys;print(json.load(sys.stdin)["Dir"])') \
      || bw_die "go could not download github.com/CosmWasm/wasmd@$WASMD_VERSION from the module proxy"
    (cd "$mod" && GOTOOLCHAIN="$WASMD_GO_TOOLCHAIN" CGO_ENABLED=1 go build -mod=readonly -ldflags '-checklinkname=0' \
      -o "$bin.tmp" ./cmd/wasmd >&2) || bw_die "go build of wasmd $WASMD_VERSION failed"
    mv "$bin.tmp" "$bin"
    "$bin" version >/dev/null 2>&1 || bw_die "the built wasmd does not run (is libwasmvm in the Go module cache?)"
  fi
  flock -u 9
  WASMD="$bin"
  export WASMD
}

# The TypeScript toolchain of ts/ (@cosmwasm/ts-codegen, typescript, the @cosmjs types the
# generated client imports), installed with `npm ci` from ts/package-lock.json into a cache
# folder named after the lock file's hash. Exports TS_TOOLS (the folder with node_modules).
bw_ensure_ts_tools() {
  local root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  local lock="$root/ts/package-lock.json"
  [ -f "$lock" ] || bw_die "missing $lock"
  local hash
  hash=$(sha256sum "$lock" | cut -c1-16)
  local dir="$BW_CACHE/ts-tools-$hash"
  mkdir -p "$BW_CACHE"
  exec 7>"$BW_CACHE/.ts-tools.lock"
  flock 7
  if [ ! -x "$dir/node_modules/.bin/tsc" ] || [ ! -d "$dir/node_modules/@cosmwasm/ts-codegen" ]; then
    bw_need npm "install Node.js and npm for the TypeScript client"
    bw_log "installing the TypeScript client tools (ts-codegen, typescript, interchainjs) into $dir"
    rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
    cp "$root/ts/package.json" "$lock" "$dir.tmp/"
    (cd "$dir.tmp" && npm ci --no-audit --no-fund --silent >&2) \
      || bw_die "npm could not install the TypeScript tools from $lock"
    rm -rf "$dir" && mv "$dir.tmp" "$dir"
  fi
  flock -u 7
  TS_TOOLS="$dir"
  export TS_TOOLS
}

bw_tools_ensure() {
  mkdir -p "$BW_CACHE"
  bw_ensure_wasm_target
  bw_ensure_wasm_opt
  bw_ensure_cosmwasm_check
}

# Run directly: install everything and report where it is.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  bw_tools_ensure
  echo "wasm-opt:       $WASM_OPT"
  echo "cosmwasm-check: $COSMWASM_CHECK"
  bw_ensure_wasmd
  echo "wasmd:          $WASMD"
fi
