//! Breakwater's chain toolkit: everything needed to talk to a CosmWasm chain from Rust and to
//! run one locally. Used by the keeper (`packages/keeper`), the lab's wasmd backend
//! (`packages/lab`) and `chain-bench`.
//!
//! - [`client`] builds, signs and broadcasts transactions and runs smart queries (cosmrs +
//!   tendermint-rpc), with account-sequence recovery.
//! - [`deploy`] stores the optimized wasm and instantiates the four contracts wired together.
//! - [`devnet`] runs a wasmd chain on loopback (`keeper devnet up|down|status|reset`).
//! - [`query`] pages through the contracts' list queries (accounts, auctions, prices).
//! - [`harness`] drives a deployment in bulk (funding derived accounts, opening positions)
//!   for the end-to-end tests and the benchmarks.
#![deny(missing_docs)]

pub mod client;
pub mod deploy;
pub mod devnet;
pub mod harness;
pub mod query;
