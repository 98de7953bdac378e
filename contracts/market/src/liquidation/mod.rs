//! The liquidation path of the market: `Liquidate { borrower }` and the settlement of what it
//! starts.
//!
//! `Liquidate` is plan-then-apply. The market prices the account's holdings (median, TWAP,
//! status, threshold in force, penalty), and the pure planner
//! [`breakwater_types::liquidation::plan_liquidation`] decides what to do, with the closed-form
//! derivations beside it: it asks the liquidator's room and the backstop's quote through
//! [`quotes::LiveQuotes`] only when the plan needs them. [`apply`] then does the storage
//! writes, messages and events of the [`LiquidationPlan`](breakwater_types::liquidation::LiquidationPlan);
//! the event's `mode` comes from the plan. [`settle`] books auction proceeds, shortfalls,
//! provisions and keeper rewards.
pub mod apply;
pub mod quotes;
pub mod settle;

use crate::error::ContractError;
use crate::health::{price_holdings, PriceCache};
use crate::interest::accrue;
use crate::state::{AUCTION_BOOKS, CONFIG, STATE};
use breakwater_types::liquidation::{plan_liquidation, Holding, LiquidationPlan, Position};
use cosmwasm_std::{DepsMut, Env, MessageInfo, Response};

/// `Liquidate { borrower }`: prices the account, plans and applies.
pub fn execute_liquidate(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    borrower: String,
) -> Result<Response, ContractError> {
    let borrower = deps.api.addr_validate(&borrower)?;
    let config = CONFIG.load(deps.storage)?;
    let liq = config.liquidation_set_up()?;
    let now = env.block.time.seconds();
    let mut state = STATE.load(deps.storage)?;
    accrue(&mut state, &config, now)?;
    let account = crate::redistribution::settle(deps.storage, &borrower)?;
    let debt = account.debt_shares.checked_mul_ceil(state.borrow_index)?;
    if debt.is_zero() {
        return Err(ContractError::NothingToLiquidate {
            address: borrower.into_string(),
        });
    }
    let holdings: Vec<Holding> = price_holdings(
        deps.as_ref(),
        &config,
        &account.collaterals,
        now,
        &mut PriceCache::default(),
    )?
    .into_iter()
    .map(|l| Holding {
        denom: l.denom,
        amount: l.line.amount,
        median: l.line.price,
        twap: l.twap,
        status: l.status,
        liquidation_threshold: l.line.liquidation_threshold,
        penalty: l.penalty,
        dynamic_bonus: l.dynamic_bonus,
    })
    .collect();
    let position = Position {
        holdings: &holdings,
        debt,
        debt_shares: account.debt_shares,
        borrow_index: state.borrow_index,
        now,
    };
    let mut quotes = quotes::LiveQuotes {
        deps: deps.as_ref(),
        config: &config,
        liq,
        now,
        own: &account,
        state: &state,
    };
    let planned = plan_liquidation(&position, &liq.params, state.breaker_level, &mut quotes)?;
    let book = AUCTION_BOOKS
        .may_load(deps.storage, &borrower)?
        .unwrap_or_default();
    let credit = match &planned.plan {
        LiquidationPlan::Auctions {
            provision: loss,
            base,
            ..
        }
        | LiquidationPlan::WriteOff {
            tab: loss, base, ..
        } => settle::credit_beyond(deps.as_ref(), &config, liq, &state, *loss, *base)?,
        _ => cosmwasm_std::Uint128::zero(),
    };
    let ctx = apply::Ctx::new(liq, borrower, state, account, book, credit);
    apply::apply(
        deps.storage,
        ctx,
        &planned,
        debt,
        &info.sender,
        &config.base_denom,
    )
}

#[cfg(test)]
mod tests {
    use crate::contract::execute;
    use crate::error::ContractError;
    use crate::mock::setup;
    use breakwater_types::market::ExecuteMsg;
    use cosmwasm_std::testing::message_info;

    #[test]
    fn without_a_liquidation_set_up_nothing_is_liquidated() {
        let (mut deps, env, _) = setup();
        let keeper = deps.api.addr_make("keeper");
        let borrower = deps.api.addr_make("borrower").to_string();
        let err = execute(
            deps.as_mut(),
            env,
            message_info(&keeper, &[]),
            ExecuteMsg::Liquidate { borrower },
        )
        .unwrap_err();
        assert!(matches!(err, ContractError::LiquidationUnavailable));
        assert!(err.to_string().contains("no liquidator is configured"));
    }
}
