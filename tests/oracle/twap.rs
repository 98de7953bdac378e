//! Time-weighted average price, realized volatility and the bounded observation ring.
use breakwater_testing::{dec, Suite, SuiteBuilder};
use breakwater_types::oracle::{AssetResponse, ExecuteMsg, OracleParams, OracleStatus, QueryMsg};
use breakwater_types::SECONDS_PER_YEAR;
use cosmwasm_std::Decimal;

/// Parameters with a breaker that never trips, so only the averages are under test.
fn no_breaker(twap_window: u64, twap_capacity: u32) -> OracleParams {
    OracleParams {
        min_feeders: 2,
        breaker_move: dec("10"),
        twap_window,
        twap_capacity,
        ..OracleParams::default()
    }
}

fn f(x: Decimal) -> f64 {
    x.to_string().parse().unwrap()
}

#[test]
fn the_twap_weights_each_price_by_how_long_it_held() {
    let mut suite = SuiteBuilder::new()
        .oracle_params(no_breaker(600, 60))
        .no_initial_prices()
        .build();
    suite.feed("uatom", dec("100"));
    suite.advance_time(30);
    suite.feed("uatom", dec("200"));
    let p = suite.oracle_price("uatom").unwrap();
    assert_eq!(p.median, dec("200"));
    // The new price has not held for any time yet.
    assert_eq!(p.twap, dec("100"));

    suite.advance_time(10);
    suite.feed("uatom", dec("200"));
    // 100 for 30 s, then 200 for 10 s: (3000 + 2000) / 40.
    assert_eq!(suite.oracle_price("uatom").unwrap().twap, dec("125"));

    // 200 every 30 s until t0+610: the window (600 s) starts at the checkpoint at t0.
    for _ in 0..19 {
        suite.advance_time(30);
        suite.feed("uatom", dec("200"));
    }
    assert_eq!(
        suite.oracle_price("uatom").unwrap().twap,
        Decimal::from_ratio(100u64 * 30 + 200 * 580, 610u64)
    );
    // Once the window has slid past the 100 period the TWAP is exactly 200.
    suite.advance_time(30);
    suite.feed("uatom", dec("200"));
    assert_eq!(suite.oracle_price("uatom").unwrap().twap, dec("200"));
}

/// The raw storage key of ring slot `slot` of `denom` (cw-storage-plus layout of
/// `Map<(&str, u32), _>` named "ring").
fn ring_key(denom: &str, slot: u32) -> Vec<u8> {
    let mut key = vec![0, 4];
    key.extend_from_slice(b"ring");
    key.extend_from_slice(&(denom.len() as u16).to_be_bytes());
    key.extend_from_slice(denom.as_bytes());
    key.extend_from_slice(&slot.to_be_bytes());
    key
}

fn ring_slot_exists(suite: &Suite, denom: &str, slot: u32) -> bool {
    suite
        .app
        .wrap()
        .query_wasm_raw(suite.oracle.to_string(), ring_key(denom, slot))
        .unwrap()
        .is_some()
}

#[test]
fn the_ring_buffer_stays_bounded_and_the_twap_stays_right() {
    // Window 60 s over 4 slots: a checkpoint every 15 s, the ring spans 45 s.
    let mut suite = SuiteBuilder::new()
        .oracle_params(no_breaker(60, 4))
        .no_initial_prices()
        .build();
    suite.feed("uatom", dec("10"));
    for _ in 0..100 {
        suite.advance_time(15);
        suite.feed("uatom", dec("10"));
    }
    let p = suite.oracle_price("uatom").unwrap();
    assert_eq!(p.twap, dec("10"));
    assert_eq!(p.volatility, Decimal::zero());

    suite.advance_time(15);
    suite.feed("uatom", dec("12"));
    assert_eq!(suite.oracle_price("uatom").unwrap().twap, dec("10"));
    suite.advance_time(15);
    suite.feed("uatom", dec("12"));
    // Checkpoints at -30, -15, 0 (the move) and +15: 10 for 30 s then 12 for 15 s.
    let p = suite.oracle_price("uatom").unwrap();
    assert_eq!(p.twap, Decimal::from_ratio(10u64 * 30 + 12 * 15, 45u64));
    assert!(p.volatility > Decimal::zero());

    // A full ring later the move has left the window.
    for _ in 0..4 {
        suite.advance_time(15);
        suite.feed("uatom", dec("12"));
    }
    let p = suite.oracle_price("uatom").unwrap();
    assert_eq!(p.twap, dec("12"));
    assert_eq!(p.volatility, Decimal::zero());
    assert_eq!(p.status, OracleStatus::Active {});

    // 106 checkpoints were due, only the 4 slots exist.
    for slot in 0..4 {
        assert!(ring_slot_exists(&suite, "uatom", slot), "slot {slot}");
    }
    for slot in 4..128 {
        assert!(!ring_slot_exists(&suite, "uatom", slot), "slot {slot}");
    }
}

