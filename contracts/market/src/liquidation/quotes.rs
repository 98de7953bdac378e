//! The planner's [`Quotes`] on chain: the liquidator's `Room` and the backstop's `AbsorbQuote`
//! and base balance, queried through the typed adapters only when the plan asks, and the
//! redistribution stakes read from storage.
use super::settle::backstop_base;
use crate::error::ContractError;
use crate::state::Liquidation;
use breakwater_types::backstop::AbsorbQuoteResponse;
use breakwater_types::liquidation::{Quotes, Room};
use cosmwasm_std::{Coin, QuerierWrapper, Storage, Uint128};

/// Live answers from the liquidator and the backstop of `liq`.
pub struct LiveQuotes<'a> {
    /// The chain.
    pub querier: QuerierWrapper<'a>,
    /// The liquidation set-up.
    pub liq: &'a Liquidation,
    /// The base asset.
    pub base_denom: &'a str,
    /// The market's storage (the redistribution stakes).
    pub storage: &'a dyn Storage,
}

impl Quotes for LiveQuotes<'_> {
    type Error = ContractError;

    fn room(&mut self, denom: &str) -> Result<Room, ContractError> {
        Ok(self.liq.liquidator.query_room_caps(&self.querier, denom)?)
    }

    fn absorb_quote(
        &mut self,
        collateral: Vec<Coin>,
        debt: Uint128,
        halted: bool,
    ) -> Result<AbsorbQuoteResponse, ContractError> {
        Ok(self
            .liq
            .backstop
            .query_absorb_quote(&self.querier, collateral, debt, halted)?)
    }

    fn backstop_base(&mut self) -> Result<Uint128, ContractError> {
        backstop_base(&self.querier, self.liq, self.base_denom)
    }

    fn stake(&mut self, denom: &str) -> Result<Uint128, ContractError> {
        crate::redistribution::stake(self.storage, denom)
    }
}
