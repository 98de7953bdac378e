//! `Resell`: a slow, time-weighted exit from held collateral through the liquidator's
//! auctions (never a market dump).
use crate::error::ContractError;
use crate::pool::balance;
use crate::state::{CONFIG, HELD, LAST_RESALE};
use breakwater_types::liquidator::Seller;
use cosmwasm_std::{coin, DepsMut, Env, MessageInfo, Response, StdError, Uint128};

/// Sends `floor(holding · resale_fraction)` of `denom` to the liquidator as a backstop resale,
/// at most once per `resale_interval` per denom.
pub fn resell(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    denom: String,
) -> Result<Response, ContractError> {
    let cfg = CONFIG.load(deps.storage)?;
    if !HELD.has(deps.storage, &denom) {
        return Err(ContractError::NotHeld { denom });
    }
    let now = env.block.time.seconds();
    if let Some(last) = LAST_RESALE.may_load(deps.storage, &denom)? {
        let next_at = last
            .checked_add(cfg.params.resale_interval)
            .ok_or(ContractError::AmountTooLarge)?;
        if now < next_at {
            return Err(ContractError::ResaleTooEarly {
                denom,
                next_at,
                now,
            });
        }
    }
    let held = balance(&deps.querier, &env.contract.address, &denom)?;
    let amount = held
        .checked_mul_floor(cfg.params.resale_fraction)
        .map_err(StdError::from)?;
    if amount.is_zero() {
        return Err(ContractError::NothingToResell { denom, held });
    }
    LAST_RESALE.save(deps.storage, &denom, &now)?;
    let lot = coin(amount.u128(), &denom);
    let msg = cfg
        .liquidator
        .start_auction(Seller::Backstop {}, Uint128::zero(), false, lot)?;
    Ok(Response::new()
        .add_attribute("action", "resell")
        .add_attribute("caller", info.sender)
        .add_attribute("denom", denom)
        .add_attribute("amount", amount)
        .add_attribute("held_before", held)
        .add_attribute(
            "next_resale_at",
            (now.saturating_add(cfg.params.resale_interval)).to_string(),
        )
        .add_message(msg))
}
