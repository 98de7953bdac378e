//! The contract-backed runs: the configuration of the real contracts for the `naive` and
//! `breakwater` engines (one Suite plan both backends deploy), and the entry points that run a
//! scenario through them ([`crate::engines::contract`] is the engine's step).
use crate::chain::{Chain, MultiTest};
use crate::engine::{simulate, World};
use crate::engines::contract::ContractEngine;
use crate::model::{EngineKind, RunConfig, RunTrace, Scenario};
use crate::params::ParamSet;
use anyhow::Result;
use breakwater_testing::{dec, default_liquidation_params, SuiteBuilder};
use breakwater_types::backstop::BackstopParams;
use breakwater_types::liquidator::{AuctionParams, PriceCurve, Slide};
use breakwater_types::market::{
    CollateralParams, DynamicBonus, LiquidationParams, RedistributionParams, WhenThrottled,
    WickParams,
};
use breakwater_types::oracle::OracleParams;
use cosmwasm_std::{Decimal, Uint128};
use std::str::FromStr;

crate::param_set! {
    /// Breakwater's configuration in the lab (the `breakwater` engine; the naive engine is the
    /// same contracts configured as in [`builder_for`]). Each mechanism can also be switched
    /// off with `--disable` ([`crate::model::MECHANISMS`]).
    pub struct BreakwaterParams("breakwater") {
        backstop = 0.10, "backstop pool at the start, fraction of initial debt";
        throttle_pct = 2.0, "impact budget (%) from which the liquidator's room is derived: room = depth x budget";
        target_hf = 1.05, "target health factor of partial liquidations";
        penalty = 0.05, "liquidation penalty";
        hard_floor = 0.80, "below this health factor nothing but the room holds a liquidation back (whole position, absorb): the contract's default, where an account at the lab's threshold 0.80 is insolvent (0.85 until 2026-12-06)";
        buf = 1.05, "auction start: top = oracle x buf";
        cut = 0.98, "stair-step: the price is multiplied by cut every step";
        step = 60.0, "seconds per stair-step";
        tail = 3600.0, "seconds after which an auction may be reset";
        cusp = 0.5, "an auction below cusp x top may be reset";
        max_discount = 0.2, "the floor: no sale to ordinary bidders below oracle x (1 - max_discount)";
        feeders = 3.0, "oracle feeders";
        quorum = 2.0, "fresh feeders the median needs";
        outlier = 0.15, "a feeder further than this from the median is excluded";
        breaker_move = 0.25, "the oracle halts an asset moving further than this from its TWAP";
        breaker_cooldown = 300.0, "seconds a halt lasts";
        twap_window = 1800.0, "TWAP window, seconds";
        resale_interval = 600.0, "seconds between the backstop's resales";
        resale_fraction = 0.05, "share of its holding the backstop re-sells each time";
        min_debt = 100.0, "dust: a partial liquidation must leave at least this many dollars of debt and of collateral";
        min_recipient_health = 0.8, "redistribution: the lowest health factor the other holders of a collateral may be left with, together and each one healthy before (RedistributionParams.min_recipient_health)";
        redistribute_shortfalls = 1.0, "1: the part of an auction shortfall the backstop cannot bear is redistributed as debt to the holders of its collateral (RedistributionParams.shortfalls; on by default since 2026-12-06, seventh session; 0 turns it off)";
        backstop_credit = 0.75, "the most the market lends the backstop to cover bad debt, as a fraction of the value of the collateral the pool holds (LiquidationParams.backstop_credit; the lab book's max LTV, 0.75, since the twelfth session: the market lends the pool against its collateral what it lends any borrower; the contracts' default is 0.5; docs/LAB.md \"The backstop borrows as a borrower may\")";
        absorb_on_credit = 0.0, "1: a whole position the book has no room for (or that a halt keeps from auction) is absorbed by the backstop on credit from the market when its base falls short (LiquidationParams.absorb_on_credit; off by default: it spends the credit that covers bad debt, docs/LAB.md)";
        hold = 600.0, "seconds a sale the size of the collateral's cap holds its auction curves (AuctionParams.hold; a smaller sale holds them in proportion, at most this far ahead; 600 by default in the lab since the ninth session, `--disable holds` for 0: every curve falls on its clock; docs/LAB.md \"Sales hold the curves\")";
        hold_tolerance = 0.1, "how far below a held auction price the oracle may stand while the hold lasts and the market is not falling, its median at or above its TWAP (AuctionParams.hold_tolerance; 0.1 by default in the lab since the ninth session)";
        slide_after = 3600.0, "seconds the oracle's median must have stood fall_band under its TWAP at every update before the fall counts as a slide: the curves follow the oracle and the depth-derived cap is slide_room times larger (AuctionParams.slide; twice the TWAP window by default since the tenth session, 0 or `--disable slide` for off; docs/LAB.md \"A fall that outlasts a wick\")";
        fall_band = 0.06, "how far under its TWAP the oracle's median must stand for an update to count as falling, 1 - median/TWAP: with the 30-minute TWAP, a fall of about 24% an hour (OracleParams.fall_band; the slide's clock)";
        pace_window = 600.0, "seconds per cap's worth of sales to bidders (AuctionParams.pace_sales: what bidders paid counts against the cap and drains from it over this window; 600 by default since the eleventh session, 0 or `--disable paced_sales` for off; docs/LAB.md \"Sales paced by the cap\")";
        slide_lows = 1800.0, "seconds after the start of the oracle's streak under its TWAP at which a new low of the median makes the fall a slide sooner than slide_after: a wick stops making lows when it stops falling, a fall that goes on does not (AuctionParams.slide.lows; one TWAP window by default since the thirteenth session, 0 or `--disable slide_lows` for off; docs/LAB.md \"A fall still making new lows\")";
        slide_room = 3.0, "multiplier of the depth-derived cap while a slide lasts (AuctionParams.slide.room)";
        deep_room = 10.0, "multiplier of the depth-derived cap while the book holds in a fall, which makes the fall a slide at once: the measured depth's share of the ceiling at least what the median kept of the price the fall began from (AuctionParams.slide.deep; 10, the contracts' most, by default since the fourteenth session, `--disable slide_deep` for off; docs/LAB.md \"A fall through a book that holds\")";
        follow_oracle = 0.0, "1: the auction curve falls from the current oracle price (AuctionParams.follow_oracle; off by default: it sells into the empty book of a flash crash, docs/LAB.md)";
    }
}

