//! `compound`: Compound III (Comet)'s liquidation rules (`design/peers.md` §2), modelled in the
//! lab.
//!
//! - An account is liquidatable when `Σ C·P·liquidateCF < D` (health below 1 under the
//!   liquidation collateral factor).
//! - `absorb`: the protocol takes the whole account at once, with no capital and no close
//!   factor. Every collateral joins the protocol's stock; the account is credited `LF·V` (`V` the
//!   collateral value at the oracle): its debt is erased and it keeps `max(0, LF·V − D)` as base
//!   supply. Reserves fall by `max(D, LF·V)`. Absorbing pays the caller nothing in the lab (the
//!   protocol's own bots call it; each call is a keeper transaction that can fail).
//! - Storefront: while reserves are below `targetReserves`, anyone buys the stock at
//!   `P·(1 − storeFrontPriceFactor·(1 − LF))`, paying first (no flash: capital binds), and
//!   sells it on the external market when that pays (keeper model). Proceeds raise reserves.
//!   At or above the target, sales stop and the protocol carries the stock's price risk.
//! - Reserves may go negative: suppliers are not haircut; the hole is protocol equity. The lab
//!   counts the protocol's loss from liquidations — reserves spent on absorbs, less sale
//!   proceeds, less the stock's value at the oracle — against the starting reserves (covered)
//!   and beyond them (uncovered).
//! - Oracle: Comet reads Chainlink (aggregated). The 2020 event the oracle-wick scenario
//!   replays happened under Compound v2's Open Price Feed, whose reporter was one venue; the
//!   default `single_venue = 1` reads that venue, `0` reads the aggregate.
use crate::engine::{Engine, EngineState, Finish, World};
use crate::engines::kit::{cause, keeper_sells, min_repay, value_shares, Core, Ledger, SpotOracle};
use crate::model::RunConfig;
use crate::params::ParamSet;
use anyhow::Result;

crate::param_set! {
    /// Comet parameters (cUSDCv3 launch configuration, WETH; `design/peers.md` §2).
    pub struct CompoundParams("compound") {
        lt = 0.895, "liquidateCollateralFactor (WETH, launch)";
        lf = 0.95, "liquidationFactor: the account is credited LF x its collateral value";
        store_front_price_factor = 0.5, "storefront discount = factor x (1 - LF): 2.5% at LF 0.95";
        target_reserves = 0.02, "targetReserves, fraction of initial debt (launch: 5M USDC); sales stop at or above it";
        reserves = 0.01, "reserves at the start, fraction of initial debt (assumption: half the target)";
        single_venue = 1.0, "1: the oracle reads one venue (v2's Open Price Feed reporter, as in Nov 2020); 0: aggregated (Comet's Chainlink)";
    }
}

/// What an absorb does to an account with collateral value `v` (at the oracle) and debt `d`:
/// `(credit, kept, reserves_spent)` = `(LF·v, max(0, LF·v − d), max(d, LF·v))`.
pub fn absorb_amounts(p: &CompoundParams, v: f64, d: f64) -> (f64, f64, f64) {
    let credit = p.lf * v;
    (credit, (credit - d).max(0.0), d.max(credit))
}

/// The storefront's price of collateral quoted at `price`.
pub fn storefront_price(p: &CompoundParams, price: f64) -> f64 {
    price * (1.0 - p.store_front_price_factor * (1.0 - p.lf))
}

/// The Compound engine.
pub struct Compound {
    p: CompoundParams,
    core: Core,
    oracle: SpotOracle,
    /// Reserves, base units (may go negative).
    reserves: f64,
    reserves0: f64,
    /// Reserves spent on absorbs, less sale proceeds (the protocol's cash out).
    spent: f64,
    /// Collateral the protocol holds, per asset, and the mix of causes behind it.
    stock: Vec<f64>,
    stock_cause: Vec<Vec<f64>>,
    last_price: Vec<f64>,
}

