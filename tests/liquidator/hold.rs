//! Issue 14: sales hold the auction curves of their collateral (`AuctionParams::hold`), for a
//! time in proportion to what they bought against the collateral's cap, while the market
//! stands at or near the held price.
use super::*;
use breakwater_types::deploy::DeployPlan;
use breakwater_types::liquidator::{AuctionParams, HoldClockResponse, QueryMsg, RoomResponse};
use breakwater_types::oracle::OracleParams;
use cosmwasm_std::{Decimal, Uint128};

/// Each of the three feeders measures 1,000 USDC of depth per 1% move: with the Suite's 3%
/// budget the cap is 3,000 USDC.
const DEPTH: u128 = 1_000_000_000;

/// The Suite's auction parameters with `hold` seconds per cap of sales and `tolerance`.
fn holding(hold: u64, tolerance: &str) -> SuiteBuilder {
    holding_room(hold, tolerance, false)
}

/// [`holding`], a sale holding the room it frees too when `room` (`AuctionParams::hold_room`).
fn holding_room(hold: u64, tolerance: &str, room: bool) -> SuiteBuilder {
    SuiteBuilder::new().auction_params(
        "uatom",
        AuctionParams {
            hold,
            hold_tolerance: dec(tolerance),
            hold_room: room,
            slide: None,
            ..breakwater_testing::default_auction_params()
        },
    )
}

/// The curve four steps after the start, 9.35 · 0.97⁴: below the market (8.5), where keepers buy.
const P4: &str = "8.2774877735";
/// Five steps, 9.35 · 0.97⁵.
const P5: &str = "8.029163140295";

/// Two borrowers of 1,000 ATOM each against 6,500 USDC, liquidated at 8.5 (two auctions with a
/// tab of 2,777.78 USDC and a lot of 343 ATOM each), the measured depth making the cap 3,000
/// USDC, four curve steps later (the price `P4`): the suite and the two auctions.
fn two_auctions(builder: SuiteBuilder) -> (Suite, u64, u64) {
    let mut s = builder.build();
    let (lender, borrower, keeper) = (s.lender.clone(), s.borrower.clone(), s.keeper.clone());
    let other = s.addr("other_borrower");
    s.supply(&lender, SUPPLY).unwrap();
    s.open_position(&borrower, "uatom", COLLATERAL, DEBT);
    s.open_position(&other, "uatom", COLLATERAL, DEBT);
    s.advance_time_feeding(30);
    s.feed("uatom", dec("8.5"));
    let mut ids = [&borrower, &other].map(|b| {
        let res = s.liquidate(&keeper, b).unwrap();
        attr(&res, "auction_id").unwrap().parse::<u64>().unwrap()
    });
    ids.sort();
    s.advance_time_feeding(240);
    s.feed_with_depth("uatom", dec("8.5"), &[DEPTH; 3]);
    assert_eq!(s.room("uatom").hole.u128(), 3 * DEPTH);
    assert_eq!(s.auction(ids[1]).price, dec(P4));
    (s, ids[0], ids[1])
}

/// [`two_auctions`] from `builder`, a keeper having bought 100 ATOM of the first at `P4`
/// (827.75 USDC): the suite and the second auction.
fn held_once(builder: SuiteBuilder) -> (Suite, u64) {
    let (mut s, first, second) = two_auctions(builder);
    let keeper = s.keeper.clone();
    s.bid(&keeper, first, 100_000_000, dec(P4)).unwrap();
    (s, second)
}

fn clock(s: &Suite, denom: &str) -> HoldClockResponse {
    s.liquidator_query(&QueryMsg::HoldClock {
        denom: denom.to_string(),
    })
    .unwrap()
}

fn held(res: &cw_multi_test::AppResponse) -> u64 {
    attr(res, "held").unwrap().parse().unwrap()
}

