//! `maker`: Maker's Liquidations 2.0 (dss `dog.sol`, `clip.sol`, `abaci.sol`; `design/peers.md`
//! §3), modelled in the lab.
//!
//! - Vaults: one per account and collateral (ilk); an account holding several collaterals has
//!   its debt split between its vaults by value at the start.
//! - Oracle: the OSM. Every `osm_hop` seconds `cur ← nxt, nxt ← median`; the protocol reads
//!   `cur`, one to two hours behind the market. A vault is unsafe when `ink·P_osm/mat < art`.
//! - `bark`: `room = min(Hole − Dirt, hole − dirt)` (nothing when ≤ 0);
//!   `dart = min(art, room/chop)`; if the leftover would be below `dust` the whole vault goes,
//!   else a partial below `dust` is refused; `dink = ink·dart/art`; `tab = dart·chop`; the
//!   keeper is paid `tip + chip·tab` in new system debt (a loss). Keepers bark when that pays
//!   their gas.
//! - The auction starts at `top = P_osm·buf` and falls `cut` every `step` seconds. It must be
//!   redone (`redo`, paying `tip + chip·tab` again when `tab ≥ chost` and the lot is worth at
//!   least `chost`) once older than `tail` or below `cusp·top`; the new top is the OSM price
//!   then. `ClipperMom` stops kicks and redos for an asset while `nxt < cur·tolerance`.
//! - `take`: a keeper buys `slice` at the current price (with `clipperCall` it pays after
//!   receiving: flash, bounded by the external depth), `owe = slice·price` capped at `tab`; a
//!   partial take must leave `tab ≥ chost = dust·chop` (else it is cut to leave exactly
//!   `chost`). When `tab` reaches 0 the rest of the lot goes back to the vault; when the lot
//!   runs out first, the remaining shortfall is bad debt.
//! - Accounting: what auctions raise beyond the debt they closed (the penalty) goes to the
//!   surplus buffer; what they fall short of it, and every keeper reward, is drawn from it;
//!   beyond the buffer the loss is uncovered (debt auctions are off in today's configuration).
use crate::engine::{Engine, EngineState, Finish, World};
use crate::engines::kit::{keeper_sells, Borrowers, Ledger, Osm, SpotOracle};
use crate::keepers::{Keepers, UNIT};
use crate::model::RunConfig;
use crate::params::{ParamDoc, ParamSet};
use anyhow::Result;

crate::param_set! {
    /// Maker Liquidations 2.0, ETH-A (sky-ecosystem/spells-mainnet config; `design/peers.md` §3).
    pub struct MakerParams("maker") {
        mat = 1.45, "liquidation ratio: a vault is unsafe when ink x P_osm / mat < art";
        chop = 1.13, "liquidation penalty: tab = debt x chop";
        buf = 1.10, "auction start: top = P_osm x buf";
        cut = 0.99, "stair-step: the price is multiplied by cut every step";
        step = 90.0, "seconds per stair-step";
        tail = 7200.0, "seconds after which an auction must be redone";
        cusp = 0.45, "an auction below cusp x top must be redone";
        tip = 250.0, "flat keeper reward per bark or redo, dollars (new system debt)";
        chip = 0.001, "proportional keeper reward, share of the tab";
        dust = 7500.0, "dust, dollars: a partial liquidation must leave at least this much";
        hole = 0.03, "per-collateral cap on debt under auction, fraction of that collateral's initial debt (assumption scaled from hole 40M)";
        hole_global = 0.03, "global cap on debt under auction (Hole), fraction of initial debt (150M of about 5B)";
        osm_hop = 3600.0, "seconds between OSM pokes";
        tolerance = 0.5, "ClipperMom: kicks and redos stop while the next OSM price is below tolerance x the current one";
        surplus = 0.01, "surplus buffer at the start, fraction of initial debt (assumption): covers bad debt first";
        flash = 1.0, "1: takers may pay after receiving (clipperCall), bounded by external depth";
    }
}

/// Price of a stair-step auction started at `top`, `elapsed` seconds ago.
pub fn auction_price(p: &MakerParams, top: f64, elapsed: u64) -> f64 {
    let steps = (elapsed as f64 / p.step.max(1.0)).floor();
    top * p.cut.powf(steps)
}

