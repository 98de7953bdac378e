//! Liquidation path of the market: `Liquidate`, auction settlement, bad debt, the breaker,
//! keeper rewards and reserve sweeps, end to end through the liquidator and the backstop.
mod admin;
mod bad_debt;
mod bonus;
mod breaker;
mod credit;
mod flow;
mod helpers;
mod invariant;
mod redistribution;
mod regressions;
mod review;
mod rewards;
mod seizure;
mod throttle;
mod transfer;
mod wick;
