//! A cw-multi-test `Suite` for Breakwater: a `SuiteBuilder` with sensible defaults (a base
//! asset, three collaterals, feeders, funded users), one typed helper per message and time
//! helpers. Every integration test and the cascade lab drive the contracts through it.
mod flash;
mod liquidation_helpers;
mod market_helpers;
mod oracle_helpers;
mod suite;
mod venue;

pub use flash::FlashBehaviour;
pub use suite::{
    dec, default_auction_params, default_liquidation_params, Suite, SuiteBuilder, BLOCK_SECONDS,
    USER_FUNDS,
};
