//! `foresight`: the reference engine. It is not a design anyone can deploy: it knows the whole
//! exogenous path in advance and de-risks accounts ahead of each fall as fast as the external
//! depth allows, so it marks roughly how low uncovered bad debt can go on a path. "Breakwater
//! leaves 5%" reads against "no engine could leave less than 3%".
//!
//! - Positions are opened at Breakwater's threshold (0.80) from the same book.
//! - Every step it computes, for each asset, the lowest price still ahead on the exogenous path
//!   (`p_low`), lowered by its own impact budget (its sales may push the realized price that
//!   much below the exogenous one).
//! - An open account that would be insolvent at `p_low` (collateral worth less than its debt)
//!   sells collateral now — the asset that will fall furthest first — and repays debt with the
//!   proceeds, until it would stay solvent, most thinly collateralized first.
//! - Sales stay within the impact budget: the realized price of an asset never falls below
//!   `(1 − budget)` × its exogenous price through foresight's own selling; what does not fit
//!   waits for the next step (the book refills with the recovery half-life).
//! - An account whose collateral is worth less than its debt at the current price before it
//!   could be de-risked is closed at that moment: the lender takes the collateral over (held,
//!   never sold) and the difference is uncovered bad debt.
//! - Borrowers pay no penalty: only the slippage of their own sales and the keeper's gas.
use crate::engine::{Engine, EngineState, Finish, World};
use crate::engines::kit::{Core, Ledger};
use crate::model::RunConfig;
use crate::params::ParamSet;
use anyhow::Result;

crate::param_set! {
    /// The reference engine.
    pub struct ForesightParams("foresight") {
        lt = 0.80, "threshold the book's positions are opened at (Breakwater's)";
        budget_pct = 2.0, "largest fall of the realized below the exogenous price its own sales may cause, percent";
        cushion = 0.01, "extra collateral value it keeps above the debt at the lowest price ahead";
    }
}

/// Collateral units of an asset to sell at `p_now` (each unit repaying `p_now` of debt) so that
/// a position with debt `d` and value `v_low` at the lowest prices ahead (where this asset is
/// worth `p_low`) stays solvent with `cushion`.
pub fn units_to_derisk(d: f64, v_low: f64, p_now: f64, p_low: f64, cushion: f64) -> f64 {
    let need = d * (1.0 + cushion) - v_low;
    if need <= 0.0 {
        return 0.0;
    }
    let gain = p_now * (1.0 + cushion) - p_low;
    if gain <= 0.0 {
        f64::INFINITY
    } else {
        need / gain
    }
}

/// The reference engine.
pub struct Foresight {
    p: ForesightParams,
    core: Core,
    ledger: Ledger,
    /// `low[a][n]`: the lowest exogenous price of asset `a` from step `n` to the end.
    low: Vec<Vec<f64>>,
}

impl Foresight {
    /// Opens the world's book and reads the path ahead.
    pub fn new(w: &World<'_>, config: &RunConfig) -> Result<Self> {
        let p = ForesightParams::with_overrides(&config.overrides)?;
        let step = config.step.max(1);
        let low = (0..w.assets())
            .map(|a| {
                let mut v: Vec<f64> = (0..w.total)
                    .map(|n| w.exogenous_at(a, n as u64 * step))
                    .collect();
                for n in (0..v.len().saturating_sub(1)).rev() {
                    v[n] = v[n].min(v[n + 1]);
                }
                v
            })
            .collect();
        Ok(Foresight {
            core: Core::open(w, config, &p, p.lt),
            ledger: Ledger::new(0.0),
            low,
            p,
        })
    }
}

impl Engine for Foresight {
    crate::core_basics!();

