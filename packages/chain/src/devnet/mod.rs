//! A wasmd chain on loopback for running Breakwater for real: one validator, or a network of
//! several (`validators = 4`) that keeps producing blocks while one of them is down.
//!
//! [`up`] initializes a home directory once (genesis with funded test-keyring accounts, one
//! gentx per validator, equal stakes), starts one `wasmd start` per node as a detached process
//! (own process group, output appended to the node's `wasmd.log`, pid in its `wasmd.pid`) and
//! waits until every node sees blocks. [`down`] stops the nodes and keeps their state, so a
//! later [`up`] resumes the same chain; [`reset`] wipes the home and starts a fresh chain;
//! [`stop_node`] and [`start_node`] stop and restart one node (failover tests). The accounts
//! (names, addresses and mnemonics, HD path `m/44'/118'/0'/0/0`, bech32 prefix `wasm`) are in
//! `<home>/accounts.json`, read back with [`accounts`].
//!
//! - [`config`]: the settings and their validation, ports (a port base, a stride per node);
//! - [`process`]: one node's wasmd process (start, find, stop, wait for blocks);
//! - [`init`]: the home's creation and the nodes' configuration files.
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

use init::{check_marker, configure, init, is_initialized, read_marker};
use process::{check_ports, check_wasmd, running_pid, start, stop, wait_ready};

/// The wasmd version the devnet is built and tested with (`scripts/tools.sh`).
pub const WASMD_VERSION: &str = "v0.61.14";
/// Key name of the validator of a one-validator devnet (also listed in `accounts.json`);
/// with several, `validator0`, `validator1`, ...
pub const VALIDATOR: &str = "validator";
/// Name of the account that gets [`FAUCET_FUND`] of every denom (it funds derived accounts).
pub const FAUCET: &str = "faucet";
/// Units of every denom given to the [`FAUCET`] account (at least; see [`DevnetConfig::fund`]).
pub const FAUCET_FUND: u128 = 1_000_000_000_000_000_000;
/// Self-delegation of each validator's gentx, in units of the bond denom.
pub const GENTX_AMOUNT: u128 = 250_000_000;
/// File names inside the home directory.
pub(crate) const ACCOUNTS_FILE: &str = "accounts.json";
pub(crate) const MARKER_FILE: &str = "breakwater-devnet.json";
pub(crate) const PID_FILE: &str = "wasmd.pid";
pub(crate) const LOG_FILE: &str = "wasmd.log";

/// A key of the devnet's test keyring.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevAccount {
    /// Key name (`owner`, `faucet`, ..., and the validators').
    pub name: String,
    /// Bech32 address (`wasm1...`).
    pub address: String,
    /// BIP-39 mnemonic (24 words, HD path `m/44'/118'/0'/0/0`). Test keys only.
    pub mnemonic: String,
}

/// One node of the network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// Its index (0 for a one-validator devnet).
    pub index: u32,
    /// Its wasmd home: the network's home with one validator, `<home>/node<i>` otherwise.
    pub home: PathBuf,
    /// CometBFT RPC port on 127.0.0.1.
    pub rpc_port: u16,
    /// CometBFT P2P port on 127.0.0.1.
    pub p2p_port: u16,
    /// gRPC port on 127.0.0.1.
    pub grpc_port: u16,
    /// REST API port on 127.0.0.1 (the API stays disabled).
    pub api_port: u16,
}

impl Node {
    /// `http://127.0.0.1:<rpc_port>`.
    pub fn rpc_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.rpc_port)
    }
}

/// One node in [`DevnetStatus`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeStatus {
    /// The node's index.
    pub index: u32,
    /// Whether its wasmd process is alive.
    pub running: bool,
    /// Its pid, when running.
    pub pid: Option<u32>,
    /// Latest block height from its RPC, when it answered.
    pub height: Option<u64>,
    /// Its CometBFT RPC URL.
    pub rpc: String,
    /// Its home directory.
    pub home: PathBuf,
}

/// What [`status`] (and [`up`], [`reset`]) report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevnetStatus {
    /// Whether every node runs.
    pub running: bool,
    /// Node 0's pid, when running.
    pub pid: Option<u32>,
    /// The highest block height any node's RPC reported.
    pub height: Option<u64>,
    /// Node 0's CometBFT RPC URL, e.g. `http://127.0.0.1:26657`.
    pub rpc: String,
    /// Absolute home directory of the network.
    pub home: PathBuf,
    /// Every node (one for a one-validator devnet).
    pub nodes: Vec<NodeStatus>,
}

