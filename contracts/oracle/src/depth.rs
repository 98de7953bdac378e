//! Market depth measured by the feeders, aggregated like the price.
//!
//! With each price a feeder may report the depth it measured (the base value of the resting
//! bids within 1% below the mid). On every update of an asset, the fresh reports of its
//! current feeders are aggregated:
//!
//! ```text
//! reports   = { depth of each fresh submission that carries one }
//! quorum    : |reports| >= min_feeders, else the depth is unknown (the record is dropped)
//! depth     = lower median of reports: x_{(n+1)/2} of the sorted reports (x_{n/2} for even n)
//! fresh_until = (time of the min_feeders-th newest report) + max_age
//! ```
//! The lower median is the robust choice for a quantity that throttles selling: one liar can
//! never raise it above an honest report (a higher depth would let more be sold into a thin
//! book), and with three or more reports it cannot lower it below one either; with two, one
//! liar can only lower it, which throttles more, never less. The depth is exported only while
//! fresh; consumers fall back to what they were configured with when it is not.
//!
//! The breaker reads the book ([`OracleParams::breaker_book`]): a fall beyond `breaker_move`
//! does not halt while
//!
//! ```text
//! every kept submission < TWAP,  reference > 0,  from > 0,  depth > 0,
//! depth ≥ ⌈reference · upper / from⌉
//! upper     = the higher middle kept submission (the median for an odd count)
//! high      = the highest upper median of the reports (x_{n/2+1} of the sorted reports) over
//!             about the last twap_window: a higher one replaces it, and so does the next one
//!             once it is older than the window; lost when a quorum stops reporting
//! reference, from = the stored high (as of the update before the streak's first, within the
//!             window) and the TWAP before the streak's first median, recorded when the
//!             median's streak under its TWAP begins and kept for the streak (`BelowTwap`);
//!             with no streak, the stored high and the TWAP before this update's median
//! ```
//! that is, while the book kept at least the price's share of what both were before the fall
//! began: the price traded down through a book that is still there. A wick drains the book
//! faster than the price falls and still halts. Both shares are measured from the fall's
//! start (not from the TWAP, which follows the fall down while the depth's reference stays).
//! The reference is the *highest upper* median, the depth the *lower* one: with two reports
//! one liar can only raise the first and lower the second, both of which keep the halt, and
//! with three or more it moves neither past an honest report; the feeders that see a wick
//! first and report its thin book before the median moves do not lower the reference either
//! (it is the window's high).
use crate::error::ContractError;
use crate::state::DepthRecord;
use breakwater_types::oracle::OracleParams;
use cosmwasm_std::{Decimal, OverflowError, OverflowOperation, Uint128};

/// The lower and upper medians of `values` from one sort: `x_{(n+1)/2}` and `x_{n/2+1}` of the
/// sorted values (both the median for odd `n`), `None` when empty.
pub fn medians(values: &[Uint128]) -> Option<(Uint128, Uint128)> {
    let mut v = values.to_vec();
    v.sort();
    let lower = *v.get(v.len().checked_sub(1)? / 2)?;
    let upper = *v.get(v.len() / 2)?;
    Some((lower, upper))
}

/// The lower median of `values` (see the module docs), `None` when empty.
pub fn lower_median(values: &[Uint128]) -> Option<Uint128> {
    medians(values).map(|(lower, _)| lower)
}

/// The upper median of `values` (see [`medians`]), `None` when empty.
pub fn upper_median(values: &[Uint128]) -> Option<Uint128> {
    medians(values).map(|(_, upper)| upper)
}

/// Whether the book held through a fall from `from` to `price` (see the module docs):
/// `depth ≥ ⌈reference · price / from⌉`, everything above 0. A product that overflows is no
/// hold.
pub fn holds(depth: Uint128, reference: Uint128, price: Decimal, from: Decimal) -> bool {
    if reference.is_zero() || depth.is_zero() || from.is_zero() {
        return false;
    }
    reference
        .checked_mul_ceil((price.atomics(), from.atomics()))
        .is_ok_and(|needed| depth >= needed)
}

/// Aggregates the fresh `reports` (`(submission time, depth)`) at `now`: the record to store
/// when a quorum reported, `None` otherwise (a feeder's newer submission without a depth
/// withdraws its report). `prev` is the stored record, whose `high` carries over while it is
/// at least the new upper median and no older than the TWAP window.
pub fn aggregate_depth(
    params: &OracleParams,
    now: u64,
    reports: &[(u64, Uint128)],
    prev: Option<&DepthRecord>,
) -> Result<Option<DepthRecord>, ContractError> {
    let required = usize::try_from(params.min_feeders).unwrap_or(usize::MAX);
    if reports.len() < required {
        return Ok(None);
    }
    let depths: Vec<Uint128> = reports.iter().map(|(_, d)| *d).collect();
    let Some((depth, upper)) = medians(&depths) else {
        return Ok(None);
    };
    let mut times: Vec<u64> = reports.iter().map(|(t, _)| *t).collect();
    times.sort_unstable_by(|a, b| b.cmp(a));
    let nth = times[required.saturating_sub(1).min(times.len() - 1)];
    let fresh_until = nth
        .checked_add(params.max_age)
        .ok_or_else(|| ContractError::from(OverflowError::new(OverflowOperation::Add)))?;
    let (high, high_at) = match prev {
        Some(p) if p.high >= upper && now.saturating_sub(p.high_at) <= params.twap_window => {
            (p.high, p.high_at)
        }
        _ => (upper, now),
    };
    Ok(Some(DepthRecord {
        depth,
        high,
        high_at,
        measured_at: now,
        fresh_until,
    }))
}

