//! Sequences of schema-shaped messages to all four contracts (see `breakwater_fuzz::schema`):
//! the fuzzer's bytes pick the contract, the variant, every field, the sender, the funds and
//! the time steps, so nearly every input gets past serde into the handlers.
#![no_main]
use breakwater_fuzz::run_structured;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| run_structured(data));
