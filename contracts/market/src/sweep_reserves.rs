//! `SweepReserves {}`: the reserves earmarked for the backstop (`backstop_due`, a share of
//! every accrual's reserves) are paid into its pool; `RepayBackstopDebt {}`: what the market
//! lent the pool (`backstop_debt`) comes back.
use crate::error::ContractError;
use crate::interest::{accrue, accrued_state};
use crate::state::{CONFIG, STATE};
use cosmwasm_std::{coin, BankMsg, DepsMut, Env, MessageInfo, Response, Uint128};

/// `SweepReserves {}`: anyone pays the reserves earmarked for the backstop into its pool with
/// `Fund {}` (`reserves −= due`, `cash −= due`; at most the cash held).
pub fn execute_sweep_reserves(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let liq = config
        .liquidation
        .as_ref()
        .ok_or(ContractError::LiquidationUnavailable)?;
    let mut state = STATE.load(deps.storage)?;
    accrue(&mut state, &config, env.block.time.seconds())?;
    let amount = state.backstop_due.min(state.cash);
    if amount.is_zero() {
        return Err(ContractError::NothingToSweep);
    }
    state.backstop_due = state.backstop_due.checked_sub(amount)?;
    state.reserves = state.reserves.checked_sub(amount)?;
    state.cash = state.cash.checked_sub(amount)?;
    STATE.save(deps.storage, &state)?;
    Ok(Response::new()
        .add_message(liq.backstop.fund(coin(amount.u128(), &config.base_denom))?)
        .add_attribute("action", "sweep_reserves")
        .add_attribute("sender", info.sender)
        .add_attribute("backstop", liq.backstop.addr())
        .add_attribute("amount", amount)
        .add_attribute("reserves", state.reserves))
}

/// `RepayBackstopDebt {}` with `amount` of the base attached (checked by the caller): anyone
/// repays what the market lent the backstop, `pay = min(amount, backstop_debt)` (`cash += pay`,
/// `backstop_debt −= pay`), and gets the rest back. It never fails for owing less than the
/// sender read: the accrual may have settled part of the debt against `backstop_due` (and a
/// resale bid that repays must not fail on it).
pub fn execute_repay_backstop_debt(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    amount: Uint128,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let mut state = accrued_state(deps.storage, &config, env.block.time.seconds())?;
    let pay = amount.min(state.backstop_debt);
    let refund = amount.checked_sub(pay)?;
    state.cash = state.cash.checked_add(pay)?;
    state.backstop_debt = state.backstop_debt.checked_sub(pay)?;
    STATE.save(deps.storage, &state)?;
    let mut res = Response::new()
        .add_attribute("action", "repay_backstop_debt")
        .add_attribute("sender", info.sender.as_str())
        .add_attribute("amount", pay)
        .add_attribute("refund", refund)
        .add_attribute("backstop_debt", state.backstop_debt);
    if !refund.is_zero() {
        res = res.add_message(BankMsg::Send {
            to_address: info.sender.to_string(),
            amount: vec![coin(refund.u128(), &config.base_denom)],
        });
    }
    Ok(res)
}