/// Volatility is read from the five-minute averages (a sixth of the default 30-minute window):
/// ETH flipping ±5% every 30 s averages out inside each interval, the same flips every five
/// minutes read as far more than the 80% reference; a flat price reads zero.
#[test]
fn volatility_reads_moves_between_sampling_intervals_not_flips_inside_them() {
    let mut suite = SuiteBuilder::new().build();
    let chop = |suite: &mut Suite, every: u64| {
        for k in 1..=60u64 {
            suite.advance_time(30);
            let eth = if (k / every) % 2 == 1 { "3150" } else { "3000" };
            suite.feed_many(&[
                ("uatom".to_string(), dec("10")),
                ("ueth".to_string(), dec(eth)),
            ]);
        }
    };
    chop(&mut suite, 1);
    let flat = suite.oracle_price("uatom").unwrap();
    assert_eq!(flat.volatility, Decimal::zero());
    assert_eq!(flat.twap, dec("10"));
    let inside = suite.oracle_price("ueth").unwrap();
    assert!(inside.volatility < dec("0.01"), "{}", inside.volatility);

    chop(&mut suite, 10);
    let across = suite.oracle_price("ueth").unwrap();
    // Six 5% returns in the window: sqrt(1.5 · 6 · 0.05² / 1,800 · year) ≈ 16.
    let reference = (1.5 * 6.0 * 0.05f64.powi(2) / 1_800.0 * SECONDS_PER_YEAR as f64).sqrt();
    let got = f(across.volatility);
    assert!(
        (got - reference).abs() <= reference * 0.1,
        "{got} vs {reference}"
    );
    assert_eq!(across.status, OracleStatus::Active {});
}

#[test]
fn changing_the_twap_capacity_restarts_the_window() {
    let params = no_breaker(1800, 120);
    let mut suite = SuiteBuilder::new().oracle_params(params.clone()).build();
    // uatom and ueth follow the same path (10 then 20, and 3000 then 6000); only uatom's
    // capacity changes.
    let both = |atom: &str, eth: &str| {
        vec![
            ("uatom".to_string(), dec(atom)),
            ("ueth".to_string(), dec(eth)),
        ]
    };
    for _ in 0..20 {
        suite.advance_time(30);
        suite.feed_many(&both("10", "3000"));
    }
    suite.advance_time(30);
    suite.feed_many(&both("20", "6000"));

    let new_params = OracleParams {
        twap_capacity: 60,
        ..params
    };
    let owner = suite.owner.clone();
    suite
        .oracle_execute(
            &owner,
            &ExecuteMsg::UpdateAssetParams {
                denom: "uatom".to_string(),
                params: new_params.clone(),
            },
            &[],
        )
        .unwrap();
    let asset: AssetResponse = suite
        .oracle_query(&QueryMsg::Asset {
            denom: "uatom".to_string(),
        })
        .unwrap();
    assert_eq!(asset.params, new_params);

    // Only the latest observation (20) is left, so the TWAP restarts from it.
    suite.advance_time(30);
    suite.feed_many(&both("20", "6000"));
    assert_eq!(suite.oracle_price("uatom").unwrap().twap, dec("20"));

    // Without the change the old prices still weigh in: 3000 for 630 s, 6000 for 30 s.
    assert_eq!(
        suite.oracle_price("ueth").unwrap().twap,
        Decimal::from_ratio(3000u64 * 630 + 6000 * 30, 660u64)
    );
}

