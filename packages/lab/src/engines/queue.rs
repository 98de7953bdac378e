//! `queue`: an ORCA/Anchor-style premium bid queue (Anchor `liquidation_queue`, the kujira-orca
//! interface; `design/peers.md` §6), modelled in the lab.
//!
//! - Market: an account is liquidatable when its loan-to-value exceeds `max_ltv`; a
//!   liquidation sells enough collateral to bring borrow/limit back to `safe_ratio` (Anchor),
//!   or all of it when that cannot work.
//! - Queue, one per collateral: bidders pre-commit base in slots; slot `k` buys at
//!   `P·(1 − k·premium_per_slot)`. The keepers' capital starts spread evenly over slots
//!   `bid_slot_min..=bid_slot_max`, split between collaterals by value.
//! - A liquidation fills from the lowest premium up, pro rata within a slot. If the active bids
//!   cannot absorb it all, it fails this step (Anchor: "Not enough bids").
//! - Of the base raised, `bid_fee` goes to the protocol and `liquidator_fee` to the caller;
//!   the rest repays the debt (any excess goes to the borrower).
//! - Bidders claim what they won at once, pay the `withdrawal_fee` on it, sell it (keeper
//!   model: `dump_share` at once) and bid the proceeds again in the same slots; a new bid is
//!   active only after `waiting_period` seconds. The protocol never sells.
//! - No bad-debt accounting: debt left when the collateral runs out stays (uncovered).
use crate::engine::{Engine, EngineState, Finish, World};
use crate::engines::kit::{cause, keeper_takes, min_repay, sell_inventory, Core, SpotOracle};
use crate::model::RunConfig;
use crate::params::ParamSet;
use anyhow::Result;

crate::param_set! {
    /// ORCA / Anchor liquidation queue and the market around it (`design/peers.md` §6).
    pub struct QueueParams("queue") {
        max_ltv = 0.6, "liquidation when loan-to-value exceeds this (USK max_ratio 60%)";
        safe_ratio = 0.8, "a liquidation brings borrow / (value x max_ltv) back to this (Anchor)";
        premium_per_slot = 0.01, "premium step between slots";
        max_slot = 30.0, "highest slot (30%)";
        bid_slot_min = 1.0, "lowest slot the keepers bid in (assumption)";
        bid_slot_max = 10.0, "highest slot the keepers bid in (assumption)";
        waiting_period = 600.0, "seconds before a new bid is active";
        bid_fee = 0.01, "share of the base raised to the protocol";
        liquidator_fee = 0.01, "share of the base raised to the caller";
        withdrawal_fee = 0.005, "share of claimed collateral kept as a fee";
    }
}

/// Fills `q` units at price `p` against `slots[k]` (base bid at slot `k`, lowest premium
/// first): per slot the units bought, and the base they cost; `None` if the bids cannot absorb
/// all of `q`.
pub fn fill(params: &QueueParams, q: f64, p: f64, slots: &[f64]) -> Option<(Vec<f64>, f64)> {
    let mut left = q;
    let mut units = vec![0.0; slots.len()];
    let mut raised = 0.0;
    for (k, bid) in slots.iter().enumerate() {
        if left <= 0.0 {
            break;
        }
        let price = p * (1.0 - k as f64 * params.premium_per_slot);
        if price <= 0.0 || *bid <= 0.0 {
            continue;
        }
        let u = left.min(bid / price);
        units[k] = u;
        raised += u * price;
        left -= u;
    }
    (left <= q * 1e-12).then_some((units, raised))
}

#[derive(Debug, Clone)]
struct Pending {
    asset: usize,
    keeper: usize,
    slot: usize,
    amount: f64,
    active_at: u64,
}

/// The queue engine.
pub struct Queue {
    p: QueueParams,
    core: Core,
    oracle: SpotOracle,
    /// `bids[a][k][slot]`: keeper `k`'s active base in asset `a`'s queue.
    bids: Vec<Vec<Vec<f64>>>,
    pending: Vec<Pending>,
}

