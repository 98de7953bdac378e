//! `keeper`: the local devnet, the deployer and the keeper bots in one binary.
//!
//! ```text
//! keeper devnet up|down|status|reset|accounts     a single-node wasmd chain on loopback
//! keeper deploy [--plan plan.toml]                store + instantiate + wire the contracts
//! keeper run [--roles liquidator,bidder,...]      the keeper bots until SIGINT/SIGTERM
//! ```
//! Every command reads `--config keeper.toml` (optional; defaults fit the devnet).
use anyhow::{Context, Result};
use breakwater_chain::client::Wallet;
use breakwater_chain::deploy::{self, DeployRequest, Deployment};
use breakwater_chain::devnet::{self, DevnetCommand};
use breakwater_keeper::bots::{self, Ctx};
use breakwater_keeper::config::{Config, PriceSource};
use breakwater_keeper::metrics::Metrics;
use breakwater_types::deploy::DeployPlan;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(
    name = "keeper",
    about = "Breakwater on a real chain: devnet, deployer, keeper bots"
)]
struct Cli {
    /// TOML configuration (see packages/keeper/keeper.toml).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// CometBFT RPC URL (overrides chain.rpc).
    #[arg(long, global = true)]
    rpc: Option<String>,
    /// Chain id (overrides chain.chain_id).
    #[arg(long, global = true)]
    chain_id: Option<String>,
    /// Deployment file (overrides `deployment`).
    #[arg(long, global = true)]
    deployment: Option<PathBuf>,
    /// Log filter (tracing EnvFilter syntax), e.g. `info` or `breakwater_keeper=debug`.
    #[arg(long, global = true, default_value = "info")]
    log: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// The local wasmd devnet.
    Devnet {
        #[command(subcommand)]
        cmd: DevnetCommand,
    },
    /// Stores the optimized wasm and instantiates the four contracts wired to each other.
    Deploy {
        /// The deployment plan (TOML or JSON of `DeployPlan`); default: the devnet plan.
        #[arg(long)]
        plan: Option<PathBuf>,
        /// Folder with the optimized wasm.
        #[arg(long, default_value = "artifacts")]
        artifacts: PathBuf,
        /// Key name of the owner (and admin).
        #[arg(long, default_value = "owner")]
        owner: String,
        /// Key name of the breaker guardian.
        #[arg(long, default_value = "guardian")]
        guardian: String,
        /// Key names of the feeders.
        #[arg(long, value_delimiter = ',', default_value = "feeder0,feeder1,feeder2")]
        feeders: Vec<String>,
    },
    /// Runs the keeper bots until SIGINT/SIGTERM.
    Run {
        /// Only these roles (feeder, liquidator, bidder, resetter, backstop); default: the
        /// roles enabled in the config.
        #[arg(long, value_delimiter = ',')]
        roles: Option<Vec<String>>,
        /// Feeder price path (CSV `t,denom,price`).
        #[arg(long)]
        price_file: Option<PathBuf>,
        /// Feeder HTTP price source (JSON object denom -> price).
        #[arg(long)]
        price_url: Option<String>,
        /// Metrics listen address (loopback).
        #[arg(long)]
        metrics: Option<String>,
    },
}

fn load_plan(path: Option<&PathBuf>) -> Result<DeployPlan> {
    let Some(p) = path else {
        return Ok(DeployPlan::default());
    };
    let text = std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
    if p.extension().is_some_and(|e| e == "json") {
        serde_json::from_str(&text).with_context(|| format!("parsing {}", p.display()))
    } else {
        toml::from_str(&text).with_context(|| format!("parsing {}", p.display()))
    }
}

async fn deploy_cmd(
    cfg: &Config,
    plan: Option<PathBuf>,
    artifacts: PathBuf,
    owner: String,
    guardian: String,
    feeders: Vec<String>,
) -> Result<()> {
    let client = cfg.client()?;
    let mut wallet = Wallet::new(cfg.signer(&owner)?);
    let feeders = feeders
        .iter()
        .map(|f| Ok(cfg.signer(f)?.address.to_string()))
        .collect::<Result<Vec<_>>>()?;
    let req = DeployRequest {
        plan: load_plan(plan.as_ref())?,
        artifacts,
        feeders,
        guardian: Some(cfg.signer(&guardian)?.address.to_string()),
        out: cfg.deployment.clone(),
    };
    let d = deploy::deploy(&client, &mut wallet, &req).await?;
    println!("deployment written to {}", cfg.deployment.display());
    for (name, addr, code) in [
        ("oracle", &d.oracle, &d.oracle_code),
        ("market", &d.market, &d.market_code),
        ("liquidator", &d.liquidator, &d.liquidator_code),
        ("backstop", &d.backstop, &d.backstop_code),
    ] {
        println!("  {name:<11} code {:>3}  {addr}", code.code_id);
    }
    Ok(())
}

