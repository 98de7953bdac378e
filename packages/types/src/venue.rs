//! A devnet venue for keepers: a minimal constant-product pool (`contracts/devnet-pool`) and
//! a flash receiver that sells a flash-bid lot on it (`contracts/flash-receiver`). They exist
//! so the keeper's bidder can be exercised end to end on the local chain — sell what it buys,
//! or bid with no inventory through the liquidator's callback — and are not part of the
//! protocol: on a real chain the bidder sells on that chain's DEX.
use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{
    to_json_binary, Addr, Binary, Coin, CosmosMsg, QuerierWrapper, StdResult, Uint128, WasmMsg,
};

/// Instantiates a pool of two denoms.
#[cw_serde]
pub struct PoolInstantiateMsg {
    /// The quote (the market's base asset).
    pub base_denom: String,
    /// The other side (a collateral).
    pub collateral_denom: String,
    /// Swap fee in basis points, taken on the input and left in the pool (at most 1,000).
    pub fee_bps: u16,
}

/// Pool messages.
#[cw_serde]
pub enum PoolExecuteMsg {
    /// Anyone: deposit both denoms for LP shares. The first deposit sets the price; a later
    /// one is taken at the pool's ratio and the excess of either side is refunded.
    ProvideLiquidity {},
    /// LP: burn `shares` for their part of both reserves.
    WithdrawLiquidity {
        /// Shares to burn.
        shares: Uint128,
    },
    /// Anyone: sell the one attached coin (either denom) for the other, refusing to return
    /// less than `min_out`; the output goes to `to` (default: the sender).
    Swap {
        /// Least output accepted.
        min_out: Uint128,
        /// Recipient of the output.
        to: Option<String>,
    },
}

/// Pool queries.
#[cw_serde]
#[derive(QueryResponses)]
pub enum PoolQueryMsg {
    /// Denoms, reserves, fee and shares.
    #[returns(PoolResponse)]
    Pool {},
    /// What selling `offer_amount` of `offer_denom` returns now.
    #[returns(SimulationResponse)]
    Simulate {
        /// The denom sold.
        offer_denom: String,
        /// The amount sold.
        offer_amount: Uint128,
    },
    /// LP shares of an address.
    #[returns(SharesResponse)]
    Shares {
        /// The liquidity provider.
        address: String,
    },
}

/// The pool's state.
#[cw_serde]
pub struct PoolResponse {
    /// Base denom.
    pub base_denom: String,
    /// Collateral denom.
    pub collateral_denom: String,
    /// Base units in the pool.
    pub base_reserve: Uint128,
    /// Collateral units in the pool.
    pub collateral_reserve: Uint128,
    /// Swap fee, basis points.
    pub fee_bps: u16,
    /// LP shares outstanding.
    pub total_shares: Uint128,
}

/// A simulated swap.
#[cw_serde]
pub struct SimulationResponse {
    /// What the seller would receive.
    pub return_amount: Uint128,
    /// The part of the input kept as the fee.
    pub fee_amount: Uint128,
}

/// An LP's shares.
#[cw_serde]
pub struct SharesResponse {
    /// Shares held.
    pub shares: Uint128,
}

/// Output of a constant-product swap of `offer` into reserves `(reserve_in, reserve_out)`
/// with the fee taken on the input: `floor(out·offer·(10⁴−fee) / (in·10⁴ + offer·(10⁴−fee)))`
/// (rounded down: the pool keeps the dust). `None` on overflow or an empty pool.
pub fn swap_out(
    offer: Uint128,
    reserve_in: Uint128,
    reserve_out: Uint128,
    fee_bps: u16,
) -> Option<Uint128> {
    use cosmwasm_std::Uint256;
    let keep = Uint256::from(10_000u128 - u128::from(fee_bps.min(10_000)));
    let net = Uint256::from(offer).checked_mul(keep).ok()?;
    let num = Uint256::from(reserve_out).checked_mul(net).ok()?;
    let den = Uint256::from(reserve_in)
        .checked_mul(Uint256::from(10_000u128))
        .ok()?
        .checked_add(net)
        .ok()?;
    if den.is_zero() {
        return None;
    }
    Uint128::try_from(num / den).ok()
}

/// Instantiates a flash receiver.
#[cw_serde]
pub struct ReceiverInstantiateMsg {
    /// The only liquidator allowed to call it back.
    pub liquidator: String,
    /// The pool each collateral denom sells on.
    pub pools: Vec<(String, String)>,
}

