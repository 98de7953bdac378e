//! Typed helpers for the liquidator's and the backstop's messages and queries, and
//! position set-up for liquidation tests.
use crate::Suite;
use anyhow::Result as AnyResult;
use breakwater_types::backstop::{self, AbsorbQuoteResponse, DepositorResponse, PoolResponse};
use breakwater_types::liquidator::{
    self, AuctionResponse, AuctionsResponse, FlashCallback, RoomResponse,
};
use breakwater_types::market::ExecuteMsg as MarketMsg;
use cosmwasm_std::{coin, Addr, Coin, Decimal, StdResult, Uint128};
use cw_multi_test::{AppResponse, Executor};
use serde::de::DeserializeOwned;

impl Suite {
    /// Sends any liquidator message.
    pub fn liquidator_execute(
        &mut self,
        sender: &Addr,
        msg: &liquidator::ExecuteMsg,
        funds: &[Coin],
    ) -> AnyResult<AppResponse> {
        self.app
            .execute_contract(sender.clone(), self.liquidator.clone(), msg, funds)
            .map_err(|e| anyhow::anyhow!("{e}"))
    }

    /// Any liquidator query.
    pub fn liquidator_query<T: DeserializeOwned>(
        &self,
        msg: &liquidator::QueryMsg,
    ) -> StdResult<T> {
        self.app.wrap().query_wasm_smart(&self.liquidator, msg)
    }

    /// Sends any backstop message.
    pub fn backstop_execute(
        &mut self,
        sender: &Addr,
        msg: &backstop::ExecuteMsg,
        funds: &[Coin],
    ) -> AnyResult<AppResponse> {
        self.app
            .execute_contract(sender.clone(), self.backstop.clone(), msg, funds)
            .map_err(|e| anyhow::anyhow!("{e}"))
    }

    /// Any backstop query.
    pub fn backstop_query<T: DeserializeOwned>(&self, msg: &backstop::QueryMsg) -> StdResult<T> {
        self.app.wrap().query_wasm_smart(&self.backstop, msg)
    }

    /// `keeper` liquidates `borrower`.
    pub fn liquidate(&mut self, keeper: &Addr, borrower: &Addr) -> AnyResult<AppResponse> {
        let msg = MarketMsg::Liquidate {
            borrower: borrower.to_string(),
        };
        self.market_execute(keeper, &msg, &[])
    }

    /// `bidder` bids on `auction_id`, attaching `ceil(max_collateral · max_price)` base.
    pub fn bid(
        &mut self,
        bidder: &Addr,
        auction_id: u64,
        max_collateral: u128,
        max_price: Decimal,
    ) -> AnyResult<AppResponse> {
        let funds = Uint128::new(max_collateral)
            .checked_mul_ceil(max_price)
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .u128();
        self.bid_with_funds(bidder, auction_id, max_collateral, max_price, funds)
    }

    /// `bidder` bids on `auction_id` attaching exactly `funds` base units.
    pub fn bid_with_funds(
        &mut self,
        bidder: &Addr,
        auction_id: u64,
        max_collateral: u128,
        max_price: Decimal,
        funds: u128,
    ) -> AnyResult<AppResponse> {
        let msg = liquidator::ExecuteMsg::Bid {
            auction_id,
            max_collateral: Uint128::new(max_collateral),
            max_price,
            callback: None,
        };
        let attached = if funds == 0 {
            vec![]
        } else {
            vec![coin(funds, self.base_denom.clone())]
        };
        self.liquidator_execute(bidder, &msg, &attached)
    }

    /// `bidder` flash-bids: the lot goes to `receiver`, which must pay in the same transaction.
    pub fn flash_bid(
        &mut self,
        bidder: &Addr,
        auction_id: u64,
        max_collateral: u128,
        max_price: Decimal,
        receiver: &Addr,
    ) -> AnyResult<AppResponse> {
        self.flash_bid_with_data(
            bidder,
            auction_id,
            max_collateral,
            max_price,
            receiver,
            None,
        )
    }

