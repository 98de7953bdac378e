//! Arbitrary JSON to the market's `execute` entry point on the prepared chain: one message per
//! line, `<sender> <funds> <seconds> <json>` (see `breakwater_fuzz::raw`).
#![no_main]
use breakwater_fuzz::{run_execute, Contract};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| run_execute(Contract::Market, data));
