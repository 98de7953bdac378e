//! Owner messages: collateral parameters and caps.
use crate::error::ContractError;
use crate::state::{COLLATERALS, CONFIG, RESALE_LOTS};
use breakwater_types::adapters::BackstopUnchecked;
use breakwater_types::error::invalid;
use breakwater_types::liquidator::CollateralAuction;
use cosmwasm_std::{Decimal, DepsMut, Order, Response, Uint128};

/// Validates and stores a collateral's auction parameters.
pub fn set_collateral(deps: DepsMut, c: CollateralAuction) -> Result<Response, ContractError> {
    if c.denom.is_empty() {
        return Err(invalid("denom", "must not be empty").into());
    }
    c.params.validate()?;
    COLLATERALS.save(deps.storage, &c.denom, &c.params)?;
    Ok(Response::new()
        .add_attribute("action", "set_collateral")
        .add_attribute("denom", c.denom)
        .add_attribute(
            "hole",
            c.params
                .hole
                .map(|h| h.to_string())
                .unwrap_or("derived".into()),
        ))
}

/// Checks the impact budget: a positive percentage up to 50.
pub fn validate_budget(impact_budget_pct: Decimal) -> Result<(), ContractError> {
    if impact_budget_pct.is_zero() || impact_budget_pct > Decimal::percent(5000) {
        return Err(invalid("impact_budget_pct", "must be in (0, 50] percent").into());
    }
    Ok(())
}

/// Sets the global cap and the impact budget.
pub fn set_caps(
    deps: DepsMut,
    global_hole: Uint128,
    impact_budget_pct: Decimal,
) -> Result<Response, ContractError> {
    validate_budget(impact_budget_pct)?;
    let mut cfg = CONFIG.load(deps.storage)?;
    cfg.global_hole = global_hole;
    cfg.impact_budget_pct = impact_budget_pct;
    CONFIG.save(deps.storage, &cfg)?;
    Ok(Response::new()
        .add_attribute("action", "set_caps")
        .add_attribute("global_hole", global_hole)
        .add_attribute("impact_budget_pct", impact_budget_pct.to_string()))
}

/// Sets the backstop pool. Refused while any backstop resale runs: its proceeds (and a dust
/// lot's return) go to the configured backstop, so a swap would hand them to the new one (as
/// the market refuses a liquidator swap while auctions run).
pub fn set_backstop(deps: DepsMut, backstop: String) -> Result<Response, ContractError> {
    let backstop = BackstopUnchecked(backstop).check(deps.api)?;
    let running = RESALE_LOTS
        .range(deps.storage, None, None, Order::Ascending)
        .find(|r| !matches!(r, Ok((_, lot)) if lot.is_zero()))
        .transpose()?;
    if let Some((denom, lot)) = running {
        return Err(ContractError::ResalesRunning { denom, lot });
    }
    let mut cfg = CONFIG.load(deps.storage)?;
    cfg.backstop = Some(backstop.clone());
    CONFIG.save(deps.storage, &cfg)?;
    Ok(Response::new()
        .add_attribute("action", "set_backstop")
        .add_attribute("backstop", backstop.addr().as_str()))
}
