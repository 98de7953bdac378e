//! A single-node wasmd chain on loopback for running Breakwater for real.
//!
//! [`up`] initializes a home directory once (genesis with funded test-keyring accounts, one
//! validator), starts `wasmd start` as a detached process (own process group, output appended
//! to `<home>/wasmd.log`, pid in `<home>/wasmd.pid`) and waits until blocks are produced.
//! [`down`] stops the node and keeps its state, so a later [`up`] resumes the same chain;
//! [`reset`] wipes the home and starts a fresh chain. The accounts (names, addresses and
//! mnemonics, HD path `m/44'/118'/0'/0/0`, bech32 prefix `wasm`) are in `<home>/accounts.json`,
//! read back with [`accounts`].
//!
//! Everything here is synchronous std code (no async runtime needed). Process liveness is
//! read from `/proc` (Linux); signals are sent with the `kill` command.
use anyhow::{anyhow, bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;
use std::fs;
use std::io::{Read, Seek, SeekFrom, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The wasmd version the devnet is built and tested with (`scripts/tools.sh`).
pub const WASMD_VERSION: &str = "v0.61.14";
/// Key name of the validator in the test keyring (also listed in `accounts.json`).
pub const VALIDATOR: &str = "validator";
/// Name of the account that gets [`FAUCET_FUND`] of every denom (it funds derived accounts).
pub const FAUCET: &str = "faucet";
/// Units of every denom given to the [`FAUCET`] account (at least; see [`DevnetConfig::fund`]).
pub const FAUCET_FUND: u128 = 1_000_000_000_000_000_000;
/// Self-delegation of the validator's gentx, in units of the bond denom.
pub const GENTX_AMOUNT: u128 = 250_000_000;
/// File names inside the home directory.
const ACCOUNTS_FILE: &str = "accounts.json";
const MARKER_FILE: &str = "breakwater-devnet.json";
const PID_FILE: &str = "wasmd.pid";
const LOG_FILE: &str = "wasmd.log";
/// How long [`up`] waits for the chain to produce blocks.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long [`down`] waits after SIGTERM before SIGKILL.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);
/// Lines of `wasmd.log` quoted in errors.
const LOG_TAIL_LINES: usize = 20;
/// First words of the line `start` appends to the log before each start.
const START_BANNER: &str = "=== keeper devnet: wasmd start";
/// Bech32 prefix of wasmd addresses.
const ADDRESS_PREFIX: &str = "wasm1";

/// Settings of the local chain; the `[devnet]` section of the keeper's TOML configuration.
/// Every field has a default, so an empty section (or `DevnetConfig::default()`) works.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DevnetConfig {
    /// The wasmd binary. Default: `$WASMD` if set, else
    /// `${BREAKWATER_CACHE:-~/.cache/breakwater}/wasmd-v0.61.14/wasmd` (built by
    /// `scripts/tools.sh`). The environment is only read for the default: an explicit value
    /// in the TOML file wins.
    pub wasmd: PathBuf,
    /// The node's home directory (config, data, keyring, logs). Default `target/devnet`,
    /// relative to the current directory.
    pub home: PathBuf,
    /// Chain id. Default `breakwater-local`.
    pub chain_id: String,
    /// CometBFT RPC port on 127.0.0.1. Default 26657.
    pub rpc_port: u16,
    /// CometBFT P2P port on 127.0.0.1. Default 26656.
    pub p2p_port: u16,
    /// Cosmos SDK gRPC port on 127.0.0.1. Default 9090.
    pub grpc_port: u16,
    /// REST API port on 127.0.0.1 (written to `app.toml`; the API itself stays disabled).
    /// Default 1317.
    pub api_port: u16,
    /// Staking and fee denom (replaces `stake` in the genesis). Default `ustake`.
    pub bond_denom: String,
    /// Bank denoms funded to every account. Default `uusdc, uatom, uosmo, ueth, ucol`.
    pub denoms: Vec<String>,
    /// Test-keyring accounts created at init. Default `owner, guardian, feeder0, feeder1,
    /// feeder2, keeper, bidder, lender, faucet`. The validator key ([`VALIDATOR`]) is extra.
    pub accounts: Vec<String>,
    /// Units of every denom (and of the bond denom) per account; default 10^15. The
    /// [`FAUCET`] account gets `max(fund, 10^18)`. In TOML an integer, or a decimal string
    /// for amounts beyond 2^63.
    #[serde(with = "u128_serde")]
    pub fund: u128,
    /// `minimum-gas-prices` of `app.toml`, e.g. `0.0025ustake`.
    pub min_gas_price: String,
}

impl Default for DevnetConfig {
    fn default() -> Self {
        Self {
            wasmd: default_wasmd(),
            home: PathBuf::from("target/devnet"),
            chain_id: "breakwater-local".to_string(),
            rpc_port: 26657,
            p2p_port: 26656,
            grpc_port: 9090,
            api_port: 1317,
            bond_denom: "ustake".to_string(),
            denoms: ["uusdc", "uatom", "uosmo", "ueth", "ucol"]
                .iter()
                .map(|d| d.to_string())
                .collect(),
            accounts: [
                "owner", "guardian", "feeder0", "feeder1", "feeder2", "keeper", "bidder", "lender",
                FAUCET,
            ]
            .iter()
            .map(|a| a.to_string())
            .collect(),
            fund: 1_000_000_000_000_000,
            min_gas_price: "0.0025ustake".to_string(),
        }
    }
}

/// `u128` as a TOML/JSON integer when it fits in `i64` (TOML has no bigger integers), else
/// as a decimal string; both forms are accepted.
mod u128_serde {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
        match i64::try_from(*v) {
            Ok(i) => i.serialize(s),
            Err(_) => v.to_string().serialize(s),
        }
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum IntOrString {
        Int(i64),
        Str(String),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        use serde::de::Error;
        match IntOrString::deserialize(d)? {
            IntOrString::Int(i) => u128::try_from(i)
                .map_err(|_| D::Error::custom(format!("fund must not be negative, got {i}"))),
            IntOrString::Str(s) => {
                s.trim().replace('_', "").parse().map_err(|_| {
                    D::Error::custom(format!("fund {s:?} is not a non-negative integer"))
                })
            }
        }
    }
}

/// The default wasmd path: `$WASMD`, else the `scripts/tools.sh` cache.
fn default_wasmd() -> PathBuf {
    if let Some(w) = std::env::var_os("WASMD").filter(|w| !w.is_empty()) {
        return PathBuf::from(w);
    }
    let cache = match std::env::var_os("BREAKWATER_CACHE").filter(|c| !c.is_empty()) {
        Some(c) => PathBuf::from(c),
        None => match std::env::var_os("HOME").filter(|h| !h.is_empty()) {
            Some(h) => PathBuf::from(h).join(".cache").join("breakwater"),
            None => PathBuf::from(".cache").join("breakwater"),
        },
    };
    cache.join(format!("wasmd-{WASMD_VERSION}")).join("wasmd")
}

impl DevnetConfig {
    /// The home directory as an absolute path (relative homes are taken from the current
    /// directory).
    pub fn home_dir(&self) -> Result<PathBuf> {
        if self.home.as_os_str().is_empty() {
            bail!("devnet home is empty: set `home` in the [devnet] section");
        }
        std::path::absolute(&self.home)
            .with_context(|| format!("cannot resolve devnet home {}", self.home.display()))
    }

    /// `<home>/wasmd.log`, where the node's output goes.
    pub fn log_path(&self) -> Result<PathBuf> {
        Ok(self.home_dir()?.join(LOG_FILE))
    }

    /// `<home>/accounts.json`, the accounts with their mnemonics.
    pub fn accounts_path(&self) -> Result<PathBuf> {
        Ok(self.home_dir()?.join(ACCOUNTS_FILE))
    }

    /// Checks the settings; every problem is reported with the field name.
    pub fn validate(&self) -> Result<()> {
        if self.chain_id.is_empty()
            || self.chain_id.len() > 50
            || !self
                .chain_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        {
            bail!(
                "devnet chain_id {:?} is invalid: use 1-50 characters from [A-Za-z0-9._-]",
                self.chain_id
            );
        }
        check_denom("bond_denom", &self.bond_denom)?;
        for d in &self.denoms {
            check_denom("denoms", d)?;
        }
        let mut names = BTreeSet::new();
        for a in &self.accounts {
            if a.is_empty()
                || a.len() > 64
                || !a
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c))
            {
                bail!(
                    "devnet account name {a:?} is invalid: use 1-64 characters from [A-Za-z0-9_-]"
                );
            }
            if a == VALIDATOR {
                bail!("devnet account name {VALIDATOR:?} is reserved for the validator key");
            }
            if !names.insert(a.as_str()) {
                bail!("devnet account {a:?} is listed twice");
            }
        }
        let ports = [
            ("rpc_port", self.rpc_port),
            ("p2p_port", self.p2p_port),
            ("grpc_port", self.grpc_port),
            ("api_port", self.api_port),
        ];
        for (i, (name, port)) in ports.iter().enumerate() {
            if *port == 0 {
                bail!("devnet {name} is 0: choose a fixed port");
            }
            if let Some((other, _)) = ports[..i].iter().find(|(_, p)| p == port) {
                bail!("devnet {name} and {other} are both {port}: they must differ");
            }
        }
        if self.fund == 0 {
            bail!("devnet fund is 0: every account needs funds");
        }
        check_gas_price(&self.min_gas_price)?;
        Ok(())
    }

    /// The (sorted, de-duplicated) denoms each account is funded with: `denoms` + bond denom.
    fn all_denoms(&self) -> Vec<String> {
        let mut set: BTreeSet<&str> = self.denoms.iter().map(String::as_str).collect();
        set.insert(&self.bond_denom);
        set.into_iter().map(str::to_string).collect()
    }
}

