//! The liquidation planner: what one `Liquidate` of the market does, decided from numbers
//! alone. No storage and no messages: the market prices the account's holdings, hands them over
//! with its debt, the liquidation parameters and a [`Quotes`] source (the liquidator's room and
//! the backstop's quote, queried only when the plan needs them), and applies the
//! [`LiquidationPlan`] it gets back (storage writes, messages, events).
//!
//! # Health at the prices the oracle stands behind
//! Each holding `k` is valued `value_k = floor(amount_k · p_k)` and weighted by its liquidation
//! threshold in force: `W = Σ floor(value_k · LT_k)`, `HF = W / D` (rounded down). First at the
//! medians: `HF >= 1` is healthy. Then at the *trusted* prices ([`Holding::trusted_price`]): the
//! median when `Active` or `Stale` (a stale median passed the oracle's breaker when it was set),
//! the higher of median and TWAP when `Halted` or `NoQuorum` (a wick the breaker flagged, or a
//! record that may hold one). An account healthy there is refused as paused: a wick alone
//! liquidates nobody. From here on every figure is at the trusted prices; `hard_floor = HF <
//! hard_floor_health_factor`, and above it a breaker at level 2 refuses.
//!
//! # The bonus in force
//! Each holding's penalty `p_k` is its collateral's fixed `liquidation_penalty`, or, with a
//! [`DynamicBonus`], `min(start + slope·(1 − HF), max(min(CR − 1, penalty), min))` at the
//! health factor and collateral ratio at the trusted prices ([`Holding::bonus_at`]). Everything
//! below (the factors, the toxic frontier, the lot sizes) uses the bonus in force.
//!
//! # Seizure order and the closed form
//! Repaying `R` of debt by seizing collateral `k` with penalty `p_k` takes value `R·(1+p_k)`
//! and so liquidation value `R·f_k`, `f_k = LT_k·(1+p_k)` (`< 1` by validation). Holdings are
//! seized in ascending `f_k` (per unit repaid the account loses the least liquidation value),
//! then larger value, then denom. After repaying `R` against `k`:
//! ```text
//! HF' = (W − R·f_k) / (D − R)
//! HF' > HF  ⟺  (W − R·f_k)·D > W·(D − R)  ⟺  R·W > R·f_k·D  ⟺  W/D > f_k  ⟺  HF > f_k
//! HF' = T   ⟺  W − R·f_k = T·D − T·R    ⟺  R = (T·D − W) / (T − f_k)
//! ```
//! so a partial liquidation against `k` heals the account iff `HF > f_k`, and reaches the
//! target `T` with `R = ceil((ceil(T·D) − W) / (T − f_k))`, capped at `D`. Only active holdings
//! with `f_k < HF` whose whole seizure repays at least one debt share
//! ([`Sizing::repays_a_share`]) are candidates; none: the account is **toxic**.
//!
//! # Partial path (above the hard floor, not toxic)
//! Each candidate is sized ([`Sizing`]): the target repay, capped by the holding; the dust rule
//! (Aave v3.3: clear fully or leave at least the minimum); the liquidator's room (a throttled
//! repay never leaves dust); at least one debt share burned. The first candidate whose repay is
//! *useful* (`R >= min(min_debt, R_target)`) is taken, else the fitting one with the largest
//! repay: a dust holding or one unit of room on an early candidate cannot block the account.
//! None fits: a dust account (`D < min_debt` or collateral below `min_collateral_value`) goes
//! down the whole-position path, any other is throttled (`NoRoom`, or `TooSmall`).
//!
//! # Transfer before sale
//! With [`WhenThrottled::Transfer`](crate::market::WhenThrottled), when no candidate fits a
//! useful auction (no room, or only a repay below `min(min_debt, R_target)`), the backstop is
//! asked to take part of one holding instead (see [`transfer`]): at its discount `δ` it pays
//! `R` for `u` units with `u·p·(1 − δ) >= R`, so repaying `R` removes `R·f` of `W` with
//! `f = LT / (1 − δ)`, and the closed form above gives `R` with that factor. Candidates are the
//! active holdings with `f < HF` in seizure order; the first whose transfer the pool can pay
//! and that is useful is taken. None: the account is throttled as before.
//!
//! # Whole-position path (toxic, below the hard floor, or dust no candidate closes)
//! The debt is split across holdings by value ([`split_tabs`]). Above the hard floor a holding
//! without an active price stays on the account with its share of the debt; the rest, `D_P`,
//! goes. When every holding offered is active the backstop is asked first: if it can absorb and
//! the holdings at its discount cover `D_P`, it pays `D_P` for the least lots that cover it
//! ([`absorb_lots`]) and the rest stays with the borrower; if they do not cover it, it takes
//! everything offered for its discounted value and the rest is bad debt. Otherwise each offered
//! holding goes to auction for its tab (forced below the hard floor: started on a price that
//! is not active), every tab within its room and all of them within the global cap; when they
//! do not fit, the largest fraction of the position that does goes (Maker's partial bark) and
//! the account keeps the rest. Below the hard floor without
//! [`LiquidationParams::pace_hard_floor`] the tabs go whole, whatever the room. The visible
//! shortfall `Σ tab − Σ value` is provisioned at once. With no holding at all the debt is
//! written off.
//!
//! # Redistribution (when the backstop is exhausted)
//! With [`RedistributionParams`](crate::market::RedistributionParams), a position that must go
//! whole (toxic or below the hard floor) is not sold into a book without room when the backstop
//! cannot take it: it goes to the other holders of the same collateral
//! ([`LiquidationPlan::Redistribute`]; the market applies it lazily). On the whole-position
//! path the backstop absorbs only when it can pay or cover the whole debt, and a position whose
//! auctions would not fit the room is redistributed; each holding's lot is capped at `tab_k ·
//! (1 + q_k)` at the trusted price, `q_k = min(bonus in force, penalty_cap)`. A holding no other
//! account holds ([`Quotes::stake`]) cannot be redistributed: the plan falls back to what it
//! was without the rule. A throttled account above the hard floor waits for room as before.

