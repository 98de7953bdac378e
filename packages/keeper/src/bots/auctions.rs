//! The roles that watch the liquidator's auctions:
//! - bidder: bids only when it pays after the fee and the slippage of selling the lot (on a
//!   pool venue, in the same transaction or through the flash receiver with no inventory; on a
//!   configured depth; or, without a venue, by a margin under the oracle), always with
//!   `max_price` = the price it saw;
//! - resetter: resets auctions that need it (stale or below the cusp);
//! - backstop trigger: asks the backstop to take auctions that sit at their floor, and to
//!   re-sell the collateral it holds.
use super::{
    economics, submit_tracked, submit_tracked_with, BlockLoop, Ctx, InFlight, SharedWallet,
};
use crate::config::{BackstopRoleConfig, BidderConfig, RoleKey, Venue};
use crate::metrics::Outcome;
use anyhow::Result;
use breakwater_chain::client::{execute_msg, Client, Gas, TxError, Wallet};
use breakwater_chain::query::all_auctions;
use breakwater_types::backstop::{self, PoolResponse};
use breakwater_types::liquidator::{self, AuctionResponse, FlashCallback};
use breakwater_types::oracle::{self, PriceResponse};
use breakwater_types::venue;
use cosmwasm_std::{Decimal, Uint128};
use std::collections::BTreeMap;
use std::str::FromStr;

/// The bid the bidder makes on `a`, if any: `(max_collateral, max_price, funds)`.
///
/// It bids when `price ≤ reference · (1 − margin)` and the auction is live; it takes as much
/// of the lot as `max_spend` buys at the price, attaching `ceil(units · price)` (the
/// liquidator refunds any excess). `max_price` is the price seen, so a price that moved up
/// (a reset) between the query and the block does not fill.
pub fn plan_bid(
    a: &AuctionResponse,
    reference: Decimal,
    margin: f64,
    max_spend: u128,
) -> Option<(Uint128, Decimal, Uint128)> {
    if a.needs_reset || a.lot.is_zero() || a.price.is_zero() {
        return None;
    }
    let keep = Decimal::from_str(&format!("{:.6}", (1.0 - margin).clamp(0.0, 1.0))).ok()?;
    if a.price > reference * keep {
        return None;
    }
    let affordable = Uint128::new(max_spend).checked_div_floor(a.price).ok()?;
    let units = a.lot.min(affordable);
    if units.is_zero() {
        return None;
    }
    let funds = units.checked_mul_ceil(a.price).ok()?;
    Some((units, a.price, funds))
}

/// What the bidder may spend on the lots of a collateral whose sales the liquidator paces
/// (`RoomResponse::sales_left`; `None`: not paced): at most `budget`, and no more than the
/// cap has left. The contract would cut a larger bid to that, and a bid-and-swap transaction
/// would then swap units it never received.
pub fn spend_cap(budget: u128, sales_left: Option<Uint128>) -> u128 {
    sales_left.map_or(budget, |left| budget.min(left.u128()))
}

async fn oracle_price(client: &Client, oracle: &str, denom: &str) -> Result<Decimal, TxError> {
    let p: PriceResponse = client
        .query(
            oracle,
            &oracle::QueryMsg::Price {
                denom: denom.to_string(),
            },
        )
        .await?;
    Ok(p.median)
}

/// Gas of a plain bid, used to size it before the simulation gives the real figure.
const BID_GAS_ESTIMATE: u64 = 600_000;
/// Gas of a flash bid (bid, callback, swap, settlement).
const FLASH_GAS_ESTIMATE: u64 = 1_000_000;

/// Where a lot of this denom sells, resolved for this block.
enum Resale {
    /// A pool contract on this chain: reserves read this block, so the bid can sell in the
    /// same transaction (or flash).
    OnChain(String, economics::Pool),
    /// A configured depth: the bidder keeps what it buys.
    Depth(economics::Pool),
}

/// The venue of `denom`: the configuration's, else the deployment's pool.
async fn resale(ctx: &Ctx, cfg: &BidderConfig, denom: &str) -> Option<Result<Resale, TxError>> {
    let pool_addr = match cfg.venues.get(denom) {
        Some(Venue::Depth {
            base,
            collateral,
            fee_bps,
        }) => {
            return Some(Ok(Resale::Depth(economics::Pool {
                base: u128::from(*base),
                collateral: u128::from(*collateral),
                fee_bps: *fee_bps,
            })))
        }
        Some(Venue::Pool(addr)) => addr.clone(),
        None => ctx.deployment.venues.get(denom)?.clone(),
    };
    let r: Result<venue::PoolResponse, TxError> = ctx
        .client
        .query(&pool_addr, &venue::PoolQueryMsg::Pool {})
        .await;
    Some(r.map(|p| {
        Resale::OnChain(
            pool_addr,
            economics::Pool {
                base: p.base_reserve.u128(),
                collateral: p.collateral_reserve.u128(),
                fee_bps: p.fee_bps,
            },
        )
    }))
}

