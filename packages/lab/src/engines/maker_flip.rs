//! `maker-flip`: Maker's Liquidations 1.2, the English auctions of March 2020 (dss `cat.sol`
//! `bite` and `flip.sol` `kick`/`tend`/`dent`/`deal`/`tick`), modelled in the lab.
//!
//! - Vaults and the OSM as in [`crate::engines::maker`]; unsafe when `ink·P_osm/mat < art`.
//! - `bite`: a keeper starts an auction of `lot = min(ink, lump)` (a vault larger than `lump`
//!   is bitten several times) for `tab = dart·chop` with `dart = art·lot/ink`, at a starting
//!   bid of 0. No keeper reward: keepers bite every unsafe vault they see with the transactions
//!   their bids leave (it makes the auctions they bid in).
//! - `tend` (while `bid < tab`): a bid must beat the current one by `beg` (any positive bid
//!   beats 0) and lock the bidder's base until it is outbid or the auction ends (no flash: the
//!   bid is paid when made). Each bid sets `tic = now + ttl`.
//! - `dent` (once `bid = tab`): bidders offer the same `tab` for a lot smaller by `beg`; what
//!   they give up goes back to the vault.
//! - `deal`: once `tic` has passed (or the auction's `end`, `tau` after the kick), the high
//!   bidder gets the lot; an auction with no bid by `end` is restarted (`tick`).
//! - Bidding strategy: a keeper values a lot at what it can sell it for on the external market,
//!   less its margin and gas. On an auction nobody has bid on it bids the least positive amount
//!   (one base unit): in an English auction the lowest winning bid is the rational one when
//!   unopposed. Outbid, or facing a low bid, it jumps to its value (capped at `tab`); in
//!   `dent` it jumps to the smallest lot it still values at `tab`. With enough keepers getting
//!   their transactions through, lots sell near their value less the margin; with congestion
//!   (`keepers.fail_share`, `keepers.tx_per_step`) a lone low bid can stand for `ttl` and win:
//!   Black Thursday's zero-bid auctions.
//! - Accounting as Maker 2.0: raised beyond the debt closed goes to the surplus buffer,
//!   shortfalls are drawn from it, beyond it the loss is uncovered.
use crate::engine::{Engine, EngineState, Finish, World};
use crate::engines::kit::{keeper_takes, min_repay, sell_inventory};
use crate::engines::maker::{vault_basics, VaultBook};
use crate::keepers::UNIT;
use crate::model::RunConfig;
use crate::params::ParamSet;
use anyhow::Result;

crate::param_set! {
    /// Maker Liquidations 1.2 (flip.sol), ETH as of March 2020 (values as reported after the
    /// event, not read from chain here).
    pub struct FlipParams("maker_flip") {
        mat = 1.5, "liquidation ratio (ETH-A, March 2020)";
        chop = 1.13, "liquidation penalty";
        lump = 10000.0, "largest lot per auction, dollars at the start price (50 ETH at about $200)";
        beg = 1.03, "minimum bid increase (tend) / lot decrease (dent)";
        ttl = 600.0, "seconds a bid stands before the auction can be dealt";
        tau = 21600.0, "auction length, seconds, restarted when no bid came";
        osm_hop = 3600.0, "seconds between OSM pokes";
        surplus = 0.01, "surplus buffer at the start, fraction of initial debt (assumption)";
    }
}

/// Whether `bid` is an acceptable `tend` over `current` for an auction owing `tab`.
pub fn tend_ok(p: &FlipParams, bid: f64, current: f64, tab: f64) -> bool {
    bid <= tab && bid > current && (bid >= p.beg * current || bid == tab)
}

/// Whether `lot` is an acceptable `dent` under `current`.
pub fn dent_ok(p: &FlipParams, lot: f64, current: f64) -> bool {
    lot < current && p.beg * lot <= current
}

struct Flip {
    vault: usize,
    lot: f64,
    tab: f64,
    due: f64,
    bid: f64,
    guy: Option<usize>,
    tic: Option<u64>,
    end: u64,
}

