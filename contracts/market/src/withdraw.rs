//! `Withdraw { amount }`: a lender takes supplied base asset back.
use crate::error::ContractError;
use crate::interest::accrue;
use crate::state::{CONFIG, STATE, SUPPLIERS};
use cosmwasm_std::{coins, BankMsg, DepsMut, Env, MessageInfo, Response, Uint128};

/// Burns `ceil(amount / supply_index)` shares (all of them when `amount` is `None`, which
/// withdraws `floor(shares × supply_index)`) and sends `amount`, if the market's free cash
/// (`cash − reserves`) covers it.
pub fn execute_withdraw(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    amount: Option<Uint128>,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let mut state = STATE.load(deps.storage)?;
    accrue(&mut state, &config, env.block.time.seconds())?;

    let held = SUPPLIERS
        .may_load(deps.storage, &info.sender)?
        .unwrap_or_default();
    if held.is_zero() {
        return Err(ContractError::NothingSupplied {
            address: info.sender.to_string(),
        });
    }
    let available = held.checked_mul_floor(state.supply_index)?;
    let (amount, burned) = match amount {
        None => (available, held),
        Some(a) if a.is_zero() => return Err(ContractError::ZeroAmount),
        Some(a) => {
            let burned = a.checked_div_ceil(state.supply_index).map_err(|_| {
                ContractError::WithdrawExceedsSupply {
                    requested: a,
                    available,
                }
            })?;
            if burned > held {
                return Err(ContractError::WithdrawExceedsSupply {
                    requested: a,
                    available,
                });
            }
            (a, burned)
        }
    };
    if amount.is_zero() {
        // All shares are worth less than one unit: nothing can be paid out.
        return Err(ContractError::ZeroAmount);
    }
    let liquidity = state.available_liquidity();
    if amount > liquidity {
        return Err(ContractError::InsufficientLiquidity {
            requested: amount,
            available: liquidity,
        });
    }

    let remaining = held.checked_sub(burned)?;
    state.total_supply_shares = state.total_supply_shares.checked_sub(burned)?;
    state.cash = state.cash.checked_sub(amount)?;
    if remaining.is_zero() {
        SUPPLIERS.remove(deps.storage, &info.sender);
    } else {
        SUPPLIERS.save(deps.storage, &info.sender, &remaining)?;
    }
    STATE.save(deps.storage, &state)?;
    Ok(Response::new()
        .add_message(BankMsg::Send {
            to_address: info.sender.to_string(),
            amount: coins(amount.u128(), &config.base_denom),
        })
        .add_attribute("action", "withdraw")
        .add_attribute("sender", info.sender)
        .add_attribute("denom", config.base_denom)
        .add_attribute("amount", amount)
        .add_attribute("shares", burned)
        .add_attribute("remaining_shares", remaining)
        .add_attribute("supply_index", state.supply_index.to_string()))
}
