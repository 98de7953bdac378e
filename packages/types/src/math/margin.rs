//! Dynamic margin (volatility-scaled borrow power) and parameter ramps.
use cosmwasm_std::Decimal;

/// Effective loan-to-value for new borrows under volatility `σ`:
///
/// ```text
/// ltv_eff = max_ltv · clamp(σ_ref / σ, min_factor, 1)
/// ```
/// At or below the reference volatility the full `max_ltv` applies; above it borrow power
/// shrinks in proportion (twice the reference volatility halves it), never below
/// `max_ltv · min_factor`. Only new borrows and withdrawals use it: liquidation thresholds do
/// not move with volatility, so a volatility spike never liquidates anyone by itself.
pub fn effective_ltv(
    max_ltv: Decimal,
    volatility: Decimal,
    reference: Decimal,
    min_factor: Decimal,
) -> Decimal {
    if volatility <= reference || volatility.is_zero() {
        return max_ltv;
    }
    let factor = reference
        .checked_div(volatility)
        .unwrap_or(Decimal::zero())
        .max(min_factor)
        .min(Decimal::one());
    // max_ltv <= 1 and factor <= 1: the product cannot overflow.
    max_ltv * factor
}

crate::cw_serde_struct! {
/// A value moving linearly from `from` (at `start`) to `to` (at `end`), times in seconds.
///
/// ```text
/// v(t) = from                                            t <= start
///      = from + (to − from) · (t − start) / (end − start)  start < t < end
///      = to                                              t >= end
/// ```
/// Liquidation thresholds change only through a ramp, so nobody is liquidated at once by a
/// parameter change (Euler-style LTV ramping).
pub struct Ramp {
    /// Value at and before `start`.
    pub from: Decimal,
    /// Value at and after `end`.
    pub to: Decimal,
    /// Start of the ramp, seconds since the epoch.
    pub start: u64,
    /// End of the ramp, seconds since the epoch.
    pub end: u64,
}
}

impl Ramp {
    /// A constant (already finished) ramp at `value`.
    pub fn constant(value: Decimal) -> Self {
        Ramp {
            from: value,
            to: value,
            start: 0,
            end: 0,
        }
    }

    /// The value at time `now`. When decreasing, rounds up (the intermediate value is never
    /// below the straight line, so it never liquidates earlier than announced).
    pub fn value_at(&self, now: u64) -> Decimal {
        if now >= self.end || self.end <= self.start {
            return self.to;
        }
        if now <= self.start {
            return self.from;
        }
        let elapsed = now - self.start;
        let total = self.end - self.start;
        let frac = Decimal::from_ratio(elapsed, total);
        if self.to >= self.from {
            self.from + (self.to - self.from) * frac
        } else {
            let drop = (self.from - self.to) * frac;
            self.from - drop
        }
    }

    /// Whether the ramp is still moving at `now`.
    pub fn is_active(&self, now: u64) -> bool {
        now < self.end && self.from != self.to
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::reference::d;

    #[test]
    fn borrow_power_shrinks_when_volatility_exceeds_the_reference() {
        let ltv = d("0.75");
        assert_eq!(effective_ltv(ltv, d("0.5"), d("0.8"), d("0.5")), ltv);
        assert_eq!(effective_ltv(ltv, d("0.8"), d("0.8"), d("0.5")), ltv);
        assert_eq!(effective_ltv(ltv, d("1.0"), d("0.8"), d("0.5")), d("0.6"));
        // Floored at half.
        assert_eq!(effective_ltv(ltv, d("10"), d("0.8"), d("0.5")), d("0.375"));
    }

    #[test]
    fn ramp_moves_linearly_and_holds_at_both_ends() {
        let r = Ramp {
            from: d("0.8"),
            to: d("0.7"),
            start: 100,
            end: 200,
        };
        assert_eq!(r.value_at(50), d("0.8"));
        assert_eq!(r.value_at(100), d("0.8"));
        assert_eq!(r.value_at(150), d("0.75"));
        assert_eq!(r.value_at(200), d("0.7"));
        assert_eq!(r.value_at(10_000), d("0.7"));
        assert!(r.is_active(150));
        assert!(!r.is_active(200));
        let up = Ramp {
            from: d("0.7"),
            to: d("0.8"),
            start: 0,
            end: 10,
        };
        assert_eq!(up.value_at(5), d("0.75"));
        assert_eq!(Ramp::constant(d("0.7")).value_at(5), d("0.7"));
    }

    #[test]
    fn a_decreasing_ramp_never_drops_faster_than_the_straight_line() {
        let r = Ramp {
            from: d("0.8"),
            to: d("0.7"),
            start: 0,
            end: 3,
        };
        // 0.8 - 0.1/3 = 0.7666..67 (exact line); truncating the drop keeps us at or above it.
        let v = r.value_at(1);
        assert!(v >= d("0.766666666666666666"));
        assert!(v <= d("0.766666666666666667"));
    }
}