impl Compound {
    /// Opens the world's book under Comet's parameters.
    pub fn new(w: &World<'_>, config: &RunConfig) -> Result<Self> {
        let p = CompoundParams::with_overrides(&config.overrides)?;
        let core = Core::open(w, config, &p, p.lt);
        let reserves0 = p.reserves * core.initial_debt;
        let n = w.assets();
        Ok(Compound {
            core,
            oracle: SpotOracle {
                delay: config.oracle_delay,
                single_venue: p.single_venue >= 0.5,
            },
            reserves: reserves0,
            reserves0,
            spent: 0.0,
            stock: vec![0.0; n],
            stock_cause: vec![vec![0.0; n]; n],
            last_price: w.book.p0.clone(),
            p,
        })
    }

    /// The protocol's loss from liquidations with the stock valued at `price`, against the
    /// starting reserves.
    fn ledger(&self, price: &[f64]) -> Ledger {
        let stock: f64 = self.stock.iter().zip(price).map(|(u, p)| u * p).sum();
        let mut l = Ledger::new(self.reserves0);
        l.losses = (self.spent - stock).max(0.0);
        l
    }

    fn absorb(&mut self, w: &mut World<'_>, i: usize, price: &[f64]) {
        let pos = &self.core.b.pos[i];
        let v = pos.value(price);
        let d = pos.debt;
        let (_, kept, spent) = absorb_amounts(&self.p, v, d);
        let why = cause(pos, &self.core.b.p0, price);
        let shares = value_shares(pos, price);
        let ext = w.prices();
        let v_ext = pos.value(&ext);
        // Effective bonus: the account gives `v` of collateral for `LF·v` of credit.
        let w_lt = v * self.p.lt;
        self.core.over_liquidation +=
            (d - min_repay(d, w_lt, self.p.lt, 1.0 / self.p.lf - 1.0)).max(0.0);
        let units = self.core.b.pos[i].units.clone();
        for (a, u) in units.iter().enumerate() {
            if *u > 0.0 {
                let old = self.stock[a];
                self.stock[a] += u;
                for (c, x) in self.stock_cause[a].iter_mut().enumerate() {
                    *x = (*x * old + why[c] * u) / self.stock[a];
                }
            }
            w.liquidated(a, d * shares[a]);
        }
        self.reserves -= spent;
        self.spent += spent;
        // What the account gives beyond its debt is a protocol gain; what it lacks, a loss.
        let short = d - v;
        if short > 0.0 {
            w.bad_debt(
                short,
                &units
                    .iter()
                    .zip(price)
                    .map(|(u, p)| u * p)
                    .collect::<Vec<_>>(),
            );
        }
        self.core.b.charge(i, v_ext, d);
        self.core.b.refund(i, kept);
        let pos = &mut self.core.b.pos[i];
        pos.units.iter_mut().for_each(|u| *u = 0.0);
        pos.debt = 0.0;
    }

    fn storefront(&mut self, w: &mut World<'_>, price: &[f64]) {
        let target = self.p.target_reserves * self.core.initial_debt;
        for (a, &pa) in price.iter().enumerate() {
            let q = storefront_price(&self.p, pa);
            let mut idle = 0;
            while self.reserves < target
                && self.stock[a] > 0.0
                && idle < self.core.keepers.capital.len()
            {
                let Some(k) = self.core.keepers.next_keeper() else {
                    return;
                };
                let u = self.core.keepers.units_to_buy(
                    k,
                    &w.markets[a],
                    &w.points[a],
                    q,
                    self.stock[a],
                    false,
                );
                if u <= 0.0 {
                    idle += 1;
                    continue;
                }
                idle = 0;
                if !self.core.keepers.send(k) {
                    continue;
                }
                let paid = u * q;
                self.stock[a] -= u;
                self.reserves += paid;
                self.spent -= paid;
                let why = self.stock_cause[a].clone();
                keeper_sells(w, &mut self.core.keepers, k, a, u, paid, &why);
            }
        }
    }
}

