//! The planner's [`Quotes`] on chain: the liquidator's `Room` and the backstop's `AbsorbQuote`
//! and base balance, queried through the typed adapters only when the plan asks, and the
//! redistribution stakes and recipients' health read from storage (and the oracle).
use super::settle::{backstop_base, backstop_credit};
use crate::error::ContractError;
use crate::redistribution::{recipients_health, Move};
use crate::state::{Account, Config, Liquidation, MarketState};
use breakwater_types::backstop::AbsorbQuoteResponse;
use breakwater_types::liquidation::{Lot, Position, Quotes, Room};
use cosmwasm_std::{Coin, Decimal, Deps, Uint128};

/// Live answers from the liquidator and the backstop of `liq`, and from the market itself.
pub struct LiveQuotes<'a> {
    /// The market's storage and the chain.
    pub deps: Deps<'a>,
    /// The market's configuration (prices for the recipients' health).
    pub config: &'a Config,
    /// The liquidation set-up.
    pub liq: &'a Liquidation,
    /// Block time, seconds.
    pub now: u64,
    /// The account being liquidated, settled (as the holder totals count it).
    pub own: &'a Account,
    /// The market's totals (what the pool already owes it).
    pub state: &'a MarketState,
}

impl Quotes for LiveQuotes<'_> {
    type Error = ContractError;

    fn room(&mut self, denom: &str) -> Result<Room, ContractError> {
        Ok(self
            .liq
            .liquidator
            .query_room_caps(&self.deps.querier, denom)?)
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
            .query_absorb_quote(&self.deps.querier, collateral, debt, halted)?)
    }

    fn backstop_base(&mut self) -> Result<Uint128, ContractError> {
        backstop_base(&self.deps.querier, self.liq, &self.config.base_denom)
    }

    fn absorb_credit(&mut self, pay: Uint128) -> Result<Uint128, ContractError> {
        // What the market owes the pool, then its credit room and the lots' part.
        let ratio = self.liq.params.backstop_credit.unwrap_or_default();
        let room = backstop_credit(self.deps, self.config, self.liq, self.state);
        Ok(self
            .state
            .backstop_due
            .saturating_add(room)
            .saturating_add(pay.mul_floor(ratio)))
    }

    fn stake(&mut self, denom: &str) -> Result<Uint128, ContractError> {
        crate::redistribution::stake(self.deps.storage, denom)
    }

    fn recipients_health(
        &mut self,
        position: &Position,
        lots: &[Lot],
        shares: &[Uint128],
    ) -> Result<Option<Decimal>, ContractError> {
        let moves: Vec<Move> = lots
            .iter()
            .zip(shares)
            .map(|(l, s)| Move {
                denom: &l.denom,
                lot: l.amount,
                shares: *s,
            })
            .collect();
        Ok(recipients_health(
            self.deps,
            self.config,
            self.now,
            position.borrow_index,
            self.own,
            &moves,
        ))
    }
}
