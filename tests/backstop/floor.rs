//! `BuyAtFloor`: the pool bids at the floor on liquidation auctions only, never on a paused
//! price, sized with the liquidator's own rule (moved from the contract's mock-chain unit tests).
use super::*;
use crate::adversarial::liquidated;
use breakwater_testing::{dec, default_auction_params};
use breakwater_types::liquidator::AuctionParams;

/// Attribute `key` of the liquidator's `bid` event in `res`.
fn bid_attr(s: &Suite, res: &AppResponse, key: &str) -> String {
    crate::adversarial::attr_of(res, &s.liquidator, "bid", key)
        .unwrap_or_else(|| panic!("no bid attribute {key}"))
}

/// `keeper` asks the backstop to buy auction `id` at the floor.
fn buy(s: &mut Suite, id: u64) -> Result<AppResponse, String> {
    let keeper = s.keeper.clone();
    exec(s, &keeper, ExecuteMsg::BuyAtFloor { auction_id: id }, &[])
}

#[test]
fn buy_at_floor_refuses_auctions_above_the_floor_own_resales_funds_and_paused_prices() {
    let (mut s, id) = liquidated(SuiteBuilder::new().backstop_deposit(10_000_000_000));
    let keeper = s.keeper.clone();
    let buy = |id: u64| ExecuteMsg::BuyAtFloor { auction_id: id };
    let err = exec(&mut s, &keeper, buy(id), &[]).unwrap_err();
    assert!(err.contains("not at its floor"), "{err}");
    s.advance_time_feeding(660);
    assert!(s.auction(id).at_floor);
    let err = exec(&mut s, &keeper, buy(id), &[coin(1, "uusdc")]).unwrap_err();
    assert!(err.contains("does no accept funds"), "{err}");
    s.advance_time(120);
    let err = exec(&mut s, &keeper, buy(id), &[]).unwrap_err();
    assert!(err.contains("stale"), "{err}");
    s.advance_time_feeding(330);

    // The whole lot at the floor: 343 uatom at 6.8 cost less than the tab.
    let a = s.auction(id);
    assert_eq!(a.price, dec("6.8"));
    let res = exec(&mut s, &keeper, buy(id), &[]).unwrap();
    let cost = a.lot.mul_ceil(a.price);
    assert!(cost < a.tab);
    assert_eq!(
        attr(&s, &res, "buy_at_floor", "max_collateral"),
        Some(a.lot.to_string())
    );
    assert_eq!(
        attr(&s, &res, "buy_at_floor", "attached"),
        Some(cost.to_string())
    );
    assert_eq!(
        attr(&s, &res, "buy_at_floor", "full").as_deref(),
        Some("true")
    );
    assert_eq!(bid_attr(&s, &res, "slice"), a.lot.to_string());
    assert_eq!(bid_attr(&s, &res, "price"), "6.8");
    // The bought denom is held now, and the pool never buys its own resale.
    assert_eq!(s.backstop_pool().collateral[0].denom, "uatom");
    let res = s.backstop_resell(&keeper, "uatom").unwrap();
    let resale: u64 =
        crate::adversarial::attr_of(&res, &s.liquidator, "start_auction", "auction_id")
            .unwrap()
            .parse()
            .unwrap();
    s.advance_time_feeding(660);
    assert!(s.auction(resale).at_floor);
    let err = exec(&mut s, &keeper, buy(resale), &[]).unwrap_err();
    assert!(err.contains("backstop resale"), "{err}");
}

#[test]
fn a_floor_bid_costs_at_most_the_tab() {
    // A floor 4% under the oracle: the lot at the floor is worth more than the tab.
    let params = AuctionParams {
        max_discount: dec("0.04"),
        ..default_auction_params()
    };
    let builder = SuiteBuilder::new()
        .auction_params("uatom", params)
        .backstop_deposit(10_000_000_000);
    let (mut s, id) = liquidated(builder);
    s.advance_time_feeding(300);
    let a = s.auction(id);
    assert!(a.at_floor && a.lot.mul_ceil(a.price) > a.tab);
    let res = buy(&mut s, id).unwrap();
    assert_eq!(
        attr(&s, &res, "buy_at_floor", "attached"),
        Some(a.tab.to_string())
    );
    assert_eq!(
        attr(&s, &res, "buy_at_floor", "max_collateral"),
        Some(a.lot.to_string())
    );
    assert_eq!(bid_attr(&s, &res, "owe"), a.tab.to_string());
}

#[test]
fn a_poor_pool_bids_at_the_floor_for_what_it_can_afford() {
    let (mut s, id) = liquidated(SuiteBuilder::new().backstop_deposit(400_000_000));
    s.advance_time_feeding(660);
    let a = s.auction(id);
    let res = buy(&mut s, id).unwrap();
    // 400 USDC buy floor(400 / 6.8) units.
    let units = Uint128::new(400_000_000)
        .checked_div_floor(a.price)
        .unwrap();
    assert_eq!(
        attr(&s, &res, "buy_at_floor", "max_collateral"),
        Some(units.to_string())
    );
    assert_eq!(
        attr(&s, &res, "buy_at_floor", "attached"),
        Some(units.mul_ceil(a.price).to_string())
    );
    assert_eq!(
        attr(&s, &res, "buy_at_floor", "full").as_deref(),
        Some("false")
    );
    let err = buy(&mut s, id).unwrap_err();
    assert!(err.contains("insufficient pool funds"), "{err}");
}
