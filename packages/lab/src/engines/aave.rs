//! `aave`: Aave v3.3's liquidation rules (`design/peers.md` §1), modelled in the lab.
//!
//! - An account is liquidatable when `HF = Σ C·P·LT / D < 1` at the oracle (aggregated spot,
//!   `oracle_delay` late: a one-venue print does not move it).
//! - A keeper repays `r` of debt and receives the collateral seized against it,
//!   `s = r·LB / P` (capped at the holding, in which case `r = C·P / LB`), less the protocol
//!   fee `(s − s/LB)·protocol_fee`, which goes to the treasury.
//! - Close factor: `r ≤ 50%` of the debt while the chosen collateral and the debt are both at
//!   least $2,000 and `HF > 0.95`; otherwise up to 100%.
//! - Dust rule: a liquidation that repays part of the debt and takes part of the collateral
//!   must leave at least $1,000 of each; else it must clear one side.
//! - A keeper sizes `r` to what it can sell at a profit (keeper model in [`crate::keepers`];
//!   Aave's settlement order lets it pay after receiving: flash), seizes the largest holding
//!   first, and repeats within the step while the account is liquidatable and it pays.
//! - Deficit: when a liquidation takes the last of an account's collateral, the rest of its debt
//!   is burned into `deficit`, a loss nobody covers automatically (uncovered bad debt).
//!   Accounts that keep any collateral are not cleaned up: what they owe beyond it at the end
//!   is uncovered too.
use crate::engine::{Engine, EngineState, Finish, World};
use crate::engines::kit::{cause, keeper_sells, min_repay, Core, Ledger, SpotOracle, Turn};
use crate::keepers::UNIT;
use crate::model::RunConfig;
use crate::params::ParamSet;
use anyhow::Result;

crate::param_set! {
    /// Aave v3.3 parameters (WETH on Ethereum core; `design/peers.md` §1).
    pub struct AaveParams("aave") {
        lt = 0.83, "liquidation threshold (WETH, governance diff reports: LTV 82% / LT 83%)";
        bonus = 0.05, "liquidation bonus LB - 1 (liquidationBonus 10500)";
        protocol_fee = 0.10, "share of the bonus sent to the treasury (liquidationProtocolFee 1000)";
        close_factor = 0.5, "share of the debt a liquidation may repay while the cap applies (DEFAULT_LIQUIDATION_CLOSE_FACTOR)";
        close_factor_hf = 0.95, "below this health factor the close factor is 100% (CLOSE_FACTOR_HF_THRESHOLD)";
        close_factor_min = 2000.0, "the cap applies only if both the collateral and the debt are worth at least this many dollars (MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD)";
        min_leftover = 1000.0, "a partial liquidation must leave at least this many dollars of debt and of collateral (MIN_LEFTOVER_BASE)";
        flash = 1.0, "1: keepers may pay after receiving the collateral (settlement order), bounded by external depth";
    }
}

/// The most debt one liquidation may repay: the close factor applies while the collateral and
/// the debt are both at least `close_factor_min` and the health factor is above
/// `close_factor_hf`.
pub fn max_repay(p: &AaveParams, hf: f64, collateral_value: f64, debt: f64) -> f64 {
    let min = p.close_factor_min * UNIT;
    if collateral_value >= min && debt >= min && hf > p.close_factor_hf {
        p.close_factor * debt
    } else {
        debt
    }
}

/// Repaying `r` against `held` units at price `price`: `(r, seized, fee)` with
/// `seized = r·LB/P` capped at the holding (then `r = held·P/LB`) and
/// `fee = (seized − seized/LB)·protocol_fee`.
pub fn seize(p: &AaveParams, r: f64, held: f64, price: f64) -> (f64, f64, f64) {
    let lb = 1.0 + p.bonus;
    let (mut r, mut s) = (r, r * lb / price);
    // Within rounding of the holding counts as all of it.
    if s > held * (1.0 - 1e-9) {
        s = held;
        r = held * price / lb;
    }
    let fee = (s - s / lb) * p.protocol_fee;
    (r, s, fee)
}

/// Whether a liquidation of `r` out of debt `debt`, seizing `s` of `held` units at `price`,
/// passes the dust rule: it clears the debt or the collateral, or leaves at least
/// `min_leftover` of both.
pub fn dust_ok(p: &AaveParams, r: f64, debt: f64, s: f64, held: f64, price: f64) -> bool {
    let min = p.min_leftover * UNIT;
    let clears = r >= debt * (1.0 - 1e-12) || s >= held * (1.0 - 1e-12);
    clears || (debt - r >= min && (held - s) * price >= min)
}