//! # Absorbing on credit
//! With [`LiquidationParams::absorb_on_credit`], a whole position that neither fits the room
//! (or cannot be auctioned at all: a halted holding above the hard floor) nor can be
//! redistributed, and whose holdings cover the debt at the pool's discount, is absorbed even
//! when the pool's base falls short: the rest of the price (`on_credit`) comes from what the
//! market owes the pool and lends it ([`Quotes::absorb_credit`]). Off by default.

//! # Extending
//! New mechanisms enter as inputs or variants, not as flags in the appliers: a dynamic bonus
//! as a function of `HF` in [`Holding`]'s penalty; waiting out a tripped breaker for accounts
//! solvent at the TWAP as a refusal decided in [`plan_liquidation`] from the prices it already
//! has; redistribution as a [`LiquidationPlan`] variant chosen from the [`Quotes`] answers; a
//! depth-driven throttle through [`Room`].
mod partial;
mod transfer;
mod whole;

#[cfg(test)]
mod tests;

pub use partial::{repay_to_target, seizure_order, Held, Miss, Partial, Sizing};
pub use transfer::absorb_factor;
pub use whole::{absorb_lots, split_tabs};

use crate::backstop::AbsorbQuoteResponse;
use crate::error::MathError;
use crate::market::{breaker, DynamicBonus, LiquidationParams, WickParams};
use crate::oracle::OracleStatus;
use cosmwasm_std::{CheckedMultiplyFractionError, Coin, Decimal, Uint128};
use thiserror::Error;

/// One collateral holding of the account, as the oracle prices it.
#[derive(Debug, Clone, PartialEq)]
pub struct Holding {
    /// The denom.
    pub denom: String,
    /// Units held.
    pub amount: Uint128,
    /// Oracle median.
    pub median: Decimal,
    /// Oracle TWAP.
    pub twap: Decimal,
    /// Oracle status now.
    pub status: OracleStatus,
    /// Liquidation threshold in force (after any ramp).
    pub liquidation_threshold: Decimal,
    /// Liquidation penalty (bonus on seized collateral); with a dynamic bonus, its cap.
    pub penalty: Decimal,
    /// The collateral's dynamic bonus, if any.
    pub dynamic_bonus: Option<DynamicBonus>,
}

impl Holding {
    /// The price the oracle stands behind: the median when `Active` or `Stale`, the higher of
    /// median and TWAP (the less punitive for the borrower) when `Halted` or `NoQuorum`.
    pub fn trusted_price(&self) -> Decimal {
        match self.status {
            OracleStatus::Halted { .. } | OracleStatus::NoQuorum { .. } => {
                self.median.max(self.twap)
            }
            OracleStatus::Active {} | OracleStatus::Stale { .. } => self.median,
        }
    }

