//! Auction price math: the curve, the floor, and when an auction needs a reset.
use breakwater_types::adapters::OracleGauge;
use breakwater_types::liquidator::{AuctionParams, Slide};
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

/// The price a curve starts from: the median when the oracle stands behind it (`active`), else
/// the higher of median and TWAP (a lot is not offered below the true price of a wick that
/// reverts).
pub fn basis(median: Decimal, twap: Decimal, active: bool) -> Decimal {
    if active {
        median
    } else {
        median.max(twap)
    }
}

/// The basis an auction of a collateral with `slide` prices from now: [`basis`], active
/// while the oracle stands behind the median or the book holds in a fall ([`Slide::deep`]),
/// and then ahead of the median by the fall ([`Slide::ahead_basis`]). The liquidator's price
/// and the lab's keepers' view of it both read this.
pub fn slide_basis(
    slide: Option<&Slide>,
    gauge: &OracleGauge,
    median: Decimal,
    twap: Decimal,
    active: bool,
) -> Decimal {
    Slide::ahead_basis(
        slide,
        gauge,
        basis(median, twap, active || gauge.book_holds),
    )
}

/// What the oracle says now, as an auction's price reads it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    /// The median (the floor's reference).
    pub median: Decimal,
    /// Its TWAP.
    pub twap: Decimal,
    /// The current [`basis`].
    pub basis: Decimal,
    /// The collateral is in a slide ([`AuctionParams::slide`]): the curve follows the oracle.
    pub sliding: bool,
}

