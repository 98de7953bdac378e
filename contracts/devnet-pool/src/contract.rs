//! Entry points and state of the devnet pool.
use crate::error::ContractError;
use breakwater_types::venue::{
    swap_out, PoolExecuteMsg, PoolInstantiateMsg, PoolQueryMsg, PoolResponse, SharesResponse,
    SimulationResponse,
};
use cosmwasm_schema::cw_serde;
use cosmwasm_std::{
    coin, to_json_binary, Addr, BankMsg, Binary, Coin, Deps, DepsMut, Env, MessageInfo, Response,
    StdResult, Uint128, Uint256,
};
use cw_storage_plus::{Item, Map};

/// cw2 name of this contract.
pub const CONTRACT_NAME: &str = "crates.io:breakwater-devnet-pool";
/// cw2 version of this contract.
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");
/// The highest fee accepted, basis points (10%).
pub const MAX_FEE_BPS: u16 = 1_000;

/// The pool's books.
#[cw_serde]
pub struct Pool {
    /// Base denom.
    pub base_denom: String,
    /// Collateral denom.
    pub collateral_denom: String,
    /// Base reserve.
    pub base: Uint128,
    /// Collateral reserve.
    pub collateral: Uint128,
    /// Fee, basis points.
    pub fee_bps: u16,
    /// Shares outstanding.
    pub shares: Uint128,
}

const POOL: Item<Pool> = Item::new("pool");
const SHARES: Map<&Addr, Uint128> = Map::new("shares");

/// Stores the denoms and the fee.
#[cfg_attr(not(feature = "library"), cosmwasm_std::entry_point)]
pub fn instantiate(
    deps: DepsMut,
    _env: Env,
    info: MessageInfo,
    msg: PoolInstantiateMsg,
) -> Result<Response, ContractError> {
    if !info.funds.is_empty() {
        return Err(ContractError::WrongFunds(
            "instantiate takes no funds: provide liquidity after".into(),
        ));
    }
    if msg.base_denom.is_empty()
        || msg.collateral_denom.is_empty()
        || msg.base_denom == msg.collateral_denom
    {
        return Err(ContractError::InvalidPool(
            "two different, non-empty denoms".into(),
        ));
    }
    if msg.fee_bps > MAX_FEE_BPS {
        return Err(ContractError::InvalidPool(format!(
            "fee {} bps is above {MAX_FEE_BPS}",
            msg.fee_bps
        )));
    }
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    POOL.save(
        deps.storage,
        &Pool {
            base_denom: msg.base_denom.clone(),
            collateral_denom: msg.collateral_denom.clone(),
            base: Uint128::zero(),
            collateral: Uint128::zero(),
            fee_bps: msg.fee_bps,
            shares: Uint128::zero(),
        },
    )?;
    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("base_denom", msg.base_denom)
        .add_attribute("collateral_denom", msg.collateral_denom)
        .add_attribute("fee_bps", msg.fee_bps.to_string()))
}

/// The amount of `denom` attached (zero if none); refuses any other denom and duplicates.
fn attached(info: &MessageInfo, allowed: &[&str]) -> Result<Vec<Coin>, ContractError> {
    for c in &info.funds {
        if !allowed.contains(&c.denom.as_str()) {
            return Err(ContractError::WrongFunds(format!(
                "{} is not one of the pool's denoms",
                c.denom
            )));
        }
    }
    Ok(info.funds.clone())
}

fn amount_of(funds: &[Coin], denom: &str) -> Result<Uint128, ContractError> {
    let sum: Uint256 = funds
        .iter()
        .filter(|c| c.denom == denom)
        .map(|c| c.amount)
        .sum();
    Uint128::try_from(sum).map_err(|_| ContractError::WrongFunds("amount too large".into()))
}

/// `ceil(a·b/c)` in 256 bits.
fn mul_div_ceil(a: Uint128, b: Uint128, c: Uint128) -> Result<Uint128, ContractError> {
    let num = Uint256::from(a).checked_mul(Uint256::from(b))?;
    let c = Uint256::from(c);
    let q = num.checked_div(c).map_err(|_| ContractError::EmptyPool)?;
    let q = if q * c == num { q } else { q + Uint256::one() };
    Ok(Uint128::try_from(q)?)
}