impl fmt::Display for DevnetStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let [node] = self.nodes.as_slice() {
            match (node.running, node.pid) {
                (true, Some(pid)) => writeln!(f, "devnet:  running (pid {pid})")?,
                (true, None) => writeln!(f, "devnet:  running")?,
                (false, _) => writeln!(f, "devnet:  stopped")?,
            }
            match node.height {
                Some(h) => writeln!(f, "height:  {h}")?,
                None if node.running => writeln!(f, "height:  unknown (RPC not answering)")?,
                None => writeln!(f, "height:  -")?,
            }
            writeln!(f, "rpc:     {}", node.rpc)?;
            writeln!(f, "home:    {}", node.home.display())?;
            return write!(f, "log:     {}", node.home.join(LOG_FILE).display());
        }
        let up = self.nodes.iter().filter(|n| n.running).count();
        writeln!(
            f,
            "devnet:  {up} of {} validators running, height {}",
            self.nodes.len(),
            self.height.map_or("-".to_string(), |h| h.to_string())
        )?;
        writeln!(f, "home:    {}", self.home.display())?;
        for n in &self.nodes {
            let state = match (n.running, n.pid, n.height) {
                (true, Some(pid), Some(h)) => format!("running (pid {pid}), height {h}"),
                (true, Some(pid), None) => format!("running (pid {pid}), RPC not answering"),
                (true, None, _) => "running".to_string(),
                (false, _, _) => "stopped".to_string(),
            };
            writeln!(f, "node {}:  {state}", n.index)?;
            writeln!(f, "  rpc:   {}", n.rpc)?;
            writeln!(f, "  log:   {}", n.home.join(LOG_FILE).display())?;
        }
        Ok(())
    }
}

/// `keeper devnet <command>`.
#[derive(clap::Subcommand, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DevnetCommand {
    /// Initialize the chain (once) and start every node; waits for blocks. Idempotent.
    Up,
    /// Stop every node; the chain state is kept and `up` resumes it.
    Down,
    /// Show whether the nodes run, their pids, heights, RPC URLs and homes.
    Status,
    /// Stop the nodes, delete the home and start a fresh chain.
    Reset,
    /// List the devnet accounts (name and address; mnemonics are in accounts.json).
    Accounts,
    /// Stop one node (the others keep the chain going with 3 of 4 validators).
    StopNode {
        /// The node's index.
        index: u32,
    },
    /// Start one stopped node again and wait until it follows the chain.
    StartNode {
        /// The node's index.
        index: u32,
    },
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
            let stopped = down_nodes(cfg)?;
            let home = cfg.home_dir()?;
            if stopped.is_empty() {
                println!("devnet is not running ({})", home.display());
            }
            for (i, pid) in stopped {
                println!("stopped node {i} (wasmd pid {pid})");
            }
            println!("chain state kept in {}", home.display());
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
        DevnetCommand::StopNode { index } => match stop_node(cfg, *index)? {
            Some(pid) => println!("stopped node {index} (wasmd pid {pid})"),
            None => println!("node {index} was not running"),
        },
        DevnetCommand::StartNode { index } => {
            let h = start_node(cfg, *index)?;
            println!("node {index} running, height {h}");
        }
    }
    Ok(())
}

/// Node 0's CometBFT RPC URL, `http://127.0.0.1:<rpc_port>`.
pub fn rpc_url(cfg: &DevnetConfig) -> String {
    format!("http://127.0.0.1:{}", cfg.rpc_port)
}

/// Every node's CometBFT RPC URL, node 0 first.
pub fn rpc_urls(cfg: &DevnetConfig) -> Result<Vec<String>> {
    Ok(nodes(cfg)?.iter().map(Node::rpc_url).collect())
}

/// The validator key names: `validator` alone, or `validator0..n`.
pub fn validator_names(n: u32) -> Vec<String> {
    if n == 1 {
        vec![VALIDATOR.to_string()]
    } else {
        (0..n).map(|i| format!("{VALIDATOR}{i}")).collect()
    }
}

/// How many validators the devnet has: the configured number, else what its home was
/// created with, else 1.
pub fn validator_count(cfg: &DevnetConfig) -> Result<u32> {
    if let Some(n) = cfg.validators {
        return Ok(n);
    }
    let home = cfg.home_dir()?;
    Ok(read_marker(&home).map_or(1, |m| m.validators))
}

