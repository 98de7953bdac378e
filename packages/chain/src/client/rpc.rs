//! A list of CometBFT RPC endpoints with health tracking and failover.
//!
//! Requests go to the active endpoint. A transport failure (refused, reset, timed out — not
//! an error the node answered with) marks it failed and the request is retried on the next
//! endpoint in order, skipping those that failed in the last [`COOLDOWN`]; the first one that
//! answers becomes active. [`RpcPool::check`] asks every endpoint for its status: one that
//! does not answer, is still catching up, or is more than `max_lag` blocks behind the best
//! is unhealthy, and an unhealthy active endpoint is replaced by the healthiest.
use serde::Serialize;
use std::future::Future;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tendermint_rpc::client::CompatMode;
use tendermint_rpc::error::ErrorDetail;
use tendermint_rpc::{Client as _, HttpClient};

/// How long an endpoint that failed is skipped (unless every endpoint failed).
pub const COOLDOWN: Duration = Duration::from_secs(5);

/// The health of one endpoint, as last seen.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct EndpointHealth {
    /// The URL.
    pub url: String,
    /// Whether it is used for requests now.
    pub active: bool,
    /// Whether it answered its last request or status check (and was not behind).
    pub healthy: bool,
    /// Its latest height at the last status check.
    pub height: u64,
    /// Failures since it last answered.
    pub consecutive_failures: u32,
    /// The last failure, first line.
    pub last_error: Option<String>,
}

#[derive(Debug, Default)]
struct State {
    healthy: bool,
    height: u64,
    consecutive_failures: u32,
    failed_at: Option<Instant>,
    last_error: Option<String>,
}

struct Endpoint {
    url: String,
    client: HttpClient,
    state: Mutex<State>,
}

/// Endpoints in order of preference.
pub struct RpcPool {
    endpoints: Vec<Endpoint>,
    active: AtomicUsize,
    failovers: AtomicU64,
    max_lag: u64,
}

impl std::fmt::Debug for RpcPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let urls: Vec<&str> = self.endpoints.iter().map(|e| e.url.as_str()).collect();
        write!(f, "RpcPool({urls:?})")
    }
}

/// Whether an RPC error is the endpoint's fault (transport) rather than an answer.
pub fn is_transport(e: &tendermint_rpc::Error) -> bool {
    !matches!(e.detail(), ErrorDetail::Response(_))
}

/// An RPC error in one line: the node's own message for an error it answered with, else the
/// first line (tendermint-rpc errors carry a multi-line trace).
pub fn first_line(e: &tendermint_rpc::Error) -> String {
    if let ErrorDetail::Response(r) = e.detail() {
        return format!("response error: {}", r.source);
    }
    one_line(&e.to_string())
}

/// `HTTP error` + the causes of a flex-error report (`Caused by:` lines), without its
/// `Location:` and backtrace sections.
fn one_line(report: &str) -> String {
    let mut lines = report.lines();
    let mut out = lines.next().unwrap_or_default().trim().to_string();
    let mut in_causes = false;
    for l in lines {
        let t = l.trim();
        if t == "Caused by:" {
            in_causes = true;
        } else if t.starts_with("Location:") || t.starts_with("Stack backtrace") {
            break;
        } else if in_causes && !t.is_empty() {
            out.push_str(": ");
            out.push_str(
                t.trim_start_matches(|c: char| c.is_ascii_digit() || c == ':')
                    .trim(),
            );
        }
    }
    out
}

