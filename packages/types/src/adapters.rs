//! Typed wrappers for cross-contract calls.
//!
//! An unchecked wrapper (`OracleUnchecked`) holds a raw string from a message; `check(api)`
//! validates it into the checked wrapper (`OracleContract`), which knows how to query and call
//! the contract with exactly the messages defined in this crate.
use crate::oracle::{OracleStatus, PriceResponse, QueryMsg as OracleQuery};
use cosmwasm_schema::cw_serde;
use cosmwasm_std::Decimal;
use cosmwasm_std::{Addr, Api, QuerierWrapper, StdResult};
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
