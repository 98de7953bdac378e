//! Kinked utilization interest curve and index growth.
use crate::error::{check_range, invalid, ParamError};
use crate::SECONDS_PER_YEAR;
use cosmwasm_std::{Decimal, StdResult, Uint128};

crate::cw_serde_struct! {
/// The borrow rate as a kinked (two-slope) function of utilization, all rates annual.
///
/// ```text
/// rate(U) = base + slope1 · U / U*                          if U <= U*
/// rate(U) = base + slope1 + slope2 · (U − U*) / (1 − U*)    if U >  U*
/// ```
/// where `U*` is `optimal_utilization`. The steep second slope makes leverage expensive as the
/// pool runs dry, which pushes borrowers to repay and lenders to supply.
pub struct InterestRateModel {
    /// Annual borrow rate at zero utilization.
    pub base_rate: Decimal,
    /// The kink `U*`, strictly between 0 and 1.
    pub optimal_utilization: Decimal,
    /// Annual rate added between zero and optimal utilization.
    pub slope1: Decimal,
    /// Annual rate added between optimal and full utilization.
    pub slope2: Decimal,
}
}

impl InterestRateModel {
    /// Checks ranges: `0 < U* < 1`, every rate at most 1000%/year.
    pub fn validate(&self) -> Result<(), ParamError> {
        let max_rate = Decimal::percent(1000);
        check_range("base_rate", self.base_rate, Decimal::zero(), max_rate)?;
        check_range("slope1", self.slope1, Decimal::zero(), max_rate)?;
        check_range("slope2", self.slope2, Decimal::zero(), max_rate)?;
        if self.optimal_utilization.is_zero() || self.optimal_utilization >= Decimal::one() {
            return Err(invalid(
                "optimal_utilization",
                format!(
                    "{} must be strictly between 0 and 1",
                    self.optimal_utilization
                ),
            ));
        }
        Ok(())
    }

    /// The annual borrow rate at utilization `u` (clamped to `[0, 1]`), rounded down.
    pub fn borrow_rate(&self, u: Decimal) -> StdResult<Decimal> {
        let u = u.min(Decimal::one());
        let opt = self.optimal_utilization;
        if u <= opt {
            Ok(self
                .base_rate
                .checked_add(self.slope1.checked_mul(u)? / opt)?)
        } else {
            let excess = (u - opt) / (Decimal::one() - opt);
            Ok(self
                .base_rate
                .checked_add(self.slope1)?
                .checked_add(self.slope2.checked_mul(excess)?)?)
        }
    }
}

/// Utilization `U = borrowed / supplied`, clamped to `[0, 1]`; zero when nothing is supplied.
pub fn utilization(borrowed: Uint128, supplied: Uint128) -> Decimal {
    if supplied.is_zero() {
        return Decimal::zero();
    }
    Decimal::checked_from_ratio(borrowed, supplied)
        .unwrap_or(Decimal::one())
        .min(Decimal::one())
}

/// Annual supply rate: `borrow_rate · U · (1 − reserve_factor)`, rounded down.
pub fn supply_rate(
    borrow_rate: Decimal,
    u: Decimal,
    reserve_factor: Decimal,
) -> StdResult<Decimal> {
    Ok(borrow_rate
        .checked_mul(u)?
        .checked_mul(Decimal::one() - reserve_factor.min(Decimal::one()))?)
}

