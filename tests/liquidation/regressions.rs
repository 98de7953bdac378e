//! Regression tests for review findings on the liquidation path.
use super::helpers::*;
use breakwater_testing::{dec, SuiteBuilder};
use breakwater_types::market::{ExecuteMsg, LiquidationConfig};

/// Threat: a borrower parks one unit of the collateral that is seized first (lowest
/// `LT·(1+p)`), so the partial repay rounds to nothing and every liquidation fails.
#[test]
fn a_dust_holding_of_the_first_collateral_cannot_block_partial_liquidation() {
    let mut s = lent(SuiteBuilder::new());
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    // uosmo (0.65 × 1.08 = 0.702) is seized before uatom (0.70 × 1.05 = 0.735).
    s.deposit_collateral(&borrower, "uosmo", 1).unwrap();
    s.open_position(&borrower, "uatom", 1_000_000_000, 6_500_000_000);
    s.advance_time_feeding(30);
    s.feed("uatom", dec("8.5"));
    let res = s.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(&s, &res, "mode"), "partial");
    assert_eq!(liq_attr(&s, &res, "denom"), "uatom");
}

/// Threat: the owner swaps the liquidator while auctions run, stranding their proceeds and
/// leaving debt in auction forever.
#[test]
fn replacing_the_liquidator_is_refused_while_its_auctions_run() {
    let mut s = lent(SuiteBuilder::new());
    let (borrower, keeper, owner) = (s.borrower.clone(), s.keeper.clone(), s.owner.clone());
    s.open_position(&borrower, "uatom", 1_000_000_000, 6_500_000_000);
    s.advance_time_feeding(30);
    s.feed("uatom", dec("8.5"));
    s.liquidate(&keeper, &borrower).unwrap();
    let other = s.addr("other-liquidator");
    let msg = ExecuteMsg::SetLiquidation(LiquidationConfig {
        liquidator: other.to_string(),
        backstop: s.backstop.to_string(),
        guardian: None,
        params: breakwater_testing::default_liquidation_params(),
    });
    assert_err(
        s.market_execute(&owner, &msg, &[]),
        "cannot replace the liquidator",
    );
    // Keeping the same liquidator (a parameter change) is fine.
    let same = ExecuteMsg::SetLiquidation(LiquidationConfig {
        liquidator: s.liquidator.to_string(),
        backstop: s.backstop.to_string(),
        guardian: None,
        params: breakwater_testing::default_liquidation_params(),
    });
    s.market_execute(&owner, &same, &[]).unwrap();
}
