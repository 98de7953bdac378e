//! Time-weighted average price and realized volatility from cumulative observations.
//!
//! The oracle keeps, per asset, a ring buffer of [`Observation`]s. Each carries two running
//! sums, so a window's average and variance come from two observations, not a scan:
//!
//! ```text
//! cum_price(t_k)     = Σ_{j<k} p_j · (t_{j+1} − t_j)           (price-seconds)
//! cum_sq_return(t_k) = Σ_{j<=k} r_j²,  r_j = (p_j − p_{j−1}) / p_{j−1}
//!
//! TWAP(a, b)  = (cum_price(b) − cum_price(a)) / (t_b − t_a)
//! σ_annual    = sqrt( (cum_sq_return(b) − cum_sq_return(a)) / (t_b − t_a) · YEAR )
//! ```
//! Simple returns stand in for log returns (equal to first order for the small per-update moves
//! an oracle sees). Volatility is annualized so it compares directly with the market's reference
//! volatility. The price set at `t_b` contributes to the TWAP only once time passes, so a jump is
//! always compared against the average from *before* it.
use crate::SECONDS_PER_YEAR;
use cosmwasm_schema::cw_serde;
#[cfg(test)]
use cosmwasm_std::Uint128;
use cosmwasm_std::{Decimal, Decimal256, StdResult};

/// A point of the price history with running sums (see the module docs).
#[cw_serde]
pub struct Observation {
    /// Time of the observation, seconds since the epoch.
    pub time: u64,
    /// The price set at `time`.
    pub price: Decimal,
    /// Σ price · seconds up to `time` (excluding `price` itself).
    pub cum_price: Decimal256,
    /// Σ squared simple returns up to and including the move to `price`.
    pub cum_sq_return: Decimal256,
}

impl Observation {
    /// The first observation of an asset.
    pub fn first(time: u64, price: Decimal) -> Self {
        Observation {
            time,
            price,
            cum_price: Decimal256::zero(),
            cum_sq_return: Decimal256::zero(),
        }
    }

    /// The running sums carried forward to `time` with no new price (used to read a TWAP "now").
    pub fn extend_to(&self, time: u64) -> StdResult<Observation> {
        let dt = time.saturating_sub(self.time);
        let cum_price = self.cum_price.checked_add(
            Decimal256::from(self.price).checked_mul(Decimal256::from_ratio(dt, 1u64))?,
        )?;
        Ok(Observation {
            time: time.max(self.time),
            price: self.price,
            cum_price,
            cum_sq_return: self.cum_sq_return,
        })
    }

    /// The observation after a new `price` at `time` (>= `self.time`).
    pub fn next(&self, time: u64, price: Decimal) -> StdResult<Observation> {
        let mut o = self.extend_to(time)?;
        let prev = Decimal256::from(self.price);
        let r = Decimal256::from(price).abs_diff(prev).checked_div(prev)?;
        o.cum_sq_return = o.cum_sq_return.checked_add(r.checked_mul(r)?)?;
        o.price = price;
        Ok(o)
    }
}

/// TWAP between two observations `a` (older) and `b`; `b.price` when no time has passed.
/// Rounded down.
pub fn twap(a: &Observation, b: &Observation) -> StdResult<Decimal> {
    let dt = b.time.saturating_sub(a.time);
    if dt == 0 {
        return Ok(b.price);
    }
    let avg = b
        .cum_price
        .checked_sub(a.cum_price)?
        .checked_div(Decimal256::from_ratio(dt, 1u64))?;
    Ok(Decimal::try_from(avg)?)
}

/// Annualized realized volatility between two observations; zero when no time has passed.
/// Saturates at `Decimal::MAX`.
pub fn volatility(a: &Observation, b: &Observation) -> StdResult<Decimal> {
    let dt = b.time.saturating_sub(a.time);
    if dt == 0 {
        return Ok(Decimal::zero());
    }
    let variance_per_sec = b
        .cum_sq_return
        .checked_sub(a.cum_sq_return)?
        .checked_div(Decimal256::from_ratio(dt, 1u64))?;
    let annual = variance_per_sec.checked_mul(Decimal256::from_ratio(SECONDS_PER_YEAR, 1u64))?;
    Ok(Decimal::try_from(annual.sqrt()).unwrap_or(Decimal::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::reference::{close, d, f};

    #[test]
    fn twap_weights_each_price_by_how_long_it_held() {
        // 100 for 30 s, then 200 for 10 s: (3000 + 2000) / 40 = 125.
        let a = Observation::first(0, d("100"));
        let b = a.next(30, d("200")).unwrap();
        let c = b.extend_to(40).unwrap();
        assert_eq!(twap(&a, &c).unwrap(), d("125"));
        // Right at the jump the new price has not counted yet.
        assert_eq!(twap(&a, &b).unwrap(), d("100"));
        assert_eq!(twap(&b, &b).unwrap(), d("200"));
    }

    #[test]
    fn a_one_print_wick_barely_moves_the_twap() {
        let mut o = Observation::first(0, d("100"));
        let start = o.clone();
        for t in (6..=1800).step_by(6) {
            let p = if t == 900 { d("50") } else { d("100") };
            o = o.next(t, p).unwrap();
        }
        let avg = twap(&start, &o).unwrap();
        assert!(f(avg) > 99.8, "{avg}");
    }

    #[test]
    fn volatility_matches_the_f64_reference() {
        // Alternating ±1% moves every 60 s for an hour.
        let mut o = Observation::first(0, d("100"));
        let start = o.clone();
        let mut prices = vec![100.0f64];
        let mut sum_sq = 0.0;
        for i in 1..=60u64 {
            let p = if i % 2 == 1 { 101.0 } else { 100.0 };
            let prev = *prices.last().unwrap();
            sum_sq += ((p - prev) / prev).powi(2);
            prices.push(p);
            o = o
                .next(i * 60, Decimal::from_ratio((p * 1000.0) as u64, 1000u64))
                .unwrap();
        }
        let vol = volatility(&start, &o).unwrap();
        let reference = (sum_sq / 3600.0 * SECONDS_PER_YEAR as f64).sqrt();
        assert!(close(f(vol), reference, 1e-9), "{vol} vs {reference}");
        // A flat price has zero volatility.
        let flat = Observation::first(0, d("5")).next(10, d("5")).unwrap();
        assert_eq!(
            volatility(&Observation::first(0, d("5")), &flat).unwrap(),
            Decimal::zero()
        );
    }

    #[test]
    fn observations_survive_extreme_prices_without_panicking() {
        let a = Observation::first(0, Decimal::MAX);
        let b = a.next(u64::MAX / 2, Decimal::new(Uint128::new(1)));
        // Either a value or a typed error; never a panic.
        let _ = b.and_then(|b| twap(&a, &b));
    }
}
