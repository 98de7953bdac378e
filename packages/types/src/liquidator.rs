//! Messages of the Dutch-auction liquidator.
//!
//! The market hands a seized lot to `StartAuction`; the price starts at `oracle · buf` and falls
//! along the collateral's curve (from the start price, or from the current oracle price with
//! [`AuctionParams::follow_oracle`]), never below the floor `oracle · (1 − max_discount)` for
//! ordinary bidders. Proceeds go to the market (or to the backstop for its own resales); a
//! covered tab returns the leftover lot to the borrower.
use crate::error::{check_range, invalid, ParamError};
use crate::math::auction::{curve_price, time_to_reach};
use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Binary, Decimal, Uint128};

/// Storage namespace of the liquidator's per-collateral auction parameters
/// (`Map<&str, AuctionParams>`); read raw by
/// [`LiquidatorContract::auctions`](crate::adapters::LiquidatorContract::auctions).
pub const AUCTION_PARAMS_NAMESPACE: &str = "collaterals";

/// How the auction price falls from the top price `top` as time `t` (seconds) passes.
#[cw_serde]
pub enum PriceCurve {
    /// `price = top · max(0, 1 − t / duration)`.
    Linear {
        /// Seconds from top to zero.
        duration: u64,
    },
    /// `price = top · cut^floor(t / step)` (Maker `StairstepExponentialDecrease`).
    StairStep {
        /// Seconds between steps.
        step: u64,
        /// Multiplier applied each step (0 < cut < 1).
        cut: Decimal,
    },
    /// `price = top · cut^t` (Maker `ExponentialDecrease`, `cut` per second).
    Exponential {
        /// Per-second multiplier (0 < cut < 1).
        cut: Decimal,
    },
}

/// Auction parameters of one collateral.
#[cw_serde]
pub struct AuctionParams {
    /// Top price multiplier over the oracle price at start (1 to 2; Maker ETH-A 1.3).
    pub buf: Decimal,
    /// The price curve.
    pub curve: PriceCurve,
    /// Seconds after which an auction may be reset (Maker `tail`, 8,400 s).
    pub tail: u64,
    /// Reset when the price falls below `cusp · top` (Maker `cusp`, 0.4).
    pub cusp: Decimal,
    /// Floor: ordinary bidders never pay less than `oracle · (1 − max_discount)` (0 < x < 1).
    pub max_discount: Decimal,
    /// A bid may not leave a tab below this (base units): it must take all or leave at least
    /// this much (Maker `chost`).
    pub dust: Uint128,
    /// Per-collateral cap on debt under auction (base units, Maker `hole`). `None` derives it
    /// from the market's depth for the collateral: `hole = depth · impact_budget_pct`, the
    /// debt whose sale would move the external price by at most `impact_budget_pct` percent.
    pub hole: Option<Uint128>,
    /// Issue 14: the curve follows the oracle. `true`: the price is
    /// `oracle_now · buf · decay(t)` (the discount to the current oracle price grows with
    /// time), so an auction reaches its bidders and its floor on time however fast the price
    /// falls, and asks more if the price recovers. `false` (the default of a stored or sent
    /// value without the field): Maker's curve, `top · decay(t)` from the price at the
    /// (re)start, which a price falling faster than the curve never meets until the auction
    /// goes stale. The reset rule (`tail`, `cusp`) reads `decay(t)` either way.
    #[serde(default)]
    pub follow_oracle: bool,
}

impl AuctionParams {
    /// Checks every range documented on the fields.
    pub fn validate(&self) -> Result<(), ParamError> {
        check_range("buf", self.buf, Decimal::one(), Decimal::percent(200))?;
        match &self.curve {
            PriceCurve::Linear { duration } => check_range("duration", *duration, 60, 30 * 86_400)?,
            PriceCurve::StairStep { step, cut } => {
                check_range("step", *step, 1, 86_400)?;
                if cut.is_zero() || *cut >= Decimal::one() {
                    return Err(invalid("cut", "must be in (0, 1)"));
                }
            }
            PriceCurve::Exponential { cut } => {
                if cut.is_zero() || *cut >= Decimal::one() {
                    return Err(invalid("cut", "must be in (0, 1)"));
                }
            }
        }
        check_range("tail", self.tail, 60, 30 * 86_400)?;
        if self.cusp.is_zero() || self.cusp >= Decimal::one() {
            return Err(invalid("cusp", "must be in (0, 1)"));
        }
        if self.max_discount.is_zero() || self.max_discount >= Decimal::one() {
            return Err(invalid("max_discount", "must be in (0, 1)"));
        }
        self.validate_floor_window()
    }

