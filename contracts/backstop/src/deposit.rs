//! `Deposit` (base for shares) and `Fund` (base for nothing).
use crate::error::ContractError;
use crate::pool::pool_value;
use crate::profit;
use crate::shares::shares_for_deposit;
use crate::state::{CONFIG, SHARES, TOTAL_SHARES};
use cosmwasm_std::{DepsMut, Env, MessageInfo, Response, StdError, Uint128};

/// The base amount attached to `info` (exactly one coin of the base denom), in 128 bits.
pub fn paid_base(info: &MessageInfo, base_denom: &str) -> Result<Uint128, ContractError> {
    let paid = cw_utils::must_pay(info, base_denom)?;
    Uint128::try_from(paid).map_err(|_| ContractError::AmountTooLarge)
}

/// Mints `floor(amount · (S + V_s) / (V + V_a))` shares, valuing the pool before the deposit
/// (its funds are already in the balance, so they are subtracted). Refused when a held
/// collateral's oracle price is not active (share prices must be trustworthy), when the pool
/// owes the market more than it has (the deposit would pay that deficit), or when the deposit
/// would mint zero shares.
pub fn deposit(deps: DepsMut, env: Env, info: MessageInfo) -> Result<Response, ContractError> {
    let cfg = CONFIG.load(deps.storage)?;
    let amount = paid_base(&info, &cfg.base_denom)?;
    let pool = pool_value(deps.as_ref(), &env.contract.address, &cfg, amount)?;
    pool.ensure_active()?;
    pool.ensure_solvent()?;
    let total_shares = profit::settle(deps.storage, env.block.time.seconds())?;
    let minted = shares_for_deposit(amount, total_shares, pool.total)?;
    if minted.is_zero() {
        return Err(ContractError::ZeroShares { amount });
    }
    let held = SHARES
        .may_load(deps.storage, &info.sender)?
        .unwrap_or_default()
        .checked_add(minted)
        .map_err(StdError::from)?;
    let total_shares = total_shares.checked_add(minted).map_err(StdError::from)?;
    SHARES.save(deps.storage, &info.sender, &held)?;
    TOTAL_SHARES.save(deps.storage, &total_shares)?;
    let total_value = pool.total.checked_add(amount).map_err(StdError::from)?;
    let mut res = Response::new()
        .add_attribute("action", "deposit")
        .add_attribute("depositor", info.sender)
        .add_attribute("amount", amount)
        .add_attribute("shares", minted)
        .add_attribute("depositor_shares", held)
        .add_attribute("total_shares", total_shares)
        .add_attribute("total_value", total_value);
    if let Some((paid, msg)) =
        crate::pool::repay_market(&cfg, pool.base.saturating_add(amount), pool.debt)
    {
        res = res.add_message(msg).add_attribute("repaid_to_market", paid);
    }
    Ok(res)
}

/// Adds the attached base to the pool without minting shares. From the market (its
/// `SweepReserves`) the base settles what the market owes the pool, which the pool's value
/// already counts: the share price does not move. From anyone else it is a gain: locked and
/// unlocked over `profit_unlock_period` (see [`crate::profit`]).
pub fn fund(deps: DepsMut, env: Env, info: MessageInfo) -> Result<Response, ContractError> {
    let cfg = CONFIG.load(deps.storage)?;
    let amount = paid_base(&info, &cfg.base_denom)?;
    let locked = if info.sender == *cfg.market.addr() {
        Uint128::zero()
    } else {
        let pool = pool_value(deps.as_ref(), &env.contract.address, &cfg, Uint128::zero())?;
        let now = env.block.time.seconds();
        let period = cfg.params.profit_unlock_period;
        profit::lock_gain(deps.storage, now, period, amount, pool.total)?
    };
    let base = crate::pool::balance(&deps.querier, &env.contract.address, &cfg.base_denom)?;
    Ok(Response::new()
        .add_attribute("action", "fund")
        .add_attribute("funder", info.sender)
        .add_attribute("amount", amount)
        .add_attribute("base", base)
        .add_attribute("locked_shares", locked))
}
