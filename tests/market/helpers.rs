//! Shared setup and assertions of the market tests.
pub use crate::common::{assert_err, attr, f, stranger};
use breakwater_testing::{dec, Suite};
use breakwater_types::market::ExecuteMsg;
use cosmwasm_std::Decimal;

pub const USDC: &str = "uusdc";
pub const ATOM: &str = "uatom";
pub const OSMO: &str = "uosmo";
pub const ETH: &str = "ueth";

/// Seconds in the 365-day year used for annual rates.
pub const YEAR: u64 = 31_536_000;

/// The message every stranger-refusal test expects.
pub const NOT_OWNER: &str = "unauthorized: only the owner may do this";

/// The price the default Suite feeds for `denom`.
pub fn default_price(denom: &str) -> Decimal {
    match denom {
        ATOM => dec("10"),
        OSMO => dec("0.5"),
        ETH => dec("3000"),
        other => panic!("no default price for {other}"),
    }
}

/// Feeds the default price of every default collateral again (keeps them fresh).
pub fn refresh_prices(suite: &mut Suite) {
    for d in [ATOM, OSMO, ETH] {
        suite.feed(d, default_price(d));
    }
}

/// Lets `secs` pass while the feeders keep every default price fresh, so the prices are
/// active at the end (also after a stale gap: the oracle needs 300 s of healthy updates).
pub fn pass_time_with_fresh_prices(suite: &mut Suite, secs: u64) {
    let mut left = secs;
    while left > 0 {
        let step = left.min(50);
        suite.advance_time(step);
        refresh_prices(suite);
        left -= step;
    }
}

/// Lets `secs` pass (prices go stale), then brings every default price back to active.
pub fn long_pause_then_reactivate_prices(suite: &mut Suite, secs: u64) {
    suite.advance_time(secs);
    refresh_prices(suite);
    pass_time_with_fresh_prices(suite, 350);
}

/// `cash + total_borrowed − total_supplied − reserves`, which must stay a small non-negative
/// number (rounding in the protocol's favour).
pub fn books_gap(suite: &Suite) -> i128 {
    let s = suite.market_state();
    (s.cash.u128() + s.total_borrowed.u128()) as i128
        - (s.total_supplied.u128() + s.reserves.u128()) as i128
}

/// Asserts the accounting invariant, allowing `slack` units of protocol-favouring rounding.
pub fn assert_books_balance(suite: &Suite, slack: i128) {
    let gap = books_gap(suite);
    assert!(
        (0..=slack).contains(&gap),
        "cash + borrowed − supplied − reserves = {gap}, expected within [0, {slack}]: {:?}",
        suite.market_state()
    );
}

/// The lender supplies `supply`; the borrower deposits `atom` uatom and borrows `borrow`.
pub fn lend_and_borrow(suite: &mut Suite, supply: u128, atom: u128, borrow: u128) {
    let (lender, borrower) = (suite.lender.clone(), suite.borrower.clone());
    suite.supply(&lender, supply).unwrap();
    suite.deposit_collateral(&borrower, ATOM, atom).unwrap();
    if borrow > 0 {
        suite.borrow(&borrower, borrow).unwrap();
    }
}

/// Anyone accrues interest.
pub fn accrue(suite: &mut Suite) {
    let keeper = suite.addr("keeper");
    suite
        .market_execute(&keeper, &ExecuteMsg::AccrueInterest {}, &[])
        .unwrap();
}

/// A default Suite where a year of interest at 80% utilization has grown both indices above
/// one (supply ≈ 1.036, borrow ≈ 1.05). The lender supplied 10^12; the borrower holds 10^12
/// uatom and borrowed 8·10^11. Prices are stale at the end.
pub fn suite_with_grown_indices() -> Suite {
    let mut suite = breakwater_testing::SuiteBuilder::new().build();
    lend_and_borrow(
        &mut suite,
        1_000_000_000_000,
        1_000_000_000_000,
        800_000_000_000,
    );
    suite.advance_time(YEAR);
    accrue(&mut suite);
    let s = suite.market_state();
    assert!(s.supply_index > Decimal::one() && s.borrow_index > Decimal::one());
    suite
}
