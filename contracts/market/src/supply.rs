//! `Supply {}`: a lender deposits the base asset for supply shares.
use crate::error::ContractError;
use crate::interest::accrue;
use crate::state::{CONFIG, STATE, SUPPLIERS};
use cosmwasm_std::{DepsMut, Env, MessageInfo, Response, Uint128};

/// Mints `floor(amount / supply_index)` shares (at least one) to the sender for `amount` base
/// units already received.
pub fn execute_supply(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    amount: Uint128,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let mut state = STATE.load(deps.storage)?;
    accrue(&mut state, &config, env.block.time.seconds())?;

    let shares = amount.checked_div_floor(state.supply_index)?;
    if shares.is_zero() {
        return Err(ContractError::SupplyTooSmall {
            amount,
            index: state.supply_index,
        });
    }
    let held = SUPPLIERS
        .may_load(deps.storage, &info.sender)?
        .unwrap_or_default()
        .checked_add(shares)?;
    state.total_supply_shares = state.total_supply_shares.checked_add(shares)?;
    state.cash = state.cash.checked_add(amount)?;
    // Proves the totals still fit before anything is written.
    state.total_supplied()?;

    SUPPLIERS.save(deps.storage, &info.sender, &held)?;
    STATE.save(deps.storage, &state)?;
    Ok(Response::new()
        .add_attribute("action", "supply")
        .add_attribute("sender", info.sender)
        .add_attribute("denom", config.base_denom)
        .add_attribute("amount", amount)
        .add_attribute("shares", shares)
        .add_attribute("total_shares", held)
        .add_attribute("supply_index", state.supply_index.to_string()))
}
