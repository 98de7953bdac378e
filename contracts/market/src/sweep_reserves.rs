//! `SweepReserves {}`: the reserves earmarked for the backstop (`backstop_due`, a share of
//! every accrual's reserves) are paid into its pool; `RepayBackstopDebt {}`: what the market
//! lent the pool (`backstop_debt`) comes back; `WriteDownBackstopDebt {}`: what the pool can no
//! longer repay is booked as bad debt.
use crate::error::ContractError;
use crate::interest::{accrue, accrued_state};
use crate::liquidation::settle::{
    backstop_base, backstop_collateral_value, cover_bad_debt, BackstopFunds,
};
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
    let liq = config.liquidation_set_up()?;
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

/// `WriteDownBackstopDebt {}`: anyone books as bad debt the part of `backstop_debt` that the
/// pool's base and collateral no longer cover, `excess = backstop_debt − (base + backstop_due +
/// collateral)` (the collateral with the units under resale, each price the median when active
/// or the lower of median and TWAP while halted; refused while a price is neither, and when
/// nothing exceeds). `backstop_debt` and `bad_debt_covered_by_backstop` fall by `excess`, which
/// goes through the rest of the waterfall: free reserves, then suppliers.
pub fn execute_write_down_backstop_debt(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let liq = config.liquidation_set_up()?;
    let now = env.block.time.seconds();
    let mut state = accrued_state(deps.storage, &config, now)?;
    let base = backstop_base(&deps.querier, liq, &config.base_denom)?;
    let held = backstop_collateral_value(deps.as_ref(), &config, liq, now, true)?;
    let worth = base.checked_add(state.backstop_due)?.checked_add(held)?;
    let excess = state.backstop_debt.saturating_sub(worth);
    if excess.is_zero() {
        return Err(ContractError::BackstopDebtCovered {
            debt: state.backstop_debt,
            worth,
        });
    }
    state.backstop_debt = state.backstop_debt.checked_sub(excess)?;
    state.bad_debt_covered_by_backstop = state.bad_debt_covered_by_backstop.saturating_sub(excess);
    let res = Response::new()
        .add_attribute("action", "write_down_backstop_debt")
        .add_attribute("sender", info.sender.as_str())
        .add_attribute("worth", worth)
        .add_attribute("written_down", excess);
    let (res, _) = cover_bad_debt(res, &mut state, liq, excess, &mut BackstopFunds::default())?;
    STATE.save(deps.storage, &state)?;
    Ok(res.add_attribute("backstop_debt", state.backstop_debt))
}
