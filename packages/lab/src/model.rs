//! The lab's shared data model: scenarios, depth, run configuration, the per-step trace and
//! the metrics computed from it. Every other module works on these types.
use crate::keepers::KeeperParams;
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

/// A crash scenario: a named, documented exogenous path of one or more collaterals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    /// Short name (file stem), e.g. `black-thursday`.
    pub name: String,
    /// The event it models.
    pub event: String,
    /// What history recorded under naive engines.
    pub history: String,
    /// The first (or only) collateral's points in time order, starting at time 0.
    pub points: Vec<ScenarioPoint>,
    /// The first collateral's name (`col` in a file with unnamed columns).
    #[serde(default = "default_asset")]
    pub asset: String,
    /// Further collaterals, at the same times as `points`.
    #[serde(default)]
    pub more: Vec<AssetPath>,
    /// Parameter overrides the scenario carries (`# set: name=value`), applied before the
    /// command line's.
    #[serde(default)]
    pub settings: Vec<(String, f64)>,
}

/// The name of the collateral of a one-asset scenario.
pub fn default_asset() -> String {
    "col".to_string()
}

/// One further collateral's path in a scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssetPath {
    /// Its name.
    pub name: String,
    /// Its points, at the scenario's times.
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

/// An engine: the two configurations of the real contracts, the peers' designs modelled in the
/// lab (`design/peers.md`), and the `foresight` reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum EngineKind {
    /// The real contracts configured naively: one spot feeder, full liquidation at a fixed 10%
    /// spread, lots bought and dumped at once, no throttle, no floor, no backstop, no breaker.
    Naive,
    /// The real contracts with every mechanism on.
    Breakwater,
    /// Aave v3.3: close factor, bonus and protocol fee, the dust rule, deficit booking.
    Aave,
    /// Compound III (Comet): absorb into reserves, storefront sales, negative reserves.
    Compound,
    /// Maker Liquidations 2.0: OSM delay, `bark` with hole/Hole and dust, Dutch auctions.
    Maker,
    /// Maker Liquidations 1.2 (`flip.sol`): English tend/dent auctions, as in March 2020.
    MakerFlip,
    /// Liquity v2: stability-pool offset, redistribution, shutdown below the SCR.
    Liquity,
    /// Mars red-bank: dynamic bonus, target health factor, protocol fee.
    Mars,
    /// An ORCA/Anchor-style premium bid queue.
    Queue,
    /// The reference: knows the path and de-risks ahead of each fall within the depth.
    Foresight,
}

impl EngineKind {
    /// Every engine, in table order.
    pub const ALL: [EngineKind; 10] = [
        EngineKind::Naive,
        EngineKind::Breakwater,
        EngineKind::Aave,
        EngineKind::Compound,
        EngineKind::Maker,
        EngineKind::MakerFlip,
        EngineKind::Liquity,
        EngineKind::Mars,
        EngineKind::Queue,
        EngineKind::Foresight,
    ];

    /// Lower-case name used on the command line, in file names and tables.
    pub fn name(self) -> &'static str {
        match self {
            EngineKind::Naive => "naive",
            EngineKind::Breakwater => "breakwater",
            EngineKind::Aave => "aave",
            EngineKind::Compound => "compound",
            EngineKind::Maker => "maker",
            EngineKind::MakerFlip => "maker-flip",
            EngineKind::Liquity => "liquity",
            EngineKind::Mars => "mars",
            EngineKind::Queue => "queue",
            EngineKind::Foresight => "foresight",
        }
    }

    /// The engine called `name`.
    pub fn from_name(name: &str) -> Option<EngineKind> {
        EngineKind::ALL.into_iter().find(|e| e.name() == name)
    }

    /// Whether the engine runs the real contracts on a chain.
    pub fn is_contract(self) -> bool {
        matches!(self, EngineKind::Naive | EngineKind::Breakwater)
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
    /// The keepers.
    pub keepers: KeeperParams,
    /// Oracle feeders' delay reading the external market, seconds.
    pub oracle_delay: u64,
    /// Mechanisms switched off (names from [`MECHANISMS`]) to measure their contribution.
    pub disabled: Vec<String>,
    /// Parameter overrides by full name (`aave.close_factor`, `keepers.gas`, ...), from the
    /// scenario file and the command line, in that order (later wins).
    pub overrides: Vec<(String, f64)>,
}

