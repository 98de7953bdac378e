//! Entry points: instantiate, execute, query, migrate. Ownership checks sit here; each message
//! is handled in its own module.
use crate::error::ContractError;
use crate::state::{Config, COLLATERALS, CONFIG, GLOBAL_DIRT, NEXT_ID};
use crate::{admin, bid, query as q, reset, start};
use breakwater_types::adapters::{BackstopUnchecked, MarketUnchecked, OracleUnchecked};
use breakwater_types::liquidator::{ExecuteMsg, InstantiateMsg, QueryMsg};
use breakwater_types::migration::migrate_version;
use breakwater_types::ownership::{instantiate_owned, Ownership};
use breakwater_types::MigrateMsg;
use cosmwasm_std::{to_json_binary, Binary, Deps, DepsMut, Env, MessageInfo, Response, Uint128};

/// cw2 name of this contract.
pub const CONTRACT_NAME: &str = "crates.io:breakwater-liquidator";
/// cw2 version of this contract.
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Stores addresses, caps and the collaterals' auction parameters.
#[cfg_attr(not(feature = "library"), cosmwasm_std::entry_point)]
pub fn instantiate(
    mut deps: DepsMut,
    _env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    let version = (CONTRACT_NAME, CONTRACT_VERSION);
    let owner = instantiate_owned(deps.storage, deps.api, &info, version, msg.owner)?;
    admin::validate_budget(msg.impact_budget_pct)?;
    if msg.base_denom.is_empty() {
        return Err(breakwater_types::error::invalid("base_denom", "must not be empty").into());
    }
    let cfg = Config {
        market: MarketUnchecked(msg.market).check(deps.api)?,
        oracle: OracleUnchecked(msg.oracle).check(deps.api)?,
        backstop: msg
            .backstop
            .map(|b| BackstopUnchecked(b).check(deps.api))
            .transpose()?,
        base_denom: msg.base_denom,
        global_hole: msg.global_hole,
        impact_budget_pct: msg.impact_budget_pct,
    };
    CONFIG.save(deps.storage, &cfg)?;
    NEXT_ID.save(deps.storage, &1)?;
    GLOBAL_DIRT.save(deps.storage, &Uint128::zero())?;
    for c in msg.collaterals {
        if COLLATERALS.has(deps.storage, &c.denom) {
            return Err(breakwater_types::error::invalid("collaterals", "duplicate denom").into());
        }
        admin::set_collateral(deps.branch(), c)?;
    }
    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("owner", owner)
        .add_attribute("market", cfg.market.addr().as_str()))
}

/// Dispatches every message. Only `StartAuction` (the lot) and `Bid` (the payment) accept
/// funds; owner messages check the sender first.
#[cfg_attr(not(feature = "library"), cosmwasm_std::entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    match msg {
        ExecuteMsg::StartAuction { seller, tab, force } => {
            start::start_auction(deps, env, info, seller, tab, force)
        }
        ExecuteMsg::Bid {
            auction_id,
            max_collateral,
            max_price,
            callback,
        } => bid::bid(
            deps,
            env,
            info,
            auction_id,
            max_collateral,
            max_price,
            callback,
        ),
        ExecuteMsg::Reset { auction_id } => {
            cw_utils::nonpayable(&info)?;
            reset::reset(deps, env, info, auction_id)
        }
        ExecuteMsg::FinishFlash {} => {
            cw_utils::nonpayable(&info)?;
            bid::finish_flash(deps, env, info)
        }
        ExecuteMsg::SetBackstop { backstop } => {
            cw_utils::nonpayable(&info)?;
            Ownership::assert(deps.storage, &info.sender)?;
            admin::set_backstop(deps, backstop)
        }
        ExecuteMsg::SetCollateral(c) => {
            cw_utils::nonpayable(&info)?;
            Ownership::assert(deps.storage, &info.sender)?;
            admin::set_collateral(deps, c)
        }
        ExecuteMsg::SetCaps {
            global_hole,
            impact_budget_pct,
        } => {
            cw_utils::nonpayable(&info)?;
            Ownership::assert(deps.storage, &info.sender)?;
            admin::set_caps(deps, global_hole, impact_budget_pct)
        }
        ExecuteMsg::Ownership(msg) => Ok(msg.execute(deps.storage, deps.api, &info)?),
    }
}

/// Answers every query.
#[cfg_attr(not(feature = "library"), cosmwasm_std::entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
    Ok(match msg {
        QueryMsg::Auction { auction_id } => to_json_binary(&q::auction(deps, env, auction_id)?)?,
        QueryMsg::Auctions {
            denom,
            start_after,
            limit,
        } => to_json_binary(&q::auctions(deps, env, denom, start_after, limit)?)?,
        QueryMsg::Room { denom } => to_json_binary(&q::room(deps, env, denom)?)?,
        QueryMsg::Config {} => to_json_binary(&q::config(deps)?)?,
        QueryMsg::ResaleLot { denom } => to_json_binary(&q::resale_lot(deps, denom)?)?,
        QueryMsg::HoldClock { denom } => to_json_binary(&q::hold_clock(deps, denom)?)?,
    })
}

/// Refuses other contracts' state and downgrades, then records this version.
#[cfg_attr(not(feature = "library"), cosmwasm_std::entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    let attrs = migrate_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    crate::state::rebuild_resale_lots(deps.storage)?;
    Ok(Response::new().add_attributes(attrs))
}
