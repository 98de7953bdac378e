//! Redistribution (issue 14): when the backstop is exhausted and the liquidator has no room, a
//! position that must go is not sold into an empty book: its debt and collateral go to the
//! other holders of its collateral, in proportion to their holdings (Liquity's mechanism, with
//! its penalty cap), applied lazily.
use super::helpers::*;
use breakwater_testing::{dec, Suite, SuiteBuilder};
use breakwater_types::market::{CollateralResponse, LiquidationParams, QueryMsg};
use cosmwasm_std::Addr;

/// The borrower's 2·10^6 ueth against 4.8·10^9.
const DEBT: u128 = 4_800_000_000;

struct Set {
    s: Suite,
    alice: Addr,
    bob: Addr,
}

/// Alice holds 2·10^6 ueth and owes 10^9, Bob 6·10^6 and 3·10^9, the borrower 2·10^6 and
/// 4.8·10^9; no auction room for ueth; a backstop holding `pool`.
fn market(params: LiquidationParams, pool: u128, hole: u128) -> Set {
    let mut s = lent(
        SuiteBuilder::new()
            .liquidation_params(params)
            .auction_params(ETH, auction_with_hole(hole))
            .backstop_deposit(pool),
    );
    let (alice, bob, borrower) = (s.addr("alice"), s.addr("bob"), s.borrower.clone());
    s.open_position(&alice, ETH, 2_000_000, 1_000_000_000);
    s.open_position(&bob, ETH, 6_000_000, 3_000_000_000);
    s.open_position(&borrower, ETH, 2_000_000, DEBT);
    Set { s, alice, bob }
}

/// The default set-up: redistribution on, an empty backstop, no room; the borrower at HF
/// 0.825 · 2·10^6 · 2800 / 4.8·10^9 = 0.9625.
fn throttled() -> Set {
    let mut m = market(default_params(), 0, 0);
    m.s.feed(ETH, dec("2800"));
    m
}

fn eth(s: &Suite, who: &Addr) -> u128 {
    s.account(who)
        .collaterals
        .iter()
        .find(|c| c.denom == ETH)
        .map_or(0, |c| c.amount.u128())
}

fn record(s: &Suite) -> CollateralResponse {
    s.market_query(&QueryMsg::Collateral {
        denom: ETH.to_string(),
    })
    .unwrap()
}

#[test]
fn a_position_is_redistributed_when_the_backstop_is_empty() {
    let Set { mut s, alice, bob } = throttled();
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    let before = supplies(&s);
    let state0 = s.market_state();
    let (a0, b0, d0) = (s.account(&alice), s.account(&bob), s.account(&borrower));
    assert_eq!(s.room(ETH).room.u128(), 0);
    let res = s.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(&s, &res, "mode"), "redistribute");
    // Nothing sold, the pool untouched, no bad debt: the market's totals do not move.
    assert!(s.auctions().is_empty());
    assert_eq!(s.backstop_pool().base.u128(), 0);
    let state = s.market_state();
    assert_eq!(state.total_debt_shares, state0.total_debt_shares);
    assert_eq!(state.bad_debt_socialized.u128(), 0);
    assert_eq!(state.debt_redistributed, d0.debt);
    assert_eq!(record(&s).total_deposited.u128(), 10_000_000);
    // The penalty cap: ceil(4.8·10^9 · 1.1 / 2800) = 1,885,715 units go, the rest stays.
    let acc = s.account(&borrower);
    assert!(acc.debt.is_zero());
    assert_eq!(eth(&s, &borrower), 2_000_000 - 1_885_715);
    // Alice holds a quarter of the other holdings, Bob three quarters: their shares of the
    // collateral round down, of the debt shares up.
    let (a1, b1) = (s.account(&alice), s.account(&bob));
    assert_eq!(eth(&s, &alice), 2_000_000 + 471_428);
    assert_eq!(eth(&s, &bob), 6_000_000 + 1_414_286);
    let shares = d0.debt_shares.u128();
    assert_eq!(
        a1.debt_shares.u128() - a0.debt_shares.u128(),
        shares.div_ceil(4)
    );
    assert_eq!(
        b1.debt_shares.u128() - b0.debt_shares.u128(),
        (3 * shares).div_ceil(4)
    );
    assert_books(&s);
    assert_conserved(&s, &before);
}

#[test]
fn an_account_takes_its_share_once_whenever_it_is_touched() {
    let Set { mut s, alice, .. } = throttled();
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    s.liquidate(&keeper, &borrower).unwrap();
    let shown = s.account(&alice);
    s.fund(&alice, &[cosmwasm_std::coin(2, ETH)]);
    // A deposit takes the share into the stored account: what queries showed, plus the
    // deposit; a second one adds only itself.
    s.deposit_collateral(&alice, ETH, 1).unwrap();
    assert_eq!(eth(&s, &alice), shown.collaterals[0].amount.u128() + 1);
    assert_eq!(s.account(&alice).debt_shares, shown.debt_shares);
    s.deposit_collateral(&alice, ETH, 1).unwrap();
    assert_eq!(eth(&s, &alice), shown.collaterals[0].amount.u128() + 2);
    assert_eq!(s.account(&alice).debt_shares, shown.debt_shares);
    let r = record(&s).redistribution.expect("a redistribution record");
    assert_eq!(r.coll_left.u128(), 1_885_715 - 471_428);
    assert_books(&s);
}

