//! Typed helpers for the oracle's messages and queries.
use crate::Suite;
use anyhow::Result as AnyResult;
use breakwater_types::oracle::{ExecuteMsg, PriceResponse, PriceSubmission, QueryMsg};
use cosmwasm_std::{Addr, Coin, Decimal, StdResult, Uint128};
use cw_multi_test::{AppResponse, Executor};
use serde::de::DeserializeOwned;

impl Suite {
    /// Sends any oracle message.
    pub fn oracle_execute(
        &mut self,
        sender: &Addr,
        msg: &ExecuteMsg,
        funds: &[Coin],
    ) -> AnyResult<AppResponse> {
        // cw-multi-test 3 returns `StdError`, which is no `std::error::Error`: keep its text.
        self.app
            .execute_contract(sender.clone(), self.oracle.clone(), msg, funds)
            .map_err(|e| anyhow::anyhow!("{e}"))
    }

    /// Any oracle query.
    pub fn oracle_query<T: DeserializeOwned>(&self, msg: &QueryMsg) -> StdResult<T> {
        self.app.wrap().query_wasm_smart(&self.oracle, msg)
    }

    /// `feeder` submits `prices` in one message.
    pub fn submit_prices(
        &mut self,
        feeder: &Addr,
        prices: &[(&str, Decimal)],
    ) -> AnyResult<AppResponse> {
        let msg = ExecuteMsg::SubmitPrices {
            prices: prices
                .iter()
                .map(|(d, p)| PriceSubmission {
                    denom: d.to_string(),
                    price: *p,
                    depth: None,
                })
                .collect(),
        };
        self.oracle_execute(feeder, &msg, &[])
    }

    /// `feeder` submits `price` for `denom` with the market `depth` it measured (base value per
    /// 1% move).
    pub fn submit_price_with_depth(
        &mut self,
        feeder: &Addr,
        denom: &str,
        price: Decimal,
        depth: u128,
    ) -> AnyResult<AppResponse> {
        let msg = ExecuteMsg::SubmitPrices {
            prices: vec![PriceSubmission {
                denom: denom.to_string(),
                price,
                depth: Some(Uint128::new(depth)),
            }],
        };
        self.oracle_execute(feeder, &msg, &[])
    }

    /// Feeder `i` submits `price` for `denom` with depth `depths[i]` (panics on error: a set-up
    /// helper; feeders beyond `depths` submit the price alone).
    pub fn feed_with_depth(&mut self, denom: &str, price: Decimal, depths: &[u128]) {
        for (i, f) in self.feeders.clone().iter().enumerate() {
            let res = match depths.get(i) {
                Some(d) => self.submit_price_with_depth(f, denom, price, *d),
                None => self.submit_prices(f, &[(denom, price)]),
            };
            res.unwrap_or_else(|e| panic!("feeding {denom} with depth failed: {e}"));
        }
    }

    /// The oracle's price record of `denom`.
    pub fn oracle_price(&self, denom: &str) -> StdResult<PriceResponse> {
        self.oracle_query(&QueryMsg::Price {
            denom: denom.to_string(),
        })
    }
}
