//! Errors of the flash receiver.
use cosmwasm_std::{OverflowError, StdError, Uint128};
use thiserror::Error;

/// Everything the receiver refuses.
#[derive(Error, Debug)]
pub enum ContractError {
    /// Storage, serialization or math failure.
    #[error("{0}")]
    Std(#[from] StdError),

    /// Checked arithmetic overflowed.
    #[error("{0}")]
    Overflow(#[from] OverflowError),

    /// The sender may not send this message.
    #[error("unauthorized: only {0} may do this")]
    Unauthorized(&'static str),

    /// The message takes no funds.
    #[error("this message takes no funds")]
    Funds,

    /// No pool sells this collateral.
    #[error("no pool for {0}")]
    NoPool(String),

    /// The callback data is missing or not a `FlashSale`.
    #[error("the bid's callback data must be a FlashSale: {0}")]
    BadData(String),

    /// The lot has not arrived.
    #[error("the receiver holds {held} {denom}, the lot is {lot}")]
    LotMissing {
        /// Collateral denom.
        denom: String,
        /// Held now.
        held: Uint128,
        /// The lot announced.
        lot: Uint128,
    },

    /// The sale did not cover the debt and the least profit.
    #[error("the sale returned {received}, below owe {owe} + min_profit {min_profit}")]
    Unprofitable {
        /// Base units the swap returned.
        received: Uint128,
        /// Owed to the liquidator.
        owe: Uint128,
        /// Least profit asked.
        min_profit: Uint128,
    },
}
