//! Issue 14: a fall that outlasts a wick is not waited out (`AuctionParams::slide`). While the
//! oracle's median has stood at least its `fall_band` under its TWAP at every update for
//! `slide.after` seconds, the collateral's curves follow the oracle and its depth-derived cap is
//! `slide.room` times larger.
use super::*;
use breakwater_types::deploy::DeployPlan;
use breakwater_types::liquidator::{
    AuctionParams, CollateralAuction, ConfigResponse, ExecuteMsg, PriceCurve, QueryMsg, Slide,
};
use breakwater_types::oracle::{BelowTwap, OracleParams};
use cosmwasm_std::{Decimal, Uint128};

/// Each feeder measures 1,000 USDC of depth per 1% move: with the Suite's 3% budget the cap is
/// 3,000 USDC.
const DEPTH: u128 = 1_000_000_000;

/// Twice the Suite oracle's TWAP window (1,800 s): the documented choice of `slide.after`.
const AFTER: u64 = 3_600;

/// A slow curve (3% every ten minutes, stale after six hours) so an auction is still running
/// when a slide can begin; `slide` as given.
pub(super) fn params(slide: Option<Slide>) -> AuctionParams {
    AuctionParams {
        curve: PriceCurve::StairStep {
            step: 600,
            cut: dec("0.97"),
        },
        tail: 21_600,
        slide,
        ..breakwater_testing::default_auction_params()
    }
}

/// [`liquidated`] with ATOM's auctions on `params`, an update counting as falling 3% under the
/// TWAP (the oracle's `fall_band`).
fn liquidated_with(params: AuctionParams) -> (Suite, u64) {
    liquidated(
        SuiteBuilder::new()
            .oracle_params(OracleParams {
                fall_band: dec("0.03"),
                ..DeployPlan::default().oracle
            })
            .auction_params("uatom", params),
    )
}

/// A slide after `AFTER` seconds at least the oracle's `fall_band` under the TWAP; the cap
/// three times larger.
fn sliding() -> Option<Slide> {
    Some(Slide {
        after: AFTER,
        room: dec("3"),
        lows: None,
        deep: None,
        ahead: false,
    })
}

/// Since when the median has stood under its TWAP.
fn since(s: &Suite) -> Option<u64> {
    s.oracle_price("uatom").unwrap().below_twap.map(|b| b.since)
}

/// The borrower liquidated at 8.5 (one auction started at 9.35 = 8.5 · 1.1) with the feeders
/// measuring the depth, an update counting as falling 3% under the TWAP (a fall of about 0.2% a
/// minute with the Suite's 30-minute TWAP): the suite and the auction id.
fn auction(slide: Option<Slide>) -> (Suite, u64) {
    let (mut s, id) = liquidated_with(params(slide));
    s.feed_with_depth("uatom", dec("8.5"), &[DEPTH; 3]);
    (s, id)
}

fn f(x: Decimal) -> f64 {
    x.to_string().parse().unwrap()
}

/// The start price's curve at `elapsed`: 9.35 · 0.97^(elapsed / 600).
fn anchored(elapsed: u64) -> f64 {
    9.35 * 0.97f64.powi((elapsed / 600) as i32)
}

/// The collateral is not sliding: auction `id` prices on its start price's curve and the cap
/// is the depth's alone.
fn waits_like_a_wick(s: &Suite, id: u64) {
    let q = s.auction(id);
    let elapsed = s.now() - q.started_at;
    assert!((f(q.price) - anchored(elapsed)).abs() < 1e-9, "{q:?}");
    assert_eq!(s.room("uatom").hole.u128(), 3 * DEPTH);
}

/// Feeds `price` with the measured depth every 60 s for `minutes`, multiplying it by `each`
/// every minute; returns the last price fed.
fn feed_minutes(s: &mut Suite, mut price: Decimal, each: Decimal, minutes: u64) -> Decimal {
    for _ in 0..minutes {
        s.advance_time(60);
        price *= each;
        s.feed_with_depth("uatom", price, &[DEPTH; 3]);
    }
    price
}