/// The Aave engine.
pub struct Aave {
    p: AaveParams,
    core: Core,
    oracle: SpotOracle,
    ledger: Ledger,
}

impl Aave {
    /// Opens the world's book under Aave's parameters (with the run's overrides).
    pub fn new(w: &World<'_>, config: &RunConfig) -> Result<Self> {
        let p = AaveParams::with_overrides(&config.overrides)?;
        Ok(Aave {
            core: Core::open(w, config, &p, p.lt),
            oracle: SpotOracle::aggregated(config),
            ledger: Ledger::new(0.0),
            p,
        })
    }

    /// Liquidates account `i` at oracle prices `price` while it is liquidatable and a keeper
    /// finds it worth it.
    fn liquidate(&mut self, w: &mut World<'_>, i: usize, price: &[f64]) {
        let p = self.p.clone();
        let lb = 1.0 + p.bonus;
        // Collateral a keeper receives per unit seized (the rest is the protocol fee).
        let keep = 1.0 - p.protocol_fee * (1.0 - 1.0 / lb);
        while let Some(Turn {
            k,
            a,
            hf,
            debt,
            held,
        }) = self.core.turn(i, price)
        {
            let r_max = max_repay(&p, hf, held * price[a], debt);
            let (_, s_max, fee_max) = seize(&p, r_max, held, price[a]);
            // The keeper's cost per unit it receives.
            let unit_cost = price[a] / (lb * keep);
            let u = self.core.keepers.units_to_buy(
                k,
                &w.markets[a],
                &w.points[a],
                unit_cost,
                s_max - fee_max,
                p.flash >= 0.5,
            );
            if u <= 0.0 {
                return;
            }
            let (mut r, mut s, mut fee) = seize(&p, u * unit_cost, held, price[a]);
            if !dust_ok(&p, r, debt, s, held, price[a]) {
                // Leave at least the minimum on both sides, or clear one side if the cap allows.
                let min = p.min_leftover * UNIT;
                let down = r.min(debt - min).min((held * price[a] - min) / lb);
                let full = seize(&p, r_max, held, price[a]);
                let full_ok = dust_ok(&p, full.0, debt, full.1, held, price[a])
                    && self.core.keepers.units_to_buy(
                        k,
                        &w.markets[a],
                        &w.points[a],
                        unit_cost,
                        full.1 - full.2,
                        p.flash >= 0.5,
                    ) >= (full.1 - full.2) * (1.0 - 1e-9);
                if full_ok {
                    (r, s, fee) = full;
                } else if down > 0.0 {
                    (r, s, fee) = seize(&p, down, held, price[a]);
                } else {
                    return;
                }
            }
            if !self.core.keepers.send(k) {
                continue;
            }
            let ext = w.price(a);
            let why = cause(&self.core.b.pos[i], &self.core.b.p0, price);
            let value_before: Vec<f64> = self.core.b.pos[i]
                .units
                .iter()
                .zip(price)
                .map(|(u, p)| u * p)
                .collect();
            let w_lt = self.core.b.pos[i].value(price) * p.lt;
            self.core.over_liquidation += (r - min_repay(debt, w_lt, p.lt, p.bonus)).max(0.0);
            let pos = &mut self.core.b.pos[i];
            pos.debt -= r;
            pos.units[a] = (pos.units[a] - s).max(0.0);
            w.liquidated(a, r);
            self.core.b.charge(i, s * ext, r);
            keeper_sells(w, &mut self.core.keepers, k, a, s - fee, r, &why);
            let pos = &mut self.core.b.pos[i];
            if pos.units.iter().all(|u| *u <= 0.0) && pos.debt > 0.0 {
                // No collateral left: the rest of the debt is burned into the deficit.
                let deficit = pos.debt;
                pos.debt = 0.0;
                self.ledger.losses += deficit;
                w.bad_debt(deficit, &value_before);
            }
        }
    }
}

impl Engine for Aave {
    crate::core_basics!();

    fn step(&mut self, w: &mut World<'_>) -> Result<EngineState> {
        let price = self.oracle.prices(w);
        let (due, liquidatable) = self.core.begin(w.n, &price);
        for i in due {
            self.liquidate(w, i, &price);
        }
        let l = &self.ledger;
        Ok(self
            .core
            .state(price, (l.covered(), l.uncovered(), 0.0), liquidatable))
    }

