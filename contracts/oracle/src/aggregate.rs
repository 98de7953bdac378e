//! Recomputes an asset's price, TWAP, volatility and status after a submission.
//!
//! 1. Fresh submissions: those with `time + max_age >= now` (only current feeders have any).
//! 2. `medianize` them with `max_deviation` into kept and excluded prices.
//! 3. Fewer kept than `min_feeders`: `NoQuorum` (keeping an earlier `since`), the price record
//!    is left as it was and the healthy streak is reset.
//! 4. Otherwise the new median `m` is compared with the TWAP of the window as of now, computed
//!    before `m` is added. A jump beyond `breaker_move` halts the asset (keeping an earlier
//!    `since`), unless `breaker_book` is set and the book held through the fall (see
//!    [`crate::depth`]: such an update counts as healthy); a healthy update keeps an active
//!    asset active and lets a non-active one (halted, no quorum, or stale just before the
//!    update) turn active after `cooldown` seconds of uninterrupted healthy updates. The very
//!    first price of an asset has no history to compare with and makes it active at once.
//! 5. The median is recorded even when halted: the latest observation advances and the ring
//!    buffer takes a checkpoint when due.
//! 6. TWAP and volatility over the window, and `fresh_until` (when fewer than `min_feeders` of
//!    the kept submissions would still be fresh) are stored.
use crate::depth;
use crate::error::ContractError;
use crate::ring;
use crate::state::{PriceRecord, StatusRecord, Submission, PRICES, STATUS, SUBMISSIONS};
use crate::status::{effective_status, healthy_update};
use breakwater_types::math::median::{deviation, medianize, middle_values};
use breakwater_types::math::twap::{twap, volatility, Observation};
use breakwater_types::oracle::{BelowTwap, OracleParams, OracleStatus};
use cosmwasm_std::{
    Addr, Decimal, Order, OverflowError, OverflowOperation, StdResult, Storage, Uint128,
};

/// What an update did, for events.
#[derive(Debug, Clone, PartialEq)]
pub struct Refreshed {
    /// The recorded median after the update (the previous one when there was no quorum).
    pub median: Option<Decimal>,
    /// The recorded TWAP after the update.
    pub twap: Option<Decimal>,
    /// The stored status after the update.
    pub status: OracleStatus,
    /// Fresh submissions kept by this computation.
    pub used: usize,
    /// Fresh submissions excluded as outliers by this computation.
    pub excluded: usize,
    /// Relative move of the new median from the TWAP, when there was history to compare.
    pub jump: Option<Decimal>,
    /// The jump was beyond `breaker_move` but did not halt: the book held through the fall.
    pub book_held: bool,
}

/// A fresh submission keyed by feeder and submission time.
type Fresh = ((Addr, u64), Decimal);
/// A fresh depth report: submission time and depth.
type DepthReport = (u64, Uint128);

/// Fresh submissions of `denom` at `now`, in feeder address order, and the depth reports
/// they carry (`(time, depth)`).
fn fresh_submissions(
    storage: &dyn Storage,
    denom: &str,
    max_age: u64,
    now: u64,
) -> StdResult<(Vec<Fresh>, Vec<DepthReport>)> {
    let all: Vec<(Addr, Submission)> = SUBMISSIONS
        .prefix(denom)
        .range(storage, None, None, Order::Ascending)
        .collect::<StdResult<_>>()?;
    let fresh: Vec<(Addr, Submission)> = all
        .into_iter()
        .filter(|(_, s)| s.time.saturating_add(max_age) >= now)
        .collect();
    let depths = fresh
        .iter()
        .filter_map(|(_, s)| s.depth.map(|d| (s.time, d)))
        .collect();
    let prices = fresh
        .into_iter()
        .map(|(feeder, s)| ((feeder, s.time), s.price))
        .collect();
    Ok((prices, depths))
}

