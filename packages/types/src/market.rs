//! Messages of the lending market: one borrowable base asset, several collaterals per account.
use crate::error::{check_range, invalid, ParamError};
use crate::math::interest::InterestRateModel;
use crate::math::margin::Ramp;
use crate::oracle::OracleStatus;
use crate::risk::RiskShareParams;
use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Decimal, Uint128, Uint256};

/// The most collateral assets a market may list (bounds every per-account loop).
pub const MAX_COLLATERALS: usize = 16;

crate::cw_serde_struct! {
/// Dynamic margin: borrow power shrinks when realized volatility is high.
/// `ltv_eff = max_ltv · clamp(σ_ref / σ, min_ltv_factor, 1)`
/// (see `breakwater_types::math::margin::effective_ltv`).
pub struct MarginParams {
    /// Annualized volatility at or below which the full `max_ltv` applies (0.8 = 80%/year).
    pub reference_volatility: Decimal,
    /// Floor of the scaling factor (0 < x <= 1): borrow power never drops below
    /// `max_ltv · min_ltv_factor`.
    pub min_ltv_factor: Decimal,
}
}

crate::cw_serde_struct! {
/// Market-wide parameters.
pub struct MarketParams {
    /// The borrow-rate curve.
    pub interest: InterestRateModel,
    /// Share of interest kept as reserves (0 to 0.5).
    pub reserve_factor: Decimal,
    /// Dynamic margin.
    pub margin: MarginParams,
    /// Seconds over which a liquidation-threshold change ramps (1 hour to 30 days).
    pub threshold_ramp_duration: u64,
}
}

impl MarketParams {
    /// Checks every range documented on the fields.
    pub fn validate(&self) -> Result<(), ParamError> {
        self.interest.validate()?;
        check_range(
            "reserve_factor",
            self.reserve_factor,
            Decimal::zero(),
            Decimal::percent(50),
        )?;
        if self.margin.reference_volatility.is_zero() {
            return Err(invalid("reference_volatility", "must be positive"));
        }
        if self.margin.min_ltv_factor.is_zero() || self.margin.min_ltv_factor > Decimal::one() {
            return Err(invalid("min_ltv_factor", "must be in (0, 1]"));
        }
        check_range(
            "threshold_ramp_duration",
            self.threshold_ramp_duration,
            3_600,
            30 * 86_400,
        )?;
        Ok(())
    }
}

impl Default for MarketParams {
    /// A 1% base rate, 4% to an 80% kink, then +75% to full utilization (Aave/Compound-like);
    /// 10% reserve factor; full borrow power up to 80%/year volatility, never below half;
    /// threshold changes ramp over 7 days.
    fn default() -> Self {
        MarketParams {
            interest: InterestRateModel {
                base_rate: Decimal::percent(1),
                optimal_utilization: Decimal::percent(80),
                slope1: Decimal::percent(4),
                slope2: Decimal::percent(75),
            },
            reserve_factor: Decimal::percent(10),
            margin: MarginParams {
                reference_volatility: Decimal::percent(80),
                min_ltv_factor: Decimal::percent(50),
            },
            threshold_ramp_duration: 7 * 86_400,
        }
    }
}

crate::cw_serde_struct! {
/// Risk parameters of one collateral asset.
pub struct CollateralParams {
    /// The collateral denom.
    pub denom: String,
    /// Loan-to-value for new borrows before volatility scaling (0 < x < liquidation_threshold).
    pub max_ltv: Decimal,
    /// Weight of this collateral in the health factor (max_ltv < x < 1).
    pub liquidation_threshold: Decimal,
    /// Liquidation bonus given on seized collateral (0 to 0.25). Must keep
    /// `liquidation_threshold · (1 + penalty) < 1`, or every liquidation would worsen accounts.
    pub liquidation_penalty: Decimal,
    /// Most units of this collateral the market accepts in total (0 = deposits paused).
    pub supply_cap: Uint128,
    /// Base-asset value the external market absorbs per 1% price move; the basis of the
    /// liquidator's throttling caps (must be positive).
    pub depth: Uint128,
}
defaults {
    /// A liquidation bonus that grows as health falls (Mars); `None` (the default): the fixed
    /// `liquidation_penalty`. With it, `liquidation_penalty` is the bonus's cap.
    #[serde(default)]
    pub dynamic_bonus: Option<DynamicBonus>,
}
}

crate::cw_serde_struct! {
/// A liquidation bonus that grows as the account's health falls (Mars's rule), so liquidations
/// near `HF = 1` cost borrowers little and deep ones still attract bidders:
///
/// ```text
/// bonus(HF, CR) = min(start + slope · (1 − HF),  max(min(CR − 1, liquidation_penalty), min))
/// ```
/// where `HF` is the account's health factor and `CR = collateral value / debt` (unweighted),
/// both at the prices the oracle stands behind and both rounded down. The cap `CR − 1` keeps
/// the bonus from taking more than the account's equity; `min` keeps a floor under that cap
/// (so a bonus can be below `min` near `HF = 1`). The bonus never exceeds
/// `liquidation_penalty`, so `LT · (1 + bonus) < 1` holds as it does for the fixed penalty.
/// Rounding: `slope · (1 − HF)` is rounded up (the bidder or the pool that takes the risk is
/// never short of its bonus by rounding), the cap is taken at the rounded-down `CR`.
///
/// Recommended ([`DynamicBonus::recommended`]): `start = min = liquidation_penalty / 2`,
/// `slope = 1` (Mars's WETH slope): half the penalty at `HF = 1`, the full penalty once health
/// fell by half the penalty.
pub struct DynamicBonus {
    /// Bonus at `HF = 1` (0 to `liquidation_penalty`).
    pub start: Decimal,
    /// Bonus added per unit of health lost (0 to 10).
    pub slope: Decimal,
    /// Floor of the cap (0 to `liquidation_penalty`).
    pub min: Decimal,
}
}

impl DynamicBonus {
    /// The recommended rule for a collateral of liquidation penalty `max` (see the type).
    pub fn recommended(max: Decimal) -> DynamicBonus {
        let half = max.checked_div(Decimal::percent(200)).unwrap_or(max);
        DynamicBonus {
            start: half,
            slope: Decimal::one(),
            min: half,
        }
    }