/// Whether an auction started at `top`, `elapsed` seconds ago, must be redone.
pub fn needs_redo(p: &MakerParams, top: f64, elapsed: u64) -> bool {
    elapsed as f64 > p.tail || auction_price(p, top, elapsed) < p.cusp * top
}

/// `bark`'s debt to auction: `Some(dart)` of a vault with debt `art` under `room`, or `None`
/// when it must not bark (no room, or a partial below dust).
pub fn bark_amount(p: &MakerParams, art: f64, room: f64) -> Option<f64> {
    if room <= 0.0 || art <= 0.0 {
        return None;
    }
    let dust = p.dust * UNIT;
    let mut dart = art.min(room / p.chop);
    if art > dart {
        if art - dart < dust {
            dart = art;
        } else if dart < dust {
            return None;
        }
    }
    Some(dart)
}

/// A `take` of up to `slice` units at `price` from a lot of `lot` with `tab` left:
/// `(slice, owe)` after the tab cap and the `chost` rule, or `None` when it must not happen.
pub fn take_amounts(
    p: &MakerParams,
    slice: f64,
    lot: f64,
    tab: f64,
    price: f64,
) -> Option<(f64, f64)> {
    let chost = p.dust * UNIT * p.chop;
    let mut slice = slice.min(lot);
    let mut owe = slice * price;
    if owe > tab {
        owe = tab;
        slice = owe / price;
    } else if owe < tab && slice < lot && tab - owe < chost {
        if tab <= chost {
            return None;
        }
        owe = tab - chost;
        slice = owe / price;
    }
    (slice > 0.0).then_some((slice, owe))
}

/// One vault.
#[derive(Debug, Clone, PartialEq)]
pub struct Vault {
    /// The book account it belongs to.
    pub acct: usize,
    /// Its collateral.
    pub asset: usize,
    /// Collateral units.
    pub ink: f64,
    /// Debt, base units.
    pub art: f64,
    /// Step since which it has been unsafe.
    pub due_since: Option<usize>,
}

/// The vaults of a book under threshold `1/mat`: one per account and collateral held, the
/// account's debt split by value at the start.
pub fn open_vaults(b: &Borrowers) -> Vec<Vault> {
    let mut v = vec![];
    for (acct, pos) in b.pos.iter().enumerate() {
        let value = pos.value(&b.p0);
        for (asset, u) in pos.units.iter().enumerate() {
            if *u > 0.0 && value > 0.0 {
                v.push(Vault {
                    acct,
                    asset,
                    ink: *u,
                    art: pos.debt * u * b.p0[asset] / value,
                    due_since: None,
                });
            }
        }
    }
    v
}

/// What both Maker engines hold: vaults, the OSM, the keepers and the surplus buffer.
pub struct VaultBook {
    /// The borrowers (for borrower loss).
    pub b: Borrowers,
    /// The vaults.
    pub vaults: Vec<Vault>,
    /// The keepers.
    pub keepers: Keepers,
    /// The OSM.
    pub osm: Osm,
    /// Bad debt against the surplus buffer.
    pub ledger: Ledger,
    /// Debt at the start.
    pub initial_debt: f64,
    /// Over-liquidation so far.
    pub over_liquidation: f64,
    /// Liquidation ratio.
    pub mat: f64,
    /// The engine's parameters as documented.
    pub params: Vec<ParamDoc>,
}

impl VaultBook {
    /// Opens the world's vaults at liquidation ratio `mat`, an OSM poked every `hop` seconds
    /// and a surplus buffer of `surplus` × initial debt.
    pub fn open<P: ParamSet>(
        w: &World<'_>,
        config: &RunConfig,
        p: &P,
        mat: f64,
        hop: f64,
        surplus: f64,
    ) -> Self {
        let b = Borrowers::open(&w.book, 1.0 / mat);
        let initial_debt = b.total_debt();
        VaultBook {
            vaults: open_vaults(&b),
            keepers: Keepers::new(config.keepers.clone(), initial_debt, config.seed),
            osm: Osm::new(hop.max(1.0) as u64, SpotOracle::aggregated(config)),
            ledger: Ledger::new(surplus * initial_debt),
            initial_debt,
            over_liquidation: 0.0,
            mat,
            params: p.docs(),
            b,
        }
    }

