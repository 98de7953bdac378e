//! Storage of the backstop.
use breakwater_types::adapters::{LiquidatorContract, MarketContract, OracleContract};
use breakwater_types::backstop::{BackstopParams, WithdrawRequest};
use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Uint128};
use cw_storage_plus::{Item, Map};

/// Addresses and parameters.
#[cw_serde]
pub struct Config {
    /// The insured market (the only caller of `CoverShortfall` and `Absorb`).
    pub market: MarketContract,
    /// The liquidator the pool buys from and re-sells through.
    pub liquidator: LiquidatorContract,
    /// The oracle pricing held collateral.
    pub oracle: OracleContract,
    /// The base asset.
    pub base_denom: String,
    /// Parameters.
    pub params: BackstopParams,
}

/// Addresses and parameters.
pub const CONFIG: Item<Config> = Item::new("config");
/// Shares per depositor (locked ones included).
pub const SHARES: Map<&Addr, Uint128> = Map::new("shares");
/// Shares outstanding.
pub const TOTAL_SHARES: Item<Uint128> = Item::new("total_shares");
/// Pending withdrawal request per depositor (at most one).
pub const REQUESTS: Map<&Addr, WithdrawRequest> = Map::new("requests");
/// Sum of the shares locked in withdrawal requests.
pub const PENDING_SHARES: Item<Uint128> = Item::new("pending_shares");
/// Cumulative base paid to the market by `CoverShortfall`.
pub const TOTAL_COVERED: Item<Uint128> = Item::new("total_covered");
/// Collateral denoms the pool has ever received (amounts come from bank balances).
pub const HELD: Map<&str, ()> = Map::new("held");
/// Time of the last resale per collateral denom, seconds.
pub const LAST_RESALE: Map<&str, u64> = Map::new("last_resale");

/// Shares the pool holds itself for gains still unlocking (see [`crate::profit`]): `shares`
/// as of `since`, burnt linearly until `until`.
#[cw_serde]
#[derive(Default)]
pub struct Lock {
    /// Locked shares not yet burnt as of `since`.
    pub shares: Uint128,
    /// Last time the lock was settled, seconds.
    pub since: u64,
    /// When the last of `shares` is burnt, seconds.
    pub until: u64,
}

/// The pool's locked shares (absent: none). They are part of [`TOTAL_SHARES`].
pub const LOCKED: Item<Lock> = Item::new("locked");
