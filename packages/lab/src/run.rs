//! The simulation loop: one scenario, one engine configuration, real contracts.
//!
//! Each step (default one minute):
//! 1. the external market moves to the scenario's exogenous price, times the endogenous impact
//!    of past sales (which decays as arbitrage refills the book);
//! 2. oracle feeders submit what they saw `oracle_delay` seconds ago (in the oracle-wick
//!    scenario one feeder reads the dislocated venue; the naive engine has only that one);
//! 3. liquidation keepers scan an off-chain index of liquidation prices (as real keepers do)
//!    and call `Liquidate` on every account below health factor 1;
//! 4. bidders take auction slices whose price is at least `bidder_margin` below the external
//!    price, and dump `keeper_dump_share` of what they win into the external market — this is
//!    the feedback loop a cascade needs;
//! 5. stale auctions are reset, the backstop takes lots stuck at the floor and re-sells slowly,
//!    and the breaker is tripped while the oracle reports a halt (Breakwater only);
//! 6. the step is recorded.
use crate::chain::{Chain, MultiTest, COLLATERAL};
use crate::depth::ExternalMarket;
use crate::model::{EngineKind, RunConfig, RunTrace, Scenario, StepRecord};
use anyhow::Result;
use breakwater_testing::{dec, default_liquidation_params, SuiteBuilder};
use breakwater_types::backstop::BackstopParams;
use breakwater_types::liquidator::{AuctionParams, PriceCurve};
use breakwater_types::market::{CollateralParams, LiquidationParams};
use breakwater_types::oracle::{OracleParams, OracleStatus};
use cosmwasm_std::{Decimal, Uint128};
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, LogNormal};
use std::str::FromStr;

/// Liquidation threshold of the lab's collateral.
pub const LT: f64 = 0.80;
/// Loan-to-value of the lab's collateral.
pub const MAX_LTV: f64 = 0.75;
/// Liquidation penalty: a fixed 10% spread for the naive engine, 5% for Breakwater.
pub fn penalty(engine: EngineKind) -> f64 {
    match engine {
        EngineKind::Naive => 0.10,
        EngineKind::Breakwater => 0.05,
    }
}
/// Sales at auction below this fraction of the oracle price count as "below the floor" for
/// both engines (Breakwater's floor is `1 − max_discount = 0.8`).
pub const FLOOR_REFERENCE: f64 = 0.8;
/// Breakwater's hard-floor health factor in the lab.
pub const HARD_FLOOR: f64 = 0.85;
/// Number of competing bidders.
pub const BIDDERS: usize = 5;

/// One borrower as the keepers' off-chain index sees it.
#[derive(Debug, Clone, Copy)]
struct Position {
    collateral: f64,
    debt: f64,
}

impl Position {
    /// Oracle price below which the account is liquidatable.
    fn liquidation_price(&self) -> f64 {
        if self.collateral <= 0.0 {
            return f64::INFINITY;
        }
        self.debt / (self.collateral * LT)
    }
    fn health(&self, price: f64) -> f64 {
        if self.debt <= 0.0 {
            return f64::INFINITY;
        }
        self.collateral * price * LT / self.debt
    }
}

fn to_dec(x: f64) -> Decimal {
    Decimal::from_str(&format!("{:.12}", x.max(1e-12))).unwrap_or(Decimal::one())
}

fn f(x: Decimal) -> f64 {
    x.to_string().parse().unwrap_or(0.0)
}

fn off(config: &RunConfig, mechanism: &str) -> bool {
    config.engine == EngineKind::Naive || config.disabled.iter().any(|d| d == mechanism)
}

