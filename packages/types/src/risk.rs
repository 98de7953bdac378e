//! A backstop sized to the risk (issue 14): the market measures, with a permissionless crank,
//! how much debt a fall of each collateral's price would make liquidatable, compares it with
//! the backstop pool and with the market depth the oracle measures, and raises the share of
//! new reserves it earmarks for the pool while that risk is high.
//!
//! ```text
//! liquidatable_c(f) = Σ debt of the accounts holding c that are liquidatable, at the current
//!                     median prices, once c's price falls by f (other prices fixed),
//!                     f ∈ FALLS = {5, 10, 20, 30}%: liquidation_value − f · value_c · LT_c < debt
//! wall_c            = liquidatable_c(5%) / 5           debt liquidatable per 1% fall at the start
//! spiral_c          = wall_c · (1 + penalty_c) / depth_c
//!                     depth_c = min(owner depth, oracle-measured depth while fresh)
//! spiral            = max_c spiral_c   (≥ 1: the collateral liquidations of a 1% fall push the
//!                                       price down by 1% or more — a liquidation spiral)
//! exposure          = max_c liquidatable_c(20%) / backstop pool value
//!
//! intensity = max( ramp(utilization; kink, 1),
//!                  ramp(spiral; spiral_start, spiral_full),        while the snapshot is fresh
//!                  ramp(exposure; exposure_start, exposure_full) ) while the snapshot is fresh
//! share     = base + (max_share − base) · intensity
//! ramp(x; a, b) = 0 below a, 1 from b, linear between
//! ```
use crate::error::{check_range, invalid, ParamError};
use crate::market::LiquidationParams;
use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Decimal, Uint128};

/// The price falls, in percent, at which the crank counts the debt that becomes liquidatable.
pub const FALLS: [u64; 4] = [5, 10, 20, 30];
/// The index in [`FALLS`] of the fall whose liquidatable debt the exposure compares with the
/// pool (20%).
pub const EXPOSURE_FALL: usize = 2;
/// The liquidation wall is measured over the first fall of [`FALLS`] (5%), per 1%.
pub const WALL_FALL: usize = 0;

crate::cw_serde_struct! {
/// How the share of new reserves earmarked for the backstop follows the measured risk.
pub struct RiskShareParams {
    /// The share of new reserves earmarked for the backstop at the highest risk (at least
    /// `backstop_reserve_share`, at most 1).
    pub max_share: Decimal,
    /// The spiral index at which the share starts to rise (>= 0).
    pub spiral_start: Decimal,
    /// The spiral index at which the share reaches `max_share` (> `spiral_start`).
    pub spiral_full: Decimal,
    /// The exposure (debt liquidatable at a 20% fall / pool value) at which the share starts
    /// to rise.
    pub exposure_start: Decimal,
    /// The exposure at which the share reaches `max_share` (> `exposure_start`).
    pub exposure_full: Decimal,
    /// Seconds a risk snapshot counts after its pass started (1 minute to 30 days); an older
    /// snapshot is ignored (the utilization signal still applies) and a pass running longer
    /// starts over.
    pub max_age: u64,
}
}

impl Default for RiskShareParams {
    /// Everything to the backstop at the highest risk; the share rises from a spiral index of
    /// 0.5 to 1 (at 1 the liquidations of a 1% fall move the price by 1%) and from an exposure
    /// of 1 (the pool can absorb everything a 20% fall makes liquidatable) to 4; a snapshot
    /// counts for a day.
    fn default() -> Self {
        RiskShareParams {
            max_share: Decimal::one(),
            spiral_start: Decimal::percent(50),
            spiral_full: Decimal::one(),
            exposure_start: Decimal::one(),
            exposure_full: Decimal::percent(400),
            max_age: 86_400,
        }
    }
}

impl RiskShareParams {
    /// Checks every range documented on the fields, `base` being `backstop_reserve_share`.
    pub fn validate(&self, base: Decimal) -> Result<(), ParamError> {
        check_range("max_share", self.max_share, base, Decimal::one())?;
        if self.spiral_full <= self.spiral_start {
            return Err(invalid("spiral_full", "must exceed spiral_start"));
        }
        if self.exposure_full <= self.exposure_start {
            return Err(invalid("exposure_full", "must exceed exposure_start"));
        }
        check_range("max_age", self.max_age, 60, 30 * 86_400)
    }

    /// The share of new reserves earmarked for the backstop: `base` raised towards
    /// `max_share` by the strongest risk signal (see the module docs). `signal` counts only
    /// while `now − measured_at <= max_age`.
    pub fn share(
        &self,
        base: Decimal,
        utilization: Decimal,
        kink: Decimal,
        signal: Option<&RiskSignal>,
        now: u64,
    ) -> Decimal {
        if self.max_share <= base {
            return base;
        }
        let mut intensity = ramp(utilization, kink, Decimal::one());
        if let Some(s) = signal.filter(|s| self.is_fresh(s.measured_at, now)) {
            intensity = intensity.max(ramp(s.spiral_index, self.spiral_start, self.spiral_full));
            if let Some(e) = s.exposure {
                intensity = intensity.max(ramp(e, self.exposure_start, self.exposure_full));
            }
        }
        base + (self.max_share - base) * intensity
    }

