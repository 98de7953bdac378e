//! `lab`: the Breakwater cascade lab command line.
//!
//! `lab` with no arguments runs every built-in scenario through every engine
//! (`lab run --all --engine all`), writes charts, CSV and JSON into `lab-out/` and prints the
//! tables. `lab stress` runs a crash family, `lab merge` combines its shards. `lab run --chain
//! local` runs on the local wasmd devnet instead of the embedded chain (see
//! `breakwater_lab::wasmd`).
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{anyhow, bail, Context};
use breakwater_lab::chain::Chain;
use breakwater_lab::model::{EngineKind, Metrics, RunConfig, RunTrace, Scenario, MECHANISMS};
use breakwater_lab::run::ChainSpec;
use breakwater_lab::{charts, engine, metrics, report, run, scenario, wasmd};
use clap::builder::RangedU64ValueParser;
use clap::{Args, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

/// Breakwater cascade lab: crash scenarios and crash families through Breakwater's real
/// contracts, a naive configuration of them, and models of Aave, Compound, Maker, Liquity,
/// Mars and an ORCA-style queue, against a reference that knows the path. Without a
/// subcommand, runs every built-in scenario with every engine.
#[derive(Parser, Debug)]
#[command(name = "lab", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run scenarios through the engines; write charts, CSV and JSON; print the metrics table.
    Run(RunArgs),
    /// Sweep one parameter and plot the outcome curve.
    Sweep(SweepArgs),
    /// List the built-in scenarios and the events they model.
    Scenarios,
    /// List every parameter a scenario (`# set:`) or `--set` can override, with its default.
    Params,
    /// Run the engines on many generated paths of a crash family; report the distributions.
    Stress(StressArgs),
    /// Merge the shard files of a stress run (from `lab stress --shard i/N`).
    Merge(MergeArgs),
    /// Write paths of a crash family as scenario files (to look at, or run with `lab run`).
    Paths(PathsArgs),
}

#[derive(Args, Debug, Clone)]
struct RunArgs {
    /// Scenario to run: a built-in name or a scenario file (repeatable).
    #[arg(long = "scenario", short = 's', value_name = "NAME|FILE")]
    scenarios: Vec<String>,
    /// Run every built-in scenario (the default when no --scenario is given).
    #[arg(long)]
    all: bool,
    /// Engine(s) to run.
    #[arg(long, value_parser = parse_engines, default_value = "all", value_name = "ENGINES")]
    engine: EngineChoice,
    /// Chain to run on: the embedded cw-multi-test chain, or the local wasmd devnet in real
    /// time (start it first with `cargo run -p breakwater-keeper --bin keeper -- devnet up`;
    /// defaults to the devnet-flash scenario, 20 accounts, 10 s steps, output in
    /// lab-out/devnet).
    #[arg(long, value_enum, default_value_t = ChainChoice::Multitest)]
    chain: ChainChoice,
    #[command(flatten)]
    common: CommonArgs,
    /// Switch off one Breakwater mechanism to measure its contribution (repeatable).
    #[arg(long = "disable", value_name = "MECHANISM", value_parser = parse_mechanism)]
    disable: Vec<String>,
    /// Time every call of the contract-backed engines to the chain and print where the time
    /// went after each run.
    #[arg(long)]
    profile: bool,
}

#[derive(Args, Debug, Clone)]
struct StressArgs {
    /// The family: a built-in name (jump-diffusion, v-wick, flash-crash, slow-bleed,
    /// terminal-collapse, oracle-dislocation), a family file, or files:DIR.
    #[arg(long, value_name = "NAME|FILE")]
    family: String,
    /// Number of paths.
    #[arg(long, default_value_t = 100, value_parser = RangedU64ValueParser::<usize>::new().range(1..))]
    paths: usize,
    /// Engine(s) to run.
    #[arg(long, value_parser = parse_engines, default_value = "all", value_name = "ENGINES")]
    engine: EngineChoice,
    /// Run only shard I of N (paths p with p mod N = I) and write its shard file; merge the
    /// shards with `lab merge`.
    #[arg(long, value_name = "I/N", value_parser = breakwater_lab::stress::parse_shard)]
    shard: Option<(usize, usize)>,
    /// Set a family parameter (repeatable): NAME=VALUE or NAME=LO..HI.
    #[arg(long = "family-param", value_name = "NAME=RANGE")]
    family_params: Vec<String>,
    /// Switch off one Breakwater mechanism (repeatable).
    #[arg(long = "disable", value_name = "MECHANISM", value_parser = parse_mechanism)]
    disable: Vec<String>,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Args, Debug, Clone)]
struct PathsArgs {
    /// The family (as for `lab stress`).
    #[arg(long, value_name = "NAME|FILE")]
    family: String,
    /// Number of paths, from path 0.
    #[arg(long, default_value_t = 5)]
    paths: usize,
    /// Seed of the paths.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Set a family parameter (repeatable): NAME=VALUE or NAME=LO..HI.
    #[arg(long = "family-param", value_name = "NAME=RANGE")]
    family_params: Vec<String>,
    /// Output directory.
    #[arg(long, default_value = "lab-out/paths")]
    out: PathBuf,
}