    /// Checks that an auction can be bought at its floor before it goes stale: started at
    /// `top = buf` (an oracle of 1), its curve must reach the floor `1 − max_discount` within
    /// `tail`, and still be at or above the reset threshold `cusp · buf` when it does.
    /// Otherwise every auction would be reset (and its keeper rewarded) before it is ever at
    /// its floor, and the backstop's `BuyAtFloor` would never be possible.
    fn validate_floor_window(&self) -> Result<(), ParamError> {
        let floor = Decimal::one() - self.max_discount;
        let reset_below = self
            .cusp
            .checked_mul(self.buf)
            .map_err(|e| invalid("cusp", e.to_string()))?;
        if reset_below >= floor {
            return Err(invalid(
                "cusp",
                format!(
                    "cusp · buf = {reset_below} must be below the floor 1 − max_discount = {floor}: \
                     auctions would reset before reaching their floor"
                ),
            ));
        }
        let reached = time_to_reach(self.buf, &self.curve, floor, self.tail)
            .map_err(|e| invalid("curve", e.to_string()))?;
        let Some(at) = reached else {
            return Err(invalid(
                "tail",
                format!(
                    "{} s is shorter than the time the curve takes to reach the floor {floor}",
                    self.tail
                ),
            ));
        };
        let price =
            curve_price(self.buf, &self.curve, at).map_err(|e| invalid("curve", e.to_string()))?;
        if price < reset_below {
            return Err(invalid(
                "curve",
                format!(
                    "the curve steps from above the floor {floor} to {price}, below the reset \
                     threshold cusp · buf = {reset_below}: auctions would be at the floor and \
                     stale at once"
                ),
            ));
        }
        Ok(())
    }
}

/// Who sells an auction's lot and receives its proceeds.
#[cw_serde]
pub enum Seller {
    /// A market liquidation: proceeds repay `borrower`'s debt; a covered tab returns the
    /// leftover lot to the borrower's account.
    Liquidation {
        /// The liquidated account.
        borrower: String,
    },
    /// The backstop re-selling collateral it holds (time-weighted exit).
    Backstop {},
}

/// Instantiates the liquidator.
#[cw_serde]
pub struct InstantiateMsg {
    /// Owner; defaults to the sender.
    pub owner: Option<String>,
    /// The market whose liquidations this contract auctions.
    pub market: String,
    /// The oracle pricing the collaterals.
    pub oracle: String,
    /// The backstop pool (buyer of last resort, re-sells through this contract). Usually set
    /// after the backstop is deployed, with `SetBackstop`.
    pub backstop: Option<String>,
    /// The base asset bids are paid in.
    pub base_denom: String,
    /// Global cap on debt under auction, base units (Maker `Hole`).
    pub global_hole: Uint128,
    /// Price move, in percent, that debt under auction may cause in the external market; the
    /// default per-collateral cap is `depth · impact_budget_pct` (e.g. 3 = 3%).
    pub impact_budget_pct: Decimal,
    /// Collaterals and their auction parameters.
    pub collaterals: Vec<CollateralAuction>,
}

/// A collateral's auction parameters.
#[cw_serde]
pub struct CollateralAuction {
    /// The collateral denom.
    pub denom: String,
    /// Its parameters.
    pub params: AuctionParams,
}

/// A flash-liquidation callback: the lot is sent to `contract`, which is then called with
/// [`FlashReceiverMsg`] and must pay `owe` to the liquidator within the same transaction.
#[cw_serde]
pub struct FlashCallback {
    /// The contract receiving the lot and the callback.
    pub contract: String,
    /// Opaque data passed back to the contract.
    pub data: Option<Binary>,
}

/// The message a flash-liquidation callback contract must accept.
#[cw_serde]
pub enum FlashReceiverMsg {
    /// The lot has been sent to you; pay `owe` of `denom` to `liquidator` in this transaction.
    BreakwaterFlash {
        /// The auction.
        auction_id: u64,
        /// Collateral units sent.
        collateral: Uint128,
        /// Collateral denom.
        collateral_denom: String,
        /// Base units you must send to the liquidator.
        owe: Uint128,
        /// The base denom.
        denom: String,
        /// The liquidator contract to pay.
        liquidator: String,
        /// Data given in the bid.
        data: Option<Binary>,
    },
}

