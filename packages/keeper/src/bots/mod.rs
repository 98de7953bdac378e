//! The keeper roles. Each runs as its own tokio task on a block loop ([`BlockLoop`]): it wakes
//! at every new block, reads the chain, and submits what is due. Wallets are shared by key
//! name, so two roles on one key never race for its sequence.
//!
//! Robustness common to every role:
//! - an account-sequence mismatch refetches and retries ([`breakwater_chain::client::Wallet`]);
//! - a transaction refused at simulation (the position healed, another keeper won, too early)
//!   is logged and dropped, never retried as is; the next block re-reads the chain;
//! - a lost RPC backs off (0.5 s doubling to 15 s) and resumes; a transaction whose inclusion
//!   cannot be confirmed is forgotten, and the chain — not the keeper — decides next block
//!   whether the work is still due, so a restart neither loses nor duplicates it;
//! - SIGINT/SIGTERM stop every loop between blocks.
pub mod auctions;
pub mod feeder;
pub mod liquidator;

use crate::metrics::{Metrics, Outcome};
use breakwater_chain::client::{Client, Gas, TxError, TxOutcome, Wallet};
use breakwater_chain::deploy::Deployment;
use cosmrs::Any;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Mutex};

/// Starts every role enabled in `cfg` (roles on the same key share its wallet).
pub fn spawn(
    cfg: &crate::config::Config,
    ctx: &Ctx,
) -> anyhow::Result<tokio::task::JoinSet<anyhow::Result<()>>> {
    let mut wallets: HashMap<String, SharedWallet> = HashMap::new();
    let mut wallet = |name: &str| -> anyhow::Result<SharedWallet> {
        if let Some(w) = wallets.get(name) {
            return Ok(w.clone());
        }
        let w = Arc::new(Mutex::new(Wallet::new(cfg.signer(name)?)));
        wallets.insert(name.to_string(), w.clone());
        Ok(w)
    };
    let mut tasks = tokio::task::JoinSet::new();
    if cfg.feeder.enabled {
        let ws = cfg
            .feeder
            .keys
            .iter()
            .map(|k| wallet(k))
            .collect::<anyhow::Result<Vec<_>>>()?;
        tasks.spawn(feeder::run(ctx.clone(), cfg.feeder.clone(), ws));
    }
    if cfg.liquidator.enabled {
        let w = wallet(&cfg.liquidator.key)?;
        tasks.spawn(liquidator::run(ctx.clone(), cfg.liquidator.clone(), w));
    }
    if cfg.bidder.enabled {
        let w = wallet(&cfg.bidder.key)?;
        tasks.spawn(auctions::run_bidder(ctx.clone(), cfg.bidder.clone(), w));
    }
    if cfg.resetter.enabled {
        let w = wallet(&cfg.resetter.key)?;
        tasks.spawn(auctions::run_resetter(ctx.clone(), cfg.resetter.clone(), w));
    }
    if cfg.backstop.enabled {
        let w = wallet(&cfg.backstop.key)?;
        tasks.spawn(auctions::run_backstop(ctx.clone(), cfg.backstop.clone(), w));
    }
    anyhow::ensure!(!tasks.is_empty(), "no role is enabled");
    Ok(tasks)
}

/// A wallet shared by the roles using its key.
pub type SharedWallet = Arc<Mutex<Wallet>>;

/// What every role needs.
#[derive(Clone)]
pub struct Ctx {
    /// The chain.
    pub client: Client,
    /// Contract addresses.
    pub deployment: Arc<Deployment>,
    /// Counters.
    pub metrics: Arc<Metrics>,
    /// Fires on shutdown.
    pub shutdown: watch::Receiver<bool>,
    /// Poll interval for new blocks.
    pub poll: Duration,
}

impl Ctx {
    /// Whether shutdown was requested.
    pub fn stopping(&self) -> bool {
        *self.shutdown.borrow()
    }