/// Breakwater's mechanisms that `--disable NAME` switches off one at a time, with what
/// switching each off means. To add one: list it here and read `run::off(config, NAME)` where
/// the contracts are configured ([`crate::run::builder_for`]) or where the engine acts
/// ([`crate::engines::contract`]).
pub const MECHANISM_DOCS: &[(&str, &str)] = &[
    (
        "throttle",
        "no cap on debt under auction (the room derived from depth)",
    ),
    ("floor", "auctions may fall to 1% of the oracle price"),
    (
        "backstop",
        "no backstop pool: no cover, no absorb, no purchase at the floor, no resales",
    ),
    ("partial", "every liquidation closes the whole position"),
    ("median_oracle", "one feeder, no outlier exclusion"),
    ("breaker", "no circuit breaker"),
    (
        "breaker_book",
        "issue 14: OracleParams.breaker_book false, a fall beyond breaker_move halts the asset \
         even while the book holds through it (the measured depth's share of its level before \
         the fall at least the price's share of the TWAP before the fall) instead of only when \
         the book drains faster than the price falls",
    ),
    (
        "depth_measured",
        "issue 14: feeders send no depth with their prices, so the liquidator's room follows \
         the owner-set depth only",
    ),
    (
        "risk_share",
        "issue 14: LiquidationParams.risk_share None, the backstop's share of new reserves \
         stays at backstop_reserve_share whatever the measured risk",
    ),
    (
        "dynamic_bonus",
        "issue 14: CollateralParams.dynamic_bonus None, the fixed liquidation penalty instead \
         of a bonus that grows as health falls (on: DynamicBonus::recommended(penalty))",
    ),
    (
        "wick",
        "issue 14: LiquidationParams.wick None, no waiting out a tripped breaker at the TWAP",
    ),
    (
        "transfer",
        "issue 14: LiquidationParams.when_throttled Wait, no partial absorb by the backstop \
         when the liquidator has no room",
    ),
    (
        "redistribution",
        "issue 14: LiquidationParams.redistribution None, a position the backstop cannot take \
         is sold (or waits for room) instead of going to the other holders of its collateral",
    ),
    (
        "backstop_credit",
        "issue 14: LiquidationParams.backstop_credit None, the backstop covers bad debt with its \
         base only, not with what the market owes it nor on credit against the collateral it \
         holds",
    ),
    (
        "wick_fade",
        "issue 14: WickParams.fade false, the TWAP's whole advantage counts until the wait ends \
         and then none (a long halt ends in a wall of liquidations at once) instead of fading \
         over the wait",
    ),
    (
        "hard_floor_pacing",
        "issue 14: LiquidationParams.pace_hard_floor false, an account below the hard floor \
         goes to auction whole whatever the liquidator's room (the whole book below the floor \
         at once) instead of in the parts the room allows",
    ),
    (
        "backstop_first",
        "issue 14: RedistributionParams.backstop_first false, a position the backstop cannot \
         absorb whose auctions do not fit the room is redistributed even when the backstop \
         could bear what it lacks with its base and credit (instead of auctioned within the \
         room, the backstop paying the shortfall)",
    ),
    (
        "holds",
        "issue 14: AuctionParams.hold 0 and hold_tolerance 0, every auction curve falls on its \
         clock instead of waiting after each sale for as long as its size buys (600 s per \
         cap's worth, held up to 10% above a median at or above its TWAP), and a sale frees \
         its room at once instead of over that time",
    ),
    (
        "held_room",
        "issue 14: AuctionParams.hold_room false, a sale frees the room its tab held at once \
         instead of over the seconds it holds the curves (the curves are still held)",
    ),
    (
        "slide",
        "issue 14: AuctionParams.slide None, a fall that keeps the oracle's median under its \
         TWAP for longer than a wick could is waited out like a wick (curves from the start \
         price, the cap from depth alone) instead of sold into: curves that follow the oracle \
         and a cap slide_room times larger",
    ),
    (
        "slide_lows",
        "issue 14: AuctionParams.slide.lows None, a fall still making new lows of the oracle's \
         median one TWAP window after its streak began is waited out until the streak is \
         slide_after old instead of sold into as a slide from then on",
    ),
    (
        "slide_deep",
        "issue 14: AuctionParams.slide.deep false, a fall through a book that holds (the \
         measured depth's share of the ceiling at least what the median kept of the price the \
         fall began from) is \
         waited out like a wick instead of sold into as a slide at once",
    ),
    (
        "slide_ahead",
        "issue 14: AuctionParams.slide.ahead false, while a fall's book holds its curves \
         price from the oracle's median instead of ahead of it by the fall (median x (1 - \
         shortfall under the TWAP)), so a curve that starts above a market falling faster \
         than it finds no buyer until the fall stops",
    ),
    (
        "paced_sales",
        "issue 14: AuctionParams.pace_sales None, bidders may buy every running lot at once \
         instead of at most a cap's worth per pace_window (what they paid counts against the \
         cap and drains from it over the window)",
    ),
    (
        "fall_wait",
        "issue 14: AuctionParams.wait_falls false, bidders buy lots while the oracle's median \
         stands fall_band under its TWAP (a fall) instead of waiting until it stands within \
         the band again or the fall becomes a slide (the backstop's purchases at the floor go \
         on either way)",
    ),
];