/// The Maker 1.2 engine.
pub struct MakerFlip {
    p: FlipParams,
    vb: VaultBook,
    flips: Vec<Flip>,
    lump_units: Vec<f64>,
}

impl MakerFlip {
    /// Opens the world's book under Maker 1.2's parameters.
    pub fn new(w: &World<'_>, config: &RunConfig) -> Result<Self> {
        let p = FlipParams::with_overrides(&config.overrides)?;
        Ok(MakerFlip {
            vb: VaultBook::open(w, config, &p, p.mat, p.osm_hop, p.surplus),
            flips: vec![],
            lump_units: w.book.p0.iter().map(|p0| p.lump * UNIT / p0).collect(),
            p,
        })
    }

    fn bite(&mut self, w: &mut World<'_>, v: usize, price: &[f64]) {
        let a = self.vb.vaults[v].asset;
        while self.vb.vaults[v].art > 0.0 && self.vb.vaults[v].ink > 0.0 {
            let Some(k) = self.vb.keepers.next_keeper() else {
                return;
            };
            if !self.vb.keepers.send(k) {
                return;
            }
            let vault = &mut self.vb.vaults[v];
            let lot = vault.ink.min(self.lump_units[a]);
            let dart = if lot >= vault.ink * (1.0 - 1e-12) {
                vault.art
            } else {
                vault.art * lot / vault.ink
            };
            let w_lt = vault.ink * price[a] / self.p.mat;
            self.vb.over_liquidation +=
                (dart - min_repay(vault.art, w_lt, 1.0 / self.p.mat, self.p.chop - 1.0)).max(0.0);
            vault.ink -= lot;
            vault.art -= dart;
            let acct = vault.acct;
            w.liquidated(a, dart);
            self.vb.b.charge(acct, lot * w.price(a), dart);
            self.flips.push(Flip {
                vault: v,
                lot,
                tab: dart * self.p.chop,
                due: dart,
                bid: 0.0,
                guy: None,
                tic: None,
                end: w.t + self.p.tau.max(1.0) as u64,
            });
            // Still unsafe with what is left? Bite again (a vault larger than the lump).
            let vault = &self.vb.vaults[v];
            if vault.art <= 0.0 || vault.ink * price[a] / self.p.mat >= vault.art {
                return;
            }
        }
    }

    /// What keeper `k` would pay at most for `lot` of asset `a` now.
    fn value(&self, w: &World<'_>, a: usize, lot: f64) -> f64 {
        let ext = w.price(a);
        let margin = self.vb.keepers.p.margin.clamp(0.0, 0.99);
        if self.vb.keepers.dumping() {
            return lot * ext * (1.0 - margin);
        }
        let share = self.vb.keepers.p.dump_share.clamp(0.0, 1.0);
        let got = w.markets[a].quote_sell(lot * share, &w.points[a]) + lot * (1.0 - share) * ext;
        (got * (1.0 - margin) - self.vb.keepers.gas()).max(0.0)
    }

