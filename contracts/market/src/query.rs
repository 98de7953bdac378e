//! Read-only queries. Every figure is accrued to the current block in memory.
use crate::error::ContractError;
use crate::health::{health_of, price_holdings, PriceCache};
use crate::interest::{accrued_state, rates};
use crate::redistribution::{pending, REDISTRIBUTIONS};
use crate::state::{load_account, CollateralState, ACCOUNTS, COLLATERALS, CONFIG, SUPPLIERS};
use breakwater_types::market::{
    AccountResponse, AccountSummary, AccountsResponse, CollateralPosition, CollateralResponse,
    CollateralsResponse, ConfigResponse, StateResponse, SupplierResponse,
};
use breakwater_types::math::health::value;
use breakwater_types::ownership::Ownership;
use breakwater_types::page_limit;
use cosmwasm_std::{Deps, Env, Order};
use cw_storage_plus::Bound;

/// Owner, oracle, base denom and parameters.
pub fn query_config(deps: Deps) -> Result<ConfigResponse, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let ownership = Ownership::load(deps.storage)?;
    Ok(ConfigResponse {
        owner: ownership.owner.to_string(),
        pending_owner: ownership.pending_owner.map(|a| a.to_string()),
        oracle: config.oracle.addr().to_string(),
        base_denom: config.base_denom,
        params: config.params,
        liquidation: config.liquidation.map(Into::into),
    })
}

/// Market totals, rates and indices as of now.
pub fn query_state(deps: Deps, env: Env) -> Result<StateResponse, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let state = accrued_state(deps.storage, &config, env.block.time.seconds())?;
    let (utilization, borrow_rate, supply_rate) = rates(&state, &config.params)?;
    Ok(StateResponse {
        total_supplied: state.total_supplied()?,
        total_borrowed: state.total_borrowed()?,
        cash: state.cash,
        reserves: state.reserves,
        utilization,
        borrow_rate,
        supply_rate,
        supply_index: state.supply_index,
        borrow_index: state.borrow_index,
        total_supply_shares: state.total_supply_shares,
        total_debt_shares: state.total_debt_shares,
        last_accrued: state.last_accrued,
        debt_in_auction: state.debt_in_auction,
        provision: state.provision,
        backstop_due: state.backstop_due,
        backstop_debt: state.backstop_debt,
        bad_debt_covered_by_backstop: state.bad_debt_covered_by_backstop,
        bad_debt_covered_by_reserves: state.bad_debt_covered_by_reserves,
        bad_debt_socialized: state.bad_debt_socialized,
        breaker_level: state.breaker_level,
        debt_redistributed: state.debt_redistributed,
    })
}

fn collateral_response(
    storage: &dyn cosmwasm_std::Storage,
    c: CollateralState,
    now: u64,
) -> Result<CollateralResponse, ContractError> {
    Ok(CollateralResponse {
        liquidation_threshold_now: c.threshold_ramp.value_at(now),
        redistribution: REDISTRIBUTIONS.may_load(storage, &c.params.denom)?,
        params: c.params,
        threshold_ramp: c.threshold_ramp,
        total_deposited: c.total_deposited,
    })
}

/// One collateral, with the threshold in force now.
pub fn query_collateral(
    deps: Deps,
    env: Env,
    denom: String,
) -> Result<CollateralResponse, ContractError> {
    let c = COLLATERALS
        .may_load(deps.storage, &denom)?
        .ok_or(ContractError::UnlistedCollateral { denom })?;
    collateral_response(deps.storage, c, env.block.time.seconds())
}

/// Collaterals in denom order.
pub fn query_collaterals(
    deps: Deps,
    env: Env,
    start_after: Option<String>,
    limit: Option<u32>,
) -> Result<CollateralsResponse, ContractError> {
    let now = env.block.time.seconds();
    let start = start_after.as_deref().map(Bound::exclusive);
    let collaterals = COLLATERALS
        .range(deps.storage, start, None, Order::Ascending)
        .take(page_limit(limit))
        .map(|r| collateral_response(deps.storage, r?.1, now))
        .collect::<Result<_, ContractError>>()?;
    Ok(CollateralsResponse { collaterals })
}

