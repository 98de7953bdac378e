# One task runner. The README names `make lab` (the main job) and `make test` (every check).
.PHONY: lab test wasm schema schema-write fmt lint tools

lab:             ## the main job: every crash scenario, naive vs Breakwater, table + charts in lab-out/
	cargo run --release --locked -p breakwater-lab --bin lab -- $(ARGS)

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
