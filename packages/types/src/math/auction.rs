//! Dutch-auction math shared by the liquidator (which runs the auctions) and the backstop
//! (which bids at the floor and must size its bid as the liquidator will): the price curve and
//! the sizing of a bid (Maker `take`).
use crate::liquidator::PriceCurve;
use cosmwasm_std::{Decimal, StdResult, Uint128};

/// Curve price `elapsed` seconds after a (re)start at `top`:
///
/// ```text
/// Linear { duration }:     top · max(0, 1 − elapsed / duration)
/// StairStep { step, cut }: top · cut^floor(elapsed / step)
/// Exponential { cut }:     top · cut^elapsed
/// ```
/// Rounded down at 18 decimals (every product truncates).
pub fn curve_price(top: Decimal, curve: &PriceCurve, elapsed: u64) -> StdResult<Decimal> {
    let exp = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
    Ok(match curve {
        PriceCurve::Linear { duration } => {
            if elapsed >= *duration {
                Decimal::zero()
            } else {
                top.checked_mul(Decimal::from_ratio(duration - elapsed, *duration))?
            }
        }
        PriceCurve::StairStep { step, cut } => {
            let steps = elapsed / (*step).max(1);
            top.checked_mul(cut.checked_pow(exp(steps))?)?
        }
        PriceCurve::Exponential { cut } => top.checked_mul(cut.checked_pow(exp(elapsed))?)?,
    })
}

/// The first second, at most `horizon`, at which the curve from `top` is at or below `level`,
/// or `None` when it stays above it through `horizon`. Binary search (the curve never rises).
pub fn time_to_reach(
    top: Decimal,
    curve: &PriceCurve,
    level: Decimal,
    horizon: u64,
) -> StdResult<Option<u64>> {
    if curve_price(top, curve, horizon)? > level {
        return Ok(None);
    }
    let (mut lo, mut hi) = (0u64, horizon);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if curve_price(top, curve, mid)? <= level {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    Ok(Some(lo))
}

/// Sizes a bid of at most `max_collateral` units on a lot of `lot` units with `tab` left to
/// raise (0: sell the whole lot) at `price` (Maker `take`), returning `(slice, owe)`:
///
/// ```text
/// slice = min(max_collateral, lot);  owe = ceil(slice · price)
/// if tab > 0 and owe > tab:  slice = floor(tab / price);  owe = tab
///     (a tab worth less than one unit: slice = 1, owe = ceil(price), surplus to the borrower)
/// owe = max(owe, 1)
/// ```
/// `owe` rounds up and `slice` down: the bidder never pays less than `slice · price`. The
/// liquidator adds its dust rule on top; the backstop sizes its floor bids with the same rule,
/// so that what it attaches is exactly what the bid will cost.
pub fn take(
    lot: Uint128,
    tab: Uint128,
    price: Decimal,
    max_collateral: Uint128,
) -> StdResult<(Uint128, Uint128)> {
    let mut slice = max_collateral.min(lot);
    let mut owe = slice.checked_mul_ceil(price)?;
    if !tab.is_zero() && owe > tab {
        slice = tab.checked_div_floor(price).unwrap_or(lot).min(lot);
        owe = tab;
        if slice.is_zero() {
            // Less than one unit's worth of tab left: sell one whole unit at the price.
            slice = Uint128::one().min(lot);
            owe = slice.checked_mul_ceil(price)?;
        }
    }
    // A positive slice at a positive price always costs at least one unit.
    Ok((slice, owe.max(Uint128::one())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::reference::d;

    fn u(x: u128) -> Uint128 {
        Uint128::new(x)
    }

    #[test]
    fn the_time_to_reach_a_level_is_the_first_second_at_or_below_it() {
        let stair = PriceCurve::StairStep {
            step: 60,
            cut: d("0.97"),
        };
        // 1.1 · 0.97^11 = 0.786 <= 0.8 < 1.1 · 0.97^10 = 0.811.
        assert_eq!(
            time_to_reach(d("1.1"), &stair, d("0.8"), 3_600).unwrap(),
            Some(660)
        );
        assert_eq!(
            time_to_reach(d("1.1"), &stair, d("0.8"), 659).unwrap(),
            None
        );
        let linear = PriceCurve::Linear { duration: 100 };
        assert_eq!(
            time_to_reach(d("1"), &linear, d("0.25"), 1_000).unwrap(),
            Some(75)
        );
        assert_eq!(time_to_reach(d("1"), &linear, d("1"), 10).unwrap(), Some(0));
    }

    #[test]
    fn a_tab_worth_less_than_one_unit_sells_that_unit_at_its_price() {
        assert_eq!(take(u(10), u(3), d("10"), u(10)).unwrap(), (u(1), u(10)));
        assert_eq!(
            take(u(100), u(500), d("10"), u(100)).unwrap(),
            (u(50), u(500))
        );
        assert_eq!(take(u(10), u(0), d("0.5"), u(3)).unwrap(), (u(3), u(2)));
        let tiny = Decimal::new(Uint128::one());
        assert_eq!(take(u(10), u(0), tiny, u(1)).unwrap(), (u(1), u(1)));
    }
}
