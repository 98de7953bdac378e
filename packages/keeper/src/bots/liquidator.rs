//! Liquidator: every block, first a fast path — read the oracle's prices (one query) and
//! recompute, locally and exactly as the market does, the health of a watchlist of accounts
//! near liquidation, submitting those that crossed — then a full scan: page through the
//! market's accounts (pages fetched concurrently, from the page boundaries of the previous
//! scan), submit `Liquidate` for each unhealthy one not already in flight, lowest health
//! factor first, and refresh the watchlist (accounts below `watch_health_factor`, with their
//! holdings). The fast path is what lands a liquidation in the block after the price update
//! however many accounts the market has. Liquidations go `batch` to a transaction, the
//! transactions spread over several wallets (`accounts`) so sequences do not serialise them;
//! each transaction is simulated first: a liquidation refused (healed, throttled, another
//! keeper won) is taken out, one that does not pay after fees (`min_profit`) is left out. An
//! account is never submitted twice while its liquidation is in flight, so never twice in one
//! block.
use super::{economics, BlockLoop, Ctx, InFlight, SharedWallet};
use crate::config::LiquidatorConfig;
use crate::metrics::{Outcome, Throttle};
use anyhow::Result;
use breakwater_chain::client::execute_msg;
use breakwater_chain::client::{Gas, TxError, Wallet};
use breakwater_chain::query::{prices, Scanner};
use breakwater_types::liquidator::{QueryMsg as LiquidatorQuery, RoomResponse};
use breakwater_types::market::{AccountResponse, AccountSummary, ExecuteMsg, QueryMsg};
use breakwater_types::math::health::{compute_health, CollateralLine};
use breakwater_types::oracle::{OracleStatus, PriceResponse, QueryMsg as OracleQuery};
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

/// A liquidation transaction being prepared: its borrowers and messages.
struct Group {
    borrowers: Vec<String>,
    msgs: Vec<cosmrs::Any>,
}

/// Per-borrower `keeper_reward` of the `liquidate` events of a simulation or a block.
fn rewards(events: &breakwater_chain::client::Events) -> HashMap<String, u128> {
    let mut out = HashMap::new();
    for (kind, attrs) in events {
        if kind != "wasm" || !attrs.iter().any(|(k, v)| k == "action" && v == "liquidate") {
            continue;
        }
        let get = |key: &str| attrs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
        if let Some(b) = get("borrower") {
            let r = get("keeper_reward")
                .and_then(|r| r.parse::<u128>().ok())
                .unwrap_or(0);
            *out.entry(b).or_insert(0) += r;
        }
    }
    out
}

/// Submits liquidations of `accounts` (in order, those not in flight, at most
/// `max_per_block`): `batch` per transaction, the transactions spread across `wallets`.
/// Each transaction is simulated first; a liquidation the chain refuses (healed, throttled,
/// another keeper won) is taken out and the rest simulated again, and one whose keeper
/// reward does not cover its share of the fee by `min_profit` is left out. Every wallet
/// simulates and broadcasts its transactions at once, back to back.
async fn submit_liquidations(
    ctx: &Ctx,
    cfg: &LiquidatorConfig,
    wallets: &[SharedWallet],
    sh: &Shared,
    height: u64,
    source: &str,
    accounts: impl Iterator<Item = String>,
) -> Result<()> {
    let mut claimed = vec![];
    for addr in accounts {
        if claimed.len() >= cfg.max_per_block || ctx.stopping() {
            break;
        }
        if !sh.inflight.claim(&addr, height) {
            continue;
        }
        sh.first_seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(addr.clone())
            .or_insert(height);
        claimed.push(addr);
    }
    if claimed.is_empty() {
        return Ok(());
    }
    tracing::debug!(
        height,
        source,
        claimed = claimed.len(),
        "liquidator: submitting"
    );
    // Transactions are assigned to wallets round robin, continuing where the last block
    // stopped, so one wallet's sequence never carries more than its share.
    let start = sh
        .next_wallet
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut per_wallet: Vec<Vec<Vec<String>>> = vec![vec![]; wallets.len()];
    for (i, chunk) in claimed.chunks(cfg.batch.max(1)).enumerate() {
        per_wallet[(start + i) % wallets.len()].push(chunk.to_vec());
    }
    let runs = per_wallet
        .into_iter()
        .zip(wallets)
        .filter(|(groups, _)| !groups.is_empty())
        .map(|(groups, w)| send_groups(ctx, cfg, w, sh, groups));
    let results = futures::future::join_all(runs).await;
    for r in results {
        if let Err(e) = r {
            ctx.metrics.rpc_error();
            tracing::warn!("liquidator: {e}");
        }
    }
    Ok(())
}

