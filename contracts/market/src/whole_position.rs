//! The whole-position path of a liquidation (toxic accounts, accounts below the hard floor and
//! dust accounts no candidate closes): the backstop absorbs the position when it can,
//! otherwise every holding goes to auction (see [`crate::liquidate`]).
//!
//! The debt is split across holdings by value (`split_tabs`). Above the hard floor a holding
//! without an active price cannot be sold or absorbed: it stays on the account together with
//! its share of the debt, and the rest of the position goes. So an unpriced holding shields
//! nothing, and nothing is written off while the borrower keeps collateral. Below the hard
//! floor every holding goes (forced auctions when one is not active).
//!
//! Auctions whose tabs exceed their lots' value carry a visible shortfall, provisioned through
//! the waterfall when they start and trued up when they settle (see
//! [`crate::state::AuctionBook`]).
use crate::error::ContractError;
use crate::seizure::{absorb_lots, room, split_tabs, Ctx, Held};
use crate::settle::{backstop_base, cover_bad_debt, provision};
use breakwater_types::backstop::{
    AbsorbQuoteResponse, ExecuteMsg as BackstopMsg, QueryMsg as BackstopQuery,
};
use cosmwasm_std::{coin, to_json_binary, DepsMut, Uint128, WasmMsg};

/// The whole-position path: absorb by the backstop, else one auction per holding (forced
/// below the hard floor). Returns the mode and the debt liquidated (the debt less the share
/// that stays with unpriced holdings).
pub fn whole(
    ctx: &mut Ctx,
    deps: &mut DepsMut,
    base_denom: &str,
    held: &[Held],
    debt: Uint128,
    hard_floor: bool,
) -> Result<(&'static str, Uint128), ContractError> {
    let tabs = split_tabs(held, debt)?;
    let mut kept = Uint128::zero();
    let mut offered: Vec<(&Held, Uint128)> = vec![];
    for (h, tab) in held.iter().zip(tabs) {
        if hard_floor || h.active {
            offered.push((h, tab));
        } else {
            kept = kept.checked_add(tab)?;
        }
    }
    if offered.is_empty() {
        if let Some(h) = held.first() {
            // Nothing priced to take: wait for the oracle.
            return Err(ContractError::LiquidationPaused {
                denom: h.denom.clone(),
                status: h.status.to_string(),
            });
        }
    }
    let tab = debt.checked_sub(kept)?;
    let burned = if kept.is_zero() {
        ctx.account.debt_shares
    } else {
        tab.checked_div_floor(ctx.state.borrow_index)?
    };
    if burned.is_zero() {
        // The priced part is worth less than one debt share: what blocks the account is its
        // unpriced holdings (`kept` > 0, so there is one). Wait for the oracle.
        if let Some(h) = held.iter().find(|h| !h.active) {
            return Err(ContractError::LiquidationPaused {
                denom: h.denom.clone(),
                status: h.status.to_string(),
            });
        }
        return Err(ContractError::LiquidationTooSmall);
    }
    ctx.burn(burned)?;

    let all_active = offered.iter().all(|(h, _)| h.active);
    if offered.is_empty() || all_active {
        let quote: AbsorbQuoteResponse = if offered.is_empty() {
            AbsorbQuoteResponse {
                pay: Uint128::zero(),
                can_absorb: false,
                available: backstop_base(&deps.querier, ctx.liq, base_denom)?,
                discount: cosmwasm_std::Decimal::zero(),
            }
        } else {
            deps.querier.query_wasm_smart(
                &ctx.liq.backstop,
                &BackstopQuery::AbsorbQuote {
                    collateral: offered
                        .iter()
                        .map(|(h, _)| coin(h.amount.u128(), &h.denom))
                        .collect(),
                    debt: tab,
                },
            )?
        };
        if quote.can_absorb || offered.is_empty() {
            absorb(ctx, deps, &offered, tab, &quote)?;
            return Ok((
                if ctx.denoms.is_empty() {
                    "bad_debt"
                } else {
                    "absorb"
                },
                tab,
            ));
        }
    }
    if !hard_floor {
        // Every tab must fit its collateral's room, and all of them the global cap.
        let (mut total, mut global, mut denoms) = (Uint128::zero(), Uint128::MAX, String::new());
        for (h, t) in offered.iter().filter(|(_, t)| !t.is_zero()) {
            let r = room(&deps.querier, ctx.liq, &h.denom)?;
            if *t > r.room {
                return Err(ContractError::NoRoom {
                    denom: h.denom.clone(),
                    room: r.room,
                });
            }
            total = total.checked_add(*t)?;
            global = r.global_hole.saturating_sub(r.global_dirt);
            if !denoms.is_empty() {
                denoms.push(',');
            }
            denoms.push_str(&h.denom);
        }
        if total > global {
            return Err(ContractError::NoRoom {
                denom: denoms,
                room: global,
            });
        }
    }
    // A tab above its lot's value is a visible shortfall: provision it now (see
    // `settle::provision`), so nobody leaves at par while the auctions run.
    let (mut tabs, mut values) = (Uint128::zero(), Uint128::zero());
    for (h, t) in offered {
        if !t.is_zero() {
            ctx.auction(deps.storage, &h.denom, h.amount, t, hard_floor)?;
            tabs = tabs.checked_add(t)?;
            values = values.checked_add(h.value)?;
        }
    }
    let loss = tabs.saturating_sub(values);
    if !loss.is_zero() {
        let base = backstop_base(&deps.querier, ctx.liq, base_denom)?;
        let res = std::mem::take(&mut ctx.res);
        ctx.res = provision(res, &mut ctx.state, ctx.liq, &mut ctx.book, loss, base)?;
    }
    Ok(("toxic_auction", tab))
}

