//! The contract-backed engines, `naive` and `breakwater`: the real oracle, market, liquidator
//! and backstop, on any [`Chain`] (the embedded cw-multi-test chain or the wasmd devnet),
//! configured by [`crate::run`].
//!
//! Each collateral of the scenario is listed on the market (cross-margin accounts hold the
//! book's mix). Each step:
//! 1. oracle feeders submit what they saw `oracle_delay` seconds ago, every collateral in one
//!    message (in the oracle-wick scenario one feeder reads the dislocated venue; the naive
//!    engine has only that one);
//! 2. the breaker is tripped while the oracle reports a halt of a collateral and cleared when
//!    every price is active again (Breakwater only);
//! 3. liquidation keepers keep an off-chain index of the accounts (as real keepers do) and call
//!    `Liquidate` on those below health factor 1 at the oracle, when it pays (keeper model);
//! 4. bidders take the auction slices they can sell at a profit on the collateral's external
//!    market (the contracts' flash bids let them pay after receiving) — the feedback loop a
//!    cascade needs; stale auctions are reset and the backstop takes lots stuck at the floor;
//! 5. the backstop re-sells slowly (Breakwater only);
//! 6. the step is recorded.
use crate::chain::Chain;
use crate::engine::{Engine, EngineState, Finish, World};
use crate::engines::kit::cause;
use crate::keepers::Keepers;
use crate::model::RunConfig;
use crate::params::ParamDoc;
use crate::run::{
    bw, denom, feeders, off, penalty, to_dec, ChainFactory, ChainSpec, FLOOR_REFERENCE, LT,
};
use anyhow::Result;
use breakwater_liquidator::curve::{quote, slide_basis, Reading};
use breakwater_types::adapters::OracleGauge;
use breakwater_types::liquidator::{AuctionParams, AuctionResponse, HoldClock, Slide};
use breakwater_types::oracle::{OracleStatus, PriceSubmission};
use cosmwasm_std::{Decimal, Uint128};
use std::collections::{BTreeMap, HashMap};

thread_local! {
    /// Chains just after the book was opened, by configuration and book (this thread's).
    static SETUPS: std::cell::RefCell<HashMap<String, crate::chain::ChainSnapshot>> =
        std::cell::RefCell::new(HashMap::new());
}

/// One borrower as the keepers' off-chain index sees it.
type Position = crate::engines::kit::Pos;

/// The account's position as the market reports it (nothing once fully closed).
fn read_position(chain: &dyn Chain, i: usize, denoms: &[String]) -> Position {
    match chain.account(i) {
        Ok(acct) => Position {
            units: denoms
                .iter()
                .map(|d| {
                    acct.collaterals
                        .iter()
                        .find(|c| &c.denom == d)
                        .map_or(0.0, |c| c.amount.u128() as f64)
                })
                .collect(),
            debt: acct.debt.u128() as f64,
        },
        Err(_) => Position {
            units: vec![0.0; denoms.len()],
            debt: 0.0,
        },
    }
}

fn f(x: Decimal) -> f64 {
    x.to_string().parse().unwrap_or(0.0)
}

/// The keepers' view of the running auctions. On a chain with exact block time
/// ([`Chain::exact_time`]) it is kept up to date from the calls that change auctions (new ones
/// are read after liquidations and resales, a bid's outcome says what is left, a reset or a
/// backstop purchase re-reads the auction) and every auction is priced each step with the
/// liquidator's own curve ([`quote`]) against the oracle median: exactly what a query returns,
/// without asking the liquidator (whose answer prices every auction against the oracle) for the
/// whole book every step. On a real chain it is the full listing, read every step.
struct Auctions {
    exact: bool,
    running: BTreeMap<u64, AuctionResponse>,
    max_id: u64,
    params: HashMap<String, AuctionParams>,
    /// Each collateral's depth ceiling (the market's configured depth), which a slide that
    /// reads the book compares the measured depth with (`Slide::deep`).
    ceilings: HashMap<String, Uint128>,
    /// Some collateral's sales hold its curves (`AuctionParams::hold`): its hold clock is read
    /// each step, and a reset auction re-read (its clock at the restart).
    holds: bool,
}