/// `floor(a·b/c)` in 256 bits.
fn mul_div_floor(a: Uint128, b: Uint128, c: Uint128) -> Result<Uint128, ContractError> {
    let q = Uint256::from(a)
        .checked_mul(Uint256::from(b))?
        .checked_div(Uint256::from(c))
        .map_err(|_| ContractError::EmptyPool)?;
    Ok(Uint128::try_from(q)?)
}

/// Dispatches every message.
#[cfg_attr(not(feature = "library"), cosmwasm_std::entry_point)]
pub fn execute(
    deps: DepsMut,
    _env: Env,
    info: MessageInfo,
    msg: PoolExecuteMsg,
) -> Result<Response, ContractError> {
    let mut pool = POOL.load(deps.storage)?;
    match msg {
        PoolExecuteMsg::ProvideLiquidity {} => {
            let funds = attached(&info, &[&pool.base_denom, &pool.collateral_denom])?;
            let b = amount_of(&funds, &pool.base_denom)?;
            let c = amount_of(&funds, &pool.collateral_denom)?;
            if b.is_zero() || c.is_zero() {
                return Err(ContractError::WrongFunds(format!(
                    "attach both {} and {}",
                    pool.base_denom, pool.collateral_denom
                )));
            }
            let (minted, used_b, used_c) = if pool.shares.is_zero() {
                (b, b, c)
            } else {
                let minted = mul_div_floor(b, pool.shares, pool.base)?.min(mul_div_floor(
                    c,
                    pool.shares,
                    pool.collateral,
                )?);
                if minted.is_zero() {
                    return Err(ContractError::NoShares);
                }
                (
                    minted,
                    mul_div_ceil(minted, pool.base, pool.shares)?,
                    mul_div_ceil(minted, pool.collateral, pool.shares)?,
                )
            };
            pool.base = pool.base.checked_add(used_b)?;
            pool.collateral = pool.collateral.checked_add(used_c)?;
            pool.shares = pool.shares.checked_add(minted)?;
            POOL.save(deps.storage, &pool)?;
            let held = SHARES
                .may_load(deps.storage, &info.sender)?
                .unwrap_or_default();
            SHARES.save(deps.storage, &info.sender, &held.checked_add(minted)?)?;
            let refund: Vec<Coin> = [
                (b.checked_sub(used_b)?, &pool.base_denom),
                (c.checked_sub(used_c)?, &pool.collateral_denom),
            ]
            .into_iter()
            .filter(|(a, _)| !a.is_zero())
            .map(|(a, d)| coin(a.u128(), d))
            .collect();
            let mut res = Response::new()
                .add_attribute("action", "provide_liquidity")
                .add_attribute("shares", minted)
                .add_attribute("base", used_b)
                .add_attribute("collateral", used_c);
            if !refund.is_empty() {
                res = res.add_message(BankMsg::Send {
                    to_address: info.sender.to_string(),
                    amount: refund,
                });
            }
            Ok(res)
        }
        PoolExecuteMsg::WithdrawLiquidity { shares } => {
            if !info.funds.is_empty() {
                return Err(ContractError::WrongFunds("withdraw takes no funds".into()));
            }
            if shares.is_zero() {
                return Err(ContractError::ZeroAmount);
            }
            let held = SHARES
                .may_load(deps.storage, &info.sender)?
                .unwrap_or_default();
            if held < shares {
                return Err(ContractError::InsufficientShares {
                    held,
                    asked: shares,
                });
            }
            let b = mul_div_floor(shares, pool.base, pool.shares)?;
            let c = mul_div_floor(shares, pool.collateral, pool.shares)?;
            pool.base = pool.base.checked_sub(b)?;
            pool.collateral = pool.collateral.checked_sub(c)?;
            pool.shares = pool.shares.checked_sub(shares)?;
            POOL.save(deps.storage, &pool)?;
            SHARES.save(deps.storage, &info.sender, &(held - shares))?;
            let out: Vec<Coin> = [(b, &pool.base_denom), (c, &pool.collateral_denom)]
                .into_iter()
                .filter(|(a, _)| !a.is_zero())
                .map(|(a, d)| coin(a.u128(), d))
                .collect();
            let mut res = Response::new()
                .add_attribute("action", "withdraw_liquidity")
                .add_attribute("shares", shares)
                .add_attribute("base", b)
                .add_attribute("collateral", c);
            if !out.is_empty() {
                res = res.add_message(BankMsg::Send {
                    to_address: info.sender.to_string(),
                    amount: out,
                });
            }
            Ok(res)
        }
        PoolExecuteMsg::Swap { min_out, to } => {
            let funds = attached(&info, &[&pool.base_denom, &pool.collateral_denom])?;
            let [offer] = funds.as_slice() else {
                return Err(ContractError::WrongFunds(
                    "attach exactly one coin to sell".into(),
                ));
            };
            let amount = Uint128::try_from(offer.amount)
                .map_err(|_| ContractError::WrongFunds("amount too large".into()))?;
            if amount.is_zero() {
                return Err(ContractError::ZeroAmount);
            }
            if pool.base.is_zero() || pool.collateral.is_zero() {
                return Err(ContractError::EmptyPool);
            }
            let selling_collateral = offer.denom == pool.collateral_denom;
            let (reserve_in, reserve_out) = if selling_collateral {
                (pool.collateral, pool.base)
            } else {
                (pool.base, pool.collateral)
            };
            let out = swap_out(amount, reserve_in, reserve_out, pool.fee_bps)
                .ok_or(ContractError::EmptyPool)?;
            if out < min_out || out.is_zero() {
                return Err(ContractError::Slippage { out, min_out });
            }
            let out_denom = if selling_collateral {
                pool.collateral = pool.collateral.checked_add(amount)?;
                pool.base = pool.base.checked_sub(out)?;
                pool.base_denom.clone()
            } else {
                pool.base = pool.base.checked_add(amount)?;
                pool.collateral = pool.collateral.checked_sub(out)?;
                pool.collateral_denom.clone()
            };
            POOL.save(deps.storage, &pool)?;
            let to = match to {
                Some(t) => deps.api.addr_validate(&t)?,
                None => info.sender,
            };
            Ok(Response::new()
                .add_attribute("action", "swap")
                .add_attribute("offer", format!("{amount}{}", offer.denom))
                .add_attribute("return", format!("{out}{out_denom}"))
                .add_attribute("to", to.as_str())
                .add_message(BankMsg::Send {
                    to_address: to.to_string(),
                    amount: vec![coin(out.u128(), out_denom)],
                }))
        }
    }
}

