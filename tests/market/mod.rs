//! Market integration tests, a module per behaviour.
mod admin;
mod borrow;
mod collateral;
mod helpers;
mod interest;
mod invariant;
mod margin;
mod oracle_gating;
mod queries;
mod ramp;
mod repay;
mod risk;
mod rounding;
mod supply;