/// The backstop takes `offered` for `debt` (or, with nothing offered, the debt is written
/// off). When the discounted holdings cover the debt, the pool pays the debt and takes only
/// the lots that cover it (see `absorb_lots`); the rest stays with the borrower. Otherwise it
/// takes everything offered for its discounted value and the rest is bad debt.
fn absorb(
    ctx: &mut Ctx,
    deps: &mut DepsMut,
    offered: &[(&Held, Uint128)],
    debt: Uint128,
    quote: &AbsorbQuoteResponse,
) -> Result<(), ContractError> {
    let holdings: Vec<Held> = offered.iter().map(|(h, _)| (*h).clone()).collect();
    let lots = if quote.can_absorb && quote.pay >= debt {
        absorb_lots(&holdings, debt, quote.discount)?
    } else {
        None
    };
    let (taken, pay): (Vec<(String, Uint128)>, Uint128) = match lots {
        Some(lots) => (
            holdings
                .iter()
                .zip(lots)
                .filter(|(_, l)| !l.is_zero())
                .map(|(h, l)| (h.denom.clone(), l))
                .collect(),
            debt,
        ),
        None => (
            holdings
                .iter()
                .map(|h| (h.denom.clone(), h.amount))
                .collect(),
            quote.pay.min(debt),
        ),
    };
    if !taken.is_empty() {
        let mut funds: Vec<_> = taken.iter().map(|(d, a)| coin(a.u128(), d)).collect();
        // The chain accepts funds only as sorted coins.
        funds.sort_by(|a, b| a.denom.cmp(&b.denom));
        let msg = WasmMsg::Execute {
            contract_addr: ctx.liq.backstop.clone(),
            msg: to_json_binary(&BackstopMsg::Absorb {
                borrower: ctx.borrower.clone(),
                pay,
            })?,
            funds,
        };
        ctx.res = std::mem::take(&mut ctx.res).add_message(msg);
    }
    for (d, a) in taken {
        ctx.seize(deps.storage, &d, a)?;
    }
    ctx.state.cash = ctx.state.cash.checked_add(pay)?;
    let bad = debt.checked_sub(pay)?;
    if !bad.is_zero() {
        let base = quote.available.saturating_sub(pay);
        let res = std::mem::take(&mut ctx.res);
        ctx.res = cover_bad_debt(res, &mut ctx.state, ctx.liq, bad, base)?.0;
    }
    Ok(())
}
