//! Borrowers: deposit and withdraw collateral.
use super::helpers::*;
use breakwater_testing::SuiteBuilder;
use breakwater_types::market::{
    AccountsResponse, CollateralResponse, CollateralUpdate, ExecuteMsg, QueryMsg,
};
use cosmwasm_std::{coin, Uint128};

fn total_deposited(suite: &breakwater_testing::Suite, denom: &str) -> Uint128 {
    let c: CollateralResponse = suite
        .market_query(&QueryMsg::Collateral {
            denom: denom.to_string(),
        })
        .unwrap();
    c.total_deposited
}

#[test]
fn deposit_collateral_credits_the_account_and_the_total() {
    let mut suite = SuiteBuilder::new().build();
    let borrower = suite.borrower.clone();
    let res = suite.deposit_collateral(&borrower, ATOM, 1_000).unwrap();
    assert_eq!(attr(&res, "action").as_deref(), Some("deposit_collateral"));
    assert_eq!(attr(&res, "denom").as_deref(), Some(ATOM));
    suite.deposit_collateral(&borrower, OSMO, 500).unwrap();
    suite.deposit_collateral(&borrower, ATOM, 234).unwrap();

    let acc = suite.account(&borrower);
    let held: Vec<(String, u128)> = acc
        .collaterals
        .iter()
        .map(|c| (c.denom.clone(), c.amount.u128()))
        .collect();
    assert_eq!(
        held,
        vec![(ATOM.to_string(), 1_234), (OSMO.to_string(), 500)]
    );
    assert_eq!(total_deposited(&suite, ATOM), Uint128::new(1_234));
    assert_eq!(suite.balance(&suite.market.clone(), ATOM), 1_234);
}

#[test]
fn deposit_collateral_on_behalf_of_credits_another_account() {
    let mut suite = SuiteBuilder::new().build();
    let (lender, friend) = (suite.lender.clone(), suite.addr("friend"));
    let res = suite
        .market_execute(
            &lender,
            &ExecuteMsg::DepositCollateral {
                on_behalf_of: Some(friend.to_string()),
            },
            &[coin(700, ETH)],
        )
        .unwrap();
    assert_eq!(attr(&res, "account"), Some(friend.to_string()));
    assert_eq!(
        suite.account(&friend).collaterals[0].amount,
        Uint128::new(700)
    );
    assert!(suite.account(&lender).collaterals.is_empty());
}

#[test]
fn deposit_collateral_on_behalf_of_an_invalid_address_is_refused() {
    let mut suite = SuiteBuilder::new().build();
    let lender = suite.lender.clone();
    let res = suite.market_execute(
        &lender,
        &ExecuteMsg::DepositCollateral {
            on_behalf_of: Some("not an address".to_string()),
        },
        &[coin(700, ETH)],
    );
    assert!(res.is_err());
    assert_eq!(total_deposited(&suite, ETH), Uint128::zero());
}

#[test]
fn deposit_collateral_refused_without_funds() {
    let mut suite = SuiteBuilder::new().build();
    let borrower = suite.borrower.clone();
    assert_err(
        suite.market_execute(
            &borrower,
            &ExecuteMsg::DepositCollateral { on_behalf_of: None },
            &[],
        ),
        "No funds sent",
    );
}

#[test]
fn deposit_collateral_refused_with_several_denoms() {
    let mut suite = SuiteBuilder::new().build();
    let borrower = suite.borrower.clone();
    assert_err(
        suite.market_execute(
            &borrower,
            &ExecuteMsg::DepositCollateral { on_behalf_of: None },
            &[coin(10, ATOM), coin(10, OSMO)],
        ),
        "Sent more than one denomination",
    );
    assert_eq!(total_deposited(&suite, ATOM), Uint128::zero());
}

#[test]
fn depositing_the_base_asset_as_collateral_is_refused() {
    let mut suite = SuiteBuilder::new().build();
    let borrower = suite.borrower.clone();
    assert_err(
        suite.deposit_collateral(&borrower, USDC, 10),
        "the base asset uusdc cannot be deposited as collateral",
    );
}

#[test]
fn depositing_an_unlisted_denom_is_refused() {
    let mut suite = SuiteBuilder::new().build();
    let borrower = suite.borrower.clone();
    suite.fund(&borrower, &[coin(10, "ujunk")]);
    assert_err(
        suite.deposit_collateral(&borrower, "ujunk", 10),
        "ujunk is not a listed collateral",
    );
}

#[test]
fn deposit_collateral_refused_above_the_supply_cap() {
    let mut suite = SuiteBuilder::new().build();
    let (owner, borrower) = (suite.owner.clone(), suite.borrower.clone());
    suite
        .market_execute(
            &owner,
            &ExecuteMsg::UpdateCollateral {
                denom: ATOM.to_string(),
                update: CollateralUpdate {
                    supply_cap: Some(Uint128::new(1_000)),
                    ..Default::default()
                },
            },
            &[],
        )
        .unwrap();
    suite.deposit_collateral(&borrower, ATOM, 600).unwrap();
    assert_err(
        suite.deposit_collateral(&borrower, ATOM, 401),
        "supply cap of uatom exceeded: 1001 would be deposited, the cap is 1000",
    );
    suite.deposit_collateral(&borrower, ATOM, 400).unwrap();
    assert_eq!(total_deposited(&suite, ATOM), Uint128::new(1_000));
}

