//! What the peer engines share: positions opened from the book at the engine's own threshold,
//! the oracle each protocol reads, the accounting of bad debt against a first-loss buffer,
//! borrower loss, and which asset's fall caused a liquidation.
use crate::book::Book;
use crate::engine::{EngineState, Finish, World};
use crate::keepers::Keepers;
use crate::model::RunConfig;
use crate::params::{ParamDoc, ParamSet};

/// A borrower's position in a peer engine: collateral units per asset and debt (base units).
#[derive(Debug, Clone, PartialEq)]
pub struct Pos {
    /// Collateral units per asset.
    pub units: Vec<f64>,
    /// Debt, base units.
    pub debt: f64,
}

impl Pos {
    /// Collateral value at prices `p`.
    pub fn value(&self, p: &[f64]) -> f64 {
        self.units.iter().zip(p).map(|(u, p)| u * p).sum()
    }

    /// Health factor at prices `p` under threshold `lt` (infinite without debt).
    pub fn health(&self, p: &[f64], lt: f64) -> f64 {
        if self.debt <= 0.0 {
            return f64::INFINITY;
        }
        self.value(p) * lt / self.debt
    }

    /// Whether the position still owes anything.
    pub fn open(&self) -> bool {
        self.debt > 0.0
    }

    /// The asset holding the most value at prices `p` (the one a keeper seizes first).
    pub fn largest(&self, p: &[f64]) -> usize {
        (0..self.units.len())
            .max_by(|a, b| (self.units[*a] * p[*a]).total_cmp(&(self.units[*b] * p[*b])))
            .unwrap_or(0)
    }
}

/// The borrowers of a peer engine with their borrower loss.
#[derive(Debug, Clone)]
pub struct Borrowers {
    /// Positions, in book order.
    pub pos: Vec<Pos>,
    /// Start prices.
    pub p0: Vec<f64>,
    /// Per account: value taken at the external price, minus debt relieved, minus value given
    /// back (module docs of [`crate::metrics`]); summed clipped at 0 in `loss_sum`.
    loss: Vec<f64>,
    loss_sum: f64,
    /// Step at which each account was first seen liquidatable in its current episode.
    pub due_since: Vec<Option<usize>>,
    /// How many liquidations each account went through.
    pub liquidations: Vec<u32>,
}

impl Borrowers {
    /// The book's accounts opened at threshold `lt` (each at its book health factor).
    pub fn open(book: &Book, lt: f64) -> Self {
        let pos: Vec<Pos> = book
            .accounts
            .iter()
            .map(|a| Pos {
                units: a.units.clone(),
                debt: a.debt(&book.p0, lt),
            })
            .collect();
        let n = pos.len();
        Borrowers {
            pos,
            p0: book.p0.clone(),
            loss: vec![0.0; n],
            loss_sum: 0.0,
            due_since: vec![None; n],
            liquidations: vec![0; n],
        }
    }

    /// Debt outstanding.
    pub fn total_debt(&self) -> f64 {
        self.pos.iter().map(|p| p.debt).sum()
    }

    /// Sum over accounts of their borrower loss (never negative per account).
    pub fn loss(&self) -> f64 {
        self.loss_sum
    }

    /// Account `i` lost `value_taken` of collateral (at the external price) for `debt_relieved`.
    pub fn charge(&mut self, i: usize, value_taken: f64, debt_relieved: f64) {
        if debt_relieved > 0.0 {
            self.liquidations[i] += 1;
        }
        let old = self.loss[i];
        self.loss[i] += value_taken - debt_relieved;
        self.loss_sum += self.loss[i].max(0.0) - old.max(0.0);
    }

    /// Account `i` got `value` back (a surplus, the rest of a lot).
    pub fn refund(&mut self, i: usize, value: f64) {
        self.charge(i, -value, 0.0);
    }

