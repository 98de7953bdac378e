//! The lab's qualitative claims, checked on every shipped scenario at small N through the
//! real contracts: Breakwater leaves no more uncovered bad debt and less endogenous price
//! impact than the naive engine, and the same seed gives the same numbers.
use breakwater_lab::model::{EngineKind, Metrics, RunConfig};
use breakwater_lab::{default_config, metrics, run, scenario};

const ACCOUNTS: usize = 120;

fn config(engine: EngineKind) -> RunConfig {
    RunConfig {
        accounts: ACCOUNTS,
        // Two-minute steps keep the debug-build test fast; the shape of the result holds.
        step: 120,
        ..default_config(engine)
    }
}

fn run(name: &str, engine: EngineKind) -> Metrics {
    let s = scenario::load(name).unwrap();
    let trace = run::run_scenario(&s, &config(engine), &mut |_, _| {}).unwrap();
    metrics::compute(&trace)
}

#[test]
fn breakwater_beats_the_naive_engine_on_every_shipped_scenario() {
    for name in scenario::builtin_names() {
        let naive = run(name, EngineKind::Naive);
        let bw = run(name, EngineKind::Breakwater);
        assert!(
            bw.uncovered_bad_debt <= naive.uncovered_bad_debt,
            "{name}: uncovered bad debt breakwater {} > naive {}",
            bw.uncovered_bad_debt,
            naive.uncovered_bad_debt
        );
        assert!(
            bw.endogenous_impact_pct < naive.endogenous_impact_pct,
            "{name}: endogenous impact breakwater {} >= naive {}",
            bw.endogenous_impact_pct,
            naive.endogenous_impact_pct
        );
        assert_eq!(
            bw.below_floor_value, 0.0,
            "{name}: breakwater sold below its floor"
        );
    }
}

#[test]
fn the_naive_engine_cascades_into_bad_debt_on_black_thursday() {
    let naive = run("black-thursday", EngineKind::Naive);
    assert!(naive.uncovered_bad_debt_pct > 5.0, "{naive:?}");
    assert!(naive.endogenous_impact_pct > 10.0, "{naive:?}");
}

#[test]
fn the_same_seed_gives_the_same_numbers() {
    let s = scenario::load("toxic-whale").unwrap();
    let a = run::run_scenario(&s, &config(EngineKind::Breakwater), &mut |_, _| {}).unwrap();
    let b = run::run_scenario(&s, &config(EngineKind::Breakwater), &mut |_, _| {}).unwrap();
    assert_eq!(a, b);
    let mut other = config(EngineKind::Breakwater);
    other.seed += 1;
    let c = run::run_scenario(&s, &other, &mut |_, _| {}).unwrap();
    assert_ne!(a.initial_debt, c.initial_debt);
}

#[test]
fn measured_depth_slows_sales_while_the_book_empties() {
    // depth-evaporation: the depth feeders report falls to a few percent in the 12-minute
    // window; the liquidator's room follows it, so Breakwater sells less into the empty book
    // than with the owner-set depth alone.
    let s = scenario::load("depth-evaporation").unwrap();
    let on = metrics::compute(
        &run::run_scenario(&s, &config(EngineKind::Breakwater), &mut |_, _| {}).unwrap(),
    );
    let off_config = RunConfig {
        disabled: vec!["depth_measured".into()],
        ..config(EngineKind::Breakwater)
    };
    let off = metrics::compute(&run::run_scenario(&s, &off_config, &mut |_, _| {}).unwrap());
    assert!(
        on.endogenous_impact_pct < off.endogenous_impact_pct,
        "impact with measured depth {} >= without {}",
        on.endogenous_impact_pct,
        off.endogenous_impact_pct
    );
    assert!(
        on.uncovered_bad_debt <= off.uncovered_bad_debt,
        "uncovered with measured depth {} > without {}",
        on.uncovered_bad_debt,
        off.uncovered_bad_debt
    );
}