    fn finish(&mut self, w: &mut World<'_>) -> Result<Finish> {
        Ok(self.core.b.underwater(&w.prices()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engines::testkit::{flat_then, one_account_world};

    fn p() -> AaveParams {
        AaveParams::default()
    }

    #[test]
    fn aave_closes_half_above_hf_095_and_all_below() {
        let d = 10_000.0 * UNIT;
        assert_eq!(max_repay(&p(), 0.97, 12_000.0 * UNIT, d), 0.5 * d);
        assert_eq!(max_repay(&p(), 0.95, 12_000.0 * UNIT, d), d);
        assert_eq!(max_repay(&p(), 0.80, 12_000.0 * UNIT, d), d);
        // Small positions: 100% whatever the health.
        assert_eq!(max_repay(&p(), 0.99, 1_500.0 * UNIT, d), d);
        assert_eq!(
            max_repay(&p(), 0.99, 12_000.0 * UNIT, 1_999.0 * UNIT),
            1_999.0 * UNIT
        );
    }

    #[test]
    fn the_keeper_gets_the_bonus_less_the_protocol_fee() {
        // WETH: the liquidator receives 1.045 x the base amount.
        let (r, s, fee) = seize(&p(), 1_000.0, 1e9, 10.0);
        assert_eq!(r, 1_000.0);
        assert!((s - 105.0).abs() < 1e-9);
        assert!(((s - fee) * 10.0 / r - 1.045).abs() < 1e-12);
        // Capped at the holding.
        let (r, s, _) = seize(&p(), 1_000.0, 50.0, 10.0);
        assert_eq!(s, 50.0);
        assert!((r - 500.0 / 1.05).abs() < 1e-9);
    }

    #[test]
    fn a_partial_aave_liquidation_below_lt_times_lb_lowers_health() {
        let pa = p();
        let f = pa.lt * (1.0 + pa.bonus); // 0.8715
        let hf_after = |hf: f64| {
            // Collateral value 100 at LT: W = 100·LT; D = W / hf; repay 10% of the debt.
            let w = 100.0 * pa.lt;
            let d = w / hf;
            let r = 0.1 * d;
            (w - f * r) / (d - r)
        };
        assert!(hf_after(0.95) > 0.95, "above LT·LB a liquidation heals");
        assert!(hf_after(0.85) < 0.85, "below LT·LB it makes things worse");
        assert!((hf_after(f) - f).abs() < 1e-12);
    }

    #[test]
    fn the_dust_rule_leaves_a_thousand_dollars_or_nothing() {
        let (d, held, price) = (10_000.0 * UNIT, 1_200.0 * UNIT, 10.0);
        assert!(dust_ok(&p(), 5_000.0 * UNIT, d, 525.0 * UNIT, held, price));
        assert!(!dust_ok(&p(), 9_500.0 * UNIT, d, 997.5 * UNIT, held, price));
        assert!(dust_ok(&p(), d, d, 1_050.0 * UNIT, held, price));
        assert!(dust_ok(&p(), 5_000.0 * UNIT, d, held, held, price));
    }

    #[test]
    fn an_account_whose_collateral_runs_out_books_a_deficit() {
        // One account at HF 1.05 whose collateral loses 40%: it is liquidated to the last unit
        // and the rest of its debt is a deficit nobody covers.
        let s = flat_then(&[(600, 10.0), (660, 6.0), (3_600, 6.0)]);
        let mut config = crate::engines::testkit::config(crate::model::EngineKind::Aave);
        // A deep market: the keepers can take the whole position at once.
        config.depth.depth_per_pct = 10.0;
        let mut w = one_account_world(&s, &config, 1e9, 1.05);
        let mut e = Aave::new(&w, &config).unwrap();
        let trace = crate::engine::simulate(&mut w, &mut e, &mut |_, _| {}).unwrap();
        let last = trace.steps.last().unwrap();
        // Debt 1e10·0.83/1.05 = 7.9e9 base units ($7,900); collateral worth 6e9 at the low: at
        // least 1.9e9 short (more with slippage and the bonus).
        assert!(last.uncovered_bad_debt > 1.5e9, "{last:?}");
        assert!(e.core.b.pos[0].units[0] <= 0.0 && e.core.b.pos[0].debt == 0.0);
        assert_eq!(last.covered_bad_debt, 0.0);
    }
}
