//! A cw-multi-test `Suite` for Breakwater: a `SuiteBuilder` with sensible defaults (a base
//! asset, three collaterals, feeders, funded users), one typed helper per message and time
//! helpers. Every integration test and the cascade lab drive the contracts through it.
mod market_helpers;
mod oracle_helpers;
mod suite;

pub use suite::{dec, Suite, SuiteBuilder, BLOCK_SECONDS, USER_FUNDS};
