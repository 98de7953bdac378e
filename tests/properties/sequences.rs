//! The property test: random sequences keep every invariant.
use super::actions::{scenario, Scenario};
use super::stats;
use super::world::World;
use proptest::test_runner::{Config, FileFailurePersistence, TestRunner};

/// Cases per run unless `BREAKWATER_PROPTEST_CASES` says otherwise.
const DEFAULT_CASES: u32 = 24;

/// The number of cases: `BREAKWATER_PROPTEST_CASES` if set (a positive integer), else 24.
pub fn cases() -> u32 {
    match std::env::var("BREAKWATER_PROPTEST_CASES") {
        Ok(v) => v.trim().parse().unwrap_or_else(|_| {
            panic!("BREAKWATER_PROPTEST_CASES must be a positive integer, got {v:?}")
        }),
        Err(_) => DEFAULT_CASES,
    }
}

/// The runner's configuration: [`cases`] cases, failures persisted next to this file
/// (`sequences.proptest-regressions`) and replayed first on the next run, shrinking bounded
/// to 1,000 steps (`PROPTEST_MAX_SHRINK_ITERS` overrides; each step re-runs a shrinking case,
/// so a failure is reported within minutes).
pub fn config() -> Config {
    Config {
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        source_file: Some(file!()),
        max_shrink_iters: std::env::var("PROPTEST_MAX_SHRINK_ITERS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1_000),
        ..Config::with_cases(cases())
    }
}

/// Runs one case: builds the world, runs every action, checking the invariants after each.
pub fn run_case(s: &Scenario) {
    let mut w = World::new(&s.setup);
    w.stats.cases = 1;
    w.check_invariants();
    for (i, a) in s.actions.iter().enumerate() {
        w.run(i, a);
    }
    w.drain();
    w.stats.max_gap_steps = s.actions.len() as u64;
    stats::record(&w.stats);
}

#[test]
fn random_sequences_keep_every_invariant() {
    let started = std::time::Instant::now();
    let mut runner = TestRunner::new(config());
    let result = runner.run(&scenario(), |s| {
        run_case(&s);
        Ok(())
    });
    let totals = stats::take();
    println!(
        "property run: {} cases requested, {:.1} s\n{totals}",
        cases(),
        started.elapsed().as_secs_f64()
    );
    if let Err(e) = result {
        panic!("{e}");
    }
}
