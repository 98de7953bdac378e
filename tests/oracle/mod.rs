//! Oracle integration tests: medianization, quorum, staleness, the circuit breaker, TWAP and
//! volatility, input validation, owner messages and queries.
mod admin;
mod breaker;
mod depth;
mod median;
mod staleness;
mod twap;
mod validation;

pub use crate::common::assert_err;
use breakwater_testing::Suite;
use breakwater_types::oracle::{
    AssetsResponse, ConfigResponse, FeedersResponse, OracleStatus, PricesResponse, QueryMsg,
};
use cw_multi_test::AppResponse;

/// Everything a query can see of the oracle, to compare before and after a refused message.
#[derive(Debug, PartialEq)]
pub struct Snapshot {
    prices: PricesResponse,
    assets: AssetsResponse,
    feeders: Vec<FeedersResponse>,
    config: ConfigResponse,
}

/// Takes a [`Snapshot`] of the oracle.
pub fn snapshot(suite: &Suite) -> Snapshot {
    let assets: AssetsResponse = suite
        .oracle_query(&QueryMsg::Assets {
            start_after: None,
            limit: Some(100),
        })
        .unwrap();
    let feeders = assets
        .assets
        .iter()
        .map(|a| {
            suite
                .oracle_query(&QueryMsg::Feeders {
                    denom: a.denom.clone(),
                })
                .unwrap()
        })
        .collect();
    Snapshot {
        prices: suite
            .oracle_query(&QueryMsg::Prices {
                start_after: None,
                limit: Some(100),
            })
            .unwrap(),
        assets,
        feeders,
        config: suite.oracle_query(&QueryMsg::Config {}).unwrap(),
    }
}

/// The status of `denom` as the oracle reports it now.
pub fn status(suite: &Suite, denom: &str) -> OracleStatus {
    suite.oracle_price(denom).unwrap().status
}

/// The value of attribute `key` of the first `wasm-oracle_price` event about `denom` (the
/// per-asset event of `SubmitPrices`).
pub fn price_event_attr(res: &AppResponse, denom: &str, key: &str) -> Option<String> {
    res.events
        .iter()
        .filter(|e| e.ty == "wasm-oracle_price")
        .find(|e| {
            e.attributes
                .iter()
                .any(|a| a.key == "denom" && a.value == denom)
        })
        .and_then(|e| e.attributes.iter().find(|a| a.key == key))
        .map(|a| a.value.clone())
}