/// Cosmos SDK denom rule: `[a-zA-Z][a-zA-Z0-9/:._-]{2,127}`.
fn check_denom(field: &str, denom: &str) -> Result<()> {
    let mut chars = denom.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || "/:._-".contains(c));
    if !first_ok || !rest_ok || denom.len() < 3 || denom.len() > 128 {
        bail!(
            "devnet {field}: {denom:?} is not a valid denom (a letter, then 2-127 of [a-zA-Z0-9/:._-])"
        );
    }
    Ok(())
}

/// `minimum-gas-prices`: comma-separated `<decimal><denom>`, e.g. `0.0025ustake`.
fn check_gas_price(prices: &str) -> Result<()> {
    let bad = || {
        anyhow!("devnet min_gas_price {prices:?} is invalid: expected e.g. \"0.0025ustake\" (comma-separated for several denoms)")
    };
    if prices.trim().is_empty() {
        return Err(bad());
    }
    for p in prices.split(',') {
        let p = p.trim();
        let split = p
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        let (amount, denom) = p.split_at(split);
        if amount.is_empty() || amount.parse::<f64>().is_err() {
            return Err(bad());
        }
        check_denom("min_gas_price", denom).map_err(|_| bad())?;
    }
    Ok(())
}

/// A key of the devnet's test keyring.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevAccount {
    /// Key name (`owner`, `faucet`, ..., and `validator`).
    pub name: String,
    /// Bech32 address (`wasm1...`).
    pub address: String,
    /// BIP-39 mnemonic (24 words, HD path `m/44'/118'/0'/0/0`). Test keys only.
    pub mnemonic: String,
}

/// What [`status`] (and [`up`], [`reset`]) report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevnetStatus {
    /// Whether the wasmd process of the pid file is alive.
    pub running: bool,
    /// Its pid, when running.
    pub pid: Option<u32>,
    /// Latest block height from the RPC, when it answered.
    pub height: Option<u64>,
    /// CometBFT RPC URL, e.g. `http://127.0.0.1:26657`.
    pub rpc: String,
    /// Absolute home directory.
    pub home: PathBuf,
}

impl fmt::Display for DevnetStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.running, self.pid) {
            (true, Some(pid)) => writeln!(f, "devnet:  running (pid {pid})")?,
            (true, None) => writeln!(f, "devnet:  running")?,
            (false, _) => writeln!(f, "devnet:  stopped")?,
        }
        match self.height {
            Some(h) => writeln!(f, "height:  {h}")?,
            None if self.running => writeln!(f, "height:  unknown (RPC not answering)")?,
            None => writeln!(f, "height:  -")?,
        }
        writeln!(f, "rpc:     {}", self.rpc)?;
        writeln!(f, "home:    {}", self.home.display())?;
        write!(f, "log:     {}", self.home.join(LOG_FILE).display())
    }
}

/// `keeper devnet <command>`.
#[derive(clap::Subcommand, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DevnetCommand {
    /// Initialize the chain (once) and start wasmd; waits for blocks. Idempotent.
    Up,
    /// Stop wasmd; the chain state is kept and `up` resumes it.
    Down,
    /// Show whether wasmd runs, its pid, the block height, the RPC URL and the home.
    Status,
    /// Stop wasmd, delete the home and start a fresh chain.
    Reset,
    /// List the devnet accounts (name and address; mnemonics are in accounts.json).
    Accounts,
}

/// Runs a devnet command and prints a human-readable result to stdout.
pub fn run(cmd: &DevnetCommand, cfg: &DevnetConfig) -> Result<()> {
    match cmd {
        DevnetCommand::Up => {
            let st = up(cfg)?;
            println!("{st}");
            println!("accounts: {}", cfg.accounts_path()?.display());
        }
        DevnetCommand::Down => {
            let home = cfg.home_dir()?;
            match stop(&home)? {
                Some(pid) => println!(
                    "stopped wasmd (pid {pid}); chain state kept in {}",
                    home.display()
                ),
                None => println!("devnet is not running ({})", home.display()),
            }
        }
        DevnetCommand::Status => println!("{}", status(cfg)?),
        DevnetCommand::Reset => {
            let st = reset(cfg)?;
            println!("fresh chain started");
            println!("{st}");
            println!("accounts: {}", cfg.accounts_path()?.display());
        }
        DevnetCommand::Accounts => {
            let accs = accounts(cfg)?;
            let width = accs.iter().map(|a| a.name.len()).max().unwrap_or(0);
            for a in &accs {
                println!("{:width$}  {}", a.name, a.address);
            }
            println!("mnemonics: {}", cfg.accounts_path()?.display());
        }
    }
    Ok(())
}

/// The CometBFT RPC URL, `http://127.0.0.1:<rpc_port>`.
pub fn rpc_url(cfg: &DevnetConfig) -> String {
    format!("http://127.0.0.1:{}", cfg.rpc_port)
}

