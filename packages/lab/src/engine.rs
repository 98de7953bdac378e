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
use crate::model::{DepthParams, RunConfig, Scenario, ScenarioPoint, StepRecord};
use anyhow::Result;

/// What every engine implements.
pub trait Engine {
    /// Debt outstanding when the scenario starts, base units.
    fn initial_debt(&self) -> f64;
    /// One step at `w.t` (the world has already moved there).
    fn step(&mut self, w: &mut World<'_>) -> Result<StepRecord>;
    /// After the last step: what is still open is booked into the last record (bad debt is
    /// never hidden).
    fn finish(&mut self, w: &mut World<'_>, last: &mut StepRecord) -> Result<()>;
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
}

impl<'a> World<'a> {
    /// The world of `scenario` under `config`: the book, and depth of `depth_per_pct` of each
    /// asset's collateral value per 1%.
    pub fn new(scenario: &'a Scenario, config: &'a RunConfig) -> Result<Self> {
        let first = scenario
            .points
            .first()
            .ok_or_else(|| anyhow::anyhow!("scenario {} has no points", scenario.name))?;
        let book = Book::generate(scenario, config.accounts, config.seed);
        let depth: Vec<f64> = book
            .collateral_value()
            .iter()
            .map(|v| config.depth.depth_per_pct * v)
            .collect();
        let markets = depth
            .iter()
            .map(|d| {
                ExternalMarket::new(DepthParams {
                    depth_per_pct: *d,
                    ..config.depth
                })
            })
            .collect();
        let total = (scenario.duration() / config.step.max(1)) as usize + 1;
        Ok(World {
            scenario,
            config,
            depth: depth.clone(),
            markets,
            n: 0,
            t: 0,
            total,
            points: vec![*first],
            history: vec![Vec::with_capacity(total)],
            book,
        })
    }

    /// Moves to step `n` (module docs, 1).
    fn begin_step(&mut self, n: usize) {
        self.n = n;
        self.t = n as u64 * self.config.step;
        if n > 0 {
            for m in &mut self.markets {
                m.advance(self.config.step);
            }
        }
        self.points = vec![self.scenario.at(self.t)];
        for (a, m) in self.markets.iter().enumerate() {
            let p = m.price(&self.points[a]);
            self.history[a].push(p);
        }
    }

    /// Realized price of asset `a` now.
    pub fn price(&self, a: usize) -> f64 {
        self.markets[a].price(&self.points[a])
    }

    /// What feeders reporting `delay` seconds late see of asset `a`: the realized price at the
    /// start of the step `delay / step` steps ago (the first step's before that).
    pub fn seen(&self, a: usize, delay: u64) -> f64 {
        let lag = (delay / self.config.step.max(1)) as usize;
        let h = &self.history[a];
        h[h.len().saturating_sub(1 + lag)]
    }

    /// Sells `units` of asset `a` into its external market; returns the base value received.
    pub fn sell(&mut self, a: usize, units: f64) -> f64 {
        let point = self.points[a];
        self.markets[a].sell(units, &point)
    }
}

/// Runs `engine` through the world's scenario; `on_step(done, total)` reports progress.
pub fn simulate(
    world: &mut World<'_>,
    engine: &mut dyn Engine,
    on_step: &mut dyn FnMut(usize, usize),
) -> Result<Vec<StepRecord>> {
    let mut steps = Vec::with_capacity(world.total);
    for n in 0..world.total {
        world.begin_step(n);
        steps.push(engine.step(world)?);
        on_step(n + 1, world.total);
    }
    if let Some(last) = steps.last_mut() {
        engine.finish(world, last)?;
    }
    Ok(steps)
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
