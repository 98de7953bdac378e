//! `liquity`: Liquity v2 (BOLD) liquidation rules (liquity/bold `TroveManager`;
//! `design/peers.md` §4), modelled in the lab.
//!
//! - Troves: one per account and collateral (each collateral is a branch with its own
//!   stability pool); an account holding several collaterals has its debt split by value.
//! - Oracle: Chainlink-like aggregated spot, `oracle_delay` late.
//! - Every trove with `ICR = coll·P/debt < MCR` is liquidated in full (permissionless, no
//!   capital; one batch transaction per step by whichever keeper gets it through; the caller is
//!   paid gas compensation).
//! - Offset: `min(debt, SP)` is burned from the branch's stability pool, which receives the
//!   trove's collateral pro rata, less gas compensation `min(coll/200, cap)` to the caller, and
//!   at most `offset·(1 + 5%)/P`.
//! - The rest is redistributed to the branch's other troves in proportion to their stake
//!   (their collateral), the collateral capped at `debt·(1 + 10%)/P`, through Liquity's
//!   reward-per-unit-staked accumulators (applied to a trove when it is next touched).
//!   Redistribution can push other troves under the MCR: liquidations cascade within the step.
//! - What the caps leave goes back to the owner (collateral surplus).
//! - No bad debt is booked: losses fall on the stability pool's depositors (they burned BOLD
//!   for collateral worth less — the lab counts that as bad debt covered by the pool) or, by
//!   redistribution, on other borrowers (borrower loss; and bad debt if those troves end
//!   underwater). A branch whose total collateral ratio falls below the SCR may be shut down;
//!   the lab records when it would be and keeps liquidating.
//! - The protocol never sells. Depositors sell `sp_dump_share` of the collateral they
//!   receive at once (default 0: they hold it).
use crate::engine::{Engine, EngineState, Finish, World};
use crate::engines::kit::{Borrowers, Ledger, SpotOracle};
use crate::keepers::{Keepers, UNIT};
use crate::model::RunConfig;
use crate::params::{ParamDoc, ParamSet};
use anyhow::Result;

crate::param_set! {
    /// Liquity v2, WETH branch (liquity/bold `Constants.sol`; `design/peers.md` §4).
    pub struct LiquityParams("liquity") {
        mcr = 1.10, "minimum collateral ratio: troves below it are liquidated (WETH branch)";
        scr = 1.10, "shutdown collateral ratio: a branch below it may be shut down";
        sp_penalty = 0.05, "the stability pool receives at most debt x (1 + this) of collateral";
        redist_penalty = 0.10, "redistributed collateral is capped at debt x (1 + this)";
        gas_comp = 0.005, "share of the offset collateral paid to the caller (coll/200)";
        gas_comp_cap = 5000.0, "cap on that compensation, dollars (2 ETH)";
        sp = 0.5, "stability pool at the start, fraction of the branch's initial debt (assumption)";
        sp_dump_share = 0.0, "share of the collateral depositors receive that they sell at once";
    }
}

/// How a trove with `coll` units and `debt` at price `price` is split when the pool holds
/// `sp`: `(offset, coll_to_sp, gas_comp, debt_redist, coll_redist, surplus)` in base units of
/// debt and collateral units.
pub fn split(
    p: &LiquityParams,
    coll: f64,
    debt: f64,
    price: f64,
    sp: f64,
) -> (f64, f64, f64, f64, f64, f64) {
    let offset = debt.min(sp.max(0.0));
    let coll_sp = if debt > 0.0 {
        coll * offset / debt
    } else {
        0.0
    };
    let gas = (coll_sp * p.gas_comp).min(p.gas_comp_cap * UNIT / price);
    let to_sp = (coll_sp - gas).min(offset * (1.0 + p.sp_penalty) / price);
    let debt_r = debt - offset;
    let coll_left = coll - coll_sp;
    let coll_r = coll_left.min(debt_r * (1.0 + p.redist_penalty) / price);
    let surplus = (coll_sp - gas - to_sp) + (coll_left - coll_r);
    (offset, to_sp, gas, debt_r, coll_r, surplus)
}

#[derive(Debug, Clone)]
struct Trove {
    acct: usize,
    asset: usize,
    coll: f64,
    debt: f64,
    stake: f64,
    s_coll: f64,
    s_debt: f64,
    due_since: Option<usize>,
}

