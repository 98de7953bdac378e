//! `lab stress`: every engine on many generated paths of one crash family, and the
//! distribution of the outcomes (the mean, 95th and 99th percentile of uncovered bad debt —
//! VaR as Gauntlet reports it — of endogenous impact and of borrower loss).
//!
//! A stress run is a set of `(path, engine)` runs. `--shard i/N` runs the paths `p` with
//! `p mod N = i` and writes them to one shard file; `lab merge DIR...` reads shard files,
//! checks that they belong to the same run (family, seed, paths, engines, book, parameters)
//! and that every path of every engine is there once, and computes the statistics. Any batch
//! runner can spread the shards over machines (docs/LAB.md shows a Kubernetes indexed Job).
use crate::families::Family;
use crate::model::{EngineKind, RunConfig};
use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The outcome of one engine on one path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathResult {
    /// Path index.
    pub path: usize,
    /// Engine name.
    pub engine: String,
    /// Uncovered bad debt, % of initial debt.
    pub uncovered_pct: f64,
    /// Bad debt a buffer covered, % of initial debt.
    pub covered_pct: f64,
    /// Endogenous impact, pp.
    pub impact_pp: f64,
    /// Borrower loss, % of initial debt.
    pub borrower_loss_pct: f64,
    /// Debt liquidated, % of initial debt.
    pub liquidated_pct: f64,
    /// Realised loop gain.
    pub loop_gain: f64,
    /// Error message, if the run failed.
    #[serde(default)]
    pub error: Option<String>,
}

/// One shard of a stress run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shard {
    /// The family.
    pub family: Family,
    /// Seed of the paths.
    pub seed: u64,
    /// Number of paths of the whole run.
    pub paths: usize,
    /// This shard, `(index, count)`.
    pub shard: (usize, usize),
    /// The engines' configurations (one per engine).
    pub configs: Vec<RunConfig>,
    /// Where the numbers come from ([`crate::report::provenance`]).
    pub provenance: serde_json::Value,
    /// Wall time of the shard, seconds.
    pub seconds: f64,
    /// Results, by path then engine.
    pub results: Vec<PathResult>,
}

impl Shard {
    /// What must match between shards of one run.
    fn identity(&self) -> serde_json::Value {
        serde_json::json!({
            "family": self.family,
            "seed": self.seed,
            "paths": self.paths,
            "configs": self.configs,
            "shards": self.shard.1,
        })
    }
}

/// Parses `i/N`.
pub fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let (i, n) = s
        .split_once('/')
        .ok_or_else(|| format!("expected I/N (e.g. 0/4), found `{s}`"))?;
    let i: usize = i
        .trim()
        .parse()
        .map_err(|_| format!("`{i}` is not a number"))?;
    let n: usize = n
        .trim()
        .parse()
        .map_err(|_| format!("`{n}` is not a number"))?;
    if n == 0 || i >= n {
        return Err(format!("shard {i}/{n}: need 0 <= I < N"));
    }
    Ok((i, n))
}

/// The paths of shard `(i, n)` of a run of `paths` paths.
pub fn shard_paths(paths: usize, (i, n): (usize, usize)) -> Vec<usize> {
    (0..paths).filter(|p| p % n == i).collect()
}

