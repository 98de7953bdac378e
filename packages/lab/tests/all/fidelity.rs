//! Fidelity to history: on its own protocol's historical path each peer engine shows the
//! direction and order of magnitude history recorded (`design/peers.md` §7). Small books, so
//! they run in `make test`; docs/LAB.md gives the figures at 10,000 accounts with the command.
use breakwater_lab::model::{EngineKind, RunConfig, RunTrace};
use breakwater_lab::{default_config, engines, metrics, run, scenario};

const ACCOUNTS: usize = 300;

fn run(name: &str, engine: EngineKind, settings: &[(&str, f64)]) -> RunTrace {
    let s = scenario::load(name).unwrap();
    let config = RunConfig {
        accounts: ACCOUNTS,
        ..default_config(engine)
    };
    let settings: Vec<(String, f64)> = settings.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    let config = engines::with_settings(config, &settings).unwrap();
    run::run_scenario(&s, &config, &mut |_, _| {}).unwrap()
}

/// Black Thursday's congested network (`design/scenarios.md`: few keepers, slow): two keepers
/// bid, and 90% of their transactions fail.
const CONGESTED: &[(&str, f64)] = &[("keepers.count", 2.0), ("keepers.fail_share", 0.9)];

/// Maker's English auctions (LIQ 1.2) on Black Thursday with congested keepers: lots go for
/// nearly nothing and the auctions fall short of the debt (history: 36% of liquidations won
/// with zero bids, a 5.67M DAI shortfall). Liquidations 2.0 on the same path and keepers sells
/// at the curve's price, far less below the market, with a far smaller shortfall.
#[test]
fn english_auctions_sell_for_nothing_under_congestion_and_dutch_ones_do_not() {
    let flip = run("black-thursday", EngineKind::MakerFlip, CONGESTED);
    let clip = run("black-thursday", EngineKind::Maker, CONGESTED);
    let (mf, mc) = (metrics::compute(&flip), metrics::compute(&clip));
    let below = |t: &RunTrace| t.steps.iter().map(|s| s.below_floor_value).sum::<f64>();
    let shortfall = |m: &breakwater_lab::model::Metrics| m.covered_bad_debt + m.uncovered_bad_debt;
    assert!(
        below(&flip) > 0.2 * mf.liquidated_debt,
        "flip: {} sold far below the market of {} liquidated",
        below(&flip),
        mf.liquidated_debt
    );
    assert!(
        shortfall(&mf) > 0.05 * mf.liquidated_debt,
        "flip shortfall {} of {} liquidated",
        shortfall(&mf),
        mf.liquidated_debt
    );
    assert!(
        below(&clip) * 5.0 < below(&flip),
        "clip {} vs flip {}",
        below(&clip),
        below(&flip)
    );
    assert!(
        shortfall(&mc) * 5.0 < shortfall(&mf),
        "clip {mc:?} vs flip {mf:?}"
    );
}

/// Aave on the toxic whale: the whale is liquidated again and again in partial steps against
/// thin depth, and bad debt is left (history: CRV, 385 liquidations over 50 minutes, about
/// $1.6M of bad debt).
#[test]
fn aave_leaves_bad_debt_after_repeated_partial_liquidations_of_the_whale() {
    let t = run("toxic-whale", EngineKind::Aave, &[]);
    let m = metrics::compute(&t);
    let whale = t.largest_account_liquidations.unwrap();
    assert!(whale >= 5, "the whale was liquidated {whale} times");
    assert!(m.uncovered_bad_debt_pct > 0.5, "{m:?}");
}

/// Compound on the oracle wick: its oracle reads the one venue that prints a dislocated
/// price, and accounts are liquidated en masse while the print lasts (history: 85.2M DAI
/// liquidated on Coinbase's $1.30 print). Aave, reading an aggregated feed, barely moves.
#[test]
fn compound_liquidates_en_masse_on_a_one_venue_print() {
    let t = run("oracle-wick", EngineKind::Compound, &[]);
    let m = metrics::compute(&t);
    let s = scenario::load("oracle-wick").unwrap();
    let during: f64 = t
        .steps
        .iter()
        .filter(|st| s.at(st.time).venue_price.is_some())
        .map(|st| st.liquidated_debt)
        .sum();
    assert!(m.liquidated_debt > 0.3 * t.initial_debt, "{m:?}");
    assert!(
        during > 0.8 * m.liquidated_debt,
        "{during} of {}",
        m.liquidated_debt
    );
    let aave = metrics::compute(&run("oracle-wick", EngineKind::Aave, &[]));
    assert!(aave.liquidated_debt * 5.0 < m.liquidated_debt, "{aave:?}");
}

/// Liquity on a crash of Black Thursday's size (its own May 2021 fall was -47%): the
/// stability pool absorbs the liquidations (it burns its BOLD for collateral that keeps
/// falling: the loss lands on its depositors), the protocol sells nothing, and no bad debt is
/// left while the pool lasts (history: 93.5M LUSD offset by the pool, no bad debt).
#[test]
fn liquity_losses_land_on_the_pool_and_no_bad_debt_is_left() {
    let t = run("black-thursday", EngineKind::Liquity, &[]);
    let m = metrics::compute(&t);
    assert!(
        m.backstop_drawdown_pct > 10.0,
        "the pool took the fall: {m:?}"
    );
    assert_eq!(m.uncovered_bad_debt, 0.0);
    assert!(
        t.steps.iter().all(|s| s.backstop_value > 0.0),
        "the pool lasted"
    );
    // Only the callers' gas compensation is sold.
    let sold: f64 = t.steps.iter().map(|s| s.sold_value).sum();
    assert!(sold < 0.02 * m.liquidated_debt, "sold {sold}");
}
