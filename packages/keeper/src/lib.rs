//! The keeper bots for Breakwater on a real chain, their configuration and metrics. The chain
//! toolkit they use (client, deployer, devnet, query helpers) is `breakwater-chain`.
//!
//! - [`bots`] are the keeper roles; [`metrics`] serves their counters to Prometheus;
//! - [`config`] is the keeper's TOML configuration;
//! - [`ops`] is the preflight (`keeper check`) and the background refresh of balances,
//!   endpoint health and gas price;
//! - [`risk`] is `keeper risk`: liquidatable debt, backstop coverage and spiral index under
//!   price shocks.
#![deny(missing_docs)]

pub mod bots;
pub mod config;
pub mod metrics;
pub mod ops;
pub mod risk;