/// The nodes of the devnet, with their homes and ports.
pub fn nodes(cfg: &DevnetConfig) -> Result<Vec<Node>> {
    let n = validator_count(cfg)?;
    let home = cfg.home_dir()?;
    (0..n)
        .map(|i| {
            let (rpc_port, p2p_port, grpc_port, api_port) = cfg.node_ports(i)?;
            Ok(Node {
                index: i,
                home: node_home(&home, n, i),
                rpc_port,
                p2p_port,
                grpc_port,
                api_port,
            })
        })
        .collect()
}

/// Node `i`'s home inside the network's `home` of `n` validators.
pub(crate) fn node_home(home: &Path, n: u32, i: u32) -> PathBuf {
    if n == 1 {
        home.to_path_buf()
    } else {
        home.join(format!("node{i}"))
    }
}

/// Starts the devnet, initializing its home first if needed, and waits until every node
/// sees blocks (height >= 2, and a new block after a restart; timeout 60 s). Nodes already
/// running are left as they are. Configuration files are re-applied from `cfg` (ports, peers,
/// gas price) before each start; genesis settings need [`reset`] to change.
pub fn up(cfg: &DevnetConfig) -> Result<DevnetStatus> {
    let cfg = &DevnetConfig {
        validators: Some(validator_count(cfg)?),
        ..cfg.clone()
    };
    cfg.validate()?;
    let home = cfg.home_dir()?;
    let nodes = nodes(cfg)?;
    let already: Vec<Option<u32>> = nodes.iter().map(|n| running_pid(&n.home)).collect();
    if already.iter().all(Option::is_some) {
        for (node, pid) in nodes.iter().zip(&already) {
            let pid = pid.ok_or_else(|| anyhow!("node {} has no pid", node.index))?;
            let height = wait_ready(node, pid, None, false)?;
            tracing::info!(node = node.index, pid, height, "devnet already running");
        }
        return status(cfg);
    }
    check_wasmd(cfg)?;
    if is_initialized(&home) {
        check_marker(cfg, &home)?;
    } else {
        if already.iter().any(Option::is_some) {
            bail!(
                "{} is not initialized but a node runs there: run `keeper devnet down`",
                home.display()
            );
        }
        let t = Instant::now();
        init(cfg, &home)?;
        tracing::info!(
            home = %home.display(),
            validators = nodes.len(),
            secs = t.elapsed().as_secs_f64(),
            "devnet initialized"
        );
    }
    let mut started = vec![];
    let result = (|| -> Result<()> {
        for (node, pid) in nodes.iter().zip(&already) {
            if pid.is_some() {
                continue;
            }
            remove_if_exists(&node.home.join(PID_FILE))?;
            configure(cfg, &nodes, node)?;
            check_ports(node)?;
        }
        let t = Instant::now();
        for (node, pid) in nodes.iter().zip(&already) {
            if pid.is_none() {
                started.push((node.clone(), start(cfg, node)?));
            }
        }
        // Several validators only produce blocks once two thirds of them run: every node is
        // started before any is waited for.
        for (node, child) in &mut started {
            let pid = child.id();
            let height = wait_ready(node, pid, Some(child), true)?;
            tracing::info!(
                node = node.index,
                pid,
                height,
                secs = t.elapsed().as_secs_f64(),
                "devnet node producing blocks"
            );
        }
        Ok(())
    })();
    match result {
        Ok(()) => {
            for (_, mut child) in started {
                // Reap the node when it exits, in case this process outlives it.
                std::thread::spawn(move || {
                    let _ = child.wait();
                });
            }
            status(cfg)
        }
        Err(e) => {
            for (node, mut child) in started {
                if child.try_wait().ok().flatten().is_none() {
                    let _ = stop(&node.home);
                    let _ = child.wait();
                }
                let _ = remove_if_exists(&node.home.join(PID_FILE));
            }
            Err(e)
        }
    }
}

/// Stops every node: SIGTERM, up to 10 s of grace, then SIGKILL; removes the pid files.
/// The chain state stays in the home, so [`up`] resumes it. Doing nothing is fine.
pub fn down(cfg: &DevnetConfig) -> Result<()> {
    down_nodes(cfg).map(|_| ())
}

/// [`down`], returning `(node, pid)` of each node stopped.
fn down_nodes(cfg: &DevnetConfig) -> Result<Vec<(u32, u32)>> {
    let mut stopped = vec![];
    for node in nodes(cfg)? {
        if let Some(pid) = stop(&node.home)? {
            stopped.push((node.index, pid));
        }
    }
    Ok(stopped)
}