/// Liquidation threshold of the lab's collateral.
pub const LT: f64 = 0.80;
/// Loan-to-value of the lab's collateral.
pub const MAX_LTV: f64 = 0.75;
/// Liquidation penalty: a fixed 10% spread for the naive engine, `breakwater.penalty` for
/// Breakwater.
pub fn penalty(config: &RunConfig) -> f64 {
    match config.engine {
        EngineKind::Naive => 0.10,
        _ => bw(config).penalty,
    }
}

/// Breakwater's parameters with the run's overrides (defaults on a bad override, which the
/// command line has already refused).
pub fn bw(config: &RunConfig) -> BreakwaterParams {
    BreakwaterParams::with_overrides(&config.overrides).unwrap_or_default()
}
/// Sales at auction below this fraction of the oracle price count as "below the floor" for
/// both engines (Breakwater's floor is `1 − max_discount = 0.8`).
pub const FLOOR_REFERENCE: f64 = 0.8;
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
        (bw(config).feeders.round() as usize).max(1)
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
    let b = bw(config);
    let secs = |x: f64| x.max(0.0).round() as u64;
    let collaterals: Vec<(CollateralParams, Decimal)> = assets
        .iter()
        .map(|(denom, p0, depth_per_pct)| {
            (
                CollateralParams {
                    denom: denom.clone(),
                    max_ltv: to_dec(MAX_LTV),
                    liquidation_threshold: to_dec(LT),
                    liquidation_penalty: to_dec(penalty(config)),
                    supply_cap: Uint128::new(10u128.pow(30)),
                    depth: Uint128::new(depth_per_pct.max(1.0) as u128),
                    // Issue 14: the bonus grows as health falls, capped by the penalty.
                    dynamic_bonus: (!off(config, "dynamic_bonus"))
                        .then(|| DynamicBonus::recommended(to_dec(penalty(config)))),
                },
                to_dec(*p0),
            )
        })
        .collect();
    let single_feeder = off(config, "median_oracle");
    let oracle = OracleParams {
        max_age: 600,
        min_feeders: if single_feeder {
            1
        } else {
            b.quorum.round().max(1.0) as u32
        },
        max_deviation: if single_feeder {
            dec("1")
        } else {
            to_dec(b.outlier)
        },
        twap_window: secs(b.twap_window),
        twap_capacity: 60,
        breaker_move: if off(config, "breaker") {
            dec("10")
        } else {
            to_dec(b.breaker_move)
        },
        cooldown: if off(config, "breaker") {
            0
        } else {
            secs(b.breaker_cooldown)
        },
        // The band dates the slide's clock and what bidders wait out (`fall_wait`).
        fall_band: if off(config, "slide") && off(config, "fall_wait") {
            Decimal::zero()
        } else {
            to_dec(b.fall_band.clamp(0.0, 0.99))
        },
        // A fall through a book that holds does not halt (`--disable breaker_book` halts it).
        breaker_book: !off(config, "breaker") && !off(config, "breaker_book"),
    };
    let huge = Uint128::new(10u128.pow(30));
    // Issue-14 rules of the market's liquidation parameters: on for Breakwater unless
    // disabled, off for the naive engine.
    let defaults = default_liquidation_params();
    let issue14 = LiquidationParams {
        risk_share: if off(config, "risk_share") {
            None
        } else {
            defaults.risk_share.clone()
        },
        wick: if off(config, "wick") {
            None
        } else {
            defaults.wick.clone().map(|w| WickParams {
                fade: !off(config, "wick_fade"),
                ..w
            })
        },
        when_throttled: if off(config, "transfer") {
            WhenThrottled::Wait
        } else {
            WhenThrottled::Transfer
        },
        redistribution: if off(config, "redistribution") {
            None
        } else {
            Some(RedistributionParams {
                min_recipient_health: to_dec(b.min_recipient_health),
                shortfalls: b.redistribute_shortfalls >= 0.5,
                backstop_first: !off(config, "backstop_first"),
                ..RedistributionParams::default()
            })
        },
        backstop_credit: if off(config, "backstop_credit") {
            None
        } else {
            Some(to_dec(b.backstop_credit))
        },
        absorb_on_credit: config.engine != EngineKind::Naive && b.absorb_on_credit >= 0.5,
        pace_hard_floor: !off(config, "hard_floor_pacing"),
        ..defaults
    };
    let liquidation = if naive || off(config, "partial") {
        LiquidationParams {
            // Everything is "dust": every liquidation closes the whole position.
            min_debt: huge,
            min_collateral_value: huge,
            hard_floor_health_factor: dec("0.000001"),
            ..issue14
        }
    } else {
        LiquidationParams {
            target_health_factor: to_dec(b.target_hf),
            hard_floor_health_factor: to_dec(b.hard_floor),
            min_debt: Uint128::new((b.min_debt * 1e6) as u128),
            min_collateral_value: Uint128::new((b.min_debt * 1e6) as u128),
            ..issue14
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
            // The naive engine keeps Maker's curve from the start price.
            follow_oracle: false,
            hold: 0,
            hold_tolerance: Decimal::zero(),
            hold_room: false,
            slide: None,
            pace_sales: None,
            wait_falls: None,
        }
    } else {
        let breakwater = AuctionParams {
            buf: to_dec(b.buf),
            curve: PriceCurve::StairStep {
                step: secs(b.step).max(1),
                cut: to_dec(b.cut),
            },
            tail: secs(b.tail),
            cusp: to_dec(b.cusp),
            max_discount: to_dec(b.max_discount),
            dust: Uint128::new(1_000_000),
            hole: if off(config, "throttle") {
                Some(huge)
            } else {
                None
            },
            follow_oracle: b.follow_oracle >= 0.5,
            hold: if off(config, "holds") {
                0
            } else {
                secs(b.hold)
            },
            hold_tolerance: if b.hold_tolerance > 0.0 && !off(config, "holds") {
                to_dec(b.hold_tolerance)
            } else {
                Decimal::zero()
            },
            hold_room: !off(config, "holds") && !off(config, "held_room"),
            slide: (b.slide_after > 0.0 && !off(config, "slide")).then(|| Slide {
                after: secs(b.slide_after).max(60),
                room: to_dec(b.slide_room.clamp(1.0, 10.0)),
                lows: (b.slide_lows > 0.0 && !off(config, "slide_lows"))
                    .then(|| secs(b.slide_lows).clamp(60, secs(b.slide_after).max(60))),
                deep: (!off(config, "slide_deep")).then(|| to_dec(b.deep_room.clamp(1.0, 10.0))),
                ahead: !off(config, "slide_ahead"),
            }),
            pace_sales: (b.pace_window > 0.0 && !off(config, "paced_sales"))
                .then(|| secs(b.pace_window).clamp(60, 86_400)),
            // The band of the oracle's streak (`fall_band`): a fall by the slide's measure.
            wait_falls: (!off(config, "fall_wait") && b.fall_band > 0.0)
                .then(|| to_dec(b.fall_band.clamp(0.001, 0.99))),
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
        .impact_budget_pct(to_dec(b.throttle_pct.clamp(0.01, 50.0)))
        .backstop_params(BackstopParams {
            resale_interval: secs(b.resale_interval),
            resale_fraction: to_dec(b.resale_fraction),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::default_config;

    fn plan(engine: EngineKind, disabled: &[&str]) -> breakwater_types::deploy::DeployPlan {
        plan_of(&RunConfig {
            disabled: disabled.iter().map(|d| d.to_string()).collect(),
            ..default_config(engine)
        })
    }

    /// Breakwater's plan with `overrides` set (`--set NAME=VALUE`).
    fn plan_set(overrides: &[(&str, f64)]) -> breakwater_types::deploy::DeployPlan {
        plan_of(&RunConfig {
            overrides: overrides.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            ..default_config(EngineKind::Breakwater)
        })
    }

    fn plan_of(config: &RunConfig) -> breakwater_types::deploy::DeployPlan {
        builder_for(config, &[("ucol".to_string(), 10.0, 1e9)])
            .plan()
            .clone()
    }

    #[test]
    fn issue_14_switches_map_to_their_contract_parameters() {
        let on = plan(EngineKind::Breakwater, &[]);
        assert!(on.liquidation.risk_share.is_some());
        let off = plan(EngineKind::Breakwater, &["risk_share"]);
        assert_eq!(off.liquidation.risk_share, None);
        // Only that parameter moves.
        assert_eq!(
            LiquidationParams {
                risk_share: None,
                ..on.liquidation.clone()
            },
            off.liquidation
        );
        assert_eq!(off.collaterals, on.collaterals);

        assert!(on.liquidation.wick.is_some());
        let off = plan(EngineKind::Breakwater, &["wick"]);
        assert_eq!(
            LiquidationParams {
                wick: None,
                ..on.liquidation.clone()
            },
            off.liquidation
        );

        assert!(on.liquidation.redistribution.is_some());
        let off = plan(EngineKind::Breakwater, &["redistribution"]);
        assert_eq!(
            LiquidationParams {
                redistribution: None,
                ..on.liquidation.clone()
            },
            off.liquidation
        );

        // The market's defaults, unless set.
        assert_eq!(
            on.liquidation.redistribution,
            Some(RedistributionParams::default())
        );
        let set = plan_set(&[
            ("breakwater.redistribute_shortfalls", 0.0),
            ("breakwater.min_recipient_health", 0.9),
        ]);
        assert_eq!(
            set.liquidation.redistribution,
            Some(RedistributionParams {
                shortfalls: false,
                min_recipient_health: Decimal::percent(90),
                ..RedistributionParams::default()
            })
        );
        let off = plan(EngineKind::Breakwater, &["backstop_first"]);
        assert_eq!(
            off.liquidation.redistribution,
            Some(RedistributionParams {
                backstop_first: false,
                ..RedistributionParams::default()
            })
        );

        // The backstop's credit at the book's max LTV (the contracts' default is half).
        assert_eq!(on.liquidation.backstop_credit, Some(to_dec(MAX_LTV)));
        assert_eq!(
            LiquidationParams::default().backstop_credit,
            Some(Decimal::percent(50))
        );
        let off = plan(EngineKind::Breakwater, &["backstop_credit"]);
        assert_eq!(
            LiquidationParams {
                backstop_credit: None,
                ..on.liquidation.clone()
            },
            off.liquidation
        );

        // Absorbing on credit: off unless set.
        assert!(!on.liquidation.absorb_on_credit);
        let set = plan_set(&[("breakwater.absorb_on_credit", 1.0)]);
        assert_eq!(
            LiquidationParams {
                absorb_on_credit: true,
                ..on.liquidation.clone()
            },
            set.liquidation
        );

        assert_eq!(on.liquidation.wick, Some(WickParams::default()));
        assert!(WickParams::default().fade);
        let off = plan(EngineKind::Breakwater, &["wick_fade"]);
        assert_eq!(
            LiquidationParams {
                wick: Some(WickParams {
                    fade: false,
                    ..WickParams::default()
                }),
                ..on.liquidation.clone()
            },
            off.liquidation
        );

        // The room paces the hard floor unless disabled.
        assert!(on.liquidation.pace_hard_floor);
        let off = plan(EngineKind::Breakwater, &["hard_floor_pacing"]);
        assert_eq!(
            LiquidationParams {
                pace_hard_floor: false,
                ..on.liquidation.clone()
            },
            off.liquidation
        );

        // Sales hold the curves by default (600 s, tolerance 10%); `--disable holds` turns
        // both off, `--set` moves them.
        let auction = &on.collaterals[0].auction;
        assert_eq!(
            (auction.hold, auction.hold_tolerance),
            (600, Decimal::percent(10))
        );
        let off = plan(EngineKind::Breakwater, &["holds"]);
        assert_eq!(
            AuctionParams {
                hold: 0,
                hold_tolerance: Decimal::zero(),
                hold_room: false,
                ..auction.clone()
            },
            off.collaterals[0].auction
        );
        off.collaterals[0].auction.validate().unwrap();
        // Sales paced by the cap, a cap per 600 s: `--disable paced_sales`, `--set` moves it.
        assert_eq!(auction.pace_sales, Some(600));
        let unpaced = plan(EngineKind::Breakwater, &["paced_sales"]);
        assert_eq!(
            AuctionParams {
                pace_sales: None,
                ..auction.clone()
            },
            unpaced.collaterals[0].auction
        );
        let slower = plan_set(&[("breakwater.pace_window", 1_800.0)]);
        assert_eq!(slower.collaterals[0].auction.pace_sales, Some(1_800));
        assert_eq!(
            plan(EngineKind::Naive, &[]).collaterals[0]
                .auction
                .pace_sales,
            None
        );
        assert_eq!(off.liquidation, on.liquidation);
        // The room rule alone: `--disable held_room`.
        assert!(auction.hold_room);
        let free = plan(EngineKind::Breakwater, &["held_room"]);
        assert_eq!(
            AuctionParams {
                hold_room: false,
                ..auction.clone()
            },
            free.collaterals[0].auction
        );
        let held = plan_set(&[
            ("breakwater.hold", 240.0),
            ("breakwater.hold_tolerance", 0.05),
        ]);
        assert_eq!(
            AuctionParams {
                hold: 240,
                hold_tolerance: Decimal::percent(5),
                ..auction.clone()
            },
            held.collaterals[0].auction
        );

        // A fall that outlasts a wick is a slide by default (an hour of updates each 6% under
        // the TWAP, a cap three times larger), as is one through a book that holds; `--disable
        // slide` waits it out, `--set` moves it.
        assert_eq!(
            auction.slide,
            Some(Slide {
                after: 3_600,
                room: Decimal::percent(300),
                lows: Some(1_800),
                deep: Some(Decimal::percent(1_000)),
                ahead: true,
            })
        );
        // While the book holds its curves price ahead of the oracle by the fall: `--disable
        // slide_ahead` prices them from the median.
        let no_ahead = plan(EngineKind::Breakwater, &["slide_ahead"]);
        assert_eq!(
            no_ahead.collaterals[0].auction.slide,
            Some(Slide {
                ahead: false,
                ..auction.slide.clone().unwrap()
            })
        );
        // A fall still making new lows one TWAP window after its streak began slides then:
        // `--disable slide_lows` leaves only the hour (and the book).
        let no_lows = plan(EngineKind::Breakwater, &["slide_lows"]);
        assert_eq!(
            no_lows.collaterals[0].auction.slide,
            Some(Slide {
                after: 3_600,
                room: Decimal::percent(300),
                lows: None,
                deep: Some(Decimal::percent(1_000)),
                ahead: true,
            })
        );
        // A fall through a book that holds slides at once: `--disable slide_deep` waits it out.
        let no_deep = plan(EngineKind::Breakwater, &["slide_deep"]);
        assert_eq!(
            no_deep.collaterals[0].auction.slide,
            Some(Slide {
                after: 3_600,
                room: Decimal::percent(300),
                lows: Some(1_800),
                deep: None,
                ahead: true,
            })
        );
        assert_eq!(on.oracle.fall_band, Decimal::percent(6));
        // The breaker reads the book: `--disable breaker_book` halts every jump.
        assert!(on.oracle.breaker_book);
        assert!(
            !plan(EngineKind::Breakwater, &["breaker_book"])
                .oracle
                .breaker_book
        );
        assert!(!plan(EngineKind::Naive, &[]).oracle.breaker_book);
        let no_slide = plan(EngineKind::Breakwater, &["slide"]);
        assert_eq!(
            AuctionParams {
                slide: None,
                ..auction.clone()
            },
            no_slide.collaterals[0].auction
        );
        // The band still dates the falls bidders wait out; with both off it is 0.
        assert_eq!(no_slide.oracle.fall_band, Decimal::percent(6));
        let neither = plan(EngineKind::Breakwater, &["slide", "fall_wait"]);
        assert_eq!(neither.oracle.fall_band, Decimal::zero());
        // Bidders wait out a fall: `--disable fall_wait`.
        assert_eq!(auction.wait_falls, Some(Decimal::percent(6)));
        let bidding = plan(EngineKind::Breakwater, &["fall_wait"]);
        assert_eq!(
            AuctionParams {
                wait_falls: None,
                ..auction.clone()
            },
            bidding.collaterals[0].auction
        );
        assert_eq!(bidding.oracle, on.oracle);
        assert_eq!(
            plan(EngineKind::Naive, &[]).collaterals[0]
                .auction
                .wait_falls,
            None
        );
        let sooner = plan_set(&[("breakwater.slide_after", 1_800.0)]);
        assert_eq!(
            sooner.collaterals[0]
                .auction
                .slide
                .as_ref()
                .map(|s| s.after),
            Some(1_800)
        );
        assert_eq!(
            plan(EngineKind::Naive, &[]).collaterals[0].auction.slide,
            None
        );

        // The auction curve follows the oracle only when asked (`breakwater.follow_oracle=1`).
        assert!(!on.collaterals[0].auction.follow_oracle);
        let follow = plan_set(&[("breakwater.follow_oracle", 1.0)]);
        assert!(follow.collaterals[0].auction.follow_oracle);
        assert_eq!(follow.liquidation, on.liquidation);

        assert_eq!(on.liquidation.when_throttled, WhenThrottled::Transfer);
        let off = plan(EngineKind::Breakwater, &["transfer"]);
        assert_eq!(
            LiquidationParams {
                when_throttled: WhenThrottled::Wait,
                ..on.liquidation.clone()
            },
            off.liquidation
        );

        let bonus = |p: &breakwater_types::deploy::DeployPlan| {
            p.collaterals[0].params.dynamic_bonus.clone()
        };
        assert_eq!(
            bonus(&on),
            Some(DynamicBonus::recommended(
                on.collaterals[0].params.liquidation_penalty
            ))
        );
        let off = plan(EngineKind::Breakwater, &["dynamic_bonus"]);
        assert_eq!(bonus(&off), None);
        assert_eq!(off.liquidation, on.liquidation);

        // The naive engine has none of them.
        let naive = plan(EngineKind::Naive, &[]);
        assert_eq!(naive.liquidation.risk_share, None);
        assert_eq!(naive.liquidation.wick, None);
        assert_eq!(naive.liquidation.when_throttled, WhenThrottled::Wait);
        assert_eq!(naive.liquidation.backstop_credit, None);
        assert!(!naive.liquidation.pace_hard_floor);
        assert!(!naive.collaterals[0].auction.follow_oracle);
        assert_eq!(bonus(&naive), None);
    }
}