#[test]
fn a_sale_holds_every_auction_of_its_collateral_for_as_long_as_its_size_buys() {
    let (mut s, first, second) = two_auctions(holding(600, "0"));
    let keeper = s.keeper.clone();
    let t0 = s.now();
    // 100 ATOM at P4 = 827.75 USDC against a cap of 3,000: 600 · 827.75 / 3,000 = 165 s.
    let res = s.bid(&keeper, first, 100_000_000, dec(P4)).unwrap();
    assert_eq!(held(&res), 165);
    let c = clock(&s, "uatom").clock;
    assert_eq!((c.held, c.at, c.held_until), (0, t0, t0 + 165));
    // Unheld, both would be at P5 60 s on; held, neither moves until 60 s after the hold.
    s.advance_time_feeding(224);
    assert_eq!(s.auction(first).price, dec(P4));
    assert_eq!(s.auction(second).price, dec(P4));
    s.advance_time_feeding(1);
    assert_eq!(s.auction(first).price, dec(P5));
    assert_eq!(s.auction(second).price, dec(P5));
    assert_eq!(clock(&s, "uatom").clock.held_by(s.now()), 165);
    // Another collateral's auctions are not held.
    assert_eq!(clock(&s, "ueth").clock.held_until, 0);
}

/// Two auctions as in [`two_auctions`], the feeders now measuring three times the depth (a
/// cap of 9,000 USDC, room for more than their 5,555 USDC of tabs): the room, then the room
/// just after a keeper buys 100 ATOM of the first at `P4`.
fn room_before_and_after_a_sale(builder: SuiteBuilder) -> (Suite, RoomResponse, RoomResponse) {
    let (mut s, first, _) = two_auctions(builder);
    s.feed_with_depth("uatom", dec("8.5"), &[3 * DEPTH; 3]);
    let before = s.room("uatom");
    assert_eq!(before.hole.u128(), 9 * DEPTH);
    assert!(!before.room.is_zero());
    let keeper = s.keeper.clone();
    s.bid(&keeper, first, 100_000_000, dec(P4)).unwrap();
    let after = s.room("uatom");
    (s, before, after)
}

#[test]
fn a_sale_holds_the_room_it_frees_while_it_holds_the_curves() {
    // 827.75 USDC bought against a cap of 9,000: held 600 · 827.75 / 9,000 = 55 s. The tab it
    // repaid leaves the dirt, but the sale counts against the cap while it holds the curves:
    // the room grows at once by less than one second of hold is worth (9,000 / 600 = 15 USDC;
    // the hold's seconds round down), and reaches `hole − dirt` when the hold ends.
    let (mut s, before, after) = room_before_and_after_a_sale(holding_room(600, "0", true));
    assert_eq!(before.dirt - after.dirt, Uint128::new(827_748_778));
    assert!(
        after.room < before.room + Uint128::new(15_000_000),
        "{before:?} {after:?}"
    );
    s.advance_time(30);
    let half = s.room("uatom");
    assert!(half.room > after.room && half.room < half.hole - half.dirt);
    s.advance_time(25);
    let ended = s.room("uatom");
    assert_eq!(ended.room, ended.hole - ended.dirt);
}

#[test]
fn without_a_hold_a_sale_frees_its_room_at_once() {
    // Neither without a hold nor with a hold that does not hold the room (`hold_room` off).
    for builder in [SuiteBuilder::new(), holding(600, "0")] {
        let (_, before, after) = room_before_and_after_a_sale(builder);
        assert_eq!(after.room, after.hole - after.dirt);
        assert!(after.room > before.room);
    }
}

#[test]
fn without_a_hold_a_sale_does_not_stop_the_curve() {
    let (mut s, first, second) = two_auctions(SuiteBuilder::new());
    let keeper = s.keeper.clone();
    let res = s.bid(&keeper, first, 100_000_000, dec(P4)).unwrap();
    assert_eq!(held(&res), 0);
    s.advance_time_feeding(60);
    assert_eq!(s.auction(second).price, dec(P5));
    assert_eq!(clock(&s, "uatom").clock.held_until, 0);
}

#[test]
fn a_one_unit_bid_cannot_hold_the_curves() {
    // A bidder who would keep the price up with dust buys no hold: 600 · 9 / 3·10⁹ < 1 s.
    let (mut s, first, second) = two_auctions(holding(600, "0"));
    let keeper = s.keeper.clone();
    for _ in 0..6 {
        let res = s.bid(&keeper, first, 1, dec(P4)).unwrap();
        assert_eq!(held(&res), 0);
        s.advance_time_feeding(10);
    }
    assert_eq!(s.auction(second).price, dec(P5));
}