    /// A step begins: the OSM price, the keepers' turns, and the unsafe vaults they act on
    /// with the debt unsafe now.
    pub fn begin(&mut self, w: &World<'_>) -> (Vec<f64>, Vec<usize>, f64) {
        let price = self.osm.prices(w);
        self.keepers.begin_step();
        let (due, debt) = unsafe_vaults(
            &mut self.vaults,
            &price,
            self.mat,
            w.n,
            self.keepers.latency(),
        );
        (price, due, debt)
    }

    /// Books an auction of asset `a` that raised `raised` for debt `due`: the penalty to the
    /// surplus, a shortfall from it.
    pub fn settle(&mut self, w: &mut World<'_>, a: usize, raised: f64, due: f64) {
        let net = raised - due;
        if net >= 0.0 {
            self.ledger.gains += net;
        } else {
            self.ledger.losses += -net;
            let mut value = vec![0.0; w.assets()];
            value[a] = 1.0;
            w.bad_debt(-net, &value);
        }
    }

    /// The state after a step, with `in_auction` debt still to be raised.
    pub fn state(&self, price: Vec<f64>, in_auction: f64, liquidatable: f64) -> EngineState {
        let lt = 1.0 / self.mat;
        EngineState {
            covered_bad_debt: self.ledger.covered(),
            uncovered_bad_debt: self.ledger.uncovered(),
            buffer_value: self.ledger.buffer(),
            min_health_factor: self
                .vaults
                .iter()
                .filter(|v| v.art > 0.0)
                .map(|v| v.ink * price[v.asset] * lt / v.art)
                .fold(f64::INFINITY, f64::min),
            total_debt: self.vaults.iter().map(|v| v.art).sum::<f64>() + in_auction,
            over_liquidation: self.over_liquidation,
            borrower_loss: self.b.loss(),
            liquidatable_debt: liquidatable,
            oracle: price,
        }
    }

    /// After the last step: open vaults underwater at `ext`, and each unfinished auction's
    /// `(asset, debt still to raise, lot)` booked as a loss beyond the lot's value.
    pub fn finish(&mut self, ext: &[f64], unfinished: &[(usize, f64, f64)]) -> Finish {
        let mut f = vaults_underwater(&self.vaults, ext);
        let before = self.ledger.uncovered();
        for &(a, owed, lot) in unfinished {
            let short = owed - lot * ext[a];
            if short > 0.0 {
                self.ledger.losses += short;
                f.by_asset[a] += short;
            }
        }
        f.uncovered += self.ledger.uncovered() - before;
        f
    }
}

/// The [`Engine`] methods of an engine with a `vb: VaultBook` field.
macro_rules! vault_basics {
    () => {
        fn initial_debt(&self) -> f64 {
            self.vb.initial_debt
        }
        fn threshold(&self) -> f64 {
            1.0 / self.vb.mat
        }
        fn params(&self) -> Vec<$crate::params::ParamDoc> {
            self.vb.params.clone()
        }
        fn liquidations_of(&self, i: usize) -> Option<u32> {
            self.vb.b.liquidations.get(i).copied()
        }
    };
}
pub(crate) use vault_basics;

struct Clip {
    vault: usize,
    lot: f64,
    tab: f64,
    /// Debt the auction closed (tab without the penalty) not yet raised.
    due: f64,
    raised: f64,
    top: f64,
    tic: u64,
    cause: Vec<f64>,
}

/// The Maker 2.0 engine.
pub struct Maker {
    p: MakerParams,
    vb: VaultBook,
    clips: Vec<Clip>,
    /// Debt under auction (with penalty) per asset, and its cap.
    dirt: Vec<f64>,
    hole: Vec<f64>,
}

impl Maker {
    /// Opens the world's book under Maker's parameters.
    pub fn new(w: &World<'_>, config: &RunConfig) -> Result<Self> {
        let p = MakerParams::with_overrides(&config.overrides)?;
        let vb = VaultBook::open(w, config, &p, p.mat, p.osm_hop, p.surplus);
        let mut per_asset = vec![0.0; w.assets()];
        for v in &vb.vaults {
            per_asset[v.asset] += v.art;
        }
        Ok(Maker {
            dirt: vec![0.0; w.assets()],
            hole: per_asset.iter().map(|d| d * p.hole).collect(),
            clips: vec![],
            vb,
            p,
        })
    }

