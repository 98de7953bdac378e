//! Issue 14: bidders wait out a fall (`AuctionParams::wait_falls`). While the oracle's median
//! stands at least the wait's band under its TWAP and the collateral is not sliding, bids from
//! anyone but the backstop are refused: what a keeper buys in a fall it sells into the book that
//! is falling. Under the band, paced sales take the share of the cap the median has come back.
use super::*;
use breakwater_types::deploy::DeployPlan;
use breakwater_types::liquidator::{AuctionParams, Slide};
use breakwater_types::oracle::OracleParams;
use cosmwasm_std::{Decimal, Uint128};

/// The curve four steps after the start, 9.35 · 0.97⁴: under the market (8.5), where keepers buy.
const P4: &str = "8.2774877735";

/// An oracle update counts as falling 3% under the TWAP; the collateral's auctions with
/// `params` (the Suite's, bidders waiting out falls or not).
fn falls_counted(params: AuctionParams) -> SuiteBuilder {
    SuiteBuilder::new()
        .oracle_params(OracleParams {
            fall_band: dec(BAND),
            ..DeployPlan::default().oracle
        })
        .auction_params("uatom", params)
}

/// The wait's band: the oracle's fall band here.
const BAND: &str = "0.03";

/// The Suite's auction parameters, bidders waiting out falls of `BAND` or not.
fn waiting(wait: bool) -> AuctionParams {
    AuctionParams {
        wait_falls: wait.then(|| dec(BAND)),
        ..breakwater_testing::default_auction_params()
    }
}

/// The borrower's position held at 10 for the oracle's TWAP window (30 minutes), then ATOM at
/// 8.5 and the borrower liquidated (one auction at 9.35): the median stands about 15% under
/// its TWAP.
fn after_a_drop(builder: SuiteBuilder) -> (Suite, u64) {
    liquidated_after(builder, 1_800)
}

/// Bidders waiting out falls, with a slow curve (3% every ten minutes, stale after six hours)
/// so the auction still runs an hour or two into a fall, and `slide`.
fn slow(slide: Option<Slide>) -> AuctionParams {
    AuctionParams {
        wait_falls: Some(dec(BAND)),
        ..super::slide::params(slide)
    }
}

/// [`after_a_drop`], four curve steps later: the auction prices at `P4`, under the market,
/// and the median still stands more than the band under its TWAP.
fn in_the_fall(builder: SuiteBuilder) -> (Suite, u64) {
    let (mut s, id) = after_a_drop(builder);
    s.advance_time_feeding(240);
    assert_eq!(s.auction(id).price, dec(P4));
    let below = s
        .oracle_price("uatom")
        .unwrap()
        .below_twap
        .expect("falling");
    assert!(below.shortfall >= dec("0.03"), "{below:?}");
    (s, id)
}

/// The error refuses a bid for waiting out a fall (`SalesWaitFall`).
pub(super) fn refused_for_the_fall(err: impl std::fmt::Display) {
    assert!(format!("{err:#}").contains("wait out a fall"), "{err}");
}

#[test]
fn bidders_wait_while_the_median_stands_a_fall_band_under_its_twap() {
    let (mut s, id) = in_the_fall(falls_counted(waiting(true)));
    let keeper = s.keeper.clone();
    let before = s.auction(id);
    let balances = supplies(&s);
    refused_for_the_fall(s.bid(&keeper, id, 100_000_000, dec(P4)).unwrap_err());
    // Nothing changed, and the room says there is nothing to buy now.
    assert_eq!(format!("{before:?}"), format!("{:?}", s.auction(id)));
    assert_eq!(balances, supplies(&s));
    assert_eq!(s.room("uatom").sales_left, Some(Uint128::zero()));
}

#[test]
fn without_waiting_bidders_buy_in_a_fall() {
    let (mut s, id) = in_the_fall(falls_counted(waiting(false)));
    let keeper = s.keeper.clone();
    let res = s.bid(&keeper, id, 100_000_000, dec(P4)).unwrap();
    assert_eq!(attr(&res, "slice").unwrap(), "100000000");
    assert_eq!(s.room("uatom").sales_left, None);
}

#[test]
fn bidders_buy_again_once_the_median_stands_within_the_band() {
    let (mut s, id) = in_the_fall(falls_counted(waiting(true)));
    let keeper = s.keeper.clone();
    // Steady at 8.5, the TWAP comes down to the median: within 3% of it after about 25 minutes.
    let mut minutes = 0;
    while s.oracle_price("uatom").unwrap().below_twap.is_some() {
        let price = s.auction(id).price;
        refused_for_the_fall(s.bid(&keeper, id, 10_000_000, price).unwrap_err());
        s.advance_time_feeding(60);
        minutes += 1;
        assert!(minutes < 30, "still falling after {minutes} minutes");
    }
    assert!(minutes > 15, "{minutes}");
    assert_eq!(s.room("uatom").sales_left, None);
    let price = s.auction(id).price;
    let res = s.bid(&keeper, id, 100_000_000, price).unwrap();
    assert_eq!(attr(&res, "slice").unwrap(), "100000000");
}

