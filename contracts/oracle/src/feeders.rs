//! Owner messages that whitelist and remove feeders.
use crate::error::ContractError;
use crate::state::{load_asset, ASSETS, SUBMISSIONS};
use breakwater_types::oracle::MAX_FEEDERS_PER_ASSET;
use cosmwasm_std::{Addr, Api, DepsMut, Response};

/// Validates `new` addresses and merges them into `existing`, returning the sorted union.
///
/// With `strict`, a duplicate (within `new` or with `existing`) is an error (instantiate and
/// `AddAsset`); otherwise duplicates are skipped (`AddFeeders` is idempotent). The result may
/// hold at most `MAX_FEEDERS_PER_ASSET` feeders.
pub fn validate_new_feeders(
    api: &dyn Api,
    denom: &str,
    existing: &[Addr],
    new: &[String],
    strict: bool,
) -> Result<Vec<Addr>, ContractError> {
    let mut all: Vec<Addr> = existing.to_vec();
    for raw in new {
        let addr = api.addr_validate(raw)?;
        if all.contains(&addr) {
            if strict {
                return Err(ContractError::DuplicateFeeder {
                    denom: denom.to_string(),
                    feeder: addr.to_string(),
                });
            }
            continue;
        }
        all.push(addr);
    }
    if all.len() > MAX_FEEDERS_PER_ASSET {
        return Err(ContractError::TooManyFeeders {
            denom: denom.to_string(),
            count: all.len(),
            max: MAX_FEEDERS_PER_ASSET,
        });
    }
    all.sort();
    Ok(all)
}

/// Handles `AddFeeders` (already-whitelisted addresses are skipped).
pub fn add_feeders(
    deps: DepsMut,
    denom: String,
    feeders: Vec<String>,
) -> Result<Response, ContractError> {
    let mut config = load_asset(deps.storage, &denom)?;
    if feeders.is_empty() {
        return Err(ContractError::NoFeedersGiven { denom });
    }
    let merged = validate_new_feeders(deps.api, &denom, &config.feeders, &feeders, false)?;
    let added: Vec<String> = merged
        .iter()
        .filter(|a| !config.feeders.contains(a))
        .map(|a| a.to_string())
        .collect();
    config.feeders = merged;
    ASSETS.save(deps.storage, &denom, &config)?;
    Ok(Response::new()
        .add_attribute("action", "add_feeders")
        .add_attribute("denom", denom)
        .add_attribute("added", added.join(","))
        .add_attribute("feeder_count", config.feeders.len().to_string()))
}

/// Handles `RemoveFeeders`: every address must be a feeder; their submissions are dropped.
/// The price record is recomputed at the next submission.
pub fn remove_feeders(
    deps: DepsMut,
    denom: String,
    feeders: Vec<String>,
) -> Result<Response, ContractError> {
    let mut config = load_asset(deps.storage, &denom)?;
    if feeders.is_empty() {
        return Err(ContractError::NoFeedersGiven { denom });
    }
    let mut removed: Vec<Addr> = Vec::with_capacity(feeders.len());
    for raw in &feeders {
        let addr = deps.api.addr_validate(raw)?;
        if removed.contains(&addr) {
            continue;
        }
        if !config.is_feeder(&addr) {
            return Err(ContractError::UnknownFeeder {
                denom,
                feeder: addr.to_string(),
            });
        }
        removed.push(addr);
    }
    config.feeders.retain(|a| !removed.contains(a));
    for addr in &removed {
        SUBMISSIONS.remove(deps.storage, (&denom, addr));
    }
    ASSETS.save(deps.storage, &denom, &config)?;
    let removed: Vec<String> = removed.iter().map(|a| a.to_string()).collect();
    Ok(Response::new()
        .add_attribute("action", "remove_feeders")
        .add_attribute("denom", denom)
        .add_attribute("removed", removed.join(","))
        .add_attribute("feeder_count", config.feeders.len().to_string()))
}
