//! Shortfalls: an auction whose lot runs out before its tab is covered leaves bad debt, covered
//! by the backstop, then reserves, then socialized across suppliers.
use super::helpers::*;
use breakwater_testing::{Suite, SuiteBuilder};
use breakwater_types::market::LiquidationParams;
use cosmwasm_std::{Decimal, Uint128};

const ETH_HELD: u128 = 2_000_000;
const ETH_DEBT: u128 = 4_800_000_000;

/// Opens a 2·10^6 ueth position borrowing 4.8·10^9, optionally lets `age_secs` of interest
/// accrue, moves the price so the account is toxic (HF 0.85, above the hard floor) and
/// liquidates it; the backstop cannot absorb it, so it goes to one auction. Returns the id.
fn toxic_auction(suite: &mut Suite, age_secs: u64) -> u64 {
    let (borrower, keeper) = (suite.borrower.clone(), suite.keeper.clone());
    suite.open_position(&borrower, ETH, ETH_HELD, ETH_DEBT);
    if age_secs > 0 {
        age(suite, age_secs);
    }
    let debt = suite.account(&borrower).debt.u128();
    // HF = 0.825 · held · p / debt = 0.85.
    suite.feed(ETH, Decimal::from_ratio(debt * 85, 165_000_000u128));
    let res = suite.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(suite, &res, "mode"), "toxic_auction");
    let a = suite.auctions();
    assert_eq!(a.len(), 1);
    a[0].id
}

/// Lets the auction fall to its floor (prices kept fresh) and has the keeper buy the whole lot
/// there. Returns the response and the shortfall booked.
fn buy_all_at_floor(suite: &mut Suite, id: u64) -> (cw_multi_test::AppResponse, u128) {
    suite.advance_time_feeding(720);
    let a = suite.auction(id);
    assert!(a.at_floor, "{a:?}");
    let keeper = suite.keeper.clone();
    let res = suite.bid(&keeper, id, a.lot.u128(), a.price).unwrap();
    let owe = a.lot.checked_mul_ceil(a.price).unwrap().u128();
    (res, a.tab.u128() - owe)
}

#[test]
fn a_shortfall_with_nothing_to_cover_it_is_socialized_across_suppliers() {
    let mut suite = lent(SuiteBuilder::new());
    let before = supplies(&suite);
    let id = toxic_auction(&mut suite, 0);
    let st0 = suite.market_state();
    let (res, shortfall) = buy_all_at_floor(&mut suite, id);
    assert!(shortfall > 500_000_000, "{shortfall}");
    assert!(suite.auctions().is_empty());

    let st = suite.market_state();
    assert_eq!(st.debt_in_auction.u128(), 0);
    assert_eq!(st.bad_debt_socialized.u128(), shortfall);
    assert_eq!(st.bad_debt_covered_by_backstop.u128(), 0);
    assert_eq!(st.bad_debt_covered_by_reserves.u128(), 0);
    let ev = custom_event(&res, "deficit_socialized").expect("deficit event");
    assert_eq!(event_attr(ev, "amount"), shortfall.to_string());
    assert_eq!(event_attr(ev, "supply_index"), st.supply_index.to_string());
    // The index drops by ceil(d / shares) at 18 decimals: suppliers lose at least d.
    let cut = st0.supply_index - st.supply_index;
    let exact = Decimal::from_ratio(shortfall, st.total_supply_shares);
    assert!(
        cut >= exact && cut - exact <= Decimal::new(Uint128::one()),
        "{cut} vs {exact}"
    );
    assert!(st0.total_supplied.u128() - st.total_supplied.u128() >= shortfall);
    let lender = suite.lender.clone();
    assert_eq!(
        suite.supplier(&lender).assets.u128(),
        SUPPLY - shortfall,
        "the only lender bears it all"
    );
    assert_books(&suite);
    assert_conserved(&suite, &before);
}

#[test]
fn the_backstop_covers_a_shortfall_it_can_afford_entirely() {
    // 10^9 in the pool: too little to absorb (~4.75·10^9), enough for the shortfall.
    let mut suite = lent(SuiteBuilder::new().backstop_deposit(1_000_000_000));
    let before = supplies(&suite);
    let id = toxic_auction(&mut suite, 0);
    let index0 = suite.market_state().supply_index;
    let (res, shortfall) = buy_all_at_floor(&mut suite, id);
    let st = suite.market_state();
    assert_eq!(st.bad_debt_covered_by_backstop.u128(), shortfall);
    assert_eq!(st.bad_debt_socialized.u128(), 0);
    assert_eq!(st.supply_index, index0);
    assert!(custom_event(&res, "deficit_socialized").is_none());
    assert_eq!(suite.backstop_pool().base.u128(), 1_000_000_000 - shortfall);
    assert_books(&suite);
    assert_conserved(&suite, &before);
}

#[test]
fn without_credit_a_shortfall_beyond_the_pool_takes_free_reserves_then_is_socialized() {
    // No keeper reward, so the reserves are all there when the shortfall comes; the pool
    // covers with its base only (its credit: credit.rs).
    let params = LiquidationParams {
        keeper_chip: Decimal::zero(),
        backstop_credit: None,
        ..default_params()
    };
    let pool = 100_000_000u128;
    let mut suite = lent(
        SuiteBuilder::new()
            .liquidation_params(params)
            .backstop_deposit(pool),
    );
    let before = supplies(&suite);
    let id = toxic_auction(&mut suite, YEAR);
    let st0 = suite.market_state();
    let free = st0.reserves.u128() - st0.backstop_due.u128();
    assert!(
        free > 1_000_000,
        "a year of interest builds reserves: {st0:?}"
    );
    let (res, shortfall) = buy_all_at_floor(&mut suite, id);
    // Nothing accrues meanwhile: the only debt went to auction.
    let st = suite.market_state();
    assert_eq!(st.bad_debt_covered_by_backstop.u128(), pool);
    assert_eq!(st.bad_debt_covered_by_reserves.u128(), free);
    let socialized = shortfall - pool - free;
    assert_eq!(st.bad_debt_socialized.u128(), socialized);
    assert_eq!(st.reserves, st0.backstop_due, "earmarked reserves are kept");
    assert_eq!(st.backstop_due, st0.backstop_due);
    assert_eq!(suite.backstop_pool().base.u128(), 0);
    let ev = custom_event(&res, "deficit_socialized").expect("deficit event");
    assert_eq!(event_attr(ev, "amount"), socialized.to_string());
    let bad = custom_event(&res, "bad_debt").expect("bad debt event");
    assert_eq!(event_attr(bad, "covered_by_reserves"), free.to_string());
    assert!(st0.total_supplied.u128() - st.total_supplied.u128() >= socialized);
    assert_books(&suite);
    assert_conserved(&suite, &before);
}

#[test]
fn proceeds_settle_only_from_the_liquidator() {
    let mut suite = lent(SuiteBuilder::new());
    let s = stranger(&suite);
    suite.fund(&s, &[cosmwasm_std::coin(1_000, USDC)]);
    let borrower = suite.borrower.clone();
    assert_err(
        suite.market_execute(
            &s,
            &breakwater_types::market::ExecuteMsg::AuctionProceeds {
                borrower: borrower.to_string(),
                shortfall: Uint128::new(1_000_000),
                denom: None,
            },
            &[cosmwasm_std::coin(1_000, USDC)],
        ),
        "unauthorized: only the liquidator may do this",
    );
    assert_eq!(suite.market_state().bad_debt_socialized.u128(), 0);
}