#[derive(Args, Debug, Clone)]
struct MergeArgs {
    /// Directories (or files) holding `stress-*.json` shard files.
    #[arg(required = true, value_name = "DIR")]
    dirs: Vec<PathBuf>,
    /// Where to write the summary and charts [default: the first directory].
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Args, Debug, Clone)]
struct SweepArgs {
    /// The parameter to sweep.
    #[arg(long, value_enum)]
    param: SweepParam,
    /// Comma-separated values (for depth: multipliers of the default depth).
    #[arg(long, value_delimiter = ',', required = true, value_name = "V1,V2,...")]
    values: Vec<f64>,
    /// Scenario: a built-in name or a scenario file (default: black-thursday).
    #[arg(long, short = 's', value_name = "NAME|FILE")]
    scenario: Option<String>,
    #[command(flatten)]
    common: CommonArgs,
}

/// Options shared by `run` and `sweep`.
#[derive(Args, Debug, Clone)]
struct CommonArgs {
    /// Number of borrower accounts [default: the engine's default configuration].
    #[arg(long, value_parser = RangedU64ValueParser::<usize>::new().range(1..))]
    accounts: Option<usize>,
    /// RNG seed [default: the engine's default configuration].
    #[arg(long)]
    seed: Option<u64>,
    /// Output directory [default: lab-out; lab-out/devnet with --chain local].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Simulation step in seconds [default: the engine's default configuration].
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    step: Option<u64>,
    /// Override a parameter for every run (repeatable): `aave.close_factor=0.4`,
    /// `keepers.gas=5`, `depth.eth=0.5`, ... (`lab params` lists them; a scenario's own
    /// `# set:` lines apply first).
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = parse_set)]
    set: Vec<(String, f64)>,
}

fn parse_set(s: &str) -> Result<(String, f64), String> {
    let (name, value) =
        breakwater_lab::params::parse_assignment(s).map_err(|e| format!("{e:#}"))?;
    breakwater_lab::engines::check_param(&name).map_err(|e| format!("{e:#}"))?;
    Ok((name, value))
}

