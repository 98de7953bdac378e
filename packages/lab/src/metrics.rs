//! Metrics computed from a run's step trace (see `design/scenarios.md`, "Metrics every run
//! reports").
//!
//! Definitions (all from [`RunTrace::steps`]):
//! - **uncovered / covered bad debt**: the last step's cumulative values; the percentage is of
//!   [`RunTrace::initial_debt`] (0 when the initial debt is 0).
//! - **endogenous impact**: `dd(realized) − dd(exogenous)` in percentage points, where
//!   `dd(p) = max_t (p_0 − p_t) / p_0 · 100` is the largest fall of a price below its *starting*
//!   value (0 when the price never falls below its start).
//! - **liquidated debt**: `Σ liquidated_debt`; **peak step liquidation**: `max liquidated_debt`.
//! - **waves**: steps with `liquidated_debt > 0` are *active*. A wave is a maximal group of active
//!   steps in which consecutive active steps are fewer than [`WAVE_GAP_STEPS`] quiet steps apart;
//!   two waves are therefore separated by at least [`WAVE_GAP_STEPS`] quiet steps.
//! - **over-liquidation**: the last cumulative value; **below-floor value**: `Σ` of the per-step
//!   values.
//! - **backstop drawdown**: `max_t (peak_t − v_t) / v_0 · 100`, with `peak_t` the running maximum
//!   of the first-loss buffer's value, capped at 100 (exhausted: what it could not cover is
//!   uncovered bad debt); 0 when `v_0` is 0 (no buffer).
//! - **borrower loss**: the last step's cumulative value: for each account, the value at the
//!   external price of the collateral taken from it, minus the debt relieved, minus what came
//!   back (leftovers, surpluses), never below 0 per account (an underwater account defaults:
//!   that is bad debt, not a borrower loss); summed. It is the penalties paid plus collateral
//!   sold below the external price, in one number.
//! - **over-liquidation** (kept for comparison with the lab's earlier tables): debt force-closed
//!   beyond the least repayment that would have restored health 1 at that moment, given the
//!   engine's penalty — what partial liquidation saves borrowers; whole-position designs
//!   (Compound's absorb, Liquity, the naive engine) score high by construction.
//! - **loop gain** (realised): over the steps in which the engine had debt liquidatable or
//!   liquidation-driven sales, `G = Σ caused / Σ trigger`, where `caused` is the net fall of an
//!   asset's endogenous log offset over the step (the price move the liquidation sales caused,
//!   less what arbitrage recovered since the previous step; rises count 0) and `trigger` the
//!   fall of the engine's own oracle log price since the previous step (the move its
//!   liquidations react to, including the previous step's liquidation-driven fall), summed
//!   over assets. In a linear loop where each 1% of trigger causes `G`% of sales-driven fall,
//!   an exogenous fall `x` ends with an endogenous fall `x·G/(1 − G)`; a cascade feeds itself
//!   as `G → 1`. When the oracle tracks the market, `G` is the share of the fall during
//!   liquidation activity that the liquidations themselves caused.
//! - **liquidation wall** at the start ([`RunTrace::wall`]): its largest 1% slice (percent of
//!   initial debt) and where it starts, and the debt liquidatable within 10/20/30% falls.
//! - **contagion**, per asset: liquidations and bad debt booked on it, its endogenous impact,
//!   and the part of that impact caused by sales of it seized from accounts whose liquidation
//!   another asset's fall caused (cross impact: the impact times the other causes' share of
//!   the endogenous price offset at its deepest).
//! - **min health factor**: the smallest finite health factor (NaN and ±inf ignored);
//!   `f64::INFINITY` when no step has a finite one (no open account with debt).
use crate::model::{AssetMetrics, Metrics, RunTrace, StepRecord};

/// Quiet steps (no liquidation) that separate two liquidation waves.
pub const WAVE_GAP_STEPS: usize = 10;