    /// The bonus in force at health factor `hf` and collateral ratio `cr`, capped by `max`.
    pub fn at(&self, hf: Decimal, cr: Decimal, max: Decimal) -> Decimal {
        let fall = Decimal::one().saturating_sub(hf);
        let rising = self.start.saturating_add(mul_ceil(self.slope, fall));
        let cap = cr
            .saturating_sub(Decimal::one())
            .min(max)
            .max(self.min)
            .min(max);
        rising.min(cap)
    }

    /// The least bonus it can give (what the keeper tip is checked against).
    pub fn least(&self) -> Decimal {
        self.start.min(self.min)
    }
}

/// `a · b` rounded up at 18 decimals, `Decimal::MAX` when it does not fit.
fn mul_ceil(a: Decimal, b: Decimal) -> Decimal {
    let unit = Uint256::from(10u128.pow(18));
    let num = a.atomics().full_mul(b.atomics());
    let q = num.checked_add(unit - Uint256::one()).map(|n| n / unit);
    q.ok()
        .and_then(|q| Uint128::try_from(q).ok())
        .map_or(Decimal::MAX, Decimal::new)
}

impl CollateralParams {
    /// The least bonus a liquidation of this collateral can give.
    pub fn least_bonus(&self) -> Decimal {
        self.dynamic_bonus
            .as_ref()
            .map_or(self.liquidation_penalty, |b| {
                b.least().min(self.liquidation_penalty)
            })
    }

    /// Checks every range documented on the fields.
    pub fn validate(&self) -> Result<(), ParamError> {
        if self.denom.is_empty() {
            return Err(invalid("denom", "must not be empty"));
        }
        if self.max_ltv.is_zero() || self.max_ltv >= self.liquidation_threshold {
            return Err(invalid(
                "max_ltv",
                "must be positive and below liquidation_threshold",
            ));
        }
        if self.liquidation_threshold >= Decimal::one() {
            return Err(invalid("liquidation_threshold", "must be below 1"));
        }
        check_range(
            "liquidation_penalty",
            self.liquidation_penalty,
            Decimal::zero(),
            Decimal::percent(25),
        )?;
        validate_threshold_penalty(self.liquidation_threshold, self.liquidation_penalty)?;
        if self.depth.is_zero() {
            return Err(invalid("depth", "must be positive"));
        }
        if let Some(b) = &self.dynamic_bonus {
            let cap = self.liquidation_penalty;
            check_range("dynamic_bonus.start", b.start, Decimal::zero(), cap)?;
            check_range(
                "dynamic_bonus.slope",
                b.slope,
                Decimal::zero(),
                Decimal::percent(1_000),
            )?;
            check_range("dynamic_bonus.min", b.min, Decimal::zero(), cap)?;
        }
        Ok(())
    }
}

/// `LT · (1 + penalty) < 1`: otherwise every liquidation seizes more weighted value than the
/// debt it repays and no account could ever be made healthier by liquidation.
pub fn validate_threshold_penalty(lt: Decimal, penalty: Decimal) -> Result<(), ParamError> {
    if lt * (Decimal::one() + penalty) >= Decimal::one() {
        return Err(invalid(
            "liquidation_penalty",
            "liquidation_threshold · (1 + liquidation_penalty) must stay below 1",
        ));
    }
    Ok(())
}

crate::cw_serde_struct! {
/// How the market liquidates. Defaults follow the anchors (see each field).
pub struct LiquidationParams {
    /// A partial liquidation closes just enough debt to bring the health factor here
    /// (1 < x <= 2; Mars 1.05).
    pub target_health_factor: Decimal,
    /// Below this health factor an account is deeply underwater: it bypasses the breaker's
    /// auction pause and oracle pauses, goes whole, and goes to the backstop's absorb when the
    /// pool can pay; its auctions still fit the throttle's room unless `pace_hard_floor` is
    /// off (0 < x < 1).
    pub hard_floor_health_factor: Decimal,
    /// Dust: a liquidation closes the whole position when the debt left would be below this,
    /// base units (Aave v3.3 uses $1,000).
    pub min_debt: Uint128,
    /// Dust: ... or when the collateral value left would be below this, base units.
    pub min_collateral_value: Uint128,
    /// Flat keeper reward for starting or resetting an auction or for an absorb, base units
    /// (Maker `tip`). Every reward is also capped by free reserves and by the market's cash.
    pub keeper_tip: Uint128,
    /// Proportional keeper reward on the auction's tab (Maker `chip`, 0.1%; at most 5%).
    pub keeper_chip: Decimal,
    /// Most one keeper reward pays, base units.
    pub keeper_reward_cap: Uint128,
    /// Share of new reserves earmarked for the backstop pool (0 to 1), paid by
    /// `SweepReserves`: the share at no risk.
    pub backstop_reserve_share: Decimal,
}
defaults {
    /// How the share rises with measured risk (see [`crate::risk`]); `None` keeps it at
    /// `backstop_reserve_share` (and is what a set-up stored before the rule existed reads as).
    #[serde(default)]
    pub risk_share: Option<RiskShareParams>,
    /// Do not liquidate into a wick (see [`WickParams`]); `None` keeps the review's rule (the
    /// TWAP counts unbounded while a price is not active, and a tripped holding is kept or
    /// force-auctioned) and is what a set-up stored before the rule existed reads as.
    #[serde(default)]
    pub wick: Option<WickParams>,
    /// What a partial liquidation does when the liquidator has no room for a useful auction:
    /// `transfer` it to the backstop (a partial absorb, the default), or `wait` for room (JSON
    /// without the field, or a set-up stored before the rule existed, reads as `wait`).
    #[serde(default)]
    pub when_throttled: WhenThrottled,
    /// Redistribution when the backstop is exhausted (see [`RedistributionParams`]; on by
    /// default); `None` sells instead (and is what JSON without the field, or a set-up stored
    /// before the rule existed, reads as).
    #[serde(default)]
    pub redistribution: Option<RedistributionParams>,
    /// The backstop covers with everything it holds, not only its cash: bad debt beyond its
    /// base is first paid from what the market owes the pool (`backstop_due`), then lent to
    /// the pool against the collateral it holds, up to this fraction of that collateral's
    /// value (at the oracle median; while the breaker halts a price, at the lower of median
    /// and TWAP; 0 to 1; default 50%), before reserves and suppliers. The
    /// pool repays from the base it receives (resale proceeds, deposits) and its depositors
    /// cannot withdraw while it owes (see docs/market.md "The backstop's credit"). `None`
    /// (and JSON without the field, or a set-up stored before the rule existed) lends nothing.
    #[serde(default)]
    pub backstop_credit: Option<Decimal>,
    /// The backstop absorbs on credit: a whole position that can neither be auctioned within
    /// the liquidator's room (nor at all: a halted holding above the hard floor) nor
    /// redistributed, whose collateral covers its debt at the pool's discount, is absorbed
    /// even when the pool's base cannot pay for it: what the market owes the pool, then a loan
    /// within `backstop_credit` (its credit room plus that fraction of the absorb's price),
    /// pay the rest, booked as `backstop_debt` and repaid like the pool's other loans (see
    /// docs/market.md "The backstop's credit"). Nothing without `backstop_credit`. Default off
    /// (it spends the credit that covers bad debt; docs/LAB.md "Absorbing on credit"), as is
    /// JSON without the field or a set-up stored before the rule existed.
    #[serde(default)]
    pub absorb_on_credit: bool,
    /// The room paces the hard floor: below `hard_floor_health_factor` nothing holds an
    /// account back (neither the breaker nor a wait), but its auctions, forced to start on a
    /// halted price, still fit the liquidator's room: a whole position larger than the room
    /// goes in the largest part that fits (Maker's partial bark) and the rest waits for room,
    /// instead of the whole book below the floor being sold into the book at once (see
    /// docs/market.md "The hard floor is paced"). On by default; off (JSON without the field,
    /// or a set-up stored before the rule existed) the hard floor bypasses the room.
    #[serde(default)]
    pub pace_hard_floor: bool,
}
}

