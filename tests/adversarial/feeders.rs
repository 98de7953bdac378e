//! Attacks through feeders found by the independent review of 2026-12: one feeder flipping the
//! median to inflate realized volatility, and one liar next to a stale honest feeder.
use super::*;
use breakwater_testing::BLOCK_SECONDS;
use breakwater_types::oracle::OracleStatus;

/// A Suite where the borrower holds [`COLLATERAL`] ATOM (10,000 USDC) and no debt: its borrow
/// limit is 6,800 USDC at the full 0.68 LTV.
fn holder() -> Suite {
    let mut s = lent(SuiteBuilder::new());
    let borrower = s.borrower.clone();
    s.open_position(&borrower, ATOM, COLLATERAL, 0);
    assert_eq!(s.account(&borrower).borrow_limit.u128(), 6_800_000_000);
    s
}

/// Every block for `secs` seconds, feeder `i` submits `quote(i, block)` for ATOM.
fn feed_blocks(s: &mut Suite, secs: u64, quote: impl Fn(usize, u64) -> Decimal) {
    for block in 0..secs / BLOCK_SECONDS {
        s.advance_blocks(1);
        for (i, f) in s.feeders.clone().iter().enumerate() {
            s.submit_prices(f, &[(ATOM, quote(i, block))]).unwrap();
        }
    }
}

/// Threat (review item 12): realized volatility added a squared return on every new median,
/// so one feeder alternating its submission each block between the two honest quotes (10.00
/// and 10.01, 0.1% apart) flipped the median every block and took the volatility to 251%; the
/// volatility-adjusted LTV then fell to its 50% minimum for every borrower of the collateral
/// (the review: a borrow limit of 6,800 USDC down to 3,401.7). Honest feeders quoting with
/// ordinary noise inflated it the same way.
///
/// Why it holds: volatility is estimated from returns between time-weighted averages over
/// fixed sampling intervals (a sixth of the TWAP window, at least the checkpoint spacing: 300 s
/// by default), not from every median. A flip inside an interval averages out; a feeder that
/// flips once per interval instead moves each average by at most the honest spread `δ`, which
/// adds at most `δ · sqrt(1.5 · year / interval)` (40% for δ = 0.1%) to the estimate, below
/// the 80% reference volatility, so borrow power does not move.
#[test]
fn one_feeder_flipping_the_median_does_not_cut_borrow_power() {
    let (a, b) = (dec("10"), dec("10.01"));
    let mut s = holder();
    let borrower = s.borrower.clone();
    // Feeder 2 flips every block; then, worse, once per 5-minute interval.
    feed_blocks(&mut s, 2_400, |i, block| match i {
        0 => a,
        1 => b,
        _ if block % 2 == 0 => a,
        _ => b,
    });
    let p = s.oracle_price(ATOM).unwrap();
    assert!(p.volatility < dec("0.05"), "{}", p.volatility);
    assert!(s.account(&borrower).borrow_limit.u128() >= 6_795_000_000);
    feed_blocks(&mut s, 2_400, |i, block| match i {
        0 => a,
        1 => b,
        _ if (block / 60) % 2 == 0 => a,
        _ => b,
    });
    let p = s.oracle_price(ATOM).unwrap();
    assert!(p.volatility < dec("0.45"), "{}", p.volatility);
    let line = &s.account(&borrower).collaterals[0];
    assert_eq!(line.effective_ltv, dec("0.68"));
}

/// Honest sampling noise: three honest feeders each quote within ±0.05% of 10 (a fixed
/// pseudo-random pattern), every block. The median wanders inside that band; the estimate
/// stays near zero and borrow power whole.
#[test]
fn honest_quote_noise_does_not_read_as_volatility() {
    let mut s = holder();
    let borrower = s.borrower.clone();
    feed_blocks(&mut s, 2_400, |i, block| {
        let x = (block * 7_919 + i as u64 * 104_729) % 101;
        // 9.995 to 10.005.
        Decimal::from_ratio(99_950 + x, 10_000u64)
    });
    let p = s.oracle_price(ATOM).unwrap();
    assert!(p.volatility < dec("0.05"), "{}", p.volatility);
    assert_eq!(
        s.account(&borrower).collaterals[0].effective_ltv,
        dec("0.68")
    );
}