/// Computes every metric of a run from its trace.
pub fn compute(trace: &RunTrace) -> Metrics {
    let steps = &trace.steps;
    let last = steps.last().copied().unwrap_or_default();

    let uncovered_bad_debt = finite_or_zero(last.uncovered_bad_debt);
    let uncovered_bad_debt_pct = if trace.initial_debt > 0.0 && trace.initial_debt.is_finite() {
        uncovered_bad_debt / trace.initial_debt * 100.0
    } else {
        0.0
    };

    let realized_dd = drawdown_from_start_pct(steps.iter().map(|s| s.realized));
    let exogenous_dd = drawdown_from_start_pct(steps.iter().map(|s| s.exogenous));
    let assets: Vec<AssetMetrics> = trace
        .assets
        .iter()
        .map(|a| {
            let dd = |f: fn(&crate::model::AssetStep) -> f64| {
                drawdown_from_start_pct(a.steps.iter().map(f))
            };
            AssetMetrics {
                name: a.name.clone(),
                liquidated_debt: a
                    .steps
                    .iter()
                    .map(|s| finite_or_zero(s.liquidated_debt))
                    .sum(),
                bad_debt: a.steps.iter().map(|s| finite_or_zero(s.bad_debt)).sum(),
                endogenous_impact_pct: dd(|s| s.realized) - dd(|s| s.exogenous),
                cross_impact_pct: cross_share(&a.steps)
                    * (dd(|s| s.realized) - dd(|s| s.exogenous)).max(0.0),
            }
        })
        .collect();
    // The worst asset's impact (the first's when the trace has no per-asset records).
    let endogenous_impact_pct = assets
        .iter()
        .map(|a| a.endogenous_impact_pct)
        .fold(realized_dd - exogenous_dd, f64::max);
    let pct = |x: f64| {
        if trace.initial_debt > 0.0 && trace.initial_debt.is_finite() {
            x / trace.initial_debt * 100.0
        } else {
            0.0
        }
    };
    let (wall_peak_at, wall_peak) =
        trace
            .wall
            .iter()
            .enumerate()
            .fold((0, 0.0), |m, (i, w)| if *w > m.1 { (i, *w) } else { m });
    let within = |x: usize| pct(trace.wall.iter().take(x).sum());

    Metrics {
        uncovered_bad_debt,
        uncovered_bad_debt_pct,
        covered_bad_debt: finite_or_zero(last.covered_bad_debt),
        endogenous_impact_pct,
        liquidated_debt: steps
            .iter()
            .map(|s| finite_or_zero(s.liquidated_debt))
            .sum(),
        peak_step_liquidation: max_finite(steps.iter().map(|s| s.liquidated_debt)).unwrap_or(0.0),
        waves: count_waves(steps, WAVE_GAP_STEPS),
        over_liquidation: finite_or_zero(last.over_liquidation),
        below_floor_value: steps
            .iter()
            .map(|s| finite_or_zero(s.below_floor_value))
            .sum(),
        backstop_drawdown_pct: backstop_drawdown_pct(steps.iter().map(|s| s.backstop_value))
            .min(100.0),
        borrower_loss: finite_or_zero(last.borrower_loss),
        borrower_loss_pct: pct(finite_or_zero(last.borrower_loss)),
        loop_gain: loop_gain(trace),
        wall_peak_pct: pct(wall_peak),
        wall_peak_at: wall_peak_at as f64,
        wall_within: [within(10), within(20), within(30)],
        min_health_factor: min_finite(steps.iter().map(|s| s.min_health_factor))
            .unwrap_or(f64::INFINITY),
        assets,
    }
}