#[test]
fn a_fall_that_outlasts_the_slide_window_makes_the_curves_follow_the_oracle() {
    for (slide, follows) in [(sliding(), true), (None, false)] {
        let (mut s, id) = auction(slide);
        let start = s.auction(id).started_at;
        let since = since(&s).unwrap();
        // 1% a minute: the median stays more than 3% under its TWAP (about 15% once the
        // window is full), short of the breaker's 25%.
        let each = dec("0.99");
        let minutes = (since + AFTER - s.now()) / 60 - 1;
        let price = feed_minutes(&mut s, dec("8.5"), each, minutes);
        // Not yet a slide: the curve falls from the start price, the cap from depth alone.
        waits_like_a_wick(&s, id);
        // One more minute: the median has stood under its TWAP for `AFTER` seconds.
        let median = feed_minutes(&mut s, price, each, 1);
        let below = s.oracle_price("uatom").unwrap().below_twap.unwrap();
        assert_eq!(below.since, since);
        assert!(below.shortfall >= dec("0.03"), "{below:?}");
        let q = s.auction(id);
        let elapsed = s.now() - start;
        if follows {
            // median · 1.1 · 0.97^steps: the same decay from the current price.
            let expected = f(median) * 1.1 * 0.97f64.powi((elapsed / 600) as i32);
            assert!((f(q.price) - expected).abs() < 1e-9, "{q:?} vs {expected}");
            assert!(f(q.price) < anchored(elapsed) * 0.9);
            assert_eq!(s.room("uatom").hole.u128(), 9 * DEPTH);
        } else {
            waits_like_a_wick(&s, id);
        }
    }
}

#[test]
fn a_fall_slower_than_the_fall_band_is_not_a_slide() {
    let (mut s, id) = auction(sliding());
    // 0.1% a minute for 70 minutes: under the TWAP all along, but only about 1.5% under it
    // once the drop from 10 has left the window: not falling by the oracle's band.
    feed_minutes(&mut s, dec("8.5"), dec("0.999"), AFTER / 60 + 10);
    let p = s.oracle_price("uatom").unwrap();
    assert!(p.median < p.twap);
    assert_eq!(p.below_twap, None);
    waits_like_a_wick(&s, id);
}

#[test]
fn a_single_drop_held_for_hours_is_not_a_slide() {
    let (mut s, id) = auction(sliding());
    // The price stays at 8.5 after the drop from 10: once the TWAP window holds only 8.5 the
    // median is no longer under it, and the streak ends before it could count as a slide
    // (70 minutes on, the curve still above its floor of 6.8).
    feed_minutes(&mut s, dec("8.5"), Decimal::one(), AFTER / 60 + 10);
    assert_eq!(since(&s), None);
    waits_like_a_wick(&s, id);
}

#[test]
fn a_slide_ends_with_the_first_update_at_or_above_the_twap() {
    let (mut s, id) = auction(sliding());
    let from = since(&s).unwrap();
    let minutes = (from + AFTER - s.now()) / 60;
    let price = feed_minutes(&mut s, dec("8.5"), dec("0.99"), minutes);
    assert_eq!(s.room("uatom").hole.u128(), 9 * DEPTH);
    // The market jumps back over its TWAP: the cap is the depth's again, the curve anchored.
    let twap = s.oracle_price("uatom").unwrap().twap;
    assert!(twap > price);
    s.advance_time(60);
    s.feed_with_depth("uatom", twap, &[DEPTH; 3]);
    assert_eq!(since(&s), None);
    waits_like_a_wick(&s, id);
}

