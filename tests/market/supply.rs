//! Lenders: supply and withdraw the base asset.
use super::helpers::*;
use breakwater_testing::SuiteBuilder;
use breakwater_types::market::ExecuteMsg;
use cosmwasm_std::{coin, Coin, Uint128, Uint256};

#[test]
fn supply_mints_shares_one_to_one_at_the_start() {
    let mut suite = SuiteBuilder::new().build();
    let lender = suite.lender.clone();
    let before = suite.balance(&lender, USDC);
    let res = suite.supply(&lender, 1_000_000).unwrap();
    assert_eq!(attr(&res, "action").as_deref(), Some("supply"));
    assert_eq!(attr(&res, "shares").as_deref(), Some("1000000"));

    let s = suite.supplier(&lender);
    assert_eq!(s.shares, Uint128::new(1_000_000));
    assert_eq!(s.assets, Uint128::new(1_000_000));
    let st = suite.market_state();
    assert_eq!(st.total_supplied, Uint128::new(1_000_000));
    assert_eq!(st.cash, Uint128::new(1_000_000));
    assert_eq!(st.total_supply_shares, Uint128::new(1_000_000));
    assert_eq!(suite.balance(&lender, USDC), before - 1_000_000);
    assert_eq!(suite.balance(&suite.market.clone(), USDC), 1_000_000);
}

#[test]
fn supply_refused_without_funds() {
    let mut suite = SuiteBuilder::new().build();
    let lender = suite.lender.clone();
    assert_err(
        suite.market_execute(&lender, &ExecuteMsg::Supply {}, &[]),
        "No funds sent",
    );
}

#[test]
fn supply_refused_in_another_denom() {
    let mut suite = SuiteBuilder::new().build();
    let lender = suite.lender.clone();
    assert_err(
        suite.market_execute(&lender, &ExecuteMsg::Supply {}, &[coin(100, ATOM)]),
        "Must send reserve token 'uusdc'",
    );
}

#[test]
fn supply_refused_with_several_denoms() {
    let mut suite = SuiteBuilder::new().build();
    let lender = suite.lender.clone();
    assert_err(
        suite.market_execute(
            &lender,
            &ExecuteMsg::Supply {},
            &[coin(100, ATOM), coin(100, USDC)],
        ),
        "Sent more than one denomination",
    );
    assert_eq!(suite.market_state().cash, Uint128::zero());
}

#[test]
fn supply_too_small_to_mint_a_share_is_refused() {
    let mut suite = suite_with_grown_indices();
    let lender = suite.lender.clone();
    let before = suite.market_state();
    assert_err(suite.supply(&lender, 1), "would mint no shares");
    assert_eq!(suite.market_state(), before);
}

#[test]
fn supply_above_u128_is_refused_with_a_typed_error() {
    let mut suite = SuiteBuilder::new().build();
    let whale = suite.addr("whale");
    let huge = Uint256::from(u128::MAX) + Uint256::from(1u8);
    let coins = [Coin::new(huge, USDC)];
    suite.fund(&whale, &coins);
    assert_err(
        suite.market_execute(&whale, &ExecuteMsg::Supply {}, &coins),
        "is too large",
    );
    assert_eq!(suite.market_state().cash, Uint128::zero());
}

#[test]
fn supply_overflowing_the_books_is_refused_without_panicking() {
    let mut suite = SuiteBuilder::new().build();
    let whale = suite.addr("whale");
    let half = u128::MAX / 2 + 1;
    suite.fund(&whale, &[coin(u128::MAX, USDC)]);
    suite.fund(&whale, &[coin(u128::MAX, USDC)]);
    suite.supply(&whale, half).unwrap();
    let before = suite.market_state();
    assert_err(suite.supply(&whale, half), "overflow");
    assert_eq!(suite.market_state(), before);
}

#[test]
fn withdraw_all_returns_the_supply_and_deletes_the_position() {
    let mut suite = SuiteBuilder::new().build();
    let lender = suite.lender.clone();
    let start = suite.balance(&lender, USDC);
    suite.supply(&lender, 5_000).unwrap();
    let res = suite.withdraw(&lender, None).unwrap();
    assert_eq!(attr(&res, "amount").as_deref(), Some("5000"));
    assert_eq!(suite.balance(&lender, USDC), start);
    assert_eq!(suite.supplier(&lender).shares, Uint128::zero());
    let st = suite.market_state();
    assert_eq!(st.cash, Uint128::zero());
    assert_eq!(st.total_supply_shares, Uint128::zero());
    assert_err(suite.withdraw(&lender, None), "holds no supply shares");
}