/// Runs shard `shard` of `paths` paths of `family` from `seed` for every configuration, on
/// `threads` threads; `progress(done, total)` after each run.
pub fn run_shard(
    family: &Family,
    seed: u64,
    paths: usize,
    shard: (usize, usize),
    configs: &[RunConfig],
    threads: usize,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Shard {
    let started = std::time::Instant::now();
    // Contract-backed engines first: they are the longest runs.
    let mut order: Vec<usize> = (0..configs.len()).collect();
    order.sort_by_key(|&c| !configs[c].engine.is_contract());
    let jobs: Vec<(usize, usize)> = shard_paths(paths, shard)
        .into_iter()
        .flat_map(|p| order.iter().map(move |&c| (p, c)))
        .collect();
    let total = jobs.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let mut results = crate::engine::run_parallel(jobs, threads, |(p, c)| {
        let r = run_one(family, seed, p, &configs[c]);
        let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        progress(n, total);
        r
    });
    results.sort_by(|a, b| (a.path, &a.engine).cmp(&(b.path, &b.engine)));
    Shard {
        family: family.clone(),
        seed,
        paths,
        shard,
        configs: configs.to_vec(),
        provenance: crate::report::provenance(),
        seconds: started.elapsed().as_secs_f64(),
        results,
    }
}

fn run_one(family: &Family, seed: u64, p: usize, config: &RunConfig) -> PathResult {
    let fail = |e: anyhow::Error| PathResult {
        path: p,
        engine: config.engine.name().to_string(),
        uncovered_pct: f64::NAN,
        covered_pct: f64::NAN,
        impact_pp: f64::NAN,
        borrower_loss_pct: f64::NAN,
        liquidated_pct: f64::NAN,
        loop_gain: f64::NAN,
        error: Some(format!("{e:#}")),
    };
    let scenario = match family.path(seed, p) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let config = match crate::engines::with_settings(config.clone(), &scenario.settings) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    match crate::run::run_scenario(&scenario, &config, &mut |_, _| {}) {
        Ok(trace) => {
            let m = crate::metrics::compute(&trace);
            let pct = |x: f64| {
                if trace.initial_debt > 0.0 {
                    x / trace.initial_debt * 100.0
                } else {
                    0.0
                }
            };
            PathResult {
                path: p,
                engine: config.engine.name().to_string(),
                uncovered_pct: m.uncovered_bad_debt_pct,
                covered_pct: pct(m.covered_bad_debt),
                impact_pp: m.endogenous_impact_pct,
                borrower_loss_pct: m.borrower_loss_pct,
                liquidated_pct: pct(m.liquidated_debt),
                loop_gain: m.loop_gain,
                error: None,
            }
        }
        Err(e) => fail(e),
    }
}

/// Writes `shard` into `dir` as `stress-<family>-s<seed>-<i>of<N>.json`; returns the path.
pub fn write_shard(dir: &Path, shard: &Shard) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join(format!(
        "stress-{}-s{}-{}of{}.json",
        crate::report::file_stem(&shard.family.name),
        shard.seed,
        shard.shard.0,
        shard.shard.1
    ));
    std::fs::write(&path, serde_json::to_string(shard)? + "\n")
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

/// Reads every `stress-*.json` shard file in `dirs` (a file may also be named directly).
pub fn read_shards(dirs: &[PathBuf]) -> Result<Vec<Shard>> {
    let mut files = vec![];
    for d in dirs {
        if d.is_file() {
            files.push(d.clone());
            continue;
        }
        for e in std::fs::read_dir(d).with_context(|| format!("reading {}", d.display()))? {
            let p = e?.path();
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.starts_with("stress-") && name.ends_with(".json") && !name.contains("summary") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
        .iter()
        .map(|f| {
            let text =
                std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?;
            serde_json::from_str(&text).with_context(|| format!("parsing {}", f.display()))
        })
        .collect()
}

/// Distribution of one metric over the paths.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Stat {
    /// Mean.
    pub mean: f64,
    /// 95th percentile (nearest rank).
    pub p95: f64,
    /// 99th percentile (nearest rank).
    pub p99: f64,
    /// Largest value.
    pub max: f64,
}

/// Nearest-rank percentile `q` (0..=1) of sorted values.
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// The statistics of `values` (non-finite ones ignored).
pub fn stat(values: impl IntoIterator<Item = f64>) -> Stat {
    let mut v: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return Stat::default();
    }
    Stat {
        mean: v.iter().sum::<f64>() / v.len() as f64,
        p95: percentile(&v, 0.95),
        p99: percentile(&v, 0.99),
        max: *v.last().unwrap_or(&0.0),
    }
}

/// One engine's distributions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EngineStats {
    /// Engine name.
    pub engine: String,
    /// Paths that ran.
    pub paths: usize,
    /// Paths that failed.
    pub failed: usize,
    /// Uncovered bad debt, % of initial debt.
    pub uncovered: Stat,
    /// Endogenous impact, pp.
    pub impact: Stat,
    /// Borrower loss, % of initial debt.
    pub borrower_loss: Stat,
    /// Covered bad debt, % of initial debt.
    pub covered: Stat,
    /// Loop gain.
    pub loop_gain: Stat,
}

