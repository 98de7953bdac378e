//! The circuit breaker: a median too far from the TWAP halts the asset.
use super::{price_event_attr, status};
use breakwater_testing::{dec, Suite, SuiteBuilder};
use breakwater_types::oracle::{OracleParams, OracleStatus};

/// Feeds `price` for `denom` every 30 s for `secs` seconds.
fn feed_for(suite: &mut Suite, denom: &str, price: &str, secs: u64) {
    let end = suite.now() + secs;
    while suite.now() < end {
        suite.advance_time(30);
        suite.feed(denom, dec(price));
    }
}

#[test]
fn a_jump_beyond_breaker_move_from_the_twap_halts_the_asset() {
    let mut suite = SuiteBuilder::new().build();
    let f = suite.feeders.clone();
    feed_for(&mut suite, "uatom", "10", 1800);
    assert_eq!(suite.oracle_price("uatom").unwrap().twap, dec("10"));

    suite.advance_time(30);
    let tripped_at = suite.now();
    // The first feeder at 13 is an outlier; the second moves the median to 13 (+30%).
    suite.submit_prices(&f[0], &[("uatom", dec("13"))]).unwrap();
    assert_eq!(status(&suite, "uatom"), OracleStatus::Active {});
    let res = suite.submit_prices(&f[1], &[("uatom", dec("13"))]).unwrap();
    assert_eq!(
        price_event_attr(&res, "uatom", "status").as_deref(),
        Some("halted")
    );
    assert_eq!(
        price_event_attr(&res, "uatom", "jump").as_deref(),
        Some("0.3")
    );
    suite.submit_prices(&f[2], &[("uatom", dec("13"))]).unwrap();

    let p = suite.oracle_price("uatom").unwrap();
    assert_eq!(
        p.status,
        OracleStatus::Halted {
            since: tripped_at,
            jump: dec("0.3"),
        }
    );
    // The median is what the feeders say; dependents pause on the status.
    assert_eq!(p.median, dec("13"));
    // Other assets are not affected (ueth was never refreshed, so it is merely stale).
    assert!(matches!(status(&suite, "ueth"), OracleStatus::Stale { .. }));
}

#[test]
fn a_halted_asset_stays_halted_until_a_cooldown_of_healthy_updates() {
    let mut suite = SuiteBuilder::new().build();
    feed_for(&mut suite, "uatom", "10", 1800);
    suite.advance_time(30);
    suite.feed("uatom", dec("13"));
    let tripped_at = suite.now();
    assert!(matches!(
        status(&suite, "uatom"),
        OracleStatus::Halted { since, .. } if since == tripped_at
    ));

    // The TWAP needs ~240 s at 13 to come within 25% of it; the jump shrinks meanwhile and
    // `since` stays the moment of the trip.
    feed_for(&mut suite, "uatom", "13", 210);
    match status(&suite, "uatom") {
        OracleStatus::Halted { since, jump } => {
            assert_eq!(since, tripped_at);
            assert!(jump > dec("0.25") && jump < dec("0.3"), "{jump}");
        }
        other => panic!("expected halted, got {other:?}"),
    }
    // Healthy from ~240-270 s on, but the cooldown of 300 s is not over at 510 s.
    feed_for(&mut suite, "uatom", "13", 300);
    assert!(matches!(
        status(&suite, "uatom"),
        OracleStatus::Halted { since, .. } if since == tripped_at
    ));
    // By 600 s the healthy streak has lasted 300 s.
    feed_for(&mut suite, "uatom", "13", 90);
    assert_eq!(status(&suite, "uatom"), OracleStatus::Active {});
    assert_eq!(suite.oracle_price("uatom").unwrap().median, dec("13"));
}

#[test]
fn a_new_jump_during_the_cooldown_restarts_it() {
    let params = OracleParams {
        min_feeders: 2,
        cooldown: 120,
        ..OracleParams::default()
    };
    let mut suite = SuiteBuilder::new().oracle_params(params).build();
    feed_for(&mut suite, "uatom", "10", 1800);
    suite.advance_time(30);
    suite.feed("uatom", dec("13"));
    let first_trip = suite.now();
    // Back to 10 at once: healthy against a TWAP of ~10, the streak starts.
    feed_for(&mut suite, "uatom", "10", 90);
    assert!(matches!(
        status(&suite, "uatom"),
        OracleStatus::Halted { .. }
    ));
    // A second jump trips again before the streak completes: `since` is kept.
    suite.advance_time(30);
    suite.feed("uatom", dec("7"));
    assert!(matches!(
        status(&suite, "uatom"),
        OracleStatus::Halted { since, .. } if since == first_trip
    ));
    // Back to 10: only 120 s of healthy updates from here clear it.
    suite.advance_time(30);
    suite.feed("uatom", dec("10"));
    let healthy_from = suite.now();
    feed_for(&mut suite, "uatom", "10", 90);
    assert!(matches!(
        status(&suite, "uatom"),
        OracleStatus::Halted { .. }
    ));
    feed_for(&mut suite, "uatom", "10", 30);
    assert_eq!(suite.now(), healthy_from + 120);
    assert_eq!(status(&suite, "uatom"), OracleStatus::Active {});
}

#[test]
fn a_move_within_breaker_move_does_not_halt() {
    let mut suite = SuiteBuilder::new().build();
    feed_for(&mut suite, "uatom", "10", 600);
    suite.advance_time(30);
    suite.feed("uatom", dec("12"));
    assert_eq!(status(&suite, "uatom"), OracleStatus::Active {});
    assert_eq!(suite.oracle_price("uatom").unwrap().median, dec("12"));
}