impl Auctions {
    /// Reads the auctions started since the last call.
    fn read_new(&mut self, chain: &dyn Chain) -> Result<()> {
        if !self.exact {
            return Ok(());
        }
        for a in chain.auctions_after(self.max_id)? {
            self.max_id = self.max_id.max(a.id);
            self.running.insert(a.id, a);
        }
        Ok(())
    }

    /// Re-reads auction `id` (gone once it has ended).
    fn reread(&mut self, chain: &dyn Chain, id: u64) -> Result<()> {
        if !self.exact {
            return Ok(());
        }
        match chain.auction(id)? {
            Some(a) => self.running.insert(id, a),
            None => self.running.remove(&id),
        };
        Ok(())
    }

    /// Auction `id` was reset: it restarted at `top` at `started_at`, or closed (`None`).
    fn restarted(&mut self, id: u64, outcome: Option<(Decimal, u64)>) {
        match outcome {
            Some((top, started_at)) => {
                if let Some(a) = self.running.get_mut(&id) {
                    a.top = top;
                    a.started_at = started_at;
                }
            }
            None => {
                self.running.remove(&id);
            }
        }
    }

    /// Brings every auction's price to now against the oracle medians and curve bases by denom.
    fn price_all(&mut self, chain: &dyn Chain, pricing: &HashMap<String, Pricing>) -> Result<()> {
        if !self.exact {
            self.running = chain.auctions()?.into_iter().map(|a| (a.id, a)).collect();
            return Ok(());
        }
        let now = chain.now();
        let mut clocks: HashMap<String, HoldClock> = HashMap::new();
        if self.holds {
            for (denom, p) in &self.params {
                if p.hold > 0 {
                    clocks.insert(denom.clone(), chain.hold_clock(denom)?);
                }
            }
        }
        for a in self.running.values_mut() {
            let params = self
                .params
                .get(&a.denom)
                .ok_or_else(|| anyhow::anyhow!("no auction parameters for {}", a.denom))?;
            let (median, twap, basis, gauge) = *pricing
                .get(&a.denom)
                .ok_or_else(|| anyhow::anyhow!("no oracle price for {}", a.denom))?;
            let reading = Reading {
                median,
                twap,
                basis,
                sliding: Slide::active(params.slide.as_ref(), &gauge, now),
            };
            let q = quote(
                params,
                a.top,
                now.saturating_sub(a.started_at),
                HoldClock::decay(clocks.get(&a.denom), a.started_at, a.held_at_start, now),
                &reading,
            )
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            a.price = q.price;
            a.floor = q.floor;
            a.at_floor = q.at_floor;
            a.needs_reset = q.needs_reset;
        }
        #[cfg(test)]
        {
            // The unit tests check the view against the liquidator's own listing every step.
            let listed: Vec<AuctionResponse> = chain.auctions()?;
            let mine: Vec<&AuctionResponse> = self.running.values().collect();
            assert_eq!(mine.len(), listed.len(), "auction view out of date");
            for (m, l) in mine.iter().zip(&listed) {
                assert_eq!(*m, l, "auction view differs from the liquidator's listing");
            }
        }
        Ok(())
    }
}

/// What auctions of a denom are priced against: the oracle's median, TWAP, the curve's
/// basis, and the median's streak under its TWAP.
type Pricing = (Decimal, Decimal, Decimal, OracleGauge);

/// A contract-backed engine: the real contracts on a [`Chain`].
pub struct ContractEngine {
    auctions: Auctions,
    config: RunConfig,
    chain: Box<dyn Chain>,
    book: Vec<Position>,
    open: Vec<bool>,
    /// Each account's start prices' cause weights when last liquidated (for contagion).
    why: Vec<Vec<f64>>,
    p0: Vec<f64>,
    denoms: Vec<String>,
    initial_debt: f64,
    feeders: usize,
    pen: f64,
    hard_floor: f64,
    keepers: Keepers,
    /// `BW_TRACE` set: print every refused liquidation, and the first collateral's oracle record
    /// and the backstop's pool at every step, to stderr.
    trace: bool,
    /// Step since which each account has been liquidatable (keeper latency).
    due_since: Vec<Option<usize>>,
    over_liquidation: f64,
    /// Per account: value taken at the external price minus debt relieved minus value given
    /// back (borrower loss before clipping at 0).
    loss: Vec<f64>,
    loss_sum: f64,
    liquidations: Vec<u32>,
    /// Bad debt the market had booked by the end of the previous step.
    booked: f64,
    /// Debt the market had redistributed by the end of the previous step's liquidations.
    redistributed: u128,
    last_oracle: Option<Vec<f64>>,
    last_resale: u64,
    resale_every: u64,
}

