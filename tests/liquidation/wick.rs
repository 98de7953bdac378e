//! Do not liquidate into a wick (issue 14): while a collateral's oracle breaker is tripped an
//! account is judged at the less punitive of median and TWAP, within a premium bound and a
//! time bound; an account solvent there waits, one insolvent at both is transferred to the
//! backstop instead of being auctioned into the wick.
use super::helpers::*;
use breakwater_testing::{dec, Suite, SuiteBuilder};
use breakwater_types::market::{ExecuteMsg, LiquidationParams, WickParams};
use breakwater_types::oracle::OracleStatus;

const POOL: u128 = 10_000_000_000;

/// The wick rule with these bounds and the TWAP's whole advantage until `max_wait` (no fade).
fn wick(max_premium: &str, max_wait: u64) -> LiquidationParams {
    LiquidationParams {
        wick: Some(WickParams {
            max_premium: dec(max_premium),
            max_wait,
            fade: false,
        }),
        ..default_params()
    }
}

/// 10^9 uatom (10^10 at 10, LT 0.7) against 6.8·10^9 (max LTV): HF 1.029; a funded pool.
fn max_ltv_account(params: LiquidationParams) -> Suite {
    let mut s = lent(
        SuiteBuilder::new()
            .backstop_deposit(POOL)
            .liquidation_params(params),
    );
    let borrower = s.borrower.clone();
    s.open_position(&borrower, ATOM, 1_000_000_000, 6_800_000_000);
    s.advance_time_feeding(30);
    s
}

/// Every feeder prints `price` for ATOM in the next block: the oracle halts it. Returns when.
fn wick_to(s: &mut Suite, price: &str) -> u64 {
    s.advance_time(5);
    s.feed(ATOM, dec(price));
    match s.oracle_price(ATOM).unwrap().status {
        OracleStatus::Halted { since, .. } => since,
        other => panic!("not halted: {other:?}"),
    }
}

#[test]
fn a_solvent_account_waits_out_a_tripped_breaker() {
    let mut s = max_ltv_account(default_params());
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    let before = supplies(&s);
    // −27%: below the hard floor at the median, healthy at the TWAP.
    let since = wick_to(&mut s, "7.3");
    assert!(hf(&s, &borrower) < dec("0.8"));
    let until = since + WickParams::default().max_wait;
    for _ in 0..3 {
        assert_err(
            s.liquidate(&keeper, &borrower),
            &format!("waits out the wick until {until} at the latest"),
        );
        s.advance_time(60);
    }
    // Nothing moved: no auction, no transfer.
    assert_eq!(
        s.account(&borrower).collaterals[0].amount.u128(),
        1_000_000_000
    );
    assert!(s.auctions().is_empty());
    assert_eq!(s.backstop_pool().base.u128(), POOL);
    // The wick reverts: healthy and untouched.
    s.feed(ATOM, dec("10"));
    assert_err(s.liquidate(&keeper, &borrower), "account is healthy");
    assert_conserved(&s, &before);
}

#[test]
fn an_insolvent_account_is_transferred_even_while_the_breaker_is_tripped() {
    // A genuine −22.5% move held for the TWAP window (HF 0.798), then a −27.7% wick.
    let mut outcome = vec![];
    for on in [true, false] {
        let params = LiquidationParams {
            wick: on.then(WickParams::default),
            ..default_params()
        };
        let mut s = max_ltv_account(params);
        let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
        s.feed(ATOM, dec("7.75"));
        s.advance_time_feeding(1_900);
        assert!(hf(&s, &borrower) < dec("0.8"));
        wick_to(&mut s, "5.6");
        let res = s.liquidate(&keeper, &borrower).unwrap();
        assert_eq!(liq_attr(&s, &res, "hard_floor"), "true");
        outcome.push(liq_attr(&s, &res, "mode"));
        if on {
            // Transferred: the pool pays the debt at the price the oracle stands behind and
            // takes only the collateral its discount needs; nothing is sold into the wick.
            assert!(s.auctions().is_empty());
            let acc = s.account(&borrower);
            assert!(acc.debt.is_zero());
            let left = acc.collaterals[0].amount.u128();
            // 6.8·10^9 / (7.75 · 0.95) ≈ 9.236·10^8 units taken.
            assert!((75_000_000..77_000_000).contains(&left), "{left}");
            let pool = s.backstop_pool();
            assert_eq!(pool.base.u128(), POOL - liq_num(&s, &res, "debt"));
            assert_eq!(pool.collateral[0].denom, ATOM);
            assert_books(&s);
        }
    }
    // With the rule switched off the same account is force-auctioned into the wick.
    assert_eq!(outcome, ["absorb", "toxic_auction"]);
}

#[test]
fn waiting_out_a_wick_is_bounded_in_time() {
    // Adversarial: a halt that does not clear (no feeder updates) cannot shelter an account
    // past `max_wait`.
    let mut s = max_ltv_account(wick("1", 120));
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    let since = wick_to(&mut s, "7.3");
    s.advance_time(60);
    assert_err(
        s.liquidate(&keeper, &borrower),
        &format!("until {} at the latest", since + 120),
    );
    s.advance_time(60);
    assert!(matches!(
        s.oracle_price(ATOM).unwrap().status,
        OracleStatus::Halted { .. }
    ));
    let res = s.liquidate(&keeper, &borrower).unwrap();
    // Judged at the median now: below the hard floor, transferred to the pool.
    assert_eq!(liq_attr(&s, &res, "mode"), "absorb");
    assert_eq!(liq_attr(&s, &res, "hard_floor"), "true");
    assert!(s.account(&borrower).debt.is_zero());
    assert_books(&s);
}