    fn room(&self, a: usize) -> f64 {
        let global = self.p.hole_global * self.vb.initial_debt - self.dirt.iter().sum::<f64>();
        global.min(self.hole[a] - self.dirt[a])
    }

    fn bark(&mut self, w: &mut World<'_>, v: usize, price: &[f64]) {
        let a = self.vb.vaults[v].asset;
        let Some(dart) = bark_amount(&self.p, self.vb.vaults[v].art, self.room(a)) else {
            return;
        };
        let tab = dart * self.p.chop;
        let reward = self.p.tip * UNIT + self.p.chip * tab;
        let Some(k) = self.vb.keepers.next_keeper() else {
            return;
        };
        if !self.vb.keepers.worth_calling(reward) || !self.vb.keepers.send(k) {
            return;
        }
        let vault = &mut self.vb.vaults[v];
        let dink = vault.ink * dart / vault.art;
        // Over-liquidation: the whole vault's worth of debt closed beyond what restores safety.
        let w_lt = vault.ink * price[a] / self.p.mat;
        self.vb.over_liquidation += (dart
            - crate::engines::kit::min_repay(vault.art, w_lt, 1.0 / self.p.mat, self.p.chop - 1.0))
        .max(0.0);
        vault.ink -= dink;
        vault.art -= dart;
        let acct = vault.acct;
        self.dirt[a] += tab;
        self.vb.ledger.losses += reward;
        w.liquidated(a, dart);
        let mut cause = vec![0.0; price.len()];
        cause[a] = 1.0;
        self.vb.b.charge(acct, dink * w.price(a), dart);
        self.clips.push(Clip {
            vault: v,
            lot: dink,
            tab,
            due: dart,
            raised: 0.0,
            top: price[a] * self.p.buf,
            tic: w.t,
            cause,
        });
    }

    /// Takes, redos and endings of every running auction.
    fn auctions(&mut self, w: &mut World<'_>, price: &[f64], stopped: &[bool]) {
        let p = self.p.clone();
        let chost = p.dust * UNIT * p.chop;
        let mut ended = vec![];
        for c in 0..self.clips.len() {
            let a = self.vb.vaults[self.clips[c].vault].asset;
            let elapsed = w.t.saturating_sub(self.clips[c].tic);
            if needs_redo(&p, self.clips[c].top, elapsed) {
                if stopped[a] {
                    continue;
                }
                let Some(k) = self.vb.keepers.next_keeper() else {
                    continue;
                };
                if self.vb.keepers.send(k) {
                    let clip = &mut self.clips[c];
                    let pays = clip.tab >= chost && clip.lot * price[a] >= chost;
                    let reward = if pays {
                        p.tip * UNIT + p.chip * clip.tab
                    } else {
                        0.0
                    };
                    self.vb.ledger.losses += reward;
                    clip.top = price[a] * p.buf;
                    clip.tic = w.t;
                }
                continue;
            }
            let unit = auction_price(&p, self.clips[c].top, elapsed);
            let mut idle = 0;
            while self.clips[c].lot > 0.0
                && self.clips[c].tab > 0.0
                && idle < self.vb.keepers.capital.len()
            {
                let Some(k) = self.vb.keepers.next_keeper() else {
                    break;
                };
                let clip = &self.clips[c];
                let want = self.vb.keepers.units_to_buy(
                    k,
                    &w.markets[a],
                    &w.points[a],
                    unit,
                    clip.lot,
                    p.flash >= 0.5,
                );
                let Some((slice, owe)) =
                    take_amounts(&p, want, clip.lot, clip.tab, unit).filter(|_| want > 0.0)
                else {
                    idle += 1;
                    continue;
                };
                idle = 0;
                if !self.vb.keepers.send(k) {
                    continue;
                }
                let clip = &mut self.clips[c];
                clip.lot -= slice;
                clip.tab -= owe;
                clip.raised += owe;
                self.dirt[a] -= owe;
                // Below 0.8 x the external price (the OSM price lags).
                let ext = w.price(a);
                if unit < 0.8 * ext {
                    w.flow.below_floor_value += slice * ext;
                }
                let cause = clip.cause.clone();
                keeper_sells(w, &mut self.vb.keepers, k, a, slice, owe, &cause);
                if clip.tab <= 1e-6 || clip.lot <= 1e-12 {
                    ended.push(c);
                    break;
                }
            }
        }
        ended.sort_unstable();
        for c in ended.into_iter().rev() {
            let clip = self.clips.remove(c);
            self.end(w, clip);
        }
    }