#[test]
fn holds_add_up_to_at_most_hold_seconds_ahead() {
    let (mut s, first, second) = two_auctions(holding(600, "0"));
    let keeper = s.keeper.clone();
    let t0 = s.now();
    // 4 · 165 = 660 s bought, capped at 600 ahead of the last sale.
    for id in [first, first, second, second] {
        s.bid(&keeper, id, 100_000_000, dec(P4)).unwrap();
    }
    assert_eq!(clock(&s, "uatom").clock.held_until, t0 + 600);
    s.advance_time_feeding(600 + 59);
    assert_eq!(s.auction(first).price, dec(P4));
    s.advance_time_feeding(1);
    assert_eq!(s.auction(first).price, dec(P5));
}

#[test]
fn a_held_curve_follows_a_falling_market_as_soon_as_it_stands_below_it() {
    // Tolerance 5%, but the market is falling (its TWAP, of the 10 before the crash and 8.5
    // since, above the median): the tolerance does not apply.
    let (mut s, second) = held_once(holding(600, "0.05"));
    s.advance_time(120);
    s.feed("uatom", dec("8.3"));
    assert!(s.oracle_price("uatom").unwrap().twap > dec("8.3"));
    // At 8.3, at or above the held price: held.
    assert_eq!(s.auction(second).price, dec(P4));
    // At 7.9, below P4 though within 5% of it (7.9 · 1.05 = 8.295): the curve is priced as if
    // never held, 9.35 · 0.97⁶ six steps after the start.
    s.feed("uatom", dec("7.9"));
    assert_eq!(s.auction(second).price, dec("7.78828824608615"));
}

#[test]
fn a_held_curve_waits_within_its_tolerance_while_the_market_comes_back() {
    // A one-minute TWAP, so that a market coming back stands above it within the hold.
    let fast = OracleParams {
        twap_window: 60,
        ..DeployPlan::default().oracle
    };
    let (mut s, second) = held_once(holding(600, "0.05").oracle_params(fast));
    // The market falls to 7.6 for a minute: below the held price, the curve runs (P5 five
    // steps after the start).
    s.feed("uatom", dec("7.6"));
    s.advance_time_feeding(60);
    assert_eq!(s.auction(second).price, dec(P5));
    // It comes back to 7.9, above its TWAP: P4 ≤ 7.9 · 1.05 = 8.295, held again.
    s.feed("uatom", dec("7.9"));
    assert!(s.oracle_price("uatom").unwrap().twap < dec("7.9"));
    assert_eq!(s.auction(second).price, dec(P4));
    // At 7.8, P4 > 7.8 · 1.05 = 8.19: beyond the tolerance, the curve runs.
    s.feed("uatom", dec("7.8"));
    assert_eq!(s.auction(second).price, dec(P5));
    // And held again at 8.2.
    s.feed("uatom", dec("8.2"));
    assert_eq!(s.auction(second).price, dec(P4));
}

#[test]
fn a_held_price_above_the_market_is_not_held() {
    // Tolerance 0: the market must stand at or above the held price.
    let (mut s, second) = held_once(holding(600, "0"));
    s.advance_time(60);
    s.feed("uatom", dec("8.27"));
    assert_eq!(s.auction(second).price, dec(P5));
    s.feed("uatom", dec("8.28"));
    assert_eq!(s.auction(second).price, dec(P4));
}

#[test]
fn the_backstops_purchases_do_not_hold_the_curves() {
    let builder = holding(600, "0").backstop_deposit(10_000_000_000);
    let (mut s, first, second) = two_auctions(builder);
    let keeper = s.keeper.clone();
    // 1.1 · 0.97^15 = 0.696 < 0.8: both at the floor 900 s after the start.
    s.advance_time_feeding(660);
    assert!(s.auction(first).at_floor);
    let res = s.buy_at_floor(&keeper, first).unwrap();
    assert_eq!(attr(&res, "held").as_deref(), Some("0"));
    assert_eq!(clock(&s, "uatom").clock.held_until, 0);
    // A keeper's purchase at the floor does hold them (its lot reaches the book).
    let floor = s.auction(second).price;
    let res = s.bid(&keeper, second, 100_000_000, floor).unwrap();
    assert!(held(&res) > 0);
}