/// Starts the devnet, initializing its home first if needed, and waits until the chain
/// produces blocks (height >= 2, and a new block after a restart; timeout 60 s). If it is
/// already running, reports it (same pid). Configuration files are re-applied from `cfg`
/// (ports, gas price) before each start; genesis settings need [`reset`] to change.
pub fn up(cfg: &DevnetConfig) -> Result<DevnetStatus> {
    cfg.validate()?;
    let home = cfg.home_dir()?;
    if let Some(pid) = running_pid(&home) {
        let height = wait_ready(cfg, &home, pid, None, false)?;
        tracing::info!(pid, height, "devnet already running");
        return Ok(running_status(cfg, &home, pid, Some(height)));
    }
    remove_if_exists(&home.join(PID_FILE))?;
    check_wasmd(cfg)?;
    if is_initialized(&home) {
        check_marker(cfg, &home)?;
    } else {
        let t = Instant::now();
        init(cfg, &home)?;
        tracing::info!(
            home = %home.display(),
            secs = t.elapsed().as_secs_f64(),
            "devnet initialized"
        );
    }
    configure(cfg, &home)?;
    check_ports(cfg)?;
    let started = Instant::now();
    let mut child = start(cfg, &home)?;
    let pid = child.id();
    match wait_ready(cfg, &home, pid, Some(&mut child), true) {
        Ok(height) => {
            tracing::info!(
                pid,
                height,
                secs = started.elapsed().as_secs_f64(),
                "devnet producing blocks"
            );
            // Reap the node when it exits, in case this process outlives it (tests, bots).
            std::thread::spawn(move || {
                let _ = child.wait();
            });
            Ok(running_status(cfg, &home, pid, Some(height)))
        }
        Err(e) => {
            if child.try_wait().ok().flatten().is_none() {
                let _ = stop(&home);
                let _ = child.wait();
            }
            let _ = remove_if_exists(&home.join(PID_FILE));
            Err(e)
        }
    }
}

/// Stops the devnet: SIGTERM, up to 10 s of grace, then SIGKILL; removes the pid file.
/// The chain state stays in the home, so [`up`] resumes it. Doing nothing is fine.
pub fn down(cfg: &DevnetConfig) -> Result<()> {
    stop(&cfg.home_dir()?).map(|_| ())
}

/// Whether the devnet runs, with its pid and current height.
pub fn status(cfg: &DevnetConfig) -> Result<DevnetStatus> {
    let home = cfg.home_dir()?;
    Ok(match running_pid(&home) {
        Some(pid) => {
            let height = query_height(cfg.rpc_port).ok();
            running_status(cfg, &home, pid, height)
        }
        None => DevnetStatus {
            running: false,
            pid: None,
            height: None,
            rpc: rpc_url(cfg),
            home,
        },
    })
}

/// Stops the devnet, deletes its home and starts a fresh chain. Refuses to delete a
/// non-empty directory that is not a devnet home.
pub fn reset(cfg: &DevnetConfig) -> Result<DevnetStatus> {
    cfg.validate()?;
    let home = cfg.home_dir()?;
    stop(&home)?;
    if home.exists() {
        let looks_like_devnet = home.join(MARKER_FILE).is_file()
            || home.join("config").join("genesis.json").is_file()
            || dir_is_empty(&home)?;
        if !looks_like_devnet {
            bail!(
                "refusing to delete {}: it does not look like a devnet home (no {MARKER_FILE})",
                home.display()
            );
        }
        fs::remove_dir_all(&home)
            .with_context(|| format!("cannot delete devnet home {}", home.display()))?;
        tracing::info!(home = %home.display(), "devnet home deleted");
    }
    up(cfg)
}

/// The accounts of `<home>/accounts.json`: the configured accounts, then the validator.
pub fn accounts(cfg: &DevnetConfig) -> Result<Vec<DevAccount>> {
    let path = cfg.accounts_path()?;
    let text = match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
            "no devnet accounts at {}: run `keeper devnet up` first",
            path.display()
        ),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    serde_json::from_str(&text).with_context(|| format!("{} is not valid JSON", path.display()))
}

/// One account of [`accounts`] by name.
pub fn account(cfg: &DevnetConfig, name: &str) -> Result<DevAccount> {
    accounts(cfg)?
        .into_iter()
        .find(|a| a.name == name)
        .ok_or_else(|| anyhow!("no devnet account named {name:?}"))
}

// ----------------------------------------------------------------------------------------
// Process management

fn running_status(cfg: &DevnetConfig, home: &Path, pid: u32, height: Option<u64>) -> DevnetStatus {
    DevnetStatus {
        running: true,
        pid: Some(pid),
        height,
        rpc: rpc_url(cfg),
        home: home.to_path_buf(),
    }
}

/// The pid of the pid file, if that process is alive and is wasmd of this home.
fn running_pid(home: &Path) -> Option<u32> {
    let pid = read_pid(home)?;
    is_alive(pid, home).then_some(pid)
}

fn read_pid(home: &Path) -> Option<u32> {
    let text = fs::read_to_string(home.join(PID_FILE)).ok()?;
    match text.trim().parse::<u32>() {
        Ok(pid) if pid > 0 => Some(pid),
        _ => {
            tracing::warn!(file = %home.join(PID_FILE).display(), "ignoring a malformed pid file");
            None
        }
    }
}

