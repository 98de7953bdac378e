//! Liquidator: every block, first a fast path — read the oracle's prices (one query) and
//! recompute, locally and exactly as the market does, the health of a watchlist of accounts
//! near liquidation, submitting those that crossed — then a full scan: page through the
//! market's accounts (pages fetched concurrently, from the page boundaries of the previous
//! scan), submit `Liquidate` for each unhealthy one not already in flight, lowest health
//! factor first, and refresh the watchlist (accounts below `watch_health_factor`, with their
//! holdings). The fast path is what lands a liquidation in the block after the price update
//! however many accounts the market has. Each liquidation is simulated first: one refused (healed,
//! throttled, another keeper won) is dropped. An account is never submitted twice while its
//! liquidation is in flight, so never twice in one block.
use super::{submit_batch, BlockLoop, Ctx, InFlight, Job, SharedWallet};
use crate::config::LiquidatorConfig;
use anyhow::Result;
use breakwater_chain::client::execute_msg;
use breakwater_chain::query::{prices, Scanner};
use breakwater_types::market::{AccountResponse, AccountSummary, ExecuteMsg, QueryMsg};
use breakwater_types::math::health::{compute_health, CollateralLine};
use cosmwasm_std::{Decimal, Uint128};
use std::collections::BTreeMap;
use std::collections::HashMap;
use std::sync::Arc;

/// Whether the market would let anyone liquidate the account (debt and HF < 1).
pub fn unhealthy(a: &AccountSummary) -> bool {
    !a.debt.is_zero() && a.health_factor.is_some_and(|h| h < Decimal::one())
}

/// An account near liquidation: its holdings and thresholds, to recompute its health at new
/// prices without asking the market.
#[derive(Debug, Clone, PartialEq)]
pub struct Watched {
    /// `(denom, units, liquidation threshold)` per holding.
    pub holdings: Vec<(String, Uint128, Decimal)>,
    /// Debt in base units when read.
    pub debt: Uint128,
    /// The summary the holdings were read with (re-read when it changes).
    pub summary: (Uint128, Uint128),
}

impl Watched {
    /// From the market's full account record.
    pub fn from_account(a: &AccountResponse) -> Self {
        Watched {
            holdings: a
                .collaterals
                .iter()
                .map(|c| (c.denom.clone(), c.amount, c.liquidation_threshold))
                .collect(),
            debt: a.debt,
            summary: (a.debt, a.collateral_value),
        }
    }

    /// Health factor at `prices`, computed as the market does (each value rounded down);
    /// `None` without debt or when a price is missing.
    pub fn health_at(&self, prices: &BTreeMap<String, Decimal>) -> Option<Decimal> {
        let lines = self
            .holdings
            .iter()
            .map(|(d, amount, lt)| {
                let p = *prices.get(d)?;
                Some(CollateralLine {
                    amount: *amount,
                    price: p,
                    borrow_price: p,
                    liquidation_threshold: *lt,
                    ltv: Decimal::zero(),
                })
            })
            .collect::<Option<Vec<_>>>()?;
        compute_health(&lines, self.debt).ok()?.health_factor
    }
}

/// Liquidation jobs for `accounts` (in order), skipping those in flight, at most
/// `max_per_block`.
async fn jobs_for(
    ctx: &Ctx,
    cfg: &LiquidatorConfig,
    wallet: &SharedWallet,
    inflight: &InFlight,
    first_seen: &Arc<std::sync::Mutex<HashMap<String, u64>>>,
    height: u64,
    accounts: impl Iterator<Item = String>,
) -> Result<Vec<Job>> {
    let sender = wallet.lock().await.signer.address.clone();
    let mut jobs = vec![];
    for addr in accounts {
        if jobs.len() >= cfg.max_per_block || ctx.stopping() {
            break;
        }
        if !inflight.claim(&addr, height) {
            continue;
        }
        first_seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(addr.clone())
            .or_insert(height);
        let msg = execute_msg(
            &sender,
            &ctx.deployment.market,
            &ExecuteMsg::Liquidate {
                borrower: addr.clone(),
            },
            &[],
        )?;
        let (metrics, seen, a) = (ctx.metrics.clone(), first_seen.clone(), addr.clone());
        let landed = move |out: &breakwater_chain::client::TxOutcome| {
            let mut seen = seen.lock().unwrap_or_else(|p| p.into_inner());
            // An entry newer than the landing belongs to a later episode (the account
            // turned unhealthy again before this confirmation was read): keep it.
            if let Some(first) = seen.get(&a).copied().filter(|f| *f < out.height) {
                seen.remove(&a);
                metrics.reaction(out.height - first);
            }
        };
        jobs.push(Job {
            key: addr,
            msgs: vec![msg],
            on_landed: Box::new(landed),
        });
    }
    Ok(jobs)
}

