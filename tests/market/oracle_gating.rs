//! Oracle status gating: new risk (borrows, collateral withdrawals with debt) needs an active
//! price for every collateral held; repaying and depositing never do.
use super::helpers::*;
use breakwater_testing::{dec, Suite, SuiteBuilder};
use breakwater_types::oracle::OracleStatus;
use cosmwasm_std::Uint128;

/// A 100% jump from the TWAP trips the oracle's breaker for uatom.
fn halt_atom(suite: &mut Suite) {
    suite.advance_time(10);
    suite.feed(ATOM, dec("20"));
    let status = suite.oracle_price(ATOM).unwrap().status;
    assert!(matches!(status, OracleStatus::Halted { .. }), "{status:?}");
}

#[test]
fn halted_collateral_blocks_borrow_and_withdraw_but_not_repay_or_deposit() {
    let mut suite = SuiteBuilder::new().build();
    lend_and_borrow(&mut suite, 100_000_000, 1_000_000, 1_000_000);
    let borrower = suite.borrower.clone();
    halt_atom(&mut suite);

    assert_err(
        suite.borrow(&borrower, 1),
        "price of uatom is not active (oracle status: halted)",
    );
    assert_err(
        suite.withdraw_collateral(&borrower, ATOM, Some(1)),
        "price of uatom is not active (oracle status: halted)",
    );
    let owed = suite.account(&borrower).debt;
    suite.repay(&borrower, 400_000).unwrap();
    suite.deposit_collateral(&borrower, ATOM, 1_000).unwrap();
    let acc = suite.account(&borrower);
    // Ten seconds of interest and a partial repayment rounded against the borrower.
    assert!(acc.debt >= owed - Uint128::new(400_000));
    assert!(acc.debt <= owed - Uint128::new(400_000) + Uint128::new(2));
    assert_eq!(acc.collaterals[0].amount, Uint128::new(1_001_000));
    assert!(matches!(
        acc.collaterals[0].oracle_status,
        OracleStatus::Halted { .. }
    ));

    // Once the debt is gone, collateral leaves whatever the oracle says.
    suite.repay(&borrower, acc.debt.u128()).unwrap();
    suite.withdraw_collateral(&borrower, ATOM, None).unwrap();
    assert!(suite.account(&borrower).collaterals.is_empty());
}

#[test]
fn stale_collateral_blocks_borrow_and_withdraw() {
    let mut suite = SuiteBuilder::new().build();
    lend_and_borrow(&mut suite, 100_000_000, 1_000_000, 1_000_000);
    let borrower = suite.borrower.clone();
    suite.advance_time(120);
    assert_err(
        suite.borrow(&borrower, 1),
        "price of uatom is not active (oracle status: stale)",
    );
    assert_err(
        suite.withdraw_collateral(&borrower, ATOM, Some(1)),
        "oracle status: stale",
    );
    suite.repay(&borrower, 1_000).unwrap();
    suite.deposit_collateral(&borrower, ATOM, 1).unwrap();
    // Fresh prices for the cooldown bring borrowing back.
    long_pause_then_reactivate_prices(&mut suite, 0);
    suite.borrow(&borrower, 1_000).unwrap();
}

#[test]
fn a_halted_collateral_may_leave_entirely_when_the_rest_covers_the_debt() {
    let mut suite = SuiteBuilder::new().build();
    lend_and_borrow(&mut suite, 100_000_000, 1_000_000, 1_000_000);
    let borrower = suite.borrower.clone();
    suite.deposit_collateral(&borrower, ETH, 10_000).unwrap();
    halt_atom(&mut suite);
    // A partial withdrawal keeps the halted asset in the account: refused.
    assert_err(
        suite.withdraw_collateral(&borrower, ATOM, Some(1)),
        "price of uatom is not active",
    );
    assert_err(suite.borrow(&borrower, 1), "price of uatom is not active");
    // Taking all of it leaves only ETH, whose price is active and covers the debt.
    suite.withdraw_collateral(&borrower, ATOM, None).unwrap();
    let acc = suite.account(&borrower);
    assert_eq!(acc.collaterals.len(), 1);
    assert_eq!(acc.collaterals[0].denom, ETH);
    assert!(acc.collaterals[0].oracle_status.is_active());
    suite.borrow(&borrower, 1_000).unwrap();
}

#[test]
fn the_account_query_prices_every_line_whatever_its_status() {
    let mut suite = SuiteBuilder::new().build();
    lend_and_borrow(&mut suite, 100_000_000, 1_000_000, 1_000_000);
    let borrower = suite.borrower.clone();
    suite.deposit_collateral(&borrower, ETH, 10_000).unwrap();
    halt_atom(&mut suite);
    let acc = suite.account(&borrower);
    let statuses: Vec<&str> = acc
        .collaterals
        .iter()
        .map(|c| c.oracle_status.name())
        .collect();
    assert_eq!(statuses, vec!["halted", "active"]);
    // The halted line is still valued at the oracle's median.
    assert_eq!(acc.collaterals[0].price, dec("20"));
    assert_eq!(acc.collateral_value, Uint128::new(20_000_000 + 30_000_000));
    suite.advance_time(120);
    let acc = suite.account(&borrower);
    assert_eq!(acc.collaterals[1].oracle_status.name(), "stale");
}
