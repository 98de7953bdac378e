//! The wasmd process of one node: started detached (own process group, output appended to
//! its log, pid in a pid file), found again through the pid file and `/proc`, stopped with
//! SIGTERM then SIGKILL, and watched until its RPC reports blocks.
use super::{remove_if_exists, unix_now};
use super::{DevnetConfig, Node, LOG_FILE, PID_FILE};
use anyhow::{anyhow, bail, Context, Result};
use std::fs;
use std::io::{Read, Seek, SeekFrom, Write};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long [`wait_ready`] waits for the chain to produce blocks.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long [`stop`] waits after SIGTERM before SIGKILL.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);
/// Lines of `wasmd.log` quoted in errors.
pub(crate) const LOG_TAIL_LINES: usize = 20;
/// First words of the line `start` appends to the log before each start.
const START_BANNER: &str = "=== keeper devnet: wasmd start";

/// The pid of the pid file, if that process is alive and is wasmd of this home.
pub(crate) fn running_pid(home: &Path) -> Option<u32> {
    let pid = read_pid(home)?;
    is_alive(pid, home).then_some(pid)
}

pub(crate) fn read_pid(home: &Path) -> Option<u32> {
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
pub(crate) fn is_alive(pid: u32, home: &Path) -> bool {
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
pub(crate) fn stop(home: &Path) -> Result<Option<u32>> {
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

pub(crate) fn signal(pid: u32, sig: &str) -> Result<()> {
    // Failure is fine when the process has just exited; the caller re-checks liveness.
    Command::new("kill")
        .args([format!("-{sig}"), pid.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .with_context(|| format!("could not run `kill -{sig} {pid}` to stop wasmd"))?;
    Ok(())
}

pub(crate) fn wait_exit(pid: u32, home: &Path, timeout: Duration) -> bool {
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

pub(crate) fn check_wasmd(cfg: &DevnetConfig) -> Result<()> {
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

pub(crate) fn check_ports(node: &Node) -> Result<()> {
    for port in [node.rpc_port, node.p2p_port, node.grpc_port] {
        if TcpListener::bind(("127.0.0.1", port)).is_err() {
            bail!("port {port} is busy: is another devnet or wasmd running? (keeper devnet status / down)");
        }
    }
    Ok(())
}

/// Spawns `wasmd start` detached (own process group, output to the log), writes the pid file.
pub(crate) fn start(cfg: &DevnetConfig, node: &Node) -> Result<Child> {
    let home = node.home.as_path();
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
    tracing::info!(node = node.index, pid, log = %log_path.display(), "wasmd started");
    Ok(child)
}

/// Waits until the RPC reports height >= 2 (and, with `need_new_block`, a block newer than
/// the first height it answered, so a restarted chain is known to be live). Fails with the
/// end of the log if the node exits or the timeout passes.
pub(crate) fn wait_ready(
    node: &Node,
    pid: u32,
    mut child: Option<&mut Child>,
    need_new_block: bool,
) -> Result<u64> {
    let home = node.home.as_path();
    let started = Instant::now();
    let deadline = started + START_TIMEOUT;
    // `up` stops a node it started itself when it does not come up; an older one is left.
    let outcome = if child.is_some() {
        "stopped it".to_string()
    } else {
        format!(
            "it is still running as pid {pid}: check rpc_port ({}) or run `keeper devnet down`",
            node.rpc_port
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
        match query_height(&node.rpc_url()) {
            Ok(h) => {
                let first = *first.get_or_insert_with(|| {
                    tracing::info!(
                        node = node.index,
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

/// The latest block height from the node's CometBFT RPC at `url` (tendermint-rpc's HTTP
/// client, 2-second timeout). The devnet's API is synchronous and is called from plain threads
/// and from async runtimes' blocking threads alike, so the request runs on a private
/// single-threaded runtime in a scoped thread of its own.
pub(crate) fn query_height(url: &str) -> Result<u64> {
    use tendermint_rpc::client::CompatMode;
    use tendermint_rpc::{Client as _, HttpClient};
    let ask = || -> Result<u64> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start a runtime for the RPC request")?;
        rt.block_on(async {
            let client =
                HttpClient::builder(url.parse().map_err(|e| anyhow!("bad RPC url {url}: {e}"))?)
                    .compat_mode(CompatMode::V0_38)
                    .timeout(Duration::from_secs(2))
                    .build()
                    .map_err(|e| anyhow!("RPC client for {url}: {e}"))?;
            let st = client.status().await.map_err(|e| {
                let e = e.to_string();
                anyhow!(
                    "{url} did not answer: {}",
                    e.lines().next().unwrap_or_default()
                )
            })?;
            Ok(st.sync_info.latest_block_height.value())
        })
    };
    std::thread::scope(|s| {
        s.spawn(ask)
            .join()
            .map_err(|_| anyhow!("the RPC request thread panicked"))?
    })
}

/// The last [`LOG_TAIL_LINES`] lines of a log file (reads at most its last 64 KiB).
pub(crate) fn log_tail(path: &Path) -> String {
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

pub(crate) fn tail_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}
