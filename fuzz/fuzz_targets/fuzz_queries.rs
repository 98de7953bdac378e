//! Arbitrary JSON to the four `query` entry points on the prepared chain: one query per line,
//! `<contract> <seconds> <json>` (see `breakwater_fuzz::raw`).
#![no_main]
use breakwater_fuzz::run_queries;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| run_queries(data));