#[test]
fn redistributed_shares_never_exceed_what_was_redistributed() {
    let Set {
        mut s, alice, bob, ..
    } = throttled();
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    let shares = s.account(&borrower).debt_shares.u128();
    s.liquidate(&keeper, &borrower).unwrap();
    let total = s.market_state().total_debt_shares;
    // Both recipients take their share (a repay of one unit touches the account).
    s.fund(&alice, &[cosmwasm_std::coin(10, USDC)]);
    s.fund(&bob, &[cosmwasm_std::coin(10, USDC)]);
    s.repay(&alice, 1).unwrap();
    s.repay(&bob, 1).unwrap();
    let r = record(&s).redistribution.expect("a redistribution record");
    // Collateral: 1,885,715 − 471,428 − 1,414,286 = 1 unit left over (rounded down), kept
    // for the next redistribution of ueth. Debt: rounded up per account, capped by what is
    // left, so together they take exactly the shares redistributed.
    assert_eq!(r.coll_left.u128(), 1);
    assert_eq!(r.debt_left.u128(), 0);
    let owed: u128 = [&alice, &bob, &borrower]
        .iter()
        .map(|a| s.account(a).debt_shares.u128())
        .sum();
    assert!(owed <= total.u128());
    assert!(shares > 0);
    assert_books(&s);
}

#[test]
fn a_holding_deposited_after_a_redistribution_takes_none_of_it() {
    let Set { mut s, .. } = throttled();
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    s.liquidate(&keeper, &borrower).unwrap();
    let carol = s.addr("carol");
    s.open_position(&carol, ETH, 3_000_000, 0);
    let acc = s.account(&carol);
    assert_eq!(eth(&s, &carol), 3_000_000);
    assert!(acc.debt.is_zero());
    s.fund(&carol, &[cosmwasm_std::coin(5, ETH)]);
    s.deposit_collateral(&carol, ETH, 5).unwrap();
    assert_eq!(eth(&s, &carol), 3_000_005);
    assert!(s.account(&carol).debt.is_zero());
}

#[test]
fn redistribution_cannot_be_gamed_by_depositing_just_before_it() {
    // Adversarial: Mallory deposits as much ueth as Alice and Bob together just before the
    // liquidation. She takes half of it, the debt with the collateral: she gains at most her
    // share of the penalty cap, and cannot leave with the collateral without the debt.
    let Set { mut s, .. } = throttled();
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    let mallory = s.addr("mallory");
    s.open_position(&mallory, ETH, 8_000_000, 0);
    let debt = s.account(&borrower).debt.u128();
    s.liquidate(&keeper, &borrower).unwrap();
    let acc = s.account(&mallory);
    let gained = eth(&s, &mallory) - 8_000_000;
    assert_eq!(gained, 1_885_715 / 2);
    let owed = acc.debt.u128();
    assert!(owed >= debt / 2, "she owes {owed} of {debt}");
    // Her gain at the price: at most half of the 10% cap on the debt, plus rounding.
    let gain = (gained * 2800).saturating_sub(owed);
    assert!(gain <= debt / 2 / 10 + 2800, "gain {gain}");
    assert_err(
        s.withdraw_collateral(&mallory, ETH, Some(8_000_000)),
        "borrow limit exceeded",
    );
}

#[test]
fn a_lone_holder_of_a_collateral_waits_for_room() {
    let mut s = lent(
        SuiteBuilder::new()
            .liquidation_params(default_params())
            .auction_params(ETH, auction_with_hole(0))
            .backstop_deposit(0),
    );
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    s.open_position(&borrower, ETH, 2_000_000, DEBT);
    s.feed(ETH, dec("2800"));
    assert_err(
        s.liquidate(&keeper, &borrower),
        "liquidation throttled: no auction room for ueth",
    );
}

#[test]
fn without_redistribution_the_throttled_account_waits() {
    let params = LiquidationParams {
        redistribution: None,
        ..default_params()
    };
    let Set { mut s, .. } = market(params, 0, 0);
    s.feed(ETH, dec("2800"));
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    assert_err(
        s.liquidate(&keeper, &borrower),
        "liquidation throttled: no auction room for ueth",
    );
}

#[test]
fn a_backstop_that_can_take_the_whole_position_takes_it_first() {
    // A pool with base for the whole debt: transfer (part), never redistribution.
    let Set { mut s, alice, .. } = market(default_params(), 10_000_000_000, 0);
    s.feed(ETH, dec("2800"));
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    let res = s.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(&s, &res, "mode"), "partial_absorb");
    assert_eq!(eth(&s, &alice), 2_000_000);
    assert!(s.market_state().debt_redistributed.is_zero());
}

#[test]
fn below_the_hard_floor_a_position_is_redistributed_rather_than_force_sold_without_room() {
    // At 2300 the borrower is at HF 0.79 and insolvent (4.6·10^9 of collateral against
    // 4.8·10^9): everything goes to the other holders, who bear the loss; lenders none.
    let Set { mut s, alice, .. } = market(default_params(), 0, 0);
    s.feed(ETH, dec("2300"));
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    let res = s.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(&s, &res, "mode"), "redistribute");
    assert_eq!(liq_attr(&s, &res, "hard_floor"), "true");
    assert_eq!(eth(&s, &borrower), 0);
    assert_eq!(eth(&s, &alice), 2_000_000 + 500_000);
    let st = s.market_state();
    assert_eq!(st.bad_debt_socialized.u128(), 0);
    assert!(s.auctions().is_empty());
    assert_books(&s);
}

#[test]
fn with_room_a_hard_floor_position_is_still_auctioned() {
    let Set { mut s, alice, .. } = market(default_params(), 0, u128::MAX / 4);
    s.feed(ETH, dec("2300"));
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    let res = s.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(&s, &res, "mode"), "toxic_auction");
    assert_eq!(eth(&s, &alice), 2_000_000);
}
