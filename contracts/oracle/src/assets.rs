//! Owner messages that list, delist and reconfigure assets.
use crate::error::ContractError;
use crate::feeders::validate_new_feeders;
use crate::ring;
use crate::state::{load_asset, AssetConfig, ASSETS, PRICES, RING_META, STATUS, SUBMISSIONS};
use breakwater_types::oracle::{AssetInit, OracleParams};
use cosmwasm_std::{Addr, Api, DepsMut, Order, Response, StdResult, Storage};

/// Longest accepted denom, in bytes (the Cosmos SDK's limit).
const MAX_DENOM_LEN: usize = 128;

/// Checks a denom against the Cosmos SDK's rule: 3 to 128 characters, a letter first, then
/// letters, digits or `/ : . _ -`.
pub fn validate_denom(denom: &str) -> Result<(), ContractError> {
    let bad = |reason: &str| ContractError::InvalidDenom {
        denom: denom.to_string(),
        reason: reason.to_string(),
    };
    if denom.len() < 3 || denom.len() > MAX_DENOM_LEN {
        return Err(bad("must be 3 to 128 characters long"));
    }
    if !denom.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Err(bad("must start with a letter"));
    }
    if !denom
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | ':' | '.' | '_' | '-'))
    {
        return Err(bad("may only contain letters, digits and / : . _ -"));
    }
    Ok(())
}

/// Validates and stores a new asset (instantiate and `AddAsset`). Returns the sorted feeders.
pub fn list_asset(
    storage: &mut dyn Storage,
    api: &dyn Api,
    init: AssetInit,
) -> Result<Vec<Addr>, ContractError> {
    validate_denom(&init.denom)?;
    if ASSETS.has(storage, &init.denom) {
        return Err(ContractError::AssetExists { denom: init.denom });
    }
    init.params.validate()?;
    let feeders = validate_new_feeders(api, &init.denom, &[], &init.feeders, true)?;
    ASSETS.save(
        storage,
        &init.denom,
        &AssetConfig {
            params: init.params,
            feeders: feeders.clone(),
        },
    )?;
    Ok(feeders)
}

/// Handles `AddAsset` (ownership is checked by the caller).
pub fn add_asset(deps: DepsMut, init: AssetInit) -> Result<Response, ContractError> {
    let denom = init.denom.clone();
    let feeders = list_asset(deps.storage, deps.api, init)?;
    Ok(Response::new()
        .add_attribute("action", "add_asset")
        .add_attribute("denom", denom)
        .add_attribute("feeder_count", feeders.len().to_string()))
}

/// Handles `RemoveAsset`: deletes the configuration, submissions, ring, price and status.
pub fn remove_asset(deps: DepsMut, denom: String) -> Result<Response, ContractError> {
    load_asset(deps.storage, &denom)?;
    let submitters: Vec<Addr> = SUBMISSIONS
        .prefix(&denom)
        .keys(deps.storage, None, None, Order::Ascending)
        .collect::<StdResult<_>>()?;
    for feeder in &submitters {
        SUBMISSIONS.remove(deps.storage, (&denom, feeder));
    }
    ring::clear(deps.storage, &denom)?;
    PRICES.remove(deps.storage, &denom);
    STATUS.remove(deps.storage, &denom);
    ASSETS.remove(deps.storage, &denom);
    Ok(Response::new()
        .add_attribute("action", "remove_asset")
        .add_attribute("denom", denom)
        .add_attribute("submissions_removed", submitters.len().to_string()))
}

/// Handles `UpdateAssetParams`. When `twap_capacity` changes the ring buffer is reset to just
/// the latest observation (older checkpoints are dropped, so the TWAP window refills).
/// The new parameters apply from the next submission.
pub fn update_asset_params(
    deps: DepsMut,
    denom: String,
    params: OracleParams,
) -> Result<Response, ContractError> {
    let mut config = load_asset(deps.storage, &denom)?;
    params.validate()?;
    let ring_reset = match RING_META.may_load(deps.storage, &denom)? {
        Some(meta) if meta.capacity != params.twap_capacity => {
            let latest = PRICES.may_load(deps.storage, &denom)?.map(|p| p.latest);
            ring::reset(deps.storage, &denom, params.twap_capacity, latest.as_ref())?;
            true
        }
        _ => false,
    };
    config.params = params;
    ASSETS.save(deps.storage, &denom, &config)?;
    Ok(Response::new()
        .add_attribute("action", "update_asset_params")
        .add_attribute("denom", denom)
        .add_attribute("ring_reset", ring_reset.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn denoms_follow_the_sdk_rule() {
        for ok in [
            "uatom",
            "ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2",
            "factory/osmo1abc/ueth",
            "a.b_c-d:e",
        ] {
            assert!(validate_denom(ok).is_ok(), "{ok}");
        }
        for bad in ["", "ab", "1atom", "u atom", "uatom!", &"a".repeat(129)] {
            assert!(validate_denom(bad).is_err(), "{bad}");
        }
    }
}