/// The depth in force at `now`: the record's, while fresh.
pub fn depth_at(record: Option<&DepthRecord>, now: u64) -> Option<Uint128> {
    record.filter(|r| now <= r.fresh_until).map(|r| r.depth)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(x: u128) -> Uint128 {
        Uint128::new(x)
    }

    #[test]
    fn one_liar_cannot_raise_the_lower_median_nor_lower_it_among_three() {
        assert_eq!(lower_median(&[]), None);
        assert_eq!(lower_median(&[u(5)]), Some(u(5)));
        // Two honest reports, 100 and 110; a liar reports far above or far below.
        assert_eq!(lower_median(&[u(100), u(110), u(1_000_000)]), Some(u(110)));
        assert_eq!(lower_median(&[u(100), u(110), u(0)]), Some(u(100)));
        // Two reports: the lower one, so a liar can only lower it.
        assert_eq!(lower_median(&[u(100), u(1_000_000)]), Some(u(100)));
        assert_eq!(lower_median(&[u(4), u(1), u(3), u(2)]), Some(u(2)));
    }

    #[test]
    fn fewer_reports_than_the_quorum_leave_the_depth_unknown() {
        let params = OracleParams {
            min_feeders: 2,
            ..OracleParams::default()
        };
        assert_eq!(
            aggregate_depth(&params, 100, &[(100, u(7))], None).unwrap(),
            None
        );
        let r = aggregate_depth(&params, 100, &[(90, u(7)), (100, u(9))], None)
            .unwrap()
            .unwrap();
        assert_eq!(r.depth, u(7));
        // The second-newest report (90) plus max_age (60).
        assert_eq!((r.measured_at, r.fresh_until), (100, 150));
        assert_eq!(depth_at(Some(&r), 150), Some(u(7)));
        assert_eq!(depth_at(Some(&r), 151), None);
        // The upper median (9) is the high.
        assert_eq!((r.high, r.high_at), (u(9), 100));
        assert_eq!(
            aggregate_depth(&params, 120, &[(120, u(1))], Some(&r)).unwrap(),
            None
        );
    }

    #[test]
    fn one_liar_cannot_lower_the_upper_median_nor_raise_it_among_three() {
        assert_eq!(upper_median(&[]), None);
        assert_eq!(upper_median(&[u(5)]), Some(u(5)));
        assert_eq!(upper_median(&[u(100), u(110), u(0)]), Some(u(100)));
        assert_eq!(upper_median(&[u(100), u(110), u(1_000_000)]), Some(u(110)));
        // Two reports: the higher one, so a liar can only raise the reference (and halt).
        assert_eq!(upper_median(&[u(100), u(0)]), Some(u(100)));
        assert_eq!(upper_median(&[u(4), u(1), u(3), u(2)]), Some(u(3)));
    }

    #[test]
    fn the_high_keeps_the_window_s_deepest_book_until_it_is_older_than_the_window() {
        let params = OracleParams {
            min_feeders: 2,
            twap_window: 1_800,
            ..OracleParams::default()
        };
        let at = |now: u64, a: u128, b: u128, prev: Option<&DepthRecord>| {
            aggregate_depth(&params, now, &[(now, u(a)), (now, u(b))], prev)
                .unwrap()
                .unwrap()
        };
        let first = at(100, 50, 100, None);
        assert_eq!(
            (first.depth, first.high, first.high_at),
            (u(50), u(100), 100)
        );
        // A thinner book does not lower it within the window ...
        let thin = at(1_900, 30, 40, Some(&first));
        assert_eq!((thin.depth, thin.high, thin.high_at), (u(30), u(100), 100));
        // ... a deeper one replaces it ...
        let deep = at(1_000, 90, 120, Some(&first));
        assert_eq!((deep.high, deep.high_at), (u(120), 1_000));
        // ... and one older than the window gives way to the next report.
        let late = at(1_901, 30, 40, Some(&thin));
        assert_eq!((late.high, late.high_at), (u(40), 1_901));
    }

    #[test]
    fn the_book_holds_while_the_depth_keeps_the_price_share_rounded_up() {
        let p = |x: u64| Decimal::percent(x);
        // From 10 to 6.5: 65 of a reference of 100 is needed.
        assert!(holds(u(65), u(100), p(650), p(1_000)));
        assert!(!holds(u(64), u(100), p(650), p(1_000)));
        // ⌈7 · 0.7⌉ = ⌈4.9⌉ = 5: rounding asks for more depth, never less.
        assert!(holds(u(5), u(7), p(70), p(100)));
        assert!(!holds(u(4), u(7), p(70), p(100)));
        // No reference, no depth or no starting price: no hold.
        assert!(!holds(u(1_000), u(0), p(70), p(100)));
        assert!(!holds(u(0), u(100), p(1), p(100)));
        assert!(!holds(u(1_000), u(100), p(70), p(0)));
    }
}