/// Issue 14 (`PriceResponse::below_twap`): the oracle keeps the time since which its median has
/// stood below its TWAP at every update, and how far below it stands, so a fall that outlasts a
/// wick can be told from one that does not.
#[test]
fn the_oracle_clocks_how_long_the_median_stays_below_its_twap() {
    let mut suite = SuiteBuilder::new()
        .oracle_params(no_breaker(600, 60))
        .no_initial_prices()
        .build();
    suite.feed("uatom", dec("100"));
    suite.advance_time(60);
    suite.feed("uatom", dec("100"));
    // At the TWAP: no streak.
    assert_eq!(suite.oracle_price("uatom").unwrap().below_twap, None);
    // A drop: the median under its TWAP from this update on, by 1 − 90 / TWAP (rounded down).
    suite.advance_time(60);
    let t0 = suite.now();
    suite.feed("uatom", dec("90"));
    let p = suite.oracle_price("uatom").unwrap();
    let below = p.below_twap.unwrap();
    assert_eq!(below.since, t0);
    assert_eq!(p.twap, dec("100"), "the new price has held for no time yet");
    assert_eq!(below.shortfall, dec("0.1"));
    // Flat after the drop: the streak goes on while the window still holds the old level...
    for _ in 0..9 {
        suite.advance_time(60);
        suite.feed("uatom", dec("90"));
        let p = suite.oracle_price("uatom").unwrap();
        assert!(p.median < p.twap);
        let below = p.below_twap.unwrap();
        assert_eq!(below.since, t0);
        // Rounded down: never more than the true shortfall.
        assert!(below.shortfall <= Decimal::one() - p.median / p.twap);
        assert!(below.shortfall > Decimal::zero());
    }
    // ...and ends once the window has slid past it: the TWAP is the new level.
    suite.advance_time(60);
    suite.feed("uatom", dec("90"));
    let p = suite.oracle_price("uatom").unwrap();
    assert_eq!(p.twap, dec("90"));
    assert_eq!(p.below_twap, None);
    // A market that keeps falling keeps the median under its TWAP: the streak runs on for
    // longer than any window.
    suite.advance_time(60);
    let t1 = suite.now();
    let mut price = dec("90");
    for _ in 0..30 {
        price *= dec("0.99");
        suite.feed("uatom", price);
        let below = suite.oracle_price("uatom").unwrap().below_twap.unwrap();
        assert_eq!(below.since, t1);
        suite.advance_time(60);
    }
    // One update at or above the TWAP ends it.
    suite.feed("uatom", dec("100"));
    assert_eq!(suite.oracle_price("uatom").unwrap().below_twap, None);
}

/// The streak records its lowest median and when it was made: a bounce that stays under the
/// TWAP keeps both, a lower median moves them, and a new streak starts from its own median.
#[test]
fn the_streak_records_its_low_and_when_the_median_made_it() {
    let mut suite = at_100_for_ten_minutes();
    let t0 = suite.now();
    assert_eq!(streak_after(&mut suite, "90"), (t0, dec("90"), t0));
    // A bounce still under the TWAP: not a new low.
    suite.advance_time(60);
    assert_eq!(streak_after(&mut suite, "92"), (t0, dec("90"), t0));
    // The same low again is not a new one either; a lower median is.
    suite.advance_time(60);
    assert_eq!(streak_after(&mut suite, "90"), (t0, dec("90"), t0));
    suite.advance_time(60);
    let t1 = suite.now();
    assert_eq!(streak_after(&mut suite, "85"), (t0, dec("85"), t1));
    // Back at the TWAP the streak ends; the next one starts from its own median.
    suite.advance_time(60);
    suite.feed("uatom", dec("100"));
    assert_eq!(suite.oracle_price("uatom").unwrap().below_twap, None);
    suite.advance_time(60);
    let t2 = suite.now();
    assert_eq!(streak_after(&mut suite, "80"), (t2, dec("80"), t2));
}