/// A merged stress run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Family name.
    pub family: String,
    /// Seed.
    pub seed: u64,
    /// Paths.
    pub paths: usize,
    /// Accounts per book.
    pub accounts: usize,
    /// Shards merged.
    pub shards: usize,
    /// Total wall time of the shards, seconds.
    pub seconds: f64,
    /// Per engine, in engine order.
    pub engines: Vec<EngineStats>,
    /// Every result, by path then engine.
    pub results: Vec<PathResult>,
    /// Where the numbers come from.
    pub provenance: serde_json::Value,
}

/// Merges the shards of one stress run (module docs): refuses shards of different runs, a
/// shard given twice, and a run with paths missing.
pub fn merge(shards: &[Shard]) -> Result<Summary> {
    let Some(first) = shards.first() else {
        bail!("no shard files to merge");
    };
    let id = first.identity();
    let mut seen: BTreeMap<usize, ()> = BTreeMap::new();
    for s in shards {
        if s.identity() != id {
            bail!(
                "shard {}/{} belongs to another run than shard {}/{} (family, seed, paths, engines or parameters differ)",
                s.shard.0,
                s.shard.1,
                first.shard.0,
                first.shard.1
            );
        }
        if seen.insert(s.shard.0, ()).is_some() {
            bail!("shard {}/{} is given twice", s.shard.0, s.shard.1);
        }
    }
    let mut results: Vec<PathResult> = shards.iter().flat_map(|s| s.results.clone()).collect();
    results.sort_by(|a, b| (a.path, &a.engine).cmp(&(b.path, &b.engine)));
    let mut engines: Vec<EngineKind> = first.configs.iter().map(|c| c.engine).collect();
    engines.sort();
    engines.dedup();
    let mut missing = vec![];
    for e in &engines {
        let have: Vec<usize> = results
            .iter()
            .filter(|r| r.engine == e.name())
            .map(|r| r.path)
            .collect();
        if have.len() != first.paths || (0..first.paths).any(|p| !have.contains(&p)) {
            missing.push(format!(
                "{} has {} of {} paths",
                e.name(),
                have.len(),
                first.paths
            ));
        }
    }
    if !missing.is_empty() {
        bail!(
            "incomplete run ({} of {} shards given): {}",
            shards.len(),
            first.shard.1,
            missing.join("; ")
        );
    }
    let stats = engines
        .iter()
        .map(|e| {
            let rs: Vec<&PathResult> = results.iter().filter(|r| r.engine == e.name()).collect();
            EngineStats {
                engine: e.name().to_string(),
                paths: rs.len(),
                failed: rs.iter().filter(|r| r.error.is_some()).count(),
                uncovered: stat(rs.iter().map(|r| r.uncovered_pct)),
                impact: stat(rs.iter().map(|r| r.impact_pp)),
                borrower_loss: stat(rs.iter().map(|r| r.borrower_loss_pct)),
                covered: stat(rs.iter().map(|r| r.covered_pct)),
                loop_gain: stat(rs.iter().map(|r| r.loop_gain)),
            }
        })
        .collect();
    Ok(Summary {
        family: first.family.name.clone(),
        seed: first.seed,
        paths: first.paths,
        accounts: first.configs.first().map_or(0, |c| c.accounts),
        shards: shards.len(),
        seconds: shards.iter().map(|s| s.seconds).sum(),
        engines: stats,
        results,
        provenance: first.provenance.clone(),
    })
}

/// The summary as a terminal table.
pub fn table(s: &Summary) -> String {
    use crate::report::{fmt_pct, fmt_pp};
    let mut out = format!(
        "Stress: family {}, {} paths (seed {}), {} accounts\n",
        s.family, s.paths, s.seed, s.accounts
    );
    out.push_str(&format!(
        "{:<12} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>6}\n",
        "engine",
        "unc mean",
        "unc p95",
        "unc p99",
        "imp mean",
        "imp p95",
        "imp p99",
        "loss mean",
        "loss p95",
        "loss p99",
        "failed"
    ));
    out.push_str(&"-".repeat(12 + 10 * 9 + 7));
    out.push('\n');
    for e in &s.engines {
        out.push_str(&format!(
            "{:<12} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>6}\n",
            e.engine,
            fmt_pct(e.uncovered.mean),
            fmt_pct(e.uncovered.p95),
            fmt_pct(e.uncovered.p99),
            fmt_pp(e.impact.mean).replace(" pp", ""),
            fmt_pp(e.impact.p95).replace(" pp", ""),
            fmt_pp(e.impact.p99).replace(" pp", ""),
            fmt_pct(e.borrower_loss.mean),
            fmt_pct(e.borrower_loss.p95),
            fmt_pct(e.borrower_loss.p99),
            e.failed
        ));
    }
    out.push_str(
        "unc: uncovered bad debt, % of initial debt; imp: endogenous impact, pp; loss: borrower \
         loss, % of initial debt. Percentiles by nearest rank.\n",
    );
    out
}

