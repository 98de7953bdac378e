//! A minimal constant-product pool of two denoms — the devnet venue the keeper's bidder sells
//! auction lots on, and the flash receiver swaps through. Not part of the protocol: it exists
//! so the keeper's economics (slippage, flash bids) run end to end on the local chain.
//!
//! - `ProvideLiquidity {}`: both denoms attached; the first deposit sets the price and mints
//!   `base` shares; a later one mints `min(b·S/B, c·S/C)` and refunds the side it over-paid
//!   (the amounts used are rounded up: the pool never gives shares for nothing).
//! - `WithdrawLiquidity { shares }`: `floor(shares·B/S)` and `floor(shares·C/S)`.
//! - `Swap { min_out, to }`: one coin of either denom attached; the output is
//!   [`breakwater_types::venue::swap_out`] (fee on the input, rounded down), refused below
//!   `min_out`. Reserves are the pool's own books, not its bank balance, so a donation
//!   cannot move the price.
#![deny(missing_docs)]

pub mod contract;
pub mod error;

pub use error::ContractError;