impl ContractEngine {
    /// Builds the chain with `make_chain` and opens the world's book on it: the lender
    /// supplies, every account deposits and borrows, the backstop is funded.
    pub fn new(
        w: &World<'_>,
        config: &RunConfig,
        make_chain: &mut ChainFactory<'_>,
    ) -> Result<Self> {
        let book: Vec<Position> = w
            .book
            .accounts
            .iter()
            .map(|a| Position {
                units: a.units.clone(),
                debt: a.debt(&w.book.p0, LT),
            })
            .collect();
        let initial_debt: f64 = book.iter().map(|p| p.debt).sum();
        let denoms: Vec<String> = (0..w.assets())
            .map(|a| denom(w.scenario.asset_name(a)))
            .collect();
        let assets: Vec<(String, f64, f64)> = denoms
            .iter()
            .enumerate()
            .map(|(a, d)| (d.clone(), w.book.p0[a], w.depth[a]))
            .collect();
        let builder = crate::run::builder_for(config, &assets);
        let params: HashMap<String, AuctionParams> = builder
            .plan()
            .collaterals
            .iter()
            .map(|c| (c.params.denom.clone(), c.auction.clone()))
            .collect();
        let ceilings: HashMap<String, Uint128> = builder
            .plan()
            .collaterals
            .iter()
            .map(|c| (c.params.denom.clone(), c.params.depth))
            .collect();
        let spec = ChainSpec {
            builder,
            feeders: feeders(config),
            bidders: (config.keepers.count.round() as usize).max(1),
            initial_debt,
        };
        let mut chain = make_chain(config, spec)?;
        // Opening the book is the same work for every run with this configuration and book:
        // the embedded chain keeps its state after the first and starts later runs from it.
        let key = serde_json::to_string(&(config, &assets, initial_debt, book.len()))?;
        let cached = SETUPS.with(|c| c.borrow().get(&key).cloned());
        let restored = match &cached {
            Some(snapshot) => chain.restore(snapshot)?,
            None => false,
        };
        if !restored {
            chain.supply((initial_debt * 1.25) as u128 + 1_000_000_000)?;
            for (i, p) in book.iter().enumerate() {
                let coll: Vec<(String, u128)> = denoms
                    .iter()
                    .zip(&p.units)
                    .filter(|(_, u)| **u >= 1.0)
                    .map(|(d, u)| (d.clone(), *u as u128))
                    .collect();
                chain.open_position(i, &coll, p.debt as u128)?;
            }
            let backstop = bw(config).backstop;
            if !off(config, "backstop") && backstop > 0.0 {
                chain.fund_backstop((initial_debt * backstop) as u128)?;
            }
            if let Some(snapshot) = chain.snapshot() {
                SETUPS.with(|c| {
                    let mut c = c.borrow_mut();
                    // A handful of books per thread at most (the engines of one run).
                    if c.len() >= 8 {
                        c.clear();
                    }
                    c.insert(key, snapshot);
                });
            }
        }
        // The backstop is asked to re-sell every 10 minutes of contract time.
        let resale_every = (600 / chain.time_scale().max(1)).max(1);
        chain.start()?;
        let n = book.len();
        Ok(ContractEngine {
            auctions: Auctions {
                exact: chain.exact_time(),
                running: BTreeMap::new(),
                max_id: 0,
                holds: params.values().any(|p| p.hold > 0),
                params,
                ceilings,
            },
            config: config.clone(),
            open: book.iter().map(|p| p.debt > 0.0).collect(),
            why: vec![vec![]; n],
            p0: w.book.p0.clone(),
            book,
            chain,
            initial_debt,
            denoms,
            feeders: feeders(config),
            pen: penalty(config),
            hard_floor: bw(config).hard_floor,
            keepers: Keepers::new(config.keepers.clone(), initial_debt, config.seed),
            trace: std::env::var_os("BW_TRACE").is_some(),
            due_since: vec![None; n],
            over_liquidation: 0.0,
            loss: vec![0.0; n],
            loss_sum: 0.0,
            liquidations: vec![0; n],
            booked: 0.0,
            redistributed: 0,
            last_oracle: None,
            last_resale: 0,
            resale_every,
        })
    }
}

