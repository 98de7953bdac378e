//! `keeper`: the local devnet, the deployer and the keeper bots in one binary.
//!
//! ```text
//! keeper devnet up|down|status|reset|accounts [--validators 4]   wasmd on loopback
//! keeper deploy [--plan plan.toml] [--venues]      store + instantiate + wire the contracts
//! keeper migrate [--contracts market,...]          migrate to new optimized code
//! keeper handover --to <address>                   admin and ownership to a multisig
//! keeper accept-ownership --key <name>             (the new owner, when it is a key)
//! keeper keys                                      addresses of every key the roles use
//! keeper check                                     preflight: endpoints, contracts, keys
//! keeper run [--roles ...] [--dry-run]             the keeper bots until SIGINT/SIGTERM
//! keeper risk [--json]                             liquidatable debt under price shocks
//! ```
//! Every command reads `--config keeper.toml` (optional; defaults fit the devnet).
use anyhow::{bail, Context, Result};
use breakwater_chain::client::{Gas, Wallet};
use breakwater_chain::deploy::{self, DeployRequest, Deployment};
use breakwater_chain::devnet::{self, DevnetCommand};
use breakwater_keeper::bots::{self, Ctx};
use breakwater_keeper::config::{Config, DepthReports, PriceSource};
use breakwater_keeper::metrics::Metrics;
use breakwater_keeper::{ops, risk};
use breakwater_types::deploy::DeployPlan;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(
    name = "keeper",
    version = concat!(env!("CARGO_PKG_VERSION"), " (", env!("BREAKWATER_GIT_REV"), ")"),
    about = "Breakwater on a real chain: devnet, deployer, keeper bots"
)]
struct Cli {
    /// TOML configuration (see packages/keeper/keeper.toml and packages/keeper/chains/).
    #[arg(long, global = true, env = "BREAKWATER_CONFIG")]
    config: Option<PathBuf>,
    /// CometBFT RPC URL (overrides chain.rpc; repeat it for several endpoints).
    #[arg(long, global = true)]
    rpc: Vec<String>,
    /// Chain id (overrides chain.chain_id).
    #[arg(long, global = true)]
    chain_id: Option<String>,
    /// Deployment file (overrides `deployment`; default deployments/<chain-id>.json).
    #[arg(long, global = true)]
    deployment: Option<PathBuf>,
    /// Devnet ports from one number: RPC of node 0 (P2P −1, gRPC +2, REST +3; node i +10·i).
    /// Also points the keeper at that devnet unless --rpc is given.
    #[arg(long, global = true, env = "BREAKWATER_DEVNET_PORT_BASE")]
    port_base: Option<u16>,
    /// Devnet home (overrides devnet.home); its accounts.json becomes the key file.
    #[arg(long, global = true, env = "BREAKWATER_DEVNET_HOME")]
    devnet_home: Option<PathBuf>,
    /// Log filter (tracing EnvFilter syntax), e.g. `info` or `breakwater_keeper=debug`.
    #[arg(long, global = true, env = "RUST_LOG", default_value = "info")]
    log: String,
    /// Log format: human-readable text or one JSON object per line.
    #[arg(
        long,
        global = true,
        env = "BREAKWATER_LOG_FORMAT",
        default_value = "text"
    )]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// The local wasmd devnet.
    Devnet {
        #[command(subcommand)]
        cmd: DevnetCommand,
        /// Validators, one node each on loopback (default: as the home was created, else 1).
        #[arg(long, global = true)]
        validators: Option<u32>,
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
        /// Devnet only: also a constant-product pool per collateral (seeded by the owner at
        /// the plan's prices) and the flash receiver, recorded as the bidder's venues.
        #[arg(long)]
        venues: bool,
    },
    /// Migrates the contracts to the optimized wasm in `--artifacts` (new code is stored).
    Migrate {
        /// Only these contracts (oracle, market, liquidator, backstop); default: all.
        #[arg(long, value_delimiter = ',')]
        contracts: Vec<String>,
        /// Folder with the optimized wasm.
        #[arg(long, default_value = "artifacts")]
        artifacts: PathBuf,
        /// Key name of the contracts' wasm admin.
        #[arg(long, default_value = "owner")]
        admin: String,
    },
    /// Hands the contracts' wasm admin and ownership to an address (a multisig): the admin
    /// moves at once, ownership when the new owner sends AcceptOwnership to each contract.
    Handover {
        /// The new admin and owner.
        #[arg(long)]
        to: String,
        /// Key name of the current owner and admin.
        #[arg(long, default_value = "owner")]
        owner: String,
    },
    /// Accepts the ownership of the four contracts with a key (a new owner that is a key;
    /// a multisig sends the messages `keeper handover` printed instead).
    AcceptOwnership {
        /// Key name of the new owner.
        #[arg(long)]
        key: String,
    },
    /// Prints the address of every key the enabled roles sign with.
    Keys,
    /// Preflight: RPC endpoints and chain id, gas price, fee denom, contracts, keys and
    /// balances. Exits non-zero when something would stop the keeper.
    Check,
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
        /// Market depth the feeder sends with each price: off, source (the price source's),
        /// or auto (the source's, else the deployment's venue pool's); default: `feeder.depth`.
        #[arg(long)]
        depth: Option<String>,
        /// Metrics and health listen address.
        #[arg(long)]
        metrics: Option<String>,
        /// Simulate every transaction and log what would be sent; send nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Reads the live market: per collateral, the debt that becomes liquidatable at each
    /// price shock, the backstop's coverage and the spiral index against the depth.
    Risk {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
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

/// A client for the configured chain, failing fast when no endpoint answers.
async fn connect(cfg: &Config) -> Result<breakwater_chain::client::Client> {
    cfg.validate()?;
    let client = cfg.client()?;
    client.preflight().await?;
    client.refresh_gas_price().await?;
    Ok(client)
}

fn print_deployment(d: &Deployment, path: &std::path::Path) {
    println!("deployment: {}", path.display());
    for (name, addr, code) in d.contracts() {
        println!("  {name:<11} code {:>3}  {addr}", code.code_id);
    }
    for (denom, pool) in &d.venues {
        println!("  pool {denom:<6} {pool}");
    }
    if let Some(r) = &d.flash_receiver {
        println!("  flash receiver {r}");
    }
}

struct DeployArgs {
    plan: Option<PathBuf>,
    artifacts: PathBuf,
    owner: String,
    guardian: String,
    feeders: Vec<String>,
    venues: bool,
}

async fn deploy_cmd(cfg: &Config, a: DeployArgs) -> Result<()> {
    let client = connect(cfg).await?;
    let mut wallet = Wallet::new(cfg.signer(&a.owner)?);
    let feeders = a
        .feeders
        .iter()
        .map(|f| Ok(cfg.signer(f)?.address.to_string()))
        .collect::<Result<Vec<_>>>()?;
    let req = DeployRequest {
        plan: load_plan(a.plan.as_ref())?,
        artifacts: a.artifacts.clone(),
        feeders,
        guardian: Some(cfg.signer(&a.guardian)?.address.to_string()),
        out: cfg.deployment_path(),
    };
    let mut d = deploy::deploy(&client, &mut wallet, &req).await?;
    if a.venues {
        breakwater_chain::venues::deploy_venues(&client, &mut wallet, &mut d, &a.artifacts).await?;
        d.save(&req.out)?;
    }
    print_deployment(&d, &req.out);
    Ok(())
}

async fn migrate_cmd(
    cfg: &Config,
    contracts: Vec<String>,
    artifacts: PathBuf,
    admin: String,
) -> Result<()> {
    let client = connect(cfg).await?;
    let path = cfg.deployment_path();
    let mut d = ops::load_deployment(cfg)?;
    let mut wallet = Wallet::new(cfg.signer(&admin)?);
    let done = deploy::migrate(&client, &mut wallet, &mut d, &artifacts, &contracts, &path).await?;
    for m in done {
        if m.from == m.to {
            println!("  {:<11} code {:>3}  unchanged", m.name, m.from);
        } else {
            println!("  {:<11} code {:>3} -> {}", m.name, m.from, m.to);
        }
    }
    Ok(())
}

async fn handover_cmd(cfg: &Config, to: String, owner: String) -> Result<()> {
    let client = connect(cfg).await?;
    let path = cfg.deployment_path();
    let mut d = ops::load_deployment(cfg)?;
    let mut wallet = Wallet::new(cfg.signer(&owner)?);
    let out = deploy::handover(&client, &mut wallet, &mut d, &to, &path).await?;
    println!(
        "admin of the four contracts is now {to}; ownership proposed (tx {} at height {}).",
        out.hash, out.height
    );
    println!("{to} accepts with these messages (one transaction, signed by {to}):");
    let new_owner = to
        .parse()
        .map_err(|e| anyhow::anyhow!("address {to}: {e}"))?;
    for (name, addr, _) in d.contracts() {
        println!(
            "  {name:<11} {addr}  {}",
            serde_json::json!({ "ownership": { "accept_ownership": {} } })
        );
    }
    // The same messages as protobuf Any, for tools that sign raw messages.
    let n = deploy::accept_ownership_msgs(&new_owner, &d)?.len();
    println!("({n} MsgExecuteContract; `wasmd tx wasm execute <contract> '{{\"ownership\":{{\"accept_ownership\":{{}}}}}}' --from <multisig> --generate-only` builds each)");
    Ok(())
}

async fn accept_cmd(cfg: &Config, key: String) -> Result<()> {
    let client = connect(cfg).await?;
    let path = cfg.deployment_path();
    let mut d = ops::load_deployment(cfg)?;
    let mut wallet = Wallet::new(cfg.signer(&key)?);
    let msgs = deploy::accept_ownership_msgs(&wallet.signer.address, &d)?;
    let out = breakwater_chain::client::ctx(
        wallet.send(&client, &msgs, Gas::Simulate).await,
        "accepting ownership",
    )?;
    d.owner = wallet.address();
    d.pending_owner = None;
    d.save(&path)?;
    println!(
        "{} owns the four contracts (tx {} at height {})",
        d.owner, out.hash, out.height
    );
    Ok(())
}

fn keys_cmd(cfg: &Config) -> Result<()> {
    let mut seen = std::collections::BTreeSet::new();
    let mut show = |role: &str, key: &str, n: u32| -> Result<()> {
        if !seen.insert((key.to_string(), n)) {
            return Ok(());
        }
        let (_, from) = cfg.keys.mnemonic(key)?;
        for (i, s) in cfg.signers(key, n)?.iter().enumerate() {
            let idx = cfg.chain.account_index + i as u32;
            println!(
                "{role:<11} {key:<10} #{idx:<3} {}  (mnemonic from {from})",
                s.address
            );
        }
        Ok(())
    };
    if cfg.feeder.enabled {
        for k in &cfg.feeder.keys {
            show("feeder", k, 1)?;
        }
    }
    if cfg.liquidator.enabled {
        show("liquidator", &cfg.liquidator.key, cfg.liquidator.accounts)?;
    }
    if cfg.bidder.enabled {
        show("bidder", &cfg.bidder.key, 1)?;
    }
    if cfg.resetter.enabled {
        show("resetter", &cfg.resetter.key, 1)?;
    }
    if cfg.backstop.enabled {
        show("backstop", &cfg.backstop.key, 1)?;
    }
    Ok(())
}

struct RunArgs {
    roles: Option<Vec<String>>,
    price_file: Option<PathBuf>,
    price_url: Option<String>,
    depth: Option<String>,
    metrics: Option<String>,
    dry_run: bool,
}

async fn run_cmd(mut cfg: Config, a: RunArgs) -> Result<()> {
    if let Some(p) = a.price_file {
        cfg.feeder.source = Some(PriceSource::Scenario(p));
        cfg.feeder.enabled = true;
    }
    if let Some(u) = a.price_url {
        cfg.feeder.source = Some(PriceSource::Http(u));
        cfg.feeder.enabled = true;
    }
    if let Some(d) = &a.depth {
        cfg.feeder.depth = match d.as_str() {
            "off" => DepthReports::Off,
            "source" => DepthReports::Source,
            "auto" => DepthReports::Auto,
            other => bail!("--depth {other:?}: expected off, source or auto"),
        };
    }
    if let Some(roles) = &a.roles {
        const KNOWN: [&str; 5] = ["feeder", "liquidator", "bidder", "resetter", "backstop"];
        if let Some(bad) = roles.iter().find(|r| !KNOWN.contains(&r.as_str())) {
            bail!("unknown role {bad:?}: expected one of {}", KNOWN.join(", "));
        }
        let on = |r: &str| roles.iter().any(|x| x == r);
        cfg.feeder.enabled = on("feeder");
        cfg.liquidator.enabled = on("liquidator");
        cfg.bidder.enabled = on("bidder");
        cfg.resetter.enabled = on("resetter");
        cfg.backstop.enabled = on("backstop");
    }
    if let Some(m) = a.metrics {
        cfg.metrics.listen = m;
    }
    let client = connect(&cfg).await?;
    let deployment = Arc::new(ops::load_deployment(&cfg)?);
    // Bind the metrics port before anything runs: a busy port is a startup error.
    let listener = if cfg.metrics.listen.is_empty() {
        None
    } else {
        Some(breakwater_keeper::metrics::bind(
            &cfg.metrics.listen,
            cfg.metrics.public,
        )?)
    };
    let metrics = Arc::new(Metrics::default());
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut ctx = Ctx::new(
        client.clone(),
        deployment.clone(),
        metrics.clone(),
        stop_rx.clone(),
    );
    ctx.poll = Duration::from_millis(cfg.chain.poll_ms.max(50));
    ctx.dry_run = a.dry_run;
    ctx.fee_price = ops::fee_price(&cfg, &client, &deployment).await;
    if ctx.fee_price.is_none() {
        tracing::warn!(
            fee_denom = %client.fee_denom,
            "the fee token's price is unknown (set economics.fee_price): fees are not weighed against rewards"
        );
    }
    let (mut tasks, wallets) = bots::spawn(&cfg, &ctx)?;
    if let Some(l) = listener {
        let (m, rx, stale) = (metrics.clone(), stop_rx.clone(), cfg.metrics.stale_secs);
        tasks.spawn(async move { breakwater_keeper::metrics::serve_on(l, stale, m, rx).await });
    }
    tasks.spawn(ops::refresh_loop(
        client.clone(),
        wallets,
        deployment.plan.base_denom.clone(),
        metrics.clone(),
        Duration::from_secs(cfg.metrics.refresh_secs.max(1)),
        stop_rx.clone(),
    ));
    tracing::info!(
        tasks = tasks.len(),
        dry_run = a.dry_run,
        rpc = client.rpc().active_url(),
        "keeper running"
    );

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
    match failure {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

async fn risk_cmd(cfg: &Config, json: bool) -> Result<()> {
    let client = connect(cfg).await?;
    let d = ops::load_deployment(cfg)?;
    let report = risk::assess(&client, &d, &cfg.risk).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{report}");
    }
    Ok(())
}

fn init_logs(cli: &Cli) -> Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_new(&cli.log)
        .with_context(|| format!("bad log filter {:?}", cli.log))?;
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi);
    match cli.log_format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
    Ok(())
}