/// The share of an asset's endogenous price offset caused by other assets' liquidations, at
/// the step where that offset is largest (0 when it never fell below the exogenous price).
pub fn cross_share(steps: &[crate::model::AssetStep]) -> f64 {
    let mut e = 0.0f64;
    let mut worst = (0.0f64, 0.0f64);
    for s in steps {
        e += s.caused_log;
        if e < worst.0 {
            worst = (e, s.cross_log);
        }
    }
    if worst.0 < 0.0 {
        (worst.1 / worst.0).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// The realised loop gain of a run (module docs): `Σ caused / Σ trigger` over the active steps
/// and every asset; 0 when nothing triggered.
pub fn loop_gain(trace: &RunTrace) -> f64 {
    let (mut caused, mut trigger) = (0.0, 0.0);
    for a in &trace.assets {
        for (n, s) in a.steps.iter().enumerate().skip(1) {
            let active = trace.steps[n].liquidatable_debt > 0.0 || s.sold_value > 0.0;
            if !active {
                continue;
            }
            let prev = a.steps[n - 1].oracle;
            if prev > 0.0 && s.oracle > 0.0 && prev.is_finite() && s.oracle.is_finite() {
                trigger += (prev / s.oracle).ln().max(0.0);
            }
            caused += (-s.caused_log).max(0.0);
        }
    }
    if trigger > 0.0 {
        caused / trigger
    } else {
        0.0
    }
}

/// Number of liquidation waves: groups of steps with `liquidated_debt > 0`, a new group starting
/// after at least `gap` consecutive quiet steps.
pub fn count_waves(steps: &[StepRecord], gap: usize) -> usize {
    let mut waves = 0;
    // Quiet steps since the last active step; `None` before the first active step.
    let mut quiet: Option<usize> = None;
    for step in steps {
        if step.liquidated_debt > 0.0 {
            match quiet {
                Some(q) if q < gap => {}
                _ => waves += 1,
            }
            quiet = Some(0);
        } else if let Some(q) = quiet.as_mut() {
            *q += 1;
        }
    }
    waves
}

/// Largest fall of a series below its first value, in percent of that value (0 if it never
/// falls below it, or if the first value is not a positive finite number).
pub fn drawdown_from_start_pct(values: impl IntoIterator<Item = f64>) -> f64 {
    let mut iter = values.into_iter();
    let Some(start) = iter.next() else {
        return 0.0;
    };
    if !(start.is_finite() && start > 0.0) {
        return 0.0;
    }
    let low = iter.filter(|v| v.is_finite()).fold(start, f64::min);
    ((start - low) / start * 100.0).max(0.0)
}

/// Largest drop of a series from its running peak, in percent of its *first* value
/// (0 when the first value is 0 or not finite).
pub fn backstop_drawdown_pct(values: impl IntoIterator<Item = f64>) -> f64 {
    let mut iter = values.into_iter();
    let Some(start) = iter.next() else {
        return 0.0;
    };
    if !(start.is_finite() && start > 0.0) {
        return 0.0;
    }
    let mut peak = start;
    let mut worst = 0.0f64;
    for v in iter.filter(|v| v.is_finite()) {
        peak = peak.max(v);
        worst = worst.max(peak - v);
    }
    worst / start * 100.0
}

fn finite_or_zero(x: f64) -> f64 {
    if x.is_finite() {
        x
    } else {
        0.0
    }
}

fn max_finite(values: impl IntoIterator<Item = f64>) -> Option<f64> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .reduce(f64::max)
}

fn min_finite(values: impl IntoIterator<Item = f64>) -> Option<f64> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .reduce(f64::min)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DepthKind, DepthParams, EngineKind, RunConfig};

    fn config() -> RunConfig {
        RunConfig {
            engine: EngineKind::Naive,
            accounts: 10,
            seed: 1,
            step: 60,
            depth: DepthParams {
                kind: DepthKind::LinearBook,
                depth_per_pct: 1_000.0,
                recovery_half_life: 600.0,
            },
            keepers: Default::default(),
            oracle_delay: 0,
            disabled: vec![],
            overrides: vec![],
        }
    }

    fn trace(steps: Vec<StepRecord>) -> RunTrace {
        RunTrace {
            scenario: "test".into(),
            config: config(),
            params: vec![],
            initial_debt: 1_000_000.0,
            wall: vec![],
            assets: vec![],
            largest_account_liquidations: None,
            steps,
        }
    }

    fn step(i: u64) -> StepRecord {
        StepRecord {
            time: i * 60,
            exogenous: 100.0,
            realized: 100.0,
            oracle: 100.0,
            min_health_factor: 1.5,
            ..Default::default()
        }
    }

    fn with_liquidations(pattern: &[f64]) -> Vec<StepRecord> {
        pattern
            .iter()
            .enumerate()
            .map(|(i, &l)| StepRecord {
                liquidated_debt: l,
                ..step(i as u64)
            })
            .collect()
    }

    #[test]
    fn empty_trace_gives_neutral_metrics() {
        let m = compute(&trace(vec![]));
        assert_eq!(m.uncovered_bad_debt, 0.0);
        assert_eq!(m.waves, 0);
        assert_eq!(m.endogenous_impact_pct, 0.0);
        assert_eq!(m.backstop_drawdown_pct, 0.0);
        assert_eq!(m.min_health_factor, f64::INFINITY);
    }

    #[test]
    fn bad_debt_uses_last_cumulative_values() {
        let mut steps = vec![step(0), step(1), step(2)];
        steps[1].uncovered_bad_debt = 10_000.0;
        steps[1].covered_bad_debt = 5_000.0;
        steps[2].uncovered_bad_debt = 25_000.0;
        steps[2].covered_bad_debt = 40_000.0;
        steps[2].over_liquidation = 7_000.0;
        let m = compute(&trace(steps));
        assert_eq!(m.uncovered_bad_debt, 25_000.0);
        assert!((m.uncovered_bad_debt_pct - 2.5).abs() < 1e-12);
        assert_eq!(m.covered_bad_debt, 40_000.0);
        assert_eq!(m.over_liquidation, 7_000.0);
    }

    #[test]
    fn zero_initial_debt_gives_zero_pct() {
        let mut steps = vec![step(0)];
        steps[0].uncovered_bad_debt = 5.0;
        let mut t = trace(steps);
        t.initial_debt = 0.0;
        assert_eq!(compute(&t).uncovered_bad_debt_pct, 0.0);
    }

    #[test]
    fn endogenous_impact_is_realized_minus_exogenous_drawdown() {
        // Exogenous: 100 -> 80 (20% drawdown). Realized: 100 -> 70 (30%), partial recovery.
        let exo = [100.0, 90.0, 80.0, 85.0];
        let real = [100.0, 85.0, 70.0, 80.0];
        let steps = (0..4)
            .map(|i| StepRecord {
                exogenous: exo[i],
                realized: real[i],
                ..step(i as u64)
            })
            .collect();
        let m = compute(&trace(steps));
        assert!(
            (m.endogenous_impact_pct - 10.0).abs() < 1e-9,
            "{}",
            m.endogenous_impact_pct
        );
    }

    #[test]
    fn drawdown_is_measured_from_the_start_not_the_peak() {
        // Rises 88% then falls to -6% below start: drawdown from start is 6%.
        assert!((drawdown_from_start_pct([100.0, 188.0, 94.0]) - 6.0).abs() < 1e-9);
        assert_eq!(drawdown_from_start_pct([100.0, 120.0]), 0.0);
        assert_eq!(drawdown_from_start_pct([0.0, 50.0]), 0.0);
        assert_eq!(drawdown_from_start_pct([100.0, f64::NAN, 50.0]), 50.0);
    }

    #[test]
    fn liquidation_sum_and_peak() {
        let m = compute(&trace(with_liquidations(&[0.0, 5.0, 20.0, 3.0, 0.0])));
        assert_eq!(m.liquidated_debt, 28.0);
        assert_eq!(m.peak_step_liquidation, 20.0);
    }

    #[test]
    fn waves_merge_across_short_gaps_and_split_on_long_ones() {
        let q = |n: usize| vec![0.0; n];
        // wave 1: active, 9 quiet, active (merged); 10 quiet; wave 2; 25 quiet; wave 3.
        let mut pattern = vec![0.0, 0.0, 1.0];
        pattern.extend(q(9));
        pattern.push(1.0);
        pattern.extend(q(10));
        pattern.extend([2.0, 2.0]);
        pattern.extend(q(25));
        pattern.push(3.0);
        pattern.extend(q(3));
        let steps = with_liquidations(&pattern);
        assert_eq!(count_waves(&steps, WAVE_GAP_STEPS), 3);
        assert_eq!(compute(&trace(steps)).waves, 3);
        assert_eq!(
            count_waves(&with_liquidations(&[0.0, 0.0]), WAVE_GAP_STEPS),
            0
        );
        assert_eq!(
            count_waves(&with_liquidations(&[1.0, 1.0, 1.0]), WAVE_GAP_STEPS),
            1
        );
    }

    #[test]
    fn below_floor_is_summed() {
        let mut steps = vec![step(0), step(1), step(2)];
        steps[0].below_floor_value = 1.0;
        steps[2].below_floor_value = 2.5;
        assert_eq!(compute(&trace(steps)).below_floor_value, 3.5);
    }

    #[test]
    fn backstop_drawdown_is_from_running_peak_in_pct_of_start() {
        // start 100, peak 120, trough 60: drop 60 = 60% of start.
        let v = [100.0, 120.0, 90.0, 60.0, 110.0, 100.0];
        assert!((backstop_drawdown_pct(v) - 60.0).abs() < 1e-9);
        let steps = v
            .iter()
            .enumerate()
            .map(|(i, &b)| StepRecord {
                backstop_value: b,
                ..step(i as u64)
            })
            .collect();
        assert!((compute(&trace(steps)).backstop_drawdown_pct - 60.0).abs() < 1e-9);
        // No backstop at all.
        assert_eq!(backstop_drawdown_pct([0.0, 0.0, 0.0]), 0.0);
        assert_eq!(backstop_drawdown_pct([100.0, 100.0]), 0.0);
    }

    #[test]
    fn health_factor_ignores_non_finite_values() {
        let hf = [1.3, f64::INFINITY, 0.82, f64::NAN, 1.1];
        let steps = (0..5)
            .map(|i| StepRecord {
                min_health_factor: hf[i],
                ..step(i as u64)
            })
            .collect();
        let m = compute(&trace(steps));
        assert_eq!(m.min_health_factor, 0.82);
    }

    /// A trace where the oracle falls 1%, then the sales it triggers push the price half as
    /// far, which the oracle sees next step, and so on: the loop gain is 1/2 by construction.
    #[test]
    fn the_loop_gain_of_a_halving_cascade_is_one_half() {
        use crate::model::{AssetStep, AssetTrace};
        let mut oracle = 100.0f64;
        let mut asset = vec![AssetStep {
            oracle,
            ..Default::default()
        }];
        let mut steps = vec![step(0)];
        let mut fall = 0.01f64;
        for i in 1..40u64 {
            oracle *= 1.0 - fall;
            let caused = (1.0 - fall / 2.0).ln();
            asset.push(AssetStep {
                oracle,
                caused_log: caused,
                sold_value: 1.0,
                ..Default::default()
            });
            steps.push(StepRecord {
                liquidatable_debt: 1.0,
                ..step(i)
            });
            fall /= 2.0;
        }
        // A quiet tail: the oracle keeps falling but nothing is liquidatable: not counted.
        for i in 40..50u64 {
            oracle *= 0.9;
            asset.push(AssetStep {
                oracle,
                ..Default::default()
            });
            steps.push(step(i));
        }
        let mut t = trace(steps);
        t.assets = vec![AssetTrace {
            name: "col".into(),
            steps: asset,
        }];
        let g = compute(&t).loop_gain;
        assert!((g - 0.5).abs() < 0.01, "{g}");
    }
}
