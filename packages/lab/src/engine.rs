//! One interface for every engine, and the world they run in.
//!
//! A run is one scenario, one engine and one [`World`]: the book, the external market of each
//! collateral (the engine's own instance, since its own sales move it), the keepers, and the
//! clock. [`simulate`] advances the world one step at a time and lets the engine act:
//!
//! 1. the world moves to step `n`: time `t = n · step`, the exogenous state of every asset, the
//!    external markets' endogenous impact decays, and the realized price is recorded in
//!    `history` (what feeders will read);
//! 2. the engine runs one step under its own rules (oracle, liquidation, auctions, keepers)
//!    and returns the step's record;
//! 3. after the last step the engine books what is still open (bad debt of open accounts and
//!    unfinished sales at the final price).
//!
//! Engines never share state: each run builds its own world, so runs are independent and
//! [`run_parallel`] spreads them over the machine's cores.
use crate::book::Book;
use crate::depth::ExternalMarket;
use crate::model::{
    AssetStep, AssetTrace, DepthParams, RunConfig, RunTrace, Scenario, ScenarioPoint, StepRecord,
};
use crate::params::ParamDoc;
use anyhow::Result;

/// What every engine implements.
pub trait Engine {
    /// Debt outstanding when the scenario starts, base units.
    fn initial_debt(&self) -> f64;
    /// The liquidation threshold the engine's positions were opened against (the book's
    /// accounts sit at their health factor under it): fixes the debt of the liquidation wall.
    fn threshold(&self) -> f64;
    /// The parameters the engine runs with.
    fn params(&self) -> Vec<ParamDoc>;
    /// How many liquidations account `i` went through, if the engine counts them.
    fn liquidations_of(&self, _i: usize) -> Option<u32> {
        None
    }
    /// One step at `w.t` (the world has already moved there): act, and report the state.
    fn step(&mut self, w: &mut World<'_>) -> Result<EngineState>;
    /// After the last step: what is still open (bad debt of open accounts and unfinished
    /// sales at the final price) — bad debt is never hidden.
    fn finish(&mut self, w: &mut World<'_>) -> Result<Finish>;
}

/// An engine's state after a step (flows are in [`World::flow`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EngineState {
    /// The engine's oracle price of each asset.
    pub oracle: Vec<f64>,
    /// Bad debt a pre-funded first-loss buffer covered so far.
    pub covered_bad_debt: f64,
    /// Bad debt nobody covered so far.
    pub uncovered_bad_debt: f64,
    /// The first-loss buffer's value now.
    pub buffer_value: f64,
    /// Lowest health factor of an open account (infinite without one).
    pub min_health_factor: f64,
    /// Debt outstanding, incl. debt under auction.
    pub total_debt: f64,
    /// Over-liquidation so far.
    pub over_liquidation: f64,
    /// Borrower loss so far.
    pub borrower_loss: f64,
    /// Debt liquidatable under the engine's rule now.
    pub liquidatable_debt: f64,
}

/// What an engine books after the last step.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Finish {
    /// Further uncovered bad debt (open underwater accounts, unfinished sales).
    pub uncovered: f64,
    /// The same split per asset by collateral value.
    pub by_asset: Vec<f64>,
}

/// One asset's flows in the current step.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct AssetFlow {
    /// Value sold into the external market.
    pub sold_value: f64,
    /// Debt repaid by seizing this asset.
    pub liquidated_debt: f64,
    /// Bad debt booked on accounts holding it.
    pub bad_debt: f64,
}

/// What happened in the current step (reset every step).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Flow {
    /// Debt closed by liquidations.
    pub liquidated_debt: f64,
    /// Value sold into external markets.
    pub sold_value: f64,
    /// Value the protocol sold below 0.8 × its oracle price.
    pub below_floor_value: f64,
    /// Per asset.
    pub assets: Vec<AssetFlow>,
}

