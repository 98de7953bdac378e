//! When work pays: a liquidation's keeper reward against its share of the fee, and a bid's
//! resale on a constant-product venue (slippage and the venue's fee included) against its
//! cost and fee. Pure functions; the roles feed them chain data.
use cosmwasm_std::{Decimal, Uint128};

/// A constant-product venue for one collateral: reserves and fee.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pool {
    /// Base units in the pool.
    pub base: u128,
    /// Collateral units in the pool.
    pub collateral: u128,
    /// Swap fee, basis points.
    pub fee_bps: u16,
}

impl Pool {
    /// Base units out for selling `units` of collateral: `floor(B·u·(1−f) / (C + u·(1−f)))`
    /// with the fee taken on the input, exactly as `contracts/devnet-pool` computes it.
    pub fn sell(&self, units: u128) -> u128 {
        let keep = 10_000u128 - u128::from(self.fee_bps.min(10_000));
        let Some(net) = units.checked_mul(keep) else {
            return 0;
        };
        let (Some(num), Some(den)) = (
            self.base.checked_mul(net),
            self.collateral
                .checked_mul(10_000)
                .and_then(|c| c.checked_add(net)),
        ) else {
            return 0;
        };
        if den == 0 {
            return 0;
        }
        num / den
    }

    /// The venue's marginal price now, base per collateral unit (before its fee).
    pub fn price(&self) -> f64 {
        if self.collateral == 0 {
            0.0
        } else {
            self.base as f64 / self.collateral as f64
        }
    }
}

/// A bid worth making.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BidPlan {
    /// Collateral units to buy.
    pub units: u128,
    /// Base units paid to the auction (`ceil(units · price)`).
    pub cost: u128,
    /// Base units from selling them on the venue.
    pub proceeds: u128,
    /// `proceeds − cost − fee`, base units.
    pub profit: i128,
}

/// The most profitable bid at auction price `price` on a lot of `lot` units, reselling on
/// `pool`, spending at most `max_spend`, paying `fee` base units of gas: the size where the
/// venue's marginal price (after its fee) falls to the auction price,
/// `u* = (√(B·C·γ/p) − C)/γ`, clamped to the lot and the budget, then checked in integers.
/// `None` unless the profit is at least `min_profit`.
pub fn plan_resale_bid(
    price: Decimal,
    lot: u128,
    pool: &Pool,
    max_spend: u128,
    fee: u128,
    min_profit: i128,
) -> Option<BidPlan> {
    if price.is_zero() || lot == 0 || pool.base == 0 || pool.collateral == 0 {
        return None;
    }
    let p: f64 = price.to_string().parse().ok()?;
    let gamma = 1.0 - f64::from(pool.fee_bps.min(10_000)) / 10_000.0;
    let (b, c) = (pool.base as f64, pool.collateral as f64);
    let best = ((b * c * gamma / p).sqrt() - c) / gamma;
    if best.is_nan() || best < 1.0 {
        return None;
    }
    let budget = Uint128::new(max_spend)
        .checked_div_floor(price)
        .ok()?
        .u128();
    let mut units = (best.floor() as u128).min(lot).min(budget);
    // Integer rounding can make the optimum's neighbourhood unprofitable by a unit or two:
    // walk down a little before giving up.
    for _ in 0..4 {
        if units == 0 {
            return None;
        }
        let cost = Uint128::new(units).checked_mul_ceil(price).ok()?.u128();
        let proceeds = pool.sell(units);
        let profit = proceeds as i128 - cost as i128 - fee as i128;
        if profit >= min_profit {
            return Some(BidPlan {
                units,
                cost,
                proceeds,
                profit,
            });
        }
        units = units * 9 / 10;
    }
    None
}

/// Profit of a liquidation in base units: its keeper reward minus its fee.
pub fn liquidation_profit(reward: u128, fee: u128) -> i128 {
    reward as i128 - fee as i128
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool() -> Pool {
        // 1,000,000 base / 100,000 collateral: price 10, fee 0.3%.
        Pool {
            base: 1_000_000_000_000,
            collateral: 100_000_000_000,
            fee_bps: 30,
        }
    }

    #[test]
    fn selling_into_the_pool_slips_and_pays_its_fee() {
        let p = pool();
        // A tiny sale gets about 10 × (1 − 0.3%).
        let out = p.sell(1_000_000);
        assert!((9_960_000..9_970_000).contains(&out), "{out}");
        // 10% of the pool's collateral gets far less than 10 per unit.
        let out = p.sell(10_000_000_000);
        assert!(out < 91_000_000_000 && out > 90_000_000_000, "{out}");
        // Rounds down (the pool keeps the dust).
        let exact = 1_000_000_000_000u128 * 9_970 / (100_000_000_000 * 10_000 + 9_970);
        assert_eq!(p.sell(1), exact);
    }

    #[test]
    fn a_bid_buys_up_to_where_the_venue_stops_paying_more_than_the_auction() {
        let p = pool();
        // Auction at 9 against a venue at 10: worth buying, but not the whole 50k lot.
        let plan =
            plan_resale_bid(Decimal::percent(900), 50_000_000_000, &p, u128::MAX, 0, 0).unwrap();
        assert!(
            plan.units < 50_000_000_000 && plan.units > 1_000_000_000,
            "{plan:?}"
        );
        assert!(plan.profit > 0);
        // The chosen size beats 20% more and 20% less.
        let profit = |u: u128| {
            p.sell(u) as i128 - Uint128::new(u).mul_ceil(Decimal::percent(900)).u128() as i128
        };
        assert!(profit(plan.units) >= profit(plan.units * 12 / 10));
        assert!(profit(plan.units) >= profit(plan.units * 8 / 10));
    }

    #[test]
    fn no_bid_when_the_venue_pays_less_than_the_auction_asks_or_gas_eats_the_profit() {
        let p = pool();
        // Auction at 10 and venue at 10 with a fee: never profitable.
        assert!(plan_resale_bid(Decimal::percent(1000), 1_000_000, &p, u128::MAX, 0, 0).is_none());
        // Auction at 9.99: a sliver of profit that a large fee wipes out.
        let small = plan_resale_bid(Decimal::permille(9_960), 1_000_000_000, &p, u128::MAX, 0, 0);
        let with_fee = plan_resale_bid(
            Decimal::permille(9_960),
            1_000_000_000,
            &p,
            u128::MAX,
            small.map_or(0, |s| s.profit as u128 + 1),
            0,
        );
        assert!(
            small.is_some() && with_fee.is_none(),
            "{small:?} {with_fee:?}"
        );
    }

    #[test]
    fn the_budget_caps_the_bid() {
        let plan =
            plan_resale_bid(Decimal::percent(900), 50_000_000_000, &pool(), 9_000, 0, 0).unwrap();
        assert_eq!(plan.units, 1_000);
        assert_eq!(plan.cost, 9_000);
    }
}