/// What a flash bid passes the receiver in the callback's `data`.
#[cw_serde]
pub struct FlashSale {
    /// Who gets the profit.
    pub beneficiary: String,
    /// Least profit (base units) for the sale to go through; below it the bid reverts.
    pub min_profit: Uint128,
}

/// Flash receiver messages.
#[cw_serde]
pub enum ReceiverExecuteMsg {
    /// The liquidator's callback ([`crate::liquidator::FlashReceiverMsg`]): sell the lot on
    /// its pool, pay `owe`, send the rest to the sale's beneficiary.
    BreakwaterFlash {
        /// The auction.
        auction_id: u64,
        /// Collateral units sent.
        collateral: Uint128,
        /// Collateral denom.
        collateral_denom: String,
        /// Base units to pay the liquidator.
        owe: Uint128,
        /// The base denom.
        denom: String,
        /// The liquidator.
        liquidator: String,
        /// A [`FlashSale`], JSON.
        data: Option<Binary>,
    },
    /// Internal (the receiver itself, after the swap): pay the liquidator and the
    /// beneficiary from what the swap returned.
    Settle {
        /// Base units owed to the liquidator.
        owe: Uint128,
        /// The base denom.
        denom: String,
        /// The liquidator.
        liquidator: String,
        /// Who gets the rest.
        beneficiary: String,
        /// Least rest accepted.
        min_profit: Uint128,
        /// The receiver's base balance before the swap.
        balance_before: Uint128,
    },
    /// Owner: set (or with `None`, remove) the pool a collateral sells on.
    SetPool {
        /// The collateral denom.
        denom: String,
        /// The pool.
        pool: Option<String>,
    },
}

/// Flash receiver queries.
#[cw_serde]
#[derive(QueryResponses)]
pub enum ReceiverQueryMsg {
    /// Owner, liquidator and pools.
    #[returns(ReceiverConfigResponse)]
    Config {},
}

/// The receiver's configuration.
#[cw_serde]
pub struct ReceiverConfigResponse {
    /// Who may set pools.
    pub owner: String,
    /// The liquidator allowed to call back.
    pub liquidator: String,
    /// Pool per collateral denom.
    pub pools: Vec<(String, String)>,
}

/// A devnet pool as a callee (the flash receiver sells through it).
#[cw_serde]
pub struct PoolContract(pub Addr);

impl PoolContract {
    /// Sells `offer` for at least `min_out` of the other denom, paid to `to` (default: the
    /// caller).
    pub fn swap(&self, offer: Coin, min_out: Uint128, to: Option<String>) -> StdResult<CosmosMsg> {
        Ok(WasmMsg::Execute {
            contract_addr: self.0.to_string(),
            msg: to_json_binary(&PoolExecuteMsg::Swap { min_out, to })?,
            funds: vec![offer],
        }
        .into())
    }

    /// Denoms, reserves and fee.
    pub fn query_pool(&self, querier: &QuerierWrapper) -> StdResult<PoolResponse> {
        querier.query_wasm_smart(&self.0, &PoolQueryMsg::Pool {})
    }
}

/// The flash receiver as a callee: itself, settling after the swap.
#[cw_serde]
pub struct ReceiverContract(pub Addr);

impl ReceiverContract {
    /// `Settle { .. }` on the receiver.
    pub fn settle(&self, msg: &ReceiverExecuteMsg) -> StdResult<CosmosMsg> {
        Ok(WasmMsg::Execute {
            contract_addr: self.0.to_string(),
            msg: to_json_binary(msg)?,
            funds: vec![],
        }
        .into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swaps_round_down_and_pay_the_fee() {
        let out = swap_out(
            Uint128::new(1_000),
            Uint128::new(100_000),
            Uint128::new(1_000_000),
            30,
        )
        .unwrap();
        // 10^6 · 1,000 · 9,970 / (10^5 · 10^4 + 1,000 · 9,970) = 9,871.6: rounded down. At
        // the pool's price of 10 a frictionless sale would return 10,000.
        assert_eq!(out, Uint128::new(9_871));
        assert_eq!(
            swap_out(Uint128::new(1), Uint128::zero(), Uint128::zero(), 0),
            Some(Uint128::zero())
        );
        assert_eq!(
            swap_out(Uint128::zero(), Uint128::zero(), Uint128::new(5), 0),
            None
        );
    }
}