    /// Accounts liquidatable by `due(pos)`, most unhealthy first by `health(pos)`, whose
    /// liquidatability the keepers have seen for at least `latency` steps; also the debt that
    /// is liquidatable now.
    pub fn due(
        &mut self,
        n: usize,
        latency: usize,
        is_due: impl Fn(&Pos) -> bool,
        health: impl Fn(&Pos) -> f64,
    ) -> (Vec<usize>, f64) {
        let mut out = vec![];
        let mut debt = 0.0;
        for (i, p) in self.pos.iter().enumerate() {
            if p.open() && is_due(p) {
                debt += p.debt;
                let since = *self.due_since[i].get_or_insert(n);
                if n >= since + latency {
                    out.push(i);
                }
            } else {
                self.due_since[i] = None;
            }
        }
        out.sort_by(|a, b| health(&self.pos[*a]).total_cmp(&health(&self.pos[*b])));
        (out, debt)
    }

    /// Lowest health factor of an open account.
    pub fn min_health(&self, p: &[f64], lt: f64) -> f64 {
        self.pos
            .iter()
            .filter(|x| x.open())
            .map(|x| x.health(p, lt))
            .fold(f64::INFINITY, f64::min)
    }

    /// What open accounts owe beyond their collateral at prices `p` (bad debt left open), in
    /// total and split per asset by collateral value.
    pub fn underwater(&self, p: &[f64]) -> Finish {
        let mut by_asset = vec![0.0; p.len()];
        let mut total = 0.0;
        for x in self.pos.iter().filter(|x| x.open()) {
            let v = x.value(p);
            let short = x.debt - v;
            if short > 0.0 {
                total += short;
                for (a, share) in value_shares(x, p).into_iter().enumerate() {
                    by_asset[a] += short * share;
                }
            }
        }
        Finish {
            uncovered: total,
            by_asset,
        }
    }
}

/// Each asset's share of a position's value at prices `p` (equal shares without value).
pub fn value_shares(pos: &Pos, p: &[f64]) -> Vec<f64> {
    let v: Vec<f64> = pos.units.iter().zip(p).map(|(u, p)| u * p).collect();
    let total: f64 = v.iter().sum();
    if total > 0.0 {
        v.iter().map(|x| x / total).collect()
    } else {
        vec![1.0 / p.len().max(1) as f64; p.len()]
    }
}

/// Which assets' falls made `pos` liquidatable: each asset's share of the value the position
/// lost from its start prices `p0` to `p` (by value held when none fell).
pub fn cause(pos: &Pos, p0: &[f64], p: &[f64]) -> Vec<f64> {
    let lost: Vec<f64> = pos
        .units
        .iter()
        .enumerate()
        .map(|(a, u)| (u * (p0[a] - p[a])).max(0.0))
        .collect();
    let total: f64 = lost.iter().sum();
    if total > 0.0 {
        lost.iter().map(|x| x / total).collect()
    } else {
        value_shares(pos, p)
    }
}

/// Bad debt against a pre-funded first-loss buffer: losses draw the buffer down, what it cannot
/// cover is uncovered; gains (where the protocol books them to the same buffer) refill it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ledger {
    /// The buffer at the start, base units.
    pub buffer0: f64,
    /// Losses so far.
    pub losses: f64,
    /// Gains booked to the buffer so far.
    pub gains: f64,
}

impl Ledger {
    /// A buffer of `buffer0`.
    pub fn new(buffer0: f64) -> Self {
        Ledger {
            buffer0: buffer0.max(0.0),
            ..Default::default()
        }
    }

    /// Net loss so far (never below 0).
    fn net(&self) -> f64 {
        (self.losses - self.gains).max(0.0)
    }

    /// Loss the buffer covered.
    pub fn covered(&self) -> f64 {
        self.net().min(self.buffer0)
    }

    /// Loss nobody covered.
    pub fn uncovered(&self) -> f64 {
        (self.net() - self.buffer0).max(0.0)
    }

    /// The buffer's value now.
    pub fn buffer(&self) -> f64 {
        self.buffer0 + self.gains - self.losses
    }
}

/// The oracle a peer reads: the realized external price `delay` seconds late, from one venue
/// (a dislocated venue's print when the scenario has one) or aggregated over venues (the
/// print is outvoted).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpotOracle {
    /// Seconds late.
    pub delay: u64,
    /// Reads a single venue.
    pub single_venue: bool,
}

impl SpotOracle {
    /// The aggregated feed `config.oracle_delay` seconds late (Chainlink, Pyth, a median).
    pub fn aggregated(config: &RunConfig) -> Self {
        SpotOracle {
            delay: config.oracle_delay,
            single_venue: false,
        }
    }