impl Engine for Compound {
    crate::core_basics!();

    fn step(&mut self, w: &mut World<'_>) -> Result<EngineState> {
        let price = self.oracle.prices(w);
        let (due, liquidatable) = self.core.begin(w.n, &price);
        for i in due {
            let Some(k) = self.core.keepers.next_keeper() else {
                break;
            };
            if self.core.keepers.send(k) {
                self.absorb(w, i, &price);
            }
        }
        self.storefront(w, &price);
        self.last_price = price.clone();
        let l = self.ledger(&price);
        let stock: f64 = self.stock.iter().zip(&price).map(|(u, p)| u * p).sum();
        Ok(self.core.state(
            price,
            (l.covered(), l.uncovered(), self.reserves + stock),
            liquidatable,
        ))
    }

    fn finish(&mut self, w: &mut World<'_>) -> Result<Finish> {
        // The stock at the final external price instead of the last oracle price, and any
        // account still open and underwater.
        let ext = w.prices();
        let before = self.ledger(&self.last_price).uncovered();
        let after = self.ledger(&ext).uncovered();
        let mut f = self.core.b.underwater(&ext);
        let extra = after - before;
        f.uncovered += extra;
        let stock_value: Vec<f64> = self.stock.iter().zip(&ext).map(|(u, p)| u * p).collect();
        let total: f64 = stock_value.iter().sum();
        for (a, v) in stock_value.iter().enumerate() {
            let share = if total > 0.0 {
                v / total
            } else {
                1.0 / ext.len() as f64
            };
            f.by_asset[a] += extra * share;
        }
        Ok(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engines::testkit::{config, flat_then, one_account_world};
    use crate::model::EngineKind;

    #[test]
    fn comet_credits_lf_times_the_collateral_value() {
        let p = CompoundParams::default();
        // Healthy collateral: credited 95, owes 80: keeps 15; reserves pay 95.
        assert_eq!(absorb_amounts(&p, 100.0, 80.0), (95.0, 15.0, 95.0));
        // Underwater: credited 95 against 120: keeps nothing; reserves pay the whole debt.
        assert_eq!(absorb_amounts(&p, 100.0, 120.0), (95.0, 0.0, 120.0));
    }

    #[test]
    fn the_storefront_sells_at_half_the_liquidation_discount() {
        let p = CompoundParams::default();
        assert!((storefront_price(&p, 10.0) - 9.75).abs() < 1e-12);
    }

    #[test]
    fn an_absorb_drives_reserves_negative_and_sales_rebuild_them() {
        // One account at HF 1.05 when the price falls 30%: absorbed (debt > LF·V), reserves
        // go negative; the storefront sells the stock while reserves are below target.
        let s = flat_then(&[(600, 10.0), (660, 7.0), (7_200, 7.0)]);
        let mut cfg = config(EngineKind::Compound);
        cfg.depth.depth_per_pct = 10.0;
        let mut w = one_account_world(&s, &cfg, 1e9, 1.05);
        let mut e = Compound::new(&w, &cfg).unwrap();
        let initial = e.core.initial_debt;
        let trace = crate::engine::simulate(&mut w, &mut e, &mut |_, _| {}).unwrap();
        assert!(e.core.b.pos[0].debt == 0.0, "absorbed");
        assert!(e.spent > 0.0 || e.stock[0] == 0.0);
        // Debt 8.52e9 against collateral worth 7e9: a loss of about 1.5e9 beyond the starting
        // reserves (1% of the debt).
        let last = trace.steps.last().unwrap();
        assert!(last.uncovered_bad_debt > 1.3e9, "{last:?}");
        assert!((last.covered_bad_debt - 0.01 * initial).abs() < 1.0);
        // The stock was sold (reserves below target all along).
        assert!(e.stock[0] < 1e9 * 0.01, "{}", e.stock[0]);
    }
}