#[derive(Debug, Clone, Default)]
struct Branch {
    total_stakes: f64,
    l_coll: f64,
    l_debt: f64,
    sp: f64,
    sp0: f64,
    /// Collateral the pool's depositors hold.
    sp_coll: f64,
    shutdown_at: Option<u64>,
}

/// The Liquity v2 engine.
pub struct Liquity {
    p: LiquityParams,
    b: Borrowers,
    troves: Vec<Trove>,
    branches: Vec<Branch>,
    keepers: Keepers,
    oracle: SpotOracle,
    ledger: Ledger,
    initial_debt: f64,
    /// Loss of troves that received redistributed debt worth more than its collateral.
    redistribution_loss: f64,
    over_liquidation: f64,
}

impl Liquity {
    /// Opens the world's book under Liquity's parameters.
    pub fn new(w: &World<'_>, config: &RunConfig) -> Result<Self> {
        let p = LiquityParams::with_overrides(&config.overrides)?;
        let b = Borrowers::open(&w.book, 1.0 / p.mcr);
        let mut troves = vec![];
        let mut branches = vec![Branch::default(); w.assets()];
        for (acct, pos) in b.pos.iter().enumerate() {
            let value = pos.value(&b.p0);
            for (asset, u) in pos.units.iter().enumerate() {
                if *u > 0.0 && value > 0.0 {
                    let debt = pos.debt * u * b.p0[asset] / value;
                    branches[asset].total_stakes += u;
                    branches[asset].sp0 += debt * p.sp;
                    troves.push(Trove {
                        acct,
                        asset,
                        coll: *u,
                        debt,
                        stake: *u,
                        s_coll: 0.0,
                        s_debt: 0.0,
                        due_since: None,
                    });
                }
            }
        }
        for br in &mut branches {
            br.sp = br.sp0;
        }
        let initial_debt = b.total_debt();
        let sp_total: f64 = branches.iter().map(|b| b.sp0).sum();
        Ok(Liquity {
            keepers: Keepers::new(config.keepers.clone(), initial_debt, config.seed),
            oracle: SpotOracle::aggregated(config),
            ledger: Ledger::new(sp_total),
            initial_debt,
            redistribution_loss: 0.0,
            over_liquidation: 0.0,
            troves,
            branches,
            b,
            p,
        })
    }

    /// A trove's collateral and debt with its pending redistribution rewards.
    fn effective(&self, t: &Trove) -> (f64, f64) {
        let br = &self.branches[t.asset];
        (
            t.coll + t.stake * (br.l_coll - t.s_coll),
            t.debt + t.stake * (br.l_debt - t.s_debt),
        )
    }

    /// Liquidates trove `j`; returns false when it cannot be (the branch's last trove with
    /// more debt than the pool can offset: nobody is left to take the rest).
    fn liquidate(&mut self, w: &mut World<'_>, j: usize, price: &[f64]) -> bool {
        let (coll, debt) = self.effective(&self.troves[j]);
        let a = self.troves[j].asset;
        let acct = self.troves[j].acct;
        let pa = price[a];
        let br = &mut self.branches[a];
        let others = br.total_stakes - self.troves[j].stake;
        if others <= br.total_stakes * 1e-12 && debt > br.sp {
            return false;
        }
        br.total_stakes = others;
        let (offset, to_sp, gas, debt_r, coll_r, surplus) = split(&self.p, coll, debt, pa, br.sp);
        let ext = w.price(a);
        br.sp -= offset;
        br.sp_coll += to_sp;
        // Depositors burned `offset` for collateral worth `to_sp` at the market.
        let sp_loss = offset - to_sp * ext;
        if sp_loss > 0.0 {
            self.ledger.losses += sp_loss;
        }
        if debt_r > 0.0 {
            br.l_coll += coll_r / br.total_stakes;
            br.l_debt += debt_r / br.total_stakes;
            self.redistribution_loss += (debt_r - coll_r * ext).max(0.0);
        }
        let t = &mut self.troves[j];
        t.coll = 0.0;
        t.debt = 0.0;
        t.stake = 0.0;
        w.liquidated(a, debt);
        self.over_liquidation += (debt
            - crate::engines::kit::min_repay(
                debt,
                coll * pa / self.p.mcr,
                1.0 / self.p.mcr,
                self.p.sp_penalty,
            ))
        .max(0.0);
        self.b.charge(acct, (coll - surplus) * ext, debt);
        let mut cause = vec![0.0; w.assets()];
        cause[a] = 1.0;
        // The caller sells its compensation; depositors sell their share of what they got.
        let sell = gas * self.keepers.p.dump_share.clamp(0.0, 1.0)
            + to_sp * self.p.sp_dump_share.clamp(0.0, 1.0);
        if sell > 0.0 {
            let got = w.sell_caused(a, sell, &cause);
            let dumped = to_sp * self.p.sp_dump_share.clamp(0.0, 1.0);
            let br = &mut self.branches[a];
            br.sp_coll -= dumped;
            br.sp += got * dumped / sell;
        }
        true
    }