    /// Every asset's price now.
    pub fn prices(&self, w: &World<'_>) -> Vec<f64> {
        (0..w.assets())
            .map(|a| match (self.single_venue, w.points[a].venue_price) {
                (true, Some(v)) => v,
                _ => w.seen(a, self.delay),
            })
            .collect()
    }
}

/// Maker's Oracle Security Module: every `hop` seconds `cur ← nxt`, `nxt ← median`; the
/// protocol reads `cur`, so it lags the median by one to two hops.
#[derive(Debug, Clone, PartialEq)]
pub struct Osm {
    /// Seconds between pokes.
    pub hop: u64,
    /// The median it reads (aggregated spot, `delay` seconds late).
    pub spot: SpotOracle,
    cur: Vec<f64>,
    nxt: Vec<f64>,
    last_poke: Option<u64>,
}

impl Osm {
    /// An OSM poked every `hop` seconds over `spot`.
    pub fn new(hop: u64, spot: SpotOracle) -> Self {
        Osm {
            hop: hop.max(1),
            spot,
            cur: vec![],
            nxt: vec![],
            last_poke: None,
        }
    }

    /// The current OSM price of every asset at the world's time (pokes when a hop has passed).
    pub fn prices(&mut self, w: &World<'_>) -> Vec<f64> {
        let median = self.spot.prices(w);
        match self.last_poke {
            None => {
                self.cur = median.clone();
                self.nxt = median;
                self.last_poke = Some(w.t);
            }
            Some(last) if w.t >= last + self.hop => {
                self.cur = std::mem::replace(&mut self.nxt, median);
                self.last_poke = Some(w.t - (w.t - last) % self.hop);
            }
            _ => {}
        }
        self.cur.clone()
    }

    /// The price the next poke will publish.
    pub fn next(&self) -> &[f64] {
        &self.nxt
    }
}

/// The least debt whose repayment, seizing collateral worth `1 + bonus` per unit repaid,
/// restores health 1 for a position with liquidation value `w_lt` (= value × LT) and debt `d`;
/// `d` when no repayment can (the bonus makes each repayment cost more health than it gives).
pub fn min_repay(d: f64, w_lt: f64, lt: f64, bonus: f64) -> f64 {
    let f = lt * (1.0 + bonus);
    if d <= w_lt {
        0.0
    } else if f >= 1.0 {
        d
    } else {
        ((d - w_lt) / (1.0 - f)).min(d)
    }
}

/// A keeper buys `units` of asset `a` for `cost` base and sells its dump share at once,
/// attributing the sale to `cause`; returns the proceeds. The keeper's capital goes down by
/// `cost` and up by the proceeds (and the value of what it keeps).
pub fn keeper_sells(
    w: &mut World<'_>,
    keepers: &mut Keepers,
    k: usize,
    a: usize,
    units: f64,
    cost: f64,
    cause: &[f64],
) -> f64 {
    let share = keepers.p.dump_share.clamp(0.0, 1.0);
    let got = w.sell_caused(a, units * share, cause);
    keepers.capital[k] += got - cost;
    got
}

/// What every account-based peer engine holds: its borrowers and keepers, the threshold their
/// positions were opened at, and its parameters.
pub struct Core {
    /// The borrowers.
    pub b: Borrowers,
    /// The keepers.
    pub keepers: Keepers,
    /// Liquidation threshold: an account is liquidatable below health 1 under it.
    pub lt: f64,
    /// Debt at the start.
    pub initial_debt: f64,
    /// Over-liquidation so far.
    pub over_liquidation: f64,
    /// The engine's parameters as documented.
    pub params: Vec<ParamDoc>,
}

impl Core {
    /// Opens the world's book at threshold `lt` with parameters `p`.
    pub fn open<P: ParamSet>(w: &World<'_>, config: &RunConfig, p: &P, lt: f64) -> Self {
        let b = Borrowers::open(&w.book, lt);
        let initial_debt = b.total_debt();
        Core {
            keepers: Keepers::new(config.keepers.clone(), initial_debt, config.seed),
            b,
            lt,
            initial_debt,
            over_liquidation: 0.0,
            params: p.docs(),
        }
    }