#[test]
fn slide_parameters_out_of_range_are_refused_and_change_nothing() {
    let mut s = SuiteBuilder::new().build();
    let owner = s.owner.clone();
    let before: ConfigResponse = s.liquidator_query(&QueryMsg::Config {}).unwrap();
    for (slide, error) in [
        (
            Slide {
                after: 59,
                room: dec("3"),
                lows: None,
                deep: None,
                ahead: false,
            },
            "slide.after",
        ),
        (
            Slide {
                after: AFTER,
                room: dec("0.99"),
                lows: None,
                deep: None,
                ahead: false,
            },
            "slide.room",
        ),
        (
            Slide {
                after: AFTER,
                room: dec("10.01"),
                lows: None,
                deep: None,
                ahead: false,
            },
            "slide.room",
        ),
        (
            Slide {
                after: AFTER,
                room: dec("3"),
                lows: Some(59),
                deep: None,
                ahead: false,
            },
            "slide.lows",
        ),
        (
            Slide {
                after: AFTER,
                room: dec("3"),
                lows: Some(AFTER + 1),
                deep: None,
                ahead: false,
            },
            "slide.lows",
        ),
        (
            Slide {
                after: AFTER,
                room: dec("3"),
                lows: None,
                deep: Some(dec("0.99")),
                ahead: false,
            },
            "slide.deep",
        ),
        (
            Slide {
                after: AFTER,
                room: dec("3"),
                lows: None,
                deep: Some(dec("10.01")),
                ahead: false,
            },
            "slide.deep",
        ),
    ] {
        let msg = ExecuteMsg::SetCollateral(CollateralAuction {
            denom: "uatom".to_string(),
            params: params(Some(slide)),
        });
        let err = s.liquidator_execute(&owner, &msg, &[]).unwrap_err();
        assert!(err.to_string().contains(error), "{err}");
    }
    let after: ConfigResponse = s.liquidator_query(&QueryMsg::Config {}).unwrap();
    assert_eq!(before, after);
}

/// The Suite's configured depth of every collateral, the ceiling of any measurement.
const CEILING: u128 = 10_000_000_000;

/// A slide after `AFTER` seconds (the cap three times the depth's), or with `deep` at once
/// while the book holds (the cap then five times the depth's); bidders wait out falls of the
/// oracle's band (3%).
fn deep_params(deep: bool) -> AuctionParams {
    AuctionParams {
        wait_falls: Some(dec("0.03")),
        ..params(Some(Slide {
            after: AFTER,
            room: dec("3"),
            lows: None,
            deep: deep.then(|| dec("5")),
            ahead: false,
        }))
    }
}

/// [`auction`] with `params`: a minute after the drop to 8.5 the feeders report `price` with
/// `book` of depth each (or none).
fn after_a_drop_measuring(params: AuctionParams, price: &str, book: Option<u128>) -> (Suite, u64) {
    let (mut s, id) = liquidated_with(params);
    s.advance_time(60);
    match book {
        Some(depth) => s.feed_with_depth("uatom", dec(price), &[depth; 3]),
        None => s.feed("uatom", dec(price)),
    }
    (s, id)
}

/// Whether a keeper's bid at the ask went through (refused only for waiting out the fall).
fn keeper_buys(s: &mut Suite, id: u64) -> bool {
    let keeper = s.keeper.clone();
    let ask = s.auction(id).price;
    match s.bid(&keeper, id, 10_000_000, ask) {
        Ok(res) => {
            assert_eq!(attr(&res, "slice").unwrap(), "10000000");
            true
        }
        Err(e) => {
            super::fall::refused_for_the_fall(e);
            false
        }
    }
}

/// The oracle's streak of ATOM's median under its TWAP (there must be one).
fn streak(s: &Suite) -> BelowTwap {
    s.oracle_price("uatom")
        .unwrap()
        .below_twap
        .expect("falling")
}

#[test]
fn a_fall_through_a_book_that_holds_is_a_slide_at_once() {
    for deep in [true, false] {
        // A minute after the drop: the median 5.6% under its TWAP (which holds 30 s of 10 and
        // a minute of 8.5), the book at its ceiling.
        let (mut s, id) = after_a_drop_measuring(deep_params(deep), "8.5", Some(CEILING));
        let below = streak(&s);
        assert!(below.shortfall >= dec("0.05"), "{below:?}");
        let q = s.auction(id);
        let elapsed = s.now() - q.started_at;
        if deep {
            // A slide: the curve follows the median, the cap is five times the book's (the
            // budget 3%: 15 times the depth), and bidders buy.
            let expected = 8.5 * 1.1 * 0.97f64.powi((elapsed / 600) as i32);
            assert!((f(q.price) - expected).abs() < 1e-9, "{q:?} vs {expected}");
            assert_eq!(s.room("uatom").hole.u128(), 15 * CEILING);
            assert!(keeper_buys(&mut s, id));
        } else {
            // Without `deep` the same fall is waited out until the hour.
            assert!((f(q.price) - anchored(elapsed)).abs() < 1e-9, "{q:?}");
            assert_eq!(s.room("uatom").hole.u128(), 3 * CEILING);
            assert!(!keeper_buys(&mut s, id));
        }
    }
}