impl ContractEngine {
    /// Adds `delta` to account `i`'s borrower loss.
    fn charge(&mut self, i: usize, delta: f64) {
        let old = self.loss[i];
        self.loss[i] += delta;
        self.loss_sum += self.loss[i].max(0.0) - old.max(0.0);
    }

    /// Auction `a` of a liquidation ended: the market credited what was left of the lot back
    /// to the borrower; the keepers' index reads it and the borrower's loss shrinks by its
    /// value at the external price `ext`.
    fn auction_ended(&mut self, a: &AuctionResponse, ext: &[f64]) -> Result<()> {
        let breakwater_types::liquidator::Seller::Liquidation { borrower } = &a.seller else {
            return Ok(());
        };
        let Some(i) = self.chain.account_of(borrower) else {
            return Ok(());
        };
        let now = read_position(self.chain.as_ref(), i, &self.denoms);
        let back: f64 = now
            .units
            .iter()
            .zip(&self.book[i].units)
            .zip(ext)
            .map(|((n, b), p)| (n - b).max(0.0) * p)
            .sum();
        if back > 0.0 {
            self.book[i].units = now.units;
            self.charge(i, -back);
        }
        Ok(())
    }

    /// Which asset's fall caused the sale of an auction: the liquidated account's, or the
    /// auctioned collateral's own for a backstop resale.
    fn cause_of(&self, a: &AuctionResponse, asset: usize) -> Vec<f64> {
        if let breakwater_types::liquidator::Seller::Liquidation { borrower } = &a.seller {
            if let Some(i) = self.chain.account_of(borrower) {
                if !self.why[i].is_empty() {
                    return self.why[i].clone();
                }
            }
        }
        let mut c = vec![0.0; self.denoms.len()];
        c[asset] = 1.0;
        c
    }

    /// The chain's own measurement of where the time went, if it takes one
    /// ([`crate::chain::Profiled`]).
    pub fn chain_profile(&self) -> Option<String> {
        self.chain.profile()
    }
}

impl Engine for ContractEngine {
    fn initial_debt(&self) -> f64 {
        self.initial_debt
    }

    fn threshold(&self) -> f64 {
        LT
    }

    fn liquidations_of(&self, i: usize) -> Option<u32> {
        self.liquidations.get(i).copied()
    }

    fn params(&self) -> Vec<ParamDoc> {
        use crate::params::ParamSet;
        let c = &self.config;
        let mut v = vec![ParamDoc {
            name: format!("{}.liquidation_threshold", c.engine.name()),
            value: LT,
            doc: "liquidation threshold of the collateral".into(),
        }];
        if c.engine == crate::model::EngineKind::Breakwater {
            v.extend(bw(c).docs());
        } else {
            v.push(ParamDoc {
                name: "naive.penalty".into(),
                value: self.pen,
                doc: "liquidation penalty (whole positions, auction linear to 0 in 10 minutes)"
                    .into(),
            });
        }
        v
    }