/// Answers the pool's queries.
#[cfg_attr(not(feature = "library"), cosmwasm_std::entry_point)]
pub fn query(deps: Deps, _env: Env, msg: PoolQueryMsg) -> StdResult<Binary> {
    let pool = POOL.load(deps.storage)?;
    match msg {
        PoolQueryMsg::Pool {} => to_json_binary(&PoolResponse {
            base_denom: pool.base_denom,
            collateral_denom: pool.collateral_denom,
            base_reserve: pool.base,
            collateral_reserve: pool.collateral,
            fee_bps: pool.fee_bps,
            total_shares: pool.shares,
        }),
        PoolQueryMsg::Simulate {
            offer_denom,
            offer_amount,
        } => {
            let (reserve_in, reserve_out) = if offer_denom == pool.collateral_denom {
                (pool.collateral, pool.base)
            } else if offer_denom == pool.base_denom {
                (pool.base, pool.collateral)
            } else {
                return Err(cosmwasm_std::StdError::msg(format!(
                    "{offer_denom} is not one of the pool's denoms"
                )));
            };
            let out =
                swap_out(offer_amount, reserve_in, reserve_out, pool.fee_bps).unwrap_or_default();
            let fee = offer_amount.multiply_ratio(pool.fee_bps, 10_000u128);
            to_json_binary(&SimulationResponse {
                return_amount: out,
                fee_amount: fee,
            })
        }
        PoolQueryMsg::Shares { address } => {
            let addr = deps.api.addr_validate(&address)?;
            to_json_binary(&SharesResponse {
                shares: SHARES.may_load(deps.storage, &addr)?.unwrap_or_default(),
            })
        }
    }
}
