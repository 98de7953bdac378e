//! Collateral valuation, borrow limit and health factor of a cross-margin account.
use cosmwasm_std::{Decimal, StdResult, Uint128};

/// Value in base units of `amount` collateral units at `price` (base units per collateral
/// unit): `floor(amount · price)`. Rounded down: collateral never counts for more than it is.
pub fn value(amount: Uint128, price: Decimal) -> StdResult<Uint128> {
    Ok(amount.checked_mul_floor(price)?)
}

/// One collateral holding of an account, with the prices and factors that apply to it.
#[derive(Debug, Clone, PartialEq)]
pub struct CollateralLine {
    /// Units held.
    pub amount: Uint128,
    /// Price for solvency (the oracle median).
    pub price: Decimal,
    /// Price for borrow power: `min(median, TWAP)`, the more conservative of the two.
    pub borrow_price: Decimal,
    /// Liquidation threshold in force now (after any ramp).
    pub liquidation_threshold: Decimal,
    /// Effective loan-to-value for new borrows (after volatility scaling).
    pub ltv: Decimal,
}

/// The solvency summary of an account.
#[derive(Debug, Clone, PartialEq)]
pub struct Health {
    /// `Σ value_i` at the median price.
    pub collateral_value: Uint128,
    /// `Σ value_i · LT_i` at the median price: the debt the account may carry before liquidation.
    pub liquidation_value: Uint128,
    /// `Σ value_i(borrow_price) · ltv_i`: the most debt a borrow or withdrawal may leave.
    pub borrow_limit: Uint128,
    /// Debt in base units (rounded up).
    pub debt: Uint128,
    /// `liquidation_value / debt`; `None` when there is no debt.
    pub health_factor: Option<Decimal>,
}

impl Health {
    /// Whether the account may be liquidated: debt and `HF < 1`.
    pub fn is_liquidatable(&self) -> bool {
        matches!(self.health_factor, Some(hf) if hf < Decimal::one())
    }

    /// Whether the debt fits under the borrow limit.
    pub fn within_borrow_limit(&self) -> bool {
        self.debt <= self.borrow_limit
    }
}

/// Health factor:
///
/// ```text
/// HF = Σ (value_i · LT_i) / debt
/// ```
/// Rounded down; `None` for zero debt; saturates at `Decimal::MAX` for tiny debts.
pub fn health_factor(liquidation_value: Uint128, debt: Uint128) -> Option<Decimal> {
    if debt.is_zero() {
        return None;
    }
    Some(Decimal::checked_from_ratio(liquidation_value, debt).unwrap_or(Decimal::MAX))
}

/// Values every line and sums the account's health. Each product is rounded down, so the
/// account never looks healthier than it is.
pub fn compute_health(lines: &[CollateralLine], debt: Uint128) -> StdResult<Health> {
    let mut collateral_value = Uint128::zero();
    let mut liquidation_value = Uint128::zero();
    let mut borrow_limit = Uint128::zero();
    for l in lines {
        let v = value(l.amount, l.price)?;
        collateral_value = collateral_value.checked_add(v)?;
        liquidation_value = liquidation_value.checked_add(v.mul_floor(l.liquidation_threshold))?;
        let bv = value(l.amount, l.borrow_price)?;
        borrow_limit = borrow_limit.checked_add(bv.mul_floor(l.ltv))?;
    }
    Ok(Health {
        collateral_value,
        liquidation_value,
        borrow_limit,
        debt,
        health_factor: health_factor(liquidation_value, debt),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::reference::{close, d, f};

    fn line(amount: u128, price: &str, twap: &str, lt: &str, ltv: &str) -> CollateralLine {
        CollateralLine {
            amount: Uint128::new(amount),
            price: d(price),
            borrow_price: d(twap).min(d(price)),
            liquidation_threshold: d(lt),
            ltv: d(ltv),
        }
    }

    #[test]
    fn health_factor_sums_collaterals_weighted_by_threshold() {
        // 1000 ATOM at 10 (LT 0.7) + 2 BTC-units at 30000 (LT 0.8); debt 9000.
        let h = compute_health(
            &[
                line(1000, "10", "10", "0.7", "0.68"),
                line(2, "30000", "30000", "0.8", "0.75"),
            ],
            Uint128::new(9000),
        )
        .unwrap();
        assert_eq!(h.collateral_value, Uint128::new(70_000));
        assert_eq!(h.liquidation_value, Uint128::new(7000 + 48_000));
        assert_eq!(h.borrow_limit, Uint128::new(6800 + 45_000));
        let hf = h.health_factor.unwrap();
        assert!(close(f(hf), 55_000.0 / 9000.0, 1e-15));
        assert!(!h.is_liquidatable());
        assert!(h.within_borrow_limit());
    }

    #[test]
    fn borrow_limit_uses_the_lower_of_median_and_twap() {
        let h = compute_health(&[line(100, "10", "8", "0.8", "0.5")], Uint128::new(1)).unwrap();
        assert_eq!(h.collateral_value, Uint128::new(1000));
        assert_eq!(h.borrow_limit, Uint128::new(400));
    }

    #[test]
    fn no_debt_means_no_health_factor_and_not_liquidatable() {
        let h = compute_health(&[line(1, "1", "1", "0.5", "0.5")], Uint128::zero()).unwrap();
        assert_eq!(h.health_factor, None);
        assert!(!h.is_liquidatable());
    }

    #[test]
    fn valuation_rounds_down_and_health_factor_rounds_down() {
        assert_eq!(value(Uint128::new(3), d("0.5")).unwrap(), Uint128::new(1));
        assert_eq!(
            health_factor(Uint128::new(2), Uint128::new(3)).unwrap(),
            d("0.666666666666666666")
        );
        assert_eq!(
            health_factor(Uint128::MAX, Uint128::one()).unwrap(),
            Decimal::MAX
        );
    }

    #[test]
    fn huge_amounts_overflow_into_an_error_not_a_panic() {
        let r = compute_health(&[line(u128::MAX, "2", "2", "0.5", "0.5")], Uint128::one());
        assert!(r.is_err());
    }
}
