//! Liquidator: every block, pages through the market's accounts (pages fetched concurrently,
//! from the page boundaries of the previous scan), and submits `Liquidate` for each unhealthy
//! one, lowest health factor first. Each liquidation is simulated first: one refused (healed,
//! throttled, another keeper won) is dropped. An account is never submitted twice while its
//! liquidation is in flight, so never twice in one block.
use super::{submit_tracked, BlockLoop, Ctx, InFlight, SharedWallet};
use crate::client::{execute_msg, Client, TxError};
use crate::config::LiquidatorConfig;
use anyhow::Result;
use breakwater_types::market::{AccountSummary, AccountsResponse, ExecuteMsg, QueryMsg};
use cosmwasm_std::Decimal;
use std::collections::HashMap;
use std::sync::Arc;

/// Pages through `market`'s accounts in `(start, end]` (`end = None`: to the last).
async fn fetch_range(
    client: &Client,
    market: &str,
    start: Option<String>,
    end: Option<String>,
    limit: u32,
) -> Result<Vec<AccountSummary>, TxError> {
    let mut out = vec![];
    let mut after = start;
    loop {
        let page: AccountsResponse = client
            .query(
                market,
                &QueryMsg::Accounts {
                    start_after: after.clone(),
                    limit: Some(limit),
                },
            )
            .await?;
        let full = page.accounts.len() as u32 >= limit;
        let mut reached_end = false;
        for a in page.accounts {
            if end.as_ref().is_some_and(|e| a.address > *e) {
                reached_end = true;
                break;
            }
            out.push(a);
        }
        if !full || reached_end {
            return Ok(out);
        }
        let last = out.last().map(|a| a.address.clone());
        if last.is_none() || last == end {
            return Ok(out);
        }
        after = last;
    }
}

/// Scans every account; remembers page boundaries so the next scan runs its pages at once.
#[derive(Debug, Default)]
pub struct Scanner {
    boundaries: Vec<String>,
}

impl Scanner {
    /// Every account of the market, sorted by address.
    pub async fn scan(
        &mut self,
        client: &Client,
        market: &str,
        limit: u32,
        concurrency: usize,
    ) -> Result<Vec<AccountSummary>, TxError> {
        let limit = limit.clamp(1, 100);
        let mut starts: Vec<Option<String>> = vec![None];
        starts.extend(self.boundaries.iter().cloned().map(Some));
        let ranges: Vec<(Option<String>, Option<String>)> = starts
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), starts.get(i + 1).cloned().flatten()))
            .collect();
        let mut all = vec![];
        for chunk in ranges.chunks(concurrency.max(1)) {
            let pages = futures::future::join_all(
                chunk
                    .iter()
                    .map(|(s, e)| fetch_range(client, market, s.clone(), e.clone(), limit)),
            )
            .await;
            for p in pages {
                all.extend(p?);
            }
        }
        all.sort_by(|a, b| a.address.cmp(&b.address));
        all.dedup_by(|a, b| a.address == b.address);
        self.boundaries = all
            .iter()
            .skip(limit as usize - 1)
            .step_by(limit as usize)
            .map(|a| a.address.clone())
            .collect();
        Ok(all)
    }
}

/// Whether the market would let anyone liquidate the account (debt and HF < 1).
pub fn unhealthy(a: &AccountSummary) -> bool {
    !a.debt.is_zero() && a.health_factor.is_some_and(|h| h < Decimal::one())
}

/// Runs the liquidator role until shutdown.
pub async fn run(mut ctx: Ctx, cfg: LiquidatorConfig, wallet: SharedWallet) -> Result<()> {
    let market = ctx.deployment.market.clone();
    let mut scanner = Scanner::default();
    let inflight = InFlight::default();
    let first_seen: Arc<std::sync::Mutex<HashMap<String, u64>>> = Default::default();
    let mut blocks = BlockLoop::default();
    while let Some(height) = blocks.next(&mut ctx, "liquidator").await {
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
        let mut sent = 0;
        for a in due {
            if sent >= cfg.max_per_block || ctx.stopping() {
                break;
            }
            if !inflight.claim(&a.address, height) {
                continue;
            }
            let sender = wallet.lock().await.signer.address.clone();
            let msg = execute_msg(
                &sender,
                &market,
                &ExecuteMsg::Liquidate {
                    borrower: a.address.clone(),
                },
                &[],
            )?;
            let (metrics, seen, addr) =
                (ctx.metrics.clone(), first_seen.clone(), a.address.clone());
            let landed = move |out: &crate::client::TxOutcome| {
                let mut seen = seen.lock().unwrap_or_else(|p| p.into_inner());
                // An entry newer than the landing belongs to a later episode (the account
                // turned unhealthy again before this confirmation was read): keep it.
                if let Some(first) = seen.get(&addr).copied().filter(|f| *f < out.height) {
                    seen.remove(&addr);
                    metrics.reaction(out.height - first);
                }
            };
            match submit_tracked(
                &ctx,
                "liquidator",
                &wallet,
                &inflight,
                a.address.clone(),
                vec![msg],
                landed,
            )
            .await
            {
                Ok(()) => sent += 1,
                Err(e) => {
                    tracing::warn!("liquidator: {e}");
                    break;
                }
            }
        }
    }
    Ok(())
}