impl Queue {
    /// Opens the world's book and the keepers' bids.
    pub fn new(w: &World<'_>, config: &RunConfig) -> Result<Self> {
        let p = QueueParams::with_overrides(&config.overrides)?;
        let mut core = Core::open(w, config, &p, p.max_ltv);
        let keepers = &mut core.keepers;
        let slots = p.max_slot.max(0.0) as usize + 1;
        let value = w.book.collateral_value();
        let total: f64 = value.iter().sum();
        let (lo, hi) = Self::slot_range(&p, slots);
        let mut bids = vec![vec![vec![0.0; slots]; keepers.capital.len()]; w.assets()];
        for (a, asset_bids) in bids.iter_mut().enumerate() {
            let share = if total > 0.0 { value[a] / total } else { 1.0 };
            for (k, kb) in asset_bids.iter_mut().enumerate() {
                let each = keepers.capital[k] * share / (hi - lo + 1) as f64;
                for slot in kb.iter_mut().take(hi + 1).skip(lo) {
                    *slot = each;
                }
            }
        }
        keepers.capital.iter_mut().for_each(|c| *c = 0.0);
        Ok(Queue {
            oracle: SpotOracle::aggregated(config),
            core,
            bids,
            pending: vec![],
            p,
        })
    }

    /// Keepers bid their free capital again (active after the waiting period).
    fn rebid(&mut self, now: u64) {
        let slots = self
            .bids
            .first()
            .and_then(|a| a.first())
            .map_or(0, |k| k.len());
        if slots == 0 {
            return;
        }
        let (lo, hi) = Self::slot_range(&self.p, slots);
        let assets = self.bids.len();
        for k in 0..self.core.keepers.capital.len() {
            let free = self.core.keepers.capital[k];
            if free <= 0.0 {
                continue;
            }
            self.core.keepers.capital[k] = 0.0;
            let each = free / (assets * (hi - lo + 1)) as f64;
            for asset in 0..assets {
                for slot in lo..=hi {
                    self.pending.push(Pending {
                        asset,
                        keeper: k,
                        slot,
                        amount: each,
                        active_at: now + self.p.waiting_period.max(0.0) as u64,
                    });
                }
            }
        }
    }

    fn slot_range(p: &QueueParams, slots: usize) -> (usize, usize) {
        let hi = (p.bid_slot_max.max(0.0) as usize).min(slots - 1);
        let lo = (p.bid_slot_min.max(0.0) as usize).min(hi);
        (lo, hi)
    }

    /// Collateral units to sell so that borrow/limit returns to `safe_ratio`, estimating the
    /// fill at the lowest active premium; all of the holding when that cannot work.
    fn amount(&self, pos: &crate::engines::kit::Pos, a: usize, price: &[f64]) -> f64 {
        let p = &self.p;
        let slots = self.active_slots(a);
        let k0 = slots.iter().position(|x| *x > 0.0).unwrap_or(0) as f64;
        let net = (1.0 - k0 * p.premium_per_slot) * (1.0 - p.bid_fee - p.liquidator_fee);
        let t = p.safe_ratio * p.max_ltv;
        let v = pos.value(price);
        let denom = price[a] * (net - t);
        let q = if denom > 0.0 {
            (pos.debt - t * v) / denom
        } else {
            f64::INFINITY
        };
        q.max(0.0).min(pos.units[a])
    }

    fn active_slots(&self, a: usize) -> Vec<f64> {
        let n = self.bids[a].first().map_or(0, |x| x.len());
        (0..n)
            .map(|s| self.bids[a].iter().map(|kb| kb[s]).sum())
            .collect()
    }

    fn liquidate(&mut self, w: &mut World<'_>, i: usize, price: &[f64]) {
        let pos = self.core.b.pos[i].clone();
        let a = pos.largest(price);
        let q = self.amount(&pos, a, price);
        if q <= 0.0 {
            return;
        }
        let slots = self.active_slots(a);
        let Some((units, raised)) = fill(&self.p, q, price[a], &slots) else {
            return;
        };
        let fee = raised * self.p.liquidator_fee;
        let Some(k) = self.core.keepers.next_keeper() else {
            return;
        };
        if !self.core.keepers.worth_calling(fee) || !self.core.keepers.send(k) {
            return;
        }
        let repay = raised * (1.0 - self.p.bid_fee - self.p.liquidator_fee);
        let r = repay.min(pos.debt);
        let ext = w.price(a);
        let why = cause(&pos, &self.core.b.p0, price);
        let w_lt = pos.value(price) * self.p.max_ltv;
        let eff_bonus = if repay > 0.0 {
            raised / repay - 1.0
        } else {
            0.0
        };
        self.core.over_liquidation +=
            (r - min_repay(pos.debt, w_lt, self.p.max_ltv, eff_bonus)).max(0.0);
        {
            let x = &mut self.core.b.pos[i];
            x.debt -= r;
            x.units[a] = if q >= x.units[a] * (1.0 - 1e-9) {
                0.0
            } else {
                x.units[a] - q
            };
        }
        w.liquidated(a, r);
        self.core.b.charge(i, q * ext, r);
        self.core.b.refund(i, repay - r);
        // Bidders: pro rata within each slot; they claim, pay the fee, and sell (what they
        // get back is bid again, see `step`).
        for (slot, u) in units.iter().enumerate() {
            if *u <= 0.0 || slots[slot] <= 0.0 {
                continue;
            }
            let spent_frac = (u * price[a] * (1.0 - slot as f64 * self.p.premium_per_slot)
                / slots[slot])
                .min(1.0);
            for kk in 0..self.bids[a].len() {
                let mine = self.bids[a][kk][slot];
                if mine <= 0.0 {
                    continue;
                }
                let spent = mine * spent_frac;
                self.bids[a][kk][slot] -= spent;
                let won = u * mine / slots[slot] * (1.0 - self.p.withdrawal_fee);
                self.core.keepers.capital[kk] += spent;
                keeper_takes(w, &mut self.core.keepers, kk, a, won, spent, &why);
            }
        }
    }
}