    /// When its price stopped being one the oracle stands behind (`Halted` or `NoQuorum`).
    pub fn untrusted_since(&self) -> Option<u64> {
        match self.status {
            OracleStatus::Halted { since, .. } | OracleStatus::NoQuorum { since, .. } => {
                Some(since)
            }
            OracleStatus::Active {} | OracleStatus::Stale { .. } => None,
        }
    }

    /// `self` with its TWAP bounded by `wick` at `now` (see [`WickParams`]): at most `median ·
    /// (1 + max_premium)` (rounded down), and the median once the status is older than
    /// `max_wait`. With `fade`, what the TWAP adds over the median shrinks linearly over the
    /// wait: `median + (twap − median) · left / max_wait` for `left` seconds of it left
    /// (rounded down). The trusted price of the result is the bounded one.
    pub fn bounded(&self, wick: &WickParams, now: u64) -> Holding {
        let mut h = self.clone();
        if let Some(since) = self.untrusted_since() {
            let elapsed = now.saturating_sub(since);
            h.twap = if elapsed >= wick.max_wait {
                h.median
            } else {
                let top = Decimal::one()
                    .saturating_add(wick.max_premium)
                    .saturating_mul(h.median);
                let twap = h.twap.min(top);
                match twap.checked_sub(h.median) {
                    Ok(advantage) if wick.fade => {
                        let left = Decimal::from_ratio(wick.max_wait - elapsed, wick.max_wait);
                        h.median.saturating_add(advantage.saturating_mul(left))
                    }
                    _ => twap,
                }
            };
        }
        h
    }

    /// The bonus in force at health factor `hf` and collateral ratio `cr`: the dynamic bonus
    /// when set (capped by the penalty), else the fixed penalty.
    pub fn bonus_at(&self, hf: Decimal, cr: Decimal) -> Decimal {
        self.dynamic_bonus
            .as_ref()
            .map_or(self.penalty, |b| b.at(hf, cr, self.penalty))
    }
}

/// The account to liquidate.
#[derive(Debug, Clone, PartialEq)]
pub struct Position<'a> {
    /// Its holdings, in any order.
    pub holdings: &'a [Holding],
    /// Its debt `D` (positive), `ceil(debt_shares · borrow_index)`.
    pub debt: Uint128,
    /// Its debt shares.
    pub debt_shares: Uint128,
    /// Base units per debt share.
    pub borrow_index: Decimal,
    /// Block time, seconds (bounds the wait out of a wick).
    pub now: u64,
}

/// The liquidator's caps for a new auction of one denom.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Room {
    /// The largest tab that may start now (the per-denom and global caps).
    pub room: Uint128,
    /// What the global cap leaves for all auctions together.
    pub global: Uint128,
}

/// What the planner may ask the liquidator and the backstop. Each answer is asked for only when
/// the plan needs it.
pub trait Quotes {
    /// The error of a failed query (a planning refusal converts into it).
    type Error: From<PlanError>;
    /// The liquidator's caps for a new auction of `denom`.
    fn room(&mut self, denom: &str) -> Result<Room, Self::Error>;
    /// The backstop's quote for absorbing `collateral` against `debt`; `halted`: a `Halted`
    /// price counts (at the higher of median and TWAP) instead of refusing.
    fn absorb_quote(
        &mut self,
        collateral: Vec<Coin>,
        debt: Uint128,
        halted: bool,
    ) -> Result<AbsorbQuoteResponse, Self::Error>;
    /// The backstop's base balance (what it can cover of a bad debt).
    fn backstop_base(&mut self) -> Result<Uint128, Self::Error>;
    /// What the market would put towards an absorb the pool quotes at `pay` (asked only with
    /// [`LiquidationParams::absorb_on_credit`] when the pool's base falls short): what it owes
    /// the pool (`backstop_due`), its credit room now, `floor(ratio · V) − backstop_debt`, and
    /// `floor(ratio · pay)` for the lots the absorb brings the pool (worth at least `pay` at its
    /// discount).
    fn absorb_credit(&mut self, pay: Uint128) -> Result<Uint128, Self::Error>;
    /// Units of `denom` held by all accounts (the liquidated one included), without what was
    /// redistributed and not yet taken: the stakes a redistribution of `denom` is shared over.
    fn stake(&mut self, denom: &str) -> Result<Uint128, Self::Error>;
    /// The lowest, over the lots' denoms, of the aggregate health factor of the other holders
    /// of that denom once they take their part of a redistribution of `lots` and `shares` (one
    /// per lot) away from the account of `position`: each lot and its shares split pro rata to
    /// the units of its denom held, so the holders of one denom also take the part of the other
    /// lots that their holdings of those denoms earn them. `None` when it cannot be told (then
    /// nothing is redistributed).
    fn recipients_health(
        &mut self,
        position: &Position,
        lots: &[Lot],
        shares: &[Uint128],
    ) -> Result<Option<Decimal>, Self::Error>;
}