/// The shared environment of one run.
pub struct World<'a> {
    /// The scenario (the whole path; only the reference engine reads ahead).
    pub scenario: &'a Scenario,
    /// The run's configuration.
    pub config: &'a RunConfig,
    /// The borrowers.
    pub book: Book,
    /// Base value that moves each asset's external price 1% at normal depth.
    pub depth: Vec<f64>,
    /// Each asset's external market (this run's own instance).
    pub markets: Vec<ExternalMarket>,
    /// Step index.
    pub n: usize,
    /// Seconds since the start.
    pub t: u64,
    /// Number of steps of the run.
    pub total: usize,
    /// Exogenous state of each asset now.
    pub points: Vec<ScenarioPoint>,
    /// Realized price of each asset at the start of every step so far (`history[a][n]`).
    pub history: Vec<Vec<f64>>,
    /// The external depth of each asset at the start of every step so far, in the oracle's
    /// unit (base value whose sale moves the price 1% down, [`World::depth_within`] at 1%):
    /// what feeders that report depth with their price will read (`depth_history[a][n]`).
    pub depth_history: Vec<Vec<f64>>,
    /// This step's flows.
    pub flow: Flow,
    /// `cause_log[a][c]`: the part of asset `a`'s endogenous log offset due to sales of
    /// collateral seized from accounts whose liquidation asset `c`'s fall caused; decays with
    /// the market.
    cause_log: Vec<Vec<f64>>,
}

impl<'a> World<'a> {
    /// The world of `scenario` under `config`: the book, and depth of `depth_per_pct` of each
    /// asset's collateral value per 1%.
    pub fn new(scenario: &'a Scenario, config: &'a RunConfig) -> Result<Self> {
        let book = Book::generate(scenario, config.accounts, config.seed);
        Self::with_book(scenario, config, book)
    }

    /// The world of `scenario` under `config` with a given book.
    pub fn with_book(scenario: &'a Scenario, config: &'a RunConfig, book: Book) -> Result<Self> {
        if scenario.points.is_empty() {
            anyhow::bail!("scenario {} has no points", scenario.name);
        }
        // Each asset's depth: `depth_per_pct` of its collateral value, times `depth.<asset>`
        // when a scenario or the command line sets it.
        let depth: Vec<f64> = book
            .collateral_value()
            .iter()
            .enumerate()
            .map(|(a, v)| {
                let key = format!("depth.{}", scenario.asset_name(a));
                let mult = config
                    .overrides
                    .iter()
                    .rev()
                    .find(|(k, _)| *k == key)
                    .map_or(1.0, |(_, m)| *m);
                config.depth.depth_per_pct * v * mult
            })
            .collect();
        let markets: Vec<ExternalMarket> = depth
            .iter()
            .map(|d| {
                ExternalMarket::new(DepthParams {
                    depth_per_pct: *d,
                    ..config.depth
                })
            })
            .collect();
        let assets = markets.len();
        let total = (scenario.duration() / config.step.max(1)) as usize + 1;
        Ok(World {
            scenario,
            config,
            depth: depth.clone(),
            markets,
            n: 0,
            t: 0,
            total,
            points: (0..scenario.assets())
                .map(|a| scenario.at_asset(a, 0))
                .collect(),
            history: vec![Vec::with_capacity(total); assets],
            depth_history: vec![Vec::with_capacity(total); assets],
            flow: Flow::default(),
            cause_log: vec![vec![0.0; assets]; assets],
            book,
        })
    }

    /// Number of collateral assets.
    pub fn assets(&self) -> usize {
        self.markets.len()
    }

    /// Moves to step `n` (module docs, 1).
    pub(crate) fn begin_step(&mut self, n: usize) {
        self.n = n;
        self.t = n as u64 * self.config.step;
        if n > 0 {
            let h = self.config.depth.recovery_half_life;
            let decay = if h.is_nan() || h <= 0.0 {
                0.0
            } else if h.is_finite() {
                0.5f64.powf(self.config.step as f64 / h)
            } else {
                1.0
            };
            for m in &mut self.markets {
                m.advance(self.config.step);
            }
            self.cause_log
                .iter_mut()
                .flatten()
                .for_each(|c| *c *= decay);
        }
        self.points = (0..self.markets.len())
            .map(|a| self.scenario.at_asset(a, self.t))
            .collect();
        for (a, m) in self.markets.iter().enumerate() {
            let p = m.price(&self.points[a]);
            self.history[a].push(p);
        }
        for a in 0..self.markets.len() {
            let d = self.depth_within(a, 0.01);
            self.depth_history[a].push(d);
        }
        self.flow = Flow {
            assets: vec![AssetFlow::default(); self.markets.len()],
            ..Flow::default()
        };
    }

    /// The exogenous price of asset `a` at time `t` (any time: only the reference engine reads
    /// ahead).
    pub fn exogenous_at(&self, a: usize, t: u64) -> f64 {
        self.scenario.at_asset(a, t).price
    }

    /// Realized price of asset `a` now.
    pub fn price(&self, a: usize) -> f64 {
        self.markets[a].price(&self.points[a])
    }