    fn step(&mut self, w: &mut World<'_>) -> Result<EngineState> {
        let config = self.config.clone();
        let config = &config;
        let (t, n) = (w.t, w.n);
        if n > 0 {
            self.chain.advance(config.step);
        }
        let assets = self.denoms.len();

        // 1. Feeders report what they saw `oracle_delay` ago (feeder 0 reads a dislocated
        // venue when the scenario has one), every collateral in one message, each price with
        // the depth they measured in the external market at that moment (base value whose sale
        // moves the price 1%, the unit of `CollateralParams.depth`) unless the `depth_measured`
        // mechanism is off.
        let report_depth = !off(config, "depth_measured");
        for i in 0..self.feeders {
            let prices: Vec<PriceSubmission> = (0..assets)
                .map(|a| {
                    let p = match (i, w.points[a].venue_price) {
                        (0, Some(v)) => v,
                        _ => w.seen(a, config.oracle_delay),
                    };
                    PriceSubmission {
                        denom: self.denoms[a].clone(),
                        price: to_dec(p),
                        depth: report_depth.then(|| {
                            Uint128::new(w.seen_depth(a, config.oracle_delay).max(1.0) as u128)
                        }),
                    }
                })
                .collect();
            // A feeder whose prices the oracle refuses (e.g. absurd) is simply skipped.
            let _ = self.chain.submit_prices(i, &prices);
        }
        let records = self
            .denoms
            .iter()
            .map(|d| self.chain.price_of(d))
            .collect::<Result<Vec<_>>>()?;
        let oracle: Vec<f64> = records.iter().map(|r| f(r.median)).collect();
        if self.trace {
            // The first collateral's oracle record, for tracing what paused its liquidations.
            let r = &records[0];
            eprintln!(
                "oracle t={} median={} twap={} status={:?} depth={:?} below_twap={:?}",
                self.chain.now(),
                r.median,
                r.twap,
                r.status,
                r.depth,
                r.below_twap
            );
        }
        // Each denom's median (the floor), its TWAP (whether a hold's tolerance applies) and
        // the basis a following curve starts from.
        let pricing: HashMap<String, Pricing> = self
            .denoms
            .iter()
            .cloned()
            .zip(records.iter())
            .map(|(d, r)| {
                // As the liquidator reads it: the book only for a slide rule with `deep`.
                let deep = self
                    .auctions
                    .params
                    .get(&d)
                    .and_then(|p| p.slide.as_ref())
                    .is_some_and(|s| s.deep.is_some());
                let ceiling = self.auctions.ceilings.get(&d).copied().unwrap_or_default();
                let gauge = OracleGauge {
                    depth: r.depth,
                    below_twap: r.below_twap,
                    book_holds: deep && Slide::book_holds(r.below_twap, r.depth, ceiling),
                    ceiling: Some(ceiling),
                };
                let b = slide_basis(
                    self.auctions.params.get(&d).and_then(|p| p.slide.as_ref()),
                    &gauge,
                    r.median,
                    r.twap,
                    r.status.is_active(),
                );
                (d, (r.median, r.twap, b, gauge))
            })
            .collect();
        self.last_oracle = Some(oracle.clone());

        // 2. Breaker: trip while a price is halted, clear when every one is active again.
        if !off(config, "breaker") {
            let level = self.chain.market_state()?.breaker_level;
            let halted = records
                .iter()
                .position(|r| matches!(r.status, OracleStatus::Halted { .. }));
            let all_active = records
                .iter()
                .all(|r| matches!(r.status, OracleStatus::Active {}));
            match halted {
                Some(a) if level < 2 => {
                    let _ = self.chain.trip_breaker_of(&self.denoms[a]);
                }
                None if all_active && level > 0 => self.chain.set_breaker(0)?,
                _ => {}
            }
        }

        // 3. Liquidation keepers.
        self.keepers.begin_step();
        let latency = self.keepers.latency();
        let mut started = false;
        let mut due: Vec<usize> = vec![];
        let mut liquidatable = 0.0;
        for i in 0..self.book.len() {
            if self.open[i] && self.book[i].health(&oracle, LT) < 1.0 {
                liquidatable += self.book[i].debt;
                let since = *self.due_since[i].get_or_insert(n);
                if n >= since + latency {
                    due.push(i);
                }
            } else {
                self.due_since[i] = None;
            }
        }
        due.sort_by(|a, b| {
            self.book[*a]
                .health(&oracle, LT)
                .total_cmp(&self.book[*b].health(&oracle, LT))
        });
        // Once the throttle says there is no room (or the breaker or the oracle pauses
        // liquidations), a keeper only tries accounts below the hard floor (which bypass the
        // breaker, and the room too unless it paces them; paced, the backstop may still take
        // them) for the rest of the step, as a real keeper would after reading the `Room` query.
        let mut throttled = false;
        let ext = w.prices();
        for i in due {
            let before = self.book[i].clone();
            if throttled && before.health(&oracle, LT) >= self.hard_floor {
                continue;
            }
            // The caller expects the keeper reward and, bidding, the penalty.
            let Some(k) = self.keepers.next_keeper() else {
                break;
            };
            if !self.keepers.worth_calling(before.debt * (self.pen + 0.001))
                || !self.keepers.send(k)
            {
                continue;
            }
            if let Err(e) = self.chain.liquidate(i) {
                // Throttled or paused (breaker, oracle): a keeper that read why tries only
                // accounts below the hard floor, which nothing blocks, for the rest of the step.
                let why = e.to_string();
                if self.trace {
                    // The contract's reason, its last line (docs/LAB.md "Fading the wait, and
                    // following the oracle" traces two paths with it).
                    let reason = why.lines().last().unwrap_or_default();
                    eprintln!(
                        "refused t={} account={i} hf_at_median={:.3}: {reason}",
                        self.chain.now(),
                        before.health(&oracle, LT),
                    );
                }
                throttled |= why.contains("no auction room")
                    || why.contains("paused by the circuit breaker")
                    || why.contains("liquidation paused");
                continue;
            }
            started = true;
            let after = read_position(self.chain.as_ref(), i, &self.denoms);
            let repaid = (before.debt - after.debt).max(0.0);
            let taken: Vec<f64> = before
                .units
                .iter()
                .zip(&after.units)
                .map(|(b, a)| (b - a).max(0.0))
                .collect();
            let taken_value: Vec<f64> = taken.iter().zip(&oracle).map(|(u, p)| u * p).collect();
            let total_taken: f64 = taken_value.iter().sum();
            for (a, v) in taken_value.iter().enumerate() {
                if total_taken > 0.0 {
                    w.liquidated(a, repaid * v / total_taken);
                }
            }
            // The least debt whose repayment restores HF = 1 at this price.
            let wv = before.value(&oracle) * LT;
            let r_min = ((before.debt - wv) / (1.0 - LT * (1.0 + self.pen))).max(0.0);
            self.over_liquidation += (repaid - r_min.min(before.debt)).max(0.0);
            self.why[i] = cause(&before, &self.p0, &oracle);
            self.open[i] = after.debt > 0.0;
            self.book[i] = after;
            let taken_ext: f64 = taken.iter().zip(&ext).map(|(u, p)| u * p).sum();
            self.charge(i, taken_ext - repaid);
            self.liquidations[i] += 1;
        }

        // Redistributions (issue 14) moved debt and collateral to other holders without a
        // message of theirs: read every account holding collateral again. What a recipient
        // took beyond the value it received at the external price is its loss (a gain,
        // within the penalty cap, lowers it).
        let redistributed = self.chain.market_state()?.debt_redistributed.u128();
        if redistributed != self.redistributed {
            self.redistributed = redistributed;
            for i in 0..self.book.len() {
                if self.book[i].units.iter().all(|u| *u <= 0.0) {
                    continue;
                }
                let now = read_position(self.chain.as_ref(), i, &self.denoms);
                let got: f64 = now
                    .units
                    .iter()
                    .zip(&self.book[i].units)
                    .zip(&ext)
                    .map(|((n, b), p)| (n - b) * p)
                    .sum();
                let owed = now.debt - self.book[i].debt;
                if got != 0.0 || owed != 0.0 {
                    self.charge(i, owed - got);
                    self.open[i] = now.debt > 0.0;
                    self.book[i] = now;
                }
            }
        }

        // 4. Bidders.
        if started {
            self.auctions.read_new(self.chain.as_ref())?;
        }
        self.auctions.price_all(self.chain.as_ref(), &pricing)?;
        let mut ended: Vec<AuctionResponse> = vec![];
        let running: Vec<AuctionResponse> = self.auctions.running.values().cloned().collect();
        let visible_from = (self.keepers.latency() as u64 * config.step) as i64;
        for a in running {
            let price = f(a.price);
            if (self.chain.now() as i64 - a.started_at as i64) < visible_from {
                continue;
            }
            let Some(asset) = self.denoms.iter().position(|d| *d == a.denom) else {
                continue;
            };
            let Some(b) = self.keepers.next_keeper() else {
                break;
            };
            // The contracts' flash bids let a keeper pay after receiving the lot.
            let units = if a.lot.is_zero() {
                0.0
            } else {
                self.keepers
                    .units_to_buy(
                        b,
                        &w.markets[asset],
                        &w.points[asset],
                        price,
                        a.lot.u128() as f64,
                        true,
                    )
                    .floor()
            };
            let chain = &mut self.chain;
            if units < 1.0 {
                if a.at_floor && !off(config, "backstop") {
                    if self.keepers.send(b) && chain.buy_at_floor(a.id).is_ok() {
                        self.auctions.reread(chain.as_ref(), a.id)?;
                        if !self.auctions.running.contains_key(&a.id) {
                            ended.push(a.clone());
                        }
                    }
                } else if a.needs_reset && self.keepers.send(b) {
                    if let Ok(outcome) = chain.reset_outcome(a.id) {
                        self.auctions.restarted(a.id, outcome);
                        if self.auctions.holds {
                            self.auctions.reread(chain.as_ref(), a.id)?;
                        }
                    }
                }
                continue;
            }
            if !self.keepers.send(b) {
                continue;
            }
            let funds = (units * price).ceil() as u128 + 1;
            let Ok(outcome) = chain.bid_outcome(b, a.id, units as u128, a.price, funds) else {
                continue;
            };
            let (got, spent) = (outcome.slice, outcome.owe);
            match outcome.left {
                Some((lot, tab)) => {
                    if let Some(r) = self.auctions.running.get_mut(&a.id) {
                        r.lot = lot.into();
                        r.tab = tab.into();
                        r.raised += cosmwasm_std::Uint128::new(spent);
                    }
                }
                None => {
                    self.auctions.running.remove(&a.id);
                    ended.push(a.clone());
                }
            }
            self.keepers.capital[b] -= spent as f64;
            // (With a hair of tolerance: the floor is the oracle times 0.8 rounded up.)
            if price < FLOOR_REFERENCE * oracle[asset] * (1.0 - 1e-9) {
                w.flow.below_floor_value += got as f64 * oracle[asset];
            }
            let why = self.cause_of(&a, asset);
            let dump = got as f64 * config.keepers.dump_share;
            let received = w.sell_caused(asset, dump, &why);
            // What is not dumped is held at the external price (capital tied up).
            self.keepers.capital[b] += received;
        }
        let ext = w.prices();
        for a in &ended {
            self.auction_ended(a, &ext)?;
        }

        // 5. Backstop resales.
        if !off(config, "backstop") && t >= self.last_resale + self.resale_every {
            self.last_resale = t;
            let mut any = false;
            for d in self.denoms.clone() {
                any |= self.chain.resell_denom(&d).is_ok();
            }
            if any {
                self.auctions.read_new(self.chain.as_ref())?;
            }
        }

        // 6. Record.
        let state = self.chain.market_state()?;
        let pool = self.chain.backstop_pool()?;
        if self.trace {
            // Where the backstop stands: what it can still pay with, what it holds, what it
            // owes the market (its credit) and what the market owes it.
            let held: u128 = pool.collateral.iter().map(|c| c.value.u128()).sum();
            eprintln!(
                "pool t={} base={} held={} owed_to_market={} owed_by_market={} value={}",
                self.chain.now(),
                pool.base,
                held,
                pool.owed_to_market,
                pool.owed_by_market,
                pool.total_value
            );
        }
        let min_hf = self
            .book
            .iter()
            .zip(&self.open)
            .filter(|(_, o)| **o)
            .map(|(p, _)| p.health(&oracle, LT))
            .fold(f64::INFINITY, f64::min);
        // Bad debt the market booked this step, split between the collaterals in proportion to
        // this step's liquidations and sales of each (the market does not say which account).
        let booked = (state.bad_debt_covered_by_backstop.u128()
            + state.bad_debt_covered_by_reserves.u128()
            + state.bad_debt_socialized.u128()) as f64;
        let new = booked - self.booked;
        self.booked = booked;
        if new > 0.0 {
            let weights: Vec<f64> = w
                .flow
                .assets
                .iter()
                .map(|f| f.liquidated_debt + f.sold_value)
                .collect();
            w.bad_debt(new, &weights);
        }
        Ok(EngineState {
            oracle,
            covered_bad_debt: state.bad_debt_covered_by_backstop.u128() as f64,
            uncovered_bad_debt: state.bad_debt_socialized.u128() as f64,
            buffer_value: pool.total_value.u128() as f64,
            // No open debt: no health factor (not zero, which would read as insolvent).
            min_health_factor: min_hf,
            total_debt: (state.total_borrowed.u128() + state.debt_in_auction.u128()) as f64,
            over_liquidation: self.over_liquidation,
            borrower_loss: self.loss_sum,
            liquidatable_debt: liquidatable,
        })
    }

