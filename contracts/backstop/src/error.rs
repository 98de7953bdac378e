//! Errors of the backstop.
use breakwater_types::error::CommonError;
use cosmwasm_std::{Decimal, Uint128};
use thiserror::Error;

/// Every way a backstop message can fail.
#[derive(Error, Debug)]
pub enum ContractError {
    /// Failures every contract shares: storage and queries, ownership, funds, migration,
    /// parameters, checked arithmetic.
    #[error(transparent)]
    Common(#[from] CommonError),
    /// Amount does not fit in 128 bits.
    #[error("amount too large: does not fit in 128 bits")]
    AmountTooLarge,
    /// A deposit into a pool that owes the market more than it has.
    #[error(
        "the pool owes the market {debt} against {assets} of assets: deposits are refused until \
         the market writes the loan down (WriteDownBackstopDebt); Fund adds base without shares"
    )]
    PoolInsolvent {
        /// What the pool owes the market.
        debt: Uint128,
        /// Its base, what the market owes it and its collateral's value.
        assets: Uint128,
    },
    /// A deposit too small to mint a single share.
    #[error("deposit of {amount} mints zero shares at the current share price")]
    ZeroShares {
        /// The deposit.
        amount: Uint128,
    },
    /// A zero amount where a positive one is needed.
    #[error("{what} must be positive")]
    ZeroAmount {
        /// What was zero.
        what: &'static str,
    },
    /// More shares requested than the depositor holds.
    #[error("insufficient shares: requested {requested}, held {held}")]
    InsufficientShares {
        /// Requested.
        requested: Uint128,
        /// Held.
        held: Uint128,
    },
    /// No pending withdrawal request.
    #[error("no withdrawal request is pending")]
    NoWithdrawRequest,
    /// The cooldown has not passed yet.
    #[error("withdrawal window not open yet: opens at {opens_at}, now {now}")]
    WindowNotOpen {
        /// When it opens.
        opens_at: u64,
        /// Now.
        now: u64,
    },
    /// The window has closed; request again.
    #[error("withdrawal window closed at {closes_at} (now {now}): request a new withdrawal")]
    WindowClosed {
        /// When it closed.
        closes_at: u64,
        /// Now.
        now: u64,
    },
    /// The requested shares are worth less than one unit of everything the pool holds.
    #[error("withdrawal of {shares} shares pays nothing: too small")]
    NothingToWithdraw {
        /// The shares.
        shares: Uint128,
    },
    /// Absorb without collateral.
    #[error("absorb needs the position's collateral attached")]
    NoCollateral,
    /// The base asset attached (or quoted) as collateral.
    #[error("the base asset {denom} cannot be collateral")]
    BaseAsCollateral {
        /// The base denom.
        denom: String,
    },
    /// The market asked to pay more than the pool's own quote.
    #[error("absorb pay {pay} is above the pool's quote {quote}")]
    PayAboveQuote {
        /// Asked.
        pay: Uint128,
        /// The pool's quote.
        quote: Uint128,
    },
    /// A withdrawal while the pool owes the market.
    #[error("the pool owes the market {debt} (bad debt covered on credit): withdrawals wait until it is repaid")]
    OwesMarket {
        /// Owed, base units.
        debt: Uint128,
    },
    /// The pool holds less base than needed.
    #[error("insufficient pool funds: needed {needed}, available {available}")]
    InsufficientFunds {
        /// Needed.
        needed: Uint128,
        /// Available.
        available: Uint128,
    },
    /// An oracle price may not be used now.
    #[error("oracle price of {denom} is {status}: refused until it is active")]
    OraclePaused {
        /// The denom.
        denom: String,
        /// Its oracle status.
        status: String,
    },
    /// The auction has not reached its floor.
    #[error("auction {auction_id} is not at its floor: price {price}, floor {floor}")]
    NotAtFloor {
        /// The auction.
        auction_id: u64,
        /// Current price.
        price: Decimal,
        /// Floor.
        floor: Decimal,
    },
    /// The auction is the pool's own resale.
    #[error("auction {auction_id} is a backstop resale: the pool will not buy its own lot")]
    OwnResale {
        /// The auction.
        auction_id: u64,
    },
    /// The auction has nothing left to sell.
    #[error("auction {auction_id} has an empty lot")]
    EmptyLot {
        /// The auction.
        auction_id: u64,
    },
    /// Resell of a denom the pool never took.
    #[error("the pool does not hold {denom}")]
    NotHeld {
        /// The denom.
        denom: String,
    },
    /// Resell of a holding too small to slice.
    #[error("nothing to resell: the pool holds {held} {denom}, a slice rounds to zero")]
    NothingToResell {
        /// The denom.
        denom: String,
        /// Units held.
        held: Uint128,
    },
    /// Resell before the interval has passed.
    #[error("resale of {denom} too early: next allowed at {next_at}, now {now}")]
    ResaleTooEarly {
        /// The denom.
        denom: String,
        /// Earliest next resale.
        next_at: u64,
        /// Now.
        now: u64,
    },
}

breakwater_types::common_errors!(ContractError);

impl ContractError {
    /// Shorthand for an invalid instantiation value.
    pub fn invalid(name: &'static str, reason: &str) -> Self {
        breakwater_types::error::invalid(name, reason).into()
    }
}