    /// Realized prices of every asset now.
    pub fn prices(&self) -> Vec<f64> {
        (0..self.assets()).map(|a| self.price(a)).collect()
    }

    /// The depth a feeder would report for asset `a` with its price: the base value whose sale
    /// now moves the external price down by `band` (e.g. 0.02 for 2%), from the market's
    /// depth model — for oracles that accept a depth figure with each price.
    pub fn depth_within(&self, a: usize, band: f64) -> f64 {
        let p = self.price(a);
        let units =
            self.markets[a].units_to_price(p * (1.0 - band.clamp(0.0, 0.99)), &self.points[a]);
        self.markets[a].quote_sell(units, &self.points[a])
    }

    /// What feeders reporting `delay` seconds late see of asset `a`: the realized price at the
    /// start of the step `delay / step` steps ago (the first step's before that).
    pub fn seen(&self, a: usize, delay: u64) -> f64 {
        let lag = (delay / self.config.step.max(1)) as usize;
        let h = &self.history[a];
        h[h.len().saturating_sub(1 + lag)]
    }

    /// The depth feeders reporting `delay` seconds late see of asset `a` (base value per 1%
    /// move, as [`World::seen`] sees the price).
    pub fn seen_depth(&self, a: usize, delay: u64) -> f64 {
        let lag = (delay / self.config.step.max(1)) as usize;
        let h = &self.depth_history[a];
        h[h.len().saturating_sub(1 + lag)]
    }

    /// Sells `units` of asset `a` into its external market for a liquidation caused by the
    /// fall of asset `a` itself; returns the base value received.
    pub fn sell(&mut self, a: usize, units: f64) -> f64 {
        let mut cause = vec![0.0; self.assets()];
        cause[a] = 1.0;
        self.sell_caused(a, units, &cause)
    }

    /// Sells `units` of asset `a` for a liquidation whose trigger was the fall of each asset
    /// `c` in proportion `cause[c]` (summing to 1); returns the base value received. The sale's
    /// price impact is attributed to the causes (contagion).
    pub fn sell_caused(&mut self, a: usize, units: f64, cause: &[f64]) -> f64 {
        let point = self.points[a];
        let before = self.markets[a].log_offset();
        let got = self.markets[a].sell(units, &point);
        let moved = self.markets[a].log_offset() - before;
        let total: f64 = cause.iter().sum();
        for (c, w) in cause.iter().enumerate() {
            if total > 0.0 {
                self.cause_log[a][c] += moved * w / total;
            }
        }
        self.flow.sold_value += got;
        self.flow.assets[a].sold_value += got;
        got
    }

    /// Books debt `repaid` by seizing asset `a` this step.
    pub fn liquidated(&mut self, a: usize, repaid: f64) {
        self.flow.liquidated_debt += repaid;
        self.flow.assets[a].liquidated_debt += repaid;
    }

    /// Books `amount` of bad debt on an account holding `value[a]` of each asset.
    pub fn bad_debt(&mut self, amount: f64, value: &[f64]) {
        let total: f64 = value.iter().sum();
        for (a, v) in value.iter().enumerate() {
            let share = if total > 0.0 {
                v / total
            } else {
                1.0 / value.len() as f64
            };
            self.flow.assets[a].bad_debt += amount * share;
        }
    }

    /// The part of asset `a`'s endogenous log offset caused by other assets' falls.
    pub fn cross_log(&self, a: usize) -> f64 {
        self.cause_log[a]
            .iter()
            .enumerate()
            .filter(|(c, _)| *c != a)
            .map(|(_, v)| v)
            .sum()
    }
}

/// The liquidation wall at the start: debt (base units) of the book's accounts opened at
/// threshold `lt` that becomes liquidatable as every price falls from `i`% to `i + 1`% below
/// its start (`i < 100`). An account at health `h` under its own threshold becomes
/// liquidatable after a uniform fall of `1 − 1/h`.
pub fn liquidation_wall(book: &Book, lt: f64) -> Vec<f64> {
    let mut wall = vec![0.0; 100];
    for a in &book.accounts {
        let fall = (1.0 - 1.0 / a.hf0).max(0.0) * 100.0;
        let i = (fall.floor() as usize).min(99);
        wall[i] += a.debt(&book.p0, lt);
    }
    wall
}