/// Collateral that leaves the account: `amount` of `denom`, raising `tab` at auction (zero for
/// an absorb).
#[derive(Debug, Clone, PartialEq)]
pub struct Lot {
    /// The denom.
    pub denom: String,
    /// Units seized.
    pub amount: Uint128,
    /// Debt the auction must raise (zero when the backstop takes the lot).
    pub tab: Uint128,
}

/// What a `Liquidate` does. Every variant burns `burned` debt shares and moves `tab` of debt
/// out of the account.
#[derive(Debug, Clone, PartialEq)]
pub enum LiquidationPlan {
    /// One auction of part of one holding, unforced; `full` when it closes the whole debt.
    Partial {
        /// The auction.
        lot: Lot,
        /// The bonus in force on the lot (the penalty, or the dynamic bonus at the account's
        /// health).
        bonus: Decimal,
        /// Debt shares burned (all of them when `full`).
        burned: Uint128,
        /// Whether it closes the whole debt (the dust rule).
        full: bool,
    },
    /// The backstop takes `lots` and pays `pay + on_credit` for `tab` of debt (`pay` in base,
    /// `on_credit` lent to it by the market); `tab − pay − on_credit` is bad debt, covered with
    /// `base` left in the pool.
    Absorb {
        /// Collateral taken, in seizure order.
        lots: Vec<Lot>,
        /// Debt moved out of the account.
        tab: Uint128,
        /// Base the pool pays.
        pay: Uint128,
        /// What the market lends the pool for the rest of the price (booked as
        /// `backstop_debt`; zero unless [`LiquidationParams::absorb_on_credit`]).
        on_credit: Uint128,
        /// Debt shares burned.
        burned: Uint128,
        /// The pool's base once it paid: what it can cover of the bad debt.
        base: Uint128,
    },
    /// Transfer before sale: the backstop pays `lot.tab` of debt and takes `lot` (part of one
    /// holding, what its discount justifies); `full` when it closes the whole debt.
    PartialAbsorb {
        /// The collateral taken (`tab`: the debt repaid, which the pool pays).
        lot: Lot,
        /// Debt shares burned (all of them when `full`).
        burned: Uint128,
        /// Whether it closes the whole debt.
        full: bool,
    },
    /// One auction per offered holding (forced below the hard floor); the visible shortfall
    /// `provision` is booked at once, with `base` in the pool. Above the hard floor, when the
    /// whole position does not fit the room, the same fraction of every lot and tab that fits
    /// (`part`); the rest stays with the account for the next liquidation.
    Auctions {
        /// The auctions, in seizure order.
        lots: Vec<Lot>,
        /// Only the part of the position that fits the room.
        part: bool,
        /// Debt moved out of the account (`Σ lot.tab`).
        tab: Uint128,
        /// Debt shares burned.
        burned: Uint128,
        /// Below the hard floor: the auctions skip the oracle check and the caps.
        forced: bool,
        /// `Σ tab − Σ value` of the lots when positive.
        provision: Uint128,
        /// The backstop's base when `provision` is positive (zero otherwise).
        base: Uint128,
    },
    /// The backstop is exhausted and the auctions would not fit the room: each lot, with its
    /// share `shares` of the burned debt shares, is redistributed to the other holders of its
    /// denom (see [`crate::market::RedistributionParams`]). Nothing is sold, nothing is bad
    /// debt; what the penalty cap leaves stays with the borrower.
    Redistribute {
        /// Collateral given away, in seizure order (`tab`: the debt that goes with it).
        lots: Vec<Lot>,
        /// Debt shares that go with each lot (summing to `burned`).
        shares: Vec<Uint128>,
        /// Debt moved out of the account (`Σ lot.tab`).
        tab: Uint128,
        /// Debt shares taken from the account (they stay outstanding, owed by the recipients).
        burned: Uint128,
    },
    /// No collateral at all: the whole debt is bad debt, covered with `base` in the pool.
    WriteOff {
        /// The debt written off.
        tab: Uint128,
        /// Debt shares burned (all).
        burned: Uint128,
        /// The backstop's base.
        base: Uint128,
    },
}