    /// Simulates and broadcasts `msgs` for `role`; counts the outcome. `Ok(None)` means
    /// refused at simulation or CheckTx (dropped); the returned hash is to be awaited with
    /// [`Ctx::confirm`].
    pub async fn submit(
        &self,
        role: &str,
        wallet: &SharedWallet,
        msgs: &[Any],
        what: &str,
    ) -> Result<Option<String>, TxError> {
        self.submit_with(role, wallet, msgs, what, Gas::Simulate)
            .await
    }

    /// [`Ctx::submit`] with an explicit gas rule.
    pub async fn submit_with(
        &self,
        role: &str,
        wallet: &SharedWallet,
        msgs: &[Any],
        what: &str,
        gas: Gas,
    ) -> Result<Option<String>, TxError> {
        let res = wallet.lock().await.broadcast(&self.client, msgs, gas).await;
        match res {
            Ok((hash, _)) => {
                self.metrics.tx(role, Outcome::Submitted);
                tracing::debug!(role, what, %hash, "submitted");
                Ok(Some(hash))
            }
            Err(TxError::Rejected(m)) | Err(TxError::WrongSequence(m)) => {
                self.metrics.tx(role, Outcome::Dropped);
                tracing::info!(role, what, "dropped: {}", short(&m));
                Ok(None)
            }
            Err(e) => {
                self.metrics.rpc_error();
                Err(e)
            }
        }
    }

    /// Waits for `hash` to land; counts success or failure. `None` if it could not be
    /// confirmed (node down or the transaction lost).
    pub async fn confirm(&self, role: &str, hash: &str, what: &str) -> Option<TxOutcome> {
        match self.client.wait_tx(hash).await {
            Ok(out) if out.ok() => {
                self.metrics.tx(role, Outcome::Succeeded);
                tracing::info!(
                    role,
                    what,
                    height = out.height,
                    gas = out.gas_used,
                    "landed"
                );
                Some(out)
            }
            Ok(out) => {
                self.metrics.tx(role, Outcome::Failed);
                tracing::info!(
                    role,
                    what,
                    height = out.height,
                    "failed on chain: {}",
                    short(&out.log)
                );
                Some(out)
            }
            Err(e) => {
                self.metrics.tx(role, Outcome::Lost);
                tracing::warn!(role, what, "not confirmed: {e}");
                None
            }
        }
    }
}

/// The first line of a chain error, without the SDK's boilerplate.
pub fn short(m: &str) -> String {
    let m = m.lines().next().unwrap_or(m);
    m.chars().take(240).collect()
}

/// Wakes once per new block, backing off while the node is unreachable.
pub struct BlockLoop {
    last: u64,
    backoff: Duration,
}

impl Default for BlockLoop {
    fn default() -> Self {
        BlockLoop {
            last: 0,
            backoff: Duration::from_millis(500),
        }
    }
}

impl BlockLoop {
    /// The next new height, or `None` on shutdown.
    pub async fn next(&mut self, ctx: &mut Ctx, role: &str) -> Option<u64> {
        loop {
            if ctx.stopping() {
                return None;
            }
            let wait = match ctx.client.height().await {
                Ok(h) if h > self.last => {
                    self.last = h;
                    self.backoff = Duration::from_millis(500);
                    ctx.metrics.height(h);
                    return Some(h);
                }
                Ok(_) => ctx.poll,
                Err(e) => {
                    ctx.metrics.rpc_error();
                    tracing::warn!(role, "RPC unavailable, retrying in {:?}: {e}", self.backoff);
                    let w = self.backoff;
                    self.backoff = (self.backoff * 2).min(Duration::from_secs(15));
                    w
                }
            };
            tokio::select! {
                _ = ctx.shutdown.changed() => {}
                _ = tokio::time::sleep(wait) => {}
            }
        }
    }
}

/// Work in flight, keyed by what it acts on: at most one transaction per key at a time, and
/// never the same key twice in one block.
#[derive(Debug, Default, Clone)]
pub struct InFlight {
    inner: Arc<std::sync::Mutex<HashMap<String, u64>>>,
}

impl InFlight {
    /// Claims `key` at `height`; false if it is already in flight.
    pub fn claim(&self, key: &str, height: u64) -> bool {
        let mut m = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if m.contains_key(key) {
            return false;
        }
        m.insert(key.to_string(), height);
        true
    }

