//! Status rules: staleness at query time and the healthy streak that clears a tripped status.
use breakwater_types::oracle::OracleStatus;

/// The status as seen at `now`: a stored `Active` whose price went stale (`now > fresh_until`)
/// reads as `Stale { since: fresh_until }`. `Halted` stays `Halted` (the trip is the more
/// serious reason); `Stale` and `NoQuorum` read as stored. Without a price (`fresh_until`
/// `None`) the stored status is returned.
pub fn effective_status(stored: &OracleStatus, fresh_until: Option<u64>, now: u64) -> OracleStatus {
    match (stored, fresh_until) {
        (OracleStatus::Active {}, Some(until)) if now > until => {
            OracleStatus::Stale { since: until }
        }
        _ => stored.clone(),
    }
}

/// Outcome of a healthy update (a quorum median within `breaker_move` of the TWAP).
#[derive(Debug, Clone, PartialEq)]
pub struct Healthy {
    /// The new stored status.
    pub status: OracleStatus,
    /// The healthy streak to store (`None` once active).
    pub healthy_since: Option<u64>,
}

/// Applies the healthy-streak rule to a healthy update at `now`.
///
/// `before` is the status seen just before the update (see [`effective_status`]). When it is
/// active, the asset stays active. Otherwise the streak continues from `streak` if the previous
/// price was still fresh (`was_fresh`; a stale gap interrupts it) or starts now, and the asset
/// turns active once `now − streak_start >= cooldown`; until then `before` is kept.
pub fn healthy_update(
    before: &OracleStatus,
    streak: Option<u64>,
    was_fresh: bool,
    now: u64,
    cooldown: u64,
) -> Healthy {
    if before.is_active() {
        return Healthy {
            status: OracleStatus::Active {},
            healthy_since: None,
        };
    }
    let start = match streak {
        Some(s) if was_fresh && s <= now => s,
        _ => now,
    };
    if now.saturating_sub(start) >= cooldown {
        Healthy {
            status: OracleStatus::Active {},
            healthy_since: None,
        }
    } else {
        Healthy {
            status: before.clone(),
            healthy_since: Some(start),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::Decimal;

    #[test]
    fn active_turns_stale_after_fresh_until_but_halted_stays_halted() {
        let active = OracleStatus::Active {};
        assert_eq!(effective_status(&active, Some(100), 100), active);
        assert_eq!(
            effective_status(&active, Some(100), 101),
            OracleStatus::Stale { since: 100 }
        );
        let halted = OracleStatus::Halted {
            since: 50,
            jump: Decimal::percent(30),
        };
        assert_eq!(effective_status(&halted, Some(100), 500), halted);
        let nq = OracleStatus::NoQuorum {
            since: 7,
            fresh: 1,
            required: 2,
        };
        assert_eq!(effective_status(&nq, None, 500), nq);
    }

    #[test]
    fn a_tripped_status_clears_only_after_an_uninterrupted_cooldown() {
        let halted = OracleStatus::Halted {
            since: 0,
            jump: Decimal::percent(30),
        };
        let h = healthy_update(&halted, None, true, 100, 300);
        assert_eq!(h.status, halted);
        assert_eq!(h.healthy_since, Some(100));
        let h = healthy_update(&halted, Some(100), true, 399, 300);
        assert_eq!(h.status, halted);
        let h = healthy_update(&halted, Some(100), true, 400, 300);
        assert_eq!(h.status, OracleStatus::Active {});
        assert_eq!(h.healthy_since, None);
        // A stale gap restarts the streak.
        let h = healthy_update(&halted, Some(100), false, 400, 300);
        assert_eq!(h.healthy_since, Some(400));
        // No cooldown: active at once.
        let h = healthy_update(&halted, None, true, 5, 0);
        assert_eq!(h.status, OracleStatus::Active {});
        // Active stays active.
        let h = healthy_update(&OracleStatus::Active {}, None, true, 5, 300);
        assert_eq!(h.status, OracleStatus::Active {});
    }
}
