//! Cross-margin seizure order, the toxic frontier and whole-position liquidations.
use super::helpers::*;
use breakwater_testing::{dec, SuiteBuilder};
use breakwater_types::backstop::HeldCollateral;
use cosmwasm_std::Uint128;

/// 5·10^8 uatom (5·10^9 at 10, LT 0.7) and 10^6 ueth (3·10^9 at 3000, LT 0.825) against
/// 5.8·10^9 (the borrow limit): HF 1.030.
fn two_collaterals(builder: SuiteBuilder) -> breakwater_testing::Suite {
    let mut suite = lent(builder);
    let borrower = suite.borrower.clone();
    suite.open_position(&borrower, ATOM, 500_000_000, 0);
    suite.open_position(&borrower, ETH, 1_000_000, 5_800_000_000);
    suite
}

/// 2·10^6 ueth (6·10^9 at 3000) against 4.8·10^9 (the borrow limit): HF 1.031.
const ETH_HELD: u128 = 2_000_000;
const ETH_DEBT: u128 = 4_800_000_000;

#[test]
fn the_collateral_that_heals_fastest_per_unit_repaid_is_seized_first() {
    // f(uatom) = 0.7·1.05 = 0.735 < f(ueth) = 0.825·1.05 = 0.866: uatom goes first.
    let mut suite = two_collaterals(SuiteBuilder::new());
    let (borrower, keeper) = (suite.borrower.clone(), suite.keeper.clone());
    let before = supplies(&suite);
    suite.feed(ATOM, dec("9"));
    let hf0 = hf(&suite, &borrower);
    assert!(f(hf0) > 0.866 && hf0 < dec("1"), "{hf0}");
    let res = suite.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(&suite, &res, "mode"), "partial");
    assert_eq!(liq_attr(&suite, &res, "denom"), ATOM);
    let acc = suite.account(&borrower);
    assert_eq!(
        acc.collaterals[1].amount.u128(),
        1_000_000,
        "ueth untouched"
    );
    assert!((1.0499..1.0501).contains(&f(acc.health_factor.unwrap())));
    assert_books(&suite);
    assert_conserved(&suite, &before);
}

#[test]
fn a_collateral_without_auction_room_is_skipped_for_the_next_in_order() {
    let mut suite = two_collaterals(SuiteBuilder::new().auction_params(ATOM, auction_with_hole(0)));
    let (borrower, keeper) = (suite.borrower.clone(), suite.keeper.clone());
    suite.feed(ATOM, dec("9"));
    let res = suite.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(&suite, &res, "denom"), ETH);
    let lot = liq_num(&suite, &res, "lot");
    let acc = suite.account(&borrower);
    assert_eq!(
        acc.collaterals[0].amount.u128(),
        500_000_000,
        "uatom untouched"
    );
    assert_eq!(acc.collaterals[1].amount.u128(), 1_000_000 - lot);
    assert!((1.0499..1.0501).contains(&f(acc.health_factor.unwrap())));
    assert_books(&suite);
}

#[test]
fn a_collateral_whose_seizure_would_lower_the_health_factor_is_never_seized() {
    // Both prices fall 17%: HF 0.855 is below f(ueth) = 0.866, so only uatom may heal the
    // account. Without room for uatom the liquidation is throttled rather than seizing ueth.
    let mut suite = two_collaterals(SuiteBuilder::new().auction_params(ATOM, auction_with_hole(0)));
    let (borrower, keeper) = (suite.borrower.clone(), suite.keeper.clone());
    suite.feed_many(&[
        (ATOM.to_string(), dec("8.3")),
        (ETH.to_string(), dec("2490")),
    ]);
    let hf0 = f(hf(&suite, &borrower));
    assert!(hf0 > 0.8 && hf0 < 0.866, "{hf0}");
    assert_err(
        suite.liquidate(&keeper, &borrower),
        "liquidation throttled: no auction room for uatom (room left 0)",
    );
}

