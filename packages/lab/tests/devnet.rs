//! The lab on the local wasmd devnet, through [`Wasmd`]: a tiny run (8 accounts, a 90-second
//! crash, both engines) completes in real time with sane results.
//!
//! Needs the devnet and the optimized wasm:
//! ```text
//! scripts/build-wasm.sh                                        # artifacts/ (once)
//! cargo run -p breakwater-keeper --bin keeper -- devnet up
//! cargo test -p breakwater-lab --test devnet -- --ignored --nocapture   # ~3 minutes
//! ```
use breakwater_chain::deploy::Deployment;
use breakwater_lab::chain::Chain;
use breakwater_lab::model::{EngineKind, RunConfig, RunTrace};
use breakwater_lab::run::{self, ChainSpec};
use breakwater_lab::wasmd::{self, Wasmd, WasmdOptions};
use breakwater_lab::{default_config, metrics, scenario};
use breakwater_types::liquidator::PriceCurve;

/// A 90-second crash: flat for 20 s, -25% by 60 s on thinning depth, a small rebound.
const CRASH: &str = "\
# name: devnet-tiny
time_s,price,depth_mult,venue_price
0,10,1,
20,10,1,
60,7.5,0.4,
90,7.7,0.6,
";

fn config(engine: EngineKind) -> RunConfig {
    RunConfig {
        accounts: 8,
        ..wasmd::local_config(default_config(engine))
    }
}

fn run_on_devnet(engine: EngineKind) -> RunTrace {
    let s = scenario::parse(CRASH, "devnet-tiny").unwrap();
    let opts = WasmdOptions::default();
    let mut make = |cfg: &RunConfig, spec: ChainSpec| -> anyhow::Result<Box<dyn Chain>> {
        Ok(Box::new(Wasmd::connect(&opts, cfg, spec)?))
    };
    let started = std::time::Instant::now();
    let trace = run::run_scenario_on(&s, &config(engine), &mut make, &mut |_, _| {})
        .unwrap_or_else(|e| panic!("{} on the devnet: {e:#}", engine.name()));
    println!(
        "{}: {} steps in {:.1?}",
        engine.name(),
        trace.steps.len(),
        started.elapsed()
    );
    trace
}

#[test]
#[ignore = "needs the devnet (keeper devnet up) and artifacts/ (scripts/build-wasm.sh)"]
fn a_tiny_crash_runs_on_the_devnet_with_sane_results() {
    wasmd::check(&WasmdOptions::default()).unwrap();
    let s = scenario::parse(CRASH, "devnet-tiny").unwrap();
    for engine in [EngineKind::Naive, EngineKind::Breakwater] {
        let trace = run_on_devnet(engine);
        let m = metrics::compute(&trace);
        println!("{}: {m:?}", engine.name());

        // Every step ran, on the same book the embedded chain builds.
        let cfg = config(engine);
        assert_eq!(trace.steps.len() as u64, s.duration() / cfg.step + 1);
        let embedded = run::run_scenario(&s, &cfg, &mut |_, _| {}).unwrap();
        assert_eq!(trace.initial_debt, embedded.initial_debt);
        assert!(trace.initial_debt > 0.0);

        // Sane numbers: finite, non-negative, debt only goes down (interest aside).
        let first = &trace.steps[0];
        let last = trace.steps.last().unwrap();
        assert!((first.total_debt - trace.initial_debt).abs() < trace.initial_debt * 1e-3);
        assert!(last.total_debt <= first.total_debt * 1.001, "{last:?}");
        for st in &trace.steps {
            for v in [
                st.oracle,
                st.realized,
                st.liquidated_debt,
                st.sold_value,
                st.covered_bad_debt,
                st.uncovered_bad_debt,
                st.backstop_value,
                st.total_debt,
            ] {
                assert!(v.is_finite() && v >= 0.0, "{st:?}");
            }
        }
        // The oracle followed the path (one step late) down the crash.
        assert!(
            trace
                .steps
                .iter()
                .map(|s| s.oracle)
                .fold(f64::INFINITY, f64::min)
                < 8.0,
            "the oracle never saw the crash"
        );
        // A -25% crash liquidates part of a book opened at HF 1.08-3.
        assert!(m.liquidated_debt > 0.0, "{m:?}");
        assert!(m.uncovered_bad_debt >= 0.0 && m.uncovered_bad_debt_pct <= 100.0);
        if engine == EngineKind::Breakwater {
            assert_eq!(m.below_floor_value, 0.0, "breakwater sold below its floor");
            assert!(last.backstop_value > 0.0);
        } else {
            assert_eq!(last.backstop_value, 0.0, "the naive engine has no backstop");
        }

        // The run's own deployment, with the plan's clocks compressed for real time.
        let file = WasmdOptions::default()
            .devnet
            .home
            .join(format!("lab-deployment-{}.json", engine.name()));
        let d = Deployment::load(&file).unwrap();
        let curve = &d.plan.collaterals[0].auction.curve;
        match engine {
            EngineKind::Naive => assert_eq!(*curve, PriceCurve::Linear { duration: 60 }),
            _ => assert!(
                matches!(curve, PriceCurve::StairStep { step: 6, .. }),
                "{curve:?}"
            ),
        }
        assert_eq!(d.plan.backstop.resale_interval, 60);
    }
}
