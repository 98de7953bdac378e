//! The keeper population every engine faces: who calls liquidations and buys seized
//! collateral, with how much capital, at what cost and how fast.
//!
//! # The two models
//!
//! * **Realistic** (the default, `keepers.dump = 0`). A keeper acts only when it pays: it buys
//!   collateral at a unit cost `c` (an auction price, a storefront quote, the collateral a
//!   liquidation call hands over per unit of debt repaid) only as far as it can sell it on the
//!   external market with the marginal price still at least `c / (1 − margin)`, and only if the
//!   whole trade clears its gas cost: `proceeds(u) − u·c − gas > 0`. It sells what it buys at
//!   once (its profit is the spread; holding is price risk it does not take). Capital is finite
//!   (`capital` × initial debt per keeper, recycled as soon as it sells) unless the protocol lets
//!   it pay after receiving the collateral (flash liquidation: Aave's settlement order, Maker
//!   2.0's `clipperCall`, Breakwater's flash bids), where the external depth bounds it instead.
//! * **Dump everything** (`keepers.dump = 1`, the lab's original, harsher keepers). A keeper
//!   buys whenever the price is at least `margin` below the external price, as much as its
//!   capital allows, ignoring slippage and gas, and dumps all of it: the feedback loop at its
//!   strongest.
//!
//! Both: `count` keepers take turns; each can send `tx_per_step` transactions per step; a
//! transaction fails with probability `fail_share` (congestion: the gas is spent, nothing
//! happens); an opportunity (an account becoming liquidatable, an auction starting) is acted
//! upon `latency` steps after it appears. Liquidation calls that pay the caller (a bonus, a
//! tip, gas compensation) are made when that pay covers the gas; calls that pay nothing
//! (Compound's `absorb`, Liquity's permissionless liquidation in the lab) are made by the
//! protocol's own keepers regardless.
use crate::depth::ExternalMarket;
use crate::model::ScenarioPoint;
use rand::{Rng, SeedableRng};

crate::param_set! {
    /// The keeper population (module docs).
    pub struct KeeperParams("keepers") {
        dump = 0.0, "1: the original keepers that buy whenever the price is `margin` below the external price and dump everything; 0: realistic keepers (profit after slippage and gas)";
        count = 5.0, "number of keepers (bidders and liquidation callers)";
        capital = 0.02, "each keeper's capital, as a fraction of the book's initial debt";
        gas = 1.0, "gas cost of one transaction, dollars of the base asset";
        margin = 0.02, "profit a keeper requires: it buys at most at (1 - margin) times the price it can sell at";
        dump_share = 1.0, "share of bought collateral a keeper sells at once into the external market (the rest it holds)";
        latency = 0.0, "steps between an opportunity appearing and a keeper acting on it";
        fail_share = 0.0, "share of keeper transactions that fail (network congestion)";
        tx_per_step = 1000.0, "transactions each keeper can send per step";
    }
}

/// Base units per dollar (6 decimals).
pub const UNIT: f64 = 1e6;

/// The keepers of one run (their capital, turns and failures).
#[derive(Debug, Clone)]
pub struct Keepers {
    /// Parameters.
    pub p: KeeperParams,
    /// Free capital per keeper, base units.
    pub capital: Vec<f64>,
    tx_left: Vec<u32>,
    next: usize,
    rng: rand::rngs::StdRng,
    /// Gas spent so far, base units.
    pub gas_spent: f64,
    /// Transactions that failed so far.
    pub failed: u64,
    /// Collateral a keeper bought and holds, per keeper and asset: `(units, base paid)`.
    pub inventory: Vec<Vec<(f64, f64)>>,
}

impl Keepers {
    /// `p.count` keepers with `p.capital × initial_debt` each; failures drawn from `seed`.
    pub fn new(p: KeeperParams, initial_debt: f64, seed: u64) -> Self {
        let n = (p.count.round() as usize).max(1);
        Keepers {
            capital: vec![p.capital.max(0.0) * initial_debt; n],
            tx_left: vec![0; n],
            next: 0,
            rng: rand::rngs::StdRng::seed_from_u64(seed ^ 0x6b65_6570_6572),
            gas_spent: 0.0,
            failed: 0,
            inventory: vec![vec![]; n],
            p,
        }
    }

    /// Whether these are the original dump-everything keepers.
    pub fn dumping(&self) -> bool {
        self.p.dump >= 0.5
    }

    /// Gas of one transaction, base units.
    pub fn gas(&self) -> f64 {
        self.p.gas.max(0.0) * UNIT
    }

    /// Steps between an opportunity and the keepers' reaction.
    pub fn latency(&self) -> usize {
        self.p.latency.max(0.0).round() as usize
    }

    /// A new step: every keeper may send `tx_per_step` transactions again.
    pub fn begin_step(&mut self) {
        let n = self.p.tx_per_step.max(0.0).round().min(u32::MAX as f64) as u32;
        self.tx_left.iter_mut().for_each(|t| *t = n);
    }

    /// The next keeper (in turn) that can still send a transaction this step.
    pub fn next_keeper(&mut self) -> Option<usize> {
        let n = self.tx_left.len();
        for _ in 0..n {
            let k = self.next % n;
            self.next += 1;
            if self.tx_left[k] > 0 {
                return Some(k);
            }
        }
        None
    }

