//! `RequestWithdraw`, `CancelWithdraw` and `Withdraw`: a cooldown, then a window in which the
//! requested shares are burnt for their pro-rata part of everything the pool holds, in kind.
use crate::error::ContractError;
use crate::pool::balance;
use crate::shares::pro_rata;
use crate::state::{CONFIG, HELD, PENDING_SHARES, REQUESTS, SHARES, TOTAL_SHARES};
use breakwater_types::backstop::WithdrawRequest;
use cosmwasm_std::{coin, BankMsg, Coin, DepsMut, Env, MessageInfo, Order, Response, StdError};
use cosmwasm_std::{Storage, Uint128};

/// Moves the total of locked shares from `old` to `new`.
fn adjust_pending(storage: &mut dyn Storage, old: Uint128, new: Uint128) -> Result<(), StdError> {
    let pending = PENDING_SHARES
        .load(storage)?
        .checked_sub(old)?
        .checked_add(new)?;
    PENDING_SHARES.save(storage, &pending)
}

/// Locks `shares` and starts the cooldown. A new request replaces the pending one, so all the
/// depositor's shares are available to it. Locked shares keep bearing gains and losses.
pub fn request_withdraw(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    shares: Uint128,
) -> Result<Response, ContractError> {
    if shares.is_zero() {
        return Err(ContractError::ZeroAmount { what: "shares" });
    }
    let held = SHARES
        .may_load(deps.storage, &info.sender)?
        .unwrap_or_default();
    if shares > held {
        return Err(ContractError::InsufficientShares {
            requested: shares,
            held,
        });
    }
    let params = CONFIG.load(deps.storage)?.params;
    let now = env.block.time.seconds();
    let opens_at = now
        .checked_add(params.cooldown)
        .ok_or(ContractError::AmountTooLarge)?;
    let closes_at = opens_at
        .checked_add(params.withdraw_window)
        .ok_or(ContractError::AmountTooLarge)?;
    let old = REQUESTS.may_load(deps.storage, &info.sender)?;
    let replaced = old.as_ref().map(|r| r.shares).unwrap_or_default();
    adjust_pending(deps.storage, replaced, shares)?;
    REQUESTS.save(
        deps.storage,
        &info.sender,
        &WithdrawRequest {
            shares,
            opens_at,
            closes_at,
        },
    )?;
    Ok(Response::new()
        .add_attribute("action", "request_withdraw")
        .add_attribute("depositor", info.sender)
        .add_attribute("shares", shares)
        .add_attribute("opens_at", opens_at.to_string())
        .add_attribute("closes_at", closes_at.to_string())
        .add_attribute("replaced_shares", replaced))
}

/// Drops the pending request.
pub fn cancel_withdraw(deps: DepsMut, info: MessageInfo) -> Result<Response, ContractError> {
    let req = REQUESTS
        .may_load(deps.storage, &info.sender)?
        .ok_or(ContractError::NoWithdrawRequest)?;
    adjust_pending(deps.storage, req.shares, Uint128::zero())?;
    REQUESTS.remove(deps.storage, &info.sender);
    Ok(Response::new()
        .add_attribute("action", "cancel_withdraw")
        .add_attribute("depositor", info.sender)
        .add_attribute("shares", req.shares))
}

/// Burns the requested shares inside their window (`opens_at <= now <= closes_at`) and pays
/// `floor(shares · balance / total_shares)` of the base and of every held collateral.
pub fn withdraw(deps: DepsMut, env: Env, info: MessageInfo) -> Result<Response, ContractError> {
    let req = REQUESTS
        .may_load(deps.storage, &info.sender)?
        .ok_or(ContractError::NoWithdrawRequest)?;
    let now = env.block.time.seconds();
    if now < req.opens_at {
        return Err(ContractError::WindowNotOpen {
            opens_at: req.opens_at,
            now,
        });
    }
    if now > req.closes_at {
        return Err(ContractError::WindowClosed {
            closes_at: req.closes_at,
            now,
        });
    }
    let cfg = CONFIG.load(deps.storage)?;
    let held = SHARES
        .may_load(deps.storage, &info.sender)?
        .unwrap_or_default();
    let left = held
        .checked_sub(req.shares)
        .map_err(|_| ContractError::InsufficientShares {
            requested: req.shares,
            held,
        })?;
    let total_shares = TOTAL_SHARES.load(deps.storage)?;
    let mut denoms: Vec<String> = HELD
        .keys(deps.storage, None, None, Order::Ascending)
        .collect::<Result<_, _>>()?;
    denoms.push(cfg.base_denom.clone());
    let mut payout: Vec<Coin> = vec![];
    for denom in denoms {
        let bal = balance(&deps.querier, &env.contract.address, &denom)?;
        let amount = pro_rata(req.shares, total_shares, bal)?;
        if !amount.is_zero() {
            payout.push(coin(amount.u128(), denom));
        }
    }
    if payout.is_empty() {
        return Err(ContractError::NothingToWithdraw { shares: req.shares });
    }
    // The chain accepts funds only as sorted coins.
    payout.sort_by(|a, b| a.denom.cmp(&b.denom));
    let total_shares = total_shares
        .checked_sub(req.shares)
        .map_err(StdError::from)?;
    TOTAL_SHARES.save(deps.storage, &total_shares)?;
    if left.is_zero() {
        SHARES.remove(deps.storage, &info.sender);
    } else {
        SHARES.save(deps.storage, &info.sender, &left)?;
    }
    adjust_pending(deps.storage, req.shares, Uint128::zero())?;
    REQUESTS.remove(deps.storage, &info.sender);
    let paid = payout
        .iter()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(",");
    Ok(Response::new()
        .add_attribute("action", "withdraw")
        .add_attribute("depositor", info.sender.as_str())
        .add_attribute("shares", req.shares)
        .add_attribute("paid", paid)
        .add_attribute("depositor_shares", left)
        .add_attribute("total_shares", total_shares)
        .add_message(BankMsg::Send {
            to_address: info.sender.to_string(),
            amount: payout,
        }))
}
