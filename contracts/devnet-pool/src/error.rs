//! Errors of the devnet pool.
use cosmwasm_std::{ConversionOverflowError, OverflowError, StdError, Uint128};
use thiserror::Error;

/// Everything the pool refuses.
#[derive(Error, Debug)]
pub enum ContractError {
    /// Storage, serialization or math failure.
    #[error("{0}")]
    Std(#[from] StdError),

    /// Checked arithmetic overflowed.
    #[error("{0}")]
    Overflow(#[from] OverflowError),

    /// A 256-bit intermediate does not fit back in 128 bits.
    #[error("{0}")]
    Conversion(#[from] ConversionOverflowError),

    /// The two denoms are equal or empty, or the fee is above 10%.
    #[error("invalid pool: {0}")]
    InvalidPool(String),

    /// The attached funds are not what the message needs.
    #[error("wrong funds: {0}")]
    WrongFunds(String),

    /// An amount that must be positive is zero.
    #[error("the amount must be positive")]
    ZeroAmount,

    /// The deposit is too small to mint a share at the pool's ratio.
    #[error("the deposit mints no share")]
    NoShares,

    /// More shares than held.
    #[error("{held} shares held, {asked} asked")]
    InsufficientShares {
        /// Shares held.
        held: Uint128,
        /// Shares asked.
        asked: Uint128,
    },

    /// The pool has no liquidity to swap against.
    #[error("the pool is empty")]
    EmptyPool,

    /// The swap returns less than asked.
    #[error("slippage: the swap returns {out}, below min_out {min_out}")]
    Slippage {
        /// What the swap returns.
        out: Uint128,
        /// The least accepted.
        min_out: Uint128,
    },
}
