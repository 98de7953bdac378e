//! Queries: pool totals, one depositor, configuration. (`AbsorbQuote` lives in `absorb`.)
use crate::error::ContractError;
use crate::pool::pool_value;
use crate::profit::shares_at;
use crate::shares::{value_of_shares, value_per_share};
use crate::state::{CONFIG, PENDING_SHARES, REQUESTS, SHARES, TOTAL_COVERED};
use breakwater_types::backstop::{ConfigResponse, DepositorResponse, PoolResponse};
use breakwater_types::ownership::Ownership;
use cosmwasm_std::{Deps, Env, Uint128};

/// Pool totals. Collateral lists non-empty holdings (units in the account plus units in the
/// pool's running resale auctions) at the oracle median; shares are counted as of now (locked
/// shares due to be burnt are left out).
pub fn pool(deps: Deps, env: Env) -> Result<PoolResponse, ContractError> {
    let cfg = CONFIG.load(deps.storage)?;
    let v = pool_value(deps, &env.contract.address, &cfg, Uint128::zero())?;
    let (total_shares, locked_shares) = shares_at(deps.storage, env.block.time.seconds())?;
    Ok(PoolResponse {
        base: v.base,
        collateral: v.collateral.into_iter().map(|h| h.held).collect(),
        owed_by_market: v.owed,
        owed_to_market: v.debt,
        total_value: v.total,
        total_shares,
        locked_shares,
        value_per_share: value_per_share(v.total, total_shares)?,
        pending_withdrawal_shares: PENDING_SHARES.load(deps.storage)?,
        total_covered: TOTAL_COVERED.load(deps.storage)?,
    })
}

/// One depositor: shares, their value (virtual-offset formula, rounded down) and any request.
pub fn depositor(
    deps: Deps,
    env: Env,
    address: String,
) -> Result<DepositorResponse, ContractError> {
    let addr = deps.api.addr_validate(&address)?;
    let shares = SHARES.may_load(deps.storage, &addr)?.unwrap_or_default();
    let value = if shares.is_zero() {
        Uint128::zero()
    } else {
        let cfg = CONFIG.load(deps.storage)?;
        let v = pool_value(deps, &env.contract.address, &cfg, Uint128::zero())?;
        let (total_shares, _) = shares_at(deps.storage, env.block.time.seconds())?;
        value_of_shares(shares, total_shares, v.total)?
    };
    Ok(DepositorResponse {
        address: addr.to_string(),
        shares,
        value,
        request: REQUESTS.may_load(deps.storage, &addr)?,
    })
}

/// Addresses and parameters.
pub fn config(deps: Deps) -> Result<ConfigResponse, ContractError> {
    let cfg = CONFIG.load(deps.storage)?;
    let o = Ownership::load(deps.storage)?;
    Ok(ConfigResponse {
        owner: o.owner.to_string(),
        market: cfg.market.addr().to_string(),
        liquidator: cfg.liquidator.addr().to_string(),
        oracle: cfg.oracle.addr().to_string(),
        base_denom: cfg.base_denom,
        params: cfg.params,
    })
}
