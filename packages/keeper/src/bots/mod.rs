//! The keeper roles. Each runs as its own tokio task on a block loop ([`BlockLoop`]): it wakes
//! at every new block, reads the chain, and submits what is due. Wallets are shared by key
//! name and HD index, so two roles on one account never race for its sequence.
//!
//! Robustness common to every role:
//! - an account-sequence mismatch refetches and retries, an "insufficient fee" raises the gas
//!   price and retries ([`breakwater_chain::wallet::Wallet`]);
//! - a transaction refused at simulation (the position healed, another keeper won, too early)
//!   is logged and dropped, never retried as is; the next block re-reads the chain;
//! - RPC endpoints fail over in order ([`breakwater_chain::client::rpc`]); when none answers,
//!   every loop backs off (0.5 s doubling to 15 s) and resumes;
//! - a transaction's fate is read from blocks, not from the node's tx index; one that never
//!   lands is counted `lost` and released, and the chain — not the keeper — decides next block
//!   whether the work is still due, so a node's death neither loses nor duplicates it;
//! - with `--dry-run` every transaction is simulated and logged, never sent;
//! - SIGINT/SIGTERM stop every loop between blocks.
pub mod auctions;
pub mod economics;
pub mod feeder;
pub mod liquidator;

use crate::metrics::{Metrics, Outcome};
use breakwater_chain::client::{Client, Gas, TxError, TxOutcome, Wallet};
use breakwater_chain::deploy::Deployment;
use cosmrs::Any;
use cosmwasm_std::Decimal;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Mutex};

/// A wallet shared by the roles using its account.
pub type SharedWallet = Arc<Mutex<Wallet>>;

/// Every wallet the keeper signs with, by key name and HD index.
#[derive(Default, Clone)]
pub struct Wallets {
    by_key: HashMap<(String, u32), SharedWallet>,
}

impl Wallets {
    /// The first `n` accounts of key `name` (created on first use).
    pub fn get(
        &mut self,
        cfg: &crate::config::Config,
        name: &str,
        n: u32,
    ) -> anyhow::Result<Vec<SharedWallet>> {
        if (0..n).all(|i| self.by_key.contains_key(&(name.to_string(), i))) {
            return Ok((0..n)
                .map(|i| self.by_key[&(name.to_string(), i)].clone())
                .collect());
        }
        let signers = cfg.signers(name, n)?;
        Ok(signers
            .into_iter()
            .enumerate()
            .map(|(i, s)| {
                self.by_key
                    .entry((name.to_string(), i as u32))
                    .or_insert_with(|| Arc::new(Mutex::new(Wallet::new(s))))
                    .clone()
            })
            .collect())
    }

    /// `(key name, HD index, wallet)` of every wallet, sorted.
    pub fn all(&self) -> Vec<(String, u32, SharedWallet)> {
        let mut v: Vec<_> = self
            .by_key
            .iter()
            .map(|((k, i), w)| (k.clone(), *i, w.clone()))
            .collect();
        v.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        v
    }
}

/// Starts every role enabled in `cfg`; returns the tasks and the wallets they use.
pub fn spawn(
    cfg: &crate::config::Config,
    ctx: &Ctx,
) -> anyhow::Result<(tokio::task::JoinSet<anyhow::Result<()>>, Wallets)> {
    let mut wallets = Wallets::default();
    let mut tasks = tokio::task::JoinSet::new();
    if cfg.feeder.enabled {
        let mut ws = vec![];
        for k in &cfg.feeder.keys {
            ws.extend(wallets.get(cfg, k, 1)?);
        }
        tasks.spawn(feeder::run(ctx.clone(), cfg.feeder.clone(), ws));
    }
    if cfg.liquidator.enabled {
        let ws = wallets.get(cfg, &cfg.liquidator.key, cfg.liquidator.accounts)?;
        tasks.spawn(liquidator::run(ctx.clone(), cfg.liquidator.clone(), ws));
    }
    if cfg.bidder.enabled {
        let w = wallets.get(cfg, &cfg.bidder.key, 1)?.remove(0);
        tasks.spawn(auctions::run_bidder(ctx.clone(), cfg.bidder.clone(), w));
    }
    if cfg.resetter.enabled {
        let w = wallets.get(cfg, &cfg.resetter.key, 1)?.remove(0);
        tasks.spawn(auctions::run_resetter(ctx.clone(), cfg.resetter.clone(), w));
    }
    if cfg.backstop.enabled {
        let w = wallets.get(cfg, &cfg.backstop.key, 1)?.remove(0);
        tasks.spawn(auctions::run_backstop(ctx.clone(), cfg.backstop.clone(), w));
    }
    anyhow::ensure!(!tasks.is_empty(), "no role is enabled");
    Ok((tasks, wallets))
}

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
    /// Simulate only: nothing is broadcast.
    pub dry_run: bool,
    /// Base units per fee-denom unit (`None`: unknown, profit checks cannot weigh fees).
    pub fee_price: Option<Decimal>,
}

impl Ctx {
    /// A context polling every 100 ms, sending for real, weighing fees at `fee_price`.
    pub fn new(
        client: Client,
        deployment: Arc<Deployment>,
        metrics: Arc<Metrics>,
        shutdown: watch::Receiver<bool>,
    ) -> Self {
        Ctx {
            client,
            deployment,
            metrics,
            shutdown,
            poll: Duration::from_millis(100),
            dry_run: false,
            fee_price: None,
        }
    }

