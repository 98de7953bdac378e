//! Regression tests for bugs the property harness found (shrunk cases, then reduced by hand to
//! the few messages that matter), each asserting the safe behaviour the fix restored.
use super::checks::{events, get, num};
use breakwater_testing::{dec, default_auction_params, SuiteBuilder};
use breakwater_types::liquidator::{AuctionParams, CollateralAuction, ExecuteMsg as LiqMsg};
use cosmwasm_std::Uint128;

/// Found by `random_sequences_keep_every_invariant` (shrunk case: a small fixed auction cap,
/// steep rates, a first liquidation that used up all but a few units of the cap, then a
/// keeper scan). When the room under the auction cap is smaller than one debt share's worth
/// (`room < borrow_index`), the partial path throttles the repay to `R = room`, burns
/// `floor(R / borrow_index) = 0` debt shares, and still seizes a collateral unit and starts an
/// auction for `R`: the liquidation repays nothing (its proceeds go to the market, the
/// borrower's debt never moves) while the account loses collateral. The documented rule is
/// `R = 0 → LiquidationTooSmall` ("it would repay nothing"); the check looks at the tab, not at
/// the shares it burns (`contracts/market/src/liquidate.rs`, throttle and burn, around the
/// `LiquidationTooSmall` check). Fixed: a repay that burns no debt share is refused as too
/// small.
#[test]
fn a_liquidation_that_seizes_collateral_always_repays_debt() {
    let mut suite = SuiteBuilder::new().build();
    let (lender, borrower, keeper, owner) = (
        suite.lender.clone(),
        suite.borrower.clone(),
        suite.keeper.clone(),
        suite.owner.clone(),
    );
    suite.supply(&lender, 100_000_000_000).unwrap();
    // 10^9 uatom at 10 (value 10^10), borrowed to the 0.68 limit.
    suite.open_position(&borrower, "uatom", 1_000_000_000, 6_800_000_000);
    // An hour of interest: the borrow index is now just above 1.
    suite.advance_time_feeding(3_600);
    assert!(suite.market_state().borrow_index > dec("1"));
    // A 5% fall (no halt): HF = 0.7 · 9.5·10^9 / 6.8·10^9 ≈ 0.978, above the hard floor.
    suite.feed("uatom", dec("9.5"));
    let before = suite.account(&borrower);
    let hf = before.health_factor.unwrap();
    assert!(hf < dec("1") && hf > dec("0.8"), "{hf}");
    // One unit of room under the uatom auction cap.
    let msg = LiqMsg::SetCollateral(CollateralAuction {
        denom: "uatom".to_string(),
        params: AuctionParams {
            hole: Some(Uint128::one()),
            ..default_auction_params()
        },
    });
    suite.liquidator_execute(&owner, &msg, &[]).unwrap();
    assert_eq!(suite.room("uatom").room.u128(), 1);

    match suite.liquidate(&keeper, &borrower) {
        // Safe: refused, nothing to repay within the room.
        Err(e) => assert!(
            e.to_string().contains("liquidation too small")
                || e.to_string().contains("no auction room"),
            "{e}"
        ),
        // Safe: whatever was seized repaid some debt.
        Ok(res) => {
            let market = suite.market.clone();
            let e = events(&res, &market, "liquidate")[0];
            let after = suite.account(&borrower);
            assert!(
                after.debt < before.debt,
                "liquidation {} with tab {} seized {} {} and left the debt at {} (was {})",
                get(e, "mode"),
                num(e, "tab"),
                get(e, "lot"),
                get(e, "denom"),
                after.debt,
                before.debt
            );
        }
    }
}
