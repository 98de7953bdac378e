//! Typed wrappers for cross-contract calls.
//!
//! An unchecked wrapper (`OracleUnchecked`) holds a raw string from a message; `check(api)`
//! validates it into the checked wrapper (`OracleContract`), which knows how to query and call
//! the contract with exactly the messages defined in this crate.
use crate::market::QueryMsg as MarketQuery;
use crate::oracle::{OracleStatus, PriceResponse, QueryMsg as OracleQuery};
use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Api, QuerierWrapper, StdResult};
use cosmwasm_std::{Decimal, Uint128};
use serde::Deserialize;

/// An oracle address as received in a message.
#[cw_serde]
pub struct OracleUnchecked(pub String);

impl OracleUnchecked {
    /// Validates the address.
    pub fn check(&self, api: &dyn Api) -> StdResult<OracleContract> {
        Ok(OracleContract(api.addr_validate(&self.0)?))
    }
}

/// A validated oracle contract.
#[cw_serde]
pub struct OracleContract(pub Addr);

impl OracleContract {
    /// The contract address.
    pub fn addr(&self) -> &Addr {
        &self.0
    }

    /// The fields of `denom`'s price record a contract acts on (see [`PriceView`]).
    pub fn query_price_view(&self, querier: &QuerierWrapper, denom: &str) -> StdResult<PriceView> {
        querier.query_wasm_smart(
            &self.0,
            &OracleQuery::Price {
                denom: denom.to_string(),
            },
        )
    }

    /// The full price record of `denom` (median, TWAP, volatility, status, feeders).
    pub fn query_price(&self, querier: &QuerierWrapper, denom: &str) -> StdResult<PriceResponse> {
        querier.query_wasm_smart(
            &self.0,
            &OracleQuery::Price {
                denom: denom.to_string(),
            },
        )
    }
}

/// The part of the oracle's [`PriceResponse`] that contracts act on. It skips the feeder lists
/// and other fields when deserializing, which keeps the contracts' wasm small.
#[derive(Deserialize, Debug, Clone, PartialEq)]
pub struct PriceView {
    /// Median of the agreeing fresh submissions.
    pub median: Decimal,
    /// Time-weighted average of the median over the window.
    pub twap: Decimal,
    /// Annualized realized volatility.
    pub volatility: Decimal,
    /// Status at query time.
    pub status: OracleStatus,
}

/// A market address as received in a message.
#[cw_serde]
pub struct MarketUnchecked(pub String);

impl MarketUnchecked {
    /// Validates the address.
    pub fn check(&self, api: &dyn Api) -> StdResult<MarketContract> {
        Ok(MarketContract(api.addr_validate(&self.0)?))
    }
}

/// A validated market contract.
#[cw_serde]
pub struct MarketContract(pub Addr);

impl MarketContract {
    /// The contract address.
    pub fn addr(&self) -> &Addr {
        &self.0
    }

    /// The fields of the market's `State {}` another contract acts on (see [`MarketStateView`]).
    pub fn query_state_view(&self, querier: &QuerierWrapper) -> StdResult<MarketStateView> {
        querier.query_wasm_smart(&self.0, &MarketQuery::State {})
    }
}

/// The part of the market's `StateResponse` that other contracts act on; the other fields are
/// skipped when deserializing.
#[derive(Deserialize, Debug, Clone, PartialEq)]
pub struct MarketStateView {
    /// Circuit-breaker level (0 normal, 1 no borrows, 2 no auctions, 3 no bids).
    pub breaker_level: u8,
    /// Reserves earmarked for the backstop and not yet paid (`SweepReserves`), base units.
    pub backstop_due: Uint128,
}
