//! Owner messages, two-step ownership, instantiation checks and migration.
use super::helpers::*;
use breakwater_testing::{dec, Suite, SuiteBuilder};
use breakwater_types::liquidator::{self, CollateralAuction};
use breakwater_types::market::{
    CollateralParams, CollateralResponse, CollateralUpdate, ConfigResponse, ExecuteMsg,
    InstantiateMsg, MarketParams, QueryMsg, MAX_COLLATERALS,
};
use breakwater_types::oracle::{self, AssetInit, OracleParams};
use breakwater_types::ownership::OwnershipMsg;
use breakwater_types::MigrateMsg;
use cosmwasm_std::{coin, Addr, Uint128};
use cw_multi_test::Executor;

fn params(denom: &str) -> CollateralParams {
    CollateralParams {
        denom: denom.to_string(),
        max_ltv: dec("0.5"),
        liquidation_threshold: dec("0.6"),
        liquidation_penalty: dec("0.1"),
        supply_cap: Uint128::new(1_000_000_000),
        depth: Uint128::new(1_000_000),
        dynamic_bonus: None,
    }
}

fn config(suite: &Suite) -> ConfigResponse {
    suite.market_query(&QueryMsg::Config {}).unwrap()
}

fn market_code_id(suite: &Suite) -> u64 {
    suite.app.contract_data(&suite.market).unwrap().code_id
}

fn instantiate_msg(suite: &Suite) -> InstantiateMsg {
    InstantiateMsg {
        owner: None,
        oracle: suite.oracle.to_string(),
        base_denom: USDC.to_string(),
        params: MarketParams::default(),
        collaterals: vec![params(ATOM), params(OSMO)],
    }
}

fn try_instantiate(suite: &mut Suite, msg: &InstantiateMsg) -> Result<Addr, String> {
    let code_id = market_code_id(suite);
    let owner = suite.owner.clone();
    suite
        .app
        .instantiate_contract(code_id, owner, msg, &[], "market-2", None)
        .map_err(|e| e.to_string())
}

#[test]
fn every_privileged_message_is_refused_from_a_stranger() {
    let mut suite = SuiteBuilder::new().build();
    let s = stranger(&suite);
    let oracle = suite.oracle.to_string();
    let msgs = [
        ExecuteMsg::AddCollateral(params("ujuno")),
        ExecuteMsg::UpdateCollateral {
            denom: ATOM.to_string(),
            update: CollateralUpdate {
                max_ltv: Some(dec("0.1")),
                ..Default::default()
            },
        },
        ExecuteMsg::UpdateConfig {
            oracle: Some(oracle),
            params: Some(MarketParams::default()),
        },
        ExecuteMsg::Ownership(OwnershipMsg::TransferOwnership {
            new_owner: s.to_string(),
        }),
    ];
    for msg in &msgs {
        assert_err(suite.market_execute(&s, msg, &[]), NOT_OWNER);
    }
    assert_err(
        suite.market_execute(
            &s,
            &ExecuteMsg::Ownership(OwnershipMsg::AcceptOwnership {}),
            &[],
        ),
        "no ownership transfer is pending",
    );
    // Nothing moved.
    let c = config(&suite);
    assert_eq!(c.owner, suite.owner.to_string());
    assert_eq!(c.pending_owner, None);
    let atom: CollateralResponse = suite
        .market_query(&QueryMsg::Collateral {
            denom: ATOM.to_string(),
        })
        .unwrap();
    assert_eq!(atom.params.max_ltv, dec("0.68"));
}

