//! The whole-position path of a liquidation (toxic accounts and accounts below the hard
//! floor): the backstop absorbs the position when it can, otherwise every holding goes to
//! auction (see [`crate::liquidate`]).
use crate::error::ContractError;
use crate::seizure::{absorb_lots, room, split_tabs, Ctx, Held};
use crate::settle::{backstop_base, cover_bad_debt};
use breakwater_types::backstop::{
    AbsorbQuoteResponse, ExecuteMsg as BackstopMsg, QueryMsg as BackstopQuery,
};
use cosmwasm_std::{coin, to_json_binary, Decimal, DepsMut, Uint128, WasmMsg};

/// The whole-position path: absorb by the backstop, else one auction per holding (forced
/// below the hard floor). Returns the mode.
pub fn whole(
    ctx: &mut Ctx,
    deps: &mut DepsMut,
    base_denom: &str,
    held: &[Held],
    debt: Uint128,
    hard_floor: bool,
) -> Result<&'static str, ContractError> {
    let all_shares = ctx.account.debt_shares;
    let coins: Vec<_> = ctx
        .account
        .collaterals
        .iter()
        .map(|(d, a)| coin(a.u128(), d))
        .collect();
    let quote: AbsorbQuoteResponse = if coins.is_empty() {
        AbsorbQuoteResponse {
            pay: Uint128::zero(),
            can_absorb: false,
            available: backstop_base(&deps.querier, ctx.liq, base_denom)?,
            discount: Decimal::zero(),
        }
    } else {
        deps.querier.query_wasm_smart(
            &ctx.liq.backstop,
            &BackstopQuery::AbsorbQuote {
                collateral: coins.clone(),
                debt,
            },
        )?
    };
    if quote.can_absorb || coins.is_empty() {
        // Absorb (or, with nothing left to sell, write the debt off): all settled now. When the
        // discounted holdings cover the debt, the pool pays the debt and takes only the lots
        // that cover it (see `absorb_lots`); the rest stays with the borrower. Otherwise it
        // takes everything for its discounted value and the rest is bad debt.
        let lots = if quote.can_absorb && quote.pay >= debt {
            absorb_lots(held, debt, quote.discount)?
        } else {
            None
        };
        let (taken, pay): (Vec<(String, Uint128)>, Uint128) = match lots {
            Some(lots) => (
                held.iter()
                    .zip(lots)
                    .filter(|(_, l)| !l.is_zero())
                    .map(|(h, l)| (h.denom.clone(), l))
                    .collect(),
                debt,
            ),
            None => (ctx.account.collaterals.clone(), quote.pay.min(debt)),
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
        ctx.burn(all_shares)?;
        ctx.state.cash = ctx.state.cash.checked_add(pay)?;
        let bad = debt.checked_sub(pay)?;
        if !bad.is_zero() {
            let base = quote.available.saturating_sub(pay);
            let res = std::mem::take(&mut ctx.res);
            ctx.res = cover_bad_debt(res, &mut ctx.state, ctx.liq, bad, base)?;
        }
        return Ok(if ctx.denoms.is_empty() {
            "bad_debt"
        } else {
            "absorb"
        });
    }
    let tabs = split_tabs(held, debt)?;
    for (h, tab) in held.iter().zip(&tabs) {
        if !hard_floor && !tab.is_zero() {
            let r = room(&deps.querier, ctx.liq, &h.denom)?;
            if *tab > r {
                return Err(ContractError::NoRoom {
                    denom: h.denom.clone(),
                    room: r,
                });
            }
        }
    }
    for (h, tab) in held.iter().zip(tabs) {
        if !tab.is_zero() {
            ctx.auction(deps.storage, &h.denom, h.amount, tab, hard_floor)?;
        }
    }
    ctx.burn(all_shares)?;
    Ok("toxic_auction")
}