    /// Whether a snapshot measured at `measured_at` still counts at `now`.
    pub fn is_fresh(&self, measured_at: u64, now: u64) -> bool {
        now.saturating_sub(measured_at) <= self.max_age
    }
}

impl LiquidationParams {
    /// The share of new reserves earmarked for the backstop at `utilization` (with the rate
    /// curve's `kink`) and the last risk `signal`: `backstop_reserve_share` without a
    /// `risk_share` rule.
    pub fn backstop_share(
        &self,
        utilization: Decimal,
        kink: Decimal,
        signal: Option<&RiskSignal>,
        now: u64,
    ) -> Decimal {
        match &self.risk_share {
            Some(r) => r.share(self.backstop_reserve_share, utilization, kink, signal, now),
            None => self.backstop_reserve_share,
        }
    }
}

/// 0 at or below `start`, 1 at or above `full`, linear between.
pub fn ramp(x: Decimal, start: Decimal, full: Decimal) -> Decimal {
    if x <= start {
        Decimal::zero()
    } else if x >= full {
        Decimal::one()
    } else {
        // start < x < full, so the ratio is below 1 and the subtractions cannot underflow.
        Decimal::checked_from_ratio((x - start).atomics(), (full - start).atomics())
            .unwrap_or(Decimal::one())
    }
}

crate::cw_serde_struct! {
/// The part of the last complete risk snapshot the interest accrual uses.
pub struct RiskSignal {
    /// When the pass that measured it started, seconds since the epoch.
    pub measured_at: u64,
    /// The largest spiral index among the collaterals.
    pub spiral_index: Decimal,
    /// The largest debt liquidatable at a 20% fall over the pool's value (`Decimal::MAX` when
    /// the pool is empty and some debt is); `None` when the pool could not be valued.
    pub exposure: Option<Decimal>,
}
}

/// `wall · (1 + penalty) / depth`: how far, in percent, the liquidations that a 1% fall
/// triggers would push the price if sold into a book of `depth` per 1% (saturating; `depth`
/// zero counts as infinite risk).
pub fn spiral_index(wall: Uint128, penalty: Decimal, depth: Uint128) -> Decimal {
    let sold = wall
        .checked_mul_ceil(Decimal::one() + penalty)
        .unwrap_or(Uint128::MAX);
    ratio_or_max(sold, depth)
}

/// `num / den`, `Decimal::MAX` when it overflows or `den` is zero and `num` is not, zero when
/// both are.
pub fn ratio_or_max(num: Uint128, den: Uint128) -> Decimal {
    if num.is_zero() {
        return Decimal::zero();
    }
    Decimal::checked_from_ratio(num, den).unwrap_or(Decimal::MAX)
}

/// `Risk {}`: the last complete risk snapshot, the pass under way and the backstop share in
/// force.
#[cw_serde]
pub struct RiskResponse {
    /// The last complete pass of `UpdateRisk`.
    pub snapshot: Option<RiskSnapshot>,
    /// The pass under way, if any.
    pub pass: Option<RiskPassProgress>,
    /// The backstop pool's value now (its `Pool {}` total value), when it can be read.
    pub backstop_value: Option<Uint128>,
    /// Utilization now.
    pub utilization: Decimal,
    /// `backstop_reserve_share`, the share at no risk.
    pub base_share: Decimal,
    /// The share of new reserves earmarked for the backstop now.
    pub backstop_share: Decimal,
}

/// A complete risk snapshot.
#[cw_serde]
pub struct RiskSnapshot {
    /// When its pass started (its oldest reading), seconds since the epoch.
    pub measured_at: u64,
    /// When its pass completed.
    pub completed_at: u64,
    /// Whether it still counts for the backstop share (`max_age`).
    pub fresh: bool,
    /// Accounts with debt it walked.
    pub accounts: u32,
    /// Their debt, base units.
    pub total_debt: Uint128,
    /// Debt of the accounts liquidatable at the prices of the pass, base units.
    pub liquidatable_now: Uint128,
    /// Per collateral held by an indebted account, in denom order.
    pub collaterals: Vec<CollateralRisk>,
    /// The largest spiral index.
    pub spiral_index: Decimal,
    /// The largest debt liquidatable at a 20% fall over the pool value of the pass's end.
    pub exposure: Option<Decimal>,
}