/// How one group's simulation went.
enum Simulated {
    /// Every liquidation left passes and pays: send with this gas limit.
    Ready(Group, u64),
    /// Nothing left to send.
    Empty,
}

/// Simulates `g` until every liquidation in it passes (taking out the one the SDK names on
/// each refusal) and pays after its share of the fee (leaving out those that do not).
async fn prepare(
    ctx: &Ctx,
    cfg: &LiquidatorConfig,
    w: &mut Wallet,
    sh: &Shared,
    mut g: Group,
) -> Result<Simulated, TxError> {
    let mut rounds = 0;
    loop {
        rounds += 1;
        if g.msgs.is_empty() {
            return Ok(Simulated::Empty);
        }
        if rounds > cfg.batch + 3 {
            release(sh, &g);
            return Ok(Simulated::Empty);
        }
        let sim = w
            .simulate_many_full(&ctx.client, std::slice::from_ref(&g.msgs))
            .await?
            .remove(0);
        match sim {
            Ok(s) => {
                // Profit: each liquidation's reward against its share of the fee.
                let limit = Wallet::gas_limit(&ctx.client, Gas::Simulate, s.gas_used);
                let fee_each = ctx
                    .fee_in_base(limit)
                    .map(|f| f.div_ceil(g.borrowers.len() as u128));
                let rewards = rewards(&s.events);
                let keep: Vec<bool> = g
                    .borrowers
                    .iter()
                    .map(|b| {
                        let reward = rewards.get(b).copied().unwrap_or(0);
                        match fee_each {
                            Some(fee) => {
                                economics::liquidation_profit(reward, fee)
                                    >= i128::from(cfg.min_profit)
                            }
                            // Fees cannot be weighed: only the reward can be checked.
                            None => reward as i128 >= i128::from(cfg.min_profit),
                        }
                    })
                    .collect();
                if keep.iter().all(|k| *k) {
                    return Ok(Simulated::Ready(g, limit));
                }
                let mut kept = Group {
                    borrowers: vec![],
                    msgs: vec![],
                };
                for ((b, m), k) in g.borrowers.drain(..).zip(g.msgs.drain(..)).zip(keep) {
                    if k {
                        kept.borrowers.push(b);
                        kept.msgs.push(m);
                    } else {
                        ctx.metrics.unprofitable("liquidator");
                        tracing::info!(borrower = %b, "liquidator: skipped, does not pay after fees");
                        sh.inflight.release(&b);
                    }
                }
                g = kept;
            }
            Err(TxError::WrongSequence(m)) if rounds < 3 => {
                tracing::debug!("liquidator: sequence moved, simulating again: {m}");
                w.invalidate();
            }
            Err(e) => {
                let log = e.to_string();
                let at = breakwater_chain::client::failed_message_index(&log)
                    .filter(|i| *i < g.msgs.len() && g.msgs.len() > 1);
                ctx.metrics.tx("liquidator", Outcome::Dropped);
                match at {
                    Some(i) => {
                        let b = g.borrowers.remove(i);
                        g.msgs.remove(i);
                        tracing::info!(borrower = %b, "liquidator: dropped: {}", super::short(&log));
                        // Its watched holdings are stale: the next scan re-reads them.
                        sh.watch
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .remove(&b);
                        sh.inflight.release(&b);
                    }
                    None => {
                        tracing::info!(borrowers = ?g.borrowers, "liquidator: dropped: {}", super::short(&log));
                        release(sh, &g);
                        return Ok(Simulated::Empty);
                    }
                }
            }
        }
    }
}

fn release(sh: &Shared, g: &Group) {
    for b in &g.borrowers {
        sh.inflight.release(b);
    }
}