/// [`deep_params`] with a slide by the book, whose curves price ahead of the oracle by the
/// fall while the book holds (`slide.ahead`).
fn ahead_params() -> AuctionParams {
    let mut params = deep_params(true);
    if let Some(slide) = params.slide.as_mut() {
        slide.ahead = true;
    }
    params
}

#[test]
fn a_fall_through_a_book_that_holds_is_priced_ahead_of_the_oracle() {
    // A minute after the drop to 8.5, the book at its ceiling: the curve follows the median
    // ahead by the fall, from 8.5 · (1 − shortfall) rather than 8.5.
    let (mut s, id) = after_a_drop_measuring(ahead_params(), "8.5", Some(CEILING));
    let below = streak(&s);
    assert!(below.shortfall >= dec("0.05"), "{below:?}");
    let q = s.auction(id);
    let elapsed = s.now() - q.started_at;
    let ahead = 8.5 * (1.0 - f(below.shortfall));
    let expected = ahead * 1.1 * 0.97f64.powi((elapsed / 600) as i32);
    assert!((f(q.price) - expected).abs() < 1e-9, "{q:?} vs {expected}");
    // The median's own curve is higher; the floor is the median's.
    let (plain, plain_id) = after_a_drop_measuring(deep_params(true), "8.5", Some(CEILING));
    let at_median = plain.auction(plain_id);
    assert!(q.price < at_median.price, "{q:?} vs {at_median:?}");
    assert_eq!(q.floor, at_median.floor);
    assert!(keeper_buys(&mut s, id));
}

#[test]
fn a_curve_priced_ahead_never_sells_below_the_floor() {
    // −34% in one print with the book intact: ahead by a fall of more than a third the curve
    // would stand under the floor, which stays the median's.
    let (s, id) = after_a_drop_measuring(ahead_params(), "5.6", Some(CEILING));
    let below = streak(&s);
    assert!(below.shortfall >= dec("0.3"), "{below:?}");
    let q = s.auction(id);
    let elapsed = s.now() - q.started_at;
    let curve = 5.6 * (1.0 - f(below.shortfall)) * 1.1 * 0.97f64.powi((elapsed / 600) as i32);
    assert!(curve < f(q.floor), "{q:?} vs {curve}");
    let (plain, plain_id) = after_a_drop_measuring(deep_params(true), "5.6", Some(CEILING));
    assert_eq!(q.floor, plain.auction(plain_id).floor);
    assert_eq!(q.price, q.floor);
    assert!(q.at_floor);
}

/// Adversarial (`Slide::ahead`): lots priced ahead of the oracle sell cheaper, so a feeder that
/// could report a book that holds during a wick would buy them below the market. The honest
/// feeders see half the book gone; one reports a hundred times the ceiling. The depth in force
/// is the lower median of the reports, capped by the ceiling: the fall is waited out like a
/// wick, on the start price's curve.
#[test]
fn a_feeder_reporting_a_deep_book_alone_cannot_price_lots_ahead_of_the_oracle() {
    let (mut s, id) = liquidated_with(ahead_params());
    s.advance_time(60);
    s.feed_with_depth(
        "uatom",
        dec("8.5"),
        &[CEILING / 2, CEILING / 2, 100 * CEILING],
    );
    let o = s.oracle_price("uatom").unwrap();
    assert!(o.below_twap.is_some(), "{o:?}");
    assert_eq!(o.depth, Some(Uint128::new(CEILING / 2)));
    let q = s.auction(id);
    assert!(
        (f(q.price) - anchored(s.now() - q.started_at)).abs() < 1e-9,
        "{q:?}"
    );
    assert!(!keeper_buys(&mut s, id));
}