/// Suspicion (review item 15, confirmed): with three feeders and a quorum of two, one honest
/// feeder goes stale, and during a genuine fast move (ATOM from 10 to 8.5, a 15% jump, under
/// the 25% breaker) the liar submits 6.29, just inside 15% of the two prices' midpoint. Both
/// were kept, so the median was their mean, 7.395: 13% under the honest price, 26% under the
/// TWAP, and the asset halted (the code before the fix did exactly this), which also let anyone
/// raise the market's breaker with `TripBreaker`.
///
/// Why it holds: outliers are measured from a middle submission (the lower of the two middle
/// values for an even count), not from the mean of the two, so two fresh submissions are both
/// kept only if they agree within `max_deviation` of each other, and one liar moves a median
/// of two by at most half of that; here the two disagree by 35%, so neither can be trusted and
/// the asset reads `NoQuorum` (its last quorum price stands) instead of halting on a lie. And
/// the breaker measures the jump on the middle submission nearest the TWAP, so a liar beside
/// one honest feeder cannot trip it unless the honest price itself jumped that far.
#[test]
fn a_liar_beside_a_stale_honest_feeder_cannot_move_the_median_far_or_halt_the_asset() {
    let mut s = holder();
    let (honest, liar) = (s.feeders[1].clone(), s.feeders[2].clone());
    let pair = |s: &mut Suite, h: &str, l: &str| {
        s.submit_prices(&honest, &[(ATOM, dec(h))]).unwrap();
        s.submit_prices(&liar, &[(ATOM, dec(l))]).unwrap();
    };
    // Feeder 0 falls silent; the other two keep quoting 10 until its last price is stale.
    for _ in 0..13 {
        s.advance_blocks(1);
        pair(&mut s, "10", "10");
    }
    let p = s.oracle_price(ATOM).unwrap();
    assert_eq!(p.feeders_used.len(), 2, "{p:?}");
    // The genuine move, and the lie.
    s.advance_blocks(1);
    pair(&mut s, "8.5", "6.29");
    let p = s.oracle_price(ATOM).unwrap();
    assert!(
        !matches!(p.status, OracleStatus::Halted { .. }),
        "one liar halted the asset: {p:?}"
    );
    let honest_price = dec("8.5");
    assert!(
        p.median.abs_diff(honest_price) <= honest_price * dec("0.08") || !p.status.is_active(),
        "one liar moved an active median to {}",
        p.median
    );
    // A smaller lie, within 15% of the honest price: kept, the median moves at most 7.5%, and
    // the breaker (25%) does not trip on a genuine 20% move pushed further by the liar.
    s.advance_blocks(1);
    pair(&mut s, "8", "7");
    let p = s.oracle_price(ATOM).unwrap();
    assert_eq!(p.median, dec("7.5"));
    assert!(
        !matches!(p.status, OracleStatus::Halted { .. }),
        "tripped by the liar: {p:?}"
    );
}