    /// Whether shutdown was requested.
    pub fn stopping(&self) -> bool {
        *self.shutdown.borrow()
    }

    /// The fee of `gas_limit` at the current gas price, in base units (`None` when the fee
    /// token's price is unknown).
    pub fn fee_in_base(&self, gas_limit: u64) -> Option<u128> {
        let fee = self.client.gas.fee(gas_limit);
        let p = self.fee_price?;
        Some(cosmwasm_std::Uint128::new(fee).mul_ceil(p).u128())
    }

    /// Simulates and broadcasts `msgs` for `role`; counts the outcome. `Ok(None)` means
    /// refused at simulation or CheckTx (dropped), or a dry run; the returned hash and fee
    /// are to be awaited with [`Ctx::confirm`].
    pub async fn submit_with(
        &self,
        role: &str,
        wallet: &SharedWallet,
        msgs: &[Any],
        what: &str,
        gas: Gas,
    ) -> Result<Option<(String, u128)>, TxError> {
        if self.dry_run {
            let mut w = wallet.lock().await;
            let sim = w.simulate_many_full(&self.client, &[msgs.to_vec()]).await?;
            match sim.into_iter().next() {
                Some(Ok(s)) => {
                    self.metrics.tx(role, Outcome::Simulated);
                    tracing::info!(role, what, gas = s.gas_used, "dry run: would send");
                }
                Some(Err(e)) => {
                    self.metrics.tx(role, Outcome::Dropped);
                    tracing::info!(
                        role,
                        what,
                        "dry run: would be refused: {}",
                        short(&e.to_string())
                    );
                }
                None => {}
            }
            return Ok(None);
        }
        let res = wallet.lock().await.broadcast(&self.client, msgs, gas).await;
        match res {
            Ok((hash, limit)) => {
                self.metrics.tx(role, Outcome::Submitted);
                tracing::debug!(role, what, %hash, "submitted");
                Ok(Some((hash, self.client.gas.fee(limit))))
            }
            Err(TxError::Rejected(m))
            | Err(TxError::WrongSequence(m))
            | Err(TxError::InsufficientFee(m)) => {
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

    /// [`Ctx::submit_with`] with simulated gas.
    pub async fn submit(
        &self,
        role: &str,
        wallet: &SharedWallet,
        msgs: &[Any],
        what: &str,
    ) -> Result<Option<(String, u128)>, TxError> {
        self.submit_with(role, wallet, msgs, what, Gas::Simulate)
            .await
    }

    /// Waits for `hash` to land; counts success or failure and the fee paid. `None` if it
    /// never landed (lost).
    pub async fn confirm(
        &self,
        role: &str,
        hash: &str,
        fee: u128,
        what: &str,
    ) -> Option<TxOutcome> {
        match self.client.wait_tx(hash).await {
            Ok(out) => {
                self.metrics.fee(role, &self.client.fee_denom, fee);
                if out.ok() {
                    self.metrics.tx(role, Outcome::Succeeded);
                    tracing::info!(
                        role,
                        what,
                        height = out.height,
                        gas = out.gas_used,
                        "landed"
                    );
                } else {
                    self.metrics.tx(role, Outcome::Failed);
                    tracing::warn!(
                        role,
                        what,
                        height = out.height,
                        "failed on chain: {}",
                        short(&out.log)
                    );
                }
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

/// Wakes once per new block, backing off while no RPC endpoint answers.
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
            let wait = match ctx.client.status().await {
                Ok((h, t)) if h > self.last => {
                    self.last = h;
                    self.backoff = Duration::from_millis(500);
                    ctx.metrics.block(h, Some(t));
                    ctx.metrics.set_in_flight(ctx.client.in_flight());
                    ctx.metrics.set_gas_price(ctx.client.gas.get());
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

    /// Whether `key` is in flight.
    pub fn contains(&self, key: &str) -> bool {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains_key(key)
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

/// Submits `msgs` and, in the background, waits for them to land; `on_landed` sees a
/// successful outcome. The key is released when the transaction resolves either way.
pub async fn submit_tracked(
    ctx: &Ctx,
    role: &'static str,
    wallet: &SharedWallet,
    inflight: &InFlight,
    key: String,
    msgs: Vec<Any>,
    on_landed: impl FnOnce(&TxOutcome) + Send + 'static,
) -> Result<(), TxError> {
    submit_tracked_with(
        ctx,
        role,
        wallet,
        inflight,
        key,
        msgs,
        Gas::Simulate,
        on_landed,
    )
    .await
}

/// [`submit_tracked`] with an explicit gas rule.
#[allow(clippy::too_many_arguments)]
pub async fn submit_tracked_with(
    ctx: &Ctx,
    role: &'static str,
    wallet: &SharedWallet,
    inflight: &InFlight,
    key: String,
    msgs: Vec<Any>,
    gas: Gas,
    on_landed: impl FnOnce(&TxOutcome) + Send + 'static,
) -> Result<(), TxError> {
    match ctx.submit_with(role, wallet, &msgs, &key, gas).await {
        Ok(Some((hash, fee))) => {
            let (ctx, inflight) = (ctx.clone(), inflight.clone());
            tokio::spawn(async move {
                if let Some(out) = ctx.confirm(role, &hash, fee, &key).await {
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