/// The names of [`MECHANISM_DOCS`].
pub const MECHANISMS: &[&str] = &[
    "throttle",
    "floor",
    "backstop",
    "partial",
    "median_oracle",
    "breaker",
    "breaker_book",
    "depth_measured",
    "risk_share",
    "dynamic_bonus",
    "wick",
    "transfer",
    "redistribution",
    "backstop_credit",
    "wick_fade",
    "hard_floor_pacing",
    "backstop_first",
    "holds",
    "held_room",
    "slide",
    "slide_lows",
    "slide_deep",
    "slide_ahead",
    "paced_sales",
    "fall_wait",
];

/// What happened in one simulation step.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct StepRecord {
    /// Seconds since start.
    pub time: u64,
    /// Exogenous price (first asset).
    pub exogenous: f64,
    /// Realized external price (exogenous × endogenous impact, first asset).
    pub realized: f64,
    /// The engine's oracle price (first asset).
    pub oracle: f64,
    /// Debt closed by liquidations started this step (base units).
    pub liquidated_debt: f64,
    /// Collateral value sold into the external market this step (base units).
    pub sold_value: f64,
    /// Collateral value sold by the protocol below 0.8 × its oracle price, or for nothing
    /// (base units, this step).
    pub below_floor_value: f64,
    /// Bad debt covered by a pre-funded first-loss buffer so far (base units, cumulative):
    /// Breakwater's backstop, Compound's reserves, Maker's surplus buffer, Liquity's stability
    /// pool.
    pub covered_bad_debt: f64,
    /// Bad debt nobody covered so far (socialized, deficit, negative reserves; base units,
    /// cumulative).
    pub uncovered_bad_debt: f64,
    /// The first-loss buffer's value (base units).
    pub backstop_value: f64,
    /// Lowest health factor among open accounts with debt (the engine's own definition).
    pub min_health_factor: f64,
    /// Total debt outstanding incl. debt in auction (base units).
    pub total_debt: f64,
    /// Value borrowers lost beyond the minimum needed to restore health (cumulative).
    pub over_liquidation: f64,
    /// Borrower loss so far: penalties paid plus collateral taken below the external price,
    /// per account net of what was given back, summed over accounts (base units, cumulative).
    pub borrower_loss: f64,
    /// Debt that is liquidatable under the engine's own rule at this step (base units).
    pub liquidatable_debt: f64,
}

