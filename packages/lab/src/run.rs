//! The contract-backed runs: the configuration of the real contracts for the `naive` and
//! `breakwater` engines (one Suite plan both backends deploy), and the entry points that run a
//! scenario through them ([`crate::engines::contract`] is the engine's step).
use crate::chain::{Chain, MultiTest};
use crate::engine::{simulate, World};
use crate::engines::contract::ContractEngine;
use crate::model::{EngineKind, RunConfig, RunTrace, Scenario};
use anyhow::Result;
use breakwater_testing::{dec, default_liquidation_params, SuiteBuilder};
use breakwater_types::backstop::BackstopParams;
use breakwater_types::liquidator::{AuctionParams, PriceCurve};
use breakwater_types::market::{CollateralParams, LiquidationParams};
use breakwater_types::oracle::OracleParams;
use cosmwasm_std::{Decimal, Uint128};
use std::str::FromStr;

/// Liquidation threshold of the lab's collateral.
pub const LT: f64 = 0.80;
/// Loan-to-value of the lab's collateral.
pub const MAX_LTV: f64 = 0.75;
/// Liquidation penalty: a fixed 10% spread for the naive engine, 5% for Breakwater.
pub fn penalty(engine: EngineKind) -> f64 {
    match engine {
        EngineKind::Naive => 0.10,
        _ => 0.05,
    }
}
/// Sales at auction below this fraction of the oracle price count as "below the floor" for
/// both engines (Breakwater's floor is `1 − max_discount = 0.8`).
pub const FLOOR_REFERENCE: f64 = 0.8;
/// Breakwater's hard-floor health factor in the lab.
pub const HARD_FLOOR: f64 = 0.85;
/// Number of competing bidders.
pub const BIDDERS: usize = 5;

/// Decimal from a float (12 decimals), for prices sent to the contracts.
pub fn to_dec(x: f64) -> Decimal {
    Decimal::from_str(&format!("{:.12}", x.max(1e-12))).unwrap_or(Decimal::one())
}

/// Whether `mechanism` is off in `config` (every mechanism is off for the naive engine).
pub fn off(config: &RunConfig, mechanism: &str) -> bool {
    config.engine == EngineKind::Naive || config.disabled.iter().any(|d| d == mechanism)
}

/// What a backend needs to build the chain of one run.
pub struct ChainSpec {
    /// The contracts' configuration for this run: `builder.plan()` is the exact
    /// [`breakwater_types::deploy::DeployPlan`] the embedded chain instantiates.
    pub builder: SuiteBuilder,
    /// Oracle feeders the run submits from (1 for a single-feeder oracle, else 3).
    pub feeders: usize,
    /// Competing bidders ([`BIDDERS`]).
    pub bidders: usize,
    /// The book's initial debt, base units (bidders' capital is sized from it).
    pub initial_debt: f64,
}

/// Builds the chain of one run: [`multitest`], or another backend such as
/// [`crate::wasmd::Wasmd`].
pub type ChainFactory<'a> = dyn FnMut(&RunConfig, ChainSpec) -> Result<Box<dyn Chain>> + 'a;

/// The embedded cw-multi-test backend timing every chain call ([`crate::chain::Profiled`]).
pub fn multitest_profiled(config: &RunConfig, spec: ChainSpec) -> Result<Box<dyn Chain>> {
    Ok(Box::new(crate::chain::Profiled::new(multitest(
        config, spec,
    )?)))
}

/// The embedded cw-multi-test backend: builds the Suite and funds the bidders generously.
pub fn multitest(_config: &RunConfig, spec: ChainSpec) -> Result<Box<dyn Chain>> {
    Ok(Box::new(MultiTest::new(
        spec.builder.build(),
        spec.bidders,
        10u128.pow(24),
    )))
}

/// Oracle feeders of a run: one when the median oracle is off (and for the naive engine).
pub fn feeders(config: &RunConfig) -> usize {
    if off(config, "median_oracle") {
        1
    } else {
        3
    }
}

/// The contracts' configuration for `config`: the Suite builder whose plan both backends
/// deploy.
/// The chain denom of collateral `name`: `ucol` for the one collateral of a one-asset
/// scenario ([`crate::chain::COLLATERAL`]), else `u<name>`.
pub fn denom(name: &str) -> String {
    format!("u{name}")
}

