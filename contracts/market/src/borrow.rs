//! `Borrow { amount }`: borrow the base asset against collateral.
use crate::error::ContractError;
use crate::health::check_new_risk;
use crate::interest::accrue;
use crate::state::{save_account, CONFIG, STATE};
use breakwater_types::market::breaker;
use cosmwasm_std::{coins, BankMsg, DepsMut, Env, MessageInfo, Response, Uint128};

/// Mints `ceil(amount / borrow_index)` debt shares to the sender and sends `amount`, if the
/// circuit breaker is below level 1, the market's free cash covers it, every collateral held has an active price and the resulting
/// debt (rounded up) stays within the borrow limit.
pub fn execute_borrow(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    amount: Uint128,
) -> Result<Response, ContractError> {
    if amount.is_zero() {
        return Err(ContractError::ZeroAmount);
    }
    let config = CONFIG.load(deps.storage)?;
    let now = env.block.time.seconds();
    let mut state = STATE.load(deps.storage)?;
    accrue(&mut state, &config, now)?;
    if state.breaker_level >= breaker::NO_BORROWS {
        return Err(ContractError::BorrowsPaused {
            level: state.breaker_level,
        });
    }

    let liquidity = state.available_liquidity();
    if amount > liquidity {
        return Err(ContractError::InsufficientLiquidity {
            requested: amount,
            available: liquidity,
        });
    }
    let mut position = crate::redistribution::settle(deps.storage, &info.sender)?;
    if position.collaterals.is_empty() {
        return Err(ContractError::NoCollateral);
    }
    let shares = amount.checked_div_ceil(state.borrow_index)?;
    position.debt_shares = position.debt_shares.checked_add(shares)?;
    let debt = position.debt_shares.checked_mul_ceil(state.borrow_index)?;
    let health = check_new_risk(deps.as_ref(), &config, &position.collaterals, debt, now)?;

    state.total_debt_shares = state.total_debt_shares.checked_add(shares)?;
    state.cash = state.cash.checked_sub(amount)?;
    state.total_borrowed()?;
    save_account(deps.storage, &info.sender, &position)?;
    STATE.save(deps.storage, &state)?;
    Ok(Response::new()
        .add_message(BankMsg::Send {
            to_address: info.sender.to_string(),
            amount: coins(amount.u128(), &config.base_denom),
        })
        .add_attribute("action", "borrow")
        .add_attribute("sender", info.sender)
        .add_attribute("denom", config.base_denom)
        .add_attribute("amount", amount)
        .add_attribute("shares", shares)
        .add_attribute("debt", debt)
        .add_attribute("borrow_limit", health.borrow_limit)
        .add_attribute(
            "health_factor",
            health
                .health_factor
                .map(|hf| hf.to_string())
                .unwrap_or_default(),
        ))
}

#[cfg(test)]
mod tests {
    use crate::contract::execute;
    use crate::mock::{deposit, setup, supply};
    use breakwater_types::market::ExecuteMsg;
    use cosmwasm_std::testing::message_info;
    use cosmwasm_std::Uint128;
    use std::sync::atomic::Ordering;

    #[test]
    fn a_borrow_queries_the_oracle_once_per_collateral_held() {
        let (mut deps, env, count) = setup();
        supply(&mut deps, &env, "lender", 1_000_000);
        deposit(&mut deps, &env, "b", "uatom", 1_000);
        deposit(&mut deps, &env, "b", "uosmo", 1_000);
        count.store(0, Ordering::SeqCst);
        let sender = deps.api.addr_make("b");
        // Limit: 10,000 · 0.5 + 2,000 · 0.5.
        let res = execute(
            deps.as_mut(),
            env.clone(),
            message_info(&sender, &[]),
            ExecuteMsg::Borrow {
                amount: Uint128::new(6_000),
            },
        )
        .unwrap();
        assert_eq!(count.load(Ordering::SeqCst), 2);
        assert!(res
            .attributes
            .iter()
            .any(|a| a.key == "borrow_limit" && a.value == "6000"));
    }
}
