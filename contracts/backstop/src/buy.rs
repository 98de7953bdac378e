//! `BuyAtFloor`: the pool, as buyer of last resort, takes an auction's lot at the floor.
use crate::error::ContractError;
use crate::pool::balance;
use crate::state::{CONFIG, HELD};
use breakwater_types::adapters::BackstopContract;
use breakwater_types::error::unauthorized;
use breakwater_types::liquidator::Seller;
use breakwater_types::math::auction::take;
use cosmwasm_std::{coin, Decimal, DepsMut, Env, MessageInfo, Response, StdError, Uint128};

/// A bid the pool can afford.
#[derive(Debug, PartialEq)]
pub struct FloorBid {
    /// Most collateral units to buy.
    pub max_collateral: Uint128,
    /// Base units attached (the liquidator refunds any excess).
    pub attach: Uint128,
    /// Whether the bid takes the whole lot (or covers the whole tab).
    pub full: bool,
}

/// Sizes the pool's bid with the liquidator's own rule ([`take`]), so that what it attaches is
/// exactly what the bid costs: the whole lot if the pool's `available` base covers it (capped
/// by the tab; a tab worth less than one unit costs that unit's price), otherwise
/// `floor(available / price)` units for what they cost.
pub fn size_floor_bid(
    lot: Uint128,
    tab: Uint128,
    price: Decimal,
    available: Uint128,
) -> Result<FloorBid, ContractError> {
    let (_, cost) = take(lot, tab, price, lot)?;
    if available >= cost {
        return Ok(FloorBid {
            max_collateral: lot,
            attach: cost,
            full: true,
        });
    }
    let too_poor = ContractError::InsufficientFunds {
        needed: cost,
        available,
    };
    if available.is_zero() || price.is_zero() {
        return Err(too_poor);
    }
    let units = available
        .checked_div_floor(price)
        .map_err(StdError::from)?
        .min(lot);
    if units.is_zero() {
        return Err(too_poor);
    }
    let (_, attach) = take(lot, tab, price, units)?;
    if attach > available {
        return Err(too_poor);
    }
    Ok(FloorBid {
        max_collateral: units,
        attach,
        full: false,
    })
}

/// Bids on `auction_id` at its floor price with pool funds. Refused unless the auction is at
/// its floor and the collateral's oracle price is active, and for the pool's own resales.
pub fn buy_at_floor(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    auction_id: u64,
) -> Result<Response, ContractError> {
    let cfg = CONFIG.load(deps.storage)?;
    let a = cfg
        .liquidator
        .query_auction_view(&deps.querier, auction_id)?;
    if a.seller == (Seller::Backstop {}) {
        return Err(ContractError::OwnResale { auction_id });
    }
    if !a.at_floor {
        return Err(ContractError::NotAtFloor {
            auction_id,
            price: a.price,
            floor: a.floor,
        });
    }
    if a.lot.is_zero() {
        return Err(ContractError::EmptyLot { auction_id });
    }
    // The floor follows the oracle: never buy on a price that is stale, halted or unquorate.
    let oracle = cfg.oracle.query_price_view(&deps.querier, &a.denom)?;
    if !oracle.status.is_active() {
        return Err(ContractError::OraclePaused {
            denom: a.denom,
            status: oracle.status.name().to_string(),
        });
    }
    let available = balance(&deps.querier, &env.contract.address, &cfg.base_denom)?;
    let bid = size_floor_bid(a.lot, a.tab, a.price, available)?;
    // Then, once the bid and everything it triggers (refund, proceeds, a shortfall the pool
    // covers) have run, the pool measures what it bought and spent on its balances. Units of a
    // denom it did not hold yet (sent to it by anyone) were not in its value: they count as
    // bought, so their value is locked with the purchase's gain instead of reaching the price
    // at once.
    let units_before = if HELD.has(deps.storage, &a.denom) {
        balance(&deps.querier, &env.contract.address, &a.denom)?
    } else {
        Uint128::zero()
    };
    HELD.save(deps.storage, &a.denom, &())?;
    let settled = BackstopContract(env.contract.address.clone()).floor_bid_settled(
        &a.denom,
        available,
        units_before,
    )?;
    let funds = vec![coin(bid.attach.u128(), &cfg.base_denom)];
    let msg = cfg
        .liquidator
        .bid(auction_id, bid.max_collateral, a.price, None, funds)?;
    Ok(Response::new()
        .add_attribute("action", "buy_at_floor")
        .add_attribute("caller", info.sender)
        .add_attribute("auction_id", auction_id.to_string())
        .add_attribute("denom", a.denom)
        .add_attribute("lot", a.lot)
        .add_attribute("tab", a.tab)
        .add_attribute("price", a.price.to_string())
        .add_attribute("max_collateral", bid.max_collateral)
        .add_attribute("attached", bid.attach)
        .add_attribute("full", bid.full.to_string())
        .add_attribute("base_available", available)
        .add_message(msg)
        .add_message(settled))
}