/// The initial book: `(collateral units, debt)` per account, seeded.
fn borrowers(config: &RunConfig, scenario: &Scenario, p0: f64) -> Vec<Position> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(config.seed);
    // Collateral value log-normal around $5,000 (6-decimal base units).
    let sizes = LogNormal::new((5_000e6f64).ln(), 1.2).expect("valid log-normal");
    let mut book: Vec<Position> = (0..config.accounts)
        .map(|_| {
            let value: f64 = sizes.sample(&mut rng).min(5e12);
            // Health factors between 1.08 and ~3, skewed toward the low end.
            let hf = 1.08 + rng.gen::<f64>().powi(2) * 1.9;
            let collateral = (value / p0).floor();
            let debt = (collateral * p0 * LT / hf).floor();
            Position { collateral, debt }
        })
        .collect();
    if scenario.name.contains("whale") && !book.is_empty() {
        // One position worth 30% of everyone else's, at HF 1.25.
        let others: f64 = book.iter().map(|p| p.collateral).sum();
        let collateral = (others * 0.3).floor();
        book[0] = Position {
            collateral,
            debt: (collateral * p0 * LT / 1.25).floor(),
        };
    }
    book
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
fn builder_for(config: &RunConfig, p0: f64, depth_per_pct: f64) -> SuiteBuilder {
    let naive = config.engine == EngineKind::Naive;
    let collateral = CollateralParams {
        denom: COLLATERAL.to_string(),
        max_ltv: to_dec(MAX_LTV),
        liquidation_threshold: to_dec(LT),
        liquidation_penalty: to_dec(penalty(config.engine)),
        supply_cap: Uint128::new(10u128.pow(30)),
        depth: Uint128::new(depth_per_pct.max(1.0) as u128),
    };
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
    SuiteBuilder::new()
        .only_collaterals(vec![(collateral, to_dec(p0))])
        .oracle_params(oracle)
        .feeders(feeders(config))
        .liquidation_params(liquidation)
        .auction_params(COLLATERAL, auction)
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

/// Runs `scenario` under `config` on the chain `make_chain` builds; `on_step(done, total)`
/// reports progress.
pub fn run_scenario_on(
    scenario: &Scenario,
    config: &RunConfig,
    make_chain: &mut ChainFactory<'_>,
    on_step: &mut dyn FnMut(usize, usize),
) -> Result<RunTrace> {
    let p0 = scenario
        .points
        .first()
        .map(|p| p.price)
        .ok_or_else(|| anyhow::anyhow!("scenario {} has no points", scenario.name))?;
    let mut book = borrowers(config, scenario, p0);
    let total_collateral_value: f64 = book.iter().map(|p| p.collateral * p0).sum();
    let initial_debt: f64 = book.iter().map(|p| p.debt).sum();
    let depth = depth_per_pct(config, total_collateral_value);
    let mut market = ExternalMarket::new(crate::model::DepthParams {
        depth_per_pct: depth,
        ..config.depth
    });
    let spec = ChainSpec {
        builder: builder_for(config, p0, depth),
        feeders: feeders(config),
        bidders: BIDDERS,
        initial_debt,
    };
    let mut chain = make_chain(config, spec)?;
    let pen = penalty(config.engine);

    chain.supply((initial_debt * 1.25) as u128 + 1_000_000_000)?;
    for (i, p) in book.iter().enumerate() {
        chain.open_account(i, p.collateral as u128, p.debt as u128)?;
    }
    if !off(config, "backstop") && config.backstop_fraction > 0.0 {
        chain.fund_backstop((initial_debt * config.backstop_fraction) as u128)?;
    }
    let feeders = feeders(config);
    // The backstop is asked to re-sell every 10 minutes of contract time.
    let resale_every = (600 / chain.time_scale().max(1)).max(1);
    chain.start()?;

    let total = (scenario.duration() / config.step) as usize + 1;
    let mut steps = Vec::with_capacity(total);
    let mut history: Vec<f64> = vec![];
    let mut capital = [initial_debt * 0.02; BIDDERS];
    let mut next_bidder = 0usize;
    let mut over_liquidation = 0.0;
    let mut last_resale = 0u64;
    let mut open: Vec<bool> = book.iter().map(|p| p.debt > 0.0).collect();
    let seized_share_default = config.keeper_dump_share;

    for n in 0..total {
        let t = n as u64 * config.step;
        if n > 0 {
            chain.advance(config.step);
            market.advance(config.step);
        }
        let point = scenario.at(t);
        let realized = market.price(&point);
        history.push(realized);

        // 2. Feeders report what they saw `oracle_delay` ago.
        let lag = (config.oracle_delay / config.step.max(1)) as usize;
        let seen = history[history.len().saturating_sub(1 + lag)];
        for i in 0..feeders {
            let p = match (i, point.venue_price) {
                (0, Some(v)) => v,
                _ => seen,
            };
            // A feeder whose price the oracle refuses (e.g. absurd) is simply skipped.
            let _ = chain.submit_price(i, to_dec(p));
        }
        let oracle = chain.price()?;
        let oracle_price = f(oracle.median);

        // 5a. Breaker: trip while halted, clear when active again.
        if !off(config, "breaker") {
            let level = chain.market_state()?.breaker_level;
            match oracle.status {
                OracleStatus::Halted { .. } if level < 2 => {
                    let _ = chain.trip_breaker();
                }
                OracleStatus::Active {} if level > 0 => chain.set_breaker(0)?,
                _ => {}
            }
        }

        // 3. Liquidation keepers, every `keeper_latency` seconds.
        let mut liquidated = 0.0;
        let mut seized_value = 0.0;
        if t.is_multiple_of(config.keeper_latency.max(config.step)) {
            let mut due: Vec<usize> = (0..book.len())
                .filter(|&i| open[i] && book[i].liquidation_price() > oracle_price)
                .collect();
            due.sort_by(|a, b| {
                book[*a]
                    .health(oracle_price)
                    .total_cmp(&book[*b].health(oracle_price))
            });
            // Once the throttle says there is no room, a keeper only tries accounts below the
            // hard floor (which bypass it) for the rest of the step, as a real keeper would
            // after reading the `Room` query.
            let mut throttled = false;
            for i in due {
                let before = book[i];
                if throttled && before.health(oracle_price) >= HARD_FLOOR {
                    continue;
                }
                if let Err(e) = chain.liquidate(i) {
                    throttled |= e.to_string().contains("no auction room");
                    continue;
                }
                // A fully closed account may be gone from the market's books.
                let after = match chain.account(i) {
                    Ok(acct) => Position {
                        collateral: acct
                            .collaterals
                            .iter()
                            .map(|c| c.amount.u128() as f64)
                            .sum(),
                        debt: acct.debt.u128() as f64,
                    },
                    Err(_) => Position {
                        collateral: 0.0,
                        debt: 0.0,
                    },
                };
                let repaid = (before.debt - after.debt).max(0.0);
                liquidated += repaid;
                seized_value += (before.collateral - after.collateral).max(0.0) * oracle_price;
                // The least debt whose repayment restores HF = 1 at this price.
                let w = before.collateral * oracle_price * LT;
                let r_min = ((before.debt - w) / (1.0 - LT * (1.0 + pen))).max(0.0);
                over_liquidation += (repaid - r_min.min(before.debt)).max(0.0);
                book[i] = after;
                open[i] = after.debt > 0.0;
            }
        }

        // 4. Bidders.
        let mut sold_value = 0.0;
        let mut below_floor = 0.0;
        for a in chain.auctions()? {
            let price = f(a.price);
            let ext = market.price(&point);
            if a.lot.is_zero() || price > ext * (1.0 - config.bidder_margin) {
                if a.at_floor && !off(config, "backstop") {
                    let _ = chain.buy_at_floor(a.id);
                } else if a.needs_reset {
                    let _ = chain.reset(a.id);
                }
                continue;
            }
            let b = next_bidder % BIDDERS;
            next_bidder += 1;
            let units = (capital[b] / price).floor().min(a.lot.u128() as f64);
            if units < 1.0 {
                continue;
            }
            let funds = (units * price).ceil() as u128 + 1;
            let Ok((got, spent)) = chain.bid(b, a.id, units as u128, a.price, funds) else {
                continue;
            };
            capital[b] -= spent as f64;
            if price < FLOOR_REFERENCE * oracle_price {
                below_floor += got as f64 * oracle_price;
            }
            let dump = got as f64 * config.keeper_dump_share;
            let received = market.sell(dump, &point);
            sold_value += received;
            // What is not dumped is held at the external price (capital tied up).
            capital[b] += received;
        }

        // 5b. Backstop resales.
        if !off(config, "backstop") && t >= last_resale + resale_every {
            last_resale = t;
            let _ = chain.resell();
        }

        // 6. Record.
        let state = chain.market_state()?;
        let pool = chain.backstop_pool()?;
        let min_hf = book
            .iter()
            .zip(&open)
            .filter(|(_, o)| **o)
            .map(|(p, _)| p.health(oracle_price))
            .fold(f64::INFINITY, f64::min);
        let wall: f64 = book
            .iter()
            .zip(&open)
            .filter(|(p, o)| {
                **o && p.liquidation_price() <= oracle_price
                    && p.liquidation_price() > oracle_price * 0.99
            })
            .map(|(p, _)| p.collateral * oracle_price)
            .sum();
        let wall = if off(config, "throttle") {
            wall
        } else {
            wall.min(depth * config.throttle_pct)
        };
        let k = if seized_value > 0.0 {
            (sold_value / seized_value).min(1.0)
        } else {
            seized_share_default
        };
        let d_now = market.depth_now(&point).max(1.0);
        steps.push(StepRecord {
            time: t,
            exogenous: point.price,
            realized: market.price(&point),
            oracle: oracle_price,
            liquidated_debt: liquidated,
            sold_value,
            below_floor_value: below_floor,
            covered_bad_debt: state.bad_debt_covered_by_backstop.u128() as f64,
            uncovered_bad_debt: state.bad_debt_socialized.u128() as f64,
            backstop_value: pool.total_value.u128() as f64,
            // No open debt: no health factor (not zero, which would read as insolvent).
            min_health_factor: min_hf,
            spiral_index: wall * (1.0 + pen) * k / d_now,
            total_debt: (state.total_borrowed.u128() + state.debt_in_auction.u128()) as f64,
            over_liquidation,
        });
        on_step(n + 1, total);
    }

    // Bad debt is never hidden: what open accounts and unfinished auctions cannot cover at the
    // final price counts as uncovered.
    if let Some(last) = steps.last_mut() {
        let price = last.oracle;
        let underwater: f64 = book
            .iter()
            .zip(&open)
            .filter(|(_, o)| **o)
            .map(|(p, _)| (p.debt - p.collateral * price).max(0.0))
            .sum();
        let state = chain.market_state()?;
        let lots: f64 = chain
            .auctions()?
            .iter()
            .map(|a| a.lot.u128() as f64 * price)
            .sum();
        let unfinished = (state.debt_in_auction.u128() as f64 - lots).max(0.0);
        last.uncovered_bad_debt += underwater + unfinished;
    }
    Ok(RunTrace {
        scenario: scenario.name.clone(),
        config: config.clone(),
        initial_debt,
        steps,
    })
}