/// The contracts' configuration for `config` with one collateral per `(denom, start price,
/// depth per 1%)`.
pub fn builder_for(config: &RunConfig, assets: &[(String, f64, f64)]) -> SuiteBuilder {
    let naive = config.engine == EngineKind::Naive;
    let collaterals: Vec<(CollateralParams, Decimal)> = assets
        .iter()
        .map(|(denom, p0, depth_per_pct)| {
            (
                CollateralParams {
                    denom: denom.clone(),
                    max_ltv: to_dec(MAX_LTV),
                    liquidation_threshold: to_dec(LT),
                    liquidation_penalty: to_dec(penalty(config.engine)),
                    supply_cap: Uint128::new(10u128.pow(30)),
                    depth: Uint128::new(depth_per_pct.max(1.0) as u128),
                },
                to_dec(*p0),
            )
        })
        .collect();
    let single_feeder = off(config, "median_oracle");
    let oracle = OracleParams {
        max_age: 600,
        min_feeders: if single_feeder { 1 } else { 2 },
        max_deviation: if single_feeder { dec("1") } else { dec("0.15") },
        twap_window: 1_800,
        twap_capacity: 60,
        breaker_move: if off(config, "breaker") {
            dec("10")
        } else {
            dec("0.25")
        },
        cooldown: if off(config, "breaker") { 0 } else { 300 },
    };
    let huge = Uint128::new(10u128.pow(30));
    let liquidation = if naive || off(config, "partial") {
        LiquidationParams {
            // Everything is "dust": every liquidation closes the whole position.
            min_debt: huge,
            min_collateral_value: huge,
            hard_floor_health_factor: dec("0.000001"),
            ..default_liquidation_params()
        }
    } else {
        LiquidationParams {
            target_health_factor: to_dec(config.target_hf),
            hard_floor_health_factor: to_dec(HARD_FLOOR),
            min_debt: Uint128::new(100_000_000),
            min_collateral_value: Uint128::new(100_000_000),
            ..default_liquidation_params()
        }
    };
    let auction = if naive {
        // Sold at once: the price reaches a 10% discount within the first minute.
        AuctionParams {
            buf: dec("1"),
            curve: PriceCurve::Linear { duration: 600 },
            tail: 3_600,
            cusp: dec("0.005"),
            max_discount: dec("0.99"),
            dust: Uint128::zero(),
            hole: Some(huge),
        }
    } else {
        let breakwater = AuctionParams {
            buf: dec("1.05"),
            curve: PriceCurve::StairStep {
                step: 60,
                cut: dec("0.98"),
            },
            tail: 3_600,
            cusp: dec("0.5"),
            max_discount: dec("0.2"),
            dust: Uint128::new(1_000_000),
            hole: if off(config, "throttle") {
                Some(huge)
            } else {
                None
            },
        };
        if off(config, "floor") {
            // No floor: the price may fall to 1% of the oracle (after 231 steps, 13,860 s)
            // before the auction goes stale. (Auction parameters must let the curve reach the
            // floor before a reset: a cusp of 0.5 would reset every auction at 52.5%, a floor.)
            AuctionParams {
                tail: 14_400,
                cusp: dec("0.009"),
                max_discount: dec("0.99"),
                ..breakwater
            }
        } else {
            breakwater
        }
    };
    let mut builder = SuiteBuilder::new()
        .only_collaterals(collaterals)
        .oracle_params(oracle)
        .feeders(feeders(config))
        .liquidation_params(liquidation);
    for (denom, _, _) in assets {
        builder = builder.auction_params(denom, auction.clone());
    }
    builder
        .global_hole(10u128.pow(30))
        .impact_budget_pct(to_dec(config.throttle_pct.clamp(0.01, 50.0)))
        .backstop_params(BackstopParams {
            resale_interval: 600,
            resale_fraction: dec("0.05"),
            ..BackstopParams::default()
        })
}

/// Base value that moves the external price 1%: `depth_per_pct` of the book's collateral value.
pub fn depth_per_pct(config: &RunConfig, total_collateral_value: f64) -> f64 {
    config.depth.depth_per_pct * total_collateral_value
}

/// Runs `scenario` under `config` on the embedded chain; `on_step(done, total)` reports
/// progress.
pub fn run_scenario(
    scenario: &Scenario,
    config: &RunConfig,
    on_step: &mut dyn FnMut(usize, usize),
) -> Result<RunTrace> {
    run_scenario_on(scenario, config, &mut multitest, on_step)
}

/// Runs `scenario` under `config`; a contract-backed engine runs on the chain `make_chain`
/// builds. `on_step(done, total)` reports progress.
pub fn run_scenario_on(
    scenario: &Scenario,
    config: &RunConfig,
    make_chain: &mut ChainFactory<'_>,
    on_step: &mut dyn FnMut(usize, usize),
) -> Result<RunTrace> {
    if !config.engine.is_contract() {
        let mut world = World::new(scenario, config)?;
        let mut engine = crate::engines::build(&world, config)?;
        return simulate(&mut world, engine.as_mut(), on_step);
    }
    let mut world = World::new(scenario, config)?;
    let mut engine = ContractEngine::new(&world, config, make_chain)?;
    let trace = simulate(&mut world, &mut engine, on_step)?;
    if let Some(p) = engine.chain_profile() {
        eprintln!(
            "{} / {}: time per chain call\n{p}",
            scenario.name,
            config.engine.name()
        );
    }
    Ok(trace)
}
