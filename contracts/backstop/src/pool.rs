//! Pool valuation: base balance, what the market owes the pool, and held collateral at the
//! oracle median, less what the pool owes the market (bad debt the market covered for it on
//! credit, repaid by [`repay_market`] from the base the pool receives).
//!
//! Collateral counts what the pool holds in its bank account **plus** the lots of its own
//! resale auctions still running at the liquidator: those units left the account but are
//! still the pool's until sold, and leaving them out would let anyone depress the share price
//! with `Resell` and deposit cheaply. Base counts the market's `backstop_due` (reserves
//! earmarked for the pool, paid by `SweepReserves`): it accrues with interest, so counting it
//! as it accrues lets no deposit made just before a sweep buy a share of it.
use crate::error::ContractError;
use crate::state::{Config, HELD};
use breakwater_types::adapters::{query_balance_amount, LiquidatorContract};
use breakwater_types::backstop::HeldCollateral;
use breakwater_types::oracle::OracleStatus;
use cosmwasm_std::{
    Addr, Decimal, Decimal256, Deps, Order, QuerierWrapper, StdError, Uint128, Uint256,
};

/// The pool's balance of `denom`, in 128 bits.
pub fn balance(
    querier: &QuerierWrapper,
    contract: &Addr,
    denom: &str,
) -> Result<Uint128, ContractError> {
    let amount = query_balance_amount(querier, contract, denom)?;
    Uint128::try_from(amount).map_err(|_| ContractError::AmountTooLarge)
}

/// Units of `denom` in the pool's own resale auctions still running at the liquidator (the
/// liquidator keeps the total, so this costs the same however many auctions run).
pub fn in_resale(
    querier: &QuerierWrapper,
    liquidator: &LiquidatorContract,
    denom: &str,
) -> Result<Uint128, ContractError> {
    Ok(liquidator.query_resale_lot(querier, denom)?)
}

/// One held collateral, priced.
pub struct Holding {
    /// Units in the pool's account.
    pub in_pool: Uint128,
    /// The response row: amount (account plus running resales), price, value.
    pub held: HeldCollateral,
    /// The oracle status of the price.
    pub status: OracleStatus,
}

/// The pool's value.
pub struct PoolValue {
    /// Base units in the account.
    pub base: Uint128,
    /// Base units the market owes the pool (its `backstop_due`).
    pub owed: Uint128,
    /// Base units the pool owes the market (its `backstop_debt`), deducted from `total`.
    pub debt: Uint128,
    /// Non-empty collateral holdings, priced.
    pub collateral: Vec<Holding>,
    /// `base + owed + Σ value − debt` (zero when the debt exceeds the rest).
    pub total: Uint128,
    /// `base + owed + Σ value`: what the pool has before its debt.
    pub assets: Uint128,
}

impl PoolValue {
    /// `Σ floor(amount · price)` of `coins` at the prices of the pool's holdings (each denom
    /// must be held).
    pub fn value_of(&self, coins: &[(String, Uint128)]) -> Result<Uint128, ContractError> {
        let mut sum = Uint128::zero();
        for (denom, amount) in coins {
            let h = self
                .collateral
                .iter()
                .find(|h| &h.held.denom == denom)
                .ok_or_else(|| ContractError::NotHeld {
                    denom: denom.clone(),
                })?;
            let v = amount
                .checked_mul_floor(h.held.price)
                .map_err(StdError::from)?;
            sum = sum.checked_add(v).map_err(StdError::from)?;
        }
        Ok(sum)
    }

    /// Fails when the pool owes the market more than it has: a deposit would pay that deficit,
    /// the depositor's shares worth less than what it paid.
    pub fn ensure_solvent(&self) -> Result<(), ContractError> {
        if self.debt > self.assets {
            return Err(ContractError::PoolInsolvent {
                debt: self.debt,
                assets: self.assets,
            });
        }
        Ok(())
    }

    /// Fails unless every held collateral's oracle price is active (prices used to mint
    /// shares must be trustworthy).
    pub fn ensure_active(&self) -> Result<(), ContractError> {
        match self.collateral.iter().find(|h| !h.status.is_active()) {
            Some(h) => Err(ContractError::OraclePaused {
                denom: h.held.denom.clone(),
                status: h.status.name().to_string(),
            }),
            None => Ok(()),
        }
    }
}