#[test]
fn the_backstop_takes_a_lot_at_its_floor_while_bidders_wait_out_a_fall() {
    let (mut s, id) = in_the_fall(falls_counted(waiting(true)).backstop_deposit(10_000_000_000));
    let keeper = s.keeper.clone();
    // Seven more steps: 9.35 · 0.97¹¹ is under the floor, 8.5 · 0.8; the TWAP still holds
    // eighteen minutes of 10 (about 9.4, the median 10% under it).
    s.advance_time_feeding(420);
    assert!(s.auction(id).at_floor);
    assert!(s.oracle_price("uatom").unwrap().below_twap.is_some());
    let floor = s.auction(id).price;
    refused_for_the_fall(s.bid(&keeper, id, 10_000_000, floor).unwrap_err());
    // The pool keeps what it buys (no book to fall into): it takes the lot.
    s.buy_at_floor(&keeper, id).unwrap();
    assert!(s.auctions().iter().all(|a| a.id != id));
}

/// Feeds `price` every 60 s for `minutes`, multiplying it by `each` every minute; returns the
/// last price fed.
fn fall_for(s: &mut Suite, mut price: Decimal, each: Decimal, minutes: u64) -> Decimal {
    for _ in 0..minutes {
        s.advance_time(60);
        price *= each;
        s.feed("uatom", price);
    }
    price
}

#[test]
fn a_fall_that_becomes_a_slide_is_sold_into() {
    // A slide after an hour.
    let params = slow(Some(Slide {
        after: 3_600,
        room: dec("3"),
        lows: None,
        deep: None,
        ahead: false,
    }));
    let (mut s, id) = after_a_drop(falls_counted(params));
    let keeper = s.keeper.clone();
    let since = s.oracle_price("uatom").unwrap().below_twap.unwrap().since;
    // 1% a minute: the median stays more than 3% under its TWAP, short of the breaker's 25%.
    let each = dec("0.99");
    let minutes = (since + 3_600 - s.now()) / 60 - 1;
    let price = fall_for(&mut s, dec("8.5"), each, minutes);
    let ask = s.auction(id).price;
    refused_for_the_fall(s.bid(&keeper, id, 10_000_000, ask).unwrap_err());
    // A minute later the fall has lasted an hour: a slide, sold into.
    fall_for(&mut s, price, each, 1);
    assert_eq!(
        s.oracle_price("uatom").unwrap().below_twap.unwrap().since,
        since
    );
    assert_eq!(s.room("uatom").sales_left, None);
    let ask = s.auction(id).price;
    let res = s.bid(&keeper, id, 10_000_000, ask).unwrap();
    assert_eq!(attr(&res, "slice").unwrap(), "10000000");
}

/// A slide after an hour, or sooner once the median makes a new low a TWAP window (30
/// minutes) after its streak began.
fn lows() -> AuctionParams {
    slow(Some(Slide {
        after: 3_600,
        room: dec("3"),
        lows: Some(1_800),
        deep: None,
        ahead: false,
    }))
}

#[test]
fn a_fall_still_making_new_lows_a_window_after_it_began_is_sold_into() {
    let (mut s, id) = after_a_drop(falls_counted(lows()));
    let keeper = s.keeper.clone();
    let since = s.oracle_price("uatom").unwrap().below_twap.unwrap().since;
    // 1% a minute: each update a new low of the streak, which the oracle records.
    let each = dec("0.99");
    let minutes = (since + 1_800 - s.now()) / 60 - 1;
    let price = fall_for(&mut s, dec("8.5"), each, minutes);
    let below = s.oracle_price("uatom").unwrap().below_twap.unwrap();
    assert_eq!(
        (below.since, below.low, below.low_at),
        (since, price, s.now())
    );
    let ask = s.auction(id).price;
    refused_for_the_fall(s.bid(&keeper, id, 10_000_000, ask).unwrap_err());
    // A minute later a new low half an hour into the streak: a slide, sold into.
    fall_for(&mut s, price, each, 1);
    let below = s.oracle_price("uatom").unwrap().below_twap.unwrap();
    assert!(below.low_at - below.since >= 1_800, "{below:?}");
    assert_eq!(s.room("uatom").sales_left, None);
    let ask = s.auction(id).price;
    let res = s.bid(&keeper, id, 10_000_000, ask).unwrap();
    assert_eq!(attr(&res, "slice").unwrap(), "10000000");
}