crate::cw_serde_struct! {
/// Transfer, not sale, when the backstop is exhausted (Liquity's redistribution). A position
/// that must go whole (toxic or below the hard floor) that the backstop cannot take in full
/// (it cannot pay or cover the whole debt) is redistributed instead of auctioned when the
/// backstop could not bear the loss of its sale either (`backstop_first`: what the position
/// lacks, its debt less its collateral at the trusted price, exceeds the pool's base, what the
/// market owes it and its credit), or, with `backstop_first` off, when the auctions would not
/// fit the liquidator's room (a throttled account above the hard floor waits for room as
/// before). The debt and collateral go, holding by holding, to
/// every other account holding the same collateral, in proportion to the units each holds (the
/// debt split across holdings by value). The collateral given away per unit of debt is `1 + b`
/// at the trusted price, `b` the bonus in force capped at `penalty_cap`; what is above stays
/// with the borrower. Nothing is sold and no lender loses: the loss of an insolvent position
/// falls on the holders of its collateral. Applied lazily (per-collateral accumulators; each
/// account takes its share the next time it is touched, and queries show it at once).
pub struct RedistributionParams {
    /// The most a redistribution charges the borrower on top of the debt it moves (the bonus in
    /// force counts up to it; 0 to 1; default 10%, Liquity v2's redistribution penalty).
    pub penalty_cap: Decimal,
    /// The lowest health factor a redistribution may leave the other holders of a collateral
    /// at, together (their summed liquidation value over their summed debt, with the move) and
    /// each one that is healthy now (the worst case, a holder of that collateral alone at HF
    /// 1); 0 to 10; default 0.8, the default hard floor. Below it the position is not
    /// redistributed (nor an auction shortfall) and is shed as without redistribution:
    /// holders left below the hard floor would go whole one after another. Keep it at or
    /// above `hard_floor_health_factor`.
    pub min_recipient_health: Decimal,
}
defaults {
    /// Whether the part of an auction shortfall the backstop cannot bear (its base, what the
    /// market owes it and its credit) is redistributed as debt to the other holders of the
    /// auction's collateral before reserves and suppliers (default on since `backstop_first`;
    /// JSON without the field reads as off). Without `backstop_first` it made waves: debt
    /// without collateral pushed the holders nearest 1 under together, and their auctions'
    /// shortfalls came back as more of it (docs/LAB.md).
    #[serde(default)]
    pub shortfalls: bool,
    /// Whether the backstop pays first (default on; JSON without the field, or a set-up stored
    /// before it, reads as off): a position is redistributed only when the backstop could not
    /// bear what it lacks, its debt less the value of its collateral at the trusted price,
    /// with its base, what the market owes it and its credit; whether or not its auctions fit
    /// the room. When it could, the position goes to auction (paced by the room below the hard
    /// floor) and the backstop pays the shortfall: redistribution is for when the backstop is
    /// exhausted, not for when the book is thin (docs/market.md "Redistribution").
    #[serde(default)]
    pub backstop_first: bool,
}
}

impl Default for RedistributionParams {
    fn default() -> Self {
        RedistributionParams {
            penalty_cap: Decimal::percent(10),
            min_recipient_health: Decimal::percent(80),
            shortfalls: true,
            backstop_first: true,
        }
    }
}

/// Transfer before sale: what happens to an account that needs only partial healing when the
/// liquidator has no room for a useful auction of it.
#[cw_serde]
#[derive(Copy, Default)]
pub enum WhenThrottled {
    /// Refuse (`LiquidationThrottled`): the account waits for auction room.
    #[default]
    Wait,
    /// The backstop pays the repay `R` and takes the collateral its discount justifies (a
    /// partial absorb); when it cannot, the account waits as with `wait`.
    Transfer,
}

crate::cw_serde_struct! {
/// Do not liquidate into a wick. While a holding's price is `Halted` or `NoQuorum` the account
/// is judged at the less punitive of median and TWAP, within two bounds: the TWAP counts for
/// at most `median · (1 + max_premium)`, and only for `max_wait` seconds after the status
/// began (then the median alone counts). An account liquidatable at the median but not at
/// that price waits (`LiquidationPaused`, naming when its wait ends at the latest). An
/// account liquidatable at both is transferred: the backstop may absorb a `Halted` holding
/// (the pool values it at the higher of median and TWAP, at least the market's bounded price),
/// so it is not kept on the account nor auctioned into the wick; a
/// forced auction stays the last resort below the hard floor when the pool cannot pay.
pub struct WickParams {
    /// The TWAP's largest advantage over the median (0 to 10; default 1: the TWAP counts for
    /// at most twice the median, a halving).
    pub max_premium: Decimal,
    /// Seconds a `Halted` or `NoQuorum` status earns the TWAP (60 s to 1 day; default 1,800).
    pub max_wait: u64,
}
defaults {
    /// `true` (the default): the TWAP's advantage over the median fades linearly over
    /// `max_wait`, so the accounts furthest under water at the median stop waiting first and
    /// a long halt ends without a wall of liquidations at once. `false` (and JSON without the
    /// field, or a set-up stored before the rule existed): the whole advantage counts until
    /// `max_wait`, then none.
    #[serde(default)]
    pub fade: bool,
}
}

