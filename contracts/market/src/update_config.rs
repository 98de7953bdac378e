//! `UpdateConfig { oracle, params }`: the owner changes the oracle or market parameters.
use crate::error::ContractError;
use crate::interest::accrue;
use crate::state::{CONFIG, STATE};
use breakwater_types::adapters::OracleUnchecked;
use breakwater_types::market::MarketParams;
use cosmwasm_std::{DepsMut, Env, MessageInfo, Response};

/// Accrues interest up to now under the old parameters, then validates and stores the new
/// oracle and/or parameters. Threshold ramps already under way keep their schedule.
pub fn execute_update_config(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    oracle: Option<String>,
    params: Option<MarketParams>,
) -> Result<Response, ContractError> {
    let mut config = CONFIG.load(deps.storage)?;
    if let Some(p) = &params {
        p.validate()?;
    }
    let oracle = oracle
        .map(|o| OracleUnchecked(o).check(deps.api))
        .transpose()?;

    let mut state = STATE.load(deps.storage)?;
    let accrual = accrue(&mut state, &config, env.block.time.seconds())?;
    let mut response = Response::new()
        .add_attribute("action", "update_config")
        .add_attribute("sender", info.sender)
        .add_attribute("interest", accrual.interest);
    if let Some(o) = oracle {
        response = response.add_attribute("oracle", o.addr().as_str());
        config.oracle = o;
    }
    if let Some(p) = params {
        response = response.add_attribute("params_updated", "true");
        config.params = p;
    }
    STATE.save(deps.storage, &state)?;
    CONFIG.save(deps.storage, &config)?;
    Ok(response)
}