#[test]
fn a_wick_that_stopped_making_lows_is_waited_out_past_the_lows_window() {
    let (mut s, id) = after_a_drop(falls_counted(lows()));
    let keeper = s.keeper.clone();
    let since = s.oracle_price("uatom").unwrap().below_twap.unwrap().since;
    // Twenty minutes down 1% a minute, then the bottom holds: no new low after that.
    let bottom = fall_for(&mut s, dec("8.5"), dec("0.99"), 20);
    let low_at = s.now();
    while s.now() < since + 1_860 {
        s.advance_time(60);
        s.feed("uatom", bottom);
    }
    // Past the window, still the band under the TWAP, and no new low since minute twenty: the
    // lows do not make it a slide, and bidders still wait.
    let below = s
        .oracle_price("uatom")
        .unwrap()
        .below_twap
        .expect("falling");
    assert_eq!(
        (below.since, below.low, below.low_at),
        (since, bottom, low_at)
    );
    assert!(s.now() - since > 1_800, "{below:?}");
    assert_eq!(s.room("uatom").sales_left, Some(Uint128::zero()));
    let ask = s.auction(id).price;
    refused_for_the_fall(s.bid(&keeper, id, 10_000_000, ask).unwrap_err());
}

/// Adversarial: one feeder reporting a fall (1% a minute for two hours) while the others quote
/// a steady book cannot make bidders wait. Why it holds: the wait reads the median's streak,
/// and one liar among three fresh feeders never moves the median past an honest quote.
#[test]
fn a_feeder_reporting_a_fall_alone_cannot_make_bidders_wait() {
    let (mut s, id) = after_a_drop(falls_counted(slow(None)));
    let keeper = s.keeper.clone();
    // The real fall (10 to 8.5) first leaves the band: 40 minutes steady.
    s.advance_time_feeding(2_400);
    assert_eq!(s.oracle_price("uatom").unwrap().below_twap, None);
    let liar = s.feeders[2].clone();
    let mut lie = dec("8.5");
    for minute in 0..120 {
        s.advance_time(60);
        lie *= dec("0.99");
        for f in s.feeders.clone() {
            let price = if f == liar { lie } else { dec("8.5") };
            s.submit_prices(&f, &[("uatom", price)]).unwrap();
        }
        let p = s.oracle_price("uatom").unwrap();
        assert_eq!(p.median, dec("8.5"), "minute {minute}");
        assert_eq!(p.below_twap, None, "minute {minute}");
    }
    let ask = s.auction(id).price;
    let res = s.bid(&keeper, id, 10_000_000, ask).unwrap();
    assert_eq!(attr(&res, "slice").unwrap(), "10000000");
}

#[test]
fn coming_back_paced_sales_take_the_share_of_the_cap_the_median_has_come_back() {
    let (mut s, id) = in_the_fall(falls_counted(AuctionParams {
        pace_sales: Some(600),
        ..waiting(true)
    }));
    let keeper = s.keeper.clone();
    assert_eq!(s.room("uatom").sales_left, Some(Uint128::zero()));
    // Steady at 8.5 until the median stands within the band of its TWAP.
    while s.oracle_price("uatom").unwrap().below_twap.is_some() {
        s.advance_time_feeding(60);
    }
    let p = s.oracle_price("uatom").unwrap();
    assert!(p.median < p.twap, "{p:?}");
    // (band − (1 − median / TWAP)) / band of the cap, nothing sold yet: a part, not all.
    let shortfall = Decimal::one() - p.median / p.twap;
    let share = (dec(BAND) - shortfall) / dec(BAND);
    let room = s.room("uatom");
    let left = room.sales_left.unwrap();
    assert_eq!(left, room.hole.mul_floor(share));
    assert!(
        !left.is_zero() && left < room.hole,
        "{left} of {}",
        room.hole
    );
    // A bid for the whole lot takes no more than that.
    let price = s.auction(id).price;
    let res = s.bid(&keeper, id, 1_000_000_000, price).unwrap();
    let owe: u128 = attr(&res, "owe").unwrap().parse().unwrap();
    assert!(owe <= left.u128(), "{owe} > {left}");
    // The share bounds every bid together, not each one: what is left is the rest of it.
    assert_eq!(s.room("uatom").sales_left, Some(left - Uint128::new(owe)));
    // Back at its TWAP, the whole cap drains back as before.
    let twap = s.oracle_price("uatom").unwrap().twap;
    s.advance_time(600);
    s.feed("uatom", twap);
    let room = s.room("uatom");
    assert_eq!(room.sales_left, Some(room.hole));
}

#[test]
fn a_wait_band_out_of_range_is_refused() {
    let mut s = SuiteBuilder::new().build();
    let owner = s.owner.clone();
    for band in ["0", "1", "1.5"] {
        let msg = breakwater_types::liquidator::ExecuteMsg::SetCollateral(
            breakwater_types::liquidator::CollateralAuction {
                denom: "uatom".to_string(),
                params: AuctionParams {
                    wait_falls: Some(dec(band)),
                    ..breakwater_testing::default_auction_params()
                },
            },
        );
        let before = s.liquidator_query::<breakwater_types::liquidator::ConfigResponse>(
            &breakwater_types::liquidator::QueryMsg::Config {},
        );
        let err = s.liquidator_execute(&owner, &msg, &[]).unwrap_err();
        assert!(format!("{err:#}").contains("wait_falls"), "{err}");
        let after = s.liquidator_query::<breakwater_types::liquidator::ConfigResponse>(
            &breakwater_types::liquidator::QueryMsg::Config {},
        );
        assert_eq!(format!("{before:?}"), format!("{after:?}"));
    }
}