impl Engine for Queue {
    crate::core_basics!();

    fn step(&mut self, w: &mut World<'_>) -> Result<EngineState> {
        let price = self.oracle.prices(w);
        // Bids whose waiting period is over become active.
        let now = w.t;
        let (ready, waiting): (Vec<Pending>, Vec<Pending>) =
            self.pending.drain(..).partition(|b| b.active_at <= now);
        self.pending = waiting;
        for b in ready {
            self.bids[b.asset][b.keeper][b.slot] += b.amount;
        }
        // What bidders hold they sell where it pays; what they have in hand they bid again,
        // spread over their slots and assets as at the start.
        sell_inventory(w, &mut self.core.keepers);
        self.rebid(w.t);
        let (due, liquidatable) = self.core.begin(w.n, &price);
        for i in due {
            self.liquidate(w, i, &price);
        }
        let stranded = self.core.stranded();
        let bids: f64 = self.bids.iter().flatten().flatten().sum::<f64>()
            + self.pending.iter().map(|b| b.amount).sum::<f64>();
        Ok(self.core.state(price, (0.0, stranded, bids), liquidatable))
    }

    fn finish(&mut self, w: &mut World<'_>) -> Result<Finish> {
        Ok(self.core.underwater_with_collateral(&w.prices()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engines::testkit::{config, flat_then, world};
    use crate::model::EngineKind;

    #[test]
    fn the_queue_fills_the_lowest_premium_first() {
        let p = QueueParams::default();
        // 100 base at 1%, 100 at 3%: 15 units at price 10 take all of slot 1 (10.1 units at
        // 9.9) and the rest at 9.7.
        let mut slots = vec![0.0; 31];
        slots[1] = 100.0;
        slots[3] = 100.0;
        let (units, raised) = fill(&p, 15.0, 10.0, &slots).unwrap();
        assert!((units[1] - 100.0 / 9.9).abs() < 1e-12);
        assert!((units[3] - (15.0 - 100.0 / 9.9)).abs() < 1e-12);
        assert!((raised - (100.0 + units[3] * 9.7)).abs() < 1e-9);
        // Not enough bids: the liquidation fails.
        assert!(fill(&p, 25.0, 10.0, &slots).is_none());
    }

    #[test]
    fn a_new_bid_waits_out_the_waiting_period() {
        // Keepers' bids are won in the first liquidation; what they bid again is active only
        // ten minutes later, so a second liquidation right after fails for lack of bids.
        let s = flat_then(&[(600, 10.0), (660, 8.0), (3_600, 8.0)]);
        let mut cfg = config(EngineKind::Queue);
        cfg.keepers.capital = 0.5;
        let mut w = world(&s, &cfg, &[(1e9, 1.1), (1e9, 1.12)]);
        let mut e = Queue::new(&w, &cfg).unwrap();
        let mut bid_again = false;
        for n in 0..w.total {
            w.begin_step(n);
            e.step(&mut w).unwrap();
            for b in &e.pending {
                bid_again = true;
                assert!(
                    b.active_at > w.t && b.active_at <= w.t + 600,
                    "bids re-enter only after the waiting period"
                );
            }
        }
        assert!(bid_again, "a liquidation filled and its bidders bid again");
    }
}