/// Keeps the watchlist to the accounts below `watch_health_factor` (and with debt), reading
/// the holdings of those that are new or whose summary changed.
async fn refresh_watch(
    ctx: &Ctx,
    cfg: &LiquidatorConfig,
    market: &str,
    accounts: &[AccountSummary],
    watch: &mut HashMap<String, Watched>,
) {
    let near: HashMap<&str, (Uint128, Uint128)> = accounts
        .iter()
        .filter(|a| {
            !a.debt.is_zero() && a.health_factor.is_some_and(|h| h < cfg.watch_health_factor)
        })
        .map(|a| (a.address.as_str(), (a.debt, a.collateral_value)))
        .collect();
    watch.retain(|a, _| near.contains_key(a.as_str()));
    let stale: Vec<&str> = near
        .iter()
        .filter(|(a, s)| watch.get(**a).is_none_or(|w| w.summary != **s))
        .map(|(a, _)| *a)
        .collect();
    for chunk in stale.chunks(cfg.concurrency.max(1)) {
        let reads = futures::future::join_all(chunk.iter().map(|a| async move {
            let q = QueryMsg::Account {
                address: a.to_string(),
            };
            ctx.client.query::<_, AccountResponse>(market, &q).await
        }))
        .await;
        for (a, r) in chunk.iter().zip(reads) {
            match r {
                Ok(acc) => {
                    watch.insert(a.to_string(), Watched::from_account(&acc));
                }
                Err(e) => tracing::debug!("liquidator: watch {a}: {e}"),
            }
        }
    }
}

/// Runs the liquidator role until shutdown.
pub async fn run(ctx: Ctx, cfg: LiquidatorConfig, wallet: SharedWallet) -> Result<()> {
    let shared = Shared {
        inflight: InFlight::default(),
        first_seen: Default::default(),
        watch: Default::default(),
    };
    // The fast path and the full scan run side by side: a long scan never delays the fast
    // path's reaction to a new block.
    let fast = fast_path(ctx.clone(), cfg.clone(), wallet.clone(), shared.clone());
    let scan = full_scan(ctx, cfg, wallet, shared);
    let (a, b) = tokio::join!(fast, scan);
    a.and(b)
}

/// State the two loops of the liquidator share.
#[derive(Clone, Default)]
struct Shared {
    inflight: InFlight,
    first_seen: Arc<std::sync::Mutex<HashMap<String, u64>>>,
    watch: Arc<std::sync::Mutex<HashMap<String, Watched>>>,
}

/// Every block: the watchlist's health at the oracle's prices; submits those below 1.
async fn fast_path(
    mut ctx: Ctx,
    cfg: LiquidatorConfig,
    wallet: SharedWallet,
    sh: Shared,
) -> Result<()> {
    let oracle = ctx.deployment.oracle.clone();
    let mut blocks = BlockLoop::default();
    while let Some(height) = blocks.next(&mut ctx, "liquidator").await {
        if sh
            .watch
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_empty()
        {
            continue;
        }
        let p = match prices(&ctx.client, &oracle).await {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!("liquidator: prices: {e}");
                continue;
            }
        };
        let mut crossed: Vec<(Decimal, String)> = sh
            .watch
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter_map(|(a, w)| w.health_at(&p).map(|h| (h, a.clone())))
            .filter(|(h, _)| *h < Decimal::one())
            .collect();
        crossed.sort();
        let jobs = jobs_for(
            &ctx,
            &cfg,
            &wallet,
            &sh.inflight,
            &sh.first_seen,
            height,
            crossed.into_iter().map(|(_, a)| a),
        )
        .await?;
        if let Err(e) = submit_batch(&ctx, "liquidator", &wallet, &sh.inflight, jobs).await {
            tracing::warn!("liquidator: {e}");
        }
    }
    Ok(())
}

