//! End-to-end partial and full liquidations of a single-collateral account.
use super::helpers::*;
use breakwater_testing::{dec, SuiteBuilder};
use breakwater_types::liquidator::Seller;
use breakwater_types::market::LiquidationParams;
use cosmwasm_std::Uint128;

/// 10^9 uatom (worth 10^10 at 10) against 6.8·10^9 borrowed: HF 1.029.
const ATOM_HELD: u128 = 1_000_000_000;
const DEBT: u128 = 6_800_000_000;

#[test]
fn price_drop_liquidation_bids_repay_the_debt_and_return_the_leftover_collateral() {
    let mut suite = lent(SuiteBuilder::new());
    let (borrower, keeper, bidder) = (
        suite.borrower.clone(),
        suite.keeper.clone(),
        suite.lender.clone(),
    );
    suite.open_position(&borrower, ATOM, ATOM_HELD, DEBT);
    let before = supplies(&suite);

    suite.feed(ATOM, dec("9.5"));
    let hf_before = hf(&suite, &borrower);
    assert!(hf_before < dec("1"), "{hf_before}");

    let res = suite.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(&suite, &res, "mode"), "partial");
    assert_eq!(liq_attr(&suite, &res, "denom"), ATOM);
    assert_eq!(liq_attr(&suite, &res, "hard_floor"), "false");
    assert_eq!(liq_attr(&suite, &res, "keeper"), keeper.as_str());
    let tab = liq_num(&suite, &res, "tab");
    let lot = liq_num(&suite, &res, "lot");
    // R = ceil((1.05·D − W) / (1.05 − 0.7·1.05)), lot = ceil(R·1.05 / 9.5).
    let w = (ATOM_HELD as f64 * 9.5 * 0.7).floor();
    let r = ((1.05 * DEBT as f64 - w) / (1.05 - 0.735)).ceil();
    assert!((tab as f64 - r).abs() <= 2.0, "tab {tab} vs {r}");
    assert_eq!(lot, (tab as f64 * 1.05 / 9.5).ceil() as u128);

    let auctions = suite.auctions();
    assert_eq!(auctions.len(), 1);
    let a = &auctions[0];
    assert_eq!(
        a.seller,
        Seller::Liquidation {
            borrower: borrower.to_string()
        }
    );
    assert_eq!(
        (a.denom.as_str(), a.lot.u128(), a.tab.u128()),
        (ATOM, lot, tab)
    );
    let st = suite.market_state();
    assert_eq!(st.debt_in_auction.u128(), tab);
    let acc = suite.account(&borrower);
    assert_eq!(acc.debt.u128(), DEBT - tab);
    assert_eq!(acc.collaterals[0].amount.u128(), ATOM_HELD - lot);
    assert_books(&suite);
    assert_conserved(&suite, &before);

    // A bidder covers the tab at the current price: the leftover lot returns to the borrower.
    let price = a.price;
    let cash_before = st.cash.u128();
    suite.bid(&bidder, a.id, lot, price).unwrap();
    assert!(suite.auctions().is_empty());
    let st = suite.market_state();
    assert_eq!(st.debt_in_auction.u128(), 0);
    assert_eq!(st.cash.u128(), cash_before + tab);
    let sold = Uint128::new(tab).checked_div_floor(price).unwrap().u128();
    let acc = suite.account(&borrower);
    assert_eq!(acc.collaterals[0].amount.u128(), ATOM_HELD - sold);
    assert_eq!(acc.debt.u128(), DEBT - tab);
    assert_books(&suite);
    assert_conserved(&suite, &before);
}

#[test]
fn cannot_liquidate_a_healthy_account_or_one_without_debt() {
    let mut suite = lent(SuiteBuilder::new());
    let (borrower, keeper) = (suite.borrower.clone(), suite.keeper.clone());
    assert_err(
        suite.liquidate(&keeper, &borrower),
        "nothing to liquidate: ",
    );
    suite.open_position(&borrower, ATOM, ATOM_HELD, DEBT);
    assert_err(
        suite.liquidate(&keeper, &borrower),
        "account is healthy (health factor 1.029411764705882352)",
    );
    // Just above HF 1 is still healthy.
    suite.feed(ATOM, dec("9.72"));
    assert_err(suite.liquidate(&keeper, &borrower), "account is healthy");
    assert_err(
        suite.market_execute(
            &keeper,
            &breakwater_types::market::ExecuteMsg::Liquidate {
                borrower: borrower.to_string(),
            },
            &[cosmwasm_std::coin(1, USDC)],
        ),
        "payment error",
    );
    assert!(suite.auctions().is_empty());
}

#[test]
fn a_partial_liquidation_lands_on_the_target_and_never_lowers_the_health_factor() {
    for price in ["9.7", "9.5", "9.0", "8.8"] {
        let mut suite = lent(SuiteBuilder::new());
        let (borrower, keeper) = (suite.borrower.clone(), suite.keeper.clone());
        suite.open_position(&borrower, ATOM, ATOM_HELD, DEBT);
        suite.feed(ATOM, dec(price));
        let before = hf(&suite, &borrower);
        let res = suite.liquidate(&keeper, &borrower).unwrap();
        assert_eq!(liq_attr(&suite, &res, "mode"), "partial", "price {price}");
        assert_eq!(liq_attr(&suite, &res, "health_factor"), before.to_string());
        let after = hf(&suite, &borrower);
        assert!(after > before, "price {price}: {before} -> {after}");
        assert!(
            (1.0499..1.0501).contains(&f(after)),
            "price {price}: lands at {after}"
        );
        assert_books(&suite);
    }
}

#[test]
fn dust_left_behind_closes_the_whole_debt() {
    // The debt a partial liquidation would leave (~5.2·10^9) is below min_debt.
    let params = LiquidationParams {
        min_debt: Uint128::new(6_000_000_000),
        ..default_params()
    };
    let mut suite = lent(SuiteBuilder::new().liquidation_params(params));
    let (borrower, keeper) = (suite.borrower.clone(), suite.keeper.clone());
    suite.open_position(&borrower, ATOM, ATOM_HELD, DEBT);
    let before = supplies(&suite);
    suite.feed(ATOM, dec("9.5"));
    let res = suite.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(&suite, &res, "mode"), "full");
    assert_eq!(liq_num(&suite, &res, "tab"), DEBT);
    let lot = liq_num(&suite, &res, "lot");
    assert_eq!(lot, (DEBT as f64 * 1.05 / 9.5).ceil() as u128);
    let acc = suite.account(&borrower);
    assert_eq!((acc.debt.u128(), acc.debt_shares.u128()), (0, 0));
    assert_eq!(acc.collaterals[0].amount.u128(), ATOM_HELD - lot);
    assert_eq!(suite.market_state().debt_in_auction.u128(), DEBT);
    assert_books(&suite);
    assert_conserved(&suite, &before);
}

#[test]
fn dust_collateral_left_behind_closes_the_whole_debt_too() {
    let params = LiquidationParams {
        min_collateral_value: Uint128::new(9_000_000_000),
        ..default_params()
    };
    let mut suite = lent(SuiteBuilder::new().liquidation_params(params));
    let (borrower, keeper) = (suite.borrower.clone(), suite.keeper.clone());
    suite.open_position(&borrower, ATOM, ATOM_HELD, DEBT);
    suite.feed(ATOM, dec("9.5"));
    let res = suite.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(&suite, &res, "mode"), "full");
    assert_eq!(suite.account(&borrower).debt.u128(), 0);
    assert_books(&suite);
}