/// Grows an index by simple interest over `dt` seconds at annual `rate`:
///
/// ```text
/// index' = index · (1 + rate · dt / YEAR)
/// ```
/// Applied at every accrual, this compounds per accrual (lazily, per touched block). Rounded up:
/// used for the borrow index, what borrowers owe never rounds in their favour.
pub fn grow_index(index: Decimal, rate: Decimal, dt: u64) -> StdResult<Decimal> {
    if dt == 0 || rate.is_zero() {
        return Ok(index);
    }
    let factor = rate
        .checked_mul(Decimal::from_ratio(dt, 1u64))?
        .checked_div(Decimal::from_ratio(SECONDS_PER_YEAR, 1u64))?;
    let grown = index.checked_mul(Decimal::one().checked_add(factor)?)?;
    // Decimal multiplication truncates; add one atom when the product was inexact so the index
    // never lags the true value.
    let exact_back = grown.checked_div(Decimal::one().checked_add(factor)?);
    match exact_back {
        Ok(back) if back == index => Ok(grown),
        _ => Ok(grown.checked_add(Decimal::new(Uint128::new(1)))?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::reference::{close, d, f};

    fn model() -> InterestRateModel {
        InterestRateModel {
            base_rate: d("0.01"),
            optimal_utilization: d("0.8"),
            slope1: d("0.04"),
            slope2: d("0.75"),
        }
    }

    fn rate_f64(u: f64) -> f64 {
        if u <= 0.8 {
            0.01 + 0.04 * u / 0.8
        } else {
            0.01 + 0.04 + 0.75 * (u - 0.8) / 0.2
        }
    }

    #[test]
    fn borrow_rate_follows_the_kinked_curve() {
        let m = model();
        assert_eq!(m.borrow_rate(d("0")).unwrap(), d("0.01"));
        assert_eq!(m.borrow_rate(d("0.4")).unwrap(), d("0.03"));
        assert_eq!(m.borrow_rate(d("0.8")).unwrap(), d("0.05"));
        assert_eq!(m.borrow_rate(d("0.9")).unwrap(), d("0.425"));
        assert_eq!(m.borrow_rate(d("1")).unwrap(), d("0.8"));
        // Above 100% is clamped.
        assert_eq!(m.borrow_rate(d("1.5")).unwrap(), d("0.8"));
        for i in 0..=100u64 {
            let u = Decimal::percent(i);
            assert!(close(
                f(m.borrow_rate(u).unwrap()),
                rate_f64(i as f64 / 100.0),
                1e-12
            ));
        }
    }

    #[test]
    fn rate_is_monotonic_in_utilization() {
        let m = model();
        let mut last = Decimal::zero();
        for i in 0..=1000u64 {
            let r = m.borrow_rate(Decimal::permille(i)).unwrap();
            assert!(r >= last);
            last = r;
        }
    }

    #[test]
    fn validate_rejects_a_kink_at_zero_or_one_and_absurd_rates() {
        let mut m = model();
        m.optimal_utilization = d("1");
        assert!(m.validate().is_err());
        m.optimal_utilization = d("0");
        assert!(m.validate().is_err());
        let mut m = model();
        m.slope2 = d("11");
        assert!(m.validate().is_err());
        assert!(model().validate().is_ok());
    }

    #[test]
    fn utilization_is_clamped_and_zero_without_supply() {
        assert_eq!(
            utilization(Uint128::new(5), Uint128::zero()),
            Decimal::zero()
        );
        assert_eq!(utilization(Uint128::new(5), Uint128::new(10)), d("0.5"));
        assert_eq!(utilization(Uint128::new(15), Uint128::new(10)), d("1"));
    }

    #[test]
    fn supply_rate_pays_lenders_the_borrow_rate_net_of_reserves() {
        let r = supply_rate(d("0.1"), d("0.5"), d("0.2")).unwrap();
        assert_eq!(r, d("0.04"));
    }

    #[test]
    fn index_growth_matches_compounding_reference() {
        // One year in hourly steps at 10%: compounding per accrual, close to e^0.1 ≈ 1.10517.
        let mut idx = Decimal::one();
        let steps = SECONDS_PER_YEAR / 3600;
        for _ in 0..steps {
            idx = grow_index(idx, d("0.1"), 3600).unwrap();
        }
        let reference = (1.0f64 + 0.1 * 3600.0 / SECONDS_PER_YEAR as f64).powi(steps as i32);
        assert!(close(f(idx), reference, 1e-9), "{} vs {}", idx, reference);
        assert!(f(idx) >= reference - 1e-15);
    }

    #[test]
    fn index_growth_rounds_up() {
        // 1 · (1 + 0.1·1/YEAR) is not representable exactly at 18 decimals.
        let g = grow_index(Decimal::one(), d("0.1"), 1).unwrap();
        let exact = 1.0 + 0.1 / SECONDS_PER_YEAR as f64;
        assert!(f(g) >= exact);
        assert_eq!(grow_index(d("1.5"), d("0.1"), 0).unwrap(), d("1.5"));
    }
}