    fn step(&mut self, w: &mut World<'_>) -> Result<EngineState> {
        let budget = (self.p.budget_pct / 100.0).clamp(0.0, 0.99);
        let n = w.n;
        let p_low: Vec<f64> = self.low.iter().map(|l| l[n] * (1.0 - budget)).collect();
        let now = w.prices();
        // Insolvent now: closed, the collateral held by the lender.
        for i in 0..self.core.b.pos.len() {
            let x = &self.core.b.pos[i];
            if x.open() && x.value(&now) < x.debt {
                let v = x.value(&now);
                let loss = x.debt - v;
                let values: Vec<f64> = x.units.iter().zip(&now).map(|(u, p)| u * p).collect();
                self.ledger.losses += loss;
                w.bad_debt(loss, &values);
                self.core.b.charge(i, v, x.debt);
                let x = &mut self.core.b.pos[i];
                x.debt = 0.0;
                x.units.iter_mut().for_each(|u| *u = 0.0);
            }
        }
        // Who must sell before the fall, thinnest cushion first.
        let mut need: Vec<(f64, usize)> = self
            .core
            .b
            .pos
            .iter()
            .enumerate()
            .filter(|(_, x)| x.open() && x.value(&p_low) < x.debt * (1.0 + self.p.cushion))
            .map(|(i, x)| (x.value(&now) / x.debt, i))
            .collect();
        need.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut room: Vec<f64> = (0..w.assets())
            .map(|a| {
                let floor = w.points[a].price * (1.0 - budget);
                w.markets[a].units_to_price(floor, &w.points[a])
            })
            .collect();
        self.core.keepers.begin_step();
        let liquidatable: f64 = need.iter().map(|(_, i)| self.core.b.pos[*i].debt).sum();
        for (_, i) in need {
            // The asset that falls furthest ahead, relative to now, first.
            let mut order: Vec<usize> = (0..w.assets()).collect();
            order.sort_by(|a, b| (p_low[*a] / now[*a]).total_cmp(&(p_low[*b] / now[*b])));
            for a in order {
                let x = &self.core.b.pos[i];
                if !x.open() || x.units[a] <= 0.0 || room[a] <= 0.0 {
                    continue;
                }
                let q = units_to_derisk(x.debt, x.value(&p_low), now[a], p_low[a], self.p.cushion)
                    .min(x.units[a])
                    .min(room[a]);
                if q <= 0.0 {
                    continue;
                }
                let mut cause = vec![0.0; w.assets()];
                cause[a] = 1.0;
                let got = w.sell_caused(a, q, &cause);
                room[a] -= q;
                let ext = now[a];
                let repaid = got.min(self.core.b.pos[i].debt);
                self.core
                    .b
                    .charge(i, q * ext + self.core.keepers.gas(), repaid);
                self.core.b.refund(i, got - repaid);
                let x = &mut self.core.b.pos[i];
                x.units[a] -= q;
                x.debt -= repaid;
                w.liquidated(a, repaid);
            }
        }
        Ok(self
            .core
            .state(now, (0.0, self.ledger.uncovered(), 0.0), liquidatable))
    }

    fn finish(&mut self, w: &mut World<'_>) -> Result<Finish> {
        Ok(self.core.b.underwater(&w.prices()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engines::testkit::{config, flat_then, world};
    use crate::model::EngineKind;

    #[test]
    fn the_sale_that_keeps_an_account_solvent_at_the_low() {
        // 100 units at 10, debt 800; the low ahead is 7: worth 700 there.
        let q = units_to_derisk(800.0, 700.0, 10.0, 7.0, 0.0);
        // Sell q at 10: debt 800 − 10q, collateral (100 − q)·7 ≥ it.
        assert!(((100.0 - q) * 7.0 - (800.0 - 10.0 * q)).abs() < 1e-9);
        assert_eq!(units_to_derisk(600.0, 700.0, 10.0, 7.0, 0.0), 0.0);
        assert_eq!(units_to_derisk(800.0, 700.0, 6.0, 7.0, 0.0), f64::INFINITY);
    }

    #[test]
    fn foresight_sells_before_the_fall_and_leaves_no_bad_debt_when_depth_allows() {
        // A slow path to a -40% low two hours ahead: every account is de-risked in time.
        let s = flat_then(&[(3_600, 10.0), (7_200, 6.0), (9_000, 6.0)]);
        let cfg = config(EngineKind::Foresight);
        let accounts: Vec<(f64, f64)> = (0..50).map(|i| (1e8, 1.1 + 0.02 * i as f64)).collect();
        let mut w = world(&s, &cfg, &accounts);
        let mut e = Foresight::new(&w, &cfg).unwrap();
        let trace = crate::engine::simulate(&mut w, &mut e, &mut |_, _| {}).unwrap();
        let last = trace.steps.last().unwrap();
        assert_eq!(last.uncovered_bad_debt, 0.0, "{last:?}");
        // It sold before the fall began.
        let sold_before: f64 = trace
            .steps
            .iter()
            .filter(|s| s.time < 3_600)
            .map(|s| s.sold_value)
            .sum();
        assert!(sold_before > 0.0);
        // Its own impact stayed within the budget.
        assert!(trace
            .steps
            .iter()
            .all(|s| s.realized >= s.exogenous * 0.98 - 1e-9));
    }
}