fn main() {
    let cli = Cli::parse();
    if let Err(e) = init_logs(&cli) {
        eprintln!("error: {e:#}");
        std::process::exit(2);
    }
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            std::process::exit(2);
        }
    };
    // An operator reads one line: the error and its causes, no backtrace.
    if let Err(e) = rt.block_on(real_main(cli)) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

async fn real_main(cli: Cli) -> Result<()> {
    let mut cfg = Config::load(cli.config.as_deref())?;
    let rpc_given = !cli.rpc.is_empty();
    if rpc_given {
        cfg.chain.rpc = cli.rpc;
    }
    if let Some(c) = cli.chain_id {
        cfg.chain.chain_id = c;
    }
    if let Some(d) = cli.deployment {
        cfg.deployment = Some(d);
    }
    if let Some(home) = cli.devnet_home {
        if cfg.keys.accounts_file == Some(cfg.devnet.home.join("accounts.json")) {
            cfg.keys.accounts_file = Some(home.join("accounts.json"));
        }
        cfg.devnet.home = home;
    }
    if let Some(base) = cli.port_base {
        cfg.devnet = cfg.devnet.clone().with_port_base(base)?;
        if !rpc_given {
            cfg.chain.rpc = devnet::rpc_urls(&cfg.devnet)?;
        }
    }
    match cli.command {
        Command::Devnet { cmd, validators } => {
            if validators.is_some() {
                cfg.devnet.validators = validators;
            }
            tokio::task::spawn_blocking(move || devnet::run(&cmd, &cfg.devnet)).await?
        }
        Command::Deploy {
            plan,
            artifacts,
            owner,
            guardian,
            feeders,
            venues,
        } => {
            deploy_cmd(
                &cfg,
                DeployArgs {
                    plan,
                    artifacts,
                    owner,
                    guardian,
                    feeders,
                    venues,
                },
            )
            .await
        }
        Command::Migrate {
            contracts,
            artifacts,
            admin,
        } => migrate_cmd(&cfg, contracts, artifacts, admin).await,
        Command::Handover { to, owner } => handover_cmd(&cfg, to, owner).await,
        Command::AcceptOwnership { key } => accept_cmd(&cfg, key).await,
        Command::Keys => keys_cmd(&cfg),
        Command::Check => {
            let report = ops::check(&cfg).await?;
            println!("{report}");
            if !report.passed() {
                std::process::exit(1);
            }
            Ok(())
        }
        Command::Run {
            roles,
            price_file,
            price_url,
            depth,
            metrics,
            dry_run,
        } => {
            run_cmd(
                cfg,
                RunArgs {
                    roles,
                    price_file,
                    price_url,
                    depth,
                    metrics,
                    dry_run,
                },
            )
            .await
        }
        Command::Risk { json } => risk_cmd(&cfg, json).await,
    }
}
