//! Messages of the backstop: insurance pool and buyer of last resort.
//!
//! Depositors provide the base asset for shares. The pool covers auction shortfalls first,
//! takes auction lots at the floor, absorbs toxic positions whole, and re-sells what it holds
//! slowly through the liquidator. Share value counts held collateral at the oracle price.
use crate::error::{check_range, ParamError};
use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Decimal, Uint128};

/// Backstop parameters.
#[cw_serde]
pub struct BackstopParams {
    /// Seconds between a withdrawal request and the opening of its window (1 h to 60 days;
    /// Aave Safety Module style).
    pub cooldown: u64,
    /// Seconds the withdrawal window stays open after the cooldown (1 h to 30 days).
    pub withdraw_window: u64,
    /// Absorb pays `oracle value · (1 − absorb_discount)` for a whole position (0 to 0.5;
    /// Compound III liquidation factor 0.95 → 0.05).
    pub absorb_discount: Decimal,
    /// Most of a held collateral re-sold per `resale_interval`, as a fraction of holdings
    /// (0.001 to 1).
    pub resale_fraction: Decimal,
    /// Seconds between resales of the same collateral (60 s to 7 days).
    pub resale_interval: u64,
    /// Seconds over which a gain (an absorb's discount, a floor purchase below the oracle, a
    /// `Fund` from anyone but the market) reaches the share price: it is locked in shares
    /// that the pool holds and burns linearly over this period (0 to 30 days; 0 unlocks at
    /// once). Losses hit the share price at once. Absent in JSON: the default.
    #[serde(default = "default_profit_unlock_period")]
    pub profit_unlock_period: u64,
}

/// The default [`BackstopParams::profit_unlock_period`]: 7 days.
pub fn default_profit_unlock_period() -> u64 {
    7 * 86_400
}

impl BackstopParams {
    /// Checks every range documented on the fields.
    pub fn validate(&self) -> Result<(), ParamError> {
        check_range("cooldown", self.cooldown, 3_600, 60 * 86_400)?;
        check_range("withdraw_window", self.withdraw_window, 3_600, 30 * 86_400)?;
        check_range(
            "absorb_discount",
            self.absorb_discount,
            Decimal::zero(),
            Decimal::percent(50),
        )?;
        check_range(
            "resale_fraction",
            self.resale_fraction,
            Decimal::permille(1),
            Decimal::one(),
        )?;
        check_range("resale_interval", self.resale_interval, 60, 7 * 86_400)?;
        check_range(
            "profit_unlock_period",
            self.profit_unlock_period,
            0,
            30 * 86_400,
        )?;
        Ok(())
    }
}

impl Default for BackstopParams {
    /// 7-day cooldown and 2-day window; absorb at a 5% discount (Compound III); resell at most
    /// 10% of a holding per hour; gains unlock over 7 days.
    fn default() -> Self {
        BackstopParams {
            cooldown: 7 * 86_400,
            withdraw_window: 2 * 86_400,
            absorb_discount: Decimal::percent(5),
            resale_fraction: Decimal::percent(10),
            resale_interval: 3_600,
            profit_unlock_period: default_profit_unlock_period(),
        }
    }
}

/// Instantiates the backstop.
#[cw_serde]
pub struct InstantiateMsg {
    /// Owner; defaults to the sender.
    pub owner: Option<String>,
    /// The market it insures.
    pub market: String,
    /// The liquidator it buys from and re-sells through.
    pub liquidator: String,
    /// The oracle pricing held collateral.
    pub oracle: String,
    /// The base asset.
    pub base_denom: String,
    /// Parameters.
    pub params: BackstopParams,
}

/// Backstop execute messages.
#[cw_serde]
pub enum ExecuteMsg {
    /// Depositor: add the attached base asset for shares.
    Deposit {},
    /// Depositor: lock `shares` and start the cooldown. Locked shares still bear losses.
    RequestWithdraw {
        /// Shares to withdraw.
        shares: Uint128,
    },
    /// Depositor: cancel a pending withdrawal request.
    CancelWithdraw {},
    /// Depositor: withdraw requested shares once the cooldown has passed and the window is
    /// open. Paid in kind, pro rata of everything the pool is worth: base (with what the
    /// market owes the pool) and every held collateral (with the units under resale), each
    /// paid from the pool's account.
    Withdraw {},
    /// Anyone: add the attached base asset to the pool without shares. From the market (its
    /// `SweepReserves`) it settles what the market owes the pool; from anyone else it is a
    /// gain, locked and unlocked over `profit_unlock_period`.
    Fund {},
    /// Market: pay up to `amount` of an auction shortfall or bad debt to the market.
    CoverShortfall {
        /// Base units requested.
        amount: Uint128,
    },
    /// Market: `amount` base units of a provision the pool paid for a toxic auction came back
    /// (the auction recovered more than its lot's value at the start) and are now owed to the
    /// pool in the market's `backstop_due`. The pool locks them as a gain, so they reach the
    /// share price over `profit_unlock_period` like every other gain.
    ProvisionReturned {
        /// Base units returned to the pool.
        amount: Uint128,
    },
    /// Liquidator: the attached base is what a bid paid for `sold` units of `denom` from the
    /// pool's resale auction. What it paid above those units' value at the median (which the
    /// pool counted while they were on sale) is a gain, locked like every other gain.
    ResaleProceeds {
        /// The collateral sold.
        denom: String,
        /// Units sold.
        sold: Uint128,
    },
    /// Market: take a whole position (attached collateral coins) and pay `pay` base units.
    Absorb {
        /// The absorbed account.
        borrower: String,
        /// Base units paid to the market.
        pay: Uint128,
        /// Base units of the price the market lent the pool (already booked as its debt,
        /// `LiquidationParams::absorb_on_credit`); `pay + on_credit` stays within the pool's
        /// quote. Absent: zero.
        #[serde(default)]
        on_credit: Uint128,
        /// Accept collateral whose oracle price is `Halted` (a breaker trip), valued at the
        /// higher of its median and TWAP (the price the oracle stands behind): the market's
        /// wick rule transfers such a holding instead of auctioning it into the wick. Absent:
        /// `false`, only active prices.
        #[serde(default)]
        halted: bool,
    },
    /// Anyone: buy an auction's lot at the floor price with pool funds (buyer of last resort).
    BuyAtFloor {
        /// The auction.
        auction_id: u64,
    },
    /// Internal: books the gain of the pool's own floor bid once it settled (only the backstop
    /// itself, in the message right after its `BuyAtFloor` bid).
    FloorBidSettled {
        /// The collateral bought.
        denom: String,
        /// The pool's base balance before the bid.
        base_before: Uint128,
        /// The pool's balance of `denom` before the bid.
        units_before: Uint128,
    },
    /// Anyone: re-sell a slice (`resale_fraction`) of a held collateral through the liquidator,
    /// at most once per `resale_interval`, under the liquidator's caps: a time-weighted exit
    /// on the collateral's ordinary auction curve, never a market dump.
    Resell {
        /// The collateral.
        denom: String,
    },
    /// Owner: update parameters.
    UpdateParams(BackstopParams),
    /// Owner, then the proposed owner: two-step ownership transfer.
    Ownership(crate::ownership::OwnershipMsg),
}

