//! Entry points: instantiate, execute, query, migrate. Payment, ownership and market-only
//! checks sit here; each message is handled in its own module.
use crate::error::ContractError;
use crate::state::{Config, CONFIG, PENDING_SHARES, TOTAL_COVERED, TOTAL_SHARES};
use crate::{absorb, admin, buy, cover, deposit, query as q, resell, withdraw};
use breakwater_types::adapters::{LiquidatorUnchecked, MarketUnchecked, OracleUnchecked};
use breakwater_types::backstop::{ExecuteMsg, InstantiateMsg, QueryMsg};
use breakwater_types::error::unauthorized;
use breakwater_types::migration::migrate_version;
use breakwater_types::ownership::{instantiate_owned, Ownership};
use breakwater_types::MigrateMsg;
use cosmwasm_std::{
    to_json_binary, Binary, Deps, DepsMut, Env, MessageInfo, Response, Storage, Uint128,
};

/// cw2 name of this contract.
pub const CONTRACT_NAME: &str = "crates.io:breakwater-backstop";
/// cw2 version of this contract.
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Stores addresses and parameters; the pool starts empty.
#[cfg_attr(not(feature = "library"), cosmwasm_std::entry_point)]
pub fn instantiate(
    deps: DepsMut,
    _env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    let version = (CONTRACT_NAME, CONTRACT_VERSION);
    let owner = instantiate_owned(deps.storage, deps.api, &info, version, msg.owner)?;
    if msg.base_denom.is_empty() {
        return Err(ContractError::invalid("base_denom", "must not be empty"));
    }
    msg.params.validate()?;
    let cfg = Config {
        market: MarketUnchecked(msg.market).check(deps.api)?,
        liquidator: LiquidatorUnchecked(msg.liquidator).check(deps.api)?,
        oracle: OracleUnchecked(msg.oracle).check(deps.api)?,
        base_denom: msg.base_denom,
        params: msg.params,
    };
    CONFIG.save(deps.storage, &cfg)?;
    TOTAL_SHARES.save(deps.storage, &Uint128::zero())?;
    PENDING_SHARES.save(deps.storage, &Uint128::zero())?;
    TOTAL_COVERED.save(deps.storage, &Uint128::zero())?;
    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("owner", owner)
        .add_attribute("market", cfg.market.addr().as_str())
        .add_attribute("liquidator", cfg.liquidator.addr().as_str())
        .add_attribute("oracle", cfg.oracle.addr().as_str())
        .add_attribute("base_denom", cfg.base_denom))
}

/// Fails unless `sender` is the insured market.
fn only_market(storage: &dyn Storage, sender: &cosmwasm_std::Addr) -> Result<(), ContractError> {
    if CONFIG.load(storage)?.market.addr() != sender {
        return Err(unauthorized("the market"));
    }
    Ok(())
}

/// Dispatches every message. Only `Deposit`, `Fund`, `ResaleProceeds` (base) and `Absorb` (collateral) accept
/// funds; market and owner messages check the sender first.
#[cfg_attr(not(feature = "library"), cosmwasm_std::entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    match msg {
        ExecuteMsg::Deposit {} => deposit::deposit(deps, env, info),
        ExecuteMsg::Fund {} => deposit::fund(deps, env, info),
        ExecuteMsg::RequestWithdraw { shares } => {
            cw_utils::nonpayable(&info)?;
            withdraw::request_withdraw(deps, env, info, shares)
        }
        ExecuteMsg::CancelWithdraw {} => {
            cw_utils::nonpayable(&info)?;
            withdraw::cancel_withdraw(deps, info)
        }
        ExecuteMsg::Withdraw {} => {
            cw_utils::nonpayable(&info)?;
            withdraw::withdraw(deps, env, info)
        }
        ExecuteMsg::CoverShortfall { amount } => {
            only_market(deps.storage, &info.sender)?;
            cw_utils::nonpayable(&info)?;
            cover::cover_shortfall(deps, env, info, amount)
        }
        ExecuteMsg::ResaleProceeds { denom, sold } => {
            if CONFIG.load(deps.storage)?.liquidator.addr() != info.sender {
                return Err(unauthorized("the liquidator"));
            }
            crate::profit::resale_proceeds(deps, env, info, denom, sold)
        }
        ExecuteMsg::ProvisionReturned { amount } => {
            only_market(deps.storage, &info.sender)?;
            cw_utils::nonpayable(&info)?;
            crate::profit::provision_returned(deps, env, amount)
        }
        ExecuteMsg::Absorb {
            borrower,
            pay,
            on_credit,
            halted,
        } => {
            only_market(deps.storage, &info.sender)?;
            absorb::absorb(deps, env, info, borrower, pay, on_credit, halted)
        }
        ExecuteMsg::BuyAtFloor { auction_id } => {
            cw_utils::nonpayable(&info)?;
            buy::buy_at_floor(deps, env, info, auction_id)
        }
        ExecuteMsg::FloorBidSettled {
            denom,
            base_before,
            units_before,
        } => {
            cw_utils::nonpayable(&info)?;
            buy::floor_bid_settled(deps, env, info, denom, base_before, units_before)
        }
        ExecuteMsg::Resell { denom } => {
            cw_utils::nonpayable(&info)?;
            resell::resell(deps, env, info, denom)
        }
        ExecuteMsg::UpdateParams(params) => {
            Ownership::assert(deps.storage, &info.sender)?;
            cw_utils::nonpayable(&info)?;
            admin::update_params(deps, params)
        }
        ExecuteMsg::Ownership(msg) => Ok(msg.execute(deps.storage, deps.api, &info)?),
    }
}

/// Answers every query.
#[cfg_attr(not(feature = "library"), cosmwasm_std::entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
    Ok(match msg {
        QueryMsg::Pool {} => to_json_binary(&q::pool(deps, env)?)?,
        QueryMsg::Depositor { address } => to_json_binary(&q::depositor(deps, env, address)?)?,
        QueryMsg::Config {} => to_json_binary(&q::config(deps)?)?,
        QueryMsg::AbsorbQuote {
            collateral,
            debt,
            halted,
        } => to_json_binary(&absorb::absorb_quote(deps, env, collateral, debt, halted)?)?,
    })
}

/// Refuses other contracts' state and downgrades, then records this version.
#[cfg_attr(not(feature = "library"), cosmwasm_std::entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    let attrs = migrate_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    Ok(Response::new().add_attributes(attrs))
}
