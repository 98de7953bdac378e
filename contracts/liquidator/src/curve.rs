//! Auction price math: the curve, the floor, and when an auction needs a reset.
use breakwater_types::liquidator::AuctionParams;
use cosmwasm_std::{Decimal, StdResult};

pub use breakwater_types::math::auction::curve_price;

/// Floor price: `oracle · (1 − max_discount)`, rounded up. Ordinary bidders never pay less.
pub fn floor_price(oracle: Decimal, max_discount: Decimal) -> StdResult<Decimal> {
    let keep = Decimal::one().checked_sub(max_discount)?;
    oracle.checked_mul_ceil_dec(keep)
}

/// Top price at a (re)start: `oracle · buf`, rounded up.
pub fn top_price(oracle: Decimal, buf: Decimal) -> StdResult<Decimal> {
    oracle.checked_mul_ceil_dec(buf)
}

/// The price of an auction now, and whether the curve has reached the floor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quote {
    /// `max(curve, floor)`: what a bidder pays per unit.
    pub price: Decimal,
    /// The curve price before the floor.
    pub curve: Decimal,
    /// The floor.
    pub floor: Decimal,
    /// `curve <= floor`: the backstop may take the lot.
    pub at_floor: bool,
    /// Older than `tail`, or the curve fell below `cusp · top`.
    pub needs_reset: bool,
}

/// Prices an auction started at `top`, `elapsed` seconds ago, against the current oracle price.
pub fn quote(
    params: &AuctionParams,
    top: Decimal,
    elapsed: u64,
    oracle: Decimal,
) -> StdResult<Quote> {
    let curve = curve_price(top, &params.curve, elapsed)?;
    let floor = floor_price(oracle, params.max_discount)?;
    let cusp_price = top.checked_mul(params.cusp)?;
    Ok(Quote {
        price: curve.max(floor),
        curve,
        floor,
        at_floor: curve <= floor,
        needs_reset: elapsed > params.tail || curve < cusp_price,
    })
}

/// `a · b` rounded up at 18 decimals.
trait MulCeil {
    fn checked_mul_ceil_dec(self, other: Decimal) -> StdResult<Decimal>;
}

impl MulCeil for Decimal {
    fn checked_mul_ceil_dec(self, other: Decimal) -> StdResult<Decimal> {
        let floor = self.checked_mul(other)?;
        // The product is exact iff dividing back returns `self`.
        if other.is_zero() || floor.checked_div(other).ok() == Some(self) {
            Ok(floor)
        } else {
            Ok(floor.checked_add(Decimal::new(cosmwasm_std::Uint128::one()))?)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use breakwater_types::liquidator::PriceCurve;
    use cosmwasm_std::Uint128;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn params(curve: PriceCurve) -> AuctionParams {
        AuctionParams {
            buf: d("1.3"),
            curve,
            tail: 8_400,
            cusp: d("0.4"),
            max_discount: d("0.2"),
            dust: Uint128::new(100),
            hole: None,
        }
    }

    #[test]
    fn linear_curve_falls_to_zero_at_duration() {
        let c = PriceCurve::Linear { duration: 100 };
        assert_eq!(curve_price(d("130"), &c, 0).unwrap(), d("130"));
        assert_eq!(curve_price(d("130"), &c, 50).unwrap(), d("65"));
        assert_eq!(curve_price(d("130"), &c, 100).unwrap(), d("0"));
        assert_eq!(curve_price(d("130"), &c, 10_000).unwrap(), d("0"));
    }

    #[test]
    fn stair_step_curve_matches_maker_eth_a() {
        // Maker ETH-A: cut 0.99 every 90 s.
        let c = PriceCurve::StairStep {
            step: 90,
            cut: d("0.99"),
        };
        assert_eq!(curve_price(d("100"), &c, 89).unwrap(), d("100"));
        assert_eq!(curve_price(d("100"), &c, 90).unwrap(), d("99"));
        assert_eq!(curve_price(d("100"), &c, 180).unwrap(), d("98.01"));
        let p = curve_price(d("100"), &c, 8_400).unwrap();
        let reference = 100.0 * 0.99f64.powi(8_400 / 90);
        assert!((p.to_string().parse::<f64>().unwrap() - reference).abs() < 1e-9);
    }

    #[test]
    fn exponential_curve_decays_per_second() {
        let c = PriceCurve::Exponential { cut: d("0.999") };
        let p = curve_price(d("100"), &c, 1000).unwrap();
        let reference = 100.0 * 0.999f64.powi(1000);
        assert!((p.to_string().parse::<f64>().unwrap() - reference).abs() < 1e-9);
        // Huge elapsed time does not panic.
        assert_eq!(
            curve_price(d("100"), &c, u64::MAX).unwrap(),
            Decimal::zero()
        );
    }

    #[test]
    fn price_never_goes_below_the_floor() {
        let p = params(PriceCurve::Linear { duration: 1000 });
        // Oracle 100, floor 80; top 130.
        let q = quote(&p, d("130"), 0, d("100")).unwrap();
        assert_eq!(q.price, d("130"));
        assert!(!q.at_floor);
        let q = quote(&p, d("130"), 900, d("100")).unwrap();
        assert_eq!(q.curve, d("13"));
        assert_eq!(q.price, d("80"));
        assert!(q.at_floor);
        assert!(q.needs_reset, "13 < 0.4 · 130");
    }

    #[test]
    fn reset_is_due_after_tail_or_below_cusp() {
        let p = params(PriceCurve::Linear { duration: 100_000 });
        let q = quote(&p, d("130"), 8_400, d("100")).unwrap();
        assert!(!q.needs_reset);
        let q = quote(&p, d("130"), 8_401, d("100")).unwrap();
        assert!(q.needs_reset);
    }

    #[test]
    fn floor_and_top_round_up() {
        assert_eq!(floor_price(d("100"), d("0.2")).unwrap(), d("80"));
        let f = floor_price(Decimal::new(Uint128::new(3)), d("0.5")).unwrap();
        assert_eq!(f, Decimal::new(Uint128::new(2)));
        assert_eq!(top_price(d("10"), d("1.3")).unwrap(), d("13"));
    }
}
