//! Keeper metrics in the Prometheus text format, served on loopback.
//!
//! - `breakwater_keeper_tx_total{role, outcome}`: transactions per role and outcome
//!   (`submitted`; `succeeded`; `failed` on chain; `lost`: never seen in a block, e.g. dropped
//!   from the mempool of a node that restarted — the work is re-read from the chain next
//!   block; `dropped`: refused at simulation, e.g. the position healed or another keeper won).
//! - `breakwater_keeper_bids_total`, `breakwater_keeper_collateral_bought_total{denom}`.
//! - `breakwater_keeper_reaction_blocks`: histogram of blocks from the first block in which the
//!   liquidator saw an account unhealthy to the block its liquidation landed.
//! - `breakwater_keeper_height`: last block height seen; `breakwater_keeper_rpc_errors_total`.
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;

/// Upper bounds of the reaction histogram's buckets, in blocks.
pub const REACTION_BUCKETS: [u64; 7] = [0, 1, 2, 3, 5, 10, 30];

#[derive(Debug, Default)]
struct Inner {
    tx: BTreeMap<(String, String), u64>,
    bought: BTreeMap<String, u128>,
    bids: u64,
    reaction: Vec<u64>,
    height: u64,
    rpc_errors: u64,
}

/// Counters shared by every role.
#[derive(Debug, Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

/// Outcome of one transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Broadcast and accepted by CheckTx.
    Submitted,
    /// Included and succeeded.
    Succeeded,
    /// Included and failed.
    Failed,
    /// Never seen in a block within the timeout.
    Lost,
    /// Refused at simulation and not sent (healed, raced, too early).
    Dropped,
}

impl Outcome {
    fn label(self) -> &'static str {
        match self {
            Outcome::Submitted => "submitted",
            Outcome::Succeeded => "succeeded",
            Outcome::Failed => "failed",
            Outcome::Lost => "lost",
            Outcome::Dropped => "dropped",
        }
    }
}

impl Metrics {
    fn with<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> R {
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut g)
    }

    /// Counts one transaction of `role` with `outcome`.
    pub fn tx(&self, role: &str, outcome: Outcome) {
        self.with(|m| {
            *m.tx
                .entry((role.to_string(), outcome.label().to_string()))
                .or_default() += 1
        });
    }

    /// The count of `role` transactions with `outcome`.
    pub fn tx_count(&self, role: &str, outcome: Outcome) -> u64 {
        self.with(|m| {
            m.tx.get(&(role.to_string(), outcome.label().to_string()))
                .copied()
                .unwrap_or(0)
        })
    }

    /// Counts a filled bid buying `units` of `denom`.
    pub fn bid(&self, denom: &str, units: u128) {
        self.with(|m| {
            m.bids += 1;
            *m.bought.entry(denom.to_string()).or_default() += units;
        });
    }

    /// Records a liquidation's reaction time in blocks.
    pub fn reaction(&self, blocks: u64) {
        self.with(|m| m.reaction.push(blocks));
    }

    /// Every recorded reaction time, in blocks.
    pub fn reactions(&self) -> Vec<u64> {
        self.with(|m| m.reaction.clone())
    }

    /// Records the latest height seen.
    pub fn height(&self, h: u64) {
        self.with(|m| m.height = m.height.max(h));
    }

    /// Counts an RPC failure.
    pub fn rpc_error(&self) {
        self.with(|m| m.rpc_errors += 1);
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        self.with(|m| {
            let mut s = String::new();
            let _ = writeln!(s, "# HELP breakwater_keeper_tx_total Transactions per role and outcome.");
            let _ = writeln!(s, "# TYPE breakwater_keeper_tx_total counter");
            for ((role, outcome), n) in &m.tx {
                let _ = writeln!(
                    s,
                    "breakwater_keeper_tx_total{{role=\"{role}\",outcome=\"{outcome}\"}} {n}"
                );
            }
            let _ = writeln!(s, "# HELP breakwater_keeper_bids_total Filled bids.");
            let _ = writeln!(s, "# TYPE breakwater_keeper_bids_total counter");
            let _ = writeln!(s, "breakwater_keeper_bids_total {}", m.bids);
            let _ = writeln!(s, "# TYPE breakwater_keeper_collateral_bought_total counter");
            for (denom, n) in &m.bought {
                let _ = writeln!(
                    s,
                    "breakwater_keeper_collateral_bought_total{{denom=\"{denom}\"}} {n}"
                );
            }
            let _ = writeln!(
                s,
                "# HELP breakwater_keeper_reaction_blocks Blocks from first seeing an account unhealthy to its liquidation landing."
            );
            let _ = writeln!(s, "# TYPE breakwater_keeper_reaction_blocks histogram");
            for b in REACTION_BUCKETS {
                let n = m.reaction.iter().filter(|r| **r <= b).count();
                let _ = writeln!(s, "breakwater_keeper_reaction_blocks_bucket{{le=\"{b}\"}} {n}");
            }
            let _ = writeln!(
                s,
                "breakwater_keeper_reaction_blocks_bucket{{le=\"+Inf\"}} {}",
                m.reaction.len()
            );
            let _ = writeln!(
                s,
                "breakwater_keeper_reaction_blocks_sum {}",
                m.reaction.iter().sum::<u64>()
            );
            let _ = writeln!(s, "breakwater_keeper_reaction_blocks_count {}", m.reaction.len());
            let _ = writeln!(s, "# TYPE breakwater_keeper_height gauge");
            let _ = writeln!(s, "breakwater_keeper_height {}", m.height);
            let _ = writeln!(s, "# TYPE breakwater_keeper_rpc_errors_total counter");
            let _ = writeln!(s, "breakwater_keeper_rpc_errors_total {}", m.rpc_errors);
            s
        })
    }
}

