//! Dynamic margin: borrow power shrinks with realized volatility and uses min(median, TWAP);
//! liquidation thresholds (and so the health factor) do not move with volatility.
use super::helpers::*;
use breakwater_testing::{dec, Suite, SuiteBuilder};
use cosmwasm_std::{Decimal, Uint128};

/// Feeds uatom every 30 s for forty minutes, alternating between 10.3 and 10 every five
/// minutes (±3% between the five-minute averages volatility is sampled at: annualized
/// volatility far above the 80% reference), ending at 10.
fn chop_atom(suite: &mut Suite) {
    for i in 0..80 {
        suite.advance_time(30);
        let p = if (i / 10) % 2 == 0 {
            dec("10.3")
        } else {
            dec("10")
        };
        for d in [OSMO, ETH] {
            suite.feed(d, default_price(d));
        }
        suite.feed(ATOM, p);
    }
}

#[test]
fn high_volatility_shrinks_the_borrow_limit_and_refuses_a_borrow_that_was_fine() {
    let mut suite = SuiteBuilder::new().build();
    lend_and_borrow(&mut suite, 100_000_000, 1_000_000, 0);
    let borrower = suite.borrower.clone();
    let calm = suite.account(&borrower);
    assert_eq!(calm.borrow_limit, Uint128::new(6_800_000));
    assert_eq!(calm.collaterals[0].effective_ltv, dec("0.68"));

    chop_atom(&mut suite);
    let price = suite.oracle_price(ATOM).unwrap();
    assert!(price.status.is_active(), "{:?}", price.status);
    assert!(
        price.volatility > dec("1.6"),
        "volatility {} should be at least twice the reference",
        price.volatility
    );
    assert_eq!(price.median, dec("10"));

    let choppy = suite.account(&borrower);
    let line = &choppy.collaterals[0];
    // ltv_eff = 0.68 · clamp(0.8 / σ, 0.5, 1) = 0.34 at the floor.
    assert_eq!(line.effective_ltv, dec("0.34"));
    assert_eq!(line.borrow_price, price.median.min(price.twap));
    assert_eq!(choppy.borrow_limit, Uint128::new(3_400_000));
    assert!(choppy.borrow_limit < calm.borrow_limit);

    // 5,000,000 fitted under the calm limit; it no longer does.
    assert_err(suite.borrow(&borrower, 5_000_000), "borrow limit exceeded");
    suite.borrow(&borrower, 3_400_000).unwrap();
}

#[test]
fn volatility_does_not_move_the_health_factor() {
    let mut suite = SuiteBuilder::new().build();
    lend_and_borrow(&mut suite, 100_000_000, 1_000_000, 6_000_000);
    let borrower = suite.borrower.clone();
    let before = suite.account(&borrower);
    chop_atom(&mut suite);
    let after = suite.account(&borrower);
    // Same median, same threshold: the same liquidation value (debt moved by a few minutes of
    // interest only).
    assert_eq!(after.liquidation_value, before.liquidation_value);
    assert_eq!(after.collaterals[0].liquidation_threshold, dec("0.7"));
    assert!(after.health_factor.unwrap() > Decimal::one());
    // But borrow power fell below the debt: no new borrows, no withdrawals.
    assert!(after.borrow_limit < after.debt);
    assert_err(suite.borrow(&borrower, 1), "borrow limit exceeded");
    assert_err(
        suite.withdraw_collateral(&borrower, ATOM, Some(1)),
        "borrow limit exceeded",
    );
}

#[test]
fn borrow_power_uses_the_lower_of_median_and_twap() {
    let mut suite = SuiteBuilder::new().build();
    lend_and_borrow(&mut suite, 100_000_000, 1_000_000, 0);
    let borrower = suite.borrower.clone();
    // A 20% rise (below the 25% breaker): the median leads, the TWAP lags.
    suite.advance_time(30);
    refresh_prices(&mut suite);
    suite.advance_time(30);
    suite.feed(ATOM, dec("12"));
    suite.advance_time(30);
    suite.feed(ATOM, dec("12"));
    let price = suite.oracle_price(ATOM).unwrap();
    assert!(price.status.is_active(), "{:?}", price.status);
    assert!(price.twap < price.median, "{price:?}");

    let acc = suite.account(&borrower);
    let line = &acc.collaterals[0];
    assert_eq!(line.price, dec("12"));
    assert_eq!(line.borrow_price, price.twap);
    assert_eq!(acc.collateral_value, Uint128::new(12_000_000));
    let expected = Uint128::new(1_000_000)
        .mul_floor(price.twap)
        .mul_floor(line.effective_ltv);
    assert_eq!(acc.borrow_limit, expected);
    // Solvency uses the median.
    assert_eq!(acc.liquidation_value, Uint128::new(8_400_000));
}