/// Runs `engine` through the world's scenario; `on_step(done, total)` reports progress.
pub fn simulate(
    world: &mut World<'_>,
    engine: &mut dyn Engine,
    on_step: &mut dyn FnMut(usize, usize),
) -> Result<RunTrace> {
    let mut steps = Vec::with_capacity(world.total);
    let mut assets: Vec<AssetTrace> = (0..world.assets())
        .map(|a| AssetTrace {
            name: asset_name(world, a),
            steps: Vec::with_capacity(world.total),
        })
        .collect();
    // The endogenous log offset of each asset at the end of the previous step.
    let mut last_e: Vec<f64> = world.markets.iter().map(|m| m.log_offset()).collect();
    for n in 0..world.total {
        world.begin_step(n);
        let s = engine.step(world)?;
        for (a, trace) in assets.iter_mut().enumerate() {
            let f = world.flow.assets[a];
            let e = world.markets[a].log_offset();
            let caused_log = e - last_e[a];
            last_e[a] = e;
            trace.steps.push(AssetStep {
                exogenous: world.points[a].price,
                realized: world.price(a),
                oracle: s.oracle.get(a).copied().unwrap_or(f64::NAN),
                sold_value: f.sold_value,
                liquidated_debt: f.liquidated_debt,
                bad_debt: f.bad_debt,
                caused_log,
                cross_log: world.cross_log(a),
            });
        }
        steps.push(StepRecord {
            time: world.t,
            exogenous: world.points[0].price,
            realized: world.price(0),
            oracle: s.oracle.first().copied().unwrap_or(f64::NAN),
            liquidated_debt: world.flow.liquidated_debt,
            sold_value: world.flow.sold_value,
            below_floor_value: world.flow.below_floor_value,
            covered_bad_debt: s.covered_bad_debt,
            uncovered_bad_debt: s.uncovered_bad_debt,
            backstop_value: s.buffer_value,
            min_health_factor: s.min_health_factor,
            total_debt: s.total_debt,
            over_liquidation: s.over_liquidation,
            borrower_loss: s.borrower_loss,
            liquidatable_debt: s.liquidatable_debt,
        });
        on_step(n + 1, world.total);
    }
    let fin = engine.finish(world)?;
    if let Some(last) = steps.last_mut() {
        last.uncovered_bad_debt += fin.uncovered;
    }
    for (a, trace) in assets.iter_mut().enumerate() {
        if let (Some(last), Some(b)) = (trace.steps.last_mut(), fin.by_asset.get(a)) {
            last.bad_debt += b;
        }
    }
    let largest = (0..world.book.accounts.len()).max_by(|a, b| {
        world.book.accounts[*a]
            .value(&world.book.p0)
            .total_cmp(&world.book.accounts[*b].value(&world.book.p0))
    });
    Ok(RunTrace {
        largest_account_liquidations: largest.and_then(|i| engine.liquidations_of(i)),
        scenario: world.scenario.name.clone(),
        config: world.config.clone(),
        params: engine.params(),
        initial_debt: engine.initial_debt(),
        wall: liquidation_wall(&world.book, engine.threshold()),
        steps,
        assets,
    })
}

/// The name of asset `a` (`col` for a one-asset scenario).
fn asset_name(world: &World<'_>, a: usize) -> String {
    world.scenario.asset_name(a).to_string()
}

/// Runs `jobs` on up to `threads` threads (at least one) and returns their results in job
/// order. Each job builds everything it needs inside its thread (contract-backed engines hold
/// a chain that cannot move between threads).
pub fn run_parallel<J, T>(jobs: Vec<J>, threads: usize, run: impl Fn(J) -> T + Sync) -> Vec<T>
where
    J: Send,
    T: Send,
{
    let n = jobs.len();
    let threads = threads.clamp(1, n.max(1));
    if threads == 1 {
        return jobs.into_iter().map(&run).collect();
    }
    let queue = std::sync::Mutex::new(jobs.into_iter().enumerate().collect::<Vec<_>>());
    let results = std::sync::Mutex::new((0..n).map(|_| None).collect::<Vec<Option<T>>>());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                // Jobs are taken from the front: the caller orders them longest first.
                let next = {
                    let mut q = queue.lock().unwrap_or_else(|e| e.into_inner());
                    if q.is_empty() {
                        None
                    } else {
                        Some(q.remove(0))
                    }
                };
                let Some((i, job)) = next else { break };
                let out = run(job);
                results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(out);
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|r| r.expect("every job ran"))
        .collect()
}

