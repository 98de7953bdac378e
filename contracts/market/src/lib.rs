//! Breakwater lending market: one borrowable base asset supplied by lenders, several
//! collaterals per borrower (cross-margin), Compound III-like share accounting.
//!
//! - Lenders `Supply` the base asset for supply shares whose value grows with the supply index.
//! - Borrowers deposit collateral and `Borrow` up to their borrow limit
//!   (`Σ value(min(median, TWAP)) · ltv_eff`, where `ltv_eff` shrinks with volatility); debt is
//!   kept in debt shares whose value grows with the borrow index.
//! - Interest accrues lazily at every message touching balances (see [`interest::accrue`]).
//! - Liquidation thresholds change only through ramps, so a parameter change never liquidates
//!   anyone at once.
//! - Once wired to a liquidator and a backstop (`SetLiquidation`), keepers `Liquidate`
//!   unhealthy accounts: partially to a target health factor through Dutch auctions, or the
//!   whole position (toxic or deeply underwater accounts) to the backstop or to auctions;
//!   shortfalls are covered by the backstop, then reserves, then socialized (see
//!   [`liquidation`]; the rules themselves are the pure planner
//!   `breakwater_types::liquidation`). A circuit breaker ([`breaker`]) pauses borrows, auctions
//!   and bids.
//! - The backstop's share of new reserves rises with measured risk: a permissionless crank
//!   ([`risk`]) counts the debt a fall of each collateral would make liquidatable and compares
//!   it with the pool and the oracle's measured depth.
//!
//! Rounding always favours the protocol: whatever users receive rounds down, whatever they owe
//! rounds up.
#![warn(missing_docs)]

pub mod add_collateral;
pub mod borrow;
pub mod breaker;
pub mod contract;
pub mod deposit_collateral;
pub mod error;
pub mod health;
pub mod interest;
pub mod liquidation;
#[cfg(test)]
mod mock;
pub mod payment;
pub mod query;
pub mod redistribution;
pub mod repay;
pub mod risk;
pub mod set_liquidation;
pub mod state;
pub mod supply;
pub mod sweep_reserves;
pub mod update_collateral;
pub mod update_config;
pub mod withdraw;
pub mod withdraw_collateral;

pub use crate::error::ContractError;