impl LiquidationPlan {
    /// The `mode` of the market's `liquidate` event.
    pub fn mode(&self) -> &'static str {
        match self {
            LiquidationPlan::Partial { full: false, .. } => "partial",
            LiquidationPlan::Partial { full: true, .. } => "full",
            LiquidationPlan::Absorb { .. } => "absorb",
            LiquidationPlan::PartialAbsorb { .. } => "partial_absorb",
            LiquidationPlan::Auctions { .. } => "toxic_auction",
            LiquidationPlan::Redistribute { .. } => "redistribute",
            LiquidationPlan::WriteOff { .. } => "bad_debt",
        }
    }

    /// The debt moved out of the account (the keeper reward's tab).
    pub fn tab(&self) -> Uint128 {
        match self {
            LiquidationPlan::Partial { lot, .. } | LiquidationPlan::PartialAbsorb { lot, .. } => {
                lot.tab
            }
            LiquidationPlan::Absorb { tab, .. }
            | LiquidationPlan::Auctions { tab, .. }
            | LiquidationPlan::Redistribute { tab, .. }
            | LiquidationPlan::WriteOff { tab, .. } => *tab,
        }
    }

    /// Debt shares burned.
    pub fn burned(&self) -> Uint128 {
        match self {
            LiquidationPlan::Partial { burned, .. }
            | LiquidationPlan::PartialAbsorb { burned, .. }
            | LiquidationPlan::Absorb { burned, .. }
            | LiquidationPlan::Auctions { burned, .. }
            | LiquidationPlan::Redistribute { burned, .. }
            | LiquidationPlan::WriteOff { burned, .. } => *burned,
        }
    }
}

/// A plan with the assessment it rests on.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    /// The health factor at the trusted prices.
    pub health_factor: Decimal,
    /// Whether it is below the hard floor.
    pub hard_floor: bool,
    /// What to do.
    pub plan: LiquidationPlan,
}

/// Why an account is not liquidated now.
#[derive(Error, Debug)]
pub enum PlanError {
    /// The account has no debt.
    #[error("nothing to liquidate: the account has no debt")]
    NoDebt,
    /// `HF >= 1` at the medians.
    #[error(
        "account is healthy (health factor {health_factor}): only accounts below 1 may be liquidated"
    )]
    Healthy {
        /// The health factor.
        health_factor: Decimal,
    },
    /// The breaker pauses liquidations above the hard floor.
    #[error("liquidations are paused by the circuit breaker (level {level}) except for accounts below the hard floor")]
    AuctionsPaused {
        /// The breaker level.
        level: u8,
    },
    /// A price the oracle does not stand behind blocks the liquidation.
    #[error("liquidation paused: the oracle price of {denom} is {status} (only accounts below the hard floor are liquidated)")]
    Paused {
        /// The collateral.
        denom: String,
        /// Its status.
        status: &'static str,
    },
    /// Do not liquidate into a wick: healthy at the bounded trusted price, the account waits
    /// until `until` at the latest (see [`WickParams`]).
    #[error("liquidation paused: the oracle price of {denom} is {status}; the account is healthy at the trusted price and waits out the wick until {until} at the latest")]
    WaitingOutWick {
        /// The collateral.
        denom: String,
        /// Its status.
        status: &'static str,
        /// When the TWAP stops counting, seconds since the epoch.
        until: u64,
    },
    /// No candidate fits the auction caps.
    #[error("liquidation throttled: no auction room for {denom} (room left {room})")]
    NoRoom {
        /// The collateral(s), comma-separated.
        denom: String,
        /// Room left.
        room: Uint128,
    },
    /// The repay would burn no debt share.
    #[error("liquidation too small: it would repay nothing")]
    TooSmall,
    /// A holding's value does not fit 128 bits.
    #[error("collateral valuation overflows: {0}")]
    Valuation(CheckedMultiplyFractionError),
    /// Checked arithmetic that failed.
    #[error(transparent)]
    Math(#[from] MathError),
}

crate::math_error_from!(PlanError);

/// The account's values at one set of prices.
struct Weighed {
    /// `Σ floor(amount · price)`.
    collateral_value: Uint128,
    /// `Σ floor(value · LT)`.
    liquidation_value: Uint128,
}