/// Threads to use: `BREAKWATER_LAB_THREADS` if set, else the machine's cores.
pub fn default_threads() -> usize {
    std::env::var("BREAKWATER_LAB_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n: &usize| *n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A toy engine with a known loop: accounts spread so that every 1% fall of its oracle
    /// (the market price at the start of the step) makes collateral worth `L'` liquidatable,
    /// all of it sold at once into a linear book of depth `D = 2·L'` that never recovers. A 1%
    /// exogenous fall then triggers 0.5%, which triggers 0.25%, ...: the loop gain is 1/2 and
    /// the endogenous fall totals 1%.
    struct Toy {
        units: f64,
        liq: Vec<f64>,
        open: Vec<bool>,
    }

    impl Engine for Toy {
        fn initial_debt(&self) -> f64 {
            1.0
        }
        fn threshold(&self) -> f64 {
            0.8
        }
        fn params(&self) -> Vec<ParamDoc> {
            vec![]
        }
        fn step(&mut self, w: &mut World<'_>) -> Result<EngineState> {
            let oracle = w.seen(0, 0);
            let mut any = false;
            for i in 0..self.liq.len() {
                if self.open[i] && self.liq[i] > oracle {
                    self.open[i] = false;
                    w.sell(0, self.units);
                    any = true;
                }
            }
            Ok(EngineState {
                oracle: vec![oracle],
                liquidatable_debt: if any { 1.0 } else { 0.0 },
                min_health_factor: f64::INFINITY,
                ..Default::default()
            })
        }
        fn finish(&mut self, _w: &mut World<'_>) -> Result<Finish> {
            Ok(Finish {
                uncovered: 0.0,
                by_asset: vec![0.0],
            })
        }
    }

    #[test]
    fn the_realised_loop_gain_of_a_constructed_cascade_is_one_half() {
        let s = crate::engines::testkit::flat_then(&[(60, 10.0), (120, 9.9), (7_200, 9.9)]);
        let mut config = crate::engines::testkit::config(crate::model::EngineKind::Foresight);
        config.depth.recovery_half_life = f64::INFINITY;
        // 4,000 accounts, one every 0.01% of price: 100 per 1% = 1/40 of the value; a depth
        // of 5% of the value per 1% makes L'/D = 1/2.
        config.depth.depth_per_pct = 0.05;
        let n = 4_000;
        let units = 1e6;
        let book = Book {
            p0: vec![10.0],
            accounts: (0..n)
                .map(|_| crate::book::BookAccount {
                    units: vec![units],
                    hf0: 2.0,
                })
                .collect(),
        };
        let mut w = World::with_book(&s, &config, book).unwrap();
        let mut toy = Toy {
            units,
            liq: (1..=n).map(|j| 10.0 * (1.0 - j as f64 * 1e-4)).collect(),
            open: vec![true; n],
        };
        let trace = simulate(&mut w, &mut toy, &mut |_, _| {}).unwrap();
        let m = crate::metrics::compute(&trace);
        assert!(
            (m.loop_gain - 0.5).abs() < 0.02,
            "loop gain {}",
            m.loop_gain
        );
        assert!(
            (m.endogenous_impact_pct - 1.0).abs() < 0.05,
            "endogenous {}",
            m.endogenous_impact_pct
        );
    }

    #[test]
    fn feeders_can_report_the_depth_within_a_band() {
        let s = crate::engines::testkit::flat_then(&[(600, 10.0)]);
        let config = crate::engines::testkit::config(crate::model::EngineKind::Breakwater);
        let mut w = crate::engines::testkit::world(&s, &config, &[(1e9, 1.5)]);
        w.begin_step(0);
        // Linear book: depth_per_pct = 2% of 1e10 = 2e8 per 1%; a 2% band holds about 4e8 of
        // value (sold at the average of 10 and 9.8).
        let d = w.depth_within(0, 0.02);
        assert!((d / (2.0 * 2e8 * 0.99) - 1.0).abs() < 1e-9, "{d}");
        // Thinner books report less.
        let before = w.depth_within(0, 0.02);
        w.sell(0, 1e7);
        assert!(w.depth_within(0, 0.02) < before);
    }

    #[test]
    fn parallel_results_keep_job_order() {
        let jobs: Vec<u64> = (0..37).collect();
        for threads in [1, 2, 5] {
            let out = run_parallel(jobs.clone(), threads, |j| j * j);
            assert_eq!(out, jobs.iter().map(|j| j * j).collect::<Vec<_>>());
        }
        let none: Vec<u64> = run_parallel(Vec::<u64>::new(), 4, |j| j);
        assert!(none.is_empty());
    }
}
