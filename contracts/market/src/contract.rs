//! Entry points: instantiate, execute, query, migrate. Payment and ownership checks happen
//! here; each message is handled in its own module.
use crate::add_collateral::{execute_add_collateral, list_collateral};
use crate::borrow::execute_borrow;
use crate::breaker::{execute_set_breaker_level, execute_trip_breaker};
use crate::deposit_collateral::execute_deposit_collateral;
use crate::error::ContractError;
use crate::interest::execute_accrue_interest;
use crate::liquidation::execute_liquidate;
use crate::liquidation::settle::{execute_auction_proceeds, execute_reward_keeper};
use crate::payment::{base_payment, collateral_payment};
use crate::query::{
    query_account, query_accounts, query_collateral, query_collaterals, query_config, query_state,
    query_supplier,
};
use crate::repay::execute_repay;
use crate::risk::{execute_update_risk, query_risk};
use crate::set_liquidation::execute_set_liquidation;
use crate::state::{Config, Liquidation, MarketState, CONFIG, STATE};
use crate::supply::execute_supply;
use crate::sweep_reserves::{
    execute_repay_backstop_debt, execute_sweep_reserves, execute_write_down_backstop_debt,
};
use crate::update_collateral::execute_update_collateral;
use crate::update_config::execute_update_config;
use crate::withdraw::execute_withdraw;
use crate::withdraw_collateral::execute_withdraw_collateral;
use breakwater_types::adapters::OracleUnchecked;
use breakwater_types::market::{ExecuteMsg, InstantiateMsg, QueryMsg};
use breakwater_types::migration::migrate_version;
use breakwater_types::ownership::{instantiate_owned, Ownership};
use breakwater_types::MigrateMsg;
use cosmwasm_std::{
    to_json_binary, Addr, Binary, Deps, DepsMut, Env, MessageInfo, Response, StdError, Storage,
};
use cw_utils::nonpayable;

/// cw2 contract name.
pub const CONTRACT_NAME: &str = "crates.io:breakwater-market";
/// cw2 contract version (the crate version).
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// An optional beneficiary address, the sender by default.
fn beneficiary(deps: Deps, info: &MessageInfo, other: Option<String>) -> Result<Addr, StdError> {
    match other {
        Some(a) => deps.api.addr_validate(&a),
        None => Ok(info.sender.clone()),
    }
}

/// The liquidation set-up, if `sender` is its liquidator.
fn only_liquidator(storage: &dyn Storage, sender: &Addr) -> Result<Liquidation, ContractError> {
    match CONFIG.load(storage)?.liquidation {
        Some(l) if l.liquidator.addr() == sender => Ok(l),
        _ => Err(ContractError::Unauthorized {
            expected: "the liquidator",
        }),
    }
}

/// Validates every parameter and collateral, then stores the market with indices at 1.
#[cfg_attr(not(feature = "library"), cosmwasm_std::entry_point)]
pub fn instantiate(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    let version = (CONTRACT_NAME, CONTRACT_VERSION);
    let owner = instantiate_owned(deps.storage, deps.api, &info, version, msg.owner)?;
    msg.params.validate()?;
    if msg.base_denom.is_empty() {
        return Err(ContractError::EmptyBaseDenom);
    }
    let oracle = OracleUnchecked(msg.oracle).check(deps.api)?;

    let count = msg.collaterals.len();
    for c in msg.collaterals {
        list_collateral(deps.storage, &msg.base_denom, c)?;
    }
    CONFIG.save(
        deps.storage,
        &Config {
            oracle: oracle.clone(),
            base_denom: msg.base_denom.clone(),
            params: msg.params,
            liquidation: None,
        },
    )?;
    STATE.save(deps.storage, &MarketState::new(env.block.time.seconds()))?;
    crate::redistribution::HOLDERS_KEPT.save(deps.storage, &true)?;
    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("owner", owner)
        .add_attribute("oracle", oracle.addr().as_str())
        .add_attribute("base_denom", msg.base_denom)
        .add_attribute("collaterals", count.to_string()))
}

