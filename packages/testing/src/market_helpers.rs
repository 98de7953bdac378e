//! Typed helpers for the market's messages and queries.
use crate::Suite;
use anyhow::Result as AnyResult;
use breakwater_types::market::{
    AccountResponse, ExecuteMsg, QueryMsg, StateResponse, SupplierResponse,
};
use breakwater_types::risk::RiskResponse;
use cosmwasm_std::{coin, Addr, Coin, StdResult, Uint128};
use cw_multi_test::{AppResponse, Executor};
use serde::de::DeserializeOwned;

impl Suite {
    /// Sends any market message.
    pub fn market_execute(
        &mut self,
        sender: &Addr,
        msg: &ExecuteMsg,
        funds: &[Coin],
    ) -> AnyResult<AppResponse> {
        // cw-multi-test 3 returns `StdError`, which is no `std::error::Error`: keep its text.
        self.app
            .execute_contract(sender.clone(), self.market.clone(), msg, funds)
            .map_err(|e| anyhow::anyhow!("{e}"))
    }

    /// Any market query.
    pub fn market_query<T: DeserializeOwned>(&self, msg: &QueryMsg) -> StdResult<T> {
        self.app.wrap().query_wasm_smart(&self.market, msg)
    }

    /// `who` supplies `amount` of the base asset.
    pub fn supply(&mut self, who: &Addr, amount: u128) -> AnyResult<AppResponse> {
        let funds = [coin(amount, self.base_denom.clone())];
        self.market_execute(who, &ExecuteMsg::Supply {}, &funds)
    }

    /// `who` withdraws `amount` (all when `None`) of supplied base asset.
    pub fn withdraw(&mut self, who: &Addr, amount: Option<u128>) -> AnyResult<AppResponse> {
        let msg = ExecuteMsg::Withdraw {
            amount: amount.map(Uint128::new),
        };
        self.market_execute(who, &msg, &[])
    }

    /// `who` deposits `amount` of collateral `denom`.
    pub fn deposit_collateral(
        &mut self,
        who: &Addr,
        denom: &str,
        amount: u128,
    ) -> AnyResult<AppResponse> {
        let msg = ExecuteMsg::DepositCollateral { on_behalf_of: None };
        self.market_execute(who, &msg, &[coin(amount, denom)])
    }

    /// `who` withdraws `amount` (all when `None`) of collateral `denom`.
    pub fn withdraw_collateral(
        &mut self,
        who: &Addr,
        denom: &str,
        amount: Option<u128>,
    ) -> AnyResult<AppResponse> {
        let msg = ExecuteMsg::WithdrawCollateral {
            denom: denom.to_string(),
            amount: amount.map(Uint128::new),
        };
        self.market_execute(who, &msg, &[])
    }

    /// `who` borrows `amount` of the base asset.
    pub fn borrow(&mut self, who: &Addr, amount: u128) -> AnyResult<AppResponse> {
        let msg = ExecuteMsg::Borrow {
            amount: Uint128::new(amount),
        };
        self.market_execute(who, &msg, &[])
    }

    /// `who` repays its own debt with `amount` of the base asset.
    pub fn repay(&mut self, who: &Addr, amount: u128) -> AnyResult<AppResponse> {
        let funds = [coin(amount, self.base_denom.clone())];
        self.market_execute(who, &ExecuteMsg::Repay { on_behalf_of: None }, &funds)
    }

    /// Market totals, accrued to now.
    pub fn market_state(&self) -> StateResponse {
        self.market_query(&QueryMsg::State {})
            .unwrap_or_else(|e| panic!("state query failed: {e}"))
    }

    /// One account, fully priced.
    pub fn account(&self, who: &Addr) -> AccountResponse {
        self.market_query(&QueryMsg::Account {
            address: who.to_string(),
        })
        .unwrap_or_else(|e| panic!("account query failed: {e}"))
    }

    /// `who` walks the next `limit` accounts of the risk pass (`UpdateRisk`).
    pub fn update_risk(&mut self, who: &Addr, limit: Option<u32>) -> AnyResult<AppResponse> {
        self.market_execute(who, &ExecuteMsg::UpdateRisk { limit }, &[])
    }

    /// Cranks `UpdateRisk` until a pass completes, `limit` accounts at a time; returns how
    /// many messages it took.
    pub fn complete_risk_pass(&mut self, limit: u32) -> usize {
        let keeper = self.keeper.clone();
        for n in 1..=10_000 {
            let res = self
                .update_risk(&keeper, Some(limit))
                .unwrap_or_else(|e| panic!("UpdateRisk failed: {e}"));
            let done = res
                .events
                .iter()
                .flat_map(|e| e.attributes.iter())
                .any(|a| a.key == "done" && a.value == "true");
            if done {
                return n;
            }
        }
        panic!("the risk pass never completed")
    }

    /// The market's risk report (`Risk {}`).
    pub fn market_risk(&self) -> RiskResponse {
        self.market_query(&QueryMsg::Risk {})
            .unwrap_or_else(|e| panic!("risk query failed: {e}"))
    }

    /// A lender's position.
    pub fn supplier(&self, who: &Addr) -> SupplierResponse {
        self.market_query(&QueryMsg::Supplier {
            address: who.to_string(),
        })
        .unwrap_or_else(|e| panic!("supplier query failed: {e}"))
    }
}