/// Threat (issue 14, measured depth): the liquidator's room now follows the depth the feeders
/// report. One feeder lies: a huge depth, so that more is sold into a thin book at once, or a
/// zero depth, so that liquidations stall.
///
/// Why it holds: the oracle takes the lower median of a quorum of fresh reports, so one liar
/// never raises the depth above an honest report, and among three reports it cannot lower it
/// below one either; with only two fresh reports it can only lower it, which throttles more,
/// never less. The owner's configured depth stays a ceiling whatever is reported.
#[test]
fn a_feeder_lying_about_depth_alone_cannot_move_the_room() {
    let mut s = SuiteBuilder::new().build();
    let honest = 2_000_000_000;
    s.advance_time(5);
    s.feed_with_depth(ATOM, dec("10"), &[honest, honest, honest]);
    let room = s.room(ATOM);
    assert_eq!(room.hole.u128(), 6_000_000_000);
    let liar = s.feeders[2].clone();
    for lie in [honest * 1_000, 0, honest + 1, honest - 1] {
        s.advance_time(5);
        s.submit_price_with_depth(&liar, ATOM, dec("10"), lie)
            .unwrap();
        assert_eq!(s.room(ATOM), room, "a lie of {lie}");
    }
    // One honest feeder stale, two fresh: the liar can lower the room, never raise it.
    s.advance_time(61);
    let honest_feeder = s.feeders[1].clone();
    s.submit_price_with_depth(&honest_feeder, ATOM, dec("10"), honest)
        .unwrap();
    s.submit_price_with_depth(&liar, ATOM, dec("10"), honest * 1_000)
        .unwrap();
    assert_eq!(s.room(ATOM).hole, room.hole);
    s.submit_price_with_depth(&liar, ATOM, dec("10"), honest / 2)
        .unwrap();
    assert!(s.room(ATOM).hole < room.hole);
}

/// Threat (issue 14, slides): while the oracle's median has stood its `fall_band` under its
/// TWAP at every update for `slide.after` seconds (or makes new lows `slide.lows` seconds into
/// such a streak), the liquidator sells faster
/// (a cap `slide.room` times larger, curves that follow the oracle). One feeder reports a
/// steady fall for two hours, so that the collateral's lots are sold three times faster into
/// a book that is not falling.
///
/// Why it holds: the streak is the median's, and one liar among three fresh feeders never
/// moves the median past an honest quote; the median stays at its TWAP and no streak starts.
#[test]
fn a_feeder_reporting_a_fall_alone_cannot_start_a_slide() {
    let slide = breakwater_types::liquidator::Slide {
        after: 3_600,
        room: dec("3"),
        // New lows half an hour into a streak make a slide sooner: the liar's fall makes one
        // every minute.
        lows: Some(1_800),
        deep: None,
        ahead: false,
    };
    let mut s = sliding(SuiteBuilder::new(), slide);
    let depth = 2_000_000_000;
    s.advance_time(5);
    s.feed_with_depth(ATOM, dec("10"), &[depth; 3]);
    let room = s.room(ATOM);
    assert_eq!(room.hole.u128(), 6_000_000_000);
    let liar = s.feeders[2].clone();
    let mut lie = dec("10");
    for minute in 0..120 {
        s.advance_time(60);
        lie *= dec("0.99");
        for f in s.feeders.clone() {
            let price = if f == liar { lie } else { dec("10") };
            s.submit_price_with_depth(&f, ATOM, price, depth).unwrap();
        }
        let p = s.oracle_price(ATOM).unwrap();
        assert_eq!(p.median, dec("10"), "minute {minute}");
        assert_eq!(p.below_twap, None, "minute {minute}");
        assert_eq!(s.room(ATOM).hole, room.hole, "minute {minute}");
    }
}

/// `builder` with ATOM's auctions sliding by `slide` (the Suite's auction parameters otherwise).
fn sliding(builder: SuiteBuilder, slide: breakwater_types::liquidator::Slide) -> Suite {
    builder
        .auction_params(
            ATOM,
            breakwater_types::liquidator::AuctionParams {
                slide: Some(slide),
                ..breakwater_testing::default_auction_params()
            },
        )
        .build()
}