/// The streak records what the median has kept of the price the fall began from (the TWAP
/// before its first median), at every update: a bounce raises it, a lower median lowers it,
/// it rounds up, and a new streak measures from its own start.
#[test]
fn the_streak_records_what_the_price_kept_since_the_fall_began() {
    let mut suite = at_100_for_ten_minutes();
    let kept = |suite: &mut Suite, price: &str| {
        suite.feed("uatom", dec(price));
        let below = suite.oracle_price("uatom").unwrap().below_twap.unwrap();
        assert_eq!(below.from, dec("100"), "{below:?}");
        below.kept
    };
    assert_eq!(kept(&mut suite, "90"), dec("0.9"));
    suite.advance_time(60);
    assert_eq!(kept(&mut suite, "92"), dec("0.92"));
    suite.advance_time(60);
    assert_eq!(kept(&mut suite, "85"), dec("0.85"));
    // 200 / 3 = 66.666…: kept 0.666… rounds up at the 18th decimal.
    suite.advance_time(60);
    let third = suite.oracle_price("uatom").unwrap().twap;
    assert!(third > dec("80"), "{third}");
    suite.feed("uatom", Decimal::from_ratio(200u128, 3u128));
    let below = suite.oracle_price("uatom").unwrap().below_twap.unwrap();
    assert_eq!(below.kept, dec("0.666666666666666667"));
    // Back at the TWAP the streak ends; the next one measures from the TWAP before it.
    suite.advance_time(60);
    suite.feed("uatom", dec("100"));
    assert_eq!(suite.oracle_price("uatom").unwrap().below_twap, None);
    suite.advance_time(60);
    let twap = suite.oracle_price("uatom").unwrap().twap;
    suite.feed("uatom", twap * dec("0.5"));
    let below = suite.oracle_price("uatom").unwrap().below_twap.unwrap();
    assert_eq!(below.from, twap);
    assert_eq!(below.kept, dec("0.5"));
}

/// ATOM fed at 100 every minute for ten minutes (a 600 s TWAP window, no breaker).
fn at_100_for_ten_minutes() -> Suite {
    let mut suite = SuiteBuilder::new()
        .oracle_params(no_breaker(600, 60))
        .no_initial_prices()
        .build();
    for _ in 0..10 {
        suite.feed("uatom", dec("100"));
        suite.advance_time(60);
    }
    suite
}

/// Feeds `price` now; the streak's start, low and when the low was made.
fn streak_after(suite: &mut Suite, price: &str) -> (u64, Decimal, u64) {
    suite.feed("uatom", dec(price));
    let below = suite.oracle_price("uatom").unwrap().below_twap.unwrap();
    (below.since, below.low, below.low_at)
}

/// With `fall_band` an update counts as falling only when the median stands at least that far
/// under its TWAP: a slow slide is not a streak, a fast one is, and a band of 1 or more is
/// refused.
#[test]
fn only_a_median_the_fall_band_under_its_twap_is_falling() {
    let mut suite = SuiteBuilder::new()
        .oracle_params(OracleParams {
            fall_band: dec("0.05"),
            ..no_breaker(600, 60)
        })
        .no_initial_prices()
        .build();
    suite.feed("uatom", dec("100"));
    suite.advance_time(60);
    // 4% under the TWAP: under it, but not falling by the band.
    suite.feed("uatom", dec("96"));
    let p = suite.oracle_price("uatom").unwrap();
    assert_eq!(p.twap, dec("100"));
    assert_eq!(p.below_twap, None);
    // 7% under the TWAP before it (at least 5% under the one it makes): falling from this
    // update on.
    suite.advance_time(60);
    let t0 = suite.now();
    let twap = suite.oracle_price("uatom").unwrap().twap;
    suite.feed("uatom", twap * dec("0.93"));
    let p = suite.oracle_price("uatom").unwrap();
    let below = p.below_twap.unwrap();
    assert_eq!(below.since, t0);
    assert!(below.shortfall >= dec("0.05"), "{below:?}");
    // Back within the band (though still under the TWAP): the streak ends.
    suite.advance_time(60);
    suite.feed("uatom", p.median * dec("1.02"));
    let p = suite.oracle_price("uatom").unwrap();
    assert!(p.median < p.twap);
    assert_eq!(p.below_twap, None);
    let owner = suite.owner.clone();
    for band in ["1", "1.5"] {
        let err = suite
            .oracle_execute(
                &owner,
                &ExecuteMsg::UpdateAssetParams {
                    denom: "uatom".to_string(),
                    params: OracleParams {
                        fall_band: dec(band),
                        ..OracleParams::default()
                    },
                },
                &[],
            )
            .unwrap_err();
        assert!(err.to_string().contains("fall_band"), "{err}");
    }
}
