//! The per-asset observation ring buffer.
//!
//! Slots `RING[(denom, 0..capacity)]` hold time-ordered checkpoints; `RING_META` says which
//! slot is the oldest and how many are used. Logical index `i` (0 = oldest) lives in slot
//! `(start + i) % capacity`. Observations are appended at most once per `spacing` seconds, so
//! the ring spans about `twap_window`; an observation at the same time as the newest one
//! replaces it (same-block revisions of the median). The window's start is found by binary
//! search over the logical indices (at most ~10 reads for 512 slots).
use crate::state::{RingMeta, RING, RING_META};
use breakwater_types::math::twap::Observation;
use breakwater_types::oracle::OracleParams;
use cosmwasm_std::{Order, StdResult, Storage};

/// Seconds between stored checkpoints: `twap_window / twap_capacity`, at least 1.
pub fn spacing(params: &OracleParams) -> u64 {
    params
        .twap_window
        .checked_div(u64::from(params.twap_capacity))
        .unwrap_or(1)
        .max(1)
}

/// Volatility sampling intervals per TWAP window.
pub const VOLATILITY_SAMPLES: u64 = 6;

/// Seconds per volatility sampling interval (see `breakwater_types::math::twap`): a sixth of
/// the TWAP window, at least the checkpoint spacing (300 s with the defaults).
pub fn volatility_interval(params: &OracleParams) -> u64 {
    (params.twap_window / VOLATILITY_SAMPLES).max(spacing(params))
}

/// Slot of logical index `i`.
fn slot(meta: &RingMeta, i: u32) -> u32 {
    // start < capacity and i < capacity, so the sum fits in u64 and the result in u32.
    let s = (u64::from(meta.start) + u64::from(i)) % u64::from(meta.capacity.max(1));
    u32::try_from(s).unwrap_or(0)
}

fn load_at(storage: &dyn Storage, denom: &str, meta: &RingMeta, i: u32) -> StdResult<Observation> {
    RING.load(storage, (denom, slot(meta, i)))
}

/// The newest stored observation, if any.
pub fn newest(storage: &dyn Storage, denom: &str) -> StdResult<Option<Observation>> {
    match RING_META.may_load(storage, denom)? {
        Some(meta) if meta.len > 0 => Ok(Some(load_at(
            storage,
            denom,
            &meta,
            meta.len.saturating_sub(1),
        )?)),
        _ => Ok(None),
    }
}

/// Records `obs` (the asset's new latest observation): replaces the newest checkpoint when it
/// has the same time, appends when at least `spacing` seconds passed since it (overwriting
/// the oldest when full), and otherwise stores nothing. Creates the ring with `capacity`
/// slots on first use.
pub fn record(
    storage: &mut dyn Storage,
    denom: &str,
    capacity: u32,
    spacing: u64,
    obs: &Observation,
) -> StdResult<()> {
    let mut meta = RING_META.may_load(storage, denom)?.unwrap_or(RingMeta {
        capacity: capacity.max(1),
        start: 0,
        len: 0,
    });
    if meta.len > 0 {
        let last = meta.len.saturating_sub(1);
        let newest = load_at(storage, denom, &meta, last)?;
        if newest.time == obs.time {
            return RING.save(storage, (denom, slot(&meta, last)), obs);
        }
        if obs.time.saturating_sub(newest.time) < spacing {
            return Ok(());
        }
    }
    if meta.len < meta.capacity {
        RING.save(storage, (denom, slot(&meta, meta.len)), obs)?;
        meta.len = meta.len.saturating_add(1);
    } else {
        RING.save(storage, (denom, meta.start), obs)?;
        meta.start = slot(&meta, 1);
    }
    RING_META.save(storage, denom, &meta)
}

/// The window's start: the newest stored observation with `time <= target`, or the oldest
/// stored one when none is that old. `None` when the ring is empty. Binary search.
pub fn window_start(
    storage: &dyn Storage,
    denom: &str,
    target: u64,
) -> StdResult<Option<Observation>> {
    let meta = match RING_META.may_load(storage, denom)? {
        Some(meta) if meta.len > 0 => meta,
        _ => return Ok(None),
    };
    let oldest = load_at(storage, denom, &meta, 0)?;
    if oldest.time > target {
        return Ok(Some(oldest));
    }
    // Invariant: time(lo) <= target; the answer lies in [lo, hi).
    let (mut lo, mut hi) = (0u32, meta.len);
    let mut best = oldest;
    while hi.saturating_sub(lo) > 1 {
        let mid = lo.saturating_add(hi.saturating_sub(lo) / 2);
        let obs = load_at(storage, denom, &meta, mid)?;
        if obs.time <= target {
            lo = mid;
            best = obs;
        } else {
            hi = mid;
        }
    }
    Ok(Some(best))
}

