//! Storage of the liquidator.
use breakwater_types::adapters::OracleContract;
use breakwater_types::liquidator::AuctionParams;
use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, CosmosMsg, Decimal, Uint128};
use cw_storage_plus::{Item, Map};

/// Addresses and caps.
#[cw_serde]
pub struct Config {
    /// The market whose liquidations are auctioned.
    pub market: Addr,
    /// The oracle.
    pub oracle: OracleContract,
    /// The backstop pool, once set.
    pub backstop: Option<Addr>,
    /// The base denom bids are paid in.
    pub base_denom: String,
    /// Global cap on debt under auction.
    pub global_hole: Uint128,
    /// Percent price-move budget deriving per-collateral caps from depth.
    pub impact_budget_pct: Decimal,
}

/// Who sells a lot, with a checked address.
#[cw_serde]
pub enum StoredSeller {
    /// A market liquidation of `borrower`.
    Liquidation {
        /// The liquidated account.
        borrower: Addr,
    },
    /// A backstop resale.
    Backstop,
}

/// A running auction.
#[cw_serde]
pub struct Auction {
    /// Its id.
    pub id: u64,
    /// Who sells.
    pub seller: StoredSeller,
    /// Collateral denom.
    pub denom: String,
    /// Units left to sell.
    pub lot: Uint128,
    /// Base units still to raise (0 for a resale).
    pub tab: Uint128,
    /// Base units raised so far.
    pub raised: Uint128,
    /// Top price at the last (re)start.
    pub top: Decimal,
    /// Oracle price at the last (re)start (values resale lots against the caps).
    pub start_oracle: Decimal,
    /// Last (re)start time, seconds.
    pub started_at: u64,
    /// This auction's share of the caps: the tab for a liquidation, `lot · start_oracle` for a
    /// resale.
    pub dirt: Uint128,
}

/// A flash bid between the callback and its settlement.
#[cw_serde]
pub struct PendingFlash {
    /// The auction.
    pub auction_id: u64,
    /// Base units the callback must pay.
    pub owe: Uint128,
    /// The callback contract; any overpayment is refunded to it.
    pub payer: Addr,
    /// The liquidator's base balance before the callback.
    pub balance_before: Uint128,
    /// Messages to send once payment is verified (proceeds and settlement).
    pub settlement: Vec<CosmosMsg>,
}

/// Addresses and caps.
pub const CONFIG: Item<Config> = Item::new("config");
/// Auction parameters per collateral.
pub const COLLATERALS: Map<&str, AuctionParams> = Map::new("collaterals");
/// Running auctions by id.
pub const AUCTIONS: Map<u64, Auction> = Map::new("auctions");
/// Index of running auctions by collateral.
pub const AUCTIONS_BY_DENOM: Map<(&str, u64), ()> = Map::new("auctions_by_denom");
/// Next auction id.
pub const NEXT_ID: Item<u64> = Item::new("next_id");
/// Units of each collateral in the backstop's running resale auctions (their lots' sum).
pub const RESALE_LOTS: Map<&str, Uint128> = Map::new("resale_lots");

/// Recomputes [`RESALE_LOTS`] from the running auctions (on migration from code that did not
/// keep it).
pub fn rebuild_resale_lots(storage: &mut dyn cosmwasm_std::Storage) -> cosmwasm_std::StdResult<()> {
    let mut sums: std::collections::BTreeMap<String, Uint128> = Default::default();
    for item in AUCTIONS.range(storage, None, None, cosmwasm_std::Order::Ascending) {
        let (_, a) = item?;
        if a.seller == StoredSeller::Backstop {
            let s = sums.entry(a.denom).or_default();
            *s = s.checked_add(a.lot)?;
        }
    }
    RESALE_LOTS.clear(storage);
    for (denom, lot) in sums {
        RESALE_LOTS.save(storage, &denom, &lot)?;
    }
    Ok(())
}
/// Debt under auction per collateral (Maker `dirt`).
pub const DIRT: Map<&str, Uint128> = Map::new("dirt");
/// Debt under auction across collaterals (Maker `Dirt`).
pub const GLOBAL_DIRT: Item<Uint128> = Item::new("global_dirt");
/// A flash bid in progress (guards re-entry).
pub const PENDING_FLASH: Item<PendingFlash> = Item::new("pending_flash");