/// Writes `stress-<family>-summary.json` and `.csv` into `dir`; returns the paths.
pub fn write_summary(dir: &Path, s: &Summary) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let stem = format!("stress-{}-summary", crate::report::file_stem(&s.family));
    let json = dir.join(format!("{stem}.json"));
    std::fs::write(&json, serde_json::to_string_pretty(s)? + "\n")?;
    let mut csv = String::from(
        "engine,paths,failed,uncovered_mean,uncovered_p95,uncovered_p99,uncovered_max,\
         impact_mean,impact_p95,impact_p99,impact_max,borrower_loss_mean,borrower_loss_p95,\
         borrower_loss_p99,borrower_loss_max,loop_gain_mean\n",
    );
    for e in &s.engines {
        let row = [e.engine.clone(), e.paths.to_string(), e.failed.to_string()]
            .into_iter()
            .chain(
                [
                    e.uncovered.mean,
                    e.uncovered.p95,
                    e.uncovered.p99,
                    e.uncovered.max,
                    e.impact.mean,
                    e.impact.p95,
                    e.impact.p99,
                    e.impact.max,
                    e.borrower_loss.mean,
                    e.borrower_loss.p95,
                    e.borrower_loss.p99,
                    e.borrower_loss.max,
                    e.loop_gain.mean,
                ]
                .iter()
                .map(|x| format!("{x}")),
            )
            .collect::<Vec<_>>()
            .join(",");
        csv.push_str(&row);
        csv.push('\n');
    }
    let path_csv = dir.join(format!("{stem}.csv"));
    std::fs::write(&path_csv, csv)?;
    Ok(vec![json, path_csv])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::default_config;

    #[test]
    fn percentiles_by_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 0.95), 95.0);
        assert_eq!(percentile(&v, 0.99), 99.0);
        assert_eq!(percentile(&v, 1.0), 100.0);
        assert_eq!(percentile(&[3.0], 0.99), 3.0);
        let s = stat([1.0, f64::NAN, 3.0]);
        assert_eq!((s.mean, s.max), (2.0, 3.0));
    }

    #[test]
    fn shards_partition_the_paths() {
        let all: Vec<usize> = (0..4).flat_map(|i| shard_paths(10, (i, 4))).collect();
        let mut sorted = all.clone();
        sorted.sort();
        assert_eq!(sorted, (0..10).collect::<Vec<_>>());
        assert_eq!(parse_shard("2/4"), Ok((2, 4)));
        assert!(parse_shard("4/4").is_err() && parse_shard("x").is_err());
    }

    /// Two shards of a small run merge into the same numbers as one unsharded run; a missing
    /// shard and shards of different runs are refused.
    #[test]
    fn merged_shards_equal_the_whole_run() {
        let family = Family::load("v-wick").unwrap();
        let configs: Vec<RunConfig> = [EngineKind::Aave, EngineKind::Liquity]
            .iter()
            .map(|e| RunConfig {
                accounts: 50,
                ..default_config(*e)
            })
            .collect();
        let quiet = |_: usize, _: usize| {};
        let whole = run_shard(&family, 5, 6, (0, 1), &configs, 2, &quiet);
        let a = run_shard(&family, 5, 6, (0, 2), &configs, 1, &quiet);
        let b = run_shard(&family, 5, 6, (1, 2), &configs, 2, &quiet);
        let one = merge(std::slice::from_ref(&whole)).unwrap();
        let two = merge(&[b.clone(), a.clone()]).unwrap();
        assert_eq!(one.results, two.results);
        assert_eq!(one.engines, two.engines);
        assert!(merge(std::slice::from_ref(&a)).is_err(), "half a run");
        assert!(merge(&[a.clone(), a.clone()]).is_err(), "a shard twice");
        let other = run_shard(&family, 6, 6, (1, 2), &configs, 1, &quiet);
        assert!(merge(&[a, other]).is_err(), "another seed");
        assert!(one.engines.iter().all(|e| e.paths == 6 && e.failed == 0));
    }
}