impl Default for WickParams {
    fn default() -> Self {
        WickParams {
            max_premium: Decimal::one(),
            max_wait: 1_800,
            fade: true,
        }
    }
}

impl WickParams {
    /// Checks the documented ranges.
    pub fn validate(&self) -> Result<(), ParamError> {
        check_range(
            "wick.max_premium",
            self.max_premium,
            Decimal::zero(),
            Decimal::percent(1_000),
        )?;
        if !(60..=86_400).contains(&self.max_wait) {
            return Err(invalid("wick.max_wait", "must be 60 s to 1 day"));
        }
        Ok(())
    }
}

impl LiquidationParams {
    /// Checks every range documented on the fields.
    pub fn validate(&self) -> Result<(), ParamError> {
        if self.target_health_factor <= Decimal::one()
            || self.target_health_factor > Decimal::percent(200)
        {
            return Err(invalid("target_health_factor", "must be in (1, 2]"));
        }
        if self.hard_floor_health_factor.is_zero()
            || self.hard_floor_health_factor >= Decimal::one()
        {
            return Err(invalid("hard_floor_health_factor", "must be in (0, 1)"));
        }
        check_range(
            "keeper_chip",
            self.keeper_chip,
            Decimal::zero(),
            Decimal::percent(5),
        )?;
        check_range(
            "backstop_reserve_share",
            self.backstop_reserve_share,
            Decimal::zero(),
            Decimal::one(),
        )?;
        if let Some(r) = &self.risk_share {
            r.validate(self.backstop_reserve_share)?;
        }
        if let Some(w) = &self.wick {
            w.validate()?;
        }
        if let Some(r) = &self.redistribution {
            check_range(
                "redistribution.penalty_cap",
                r.penalty_cap,
                Decimal::zero(),
                Decimal::one(),
            )?;
            check_range(
                "redistribution.min_recipient_health",
                r.min_recipient_health,
                Decimal::zero(),
                Decimal::from_ratio(10u8, 1u8),
            )?;
        }
        if let Some(c) = self.backstop_credit {
            check_range("backstop_credit", c, Decimal::zero(), Decimal::one())?;
        }
        Ok(())
    }
}

impl LiquidationParams {
    /// `keeper_tip <= floor(min_debt · penalty)` for the smallest liquidation penalty among the
    /// listed collaterals: a keeper reward needs a tab of at least `min_debt`, so the flat tip
    /// never exceeds what the smallest rewarded liquidation puts at stake. Otherwise
    /// liquidating one's own dust-sized positions farms the tip out of free reserves.
    pub fn validate_keeper_tip(&self, smallest_penalty: Decimal) -> Result<(), ParamError> {
        let most = self
            .min_debt
            .checked_mul_floor(smallest_penalty)
            .unwrap_or(Uint128::MAX);
        if self.keeper_tip > most {
            return Err(invalid(
                "keeper_tip",
                format!(
                    "{} exceeds min_debt × the smallest liquidation_penalty ({most})",
                    self.keeper_tip
                ),
            ));
        }
        Ok(())
    }
}

impl Default for LiquidationParams {
    /// Target HF 1.05 (Mars); hard floor 0.8; dust $1,000 of a 6-decimal base (Aave v3.3);
    /// no flat tip and a 0.1% chip (Maker ETH-A), capped at $500; half the reserves to the
    /// backstop, rising to all of them with measured risk ([`RiskShareParams::default`]); no
    /// liquidation into a wick ([`WickParams::default`]); a throttled partial liquidation is
    /// transferred to the backstop ([`WhenThrottled::Transfer`]); redistribution with the
    /// recipients' floor at the hard floor and shortfalls not redistributed
    /// ([`RedistributionParams::default`]); the backstop's credit at half the value of the
    /// collateral it holds, for bad debt (not for absorbs); the hard floor paced by the room.
    fn default() -> Self {
        LiquidationParams {
            target_health_factor: Decimal::percent(105),
            hard_floor_health_factor: Decimal::percent(80),
            min_debt: Uint128::new(1_000_000_000),
            min_collateral_value: Uint128::new(1_000_000_000),
            keeper_tip: Uint128::zero(),
            keeper_chip: Decimal::permille(1),
            keeper_reward_cap: Uint128::new(500_000_000),
            backstop_reserve_share: Decimal::percent(50),
            risk_share: Some(RiskShareParams::default()),
            wick: Some(WickParams::default()),
            when_throttled: WhenThrottled::Transfer,
            redistribution: Some(RedistributionParams::default()),
            backstop_credit: Some(Decimal::percent(50)),
            absorb_on_credit: false,
            pace_hard_floor: true,
        }
    }
}

crate::cw_serde_struct! {
/// The contracts a market liquidates through.
pub struct LiquidationConfig {
    /// The Dutch-auction liquidator.
    pub liquidator: String,
    /// The backstop pool.
    pub backstop: String,
    /// May set the breaker level besides the owner.
    pub guardian: Option<String>,
    /// Liquidation parameters.
    pub params: LiquidationParams,
}
}

/// Circuit-breaker levels (Maker `stopped`): each includes the ones below.
pub mod breaker {
    /// Normal operation.
    pub const NORMAL: u8 = 0;
    /// No new borrows.
    pub const NO_BORROWS: u8 = 1;
    /// No new auctions (except accounts below the hard floor).
    pub const NO_AUCTIONS: u8 = 2;
    /// No bids on running auctions.
    pub const NO_BIDS: u8 = 3;
}

