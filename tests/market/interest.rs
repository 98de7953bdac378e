//! Interest: kinked rates, index growth against an f64 reference, the lender/reserve split.
use super::helpers::*;
use breakwater_testing::{dec, SuiteBuilder};
use breakwater_types::market::{ExecuteMsg, MarketParams};
use breakwater_types::math::interest::InterestRateModel;
use cosmwasm_std::{coin, Decimal, Uint128};

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1e-12)
}

/// The default curve in f64: 1% + 4%·U/0.8 up to the kink, then +75% to full utilization.
fn default_rate(u: f64) -> f64 {
    if u <= 0.8 {
        0.01 + 0.04 * u / 0.8
    } else {
        0.05 + 0.75 * (u - 0.8) / 0.2
    }
}

#[test]
fn utilization_and_kinked_rates_are_reported_by_the_state_query() {
    let mut suite = SuiteBuilder::new().build();
    lend_and_borrow(
        &mut suite,
        1_000_000_000_000,
        1_000_000_000_000,
        500_000_000_000,
    );
    let st = suite.market_state();
    assert_eq!(st.utilization, dec("0.5"));
    assert_eq!(st.borrow_rate, dec("0.035"));
    assert_eq!(st.supply_rate, dec("0.01575")); // 0.035 · 0.5 · 0.9

    let borrower = suite.borrower.clone();
    suite.borrow(&borrower, 300_000_000_000).unwrap();
    let st = suite.market_state();
    assert_eq!(st.utilization, dec("0.8"));
    assert_eq!(st.borrow_rate, dec("0.05"));

    // Past the kink the second slope bites: U = 0.9 → 5% + 75% · 0.5.
    suite.borrow(&borrower, 100_000_000_000).unwrap();
    let st = suite.market_state();
    assert_eq!(st.utilization, dec("0.9"));
    assert_eq!(st.borrow_rate, dec("0.425"));
    assert_eq!(st.supply_rate, dec("0.34425"));
}

#[test]
fn an_empty_market_reports_the_base_rate_and_nothing_to_lenders() {
    let suite = SuiteBuilder::new().build();
    let st = suite.market_state();
    assert_eq!(st.utilization, Decimal::zero());
    assert_eq!(st.borrow_rate, dec("0.01"));
    assert_eq!(st.supply_rate, Decimal::zero());
    assert_eq!(st.supply_index, Decimal::one());
    assert_eq!(st.borrow_index, Decimal::one());
}

#[test]
fn borrow_index_compounds_per_accrual_like_the_reference_at_a_constant_rate() {
    let params = MarketParams {
        interest: InterestRateModel {
            base_rate: dec("0.1"),
            optimal_utilization: dec("0.8"),
            slope1: Decimal::zero(),
            slope2: Decimal::zero(),
        },
        ..MarketParams::default()
    };
    let mut suite = SuiteBuilder::new().market_params(params).build();
    lend_and_borrow(
        &mut suite,
        1_000_000_000_000,
        1_000_000_000_000,
        400_000_000_000,
    );
    let dt = 86_400u64;
    let n = 120;
    for _ in 0..n {
        suite.advance_time(dt);
        accrue(&mut suite);
    }
    let reference = (1.0 + 0.1 * dt as f64 / YEAR as f64).powi(n);
    let st = suite.market_state();
    assert!(
        close(f(st.borrow_index), reference, 1e-12),
        "{} vs {reference}",
        st.borrow_index
    );
    // Rounded up: never below the exact value.
    assert!(f(st.borrow_index) >= reference - 1e-15);
    assert!(close(
        st.total_borrowed.u128() as f64,
        400_000_000_000.0 * reference,
        1e-12
    ));
}

