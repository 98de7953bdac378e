//! Borrowers: borrow the base asset against collateral.
use super::helpers::*;
use breakwater_testing::{dec, SuiteBuilder};
use breakwater_types::market::ExecuteMsg;
use cosmwasm_std::{coin, Uint128};

#[test]
fn borrow_sends_the_base_asset_and_records_debt() {
    let mut suite = SuiteBuilder::new().build();
    lend_and_borrow(&mut suite, 10_000_000, 1_000_000, 0);
    let borrower = suite.borrower.clone();
    let before = suite.balance(&borrower, USDC);
    let res = suite.borrow(&borrower, 2_000_000).unwrap();
    assert_eq!(attr(&res, "action").as_deref(), Some("borrow"));
    assert_eq!(attr(&res, "debt").as_deref(), Some("2000000"));
    assert_eq!(attr(&res, "borrow_limit").as_deref(), Some("6800000"));
    assert_eq!(suite.balance(&borrower, USDC), before + 2_000_000);

    let acc = suite.account(&borrower);
    assert_eq!(acc.debt, Uint128::new(2_000_000));
    assert_eq!(acc.debt_shares, Uint128::new(2_000_000));
    // HF = 10,000,000 · 0.70 / 2,000,000.
    assert_eq!(acc.health_factor, Some(dec("3.5")));
    let st = suite.market_state();
    assert_eq!(st.total_borrowed, Uint128::new(2_000_000));
    assert_eq!(st.cash, Uint128::new(8_000_000));
    assert_eq!(st.utilization, dec("0.2"));
}

#[test]
fn borrow_refused_above_borrow_limit() {
    let mut suite = SuiteBuilder::new().build();
    lend_and_borrow(&mut suite, 10_000_000, 1_000_000, 0);
    let borrower = suite.borrower.clone();
    assert_err(
        suite.borrow(&borrower, 6_800_001),
        "borrow limit exceeded: debt would be 6800001, the borrow limit is 6800000",
    );
    assert_eq!(suite.account(&borrower).debt, Uint128::zero());
    suite.borrow(&borrower, 6_800_000).unwrap();
    assert_err(suite.borrow(&borrower, 1), "borrow limit exceeded");
}

#[test]
fn borrow_limit_sums_every_collateral_cross_margin() {
    let mut suite = SuiteBuilder::new().build();
    let (lender, borrower) = (suite.lender.clone(), suite.borrower.clone());
    suite.supply(&lender, 100_000_000).unwrap();
    suite.deposit_collateral(&borrower, ATOM, 100_000).unwrap(); // 1,000,000 × 0.68
    suite
        .deposit_collateral(&borrower, OSMO, 1_000_000)
        .unwrap(); // 500,000 × 0.60
    suite.deposit_collateral(&borrower, ETH, 1_000).unwrap(); // 3,000,000 × 0.80
    let limit = 680_000 + 300_000 + 2_400_000;
    let acc = suite.account(&borrower);
    assert_eq!(acc.borrow_limit, Uint128::new(limit));
    assert_eq!(acc.collateral_value, Uint128::new(4_500_000));
    assert_eq!(
        acc.liquidation_value,
        Uint128::new(700_000 + 325_000 + 2_475_000)
    );
    assert_err(suite.borrow(&borrower, limit + 1), "borrow limit exceeded");
    suite.borrow(&borrower, limit).unwrap();
}

#[test]
fn borrow_refused_without_collateral() {
    let mut suite = SuiteBuilder::new().build();
    let (lender, borrower) = (suite.lender.clone(), suite.borrower.clone());
    suite.supply(&lender, 1_000_000).unwrap();
    assert_err(suite.borrow(&borrower, 1), "no collateral");
}

#[test]
fn borrow_refused_above_available_liquidity() {
    let mut suite = SuiteBuilder::new().build();
    lend_and_borrow(&mut suite, 1_000, 1_000_000, 0);
    let borrower = suite.borrower.clone();
    assert_err(
        suite.borrow(&borrower, 1_001),
        "insufficient liquidity: 1001 requested, 1000 available",
    );
    assert_err(suite.borrow(&borrower, u128::MAX), "insufficient liquidity");
    suite.borrow(&borrower, 1_000).unwrap();
}

#[test]
fn borrow_of_zero_is_refused() {
    let mut suite = SuiteBuilder::new().build();
    lend_and_borrow(&mut suite, 1_000, 1_000, 0);
    let borrower = suite.borrower.clone();
    assert_err(suite.borrow(&borrower, 0), "amount must be positive");
}

#[test]
fn borrow_with_funds_attached_is_refused() {
    let mut suite = SuiteBuilder::new().build();
    lend_and_borrow(&mut suite, 1_000, 1_000, 0);
    let borrower = suite.borrower.clone();
    assert_err(
        suite.market_execute(
            &borrower,
            &ExecuteMsg::Borrow {
                amount: Uint128::new(10),
            },
            &[coin(1, USDC)],
        ),
        "does no accept funds",
    );
}

#[test]
fn borrowing_after_interest_rounds_debt_shares_up() {
    let mut suite = suite_with_grown_indices();
    long_pause_then_reactivate_prices(&mut suite, 0);
    let borrower = suite.borrower.clone();
    let index = suite.market_state().borrow_index;
    let shares_before = suite.account(&borrower).debt_shares;
    let res = suite.borrow(&borrower, 1_000).unwrap();
    let minted: u128 = attr(&res, "shares").unwrap().parse().unwrap();
    assert_eq!(minted, (1_000.0 / f(index)).ceil() as u128);
    assert_eq!(
        suite.account(&borrower).debt_shares,
        shares_before + Uint128::new(minted)
    );
}
