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
use crate::error::ContractError;
use crate::state::DepthRecord;
use breakwater_types::oracle::OracleParams;
use cosmwasm_std::{OverflowError, OverflowOperation, Uint128};

/// The lower median of `values` (see the module docs), `None` when empty.
pub fn lower_median(values: &[Uint128]) -> Option<Uint128> {
    let mut v = values.to_vec();
    v.sort();
    v.get(v.len().checked_sub(1)? / 2).copied()
}

/// Aggregates the fresh `reports` (`(submission time, depth)`) at `now`: the record to store
/// when a quorum reported, `None` otherwise (a feeder's newer submission without a depth
/// withdraws its report).
pub fn aggregate_depth(
    params: &OracleParams,
    now: u64,
    reports: &[(u64, Uint128)],
) -> Result<Option<DepthRecord>, ContractError> {
    let required = usize::try_from(params.min_feeders).unwrap_or(usize::MAX);
    if reports.len() < required {
        return Ok(None);
    }
    let depths: Vec<Uint128> = reports.iter().map(|(_, d)| *d).collect();
    let Some(depth) = lower_median(&depths) else {
        return Ok(None);
    };
    let mut times: Vec<u64> = reports.iter().map(|(t, _)| *t).collect();
    times.sort_unstable_by(|a, b| b.cmp(a));
    let nth = times[required.saturating_sub(1).min(times.len() - 1)];
    let fresh_until = nth
        .checked_add(params.max_age)
        .ok_or_else(|| ContractError::from(OverflowError::new(OverflowOperation::Add)))?;
    Ok(Some(DepthRecord {
        depth,
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
        assert_eq!(aggregate_depth(&params, 100, &[(100, u(7))]).unwrap(), None);
        let r = aggregate_depth(&params, 100, &[(90, u(7)), (100, u(9))])
            .unwrap()
            .unwrap();
        assert_eq!(r.depth, u(7));
        // The second-newest report (90) plus max_age (60).
        assert_eq!((r.measured_at, r.fresh_until), (100, 150));
        assert_eq!(depth_at(Some(&r), 150), Some(u(7)));
        assert_eq!(depth_at(Some(&r), 151), None);
        assert_eq!(aggregate_depth(&params, 120, &[(120, u(1))]).unwrap(), None);
    }
}
