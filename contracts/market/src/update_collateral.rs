//! `UpdateCollateral { denom, update }`: the owner changes a collateral's parameters.
use crate::error::ContractError;
use crate::state::{COLLATERALS, CONFIG};
use breakwater_types::error::invalid;
use breakwater_types::market::{validate_threshold_penalty, CollateralUpdate};
use breakwater_types::math::margin::Ramp;
use cosmwasm_std::{DepsMut, Env, MessageInfo, Response};

/// Applies `max_ltv`, `liquidation_penalty`, `supply_cap` and `depth` at once. A new
/// `liquidation_threshold` becomes a ramp from the threshold in force now (mid-ramp: the
/// current ramped value) to the target over `threshold_ramp_duration`, so no account becomes
/// liquidatable at the instant of the change.
///
/// The result must satisfy `CollateralParams::validate` with the target threshold, keep
/// `max_ltv` below the threshold in force now (new borrows must never start liquidatable),
/// and keep `LT · (1 + penalty) < 1` for the larger of the two thresholds crossed by the ramp;
/// the penalty must keep the keeper tip valid (`LiquidationParams::validate_keeper_tip`).
pub fn execute_update_collateral(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    denom: String,
    update: CollateralUpdate,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let mut collateral = COLLATERALS.may_load(deps.storage, &denom)?.ok_or_else(|| {
        ContractError::UnlistedCollateral {
            denom: denom.clone(),
        }
    })?;
    let now = env.block.time.seconds();
    let lt_now = collateral.threshold_ramp.value_at(now);
    let mut p = collateral.params.clone();
    if let Some(v) = update.max_ltv {
        p.max_ltv = v;
    }
    if let Some(v) = update.liquidation_penalty {
        p.liquidation_penalty = v;
    }
    if let Some(v) = update.supply_cap {
        p.supply_cap = v;
    }
    if let Some(v) = update.depth {
        p.depth = v;
    }
    if let Some(v) = update.dynamic_bonus {
        p.dynamic_bonus = Some(v);
    }
    if let Some(target) = update.liquidation_threshold {
        p.liquidation_threshold = target;
        collateral.threshold_ramp = if target == lt_now {
            Ramp::constant(target)
        } else {
            Ramp {
                from: lt_now,
                to: target,
                start: now,
                end: now
                    .checked_add(config.params.threshold_ramp_duration)
                    .ok_or_else(|| {
                        invalid("threshold_ramp_duration", "ramp end overflows the clock")
                    })?,
            }
        };
    }

    p.validate()?;
    // The ramp only moves between the threshold in force now and the target.
    let target = p.liquidation_threshold;
    let (low, high) = (lt_now.min(target), lt_now.max(target));
    if p.max_ltv >= low {
        return Err(invalid(
            "max_ltv",
            format!(
                "{} must stay below the liquidation threshold in force ({low})",
                p.max_ltv
            ),
        )
        .into());
    }
    validate_threshold_penalty(high, p.liquidation_penalty)?;
    if let Some(liq) = &config.liquidation {
        liq.params.validate_keeper_tip(p.least_bonus())?;
    }
    collateral.params = p;
    COLLATERALS.save(deps.storage, &denom, &collateral)?;

    let r = &collateral.threshold_ramp;
    let q = &collateral.params;
    Ok(Response::new()
        .add_attribute("action", "update_collateral")
        .add_attribute("sender", info.sender)
        .add_attribute("denom", denom)
        .add_attribute("max_ltv", q.max_ltv.to_string())
        .add_attribute("liquidation_threshold", q.liquidation_threshold.to_string())
        .add_attribute("liquidation_threshold_now", lt_now.to_string())
        .add_attribute("ramp_end", r.end.to_string())
        .add_attribute("liquidation_penalty", q.liquidation_penalty.to_string())
        .add_attribute("supply_cap", q.supply_cap)
        .add_attribute("depth", q.depth)
        .add_attribute("dynamic_bonus", q.dynamic_bonus.is_some().to_string()))
}