/// Prices an auction (re)started at `top`, `elapsed` seconds ago, whose curve has decayed
/// for `decay` of them (all of them unless sales held it, [`AuctionParams::hold`]), against
/// the oracle's [`Reading`] now: its median `oracle` (the floor), TWAP `twap` and [`basis`].
///
/// The curve falls from `top` (Maker's curve), or with [`AuctionParams::follow_oracle`] or
/// while the collateral slides ([`AuctionParams::slide`]) from `basis · buf` now (rounded up,
/// as at a start): the same decay, measured from the current price instead of the start
/// price. A held curve ([`AuctionParams::hold`]) prices at
///
/// ```text
/// curve(decay)     while curve(decay) ≤ oracle · (1 + tolerance)
/// curve(elapsed)   otherwise (as if never held)
/// tolerance = hold_tolerance while oracle ≥ twap (the market not falling), else 0
/// ```
///
/// so never below where it would be without holds. The tolerance lets a hold wait out a book
/// that keepers' own sales have pushed under the held price while the market comes back; a
/// market below its TWAP is falling, and there the curve follows it as soon as it stands
/// below the held price (a collapse that never recovers is not waited out). Whether the
/// auction is stale reads `elapsed` against `tail` and the decay alone (`top`'s own curve
/// against `cusp · top`), so following the oracle never makes an auction reset sooner or
/// later.
pub fn quote(
    params: &AuctionParams,
    top: Decimal,
    elapsed: u64,
    decay: u64,
    reading: &Reading,
) -> StdResult<Quote> {
    let Reading {
        median: oracle,
        twap,
        basis,
        sliding,
    } = *reading;
    let follow = params.follow_oracle || sliding;
    let decayed = curve_price(top, &params.curve, decay)?;
    let from = if follow {
        top_price(basis, params.buf)?
    } else {
        top
    };
    let held = if follow {
        curve_price(from, &params.curve, decay)?
    } else {
        decayed
    };
    // Held while the market stands at or above the held price (within the tolerance while
    // it is not falling); a market below it has no buyer there: the curve runs as if never
    // held. (A curve never rises, so the held price is never below the running one.)
    let tolerance = if oracle >= twap {
        params.hold_tolerance
    } else {
        Decimal::zero()
    };
    let market_below = held > oracle.checked_mul(Decimal::one().checked_add(tolerance)?)?;
    let curve = if decay < elapsed && market_below {
        curve_price(from, &params.curve, elapsed)?
    } else {
        held
    };
    let floor = floor_price(oracle, params.max_discount)?;
    let cusp_price = top.checked_mul(params.cusp)?;
    Ok(Quote {
        price: curve.max(floor),
        curve,
        floor,
        at_floor: curve <= floor,
        needs_reset: elapsed > params.tail || decayed < cusp_price,
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
            follow_oracle: false,
            hold: 0,
            hold_tolerance: Decimal::zero(),
            hold_room: false,
            slide: None,
            pace_sales: None,
            wait_falls: None,
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
        let q = steady(&p, 0, "100");
        assert_eq!(q.price, d("130"));
        assert!(!q.at_floor);
        let q = steady(&p, 900, "100");
        assert_eq!(q.curve, d("13"));
        assert_eq!(q.price, d("80"));
        assert!(q.at_floor);
        assert!(q.needs_reset, "13 < 0.4 · 130");
    }

    #[test]
    fn reset_is_due_after_tail_or_below_cusp() {
        let p = params(PriceCurve::Linear { duration: 100_000 });
        let q = steady(&p, 8_400, "100");
        assert!(!q.needs_reset);
        let q = steady(&p, 8_401, "100");
        assert!(q.needs_reset);
    }

    /// A reading of median `m`, TWAP `t` and basis `b`, not sliding.
    fn read(m: &str, t: &str, b: &str) -> Reading {
        Reading {
            median: d(m),
            twap: d(t),
            basis: d(b),
            sliding: false,
        }
    }

    /// The quote of an auction started at 130, never held, `t` seconds ago, with the median
    /// and TWAP at `oracle` (active: the basis too).
    fn steady(p: &AuctionParams, t: u64, oracle: &str) -> Quote {
        quote(p, d("130"), t, t, &read(oracle, oracle, oracle)).unwrap()
    }

    fn following(curve: PriceCurve) -> AuctionParams {
        AuctionParams {
            follow_oracle: true,
            hold: 0,
            hold_tolerance: Decimal::zero(),
            hold_room: false,
            slide: None,
            ..params(curve)
        }
    }

    #[test]
    fn a_following_curve_falls_and_rises_with_the_oracle() {
        let c = PriceCurve::StairStep {
            step: 60,
            cut: d("0.9"),
        };
        // Started at oracle 100 (top 130); two steps later the oracle is at 50.
        let anchored = steady(&params(c.clone()), 120, "50");
        assert_eq!(anchored.curve, d("105.3"), "130 · 0.9²");
        let q = steady(&following(c.clone()), 120, "50");
        assert_eq!(q.curve, d("52.65"), "50 · 1.3 · 0.9²");
        assert_eq!(q.price, d("52.65"));
        assert_eq!(q.floor, d("40"));
        // The oracle back above the start: the price asks more than the start's curve.
        let q = steady(&following(c), 120, "120");
        assert_eq!(q.curve, d("126.36"), "120 · 1.3 · 0.9²");
    }

    #[test]
    fn a_following_curve_reaches_its_floor_after_the_same_time_whatever_the_oracle_does() {
        let c = PriceCurve::StairStep {
            step: 60,
            cut: d("0.9"),
        };
        // 1.3 · 0.9^4 = 0.853 > 0.8 and 1.3 · 0.9^5 = 0.768 <= 0.8: at the floor from 300 s.
        for oracle in ["100", "37", "250"] {
            let at = |t| steady(&following(c.clone()), t, oracle);
            assert!(!at(299).at_floor, "oracle {oracle}");
            assert!(at(300).at_floor, "oracle {oracle}");
            assert_eq!(at(300).price, at(300).floor);
        }
        // Anchored at 130, an oracle fallen to 37 keeps the curve far above the floor.
        let q = steady(&params(c), 300, "37");
        assert!(!q.at_floor && q.curve > d("70"));
    }

    #[test]
    fn following_the_oracle_does_not_move_when_an_auction_is_stale() {
        let c = PriceCurve::Linear { duration: 1_000 };
        for oracle in ["100", "10", "1000"] {
            let q = |t| steady(&following(c.clone()), t, oracle);
            // cusp 0.4: the decay reaches 0.4 at 600 s.
            assert!(!q(599).needs_reset, "oracle {oracle}");
            assert!(q(601).needs_reset, "oracle {oracle}");
        }
    }

    #[test]
    fn a_following_curve_rounds_its_anchor_up() {
        // oracle 10^-18 · 1.3 rounds up to 2 · 10^-18; an anchor rounded down would be 10^-18.
        let tiny = Decimal::new(Uint128::one());
        let q = quote(
            &following(PriceCurve::Linear { duration: 100 }),
            d("1"),
            0,
            0,
            &Reading {
                median: tiny,
                twap: tiny,
                basis: tiny,
                sliding: false,
            },
        )
        .unwrap();
        assert_eq!(q.curve, Decimal::new(Uint128::new(2)));
    }

    #[test]
    fn a_following_curve_starts_from_the_basis_and_floors_at_the_median() {
        // Not active: the higher of median and TWAP; active: the median whatever the TWAP.
        assert_eq!(basis(d("60"), d("95"), false), d("95"));
        assert_eq!(basis(d("120"), d("95"), false), d("120"));
        assert_eq!(basis(d("60"), d("95"), true), d("60"));
        let q = quote(
            &following(PriceCurve::Linear { duration: 1_000 }),
            d("130"),
            0,
            0,
            &read("60", "95", "95"),
        )
        .unwrap();
        assert_eq!(q.curve, d("123.5"), "95 · 1.3");
        assert_eq!(q.floor, d("48"), "60 · 0.8");
    }

    #[test]
    fn a_slide_makes_an_anchored_curve_follow_the_oracle() {
        let c = PriceCurve::StairStep {
            step: 60,
            cut: d("0.9"),
        };
        // Started at 130, two steps ago, the oracle at 50: anchored 105.3, following 52.65.
        let slide = Reading {
            sliding: true,
            ..read("50", "60", "50")
        };
        let q = quote(&params(c.clone()), d("130"), 120, 120, &slide).unwrap();
        assert_eq!(q.curve, d("52.65"), "50 · 1.3 · 0.9²");
        let q = quote(&params(c), d("130"), 120, 120, &read("50", "60", "50")).unwrap();
        assert_eq!(q.curve, d("105.3"), "130 · 0.9²");
    }

    #[test]
    fn a_held_curve_prices_from_its_decay_and_goes_stale_on_time() {
        let p = params(PriceCurve::StairStep {
            step: 60,
            cut: d("0.9"),
        });
        // 600 s since the start, but held for 480 of them: two steps decayed, not ten.
        let q = quote(&p, d("100"), 600, 120, &read("100", "100", "100")).unwrap();
        assert_eq!(q.curve, d("81"));
        assert!(!q.needs_reset);
        // Past the tail it is stale however little the curve decayed.
        let q = quote(&p, d("100"), 8_401, 120, &read("100", "100", "100")).unwrap();
        assert!(q.needs_reset);
    }

    #[test]
    fn the_hold_tolerance_applies_only_while_the_market_is_not_falling() {
        let p = AuctionParams {
            hold: 600,
            hold_tolerance: d("0.1"),
            hold_room: false,
            slide: None,
            ..params(PriceCurve::StairStep {
                step: 60,
                cut: d("0.9"),
            })
        };
        // Held at 81 (two steps of ten), the median at 75: 81 ≤ 75 · 1.1 = 82.5.
        // Rising (TWAP 70 below the median): held.
        let q = quote(&p, d("100"), 600, 120, &read("75", "70", "75")).unwrap();
        assert_eq!(q.curve, d("81"));
        // Flat (TWAP at the median): held.
        let q = quote(&p, d("100"), 600, 120, &read("75", "75", "75")).unwrap();
        assert_eq!(q.curve, d("81"));
        // Falling (TWAP above the median): no tolerance, the curve runs: 100 · 0.9^10.
        let q = quote(&p, d("100"), 600, 120, &read("75", "80", "75")).unwrap();
        assert_eq!(q.curve, d("34.86784401"));
        // Falling but the market at or above the held price: held.
        let q = quote(&p, d("100"), 600, 120, &read("81", "90", "81")).unwrap();
        assert_eq!(q.curve, d("81"));
    }

    #[test]
    fn floor_and_top_round_up() {
        assert_eq!(floor_price(d("100"), d("0.2")).unwrap(), d("80"));
        let f = floor_price(Decimal::new(Uint128::new(3)), d("0.5")).unwrap();
        assert_eq!(f, Decimal::new(Uint128::new(2)));
        assert_eq!(top_price(d("10"), d("1.3")).unwrap(), d("13"));
    }
}
