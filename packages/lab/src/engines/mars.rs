//! `mars`: Mars Protocol red-bank liquidations (`liquidate.rs`,
//! `packages/liquidation`; `design/peers.md` §5), modelled in the lab.
//!
//! - Liquidatable at `HF = Σ C·P·LT / D < 1` (Pyth spot: aggregated, `oracle_delay` late).
//! - Dynamic bonus: `LB = min(starting_lb + slope·(1 − HF), max(min(CR − 1, max_lb), min_lb))`
//!   with `CR = Σ C·P / D` (unweighted).
//! - Target health factor instead of a close factor: when `LT_c·(1 + LB) < THF` a liquidation
//!   repays at most `MDR = (THF·D − Σ C·P·LT)/(THF − LT_c·(1 + LB))`, else there is no limit;
//!   `repay = min(D, MDR, C_c·P_c/(1 + LB), what the keeper sends)`.
//! - The keeper receives `repay·(1 + LB)/P_c` of collateral less the protocol fee
//!   `repay·LB·protocol_fee/P_c`; it needs the debt asset first (no flash) and sells what it
//!   gets (keeper model).
//! - No bad-debt accounting: debt left when the collateral runs out stays on the account,
//!   borne by depositors (uncovered bad debt).
use crate::engine::{Engine, EngineState, Finish, World};
use crate::engines::kit::{cause, keeper_sells, min_repay, Core, SpotOracle, Turn};
use crate::model::RunConfig;
use crate::params::ParamSet;
use anyhow::Result;

crate::param_set! {
    /// Mars red-bank parameters (Osmosis mainnet config, WETH; `design/peers.md` §5).
    pub struct MarsParams("mars") {
        lt = 0.80, "liquidation threshold (WETH)";
        thf = 1.05, "target health factor after a liquidation";
        starting_lb = 0.0, "bonus at HF 1";
        slope = 1.0, "bonus added per unit of health below 1";
        min_lb = 0.05, "floor of the bonus cap";
        max_lb = 0.20, "largest bonus";
        protocol_fee = 0.25, "share of the bonus paid to the protocol";
        flash = 0.0, "1: keepers may pay after receiving (red-bank: they send the debt asset first)";
    }
}

/// The dynamic bonus at health `hf` and collateral ratio `cr`.
pub fn bonus(p: &MarsParams, hf: f64, cr: f64) -> f64 {
    let cap = (cr - 1.0).min(p.max_lb).max(p.min_lb);
    (p.starting_lb + p.slope * (1.0 - hf)).min(cap)
}

/// The most debt (value) one liquidation may repay seizing a collateral of threshold `lt_c`
/// with bonus `lb`, for an account with debt `d` and liquidation value `w_lt = Σ C·P·LT`.
pub fn max_debt_repayable(p: &MarsParams, d: f64, w_lt: f64, lt_c: f64, lb: f64) -> f64 {
    let f = lt_c * (1.0 + lb);
    if f < p.thf {
        ((p.thf * d - w_lt) / (p.thf - f)).max(0.0)
    } else {
        f64::INFINITY
    }
}

/// The Mars engine.
pub struct Mars {
    p: MarsParams,
    core: Core,
    oracle: SpotOracle,
}

impl Mars {
    /// Opens the world's book under Mars's parameters.
    pub fn new(w: &World<'_>, config: &RunConfig) -> Result<Self> {
        let p = MarsParams::with_overrides(&config.overrides)?;
        Ok(Mars {
            core: Core::open(w, config, &p, p.lt),
            oracle: SpotOracle::aggregated(config),
            p,
        })
    }

    fn liquidate(&mut self, w: &mut World<'_>, i: usize, price: &[f64]) {
        let p = self.p.clone();
        for _ in 0..16 {
            let Some(Turn {
                k,
                a,
                hf,
                debt: d,
                held,
            }) = self.core.turn(i, price)
            else {
                return;
            };
            let value = self.core.b.pos[i].value(price);
            let lb = bonus(&p, hf, value / d);
            let mdr = max_debt_repayable(&p, d, value * p.lt, p.lt, lb);
            let r_max = d.min(mdr).min(held * price[a] / (1.0 + lb));
            // Collateral the keeper receives per unit of debt repaid, and its cost per unit.
            let per_repaid = (1.0 + lb * (1.0 - p.protocol_fee)) / price[a];
            let unit_cost = 1.0 / per_repaid;
            let u = self.core.keepers.units_to_buy(
                k,
                &w.markets[a],
                &w.points[a],
                unit_cost,
                r_max * per_repaid,
                p.flash >= 0.5,
            );
            if u <= 0.0 {
                return;
            }
            if !self.core.keepers.send(k) {
                continue;
            }
            let r = (u * unit_cost).min(r_max);
            let seized = (r * (1.0 + lb) / price[a]).min(held);
            let to_keeper = r * per_repaid;
            let ext = w.price(a);
            let why = cause(&self.core.b.pos[i], &self.core.b.p0, price);
            self.core.over_liquidation += (r - min_repay(d, value * p.lt, p.lt, lb)).max(0.0);
            let pos = &mut self.core.b.pos[i];
            pos.debt -= r;
            pos.units[a] = if seized >= held * (1.0 - 1e-9) {
                0.0
            } else {
                held - seized
            };
            w.liquidated(a, r);
            self.core.b.charge(i, seized * ext, r);
            keeper_sells(w, &mut self.core.keepers, k, a, to_keeper, r, &why);
        }
    }
}

impl Engine for Mars {
    crate::core_basics!();

    fn step(&mut self, w: &mut World<'_>) -> Result<EngineState> {
        let price = self.oracle.prices(w);
        let (due, liquidatable) = self.core.begin(w.n, &price);
        for i in due {
            self.liquidate(w, i, &price);
        }
        // Debt left on accounts without collateral: borne by depositors.
        let stranded = self.core.stranded();
        Ok(self.core.state(price, (0.0, stranded, 0.0), liquidatable))
    }

    fn finish(&mut self, w: &mut World<'_>) -> Result<Finish> {
        Ok(self.core.underwater_with_collateral(&w.prices()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mars_bonus_grows_as_health_falls_within_the_cap() {
        let p = MarsParams::default();
        assert!(
            (bonus(&p, 0.97, 1.3) - 0.03).abs() < 1e-12,
            "below min_lb near HF 1"
        );
        assert!((bonus(&p, 0.85, 1.3) - 0.15).abs() < 1e-12);
        assert!((bonus(&p, 0.5, 1.3) - 0.20).abs() < 1e-12, "max_lb");
        // The collateral ratio caps it, but never below min_lb.
        assert!((bonus(&p, 0.85, 1.1) - 0.10).abs() < 1e-12);
        assert!((bonus(&p, 0.85, 1.02) - 0.05).abs() < 1e-12);
    }

    #[test]
    fn the_maximum_debt_repayable_brings_health_to_the_target() {
        let p = MarsParams::default();
        // Value 100 at LT 0.8, debt 85: HF 0.941, LB 0.059.
        let (d, w_lt) = (85.0, 80.0);
        let lb = bonus(&p, w_lt / d, 100.0 / d);
        let r = max_debt_repayable(&p, d, w_lt, 0.8, lb);
        let hf_after = (w_lt - r * 0.8 * (1.0 + lb)) / (d - r);
        assert!((hf_after - 1.05).abs() < 1e-12, "{hf_after}");
        // When LT·(1 + LB) ≥ THF no limit applies.
        assert_eq!(max_debt_repayable(&p, d, w_lt, 0.9, 0.2), f64::INFINITY);
    }
}