/// Time at which fewer than `required` of `kept` would still be fresh.
fn fresh_until(kept: &[Fresh], required: u32, max_age: u64) -> Result<u64, ContractError> {
    let mut times: Vec<u64> = kept.iter().map(|((_, t), _)| *t).collect();
    times.sort_unstable_by(|a, b| b.cmp(a));
    let idx = usize::try_from(required)
        .unwrap_or(usize::MAX)
        .saturating_sub(1);
    // The caller checked `kept.len() >= required`; fall back to the oldest otherwise.
    let nth = times
        .get(idx)
        .or_else(|| times.last())
        .copied()
        .unwrap_or(0);
    nth.checked_add(max_age)
        .ok_or_else(|| OverflowError::new(OverflowOperation::Add).into())
}

/// Recomputes `denom` at `now` from the stored submissions (see the module docs).
///
/// A function of its own in the wasm: inlined into `submit_prices` (link-time optimization
/// does that), the two need more locals than the CosmWasm VM accepts in one function (100).
#[inline(never)]
pub fn refresh(
    storage: &mut dyn Storage,
    denom: &str,
    params: &OracleParams,
    now: u64,
) -> Result<Refreshed, ContractError> {
    let prev_price = PRICES.may_load(storage, denom)?;
    let prev_status = STATUS.may_load(storage, denom)?;
    let prev_fresh_until = prev_price.as_ref().map(|p| p.fresh_until);

    // 1-2. Fresh submissions, medianized; their depth reports aggregated (see `depth`).
    let (fresh, depths) = fresh_submissions(storage, denom, params.max_age, now)?;
    let prev_depth = prev_status.as_ref().and_then(|s| s.depth.as_ref());
    let depth = depth::aggregate_depth(params, now, &depths, prev_depth)?;
    let medianized = medianize(fresh, params.max_deviation);
    let required = params.min_feeders;
    let kept_count = medianized.as_ref().map_or(0, |m| m.kept.len());
    let excluded_count = medianized.as_ref().map_or(0, |m| m.excluded.len());

    // 3. No quorum: record the status only.
    let med = match medianized {
        Some(m) if kept_count >= usize::try_from(required).unwrap_or(usize::MAX) => m,
        _ => {
            let since = match prev_status.as_ref().map(|s| &s.status) {
                Some(OracleStatus::NoQuorum { since, .. }) => *since,
                _ => now,
            };
            let status = OracleStatus::NoQuorum {
                since,
                fresh: u32::try_from(kept_count).unwrap_or(u32::MAX),
                required,
            };
            STATUS.save(
                storage,
                denom,
                &StatusRecord {
                    status: status.clone(),
                    healthy_since: None,
                    depth,
                    // No new median: the streak neither grows nor ends.
                    below_twap: prev_status.as_ref().and_then(|s| s.below_twap),
                },
            )?;
            return Ok(Refreshed {
                median: prev_price.as_ref().map(|p| p.latest.price),
                twap: prev_price.as_ref().map(|p| p.twap),
                status,
                used: kept_count,
                excluded: excluded_count,
                jump: None,
                book_held: false,
            });
        }
    };
    let m = med.median;
    let window_from = now.saturating_sub(params.twap_window);

    // The observation this update derives from: the latest one, or, when it was set earlier
    // in this same block, the one before it (same-block revisions replace each other).
    let base: Option<Observation> = match &prev_price {
        Some(p) if p.latest.time < now => Some(p.latest.clone()),
        Some(p) => p.prior.clone(),
        None => None,
    };

    // What a fall's book is judged against (see `depth`): the streak's reference, or, with no
    // streak, the window's depth high as of the update before this one (never one this
    // update's own reports set) and the TWAP before this update's median.
    let streak = prev_status.as_ref().and_then(|s| s.below_twap);
    let high = prev_depth
        .filter(|r| now.saturating_sub(r.high_at) <= params.twap_window)
        .map(|r| r.high);
    let mut twap_before = None;

    // 4. Circuit breaker against the TWAP from before `m`, then the status.
    let mut book_held = false;
    let (status, healthy_since, jump) = match &base {
        None => (OracleStatus::Active {}, None, None),
        Some(base) => {
            let end = base.extend_to(now)?;
            let start = ring::window_start(storage, denom, window_from)?
                .filter(|s| s.time <= end.time)
                .unwrap_or_else(|| base.clone());
            // Measured on the middle submission nearest the TWAP (the median itself for an odd
            // count): a liar beside one honest feeder cannot inflate it past the honest jump.
            let before = twap(&start, &end)?;
            let kept: Vec<Decimal> = med.kept.iter().map(|(_, p)| *p).collect();
            let jump = middle_values(&kept)
                .into_iter()
                .map(|v| deviation(v, before))
                .min()
                .unwrap_or_else(|| deviation(m, before));
            let stored = prev_status.as_ref().map(|s| s.status.clone());
            twap_before = Some(before);
            let reference = match streak {
                Some(b) => b.depth.map(|d| (d, b.from)),
                None => high.map(|h| (h, before)),
            };
            // Judged on the higher middle kept price (the median for an odd count): one liar
            // beside one honest feeder can only raise it, which asks for more depth.
            let upper = middle_values(&kept).into_iter().max().unwrap_or(m);
            book_held = jump > params.breaker_move
                && params.breaker_book
                && kept.iter().all(|v| *v < before)
                && matches!(
                    (depth.as_ref(), reference),
                    (Some(d), Some((r, from))) if depth::holds(d.depth, r, upper, from)
                );
            if jump > params.breaker_move && !book_held {
                let since = match stored {
                    Some(OracleStatus::Halted { since, .. }) => since,
                    _ => now,
                };
                (OracleStatus::Halted { since, jump }, None, Some(jump))
            } else {
                let stored = stored.unwrap_or(OracleStatus::Active {});
                let before = effective_status(&stored, prev_fresh_until, now);
                let was_fresh = prev_fresh_until.is_some_and(|until| now <= until);
                let streak = prev_status.as_ref().and_then(|s| s.healthy_since);
                let h = healthy_update(&before, streak, was_fresh, now, params.cooldown);
                (h.status, h.healthy_since, Some(jump))
            }
        }
    };

    // 5. Advance the observation and checkpoint it.
    let latest = match &base {
        Some(b) => b.next(now, m, ring::volatility_interval(params))?,
        None => Observation::first(now, m),
    };
    ring::record(
        storage,
        denom,
        params.twap_capacity,
        ring::spacing(params),
        &latest,
    )?;

    // 6. TWAP and volatility over the window, freshness horizon.
    let start = ring::window_start(storage, denom, window_from)?
        .filter(|s| s.time <= latest.time)
        .unwrap_or_else(|| latest.clone());
    let avg = twap(&start, &latest)?;
    let vol = volatility(&start, &latest)?;
    let until = fresh_until(&med.kept, required, params.max_age)?;
    // The streak of updates with the median at least `fall_band` under its TWAP goes on from
    // the stored record; a revision in the same block that flips it back starts a new streak
    // (never a longer one). The shortfall `(TWAP − median) / TWAP` rounds down.
    let shortfall = if m < avg {
        avg.checked_sub(m)?.checked_div(avg)?
    } else {
        Decimal::zero()
    };
    // The streak's low: a median under the stored low is a new one, made now. What the
    // median has kept of the price the fall began from is read at every update.
    let below_twap = (m < avg && shortfall >= params.fall_band).then(|| {
        let b = match prev_status.as_ref().and_then(|s| s.below_twap) {
            Some(b) if m < b.low => BelowTwap {
                low: m,
                low_at: now,
                shortfall,
                ..b
            },
            Some(b) => BelowTwap { shortfall, ..b },
            None => BelowTwap {
                since: now,
                shortfall,
                low: m,
                low_at: now,
                depth: high,
                from: twap_before.unwrap_or(avg),
                kept: Decimal::zero(),
            },
        };
        BelowTwap {
            kept: kept(m, b.from),
            ..b
        }
    });

    let used = med.kept.len();
    let excluded = med.excluded.len();
    PRICES.save(
        storage,
        denom,
        &PriceRecord {
            latest,
            prior: base,
            twap: avg,
            volatility: vol,
            updated_at: now,
            fresh_until: until,
            feeders_used: med.kept.into_iter().map(|((a, _), _)| a).collect(),
            feeders_excluded: med.excluded.into_iter().map(|((a, _), p)| (a, p)).collect(),
        },
    )?;
    STATUS.save(
        storage,
        denom,
        &StatusRecord {
            status: status.clone(),
            healthy_since,
            depth,
            below_twap,
        },
    )?;
    Ok(Refreshed {
        median: Some(m),
        twap: Some(avg),
        status,
        used,
        excluded,
        jump,
        book_held,
    })
}

