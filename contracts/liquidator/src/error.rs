//! Errors of the liquidator.
use breakwater_types::error::CommonError;
use cosmwasm_std::{Decimal, Uint128};
use thiserror::Error;

/// Every way a liquidator message can fail.
#[derive(Error, Debug)]
pub enum ContractError {
    /// Failures every contract shares: storage and queries, ownership, funds, migration,
    /// parameters, checked arithmetic.
    #[error(transparent)]
    Common(#[from] CommonError),
    /// No auction parameters for this denom.
    #[error("collateral {denom} is not listed on the liquidator")]
    UnknownCollateral {
        /// The denom.
        denom: String,
    },
    /// No running auction with this id.
    #[error("auction {id} does not exist or has ended")]
    UnknownAuction {
        /// The id.
        id: u64,
    },
    /// A lot must be exactly one collateral coin.
    #[error("a lot must be exactly one coin of a listed collateral")]
    BadLot,
    /// Liquidations need a positive tab; resales a zero one.
    #[error("invalid tab: {reason}")]
    BadTab {
        /// Why.
        reason: &'static str,
    },
    /// Recent sales used the collateral's cap ([`AuctionParams::pace_sales`]).
    ///
    /// [`AuctionParams::pace_sales`]: breakwater_types::liquidator::AuctionParams::pace_sales
    #[error("sales of {denom} are paced: the cap has {left} left after recent sales, less than one unit")]
    SalesPaced {
        /// The collateral.
        denom: String,
        /// Value the cap has left.
        left: Uint128,
    },
    /// Bidders wait out a fall ([`AuctionParams::wait_falls`]).
    ///
    /// [`AuctionParams::wait_falls`]: breakwater_types::liquidator::AuctionParams::wait_falls
    #[error("sales of {denom} wait out a fall: the oracle's median stands the wait's band or more under its TWAP (the backstop may still take lots at their floor)")]
    SalesWaitFall {
        /// The collateral.
        denom: String,
    },
    /// The caps leave no room for this tab.
    #[error("no room under the auction caps for {denom}: room {room}, needed {needed}")]
    NoRoom {
        /// The collateral.
        denom: String,
        /// Room left.
        room: Uint128,
        /// Tab asked.
        needed: Uint128,
    },
    /// The oracle price may not be used now.
    #[error("oracle price of {denom} is {status}: auctions on it are paused")]
    OraclePaused {
        /// The collateral.
        denom: String,
        /// Its oracle status.
        status: String,
    },
    /// Zero amount in a bid.
    #[error("max_collateral must be positive")]
    ZeroAmount,
    /// The current price is above the bidder's limit.
    #[error("auction price {price} is above max_price {max_price}")]
    PriceAboveMax {
        /// Current price.
        price: Decimal,
        /// The bidder's limit.
        max_price: Decimal,
    },
    /// A partial bid would leave a tab below dust.
    #[error("bid would leave a dust tab of {remaining} (dust is {dust}): buy all or leave at least dust")]
    DustTab {
        /// Tab that would remain.
        remaining: Uint128,
        /// Dust threshold.
        dust: Uint128,
    },
    /// Attached base is less than the bid costs.
    #[error("insufficient payment: bid costs {owe}, attached {paid}")]
    Underpaid {
        /// Cost.
        owe: Uint128,
        /// Attached.
        paid: Uint128,
    },
    /// A flash bid attaches no funds.
    #[error("a flash bid must not attach funds: the callback pays")]
    FlashWithFunds,
    /// The flash callback did not pay.
    #[error("flash callback did not pay: owed {owe}, received {received}")]
    FlashNotRepaid {
        /// Owed.
        owe: Uint128,
        /// Received.
        received: Uint128,
    },
    /// A bid or reset arrived while a flash bid is in progress.
    #[error("re-entry refused: a flash bid is in progress")]
    Reentrancy,
    /// Reset asked for an auction that is not stale.
    #[error("auction {id} does not need a reset yet")]
    NotStale {
        /// The id.
        id: u64,
    },
    /// The market's circuit breaker stops bids.
    #[error("bids are halted by the market's circuit breaker (level {level})")]
    BidsHalted {
        /// The breaker level.
        level: u8,
    },
    /// `SetBackstop` while the current backstop's resales run.
    #[error("backstop resales are running ({lot} {denom} for sale): the backstop cannot change until they end")]
    ResalesRunning {
        /// A collateral under resale.
        denom: String,
        /// Its units for sale.
        lot: Uint128,
    },
    /// Amount does not fit in 128 bits.
    #[error("amount too large")]
    AmountTooLarge,
}

breakwater_types::common_errors!(ContractError);