/// One wallet's share of a block, group by group: simulate (see [`prepare`]) and broadcast at
/// once, so the first transactions reach the mempool while the next are still simulated.
async fn send_groups(
    ctx: &Ctx,
    cfg: &LiquidatorConfig,
    wallet: &SharedWallet,
    sh: &Shared,
    groups: Vec<Vec<String>>,
) -> Result<(), TxError> {
    let t0 = std::time::Instant::now();
    let mut w = wallet.lock().await;
    let sender = w.signer.address.clone();
    let mut pending: std::collections::VecDeque<Group> = groups
        .into_iter()
        .map(|borrowers| {
            let msgs = borrowers
                .iter()
                .map(|b| {
                    execute_msg(
                        &sender,
                        &ctx.deployment.market,
                        &ExecuteMsg::Liquidate {
                            borrower: b.clone(),
                        },
                        &[],
                    )
                })
                .collect::<anyhow::Result<Vec<_>>>()
                .map_err(|e| TxError::Rejected(e.to_string()))?;
            Ok(Group { borrowers, msgs })
        })
        .collect::<Result<_, TxError>>()?;
    let mut sent = 0;
    while let Some(g) = pending.pop_front() {
        let (g, limit) = match prepare(ctx, cfg, &mut w, sh, g).await {
            Ok(Simulated::Ready(g, limit)) => (g, limit),
            Ok(Simulated::Empty) => continue,
            Err(e) => {
                for g in &pending {
                    release(sh, g);
                }
                return Err(e);
            }
        };
        if ctx.dry_run {
            ctx.metrics.tx("liquidator", Outcome::Simulated);
            tracing::info!(borrowers = ?g.borrowers, gas = limit, "dry run: would liquidate");
            release(sh, &g);
            continue;
        }
        match w.broadcast(&ctx.client, &g.msgs, Gas::Fixed(limit)).await {
            Ok((hash, limit)) => {
                sent += 1;
                ctx.metrics.tx("liquidator", Outcome::Submitted);
                ctx.metrics.batch_sent(g.borrowers.len());
                let fee = ctx.client.gas.fee(limit);
                let (c, sh) = (ctx.clone(), sh.clone());
                tokio::spawn(async move {
                    let what = format!("liquidate {}", g.borrowers.join(","));
                    if let Some(out) = c.confirm("liquidator", &hash, fee, &what).await {
                        if out.ok() {
                            // Their holdings changed: the next scan re-reads them.
                            {
                                let mut watch = sh.watch.lock().unwrap_or_else(|p| p.into_inner());
                                for b in &g.borrowers {
                                    watch.remove(b);
                                }
                            }
                            c.metrics.liquidated(g.borrowers.len() as u64);
                            let paid: u128 = rewards(&out.events).values().sum();
                            c.metrics.reward("liquidator", paid);
                            let mut seen = sh.first_seen.lock().unwrap_or_else(|p| p.into_inner());
                            for b in &g.borrowers {
                                // An entry newer than the landing belongs to a later episode
                                // (the account turned unhealthy again): keep it.
                                if let Some(first) =
                                    seen.get(b).copied().filter(|f| *f < out.height)
                                {
                                    seen.remove(b);
                                    c.metrics.reaction(out.height - first);
                                }
                            }
                        }
                    }
                    release(&sh, &g);
                });
            }
            Err(TxError::Rejected(m))
            | Err(TxError::WrongSequence(m))
            | Err(TxError::InsufficientFee(m)) => {
                ctx.metrics.tx("liquidator", Outcome::Dropped);
                tracing::info!(borrowers = ?g.borrowers, "liquidator: dropped at broadcast: {}", super::short(&m));
                release(sh, &g);
            }
            Err(e) => {
                release(sh, &g);
                for g in &pending {
                    release(sh, g);
                }
                return Err(e);
            }
        }
    }
    tracing::debug!(
        wallet = %sender,
        sent,
        ms = t0.elapsed().as_millis() as u64,
        "liquidator: wallet done"
    );
    Ok(())
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
pub async fn run(ctx: Ctx, cfg: LiquidatorConfig, wallets: Vec<SharedWallet>) -> Result<()> {
    anyhow::ensure!(!wallets.is_empty(), "the liquidator needs a wallet");
    let shared = Shared::default();
    // The fast path and the full scan run side by side: a long scan never delays the fast
    // path's reaction to a new block.
    let fast = fast_path(ctx.clone(), cfg.clone(), wallets.clone(), shared.clone());
    let scan = full_scan(ctx, cfg, wallets, shared);
    let (a, b) = tokio::join!(fast, scan);
    a.and(b)
}

/// State the two loops of the liquidator share.
#[derive(Clone, Default)]
struct Shared {
    inflight: InFlight,
    first_seen: Arc<std::sync::Mutex<HashMap<String, u64>>>,
    watch: Arc<std::sync::Mutex<HashMap<String, Watched>>>,
    next_wallet: Arc<std::sync::atomic::AtomicUsize>,
    /// The last height the fast path finished: the full scan of a block waits for it, so
    /// the node answers the fast path's queries and simulations first.
    fast_done: Arc<tokio::sync::watch::Sender<u64>>,
}

/// Every block: the watchlist's health at the oracle's prices; submits those below 1.
async fn fast_path(
    mut ctx: Ctx,
    cfg: LiquidatorConfig,
    wallets: Vec<SharedWallet>,
    sh: Shared,
) -> Result<()> {
    let oracle = ctx.deployment.oracle.clone();
    let mut blocks = BlockLoop::default();
    while let Some(height) = blocks.next(&mut ctx, "liquidator").await {
        let result = fast_block(&ctx, &cfg, &wallets, &sh, &oracle, height).await;
        sh.fast_done.send_replace(height);
        result?;
    }
    Ok(())
}

/// The fast path's work for one block.
async fn fast_block(
    ctx: &Ctx,
    cfg: &LiquidatorConfig,
    wallets: &[SharedWallet],
    sh: &Shared,
    oracle: &str,
    height: u64,
) -> Result<()> {
    if sh
        .watch
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .is_empty()
    {
        return Ok(());
    }
    let t0 = std::time::Instant::now();
    let p = match prices(&ctx.client, oracle).await {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!("liquidator: prices: {e}");
            return Ok(());
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
    let n = crossed.len();
    let priced = t0.elapsed();
    submit_liquidations(
        ctx,
        cfg,
        wallets,
        sh,
        height,
        "watchlist",
        crossed.into_iter().map(|(_, a)| a),
    )
    .await?;
    if n > 0 {
        tracing::debug!(
            height,
            crossed = n,
            priced_ms = priced.as_millis() as u64,
            submitted_ms = t0.elapsed().as_millis() as u64,
            "liquidator fast path"
        );
    }
    Ok(())
}

/// Every block: pages through every account, submits the unhealthy ones, refreshes the
/// watchlist.
async fn full_scan(
    mut ctx: Ctx,
    cfg: LiquidatorConfig,
    wallets: Vec<SharedWallet>,
    sh: Shared,
) -> Result<()> {
    let market = ctx.deployment.market.clone();
    let mut scanner = Scanner::default();
    let (inflight, first_seen) = (sh.inflight.clone(), sh.first_seen.clone());
    let mut blocks = BlockLoop::default();
    let mut fast_done = sh.fast_done.subscribe();
    while let Some(height) = blocks.next(&mut ctx, "liquidator").await {
        // After the fast path's turn at this height (or 2 s).
        let _ = tokio::time::timeout(
            std::time::Duration::from_secs(2),
            fast_done.wait_for(|h| *h >= height),
        )
        .await;
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
            // An account healed by a liquidation still in flight keeps its entry until the
            // confirmation records the reaction time.
            seen.retain(|addr, _| {
                due.iter().any(|a| a.address == *addr) || inflight.contains(addr)
            });
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
        submit_liquidations(
            &ctx,
            &cfg,
            &wallets,
            &sh,
            height,
            "scan",
            due.iter().map(|a| a.address.clone()),
        )
        .await?;
        let mut watch = sh.watch.lock().unwrap_or_else(|p| p.into_inner()).clone();
        refresh_watch(&ctx, &cfg, &market, &accounts, &mut watch).await;
        *sh.watch.lock().unwrap_or_else(|p| p.into_inner()) = watch;
        publish_throttles(&ctx).await;
    }
    Ok(())
}

/// Reads every listed collateral's liquidation throttle (the liquidator's `Room`, the
/// oracle's `Price`) into the metrics ([`crate::metrics::Throttle`]); a failed read is
/// counted and logged, and the collateral keeps its last values.
async fn publish_throttles(ctx: &Ctx) {
    let d = &ctx.deployment;
    for denom in d.plan.denoms() {
        let (room_q, price_q) = (
            LiquidatorQuery::Room {
                denom: denom.clone(),
            },
            OracleQuery::Price {
                denom: denom.clone(),
            },
        );
        let room = ctx.client.query::<_, RoomResponse>(&d.liquidator, &room_q);
        let price = ctx.client.query::<_, PriceResponse>(&d.oracle, &price_q);
        match tokio::join!(room, price) {
            (Ok(r), Ok(p)) => ctx.metrics.set_throttle(
                &denom,
                &Throttle {
                    cap: r.hole.u128(),
                    under_auction: r.dirt.u128(),
                    room: r.room.u128(),
                    measured_depth: r.measured_depth.map(|v| v.u128()),
                    sales_left: r.sales_left.map(|v| v.u128()),
                    oracle_active: matches!(p.status, OracleStatus::Active {}),
                    shortfall: p
                        .below_twap
                        .map_or(0.0, |b| b.shortfall.to_string().parse().unwrap_or(0.0)),
                },
            ),
            (Err(e), _) | (_, Err(e)) => {
                ctx.metrics.rpc_error();
                tracing::warn!("liquidator: throttle of {denom}: {e}");
            }
        }
    }
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
