//! Repaying debt, in full, in part, for another account; refunds of any excess.
use super::helpers::*;
use breakwater_testing::SuiteBuilder;
use breakwater_types::market::ExecuteMsg;
use cosmwasm_std::{coin, Uint128};

#[test]
fn repay_in_full_clears_the_debt_and_refunds_the_excess() {
    let mut suite = SuiteBuilder::new().build();
    lend_and_borrow(&mut suite, 10_000_000, 1_000_000, 2_000_000);
    suite.advance_time(30 * 86_400);
    let borrower = suite.borrower.clone();
    let debt = suite.account(&borrower).debt.u128();
    assert!(debt > 2_000_000, "interest accrued: {debt}");
    let before = suite.balance(&borrower, USDC);
    let res = suite.repay(&borrower, debt + 12_345).unwrap();
    assert_eq!(attr(&res, "amount"), Some(debt.to_string()));
    assert_eq!(attr(&res, "refund").as_deref(), Some("12345"));
    assert_eq!(suite.balance(&borrower, USDC), before - debt);
    let acc = suite.account(&borrower);
    assert_eq!(acc.debt, Uint128::zero());
    assert_eq!(acc.debt_shares, Uint128::zero());
    assert_eq!(acc.health_factor, None);
    let st = suite.market_state();
    assert_eq!(st.total_debt_shares, Uint128::zero());
    assert_eq!(st.total_borrowed, Uint128::zero());
    assert_books_balance(&suite, 5);
    // The collateral can leave now, whatever the (stale) oracle says.
    suite.withdraw_collateral(&borrower, ATOM, None).unwrap();
}

#[test]
fn partial_repay_burns_debt_shares_rounded_down() {
    let mut suite = suite_with_grown_indices();
    let borrower = suite.borrower.clone();
    let index = suite.market_state().borrow_index;
    let before = suite.account(&borrower);
    let res = suite.repay(&borrower, 1_000_000).unwrap();
    let burned: u128 = attr(&res, "shares").unwrap().parse().unwrap();
    assert_eq!(burned, (1_000_000.0 / f(index)).floor() as u128);
    let after = suite.account(&borrower);
    assert_eq!(after.debt_shares, before.debt_shares - Uint128::new(burned));
    // The debt fell by at most what was paid.
    assert!(before.debt - after.debt <= Uint128::new(1_000_000));
    assert_books_balance(&suite, 5);
}

#[test]
fn repay_on_behalf_of_another_account() {
    let mut suite = SuiteBuilder::new().build();
    lend_and_borrow(&mut suite, 10_000_000, 1_000_000, 2_000_000);
    let (friend, borrower) = (suite.addr("friend"), suite.borrower.clone());
    suite.fund(&friend, &[coin(5_000_000, USDC)]);
    let res = suite
        .market_execute(
            &friend,
            &ExecuteMsg::Repay {
                on_behalf_of: Some(borrower.to_string()),
            },
            &[coin(3_000_000, USDC)],
        )
        .unwrap();
    assert_eq!(attr(&res, "account"), Some(borrower.to_string()));
    assert_eq!(suite.account(&borrower).debt, Uint128::zero());
    // The payer, not the borrower, gets the refund.
    assert_eq!(suite.balance(&friend, USDC), 3_000_000);
}

#[test]
fn repay_refused_without_debt() {
    let mut suite = SuiteBuilder::new().build();
    let lender = suite.lender.clone();
    suite.supply(&lender, 1_000).unwrap();
    let before = suite.balance(&lender, USDC);
    assert_err(suite.repay(&lender, 100), "no debt to repay");
    assert_eq!(suite.balance(&lender, USDC), before);
}

#[test]
fn repay_refused_in_another_denom_or_without_funds() {
    let mut suite = SuiteBuilder::new().build();
    lend_and_borrow(&mut suite, 10_000_000, 1_000_000, 2_000_000);
    let borrower = suite.borrower.clone();
    let msg = ExecuteMsg::Repay { on_behalf_of: None };
    assert_err(
        suite.market_execute(&borrower, &msg, &[coin(100, ATOM)]),
        "Must send reserve token 'uusdc'",
    );
    assert_err(suite.market_execute(&borrower, &msg, &[]), "No funds sent");
    assert_err(
        suite.market_execute(&borrower, &msg, &[coin(100, USDC), coin(100, ATOM)]),
        "Sent more than one denomination",
    );
    assert_eq!(suite.account(&borrower).debt, Uint128::new(2_000_000));
}

#[test]
fn repay_too_small_to_burn_a_debt_share_is_refused() {
    let mut suite = suite_with_grown_indices();
    let borrower = suite.borrower.clone();
    let before = suite.account(&borrower);
    assert_err(suite.repay(&borrower, 1), "would burn no debt shares");
    assert_eq!(suite.account(&borrower).debt_shares, before.debt_shares);
}

#[test]
fn a_huge_repayment_refunds_everything_above_the_debt() {
    let mut suite = SuiteBuilder::new().build();
    lend_and_borrow(&mut suite, 10_000_000, 1_000_000, 2_000_000);
    let borrower = suite.borrower.clone();
    suite.fund(&borrower, &[coin(u128::MAX - 20_000_000_000_000, USDC)]);
    let balance = suite.balance(&borrower, USDC);
    let res = suite.repay(&borrower, balance).unwrap();
    assert_eq!(attr(&res, "amount").as_deref(), Some("2000000"));
    assert_eq!(suite.balance(&borrower, USDC), balance - 2_000_000);
    assert_eq!(suite.market_state().cash, Uint128::new(10_000_000));
}