/// The values at each holding's trusted price (`Holding::trusted_price`), or at its median.
/// (A flag, not a closure: one copy of the loop in the wasm instead of one per caller.)
fn weigh(holdings: &[Holding], trusted: bool) -> Result<Weighed, PlanError> {
    let price = |h: &Holding| if trusted { h.trusted_price() } else { h.median };
    let mut w = Weighed {
        collateral_value: Uint128::zero(),
        liquidation_value: Uint128::zero(),
    };
    for h in holdings {
        let v = h
            .amount
            .checked_mul_floor(price(h))
            .map_err(PlanError::Valuation)?;
        w.collateral_value = w.collateral_value.checked_add(v)?;
        w.liquidation_value = w
            .liquidation_value
            .checked_add(v.mul_floor(h.liquidation_threshold))?;
    }
    Ok(w)
}

/// `W / D` rounded down, `Decimal::MAX` when it does not fit.
fn health_factor(w: Uint128, debt: Uint128) -> Decimal {
    Decimal::checked_from_ratio(w, debt).unwrap_or(Decimal::MAX)
}

/// Plans the liquidation of `position` (see the module docs), asking `quotes` only what the
/// plan needs.
pub fn plan_liquidation<Q: Quotes>(
    position: &Position,
    params: &LiquidationParams,
    breaker_level: u8,
    quotes: &mut Q,
) -> Result<Planned, Q::Error> {
    let d = position.debt;
    if d.is_zero() {
        return Err(PlanError::NoDebt.into());
    }
    let bounded: Vec<Holding>;
    let bounded_position: Position;
    let position = match &params.wick {
        Some(w) => {
            bounded = position
                .holdings
                .iter()
                .map(|h| h.bounded(w, position.now))
                .collect();
            bounded_position = Position {
                holdings: &bounded,
                ..position.clone()
            };
            &bounded_position
        }
        None => position,
    };
    let at_median = weigh(position.holdings, false)?;
    let hf = health_factor(at_median.liquidation_value, d);
    if hf >= Decimal::one() {
        return Err(PlanError::Healthy { health_factor: hf }.into());
    }
    let untrusted = position
        .holdings
        .iter()
        .find(|h| h.trusted_price() != h.median);
    let weighed = match untrusted {
        None => at_median,
        Some(h) => {
            let w = weigh(position.holdings, true)?;
            if health_factor(w.liquidation_value, d) >= Decimal::one() {
                let (denom, status) = (h.denom.clone(), h.status.name());
                return Err(match (&params.wick, h.untrusted_since()) {
                    (Some(wick), Some(since)) => PlanError::WaitingOutWick {
                        denom,
                        status,
                        until: since.saturating_add(wick.max_wait),
                    },
                    _ => PlanError::Paused { denom, status },
                }
                .into());
            }
            w
        }
    };
    let hf = health_factor(weighed.liquidation_value, d);
    let hard_floor = hf < params.hard_floor_health_factor;
    if !hard_floor && breaker_level >= breaker::NO_AUCTIONS {
        return Err(PlanError::AuctionsPaused {
            level: breaker_level,
        }
        .into());
    }
    // The bonus in force: at the health factor and the collateral ratio (both rounded down)
    // at the trusted prices.
    let cr = health_factor(weighed.collateral_value, d);
    let mut held = position
        .holdings
        .iter()
        .map(|h| Held::new(h, h.bonus_at(hf, cr)))
        .collect::<Result<Vec<_>, _>>()?;
    seizure_order(&mut held);

    if !hard_floor {
        let sizing = Sizing {
            params,
            debt: d,
            liquidation_value: weighed.liquidation_value,
            collateral_value: weighed.collateral_value,
            debt_shares: position.debt_shares,
            borrow_index: position.borrow_index,
        };
        let planned = |plan| Planned {
            health_factor: hf,
            hard_floor,
            plan,
        };
        match partial::plan(&sizing, &held, hf, quotes)? {
            partial::Outcome::Plan(plan) => return Ok(planned(plan)),
            // No useful auction fits and the backstop took no part of it: the account waits
            // for room. (It is not redistributed: healing it by moving its debt to the other
            // holders, who may then be throttled in turn, does not converge while the holders
            // together are below 1 — measured on the devnet crash — and would pay a keeper
            // reward on every move.)
            partial::Outcome::Throttled(fallback) => {
                return fallback.map(planned).map_err(Into::into);
            }
            partial::Outcome::Whole => {}
        }
    }
    let plan = whole::plan(position, &held, hard_floor, params, quotes)?;
    Ok(Planned {
        health_factor: hf,
        hard_floor,
        plan,
    })
}
