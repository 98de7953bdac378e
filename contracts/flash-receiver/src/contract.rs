//! Entry points and state of the flash receiver.
use crate::error::ContractError;
use breakwater_types::adapters::query_balance_amount;
use breakwater_types::venue::{
    FlashSale, PoolContract, ReceiverConfigResponse, ReceiverContract, ReceiverExecuteMsg,
    ReceiverInstantiateMsg, ReceiverQueryMsg,
};
use cosmwasm_std::{
    coin, from_json, to_json_binary, Addr, BankMsg, Binary, Deps, DepsMut, Env, MessageInfo, Order,
    Response, StdResult, Uint128,
};
use cw_storage_plus::{Item, Map};

/// cw2 name of this contract.
pub const CONTRACT_NAME: &str = "crates.io:breakwater-flash-receiver";
/// cw2 version of this contract.
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

const OWNER: Item<Addr> = Item::new("owner");
const LIQUIDATOR: Item<Addr> = Item::new("liquidator");
const POOLS: Map<&str, Addr> = Map::new("pools");

fn balance(deps: &Deps, env: &Env, denom: &str) -> Result<Uint128, ContractError> {
    let amount = query_balance_amount(&deps.querier, &env.contract.address, denom)?;
    Uint128::try_from(amount).map_err(|e| ContractError::Std(e.into()))
}

/// Stores the owner (the sender), the liquidator and the pools.
#[cfg_attr(not(feature = "library"), cosmwasm_std::entry_point)]
pub fn instantiate(
    deps: DepsMut,
    _env: Env,
    info: MessageInfo,
    msg: ReceiverInstantiateMsg,
) -> Result<Response, ContractError> {
    if !info.funds.is_empty() {
        return Err(ContractError::Funds);
    }
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    OWNER.save(deps.storage, &info.sender)?;
    LIQUIDATOR.save(deps.storage, &deps.api.addr_validate(&msg.liquidator)?)?;
    for (denom, pool) in &msg.pools {
        POOLS.save(deps.storage, denom, &deps.api.addr_validate(pool)?)?;
    }
    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("liquidator", msg.liquidator)
        .add_attribute("pools", msg.pools.len().to_string()))
}

/// Dispatches every message.
#[cfg_attr(not(feature = "library"), cosmwasm_std::entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ReceiverExecuteMsg,
) -> Result<Response, ContractError> {
    if !info.funds.is_empty() {
        return Err(ContractError::Funds);
    }
    match msg {
        ReceiverExecuteMsg::BreakwaterFlash {
            auction_id,
            collateral,
            collateral_denom,
            owe,
            denom,
            liquidator,
            data,
        } => {
            let expected = LIQUIDATOR.load(deps.storage)?;
            if info.sender != expected || liquidator != expected.as_str() {
                return Err(ContractError::Unauthorized("the configured liquidator"));
            }
            let sale: FlashSale =
                from_json(data.ok_or_else(|| ContractError::BadData("no data".into()))?)
                    .map_err(|e| ContractError::BadData(e.to_string()))?;
            let beneficiary = deps.api.addr_validate(&sale.beneficiary)?;
            let pool = POOLS
                .may_load(deps.storage, &collateral_denom)?
                .ok_or_else(|| ContractError::NoPool(collateral_denom.clone()))?;
            let held = balance(&deps.as_ref(), &env, &collateral_denom)?;
            if held < collateral {
                return Err(ContractError::LotMissing {
                    denom: collateral_denom,
                    held,
                    lot: collateral,
                });
            }
            let balance_before = balance(&deps.as_ref(), &env, &denom)?;
            let min_out = owe.checked_add(sale.min_profit)?;
            let swap = PoolContract(pool.clone()).swap(
                coin(collateral.u128(), &collateral_denom),
                min_out,
                None,
            )?;
            let settle = ReceiverContract(env.contract.address.clone()).settle(
                &ReceiverExecuteMsg::Settle {
                    owe,
                    denom,
                    liquidator,
                    beneficiary: beneficiary.to_string(),
                    min_profit: sale.min_profit,
                    balance_before,
                },
            )?;
            Ok(Response::new()
                .add_attribute("action", "flash_sale")
                .add_attribute("auction_id", auction_id.to_string())
                .add_attribute("lot", collateral)
                .add_attribute("pool", pool.as_str())
                .add_messages([swap, settle]))
        }
        ReceiverExecuteMsg::Settle {
            owe,
            denom,
            liquidator,
            beneficiary,
            min_profit,
            balance_before,
        } => {
            if info.sender != env.contract.address {
                return Err(ContractError::Unauthorized("the receiver itself"));
            }
            let received = balance(&deps.as_ref(), &env, &denom)?.saturating_sub(balance_before);
            if received < owe.checked_add(min_profit)? {
                return Err(ContractError::Unprofitable {
                    received,
                    owe,
                    min_profit,
                });
            }
            let profit = received - owe;
            let mut res = Response::new()
                .add_attribute("action", "flash_settle")
                .add_attribute("owe", owe)
                .add_attribute("profit", profit)
                .add_attribute("beneficiary", beneficiary.as_str());
            if !owe.is_zero() {
                res = res.add_message(BankMsg::Send {
                    to_address: liquidator,
                    amount: vec![coin(owe.u128(), &denom)],
                });
            }
            if !profit.is_zero() {
                res = res.add_message(BankMsg::Send {
                    to_address: beneficiary,
                    amount: vec![coin(profit.u128(), &denom)],
                });
            }
            Ok(res)
        }
        ReceiverExecuteMsg::SetPool { denom, pool } => {
            if info.sender != OWNER.load(deps.storage)? {
                return Err(ContractError::Unauthorized("the owner"));
            }
            match &pool {
                Some(p) => POOLS.save(deps.storage, &denom, &deps.api.addr_validate(p)?)?,
                None => POOLS.remove(deps.storage, &denom),
            }
            Ok(Response::new()
                .add_attribute("action", "set_pool")
                .add_attribute("denom", denom)
                .add_attribute("pool", pool.unwrap_or_default()))
        }
    }
}

/// Answers `Config {}`.
#[cfg_attr(not(feature = "library"), cosmwasm_std::entry_point)]
pub fn query(deps: Deps, _env: Env, msg: ReceiverQueryMsg) -> StdResult<Binary> {
    match msg {
        ReceiverQueryMsg::Config {} => to_json_binary(&ReceiverConfigResponse {
            owner: OWNER.load(deps.storage)?.to_string(),
            liquidator: LIQUIDATOR.load(deps.storage)?.to_string(),
            pools: POOLS
                .range(deps.storage, None, None, Order::Ascending)
                .map(|r| r.map(|(d, a)| (d, a.to_string())))
                .collect::<StdResult<_>>()?,
        }),
    }
}
