//! Throttling: a liquidation never starts more auction debt than the liquidator's caps allow,
//! below the hard floor too (unless `pace_hard_floor` is off).
use super::helpers::*;
use breakwater_testing::{dec, SuiteBuilder};
use breakwater_types::market::LiquidationParams;

const ATOM_HELD: u128 = 1_000_000_000;

/// A whole-position liquidation that went in one part: the only auction, whose tab is in
/// `(low, high]` (the room, less rounding); returns the tab.
fn one_part_that_fits(
    suite: &breakwater_testing::Suite,
    res: &cw_multi_test::AppResponse,
    low: u128,
    high: u128,
) -> u128 {
    assert_eq!(liq_attr(suite, res, "mode"), "toxic_auction");
    assert_eq!(liq_attr(suite, res, "part"), "true");
    let auctions = suite.auctions();
    assert_eq!(auctions.len(), 1);
    let tab = auctions[0].tab.u128();
    assert!(tab <= high && tab > low, "{tab}");
    tab
}
const DEBT: u128 = 6_800_000_000;

#[test]
fn a_liquidation_is_capped_by_the_room_then_refused_until_room_frees() {
    // Room 5·10^8 where ~1.56·10^9 would be needed to reach the target. The room does not
    // pace the hard floor here (the rule before `pace_hard_floor`).
    let mut suite = lent(
        SuiteBuilder::new()
            .liquidation_params(LiquidationParams {
                pace_hard_floor: false,
                ..with_hard_floor("0.95")
            })
            .auction_params(ATOM, auction_with_hole(500_000_000)),
    );
    let (borrower, keeper) = (suite.borrower.clone(), suite.keeper.clone());
    suite.open_position(&borrower, ATOM, ATOM_HELD, DEBT);
    let before = supplies(&suite);
    suite.feed(ATOM, dec("9.5"));
    let hf0 = hf(&suite, &borrower);
    let res = suite.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(&suite, &res, "mode"), "partial");
    assert_eq!(liq_num(&suite, &res, "tab"), 500_000_000);
    assert_eq!(
        liq_num(&suite, &res, "lot"),
        (500_000_000f64 * 1.05 / 9.5).ceil() as u128
    );
    let hf1 = hf(&suite, &borrower);
    assert!(hf1 > hf0 && hf1 < dec("1"), "{hf0} -> {hf1}");
    assert_eq!(suite.room(ATOM).room.u128(), 0);

    assert_err(
        suite.liquidate(&keeper, &borrower),
        "liquidation throttled: no auction room for uatom (room left 0)",
    );

    // Below the hard floor (0.95 here), unpaced, the caps no longer apply: the whole
    // position goes.
    suite.feed(ATOM, dec("9"));
    assert!(hf(&suite, &borrower) < dec("0.95"));
    let res = suite.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(&suite, &res, "hard_floor"), "true");
    assert_eq!(liq_attr(&suite, &res, "mode"), "toxic_auction");
    assert_eq!(suite.auctions().len(), 2);
    assert_eq!(suite.account(&borrower).debt.u128(), 0);
    assert_eq!(suite.market_state().debt_in_auction.u128(), DEBT);
    assert_books(&suite);
    assert_conserved(&suite, &before);
}

/// Above the hard floor a toxic position larger than the room goes in parts that fit it
/// (Maker's partial bark); once the room is used the rest waits, throttled. (It used to be
/// refused whole, which left a position larger than the caps stuck above the hard floor.)
#[test]
fn a_toxic_whole_position_larger_than_the_room_is_auctioned_in_parts_above_the_hard_floor() {
    let mut suite = lent(SuiteBuilder::new().auction_params(ETH, auction_with_hole(1_000_000_000)));
    let (borrower, keeper) = (suite.borrower.clone(), suite.keeper.clone());
    suite.open_position(&borrower, ETH, 2_000_000, 4_800_000_000);
    suite.feed(ETH, dec("2500"));
    let debt = suite.account(&borrower).debt.u128();
    let res = suite.liquidate(&keeper, &borrower).unwrap();
    let tab = one_part_that_fits(&suite, &res, 990_000_000, 1_000_000_000);
    assert!(suite.account(&borrower).debt.u128() >= debt - tab);
    assert_err(
        suite.liquidate(&keeper, &borrower),
        "liquidation throttled: no auction room for ueth",
    );
    assert_books(&suite);
}

/// Below the hard floor nothing holds an account back but the room: a position larger than the
/// room goes in the largest part that fits (forced, whole-position mode), and the rest waits,
/// throttled, instead of the whole position going to auction at once.
#[test]
fn the_room_paces_a_position_below_the_hard_floor() {
    let mut suite = lent(
        SuiteBuilder::new()
            .liquidation_params(with_hard_floor("0.95"))
            .auction_params(ATOM, auction_with_hole(2_000_000_000)),
    );
    let (borrower, keeper) = (suite.borrower.clone(), suite.keeper.clone());
    suite.open_position(&borrower, ATOM, ATOM_HELD, DEBT);
    let before = supplies(&suite);
    suite.feed(ATOM, dec("9"));
    assert!(hf(&suite, &borrower) < dec("0.95"));
    let debt = suite.account(&borrower).debt.u128();
    let res = suite.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(&suite, &res, "hard_floor"), "true");
    let tab = one_part_that_fits(&suite, &res, 1_990_000_000, 2_000_000_000);
    // The account keeps the rest of its debt, and its part of the collateral stays with it.
    let left = suite.account(&borrower).debt.u128();
    assert!(left >= debt - tab && left > 4_000_000_000, "{left}");
    // The part used the room (to a unit of rounding): the rest waits.
    assert!(suite.room(ATOM).room.u128() <= 1);
    assert_err(
        suite.liquidate(&keeper, &borrower),
        "liquidation throttled: no auction room for uatom",
    );
    assert_eq!(suite.account(&borrower).debt.u128(), left);
    assert_books(&suite);
    assert_conserved(&suite, &before);
}
