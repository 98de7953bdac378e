//! `RequestWithdraw`, `CancelWithdraw` and `Withdraw`: a cooldown, then a window in which the
//! requested shares are burnt for their pro-rata part of everything the pool is worth.
use crate::error::ContractError;
use crate::pool::{balance, in_resale};
use crate::profit;
use crate::shares::pro_rata;
use crate::state::{Config, CONFIG, HELD, PENDING_SHARES, REQUESTS, SHARES, TOTAL_SHARES};
use breakwater_types::backstop::WithdrawRequest;
use cosmwasm_std::{coin, Addr, BankMsg, Coin, Deps, DepsMut, Env, MessageInfo, Order};
use cosmwasm_std::{Response, StdError, Storage, Uint128};

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

/// What a withdrawal of `shares` (of `total_shares`) pays, denom by denom: its pro-rata part
/// of everything the pool's value counts, paid from the pool's account.
///
/// ```text
/// collateral d:  entitled_d = floor(shares · (in_account_d + under_resale_d) / (S + V_s))
///                paid in kind up to in_account_d; units beyond it (a large holder while
///                resales run) are paid in base at the oracle median (an active price)
/// base:          floor(shares · (in_account + owed_by_market) / (S + V_s)) + those units
///                paid in base; refused if the account holds less (SweepReserves first)
/// ```
/// Refused while the pool owes the market (`owed_to_market`): that debt is repaid from the
/// pool's base before any depositor leaves.
/// The quote (`Depositor.value`) counts the same things, so a withdrawal is paid what it was
/// quoted, whatever `Resell` did just before it. No oracle price is read unless units under
/// resale have to be paid in base.
pub fn payout(
    deps: Deps,
    contract: &Addr,
    cfg: &Config,
    shares: Uint128,
    total_shares: Uint128,
) -> Result<Vec<Coin>, ContractError> {
    let denoms: Vec<String> = HELD
        .keys(deps.storage, None, None, Order::Ascending)
        .collect::<Result<_, _>>()?;
    let mut payout: Vec<Coin> = vec![];
    let mut in_base = Uint128::zero();
    for denom in denoms {
        let in_account = balance(&deps.querier, contract, &denom)?;
        let under_resale = in_resale(&deps.querier, &cfg.liquidator, &denom)?;
        let all = in_account
            .checked_add(under_resale)
            .map_err(StdError::from)?;
        let entitled = pro_rata(shares, total_shares, all)?;
        let in_kind = entitled.min(in_account);
        let rest = entitled - in_kind;
        if !rest.is_zero() {
            let p = cfg.oracle.query_price_view(&deps.querier, &denom)?;
            if !p.status.is_active() {
                return Err(ContractError::OraclePaused {
                    denom,
                    status: p.status.name().to_string(),
                });
            }
            let worth = rest.checked_mul_floor(p.median).map_err(StdError::from)?;
            in_base = in_base.checked_add(worth).map_err(StdError::from)?;
        }
        if !in_kind.is_zero() {
            payout.push(coin(in_kind.u128(), denom));
        }
    }
    let base = balance(&deps.querier, contract, &cfg.base_denom)?;
    let view = cfg.market.query_state_view(&deps.querier)?;
    if !view.backstop_debt.is_zero() {
        return Err(ContractError::OwesMarket {
            debt: view.backstop_debt,
        });
    }
    let owed = view.backstop_due;
    let all_base = base.checked_add(owed).map_err(StdError::from)?;
    let base_paid = pro_rata(shares, total_shares, all_base)?
        .checked_add(in_base)
        .map_err(StdError::from)?;
    if base_paid > base {
        return Err(ContractError::InsufficientFunds {
            needed: base_paid,
            available: base,
        });
    }
    if !base_paid.is_zero() {
        payout.push(coin(base_paid.u128(), &cfg.base_denom));
    }
    Ok(payout)
}

/// Burns the requested shares inside their window (`opens_at <= now <= closes_at`) and pays
/// them their pro-rata part of the pool (see [`payout`]).
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
    let total_shares = profit::settle(deps.storage, now)?;
    let mut payout = payout(
        deps.as_ref(),
        &env.contract.address,
        &cfg,
        req.shares,
        total_shares,
    )?;
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