    /// Troves below the MCR at `price`, their keepers having seen it `latency` steps, most
    /// unhealthy first, and the debt below the MCR now.
    fn due(&mut self, price: &[f64], n: usize, latency: usize) -> (Vec<usize>, f64) {
        let mut due = vec![];
        let mut debt_due = 0.0;
        let mut icr = vec![];
        for j in 0..self.troves.len() {
            let (coll, debt) = self.effective(&self.troves[j]);
            let t = &mut self.troves[j];
            if debt > 0.0 && coll * price[t.asset] < self.p.mcr * debt {
                debt_due += debt;
                let since = *t.due_since.get_or_insert(n);
                if n >= since + latency {
                    due.push(j);
                    icr.push(coll * price[t.asset] / debt);
                }
            } else {
                t.due_since = None;
            }
        }
        let mut order: Vec<usize> = (0..due.len()).collect();
        order.sort_by(|x, y| icr[*x].total_cmp(&icr[*y]));
        (order.into_iter().map(|i| due[i]).collect(), debt_due)
    }
}

impl Engine for Liquity {
    fn initial_debt(&self) -> f64 {
        self.initial_debt
    }

    fn threshold(&self) -> f64 {
        1.0 / self.p.mcr
    }

    fn params(&self) -> Vec<ParamDoc> {
        self.p.docs()
    }

    fn liquidations_of(&self, i: usize) -> Option<u32> {
        self.b.liquidations.get(i).copied()
    }

    fn step(&mut self, w: &mut World<'_>) -> Result<EngineState> {
        let price = self.oracle.prices(w);
        self.keepers.begin_step();
        let latency = self.keepers.latency();
        let (mut due, liquidatable) = self.due(&price, w.n, latency);
        // One batch transaction a step, by the first keeper that gets one through.
        let mut sent = due.is_empty();
        while !sent {
            let Some(k) = self.keepers.next_keeper() else {
                break;
            };
            sent = self.keepers.send(k);
        }
        let mut rounds = 0;
        while sent && !due.is_empty() && rounds < 50 {
            let mut any = false;
            for j in due {
                any |= self.liquidate(w, j, &price);
            }
            if !any {
                break;
            }
            // Redistribution may have pushed others under: cascade within the step.
            due = self.due(&price, w.n, latency).0;
            rounds += 1;
        }
        let mut coll = vec![0.0; w.assets()];
        let mut debt = vec![0.0; w.assets()];
        let mut min_hf = f64::INFINITY;
        for t in &self.troves {
            let (c, d) = self.effective(t);
            coll[t.asset] += c;
            debt[t.asset] += d;
            if d > 0.0 {
                min_hf = min_hf.min(c * price[t.asset] / (self.p.mcr * d));
            }
        }
        for (a, br) in self.branches.iter_mut().enumerate() {
            if br.shutdown_at.is_none()
                && debt[a] > 0.0
                && coll[a] * price[a] < self.p.scr * debt[a]
            {
                br.shutdown_at = Some(w.t);
            }
        }
        let pool: f64 = self
            .branches
            .iter()
            .enumerate()
            .map(|(a, br)| br.sp + br.sp_coll * price[a])
            .sum();
        let l = &self.ledger;
        Ok(EngineState {
            covered_bad_debt: l.covered(),
            uncovered_bad_debt: l.uncovered(),
            buffer_value: pool,
            min_health_factor: min_hf,
            total_debt: debt.iter().sum(),
            over_liquidation: self.over_liquidation,
            borrower_loss: self.b.loss() + self.redistribution_loss,
            liquidatable_debt: liquidatable,
            oracle: price,
        })
    }