impl RpcPool {
    /// A pool over `urls` (at least one); `timeout` per request.
    pub fn new(urls: &[String], timeout: Duration, max_lag: u64) -> anyhow::Result<Self> {
        anyhow::ensure!(!urls.is_empty(), "no RPC endpoint given");
        let endpoints = urls
            .iter()
            .map(|url| {
                let parsed = url
                    .parse()
                    .map_err(|e| anyhow::anyhow!("bad RPC url {url}: {e}"))?;
                let client = HttpClient::builder(parsed)
                    .compat_mode(CompatMode::V0_38)
                    .timeout(timeout)
                    .build()
                    .map_err(|e| anyhow::anyhow!("RPC client for {url}: {e}"))?;
                Ok(Endpoint {
                    url: url.clone(),
                    client,
                    state: Mutex::new(State {
                        healthy: true,
                        ..State::default()
                    }),
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(RpcPool {
            endpoints,
            active: AtomicUsize::new(0),
            failovers: AtomicU64::new(0),
            max_lag,
        })
    }

    /// The URL requests go to now.
    pub fn active_url(&self) -> &str {
        &self.endpoints[self.active.load(Ordering::Relaxed)].url
    }

    /// How many times the active endpoint changed.
    pub fn failovers(&self) -> u64 {
        self.failovers.load(Ordering::Relaxed)
    }

    fn lock(&self, i: usize) -> std::sync::MutexGuard<'_, State> {
        self.endpoints[i]
            .state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    fn set_active(&self, i: usize, why: &str) {
        let old = self.active.swap(i, Ordering::Relaxed);
        if old != i {
            self.failovers.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(
                from = %self.endpoints[old].url,
                to = %self.endpoints[i].url,
                "RPC failover: {why}"
            );
        }
    }

    fn record_ok(&self, i: usize) {
        let mut s = self.lock(i);
        s.consecutive_failures = 0;
        s.failed_at = None;
        s.healthy = true;
    }

    fn record_failure(&self, i: usize, e: &tendermint_rpc::Error) {
        let mut s = self.lock(i);
        s.consecutive_failures += 1;
        s.failed_at = Some(Instant::now());
        s.healthy = false;
        s.last_error = Some(first_line(e));
    }

    /// The order to try endpoints in: the active one, then the others in configured order,
    /// those in cooldown last.
    fn order(&self) -> Vec<usize> {
        let n = self.endpoints.len();
        let active = self.active.load(Ordering::Relaxed);
        let mut fresh = vec![];
        let mut cooling = vec![];
        for i in std::iter::once(active).chain((0..n).filter(|i| *i != active)) {
            let cooling_down = self
                .lock(i)
                .failed_at
                .is_some_and(|t| t.elapsed() < COOLDOWN);
            if cooling_down {
                cooling.push(i);
            } else {
                fresh.push(i);
            }
        }
        fresh.extend(cooling);
        fresh
    }

    /// Runs `f` on the active endpoint, failing over to the others on transport errors.
    /// An error the node answered with is returned as is.
    pub async fn call<T, F, Fut>(&self, f: F) -> Result<T, tendermint_rpc::Error>
    where
        F: Fn(HttpClient) -> Fut,
        Fut: Future<Output = Result<T, tendermint_rpc::Error>>,
    {
        let mut last = None;
        for i in self.order() {
            match f(self.endpoints[i].client.clone()).await {
                Ok(v) => {
                    self.record_ok(i);
                    self.set_active(i, "the active endpoint stopped answering");
                    return Ok(v);
                }
                Err(e) if is_transport(&e) => {
                    tracing::debug!(url = %self.endpoints[i].url, "RPC failure: {}", first_line(&e));
                    self.record_failure(i, &e);
                    last = Some(e);
                }
                Err(e) => {
                    self.record_ok(i);
                    return Err(e);
                }
            }
        }
        Err(last.expect("at least one endpoint"))
    }

    /// Asks every endpoint for its status and `chain_id`; marks each healthy or not and moves
    /// off an unhealthy active endpoint. Returns the health of each, in configured order.
    pub async fn check(&self, chain_id: &str) -> Vec<EndpointHealth> {
        let answers = futures::future::join_all(self.endpoints.iter().map(|e| {
            let c = e.client.clone();
            async move { c.status().await }
        }))
        .await;
        let best = answers
            .iter()
            .filter_map(|a| a.as_ref().ok())
            .map(|s| s.sync_info.latest_block_height.value())
            .max()
            .unwrap_or(0);
        for (i, a) in answers.iter().enumerate() {
            let mut s = self.lock(i);
            match a {
                Ok(st) => {
                    let h = st.sync_info.latest_block_height.value();
                    s.height = h;
                    let network = st.node_info.network.as_str();
                    let problem = if network != chain_id {
                        Some(format!("chain id {network}, expected {chain_id}"))
                    } else if st.sync_info.catching_up {
                        Some("catching up".to_string())
                    } else if best.saturating_sub(h) > self.max_lag {
                        Some(format!("{} blocks behind", best - h))
                    } else {
                        None
                    };
                    s.healthy = problem.is_none();
                    if let Some(p) = problem {
                        s.last_error = Some(p);
                        s.failed_at = Some(Instant::now());
                    } else {
                        s.consecutive_failures = 0;
                        s.failed_at = None;
                    }
                }
                Err(e) => {
                    s.healthy = false;
                    s.consecutive_failures += 1;
                    s.failed_at = Some(Instant::now());
                    s.last_error = Some(first_line(e));
                }
            }
        }
        let active = self.active.load(Ordering::Relaxed);
        if !self.lock(active).healthy {
            let candidate = (0..self.endpoints.len())
                .filter(|i| self.lock(*i).healthy)
                .max_by_key(|i| (self.lock(*i).height, std::cmp::Reverse(*i)));
            if let Some(i) = candidate {
                self.set_active(i, "the active endpoint is unhealthy");
            }
        }
        self.health()
    }

    /// The health of each endpoint, as last seen.
    pub fn health(&self) -> Vec<EndpointHealth> {
        let active = self.active.load(Ordering::Relaxed);
        (0..self.endpoints.len())
            .map(|i| {
                let s = self.lock(i);
                EndpointHealth {
                    url: self.endpoints[i].url.clone(),
                    active: i == active,
                    healthy: s.healthy,
                    height: s.height,
                    consecutive_failures: s.consecutive_failures,
                    last_error: s.last_error.clone(),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transport_errors_keep_their_cause_on_one_line() {
        let report = "HTTP error\n\nCaused by:\n    error sending request for url (http://127.0.0.1:1/): tcp connect error: Connection refused (os error 111)\n\nLocation:\n    /x/eyre.rs:10:9\n\nStack backtrace:\n  0: main";
        assert_eq!(
            one_line(report),
            "HTTP error: error sending request for url (http://127.0.0.1:1/): tcp connect error: Connection refused (os error 111)"
        );
        assert_eq!(one_line("response error"), "response error");
    }
}
