//! Storage of the liquidator.
use breakwater_types::adapters::{BackstopContract, MarketContract, OracleContract};
use breakwater_types::liquidator::{AuctionParams, HoldClock, SaleBucket};
use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Decimal, Uint128};
use cw_storage_plus::{Item, Map};

/// Addresses and caps.
#[cw_serde]
pub struct Config {
    /// The market whose liquidations are auctioned.
    pub market: MarketContract,
    /// The oracle.
    pub oracle: OracleContract,
    /// The backstop pool, once set.
    pub backstop: Option<BackstopContract>,
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
    /// The collateral's `HoldClock::held_by` at the last (re)start (`AuctionParams::hold`;
    /// 0 in auctions stored before the field, when no clock existed).
    #[serde(default)]
    pub held_at_start: u64,
    /// This auction's share of the caps: the tab for a liquidation, `lot · start_oracle` for a
    /// resale.
    pub dirt: Uint128,
}

/// What a sale pays out. Kept as these few fields, not as messages, while a flash bid is
/// pending: a stored `CosmosMsg` would make the contract carry a deserializer for every
/// message kind the chain has.
#[cw_serde]
pub enum Payout {
    /// A liquidation sale: `proceeds` (with the `leftover` units of `denom` when the tab is
    /// covered, and `shortfall` when the lot ran out) to the market for `borrower`, and
    /// `surplus` (a last unit sold above the tab) to the borrower.
    Liquidation {
        /// The liquidated account.
        borrower: Addr,
        /// The collateral.
        denom: String,
        /// Base units repaying the tab.
        proceeds: Uint128,
        /// Units of the lot returned with a covered tab.
        leftover: Uint128,
        /// Tab left when the lot ran out.
        shortfall: Uint128,
        /// Base units above the tab, the borrower's.
        surplus: Uint128,
    },
    /// A backstop resale: `proceeds` to the backstop for `sold` units of `denom`.
    Resale {
        /// The collateral.
        denom: String,
        /// Base units raised.
        proceeds: Uint128,
        /// Units sold.
        sold: Uint128,
    },
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
    /// What the sale pays out, released once payment is verified.
    pub payout: Payout,
}

/// Addresses and caps.
pub const CONFIG: Item<Config> = Item::new("config");
/// Auction parameters per collateral.
pub const COLLATERALS: Map<&str, AuctionParams> =
    Map::new(breakwater_types::liquidator::AUCTION_PARAMS_NAMESPACE);
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
    RESALE_LOTS.clear(storage);
    let resales: Vec<Auction> = AUCTIONS
        .range(storage, None, None, cosmwasm_std::Order::Ascending)
        .filter_map(|item| match item {
            Ok((_, a)) if a.seller == StoredSeller::Backstop => Some(Ok(a)),
            Ok(_) => None,
            Err(e) => Some(Err(e)),
        })
        .collect::<cosmwasm_std::StdResult<_>>()?;
    for a in resales {
        let held = RESALE_LOTS.may_load(storage, &a.denom)?.unwrap_or_default();
        RESALE_LOTS.save(storage, &a.denom, &held.checked_add(a.lot)?)?;
    }
    Ok(())
}
/// Per collateral: its recent sales to bidders, as `AuctionParams::pace_sales` counts them.
pub const SALES: Map<&str, SaleBucket> = Map::new("sales");

/// Per collateral: the hold its sales put on its auctions' curves (`AuctionParams::hold`).
pub const HOLDS: Map<&str, HoldClock> = Map::new("holds");

/// The collateral's hold clock (all zero before any sale held its curves).
pub fn hold_clock(
    storage: &dyn cosmwasm_std::Storage,
    denom: &str,
) -> cosmwasm_std::StdResult<HoldClock> {
    Ok(HOLDS.may_load(storage, denom)?.unwrap_or_default())
}

/// Debt under auction per collateral (Maker `dirt`).
pub const DIRT: Map<&str, Uint128> = Map::new("dirt");
/// Debt under auction across collaterals (Maker `Dirt`).
pub const GLOBAL_DIRT: Item<Uint128> = Item::new("global_dirt");
/// A flash bid in progress (guards re-entry).
pub const PENDING_FLASH: Item<PendingFlash> = Item::new("pending_flash");

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::testing::MockStorage;
    use cosmwasm_std::Addr;

    fn auction(id: u64, seller: StoredSeller, denom: &str, lot: u128) -> Auction {
        Auction {
            id,
            seller,
            denom: denom.to_string(),
            lot: Uint128::new(lot),
            tab: Uint128::zero(),
            raised: Uint128::zero(),
            top: Decimal::one(),
            start_oracle: Decimal::one(),
            started_at: 0,
            held_at_start: 0,
            dirt: Uint128::zero(),
        }
    }

    #[test]
    fn migration_rebuilds_the_resale_total_from_the_running_resales_only() {
        let mut st = MockStorage::new();
        let borrower = StoredSeller::Liquidation {
            borrower: Addr::unchecked("b"),
        };
        for a in [
            auction(1, StoredSeller::Backstop, "uatom", 10),
            auction(2, borrower, "uatom", 99),
            auction(3, StoredSeller::Backstop, "uatom", 5),
            auction(4, StoredSeller::Backstop, "ueth", 7),
        ] {
            AUCTIONS.save(&mut st, a.id, &a).unwrap();
        }
        RESALE_LOTS
            .save(&mut st, "uosmo", &Uint128::new(3))
            .unwrap();
        rebuild_resale_lots(&mut st).unwrap();
        let get = |d: &str| RESALE_LOTS.may_load(&st, d).unwrap();
        assert_eq!(get("uatom"), Some(Uint128::new(15)));
        assert_eq!(get("ueth"), Some(Uint128::new(7)));
        assert_eq!(get("uosmo"), None, "a stale total is cleared");
    }
}
