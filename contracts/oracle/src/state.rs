//! Storage layout of the oracle and the stored structs.
//!
//! Ownership lives in `breakwater_types::ownership::OWNERSHIP`.
use crate::error::ContractError;
use breakwater_types::math::twap::Observation;
use breakwater_types::oracle::{BelowTwap, OracleParams, OracleStatus};
use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Decimal, Storage, Uint128};
use cw_storage_plus::Map;

/// A listed asset: its parameters and whitelisted feeders.
#[cw_serde]
pub struct AssetConfig {
    /// Oracle parameters of the asset.
    pub params: OracleParams,
    /// Whitelisted feeders, sorted by address, at most `MAX_FEEDERS_PER_ASSET`.
    pub feeders: Vec<Addr>,
}

impl AssetConfig {
    /// Whether `addr` is a whitelisted feeder of the asset.
    pub fn is_feeder(&self, addr: &Addr) -> bool {
        self.feeders.binary_search(addr).is_ok()
    }
}

/// A feeder's latest submission for one asset.
#[cw_serde]
pub struct Submission {
    /// The price submitted.
    pub price: Decimal,
    /// Block time of the submission, seconds since the epoch.
    pub time: u64,
    /// The market depth reported with it, if any (not written when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depth: Option<Uint128>,
}

/// The market depth aggregated from the feeders' reports (see [`crate::depth`]).
#[cw_serde]
pub struct DepthRecord {
    /// Lower median of the fresh reports, base value per 1% move.
    pub depth: Uint128,
    /// The highest upper median of the reports over about the last TWAP window (see
    /// [`crate::depth`]): the depth a fall's book is judged against. 0 in a record stored
    /// before the field existed: no reference.
    #[serde(default)]
    pub high: Uint128,
    /// When `high` was measured.
    #[serde(default)]
    pub high_at: u64,
    /// When it was aggregated.
    pub measured_at: u64,
    /// It goes stale after this time (fewer than `min_feeders` of its reports still fresh).
    pub fresh_until: u64,
}

/// The stored status of an asset and the healthy streak that may clear it.
#[cw_serde]
pub struct StatusRecord {
    /// Status as of the last update (staleness is re-evaluated at query time).
    pub status: OracleStatus,
    /// Start of the current streak of healthy updates while `status` is not active.
    pub healthy_since: Option<u64>,
    /// The depth aggregated at this update, when a quorum of fresh reports carried one. Kept
    /// here rather than in a map of its own: every update already writes this record and
    /// every price query already reads it, so the depth costs no storage operation of its own
    /// (and nothing at all while feeders send none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depth: Option<DepthRecord>,
    /// The median's streak under its TWAP (`None`: the last quorum update had it at or
    /// above). Kept here for the depth's reason: the liquidator reads both raw, with no
    /// contract call, on every liquidation. Not written while `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below_twap: Option<BelowTwap>,
}

/// The last quorum price of an asset. Exists once a quorum has priced the asset.
#[cw_serde]
pub struct PriceRecord {
    /// The newest observation, carrying the running sums; `latest.price` is the median.
    pub latest: Observation,
    /// The observation `latest` was derived from (strictly older than `latest`), `None` for
    /// the first price. Re-medianizing within the same block derives from it again, so
    /// intra-block revisions replace each other instead of stacking returns.
    pub prior: Option<Observation>,
    /// TWAP over the window as of `updated_at`.
    pub twap: Decimal,
    /// Annualized realized volatility over the window as of `updated_at`.
    pub volatility: Decimal,
    /// Time of the last update.
    pub updated_at: u64,
    /// The price goes stale after this time unless refreshed.
    pub fresh_until: u64,
    /// Feeders whose prices formed the median.
    pub feeders_used: Vec<Addr>,
    /// Feeders excluded as outliers, with their prices.
    pub feeders_excluded: Vec<(Addr, Decimal)>,
}

/// Bookkeeping of an asset's observation ring buffer.
#[cw_serde]
pub struct RingMeta {
    /// Number of slots.
    pub capacity: u32,
    /// Slot of the oldest observation.
    pub start: u32,
    /// Observations stored (at most `capacity`).
    pub len: u32,
}

/// Loads a listed asset or fails with [`ContractError::UnknownAsset`].
pub fn load_asset(storage: &dyn Storage, denom: &str) -> Result<AssetConfig, ContractError> {
    ASSETS
        .may_load(storage, denom)?
        .ok_or_else(|| ContractError::UnknownAsset {
            denom: denom.to_string(),
        })
}

/// Listed assets by denom.
pub const ASSETS: Map<&str, AssetConfig> = Map::new("assets");
/// Latest submission per (denom, feeder). Only current feeders have entries.
pub const SUBMISSIONS: Map<(&str, &Addr), Submission> = Map::new("submissions");
/// Stored status per denom (present once anything was submitted).
pub const STATUS: Map<&str, StatusRecord> = Map::new(breakwater_types::oracle::STATUS_NAMESPACE);
/// Last quorum price per denom.
pub const PRICES: Map<&str, PriceRecord> = Map::new("prices");
/// Observation ring buffer slots per (denom, slot).
pub const RING: Map<(&str, u32), Observation> = Map::new("ring");
/// Ring buffer bookkeeping per denom.
pub const RING_META: Map<&str, RingMeta> = Map::new("ring_meta");
