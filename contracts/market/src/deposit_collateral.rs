//! `DepositCollateral { on_behalf_of }`: credit collateral to an account.
use crate::error::ContractError;
use crate::state::{save_account, COLLATERALS, CONFIG};
use cosmwasm_std::{Addr, DepsMut, MessageInfo, Response, Uint128};

/// Adds `amount` of `denom` (already received) to `account`, within the collateral's supply
/// cap. Allowed whatever the oracle's status (a deposit only makes an account safer), but the
/// oracle must have a price record for `denom` and, once liquidation is set up, the liquidator
/// must list it.
pub fn execute_deposit_collateral(
    deps: DepsMut,
    info: MessageInfo,
    account: Addr,
    denom: String,
    amount: Uint128,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    if denom == config.base_denom {
        return Err(ContractError::BaseDenomAsCollateral { denom });
    }
    let mut collateral = COLLATERALS.may_load(deps.storage, &denom)?.ok_or_else(|| {
        ContractError::UnlistedCollateral {
            denom: denom.clone(),
        }
    })?;
    let total = collateral.total_deposited.checked_add(amount)?;
    if total > collateral.params.supply_cap {
        return Err(ContractError::SupplyCapExceeded {
            denom,
            total,
            cap: collateral.params.supply_cap,
        });
    }
    // A holding the oracle cannot price, or the liquidator cannot auction, would make every
    // `Liquidate` of the account (and every `Accounts` page holding it) fail: refuse it.
    if config
        .oracle
        .query_price_view(&deps.querier, &denom)
        .is_err()
    {
        return Err(ContractError::NotDepositable {
            denom,
            reason: "the oracle has no price for it",
        });
    }
    if let Some(liq) = &config.liquidation {
        if !liq.liquidator.auctions(&deps.querier, &denom)? {
            return Err(ContractError::NotDepositable {
                denom,
                reason: "the liquidator cannot auction it",
            });
        }
    }
    let mut position = crate::redistribution::settle(deps.storage, &account)?;
    let held = position.collateral(&denom).checked_add(amount)?;
    position.set_collateral(&denom, held);
    collateral.total_deposited = total;

    COLLATERALS.save(deps.storage, &denom, &collateral)?;
    save_account(deps.storage, &account, &position)?;
    Ok(Response::new()
        .add_attribute("action", "deposit_collateral")
        .add_attribute("sender", info.sender)
        .add_attribute("account", account)
        .add_attribute("denom", denom)
        .add_attribute("amount", amount)
        .add_attribute("collateral", held)
        .add_attribute("total_deposited", total))
}