#[test]
fn withdraw_collateral_without_debt_returns_everything_and_deletes_the_account() {
    let mut suite = SuiteBuilder::new().build();
    let borrower = suite.borrower.clone();
    let start = suite.balance(&borrower, ATOM);
    suite.deposit_collateral(&borrower, ATOM, 1_000).unwrap();
    suite
        .withdraw_collateral(&borrower, ATOM, Some(400))
        .unwrap();
    assert_eq!(
        suite.account(&borrower).collaterals[0].amount,
        Uint128::new(600)
    );
    let res = suite.withdraw_collateral(&borrower, ATOM, None).unwrap();
    assert_eq!(attr(&res, "amount").as_deref(), Some("600"));
    assert_eq!(suite.balance(&borrower, ATOM), start);
    assert_eq!(total_deposited(&suite, ATOM), Uint128::zero());
    let page: AccountsResponse = suite
        .market_query(&QueryMsg::Accounts {
            start_after: None,
            limit: None,
        })
        .unwrap();
    assert!(page.accounts.is_empty(), "{page:?}");
}

#[test]
fn withdraw_collateral_refused_above_the_holding() {
    let mut suite = SuiteBuilder::new().build();
    let borrower = suite.borrower.clone();
    suite.deposit_collateral(&borrower, ATOM, 1_000).unwrap();
    assert_err(
        suite.withdraw_collateral(&borrower, ATOM, Some(1_001)),
        "insufficient collateral: 1001 uatom requested, 1000 held",
    );
    assert_err(
        suite.withdraw_collateral(&borrower, OSMO, None),
        "insufficient collateral: 0 uosmo requested, 0 held",
    );
    assert_err(
        suite.withdraw_collateral(&borrower, ATOM, Some(0)),
        "amount must be positive",
    );
    assert_err(
        suite.withdraw_collateral(&borrower, "ujunk", None),
        "ujunk is not a listed collateral",
    );
}

#[test]
fn withdraw_collateral_refused_when_it_would_exceed_the_borrow_limit() {
    let mut suite = SuiteBuilder::new().build();
    // 1,000,000 uatom at 10 with LTV 0.68: limit 6,800,000.
    lend_and_borrow(&mut suite, 10_000_000, 1_000_000, 3_400_000);
    let borrower = suite.borrower.clone();
    // Half the collateral leaves a limit of 3,400,000: exactly enough.
    assert_err(
        suite.withdraw_collateral(&borrower, ATOM, Some(500_001)),
        "borrow limit exceeded",
    );
    suite
        .withdraw_collateral(&borrower, ATOM, Some(500_000))
        .unwrap();
    let acc = suite.account(&borrower);
    assert_eq!(acc.borrow_limit, Uint128::new(3_400_000));
    assert_eq!(acc.debt, Uint128::new(3_400_000));
    assert_err(
        suite.withdraw_collateral(&borrower, ATOM, None),
        "borrow limit exceeded: debt would be 3400000, the borrow limit is 0",
    );
}

#[test]
fn withdraw_collateral_with_funds_attached_is_refused() {
    let mut suite = SuiteBuilder::new().build();
    let borrower = suite.borrower.clone();
    suite.deposit_collateral(&borrower, ATOM, 1_000).unwrap();
    assert_err(
        suite.market_execute(
            &borrower,
            &ExecuteMsg::WithdrawCollateral {
                denom: ATOM.to_string(),
                amount: None,
            },
            &[coin(1, ATOM)],
        ),
        "does no accept funds",
    );
}

#[test]
fn deposits_near_u128_max_are_refused_without_panicking() {
    let mut suite = SuiteBuilder::new().build();
    let (owner, whale) = (suite.owner.clone(), suite.addr("whale"));
    suite.fund(&whale, &[coin(u128::MAX, ATOM)]);
    assert_err(
        suite.deposit_collateral(&whale, ATOM, u128::MAX),
        "supply cap of uatom exceeded",
    );
    suite
        .market_execute(
            &owner,
            &ExecuteMsg::UpdateCollateral {
                denom: ATOM.to_string(),
                update: CollateralUpdate {
                    supply_cap: Some(Uint128::MAX),
                    ..Default::default()
                },
            },
            &[],
        )
        .unwrap();
    suite
        .deposit_collateral(&whale, ATOM, u128::MAX - 1)
        .unwrap();
    let borrower = suite.borrower.clone();
    assert_err(suite.deposit_collateral(&borrower, ATOM, 2), "overflow");
    assert_eq!(total_deposited(&suite, ATOM), Uint128::new(u128::MAX - 1));
    // Valuing u128::MAX - 1 uatom at 10 overflows: the account query fails cleanly.
    let err = suite
        .market_query::<breakwater_types::market::AccountResponse>(&QueryMsg::Account {
            address: whale.to_string(),
        })
        .unwrap_err();
    assert!(
        err.to_string().contains("collateral valuation overflows"),
        "{err}"
    );
}