#[test]
fn a_toxic_account_is_absorbed_whole_by_a_funded_backstop() {
    let mut suite = lent(SuiteBuilder::new().backstop_deposit(10_000_000_000));
    let (borrower, keeper) = (suite.borrower.clone(), suite.keeper.clone());
    suite.open_position(&borrower, ETH, ETH_HELD, ETH_DEBT);
    let before = supplies(&suite);
    // HF 0.825·5·10^9 / 4.8·10^9 = 0.859: below f(ueth) = 0.866 (toxic), above the hard floor.
    suite.feed(ETH, dec("2500"));
    let res = suite.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(&suite, &res, "mode"), "absorb");
    assert_eq!(liq_attr(&suite, &res, "hard_floor"), "false");
    assert_eq!(liq_num(&suite, &res, "tab"), ETH_DEBT);
    // The pool pays value · 0.95 = 4.75·10^9; the 5·10^7 left is bad debt it covers too.
    let bad = custom_event(&res, "bad_debt").expect("bad debt event");
    assert_eq!(event_attr(bad, "amount"), "50000000");
    assert_eq!(event_attr(bad, "covered_by_backstop"), "50000000");
    let st = suite.market_state();
    assert_eq!(st.bad_debt_covered_by_backstop.u128(), 50_000_000);
    assert_eq!(st.bad_debt_socialized.u128(), 0);
    assert_eq!(
        (st.total_borrowed.u128(), st.debt_in_auction.u128()),
        (0, 0)
    );
    let acc = suite.account(&borrower);
    assert!(acc.collaterals.is_empty() && acc.debt.is_zero());
    let pool = suite.backstop_pool();
    assert_eq!(pool.base.u128(), 10_000_000_000 - ETH_DEBT);
    assert_eq!(
        pool.collateral
            .iter()
            .map(|h: &HeldCollateral| (h.denom.as_str(), h.amount.u128()))
            .collect::<Vec<_>>(),
        vec![(ETH, ETH_HELD)]
    );
    assert!(suite.auctions().is_empty());
    assert_books(&suite);
    assert_conserved(&suite, &before);
}

#[test]
fn a_toxic_account_is_auctioned_whole_when_the_backstop_cannot_absorb() {
    let mut suite = lent(SuiteBuilder::new());
    let (borrower, keeper) = (suite.borrower.clone(), suite.keeper.clone());
    suite.open_position(&borrower, ETH, ETH_HELD, ETH_DEBT);
    let before = supplies(&suite);
    suite.feed(ETH, dec("2500"));
    let res = suite.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(&suite, &res, "mode"), "toxic_auction");
    assert_eq!(liq_attr(&suite, &res, "lot"), ETH_HELD.to_string());
    let a = suite.auctions();
    assert_eq!(a.len(), 1);
    assert_eq!((a[0].lot.u128(), a[0].tab.u128()), (ETH_HELD, ETH_DEBT));
    let st = suite.market_state();
    assert_eq!(st.debt_in_auction.u128(), ETH_DEBT);
    assert_eq!(st.total_borrowed.u128(), 0);
    let acc = suite.account(&borrower);
    assert!(acc.collaterals.is_empty() && acc.debt.is_zero());
    assert_books(&suite);
    assert_conserved(&suite, &before);
}

#[test]
fn a_hard_floor_account_goes_to_forced_auctions_split_by_value() {
    // Both prices fall 24%: HF 0.783 < 0.8. The backstop is empty.
    let mut suite = two_collaterals(SuiteBuilder::new());
    let (borrower, keeper) = (suite.borrower.clone(), suite.keeper.clone());
    let before = supplies(&suite);
    suite.feed_many(&[
        (ATOM.to_string(), dec("7.6")),
        (ETH.to_string(), dec("2280")),
    ]);
    let res = suite.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(&suite, &res, "hard_floor"), "true");
    assert_eq!(liq_attr(&suite, &res, "mode"), "toxic_auction");
    let debt = 5_800_000_000u128;
    let a = suite.auctions();
    assert_eq!(a.len(), 2);
    let tab = |d: &str| a.iter().find(|x| x.denom == d).unwrap().tab.u128();
    assert_eq!(tab(ATOM) + tab(ETH), debt);
    // By value: 3.8·10^9 of uatom and 2.28·10^9 of ueth.
    let atom_share = debt as f64 * 3.8 / 6.08;
    assert!((tab(ATOM) as f64 - atom_share).abs() <= 2.0);
    assert_eq!(
        a.iter().map(|x| x.lot).collect::<Vec<_>>(),
        vec![Uint128::new(500_000_000), Uint128::new(1_000_000)]
    );
    let acc = suite.account(&borrower);
    assert!(acc.collaterals.is_empty() && acc.debt.is_zero());
    assert_eq!(suite.market_state().debt_in_auction.u128(), debt);
    assert_books(&suite);
    assert_conserved(&suite, &before);
}