    fn finish(&mut self, w: &mut World<'_>) -> Result<Finish> {
        let ext = w.prices();
        let mut f = Finish {
            uncovered: 0.0,
            by_asset: vec![0.0; ext.len()],
        };
        for t in &self.troves {
            let (c, d) = self.effective(t);
            let short = d - c * ext[t.asset];
            if d > 0.0 && short > 0.0 {
                f.uncovered += short;
                f.by_asset[t.asset] += short;
            }
        }
        Ok(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engines::testkit::{config, flat_then, world};
    use crate::model::EngineKind;

    #[test]
    fn the_pool_gets_at_most_five_percent_over_the_debt() {
        let p = LiquityParams::default();
        // coll 100 at 1.0 against debt 80: the pool takes 84 less nothing (gas 0.4 leaves 99.6
        // to cap at 84); the rest is surplus to the owner.
        let (offset, to_sp, gas, debt_r, coll_r, surplus) = split(&p, 100.0, 80.0, 1.0, 1e9);
        assert_eq!((offset, debt_r, coll_r), (80.0, 0.0, 0.0));
        assert!((gas - 0.5).abs() < 1e-12);
        assert!((to_sp - 84.0).abs() < 1e-12);
        assert!((surplus - 15.5).abs() < 1e-12);
    }

    #[test]
    fn liquity_redistributes_when_the_pool_is_empty() {
        let p = LiquityParams::default();
        let (offset, to_sp, _, debt_r, coll_r, surplus) = split(&p, 100.0, 95.0, 1.0, 0.0);
        assert_eq!((offset, to_sp), (0.0, 0.0));
        assert_eq!(debt_r, 95.0);
        assert!(
            (coll_r - 100.0).abs() < 1e-12,
            "capped at 104.5: all 100 go"
        );
        assert!(surplus.abs() < 1e-12);
        // Through the engine: an empty pool, two troves; the weak one is liquidated and the
        // strong one takes its debt and collateral.
        // Health 1.15 under the MCR is an ICR of 1.265: a fall to 8.0 takes it to 1.01 < 1.1.
        let s = flat_then(&[(600, 10.0), (660, 8.0), (1_800, 8.0)]);
        let mut cfg = config(EngineKind::Liquity);
        cfg.overrides = vec![("liquity.sp".into(), 0.0)];
        let mut w = world(&s, &cfg, &[(1e9, 1.15), (1e9, 2.0)]);
        let mut e = Liquity::new(&w, &cfg).unwrap();
        let debt0 = e.troves[0].debt + e.troves[1].debt;
        let trace = crate::engine::simulate(&mut w, &mut e, &mut |_, _| {}).unwrap();
        let (c1, d1) = e.effective(&e.troves[1]);
        assert_eq!(e.troves[0].debt, 0.0);
        assert!(
            (d1 - debt0).abs() < 1.0,
            "all the debt sits on the survivor"
        );
        assert!((c1 - 2e9).abs() < 1.0, "with all the collateral");
        // Nothing was sold and no bad debt was booked.
        assert!(trace.steps.iter().all(|s| s.sold_value == 0.0));
        assert_eq!(trace.steps.last().unwrap().uncovered_bad_debt, 0.0);
    }

    #[test]
    fn losses_land_on_the_pool_while_it_lasts() {
        // A trove liquidated below 100%: the pool burns its debt for less collateral.
        let s = flat_then(&[(600, 10.0), (660, 7.0), (1_800, 7.0)]);
        let mut cfg = config(EngineKind::Liquity);
        // A pool as large as the debt: the weak trove is fully offset.
        cfg.overrides = vec![("liquity.sp".into(), 1.0)];
        let mut w = world(&s, &cfg, &[(1e9, 1.2), (1e9, 3.0)]);
        let mut e = Liquity::new(&w, &cfg).unwrap();
        let trace = crate::engine::simulate(&mut w, &mut e, &mut |_, _| {}).unwrap();
        let last = trace.steps.last().unwrap();
        assert!(last.covered_bad_debt > 0.0);
        assert_eq!(last.uncovered_bad_debt, 0.0);
        assert_eq!(
            e.troves[1].debt,
            e.effective(&e.troves[1]).1,
            "no redistribution"
        );
    }
}
