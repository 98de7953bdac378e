//! Breakwater's shared types.
//!
//! Every message, query and response of the four contracts lives here, together with typed
//! wrappers for cross-contract calls ([`adapters`]), a two-step ownership module
//! ([`ownership`]) and the pure fixed-point math the contracts share ([`math`]). The keepers, the
//! cascade lab and the tests use exactly these types.
#![deny(missing_docs)]

#[macro_use]
mod variants;
pub mod adapters;
pub mod backstop;
pub mod deploy;
pub mod error;
pub mod lean_de;
pub mod liquidation;
pub mod liquidator;
pub mod market;
pub mod math;
pub mod migration;
pub mod oracle;
pub mod ownership;
pub mod risk;
pub mod venue;

pub use error::ParamError;

crate::cw_serde_struct! {
/// Migration message shared by every contract: it carries nothing; the contract checks that
/// the stored state is its own and older than the code, then records the new version.
pub struct MigrateMsg {}
}

/// Seconds in a (365-day) year: the unit of every annual rate and of annualized volatility.
pub const SECONDS_PER_YEAR: u64 = 31_536_000;

/// The default page size of paginated queries.
pub const DEFAULT_LIMIT: u32 = 30;
/// The largest page size of paginated queries.
pub const MAX_LIMIT: u32 = 100;

/// Clamps a requested page size to `[1, MAX_LIMIT]`, defaulting to [`DEFAULT_LIMIT`].
pub fn page_limit(limit: Option<u32>) -> usize {
    limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT) as usize
}
