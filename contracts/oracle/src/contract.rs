//! Entry points: instantiate, execute, query, migrate. Payment and ownership checks sit here;
//! each message is handled in its own module.
use crate::error::ContractError;
use crate::{assets, feeders, query as q, submit};
use breakwater_types::migration::migrate_version;
use breakwater_types::oracle::{ExecuteMsg, InstantiateMsg, QueryMsg};
use breakwater_types::ownership::{instantiate_owned, Ownership};
use breakwater_types::MigrateMsg;
use cosmwasm_std::{to_json_binary, Binary, Deps, DepsMut, Env, MessageInfo, Response};

/// cw2 name of this contract.
pub const CONTRACT_NAME: &str = "crates.io:breakwater-oracle";
/// cw2 version of this contract.
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Stores the owner (default: the sender) and lists the initial assets.
#[cfg_attr(not(feature = "library"), cosmwasm_std::entry_point)]
pub fn instantiate(
    deps: DepsMut,
    _env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    let version = (CONTRACT_NAME, CONTRACT_VERSION);
    let owner = instantiate_owned(deps.storage, deps.api, &info, version, msg.owner)?;
    let mut denoms = Vec::with_capacity(msg.assets.len());
    for init in msg.assets {
        denoms.push(init.denom.clone());
        assets::list_asset(deps.storage, deps.api, init)?;
    }
    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("owner", owner)
        .add_attribute("assets", denoms.join(",")))
}

/// Dispatches every message. None accepts funds; owner messages check the sender first.
#[cfg_attr(not(feature = "library"), cosmwasm_std::entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    cw_utils::nonpayable(&info)?;
    match msg {
        ExecuteMsg::SubmitPrices { prices } => submit::submit_prices(deps, env, info, prices),
        ExecuteMsg::AddAsset(init) => {
            Ownership::assert(deps.storage, &info.sender)?;
            assets::add_asset(deps, init)
        }
        ExecuteMsg::RemoveAsset { denom } => {
            Ownership::assert(deps.storage, &info.sender)?;
            assets::remove_asset(deps, denom)
        }
        ExecuteMsg::UpdateAssetParams { denom, params } => {
            Ownership::assert(deps.storage, &info.sender)?;
            assets::update_asset_params(deps, denom, params)
        }
        ExecuteMsg::AddFeeders { denom, feeders } => {
            Ownership::assert(deps.storage, &info.sender)?;
            feeders::add_feeders(deps, denom, feeders)
        }
        ExecuteMsg::RemoveFeeders { denom, feeders } => {
            Ownership::assert(deps.storage, &info.sender)?;
            feeders::remove_feeders(deps, denom, feeders)
        }
        ExecuteMsg::Ownership(msg) => Ok(msg.execute(deps.storage, deps.api, &info)?),
    }
}

/// Answers every query.
#[cfg_attr(not(feature = "library"), cosmwasm_std::entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
    Ok(match msg {
        QueryMsg::Price { denom } => to_json_binary(&q::price(deps, env, denom)?)?,
        QueryMsg::Prices { start_after, limit } => {
            to_json_binary(&q::prices(deps, env, start_after, limit)?)?
        }
        QueryMsg::Config {} => to_json_binary(&q::config(deps)?)?,
        QueryMsg::Asset { denom } => to_json_binary(&q::asset(deps, denom)?)?,
        QueryMsg::Assets { start_after, limit } => {
            to_json_binary(&q::assets(deps, start_after, limit)?)?
        }
        QueryMsg::Feeders { denom } => to_json_binary(&q::feeders(deps, denom)?)?,
    })
}

/// Refuses other contracts' state and downgrades, then records this version.
#[cfg_attr(not(feature = "library"), cosmwasm_std::entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    let attrs = migrate_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    Ok(Response::new().add_attributes(attrs))
}