crate::cw_serde_struct! {
/// Instantiates a market.
pub struct InstantiateMsg {
    /// Owner; defaults to the sender.
    pub owner: Option<String>,
    /// The oracle contract pricing every collateral in base units.
    pub oracle: String,
    /// The borrowable base asset.
    pub base_denom: String,
    /// Market-wide parameters.
    pub params: MarketParams,
    /// Collaterals listed at instantiation.
    pub collaterals: Vec<CollateralParams>,
}
}

crate::cw_serde_struct! {
/// A change to a collateral's parameters; `None` leaves a field as it is.
#[derive(Default)]
pub struct CollateralUpdate {
    /// New loan-to-value for new borrows (applies at once: it never liquidates anyone).
    pub max_ltv: Option<Decimal>,
    /// New liquidation threshold, reached by a linear ramp over `threshold_ramp_duration`.
    pub liquidation_threshold: Option<Decimal>,
    /// New liquidation bonus.
    pub liquidation_penalty: Option<Decimal>,
    /// New supply cap.
    pub supply_cap: Option<Uint128>,
    /// New depth.
    pub depth: Option<Uint128>,
}
defaults {
    /// A new dynamic bonus. To go back to the fixed penalty, set `start = min =
    /// liquidation_penalty` and `slope = 0` (the bonus is then the penalty at every health).
    #[serde(default)]
    pub dynamic_bonus: Option<DynamicBonus>,
}
}

// Deserialized by `crate::variants`: one reader for every struct variant.
cw_serde_variants! {
/// Market execute messages.
// `SetLiquidation` carries every liquidation parameter; a message is built once per call, so
// its size costs nothing worth a box in every caller.
#[allow(clippy::large_enum_variant)]
pub enum ExecuteMsg {
    /// Lender: supply the base asset (attached as funds) for supply shares.
    Supply {},
    /// Lender: withdraw supplied base asset (all when `amount` is omitted).
    Withdraw {
        /// Base units to withdraw.
        amount: Option<Uint128>,
    },
    /// Borrower: deposit one collateral denom (attached as funds).
    DepositCollateral {
        /// Credit another account instead of the sender.
        on_behalf_of: Option<String>,
    },
    /// Borrower: withdraw collateral (all of `denom` when `amount` is omitted). Refused when
    /// it would leave debt above the borrow limit.
    WithdrawCollateral {
        /// The collateral denom.
        denom: String,
        /// Units to withdraw.
        amount: Option<Uint128>,
    },
    /// Borrower: borrow the base asset. Refused above the borrow limit.
    Borrow {
        /// Base units to borrow.
        amount: Uint128,
    },
    /// Repay debt with the attached base asset; any excess over the debt is refunded.
    Repay {
        /// Repay another account's debt instead of the sender's.
        on_behalf_of: Option<String>,
    },
    /// Keeper: liquidate an account whose health factor is below 1 (permissionless).
    Liquidate {
        /// The account to liquidate.
        borrower: String,
    },
    /// Anyone: accrue interest up to the current block.
    AccrueInterest {},
    /// Owner: list a collateral.
    AddCollateral(CollateralParams),
    /// Owner: change a collateral's parameters (thresholds ramp).
    UpdateCollateral {
        /// The collateral denom.
        denom: String,
        /// The changes.
        update: CollateralUpdate,
    },
    /// Owner: change market-wide parameters or the oracle.
    UpdateConfig {
        /// New oracle contract.
        oracle: Option<String>,
        /// New market-wide parameters.
        params: Option<MarketParams>,
    },
    /// Owner: set the liquidator, backstop, guardian and liquidation parameters.
    SetLiquidation(LiquidationConfig),
    /// Liquidator: proceeds of an auction (attached base) and, when its tab is covered, the
    /// leftover lot (attached collateral, credited back to `borrower`). A positive `shortfall`
    /// closes an auction whose lot ran out: the market covers it from the backstop, then (with
    /// redistribution on and `denom` given) redistributes it as debt to the other holders of
    /// `denom`, then reserves, and socializes the rest across suppliers.
    AuctionProceeds {
        /// The liquidated account.
        borrower: String,
        /// Tab left unpaid when the lot ran out, base units.
        shortfall: Uint128,
        /// The auction's collateral (absent from a liquidator that predates the field): with
        /// redistribution on, a shortfall the backstop cannot pay goes as debt to the other
        /// holders of it before reserves and suppliers (see [`RedistributionParams`]).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        denom: Option<String>,
    },
    /// Liquidator: reward the keeper who reset an auction, on the value the reset put back on
    /// sale.
    RewardKeeper {
        /// The keeper.
        keeper: String,
        /// `min(remaining tab, lot · oracle)`, base units: what the reset put back on sale.
        tab: Uint128,
    },
    /// Owner or guardian: set the circuit-breaker level (0 normal, 1 no new borrows, 2 no new
    /// auctions, 3 no bids).
    SetBreakerLevel {
        /// The level, 0 to 3.
        level: u8,
    },
    /// Anyone: raise the breaker to level 2 while the oracle reports `denom` halted.
    TripBreaker {
        /// A listed collateral.
        denom: String,
    },
    /// Anyone: pay the reserves earmarked for the backstop into its pool.
    SweepReserves {},
    /// Anyone (the backstop, from the base it receives): repay with the attached base what
    /// the market lent the backstop to cover bad debt (`backstop_debt`); what exceeds the debt
    /// is sent back.
    RepayBackstopDebt {},
    /// Anyone: book as bad debt (free reserves, then suppliers) the part of `backstop_debt`
    /// that the backstop's base and collateral no longer cover at the oracle (refused while
    /// they cover it, or while a price of its collateral is neither active nor halted).
    WriteDownBackstopDebt {},
    /// Anyone: walk the next `limit` accounts (default 30, at most 100) of the risk pass
    /// under way, starting one if none is; the pass that reaches the last account becomes the
    /// risk snapshot (see `breakwater_types::risk`).
    UpdateRisk {
        /// Accounts to walk.
        limit: Option<u32>,
    },
    /// Owner, then the proposed owner: two-step ownership transfer.
    Ownership(crate::ownership::OwnershipMsg),
}
}