#[test]
fn a_long_fall_is_judged_from_where_it_began_not_against_its_twap() {
    // From 8.5 the price falls 2% a minute for twenty minutes (to 5.67, 57% of the 10 it fell
    // from) while the feeders measure 65% of the ceiling: the book has lost less than the
    // price. Against the TWAP, which has followed the fall down, the median stands only
    // about 20% under: judged there the book would have lost more than the price and the
    // fall would be waited out.
    let book = CEILING * 65 / 100;
    let (mut s, id) = liquidated_with(deep_params(true));
    let mut price = dec("8.5");
    for _ in 0..20 {
        s.advance_time(60);
        price *= dec("0.98");
        s.feed_with_depth("uatom", price, &[book; 3]);
    }
    let below = streak(&s);
    assert_eq!(below.from, dec("10"), "{below:?}");
    assert!(below.kept < dec("0.58"), "{below:?}");
    assert!(Decimal::one() - below.shortfall > dec("0.65"), "{below:?}");
    // A slide by the book: the curve follows the median, the cap is five times the book's.
    let q = s.auction(id);
    let elapsed = s.now() - q.started_at;
    let expected = f(price) * 1.1 * 0.97f64.powi((elapsed / 600) as i32);
    assert!((f(q.price) - expected).abs() < 1e-6, "{q:?} vs {expected}");
    assert_eq!(s.room("uatom").hole.u128(), 15 * book);
    assert!(keeper_buys(&mut s, id));
}

#[test]
fn a_fall_that_drains_the_book_faster_than_the_price_is_waited_out() {
    // The price 5.6% under its TWAP, the book at half its ceiling or 84% of it: a hole in the
    // book, not a market trading down through it, and nothing is priced ahead of it. Without a
    // measured depth nothing is known of the book.
    for (params, book) in [
        (deep_params(true), Some(CEILING / 2)),
        (deep_params(true), Some(CEILING * 84 / 100)),
        (deep_params(true), None),
        (ahead_params(), Some(CEILING / 2)),
        (ahead_params(), None),
    ] {
        let (mut s, id) = after_a_drop_measuring(params, "8.5", book);
        assert!(s.oracle_price("uatom").unwrap().below_twap.is_some());
        let q = s.auction(id);
        assert!(
            (f(q.price) - anchored(s.now() - q.started_at)).abs() < 1e-9,
            "{q:?}"
        );
        let depth = book.unwrap_or(CEILING);
        assert_eq!(s.room("uatom").hole.u128(), 3 * depth, "{book:?}");
        assert!(!keeper_buys(&mut s, id), "{book:?}");
    }
}

#[test]
fn a_sliding_auction_follows_the_median_while_the_oracle_halts() {
    // −34% in one print with the book intact: the oracle halts ATOM (its TWAP still at 9),
    // and the fall is a slide by its book.
    let (s, id) = after_a_drop_measuring(deep_params(true), "5.6", Some(CEILING));
    let o = s.oracle_price("uatom").unwrap();
    assert!(!o.status.is_active(), "{:?}", o.status);
    assert!(o.twap >= dec("9"), "{o:?}");
    let q = s.auction(id);
    let elapsed = s.now() - q.started_at;
    let expected = 5.6 * 1.1 * 0.97f64.powi((elapsed / 600) as i32);
    assert!((f(q.price) - expected).abs() < 1e-9, "{q:?} vs {expected}");
    // Following the oracle without a slide, the same halt prices from the TWAP (a wick's
    // protection, which a slide does not need).
    let following = AuctionParams {
        follow_oracle: true,
        ..deep_params(false)
    };
    let (s, id) = after_a_drop_measuring(following, "5.6", Some(CEILING));
    assert!(s.auction(id).price > o.twap, "{:?}", s.auction(id));
}