/// Values the pool: `base` (its base balance minus `exclude`, the funds attached to the
/// message being executed), plus what the market owes it, plus every held collateral at the
/// oracle median, each rounded down. Denoms held at zero are skipped; a held denom the oracle
/// cannot price is an error.
pub fn pool_value(
    deps: Deps,
    contract: &Addr,
    cfg: &Config,
    exclude: Uint128,
) -> Result<PoolValue, ContractError> {
    let base = balance(&deps.querier, contract, &cfg.base_denom)?
        .checked_sub(exclude)
        .map_err(StdError::from)?;
    let denoms: Vec<String> = HELD
        .keys(deps.storage, None, None, Order::Ascending)
        .collect::<Result<_, _>>()?;
    let view = cfg.market.query_state_view(&deps.querier)?;
    let (owed, debt) = (view.backstop_due, view.backstop_debt);
    let mut total = base.checked_add(owed).map_err(StdError::from)?;
    let mut collateral = vec![];
    for denom in denoms {
        let in_pool = balance(&deps.querier, contract, &denom)?;
        let amount = in_pool
            .checked_add(in_resale(&deps.querier, &cfg.liquidator, &denom)?)
            .map_err(StdError::from)?;
        if amount.is_zero() {
            continue;
        }
        let p = cfg.oracle.query_price_view(&deps.querier, &denom)?;
        let value = amount.checked_mul_floor(p.median).map_err(StdError::from)?;
        total = total.checked_add(value).map_err(StdError::from)?;
        collateral.push(Holding {
            in_pool,
            held: HeldCollateral {
                denom,
                amount,
                price: p.median,
                value,
            },
            status: p.status,
        });
    }
    Ok(PoolValue {
        base,
        owed,
        debt,
        collateral,
        total: total.saturating_sub(debt),
        assets: total,
    })
}

/// A priced quote of collateral coins.
pub struct Valuation {
    /// `floor(Σ amount · median · (1 − discount))`, exact before the final rounding.
    pub discounted: Uint256,
    /// The first denom whose price is not active (nor `Halted`, when halted prices count),
    /// with its status name.
    pub inactive: Option<(String, String)>,
}

/// Values `coins` at the oracle median less `discount`; `halted`: a `Halted` price counts as
/// active, at the higher of its median and TWAP. The base asset is refused.
pub fn value_discounted(
    deps: Deps,
    cfg: &Config,
    coins: &[(String, Uint128)],
    discount: Decimal,
    halted: bool,
) -> Result<Valuation, ContractError> {
    let mut sum = Decimal256::zero();
    let mut inactive = None;
    for (denom, amount) in coins {
        if denom == &cfg.base_denom {
            return Err(ContractError::BaseAsCollateral {
                denom: denom.clone(),
            });
        }
        let p = cfg.oracle.query_price_view(&deps.querier, denom)?;
        let tripped = matches!(p.status, OracleStatus::Halted { .. });
        if inactive.is_none() && !p.status.is_active() && !(halted && tripped) {
            inactive = Some((denom.clone(), p.status.name().to_string()));
        }
        // A halted price the market transfers counts at what the oracle stands behind: the
        // higher of median and TWAP (a wick down is not bought at the wick).
        let price = if halted && tripped {
            p.median.max(p.twap)
        } else {
            p.median
        };
        let v = Decimal256::from_atomics(Uint256::from(*amount), 0)
            .map_err(StdError::from)?
            .checked_mul(Decimal256::from(price))
            .map_err(StdError::from)?;
        sum = sum.checked_add(v).map_err(StdError::from)?;
    }
    let keep = Decimal256::from(
        Decimal::one()
            .checked_sub(discount)
            .map_err(StdError::from)?,
    );
    let discounted = sum
        .checked_mul(keep)
        .map_err(StdError::from)?
        .to_uint_floor();
    Ok(Valuation {
        discounted,
        inactive,
    })
}

/// `RepayBackstopDebt {}` to the market with `min(base, debt)`, when both are positive: the
/// pool's debt to the market comes before anything else it does with base. `None` when there
/// is nothing to repay (or the message cannot be built: a resale bid or a deposit never fails
/// on it).
pub fn repay_market(
    cfg: &Config,
    base: Uint128,
    debt: Uint128,
) -> Option<(Uint128, cosmwasm_std::CosmosMsg)> {
    let pay = debt.min(base);
    if pay.is_zero() {
        return None;
    }
    let msg = cfg
        .market
        .repay_backstop_debt(cosmwasm_std::coin(pay.u128(), &cfg.base_denom))
        .ok()?;
    Some((pay, msg))
}

/// [`repay_market`] reading what the pool owes (the market's `backstop_debt`) and its base
/// balance; `None` when either cannot be read.
pub fn read_and_repay_market(
    deps: Deps,
    contract: &Addr,
    cfg: &Config,
) -> Option<(Uint128, cosmwasm_std::CosmosMsg)> {
    let debt = cfg
        .market
        .query_state_view(&deps.querier)
        .ok()?
        .backstop_debt;
    if debt.is_zero() {
        return None;
    }
    let base = balance(&deps.querier, contract, &cfg.base_denom).ok()?;
    repay_market(cfg, base, debt)
}