    /// [`Suite::flash_bid`] passing `data` to the receiver.
    pub fn flash_bid_with_data(
        &mut self,
        bidder: &Addr,
        auction_id: u64,
        max_collateral: u128,
        max_price: Decimal,
        receiver: &Addr,
        data: Option<cosmwasm_std::Binary>,
    ) -> AnyResult<AppResponse> {
        let msg = liquidator::ExecuteMsg::Bid {
            auction_id,
            max_collateral: Uint128::new(max_collateral),
            max_price,
            callback: Some(FlashCallback {
                contract: receiver.to_string(),
                data,
            }),
        };
        self.liquidator_execute(bidder, &msg, &[])
    }

    /// `keeper` resets a stale auction.
    pub fn reset_auction(&mut self, keeper: &Addr, auction_id: u64) -> AnyResult<AppResponse> {
        self.liquidator_execute(keeper, &liquidator::ExecuteMsg::Reset { auction_id }, &[])
    }

    /// One running auction (panics if it ended).
    pub fn auction(&self, auction_id: u64) -> AuctionResponse {
        self.liquidator_query(&liquidator::QueryMsg::Auction { auction_id })
            .unwrap_or_else(|e| panic!("auction query failed: {e}"))
    }

    /// Every running auction (first 100).
    pub fn auctions(&self) -> Vec<AuctionResponse> {
        let r: AuctionsResponse = self
            .liquidator_query(&liquidator::QueryMsg::Auctions {
                denom: None,
                start_after: None,
                limit: Some(100),
            })
            .unwrap_or_else(|e| panic!("auctions query failed: {e}"));
        r.auctions
    }

    /// Room under the auction caps for `denom`.
    pub fn room(&self, denom: &str) -> RoomResponse {
        self.liquidator_query(&liquidator::QueryMsg::Room {
            denom: denom.to_string(),
        })
        .unwrap_or_else(|e| panic!("room query failed: {e}"))
    }

    /// `who` deposits `amount` base in the backstop.
    pub fn backstop_deposit(&mut self, who: &Addr, amount: u128) -> AnyResult<AppResponse> {
        let funds = [coin(amount, self.base_denom.clone())];
        self.backstop_execute(who, &backstop::ExecuteMsg::Deposit {}, &funds)
    }

    /// The backstop pool's totals.
    pub fn backstop_pool(&self) -> PoolResponse {
        self.backstop_query(&backstop::QueryMsg::Pool {})
            .unwrap_or_else(|e| panic!("pool query failed: {e}"))
    }

    /// One backstop depositor.
    pub fn backstop_depositor(&self, who: &Addr) -> DepositorResponse {
        self.backstop_query(&backstop::QueryMsg::Depositor {
            address: who.to_string(),
        })
        .unwrap_or_else(|e| panic!("depositor query failed: {e}"))
    }

    /// What the backstop would pay to absorb `collateral` against `debt`.
    pub fn absorb_quote(&self, collateral: Vec<Coin>, debt: u128) -> AbsorbQuoteResponse {
        self.backstop_query(&backstop::QueryMsg::AbsorbQuote {
            collateral,
            debt: Uint128::new(debt),
            halted: false,
        })
        .unwrap_or_else(|e| panic!("absorb quote failed: {e}"))
    }

    /// `who` asks the backstop to buy auction `auction_id` at the floor.
    pub fn buy_at_floor(&mut self, who: &Addr, auction_id: u64) -> AnyResult<AppResponse> {
        self.backstop_execute(who, &backstop::ExecuteMsg::BuyAtFloor { auction_id }, &[])
    }

    /// `who` asks the backstop to re-sell a slice of `denom`.
    pub fn backstop_resell(&mut self, who: &Addr, denom: &str) -> AnyResult<AppResponse> {
        let msg = backstop::ExecuteMsg::Resell {
            denom: denom.to_string(),
        };
        self.backstop_execute(who, &msg, &[])
    }

    /// `who` deposits `collateral_amount` of `denom` and borrows `borrow` base (panics on
    /// error: a set-up helper). `who` is funded first if it lacks the collateral.
    pub fn open_position(
        &mut self,
        who: &Addr,
        denom: &str,
        collateral_amount: u128,
        borrow: u128,
    ) {
        if self.balance(who, denom) < collateral_amount {
            self.fund(who, &[coin(collateral_amount, denom)]);
        }
        self.deposit_collateral(who, denom, collateral_amount)
            .unwrap_or_else(|e| panic!("deposit failed: {e}"));
        if borrow > 0 {
            self.borrow(who, borrow)
                .unwrap_or_else(|e| panic!("borrow failed: {e}"));
        }
    }
}