#[test]
fn the_reset_threshold_reads_the_held_curve_and_a_reset_starts_it_afresh() {
    let (mut s, second) = held_once(holding(600, "0"));
    // cusp 0.5: 0.97^23 = 0.496 is stale. Unheld, after 23 steps (1,380 s after the start);
    // held 165 s, not yet 1,500 s after it, stale 60 s later.
    s.advance_time_feeding(1_500 - 240);
    assert!(!s.auction(second).needs_reset);
    s.advance_time_feeding(60);
    assert!(s.auction(second).needs_reset);
    let keeper = s.keeper.clone();
    s.reset_auction(&keeper, second).unwrap();
    let a = s.auction(second);
    assert_eq!(a.top, dec("9.35"), "restarted at the oracle times buf");
    assert_eq!(a.price, dec("9.35"));
    assert_eq!(a.held_at_start, 165);
    s.advance_time_feeding(60);
    assert_eq!(s.auction(second).price, dec("9.0695"));
}

#[test]
fn hold_parameters_out_of_range_are_refused() {
    let mut s = SuiteBuilder::new().build();
    let owner = s.owner.clone();
    for (params, error) in [
        (
            AuctionParams {
                hold: 3_601,
                ..breakwater_testing::default_auction_params()
            },
            "hold",
        ),
        (
            AuctionParams {
                hold_tolerance: Decimal::percent(101),
                ..breakwater_testing::default_auction_params()
            },
            "hold_tolerance",
        ),
    ] {
        let msg = breakwater_types::liquidator::ExecuteMsg::SetCollateral(
            breakwater_types::liquidator::CollateralAuction {
                denom: "uatom".to_string(),
                params,
            },
        );
        let err = s.liquidator_execute(&owner, &msg, &[]).unwrap_err();
        assert!(err.to_string().contains(error), "{err}");
    }
}

/// [`holding`] for 600 s with sales paced by the cap over the same 600 s
/// (`AuctionParams::pace_sales`).
fn pacing() -> SuiteBuilder {
    SuiteBuilder::new().auction_params(
        "uatom",
        AuctionParams {
            hold: 600,
            pace_sales: Some(600),
            ..breakwater_testing::default_auction_params()
        },
    )
}

fn sold(res: &cw_multi_test::AppResponse) -> (u128, u128) {
    let n = |k: &str| attr(res, k).unwrap().parse::<u128>().unwrap();
    (n("slice"), n("owe"))
}

/// What bidders may buy now (`RoomResponse::sales_left`).
fn sales_left(s: &Suite) -> u128 {
    s.room("uatom").sales_left.expect("sales are paced").u128()
}

#[test]
fn paced_sales_take_at_most_what_the_cap_has_left_after_recent_sales() {
    let (mut s, first, second) = two_auctions(pacing());
    let keeper = s.keeper.clone();
    assert_eq!(sales_left(&s), 3 * DEPTH);
    // 300 ATOM at P4 = 2,483.25 USDC: within the cap of 3,000, sold whole.
    let res = s.bid(&keeper, first, 300_000_000, dec(P4)).unwrap();
    let (slice, owe) = sold(&res);
    assert_eq!(slice, 300_000_000);
    assert_eq!(sales_left(&s), 3 * DEPTH - owe);
    // The next bid asks as much again; the cap has 516.75 USDC left: it takes 62.4 ATOM.
    let left = sales_left(&s);
    let lot = s.auction(second).lot.u128();
    let res = s.bid(&keeper, second, 300_000_000, dec(P4)).unwrap();
    let (slice, owe) = sold(&res);
    let fits = Uint128::new(left)
        .checked_div_floor(dec(P4))
        .unwrap()
        .u128();
    assert_eq!(slice, fits);
    assert!(owe <= left, "{owe} > {left}");
    assert_eq!(s.auction(second).lot.u128(), lot - slice);
    // Less than one unit's worth is left: refused, nothing changed.
    let err = s.bid(&keeper, second, 10_000_000, dec(P4)).unwrap_err();
    assert!(err.root_cause().to_string().contains("paced"), "{err}");
    assert_eq!(s.auction(second).lot.u128(), lot - slice);
    // Half a hold later half the cap is back, 3,000 · 300 / 600, beside what was left
    // under one unit's worth.
    let crumb = sales_left(&s);
    assert!(crumb < 9, "{crumb}");
    s.advance_time(300);
    s.feed_with_depth("uatom", dec("8.5"), &[DEPTH; 3]);
    let left = sales_left(&s);
    assert_eq!(left, 1_500_000_000 + crumb);
    let res = s.bid(&keeper, second, 300_000_000, dec(P4)).unwrap();
    assert!(sold(&res).1 <= left);
}

