//! Breakwater's chain toolkit: everything needed to talk to a CosmWasm chain from Rust and to
//! run one locally. Used by the keeper (`packages/keeper`), the lab's wasmd backend
//! (`packages/lab`) and `chain-bench`.
//!
//! - [`config`] is a chain's settings (prefix, coin type, fee denom, gas price source, RPC
//!   endpoints); [`keys`] derives keys for it and reads mnemonics from the environment or
//!   owner-only files.
//! - [`client`] runs smart queries and broadcasts transactions (cosmrs + tendermint-rpc) over
//!   a list of RPC endpoints with failover, follows the chain's gas price, and learns each
//!   transaction's fate from blocks; [`wallet`] signs and keeps the account sequence.
//! - [`deploy`] stores the optimized wasm and instantiates the four contracts wired together.
//! - [`devnet`] runs a wasmd chain on loopback (`keeper devnet up|down|status|reset`).
//! - [`query`] pages through the contracts' list queries (accounts, auctions, prices).
//! - [`venues`] deploys the devnet venue (a pool per collateral, a flash receiver).
//! - [`harness`] drives a deployment in bulk (funding derived accounts, opening positions)
//!   for the end-to-end tests and the benchmarks.
#![deny(missing_docs)]

pub mod client;
pub mod config;
pub mod deploy;
pub mod devnet;
pub mod harness;
pub mod keys;
pub mod query;
pub mod venues;
pub mod wallet;