/// Liquidator execute messages.
#[cw_serde]
pub enum ExecuteMsg {
    /// Market or backstop: start an auction of the attached lot (one collateral coin).
    StartAuction {
        /// Who sells, and where proceeds go.
        seller: Seller,
        /// Base units to raise (0 for a backstop resale: sell the whole lot).
        tab: Uint128,
        /// Market only: start even without room under the caps. Used for accounts below the
        /// hard-floor health factor when the backstop cannot absorb them: liquidations are
        /// never blocked for deeply underwater accounts.
        force: bool,
    },
    /// Anyone: buy up to `max_collateral` at the current price if it is at most `max_price`,
    /// paying with attached base funds (excess refunded). With `callback`, the lot is sent
    /// to the callback first and payment is collected in the same transaction.
    Bid {
        /// The auction.
        auction_id: u64,
        /// Most collateral units to buy.
        max_collateral: Uint128,
        /// Highest acceptable price (base per collateral unit).
        max_price: Decimal,
        /// Flash-liquidation callback.
        callback: Option<FlashCallback>,
    },
    /// Anyone: restart a stale auction (older than `tail` or below `cusp · top`) from a fresh,
    /// active oracle price, unless the market's breaker halts bids. A liquidation reset puts
    /// `min(tab, lot · oracle)` back on sale and earns a keeper reward from the market on that
    /// value when it is at least `dust`; resales earn nothing. An auction whose lot is worth
    /// less than `dust` is closed instead: a liquidation's leftover units go to the backstop
    /// and its tab is booked as a shortfall; a resale's units go back to the backstop.
    Reset {
        /// The auction.
        auction_id: u64,
    },
    /// Internal: completes a flash bid after the callback ran (only the contract itself).
    FinishFlash {},
    /// Owner: set the backstop pool.
    SetBackstop {
        /// The backstop contract.
        backstop: String,
    },
    /// Owner: set or add a collateral's auction parameters.
    SetCollateral(CollateralAuction),
    /// Owner: set the global cap and the impact budget that derives per-collateral caps.
    SetCaps {
        /// The new global cap, base units.
        global_hole: Uint128,
        /// The new impact budget, percent.
        impact_budget_pct: Decimal,
    },
    /// Owner, then the proposed owner: two-step ownership transfer.
    Ownership(crate::ownership::OwnershipMsg),
}

/// Liquidator queries.
#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    /// One auction with its current price.
    #[returns(AuctionResponse)]
    Auction {
        /// The auction.
        auction_id: u64,
    },
    /// Active auctions, paginated by id, optionally for one collateral.
    #[returns(AuctionsResponse)]
    Auctions {
        /// Only this collateral.
        denom: Option<String>,
        /// Return ids after this one.
        start_after: Option<u64>,
        /// Page size (default 30, at most 100).
        limit: Option<u32>,
    },
    /// Room left under the per-collateral and global caps.
    #[returns(RoomResponse)]
    Room {
        /// The collateral.
        denom: String,
    },
    /// Addresses, caps and collateral parameters.
    #[returns(ConfigResponse)]
    Config {},
    /// Units of `denom` in the backstop's resale auctions still running: a running total,
    /// read in constant gas however many auctions run (the backstop values its pool with it).
    #[returns(ResaleLotResponse)]
    ResaleLot {
        /// The collateral.
        denom: String,
    },
}

/// An auction, priced now.
#[cw_serde]
pub struct AuctionResponse {
    /// Its id.
    pub id: u64,
    /// Who sells.
    pub seller: Seller,
    /// Collateral denom.
    pub denom: String,
    /// Collateral units left to sell.
    pub lot: Uint128,
    /// Base units still to raise (0 for a resale: sell the whole lot).
    pub tab: Uint128,
    /// Base units raised so far.
    pub raised: Uint128,
    /// Top price at the last (re)start.
    pub top: Decimal,
    /// Current curve price, never below `floor`.
    pub price: Decimal,
    /// Floor price now: `oracle · (1 − max_discount)`.
    pub floor: Decimal,
    /// Last (re)start time, seconds.
    pub started_at: u64,
    /// Whether `Reset` would succeed now.
    pub needs_reset: bool,
    /// Whether the curve has reached the floor (the backstop may take the lot).
    pub at_floor: bool,
}

/// A page of auctions.
#[cw_serde]
pub struct AuctionsResponse {
    /// Auctions in id order.
    pub auctions: Vec<AuctionResponse>,
}

/// Collateral in the backstop's running resale auctions.
#[cw_serde]
pub struct ResaleLotResponse {
    /// The collateral.
    pub denom: String,
    /// Units still for sale.
    pub lot: Uint128,
}

/// Room under the caps.
#[cw_serde]
pub struct RoomResponse {
    /// The collateral.
    pub denom: String,
    /// Its cap (base units).
    pub hole: Uint128,
    /// Debt under auction for it.
    pub dirt: Uint128,
    /// The global cap.
    pub global_hole: Uint128,
    /// Debt under auction across collaterals.
    pub global_dirt: Uint128,
    /// `min(hole − dirt, global_hole − global_dirt)`: the largest tab that may start now.
    pub room: Uint128,
    /// The market depth the oracle's feeders measured, while fresh (the hole derived from depth
    /// uses the lower of it and the market's configured depth); `None`: the configured depth.
    #[serde(default)]
    pub measured_depth: Option<Uint128>,
}

/// Liquidator configuration.
#[cw_serde]
pub struct ConfigResponse {
    /// The owner.
    pub owner: String,
    /// The market.
    pub market: String,
    /// The oracle.
    pub oracle: String,
    /// The backstop, once set.
    pub backstop: Option<String>,
    /// The base denom.
    pub base_denom: String,
    /// Global cap on debt under auction.
    pub global_hole: Uint128,
    /// Percent price move budget used to derive caps from depth.
    pub impact_budget_pct: Decimal,
    /// Per-collateral parameters.
    pub collaterals: Vec<CollateralAuction>,
}
