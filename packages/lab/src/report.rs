//! Terminal tables and machine-readable outputs (JSON, CSV) of lab runs.
use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use serde_json::json;

use crate::metrics::WAVE_GAP_STEPS;
use crate::model::{EngineKind, Metrics, RunTrace, StepRecord};

/// Width of the metric-name column.
const LABEL_WIDTH: usize = 18;
/// Separator before each scenario's column group.
const SEP: &str = " |";
/// Width of one value cell, including its leading space.
const CELL_WIDTH: usize = 10;
/// Tables are split into blocks no wider than this.
const MAX_WIDTH: usize = 120;

/// Formats a base-unit amount with a K/M/B/T suffix and three significant digits
/// (`1234567.0` → `"1.23M"`, `950.0` → `"950"`, `0.0` → `"0"`).
pub fn fmt_amount(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    let sign = if x < 0.0 { "-" } else { "" };
    let a = x.abs();
    if a < 0.5 {
        return if a == 0.0 {
            "0".into()
        } else {
            format!("{x:.2}")
        };
    }
    const UNITS: [(f64, &str); 4] = [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")];
    for (scale, suffix) in UNITS {
        // Round first so 999_999 prints as "1.00M", not "1000K".
        if round_sig(a, 3) >= scale {
            return format!("{sign}{}{suffix}", three_sig(a / scale));
        }
    }
    format!("{sign}{a:.0}")
}

/// Formats an amount of base units (6 decimals) in dollars (`1.23e12` → `"$1.23M"`).
pub fn fmt_usd(base_units: f64) -> String {
    if !base_units.is_finite() {
        return "n/a".into();
    }
    let d = fmt_amount(base_units / 1e6);
    match d.strip_prefix('-') {
        Some(rest) => format!("-${rest}"),
        None => format!("${d}"),
    }
}

/// Formats a percentage (`4.5` → `"4.5%"`, `0.123` → `"0.12%"`, `250.0` → `"250%"`).
pub fn fmt_pct(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    format!("{}%", fmt_plain(x))
}

/// Formats a difference in percentage points, with its sign (`12.3` → `"+12.3 pp"`).
pub fn fmt_pp(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    if x.abs() < 0.005 {
        return "0 pp".into();
    }
    let sign = if x > 0.0 { "+" } else { "-" };
    format!("{sign}{} pp", fmt_plain(x.abs()))
}

/// Formats a dimensionless ratio (spiral index): two decimals below 10, then three significant
/// digits (`1.46`, `54.0`, `266`, `27.4B`); `n/a` when not finite.
pub fn fmt_ratio(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    let a = x.abs();
    if a >= 999.5 {
        fmt_amount(x)
    } else if a >= 99.95 {
        format!("{x:.0}")
    } else if a >= 9.995 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

/// Formats a health factor with three decimals; `-` when there was no open account with debt
/// (non-finite or absurdly large values).
pub fn fmt_hf(x: f64) -> String {
    if !x.is_finite() || x.abs() >= 1e9 {
        return "-".into();
    }
    if x.abs() >= 1000.0 {
        return fmt_amount(x);
    }
    format!("{x:.3}")
}

fn fmt_plain(x: f64) -> String {
    let a = x.abs();
    if a < 0.005 {
        // Rounds to zero at two decimals: no "-0.00".
        "0".into()
    } else if a >= 100.0 {
        format!("{x:.0}")
    } else if a >= 1.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

fn round_sig(x: f64, digits: i32) -> f64 {
    if x == 0.0 {
        return 0.0;
    }
    let magnitude = x.abs().log10().floor() as i32;
    let factor = 10f64.powi(digits - 1 - magnitude);
    (x * factor).round() / factor
}

/// Three significant digits for `1 <= x < 1000`.
fn three_sig(x: f64) -> String {
    let r = round_sig(x, 3);
    if r >= 100.0 {
        format!("{r:.0}")
    } else if r >= 10.0 {
        format!("{r:.1}")
    } else {
        format!("{r:.2}")
    }
}

/// One table row: a label and how to read and format its metric.
struct Row {
    label: &'static str,
    value: fn(&Metrics) -> String,
}

const ROWS: &[Row] = &[
    Row {
        label: "Uncovered bad debt",
        value: |m| fmt_usd(m.uncovered_bad_debt),
    },
    Row {
        label: "  % of debt",
        value: |m| fmt_pct(m.uncovered_bad_debt_pct),
    },
    Row {
        label: "Covered by buffer",
        value: |m| fmt_usd(m.covered_bad_debt),
    },
    Row {
        label: "Endogenous impact",
        value: |m| fmt_pp(m.endogenous_impact_pct),
    },
    Row {
        label: "Borrower loss",
        value: |m| fmt_usd(m.borrower_loss),
    },
    Row {
        label: "  % of debt",
        value: |m| fmt_pct(m.borrower_loss_pct),
    },
    Row {
        label: "Liquidated debt",
        value: |m| fmt_usd(m.liquidated_debt),
    },
    Row {
        label: "Peak liq. / step",
        value: |m| fmt_usd(m.peak_step_liquidation),
    },
    Row {
        label: "Waves",
        value: |m| m.waves.to_string(),
    },
    Row {
        label: "Over-liquidation",
        value: |m| fmt_usd(m.over_liquidation),
    },
    Row {
        label: "Sold < 0.8x / at 0",
        value: |m| fmt_usd(m.below_floor_value),
    },
    Row {
        label: "Buffer drawdown",
        value: |m| fmt_pct(m.backstop_drawdown_pct),
    },
    Row {
        label: "Loop gain",
        value: |m| fmt_ratio(m.loop_gain),
    },
    Row {
        label: "Wall peak, %/1%",
        value: |m| format!("{}@{}", fmt_plain(m.wall_peak_pct), m.wall_peak_at),
    },
    Row {
        label: "Min health factor",
        value: |m| fmt_hf(m.min_health_factor),
    },
];

/// What the rows mean, printed under every table.
pub const TABLE_NOTES: &str = "\
Amounts in dollars of the base asset; % of the engine's initial debt. Uncovered: bad debt no
buffer covered (socialized, deficit, negative reserves, underwater at the end). Buffer: the
engine's pre-funded first loss (Breakwater's backstop, Compound's reserves, Maker's surplus,
Liquity's stability pool). Impact: realized minus exogenous drawdown of the worst collateral.
Borrower loss: penalties plus collateral taken below the external price, net of what came back.
Over-liquidation: debt force-closed beyond the repayment that restores health 1 (whole-position
designs score high by construction). Sold < 0.8x: collateral sold below 0.8 x its price or for
nothing. Loop gain: price fall caused by liquidation sales per unit of the oracle fall that
triggered them (a cascade feeds itself as it nears 1). Wall peak: the largest share of debt
liquidatable in one 1% slice of a uniform fall @ where it starts (% fall). Waves: runs of
liquidation separated by >= 10 quiet steps.
";

/// An engines × scenarios matrix of one metric: a row per engine, a column per scenario.
pub fn matrix(
    title: &str,
    rows: &[(String, EngineKind, Metrics)],
    cell: impl Fn(&Metrics) -> String,
) -> String {
    let mut scenarios: Vec<&str> = Vec::new();
    let mut engines: Vec<EngineKind> = Vec::new();
    for (s, e, _) in rows {
        if !scenarios.contains(&s.as_str()) {
            scenarios.push(s);
        }
        if !engines.contains(e) {
            engines.push(*e);
        }
    }
    engines.sort();
    let width = scenarios
        .iter()
        .map(|s| s.chars().count().clamp(9, 19))
        .collect::<Vec<_>>();
    let mut out = String::new();
    let _ = writeln!(out, "{title}");
    let _ = write!(out, "{:<12}", "engine");
    for (s, w) in scenarios.iter().zip(&width) {
        let _ = write!(out, " {:>w$}", truncate(s, *w));
    }
    out.push('\n');
    let _ = writeln!(
        out,
        "{}",
        "-".repeat(12 + width.iter().map(|w| w + 1).sum::<usize>())
    );
    for e in engines {
        let _ = write!(out, "{:<12}", e.name());
        for (s, w) in scenarios.iter().zip(&width) {
            let text = rows
                .iter()
                .find(|(rs, re, _)| rs == s && *re == e)
                .map_or("-".to_string(), |(_, _, m)| cell(m));
            let _ = write!(out, " {:>w$}", truncate(&text, *w));
        }
        out.push('\n');
    }
    out
}

/// A scenario's columns: one per engine, in engine order.
struct Group<'a> {
    scenario: &'a str,
    columns: Vec<(EngineKind, &'a Metrics)>,
    /// Characters inside the group (without its `|` separator).
    inner: usize,
}

/// A side-by-side terminal table: one row per metric, one column group per scenario with one
/// column per engine (`naive | breakwater`). Scenarios keep their first-appearance order; the
/// table is split into stacked blocks so that no line is wider than 120 characters.
pub fn table(rows: &[(String, EngineKind, Metrics)]) -> String {
    let mut groups: Vec<Group<'_>> = Vec::new();
    for (scenario, engine, metrics) in rows {
        match groups.iter_mut().find(|g| g.scenario == scenario.as_str()) {
            Some(g) => g.columns.push((*engine, metrics)),
            None => groups.push(Group {
                scenario,
                columns: vec![(*engine, metrics)],
                inner: 0,
            }),
        }
    }
    for g in &mut groups {
        g.columns.sort_by_key(|(engine, _)| *engine);
        g.inner = (g.columns.len() * CELL_WIDTH).max(g.scenario.chars().count().min(40) + 2);
    }

    let mut out = String::new();
    let mut block: Vec<&Group<'_>> = Vec::new();
    let mut width = LABEL_WIDTH;
    for g in &groups {
        if !block.is_empty() && width + SEP.len() + g.inner > MAX_WIDTH {
            render_block(&mut out, &block);
            out.push('\n');
            block.clear();
            width = LABEL_WIDTH;
        }
        width += SEP.len() + g.inner;
        block.push(g);
    }
    if !block.is_empty() {
        render_block(&mut out, &block);
    }
    let _ = WAVE_GAP_STEPS;
    out.lines()
        .map(|l| l.trim_end().to_string() + "\n")
        .collect()
}

fn render_block(out: &mut String, groups: &[&Group<'_>]) {
    let line_width = LABEL_WIDTH + groups.iter().map(|g| SEP.len() + g.inner).sum::<usize>();
    // Scenario names.
    let _ = write!(out, "{:<LABEL_WIDTH$}", "Metric");
    for g in groups {
        let name = truncate(g.scenario, g.inner - 2);
        let _ = write!(out, "{SEP}{:^width$}", name, width = g.inner);
    }
    out.push('\n');
    // Engine names.
    let _ = write!(out, "{:<LABEL_WIDTH$}", "");
    for g in groups {
        out.push_str(SEP);
        push_cells(out, g, |(engine, _)| engine.name().to_string());
    }
    out.push('\n');
    let _ = writeln!(out, "{}", "-".repeat(line_width));
    for row in ROWS {
        let _ = write!(out, "{:<LABEL_WIDTH$}", row.label);
        for g in groups {
            out.push_str(SEP);
            push_cells(out, g, |(_, m)| (row.value)(m));
        }
        out.push('\n');
    }
}

/// Writes a group's cells right-aligned; extra room (long scenario name) goes to the left.
fn push_cells(out: &mut String, g: &Group<'_>, cell: impl Fn(&(EngineKind, &Metrics)) -> String) {
    let extra = g.inner - g.columns.len() * CELL_WIDTH;
    out.push_str(&" ".repeat(extra));
    for c in &g.columns {
        let text = truncate(&cell(c), CELL_WIDTH - 1);
        let _ = write!(out, " {:>width$}", text, width = CELL_WIDTH - 1);
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('~');
        t
    }
}

/// A compact table of a parameter sweep: one line per (value, engine).
pub fn sweep_table(param: &str, rows: &[(f64, EngineKind, Metrics)]) -> String {
    let headers = [
        "uncovered",
        "unc. %",
        "impact",
        "borrower",
        "liquidated",
        "peak/step",
        "bstop dd",
        "loop gain",
        "min HF",
    ];
    let mut out = String::new();
    let _ = write!(out, "{:>10} {:>10}", truncate(param, 10), "engine");
    for h in headers {
        let _ = write!(out, " {h:>9}");
    }
    out.push('\n');
    let _ = writeln!(out, "{}", "-".repeat(21 + headers.len() * 10));
    for (value, engine, m) in rows {
        let _ = write!(out, "{:>10} {:>10}", fmt_value(*value), engine.name());
        let cells = [
            fmt_usd(m.uncovered_bad_debt),
            fmt_pct(m.uncovered_bad_debt_pct),
            fmt_pp(m.endogenous_impact_pct),
            fmt_pct(m.borrower_loss_pct),
            fmt_usd(m.liquidated_debt),
            fmt_usd(m.peak_step_liquidation),
            fmt_pct(m.backstop_drawdown_pct),
            fmt_ratio(m.loop_gain),
            fmt_hf(m.min_health_factor),
        ];
        for c in cells {
            let _ = write!(out, " {:>9}", truncate(&c, 9));
        }
        out.push('\n');
    }
    out
}

/// Formats a parameter value compactly (`0.5`, `2`, `1.05`).
pub fn fmt_value(x: f64) -> String {
    let s = format!("{x}");
    if s.len() > 10 {
        format!("{x:.4}")
    } else {
        s
    }
}

/// Makes a string safe to use inside a file name.
pub fn file_stem(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let trimmed = cleaned.trim_matches('.');
    if trimmed.is_empty() {
        "run".into()
    } else {
        trimmed.to_string()
    }
}

/// Writes `summary.json`, `summary.csv` and one `<scenario>-<engine>.csv` step trace per run
/// into `out_dir` (created if needed). `metrics[i]` belongs to `traces[i]`. Returns the written
/// paths. Non-finite numbers become `null` in JSON (e.g. the min health factor of a run where no
/// account ever had debt).
pub fn write_outputs(
    out_dir: &Path,
    traces: &[RunTrace],
    metrics: &[Metrics],
) -> anyhow::Result<Vec<PathBuf>> {
    if traces.len() != metrics.len() {
        bail!(
            "write_outputs: {} traces but {} metrics",
            traces.len(),
            metrics.len()
        );
    }
    fs::create_dir_all(out_dir)
        .with_context(|| format!("cannot create output directory {}", out_dir.display()))?;
    let mut written = Vec::new();

    // summary.json
    let runs: Vec<serde_json::Value> = traces
        .iter()
        .zip(metrics)
        .map(|(t, m)| {
            json!({
                "scenario": t.scenario,
                "engine": t.config.engine.name(),
                "config": t.config,
                "params": t.params,
                "initial_debt": t.initial_debt,
                "steps": t.steps.len(),
                "wall": t.wall,
                "metrics": m,
            })
        })
        .collect();
    let path = out_dir.join("summary.json");
    let text = serde_json::to_string_pretty(&json!({ "provenance": provenance(), "runs": runs }))?;
    write_file(&path, text + "\n")?;
    written.push(path);

    // summary.csv
    let mut csv = String::from(SUMMARY_HEADER);
    csv.push('\n');
    for (t, m) in traces.iter().zip(metrics) {
        csv.push_str(&summary_line(t, m));
        csv.push('\n');
    }
    let path = out_dir.join("summary.csv");
    write_file(&path, csv)?;
    written.push(path);

    // One step trace per run, with unique file names.
    let mut used: HashMap<String, usize> = HashMap::new();
    for t in traces {
        let base = format!("{}-{}", file_stem(&t.scenario), t.config.engine.name());
        let n = used.entry(base.clone()).or_insert(0);
        *n += 1;
        let stem = if *n == 1 { base } else { format!("{base}-{n}") };
        let path = out_dir.join(format!("{stem}.csv"));
        write_file(&path, trace_csv(&t.steps))?;
        written.push(path);
    }
    Ok(written)
}

const SUMMARY_HEADER: &str = "scenario,engine,accounts,seed,step_s,disabled,initial_debt,steps,\
uncovered_bad_debt,uncovered_bad_debt_pct,covered_bad_debt,endogenous_impact_pct,\
liquidated_debt,peak_step_liquidation,waves,over_liquidation,below_floor_value,\
backstop_drawdown_pct,borrower_loss,borrower_loss_pct,loop_gain,wall_peak_pct,wall_peak_at,\
min_health_factor";

fn summary_line(t: &RunTrace, m: &Metrics) -> String {
    let c = &t.config;
    [
        csv_field(&t.scenario),
        c.engine.name().to_string(),
        c.accounts.to_string(),
        c.seed.to_string(),
        c.step.to_string(),
        csv_field(&c.disabled.join(";")),
        num(t.initial_debt),
        t.steps.len().to_string(),
        num(m.uncovered_bad_debt),
        num(m.uncovered_bad_debt_pct),
        num(m.covered_bad_debt),
        num(m.endogenous_impact_pct),
        num(m.liquidated_debt),
        num(m.peak_step_liquidation),
        m.waves.to_string(),
        num(m.over_liquidation),
        num(m.below_floor_value),
        num(m.backstop_drawdown_pct),
        num(m.borrower_loss),
        num(m.borrower_loss_pct),
        num(m.loop_gain),
        num(m.wall_peak_pct),
        num(m.wall_peak_at),
        num(m.min_health_factor),
    ]
    .join(",")
}

const TRACE_HEADER: &str = "time_s,time_h,exogenous,realized,oracle,liquidated_debt,sold_value,\
below_floor_value,covered_bad_debt,uncovered_bad_debt,backstop_value,min_health_factor,\
total_debt,over_liquidation,borrower_loss,liquidatable_debt";

/// The step trace as CSV, one line per step.
pub fn trace_csv(steps: &[StepRecord]) -> String {
    let mut out = String::with_capacity(64 + steps.len() * 160);
    out.push_str(TRACE_HEADER);
    out.push('\n');
    for s in steps {
        let fields = [
            s.time.to_string(),
            num(s.time as f64 / 3600.0),
            num(s.exogenous),
            num(s.realized),
            num(s.oracle),
            num(s.liquidated_debt),
            num(s.sold_value),
            num(s.below_floor_value),
            num(s.covered_bad_debt),
            num(s.uncovered_bad_debt),
            num(s.backstop_value),
            num(s.min_health_factor),
            num(s.total_debt),
            num(s.over_liquidation),
            num(s.borrower_loss),
            num(s.liquidatable_debt),
        ];
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}

/// Where a run's numbers come from: the repository commit (and whether the work tree had
/// changes), the lab's version, and the checksums of the optimized wasm in `artifacts/` (the
/// embedded chain runs the same contract source natively; the devnet runs these files).
pub fn provenance() -> serde_json::Value {
    let root = crate::wasmd::workspace_root();
    let git = |args: &[&str]| -> Option<String> {
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(&root)
            .args(args)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let commit = git(&["rev-parse", "HEAD"]).unwrap_or_else(|| "unknown".into());
    let dirty = git(&["status", "--porcelain", "--untracked-files=no"]).map(|s| !s.is_empty());
    let wasm: serde_json::Map<String, serde_json::Value> =
        fs::read_to_string(root.join("artifacts/checksums.txt"))
            .map(|t| {
                t.lines()
                    .filter_map(|l| l.split_once("  "))
                    .map(|(sum, file)| (file.to_string(), json!(sum)))
                    .collect()
            })
            .unwrap_or_default();
    json!({
        "commit": commit,
        "dirty": dirty,
        "lab_version": env!("CARGO_PKG_VERSION"),
        "wasm_sha256": if wasm.is_empty() {
            json!("artifacts/ not built (scripts/build-wasm.sh)")
        } else {
            serde_json::Value::Object(wasm)
        },
    })
}

/// A CSV number: shortest round-trip representation; `inf`, `-inf`, `NaN` for non-finite values.
fn num(x: f64) -> String {
    format!("{x}")
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn write_file(path: &Path, contents: String) -> anyhow::Result<()> {
    fs::write(path, contents).with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DepthKind, DepthParams, RunConfig};

    #[test]
    fn amounts_use_human_units() {
        assert_eq!(fmt_amount(0.0), "0");
        assert_eq!(fmt_amount(950.0), "950");
        assert_eq!(fmt_amount(1_234.0), "1.23K");
        assert_eq!(fmt_amount(1_234_567.0), "1.23M");
        assert_eq!(fmt_amount(12_345_678.0), "12.3M");
        assert_eq!(fmt_amount(123_456_789.0), "123M");
        assert_eq!(fmt_amount(5_670_000_000.0), "5.67B");
        assert_eq!(fmt_amount(999_999.0), "1.00M");
        assert_eq!(fmt_amount(-2_500.0), "-2.50K");
        assert_eq!(fmt_amount(f64::NAN), "n/a");
    }

    #[test]
    fn percentages_and_points() {
        assert_eq!(fmt_pct(4.5), "4.5%");
        assert_eq!(fmt_pct(0.123), "0.12%");
        assert_eq!(fmt_pct(0.0), "0%");
        assert_eq!(fmt_pct(250.0), "250%");
        assert_eq!(fmt_pp(12.34), "+12.3 pp");
        assert_eq!(fmt_pp(-0.5), "-0.50 pp");
        assert_eq!(fmt_pp(0.0), "0 pp");
        assert_eq!(fmt_hf(f64::INFINITY), "-");
        assert_eq!(fmt_hf(0.8213), "0.821");
        assert_eq!(fmt_ratio(1.456), "1.46");
        assert_eq!(fmt_ratio(53.99), "54.0");
        assert_eq!(fmt_ratio(265.87), "266");
        assert_eq!(fmt_ratio(27.4e9), "27.4B");
    }

    fn metrics(bad: f64) -> Metrics {
        Metrics {
            uncovered_bad_debt: bad,
            uncovered_bad_debt_pct: bad / 1e12,
            min_health_factor: 0.9,
            waves: 3,
            ..Default::default()
        }
    }

    #[test]
    fn table_groups_engines_per_scenario_and_fits_the_terminal() {
        let names = [
            "black-thursday",
            "oracle-wick",
            "toxic-whale",
            "depth-evaporation",
        ];
        let mut rows = Vec::new();
        for n in names {
            // Breakwater first: the table must still put naive on the left.
            rows.push((n.to_string(), EngineKind::Breakwater, metrics(0.0)));
            rows.push((n.to_string(), EngineKind::Naive, metrics(5_670_000e6)));
        }
        let t = table(&rows);
        for line in t.lines() {
            assert!(line.chars().count() <= 120, "line too wide: {line:?}");
        }
        for n in names {
            assert!(t.contains(n), "{t}");
        }
        let engines = t.lines().nth(1).unwrap();
        assert!(engines.find("naive").unwrap() < engines.find("breakwat").unwrap());
        let bad = t
            .lines()
            .find(|l| l.starts_with("Uncovered bad debt"))
            .unwrap();
        assert_eq!(bad.matches("$5.67M").count(), 4, "{bad}");
        assert_eq!(ROWS.len() + 3, t.lines().count());
        // Ten engines on one scenario still fit in 120 columns.
        let all: Vec<_> = EngineKind::ALL
            .iter()
            .map(|e| ("black-thursday".to_string(), *e, metrics(1.0)))
            .collect();
        assert!(table(&all).lines().all(|l| l.chars().count() <= 120));
        assert_eq!(fmt_usd(1.5e12), "$1.50M");
        assert_eq!(fmt_usd(-2.5e9), "-$2.50K");
    }

    #[test]
    fn wide_tables_are_split_into_blocks() {
        let rows: Vec<_> = (0..7)
            .flat_map(|i| {
                [EngineKind::Naive, EngineKind::Breakwater]
                    .map(|e| (format!("scenario-{i}"), e, metrics(1.0)))
            })
            .collect();
        let t = table(&rows);
        assert!(t.lines().all(|l| l.chars().count() <= 120));
        assert!(t.lines().filter(|l| l.starts_with("Metric")).count() >= 2);
        assert!(t.contains("scenario-6"));
    }

    #[test]
    fn sweep_table_has_one_line_per_point() {
        let rows = vec![
            (0.5, EngineKind::Naive, metrics(10.0)),
            (0.5, EngineKind::Breakwater, metrics(0.0)),
            (2.0, EngineKind::Breakwater, metrics(0.0)),
        ];
        let t = sweep_table("depth", &rows);
        assert_eq!(t.lines().count(), 2 + 3);
        assert!(t.lines().all(|l| l.chars().count() <= 120));
    }

    fn run_trace(scenario: &str, engine: EngineKind) -> RunTrace {
        RunTrace {
            scenario: scenario.into(),
            config: RunConfig {
                engine,
                accounts: 3,
                seed: 7,
                step: 60,
                depth: DepthParams {
                    kind: DepthKind::SquareRoot,
                    depth_per_pct: 1e6,
                    recovery_half_life: 900.0,
                },
                keepers: Default::default(),
                oracle_delay: 60,
                disabled: vec!["floor".into(), "breaker".into()],
                overrides: vec![],
            },
            params: vec![],
            initial_debt: 1e6,
            wall: vec![],
            assets: vec![],
            largest_account_liquidations: None,
            steps: vec![
                StepRecord {
                    time: 0,
                    exogenous: 100.0,
                    realized: 100.0,
                    ..Default::default()
                },
                StepRecord {
                    time: 60,
                    exogenous: 90.0,
                    realized: 88.5,
                    min_health_factor: f64::INFINITY,
                    ..Default::default()
                },
            ],
        }
    }

    #[test]
    fn outputs_are_written() {
        let dir = std::env::temp_dir().join(format!("bw-lab-report-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let traces = vec![
            run_trace("black-thursday", EngineKind::Naive),
            run_trace("black-thursday", EngineKind::Breakwater),
            run_trace("black-thursday", EngineKind::Breakwater),
        ];
        let mut metrics: Vec<Metrics> = traces.iter().map(crate::metrics::compute).collect();
        metrics[2].min_health_factor = f64::INFINITY;
        let paths = write_outputs(&dir, &traces, &metrics).unwrap();
        let names: Vec<String> = paths
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "summary.json",
                "summary.csv",
                "black-thursday-naive.csv",
                "black-thursday-breakwater.csv",
                "black-thursday-breakwater-2.csv"
            ]
        );
        let json: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(&paths[0]).unwrap()).unwrap();
        assert_eq!(json["runs"].as_array().unwrap().len(), 3);
        assert_eq!(json["runs"][1]["engine"], "breakwater");
        assert_eq!(json["runs"][0]["config"]["seed"], 7);
        assert!(json["runs"][2]["metrics"]["min_health_factor"].is_null());
        assert_eq!(json["runs"][2]["metrics"]["waves"], 0);
        let csv = fs::read_to_string(&paths[1]).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 4);
        let header_cols = lines[0].split(',').count();
        assert!(
            lines.iter().all(|l| l.split(',').count() == header_cols),
            "{csv}"
        );
        assert!(lines[1].contains("floor;breaker"));
        let trace = fs::read_to_string(&paths[2]).unwrap();
        assert_eq!(trace.lines().count(), 3);
        assert!(trace
            .lines()
            .nth(2)
            .unwrap()
            .starts_with("60,0.016666666666666666,90,88.5,"));
        assert!(write_outputs(&dir, &traces, &metrics[..1]).is_err());
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn file_stems_are_sanitized() {
        assert_eq!(file_stem("black-thursday"), "black-thursday");
        assert_eq!(file_stem("my scenario/v2"), "my_scenario_v2");
        assert_eq!(file_stem(".."), "run");
    }

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("plain"), "plain");
    }
}