    /// A step begins at oracle prices `price`: the keepers get their turns; returns the
    /// accounts below health 1 they act on (most unhealthy first) and the debt below health 1.
    pub fn begin(&mut self, n: usize, price: &[f64]) -> (Vec<usize>, f64) {
        self.keepers.begin_step();
        let lt = self.lt;
        self.b.due(
            n,
            self.keepers.latency(),
            |x| x.health(price, lt) < 1.0,
            |x| x.health(price, lt),
        )
    }

    /// The next liquidation of account `i` at oracle prices `price`, if it is still below
    /// health 1 and a keeper has a turn: the keeper, the collateral it seizes (the largest
    /// holding), the health factor, the debt and the units held of that collateral.
    pub fn turn(&mut self, i: usize, price: &[f64]) -> Option<Turn> {
        let pos = &self.b.pos[i];
        let hf = pos.health(price, self.lt);
        if !pos.open() || hf >= 1.0 {
            return None;
        }
        let k = self.keepers.next_keeper()?;
        let a = pos.largest(price);
        (pos.units[a] > 0.0).then(|| Turn {
            k,
            a,
            hf,
            debt: pos.debt,
            held: pos.units[a],
        })
    }

    /// Debt left on accounts without collateral.
    pub fn stranded(&self) -> f64 {
        self.b
            .pos
            .iter()
            .filter(|x| x.open() && x.units.iter().all(|u| *u <= 0.0))
            .map(|x| x.debt)
            .sum()
    }

    /// What open accounts with collateral owe beyond it at the final prices `p` (debt on
    /// accounts without collateral is reported every step as [`Core::stranded`]).
    pub fn underwater_with_collateral(&self, p: &[f64]) -> Finish {
        let mut f = self.b.underwater(p);
        f.uncovered -= self.stranded();
        f
    }

    /// The engine's state after a step.
    pub fn state(
        &self,
        price: Vec<f64>,
        ledger: (f64, f64, f64),
        liquidatable: f64,
    ) -> EngineState {
        let (covered, uncovered, buffer) = ledger;
        EngineState {
            covered_bad_debt: covered,
            uncovered_bad_debt: uncovered,
            buffer_value: buffer,
            min_health_factor: self.b.min_health(&price, self.lt),
            total_debt: self.b.total_debt(),
            over_liquidation: self.over_liquidation,
            borrower_loss: self.b.loss(),
            liquidatable_debt: liquidatable,
            oracle: price,
        }
    }
}

/// One keeper's turn at liquidating an account ([`Core::turn`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Turn {
    /// The keeper.
    pub k: usize,
    /// The collateral seized.
    pub a: usize,
    /// Health factor before.
    pub hf: f64,
    /// Debt before.
    pub debt: f64,
    /// Units of `a` held before.
    pub held: f64,
}

/// The [`crate::engine::Engine`] methods an engine with a `core: Core` field gets from it.
#[macro_export]
macro_rules! core_basics {
    () => {
        fn initial_debt(&self) -> f64 {
            self.core.initial_debt
        }
        fn threshold(&self) -> f64 {
            self.core.lt
        }
        fn params(&self) -> Vec<$crate::params::ParamDoc> {
            self.core.params.clone()
        }
        fn liquidations_of(&self, i: usize) -> Option<u32> {
            self.core.b.liquidations.get(i).copied()
        }
    };
}

/// A keeper that had to take `units` of asset `a` for `cost` (a queue fill, a won English
/// auction: it could not size the purchase to the market) sells them. Dump-everything keepers
/// sell their dump share at once. A realistic keeper adds them to what it holds and sells only
/// as much as keeps the marginal price at or above its average cost, holding the rest until
/// selling pays ([`sell_inventory`]). Returns the proceeds, which go to its capital.
pub fn keeper_takes(
    w: &mut World<'_>,
    keepers: &mut Keepers,
    k: usize,
    a: usize,
    units: f64,
    cost: f64,
    cause: &[f64],
) -> f64 {
    if keepers.dumping() {
        return keeper_sells(w, keepers, k, a, units, cost, cause);
    }
    keepers.capital[k] -= cost;
    let inv = &mut keepers.inventory[k];
    if inv.len() < w.assets() {
        inv.resize(w.assets(), (0.0, 0.0));
    }
    inv[a].0 += units;
    inv[a].1 += cost;
    sell_held(w, keepers, k, a, cause)
}

