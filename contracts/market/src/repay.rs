//! `Repay { on_behalf_of }`: pay back debt; the excess is refunded.
use crate::error::ContractError;
use crate::interest::accrue;
use crate::state::{save_account, CONFIG, STATE};
use cosmwasm_std::{coins, Addr, BankMsg, DepsMut, Env, MessageInfo, Response, Uint128};

/// Repays `min(funds, debt)` of `account`'s debt with `funds` base units already received,
/// refunding the rest to the sender in the same response. Repaying everything burns every
/// share; a partial repayment burns `floor(pay / borrow_index)` shares. Allowed whatever the
/// oracle says.
pub fn execute_repay(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    account: Addr,
    funds: Uint128,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let mut state = STATE.load(deps.storage)?;
    accrue(&mut state, &config, env.block.time.seconds())?;

    let mut position = crate::redistribution::settle(deps.storage, &account)?;
    let debt = position.debt_shares.checked_mul_ceil(state.borrow_index)?;
    if debt.is_zero() {
        return Err(ContractError::NoDebt {
            address: account.to_string(),
        });
    }
    let pay = funds.min(debt);
    let burned = if pay == debt {
        position.debt_shares
    } else {
        let burned = pay.checked_div_floor(state.borrow_index)?;
        if burned.is_zero() {
            return Err(ContractError::RepayTooSmall {
                amount: pay,
                index: state.borrow_index,
            });
        }
        burned
    };
    let refund = funds.checked_sub(pay)?;
    position.debt_shares = position.debt_shares.checked_sub(burned)?;
    let remaining_debt = position.debt_shares.checked_mul_ceil(state.borrow_index)?;
    state.total_debt_shares = state.total_debt_shares.checked_sub(burned)?;
    state.cash = state.cash.checked_add(pay)?;

    save_account(deps.storage, &account, &position)?;
    STATE.save(deps.storage, &state)?;
    let mut response = Response::new();
    if !refund.is_zero() {
        response = response.add_message(BankMsg::Send {
            to_address: info.sender.to_string(),
            amount: coins(refund.u128(), &config.base_denom),
        });
    }
    Ok(response
        .add_attribute("action", "repay")
        .add_attribute("sender", info.sender)
        .add_attribute("account", account)
        .add_attribute("denom", config.base_denom)
        .add_attribute("amount", pay)
        .add_attribute("shares", burned)
        .add_attribute("refund", refund)
        .add_attribute("debt", remaining_debt))
}