/// Each feeder measures this much depth per 1% move before a fall.
const DEPTH: u128 = 1_000_000_000;

/// The Suite's oracle with the breaker reading the book (`breaker_book`), the feeders measuring
/// `DEPTH` at 10 for half an hour.
fn reading_the_book(on: bool) -> Suite {
    let mut suite = book_suite(on);
    for _ in 0..60 {
        suite.advance_time(30);
        suite.feed_with_depth("uatom", dec("10"), &[DEPTH; 3]);
    }
    suite
}

/// Whether the oracle holds uatom halted.
fn halted(suite: &Suite) -> bool {
    matches!(status(suite, "uatom"), OracleStatus::Halted { .. })
}

/// The Suite with its oracle's `breaker_book` as given.
fn book_suite(on: bool) -> Suite {
    let params = OracleParams {
        min_feeders: 2,
        breaker_book: on,
        ..OracleParams::default()
    };
    SuiteBuilder::new().oracle_params(params).build()
}

/// Every feeder prints `price` with `depth` in the next block; the event of the last one.
fn fall_to(suite: &mut Suite, price: &str, depth: u128) -> cw_multi_test::AppResponse {
    suite.advance_time(30);
    let f = suite.feeders.clone();
    let mut last = None;
    for feeder in &f {
        last = Some(
            suite
                .submit_price_with_depth(feeder, "uatom", dec(price), depth)
                .unwrap(),
        );
    }
    last.unwrap()
}

#[test]
fn a_fall_through_a_book_that_holds_does_not_halt() {
    // −35% with 70% of the depth left: the book kept more than the price's share (65%).
    let mut suite = reading_the_book(true);
    let res = fall_to(&mut suite, "6.5", DEPTH * 7 / 10);
    assert_eq!(status(&suite, "uatom"), OracleStatus::Active {});
    assert_eq!(
        price_event_attr(&res, "uatom", "book_held").as_deref(),
        Some("true")
    );
    let p = suite.oracle_price("uatom").unwrap();
    assert_eq!(p.median, dec("6.5"));
    // The fall's streak carries the depth it is judged against: the one before it began.
    let below = p.below_twap.unwrap();
    assert_eq!(below.depth, Some(cosmwasm_std::Uint128::new(DEPTH)));
    assert_eq!(below.from, dec("10"));
    // It stays the reference while the fall goes on, as does the price it fell from, while the
    // TWAP follows the fall down: 5.5 with 60% of the book (55% needed) is a hold too.
    fall_to(&mut suite, "5.5", DEPTH * 6 / 10);
    assert_eq!(status(&suite, "uatom"), OracleStatus::Active {});
    assert_eq!(
        suite
            .oracle_price("uatom")
            .unwrap()
            .below_twap
            .unwrap()
            .depth,
        Some(cosmwasm_std::Uint128::new(DEPTH))
    );

    // Without the rule the same fall halts.
    let mut suite = reading_the_book(false);
    let res = fall_to(&mut suite, "6.5", DEPTH * 7 / 10);
    assert!(halted(&suite));
    assert_eq!(price_event_attr(&res, "uatom", "book_held"), None);
}

#[test]
fn a_wick_that_drains_the_book_still_halts() {
    // −35% with 64% of the depth left (⌈10^9 · 0.65⌉ needed): a hole in the book.
    let mut suite = reading_the_book(true);
    let res = fall_to(&mut suite, "6.5", DEPTH * 64 / 100);
    assert!(halted(&suite));
    assert_eq!(price_event_attr(&res, "uatom", "book_held"), None);
    // And a halted asset is not cleared by a later update whose book holds until the cooldown
    // of such updates is over: the book holding counts as a healthy update, no more.
    fall_to(&mut suite, "6.5", DEPTH);
    assert!(halted(&suite));
}

#[test]
fn a_jump_up_halts_whatever_the_book() {
    let mut suite = reading_the_book(true);
    let res = fall_to(&mut suite, "13.5", DEPTH * 2);
    assert!(halted(&suite));
    assert_eq!(price_event_attr(&res, "uatom", "book_held"), None);
}

#[test]
fn a_fall_with_no_depth_measured_before_it_halts() {
    // The feeders measured nothing before the fall: there is no reference to hold against.
    let mut suite = book_suite(true);
    feed_for(&mut suite, "uatom", "10", 1800);
    fall_to(&mut suite, "6.5", DEPTH);
    assert!(halted(&suite));
}

#[test]
fn a_feeder_a_block_behind_the_fall_does_not_make_a_book_that_holds_halt() {
    // −30% with 72% of the book: a hold.
    let mut suite = reading_the_book(true);
    fall_to(&mut suite, "7", DEPTH * 72 / 100);
    assert_eq!(status(&suite, "uatom"), OracleStatus::Active {});
    // Next block two feeders see 6.5 with 65.5% of the book (65% needed); the third's 7 is
    // still fresh and kept. The fall is judged on the median, not on the price a feeder saw a
    // block ago against the depths reported now (which would need 70%).
    suite.advance_time(30);
    let f = suite.feeders.clone();
    for feeder in &f[..2] {
        suite
            .submit_price_with_depth(feeder, "uatom", dec("6.5"), DEPTH * 655 / 1000)
            .unwrap();
    }
    let p = suite.oracle_price("uatom").unwrap();
    assert_eq!(p.median, dec("6.5"));
    assert_eq!(p.status, OracleStatus::Active {});
}
