//! `UpdateParams` (owner, checked by the caller).
use crate::error::ContractError;
use crate::state::CONFIG;
use breakwater_types::backstop::BackstopParams;
use cosmwasm_std::{DepsMut, Response};

/// Validates and stores new parameters. Pending withdrawal requests keep the windows they
/// were given.
pub fn update_params(deps: DepsMut, params: BackstopParams) -> Result<Response, ContractError> {
    params.validate()?;
    let mut cfg = CONFIG.load(deps.storage)?;
    cfg.params = params;
    CONFIG.save(deps.storage, &cfg)?;
    let p = &cfg.params;
    Ok(Response::new()
        .add_attribute("action", "update_params")
        .add_attribute("cooldown", p.cooldown.to_string())
        .add_attribute("withdraw_window", p.withdraw_window.to_string())
        .add_attribute("absorb_discount", p.absorb_discount.to_string())
        .add_attribute("resale_fraction", p.resale_fraction.to_string())
        .add_attribute("resale_interval", p.resale_interval.to_string())
        .add_attribute("profit_unlock_period", p.profit_unlock_period.to_string()))
}
