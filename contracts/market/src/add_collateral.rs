//! `AddCollateral(params)`: the owner lists a collateral.
use crate::error::ContractError;
use crate::state::{CollateralState, COLLATERALS, CONFIG};
use breakwater_types::market::{CollateralParams, MAX_COLLATERALS};
use breakwater_types::math::margin::Ramp;
use cosmwasm_std::{DepsMut, MessageInfo, Order, Response, Storage, Uint128};

/// Validates `params` against the market (not the base asset, not listed yet, room left) and
/// stores the collateral with a constant threshold.
pub fn list_collateral(
    storage: &mut dyn Storage,
    base_denom: &str,
    params: CollateralParams,
) -> Result<(), ContractError> {
    params.validate()?;
    if params.denom == base_denom {
        return Err(ContractError::BaseDenomAsCollateral {
            denom: params.denom,
        });
    }
    if COLLATERALS.has(storage, &params.denom) {
        return Err(ContractError::DuplicateCollateral {
            denom: params.denom,
        });
    }
    let listed = COLLATERALS
        .keys(storage, None, None, Order::Ascending)
        .take(MAX_COLLATERALS)
        .count();
    if listed >= MAX_COLLATERALS {
        return Err(ContractError::TooManyCollaterals {
            max: MAX_COLLATERALS,
        });
    }
    let state = CollateralState {
        threshold_ramp: Ramp::constant(params.liquidation_threshold),
        params,
        total_deposited: Uint128::zero(),
    };
    COLLATERALS.save(storage, &state.params.denom, &state)?;
    Ok(())
}

/// Lists a collateral (the owner check is done by the caller); its penalty must keep the
/// keeper tip valid (`LiquidationParams::validate_keeper_tip`).
pub fn execute_add_collateral(
    deps: DepsMut,
    info: MessageInfo,
    params: CollateralParams,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    if let Some(liq) = &config.liquidation {
        liq.params.validate_keeper_tip(params.least_bonus())?;
    }
    let p = params.clone();
    list_collateral(deps.storage, &config.base_denom, params)?;
    Ok(Response::new()
        .add_attribute("action", "add_collateral")
        .add_attribute("sender", info.sender)
        .add_attribute("denom", p.denom)
        .add_attribute("max_ltv", p.max_ltv.to_string())
        .add_attribute("liquidation_threshold", p.liquidation_threshold.to_string())
        .add_attribute("liquidation_penalty", p.liquidation_penalty.to_string())
        .add_attribute("supply_cap", p.supply_cap)
        .add_attribute("depth", p.depth)
        .add_attribute("dynamic_bonus", p.dynamic_bonus.is_some().to_string()))
}