    fn finish(&mut self, w: &mut World<'_>) -> Result<Finish> {
        // What open accounts and unfinished auctions cannot cover at the final oracle prices
        // counts as uncovered.
        let price = self.last_oracle.clone().unwrap_or_else(|| w.prices());
        let mut by_asset = vec![0.0; price.len()];
        let mut underwater = 0.0;
        for (p, _) in self.book.iter().zip(&self.open).filter(|(_, o)| **o) {
            let short = p.debt - p.value(&price);
            if short > 0.0 {
                underwater += short;
                for (a, s) in crate::engines::kit::value_shares(p, &price)
                    .iter()
                    .enumerate()
                {
                    by_asset[a] += short * s;
                }
            }
        }
        let state = self.chain.market_state()?;
        let lots: Vec<f64> = self
            .denoms
            .iter()
            .zip(&price)
            .map(|(d, p)| {
                self.chain
                    .auctions()
                    .map(|all| {
                        all.iter()
                            .filter(|a| &a.denom == d)
                            .map(|a| a.lot.u128() as f64 * p)
                            .sum::<f64>()
                    })
                    .unwrap_or(0.0)
            })
            .collect();
        let unfinished = (state.debt_in_auction.u128() as f64 - lots.iter().sum::<f64>()).max(0.0);
        let total_lots: f64 = lots.iter().sum();
        for (a, l) in lots.iter().enumerate() {
            by_asset[a] += if total_lots > 0.0 {
                unfinished * l / total_lots
            } else {
                unfinished / lots.len() as f64
            };
        }
        // What the market lent the backstop and the pool cannot repay at the final prices
        // (its base, what the market owes it and its collateral) is uncovered too.
        let unbacked = match self.chain.backstop_pool() {
            Ok(pool) if !pool.owed_to_market.is_zero() => {
                let held: f64 = pool
                    .collateral
                    .iter()
                    .map(|h| {
                        let p = self
                            .denoms
                            .iter()
                            .position(|d| d == &h.denom)
                            .map_or(0.0, |i| price[i]);
                        h.amount.u128() as f64 * p
                    })
                    .sum();
                let gross = pool.base.u128() as f64 + pool.owed_by_market.u128() as f64 + held;
                (pool.owed_to_market.u128() as f64 - gross).max(0.0)
            }
            _ => 0.0,
        };
        let n = by_asset.len().max(1) as f64;
        for b in by_asset.iter_mut() {
            *b += unbacked / n;
        }
        Ok(Finish {
            uncovered: underwater + unfinished + unbacked,
            by_asset,
        })
    }
}
#[cfg(test)]
mod tests {
    use super::SETUPS;
    use crate::model::EngineKind;
    use crate::{default_config, run, scenario};