/// What the bidder sends for one auction, and what it expects.
struct BidTx {
    msgs: Vec<cosmrs::Any>,
    /// Base units it pays the auction.
    spend: u128,
    /// Expected profit before the fee, base units.
    edge: i128,
    flash: bool,
}

/// Plans the bid on `a` (see the module doc), spending at most what the cap has left when
/// the collateral's sales are paced (`sales_left`); `None` when it does not pay.
#[allow(clippy::too_many_arguments)]
async fn plan(
    ctx: &Ctx,
    cfg: &BidderConfig,
    sender: &cosmrs::AccountId,
    a: &AuctionResponse,
    reference: Decimal,
    venue: Option<&Resale>,
    receiver: Option<&str>,
    sales_left: Option<Uint128>,
) -> Result<Option<BidTx>> {
    let d = &ctx.deployment;
    let base = d.plan.base_denom.as_str();
    let max_spend = spend_cap(u128::from(cfg.max_spend), sales_left);
    let min_profit = i128::from(cfg.min_profit);
    let estimate = |flash: bool| {
        if flash {
            FLASH_GAS_ESTIMATE
        } else {
            BID_GAS_ESTIMATE
        }
    };
    let fee_est = |flash: bool| {
        ctx.fee_in_base(Wallet::gas_limit(
            &ctx.client,
            Gas::Simulate,
            estimate(flash),
        ))
        .unwrap_or(0)
    };
    if a.needs_reset || a.lot.is_zero() || a.price.is_zero() {
        return Ok(None);
    }
    let Some(venue) = venue else {
        // No venue: the margin rule against the reference, the fee taken off the edge.
        let Some((units, max_price, funds)) = plan_bid(a, reference, cfg.margin, max_spend) else {
            return Ok(None);
        };
        let worth = units.mul_floor(reference).u128() as i128;
        let edge = worth - funds.u128() as i128;
        if edge - fee_est(false) as i128 <= min_profit.min(0) {
            return Ok(None);
        }
        let msg = execute_msg(
            sender,
            &d.liquidator,
            &liquidator::ExecuteMsg::Bid {
                auction_id: a.id,
                max_collateral: units,
                max_price,
                callback: None,
            },
            &[(funds.u128(), base)],
        )?;
        return Ok(Some(BidTx {
            msgs: vec![msg],
            spend: funds.u128(),
            edge,
            flash: false,
        }));
    };
    let (pool, pool_addr) = match venue {
        Resale::OnChain(addr, p) => (*p, Some(addr.as_str())),
        Resale::Depth(p) => (*p, None),
    };
    let flash = cfg.flash && pool_addr.is_some() && receiver.is_some();
    let budget = if flash {
        spend_cap(u128::MAX, sales_left)
    } else {
        max_spend
    };
    let Some(plan) = economics::plan_resale_bid(
        a.price,
        a.lot.u128(),
        &pool,
        budget,
        fee_est(flash),
        min_profit,
    ) else {
        ctx.metrics.unprofitable("bidder");
        return Ok(None);
    };
    let edge = plan.proceeds as i128 - plan.cost as i128;
    let units = Uint128::new(plan.units);
    // A bid on this auction at the price seen, paying `funds` base (none for a flash bid).
    let bid = |callback: Option<FlashCallback>, funds: u128| {
        execute_msg(
            sender,
            &d.liquidator,
            &liquidator::ExecuteMsg::Bid {
                auction_id: a.id,
                max_collateral: units,
                max_price: a.price,
                callback,
            },
            &[(funds, base)],
        )
    };
    let msgs = match (flash, pool_addr, receiver) {
        (true, Some(_), Some(receiver)) => {
            // The receiver must make back the fee and the least profit, or the bid reverts.
            let floor = (fee_est(true) as i128 + min_profit).max(0) as u128;
            let sale = venue::FlashSale {
                beneficiary: sender.to_string(),
                min_profit: Uint128::new(floor),
            };
            let data = cosmwasm_std::to_json_binary(&sale).map_err(|e| anyhow::anyhow!("{e}"))?;
            vec![bid(
                Some(FlashCallback {
                    contract: receiver.to_string(),
                    data: Some(data),
                }),
                0,
            )?]
        }
        (_, Some(pool_addr), _) => {
            // Buy and sell in one transaction: the swap refuses less than cost + fee + profit.
            let min_out = (plan.cost as i128 + fee_est(false) as i128 + min_profit).max(0) as u128;
            vec![
                bid(None, plan.cost)?,
                execute_msg(
                    sender,
                    pool_addr,
                    &venue::PoolExecuteMsg::Swap {
                        min_out: Uint128::new(min_out),
                        to: None,
                    },
                    &[(plan.units, a.denom.as_str())],
                )?,
            ]
        }
        _ => vec![bid(None, plan.cost)?],
    };
    Ok(Some(BidTx {
        msgs,
        spend: plan.cost,
        edge,
        flash,
    }))
}

