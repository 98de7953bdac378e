//! Queries: config, collaterals, accounts (paginated, priced), suppliers.
use super::helpers::*;
use breakwater_testing::{dec, SuiteBuilder};
use breakwater_types::market::{
    AccountResponse, AccountsResponse, CollateralResponse, CollateralsResponse, ConfigResponse,
    MarketParams, QueryMsg, SupplierResponse,
};
use breakwater_types::math::margin::Ramp;
use cosmwasm_std::{coin, Decimal, Uint128};

#[test]
fn config_reports_owner_oracle_base_denom_and_params() {
    let suite = SuiteBuilder::new().build();
    let c: ConfigResponse = suite.market_query(&QueryMsg::Config {}).unwrap();
    assert_eq!(c.owner, suite.owner.to_string());
    assert_eq!(c.pending_owner, None);
    assert_eq!(c.oracle, suite.oracle.to_string());
    assert_eq!(c.base_denom, USDC);
    assert_eq!(c.params, MarketParams::default());
}

#[test]
fn collaterals_are_paginated_by_denom() {
    let suite = SuiteBuilder::new().build();
    let page = |start_after: Option<&str>, limit| -> Vec<String> {
        let r: CollateralsResponse = suite
            .market_query(&QueryMsg::Collaterals {
                start_after: start_after.map(str::to_string),
                limit,
            })
            .unwrap();
        r.collaterals.into_iter().map(|c| c.params.denom).collect()
    };
    assert_eq!(page(None, None), vec![ATOM, ETH, OSMO]);
    assert_eq!(page(None, Some(2)), vec![ATOM, ETH]);
    assert_eq!(page(Some(ETH), Some(2)), vec![OSMO]);
    assert!(page(Some(OSMO), None).is_empty());
    // A zero limit is clamped to one.
    assert_eq!(page(None, Some(0)), vec![ATOM]);
}

#[test]
fn collateral_query_reports_the_threshold_in_force() {
    let suite = SuiteBuilder::new().build();
    let c: CollateralResponse = suite
        .market_query(&QueryMsg::Collateral {
            denom: ETH.to_string(),
        })
        .unwrap();
    assert_eq!(c.params.max_ltv, dec("0.8"));
    assert_eq!(c.liquidation_threshold_now, dec("0.825"));
    assert_eq!(c.threshold_ramp, Ramp::constant(dec("0.825")));
    let err = suite
        .market_query::<CollateralResponse>(&QueryMsg::Collateral {
            denom: "ujunk".to_string(),
        })
        .unwrap_err();
    assert!(
        err.to_string().contains("ujunk is not a listed collateral"),
        "{err}"
    );
}

#[test]
fn account_query_prices_every_line() {
    let mut suite = SuiteBuilder::new().build();
    lend_and_borrow(&mut suite, 100_000_000, 1_000_001, 0);
    let borrower = suite.borrower.clone();
    suite.deposit_collateral(&borrower, OSMO, 3).unwrap();
    suite.borrow(&borrower, 4_000_000).unwrap();
    let acc = suite.account(&borrower);
    assert_eq!(acc.address, borrower.to_string());
    assert_eq!(acc.collaterals.len(), 2);
    let atom = &acc.collaterals[0];
    assert_eq!((atom.denom.as_str(), atom.amount.u128()), (ATOM, 1_000_001));
    assert_eq!(atom.price, dec("10"));
    assert_eq!(atom.borrow_price, dec("10"));
    assert_eq!(atom.value, Uint128::new(10_000_010));
    assert_eq!(atom.liquidation_threshold, dec("0.7"));
    assert_eq!(atom.effective_ltv, dec("0.68"));
    assert!(atom.oracle_status.is_active());
    // 3 uosmo at 0.5 is worth 1 (rounded down).
    let osmo = &acc.collaterals[1];
    assert_eq!(osmo.value, Uint128::one());
    assert_eq!(acc.collateral_value, Uint128::new(10_000_011));
    // floor(10,000,010 · 0.7) + floor(1 · 0.65)
    assert_eq!(acc.liquidation_value, Uint128::new(7_000_007));
    assert_eq!(acc.borrow_limit, Uint128::new(6_800_006));
    assert_eq!(acc.debt, Uint128::new(4_000_000));
    assert_eq!(
        acc.health_factor,
        Some(Decimal::from_ratio(7_000_007u128, 4_000_000u128))
    );
}

#[test]
fn an_unknown_account_reads_as_empty() {
    let suite = SuiteBuilder::new().build();
    let nobody = suite.addr("nobody");
    let acc = suite.account(&nobody);
    assert!(acc.collaterals.is_empty());
    assert_eq!(acc.debt, Uint128::zero());
    assert_eq!(acc.health_factor, None);
    assert_eq!(acc.borrow_limit, Uint128::zero());
    let err = suite
        .market_query::<AccountResponse>(&QueryMsg::Account {
            address: "not an address".to_string(),
        })
        .unwrap_err();
    assert!(!err.to_string().is_empty());
}

#[test]
fn accounts_are_paginated_by_address_with_their_health() {
    let mut suite = SuiteBuilder::new().build();
    let lender = suite.lender.clone();
    suite.supply(&lender, 100_000_000).unwrap();
    let mut users: Vec<_> = ["alice", "bob", "carol", "dave"]
        .iter()
        .map(|n| suite.addr(n))
        .collect();
    for (i, u) in users.iter().enumerate() {
        suite.fund(u, &[coin(1_000_000, ATOM)]);
        suite.deposit_collateral(u, ATOM, 100_000).unwrap();
        if i % 2 == 0 {
            suite.borrow(u, 350_000).unwrap();
        }
    }
    users.sort();
    let page = |start_after: Option<String>, limit| -> AccountsResponse {
        suite
            .market_query(&QueryMsg::Accounts { start_after, limit })
            .unwrap()
    };
    let first = page(None, Some(3));
    assert_eq!(first.accounts.len(), 3);
    let rest = page(Some(first.accounts[2].address.clone()), Some(3));
    assert_eq!(rest.accounts.len(), 1);
    let seen: Vec<String> = first
        .accounts
        .iter()
        .chain(rest.accounts.iter())
        .map(|a| a.address.clone())
        .collect();
    let expected: Vec<String> = users.iter().map(|u| u.to_string()).collect();
    assert_eq!(seen, expected);
    for a in first.accounts.iter().chain(rest.accounts.iter()) {
        assert_eq!(a.collateral_value, Uint128::new(1_000_000));
        if a.debt.is_zero() {
            assert_eq!(a.health_factor, None);
        } else {
            assert_eq!(a.debt, Uint128::new(350_000));
            assert_eq!(a.health_factor, Some(dec("2")));
        }
    }
}

#[test]
fn supplier_reports_shares_and_their_value() {
    let suite = suite_with_grown_indices();
    let lender = suite.lender.clone();
    let s: SupplierResponse = suite
        .market_query(&QueryMsg::Supplier {
            address: lender.to_string(),
        })
        .unwrap();
    assert_eq!(s.address, lender.to_string());
    assert_eq!(s.shares, Uint128::new(1_000_000_000_000));
    let index = suite.market_state().supply_index;
    assert_eq!(s.assets, s.shares.mul_floor(index));
    assert!(s.assets > s.shares);
    let nobody = suite.addr("nobody");
    assert_eq!(suite.supplier(&nobody).shares, Uint128::zero());
}
