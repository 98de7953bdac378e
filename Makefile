# One task runner. The README names `make lab` (the main job) and `make test` (every check).
.PHONY: test wasm schema schema-write fmt lint tools

test:            ## every check CI runs: fmt, clippy, tests, schema diff, wasm + cosmwasm-check
	scripts/test.sh

wasm:            ## optimized, validated wasm in artifacts/
	scripts/build-wasm.sh

schema:          ## fail if schema/ is stale
	scripts/check-schema.sh

schema-write:    ## regenerate schema/
	scripts/check-schema.sh --write

fmt:
	cargo fmt --all

lint:
	cargo clippy --workspace --all-targets -- -D warnings

tools:           ## install and cache wasm target, wasm-opt, cosmwasm-check
	scripts/tools.sh