#[test]
fn ownership_moves_in_two_steps() {
    let mut suite = SuiteBuilder::new().build();
    let (owner, heir, s) = (suite.owner.clone(), suite.addr("heir"), stranger(&suite));
    suite
        .market_execute(
            &owner,
            &ExecuteMsg::Ownership(OwnershipMsg::TransferOwnership {
                new_owner: heir.to_string(),
            }),
            &[],
        )
        .unwrap();
    assert_eq!(config(&suite).pending_owner, Some(heir.to_string()));
    assert_eq!(config(&suite).owner, owner.to_string());
    assert_err(
        suite.market_execute(
            &s,
            &ExecuteMsg::Ownership(OwnershipMsg::AcceptOwnership {}),
            &[],
        ),
        "only the pending owner may accept ownership",
    );
    suite
        .market_execute(
            &heir,
            &ExecuteMsg::Ownership(OwnershipMsg::AcceptOwnership {}),
            &[],
        )
        .unwrap();
    let c = config(&suite);
    assert_eq!(c.owner, heir.to_string());
    assert_eq!(c.pending_owner, None);
    // The previous owner lost its powers; the new one has them.
    assert_err(
        suite.market_execute(&owner, &ExecuteMsg::AddCollateral(params("ujuno")), &[]),
        NOT_OWNER,
    );
    suite
        .market_execute(&heir, &ExecuteMsg::AddCollateral(params("ujuno")), &[])
        .unwrap();
}

#[test]
fn owner_messages_refuse_funds() {
    let mut suite = SuiteBuilder::new().build();
    let owner = suite.owner.clone();
    suite.fund(&owner, &[coin(10, USDC)]);
    assert_err(
        suite.market_execute(
            &owner,
            &ExecuteMsg::AddCollateral(params("ujuno")),
            &[coin(1, USDC)],
        ),
        "does no accept funds",
    );
    assert_err(
        suite.market_execute(
            &owner,
            &ExecuteMsg::UpdateConfig {
                oracle: None,
                params: None,
            },
            &[coin(1, USDC)],
        ),
        "does no accept funds",
    );
}

#[test]
fn an_added_collateral_can_back_a_loan_once_the_oracle_prices_it() {
    let mut suite = SuiteBuilder::new().build();
    let (owner, lender, borrower) = (
        suite.owner.clone(),
        suite.lender.clone(),
        suite.borrower.clone(),
    );
    let res = suite
        .market_execute(&owner, &ExecuteMsg::AddCollateral(params("ujuno")), &[])
        .unwrap();
    assert_eq!(attr(&res, "action").as_deref(), Some("add_collateral"));
    let juno: CollateralResponse = suite
        .market_query(&QueryMsg::Collateral {
            denom: "ujuno".to_string(),
        })
        .unwrap();
    assert_eq!(juno.liquidation_threshold_now, dec("0.6"));
    assert_eq!(juno.total_deposited, Uint128::zero());

    // Not depositable before the oracle prices it and the liquidator can auction it.
    suite.fund(&borrower, &[coin(1_000_000, "ujuno")]);
    assert_err(
        suite.deposit_collateral(&borrower, "ujuno", 1_000_000),
        "ujuno cannot be deposited: the oracle has no price for it",
    );
    suite
        .oracle_execute(
            &owner,
            &oracle::ExecuteMsg::AddAsset(AssetInit {
                denom: "ujuno".to_string(),
                params: OracleParams {
                    min_feeders: 2,
                    ..OracleParams::default()
                },
                feeders: suite.feeders.iter().map(|f| f.to_string()).collect(),
            }),
            &[],
        )
        .unwrap();
    suite.feed("ujuno", dec("2"));
    assert_err(
        suite.deposit_collateral(&borrower, "ujuno", 1_000_000),
        "ujuno cannot be deposited: the liquidator cannot auction it",
    );
    let auction = liquidator::ExecuteMsg::SetCollateral(CollateralAuction {
        denom: "ujuno".to_string(),
        params: breakwater_testing::default_auction_params(),
    });
    suite.liquidator_execute(&owner, &auction, &[]).unwrap();
    suite
        .deposit_collateral(&borrower, "ujuno", 1_000_000)
        .unwrap();
    suite.supply(&lender, 10_000_000).unwrap();
    assert_err(suite.borrow(&borrower, 1_000_001), "borrow limit exceeded");
    suite.borrow(&borrower, 1_000_000).unwrap();
}

