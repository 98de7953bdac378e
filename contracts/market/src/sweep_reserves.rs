//! `SweepReserves {}`: the reserves earmarked for the backstop (`backstop_due`, a share of
//! every accrual's reserves) are paid into its pool.
use crate::error::ContractError;
use crate::interest::accrue;
use crate::state::{CONFIG, STATE};
use cosmwasm_std::{coin, DepsMut, Env, MessageInfo, Response};

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
