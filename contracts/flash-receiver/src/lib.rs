//! A flash-bid receiver for the devnet venue: a keeper bids with
//! `Bid { callback: Some(FlashCallback { contract: <this>, data: FlashSale }) }` and no funds;
//! the liquidator sends the lot here and calls `BreakwaterFlash`; this contract sells the lot
//! on the pool configured for its denom (`Swap { min_out: owe + min_profit }`), then — in a
//! call to itself, once the swap's output has arrived — pays the liquidator exactly `owe` and
//! sends the rest to the sale's beneficiary. Anything short of `owe + min_profit` reverts the
//! whole bid, so a bidder needs no inventory and never loses more than the fee. It holds
//! nothing between transactions.
//!
//! Only the configured liquidator can call `BreakwaterFlash`, only the contract itself
//! `Settle`, only the owner (the instantiator) `SetPool`. Not part of the protocol.
#![deny(missing_docs)]

pub mod contract;
pub mod error;

pub use error::ContractError;