#[test]
fn add_collateral_refuses_duplicates_the_base_asset_and_bad_params() {
    let mut suite = SuiteBuilder::new().build();
    let owner = suite.owner.clone();
    let add = |suite: &mut Suite, p: CollateralParams| {
        suite.market_execute(&owner, &ExecuteMsg::AddCollateral(p), &[])
    };
    assert_err(
        add(&mut suite, params(ATOM)),
        "collateral uatom is already listed",
    );
    assert_err(
        add(&mut suite, params(USDC)),
        "the base asset uusdc cannot be deposited as collateral",
    );
    let mut bad = params("ujuno");
    bad.max_ltv = dec("0.6");
    assert_err(add(&mut suite, bad), "invalid parameter `max_ltv`");
    let mut bad = params("ujuno");
    bad.depth = Uint128::zero();
    assert_err(add(&mut suite, bad), "invalid parameter `depth`");
    let mut bad = params("ujuno");
    bad.denom = String::new();
    assert_err(add(&mut suite, bad), "invalid parameter `denom`");
}

#[test]
fn at_most_max_collaterals_may_be_listed() {
    let mut suite = SuiteBuilder::new().build();
    let owner = suite.owner.clone();
    let listed = suite.collateral_denoms.len();
    for i in listed..MAX_COLLATERALS {
        suite
            .market_execute(
                &owner,
                &ExecuteMsg::AddCollateral(params(&format!("ucoin{i:02}"))),
                &[],
            )
            .unwrap();
    }
    assert_err(
        suite.market_execute(&owner, &ExecuteMsg::AddCollateral(params("uextra")), &[]),
        "too many collaterals: at most 16 may be listed",
    );
}

#[test]
fn update_config_accrues_at_the_old_parameters_first() {
    let mut suite = SuiteBuilder::new().build();
    lend_and_borrow(&mut suite, 1_000_000_000, 1_000_000_000, 500_000_000);
    suite.advance_time(YEAR);
    let viewed = suite.market_state();
    let mut steeper = MarketParams::default();
    steeper.interest.base_rate = dec("0.5");
    let owner = suite.owner.clone();
    suite
        .market_execute(
            &owner,
            &ExecuteMsg::UpdateConfig {
                oracle: None,
                params: Some(steeper.clone()),
            },
            &[],
        )
        .unwrap();
    let after = suite.market_state();
    // The past year was charged at the old curve: same indices as the view before the change.
    assert_eq!(after.borrow_index, viewed.borrow_index);
    assert_eq!(after.supply_index, viewed.supply_index);
    assert_eq!(after.reserves, viewed.reserves);
    assert_eq!(after.last_accrued, suite.now());
    // From now on the new curve applies.
    assert_eq!(after.borrow_rate, viewed.borrow_rate + dec("0.49"));
    assert_eq!(config(&suite).params, steeper);
}

#[test]
fn update_config_refuses_invalid_params_or_oracle() {
    let mut suite = SuiteBuilder::new().build();
    let owner = suite.owner.clone();
    let bad = MarketParams {
        reserve_factor: dec("0.6"),
        ..MarketParams::default()
    };
    assert_err(
        suite.market_execute(
            &owner,
            &ExecuteMsg::UpdateConfig {
                oracle: None,
                params: Some(bad),
            },
            &[],
        ),
        "invalid parameter `reserve_factor`",
    );
    let res = suite.market_execute(
        &owner,
        &ExecuteMsg::UpdateConfig {
            oracle: Some("not an address".to_string()),
            params: None,
        },
        &[],
    );
    assert!(res.is_err());
    assert_eq!(config(&suite).oracle, suite.oracle.to_string());
    // A valid new oracle is stored.
    let other = suite.addr("other-oracle");
    suite
        .market_execute(
            &owner,
            &ExecuteMsg::UpdateConfig {
                oracle: Some(other.to_string()),
                params: None,
            },
            &[],
        )
        .unwrap();
    assert_eq!(config(&suite).oracle, other.to_string());
}