/// Realistic keepers sell what they hold wherever it now pays (module docs of
/// [`keeper_takes`]); the sales are attributed to each asset's own fall.
pub fn sell_inventory(w: &mut World<'_>, keepers: &mut Keepers) {
    for k in 0..keepers.inventory.len() {
        for a in 0..keepers.inventory[k].len() {
            if keepers.inventory[k][a].0 > 0.0 {
                let mut cause = vec![0.0; w.assets()];
                cause[a] = 1.0;
                sell_held(w, keepers, k, a, &cause);
            }
        }
    }
}

fn sell_held(w: &mut World<'_>, keepers: &mut Keepers, k: usize, a: usize, cause: &[f64]) -> f64 {
    let (units, paid) = keepers.inventory[k][a];
    if units <= 0.0 {
        return 0.0;
    }
    let unit_cost = paid / units;
    let q = w.markets[a]
        .units_to_price(unit_cost, &w.points[a])
        .min(units);
    if q <= 0.0 {
        return 0.0;
    }
    let got = w.sell_caused(a, q, cause);
    let inv = &mut keepers.inventory[k][a];
    inv.1 *= 1.0 - q / units;
    inv.0 -= q;
    keepers.capital[k] += got;
    got
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(units: Vec<f64>, debt: f64) -> Pos {
        Pos { units, debt }
    }

    #[test]
    fn health_value_and_largest() {
        let p = pos(vec![10.0, 2.0], 80.0);
        assert_eq!(p.value(&[10.0, 20.0]), 140.0);
        assert!((p.health(&[10.0, 20.0], 0.8) - 1.4).abs() < 1e-12);
        assert_eq!(p.largest(&[10.0, 20.0]), 0);
        assert_eq!(p.largest(&[1.0, 20.0]), 1);
        assert_eq!(pos(vec![1.0], 0.0).health(&[1.0], 0.8), f64::INFINITY);
    }

    #[test]
    fn the_cause_is_the_asset_whose_fall_cost_the_most_value() {
        let p = pos(vec![10.0, 10.0], 50.0);
        let c = cause(&p, &[10.0, 10.0], &[7.0, 9.0]);
        assert!((c[0] - 0.75).abs() < 1e-12 && (c[1] - 0.25).abs() < 1e-12);
        // Nothing fell: by value.
        let c = cause(&p, &[10.0, 10.0], &[10.0, 30.0]);
        assert!((c[1] - 0.75).abs() < 1e-12);
    }

    #[test]
    fn the_ledger_covers_from_the_buffer_first() {
        let mut l = Ledger::new(100.0);
        l.losses += 60.0;
        assert_eq!((l.covered(), l.uncovered(), l.buffer()), (60.0, 0.0, 40.0));
        l.losses += 70.0;
        assert_eq!((l.covered(), l.uncovered()), (100.0, 30.0));
        l.gains += 50.0;
        assert_eq!((l.covered(), l.uncovered()), (80.0, 0.0));
    }

    #[test]
    fn borrower_loss_is_clipped_per_account() {
        let book = Book {
            p0: vec![1.0],
            accounts: vec![
                crate::book::BookAccount {
                    units: vec![100.0],
                    hf0: 1.2,
                },
                crate::book::BookAccount {
                    units: vec![100.0],
                    hf0: 1.2,
                },
            ],
        };
        let mut b = Borrowers::open(&book, 0.6);
        assert_eq!(b.pos[0].debt, 50.0);
        b.charge(0, 60.0, 50.0); // paid a 10 penalty
        b.charge(1, 40.0, 50.0); // underwater: defaulted, no loss
        assert_eq!(b.loss(), 10.0);
        b.refund(0, 4.0);
        assert_eq!(b.loss(), 6.0);
    }

    #[test]
    fn min_repay_restores_health_one() {
        // value 100, LT 0.8, debt 85, bonus 5%: f = 0.84
        let r = min_repay(85.0, 80.0, 0.8, 0.05);
        let after = (80.0 - r * 0.84) / (85.0 - r);
        assert!((after - 1.0).abs() < 1e-12);
        assert_eq!(min_repay(85.0, 80.0, 0.8, 0.3), 85.0);
        assert_eq!(min_repay(70.0, 80.0, 0.8, 0.05), 0.0);
    }
}