/// Serves `metrics.render()` at any path on `listen` (loopback only) until `shutdown` fires.
pub async fn serve(
    listen: &str,
    metrics: std::sync::Arc<Metrics>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr: std::net::SocketAddr = listen
        .parse()
        .map_err(|e| anyhow::anyhow!("metrics listen address {listen}: {e}"))?;
    anyhow::ensure!(
        addr.ip().is_loopback(),
        "the metrics endpoint listens on loopback only, not {listen}"
    );
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("metrics endpoint {listen}: {e}"))?;
    tracing::info!(%addr, "metrics endpoint listening");
    loop {
        tokio::select! {
            _ = shutdown.changed() => return Ok(()),
            accepted = listener.accept() => {
                let Ok((mut sock, _)) = accepted else { continue };
                let body = metrics.render();
                tokio::spawn(async move {
                    let mut buf = [0u8; 1024];
                    let _ = sock.read(&mut buf).await;
                    let head = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = sock.write_all(head.as_bytes()).await;
                    let _ = sock.write_all(body.as_bytes()).await;
                    let _ = sock.shutdown().await;
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exposition_counts_per_role_and_buckets_reactions() {
        let m = Metrics::default();
        m.tx("liquidator", Outcome::Submitted);
        m.tx("liquidator", Outcome::Succeeded);
        m.tx("bidder", Outcome::Dropped);
        m.reaction(1);
        m.reaction(4);
        let text = m.render();
        assert!(text
            .contains("breakwater_keeper_tx_total{role=\"liquidator\",outcome=\"succeeded\"} 1"));
        assert!(text.contains("breakwater_keeper_tx_total{role=\"bidder\",outcome=\"dropped\"} 1"));
        assert!(text.contains("breakwater_keeper_reaction_blocks_bucket{le=\"1\"} 1"));
        assert!(text.contains("breakwater_keeper_reaction_blocks_bucket{le=\"5\"} 2"));
        assert!(text.contains("breakwater_keeper_reaction_blocks_sum 5"));
        assert_eq!(m.tx_count("liquidator", Outcome::Submitted), 1);
    }
}
