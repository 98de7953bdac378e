//! The keeper bots for Breakwater on a real chain, their configuration and metrics. The chain
//! toolkit they use (client, deployer, devnet, query helpers) is `breakwater-chain`.
//!
//! - [`bots`] are the keeper roles; [`metrics`] serves their counters to Prometheus;
//! - [`config`] is the keeper's TOML configuration.
#![deny(missing_docs)]

pub mod bots;
pub mod config;
pub mod metrics;