#[test]
fn partial_withdraw_burns_shares_rounded_up() {
    let mut suite = suite_with_grown_indices();
    let lender = suite.lender.clone();
    let index = suite.market_state().supply_index;
    let shares_before = suite.supplier(&lender).shares;
    let res = suite.withdraw(&lender, Some(1_000)).unwrap();
    let burned: u128 = attr(&res, "shares").unwrap().parse().unwrap();
    // ceil(1000 / index): a share more than floor whenever the division is inexact.
    let exact = 1_000.0 / f(index);
    assert_eq!(burned, exact.ceil() as u128);
    assert_eq!(
        suite.supplier(&lender).shares,
        shares_before - Uint128::new(burned)
    );
}

#[test]
fn withdraw_refused_above_the_supplied_balance() {
    let mut suite = SuiteBuilder::new().build();
    let lender = suite.lender.clone();
    suite.supply(&lender, 1_000).unwrap();
    assert_err(
        suite.withdraw(&lender, Some(1_001)),
        "withdrawal of 1001 exceeds the supplied balance of 1000",
    );
    assert_err(
        suite.withdraw(&lender, Some(u128::MAX)),
        "exceeds the supplied balance",
    );
    assert_eq!(suite.supplier(&lender).shares, Uint128::new(1_000));
}

#[test]
fn withdraw_refused_without_a_position() {
    let mut suite = SuiteBuilder::new().build();
    let s = stranger(&suite);
    assert_err(suite.withdraw(&s, Some(1)), "holds no supply shares");
}

#[test]
fn withdraw_of_zero_is_refused() {
    let mut suite = SuiteBuilder::new().build();
    let lender = suite.lender.clone();
    suite.supply(&lender, 1_000).unwrap();
    assert_err(suite.withdraw(&lender, Some(0)), "amount must be positive");
}

#[test]
fn withdraw_refused_when_the_cash_is_lent_out() {
    let mut suite = SuiteBuilder::new().build();
    lend_and_borrow(&mut suite, 1_000_000, 1_000_000, 800_000);
    let lender = suite.lender.clone();
    assert_err(
        suite.withdraw(&lender, Some(300_000)),
        "insufficient liquidity: 300000 requested, 200000 available",
    );
    suite.withdraw(&lender, Some(200_000)).unwrap();
}

#[test]
fn withdraw_never_takes_the_reserves() {
    let mut suite = suite_with_grown_indices();
    let (lender, borrower) = (suite.lender.clone(), suite.borrower.clone());
    // Repay everything: cash now holds the reserves too.
    suite.repay(&borrower, 900_000_000_000).unwrap();
    let st = suite.market_state();
    assert!(st.reserves > Uint128::zero());
    let assets = suite.supplier(&lender).assets;
    assert!(assets <= st.cash - st.reserves);
    suite.withdraw(&lender, None).unwrap();
    let after = suite.market_state();
    assert!(after.cash >= after.reserves);
    assert_books_balance(&suite, 5);
}

#[test]
fn withdraw_with_funds_attached_is_refused() {
    let mut suite = SuiteBuilder::new().build();
    let lender = suite.lender.clone();
    suite.supply(&lender, 1_000).unwrap();
    assert_err(
        suite.market_execute(
            &lender,
            &ExecuteMsg::Withdraw { amount: None },
            &[coin(1, USDC)],
        ),
        "does no accept funds",
    );
}

#[test]
fn donations_do_not_change_the_accounting() {
    let mut suite = SuiteBuilder::new().build();
    let lender = suite.lender.clone();
    suite.supply(&lender, 1_000).unwrap();
    let market = suite.market.clone();
    suite.fund(&market, &[coin(1_000_000, USDC)]);
    let st = suite.market_state();
    assert_eq!(st.cash, Uint128::new(1_000));
    assert_eq!(st.total_supplied, Uint128::new(1_000));
    assert_eq!(suite.supplier(&lender).assets, Uint128::new(1_000));
    assert_err(
        suite.withdraw(&lender, Some(1_001)),
        "exceeds the supplied balance",
    );
}
