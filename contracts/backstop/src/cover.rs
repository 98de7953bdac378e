//! `CoverShortfall`: the market draws on the pool for an auction shortfall or bad debt.
use crate::error::ContractError;
use crate::pool::balance;
use crate::state::{CONFIG, TOTAL_COVERED};
use cosmwasm_std::{coin, BankMsg, DepsMut, Env, MessageInfo, Response, StdError, Uint128};

/// Pays `min(amount, base balance)` to the market (the sender, checked by the caller). Paying
/// less than requested, or nothing, is not an error: the market covers the rest elsewhere.
pub fn cover_shortfall(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    amount: Uint128,
) -> Result<Response, ContractError> {
    let cfg = CONFIG.load(deps.storage)?;
    let available = balance(&deps.querier, &env.contract.address, &cfg.base_denom)?;
    let paid = amount.min(available);
    let total = TOTAL_COVERED
        .load(deps.storage)?
        .checked_add(paid)
        .map_err(StdError::from)?;
    TOTAL_COVERED.save(deps.storage, &total)?;
    let mut res = Response::new()
        .add_attribute("action", "cover_shortfall")
        .add_attribute("market", info.sender.as_str())
        .add_attribute("requested", amount)
        .add_attribute("paid", paid)
        .add_attribute("uncovered", amount.saturating_sub(paid))
        .add_attribute("base_left", available.saturating_sub(paid))
        .add_attribute("total_covered", total);
    if !paid.is_zero() {
        res = res.add_message(BankMsg::Send {
            to_address: info.sender.to_string(),
            amount: vec![coin(paid.u128(), cfg.base_denom)],
        });
    }
    Ok(res)
}