/// Dispatches each message to its handler after payment and ownership checks.
#[cfg_attr(not(feature = "library"), cosmwasm_std::entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    match msg {
        ExecuteMsg::Supply {} => {
            let base = CONFIG.load(deps.storage)?.base_denom;
            let amount = base_payment(&info, &base)?;
            execute_supply(deps, env, info, amount)
        }
        ExecuteMsg::Withdraw { amount } => {
            nonpayable(&info)?;
            execute_withdraw(deps, env, info, amount)
        }
        ExecuteMsg::DepositCollateral { on_behalf_of } => {
            let (denom, amount) = collateral_payment(&info)?;
            let account = beneficiary(deps.as_ref(), &info, on_behalf_of)?;
            execute_deposit_collateral(deps, info, account, denom, amount)
        }
        ExecuteMsg::WithdrawCollateral { denom, amount } => {
            nonpayable(&info)?;
            execute_withdraw_collateral(deps, env, info, denom, amount)
        }
        ExecuteMsg::Borrow { amount } => {
            nonpayable(&info)?;
            execute_borrow(deps, env, info, amount)
        }
        ExecuteMsg::Repay { on_behalf_of } => {
            let base = CONFIG.load(deps.storage)?.base_denom;
            let amount = base_payment(&info, &base)?;
            let account = beneficiary(deps.as_ref(), &info, on_behalf_of)?;
            execute_repay(deps, env, info, account, amount)
        }
        ExecuteMsg::Liquidate { borrower } => {
            nonpayable(&info)?;
            execute_liquidate(deps, env, info, borrower)
        }
        ExecuteMsg::SetLiquidation(cfg) => {
            nonpayable(&info)?;
            Ownership::assert(deps.storage, &info.sender)?;
            execute_set_liquidation(deps, env, info, cfg)
        }
        ExecuteMsg::AuctionProceeds {
            borrower,
            shortfall,
            denom,
        } => {
            let liq = only_liquidator(deps.storage, &info.sender)?;
            execute_auction_proceeds(deps, env, info, liq, borrower, shortfall, denom)
        }
        ExecuteMsg::RewardKeeper { keeper, tab } => {
            let liq = only_liquidator(deps.storage, &info.sender)?;
            nonpayable(&info)?;
            execute_reward_keeper(deps, env, liq, keeper, tab)
        }
        ExecuteMsg::SetBreakerLevel { level } => {
            nonpayable(&info)?;
            execute_set_breaker_level(deps, info, level)
        }
        ExecuteMsg::TripBreaker { denom } => {
            nonpayable(&info)?;
            execute_trip_breaker(deps, info, denom)
        }
        ExecuteMsg::SweepReserves {} => {
            nonpayable(&info)?;
            execute_sweep_reserves(deps, env, info)
        }
        ExecuteMsg::WriteDownBackstopDebt {} => {
            nonpayable(&info)?;
            execute_write_down_backstop_debt(deps, env, info)
        }
        ExecuteMsg::RepayBackstopDebt {} => {
            let base = CONFIG.load(deps.storage)?.base_denom;
            let amount = base_payment(&info, &base)?;
            execute_repay_backstop_debt(deps, env, info, amount)
        }
        ExecuteMsg::UpdateRisk { limit } => {
            nonpayable(&info)?;
            execute_update_risk(deps, env, info, limit)
        }
        ExecuteMsg::AccrueInterest {} => {
            nonpayable(&info)?;
            execute_accrue_interest(deps, env, info)
        }
        ExecuteMsg::AddCollateral(params) => {
            nonpayable(&info)?;
            Ownership::assert(deps.storage, &info.sender)?;
            execute_add_collateral(deps, info, params)
        }
        ExecuteMsg::UpdateCollateral { denom, update } => {
            nonpayable(&info)?;
            Ownership::assert(deps.storage, &info.sender)?;
            execute_update_collateral(deps, env, info, denom, update)
        }
        ExecuteMsg::UpdateConfig { oracle, params } => {
            nonpayable(&info)?;
            Ownership::assert(deps.storage, &info.sender)?;
            execute_update_config(deps, env, info, oracle, params)
        }
        ExecuteMsg::Ownership(msg) => Ok(msg.execute(deps.storage, deps.api, &info)?),
    }
}

/// Answers queries, accrued to the current block.
#[cfg_attr(not(feature = "library"), cosmwasm_std::entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
    Ok(match msg {
        QueryMsg::Config {} => to_json_binary(&query_config(deps)?),
        QueryMsg::State {} => to_json_binary(&query_state(deps, env)?),
        QueryMsg::Collateral { denom } => to_json_binary(&query_collateral(deps, env, denom)?),
        QueryMsg::Collaterals { start_after, limit } => {
            to_json_binary(&query_collaterals(deps, env, start_after, limit)?)
        }
        QueryMsg::Account { address } => to_json_binary(&query_account(deps, env, address)?),
        QueryMsg::Accounts { start_after, limit } => {
            to_json_binary(&query_accounts(deps, env, start_after, limit)?)
        }
        QueryMsg::Supplier { address } => to_json_binary(&query_supplier(deps, env, address)?),
        QueryMsg::Risk {} => to_json_binary(&query_risk(deps, env)?),
    }?)
}

/// Refuses another contract's state and downgrades, then records the new version.
#[cfg_attr(not(feature = "library"), cosmwasm_std::entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    let attrs = migrate_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    Ok(Response::new().add_attributes(attrs))
}