#[test]
fn splitting_a_paced_sale_into_small_bids_sells_no_more() {
    let (mut s, first, second) = two_auctions(pacing());
    let keeper = s.keeper.clone();
    // Ten bids of 30 ATOM count as much as one of 300 (each rounds what it owes up).
    let mut paid = 0;
    for _ in 0..10 {
        paid += sold(&s.bid(&keeper, first, 30_000_000, dec(P4)).unwrap()).1;
    }
    assert_eq!(sales_left(&s), 3 * DEPTH - paid);
    let one = sold(
        &two_auctions(pacing())
            .0
            .bid(&keeper, first, 300_000_000, dec(P4))
            .unwrap(),
    )
    .1;
    assert!(paid >= one);
    // And a thousand one-unit bids count a thousand units' worth.
    let before = sales_left(&s);
    for _ in 0..1_000 {
        s.bid(&keeper, second, 1, dec(P4)).unwrap();
    }
    assert!(
        before - sales_left(&s) >= 8_000,
        "{}",
        before - sales_left(&s)
    );
}

#[test]
fn unpaced_sales_take_what_they_ask() {
    let (mut s, first, second) = two_auctions(holding(600, "0"));
    let keeper = s.keeper.clone();
    assert_eq!(s.room("uatom").sales_left, None);
    s.bid(&keeper, first, 300_000_000, dec(P4)).unwrap();
    let res = s.bid(&keeper, second, 300_000_000, dec(P4)).unwrap();
    assert_eq!(sold(&res).0, 300_000_000);
}

#[test]
fn the_backstop_takes_a_lot_at_its_floor_while_sales_are_paced() {
    let (mut s, first, second) = two_auctions(pacing().backstop_deposit(10_000_000_000));
    let keeper = s.keeper.clone();
    s.advance_time_feeding(660);
    s.feed_with_depth("uatom", dec("8.5"), &[DEPTH; 3]);
    assert!(s.auction(first).at_floor && s.auction(second).at_floor);
    let floor = s.auction(first).price;
    // 343 ATOM at the floor, 6.8: 2,332 USDC of the 3,000.
    s.bid(&keeper, first, 343_000_000, floor).unwrap();
    // The keeper's next bid is cut to the 668 USDC left, the one after refused...
    let res = s.bid(&keeper, second, 343_000_000, floor).unwrap();
    assert!(sold(&res).0 < 100_000_000);
    let err = s.bid(&keeper, second, 343_000_000, floor).unwrap_err();
    assert!(err.root_cause().to_string().contains("paced"), "{err}");
    // ...and the pool, which sells nothing into the book, takes the rest at the floor.
    assert!(!s.auction(second).lot.is_zero());
    s.buy_at_floor(&keeper, second).unwrap();
    assert!(s.auctions().iter().all(|a| a.id != second));
}

#[test]
fn sales_are_paced_without_a_hold_too() {
    let paced_only = SuiteBuilder::new().auction_params(
        "uatom",
        AuctionParams {
            pace_sales: Some(600),
            ..breakwater_testing::default_auction_params()
        },
    );
    let (mut s, first, second) = two_auctions(paced_only);
    let keeper = s.keeper.clone();
    let res = s.bid(&keeper, first, 300_000_000, dec(P4)).unwrap();
    assert_eq!(held(&res), 0, "no hold");
    let left = sales_left(&s);
    let res = s.bid(&keeper, second, 300_000_000, dec(P4)).unwrap();
    assert!(sold(&res).1 <= left && sold(&res).0 < 300_000_000);
}

#[test]
fn a_pace_window_out_of_range_is_refused() {
    let mut s = SuiteBuilder::new().build();
    let owner = s.owner.clone();
    let config = |s: &Suite| {
        s.liquidator_query::<breakwater_types::liquidator::ConfigResponse>(&QueryMsg::Config {})
            .unwrap()
    };
    let before = config(&s);
    for window in [0, 59, 86_401] {
        let msg = breakwater_types::liquidator::ExecuteMsg::SetCollateral(
            breakwater_types::liquidator::CollateralAuction {
                denom: "uatom".to_string(),
                params: AuctionParams {
                    pace_sales: Some(window),
                    ..breakwater_testing::default_auction_params()
                },
            },
        );
        let err = s.liquidator_execute(&owner, &msg, &[]).unwrap_err();
        assert!(err.root_cause().to_string().contains("pace_sales"), "{err}");
    }
    assert_eq!(format!("{before:?}"), format!("{:?}", config(&s)));
}
