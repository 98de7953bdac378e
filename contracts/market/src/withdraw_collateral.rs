//! `WithdrawCollateral { denom, amount }`: take collateral back.
use crate::error::ContractError;
use crate::health::check_new_risk;
use crate::interest::accrue;
use crate::state::{save_account, COLLATERALS, CONFIG, STATE};
use cosmwasm_std::{coins, BankMsg, DepsMut, Env, MessageInfo, Response, Uint128};

/// Removes `amount` of `denom` (everything held when `None`) from the sender's account and
/// sends it. With debt outstanding, every collateral still held afterwards must have an active
/// price and the debt must stay within the borrow limit.
pub fn execute_withdraw_collateral(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    denom: String,
    amount: Option<Uint128>,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let mut collateral = COLLATERALS.may_load(deps.storage, &denom)?.ok_or_else(|| {
        ContractError::UnlistedCollateral {
            denom: denom.clone(),
        }
    })?;
    let mut position = crate::redistribution::settle(deps.storage, &info.sender)?;
    let held = position.collateral(&denom);
    let amount = match amount {
        Some(a) if a.is_zero() => return Err(ContractError::ZeroAmount),
        Some(a) => a,
        None => held,
    };
    if amount.is_zero() || amount > held {
        return Err(ContractError::InsufficientCollateral {
            denom,
            requested: amount,
            held,
        });
    }
    let remaining = held.checked_sub(amount)?;
    position.set_collateral(&denom, remaining);

    let now = env.block.time.seconds();
    let mut state = STATE.load(deps.storage)?;
    accrue(&mut state, &config, now)?;
    let debt = position.debt_shares.checked_mul_ceil(state.borrow_index)?;
    if !debt.is_zero() {
        check_new_risk(deps.as_ref(), &config, &position.collaterals, debt, now)?;
    }

    collateral.total_deposited = collateral.total_deposited.checked_sub(amount)?;
    COLLATERALS.save(deps.storage, &denom, &collateral)?;
    save_account(deps.storage, &info.sender, &position)?;
    STATE.save(deps.storage, &state)?;
    Ok(Response::new()
        .add_message(BankMsg::Send {
            to_address: info.sender.to_string(),
            amount: coins(amount.u128(), &denom),
        })
        .add_attribute("action", "withdraw_collateral")
        .add_attribute("sender", info.sender)
        .add_attribute("denom", denom)
        .add_attribute("amount", amount)
        .add_attribute("collateral", remaining)
        .add_attribute("debt", debt))
}