    /// Books an auction that ended (tab paid, or lot sold out).
    fn end(&mut self, w: &mut World<'_>, clip: Clip) {
        let v = clip.vault;
        let a = self.vb.vaults[v].asset;
        self.dirt[a] = (self.dirt[a] - clip.tab.max(0.0)).max(0.0);
        if clip.lot > 0.0 {
            // Tab covered: the rest of the lot goes back to the vault.
            self.vb.vaults[v].ink += clip.lot;
            let acct = self.vb.vaults[v].acct;
            self.vb.b.refund(acct, clip.lot * w.price(a));
        }
        self.vb.settle(w, a, clip.raised, clip.due);
    }
}

/// Vaults unsafe at `price` under `mat` whose keepers have seen it for `latency` steps, most
/// unsafe first, and the debt unsafe now.
pub fn unsafe_vaults(
    vaults: &mut [Vault],
    price: &[f64],
    mat: f64,
    n: usize,
    latency: usize,
) -> (Vec<usize>, f64) {
    let mut due = vec![];
    let mut debt = 0.0;
    for (i, v) in vaults.iter_mut().enumerate() {
        if v.art > 0.0 && v.ink * price[v.asset] / mat < v.art {
            debt += v.art;
            let since = *v.due_since.get_or_insert(n);
            if n >= since + latency {
                due.push(i);
            }
        } else {
            v.due_since = None;
        }
    }
    let health = |v: &Vault| v.ink * price[v.asset] / (mat * v.art);
    due.sort_by(|x, y| health(&vaults[*x]).total_cmp(&health(&vaults[*y])));
    (due, debt)
}

/// What open vaults owe beyond their collateral at prices `p`.
pub fn vaults_underwater(vaults: &[Vault], p: &[f64]) -> Finish {
    let mut f = Finish {
        uncovered: 0.0,
        by_asset: vec![0.0; p.len()],
    };
    for v in vaults {
        let short = v.art - v.ink * p[v.asset];
        if v.art > 0.0 && short > 0.0 {
            f.uncovered += short;
            f.by_asset[v.asset] += short;
        }
    }
    f
}

impl Engine for Maker {
    vault_basics!();

    fn step(&mut self, w: &mut World<'_>) -> Result<EngineState> {
        let (price, due, liquidatable) = self.vb.begin(w);
        let stopped: Vec<bool> = price
            .iter()
            .zip(self.vb.osm.next())
            .map(|(cur, nxt)| *nxt < cur * self.p.tolerance)
            .collect();
        for v in due {
            if !stopped[self.vb.vaults[v].asset] {
                self.bark(w, v, &price);
            }
        }
        self.auctions(w, &price, &stopped);
        let in_auction: f64 = self.clips.iter().map(|c| c.due - c.raised.min(c.due)).sum();
        Ok(self.vb.state(price, in_auction, liquidatable))
    }