    /// Keeper `k` sends a transaction: it uses one of its turns and pays gas; returns whether
    /// it went through (false with probability `fail_share`).
    pub fn send(&mut self, k: usize) -> bool {
        self.tx_left[k] = self.tx_left[k].saturating_sub(1);
        self.gas_spent += self.gas();
        if self.p.fail_share > 0.0 && self.rng.gen::<f64>() < self.p.fail_share {
            self.failed += 1;
            return false;
        }
        true
    }

    /// How many of `available` units keeper `k` buys at unit cost `cost` (module docs), given
    /// the external market `market` now; `flash`: the protocol lets it pay after receiving.
    pub fn units_to_buy(
        &self,
        k: usize,
        market: &ExternalMarket,
        point: &ScenarioPoint,
        cost: f64,
        available: f64,
        flash: bool,
    ) -> f64 {
        if !(cost > 0.0 && available > 0.0) {
            return 0.0;
        }
        let ext = market.price(point);
        let margin = self.p.margin.clamp(0.0, 0.99);
        if self.dumping() {
            if cost > ext * (1.0 - margin) {
                return 0.0;
            }
            return (self.capital[k] / cost).floor().min(available).max(0.0);
        }
        let by_capital = if flash {
            available
        } else {
            (self.capital[k] / cost).floor()
        };
        let by_depth = market.units_to_price(cost / (1.0 - margin), point);
        let u = available.min(by_capital).min(by_depth).max(0.0);
        if u <= 0.0 {
            return 0.0;
        }
        let mut m = market.clone();
        let proceeds = m.sell(u * self.p.dump_share.clamp(0.0, 1.0), point)
            + u * (1.0 - self.p.dump_share.clamp(0.0, 1.0)) * ext;
        if proceeds - u * cost - self.gas() > 0.0 {
            u
        } else {
            0.0
        }
    }

    /// Whether a call paying its caller `reward` base units is worth sending (always for the
    /// dump-everything keepers).
    pub fn worth_calling(&self, reward: f64) -> bool {
        self.dumping() || reward > self.gas()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DepthKind, DepthParams};
    use crate::params::ParamSet;

    fn market() -> ExternalMarket {
        ExternalMarket::new(DepthParams {
            kind: DepthKind::LinearBook,
            depth_per_pct: 1e9,
            recovery_half_life: 1800.0,
        })
    }

    fn point() -> ScenarioPoint {
        ScenarioPoint {
            time: 0,
            price: 10.0,
            depth_mult: 1.0,
            venue_price: None,
        }
    }

    fn keepers(dump: f64) -> Keepers {
        let p = KeeperParams::with_overrides(&[("keepers.dump".into(), dump)]).unwrap();
        Keepers::new(p, 1e12, 1)
    }

    #[test]
    fn realistic_keepers_buy_only_what_they_can_sell_at_a_profit() {
        let k = keepers(0.0);
        let (m, p) = (market(), point());
        // At 9.0 with a 2% margin: sell down to 9.0/0.98 = 9.184, i.e. 8.16% of the price:
        // 8.16 x 1e9 of depth = 8.16e8 units at price 10.
        let u = k.units_to_buy(0, &m, &p, 9.0, 1e12, true);
        let expected = (10.0 - 9.0 / 0.98) / (10.0 * 10.0 / (100.0 * 1e9));
        assert!((u / expected - 1.0).abs() < 1e-9, "{u} vs {expected}");
        // No profit above the external price less the margin.
        assert_eq!(k.units_to_buy(0, &m, &p, 9.9, 1e12, true), 0.0);
        // Capital binds without flash: 2% of an initial debt of 1e10, at 9.0.
        let small = Keepers::new(k.p.clone(), 1e10, 1);
        let u = small.units_to_buy(0, &m, &p, 9.0, 1e12, false);
        assert_eq!(u, (0.02 * 1e10 / 9.0f64).floor());
        // Gas: a tiny lot is not worth a transaction.
        assert_eq!(k.units_to_buy(0, &m, &p, 9.0, 0.1, true), 0.0);
    }

    #[test]
    fn dumping_keepers_ignore_slippage() {
        let k = keepers(1.0);
        let (m, p) = (market(), point());
        let u = k.units_to_buy(0, &m, &p, 9.0, 1e12, true);
        assert_eq!(u, (0.02 * 1e12 / 9.0f64).floor());
        assert_eq!(k.units_to_buy(0, &m, &p, 9.9, 1e12, true), 0.0);
    }

    #[test]
    fn turns_and_failures() {
        let p = KeeperParams {
            count: 2.0,
            tx_per_step: 1.0,
            fail_share: 0.5,
            ..Default::default()
        };
        let mut k = Keepers::new(p, 1e9, 3);
        k.begin_step();
        let a = k.next_keeper().unwrap();
        let mut ok = usize::from(k.send(a));
        let b = k.next_keeper().unwrap();
        assert_ne!(a, b);
        ok += usize::from(k.send(b));
        assert_eq!(k.next_keeper(), None, "one transaction each per step");
        for _ in 0..1000 {
            k.begin_step();
            let x = k.next_keeper().unwrap();
            ok += usize::from(k.send(x));
        }
        assert!((400..600).contains(&ok), "{ok}");
        assert_eq!(k.failed as usize + ok, 1002);
        assert_eq!(k.gas_spent, 1002.0 * 1e6);
    }
}