/// One asset of one step.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct AssetStep {
    /// Exogenous price.
    pub exogenous: f64,
    /// Realized external price at the end of the step.
    pub realized: f64,
    /// The engine's oracle price.
    pub oracle: f64,
    /// Collateral value of this asset sold into its external market this step.
    pub sold_value: f64,
    /// Debt repaid this step by seizing this asset.
    pub liquidated_debt: f64,
    /// Bad debt booked this step on accounts holding this asset (split by collateral value).
    pub bad_debt: f64,
    /// Net change of this asset's endogenous log offset over the step: this step's
    /// liquidation-driven sales (≤ 0) plus the recovery since the previous step (≥ 0).
    pub caused_log: f64,
    /// Endogenous log offset now attributable to liquidations caused by other assets' falls.
    pub cross_log: f64,
}

/// One asset's path through a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct AssetTrace {
    /// The asset's name.
    pub name: String,
    /// One record per step.
    pub steps: Vec<AssetStep>,
}

/// A whole run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunTrace {
    /// Scenario name.
    pub scenario: String,
    /// The configuration.
    pub config: RunConfig,
    /// The engine's parameters as the run used them.
    pub params: Vec<crate::params::ParamDoc>,
    /// Initial total debt (base units).
    pub initial_debt: f64,
    /// The liquidation wall at the start: `wall[i]` is the debt (base units) that becomes
    /// liquidatable under the engine's rule as every collateral price falls from `i`% to
    /// `i + 1`% below its start.
    pub wall: Vec<f64>,
    /// One record per step.
    pub steps: Vec<StepRecord>,
    /// Per asset, one record per step.
    pub assets: Vec<AssetTrace>,
    /// How many liquidations the book's largest account went through (the whale in
    /// toxic-whale), when the engine counts them.
    #[serde(default)]
    pub largest_account_liquidations: Option<u32>,
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
    /// Largest drop of the first-loss buffer's value, percent of its start (100: exhausted).
    pub backstop_drawdown_pct: f64,
    /// Borrower loss (penalties plus collateral taken below the external price, net of what
    /// came back), base units.
    pub borrower_loss: f64,
    /// The same as a percentage of initial debt.
    pub borrower_loss_pct: f64,
    /// Realised loop gain: the price move caused by liquidation-driven sales per unit of the
    /// oracle move that triggered them ([`crate::metrics`]).
    pub loop_gain: f64,
    /// The liquidation wall at the start: the most debt liquidatable in one 1% slice of a
    /// uniform fall, percent of initial debt.
    pub wall_peak_pct: f64,
    /// The fall (percent) at which that slice starts.
    pub wall_peak_at: f64,
    /// Debt liquidatable within a 10% / 20% / 30% fall, percent of initial debt.
    pub wall_within: [f64; 3],
    /// Lowest health factor reached by an open account.
    pub min_health_factor: f64,
    /// Per collateral: liquidations, bad debt, impact and contagion.
    pub assets: Vec<AssetMetrics>,
}

/// One collateral's share of a run (contagion).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct AssetMetrics {
    /// The collateral.
    pub name: String,
    /// Debt repaid by seizing it, base units.
    pub liquidated_debt: f64,
    /// Bad debt booked on accounts holding it (split by collateral value), base units.
    pub bad_debt: f64,
    /// Endogenous impact: its realized max drawdown minus the exogenous one, pp.
    pub endogenous_impact_pct: f64,
    /// The part of its endogenous impact (pp) caused by sales of it seized from accounts
    /// whose liquidation another collateral's fall caused.
    pub cross_impact_pct: f64,
}
