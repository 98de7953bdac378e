//! Time-weighted average price and realized volatility from cumulative observations.
//!
//! The oracle keeps, per asset, a ring buffer of [`Observation`]s. Each carries running sums,
//! so a window's average and variance come from two observations, not a scan:
//!
//! ```text
//! cum_price(t_k)  = Σ_{j<k} p_j · (t_{j+1} − t_j)                 (price-seconds)
//! TWAP(a, b)      = (cum_price(b) − cum_price(a)) / (t_b − t_a)
//! ```
//! Realized volatility is estimated from returns between time-weighted averages over
//! consecutive sampling intervals of at least `interval` seconds, not from every new median:
//!
//! ```text
//! A_i             = TWAP over sampling interval i (closed by the first update >= interval long)
//! r_i             = (A_i − A_{i−1}) / A_{i−1}
//! cum_sq_return   = Σ r_i²                                             (over closed intervals)
//! σ_annual(a, b)  = sqrt(3/2 · (cum_sq_return(b) − cum_sq_return(a)) / (t_b − t_a) · YEAR)
//! ```
//! A median that flips between two quotes inside an interval (one feeder alternating between
//! honest prices, or honest quotes scattering) averages out instead of adding a squared return
//! per update; a flip timed to each interval moves an average by at most the spread between
//! the quotes. The `3/2` makes the estimate unbiased for a random walk (returns between
//! adjacent averages carry two thirds of the variance of point returns) and for a single jump
//! on average. Simple returns stand in for log returns (equal to first order for the moves
//! between adjacent averages). Volatility is annualized so it compares directly with the
//! market's reference volatility. The price set at `t_b` contributes to the TWAP only once time
//! passes, so a jump is always compared against the average from *before* it.
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
    /// Σ squared returns between the averages of closed sampling intervals.
    pub cum_sq_return: Decimal256,
    /// Start of the current sampling interval (0: none yet, as in observations stored before
    /// sampling existed).
    #[serde(default)]
    pub sample_start: u64,
    /// `cum_price` at `sample_start`.
    #[serde(default)]
    pub sample_cum_price: Decimal256,
    /// Time-weighted average of the last closed sampling interval (zero: none yet).
    #[serde(default)]
    pub last_average: Decimal,
}