/// `FloorBidSettled` (only the backstop itself, right after its floor bid): the units bought
/// are worth more at the oracle than the base spent (the floor is below it), and that gain is
/// locked (see [`crate::profit`]).
pub fn floor_bid_settled(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    denom: String,
    base_before: Uint128,
    units_before: Uint128,
) -> Result<Response, ContractError> {
    let contract = &env.contract.address;
    if info.sender != *contract {
        return Err(unauthorized("the backstop itself"));
    }
    let cfg = CONFIG.load(deps.storage)?;
    let spent = base_before.saturating_sub(balance(&deps.querier, contract, &cfg.base_denom)?);
    let bought = balance(&deps.querier, contract, &denom)?.saturating_sub(units_before);
    let bought_coin = [coin(bought.u128(), &denom)];
    let locked =
        crate::profit::lock_intake(deps, &env, &cfg, &bought_coin, spent, Uint128::zero())?;
    Ok(Response::new()
        .add_attribute("action", "floor_bid_settled")
        .add_attribute("denom", denom)
        .add_attribute("bought", bought)
        .add_attribute("spent", spent)
        .add_attribute("locked_shares", locked))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(x: u128) -> Uint128 {
        Uint128::new(x)
    }

    #[test]
    fn an_affordable_lot_is_bought_whole_at_its_rounded_up_cost() {
        // 3 units at 0.5 cost ceil(1.5) = 2.
        let b = size_floor_bid(u(3), u(0), Decimal::percent(50), u(100)).unwrap();
        assert_eq!(
            b,
            FloorBid {
                max_collateral: u(3),
                attach: u(2),
                full: true
            }
        );
    }

    #[test]
    fn the_cost_is_capped_by_the_tab() {
        // 100 units at 10 would cost 1000; the tab is 500.
        let b = size_floor_bid(u(100), u(500), Decimal::percent(1000), u(600)).unwrap();
        assert_eq!((b.max_collateral, b.attach, b.full), (u(100), u(500), true));
    }

    #[test]
    fn a_tab_below_one_units_price_attaches_that_units_price() {
        // 5 of tab left, 8.16 a unit: the liquidator sells one unit for ceil(8.16) = 9.
        let b = size_floor_bid(u(10), u(5), Decimal::percent(816), u(100)).unwrap();
        assert_eq!((b.max_collateral, b.attach, b.full), (u(10), u(9), true));
    }

    #[test]
    fn a_poor_pool_bids_for_what_it_can_afford() {
        // 100 units at 10 with 455 available: 45 units for 450.
        let b = size_floor_bid(u(100), u(0), Decimal::percent(1000), u(455)).unwrap();
        assert_eq!((b.max_collateral, b.attach, b.full), (u(45), u(450), false));
        // Fractional price: 7 available at 1.5 buys 4 units for ceil(6) = 6.
        let b = size_floor_bid(u(100), u(0), Decimal::percent(150), u(7)).unwrap();
        assert_eq!((b.max_collateral, b.attach), (u(4), u(6)));
    }

    #[test]
    fn an_empty_pool_or_one_below_a_unit_price_cannot_bid() {
        let err = size_floor_bid(u(100), u(0), Decimal::percent(1000), u(0)).unwrap_err();
        assert!(err.to_string().contains("insufficient pool funds"));
        let err = size_floor_bid(u(100), u(0), Decimal::percent(1000), u(9)).unwrap_err();
        assert!(err.to_string().contains("insufficient pool funds"));
    }
}