impl CommonArgs {
    /// The output directory of a run on `chain`.
    fn out_dir(&self, chain: ChainChoice) -> PathBuf {
        match (&self.out, chain) {
            (Some(out), _) => out.clone(),
            (None, ChainChoice::Multitest) => PathBuf::from("lab-out"),
            (None, ChainChoice::Local) => PathBuf::from("lab-out/devnet"),
        }
    }
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum ChainChoice {
    /// The embedded cw-multi-test chain (instant, deterministic).
    Multitest,
    /// The local wasmd devnet (`keeper devnet up`), in real time.
    Local,
}

/// Engines named on the command line: `all`, `both` (naive and breakwater), `peers` (the
/// peers' designs and the reference), or engine names, comma-separated.
#[derive(Debug, Clone, PartialEq, Eq)]
struct EngineChoice(Vec<EngineKind>);

impl EngineChoice {
    fn kinds(&self) -> Vec<EngineKind> {
        self.0.clone()
    }
}

fn parse_engines(s: &str) -> Result<EngineChoice, String> {
    let mut out: Vec<EngineKind> = Vec::new();
    for name in s.split(',').map(|x| x.trim().to_ascii_lowercase()) {
        let add: Vec<EngineKind> = match name.as_str() {
            "all" => EngineKind::ALL.to_vec(),
            "both" => vec![EngineKind::Naive, EngineKind::Breakwater],
            "peers" => EngineKind::ALL
                .into_iter()
                .filter(|e| !e.is_contract())
                .collect(),
            n => vec![EngineKind::from_name(n).ok_or_else(|| {
                format!(
                    "unknown engine '{n}'; expected all, both, peers or some of: {}",
                    EngineKind::ALL.map(|e| e.name()).join(", ")
                )
            })?],
        };
        for e in add {
            if !out.contains(&e) {
                out.push(e);
            }
        }
    }
    out.sort();
    Ok(EngineChoice(out))
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum SweepParam {
    /// External market depth, as a multiplier of the default `depth_per_pct`.
    Depth,
    /// Backstop pool size, fraction of total debt.
    Backstop,
    /// Impact budget in percent from which auction caps are derived.
    Throttle,
    /// Target health factor of partial liquidations.
    TargetHf,
}

impl SweepParam {
    fn name(self) -> &'static str {
        match self {
            SweepParam::Depth => "depth",
            SweepParam::Backstop => "backstop",
            SweepParam::Throttle => "throttle",
            SweepParam::TargetHf => "target-hf",
        }
    }

    /// Engines swept: the naive engine has no backstop, throttle or partial liquidation, so it
    /// only takes part in the depth sweep.
    fn engines(self) -> Vec<EngineKind> {
        match self {
            SweepParam::Depth => vec![EngineKind::Naive, EngineKind::Breakwater],
            _ => vec![EngineKind::Breakwater],
        }
    }

    fn validate(self, v: f64) -> Result<(), String> {
        let ok = v.is_finite()
            && match self {
                SweepParam::Depth | SweepParam::Throttle => v > 0.0,
                SweepParam::Backstop => v >= 0.0,
                SweepParam::TargetHf => v > 1.0,
            };
        if ok {
            Ok(())
        } else {
            let rule = match self {
                SweepParam::Depth | SweepParam::Throttle => "a positive number",
                SweepParam::Backstop => "a number >= 0",
                SweepParam::TargetHf => "a number > 1",
            };
            Err(format!(
                "--values: {v} is not valid for {}: expected {rule}",
                self.name()
            ))
        }
    }

    /// `base` with the swept field set to `v`.
    fn apply(self, base: &RunConfig, v: f64) -> RunConfig {
        let mut cfg = base.clone();
        match self {
            SweepParam::Depth => cfg.depth.depth_per_pct = base.depth.depth_per_pct * v,
            SweepParam::Backstop => cfg.overrides.push(("breakwater.backstop".into(), v)),
            SweepParam::Throttle => cfg.overrides.push(("breakwater.throttle_pct".into(), v)),
            SweepParam::TargetHf => cfg.overrides.push(("breakwater.target_hf".into(), v)),
        }
        cfg
    }
}

/// Accepts a mechanism name from [`MECHANISMS`] (case-insensitive, `-` or `_`).
fn parse_mechanism(s: &str) -> Result<String, String> {
    let name = s.trim().to_ascii_lowercase().replace('-', "_");
    if MECHANISMS.contains(&name.as_str()) {
        Ok(name)
    } else {
        Err(format!(
            "unknown mechanism '{s}'; expected one of: {}",
            MECHANISMS.join(", ")
        ))
    }
}

/// What `lab` without arguments does.
fn default_command() -> Command {
    Cli::parse_from(["lab", "run", "--all", "--engine", "all"])
        .command
        .expect("the default command line names a subcommand")
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or_else(default_command) {
        Command::Run(args) => cmd_run(&args),
        Command::Sweep(args) => cmd_sweep(&args),
        Command::Scenarios => cmd_scenarios(),
        Command::Params => cmd_params(),
        Command::Stress(args) => cmd_stress(&args),
        Command::Merge(args) => cmd_merge(&args),
        Command::Paths(args) => cmd_paths(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The default configuration of `engine` on `chain` with the command-line overrides applied.
fn base_config(engine: EngineKind, common: &CommonArgs, chain: ChainChoice) -> RunConfig {
    let mut cfg = breakwater_lab::default_config(engine);
    if chain == ChainChoice::Local {
        cfg = wasmd::local_config(cfg);
    }
    if let Some(accounts) = common.accounts {
        cfg.accounts = accounts;
    }
    if let Some(seed) = common.seed {
        cfg.seed = seed;
    }
    if let Some(step) = common.step {
        cfg.step = step;
    }
    cfg
}

/// Names (or paths) of the scenarios `lab run` should load, without duplicates. Without
/// `--scenario`: every built-in on the embedded chain, [`wasmd::LOCAL_SCENARIO`] on the devnet.
fn scenario_list(args: &RunArgs, builtins: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    if args.all || (args.scenarios.is_empty() && args.chain == ChainChoice::Multitest) {
        names.extend(builtins.iter().map(|s| s.to_string()));
    } else if args.scenarios.is_empty() {
        names.push(wasmd::LOCAL_SCENARIO.to_string());
    }
    for s in &args.scenarios {
        if !names.contains(s) {
            names.push(s.clone());
        }
    }
    names
}

fn load_scenario(name: &str) -> anyhow::Result<Scenario> {
    scenario::load(name).with_context(|| format!("cannot load scenario '{name}'"))
}

/// Runs one scenario on `chain`, showing progress on `bar`.
fn run_one(
    sc: &Scenario,
    cfg: &RunConfig,
    label: &str,
    chain: ChainChoice,
    profile: bool,
    bar: &ProgressBar,
) -> anyhow::Result<RunTrace> {
    bar.set_prefix(label.to_string());
    let started = Instant::now();
    let mut on_step = |done: usize, total: usize| {
        if bar.length() != Some(total as u64) {
            bar.set_length(total as u64);
        }
        bar.set_position(done as u64);
    };
    let result = match chain {
        ChainChoice::Multitest if profile => {
            run::run_scenario_on(sc, cfg, &mut run::multitest_profiled, &mut on_step)
        }
        ChainChoice::Multitest => run::run_scenario(sc, cfg, &mut on_step),
        ChainChoice::Local => {
            let opts = wasmd::WasmdOptions::default();
            let mut make = |cfg: &RunConfig, spec: ChainSpec| -> anyhow::Result<Box<dyn Chain>> {
                Ok(Box::new(wasmd::Wasmd::connect(&opts, cfg, spec)?))
            };
            run::run_scenario_on(sc, cfg, &mut make, &mut on_step)
        }
    };
    bar.finish_and_clear();
    let trace = result.with_context(|| format!("run {label} failed"))?;
    eprintln!(
        "{label:>30}: {} steps in {:.1} s",
        trace.steps.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(trace)
}

/// Runs every `(scenario, config, label)` job, in parallel on the embedded chain (one thread
/// per core) and one after the other on the devnet; results in job order.
fn run_jobs(
    jobs: Vec<(&Scenario, RunConfig, String)>,
    chain: ChainChoice,
    profile: bool,
) -> Vec<(String, anyhow::Result<RunTrace>)> {
    let bars = indicatif::MultiProgress::new();
    if !std::io::stdout().is_terminal() {
        bars.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let style = ProgressStyle::with_template(
        "{prefix:>30} [{bar:36.cyan/blue}] {pos:>6}/{len:6} steps {elapsed:>4} eta {eta:>4}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ");
    let threads = match chain {
        ChainChoice::Multitest => engine::default_threads(),
        ChainChoice::Local => 1,
    };
    engine::run_parallel(jobs, threads, |(sc, cfg, label)| {
        let bar = bars.add(ProgressBar::new(0));
        bar.set_style(style.clone());
        let r = run_one(sc, &cfg, &label, chain, profile, &bar);
        bars.remove(&bar);
        (label, r)
    })
}

/// Display name of a run: engine plus any disabled mechanisms.
fn run_label(scenario: &str, cfg: &RunConfig) -> String {
    if cfg.disabled.is_empty() {
        format!("{scenario} / {}", cfg.engine.name())
    } else {
        format!(
            "{scenario} / {} -{}",
            cfg.engine.name(),
            cfg.disabled.join(" -")
        )
    }
}

fn cmd_run(args: &RunArgs) -> anyhow::Result<()> {
    let names = scenario_list(args, scenario::builtin_names());
    if names.is_empty() {
        bail!("no scenarios to run: there are no built-in scenarios; pass --scenario FILE");
    }
    // Load everything first so a typo fails before hours of simulation.
    let mut scenarios: Vec<Scenario> = Vec::new();
    for name in &names {
        let sc = load_scenario(name)?;
        if scenarios.iter().any(|s| s.name == sc.name) {
            eprintln!(
                "warning: scenario '{}' given twice; running it once",
                sc.name
            );
            continue;
        }
        scenarios.push(sc);
    }

    let engines = args.engine.kinds();
    if !args.disable.is_empty() && !engines.contains(&EngineKind::Breakwater) {
        eprintln!("warning: --disable only affects the breakwater engine; ignored");
    }
    if args.chain == ChainChoice::Local {
        // Fail before any run when the devnet or the artifacts are missing.
        wasmd::check(&wasmd::WasmdOptions::default())?;
        for sc in &scenarios {
            eprintln!(
                "{}: runs in real time on the devnet, at least {} s per engine",
                sc.name,
                sc.duration()
            );
        }
    }
    let configs: Vec<RunConfig> = engines
        .iter()
        .map(|&engine| {
            let mut cfg = base_config(engine, &args.common, args.chain);
            if engine == EngineKind::Breakwater {
                for m in &args.disable {
                    if !cfg.disabled.contains(m) {
                        cfg.disabled.push(m.clone());
                    }
                }
            }
            cfg
        })
        .collect();

    let total = scenarios.len() * configs.len();
    let mut jobs = Vec::new();
    for sc in &scenarios {
        let settings = [sc.settings.clone(), args.common.set.clone()].concat();
        for cfg in &configs {
            let cfg = breakwater_lab::engines::with_settings(cfg.clone(), &settings)?;
            let label = run_label(&sc.name, &cfg);
            jobs.push((sc, cfg, label));
        }
    }
    let mut traces: Vec<RunTrace> = Vec::new();
    let mut failures: Vec<String> = Vec::new();
    for (label, result) in run_jobs(jobs, args.chain, args.profile) {
        match result {
            Ok(trace) => traces.push(trace),
            Err(e) => {
                eprintln!("error: {e:#}");
                failures.push(label);
            }
        }
    }

    let out = &args.common.out_dir(args.chain);
    let all_metrics: Vec<Metrics> = traces.iter().map(metrics::compute).collect();
    let mut files = Vec::new();
    if !traces.is_empty() {
        files.extend(report::write_outputs(out, &traces, &all_metrics)?);
        files.extend(write_scenario_charts(out, &scenarios, &traces));

        let rows: Vec<(String, EngineKind, Metrics)> = traces
            .iter()
            .zip(&all_metrics)
            .map(|(t, m)| (t.scenario.clone(), t.config.engine, m.clone()))
            .collect();
        println!();
        if !args.disable.is_empty() && engines.contains(&EngineKind::Breakwater) {
            println!(
                "breakwater runs with mechanisms disabled: {}",
                args.disable.join(", ")
            );
        }
        print!("{}", report::table(&rows));
        println!("\n{}", report::TABLE_NOTES);
        print!("{}", summary_matrices(&rows));
        print_contagion(&traces, &all_metrics);
        print_files(out, &files);
    }

    if !failures.is_empty() {
        bail!(
            "{} of {total} runs failed: {}",
            failures.len(),
            failures.join(", ")
        );
    }
    Ok(())
}

/// Charts for every scenario that has at least one trace. Chart problems (no font, drawing
/// errors) are warnings: the numbers are already written.
fn write_scenario_charts(out: &Path, scenarios: &[Scenario], traces: &[RunTrace]) -> Vec<PathBuf> {
    if let Err(e) = charts::ensure_font() {
        eprintln!("warning: charts skipped: {e:#}");
        return Vec::new();
    }
    let mut files = Vec::new();
    let mut names: Vec<&str> = scenarios.iter().map(|s| s.name.as_str()).collect();
    for t in traces {
        if !names.contains(&t.scenario.as_str()) {
            names.push(&t.scenario);
        }
    }
    for name in names {
        let runs: Vec<&RunTrace> = traces.iter().filter(|t| t.scenario == name).collect();
        if runs.is_empty() {
            continue;
        }
        match charts::scenario_charts(out, name, &runs) {
            Ok(paths) => files.extend(paths),
            Err(e) => eprintln!("warning: charts for {name} skipped: {e:#}"),
        }
    }
    files
}

/// The engines × scenarios matrices of the headline metrics.
fn summary_matrices(rows: &[(String, EngineKind, Metrics)]) -> String {
    [
        report::matrix("Uncovered bad debt, % of initial debt", rows, |m| {
            report::fmt_pct(m.uncovered_bad_debt_pct)
        }),
        report::matrix("Endogenous impact, pp", rows, |m| {
            report::fmt_pp(m.endogenous_impact_pct)
        }),
        report::matrix("Borrower loss, % of initial debt", rows, |m| {
            report::fmt_pct(m.borrower_loss_pct)
        }),
    ]
    .join("\n")
}

/// Per-collateral lines of runs with several collaterals.
fn print_contagion(traces: &[RunTrace], metrics: &[Metrics]) {
    let multi: Vec<(&RunTrace, &Metrics)> = traces
        .iter()
        .zip(metrics)
        .filter(|(t, _)| t.assets.len() > 1)
        .collect();
    if multi.is_empty() {
        return;
    }
    println!("\nContagion (per collateral: liquidated, bad debt, impact, impact caused by other collaterals' liquidations):");
    for (t, m) in multi {
        let cells: Vec<String> = m
            .assets
            .iter()
            .map(|a| {
                format!(
                    "{} liq {} bad {} impact {} cross {}",
                    a.name,
                    report::fmt_usd(a.liquidated_debt),
                    report::fmt_usd(a.bad_debt),
                    report::fmt_pp(a.endogenous_impact_pct),
                    report::fmt_pp(a.cross_impact_pct)
                )
            })
            .collect();
        println!(
            "  {} / {}: {}",
            t.scenario,
            t.config.engine.name(),
            cells.join("; ")
        );
    }
}

fn print_files(out: &Path, files: &[PathBuf]) {
    println!("\n{} files written to {}:", files.len(), out.display());
    for f in files {
        println!("  {}", f.display());
    }
}

fn default_sweep_scenario() -> anyhow::Result<String> {
    let builtins = scenario::builtin_names();
    if builtins.contains(&"black-thursday") {
        Ok("black-thursday".into())
    } else {
        builtins
            .first()
            .map(|s| s.to_string())
            .ok_or_else(|| anyhow!("no built-in scenarios; pass --scenario FILE"))
    }
}

fn cmd_sweep(args: &SweepArgs) -> anyhow::Result<()> {
    for &v in &args.values {
        args.param.validate(v).map_err(|e| anyhow!(e))?;
    }
    let name = match &args.scenario {
        Some(s) => s.clone(),
        None => default_sweep_scenario()?,
    };
    let sc = load_scenario(&name)?;
    let param = args.param.name();
    let engines = args.param.engines();

    let mut rows: Vec<(f64, EngineKind, Metrics)> = Vec::new();
    let mut points_json = Vec::new();
    let mut failures = Vec::new();
    let mut jobs = Vec::new();
    let mut values = Vec::new();
    for &v in &args.values {
        for &engine in &engines {
            let cfg = args.param.apply(
                &base_config(engine, &args.common, ChainChoice::Multitest),
                v,
            );
            let label = format!("{param}={} / {}", report::fmt_value(v), engine.name());
            values.push((v, engine, cfg.clone()));
            jobs.push((&sc, cfg, label));
        }
    }
    for ((v, engine, cfg), (label, result)) in
        values
            .into_iter()
            .zip(run_jobs(jobs, ChainChoice::Multitest, false))
    {
        match result {
            Ok(trace) => {
                let m = metrics::compute(&trace);
                points_json.push(json!({
                    "value": v,
                    "engine": engine.name(),
                    "config": cfg,
                    "initial_debt": trace.initial_debt,
                    "metrics": m,
                }));
                rows.push((v, engine, m));
            }
            Err(e) => {
                eprintln!("error: {e:#}");
                failures.push(label);
            }
        }
    }

    let out = &args.common.out_dir(ChainChoice::Multitest);
    let mut files = Vec::new();
    if !rows.is_empty() {
        std::fs::create_dir_all(out)
            .with_context(|| format!("cannot create output directory {}", out.display()))?;
        let json_path = out.join(format!("sweep-{param}.json"));
        let doc = json!({
            "param": param,
            "scenario": sc.name,
            "values": args.values,
            "points": points_json,
        });
        std::fs::write(&json_path, serde_json::to_string_pretty(&doc)? + "\n")
            .with_context(|| format!("cannot write {}", json_path.display()))?;
        files.push(json_path);

        let png_path = out.join(format!("sweep-{param}.png"));
        let per_engine: Vec<(EngineKind, Vec<(f64, Metrics)>)> = engines
            .iter()
            .map(|&e| {
                let pts = rows
                    .iter()
                    .filter(|r| r.1 == e)
                    .map(|r| (r.0, r.2.clone()))
                    .collect();
                (e, pts)
            })
            .collect();
        let series: Vec<(&str, &[(f64, Metrics)])> = per_engine
            .iter()
            .map(|(e, pts)| (e.name(), pts.as_slice()))
            .collect();
        match charts::sweep_chart_multi(&png_path, param, &sc.name, &series) {
            Ok(()) => files.push(png_path),
            Err(e) => eprintln!("warning: sweep chart skipped: {e:#}"),
        }

        println!("\nSweep of {param} on {}:", sc.name);
        print!("{}", report::sweep_table(param, &rows));
        print_files(out, &files);
    }
    if !failures.is_empty() {
        bail!(
            "{} of {} sweep runs failed: {}",
            failures.len(),
            args.values.len() * engines.len(),
            failures.join(", ")
        );
    }
    Ok(())
}

/// The family `name` with `--family-param` settings applied.
fn load_family(name: &str, params: &[String]) -> anyhow::Result<breakwater_lab::families::Family> {
    use breakwater_lab::families::{parse_range, Family};
    let mut family = Family::load(name)?;
    for p in params {
        let (k, v) = p.split_once('=').ok_or_else(|| {
            anyhow!("--family-param: expected NAME=VALUE or NAME=LO..HI, found `{p}`")
        })?;
        family.set(k.trim(), parse_range(v)?)?;
    }
    Ok(family)
}

fn cmd_paths(args: &PathsArgs) -> anyhow::Result<()> {
    let family = load_family(&args.family, &args.family_params)?;
    std::fs::create_dir_all(&args.out)?;
    let mut files = vec![];
    for i in 0..args.paths {
        let s = family.path(args.seed, i)?;
        let path = args.out.join(format!("{}.csv", report::file_stem(&s.name)));
        std::fs::write(&path, scenario::to_text(&s))?;
        files.push(path);
    }
    print_files(&args.out, &files);
    Ok(())
}

fn cmd_stress(args: &StressArgs) -> anyhow::Result<()> {
    use breakwater_lab::stress;
    let family = load_family(&args.family, &args.family_params)?;
    // The book's seed is the stress seed: every path faces the same book.
    let mut common = args.common.clone();
    if common.accounts.is_none() {
        common.accounts = Some(1_000);
    }
    let seed = common.seed.unwrap_or(42);
    let configs: Vec<RunConfig> = args
        .engine
        .kinds()
        .iter()
        .map(|&e| {
            let mut cfg = base_config(e, &common, ChainChoice::Multitest);
            if e == EngineKind::Breakwater {
                cfg.disabled = args.disable.clone();
            }
            breakwater_lab::engines::with_settings(cfg, &common.set)
        })
        .collect::<anyhow::Result<_>>()?;
    let shard = args.shard.unwrap_or((0, 1));
    let out = common
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("lab-out/stress"));
    let n_paths = stress::shard_paths(args.paths, shard).len();
    eprintln!(
        "stress: family {}, paths {} of {} (shard {}/{}), {} engines, {} accounts, {} threads",
        family.name,
        n_paths,
        args.paths,
        shard.0,
        shard.1,
        configs.len(),
        common.accounts.unwrap_or(0),
        engine::default_threads()
    );
    let started = Instant::now();
    let last = std::sync::Mutex::new(Instant::now());
    let progress = |done: usize, total: usize| {
        let mut l = last.lock().unwrap_or_else(|e| e.into_inner());
        if done == total || l.elapsed().as_secs() >= 10 {
            *l = Instant::now();
            eprintln!(
                "  {done}/{total} runs, {:.0} s",
                started.elapsed().as_secs_f64()
            );
        }
    };
    let result = stress::run_shard(
        &family,
        seed,
        args.paths,
        shard,
        &configs,
        engine::default_threads(),
        &progress,
    );
    for r in result.results.iter().filter(|r| r.error.is_some()) {
        eprintln!(
            "error: path {} / {}: {}",
            r.path,
            r.engine,
            r.error.as_deref().unwrap_or("")
        );
    }
    let file = stress::write_shard(&out, &result)?;
    eprintln!("wrote {} ({:.1} s)", file.display(), result.seconds);
    if args.shard.is_none() {
        merge_and_report(&[result], &out)?;
    } else {
        println!(
            "shard {}/{} written to {}; merge all shards with `lab merge DIR...`",
            shard.0,
            shard.1,
            file.display()
        );
    }
    Ok(())
}

fn cmd_merge(args: &MergeArgs) -> anyhow::Result<()> {
    let shards = breakwater_lab::stress::read_shards(&args.dirs)?;
    let out = args.out.clone().unwrap_or_else(|| args.dirs[0].clone());
    let out = if out.is_file() {
        out.parent().map(Path::to_path_buf).unwrap_or_default()
    } else {
        out
    };
    merge_and_report(&shards, &out)
}

fn merge_and_report(shards: &[breakwater_lab::stress::Shard], out: &Path) -> anyhow::Result<()> {
    let summary = breakwater_lab::stress::merge(shards)?;
    let mut files = breakwater_lab::stress::write_summary(out, &summary)?;
    match charts::stress_charts(out, &summary) {
        Ok(paths) => files.extend(paths),
        Err(e) => eprintln!("warning: stress charts skipped: {e:#}"),
    }
    println!();
    print!("{}", breakwater_lab::stress::table(&summary));
    println!(
        "{} shard(s), {:.1} s of run time in total",
        summary.shards, summary.seconds
    );
    print_files(out, &files);
    Ok(())
}

fn cmd_params() -> anyhow::Result<()> {
    let all = breakwater_lab::engines::all_params();
    let width = all.iter().map(|p| p.name.len()).max().unwrap_or(0);
    for p in &all {
        println!(
            "{:<width$}  {:>10}  {}",
            p.name,
            report::fmt_value(p.value),
            p.doc
        );
    }
    println!(
        "{:<width$}  {:>10}  multiplies collateral <asset>'s external depth",
        "depth.<asset>", "1"
    );
    Ok(())
}

fn cmd_scenarios() -> anyhow::Result<()> {
    let builtins = scenario::builtin_names();
    if builtins.is_empty() {
        println!("no built-in scenarios");
        return Ok(());
    }
    let extras = scenario::extra_names();
    let width = builtins
        .iter()
        .chain(&extras)
        .map(|n| n.len())
        .max()
        .unwrap_or(0);
    for name in builtins.iter().chain(&extras) {
        match scenario::load(name) {
            Ok(sc) => println!("{name:<width$}  {}", sc.event),
            Err(e) => println!("{name:<width$}  (cannot load: {e:#})"),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use breakwater_lab::model::{DepthKind, DepthParams};

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("lab").chain(args.iter().copied()))
    }

    fn run_args(args: &[&str]) -> RunArgs {
        match parse(args).unwrap().command {
            Some(Command::Run(a)) => a,
            other => panic!("not a run: {other:?}"),
        }
    }

    fn sweep_args(args: &[&str]) -> SweepArgs {
        match parse(args).unwrap().command {
            Some(Command::Sweep(a)) => a,
            other => panic!("not a sweep: {other:?}"),
        }
    }

    #[test]
    fn cli_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn no_arguments_means_run_all_with_both_engines() {
        assert!(parse(&[]).unwrap().command.is_none());
        match default_command() {
            Command::Run(a) => {
                assert!(a.all);
                assert_eq!(a.engine.kinds(), EngineKind::ALL);
                assert_eq!(a.chain, ChainChoice::Multitest);
                assert_eq!(a.common.out_dir(a.chain), PathBuf::from("lab-out"));
                assert!(a.common.accounts.is_none() && a.common.seed.is_none());
                assert!(a.disable.is_empty());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn run_options_parse() {
        let a = run_args(&[
            "run",
            "--scenario",
            "black-thursday",
            "-s",
            "my.json",
            "--engine",
            "breakwater",
            "--accounts",
            "500",
            "--seed",
            "9",
            "--out",
            "x",
            "--step",
            "30",
            "--disable",
            "throttle",
            "--disable",
            "Median-Oracle",
        ]);
        assert_eq!(a.scenarios, ["black-thursday", "my.json"]);
        assert!(!a.all);
        assert_eq!(a.engine.kinds(), [EngineKind::Breakwater]);
        assert_eq!(a.common.accounts, Some(500));
        assert_eq!(a.common.seed, Some(9));
        assert_eq!(a.common.out_dir(ChainChoice::Local), PathBuf::from("x"));
        assert_eq!(a.common.step, Some(30));
        assert_eq!(a.disable, ["throttle", "median_oracle"]);
    }

    #[test]
    fn bad_run_options_are_rejected() {
        assert!(parse(&["run", "--disable", "magic"]).is_err());
        assert!(parse(&["run", "--engine", "both-ish"]).is_err());
        assert!(parse(&["run", "--accounts", "0"]).is_err());
        assert!(parse(&["run", "--step", "0"]).is_err());
        assert!(parse(&["run", "--seed", "-1"]).is_err());
        assert!(parse(&["run", "--chain", "mainnet"]).is_err());
        assert!(parse(&["frobnicate"]).is_err());
        let err = parse(&["run", "--disable", "magic"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("throttle") && err.contains("breaker"), "{err}");
    }

    #[test]
    fn the_local_chain_defaults_to_a_short_devnet_run() {
        let a = run_args(&["run", "--chain", "local", "--engine", "both"]);
        assert_eq!(a.chain, ChainChoice::Local);
        assert_eq!(
            scenario_list(&a, &["a", "b"]),
            [wasmd::LOCAL_SCENARIO.to_string()]
        );
        assert_eq!(a.common.out_dir(a.chain), PathBuf::from("lab-out/devnet"));
        let cfg = base_config(EngineKind::Breakwater, &a.common, a.chain);
        assert_eq!(
            (cfg.accounts, cfg.step),
            (wasmd::LOCAL_ACCOUNTS, wasmd::LOCAL_STEP)
        );
        let a = run_args(&["run", "--chain", "local", "--accounts", "8", "--step", "5"]);
        let cfg = base_config(EngineKind::Naive, &a.common, a.chain);
        assert_eq!((cfg.accounts, cfg.step), (8, 5));
        let a = run_args(&["run", "--chain", "local", "-s", "oracle-wick"]);
        assert_eq!(scenario_list(&a, &["a"]), ["oracle-wick"]);
        let a = run_args(&["run", "--chain", "local", "--all"]);
        assert_eq!(scenario_list(&a, &["a", "b"]), ["a", "b"]);
        // The embedded chain keeps its defaults.
        let a = run_args(&["run"]);
        let cfg = base_config(EngineKind::Naive, &a.common, a.chain);
        assert_eq!(cfg, breakwater_lab::default_config(EngineKind::Naive));
    }

    #[test]
    fn every_mechanism_can_be_disabled() {
        for m in MECHANISMS {
            assert_eq!(parse_mechanism(m).unwrap(), *m);
        }
    }

    #[test]
    fn scenario_list_defaults_to_all_and_dedupes() {
        let builtins = ["a", "b"];
        assert_eq!(scenario_list(&run_args(&["run"]), &builtins), ["a", "b"]);
        assert_eq!(
            scenario_list(&run_args(&["run", "-s", "b"]), &builtins),
            ["b"]
        );
        assert_eq!(
            scenario_list(
                &run_args(&["run", "--all", "-s", "b", "-s", "f.json"]),
                &builtins
            ),
            ["a", "b", "f.json"]
        );
    }

    #[test]
    fn engine_choice_maps_to_kinds() {
        assert_eq!(
            parse_engines("both").unwrap().kinds(),
            [EngineKind::Naive, EngineKind::Breakwater]
        );
        assert_eq!(parse_engines("naive").unwrap().kinds(), [EngineKind::Naive]);
        assert_eq!(
            parse_engines("aave, breakwater,aave").unwrap().kinds(),
            [EngineKind::Breakwater, EngineKind::Aave]
        );
        assert_eq!(parse_engines("all").unwrap().kinds(), EngineKind::ALL);
        assert!(!parse_engines("peers")
            .unwrap()
            .kinds()
            .contains(&EngineKind::Naive));
        assert!(parse_engines("gauntlet").is_err());
    }

    #[test]
    fn sweep_options_parse() {
        let a = sweep_args(&["sweep", "--param", "target-hf", "--values", "1.02,1.05,1.1"]);
        assert_eq!(a.param, SweepParam::TargetHf);
        assert_eq!(a.values, [1.02, 1.05, 1.1]);
        assert!(a.scenario.is_none());
        let a = sweep_args(&[
            "sweep",
            "--param",
            "depth",
            "--values",
            "0.5,1,2",
            "--scenario",
            "oracle-wick",
            "--accounts",
            "100",
            "--seed",
            "3",
            "--out",
            "o",
        ]);
        assert_eq!(a.param, SweepParam::Depth);
        assert_eq!(a.scenario.as_deref(), Some("oracle-wick"));
        assert_eq!(a.common.accounts, Some(100));
        assert!(
            parse(&["sweep", "--param", "depth"]).is_err(),
            "values are required"
        );
        assert!(parse(&["sweep", "--param", "colour", "--values", "1"]).is_err());
        assert!(parse(&["sweep", "--param", "depth", "--values", "1,x"]).is_err());
    }

    #[test]
    fn sweep_values_are_validated() {
        assert!(SweepParam::Depth.validate(0.5).is_ok());
        assert!(SweepParam::Depth.validate(0.0).is_err());
        assert!(SweepParam::Backstop.validate(0.0).is_ok());
        assert!(SweepParam::Backstop.validate(-0.1).is_err());
        assert!(SweepParam::Throttle.validate(f64::NAN).is_err());
        assert!(SweepParam::TargetHf.validate(1.05).is_ok());
        assert!(SweepParam::TargetHf.validate(0.9).is_err());
    }

    fn config() -> RunConfig {
        RunConfig {
            engine: EngineKind::Breakwater,
            accounts: 10,
            seed: 1,
            step: 60,
            depth: DepthParams {
                kind: DepthKind::LinearBook,
                depth_per_pct: 2_000.0,
                recovery_half_life: 600.0,
            },
            keepers: Default::default(),
            oracle_delay: 0,
            disabled: vec![],
            overrides: vec![],
        }
    }

    #[test]
    fn sweep_sets_the_right_field() {
        let base = config();
        assert_eq!(
            SweepParam::Depth.apply(&base, 0.25).depth.depth_per_pct,
            500.0
        );
        let bw = |c: &RunConfig| breakwater_lab::run::bw(c);
        assert_eq!(bw(&SweepParam::Backstop.apply(&base, 0.2)).backstop, 0.2);
        assert_eq!(
            bw(&SweepParam::Throttle.apply(&base, 3.0)).throttle_pct,
            3.0
        );
        assert_eq!(bw(&SweepParam::TargetHf.apply(&base, 1.2)).target_hf, 1.2);
        let changed = SweepParam::Throttle.apply(&base, 3.0);
        assert_eq!(
            RunConfig {
                overrides: vec![],
                ..changed
            },
            base
        );
        assert_eq!(SweepParam::Depth.engines().len(), 2);
        assert_eq!(SweepParam::Backstop.engines(), [EngineKind::Breakwater]);
    }

    #[test]
    fn run_labels_name_disabled_mechanisms() {
        let mut cfg = config();
        assert_eq!(run_label("x", &cfg), "x / breakwater");
        cfg.disabled = vec!["floor".into(), "breaker".into()];
        assert_eq!(run_label("x", &cfg), "x / breakwater -floor -breaker");
    }
}
