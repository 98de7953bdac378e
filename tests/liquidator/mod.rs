//! The Dutch-auction liquidator: curve, floor, bids, dust, resets, flash bids, caps, breaker.
mod admin;
mod auction;
mod depth;
mod fall;
mod flash;
mod hold;
mod reset;
mod slide;

pub use crate::common::attr;
use breakwater_testing::{dec, Suite, SuiteBuilder};

/// Lender supply, borrower collateral (uatom) and debt used by every test here.
pub const SUPPLY: u128 = 1_000_000_000_000;
pub const COLLATERAL: u128 = 1_000_000_000;
pub const DEBT: u128 = 6_500_000_000;

/// A suite where the borrower holds 1,000 ATOM (at 10) against 6,500 USDC of debt, then ATOM
/// drops to 8.5 (HF ≈ 0.915, above the hard floor and the toxic frontier) and the keeper
/// liquidates: returns the suite and the auction id.
pub fn liquidated(builder: SuiteBuilder) -> (Suite, u64) {
    liquidated_after(builder, 30)
}

/// [`liquidated`], the position held at 10 for `secs` before the drop.
pub fn liquidated_after(builder: SuiteBuilder, secs: u64) -> (Suite, u64) {
    let mut s = builder.build();
    let (lender, borrower, keeper) = (s.lender.clone(), s.borrower.clone(), s.keeper.clone());
    s.supply(&lender, SUPPLY).unwrap();
    s.open_position(&borrower, "uatom", COLLATERAL, DEBT);
    s.advance_time_feeding(secs);
    s.feed("uatom", dec("8.5"));
    let res = s.liquidate(&keeper, &borrower).unwrap();
    let id = attr(&res, "auction_id")
        .expect("liquidation started an auction")
        .parse()
        .unwrap();
    (s, id)
}

/// Base and collateral supply over every known address, to check conservation.
pub fn supplies(s: &Suite) -> (u128, u128) {
    (s.total_supply("uusdc"), s.total_supply("uatom"))
}
