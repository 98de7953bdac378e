//! Medianization, outlier exclusion and quorum.
use super::{price_event_attr, status};
use breakwater_testing::{dec, SuiteBuilder};
use breakwater_types::oracle::{ExcludedFeeder, OracleParams, OracleStatus};

#[test]
fn honest_feeders_set_the_median_of_their_prices() {
    let mut suite = SuiteBuilder::new().build();
    let f = suite.feeders.clone();
    suite.advance_time(10);
    suite
        .submit_prices(&f[0], &[("uatom", dec("10.1"))])
        .unwrap();
    suite
        .submit_prices(&f[1], &[("uatom", dec("10.3"))])
        .unwrap();
    suite
        .submit_prices(&f[2], &[("uatom", dec("10.2"))])
        .unwrap();

    let p = suite.oracle_price("uatom").unwrap();
    assert_eq!(p.median, dec("10.2"));
    assert_eq!(p.status, OracleStatus::Active {});
    assert_eq!(p.feeders_used.len(), 3);
    assert!(p.feeders_excluded.is_empty());
    assert_eq!(p.updated_at, suite.now());
    // All three submitted now; the quorum of two stays fresh for max_age.
    assert_eq!(p.fresh_until, suite.now() + 60);
    // The other assets keep their build-time prices.
    assert_eq!(suite.oracle_price("ueth").unwrap().median, dec("3000"));
    assert_eq!(suite.oracle_price("uosmo").unwrap().median, dec("0.5"));
}

#[test]
fn an_even_number_of_feeders_takes_the_midpoint() {
    let mut suite = SuiteBuilder::new().feeders(4).build();
    let f = suite.feeders.clone();
    suite.advance_time(10);
    for (feeder, price) in f.iter().zip(["10", "10.2", "10.4", "10.6"]) {
        suite
            .submit_prices(feeder, &[("uatom", dec(price))])
            .unwrap();
    }
    assert_eq!(suite.oracle_price("uatom").unwrap().median, dec("10.3"));
}

#[test]
fn one_lying_feeder_is_excluded_from_the_median_and_reported() {
    let mut suite = SuiteBuilder::new().feeders(4).build();
    let f = suite.feeders.clone();
    suite.advance_time(10);
    suite.submit_prices(&f[0], &[("uatom", dec("10"))]).unwrap();
    suite
        .submit_prices(&f[1], &[("uatom", dec("10.1"))])
        .unwrap();
    suite
        .submit_prices(&f[2], &[("uatom", dec("9.9"))])
        .unwrap();
    let res = suite.submit_prices(&f[3], &[("uatom", dec("15"))]).unwrap();

    let p = suite.oracle_price("uatom").unwrap();
    assert_eq!(p.median, dec("10"));
    assert_eq!(p.status, OracleStatus::Active {});
    assert_eq!(
        p.feeders_excluded,
        vec![ExcludedFeeder {
            feeder: f[3].to_string(),
            price: dec("15"),
        }]
    );
    assert_eq!(p.feeders_used.len(), 3);
    assert!(!p.feeders_used.contains(&f[3].to_string()));

    // Bots can follow it from the event.
    assert_eq!(
        price_event_attr(&res, "uatom", "median").as_deref(),
        Some("10")
    );
    assert_eq!(
        price_event_attr(&res, "uatom", "feeders_used").as_deref(),
        Some("3")
    );
    assert_eq!(
        price_event_attr(&res, "uatom", "feeders_excluded").as_deref(),
        Some("1")
    );
    assert_eq!(
        price_event_attr(&res, "uatom", "status").as_deref(),
        Some("active")
    );
    assert_eq!(
        price_event_attr(&res, "uatom", "price").as_deref(),
        Some("15")
    );
}

#[test]
fn colluding_feeders_that_split_the_set_leave_no_quorum_and_the_last_price() {
    let params = OracleParams {
        min_feeders: 3,
        ..OracleParams::default()
    };
    let mut suite = SuiteBuilder::new().oracle_params(params).feeders(4).build();
    let f = suite.feeders.clone();
    suite.advance_time(10);
    suite.submit_prices(&f[0], &[("uatom", dec("10"))]).unwrap();
    suite.submit_prices(&f[1], &[("uatom", dec("10"))]).unwrap();
    suite.submit_prices(&f[2], &[("uatom", dec("20"))]).unwrap();
    // Still a quorum of three agreeing at 10: the first colluder is an outlier.
    assert_eq!(status(&suite, "uatom"), OracleStatus::Active {});
    let since = suite.now();
    let res = suite.submit_prices(&f[3], &[("uatom", dec("20"))]).unwrap();
    assert_eq!(
        price_event_attr(&res, "uatom", "status").as_deref(),
        Some("no_quorum")
    );

    // 10,10,20,20: the first-pass median is 15 and every price is 33% away from it.
    let p = suite.oracle_price("uatom").unwrap();
    assert_eq!(
        p.status,
        OracleStatus::NoQuorum {
            since,
            fresh: 0,
            required: 3,
        }
    );
    // The last quorum price is kept, not replaced by the colluders'.
    assert_eq!(p.median, dec("10"));

    // `since` keeps the start of the episode.
    suite.advance_time(10);
    suite.submit_prices(&f[2], &[("uatom", dec("20"))]).unwrap();
    assert!(matches!(
        status(&suite, "uatom"),
        OracleStatus::NoQuorum { since: s, .. } if s == since
    ));
}

#[test]
fn a_liar_inside_a_bare_quorum_leaves_no_quorum() {
    let params = OracleParams {
        min_feeders: 3,
        ..OracleParams::default()
    };
    let mut suite = SuiteBuilder::new().oracle_params(params).build();
    let f = suite.feeders.clone();
    suite.advance_time(10);
    suite.submit_prices(&f[0], &[("uatom", dec("11"))]).unwrap();
    suite.submit_prices(&f[1], &[("uatom", dec("11"))]).unwrap();
    suite.submit_prices(&f[2], &[("uatom", dec("30"))]).unwrap();
    let p = suite.oracle_price("uatom").unwrap();
    assert_eq!(
        p.status,
        OracleStatus::NoQuorum {
            since: suite.now(),
            fresh: 2,
            required: 3,
        }
    );
    // The last quorum price (11, set by f1) is kept.
    assert_eq!(p.median, dec("11"));
}

#[test]
fn no_quorum_clears_only_after_a_cooldown_of_healthy_updates() {
    let params = OracleParams {
        min_feeders: 3,
        ..OracleParams::default()
    };
    let mut suite = SuiteBuilder::new().oracle_params(params).build();
    let f = suite.feeders.clone();
    suite.advance_time(10);
    suite.submit_prices(&f[2], &[("uatom", dec("30"))]).unwrap();
    assert!(matches!(
        status(&suite, "uatom"),
        OracleStatus::NoQuorum { .. }
    ));

    // The liar comes back to the honest price: healthy updates from now on.
    let mut elapsed = 0;
    while elapsed < 290 {
        suite.advance_time(30);
        elapsed += 30;
        suite.feed("uatom", dec("10"));
        assert!(
            matches!(status(&suite, "uatom"), OracleStatus::NoQuorum { .. }),
            "active after {elapsed} s of healthy updates"
        );
    }
    suite.advance_time(30);
    suite.feed("uatom", dec("10"));
    assert_eq!(status(&suite, "uatom"), OracleStatus::Active {});
}
