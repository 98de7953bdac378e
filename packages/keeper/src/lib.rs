//! Breakwater on a real chain: a local wasmd devnet, a deployer, and the keeper bots.
//!
//! - [`devnet`] runs a single-node wasmd chain on loopback (`keeper devnet up|down|status|reset`).
//! - [`client`] builds, signs and broadcasts transactions and runs smart queries (cosmrs +
//!   tendermint-rpc), with account-sequence recovery.
//! - [`deploy`] stores the optimized wasm and instantiates the four contracts wired together.
//! - [`bots`] are the keeper roles; [`metrics`] serves their counters to Prometheus.
#![deny(missing_docs)]

pub mod bots;
pub mod client;
pub mod config;
pub mod deploy;
pub mod devnet;
pub mod harness;
pub mod metrics;
