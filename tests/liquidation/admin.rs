//! Wiring the market to its liquidator and backstop, the new queries, and strangers refused.
use super::helpers::*;
use breakwater_testing::{dec, SuiteBuilder};
use breakwater_types::market::{ConfigResponse, ExecuteMsg, LiquidationConfig, QueryMsg};
use cosmwasm_std::{coin, Uint128};

fn config(suite: &breakwater_testing::Suite) -> LiquidationConfig {
    let cfg: ConfigResponse = suite.market_query(&QueryMsg::Config {}).unwrap();
    cfg.liquidation.expect("the Suite configures liquidation")
}

#[test]
fn the_config_and_state_show_the_liquidation_set_up() {
    let suite = SuiteBuilder::new().build();
    let liq = config(&suite);
    assert_eq!(liq.liquidator, suite.liquidator.to_string());
    assert_eq!(liq.backstop, suite.backstop.to_string());
    assert_eq!(liq.params, default_params());
    let st = suite.market_state();
    assert_eq!(st.breaker_level, 0);
    for v in [
        st.debt_in_auction,
        st.backstop_due,
        st.bad_debt_covered_by_backstop,
        st.bad_debt_covered_by_reserves,
        st.bad_debt_socialized,
    ] {
        assert_eq!(v, Uint128::zero());
    }
}

#[test]
fn the_owner_updates_the_set_up_with_valid_addresses_and_parameters_only() {
    let mut suite = SuiteBuilder::new().build();
    let owner = suite.owner.clone();
    let liq = config(&suite);
    let bad = LiquidationConfig {
        params: breakwater_types::market::LiquidationParams {
            target_health_factor: dec("0.9"),
            ..liq.params.clone()
        },
        ..liq.clone()
    };
    assert_err(
        suite.market_execute(&owner, &ExecuteMsg::SetLiquidation(bad), &[]),
        "invalid parameter `target_health_factor`",
    );
    let bad = LiquidationConfig {
        backstop: "not an address".to_string(),
        ..liq.clone()
    };
    assert!(suite
        .market_execute(&owner, &ExecuteMsg::SetLiquidation(bad), &[])
        .is_err());
    assert_eq!(config(&suite), liq);
    let guardian = suite.addr("breaker_guardian");
    let good = LiquidationConfig {
        guardian: Some(guardian.to_string()),
        params: breakwater_types::market::LiquidationParams {
            keeper_chip: dec("0.002"),
            ..liq.params.clone()
        },
        ..liq
    };
    suite
        .market_execute(&owner, &ExecuteMsg::SetLiquidation(good.clone()), &[])
        .unwrap();
    assert_eq!(config(&suite), good);
}

#[test]
fn every_new_privileged_message_is_refused_from_a_stranger() {
    let mut suite = SuiteBuilder::new().build();
    let s = stranger(&suite);
    suite.fund(&s, &[coin(1_000_000, USDC), coin(1_000_000, ATOM)]);
    let liq = config(&suite);
    assert_err(
        suite.market_execute(&s, &ExecuteMsg::SetLiquidation(liq), &[]),
        "unauthorized: only the owner may do this",
    );
    assert_err(
        suite.market_execute(&s, &ExecuteMsg::SetBreakerLevel { level: 3 }, &[]),
        "unauthorized: only the owner or the guardian may do this",
    );
    let borrower = suite.borrower.to_string();
    assert_err(
        suite.market_execute(
            &s,
            &ExecuteMsg::AuctionProceeds {
                borrower: borrower.clone(),
                shortfall: Uint128::zero(),
                denom: None,
            },
            &[coin(1_000_000, ATOM)],
        ),
        "unauthorized: only the liquidator may do this",
    );
    assert_err(
        suite.market_execute(
            &s,
            &ExecuteMsg::RewardKeeper {
                keeper: s.to_string(),
                tab: Uint128::new(1_000_000_000),
            },
            &[],
        ),
        "unauthorized: only the liquidator may do this",
    );
    // The backstop is no liquidator either.
    let backstop = suite.backstop.clone();
    assert_err(
        suite.market_execute(
            &backstop,
            &ExecuteMsg::AuctionProceeds {
                borrower,
                shortfall: Uint128::zero(),
                denom: None,
            },
            &[],
        ),
        "unauthorized: only the liquidator may do this",
    );
    let st = suite.market_state();
    assert_eq!(st.breaker_level, 0);
    assert_eq!(suite.account(&s).collaterals.len(), 0);
}

#[test]
fn proceeds_credit_only_listed_collateral_back_to_the_borrower() {
    let mut suite = SuiteBuilder::new().build();
    let liquidator = suite.liquidator.clone();
    let borrower = suite.borrower.to_string();
    suite.fund(&liquidator, &[coin(100, ATOM), coin(100, "ufoo")]);
    assert_err(
        suite.market_execute(
            &liquidator,
            &ExecuteMsg::AuctionProceeds {
                borrower: borrower.clone(),
                shortfall: Uint128::zero(),
                denom: None,
            },
            &[coin(100, ATOM), coin(100, "ufoo")],
        ),
        "ufoo is not a listed collateral",
    );
    suite
        .market_execute(
            &liquidator,
            &ExecuteMsg::AuctionProceeds {
                borrower,
                shortfall: Uint128::zero(),
                denom: None,
            },
            &[coin(100, ATOM)],
        )
        .unwrap();
    let b = suite.borrower.clone();
    assert_eq!(suite.account(&b).collaterals[0].amount.u128(), 100);
    assert_books(&suite);
}