// Deserialized by `crate::variants`.
cw_serde_variants! {
/// Market queries. Every figure is accrued to the current block.
#[derive(QueryResponses)]
pub enum QueryMsg {
    /// Owner, oracle, base denom and parameters.
    #[returns(ConfigResponse)]
    Config {},
    /// Totals, utilization, rates, reserves, indices.
    #[returns(StateResponse)]
    State {},
    /// One collateral's parameters, threshold in force and total deposits.
    #[returns(CollateralResponse)]
    Collateral {
        /// The collateral denom.
        denom: String,
    },
    /// Collaterals, paginated by denom.
    #[returns(CollateralsResponse)]
    Collaterals {
        /// Return denoms after this one.
        start_after: Option<String>,
        /// Page size (default 30, at most 100).
        limit: Option<u32>,
    },
    /// One account, fully priced.
    #[returns(AccountResponse)]
    Account {
        /// The account.
        address: String,
    },
    /// Accounts with their health factors, paginated by address (for keepers).
    #[returns(AccountsResponse)]
    Accounts {
        /// Return addresses after this one.
        start_after: Option<String>,
        /// Page size (default 30, at most 100).
        limit: Option<u32>,
    },
    /// The last risk snapshot, the backstop's coverage of the debt a fall would make
    /// liquidatable, and the backstop share in force.
    #[returns(crate::risk::RiskResponse)]
    Risk {},
    /// A lender's supply shares and their value.
    #[returns(SupplierResponse)]
    Supplier {
        /// The lender.
        address: String,
    },
}
}

/// Owner, oracle, base denom and parameters.
#[cw_serde]
pub struct ConfigResponse {
    /// The owner.
    pub owner: String,
    /// The proposed owner, if a transfer is pending.
    pub pending_owner: Option<String>,
    /// The oracle contract.
    pub oracle: String,
    /// The base asset.
    pub base_denom: String,
    /// Market-wide parameters.
    pub params: MarketParams,
    /// The liquidation set-up, once configured.
    pub liquidation: Option<LiquidationConfig>,
}

/// Market totals at the current block.
#[cw_serde]
pub struct StateResponse {
    /// Base units owed to lenders (supply shares × supply index, rounded down).
    pub total_supplied: Uint128,
    /// Base units owed by borrowers (debt shares × borrow index, rounded up).
    pub total_borrowed: Uint128,
    /// Base units held by the market.
    pub cash: Uint128,
    /// Reserves accumulated from interest, base units.
    pub reserves: Uint128,
    /// `total_borrowed / total_supplied`, clamped to 1.
    pub utilization: Decimal,
    /// Annual borrow rate now.
    pub borrow_rate: Decimal,
    /// Annual supply rate now.
    pub supply_rate: Decimal,
    /// Base units per supply share.
    pub supply_index: Decimal,
    /// Base units per debt share.
    pub borrow_index: Decimal,
    /// Supply shares outstanding.
    pub total_supply_shares: Uint128,
    /// Debt shares outstanding.
    pub total_debt_shares: Uint128,
    /// Last accrual, seconds since the epoch.
    pub last_accrued: u64,
    /// Debt handed to auctions and not yet settled, base units. The accounting identity is
    /// `cash + total_borrowed + debt_in_auction >= total_supplied + reserves + provision`.
    pub debt_in_auction: Uint128,
    /// Expected losses of running auctions (a tab above its lot's value), already booked
    /// through the bad-debt waterfall when the auction started and trued up when it settles,
    /// base units.
    pub provision: Uint128,
    /// Part of `reserves` earmarked for the backstop, paid by `SweepReserves`.
    pub backstop_due: Uint128,
    /// Bad debt paid by the backstop so far (shortfalls and absorb remainders), base units.
    pub bad_debt_covered_by_backstop: Uint128,
    /// Bad debt paid from reserves so far, base units.
    pub bad_debt_covered_by_reserves: Uint128,
    /// Bad debt socialized across suppliers so far (supply-index haircuts), base units.
    pub bad_debt_socialized: Uint128,
    /// Circuit-breaker level (0 normal, 1 no borrows, 2 no auctions, 3 no bids).
    pub breaker_level: u8,
    /// Debt redistributed to other borrowers so far (see [`RedistributionParams`]), base units
    /// at the time of each redistribution.
    #[serde(default)]
    pub debt_redistributed: Uint128,
    /// What the market lent the backstop to cover bad debt and the pool has not repaid, base
    /// units (see [`LiquidationParams::backstop_credit`]); counted with the market's assets:
    /// `cash + total_borrowed + debt_in_auction + backstop_debt >= total_supplied + reserves +
    /// provision`.
    #[serde(default)]
    pub backstop_debt: Uint128,
}

/// One collateral's configuration and totals.
#[cw_serde]
pub struct CollateralResponse {
    /// Parameters; `liquidation_threshold` is the ramp's target.
    pub params: CollateralParams,
    /// The liquidation threshold in force now.
    pub liquidation_threshold_now: Decimal,
    /// The threshold ramp (constant when no change is under way).
    pub threshold_ramp: Ramp,
    /// Units held for accounts: their holdings and what was redistributed to them and not
    /// yet taken.
    pub total_deposited: Uint128,
    /// The collateral's redistribution accumulators, once a position holding it was
    /// redistributed.
    #[serde(default)]
    pub redistribution: Option<Redistribution>,
}

crate::cw_serde_struct! {
/// What was redistributed of one collateral (see [`RedistributionParams`]), applied lazily.
/// A holder of `a` units whose snapshot is `(c0, d0)` is owed `floor(a · (coll_per_stake −
/// c0) / 10^18)` units and `ceil(a · (debt_per_stake − d0) / 10^18)` debt shares (each capped
/// by what is left), taken the next time its account is touched; queries show them already.
/// Each redistribution of `u` units and `s` shares over the other holders' `T` units adds
/// `floor((u·10^18 + coll_error) / T)` to `coll_per_stake` and keeps the remainder in
/// `coll_error` (the same for the debt), so nothing is lost to rounding: it goes with the next.
#[derive(Default)]
pub struct Redistribution {
    /// Collateral units per unit held, scaled by 10^18, since the first redistribution.
    pub coll_per_stake: Uint256,
    /// Debt shares per unit held, scaled by 10^18.
    pub debt_per_stake: Uint256,
    /// Units redistributed and not yet taken by an account (inside `total_deposited`).
    pub coll_left: Uint128,
    /// Debt shares redistributed and not yet taken (inside `total_debt_shares`).
    pub debt_left: Uint128,
    /// Scaled units not yet distributed (less than one unit per unit held).
    pub coll_error: Uint256,
    /// Scaled debt shares not yet distributed.
    pub debt_error: Uint256,
}
}