    /// A run that starts from the chain state kept after opening the book gives exactly the
    /// numbers of a run that opens it from scratch (in a new thread, with no kept state).
    #[test]
    fn a_run_from_the_kept_set_up_equals_a_fresh_run() {
        let s = scenario::load("black-thursday").unwrap();
        let config = crate::model::RunConfig {
            accounts: 30,
            step: 300,
            ..default_config(EngineKind::Breakwater)
        };
        let first = run::run_scenario(&s, &config, &mut |_, _| {}).unwrap();
        let again = run::run_scenario(&s, &config, &mut |_, _| {}).unwrap();
        assert!(
            SETUPS.with(|c| !c.borrow().is_empty()),
            "the set-up was kept"
        );
        let (s2, c2) = (s.clone(), config.clone());
        let fresh =
            std::thread::spawn(move || run::run_scenario(&s2, &c2, &mut |_, _| {}).unwrap())
                .join()
                .unwrap();
        assert_eq!(first, again);
        assert_eq!(first, fresh);
    }

    /// Runs a small book through every shipped scenario; `Auctions::price_all` compares its
    /// view with the liquidator's listing at every step (see there).
    #[test]
    fn the_auction_view_matches_the_liquidators_listing_every_step() {
        for name in scenario::builtin_names() {
            let s = scenario::load(name).unwrap();
            for engine in [EngineKind::Naive, EngineKind::Breakwater] {
                let config = crate::model::RunConfig {
                    accounts: 40,
                    step: 120,
                    ..default_config(engine)
                };
                run::run_scenario(&s, &config, &mut |_, _| {}).unwrap();
            }
        }
    }
}