/// Adversarial (issue 14, `Slide::deep`): a fall through a book that holds is a slide at once,
/// with a larger cap, so a feeder that could report a deep book during a genuine fall would
/// make the liquidator sell several times faster into a book that is in fact emptying. One feeder reports a hundred
/// times the ceiling while the price falls 15% and the honest feeders see half the book gone.
///
/// Why it holds: the depth in force is the lower median of the fresh reports (one liar among
/// three never moves it past an honest one), and the market's configured depth caps it.
#[test]
fn a_feeder_reporting_a_deep_book_alone_cannot_start_a_slide() {
    let slide = breakwater_types::liquidator::Slide {
        after: 3_600,
        room: dec("3"),
        lows: None,
        deep: Some(dec("3")),
        ahead: false,
    };
    let builder = SuiteBuilder::new().oracle_params(breakwater_types::oracle::OracleParams {
        fall_band: dec("0.03"),
        ..breakwater_types::deploy::DeployPlan::default().oracle
    });
    let mut s = sliding(builder, slide);
    let (ceiling, honest) = (10_000_000_000u128, 5_000_000_000u128);
    s.advance_time(5);
    s.feed_with_depth(ATOM, dec("10"), &[ceiling; 3]);
    s.advance_time_feeding(1_800);
    let liar = s.feeders[2].clone();
    for minute in 0..10 {
        s.advance_time(60);
        for f in s.feeders.clone() {
            let depth = if f == liar { 100 * ceiling } else { honest };
            s.submit_price_with_depth(&f, ATOM, dec("8.5"), depth)
                .unwrap();
        }
        let p = s.oracle_price(ATOM).unwrap();
        assert!(p.below_twap.is_some(), "minute {minute}: {p:?}");
        let room = s.room(ATOM);
        assert_eq!(
            room.measured_depth,
            Some(Uint128::new(honest)),
            "minute {minute}"
        );
        assert_eq!(room.hole.u128(), 3 * honest, "minute {minute}");
    }
    // The same fall with the honest feeders seeing the book hold is a slide (the cap three
    // times larger): the liar alone was what could not make it one.
    s.advance_time(60);
    s.feed_with_depth(ATOM, dec("8.5"), &[ceiling; 3]);
    assert!(s.oracle_price(ATOM).unwrap().below_twap.is_some());
    assert_eq!(s.room(ATOM).hole.u128(), 9 * ceiling);
}

/// Threat (issue 14, the breaker reading the book): a fall beyond `breaker_move` does not halt
/// while the measured depth keeps the price's share of its level before the fall. One feeder
/// reports a thin book before a wick (to lower the reference) and a deep one in it (to raise
/// the depth), so that the wick does not halt and accounts are sold into it at the median.
///
/// Why it holds: the reference is the upper median of the reports before the fall, the depth
/// the lower median of those in it. Among three fresh reports one liar moves neither past an
/// honest one; among two it can only raise the first and lower the second, both of which
/// keep the halt.
#[test]
fn a_feeder_lying_about_depth_alone_cannot_keep_a_wick_from_halting() {
    let honest = 1_000_000_000u128;
    for feeders in [3, 2] {
        let params = breakwater_types::oracle::OracleParams {
            min_feeders: 2,
            breaker_book: true,
            ..breakwater_types::oracle::OracleParams::default()
        };
        let mut s = SuiteBuilder::new()
            .feeders(feeders)
            .oracle_params(params)
            .build();
        let all = s.feeders.clone();
        let (liar, honest_feeders) = all.split_last().unwrap();
        let quote = |s: &mut Suite, price: &str, honest_depth: u128, lie: u128| {
            for f in honest_feeders {
                s.submit_price_with_depth(f, ATOM, dec(price), honest_depth)
                    .unwrap();
            }
            s.submit_price_with_depth(liar, ATOM, dec(price), lie)
                .unwrap();
        };
        for _ in 0..60 {
            s.advance_time(30);
            quote(&mut s, "10", honest, 1);
        }
        // A −35% wick: the honest book drains to 30%, the liar reports a thousand times more.
        s.advance_time(30);
        quote(&mut s, "6.5", honest * 3 / 10, honest * 1_000);
        assert!(
            matches!(
                s.oracle_price(ATOM).unwrap().status,
                OracleStatus::Halted { .. }
            ),
            "{feeders} feeders"
        );
    }
}
