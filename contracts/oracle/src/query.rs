//! Queries. Staleness is evaluated at query time (see [`crate::status::effective_status`]).
use crate::depth::depth_at;
use crate::error::ContractError;
use crate::state::{load_asset, AssetConfig, PriceRecord, ASSETS, PRICES, STATUS, SUBMISSIONS};
use crate::status::effective_status;
use breakwater_types::oracle::{
    AssetResponse, AssetsResponse, ConfigResponse, ExcludedFeeder, FeederInfo, FeedersResponse,
    OracleStatus, PriceResponse, PricesResponse,
};
use breakwater_types::ownership::Ownership;
use breakwater_types::page_limit;
use cosmwasm_std::{Deps, Env, Order, StdResult, Storage};
use cw_storage_plus::Bound;

/// Builds the response of one priced asset as seen at `now`.
fn price_response(
    storage: &dyn Storage,
    denom: String,
    record: PriceRecord,
    now: u64,
) -> Result<PriceResponse, ContractError> {
    // A price record is always written together with a status; default defensively.
    let (stored, depth, below_twap) = STATUS
        .may_load(storage, &denom)?
        .map_or((OracleStatus::Active {}, None, None), |s| {
            (s.status, s.depth, s.below_twap)
        });
    Ok(PriceResponse {
        depth: depth_at(depth.as_ref(), now),
        depth_measured_at: depth.map(|d| d.measured_at),
        below_twap,
        status: effective_status(&stored, Some(record.fresh_until), now),
        median: record.latest.price,
        twap: record.twap,
        volatility: record.volatility,
        feeders_used: record
            .feeders_used
            .into_iter()
            .map(|a| a.to_string())
            .collect(),
        feeders_excluded: record
            .feeders_excluded
            .into_iter()
            .map(|(feeder, price)| ExcludedFeeder {
                feeder: feeder.to_string(),
                price,
            })
            .collect(),
        updated_at: record.updated_at,
        fresh_until: record.fresh_until,
        denom,
    })
}

/// `Price`: fails for an unlisted asset or one without a price yet.
pub fn price(deps: Deps, env: Env, denom: String) -> Result<PriceResponse, ContractError> {
    load_asset(deps.storage, &denom)?;
    let record =
        PRICES
            .may_load(deps.storage, &denom)?
            .ok_or_else(|| ContractError::NoPriceYet {
                denom: denom.clone(),
            })?;
    price_response(deps.storage, denom, record, env.block.time.seconds())
}

/// `Prices`: priced assets in denom order (assets without a price are skipped).
pub fn prices(
    deps: Deps,
    env: Env,
    start_after: Option<String>,
    limit: Option<u32>,
) -> Result<PricesResponse, ContractError> {
    let now = env.block.time.seconds();
    let records: Vec<(String, PriceRecord)> = PRICES
        .range(
            deps.storage,
            start_after.as_deref().map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(page_limit(limit))
        .collect::<StdResult<_>>()?;
    let prices = records
        .into_iter()
        .map(|(denom, record)| price_response(deps.storage, denom, record, now))
        .collect::<Result<_, _>>()?;
    Ok(PricesResponse { prices })
}

/// `Config`: owner and pending owner.
pub fn config(deps: Deps) -> Result<ConfigResponse, ContractError> {
    let o = Ownership::load(deps.storage)?;
    Ok(ConfigResponse {
        owner: o.owner.to_string(),
        pending_owner: o.pending_owner.map(|a| a.to_string()),
    })
}

fn asset_response(denom: String, config: AssetConfig) -> AssetResponse {
    AssetResponse {
        denom,
        params: config.params,
        feeder_count: u32::try_from(config.feeders.len()).unwrap_or(u32::MAX),
    }
}

/// `Asset`: one asset's parameters and feeder count.
pub fn asset(deps: Deps, denom: String) -> Result<AssetResponse, ContractError> {
    let config = load_asset(deps.storage, &denom)?;
    Ok(asset_response(denom, config))
}

/// `Assets`: listed assets in denom order.
pub fn assets(
    deps: Deps,
    start_after: Option<String>,
    limit: Option<u32>,
) -> Result<AssetsResponse, ContractError> {
    let assets = ASSETS
        .range(
            deps.storage,
            start_after.as_deref().map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(page_limit(limit))
        .map(|item| item.map(|(denom, config)| asset_response(denom, config)))
        .collect::<StdResult<_>>()?;
    Ok(AssetsResponse { assets })
}

/// `Feeders`: an asset's feeders in address order with their latest submissions.
pub fn feeders(deps: Deps, denom: String) -> Result<FeedersResponse, ContractError> {
    let config = load_asset(deps.storage, &denom)?;
    let feeders = config
        .feeders
        .iter()
        .map(|addr| {
            let last = SUBMISSIONS.may_load(deps.storage, (&denom, addr))?;
            Ok(FeederInfo {
                address: addr.to_string(),
                last_price: last.as_ref().map(|s| s.price),
                last_submitted: last.map(|s| s.time),
            })
        })
        .collect::<StdResult<_>>()?;
    Ok(FeedersResponse { denom, feeders })
}
