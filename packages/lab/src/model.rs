//! The lab's shared data model: scenarios, depth, run configuration, the per-step trace and
//! the metrics computed from it. Every other module works on these types.
use serde::{Deserialize, Serialize};

/// One point of a scenario's exogenous path.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScenarioPoint {
    /// Seconds since the scenario start.
    pub time: u64,
    /// Exogenous collateral price (base units per collateral unit) on the main venue.
    pub price: f64,
    /// Multiplier on the external market's depth (1 = normal, 0.05 = 95% withdrawn).
    pub depth_mult: f64,
    /// Price printed by a dislocated venue, if any (read by one oracle feeder).
    pub venue_price: Option<f64>,
}

/// A crash scenario: a named, documented exogenous path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    /// Short name (file stem), e.g. `black-thursday`.
    pub name: String,
    /// The event it models.
    pub event: String,
    /// What history recorded under naive engines.
    pub history: String,
    /// Points in time order, starting at time 0.
    pub points: Vec<ScenarioPoint>,
}

/// How the external market's price responds to sales.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum DepthKind {
    /// Constant-product pool calibrated by the base value whose sale moves the price 10%.
    ConstantProduct,
    /// Linear order book: `depth` base value moves the price 1%.
    LinearBook,
    /// Square-root impact: `dP/P = Y · σ · sqrt(Q / V)`, with `V` the daily volume implied by
    /// `depth` (see `depth.rs`).
    SquareRoot,
}

/// Parameters of the external market of the collateral.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DepthParams {
    /// The model.
    pub kind: DepthKind,
    /// Base value absorbed per 1% price move at normal depth.
    pub depth_per_pct: f64,
    /// Half-life, seconds, with which endogenous impact decays (arbitrage refills the book).
    pub recovery_half_life: f64,
}

/// Which engine configuration to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
pub enum EngineKind {
    /// One spot feeder, full liquidation at a fixed 10% spread, lots bought and dumped at once,
    /// no throttle, no floor, no backstop, no breaker.
    Naive,
    /// Every mechanism on.
    Breakwater,
}

impl EngineKind {
    /// Lower-case name used in file names and tables.
    pub fn name(self) -> &'static str {
        match self {
            EngineKind::Naive => "naive",
            EngineKind::Breakwater => "breakwater",
        }
    }
}

/// Everything one run needs besides the scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunConfig {
    /// The engine.
    pub engine: EngineKind,
    /// Number of borrower accounts.
    pub accounts: usize,
    /// RNG seed (same seed, same numbers).
    pub seed: u64,
    /// Simulation step, seconds.
    pub step: u64,
    /// External market depth.
    pub depth: DepthParams,
    /// Backstop pool size as a fraction of total debt (Breakwater only).
    pub backstop_fraction: f64,
    /// Impact budget in percent deriving the auction caps from depth (Breakwater only).
    pub throttle_pct: f64,
    /// Target health factor of partial liquidations (Breakwater only).
    pub target_hf: f64,
    /// Share of won collateral keepers sell straight into the external market.
    pub keeper_dump_share: f64,
    /// Keeper latency, seconds (how stale their view of the chain is).
    pub keeper_latency: u64,
    /// Profit margin bidders require below the external price.
    pub bidder_margin: f64,
    /// Oracle feeders' delay reading the external market, seconds.
    pub oracle_delay: u64,
    /// Mechanisms switched off (names from [`MECHANISMS`]) to measure their contribution.
    pub disabled: Vec<String>,
}

/// Mechanisms that can be switched off one at a time.
pub const MECHANISMS: &[&str] = &[
    "throttle",
    "floor",
    "backstop",
    "partial",
    "median_oracle",
    "breaker",
];

/// What happened in one simulation step.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct StepRecord {
    /// Seconds since start.
    pub time: u64,
    /// Exogenous price.
    pub exogenous: f64,
    /// Realized external price (exogenous × endogenous impact).
    pub realized: f64,
    /// Oracle median.
    pub oracle: f64,
    /// Debt closed by liquidations started this step (base units).
    pub liquidated_debt: f64,
    /// Collateral value sold into the external market this step (base units).
    pub sold_value: f64,
    /// Collateral value sold at auction below the floor or for nothing (base units).
    pub below_floor_value: f64,
    /// Bad debt covered by the backstop so far (base units, cumulative).
    pub covered_bad_debt: f64,
    /// Bad debt socialized or left uncovered so far (base units, cumulative).
    pub uncovered_bad_debt: f64,
    /// Backstop pool value (base units).
    pub backstop_value: f64,
    /// Lowest health factor among open accounts with debt.
    pub min_health_factor: f64,
    /// Spiral index `g = L' · (1 + p) · k / D` estimated this step.
    pub spiral_index: f64,
    /// Total debt outstanding incl. debt in auction (base units).
    pub total_debt: f64,
    /// Value borrowers lost beyond the minimum needed to restore health (cumulative).
    pub over_liquidation: f64,
}

/// A whole run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunTrace {
    /// Scenario name.
    pub scenario: String,
    /// The configuration.
    pub config: RunConfig,
    /// Initial total debt (base units).
    pub initial_debt: f64,
    /// One record per step.
    pub steps: Vec<StepRecord>,
}

/// The metrics every run reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Metrics {
    /// Bad debt neither the backstop nor reserves covered (socialized or left), base units.
    pub uncovered_bad_debt: f64,
    /// The same as a percentage of initial debt.
    pub uncovered_bad_debt_pct: f64,
    /// Bad debt the backstop covered, base units.
    pub covered_bad_debt: f64,
    /// Endogenous impact: realized max drawdown minus the exogenous one, percentage points.
    pub endogenous_impact_pct: f64,
    /// Total debt liquidated, base units.
    pub liquidated_debt: f64,
    /// Largest liquidation volume in one step, base units.
    pub peak_step_liquidation: f64,
    /// Number of liquidation waves (runs of consecutive steps with liquidations).
    pub waves: usize,
    /// Borrower over-liquidation, base units.
    pub over_liquidation: f64,
    /// Collateral value sold below the floor or for nothing, base units.
    pub below_floor_value: f64,
    /// Largest drop of the backstop pool's value, percent of its start.
    pub backstop_drawdown_pct: f64,
    /// Highest spiral index seen.
    pub max_spiral_index: f64,
    /// Lowest health factor reached by an open account.
    pub min_health_factor: f64,
}
