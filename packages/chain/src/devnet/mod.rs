//! A wasmd chain on loopback for running Breakwater for real.
//!
//! [`up`] initializes a home directory once (genesis with funded test-keyring accounts, one
//! validator), starts `wasmd start` as a detached process (own process group, output appended
//! to `<home>/wasmd.log`, pid in `<home>/wasmd.pid`) and waits until blocks are produced.
//! [`down`] stops the node and keeps its state, so a later [`up`] resumes the same chain;
//! [`reset`] wipes the home and starts a fresh chain. The accounts (names, addresses and
//! mnemonics, HD path `m/44'/118'/0'/0/0`, bech32 prefix `wasm`) are in `<home>/accounts.json`,
//! read back with [`accounts`].
//!
//! - [`config`]: the settings and their validation;
//! - [`process`]: the wasmd process (start, find, stop, wait for blocks);
//! - [`init`]: the home's creation and the node's configuration files.
//!
//! Everything here is synchronous (callable from any thread). Process liveness is read from
//! `/proc` (Linux); signals are sent with the `kill` command.
pub mod config;
mod init;
mod process;

pub use config::DevnetConfig;

use anyhow::{anyhow, bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::fs;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use init::{check_marker, configure, init, is_initialized};
use process::{check_ports, check_wasmd, running_pid, start, stop, wait_ready};

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
pub(crate) const ACCOUNTS_FILE: &str = "accounts.json";
pub(crate) const MARKER_FILE: &str = "breakwater-devnet.json";
pub(crate) const PID_FILE: &str = "wasmd.pid";
pub(crate) const LOG_FILE: &str = "wasmd.log";

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
            let height = process::query_height(&rpc_url(cfg)).ok();
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

fn running_status(cfg: &DevnetConfig, home: &Path, pid: u32, height: Option<u64>) -> DevnetStatus {
    DevnetStatus {
        running: true,
        pid: Some(pid),
        height,
        rpc: rpc_url(cfg),
        home: home.to_path_buf(),
    }
}

// ----------------------------------------------------------------------------------------
// Small file helpers

pub(crate) fn write_file(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
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

pub(crate) fn remove_if_exists(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("cannot remove {}", path.display())),
    }
}

pub(crate) fn dir_is_empty(dir: &Path) -> Result<bool> {
    Ok(fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .next()
        .is_none())
}

pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let marker = serde_json::to_string(&init::Marker::of(&cfg)).unwrap();
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

    #[test]
    fn tail_and_status_display() {
        let text: String = (1..=30).map(|i| format!("line {i}\n")).collect();
        let t = process::tail_lines(&text, 20);
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