/// Backstop queries.
#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    /// Pool totals and value per share.
    #[returns(PoolResponse)]
    Pool {},
    /// One depositor.
    #[returns(DepositorResponse)]
    Depositor {
        /// The depositor.
        address: String,
    },
    /// Addresses and parameters.
    #[returns(ConfigResponse)]
    Config {},
    /// What the pool would pay to absorb a whole position, and whether it can.
    #[returns(AbsorbQuoteResponse)]
    AbsorbQuote {
        /// The position's collateral.
        collateral: Vec<cosmwasm_std::Coin>,
        /// The position's debt, base units.
        debt: Uint128,
        /// As `Absorb`'s `halted`: quote a `Halted` price at the higher of median and TWAP
        /// instead of refusing.
        #[serde(default)]
        halted: bool,
    },
}

crate::cw_serde_struct! {
/// A quote for absorbing a position.
pub struct AbsorbQuoteResponse {
    /// `min(debt, oracle value · (1 − absorb_discount))`, base units (rounded down).
    pub pay: Uint128,
    /// Whether the pool holds at least `pay` in base right now.
    pub can_absorb: bool,
    /// Base units the pool can spend now.
    pub available: Uint128,
    /// The absorb discount: the pool values collateral at `median · (1 − discount)`, so the
    /// market can size the smallest lot whose discounted value covers a debt.
    pub discount: Decimal,
}
}

/// A collateral the pool holds.
#[cw_serde]
pub struct HeldCollateral {
    /// The denom.
    pub denom: String,
    /// Units held.
    pub amount: Uint128,
    /// Oracle median used to value it.
    pub price: Decimal,
    /// `amount · price`, base units (rounded down).
    pub value: Uint128,
}

/// Pool totals.
#[cw_serde]
pub struct PoolResponse {
    /// Base units held.
    pub base: Uint128,
    /// Collateral held.
    pub collateral: Vec<HeldCollateral>,
    /// Base units the market owes the pool (its `backstop_due`), counted in the value.
    pub owed_by_market: Uint128,
    /// What the pool owes the market: bad debt the market covered for it on credit against
    /// its collateral (the market's `backstop_debt`), deducted from the value.
    #[serde(default)]
    pub owed_to_market: Uint128,
    /// Base plus collateral value plus what the market owes, minus what the pool owes the
    /// market (zero when that exceeds the rest).
    pub total_value: Uint128,
    /// Shares outstanding, including `locked_shares`.
    pub total_shares: Uint128,
    /// Shares the pool holds itself for gains still unlocking: they are burnt linearly over
    /// `profit_unlock_period`, which is how a gain reaches the share price.
    pub locked_shares: Uint128,
    /// Base units per share (value / shares).
    pub value_per_share: Decimal,
    /// Shares locked in withdrawal requests.
    pub pending_withdrawal_shares: Uint128,
    /// Shortfall paid to the market so far, base units.
    pub total_covered: Uint128,
}

/// A withdrawal request.
#[cw_serde]
pub struct WithdrawRequest {
    /// Locked shares.
    pub shares: Uint128,
    /// When the window opens, seconds.
    pub opens_at: u64,
    /// When the window closes, seconds.
    pub closes_at: u64,
}

/// One depositor.
#[cw_serde]
pub struct DepositorResponse {
    /// The depositor.
    pub address: String,
    /// Shares held (including locked ones).
    pub shares: Uint128,
    /// Their value in base units (rounded down).
    pub value: Uint128,
    /// A pending withdrawal, if any.
    pub request: Option<WithdrawRequest>,
}

/// Backstop configuration.
#[cw_serde]
pub struct ConfigResponse {
    /// The owner.
    pub owner: String,
    /// The market.
    pub market: String,
    /// The liquidator.
    pub liquidator: String,
    /// The oracle.
    pub oracle: String,
    /// The base asset.
    pub base_denom: String,
    /// Parameters.
    pub params: BackstopParams,
}
