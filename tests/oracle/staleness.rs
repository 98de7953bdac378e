//! Staleness is evaluated at query time.
use super::status;
use breakwater_testing::{dec, SuiteBuilder};
use breakwater_types::oracle::{OracleParams, OracleStatus, PricesResponse, QueryMsg};

#[test]
fn a_price_goes_stale_at_query_time_when_its_quorum_ages_out() {
    let mut suite = SuiteBuilder::new().build();
    let fed_at = suite.now();
    let p = suite.oracle_price("uatom").unwrap();
    assert_eq!(p.fresh_until, fed_at + 60);

    suite.advance_time(60);
    assert_eq!(status(&suite, "uatom"), OracleStatus::Active {});
    suite.advance_time(1);
    let p = suite.oracle_price("uatom").unwrap();
    assert_eq!(p.status, OracleStatus::Stale { since: fed_at + 60 });
    // The record itself is unchanged: only the status reflects the age.
    assert_eq!(p.median, dec("10"));
    assert_eq!(p.updated_at, fed_at);

    // Every price of the page is evaluated the same way.
    let all: PricesResponse = suite
        .oracle_query(&QueryMsg::Prices {
            start_after: None,
            limit: None,
        })
        .unwrap();
    assert_eq!(all.prices.len(), 3);
    assert!(all
        .prices
        .iter()
        .all(|p| p.status == OracleStatus::Stale { since: fed_at + 60 }));
}

#[test]
fn fresh_until_follows_the_quorum_th_newest_submission() {
    let mut suite = SuiteBuilder::new().build();
    let f = suite.feeders.clone();
    let t0 = suite.now();
    suite.advance_time(20);
    suite.submit_prices(&f[0], &[("uatom", dec("10"))]).unwrap();
    // Quorum of two: the newest is at t0+20, the second newest at t0.
    assert_eq!(suite.oracle_price("uatom").unwrap().fresh_until, t0 + 60);
    suite.advance_time(20);
    suite.submit_prices(&f[1], &[("uatom", dec("10"))]).unwrap();
    assert_eq!(suite.oracle_price("uatom").unwrap().fresh_until, t0 + 80);
    suite.advance_time(40);
    assert_eq!(status(&suite, "uatom"), OracleStatus::Active {});
    suite.advance_time(1);
    assert_eq!(
        status(&suite, "uatom"),
        OracleStatus::Stale { since: t0 + 80 }
    );
    // One feeder alone is no quorum.
    suite.submit_prices(&f[1], &[("uatom", dec("10"))]).unwrap();
    assert_eq!(
        status(&suite, "uatom"),
        OracleStatus::NoQuorum {
            since: suite.now(),
            fresh: 1,
            required: 2,
        }
    );
}

#[test]
fn a_stale_price_needs_a_cooldown_of_fresh_updates_before_it_is_active_again() {
    let params = OracleParams {
        min_feeders: 1,
        ..OracleParams::default()
    };
    let mut suite = SuiteBuilder::new().oracle_params(params).build();
    let t0 = suite.now();
    suite.advance_time(100);
    assert_eq!(
        status(&suite, "uatom"),
        OracleStatus::Stale { since: t0 + 60 }
    );

    // A fresh quorum is back, but the asset stays flagged until 300 s of healthy updates.
    suite.feed("uatom", dec("10"));
    let back = suite.now();
    assert_eq!(
        status(&suite, "uatom"),
        OracleStatus::Stale { since: t0 + 60 }
    );
    while suite.now() < back + 270 {
        suite.advance_time(30);
        suite.feed("uatom", dec("10"));
        assert_eq!(
            status(&suite, "uatom"),
            OracleStatus::Stale { since: t0 + 60 },
            "active {} s after recovering",
            suite.now() - back
        );
    }
    suite.advance_time(30);
    suite.feed("uatom", dec("10"));
    assert_eq!(status(&suite, "uatom"), OracleStatus::Active {});
}

#[test]
fn a_stale_gap_restarts_the_healthy_streak() {
    let params = OracleParams {
        min_feeders: 1,
        ..OracleParams::default()
    };
    let mut suite = SuiteBuilder::new().oracle_params(params).build();
    suite.advance_time(100);
    suite.feed("uatom", dec("10"));
    // 200 s of healthy updates, then a gap longer than max_age.
    for _ in 0..4 {
        suite.advance_time(50);
        suite.feed("uatom", dec("10"));
    }
    suite.advance_time(90);
    suite.feed("uatom", dec("10"));
    let restart = suite.now();
    // Counted from the first recovery it would turn active 50 s after the gap; counted from
    // the gap it takes 300 s.
    while suite.now() < restart + 290 {
        suite.advance_time(50);
        suite.feed("uatom", dec("10"));
        if suite.now() - restart < 300 {
            assert!(matches!(
                status(&suite, "uatom"),
                OracleStatus::Stale { .. }
            ));
        }
    }
    suite.advance_time(50);
    suite.feed("uatom", dec("10"));
    assert_eq!(status(&suite, "uatom"), OracleStatus::Active {});
}

#[test]
fn with_a_quorum_of_two_a_stale_asset_recovers_through_no_quorum_then_cooldown() {
    let mut suite = SuiteBuilder::new().build();
    let f = suite.feeders.clone();
    suite.advance_time(100);
    // The first feeder back is alone: no quorum yet.
    suite.submit_prices(&f[0], &[("uatom", dec("10"))]).unwrap();
    let since = suite.now();
    assert_eq!(
        status(&suite, "uatom"),
        OracleStatus::NoQuorum {
            since,
            fresh: 1,
            required: 2,
        }
    );
    suite.submit_prices(&f[1], &[("uatom", dec("10"))]).unwrap();
    assert!(matches!(
        status(&suite, "uatom"),
        OracleStatus::NoQuorum { .. }
    ));
    for _ in 0..10 {
        suite.advance_time(30);
        suite.feed("uatom", dec("10"));
    }
    assert_eq!(status(&suite, "uatom"), OracleStatus::Active {});
}