/// Every block: pages through every account, submits the unhealthy ones, refreshes the
/// watchlist.
async fn full_scan(
    mut ctx: Ctx,
    cfg: LiquidatorConfig,
    wallet: SharedWallet,
    sh: Shared,
) -> Result<()> {
    let market = ctx.deployment.market.clone();
    let mut scanner = Scanner::default();
    let (inflight, first_seen) = (sh.inflight.clone(), sh.first_seen.clone());
    let mut blocks = BlockLoop::default();
    while let Some(height) = blocks.next(&mut ctx, "liquidator").await {
        // Full scan.
        let accounts = match scanner
            .scan(&ctx.client, &market, cfg.page_size, cfg.concurrency)
            .await
        {
            Ok(a) => a,
            Err(e) => {
                ctx.metrics.rpc_error();
                tracing::warn!("liquidator: scan failed: {e}");
                continue;
            }
        };
        let mut due: Vec<&AccountSummary> = accounts.iter().filter(|a| unhealthy(a)).collect();
        {
            let mut seen = first_seen.lock().unwrap_or_else(|p| p.into_inner());
            seen.retain(|addr, _| due.iter().any(|a| a.address == *addr));
            for a in &due {
                seen.entry(a.address.clone()).or_insert(height);
            }
        }
        due.sort_by_key(|a| a.health_factor);
        if !due.is_empty() {
            tracing::info!(
                height,
                accounts = accounts.len(),
                unhealthy = due.len(),
                in_flight = inflight.len(),
                "scan"
            );
        }
        let jobs = jobs_for(
            &ctx,
            &cfg,
            &wallet,
            &inflight,
            &first_seen,
            height,
            due.iter().map(|a| a.address.clone()),
        )
        .await?;
        if let Err(e) = submit_batch(&ctx, "liquidator", &wallet, &inflight, jobs).await {
            tracing::warn!("liquidator: {e}");
        }
        let mut watch = sh.watch.lock().unwrap_or_else(|p| p.into_inner()).clone();
        refresh_watch(&ctx, &cfg, &market, &accounts, &mut watch).await;
        *sh.watch.lock().unwrap_or_else(|p| p.into_inner()) = watch;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn watched() -> Watched {
        Watched {
            holdings: vec![
                ("uatom".into(), Uint128::new(100), Decimal::percent(70)),
                ("ueth".into(), Uint128::new(1), Decimal::percent(80)),
            ],
            debt: Uint128::new(1_000),
            summary: (Uint128::new(1_000), Uint128::new(1_000)),
        }
    }

    #[test]
    fn the_watchlist_recomputes_health_as_the_market_does() {
        let w = watched();
        let at = |atom: u64, eth: u64| {
            let p: BTreeMap<String, Decimal> = [
                ("uatom".to_string(), Decimal::percent(atom)),
                ("ueth".to_string(), Decimal::percent(eth)),
            ]
            .into();
            w.health_at(&p)
        };
        // 100 · 10 · 0.7 + 1 · 500 · 0.8 = 1,100 over a debt of 1,000.
        assert_eq!(at(1_000, 50_000), Some(Decimal::percent(110)));
        // A fall of ATOM to 8: 560 + 400 = 960 < 1,000.
        assert_eq!(at(800, 50_000), Some(Decimal::percent(96)));
        // A missing price gives no estimate rather than a wrong one.
        let only_atom: BTreeMap<String, Decimal> =
            [("uatom".to_string(), Decimal::percent(800))].into();
        assert_eq!(w.health_at(&only_atom), None);
    }

    #[test]
    fn unhealthy_needs_debt_and_a_health_factor_below_one() {
        let s = |debt: u128, hf: Option<u64>| AccountSummary {
            address: "a".into(),
            debt: Uint128::new(debt),
            collateral_value: Uint128::zero(),
            health_factor: hf.map(Decimal::percent),
        };
        assert!(unhealthy(&s(10, Some(99))));
        assert!(!unhealthy(&s(10, Some(100))));
        assert!(!unhealthy(&s(0, Some(50))));
        assert!(!unhealthy(&s(10, None)));
    }
}
