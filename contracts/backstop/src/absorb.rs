//! `Absorb` and the `AbsorbQuote` query: the pool takes a whole position's collateral for
//! base at a discount to the oracle.
use crate::error::ContractError;
use crate::pool::{balance, value_discounted};
use crate::state::{Config, CONFIG, HELD};
use breakwater_types::backstop::AbsorbQuoteResponse;
use cosmwasm_std::{
    coin, BankMsg, Coin, Deps, DepsMut, Env, MessageInfo, Response, StdError, Uint128, Uint256,
};

/// What the pool pays for `collateral` (at most `debt`) and whether it can now.
pub struct Quote {
    /// `min(debt, floor(oracle value · (1 − absorb_discount)))`.
    pub pay: Uint128,
    /// Base the pool holds.
    pub available: Uint128,
    /// The first collateral whose oracle price is not active, with its status.
    pub inactive: Option<(String, String)>,
}

impl Quote {
    /// `available >= pay > 0` and every price active.
    pub fn can_absorb(&self) -> bool {
        self.inactive.is_none() && self.available >= self.pay && !self.pay.is_zero()
    }
}

fn amounts(coins: &[Coin]) -> Result<Vec<(String, Uint128)>, ContractError> {
    coins
        .iter()
        .map(|c| {
            let a = Uint128::try_from(c.amount).map_err(|_| ContractError::AmountTooLarge)?;
            Ok((c.denom.clone(), a))
        })
        .collect()
}

/// Quotes absorbing `collateral` for a debt of `debt` (`None`: no cap); `halted`: a `Halted`
/// price counts at its median instead of making the quote inactive.
pub fn quote(
    deps: Deps,
    env: &Env,
    cfg: &Config,
    collateral: &[Coin],
    debt: Option<Uint128>,
    halted: bool,
) -> Result<Quote, ContractError> {
    let v = value_discounted(
        deps,
        cfg,
        &amounts(collateral)?,
        cfg.params.absorb_discount,
        halted,
    )?;
    let value = Uint128::try_from(v.discounted).unwrap_or(Uint128::MAX);
    let pay = match debt {
        Some(d) if Uint256::from(d) < v.discounted => d,
        _ => value,
    };
    Ok(Quote {
        pay,
        available: balance(&deps.querier, &env.contract.address, &cfg.base_denom)?,
        inactive: v.inactive,
    })
}

/// The `AbsorbQuote` query.
pub fn absorb_quote(
    deps: Deps,
    env: Env,
    collateral: Vec<Coin>,
    debt: Uint128,
    halted: bool,
) -> Result<AbsorbQuoteResponse, ContractError> {
    let cfg = CONFIG.load(deps.storage)?;
    let q = quote(deps, &env, &cfg, &collateral, Some(debt), halted)?;
    Ok(AbsorbQuoteResponse {
        can_absorb: q.can_absorb(),
        pay: q.pay,
        available: q.available,
        discount: cfg.params.absorb_discount,
    })
}

/// Takes the attached collateral and pays `pay` base to the market (the sender, checked by
/// the caller), which lent it `on_credit` more towards the price (already booked as the pool's
/// debt). `pay + on_credit` must not exceed the pool's own quote of the attached collateral,
/// `pay` not its base balance, and every price must be active (or `Halted`, when `halted`).
pub fn absorb(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    borrower: String,
    pay: Uint128,
    on_credit: Uint128,
    halted: bool,
) -> Result<Response, ContractError> {
    let cfg = CONFIG.load(deps.storage)?;
    let borrower = deps.api.addr_validate(&borrower)?;
    if info.funds.is_empty() {
        return Err(ContractError::NoCollateral);
    }
    // Base is never attached, so the balance is the pool's own.
    let q = quote(deps.as_ref(), &env, &cfg, &info.funds, None, halted)?;
    if let Some((denom, status)) = q.inactive {
        return Err(ContractError::OraclePaused { denom, status });
    }
    let price = pay.checked_add(on_credit).map_err(StdError::from)?;
    if price > q.pay {
        return Err(ContractError::PayAboveQuote {
            pay: price,
            quote: q.pay,
        });
    }
    if pay > q.available {
        return Err(ContractError::InsufficientFunds {
            needed: pay,
            available: q.available,
        });
    }
    // Units of a denom the pool did not hold yet (sent to it by anyone before) were not in its
    // value: they join the intake, so their value is locked with its gain.
    let mut intake = Vec::with_capacity(info.funds.len());
    for c in &info.funds {
        let mut c = c.clone();
        if !HELD.has(deps.storage, &c.denom) {
            let held = balance(&deps.querier, &env.contract.address, &c.denom)?;
            c.amount = c.amount.max(held.into());
            HELD.save(deps.storage, &c.denom, &())?;
        }
        intake.push(c);
    }
    let locked = crate::profit::lock_intake(deps, &env, &cfg, &intake, price, pay)?;
    let collateral = info
        .funds
        .iter()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let mut res = Response::new()
        .add_attribute("action", "absorb")
        .add_attribute("market", info.sender.as_str())
        .add_attribute("borrower", borrower)
        .add_attribute("pay", pay)
        .add_attribute("on_credit", on_credit)
        .add_attribute("quote", q.pay)
        .add_attribute("collateral", collateral)
        .add_attribute("base_left", q.available.saturating_sub(pay))
        .add_attribute("locked_shares", locked);
    if !pay.is_zero() {
        res = res.add_message(BankMsg::Send {
            to_address: info.sender.to_string(),
            amount: vec![coin(pay.u128(), cfg.base_denom)],
        });
    }
    Ok(res)
}
