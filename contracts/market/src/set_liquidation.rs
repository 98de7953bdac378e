//! `SetLiquidation(cfg)`: the owner wires the market to its liquidator and backstop.
use crate::error::ContractError;
use crate::interest::accrue;
use crate::state::{Liquidation, COLLATERALS, CONFIG, STATE};
use breakwater_types::adapters::{BackstopUnchecked, LiquidatorUnchecked};
use breakwater_types::market::LiquidationConfig;
use cosmwasm_std::{Addr, DepsMut, Env, MessageInfo, Order, Response, StdResult};

/// Validates the addresses and parameters (the keeper tip against every listed collateral's
/// penalty, see `LiquidationParams::validate_keeper_tip`), accrues under the old set-up (so the new
/// `backstop_reserve_share` applies only to reserves from now on), then stores the set-up.
pub fn execute_set_liquidation(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    cfg: LiquidationConfig,
) -> Result<Response, ContractError> {
    cfg.params.validate()?;
    let smallest = COLLATERALS
        .range(deps.storage, None, None, Order::Ascending)
        .map(|c| c.map(|(_, c)| c.params.least_bonus()))
        .collect::<StdResult<Vec<_>>>()?
        .into_iter()
        .min();
    if let Some(penalty) = smallest {
        cfg.params.validate_keeper_tip(penalty)?;
    }
    let liq = Liquidation {
        liquidator: LiquidatorUnchecked(cfg.liquidator).check(deps.api)?,
        backstop: BackstopUnchecked(cfg.backstop).check(deps.api)?,
        guardian: match cfg.guardian {
            Some(g) => Some(deps.api.addr_validate(&g)?),
            None => None,
        },
        params: cfg.params,
    };
    let mut config = CONFIG.load(deps.storage)?;
    let mut state = STATE.load(deps.storage)?;
    // The running auctions' proceeds come from the current liquidator: replacing it now would
    // strand them (their settlements would be refused) and leave debt in auction forever.
    let replaces = config
        .liquidation
        .as_ref()
        .is_some_and(|old| old.liquidator != liq.liquidator);
    if replaces && !state.debt_in_auction.is_zero() {
        return Err(ContractError::AuctionsRunning {
            debt_in_auction: state.debt_in_auction,
        });
    }
    accrue(&mut state, &config, env.block.time.seconds())?;
    let res = Response::new()
        .add_attribute("action", "set_liquidation")
        .add_attribute("sender", info.sender)
        .add_attribute("liquidator", liq.liquidator.addr())
        .add_attribute("backstop", liq.backstop.addr())
        .add_attribute(
            "guardian",
            liq.guardian.as_ref().map(Addr::as_str).unwrap_or_default(),
        );
    config.liquidation = Some(liq);
    STATE.save(deps.storage, &state)?;
    CONFIG.save(deps.storage, &config)?;
    Ok(res)
}
