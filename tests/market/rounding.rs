//! Rounding favours the protocol: tiny amounts and loops never extract value.
use super::helpers::*;
use cosmwasm_std::{coin, Uint128};

#[test]
fn supply_and_withdraw_loops_never_extract_more_than_put_in() {
    let mut suite = suite_with_grown_indices();
    let minnow = suite.addr("minnow");
    suite.fund(&minnow, &[coin(10_000, USDC)]);
    for amount in 1..=40u128 {
        let before = suite.balance(&minnow, USDC);
        match suite.supply(&minnow, amount) {
            Ok(_) => {
                suite.withdraw(&minnow, None).unwrap();
            }
            Err(e) => assert!(e.to_string().contains("would mint no shares"), "{e}"),
        }
        let after = suite.balance(&minnow, USDC);
        assert!(
            after <= before,
            "supplying {amount} returned {}",
            after - before
        );
        assert_eq!(suite.supplier(&minnow).shares, Uint128::zero());
    }
    assert!(suite.balance(&minnow, USDC) < 10_000);
    // Every round trip left its rounding (under one unit each) with the protocol.
    assert_books_balance(&suite, 40);
}

#[test]
fn one_unit_withdrawals_never_pay_more_than_the_shares_are_worth() {
    let mut suite = suite_with_grown_indices();
    let minnow = suite.addr("minnow");
    suite.fund(&minnow, &[coin(1_000, USDC)]);
    suite.supply(&minnow, 1_000).unwrap();
    let worth = suite.supplier(&minnow).assets.u128();
    assert!(worth < 1_000);
    let mut received = 0u128;
    while suite.withdraw(&minnow, Some(1)).is_ok() {
        received += 1;
    }
    assert!(
        received <= worth,
        "received {received}, shares were worth {worth}"
    );
    assert_eq!(suite.balance(&minnow, USDC), received);
    // Each withdrawal burned a share worth a little more than the unit it paid.
    assert_books_balance(&suite, received as i128 + 1);
}

#[test]
fn borrowing_one_unit_owes_at_least_one_unit() {
    let mut suite = suite_with_grown_indices();
    long_pause_then_reactivate_prices(&mut suite, 0);
    let borrower = suite.borrower.clone();
    for _ in 0..10 {
        let before = suite.account(&borrower).debt;
        suite.borrow(&borrower, 1).unwrap();
        let after = suite.account(&borrower).debt;
        assert!(after >= before + Uint128::one(), "{before} -> {after}");
    }
    assert_books_balance(&suite, 20);
}

#[test]
fn borrow_and_repay_loops_never_leave_the_market_short() {
    let mut suite = suite_with_grown_indices();
    long_pause_then_reactivate_prices(&mut suite, 0);
    let (borrower, other) = (suite.borrower.clone(), suite.addr("other"));
    suite.fund(&other, &[coin(1_000_000, ATOM), coin(1_000, USDC)]);
    suite.deposit_collateral(&other, ATOM, 1_000_000).unwrap();
    let cash_before = suite.market_state().cash;
    for amount in [1u128, 2, 3, 7, 10, 99, 1_000] {
        let start = suite.balance(&other, USDC);
        suite.borrow(&other, amount).unwrap();
        let debt = suite.account(&other).debt.u128();
        assert!(debt >= amount);
        suite.repay(&other, debt).unwrap();
        assert_eq!(suite.account(&other).debt, Uint128::zero());
        // The round trip costs the borrower something or nothing, never the market.
        assert!(suite.balance(&other, USDC) <= start);
    }
    assert!(suite.market_state().cash >= cash_before);
    let _ = borrower;
    assert_books_balance(&suite, 20);
}