/// A page of collaterals.
#[cw_serde]
pub struct CollateralsResponse {
    /// Collaterals in denom order.
    pub collaterals: Vec<CollateralResponse>,
}

/// One collateral holding of an account, priced.
#[cw_serde]
pub struct CollateralPosition {
    /// The collateral denom.
    pub denom: String,
    /// Units held.
    pub amount: Uint128,
    /// Oracle median used for solvency.
    pub price: Decimal,
    /// `min(median, TWAP)` used for borrow power.
    pub borrow_price: Decimal,
    /// `amount · price`, base units, rounded down.
    pub value: Uint128,
    /// Liquidation threshold in force now.
    pub liquidation_threshold: Decimal,
    /// Effective LTV for new borrows (after volatility scaling).
    pub effective_ltv: Decimal,
    /// The oracle's status for this asset.
    pub oracle_status: OracleStatus,
}

/// One account, fully priced.
#[cw_serde]
pub struct AccountResponse {
    /// The account.
    pub address: String,
    /// Collateral holdings in denom order.
    pub collaterals: Vec<CollateralPosition>,
    /// Debt in base units (rounded up).
    pub debt: Uint128,
    /// Debt shares held.
    pub debt_shares: Uint128,
    /// `Σ value · LT / debt`; `None` without debt.
    pub health_factor: Option<Decimal>,
    /// The most debt a borrow or withdrawal may leave, base units.
    pub borrow_limit: Uint128,
    /// `Σ value · LT`, base units: the debt at which the account becomes liquidatable.
    pub liquidation_value: Uint128,
    /// `Σ value`, base units.
    pub collateral_value: Uint128,
}

/// An account's health in one line, for keepers scanning the book.
#[cw_serde]
pub struct AccountSummary {
    /// The account.
    pub address: String,
    /// Debt in base units.
    pub debt: Uint128,
    /// `Σ value`, base units, at the median.
    pub collateral_value: Uint128,
    /// `Σ value · LT / debt`; `None` without debt.
    pub health_factor: Option<Decimal>,
}

/// A page of accounts.
#[cw_serde]
pub struct AccountsResponse {
    /// Accounts in address order.
    pub accounts: Vec<AccountSummary>,
}

/// A lender's position.
#[cw_serde]
pub struct SupplierResponse {
    /// The lender.
    pub address: String,
    /// Supply shares held.
    pub shares: Uint128,
    /// Their value in base units (rounded down).
    pub assets: Uint128,
}

/// The fields of [`ExecuteMsg`]'s struct variants (each variant uses some of them).
#[derive(Default)]
pub(crate) struct ExecuteBody {
    text: Option<String>,
    amount: Option<Uint128>,
    update: Option<CollateralUpdate>,
    params: Option<MarketParams>,
    level: Option<u8>,
    limit: Option<u32>,
    denom: Option<String>,
}

impl crate::variants::Variants for ExecuteMsg {
    const NAME: &'static str = "ExecuteMsg";
    const VARIANTS: &'static [&'static str] = &[
        "supply",
        "withdraw",
        "deposit_collateral",
        "withdraw_collateral",
        "borrow",
        "repay",
        "liquidate",
        "accrue_interest",
        "add_collateral",
        "update_collateral",
        "update_config",
        "set_liquidation",
        "auction_proceeds",
        "reward_keeper",
        "set_breaker_level",
        "trip_breaker",
        "sweep_reserves",
        "repay_backstop_debt",
        "write_down_backstop_debt",
        "update_risk",
        "ownership",
    ];
    type Body = ExecuteBody;

    fn fields(variant: &str) -> Option<&'static [&'static str]> {
        Some(match variant {
            "withdraw" => &["amount"],
            "deposit_collateral" | "repay" => &["on_behalf_of"],
            "withdraw_collateral" => &["denom", "amount"],
            "borrow" => &["amount"],
            "liquidate" => &["borrower"],
            "update_collateral" => &["denom", "update"],
            "update_config" => &["oracle", "params"],
            "auction_proceeds" => &["borrower", "shortfall", "denom"],
            "reward_keeper" => &["keeper", "tab"],
            "set_breaker_level" => &["level"],
            "trip_breaker" => &["denom"],
            "update_risk" => &["limit"],
            "add_collateral" | "set_liquidation" | "ownership" => return None,
            _ => &[],
        })
    }

    fn newtype<'de, A: serde::de::VariantAccess<'de>>(
        variant: &str,
        access: A,
    ) -> Result<Self, A::Error> {
        match variant {
            "add_collateral" => access.newtype_variant().map(ExecuteMsg::AddCollateral),
            "set_liquidation" => access.newtype_variant().map(ExecuteMsg::SetLiquidation),
            "ownership" => access.newtype_variant().map(ExecuteMsg::Ownership),
            _ => Err(crate::variants::unexpected(variant, "")),
        }
    }

    fn read<'de, A: serde::de::MapAccess<'de>>(
        variant: &str,
        field: &str,
        map: &mut A,
        b: &mut ExecuteBody,
    ) -> Result<(), A::Error> {
        match (variant, field) {
            ("withdraw" | "withdraw_collateral", "amount") => b.amount = map.next_value()?,
            (_, "on_behalf_of" | "oracle") => b.text = map.next_value()?,
            ("auction_proceeds", "denom") => b.denom = map.next_value()?,
            (_, "denom" | "borrower" | "keeper") => b.text = Some(map.next_value()?),
            (_, "amount" | "shortfall" | "tab") => b.amount = Some(map.next_value()?),
            (_, "update") => b.update = Some(map.next_value()?),
            (_, "params") => b.params = map.next_value()?,
            (_, "level") => b.level = Some(map.next_value()?),
            (_, "limit") => b.limit = map.next_value()?,
            _ => return Err(crate::variants::unexpected(variant, field)),
        }
        Ok(())
    }

    fn build<E: serde::de::Error>(variant: &str, b: ExecuteBody) -> Result<Self, E> {
        use crate::variants::required;
        Ok(match variant {
            "supply" => ExecuteMsg::Supply {},
            "withdraw" => ExecuteMsg::Withdraw { amount: b.amount },
            "deposit_collateral" => ExecuteMsg::DepositCollateral {
                on_behalf_of: b.text,
            },
            "withdraw_collateral" => ExecuteMsg::WithdrawCollateral {
                denom: required(b.text, "denom")?,
                amount: b.amount,
            },
            "borrow" => ExecuteMsg::Borrow {
                amount: required(b.amount, "amount")?,
            },
            "repay" => ExecuteMsg::Repay {
                on_behalf_of: b.text,
            },
            "liquidate" => ExecuteMsg::Liquidate {
                borrower: required(b.text, "borrower")?,
            },
            "accrue_interest" => ExecuteMsg::AccrueInterest {},
            "update_collateral" => ExecuteMsg::UpdateCollateral {
                denom: required(b.text, "denom")?,
                update: required(b.update, "update")?,
            },
            "update_config" => ExecuteMsg::UpdateConfig {
                oracle: b.text,
                params: b.params,
            },
            "auction_proceeds" => ExecuteMsg::AuctionProceeds {
                borrower: required(b.text, "borrower")?,
                shortfall: required(b.amount, "shortfall")?,
                denom: b.denom,
            },
            "reward_keeper" => ExecuteMsg::RewardKeeper {
                keeper: required(b.text, "keeper")?,
                tab: required(b.amount, "tab")?,
            },
            "set_breaker_level" => ExecuteMsg::SetBreakerLevel {
                level: required(b.level, "level")?,
            },
            "trip_breaker" => ExecuteMsg::TripBreaker {
                denom: required(b.text, "denom")?,
            },
            "sweep_reserves" => ExecuteMsg::SweepReserves {},
            "repay_backstop_debt" => ExecuteMsg::RepayBackstopDebt {},
            "write_down_backstop_debt" => ExecuteMsg::WriteDownBackstopDebt {},
            "update_risk" => ExecuteMsg::UpdateRisk { limit: b.limit },
            _ => return Err(crate::variants::unexpected(variant, "")),
        })
    }
}

