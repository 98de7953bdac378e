//! Breakwater's medianized price oracle.
//!
//! Whitelisted feeders submit prices per asset. Each submission re-medianizes the asset's
//! fresh submissions with outlier exclusion, requires a quorum, compares the new median with
//! the time-weighted average of the window (a circuit breaker that halts the asset on a large
//! jump) and records the median in a bounded ring buffer of observations carrying running
//! sums, from which TWAP and realized volatility are read. Staleness is evaluated at query
//! time. See [`aggregate`] for the exact update rules.
#![deny(missing_docs)]

pub mod aggregate;
pub mod assets;
pub mod contract;
pub mod depth;
pub mod error;
pub mod feeders;
pub mod query;
pub mod ring;
pub mod state;
pub mod status;
pub mod submit;

pub use error::ContractError;