/// The risk one collateral carries.
#[cw_serde]
pub struct CollateralRisk {
    /// The collateral denom.
    pub denom: String,
    /// Debt liquidatable at each fall of [`FALLS`], with the pool's coverage of it.
    pub falls: Vec<FallRisk>,
    /// Debt liquidatable per 1% fall at the start (over the first 5%), base units.
    pub wall: Uint128,
    /// The depth compared with it (base value per 1% move).
    pub depth: Uint128,
    /// Whether `depth` is the oracle's measured depth (otherwise the owner's ceiling).
    pub depth_measured: bool,
    /// `wall · (1 + penalty) / depth`.
    pub spiral_index: Decimal,
}

/// The debt a fall makes liquidatable and the pool's coverage of it.
#[cw_serde]
pub struct FallRisk {
    /// The fall, in percent.
    pub fall: u64,
    /// Debt liquidatable at that fall, base units.
    pub liquidatable: Uint128,
    /// `backstop_value / liquidatable`; `None` when nothing is liquidatable or the pool
    /// cannot be valued.
    pub coverage: Option<Decimal>,
}

/// The pass of `UpdateRisk` under way.
#[cw_serde]
pub struct RiskPassProgress {
    /// When it started.
    pub started_at: u64,
    /// Accounts walked so far (with or without debt).
    pub walked: u32,
    /// The last account walked.
    pub cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn signal(spiral: &str, exposure: Option<&str>, at: u64) -> RiskSignal {
        RiskSignal {
            measured_at: at,
            spiral_index: d(spiral),
            exposure: exposure.map(d),
        }
    }

    #[test]
    fn ramp_is_zero_below_start_one_from_full_and_linear_between() {
        assert_eq!(ramp(d("0.4"), d("0.5"), d("1")), Decimal::zero());
        assert_eq!(ramp(d("0.75"), d("0.5"), d("1")), d("0.5"));
        assert_eq!(ramp(d("3"), d("0.5"), d("1")), Decimal::one());
        assert_eq!(ramp(d("1"), d("1"), d("1")), Decimal::zero());
    }

    #[test]
    fn the_share_follows_the_strongest_fresh_signal() {
        let p = RiskShareParams::default();
        let base = d("0.5");
        let kink = d("0.8");
        // Calm: the base share.
        assert_eq!(p.share(base, d("0.5"), kink, None, 0), base);
        // Utilization halfway between the kink and 1: halfway to max_share.
        assert_eq!(p.share(base, d("0.9"), kink, None, 0), d("0.75"));
        // A spiral index of 0.75 is halfway between 0.5 and 1.
        let s = signal("0.75", Some("0.5"), 100);
        assert_eq!(p.share(base, d("0.5"), kink, Some(&s), 100), d("0.75"));
        // Exposure 2.5 is halfway between 1 and 4; the strongest signal wins.
        let s = signal("0.6", Some("2.5"), 100);
        assert_eq!(p.share(base, d("0.5"), kink, Some(&s), 100), d("0.75"));
        let s = signal("0", Some("9"), 100);
        assert_eq!(p.share(base, d("0.5"), kink, Some(&s), 100), Decimal::one());
        // A stale snapshot no longer counts; utilization still does.
        let late = 100 + p.max_age + 1;
        assert_eq!(p.share(base, d("0.5"), kink, Some(&s), late), base);
        assert_eq!(p.share(base, d("0.9"), kink, Some(&s), late), d("0.75"));
    }

    #[test]
    fn a_max_share_at_the_base_switches_the_rule_off() {
        let p = RiskShareParams {
            max_share: d("0.5"),
            ..RiskShareParams::default()
        };
        let s = signal("9", Some("9"), 0);
        assert_eq!(
            p.share(d("0.5"), Decimal::one(), d("0.8"), Some(&s), 0),
            d("0.5")
        );
        assert!(p.validate(d("0.5")).is_ok());
        assert!(p.validate(d("0.6")).is_err(), "max_share below the base");
    }

    #[test]
    fn the_spiral_index_compares_the_wall_with_the_depth() {
        // 1,000 liquidatable per 1% with a 5% penalty sold into 2,100 per 1%: 0.5.
        assert_eq!(
            spiral_index(Uint128::new(1_000), d("0.05"), Uint128::new(2_100)),
            d("0.5")
        );
        assert_eq!(
            spiral_index(Uint128::new(1), Decimal::zero(), Uint128::zero()),
            Decimal::MAX
        );
        assert_eq!(
            spiral_index(Uint128::zero(), Decimal::zero(), Uint128::zero()),
            Decimal::zero()
        );
    }

    #[test]
    fn default_params_are_valid_and_ranges_are_checked() {
        assert!(RiskShareParams::default().validate(d("0.5")).is_ok());
        let p = RiskShareParams {
            spiral_full: d("0.5"),
            ..RiskShareParams::default()
        };
        assert!(p.validate(d("0.5")).is_err());
        let p = RiskShareParams {
            max_age: 10,
            ..RiskShareParams::default()
        };
        assert!(p.validate(d("0.5")).is_err());
    }
}