async fn run_cmd(
    mut cfg: Config,
    roles: Option<Vec<String>>,
    price_file: Option<PathBuf>,
    price_url: Option<String>,
    metrics_listen: Option<String>,
) -> Result<()> {
    if let Some(p) = price_file {
        cfg.feeder.source = Some(PriceSource::Scenario(p));
        cfg.feeder.enabled = true;
    }
    if let Some(u) = price_url {
        cfg.feeder.source = Some(PriceSource::Http(u));
        cfg.feeder.enabled = true;
    }
    if let Some(roles) = &roles {
        const KNOWN: [&str; 5] = ["feeder", "liquidator", "bidder", "resetter", "backstop"];
        if let Some(bad) = roles.iter().find(|r| !KNOWN.contains(&r.as_str())) {
            anyhow::bail!("unknown role {bad:?}: expected one of {}", KNOWN.join(", "));
        }
        let on = |r: &str| roles.iter().any(|x| x == r);
        cfg.feeder.enabled = on("feeder");
        cfg.liquidator.enabled = on("liquidator");
        cfg.bidder.enabled = on("bidder");
        cfg.resetter.enabled = on("resetter");
        cfg.backstop.enabled = on("backstop");
    }
    if let Some(m) = metrics_listen {
        cfg.metrics.listen = m;
    }
    let deployment = Arc::new(
        Deployment::load(&cfg.deployment)
            .with_context(|| "no deployment: run `keeper deploy` first".to_string())?,
    );
    let metrics = Arc::new(Metrics::default());
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let ctx = Ctx {
        client: cfg.client()?,
        deployment,
        metrics: metrics.clone(),
        shutdown: stop_rx.clone(),
        poll: Duration::from_millis(cfg.chain.poll_ms.max(50)),
    };
    let mut tasks = bots::spawn(&cfg, &ctx)?;
    if !cfg.metrics.listen.is_empty() {
        let (listen, m, rx) = (cfg.metrics.listen.clone(), metrics.clone(), stop_rx.clone());
        tasks.spawn(async move { breakwater_keeper::metrics::serve(&listen, m, rx).await });
    }
    tracing::info!(roles = tasks.len(), "keeper running");

    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let mut failure = None;
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => { tracing::info!("SIGINT: stopping"); break; }
            _ = term.recv() => { tracing::info!("SIGTERM: stopping"); break; }
            done = tasks.join_next() => match done {
                None => break,
                Some(Ok(Ok(()))) => {}
                Some(Ok(Err(e))) => { failure = Some(e); break; }
                Some(Err(e)) => { failure = Some(anyhow::anyhow!("a role panicked: {e}")); break; }
            }
        }
    }
    let _ = stop_tx.send(true);
    let drain = async { while tasks.join_next().await.is_some() {} };
    if tokio::time::timeout(Duration::from_secs(10), drain)
        .await
        .is_err()
    {
        tracing::warn!("roles did not stop within 10 s");
    }
    print!("{}", metrics.render());
    match failure {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(&cli.log))
        .with_writer(std::io::stderr)
        .init();
    let mut cfg = Config::load(cli.config.as_deref())?;
    if let Some(r) = cli.rpc {
        cfg.chain.rpc = r;
    }
    if let Some(c) = cli.chain_id {
        cfg.chain.chain_id = c;
    }
    if let Some(d) = cli.deployment {
        cfg.deployment = d;
    }
    match cli.command {
        Command::Devnet { cmd } => {
            tokio::task::spawn_blocking(move || devnet::run(&cmd, &cfg.devnet)).await?
        }
        Command::Deploy {
            plan,
            artifacts,
            owner,
            guardian,
            feeders,
        } => deploy_cmd(&cfg, plan, artifacts, owner, guardian, feeders).await,
        Command::Run {
            roles,
            price_file,
            price_url,
            metrics,
        } => run_cmd(cfg, roles, price_file, price_url, metrics).await,
    }
}