#[test]
fn the_twaps_advantage_over_the_median_is_bounded() {
    // Adversarial: a TWAP far above the median (a crash the TWAP has not caught up with) counts
    // for at most median · (1 + max_premium): here 7.3 · 1.2 = 8.76, HF 0.90 < 1.
    let mut s = max_ltv_account(wick("0.2", 1_800));
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    wick_to(&mut s, "7.3");
    let res = s.liquidate(&keeper, &borrower).unwrap();
    let h: f64 = liq_attr(&s, &res, "health_factor").parse().unwrap();
    assert!((0.9017..0.9018).contains(&h), "{h}");
    assert_eq!(liq_attr(&s, &res, "hard_floor"), "false");
    // Insolvent at both: transferred, not auctioned.
    assert_eq!(liq_attr(&s, &res, "mode"), "absorb");
    assert!(s.auctions().is_empty());
    assert_books(&s);
}

#[test]
fn a_borrower_cannot_trip_the_breaker_to_dodge_a_due_liquidation() {
    // Adversarial: a genuine −9% move (not a halt) makes the account liquidatable; the
    // borrower announcing a breaker trip is refused and the liquidation goes ahead.
    let mut s = max_ltv_account(default_params());
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    s.advance_time(5);
    s.feed(ATOM, dec("9.1"));
    assert!(s.oracle_price(ATOM).unwrap().status.is_active());
    let trip = ExecuteMsg::TripBreaker {
        denom: ATOM.to_string(),
    };
    assert_err(s.market_execute(&borrower, &trip, &[]), "not halted");
    let res = s.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(&s, &res, "mode"), "partial");
}

#[test]
fn a_long_halt_fades_the_twaps_advantage_so_the_deepest_accounts_go_first() {
    // −27% and held: at HF 1.029 before the trip, the account is solvent at the TWAP (≈ 10) and
    // insolvent at the median. With the fade the TWAP's advantage shrinks over `max_wait`
    // (1,800 s): the account needs ≈ 9.72 of the ≈ 2.7 advantage, so its wait ends within
    // the first few minutes. Without the fade it waits the whole 1,800 s, as an account at HF
    // 0.99 at the TWAP would.
    let mut ends = vec![];
    for fade in [true, false] {
        let params = LiquidationParams {
            wick: Some(WickParams {
                fade,
                ..WickParams::default()
            }),
            ..default_params()
        };
        let mut s = max_ltv_account(params);
        let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
        let since = wick_to(&mut s, "7.3");
        assert_err(s.liquidate(&keeper, &borrower), "waits out the wick");
        let mut waited = 0;
        loop {
            s.advance_time(60);
            waited += 60;
            assert!(matches!(
                s.oracle_price(ATOM).unwrap().status,
                OracleStatus::Halted { since: at, .. } if at == since
            ));
            match s.liquidate(&keeper, &borrower) {
                Ok(res) => {
                    // Insolvent at both: transferred to the pool, not sold into the wick.
                    assert_eq!(liq_attr(&s, &res, "mode"), "absorb");
                    assert!(s.auctions().is_empty());
                    assert_books(&s);
                    break;
                }
                Err(e) => assert!(e.to_string().contains("waits out the wick"), "{e}"),
            }
        }
        ends.push(waited);
    }
    assert!((120..=300).contains(&ends[0]), "{ends:?}");
    assert_eq!(ends[1], 1_800);
}

/// The borrower at max LTV with the oracle reading the book (`OracleParams::breaker_book`) and
/// the feeders measuring 1,000 USDC of depth per 1% at 10.
fn reading_the_book() -> Suite {
    let oracle = breakwater_types::oracle::OracleParams {
        breaker_book: true,
        ..breakwater_types::deploy::DeployPlan::default().oracle
    };
    let mut s = lent(
        SuiteBuilder::new()
            .backstop_deposit(POOL)
            .liquidation_params(default_params())
            .oracle_params(oracle),
    );
    let borrower = s.borrower.clone();
    s.open_position(&borrower, ATOM, 1_000_000_000, 6_800_000_000);
    s.advance_time(30);
    s.feed_with_depth(ATOM, dec("10"), &[1_000_000_000; 3]);
    s
}

#[test]
fn a_fall_through_a_book_that_holds_is_liquidated_not_waited_out() {
    // −27% in a block: with 80% of the book left the price traded down through it and the
    // account is liquidated at the median; with 30% left it is a wick and the account waits.
    for (left, waits) in [(800_000_000, false), (300_000_000, true)] {
        let mut s = reading_the_book();
        let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
        s.advance_time(5);
        s.feed_with_depth(ATOM, dec("7.3"), &[left; 3]);
        let status = s.oracle_price(ATOM).unwrap().status;
        assert!(hf(&s, &borrower) < dec("0.8"));
        let res = s.liquidate(&keeper, &borrower);
        if waits {
            assert!(matches!(status, OracleStatus::Halted { .. }), "{status:?}");
            assert_err(res, "waits out the wick");
            assert!(s.auctions().is_empty());
        } else {
            assert_eq!(status, OracleStatus::Active {});
            let res = res.unwrap();
            assert_eq!(liq_attr(&s, &res, "hard_floor"), "true");
            assert!(s.account(&borrower).debt.u128() < 6_800_000_000);
            assert_books(&s);
        }
    }
}