/// Runs the bidder until shutdown: every block, for every live auction, the most profitable
/// bid given where the lot sells — a venue pool (sized where the pool's marginal price meets
/// the auction's, then sold in the same transaction, or flash-bid through the receiver with
/// no inventory), a configured depth, or the margin rule against the oracle — counting the
/// fee (simulated) against the edge; only bids making `min_profit` are sent.
pub async fn run_bidder(mut ctx: Ctx, cfg: BidderConfig, wallet: SharedWallet) -> Result<()> {
    let d = ctx.deployment.clone();
    let inflight = InFlight::default();
    let http = reqwest::Client::new();
    let receiver = cfg.flash_receiver.clone().or(d.flash_receiver.clone());
    if cfg.flash && receiver.is_none() {
        anyhow::bail!("bidder.flash needs a flash receiver: bidder.flash_receiver, or `keeper deploy --venues` on the devnet");
    }
    let sender = wallet.lock().await.signer.address.clone();
    let mut blocks = BlockLoop::default();
    while let Some(height) = blocks.next(&mut ctx, "bidder").await {
        let auctions = match all_auctions(&ctx.client, &d.liquidator).await {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!("bidder: {e}");
                continue;
            }
        };
        if auctions.is_empty() {
            continue;
        }
        let mut refs: BTreeMap<String, Decimal> = BTreeMap::new();
        if let Some(url) = &cfg.reference_url {
            match super::feeder::fetch_prices(&http, url).await {
                Ok(p) => refs = p.into_iter().map(|(d, q)| (d, q.price)).collect(),
                Err(e) => {
                    tracing::warn!("bidder: reference source unavailable: {e:#}");
                    continue;
                }
            }
        }
        let mut venues: BTreeMap<String, Option<Resale>> = BTreeMap::new();
        // Per collateral, what its paced sales have left this block (`None`: not paced).
        let mut sales: BTreeMap<String, Option<Uint128>> = BTreeMap::new();
        for a in auctions {
            if ctx.stopping() {
                break;
            }
            let reference = match refs.get(&a.denom) {
                Some(r) => *r,
                None => match oracle_price(&ctx.client, &d.oracle, &a.denom).await {
                    Ok(p) => p,
                    Err(e) => {
                        tracing::warn!("bidder: price of {}: {e}", a.denom);
                        continue;
                    }
                },
            };
            refs.insert(a.denom.clone(), reference);
            if !venues.contains_key(&a.denom) {
                let v = match resale(&ctx, &cfg, &a.denom).await {
                    Some(Ok(v)) => Some(v),
                    Some(Err(e)) => {
                        tracing::warn!("bidder: venue of {}: {e}", a.denom);
                        continue;
                    }
                    None => None,
                };
                venues.insert(a.denom.clone(), v);
            }
            if !sales.contains_key(&a.denom) {
                let room: Result<liquidator::RoomResponse, TxError> = ctx
                    .client
                    .query(
                        &d.liquidator,
                        &liquidator::QueryMsg::Room {
                            denom: a.denom.clone(),
                        },
                    )
                    .await;
                match room {
                    Ok(r) => sales.insert(a.denom.clone(), r.sales_left),
                    Err(e) => {
                        tracing::warn!("bidder: room of {}: {e}", a.denom);
                        continue;
                    }
                };
            }
            let sales_left = sales.get(&a.denom).copied().flatten();
            if sales_left.is_some_and(|l| l.is_zero()) {
                continue;
            }
            let key = format!("auction-{}", a.id);
            if !inflight.claim(&key, height) {
                continue;
            }
            let venue = venues.get(&a.denom).and_then(Option::as_ref);
            let tx = match plan(
                &ctx,
                &cfg,
                &sender,
                &a,
                reference,
                venue,
                receiver.as_deref(),
                sales_left,
            )
            .await
            {
                Ok(Some(tx)) => tx,
                Ok(None) => {
                    inflight.release(&key);
                    continue;
                }
                Err(e) => {
                    inflight.release(&key);
                    tracing::warn!("bidder: planning a bid on {}: {e:#}", a.id);
                    continue;
                }
            };
            // What this bid may take from the cap is no longer there for the next lot.
            if let Some(Some(left)) = sales.get_mut(&a.denom) {
                *left = left.saturating_sub(Uint128::new(tx.spend));
            }
            // The simulation gives the real gas: the bid must still pay after its fee.
            let sim = {
                let mut w = wallet.lock().await;
                w.simulate_many_full(&ctx.client, std::slice::from_ref(&tx.msgs))
                    .await
            };
            let gas = match sim.map(|mut v| v.remove(0)) {
                Ok(Ok(s)) => Wallet::gas_limit(&ctx.client, Gas::Simulate, s.gas_used),
                Ok(Err(e)) => {
                    ctx.metrics.tx("bidder", Outcome::Dropped);
                    tracing::info!(
                        auction = a.id,
                        "bidder: dropped: {}",
                        super::short(&e.to_string())
                    );
                    inflight.release(&key);
                    continue;
                }
                Err(e) => {
                    inflight.release(&key);
                    tracing::warn!("bidder: {e}");
                    break;
                }
            };
            if let Some(fee) = ctx.fee_in_base(gas) {
                let edge = tx.edge;
                if edge - (fee as i128) < i128::from(cfg.min_profit) {
                    ctx.metrics.unprofitable("bidder");
                    tracing::info!(
                        auction = a.id,
                        edge,
                        fee,
                        "bidder: skipped, does not pay after fees"
                    );
                    inflight.release(&key);
                    continue;
                }
            }
            let (metrics, denom, flash) = (ctx.metrics.clone(), a.denom.clone(), tx.flash);
            let landed = move |out: &breakwater_chain::client::TxOutcome| {
                let bought: u128 = out
                    .attrs("wasm", "slice")
                    .filter_map(|v| v.parse::<u128>().ok())
                    .sum();
                metrics.bid(&denom, bought);
                let profit: u128 = if flash {
                    out.attrs("wasm", "profit")
                        .filter_map(|v| v.parse::<u128>().ok())
                        .sum()
                } else {
                    let paid: u128 = out
                        .attrs("wasm", "owe")
                        .filter_map(|v| v.parse::<u128>().ok())
                        .sum();
                    let got: u128 = out
                        .attrs("wasm", "return")
                        .filter_map(|v| {
                            v.trim_end_matches(|c: char| !c.is_ascii_digit())
                                .parse::<u128>()
                                .ok()
                        })
                        .sum();
                    got.saturating_sub(paid)
                };
                metrics.reward("bidder", profit);
            };
            if let Err(e) = submit_tracked_with(
                &ctx,
                "bidder",
                &wallet,
                &inflight,
                key,
                tx.msgs,
                Gas::Fixed(gas),
                landed,
            )
            .await
            {
                tracing::warn!("bidder: {e}");
                break;
            }
        }
    }
    Ok(())
}

