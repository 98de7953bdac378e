//! Unit-test scaffolding: a market instantiated on mock dependencies with a fake oracle that
//! counts its price queries.
use crate::contract::{execute, instantiate};
use breakwater_types::market::{CollateralParams, ExecuteMsg, InstantiateMsg, MarketParams};
use breakwater_types::oracle::{OracleStatus, PriceResponse, QueryMsg as OracleQuery};
use cosmwasm_std::testing::{
    message_info, mock_dependencies, mock_env, MockApi, MockQuerier, MockStorage,
};
use cosmwasm_std::{
    coin, from_json, to_json_binary, ContractResult, Decimal, Empty, Env, OwnedDeps, SystemResult,
    Uint128, WasmQuery,
};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Mock dependencies of the market.
pub type Deps = OwnedDeps<MockStorage, MockApi, MockQuerier, Empty>;

/// A collateral listed by [`setup`] at price 10 (`uatom`) or 2 (`uosmo`).
pub fn collateral(denom: &str) -> CollateralParams {
    CollateralParams {
        denom: denom.to_string(),
        max_ltv: Decimal::percent(50),
        liquidation_threshold: Decimal::percent(60),
        liquidation_penalty: Decimal::percent(5),
        supply_cap: Uint128::new(u128::MAX),
        depth: Uint128::new(1_000_000),
        dynamic_bonus: None,
    }
}

/// A market with `uatom` and `uosmo` listed, its oracle answering every price query as active
/// and counting them in the returned counter.
pub fn setup() -> (Deps, Env, Arc<AtomicUsize>) {
    let mut deps = mock_dependencies();
    let env = mock_env();
    let oracle = deps.api.addr_make("oracle");
    let owner = deps.api.addr_make("owner");
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    deps.querier.update_wasm(move |q| match q {
        WasmQuery::Smart { msg, .. } => {
            counter.fetch_add(1, Ordering::SeqCst);
            let OracleQuery::Price { denom } = from_json(msg).expect("a price query") else {
                panic!("unexpected oracle query");
            };
            let price = if denom == "uatom" {
                Decimal::percent(1_000)
            } else {
                Decimal::percent(200)
            };
            let resp = PriceResponse {
                denom,
                median: price,
                twap: price,
                volatility: Decimal::zero(),
                status: OracleStatus::Active {},
                feeders_used: vec![],
                feeders_excluded: vec![],
                updated_at: 0,
                fresh_until: u64::MAX,
                depth: None,
                depth_measured_at: None,
                below_twap: None,
            };
            SystemResult::Ok(ContractResult::Ok(to_json_binary(&resp).expect("json")))
        }
        _ => panic!("unexpected query"),
    });
    instantiate(
        deps.as_mut(),
        env.clone(),
        message_info(&owner, &[]),
        InstantiateMsg {
            owner: None,
            oracle: oracle.to_string(),
            base_denom: "uusdc".to_string(),
            params: MarketParams::default(),
            collaterals: vec![collateral("uatom"), collateral("uosmo")],
        },
    )
    .expect("instantiate");
    (deps, env, count)
}

/// `who` deposits `amount` of `denom`.
pub fn deposit(deps: &mut Deps, env: &Env, who: &str, denom: &str, amount: u128) {
    let sender = deps.api.addr_make(who);
    execute(
        deps.as_mut(),
        env.clone(),
        message_info(&sender, &[coin(amount, denom)]),
        ExecuteMsg::DepositCollateral { on_behalf_of: None },
    )
    .expect("deposit");
}

/// `who` supplies `amount` of the base asset.
pub fn supply(deps: &mut Deps, env: &Env, who: &str, amount: u128) {
    let sender = deps.api.addr_make(who);
    execute(
        deps.as_mut(),
        env.clone(),
        message_info(&sender, &[coin(amount, "uusdc")]),
        ExecuteMsg::Supply {},
    )
    .expect("supply");
}