    /// The smallest lot of asset `a` a keeper values at `tab` or more (`None` if even `lot`
    /// is worth less).
    fn smallest_lot(&self, w: &World<'_>, a: usize, lot: f64, tab: f64) -> Option<f64> {
        if self.value(w, a, lot) < tab {
            return None;
        }
        let (mut lo, mut hi) = (0.0, lot);
        for _ in 0..40 {
            let mid = 0.5 * (lo + hi);
            if self.value(w, a, mid) >= tab {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        Some(hi)
    }

    /// One keeper turn on auction `f`; returns whether the keeper acted.
    fn bid(&mut self, w: &mut World<'_>, f: usize, k: usize) -> bool {
        let a = self.vb.vaults[self.flips[f].vault].asset;
        let flip = &self.flips[f];
        if flip.guy == Some(k) {
            return false;
        }
        if flip.bid < flip.tab {
            // tend
            let value = self.value(w, a, flip.lot).min(flip.tab);
            let bid = if flip.guy.is_none() {
                1.0
            } else if value >= flip.bid * self.p.beg || value == flip.tab {
                value
            } else {
                return false;
            };
            if value < bid || !tend_ok(&self.p, bid, flip.bid, flip.tab) {
                return false;
            }
            if self.vb.keepers.capital[k] < bid {
                return false;
            }
            if !self.vb.keepers.send(k) {
                return true;
            }
            self.take_lead(f, k, bid, w.t);
            true
        } else {
            // dent
            let Some(smallest) = self.smallest_lot(w, a, flip.lot, flip.tab) else {
                return false;
            };
            if !dent_ok(&self.p, smallest, flip.lot) || self.vb.keepers.capital[k] < flip.tab {
                return false;
            }
            if !self.vb.keepers.send(k) {
                return true;
            }
            let tab = flip.tab;
            self.take_lead(f, k, tab, w.t);
            let flip = &mut self.flips[f];
            let back = flip.lot - smallest;
            flip.lot = smallest;
            let v = flip.vault;
            self.vb.vaults[v].ink += back;
            let acct = self.vb.vaults[v].acct;
            self.vb.b.refund(acct, back * w.price(a));
            true
        }
    }

    /// Keeper `k` becomes the high bidder of auction `f` with `bid` at time `now`: the
    /// previous high bidder gets its base back, `k` locks `bid`, and the bid stands `ttl`.
    fn take_lead(&mut self, f: usize, k: usize, bid: f64, now: u64) {
        let flip = &mut self.flips[f];
        if let Some(prev) = flip.guy {
            self.vb.keepers.capital[prev] += flip.bid;
        }
        self.vb.keepers.capital[k] -= bid;
        flip.bid = bid;
        flip.guy = Some(k);
        flip.tic = Some(now + self.p.ttl.max(0.0) as u64);
    }

    fn deal(&mut self, w: &mut World<'_>, flip: Flip) {
        let a = self.vb.vaults[flip.vault].asset;
        let Some(k) = flip.guy else {
            return;
        };
        // Far below the market: less than 0.8 x the lot's external value (the OSM lags).
        let lot_value = flip.lot * w.price(a);
        if flip.bid < 0.8 * lot_value {
            w.flow.below_floor_value += lot_value;
        }
        let mut cause = vec![0.0; w.assets()];
        cause[a] = 1.0;
        // The bid was paid when made (and taken from its capital): the winner sells the lot.
        self.vb.keepers.capital[k] += flip.bid;
        keeper_takes(w, &mut self.vb.keepers, k, a, flip.lot, flip.bid, &cause);
        self.vb.settle(w, a, flip.bid, flip.due);
    }
}

impl Engine for MakerFlip {
    vault_basics!();

    fn step(&mut self, w: &mut World<'_>) -> Result<EngineState> {
        let (price, due, liquidatable) = self.vb.begin(w);
        sell_inventory(w, &mut self.vb.keepers);
        // Deal what has ended; restart what ended without a bid.
        let mut i = 0;
        while i < self.flips.len() {
            let f = &mut self.flips[i];
            let over = f.tic.is_some_and(|tic| tic < w.t) || (f.end < w.t && f.guy.is_some());
            if over {
                let flip = self.flips.remove(i);
                self.deal(w, flip);
                continue;
            }
            if f.end < w.t && f.guy.is_none() {
                f.end = w.t + self.p.tau.max(1.0) as u64;
            }
            i += 1;
        }
        // Keepers spend their transactions where they gain most first: a bid on an auction
        // nobody has bid on (it wins the whole lot for almost nothing if unopposed), then
        // outbidding others, oldest auctions first; a `bite` pays nothing, so it gets the
        // turns left (below).
        let latency = self.vb.keepers.latency() as u64 * w.config.step;
        let (tau, now) = (self.p.tau.max(1.0) as u64, w.t);
        let visible = move |f: &Flip| f.end.saturating_sub(tau) + latency <= now;
        let fresh: Vec<usize> = (0..self.flips.len())
            .filter(|&f| self.flips[f].guy.is_none() && visible(&self.flips[f]))
            .collect();
        for f in fresh {
            let Some(k) = self.vb.keepers.next_keeper() else {
                break;
            };
            self.bid(w, f, k);
        }
        // Each keeper tries each auction at most once a step (a failed transaction is retried
        // next step, not resent in a loop).
        for f in 0..self.flips.len() {
            if !visible(&self.flips[f]) {
                continue;
            }
            for _ in 0..self.vb.keepers.capital.len() {
                let Some(k) = self.vb.keepers.next_keeper() else {
                    break;
                };
                self.bid(w, f, k);
            }
        }
        for v in due {
            self.bite(w, v, &price);
        }
        let in_auction: f64 = self.flips.iter().map(|f| (f.due - f.bid).max(0.0)).sum();
        Ok(self.vb.state(price, in_auction, liquidatable))
    }

    fn finish(&mut self, w: &mut World<'_>) -> Result<Finish> {
        // What an unfinished auction still owes the system beyond its bid and lot.
        let unfinished: Vec<(usize, f64, f64)> = self
            .flips
            .iter()
            .map(|f| (self.vb.vaults[f.vault].asset, f.due - f.bid, f.lot))
            .collect();
        Ok(self.vb.finish(&w.prices(), &unfinished))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engines::testkit::{config, flat_then, world};
    use crate::model::EngineKind;

    #[test]
    fn tend_needs_beg_over_the_bid_and_dent_beg_under_the_lot() {
        let p = FlipParams::default();
        assert!(tend_ok(&p, 1.0, 0.0, 100.0), "any positive bid beats none");
        assert!(!tend_ok(&p, 0.0, 0.0, 100.0));
        assert!(tend_ok(&p, 103.0, 100.0, 200.0));
        assert!(!tend_ok(&p, 102.0, 100.0, 200.0));
        assert!(
            tend_ok(&p, 200.0, 199.0, 200.0),
            "bidding the tab always works"
        );
        assert!(!tend_ok(&p, 201.0, 100.0, 200.0));
        assert!(dent_ok(&p, 97.0, 100.0));
        assert!(!dent_ok(&p, 98.0, 100.0));
    }

    /// A crash with enough keepers sells lots near their value; congested keepers let lone
    /// near-zero bids win and leave a shortfall.
    #[test]
    fn congestion_lets_near_zero_bids_win() {
        let s = flat_then(&[(600, 10.0), (660, 6.0), (6 * 3_600, 6.0)]);
        let accounts: Vec<(f64, f64)> = (0..20).map(|i| (2e8, 1.02 + 0.01 * i as f64)).collect();
        let run = |fail: f64, tx: f64| {
            let mut cfg = config(EngineKind::MakerFlip);
            // Keepers rich enough to bid any lot: only congestion differs.
            cfg.keepers.capital = 1.0;
            cfg.keepers.fail_share = fail;
            cfg.keepers.tx_per_step = tx;
            let mut w = world(&s, &cfg, &accounts);
            let mut e = MakerFlip::new(&w, &cfg).unwrap();
            crate::engine::simulate(&mut w, &mut e, &mut |_, _| {}).unwrap()
        };
        let calm = run(0.0, 1000.0);
        let congested = run(0.9, 2.0);
        let below =
            |t: &crate::model::RunTrace| t.steps.iter().map(|s| s.below_floor_value).sum::<f64>();
        let loss = |t: &crate::model::RunTrace| {
            let l = t.steps.last().unwrap();
            l.covered_bad_debt + l.uncovered_bad_debt
        };
        assert!(
            below(&congested) > 10.0 * below(&calm).max(1.0),
            "{} vs {}",
            below(&congested),
            below(&calm)
        );
        assert!(
            loss(&congested) > loss(&calm),
            "{} vs {}",
            loss(&congested),
            loss(&calm)
        );
    }
}
