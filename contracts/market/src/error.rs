//! Errors of the market contract.
use breakwater_types::error::CommonError;
use cosmwasm_std::{Decimal, Uint128};
use thiserror::Error;

/// Everything that can make a market message fail.
#[derive(Error, Debug)]
pub enum ContractError {
    /// Failures every contract shares: storage and queries, ownership, funds, migration,
    /// parameters, checked arithmetic.
    #[error(transparent)]
    Common(#[from] CommonError),

    /// An attached amount larger than the market's 128-bit accounting.
    #[error("amount {amount} is too large: at most 2^128 - 1 units are accepted")]
    AmountTooLarge {
        /// The amount attached.
        amount: String,
    },

    /// A zero amount where a positive one is required.
    #[error("amount must be positive")]
    ZeroAmount,

    /// A supply too small to mint a single share.
    #[error("supply of {amount} is too small: it would mint no shares at supply index {index}")]
    SupplyTooSmall {
        /// Amount supplied.
        amount: Uint128,
        /// Current supply index.
        index: Decimal,
    },

    /// Withdrawal from an address without a supply position.
    #[error("nothing supplied: {address} holds no supply shares")]
    NothingSupplied {
        /// The would-be lender.
        address: String,
    },

    /// Withdrawal larger than the lender's position.
    #[error("withdrawal of {requested} exceeds the supplied balance of {available}")]
    WithdrawExceedsSupply {
        /// Amount asked.
        requested: Uint128,
        /// What the lender's shares are worth.
        available: Uint128,
    },

    /// Withdrawal or borrow larger than the market's free cash (cash − reserves).
    #[error("insufficient liquidity: {requested} requested, {available} available")]
    InsufficientLiquidity {
        /// Amount asked.
        requested: Uint128,
        /// Cash not owed to reserves.
        available: Uint128,
    },

    /// The base asset sent as collateral.
    #[error("the base asset {denom} cannot be deposited as collateral (supply it instead)")]
    BaseDenomAsCollateral {
        /// The base denom.
        denom: String,
    },

    /// A denom that is not a listed collateral.
    #[error("{denom} is not a listed collateral")]
    UnlistedCollateral {
        /// The denom.
        denom: String,
    },

    /// A listed collateral that could not be priced or auctioned: holding it would block
    /// `Liquidate` and every `Accounts` page of the account.
    #[error("{denom} cannot be deposited: {reason}")]
    NotDepositable {
        /// The collateral.
        denom: String,
        /// What is missing.
        reason: &'static str,
    },

    /// A deposit that would take a collateral over its supply cap.
    #[error("supply cap of {denom} exceeded: {total} would be deposited, the cap is {cap}")]
    SupplyCapExceeded {
        /// The collateral.
        denom: String,
        /// Total deposits after the deposit.
        total: Uint128,
        /// The cap.
        cap: Uint128,
    },

    /// A collateral withdrawal larger than the holding.
    #[error("insufficient collateral: {requested} {denom} requested, {held} held")]
    InsufficientCollateral {
        /// The collateral.
        denom: String,
        /// Amount asked.
        requested: Uint128,
        /// Amount held.
        held: Uint128,
    },

    /// An oracle price that may not back new risk.
    #[error("price of {denom} is not active (oracle status: {status}); borrowing and collateral withdrawals are paused")]
    PriceNotActive {
        /// The collateral.
        denom: String,
        /// The oracle status name.
        status: String,
    },

    /// A borrow or withdrawal that would leave debt above the borrow limit.
    #[error("borrow limit exceeded: debt would be {debt}, the borrow limit is {borrow_limit}")]
    BorrowLimitExceeded {
        /// Resulting debt.
        debt: Uint128,
        /// Resulting borrow limit.
        borrow_limit: Uint128,
    },

    /// Collateral worth more than 128-bit accounting can express.
    #[error("collateral valuation overflows: {reason}")]
    ValuationOverflow {
        /// The arithmetic error.
        reason: String,
    },

    /// A borrow from an account without collateral.
    #[error("no collateral: deposit collateral before borrowing")]
    NoCollateral,

    /// A repayment for an account without debt.
    #[error("no debt to repay: {address} owes nothing")]
    NoDebt {
        /// The account.
        address: String,
    },

    /// A partial repayment too small to burn one debt share.
    #[error(
        "repayment of {amount} is too small: it would burn no debt shares at borrow index {index}"
    )]
    RepayTooSmall {
        /// Amount repaid.
        amount: Uint128,
        /// Current borrow index.
        index: Decimal,
    },

    /// A liquidation message on a market without a liquidation set-up (`SetLiquidation`).
    #[error("liquidation is not available: no liquidator is configured for this market")]
    LiquidationUnavailable,

    /// A message only a configured contract or role may send.
    #[error("unauthorized: only {expected} may do this")]
    Unauthorized {
        /// Who may.
        expected: &'static str,
    },

    /// A liquidation the planner refuses (healthy, paused, throttled, too small) or cannot
    /// compute.
    #[error(transparent)]
    Plan(#[from] breakwater_types::liquidation::PlanError),

    /// A liquidation of an account that owes nothing.
    #[error("nothing to liquidate: {address} has no debt")]
    NothingToLiquidate {
        /// The account.
        address: String,
    },

    /// A redistribution of a collateral no other account holds (the planner checks this
    /// first; the market refuses rather than lose the debt).
    #[error("cannot redistribute {denom}: no other account holds it")]
    NoRecipients {
        /// The collateral.
        denom: String,
    },

    /// A borrow while the circuit breaker is at level 1 or above.
    #[error("borrowing is paused by the circuit breaker (level {level})")]
    BorrowsPaused {
        /// The breaker level.
        level: u8,
    },

    /// A breaker level above 3.
    #[error("invalid breaker level {level}: must be 0 to 3")]
    InvalidBreakerLevel {
        /// The level asked.
        level: u8,
    },

    /// `TripBreaker` while the oracle is not halted for the collateral.
    #[error("oracle for {denom} is not halted")]
    OracleNotHalted {
        /// The collateral.
        denom: String,
    },

    /// `WriteDownBackstopDebt` while the pool still covers what it owes.
    #[error("nothing to write down: the backstop's base and collateral ({worth}) cover its debt to the market ({debt})")]
    BackstopDebtCovered {
        /// What the pool owes.
        debt: Uint128,
        /// What its base, what the market owes it and its collateral are worth.
        worth: Uint128,
    },

    /// `SweepReserves` with nothing earmarked for the backstop.
    #[error("nothing to sweep: no reserves are due to the backstop")]
    NothingToSweep,

    /// A collateral listed twice.
    #[error("collateral {denom} is already listed")]
    DuplicateCollateral {
        /// The denom.
        denom: String,
    },

    /// Too many collaterals listed.
    #[error("too many collaterals: at most {max} may be listed")]
    TooManyCollaterals {
        /// `MAX_COLLATERALS`.
        max: usize,
    },

    /// An empty base denom.
    #[error("invalid base denom: must not be empty")]
    EmptyBaseDenom,

    /// The liquidator cannot change while its auctions are running.
    #[error("cannot replace the liquidator while {debt_in_auction} of debt is in its auctions")]
    AuctionsRunning {
        /// Debt still in auction.
        debt_in_auction: cosmwasm_std::Uint128,
    },
}

breakwater_types::common_errors!(ContractError);
