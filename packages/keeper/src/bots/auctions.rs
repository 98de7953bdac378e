//! The roles that watch the liquidator's auctions:
//! - bidder: bids when the curve price is below its reference price (the oracle median, or an
//!   HTTP source) minus a margin, always with `max_price` = the price it saw;
//! - resetter: resets auctions that need it (stale or below the cusp);
//! - backstop trigger: asks the backstop to take auctions that sit at their floor, and to
//!   re-sell the collateral it holds.
use super::{submit_tracked, BlockLoop, Ctx, InFlight, SharedWallet};
use crate::config::{BackstopRoleConfig, BidderConfig, RoleKey};
use anyhow::Result;
use breakwater_chain::client::{execute_msg, Client, TxError};
use breakwater_chain::query::all_auctions;
use breakwater_types::backstop::{self, PoolResponse};
use breakwater_types::liquidator::{self, AuctionResponse};
use breakwater_types::oracle::{self, PriceResponse};
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

/// Runs the bidder until shutdown.
pub async fn run_bidder(mut ctx: Ctx, cfg: BidderConfig, wallet: SharedWallet) -> Result<()> {
    let d = ctx.deployment.clone();
    let inflight = InFlight::default();
    let http = reqwest::Client::new();
    let mut blocks = BlockLoop::default();
    while let Some(height) = blocks.next(&mut ctx, "bidder").await {
        let auctions = match all_auctions(&ctx.client, &d.liquidator).await {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!("bidder: {e}");
                continue;
            }
        };
        let mut refs: BTreeMap<String, Decimal> = BTreeMap::new();
        if let Some(url) = &cfg.reference_url {
            match super::feeder::fetch_prices(&http, url).await {
                Ok(p) => refs = p,
                Err(e) => {
                    tracing::warn!("bidder: reference source unavailable: {e:#}");
                    continue;
                }
            }
        }
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
            let Some((units, max_price, funds)) =
                plan_bid(&a, reference, cfg.margin, u128::from(cfg.max_spend))
            else {
                continue;
            };
            let key = format!("auction-{}", a.id);
            if !inflight.claim(&key, height) {
                continue;
            }
            let sender = wallet.lock().await.signer.address.clone();
            let msg = execute_msg(
                &sender,
                &d.liquidator,
                &liquidator::ExecuteMsg::Bid {
                    auction_id: a.id,
                    max_collateral: units,
                    max_price,
                    callback: None,
                },
                &[(funds.u128(), d.plan.base_denom.as_str())],
            )?;
            let (metrics, denom) = (ctx.metrics.clone(), a.denom.clone());
            let landed = move |out: &breakwater_chain::client::TxOutcome| {
                let bought: u128 = out
                    .attrs("wasm", "slice")
                    .filter_map(|v| v.parse::<u128>().ok())
                    .sum();
                metrics.bid(&denom, bought);
            };
            if let Err(e) =
                submit_tracked(&ctx, "bidder", &wallet, &inflight, key, vec![msg], landed).await
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
    fn auctions_that_need_a_reset_get_no_bid() {
        let mut a = auction(500, 100);
        a.needs_reset = true;
        assert!(plan_bid(&a, Decimal::percent(1_000), 0.05, 10_000).is_none());
    }
}