#[test]
fn instantiate_refuses_an_invalid_configuration() {
    let mut suite = SuiteBuilder::new().build();
    let good = instantiate_msg(&suite);
    let cases: Vec<(InstantiateMsg, &str)> = vec![
        (
            InstantiateMsg {
                params: MarketParams {
                    reserve_factor: dec("0.9"),
                    ..MarketParams::default()
                },
                ..good.clone()
            },
            "invalid parameter `reserve_factor`",
        ),
        (
            InstantiateMsg {
                base_denom: String::new(),
                ..good.clone()
            },
            "invalid base denom",
        ),
        (
            InstantiateMsg {
                collaterals: vec![params(ATOM), params(ATOM)],
                ..good.clone()
            },
            "collateral uatom is already listed",
        ),
        (
            InstantiateMsg {
                collaterals: vec![params(USDC)],
                ..good.clone()
            },
            "cannot be deposited as collateral",
        ),
        (
            InstantiateMsg {
                collaterals: vec![CollateralParams {
                    liquidation_penalty: dec("0.5"),
                    ..params(ATOM)
                }],
                ..good.clone()
            },
            "invalid parameter `liquidation_penalty`",
        ),
        (
            InstantiateMsg {
                collaterals: (0..=MAX_COLLATERALS)
                    .map(|i| params(&format!("ucoin{i:02}")))
                    .collect(),
                ..good.clone()
            },
            "too many collaterals",
        ),
    ];
    for (msg, needle) in cases {
        let err = try_instantiate(&mut suite, &msg).unwrap_err();
        assert!(err.contains(needle), "expected {needle:?} in {err}");
    }
    let err = try_instantiate(
        &mut suite,
        &InstantiateMsg {
            oracle: "not an address".to_string(),
            ..good.clone()
        },
    );
    assert!(err.is_err());
}

#[test]
fn instantiate_defaults_the_owner_to_the_sender_or_takes_the_one_given() {
    let mut suite = SuiteBuilder::new().build();
    assert_eq!(config(&suite).owner, suite.owner.to_string());
    let boss = suite.addr("boss");
    let msg = InstantiateMsg {
        owner: Some(boss.to_string()),
        ..instantiate_msg(&suite)
    };
    let addr = try_instantiate(&mut suite, &msg).unwrap();
    let c: ConfigResponse = suite
        .app
        .wrap()
        .query_wasm_smart(&addr, &QueryMsg::Config {})
        .unwrap();
    assert_eq!(c.owner, boss.to_string());
    assert_eq!(c.base_denom, USDC);
    assert_eq!(c.params, MarketParams::default());
}

#[test]
fn migrate_to_the_same_version_succeeds() {
    let mut suite = SuiteBuilder::new().build();
    let (owner, market) = (suite.owner.clone(), suite.market.clone());
    let code_id = market_code_id(&suite);
    suite
        .app
        .migrate_contract(owner, market, &MigrateMsg {}, code_id)
        .unwrap();
}

#[test]
fn migrate_refuses_another_contracts_state() {
    let mut suite = SuiteBuilder::new().build();
    let (owner, oracle) = (suite.owner.clone(), suite.oracle.clone());
    let code_id = market_code_id(&suite);
    assert_err(
        suite
            .app
            .migrate_contract(owner, oracle, &MigrateMsg {}, code_id),
        "cannot migrate from contract crates.io:breakwater-oracle",
    );
}

#[test]
fn migrate_refuses_a_downgrade() {
    let mut suite = SuiteBuilder::new().build();
    let (owner, market) = (suite.owner.clone(), suite.market.clone());
    suite.app.contract_storage_mut(&market).set(
        b"contract_info",
        br#"{"contract":"crates.io:breakwater-market","version":"99.0.0"}"#,
    );
    let code_id = market_code_id(&suite);
    assert_err(
        suite
            .app
            .migrate_contract(owner, market, &MigrateMsg {}, code_id),
        "cannot migrate from version 99.0.0",
    );
}