    fn finish(&mut self, w: &mut World<'_>) -> Result<Finish> {
        let unfinished: Vec<(usize, f64, f64)> = self
            .clips
            .iter()
            .map(|c| (self.vb.vaults[c.vault].asset, c.due - c.raised, c.lot))
            .collect();
        Ok(self.vb.finish(&w.prices(), &unfinished))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engines::testkit::{config, flat_then, one_account_world};
    use crate::model::EngineKind;

    fn p() -> MakerParams {
        MakerParams::default()
    }

    #[test]
    fn makers_price_after_ten_steps_of_cut_099() {
        let top = 1.10 * 100.0;
        let at = auction_price(&p(), top, 10 * 90);
        assert!((at - top * 0.99f64.powi(10)).abs() < 1e-9);
        // ≈ the OSM price after 15 minutes, 0.9 of it after 30.
        assert!((at / 100.0 - 0.9948).abs() < 1e-3);
        assert!((auction_price(&p(), top, 20 * 90) / 100.0 - 0.90).abs() < 0.01);
        // Nothing moves within a step.
        assert_eq!(auction_price(&p(), top, 89), top);
    }

    #[test]
    fn tail_and_cusp_coincide_at_step_80() {
        let top = 110.0;
        assert!(!needs_redo(&p(), top, 79 * 90));
        assert!(needs_redo(&p(), top, 80 * 90), "0.99^80 < 0.45");
        assert!(needs_redo(&p(), top, 7_201));
    }

    #[test]
    fn bark_respects_room_and_dust() {
        let d = |x: f64| x * UNIT;
        // Room for 1.13M of tab: dart = 1M of a 5M vault.
        let dart = bark_amount(&p(), d(5e6), d(1.13e6)).unwrap();
        assert!((dart / d(1e6) - 1.0).abs() < 1e-12);
        // The leftover would be dust: everything goes.
        assert_eq!(bark_amount(&p(), d(1.005e6), d(1.13e6)), Some(d(1.005e6)));
        // A partial below dust is refused; no room, no bark.
        assert_eq!(bark_amount(&p(), d(5e6), d(5_000.0)), None);
        assert_eq!(bark_amount(&p(), d(5e6), 0.0), None);
        // Small vaults go whole.
        assert_eq!(bark_amount(&p(), d(3_000.0), d(1e9)), Some(d(3_000.0)));
    }

    #[test]
    fn a_take_never_leaves_a_tab_below_chost() {
        let chost = 7_500.0 * UNIT * 1.13;
        // Buying all but 1,000 of the tab would leave less than chost: cut to leave chost.
        let tab = 20_000.0 * UNIT;
        let (slice, owe) = take_amounts(&p(), 19_000.0 * UNIT / 10.0, 1e12, tab, 10.0).unwrap();
        assert!((tab - owe - chost).abs() < 1.0);
        assert!((slice - owe / 10.0).abs() < 1e-6);
        // A tab at or below chost can only be bought whole.
        assert!(take_amounts(&p(), 100.0, 1e12, chost, 10.0).is_none());
        let (_, owe) = take_amounts(&p(), 1e12, 1e12, chost, 10.0).unwrap();
        assert_eq!(owe, chost);
    }

    #[test]
    fn the_osm_lags_the_market_by_an_hour() {
        // A fall at t = 30 min reaches the protocol at the second poke after it.
        let s = flat_then(&[(1_800, 10.0), (1_860, 5.0), (4 * 3_600, 5.0)]);
        let cfg = config(EngineKind::Maker);
        let mut w = one_account_world(&s, &cfg, 1e9, 3.0);
        let mut e = Maker::new(&w, &cfg).unwrap();
        let trace = crate::engine::simulate(&mut w, &mut e, &mut |_, _| {}).unwrap();
        let osm_at = |t: u64| trace.steps.iter().find(|s| s.time == t).unwrap().oracle;
        assert_eq!(osm_at(3_540), 10.0);
        assert_eq!(
            osm_at(3_600),
            10.0,
            "the first poke publishes the 0 s median"
        );
        assert_eq!(
            osm_at(7_200),
            5.0,
            "the second publishes the 3,600 s median"
        );
    }

    #[test]
    fn a_crash_below_the_lot_value_leaves_a_shortfall_against_the_surplus() {
        // One vault at health 1.05 (collateral 1.45 x 1.05 x its debt); the price falls 45% in a
        // minute and the OSM catches up an hour later: the auction cannot raise the debt.
        let s = flat_then(&[(600, 10.0), (660, 5.5), (6 * 3_600, 5.5)]);
        let mut cfg = config(EngineKind::Maker);
        cfg.depth.depth_per_pct = 10.0;
        let mut w = one_account_world(&s, &cfg, 1e9, 1.05);
        let mut e = Maker::new(&w, &cfg).unwrap();
        let trace = crate::engine::simulate(&mut w, &mut e, &mut |_, _| {}).unwrap();
        let last = trace.steps.last().unwrap();
        // Debt 1e10 / 1.45 / 1.05 = 6.57e9 against collateral worth 5.5e9.
        assert!(last.covered_bad_debt > 0.0, "{last:?}");
        assert!(
            last.covered_bad_debt + last.uncovered_bad_debt > 0.9e9,
            "{last:?}"
        );
        assert!(e.vb.vaults[0].art == 0.0);
    }
}