/// The fields of [`QueryMsg`]'s struct variants.
#[derive(Default)]
pub(crate) struct QueryBody {
    text: Option<String>,
    limit: Option<u32>,
}

impl crate::variants::Variants for QueryMsg {
    const NAME: &'static str = "QueryMsg";
    const VARIANTS: &'static [&'static str] = &[
        "config",
        "state",
        "collateral",
        "collaterals",
        "account",
        "accounts",
        "risk",
        "supplier",
    ];
    type Body = QueryBody;

    fn fields(variant: &str) -> Option<&'static [&'static str]> {
        Some(match variant {
            "collateral" => &["denom"],
            "account" | "supplier" => &["address"],
            "collaterals" | "accounts" => &["start_after", "limit"],
            _ => &[],
        })
    }

    fn read<'de, A: serde::de::MapAccess<'de>>(
        variant: &str,
        field: &str,
        map: &mut A,
        b: &mut QueryBody,
    ) -> Result<(), A::Error> {
        match field {
            "denom" | "address" => b.text = Some(map.next_value()?),
            "start_after" => b.text = map.next_value()?,
            "limit" => b.limit = map.next_value()?,
            _ => return Err(crate::variants::unexpected(variant, field)),
        }
        Ok(())
    }

    fn build<E: serde::de::Error>(variant: &str, b: QueryBody) -> Result<Self, E> {
        use crate::variants::required;
        Ok(match variant {
            "config" => QueryMsg::Config {},
            "state" => QueryMsg::State {},
            "collateral" => QueryMsg::Collateral {
                denom: required(b.text, "denom")?,
            },
            "collaterals" => QueryMsg::Collaterals {
                start_after: b.text,
                limit: b.limit,
            },
            "account" => QueryMsg::Account {
                address: required(b.text, "address")?,
            },
            "accounts" => QueryMsg::Accounts {
                start_after: b.text,
                limit: b.limit,
            },
            "risk" => QueryMsg::Risk {},
            "supplier" => QueryMsg::Supplier {
                address: required(b.text, "address")?,
            },
            _ => return Err(crate::variants::unexpected(variant, "")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn atom() -> CollateralParams {
        CollateralParams {
            denom: "uatom".into(),
            max_ltv: Decimal::percent(68),
            liquidation_threshold: Decimal::percent(70),
            liquidation_penalty: Decimal::percent(5),
            supply_cap: Uint128::new(1_000_000),
            depth: Uint128::new(1_000_000),
            dynamic_bonus: None,
        }
    }

    #[test]
    fn collateral_params_enforce_ltv_below_threshold_and_a_penalty_that_can_heal() {
        assert!(atom().validate().is_ok());
        let mut c = atom();
        c.max_ltv = Decimal::percent(70);
        assert!(c.validate().is_err());
        let mut c = atom();
        c.liquidation_threshold = Decimal::percent(95);
        c.max_ltv = Decimal::percent(90);
        c.liquidation_penalty = Decimal::percent(6);
        assert!(c.validate().is_err(), "0.95 * 1.06 >= 1");
        let mut c = atom();
        c.depth = Uint128::zero();
        assert!(c.validate().is_err());
    }

    #[test]
    fn the_keeper_tip_is_at_most_min_debt_times_the_smallest_penalty() {
        let p = LiquidationParams {
            min_debt: Uint128::new(1_000_000),
            keeper_tip: Uint128::new(50_000),
            ..LiquidationParams::default()
        };
        assert!(p.validate_keeper_tip(Decimal::percent(5)).is_ok());
        assert!(p.validate_keeper_tip(Decimal::permille(49)).is_err());
        // A zero penalty allows no tip at all; the default (no tip) is always valid.
        assert!(p.validate_keeper_tip(Decimal::zero()).is_err());
        let d = LiquidationParams::default();
        assert!(d.validate_keeper_tip(Decimal::zero()).is_ok());
    }

    #[test]
    fn default_market_params_are_valid() {
        assert!(MarketParams::default().validate().is_ok());
        let p = MarketParams {
            reserve_factor: Decimal::percent(60),
            ..MarketParams::default()
        };
        assert!(p.validate().is_err());
        let p = MarketParams {
            threshold_ramp_duration: 10,
            ..MarketParams::default()
        };
        assert!(p.validate().is_err());
    }
}