/// Deletes every slot and the bookkeeping of `denom`'s ring.
pub fn clear(storage: &mut dyn Storage, denom: &str) -> StdResult<()> {
    let slots: Vec<u32> = RING
        .prefix(denom)
        .keys(storage, None, None, Order::Ascending)
        .collect::<StdResult<_>>()?;
    for s in slots {
        RING.remove(storage, (denom, s));
    }
    RING_META.remove(storage, denom);
    Ok(())
}

/// Replaces the ring with an empty one of `capacity` slots holding just `latest` (if any).
/// Used when `twap_capacity` changes: older checkpoints are dropped.
pub fn reset(
    storage: &mut dyn Storage,
    denom: &str,
    capacity: u32,
    latest: Option<&Observation>,
) -> StdResult<()> {
    clear(storage, denom)?;
    if let Some(obs) = latest {
        record(storage, denom, capacity, 1, obs)?;
    }
    Ok(())
}

/// Number of stored observations (0 when the ring does not exist).
pub fn len(storage: &dyn Storage, denom: &str) -> StdResult<u32> {
    Ok(RING_META
        .may_load(storage, denom)?
        .map(|m| m.len)
        .unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::testing::MockStorage;
    use cosmwasm_std::Decimal;

    fn obs(time: u64, price: u64) -> Observation {
        Observation::first(time, Decimal::from_ratio(price, 1u64))
    }

    #[test]
    fn the_ring_never_grows_beyond_its_capacity_and_keeps_the_newest() {
        let mut st = MockStorage::new();
        for t in 0..50u64 {
            record(&mut st, "a", 4, 10, &obs(t * 10, t)).unwrap();
        }
        assert_eq!(len(&st, "a").unwrap(), 4);
        let slots = RING
            .prefix("a")
            .keys(&st, None, None, Order::Ascending)
            .count();
        assert_eq!(slots, 4);
        assert_eq!(newest(&st, "a").unwrap().unwrap().time, 490);
        // Oldest kept is 460.
        assert_eq!(window_start(&st, "a", 0).unwrap().unwrap().time, 460);
    }

    #[test]
    fn checkpoints_are_spaced_and_same_time_replaces() {
        let mut st = MockStorage::new();
        record(&mut st, "a", 8, 10, &obs(100, 1)).unwrap();
        record(&mut st, "a", 8, 10, &obs(105, 2)).unwrap();
        assert_eq!(len(&st, "a").unwrap(), 1);
        record(&mut st, "a", 8, 10, &obs(100, 3)).unwrap();
        assert_eq!(len(&st, "a").unwrap(), 1);
        assert_eq!(
            newest(&st, "a").unwrap().unwrap().price,
            Decimal::from_ratio(3u64, 1u64)
        );
        record(&mut st, "a", 8, 10, &obs(110, 4)).unwrap();
        assert_eq!(len(&st, "a").unwrap(), 2);
    }

    #[test]
    fn window_start_is_the_newest_checkpoint_at_or_before_the_target() {
        let mut st = MockStorage::new();
        // Wrap around a few times so the search crosses the slot boundary.
        for t in 0..23u64 {
            record(&mut st, "a", 7, 10, &obs(t * 10, t)).unwrap();
        }
        // Stored times: 160..=220.
        for (target, expected) in [
            (0, 160),
            (159, 160),
            (160, 160),
            (175, 170),
            (180, 180),
            (219, 210),
            (220, 220),
            (10_000, 220),
        ] {
            let got = window_start(&st, "a", target).unwrap().unwrap().time;
            assert_eq!(got, expected, "target {target}");
        }
        assert_eq!(window_start(&st, "b", 100).unwrap(), None);
    }

    #[test]
    fn clear_and_reset_drop_every_slot() {
        let mut st = MockStorage::new();
        for t in 0..5u64 {
            record(&mut st, "a", 4, 1, &obs(t, 1)).unwrap();
        }
        record(&mut st, "b", 4, 1, &obs(0, 1)).unwrap();
        reset(&mut st, "a", 2, Some(&obs(9, 2))).unwrap();
        assert_eq!(len(&st, "a").unwrap(), 1);
        assert_eq!(RING_META.load(&st, "a").unwrap().capacity, 2);
        clear(&mut st, "a").unwrap();
        assert_eq!(len(&st, "a").unwrap(), 0);
        assert_eq!(
            RING.prefix("a")
                .keys(&st, None, None, Order::Ascending)
                .count(),
            0
        );
        assert_eq!(len(&st, "b").unwrap(), 1);
    }
}