/// One account, priced at the oracle's current figures whatever their status.
pub fn query_account(
    deps: Deps,
    env: Env,
    address: String,
) -> Result<AccountResponse, ContractError> {
    let addr = deps.api.addr_validate(&address)?;
    let config = CONFIG.load(deps.storage)?;
    let now = env.block.time.seconds();
    let state = accrued_state(deps.storage, &config, now)?;
    let account = load_account(deps.storage, &addr)?;
    let debt = account.debt_shares.checked_mul_ceil(state.borrow_index)?;
    let lines = price_holdings(
        deps,
        &config,
        &account.collaterals,
        now,
        &mut PriceCache::default(),
    )?;
    let health = health_of(&lines, debt)?;
    let collaterals = lines
        .into_iter()
        .map(|l| {
            Ok(CollateralPosition {
                value: value(l.line.amount, l.line.price).map_err(|e| {
                    ContractError::ValuationOverflow {
                        reason: e.to_string(),
                    }
                })?,
                denom: l.denom,
                amount: l.line.amount,
                price: l.line.price,
                borrow_price: l.line.borrow_price,
                liquidation_threshold: l.line.liquidation_threshold,
                effective_ltv: l.line.ltv,
                oracle_status: l.status,
            })
        })
        .collect::<Result<_, ContractError>>()?;
    Ok(AccountResponse {
        address: addr.to_string(),
        collaterals,
        debt,
        debt_shares: account.debt_shares,
        health_factor: health.health_factor,
        borrow_limit: health.borrow_limit,
        liquidation_value: health.liquidation_value,
        collateral_value: health.collateral_value,
    })
}

/// Accounts in address order with their health; each collateral is priced once per page.
pub fn query_accounts(
    deps: Deps,
    env: Env,
    start_after: Option<String>,
    limit: Option<u32>,
) -> Result<AccountsResponse, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let now = env.block.time.seconds();
    let state = accrued_state(deps.storage, &config, now)?;
    let start_addr = start_after
        .map(|s| deps.api.addr_validate(&s))
        .transpose()?;
    let start = start_addr.as_ref().map(Bound::exclusive);
    let page = ACCOUNTS
        .range(deps.storage, start, None, Order::Ascending)
        .take(page_limit(limit))
        .collect::<Result<Vec<_>, _>>()?;
    let mut cache = PriceCache::default();
    let accounts = page
        .into_iter()
        .map(|(addr, mut account)| {
            pending(deps.storage, &mut account)?;
            let debt = account.debt_shares.checked_mul_ceil(state.borrow_index)?;
            let lines = price_holdings(deps, &config, &account.collaterals, now, &mut cache)?;
            let health = health_of(&lines, debt)?;
            Ok(AccountSummary {
                address: addr.to_string(),
                debt,
                collateral_value: health.collateral_value,
                health_factor: health.health_factor,
            })
        })
        .collect::<Result<_, ContractError>>()?;
    Ok(AccountsResponse { accounts })
}

/// A lender's shares and what they are worth now.
pub fn query_supplier(
    deps: Deps,
    env: Env,
    address: String,
) -> Result<SupplierResponse, ContractError> {
    let addr = deps.api.addr_validate(&address)?;
    let config = CONFIG.load(deps.storage)?;
    let state = accrued_state(deps.storage, &config, env.block.time.seconds())?;
    let shares = SUPPLIERS.may_load(deps.storage, &addr)?.unwrap_or_default();
    Ok(SupplierResponse {
        address: addr.to_string(),
        shares,
        assets: shares.checked_mul_floor(state.supply_index)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mock::{deposit, setup};
    use std::sync::atomic::Ordering;

    #[test]
    fn a_page_of_accounts_prices_each_collateral_once() {
        let (mut deps, env, count) = setup();
        for who in ["a", "b", "c", "d"] {
            deposit(&mut deps, &env, who, "uatom", 100);
            deposit(&mut deps, &env, who, "uosmo", 100);
        }
        count.store(0, Ordering::SeqCst);
        let page = query_accounts(deps.as_ref(), env.clone(), None, None).unwrap();
        assert_eq!(page.accounts.len(), 4);
        assert_eq!(count.load(Ordering::SeqCst), 2);
        for a in &page.accounts {
            assert_eq!(a.collateral_value.u128(), 1_000 + 200);
        }
    }

    #[test]
    fn an_account_query_prices_each_held_collateral_once() {
        let (mut deps, env, count) = setup();
        deposit(&mut deps, &env, "a", "uatom", 100);
        deposit(&mut deps, &env, "a", "uosmo", 100);
        count.store(0, Ordering::SeqCst);
        let addr = deps.api.addr_make("a").to_string();
        let acc = query_account(deps.as_ref(), env, addr).unwrap();
        assert_eq!(acc.collaterals.len(), 2);
        assert_eq!(count.load(Ordering::SeqCst), 2);
    }
}