/// Runs the resetter until shutdown.
pub async fn run_resetter(mut ctx: Ctx, _cfg: RoleKey, wallet: SharedWallet) -> Result<()> {
    let liq = ctx.deployment.liquidator.clone();
    let inflight = InFlight::default();
    let mut blocks = BlockLoop::default();
    while let Some(height) = blocks.next(&mut ctx, "resetter").await {
        let auctions = match all_auctions(&ctx.client, &liq).await {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!("resetter: {e}");
                continue;
            }
        };
        for a in auctions.iter().filter(|a| a.needs_reset) {
            let key = format!("reset-{}", a.id);
            if !inflight.claim(&key, height) {
                continue;
            }
            let sender = wallet.lock().await.signer.address.clone();
            let msg = execute_msg(
                &sender,
                &liq,
                &liquidator::ExecuteMsg::Reset { auction_id: a.id },
                &[],
            )?;
            if let Err(e) =
                submit_tracked(&ctx, "resetter", &wallet, &inflight, key, vec![msg], |_| {}).await
            {
                tracing::warn!("resetter: {e}");
                break;
            }
        }
    }
    Ok(())
}

/// Runs the backstop trigger until shutdown.
pub async fn run_backstop(
    mut ctx: Ctx,
    cfg: BackstopRoleConfig,
    wallet: SharedWallet,
) -> Result<()> {
    let d = ctx.deployment.clone();
    let inflight = InFlight::default();
    let mut blocks = BlockLoop::default();
    while let Some(height) = blocks.next(&mut ctx, "backstop").await {
        let auctions = match all_auctions(&ctx.client, &d.liquidator).await {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!("backstop: {e}");
                continue;
            }
        };
        let mut msgs = vec![];
        let sender = wallet.lock().await.signer.address.clone();
        for a in auctions.iter().filter(|a| a.at_floor && !a.needs_reset) {
            msgs.push((
                format!("floor-{}", a.id),
                execute_msg(
                    &sender,
                    &d.backstop,
                    &backstop::ExecuteMsg::BuyAtFloor { auction_id: a.id },
                    &[],
                )?,
            ));
        }
        if cfg.resell {
            match ctx
                .client
                .query::<_, PoolResponse>(&d.backstop, &backstop::QueryMsg::Pool {})
                .await
            {
                Ok(pool) => {
                    for c in pool.collateral.iter().filter(|c| !c.amount.is_zero()) {
                        msgs.push((
                            format!("resell-{}", c.denom),
                            execute_msg(
                                &sender,
                                &d.backstop,
                                &backstop::ExecuteMsg::Resell {
                                    denom: c.denom.clone(),
                                },
                                &[],
                            )?,
                        ));
                    }
                }
                Err(e) => tracing::warn!("backstop: pool: {e}"),
            }
        }
        for (key, msg) in msgs {
            if !inflight.claim(&key, height) {
                continue;
            }
            if let Err(e) =
                submit_tracked(&ctx, "backstop", &wallet, &inflight, key, vec![msg], |_| {}).await
            {
                tracing::warn!("backstop: {e}");
                break;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use breakwater_types::liquidator::Seller;

    fn auction(price: u64, lot: u128) -> AuctionResponse {
        AuctionResponse {
            id: 1,
            seller: Seller::Liquidation {
                borrower: "b".into(),
            },
            denom: "uatom".into(),
            lot: Uint128::new(lot),
            tab: Uint128::new(1_000),
            raised: Uint128::zero(),
            top: Decimal::percent(1_100),
            price: Decimal::percent(price),
            floor: Decimal::percent(800),
            started_at: 0,
            held_at_start: 0,
            needs_reset: false,
            at_floor: false,
        }
    }

    #[test]
    fn the_bidder_waits_for_its_margin_and_caps_max_price_at_the_price_seen() {
        // Reference 10, margin 5%: bids at 9.5 or below, not at 9.6.
        assert!(plan_bid(&auction(960, 100), Decimal::percent(1_000), 0.05, 10_000).is_none());
        let (units, max_price, funds) =
            plan_bid(&auction(950, 100), Decimal::percent(1_000), 0.05, 10_000).unwrap();
        assert_eq!(
            (units.u128(), max_price, funds.u128()),
            (100, Decimal::percent(950), 950)
        );
    }

    #[test]
    fn the_bidder_takes_only_what_its_budget_buys_and_rounds_the_payment_up() {
        let (units, _, funds) =
            plan_bid(&auction(333, 1_000), Decimal::percent(1_000), 0.05, 100).unwrap();
        assert_eq!(units.u128(), 30); // floor(100 / 3.33)
        assert_eq!(funds.u128(), 100); // ceil(30 · 3.33) = ceil(99.9)
        assert!(plan_bid(&auction(333, 1_000), Decimal::percent(1_000), 0.05, 1).is_none());
    }

    #[test]
    fn a_paced_bidder_spends_no_more_than_the_cap_has_left() {
        // Not paced: the budget.
        assert_eq!(spend_cap(10_000, None), 10_000);
        // 1,900 left: 200 of the 1,000 units at 9.5, paying 1,900; nothing left: no bid.
        let cap = spend_cap(10_000, Some(Uint128::new(1_900)));
        assert_eq!(cap, 1_900);
        let (units, _, funds) =
            plan_bid(&auction(950, 1_000), Decimal::percent(1_000), 0.05, cap).unwrap();
        assert_eq!((units.u128(), funds.u128()), (200, 1_900));
        let none = spend_cap(10_000, Some(Uint128::zero()));
        assert!(plan_bid(&auction(950, 100), Decimal::percent(1_000), 0.05, none).is_none());
        // A budget below what is left stays the limit.
        assert_eq!(spend_cap(500, Some(Uint128::new(1_900))), 500);
    }

    #[test]
    fn auctions_that_need_a_reset_get_no_bid() {
        let mut a = auction(500, 100);
        a.needs_reset = true;
        assert!(plan_bid(&a, Decimal::percent(1_000), 0.05, 10_000).is_none());
    }
}
