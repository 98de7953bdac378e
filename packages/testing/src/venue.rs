//! The devnet venue on the Suite: constant-product pools (`contracts/devnet-pool`) and the
//! flash receiver that sells flash-bid lots on them (`contracts/flash-receiver`).
use crate::Suite;
use breakwater_types::venue::{
    FlashSale, PoolExecuteMsg, PoolInstantiateMsg, PoolQueryMsg, PoolResponse, ReceiverExecuteMsg,
    ReceiverInstantiateMsg,
};
use cosmwasm_std::{coin, to_json_binary, Addr, Coin, Decimal, Empty, Uint128};
use cw_multi_test::{AppResponse, Contract, ContractWrapper, Executor};

type AnyResult<T> = anyhow::Result<T>;

fn pool_code() -> Box<dyn Contract<Empty>> {
    use breakwater_devnet_pool::contract::{execute, instantiate, query};
    Box::new(ContractWrapper::new(execute, instantiate, query))
}

fn receiver_code() -> Box<dyn Contract<Empty>> {
    use breakwater_flash_receiver::contract::{execute, instantiate, query};
    Box::new(ContractWrapper::new(execute, instantiate, query))
}

impl Suite {
    /// Deploys a pool of `collateral` against the base with `fee_bps`, seeded by the owner
    /// (minted to it) with `base` and `units`.
    pub fn deploy_pool(&mut self, collateral: &str, base: u128, units: u128, fee_bps: u16) -> Addr {
        let id = self.app.store_code(pool_code());
        let owner = self.owner.clone();
        let pool = self
            .app
            .instantiate_contract(
                id,
                owner.clone(),
                &PoolInstantiateMsg {
                    base_denom: self.base_denom.clone(),
                    collateral_denom: collateral.to_string(),
                    fee_bps,
                },
                &[],
                "devnet-pool",
                None,
            )
            .unwrap_or_else(|e| panic!("pool instantiate failed: {e}"));
        self.known.push(pool.clone());
        let mut seed = vec![coin(base, self.base_denom.clone()), coin(units, collateral)];
        seed.sort_by(|a, b| a.denom.cmp(&b.denom));
        self.fund(&owner, &seed);
        self.provide_liquidity(&owner, &pool, &seed)
            .unwrap_or_else(|e| panic!("seeding the pool failed: {e}"));
        pool
    }

    /// `who` provides `funds` to `pool`.
    pub fn provide_liquidity(
        &mut self,
        who: &Addr,
        pool: &Addr,
        funds: &[Coin],
    ) -> AnyResult<AppResponse> {
        self.app
            .execute_contract(
                who.clone(),
                pool.clone(),
                &PoolExecuteMsg::ProvideLiquidity {},
                funds,
            )
            .map_err(|e| anyhow::anyhow!("{e}"))
    }

    /// `who` sells `offer` on `pool`, asking at least `min_out`.
    pub fn swap(
        &mut self,
        who: &Addr,
        pool: &Addr,
        offer: Coin,
        min_out: u128,
    ) -> AnyResult<AppResponse> {
        self.app
            .execute_contract(
                who.clone(),
                pool.clone(),
                &PoolExecuteMsg::Swap {
                    min_out: Uint128::new(min_out),
                    to: None,
                },
                &[offer],
            )
            .map_err(|e| anyhow::anyhow!("{e}"))
    }

    /// The pool's reserves.
    pub fn pool(&self, pool: &Addr) -> PoolResponse {
        self.app
            .wrap()
            .query_wasm_smart(pool, &PoolQueryMsg::Pool {})
            .unwrap_or_else(|e| panic!("pool query failed: {e}"))
    }

    /// Deploys a flash receiver (owned by the Suite's owner) selling each `(denom, pool)`,
    /// called back by this Suite's liquidator.
    pub fn deploy_swap_receiver(&mut self, pools: &[(&str, &Addr)]) -> Addr {
        let id = self.app.store_code(receiver_code());
        let r = self
            .app
            .instantiate_contract(
                id,
                self.owner.clone(),
                &ReceiverInstantiateMsg {
                    liquidator: self.liquidator.to_string(),
                    pools: pools
                        .iter()
                        .map(|(d, p)| (d.to_string(), p.to_string()))
                        .collect(),
                },
                &[],
                "flash-receiver",
                None,
            )
            .unwrap_or_else(|e| panic!("receiver instantiate failed: {e}"));
        self.known.push(r.clone());
        r
    }

    /// `bidder` flash-bids through `receiver`, which sells the lot and sends the profit (at
    /// least the sale's `min_profit`) to its beneficiary.
    pub fn flash_sale_bid(
        &mut self,
        bidder: &Addr,
        auction_id: u64,
        max_collateral: u128,
        max_price: Decimal,
        receiver: &Addr,
        sale: &FlashSale,
    ) -> AnyResult<AppResponse> {
        let data = to_json_binary(sale).map_err(|e| anyhow::anyhow!("{e}"))?;
        self.flash_bid_with_data(
            bidder,
            auction_id,
            max_collateral,
            max_price,
            receiver,
            Some(data),
        )
    }

    /// `who` sends a raw message to the flash receiver.
    pub fn receiver_execute(
        &mut self,
        who: &Addr,
        receiver: &Addr,
        msg: &ReceiverExecuteMsg,
    ) -> AnyResult<AppResponse> {
        self.app
            .execute_contract(who.clone(), receiver.clone(), msg, &[])
            .map_err(|e| anyhow::anyhow!("{e}"))
    }
}