#[test]
fn accrual_matches_the_f64_reference_model_along_the_kinked_curve() {
    let mut suite = SuiteBuilder::new().build();
    let (s0, b0) = (1_000_000_000_000f64, 850_000_000_000f64);
    lend_and_borrow(&mut suite, s0 as u128, 2_000_000_000_000, b0 as u128);
    let (mut debt, mut supplied, mut reserves) = (b0, s0, 0.0f64);
    let dt = 86_400u64;
    for _ in 0..365 {
        suite.advance_time(dt);
        accrue(&mut suite);
        let r = default_rate(debt / supplied);
        let interest = debt * r * dt as f64 / YEAR as f64;
        debt += interest;
        supplied += interest * 0.9;
        reserves += interest * 0.1;
    }
    let st = suite.market_state();
    assert!(
        close(st.total_borrowed.u128() as f64, debt, 1e-9),
        "{} vs {debt}",
        st.total_borrowed
    );
    assert!(
        close(st.total_supplied.u128() as f64, supplied, 1e-9),
        "{} vs {supplied}",
        st.total_supplied
    );
    assert!(
        close(st.reserves.u128() as f64, reserves, 1e-6),
        "{} vs {reserves}",
        st.reserves
    );
    assert!(close(f(st.borrow_index), debt / b0, 1e-9));
    assert!(close(f(st.supply_index), supplied / s0, 1e-9));
    assert!(close(
        f(st.borrow_rate),
        default_rate(debt / supplied),
        1e-6
    ));
    assert_books_balance(&suite, 5);
}

#[test]
fn lenders_earn_the_borrower_interest_minus_reserves() {
    let mut suite = SuiteBuilder::new().build();
    let (s0, b0) = (1_000_000_000_000u128, 700_000_000_000u128);
    lend_and_borrow(&mut suite, s0, 1_000_000_000_000, b0);
    for _ in 0..52 {
        suite.advance_time(7 * 86_400);
        accrue(&mut suite);
    }
    let st = suite.market_state();
    let lender = suite.lender.clone();
    let borrower = suite.borrower.clone();
    let paid = suite.account(&borrower).debt.u128() - b0;
    let earned = suite.supplier(&lender).assets.u128() - s0;
    let reserves = st.reserves.u128();
    assert!(paid > 0 && earned > 0);
    // What borrowers paid is exactly what lenders earned plus reserves, up to rounding that
    // favours the protocol.
    let diff = paid as i128 - (earned + reserves) as i128;
    assert!(
        (0..=5).contains(&diff),
        "paid {paid}, earned {earned}, reserves {reserves}"
    );
    // Reserves take the reserve factor (10%), rounded up.
    let share = reserves as f64 / paid as f64;
    assert!(close(share, 0.1, 1e-6), "{share}");
    assert!(reserves as f64 >= 0.1 * paid as f64 - 1.0);
}

#[test]
fn queries_are_accrued_to_the_current_block_without_a_transaction() {
    let mut suite = SuiteBuilder::new().build();
    lend_and_borrow(
        &mut suite,
        1_000_000_000_000,
        1_000_000_000_000,
        500_000_000_000,
    );
    suite.advance_time(YEAR);
    let viewed = suite.market_state();
    assert_eq!(viewed.last_accrued, suite.now());
    assert!(viewed.total_borrowed > Uint128::new(500_000_000_000));
    let borrower = suite.borrower.clone();
    assert_eq!(suite.account(&borrower).debt, viewed.total_borrowed);
    let lender = suite.lender.clone();
    assert_eq!(suite.supplier(&lender).assets, viewed.total_supplied);
    // Accruing for real in the same block changes nothing the queries showed.
    accrue(&mut suite);
    assert_eq!(suite.market_state(), viewed);
}

#[test]
fn nothing_accrues_without_borrowers() {
    let mut suite = SuiteBuilder::new().build();
    let lender = suite.lender.clone();
    suite.supply(&lender, 1_000_000).unwrap();
    suite.advance_time(YEAR);
    accrue(&mut suite);
    let st = suite.market_state();
    assert_eq!(st.supply_index, Decimal::one());
    assert_eq!(st.borrow_index, Decimal::one());
    assert_eq!(st.reserves, Uint128::zero());
    assert_eq!(st.last_accrued, suite.now());
}

#[test]
fn accrue_interest_is_open_to_anyone_and_refuses_funds() {
    let mut suite = SuiteBuilder::new().build();
    lend_and_borrow(&mut suite, 1_000_000, 1_000_000, 500_000);
    suite.advance_time(86_400);
    let s = stranger(&suite);
    let res = suite
        .market_execute(&s, &ExecuteMsg::AccrueInterest {}, &[])
        .unwrap();
    assert_eq!(attr(&res, "action").as_deref(), Some("accrue_interest"));
    assert_ne!(attr(&res, "interest").as_deref(), Some("0"));
    let lender = suite.lender.clone();
    assert_err(
        suite.market_execute(&lender, &ExecuteMsg::AccrueInterest {}, &[coin(1, USDC)]),
        "does no accept funds",
    );
}