impl Observation {
    /// The first observation of an asset.
    pub fn first(time: u64, price: Decimal) -> Self {
        Observation {
            time,
            price,
            cum_price: Decimal256::zero(),
            cum_sq_return: Decimal256::zero(),
            sample_start: time,
            sample_cum_price: Decimal256::zero(),
            last_average: Decimal::zero(),
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
            cum_price,
            ..self.clone()
        })
    }

    /// The observation after a new `price` at `time` (>= `self.time`), closing the current
    /// sampling interval first when it has lasted at least `interval` seconds.
    pub fn next(&self, time: u64, price: Decimal, interval: u64) -> StdResult<Observation> {
        let mut o = self.extend_to(time)?;
        if o.sample_start == 0 || o.sample_start > o.time {
            // No sampling state yet: start an interval here.
            o.sample_start = o.time;
            o.sample_cum_price = o.cum_price;
            o.last_average = Decimal::zero();
        } else if o.time.saturating_sub(o.sample_start) >= interval.max(1) {
            let span = Decimal256::from_ratio(o.time - o.sample_start, 1u64);
            let average = o
                .cum_price
                .checked_sub(o.sample_cum_price)?
                .checked_div(span)?;
            if !o.last_average.is_zero() {
                let prev = Decimal256::from(o.last_average);
                let r = average.abs_diff(prev).checked_div(prev)?;
                o.cum_sq_return = o.cum_sq_return.checked_add(r.checked_mul(r)?)?;
            }
            o.last_average = Decimal::try_from(average)?;
            o.sample_start = o.time;
            o.sample_cum_price = o.cum_price;
        }
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

/// Annualized realized volatility between two observations (see the module docs); zero when
/// no time has passed. Saturates at `Decimal::MAX`.
pub fn volatility(a: &Observation, b: &Observation) -> StdResult<Decimal> {
    let dt = b.time.saturating_sub(a.time);
    if dt == 0 {
        return Ok(Decimal::zero());
    }
    let variance_per_sec = b
        .cum_sq_return
        .checked_sub(a.cum_sq_return)?
        .checked_mul(Decimal256::from_ratio(3u64, 2u64))?
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
        let b = a.next(30, d("200"), 60).unwrap();
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
            o = o.next(t, p, 300).unwrap();
        }
        let avg = twap(&start, &o).unwrap();
        assert!(f(avg) > 99.8, "{avg}");
    }

    /// The f64 model of the estimator: prices `(time, price)` updated in order (times after
    /// the epoch, as on a chain), sampling intervals closed at the first update at least
    /// `interval` after the last close.
    fn reference_volatility(updates: &[(u64, f64)], interval: u64) -> f64 {
        let (t0, p0) = updates[0];
        let (mut cum, mut last_t, mut last_p) = (0.0f64, t0, p0);
        let (mut sample_t, mut sample_cum, mut last_avg) = (t0, 0.0f64, 0.0f64);
        let mut sum_sq = 0.0;
        for &(t, p) in &updates[1..] {
            cum += last_p * (t - last_t) as f64;
            if t - sample_t >= interval {
                let avg = (cum - sample_cum) / (t - sample_t) as f64;
                if last_avg > 0.0 {
                    sum_sq += ((avg - last_avg) / last_avg).powi(2);
                }
                (last_avg, sample_t, sample_cum) = (avg, t, cum);
            }
            (last_t, last_p) = (t, p);
        }
        let dt = (last_t - t0) as f64;
        (1.5 * sum_sq / dt * SECONDS_PER_YEAR as f64).sqrt()
    }

    fn run(updates: &[(u64, f64)], interval: u64) -> (Observation, Observation) {
        let to_dec = |p: f64| Decimal::from_ratio((p * 1e6).round() as u128, 1_000_000u128);
        let start = Observation::first(updates[0].0, to_dec(updates[0].1));
        let mut o = start.clone();
        for &(t, p) in &updates[1..] {
            o = o.next(t, to_dec(p), interval).unwrap();
        }
        (start, o)
    }

    #[test]
    fn volatility_matches_the_f64_reference() {
        // A walk of ±1% moves every 60 s for two hours, five-minute sampling.
        let mut p = 100.0f64;
        let updates: Vec<(u64, f64)> = (0..=120u64)
            .map(|i| {
                if i > 0 {
                    p *= if (i * 7 + i / 3) % 5 < 3 { 1.01 } else { 0.99 };
                }
                (1_000 + i * 60, p)
            })
            .collect();
        let (start, end) = run(&updates, 300);
        let vol = volatility(&start, &end).unwrap();
        let reference = reference_volatility(&updates, 300);
        assert!(close(f(vol), reference, 1e-6), "{vol} vs {reference}");
        assert!(reference > 0.5, "{reference}");
        // A flat price has zero volatility.
        let flat = Observation::first(0, d("5"))
            .next(400, d("5"), 300)
            .unwrap();
        assert_eq!(
            volatility(&Observation::first(0, d("5")), &flat).unwrap(),
            Decimal::zero()
        );
    }

    #[test]
    fn a_median_flipping_inside_the_sampling_intervals_adds_almost_nothing() {
        // 10.00 and 10.01 alternating every 5 s for an hour: a point-return estimator reads
        // about 250%; interval averages cancel the flips.
        let updates: Vec<(u64, f64)> = (0..=720u64)
            .map(|i| (1_000 + i * 5, if i % 2 == 0 { 10.0 } else { 10.01 }))
            .collect();
        let (start, end) = run(&updates, 300);
        assert!(f(volatility(&start, &end).unwrap()) < 0.01);
        // Flipped once per interval instead, each average moves by the 0.1% spread at most:
        // sqrt(1.5 · year / 300) · 0.001 ≈ 0.4.
        let updates: Vec<(u64, f64)> = (0..=720u64)
            .map(|i| (1_000 + i * 5, if (i / 60) % 2 == 0 { 10.0 } else { 10.01 }))
            .collect();
        let (start, end) = run(&updates, 300);
        let vol = f(volatility(&start, &end).unwrap());
        assert!(vol < 0.41, "{vol}");
    }

    #[test]
    fn observations_stored_before_sampling_start_sampling_at_their_next_update() {
        let mut old = Observation::first(1_000, d("10"));
        old.sample_start = 0;
        old.cum_price = d("12345").into();
        let next = old.next(2_000, d("11"), 300).unwrap();
        assert_eq!(next.sample_start, 2_000);
        assert_eq!(next.cum_sq_return, Decimal256::zero());
        assert_eq!(next.last_average, Decimal::zero());
    }

    #[test]
    fn observations_survive_extreme_prices_without_panicking() {
        let a = Observation::first(0, Decimal::MAX);
        let b = a.next(u64::MAX / 2, Decimal::new(Uint128::new(1)), 300);
        // Either a value or a typed error; never a panic.
        let _ = b.and_then(|b| twap(&a, &b));
    }
}
