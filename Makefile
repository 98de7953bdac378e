# One task runner. The README names `make lab` (the main job) and `make test` (every check).
.PHONY: lab stress lab-bench test wasm schema schema-write ts-client ts-client-write fmt lint tools fuzz devnet-up devnet-down deploy keeper e2e chain-bench chain-throughput keeper-release

lab:             ## the main job: every engine x every shipped scenario, tables + charts in lab-out/
	cargo run --release --locked -p breakwater-lab --bin lab -- $(ARGS)

stress:          ## a crash family through every engine: make stress ARGS="--family v-wick --paths 1000"
	cargo run --release --locked -p breakwater-lab --bin lab -- stress $(ARGS)

lab-bench:       ## the lab's benchmarks (docs/BENCHMARKS.md): black-thursday at 10,000 accounts, stress 1,000 x 1,000
	cargo build --release --locked -p breakwater-lab --bin lab
	/usr/bin/time -v target/release/lab run --scenario black-thursday --engine all --out lab-out/bench-bt
	/usr/bin/time -v target/release/lab stress --family v-wick --paths 1000 --accounts 1000 --out lab-out/bench-stress

test:            ## every check CI runs: fmt, clippy, tests, schema diff, wasm + cosmwasm-check
	scripts/test.sh

wasm:            ## optimized, validated wasm in artifacts/
	scripts/build-wasm.sh

schema:          ## fail if schema/ is stale
	scripts/check-schema.sh

schema-write:    ## regenerate schema/
	scripts/check-schema.sh --write

ts-client:       ## fail if ts/src is stale against schema/; type-check it
	scripts/ts-client.sh

ts-client-write: ## regenerate the TypeScript client in ts/src
	scripts/ts-client.sh --write

fmt:
	cargo fmt --all

lint:
	cargo clippy --workspace --all-targets -- -D warnings

SECONDS ?= 20
fuzz:            ## every fuzz target for SECONDS each (default 20): `make fuzz SECONDS=300`
	scripts/fuzz.sh $(SECONDS)

KEEPER = cargo run --locked -q -p breakwater-keeper --bin keeper --
devnet-up:       ## a local wasmd chain on 127.0.0.1:26657 (builds wasmd once)
	scripts/tools.sh >/dev/null && $(KEEPER) devnet up

devnet-down:     ## stop it (state kept; `keeper devnet reset` wipes it)
	$(KEEPER) devnet down

deploy:          ## store + instantiate + wire the contracts on the devnet
	scripts/build-wasm.sh && $(KEEPER) deploy

keeper:          ## the keeper bots: make keeper ARGS="run --price-file prices.csv"
	$(KEEPER) $(ARGS)

e2e:             ## the end-to-end test on wasmd (part of make test)
	scripts/e2e.sh

chain-bench:     ## gas and keeper reaction on wasmd (docs/BENCHMARKS.md)
	scripts/tools.sh >/dev/null && scripts/build-wasm.sh && cargo run --release --locked -p breakwater-keeper --bin chain-bench -- $(ARGS)

keeper-release:  ## the keeper for operators: target/release-keeper/keeper (docs/keeper.md#operating)
	cargo build --locked --profile release-keeper -p breakwater-keeper --bin keeper

chain-throughput: ## keeper throughput on wasmd: 1,000 accounts, 200 liquidatable at once
	scripts/tools.sh >/dev/null && scripts/build-wasm.sh && cargo run --release --locked -p breakwater-keeper --bin chain-bench -- --throughput $(ARGS)

tools:           ## install and cache wasm target, wasm-opt, cosmwasm-check, wasmd
	scripts/tools.sh