/// Whether `pid` is a live (non-zombie) wasmd process started with this home.
fn is_alive(pid: u32, home: &Path) -> bool {
    let proc_dir = PathBuf::from(format!("/proc/{pid}"));
    if !Path::new("/proc/self").exists() {
        // No procfs (not Linux): fall back to `kill -0`.
        return Command::new("kill")
            .args(["-0", &pid.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
    }
    let Ok(stat) = fs::read_to_string(proc_dir.join("stat")) else {
        return false;
    };
    // The state follows the last ')' (the command name may contain anything).
    let state = stat
        .rsplit_once(')')
        .and_then(|(_, rest)| rest.trim_start().chars().next());
    if matches!(state, Some('Z') | Some('X') | None) {
        return false;
    }
    let Ok(cmdline) = fs::read(proc_dir.join("cmdline")) else {
        return false;
    };
    let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
    let is_wasmd = args
        .first()
        .is_some_and(|a| String::from_utf8_lossy(a).contains("wasmd"));
    let home_bytes = home.as_os_str().as_encoded_bytes();
    is_wasmd && args.contains(&home_bytes)
}

/// Stops the node of `home` if it runs; returns its pid. Removes the pid file.
fn stop(home: &Path) -> Result<Option<u32>> {
    let pid_file = home.join(PID_FILE);
    let Some(pid) = running_pid(home) else {
        remove_if_exists(&pid_file)?;
        return Ok(None);
    };
    signal(pid, "TERM")?;
    if !wait_exit(pid, home, STOP_TIMEOUT) {
        tracing::warn!(
            pid,
            "wasmd did not stop within 10 s of SIGTERM: sending SIGKILL"
        );
        signal(pid, "KILL")?;
        if !wait_exit(pid, home, Duration::from_secs(5)) {
            bail!("wasmd (pid {pid}) is still alive after SIGKILL");
        }
    }
    remove_if_exists(&pid_file)?;
    tracing::info!(pid, "devnet stopped");
    Ok(Some(pid))
}

fn signal(pid: u32, sig: &str) -> Result<()> {
    // Failure is fine when the process has just exited; the caller re-checks liveness.
    Command::new("kill")
        .args([format!("-{sig}"), pid.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .with_context(|| format!("could not run `kill -{sig} {pid}` to stop wasmd"))?;
    Ok(())
}

fn wait_exit(pid: u32, home: &Path, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if !is_alive(pid, home) {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn check_wasmd(cfg: &DevnetConfig) -> Result<()> {
    let missing = || {
        anyhow!(
            "wasmd not found at {}: run scripts/tools.sh (needs Go) or set WASMD",
            cfg.wasmd.display()
        )
    };
    let meta = fs::metadata(&cfg.wasmd).map_err(|_| missing())?;
    if !meta.is_file() {
        return Err(missing());
    }
    if meta.permissions().mode() & 0o111 == 0 {
        bail!("{} is not executable", cfg.wasmd.display());
    }
    Ok(())
}

fn check_ports(cfg: &DevnetConfig) -> Result<()> {
    for port in [cfg.rpc_port, cfg.p2p_port, cfg.grpc_port] {
        if TcpListener::bind(("127.0.0.1", port)).is_err() {
            bail!("port {port} is busy: is another devnet or wasmd running? (keeper devnet status / down)");
        }
    }
    Ok(())
}

/// Spawns `wasmd start` detached (own process group, output to the log), writes the pid file.
fn start(cfg: &DevnetConfig, home: &Path) -> Result<Child> {
    let log_path = home.join(LOG_FILE);
    let mut log = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)
        .with_context(|| format!("cannot open {}", log_path.display()))?;
    writeln!(log, "\n{START_BANNER} at unix time {} ===", unix_now())
        .with_context(|| format!("cannot write {}", log_path.display()))?;
    let log_err = log
        .try_clone()
        .with_context(|| format!("cannot open {}", log_path.display()))?;
    let child = Command::new(&cfg.wasmd)
        .arg("start")
        .arg("--home")
        .arg(home)
        .arg("--log_no_color")
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err)
        .process_group(0)
        .spawn()
        .with_context(|| format!("cannot start {}", cfg.wasmd.display()))?;
    let pid = child.id();
    let pid_path = home.join(PID_FILE);
    if let Err(e) = fs::write(&pid_path, format!("{pid}\n")) {
        let mut child = child;
        let _ = child.kill();
        let _ = child.wait();
        return Err(e).with_context(|| format!("cannot write {}", pid_path.display()));
    }
    tracing::info!(pid, log = %log_path.display(), "wasmd started");
    Ok(child)
}

/// Waits until the RPC reports height >= 2 (and, with `need_new_block`, a block newer than
/// the first height it answered, so a restarted chain is known to be live). Fails with the
/// end of the log if the node exits or the timeout passes.
fn wait_ready(
    cfg: &DevnetConfig,
    home: &Path,
    pid: u32,
    mut child: Option<&mut Child>,
    need_new_block: bool,
) -> Result<u64> {
    let started = Instant::now();
    let deadline = started + START_TIMEOUT;
    // `up` stops a node it started itself when it does not come up; an older one is left.
    let outcome = if child.is_some() {
        "stopped it".to_string()
    } else {
        format!(
            "it is still running as pid {pid}: check rpc_port ({}) or run `keeper devnet down`",
            cfg.rpc_port
        )
    };
    let mut first: Option<u64> = None;
    let mut last_err = None;
    loop {
        let exited = match child.as_mut() {
            Some(c) => c
                .try_wait()
                .context("cannot check the wasmd process")?
                .map(|s| format!("exited ({s})")),
            None => (!is_alive(pid, home)).then(|| "exited".to_string()),
        };
        if let Some(how) = exited {
            bail!(
                "wasmd (pid {pid}) {how} before the chain was up; last lines of {}:\n{}",
                home.join(LOG_FILE).display(),
                log_tail(&home.join(LOG_FILE))
            );
        }
        match query_height(cfg.rpc_port) {
            Ok(h) => {
                let first = *first.get_or_insert_with(|| {
                    tracing::info!(
                        height = h,
                        secs = started.elapsed().as_secs_f64(),
                        "RPC answering"
                    );
                    h
                });
                if h >= 2 && (!need_new_block || h > first) {
                    return Ok(h);
                }
            }
            Err(e) => last_err = Some(e),
        }
        if Instant::now() >= deadline {
            let why = match (first, last_err) {
                (Some(h), _) => format!("the height stayed at {h}"),
                (None, Some(e)) => format!("the RPC did not answer: {e:#}"),
                (None, None) => "no answer".to_string(),
            };
            bail!(
                "the devnet did not produce blocks within {} s ({why}); {outcome}. Last lines of {}:\n{}",
                START_TIMEOUT.as_secs(),
                home.join(LOG_FILE).display(),
                log_tail(&home.join(LOG_FILE))
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// `result.sync_info.latest_block_height` of `GET /status` on the local RPC.
fn query_height(port: u16) -> Result<u64> {
    let body = http_get_json(port, "/status")?;
    let h = body
        .pointer("/result/sync_info/latest_block_height")
        .ok_or_else(|| anyhow!("/status has no result.sync_info.latest_block_height"))?;
    match h {
        serde_json::Value::String(s) => s
            .parse()
            .with_context(|| format!("latest_block_height {s:?} is not a number")),
        serde_json::Value::Number(n) => n
            .as_u64()
            .ok_or_else(|| anyhow!("latest_block_height {n} is not a height")),
        other => bail!("latest_block_height is {other}, not a number"),
    }
}

/// A minimal HTTP/1.0 GET to 127.0.0.1:`port` returning the JSON body.
fn http_get_json(port: u16, path: &str) -> Result<serde_json::Value> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let timeout = Duration::from_secs(2);
    let mut stream = TcpStream::connect_timeout(&addr, timeout)
        .with_context(|| format!("cannot connect to {addr}"))?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
    )
    .with_context(|| format!("cannot send a request to {addr}"))?;
    let mut raw = Vec::new();
    stream
        .take(16 << 20)
        .read_to_end(&mut raw)
        .with_context(|| format!("cannot read the answer of {addr}{path}"))?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| anyhow!("malformed HTTP answer from {addr}{path}"))?;
    let head = String::from_utf8_lossy(&raw[..split]);
    let status_line = head.lines().next().unwrap_or_default();
    if status_line.split_whitespace().nth(1) != Some("200") {
        bail!("{addr}{path} answered {status_line:?}");
    }
    serde_json::from_slice(&raw[split + 4..])
        .with_context(|| format!("{addr}{path} did not answer JSON"))
}

/// The last [`LOG_TAIL_LINES`] lines of a log file (reads at most its last 64 KiB).
fn log_tail(path: &Path) -> String {
    let read = || -> std::io::Result<String> {
        let mut f = fs::File::open(path)?;
        let len = f.metadata()?.len();
        f.seek(SeekFrom::Start(len.saturating_sub(64 * 1024)))?;
        let mut buf = Vec::new();
        f.read_to_end(&mut buf)?;
        Ok(String::from_utf8_lossy(&buf).into_owned())
    };
    match read() {
        // Only this run's lines: from the last start banner written by `start`.
        Ok(text) => match text.rfind(START_BANNER) {
            Some(i) => tail_lines(&text[i..], LOG_TAIL_LINES),
            None => tail_lines(&text, LOG_TAIL_LINES),
        },
        Err(e) => format!("(cannot read {}: {e})", path.display()),
    }
}

fn tail_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

// ----------------------------------------------------------------------------------------
// Initialization

/// What the home was created with; a mismatch with the config needs a reset.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Marker {
    wasmd_version: String,
    chain_id: String,
    bond_denom: String,
    denoms: Vec<String>,
    accounts: Vec<String>,
    fund: String,
    created_unix: u64,
}

impl Marker {
    fn of(cfg: &DevnetConfig) -> Self {
        Self {
            wasmd_version: WASMD_VERSION.to_string(),
            chain_id: cfg.chain_id.clone(),
            bond_denom: cfg.bond_denom.clone(),
            denoms: cfg.all_denoms(),
            accounts: cfg.accounts.clone(),
            fund: cfg.fund.to_string(),
            created_unix: unix_now(),
        }
    }
}

fn is_initialized(home: &Path) -> bool {
    home.join(MARKER_FILE).is_file()
        && home.join(ACCOUNTS_FILE).is_file()
        && home.join("config").join("genesis.json").is_file()
}

fn check_marker(cfg: &DevnetConfig, home: &Path) -> Result<()> {
    let path = home.join(MARKER_FILE);
    let text =
        fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let have: Marker = serde_json::from_str(&text)
        .with_context(|| format!("{} is malformed: run `keeper devnet reset`", path.display()))?;
    let want = Marker::of(cfg);
    let mut diffs = Vec::new();
    if have.chain_id != want.chain_id {
        diffs.push(format!("chain_id {} -> {}", have.chain_id, want.chain_id));
    }
    if have.bond_denom != want.bond_denom {
        diffs.push(format!(
            "bond_denom {} -> {}",
            have.bond_denom, want.bond_denom
        ));
    }
    if have.denoms != want.denoms {
        diffs.push(format!("denoms {:?} -> {:?}", have.denoms, want.denoms));
    }
    if have.accounts != want.accounts {
        diffs.push(format!(
            "accounts {:?} -> {:?}",
            have.accounts, want.accounts
        ));
    }
    if have.fund != want.fund {
        diffs.push(format!("fund {} -> {}", have.fund, want.fund));
    }
    if !diffs.is_empty() {
        bail!(
            "the devnet at {} was created with other genesis settings ({}); run `keeper devnet reset` to re-create it (this wipes the chain)",
            home.display(),
            diffs.join("; ")
        );
    }
    Ok(())
}

/// Creates the home in a staging directory beside it, then renames it into place, so an
/// interrupted init never leaves a half-made home.
fn init(cfg: &DevnetConfig, home: &Path) -> Result<()> {
    if home.exists() {
        if !dir_is_empty(home)? {
            bail!(
                "{} exists but is not an initialized devnet (no {MARKER_FILE}): run `keeper devnet reset` or delete it",
                home.display()
            );
        }
        fs::remove_dir(home).with_context(|| format!("cannot replace {}", home.display()))?;
    }
    let parent = home
        .parent()
        .ok_or_else(|| anyhow!("devnet home {} has no parent directory", home.display()))?;
    fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    let name = home
        .file_name()
        .ok_or_else(|| anyhow!("devnet home {} has no name", home.display()))?
        .to_string_lossy()
        .into_owned();
    let prefix = format!(".{name}.init-");
    clean_stale_staging(parent, &prefix);
    let stage = parent.join(format!("{prefix}{}", std::process::id()));
    if stage.exists() {
        fs::remove_dir_all(&stage).with_context(|| format!("cannot remove {}", stage.display()))?;
    }
    let result = init_in(cfg, &stage).and_then(|()| {
        fs::rename(&stage, home)
            .with_context(|| format!("cannot move {} to {}", stage.display(), home.display()))
    });
    if result.is_err() {
        let _ = fs::remove_dir_all(&stage);
    }
    result
}

/// Removes staging directories left by interrupted inits whose process is gone.
fn clean_stale_staging(parent: &Path, prefix: &str) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix(prefix)
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

fn init_in(cfg: &DevnetConfig, h: &Path) -> Result<()> {
    let step = Instant::now();
    let version = wasmd(cfg, None, &["version"]).with_context(|| {
        format!(
            "{} does not run (is libwasmvm in the Go module cache? rebuild with scripts/tools.sh)",
            cfg.wasmd.display()
        )
    })?;
    let version = format!("{}{}", version.0, version.1).trim().to_string();
    // Built from the module proxy without ldflags, wasmd prints an empty version.
    if !version.is_empty() && !version.contains(WASMD_VERSION.trim_start_matches('v')) {
        tracing::warn!(%version, expected = WASMD_VERSION, "unexpected wasmd version");
    }
    wasmd(
        cfg,
        Some(h),
        &["init", "breakwater-devnet", "--chain-id", &cfg.chain_id],
    )?;
    let genesis_path = h.join("config").join("genesis.json");
    rewrite_genesis(&genesis_path, &cfg.bond_denom)?;
    tracing::debug!(secs = step.elapsed().as_secs_f64(), "wasmd init done");

    // Keys: the configured accounts, then the validator. Each key is its own file in the
    // test keyring, so a few `keys add` run in parallel (each takes ~0.4 s).
    let names: Vec<&str> = cfg
        .accounts
        .iter()
        .map(String::as_str)
        .chain([VALIDATOR])
        .collect();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 4));
    let chunk = names.len().div_ceil(threads).max(1);
    let accounts: Vec<DevAccount> = std::thread::scope(|scope| {
        let handles: Vec<_> = names
            .chunks(chunk)
            .map(|group| {
                scope.spawn(move || {
                    group
                        .iter()
                        .map(|name| add_key(cfg, h, name))
                        .collect::<Result<Vec<_>>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .map_err(|_| anyhow!("a `wasmd keys add` worker thread panicked"))?
            })
            .collect::<Result<Vec<Vec<_>>>>()
    })?
    .into_iter()
    .flatten()
    .collect();
    tracing::debug!(
        secs = step.elapsed().as_secs_f64(),
        n = accounts.len(),
        "keys created"
    );

    // Genesis balances, in one bulk call.
    let denoms = cfg.all_denoms();
    let balances: Vec<serde_json::Value> = accounts
        .iter()
        .map(|a| {
            let amount = |denom: &str| match a.name.as_str() {
                FAUCET => cfg.fund.max(FAUCET_FUND),
                VALIDATOR if denom == cfg.bond_denom => cfg.fund.max(GENTX_AMOUNT * 4),
                _ => cfg.fund,
            };
            let coins: Vec<serde_json::Value> = denoms
                .iter()
                .map(|d| serde_json::json!({ "denom": d, "amount": amount(d).to_string() }))
                .collect();
            serde_json::json!({ "address": a.address, "coins": coins })
        })
        .collect();
    let balances_path = h.join("genesis-accounts.json");
    write_file(
        &balances_path,
        serde_json::to_string_pretty(&balances)?.as_bytes(),
        0o644,
    )?;
    wasmd(
        cfg,
        Some(h),
        &[
            "genesis",
            "bulk-add-genesis-account",
            &balances_path.to_string_lossy(),
        ],
    )?;
    remove_if_exists(&balances_path)?;

    let stake = format!("{GENTX_AMOUNT}{}", cfg.bond_denom);
    wasmd(
        cfg,
        Some(h),
        &[
            "genesis",
            "gentx",
            VALIDATOR,
            &stake,
            "--chain-id",
            &cfg.chain_id,
            "--keyring-backend",
            "test",
        ],
    )?;
    wasmd(cfg, Some(h), &["genesis", "collect-gentxs"])?;
    wasmd(cfg, Some(h), &["genesis", "validate"])?;
    tracing::debug!(secs = step.elapsed().as_secs_f64(), "genesis done");

    write_file(
        &h.join(ACCOUNTS_FILE),
        serde_json::to_string_pretty(&accounts)?.as_bytes(),
        0o600,
    )?;
    // Written last: its presence means the home is complete.
    write_file(
        &h.join(MARKER_FILE),
        serde_json::to_string_pretty(&Marker::of(cfg))?.as_bytes(),
        0o644,
    )?;
    Ok(())
}

/// Runs wasmd (with `--home` when given), stdin closed; returns (stdout, stderr). A non-zero
/// exit is an error quoting the end of its output.
fn wasmd(cfg: &DevnetConfig, home: Option<&Path>, args: &[&str]) -> Result<(String, String)> {
    let mut cmd = Command::new(&cfg.wasmd);
    cmd.args(args).stdin(Stdio::null());
    if let Some(h) = home {
        cmd.arg("--home").arg(h);
    }
    let out = cmd
        .output()
        .with_context(|| format!("cannot run {}", cfg.wasmd.display()))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if !out.status.success() {
        bail!(
            "`wasmd {}` failed ({}):\n{}",
            args.join(" "),
            out.status,
            tail_lines(&format!("{stdout}\n{stderr}"), LOG_TAIL_LINES)
        );
    }
    Ok((stdout, stderr))
}

/// `wasmd keys add <name> --output json`; the JSON (with the mnemonic) may come on stdout
/// or stderr depending on the SDK version, so both are searched.
fn add_key(cfg: &DevnetConfig, h: &Path, name: &str) -> Result<DevAccount> {
    let (stdout, stderr) = wasmd(
        cfg,
        Some(h),
        &[
            "keys",
            "add",
            name,
            "--keyring-backend",
            "test",
            "--output",
            "json",
        ],
    )?;
    let account = parse_key_json(&stdout)
        .or_else(|| parse_key_json(&stderr))
        .ok_or_else(|| {
            anyhow!(
                "`wasmd keys add {name}` printed no key JSON with a mnemonic:\n{stdout}\n{stderr}"
            )
        })?;
    if account.name != name || !account.address.starts_with(ADDRESS_PREFIX) {
        bail!(
            "`wasmd keys add {name}` returned key {:?} with address {:?} (expected a {ADDRESS_PREFIX}... address)",
            account.name,
            account.address
        );
    }
    let words = account.mnemonic.split_whitespace().count();
    if words != 12 && words != 24 {
        bail!("`wasmd keys add {name}` returned a mnemonic of {words} words");
    }
    Ok(account)
}

fn parse_key_json(text: &str) -> Option<DevAccount> {
    text.lines()
        .map(str::trim)
        .filter(|l| l.starts_with('{'))
        .find_map(|l| serde_json::from_str::<DevAccount>(l).ok())
}

/// Replaces the JSON string `"stake"` by the bond denom and makes sure anyone can upload
/// and instantiate code.
fn rewrite_genesis(path: &Path, bond_denom: &str) -> Result<()> {
    let text =
        fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut genesis: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not valid JSON", path.display()))?;
    replace_strings(&mut genesis, "stake", bond_denom);
    let bond = genesis.pointer("/app_state/staking/params/bond_denom");
    if bond.and_then(|b| b.as_str()) != Some(bond_denom) {
        bail!(
            "{}: app_state.staking.params.bond_denom is {bond:?} after replacing \"stake\"",
            path.display()
        );
    }
    let wasm_params = genesis
        .pointer_mut("/app_state/wasm/params")
        .and_then(|p| p.as_object_mut())
        .ok_or_else(|| anyhow!("{} has no app_state.wasm.params", path.display()))?;
    let upload_ok = wasm_params
        .get("code_upload_access")
        .and_then(|a| a.get("permission"))
        .and_then(|p| p.as_str())
        == Some("Everybody");
    if !upload_ok {
        tracing::info!("setting wasm code_upload_access to Everybody");
        wasm_params.insert(
            "code_upload_access".to_string(),
            serde_json::json!({ "permission": "Everybody", "addresses": [] }),
        );
    }
    if wasm_params
        .get("instantiate_default_permission")
        .and_then(|p| p.as_str())
        != Some("Everybody")
    {
        wasm_params.insert(
            "instantiate_default_permission".to_string(),
            serde_json::json!("Everybody"),
        );
    }
    write_file(
        path,
        serde_json::to_string_pretty(&genesis)?.as_bytes(),
        0o644,
    )
}

fn replace_strings(v: &mut serde_json::Value, from: &str, to: &str) {
    match v {
        serde_json::Value::String(s) if s == from => *s = to.to_string(),
        serde_json::Value::Array(a) => a.iter_mut().for_each(|x| replace_strings(x, from, to)),
        serde_json::Value::Object(o) => o.values_mut().for_each(|x| replace_strings(x, from, to)),
        _ => {}
    }
}

// ----------------------------------------------------------------------------------------
// config.toml / app.toml / client.toml

/// A TOML value to write.
#[derive(Clone, Debug, PartialEq)]
enum TomlValue {
    Str(String),
    Int(i64),
    Bool(bool),
}

impl TomlValue {
    fn s(s: impl Into<String>) -> Self {
        Self::Str(s.into())
    }

    fn literal(&self) -> String {
        match self {
            // A JSON string is a valid TOML basic string.
            Self::Str(s) => serde_json::Value::String(s.clone()).to_string(),
            Self::Int(i) => i.to_string(),
            Self::Bool(b) => b.to_string(),
        }
    }

    fn matches(&self, v: &toml::Value) -> bool {
        match (self, v) {
            (Self::Str(a), toml::Value::String(b)) => a == b,
            (Self::Int(a), toml::Value::Integer(b)) => a == b,
            (Self::Bool(a), toml::Value::Boolean(b)) => a == b,
            _ => false,
        }
    }
}

/// Sets `key` of `[section]` ("" is the top level). `optional`: skip if the section is absent.
#[derive(Clone, Debug)]
struct TomlEdit {
    section: &'static str,
    key: &'static str,
    value: TomlValue,
    optional: bool,
}

fn set(section: &'static str, key: &'static str, value: TomlValue) -> TomlEdit {
    TomlEdit {
        section,
        key,
        value,
        optional: false,
    }
}

/// Writes the devnet settings into the node's configuration files (idempotent).
fn configure(cfg: &DevnetConfig, home: &Path) -> Result<()> {
    let config_dir = home.join("config");
    let mib = 1 << 20;
    let comet = vec![
        set(
            "rpc",
            "laddr",
            TomlValue::s(format!("tcp://127.0.0.1:{}", cfg.rpc_port)),
        ),
        set("rpc", "pprof_laddr", TomlValue::s("")),
        set("rpc", "max_body_bytes", TomlValue::Int(8 * mib)),
        set(
            "p2p",
            "laddr",
            TomlValue::s(format!("tcp://127.0.0.1:{}", cfg.p2p_port)),
        ),
        set("p2p", "persistent_peers", TomlValue::s("")),
        set("p2p", "seeds", TomlValue::s("")),
        set("mempool", "size", TomlValue::Int(20_000)),
        set("mempool", "max_txs_bytes", TomlValue::Int(1024 * mib)),
        set("mempool", "max_tx_bytes", TomlValue::Int(4 * mib)),
        set("consensus", "timeout_commit", TomlValue::s("1s")),
        set("tx_index", "indexer", TomlValue::s("kv")),
        set("instrumentation", "prometheus", TomlValue::Bool(false)),
    ];
    edit_toml_file(&config_dir.join("config.toml"), &comet)?;
    let app = vec![
        set(
            "",
            "minimum-gas-prices",
            TomlValue::s(cfg.min_gas_price.clone()),
        ),
        set("telemetry", "enabled", TomlValue::Bool(false)),
        set("api", "enable", TomlValue::Bool(false)),
        set(
            "api",
            "address",
            TomlValue::s(format!("tcp://127.0.0.1:{}", cfg.api_port)),
        ),
        set("grpc", "enable", TomlValue::Bool(true)),
        set(
            "grpc",
            "address",
            TomlValue::s(format!("127.0.0.1:{}", cfg.grpc_port)),
        ),
        TomlEdit {
            optional: true,
            ..set("grpc-web", "enable", TomlValue::Bool(false))
        },
    ];
    edit_toml_file(&config_dir.join("app.toml"), &app)?;
    let client = vec![
        set("", "chain-id", TomlValue::s(cfg.chain_id.clone())),
        set("", "keyring-backend", TomlValue::s("test")),
        set(
            "",
            "node",
            TomlValue::s(format!("tcp://127.0.0.1:{}", cfg.rpc_port)),
        ),
    ];
    let client_path = config_dir.join("client.toml");
    if client_path.is_file() {
        edit_toml_file(&client_path, &client)?;
    }
    Ok(())
}

fn edit_toml_file(path: &Path, edits: &[TomlEdit]) -> Result<()> {
    let text =
        fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let new = edit_toml(&text, edits).with_context(|| format!("cannot edit {}", path.display()))?;
    if new != text {
        write_file(path, new.as_bytes(), 0o644)?;
    }
    Ok(())
}

/// The section name of a `[section]` header line (not `[[array]]`, not a value line).
fn header_name(line: &str) -> Option<&str> {
    let t = line.trim();
    if !t.starts_with('[') || t.starts_with("[[") {
        return None;
    }
    let end = t.find(']')?;
    let name = t[1..end].trim();
    let rest = t[end + 1..].trim();
    let ok_name = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-. ".contains(c));
    (ok_name && (rest.is_empty() || rest.starts_with('#'))).then_some(name)
}

/// Whether `line` assigns `key` (`key = ...`).
fn assigns(line: &str, key: &str) -> bool {
    line.trim_start()
        .strip_prefix(key)
        .is_some_and(|rest| rest.trim_start().starts_with('='))
}

/// Sets keys in TOML text line by line, keeping comments and layout; checks the result
/// parses and holds the values.
fn edit_toml(text: &str, edits: &[TomlEdit]) -> Result<String> {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for e in edits {
        let new_line = format!("{} = {}", e.key, e.value.literal());
        // Find the section's header (None for the top level) and its line range.
        let header = if e.section.is_empty() {
            None
        } else {
            match lines.iter().position(|l| header_name(l) == Some(e.section)) {
                Some(i) => Some(i),
                None if e.optional => continue,
                None => {
                    lines.push(String::new());
                    lines.push(format!("[{}]", e.section));
                    lines.push(new_line);
                    continue;
                }
            }
        };
        let start = header.map_or(0, |i| i + 1);
        let end = lines[start..]
            .iter()
            .position(|l| header_name(l).is_some() || l.trim_start().starts_with("[["))
            .map_or(lines.len(), |i| start + i);
        match (start..end).find(|&i| assigns(&lines[i], e.key)) {
            Some(i) => {
                let indent: String = lines[i].chars().take_while(|c| c.is_whitespace()).collect();
                lines[i] = format!("{indent}{new_line}");
            }
            None => lines.insert(start, new_line),
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    // Verify: the text still parses and every edit holds.
    let table: toml::Table = out.parse().context("the edited TOML does not parse")?;
    for e in edits {
        let section = if e.section.is_empty() {
            Some(&table)
        } else {
            table.get(e.section).and_then(|s| s.as_table())
        };
        let Some(section) = section else {
            if e.optional {
                continue;
            }
            bail!("section [{}] missing after the edit", e.section);
        };
        if !section.get(e.key).is_some_and(|v| e.value.matches(v)) {
            bail!(
                "[{}] {} does not hold {} after the edit",
                e.section,
                e.key,
                e.value.literal()
            );
        }
    }
    Ok(out)
}

// ----------------------------------------------------------------------------------------
// Small file helpers

fn write_file(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    let tmp = path.with_extension("tmp-keeper");
    let write = || -> std::io::Result<()> {
        let mut f = fs::OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .mode(mode)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    };
    write().with_context(|| format!("cannot write {}", path.display()))
}

fn remove_if_exists(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("cannot remove {}", path.display())),
    }
}

fn dir_is_empty(dir: &Path) -> Result<bool> {
    Ok(fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .next()
        .is_none())
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_validate_and_parse_from_toml() {
        let cfg = DevnetConfig::default();
        cfg.validate().unwrap();
        assert_eq!(rpc_url(&cfg), "http://127.0.0.1:26657");
        assert!(cfg.wasmd.ends_with("wasmd-v0.61.14/wasmd") || std::env::var_os("WASMD").is_some());
        let parsed: DevnetConfig = toml::from_str("").unwrap();
        assert_eq!(parsed, cfg);
        let parsed: DevnetConfig =
            toml::from_str("rpc_port = 36657\nfund = 5000\ndenoms = [\"ufoo\"]").unwrap();
        assert_eq!(parsed.rpc_port, 36657);
        assert_eq!(parsed.fund, 5000);
        assert_eq!(parsed.all_denoms(), vec!["ufoo", "ustake"]);
        let big: DevnetConfig = toml::from_str("fund = \"100000000000000000000\"").unwrap();
        assert_eq!(big.fund, 100_000_000_000_000_000_000);
        assert!(toml::from_str::<DevnetConfig>("fund = -1").is_err());
        let back = toml::to_string(&big).unwrap();
        assert_eq!(toml::from_str::<DevnetConfig>(&back).unwrap(), big);
        assert!(toml::from_str::<DevnetConfig>("rpc_prot = 1").is_err());
    }

    #[test]
    fn validation_errors_name_the_field() {
        let bad = |f: fn(&mut DevnetConfig)| {
            let mut c = DevnetConfig::default();
            f(&mut c);
            c.validate().unwrap_err().to_string()
        };
        assert!(bad(|c| c.chain_id = "a b".into()).contains("chain_id"));
        assert!(bad(|c| c.denoms.push("1x".into())).contains("denoms"));
        assert!(bad(|c| c.accounts.push("owner".into())).contains("twice"));
        assert!(bad(|c| c.accounts.push(VALIDATOR.into())).contains("reserved"));
        assert!(bad(|c| c.grpc_port = c.rpc_port).contains("must differ"));
        assert!(bad(|c| c.fund = 0).contains("fund"));
        assert!(bad(|c| c.min_gas_price = "ustake".into()).contains("min_gas_price"));
        assert!(bad(|c| c.min_gas_price = "0.1".into()).contains("min_gas_price"));
        let c = DevnetConfig {
            min_gas_price: "0.0025ustake,0.01uusdc".into(),
            ..DevnetConfig::default()
        };
        c.validate().unwrap();
    }

    #[test]
    fn missing_wasmd_is_a_clear_error() {
        let c = DevnetConfig {
            wasmd: "/nonexistent/wasmd".into(),
            home: std::env::temp_dir().join("breakwater-devnet-missing-wasmd"),
            ..DevnetConfig::default()
        };
        let e = up(&c).unwrap_err().to_string();
        assert!(e.contains("wasmd not found at /nonexistent/wasmd"), "{e}");
        assert!(e.contains("scripts/tools.sh"), "{e}");
        let st = status(&c).unwrap();
        assert!(!st.running && st.pid.is_none());
        down(&c).unwrap();
        assert!(accounts(&c)
            .unwrap_err()
            .to_string()
            .contains("keeper devnet up"));
    }

    fn temp_home(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("bw-devnet-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn foreign_directories_are_never_taken_over_or_deleted() {
        let home = temp_home("foreign");
        fs::write(home.join("precious.txt"), "keep me").unwrap();
        let cfg = DevnetConfig {
            wasmd: "/bin/true".into(),
            home: home.clone(),
            ..DevnetConfig::default()
        };
        let e = reset(&cfg).unwrap_err().to_string();
        assert!(e.contains("refusing to delete"), "{e}");
        if Path::new("/bin/true").is_file() {
            let e = up(&cfg).unwrap_err().to_string();
            assert!(e.contains("is not an initialized devnet"), "{e}");
        }
        assert!(home.join("precious.txt").is_file());
        let _ = fs::remove_dir_all(&home);
    }

    #[test]
    fn genesis_settings_changes_need_a_reset() {
        let home = temp_home("marker");
        let cfg = DevnetConfig {
            home: home.clone(),
            ..DevnetConfig::default()
        };
        let marker = serde_json::to_string(&Marker::of(&cfg)).unwrap();
        fs::write(home.join(MARKER_FILE), marker).unwrap();
        check_marker(&cfg, &home).unwrap();
        let other = DevnetConfig {
            chain_id: "other-chain".into(),
            denoms: vec!["uusdc".into()],
            ..cfg.clone()
        };
        let e = check_marker(&other, &home).unwrap_err().to_string();
        assert!(
            e.contains("chain_id breakwater-local -> other-chain"),
            "{e}"
        );
        assert!(e.contains("denoms"), "{e}");
        assert!(e.contains("keeper devnet reset"), "{e}");
        let _ = fs::remove_dir_all(&home);
    }

    const CONFIG: &str = r#"# top comment
proxy_app = "tcp://127.0.0.1:26658"

[rpc]
# The address
laddr = "tcp://127.0.0.1:26657"
max_body_bytes = 1000000
pprof_laddr = "localhost:6060"

[p2p]
laddr = "tcp://0.0.0.0:26656"
persistent_peers = ""

[mempool]
size = 5000
max_txs_bytes = 1073741824
max_tx_bytes = 1048576

[consensus]
timeout_commit = "5s"

[tx_index]
indexer = "kv"
"#;

    #[test]
    fn toml_edits_keep_everything_else() {
        let edits = vec![
            set("rpc", "laddr", TomlValue::s("tcp://127.0.0.1:36657")),
            set("rpc", "pprof_laddr", TomlValue::s("")),
            set("mempool", "max_tx_bytes", TomlValue::Int(4 << 20)),
            set("mempool", "size", TomlValue::Int(20000)),
            set("consensus", "timeout_commit", TomlValue::s("1s")),
            set("", "moniker", TomlValue::s("x")),
            set("instrumentation", "prometheus", TomlValue::Bool(false)),
            TomlEdit {
                optional: true,
                ..set("grpc-web", "enable", TomlValue::Bool(false))
            },
        ];
        let out = edit_toml(CONFIG, &edits).unwrap();
        assert!(out.contains("# The address\nladdr = \"tcp://127.0.0.1:36657\"\n"));
        assert!(
            out.contains("laddr = \"tcp://0.0.0.0:26656\""),
            "p2p untouched"
        );
        assert!(out.contains("max_txs_bytes = 1073741824\nmax_tx_bytes = 4194304\n"));
        assert!(out.contains("size = 20000"));
        assert!(out.contains("timeout_commit = \"1s\""));
        assert!(out.contains("pprof_laddr = \"\""));
        assert!(out.starts_with("moniker = \"x\"\n# top comment\n"));
        assert!(out.ends_with("[instrumentation]\nprometheus = false\n"));
        assert!(!out.contains("grpc-web"));
        // Idempotent.
        assert_eq!(edit_toml(&out, &edits).unwrap(), out);
    }

    #[test]
    fn header_detection_ignores_array_values() {
        assert_eq!(header_name("[rpc]"), Some("rpc"));
        assert_eq!(header_name("[grpc-web] # c"), Some("grpc-web"));
        assert_eq!(header_name("[streaming.abci]"), Some("streaming.abci"));
        assert_eq!(header_name("  [\"a\", \"b\"],"), None);
        assert_eq!(header_name("[[x]]"), None);
        assert!(assigns("max_tx_bytes = 1", "max_tx_bytes"));
        assert!(!assigns("max_txs_bytes = 1", "max_tx_bytes"));
        assert!(!assigns("# max_tx_bytes = 1", "max_tx_bytes"));
    }

    #[test]
    fn key_json_is_found_in_either_stream() {
        let json = r#"{"name":"owner","type":"local","address":"wasm1abc","pubkey":"{}","mnemonic":"a b c"}"#;
        let a = parse_key_json(&format!("\n{json}\n")).unwrap();
        assert_eq!(a.name, "owner");
        assert_eq!(a.address, "wasm1abc");
        assert_eq!(a.mnemonic, "a b c");
        assert!(parse_key_json("override the existing name owner [y/N]:").is_none());
    }

    #[test]
    fn genesis_rewrite_replaces_stake_values_only() {
        let dir = std::env::temp_dir().join(format!("bw-genesis-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("genesis.json");
        let g = serde_json::json!({
            "app_state": {
                "staking": { "params": { "bond_denom": "stake" } },
                "gov": { "params": { "min_deposit": [{ "denom": "stake", "amount": "1" }] } },
                "stake": "mistake",
                "wasm": { "params": {
                    "code_upload_access": { "permission": "Nobody", "addresses": [] },
                    "instantiate_default_permission": "Everybody"
                } }
            }
        });
        fs::write(&path, g.to_string()).unwrap();
        rewrite_genesis(&path, "ustake").unwrap();
        let out: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        let _ = fs::remove_dir_all(&dir);
        assert_eq!(
            out["app_state"]["staking"]["params"]["bond_denom"],
            "ustake"
        );
        assert_eq!(
            out["app_state"]["gov"]["params"]["min_deposit"][0]["denom"],
            "ustake"
        );
        assert_eq!(out["app_state"]["stake"], "mistake");
        assert_eq!(
            out["app_state"]["wasm"]["params"]["code_upload_access"]["permission"],
            "Everybody"
        );
    }

    #[test]
    fn tail_and_status_display() {
        let text: String = (1..=30).map(|i| format!("line {i}\n")).collect();
        let t = tail_lines(&text, 20);
        assert!(t.starts_with("line 11\n") && t.ends_with("line 30"));
        let st = DevnetStatus {
            running: true,
            pid: Some(42),
            height: Some(7),
            rpc: "http://127.0.0.1:26657".into(),
            home: "/h".into(),
        };
        let s = st.to_string();
        assert!(s.contains("running (pid 42)") && s.contains("height:  7"));
        assert!(s.contains("log:     /h/wasmd.log"));
    }
}