/// What `median` has kept of `from`: `median / from` rounded up, at most 1 (a book judged
/// against it must hold at least that share); 0 without a `from` (no judgement).
pub fn kept(median: Decimal, from: Decimal) -> Decimal {
    if from.is_zero() {
        return Decimal::zero();
    }
    median
        .atomics()
        .checked_mul_ceil((Decimal::one().atomics(), from.atomics()))
        .map_or(Decimal::one(), Decimal::new)
        .min(Decimal::one())
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::testing::MockStorage;
    use cosmwasm_std::Decimal256;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn params() -> OracleParams {
        OracleParams {
            min_feeders: 2,
            ..OracleParams::default()
        }
    }

    fn submit(st: &mut MockStorage, feeder: &str, price: &str, now: u64) -> Refreshed {
        let addr = Addr::unchecked(feeder);
        SUBMISSIONS
            .save(
                st,
                ("a", &addr),
                &Submission {
                    price: d(price),
                    time: now,
                    depth: None,
                },
            )
            .unwrap();
        refresh(st, "a", &params(), now).unwrap()
    }

    #[test]
    fn fresh_until_is_set_by_the_quorum_th_newest_kept_submission() {
        let a = Addr::unchecked("a");
        let kept = vec![
            ((a.clone(), 100), d("1")),
            ((a.clone(), 130), d("1")),
            ((a, 120), d("1")),
        ];
        assert_eq!(fresh_until(&kept, 2, 60).unwrap(), 180);
        assert_eq!(fresh_until(&kept, 3, 60).unwrap(), 160);
        assert_eq!(fresh_until(&kept, 1, 60).unwrap(), 190);
    }

    #[test]
    fn same_block_revisions_replace_each_other_instead_of_stacking_returns() {
        let mut st = MockStorage::new();
        submit(&mut st, "f1", "10", 1000);
        let first = submit(&mut st, "f2", "10", 1000);
        assert_eq!(first.status, OracleStatus::Active {});
        // Next block: the median walks 10 -> 10.2 -> 10.5 as the two feeders update.
        submit(&mut st, "f1", "10.4", 1010);
        submit(&mut st, "f2", "10.6", 1010);
        let rec = PRICES.load(&st, "a").unwrap();
        assert_eq!(rec.latest.price, d("10.5"));
        // Derived from the observation at 1000 once, not from each intermediate median.
        assert_eq!(rec.prior.unwrap().time, 1000);
        assert_eq!(rec.latest.cum_price, Decimal256::from(d("100")));
        // Only the checkpoint at 1000: 1010 is within the 15 s spacing.
        assert_eq!(ring::len(&st, "a").unwrap(), 1);
    }

    #[test]
    fn no_quorum_keeps_the_previous_price_and_the_earliest_since() {
        let mut st = MockStorage::new();
        submit(&mut st, "f1", "10", 1000);
        submit(&mut st, "f2", "10", 1000);
        // 100 s later only f1 is fresh.
        let r = submit(&mut st, "f1", "11", 1100);
        assert_eq!(
            r.status,
            OracleStatus::NoQuorum {
                since: 1100,
                fresh: 1,
                required: 2
            }
        );
        assert_eq!(r.median, Some(d("10")));
        let r = submit(&mut st, "f1", "11", 1105);
        assert!(matches!(
            r.status,
            OracleStatus::NoQuorum { since: 1100, .. }
        ));
        assert_eq!(PRICES.load(&st, "a").unwrap().updated_at, 1000);
    }
}