/// Stops node `index` only; returns its pid if it was running.
pub fn stop_node(cfg: &DevnetConfig, index: u32) -> Result<Option<u32>> {
    let node = nodes(cfg)?
        .into_iter()
        .find(|n| n.index == index)
        .ok_or_else(|| anyhow!("the devnet has no node {index}"))?;
    stop(&node.home)
}

/// Starts node `index` again (configuration re-applied) and waits until it sees a new
/// block; returns its height. A node already running is left as it is.
pub fn start_node(cfg: &DevnetConfig, index: u32) -> Result<u64> {
    let cfg = &DevnetConfig {
        validators: Some(validator_count(cfg)?),
        ..cfg.clone()
    };
    let all = nodes(cfg)?;
    let node = all
        .iter()
        .find(|n| n.index == index)
        .ok_or_else(|| anyhow!("the devnet has no node {index}"))?;
    if let Some(pid) = running_pid(&node.home) {
        return wait_ready(node, pid, None, false);
    }
    check_wasmd(cfg)?;
    check_marker(cfg, &cfg.home_dir()?)?;
    remove_if_exists(&node.home.join(PID_FILE))?;
    configure(cfg, &all, node)?;
    check_ports(node)?;
    let mut child = start(cfg, node)?;
    let pid = child.id();
    match wait_ready(node, pid, Some(&mut child), true) {
        Ok(h) => {
            std::thread::spawn(move || {
                let _ = child.wait();
            });
            Ok(h)
        }
        Err(e) => {
            if child.try_wait().ok().flatten().is_none() {
                let _ = stop(&node.home);
                let _ = child.wait();
            }
            Err(e)
        }
    }
}

/// Whether the nodes run, with their pids and current heights.
pub fn status(cfg: &DevnetConfig) -> Result<DevnetStatus> {
    let home = cfg.home_dir()?;
    let nodes: Vec<NodeStatus> = nodes(cfg)?
        .into_iter()
        .map(|n| {
            let pid = running_pid(&n.home);
            let rpc = n.rpc_url();
            NodeStatus {
                index: n.index,
                running: pid.is_some(),
                pid,
                height: pid.and_then(|_| process::query_height(&rpc).ok()),
                rpc,
                home: n.home,
            }
        })
        .collect();
    Ok(DevnetStatus {
        running: nodes.iter().all(|n| n.running),
        pid: nodes.first().and_then(|n| n.pid),
        height: nodes.iter().filter_map(|n| n.height).max(),
        rpc: rpc_url(cfg),
        home,
        nodes,
    })
}

/// Stops the nodes, deletes the home and starts a fresh chain. Refuses to delete a
/// non-empty directory that is not a devnet home.
pub fn reset(cfg: &DevnetConfig) -> Result<DevnetStatus> {
    let home = cfg.home_dir()?;
    // Stop whatever the old home ran (its own validator count), then create the new one.
    down(&DevnetConfig {
        validators: None,
        ..cfg.clone()
    })?;
    let cfg = &DevnetConfig {
        validators: Some(cfg.validators.unwrap_or(1)),
        ..cfg.clone()
    };
    cfg.validate()?;
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

/// The accounts of `<home>/accounts.json`: the configured accounts, then the validators.
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
        let node = |index: u32, running: bool| NodeStatus {
            index,
            running,
            pid: running.then_some(42 + index),
            height: running.then_some(7),
            rpc: format!("http://127.0.0.1:{}", 26657 + 10 * index),
            home: if index == 0 && !running {
                "/h".into()
            } else {
                format!("/h/node{index}").into()
            },
        };
        let st = DevnetStatus {
            running: true,
            pid: Some(42),
            height: Some(7),
            rpc: "http://127.0.0.1:26657".into(),
            home: "/h".into(),
            nodes: vec![NodeStatus {
                home: "/h".into(),
                ..node(0, true)
            }],
        };
        let s = st.to_string();
        assert!(s.contains("running (pid 42)") && s.contains("height:  7"));
        assert!(s.contains("log:     /h/wasmd.log"));
        let four = DevnetStatus {
            running: false,
            nodes: vec![node(0, false), node(1, true), node(2, true), node(3, true)],
            ..st
        };
        let s = four.to_string();
        assert!(s.contains("3 of 4 validators running, height 7"), "{s}");
        assert!(s.contains("node 0:  stopped") && s.contains("node 3:  running (pid 45)"));
        assert!(s.contains("http://127.0.0.1:26687"), "{s}");
    }
}