    /// Releases `key` once its transaction landed, failed or was lost.
    pub fn release(&self, key: &str) {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
    }

    /// Keys in flight.
    pub fn len(&self) -> usize {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Whether nothing is in flight.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One transaction of a batch: what it acts on, its messages, and what to do once it lands.
pub struct Job {
    /// The in-flight key (an account, an auction).
    pub key: String,
    /// The messages.
    pub msgs: Vec<Any>,
    /// Called with the outcome if it succeeds.
    pub on_landed: Box<dyn FnOnce(&TxOutcome) + Send>,
}

/// Submits independent jobs for the next block: simulates them all at once, then broadcasts
/// the ones that pass back to back with their simulated gas, so none waits for another's
/// round trip. Jobs refused at simulation are dropped and released.
pub async fn submit_batch(
    ctx: &Ctx,
    role: &'static str,
    wallet: &SharedWallet,
    inflight: &InFlight,
    jobs: Vec<Job>,
) -> Result<(), TxError> {
    if jobs.is_empty() {
        return Ok(());
    }
    let mut w = wallet.lock().await;
    let batches: Vec<Vec<Any>> = jobs.iter().map(|j| j.msgs.clone()).collect();
    let gas = match w.simulate_many(&ctx.client, &batches).await {
        Ok(g) => g,
        Err(e) => {
            for j in &jobs {
                inflight.release(&j.key);
            }
            ctx.metrics.rpc_error();
            return Err(e);
        }
    };
    let mut failure = None;
    for (job, gas) in jobs.into_iter().zip(gas) {
        let limit = match gas {
            Ok(l) if failure.is_none() => l,
            Ok(_) => {
                inflight.release(&job.key);
                continue;
            }
            Err(e) => {
                ctx.metrics.tx(role, Outcome::Dropped);
                tracing::info!(role, what = %job.key, "dropped: {}", short(&e.to_string()));
                inflight.release(&job.key);
                continue;
            }
        };
        match w.broadcast(&ctx.client, &job.msgs, Gas::Fixed(limit)).await {
            Ok((hash, _)) => {
                ctx.metrics.tx(role, Outcome::Submitted);
                let (c, inflight, key, on_landed) =
                    (ctx.clone(), inflight.clone(), job.key, job.on_landed);
                tokio::spawn(async move {
                    if let Some(out) = c.confirm(role, &hash, &key).await {
                        if out.ok() {
                            on_landed(&out);
                        }
                    }
                    inflight.release(&key);
                });
            }
            Err(TxError::Rejected(m)) | Err(TxError::WrongSequence(m)) => {
                ctx.metrics.tx(role, Outcome::Dropped);
                tracing::info!(role, what = %job.key, "dropped: {}", short(&m));
                inflight.release(&job.key);
            }
            Err(e) => {
                ctx.metrics.rpc_error();
                inflight.release(&job.key);
                failure = Some(e);
            }
        }
    }
    match failure {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Submits `msgs` and, in the background, waits for them to land; `on_landed` sees the
/// outcome. The key is released when the transaction resolves either way.
pub async fn submit_tracked(
    ctx: &Ctx,
    role: &'static str,
    wallet: &SharedWallet,
    inflight: &InFlight,
    key: String,
    msgs: Vec<Any>,
    on_landed: impl FnOnce(&TxOutcome) + Send + 'static,
) -> Result<(), TxError> {
    match ctx.submit(role, wallet, &msgs, &key).await {
        Ok(Some(hash)) => {
            let (ctx, inflight) = (ctx.clone(), inflight.clone());
            tokio::spawn(async move {
                if let Some(out) = ctx.confirm(role, &hash, &key).await {
                    if out.ok() {
                        on_landed(&out);
                    }
                }
                inflight.release(&key);
            });
            Ok(())
        }
        Ok(None) => {
            inflight.release(&key);
            Ok(())
        }
        Err(e) => {
            inflight.release(&key);
            Err(e)
        }
    }
}
