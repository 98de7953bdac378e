//! Redistribution (issue 14): when the backstop could not bear the loss of a position that must
//! go, it is not sold into an empty book nor charged to lenders: its debt and collateral go to
//! the other holders of its collateral, in proportion to their holdings (Liquity's mechanism,
//! with its penalty cap), applied lazily. The backstop pays first: while it can bear what the
//! position lacks, the position is auctioned (within the room) instead.
use super::helpers::*;
use breakwater_testing::{dec, Suite, SuiteBuilder};
use breakwater_types::liquidator::AuctionResponse;
use breakwater_types::market::{
    AccountResponse, CollateralResponse, LiquidationParams, QueryMsg, RedistributionParams,
};
use cosmwasm_std::Addr;

/// The Suite's liquidation parameters with redistribution on as by default.
fn on() -> LiquidationParams {
    LiquidationParams {
        redistribution: Some(RedistributionParams::default()),
        ..default_params()
    }
}

/// [`on`] with auction shortfalls redistributed (as by default, stated), and without the
/// backstop's credit, so that what the pool does not pay in base is what the holders take
/// (with it the pool bears what the market owes it and a loan first: credit.rs).
fn shortfalls() -> LiquidationParams {
    LiquidationParams {
        redistribution: Some(RedistributionParams {
            shortfalls: true,
            ..RedistributionParams::default()
        }),
        backstop_credit: None,
        ..default_params()
    }
}

/// `params` with the recipients' floor at `h`.
fn floor(params: LiquidationParams, h: &str) -> LiquidationParams {
    let r = params.redistribution.clone().unwrap_or_default();
    LiquidationParams {
        redistribution: Some(RedistributionParams {
            min_recipient_health: dec(h),
            ..r
        }),
        ..params
    }
}

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
    holders_owing(params, pool, hole, 1)
}

/// As [`market`], Alice and Bob owing `times` as much.
fn holders_owing(params: LiquidationParams, pool: u128, hole: u128, times: u128) -> Set {
    let mut s = lent(
        SuiteBuilder::new()
            .liquidation_params(params)
            .auction_params(ETH, auction_with_hole(hole))
            .backstop_deposit(pool),
    );
    let (alice, bob, borrower) = (s.addr("alice"), s.addr("bob"), s.borrower.clone());
    s.open_position(&alice, ETH, 2_000_000, 1_000_000_000 * times);
    s.open_position(&bob, ETH, 6_000_000, 3_000_000_000 * times);
    s.open_position(&borrower, ETH, 2_000_000, DEBT);
    Set { s, alice, bob }
}

/// The default set-up: redistribution on, an empty backstop, no room; the borrower at HF
/// 0.825 · 2·10^6 · 2300 / 4.8·10^9 = 0.79, below the hard floor (0.8), and insolvent
/// (4.6·10^9 of collateral against 4.8·10^9).
fn crashed() -> Set {
    let mut m = market(on(), 0, 0);
    m.s.feed(ETH, dec("2300"));
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
fn a_throttled_account_above_the_hard_floor_waits_for_room() {
    // At HF 0.9625 (price 2800) with no room and an empty backstop the account waits: moving
    // its debt to the other holders would only push them down in turn.
    waits_for_room(on(), 0, "2800");
}

/// With `params`, a pool of `pool` and no room, the borrower at `price` is refused for want of
/// room, and nothing goes to the other holders.
fn waits_for_room(params: LiquidationParams, pool: u128, price: &str) {
    let Set { mut s, alice, .. } = market(params, pool, 0);
    s.feed(ETH, dec(price));
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    assert_err(
        s.liquidate(&keeper, &borrower),
        "liquidation throttled: no auction room for ueth",
    );
    assert_eq!(eth(&s, &alice), 2_000_000);
    assert!(s.market_state().debt_redistributed.is_zero());
}

#[test]
fn an_account_takes_its_share_once_whenever_it_is_touched() {
    let Set { mut s, alice, .. } = crashed();
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
    assert_eq!(r.coll_left.u128(), 2_000_000 - 500_000);
    assert_books(&s);
}

#[test]
fn redistributed_shares_never_exceed_what_was_redistributed() {
    let Set {
        mut s, alice, bob, ..
    } = crashed();
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
    // Collateral: 2·10^6 over 8·10^6 units is exactly a quarter per unit, so nothing is left.
    // Debt: rounded up per account, capped by what is left, so together they take exactly
    // the shares redistributed.
    assert_eq!(r.coll_left.u128(), 0);
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
    let Set { mut s, .. } = crashed();
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
    // liquidation. She takes half of it, the debt with the collateral (here a loss), and
    // cannot leave with the collateral without the debt.
    let Set { mut s, .. } = crashed();
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    let mallory = s.addr("mallory");
    s.open_position(&mallory, ETH, 8_000_000, 0);
    let res = s.liquidate(&keeper, &borrower).unwrap();
    let debt = liq_num(&s, &res, "tab");
    let acc = s.account(&mallory);
    let gained = eth(&s, &mallory) - 8_000_000;
    assert_eq!(gained, 1_000_000);
    let owed = acc.debt.u128();
    assert!(owed >= debt / 2, "she owes {owed} of {debt}");
    // The position was insolvent: she takes a loss, not a gain (from a solvent one her gain
    // would be at most the 5% bonus on her share of the debt).
    assert!(gained * 2300 < owed, "{gained} units for {owed}");
    assert_err(
        s.withdraw_collateral(&mallory, ETH, Some(8_000_000)),
        "borrow limit exceeded",
    );
}

#[test]
fn a_lone_holder_of_a_collateral_waits_for_room() {
    let mut s = lent(
        SuiteBuilder::new()
            .liquidation_params(on())
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
        ..on()
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
    let Set { mut s, alice, .. } = market(on(), 10_000_000_000, 0);
    s.feed(ETH, dec("2800"));
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    let res = s.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(&s, &res, "mode"), "partial_absorb");
    assert_eq!(eth(&s, &alice), 2_000_000);
    assert!(s.market_state().debt_redistributed.is_zero());
}

#[test]
fn a_position_is_redistributed_when_the_backstop_is_empty() {
    // Below the hard floor, with no room: not force-sold into an empty book. At 2300 the
    // borrower is at HF 0.79 and insolvent (4.6·10^9 of collateral against 4.8·10^9):
    // everything goes to the other holders, who bear the loss; lenders none.
    let Set { mut s, alice, bob } = crashed();
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    let before = supplies(&s);
    let state0 = s.market_state();
    let (a0, b0, d0) = (s.account(&alice), s.account(&bob), s.account(&borrower));
    let debt = d0.debt;
    assert_eq!(s.room(ETH).room.u128(), 0);
    let res = s.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(&s, &res, "mode"), "redistribute");
    assert_eq!(liq_attr(&s, &res, "hard_floor"), "true");
    assert_eq!(eth(&s, &borrower), 0);
    assert!(s.account(&borrower).debt.is_zero());
    assert_eq!(s.market_state().debt_redistributed, debt);
    assert_conserved(&s, &before);
    assert_eq!(eth(&s, &alice), 2_000_000 + 500_000);
    assert_eq!(eth(&s, &bob), 6_000_000 + 1_500_000);
    // Nothing sold, the pool untouched, no bad debt: the market's totals do not move.
    let st = s.market_state();
    assert_eq!(st.bad_debt_socialized.u128(), 0);
    assert_eq!(st.total_debt_shares, state0.total_debt_shares);
    assert_eq!(record(&s).total_deposited.u128(), 10_000_000);
    assert!(s.auctions().is_empty());
    assert_eq!(s.backstop_pool().base.u128(), 0);
    // Alice holds a quarter of the other holdings, Bob three quarters: the debt shares go in
    // the same proportion, rounded up.
    let shares = d0.debt_shares.u128();
    let (a1, b1) = (s.account(&alice), s.account(&bob));
    assert_eq!(
        a1.debt_shares.u128() - a0.debt_shares.u128(),
        shares.div_ceil(4)
    );
    assert_eq!(
        b1.debt_shares.u128() - b0.debt_shares.u128(),
        (3 * shares).div_ceil(4)
    );
    assert_books(&s);
}

/// [`on`] with `backstop_first` as given.
fn backstop_first(first: bool) -> LiquidationParams {
    LiquidationParams {
        redistribution: Some(RedistributionParams {
            backstop_first: first,
            ..RedistributionParams::default()
        }),
        ..on()
    }
}

#[test]
fn a_position_the_backstop_cannot_bear_is_redistributed_even_with_room() {
    // Room for the auctions, an empty pool: the sale would leave what the position lacks
    // (4.8·10^9 of debt against 4.6·10^9 of collateral) to the lenders, so it goes to the
    // other holders instead.
    let Set { mut s, alice, .. } = market(on(), 0, u128::MAX / 4);
    s.feed(ETH, dec("2300"));
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    let res = s.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(&s, &res, "mode"), "redistribute");
    assert_eq!(eth(&s, &alice), 2_000_000 + 500_000);
    assert!(s.auctions().is_empty());
    assert_eq!(s.market_state().bad_debt_socialized.u128(), 0);
    assert_books(&s);
}

#[test]
fn with_room_a_hard_floor_position_is_auctioned_under_the_room_rule() {
    // `backstop_first` off: redistribution only when the auctions would not fit the room.
    let Set { mut s, alice, .. } = market(backstop_first(false), 0, u128::MAX / 4);
    s.feed(ETH, dec("2300"));
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    let res = s.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(&s, &res, "mode"), "toxic_auction");
    assert_eq!(eth(&s, &alice), 2_000_000);
}

#[test]
fn the_backstop_pays_first_when_it_can_bear_the_loss() {
    // A pool of 10^9 cannot absorb the position (its quote pays about 4·10^9) but bears what
    // it lacks, 2·10^8: the position is auctioned, the pool provisions the loss, and the
    // other holders take nothing.
    let Set { mut s, alice, bob } = market(on(), 1_000_000_000, u128::MAX / 4);
    s.feed(ETH, dec("2300"));
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    let (a0, b0) = (s.account(&alice), s.account(&bob));
    let res = s.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(&s, &res, "mode"), "toxic_auction");
    assert_eq!(s.auctions().len(), 1);
    let st = s.market_state();
    assert!(st.debt_redistributed.is_zero());
    assert!(st.bad_debt_covered_by_backstop.u128() >= 200_000_000);
    assert_eq!(st.bad_debt_socialized.u128(), 0);
    assert_eq!(s.account(&alice), a0);
    assert_eq!(s.account(&bob), b0);
    assert_books(&s);
}

#[test]
fn a_position_the_backstop_can_bear_waits_for_room_instead_of_being_redistributed() {
    // The same pool with no room: the position below the hard floor waits for room (paced);
    // under the room rule (`backstop_first` off) it went to the other holders at once.
    waits_for_room(on(), 1_000_000_000, "2300");

    let Set { mut s, alice, .. } = market(backstop_first(false), 1_000_000_000, 0);
    s.feed(ETH, dec("2300"));
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    let res = s.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(&s, &res, "mode"), "redistribute");
    assert_eq!(eth(&s, &alice), 2_000_000 + 500_000);
}

/// The borrower's toxic position (HF 0.85) auctioned with room, and its lot bought whole at
/// the floor after 12 minutes: Alice's and Bob's accounts just before, and the auction as
/// bought.
fn auctioned_at_the_floor(m: &mut Set) -> (AccountResponse, AccountResponse, AuctionResponse) {
    let s = &mut m.s;
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    let debt = s.account(&borrower).debt.u128();
    s.feed(
        ETH,
        cosmwasm_std::Decimal::from_ratio(debt * 85, 165_000_000u128),
    );
    let res = s.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(s, &res, "mode"), "toxic_auction");
    let id = s.auctions()[0].id;
    let (a0, b0) = (s.account(&m.alice), s.account(&m.bob));
    s.advance_time_feeding(720);
    let a = s.auction(id);
    assert!(a.at_floor, "{a:?}");
    s.bid(&keeper, id, a.lot.u128(), a.price).unwrap();
    (a0, b0, a)
}

#[test]
fn an_auction_shortfall_the_backstop_cannot_pay_goes_to_the_holders_of_its_collateral() {
    // Room for the auction, an empty backstop: the toxic position (HF 0.85) is auctioned; its
    // lot bought at the floor leaves a shortfall, which becomes the debt of the other ueth
    // holders (a quarter to Alice, three quarters to Bob) instead of a supplier haircut.
    let mut m = market(shortfalls(), 0, u128::MAX / 4);
    let before = supplies(&m.s);
    let (a0, b0, a) = auctioned_at_the_floor(&mut m);
    let Set { s, alice, bob } = m;
    let lender = s.lender.clone();
    let shortfall = a.tab.u128() - a.lot.checked_mul_ceil(a.price).unwrap().u128();
    assert!(shortfall > 500_000_000, "{shortfall}");
    let st = s.market_state();
    assert_eq!(st.bad_debt_socialized.u128(), 0);
    assert_eq!(st.debt_redistributed.u128(), shortfall);
    assert!(s.supplier(&lender).assets.u128() >= SUPPLY, "no haircut");
    // Alice and Bob owe it in proportion to their ueth, rounded up: at least their share, and
    // at most 0.01% more (the interest of the 12 minutes on their own debt and the rounding).
    let (a1, b1) = (s.account(&alice), s.account(&bob));
    let da = a1.debt.u128() - a0.debt.u128();
    let db = b1.debt.u128() - b0.debt.u128();
    let slack = shortfall / 10_000;
    assert!(
        da >= shortfall / 4 && da <= shortfall / 4 + slack,
        "{da} of {shortfall}"
    );
    assert!(
        db >= shortfall * 3 / 4 && db <= shortfall * 3 / 4 + slack,
        "{db} of {shortfall}"
    );
    assert_eq!(a1.collaterals[0].amount.u128(), 2_000_000);
    assert_books(&s);
    assert_conserved(&s, &before);
}

#[test]
fn with_shortfall_redistribution_off_a_shortfall_goes_to_the_waterfall() {
    let params = LiquidationParams {
        redistribution: Some(RedistributionParams {
            shortfalls: false,
            ..RedistributionParams::default()
        }),
        ..on()
    };
    let mut m = market(params, 0, u128::MAX / 4);
    let (a0, _, _) = auctioned_at_the_floor(&mut m);
    let Set { s, alice, .. } = m;
    let st = s.market_state();
    assert!(st.bad_debt_socialized.u128() > 500_000_000);
    assert!(st.debt_redistributed.is_zero());
    assert_eq!(s.account(&alice).debt_shares, a0.debt_shares);
    assert_books(&s);
}

/// As [`market`] with no backstop, Alice owing `alice` and Bob three times as much.
fn leveraged(params: LiquidationParams, hole: u128, alice: u128) -> Set {
    let mut m = holders_owing(params, 0, hole, 1);
    let (a, b) = (m.alice.clone(), m.bob.clone());
    m.s.borrow(&a, alice - 1_000_000_000).unwrap();
    m.s.borrow(&b, 3 * alice - 3_000_000_000).unwrap();
    m
}

/// Alice owing 3.6·10^9 and Bob 10.8·10^9 at 2300: each at HF 0.825 · 4.6 / 3.6 = 1.05, and
/// with the borrower's position (its whole 2·10^6 ueth and 4.8·10^9) they would be together
/// at 0.825 · 23 / 19.2 = 0.988.
fn under_water_after(params: LiquidationParams) -> Set {
    let mut m = leveraged(params, 0, 3_600_000_000);
    m.s.feed(ETH, dec("2300"));
    m
}

/// The outcome of liquidating the borrower: the plan's mode, or the error.
fn outcome(s: &mut Suite) -> String {
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    match s.liquidate(&keeper, &borrower) {
        Ok(res) => liq_attr(s, &res, "mode"),
        Err(e) => e.root_cause().to_string(),
    }
}

#[test]
fn a_position_is_not_redistributed_onto_holders_together_under_water() {
    // Taking the position would leave Alice and Bob together at HF 0.988, under a floor of 1:
    // it is shed as without redistribution, and they keep what they had.
    let Set { mut s, alice, bob } = under_water_after(floor(on(), "1"));
    let (a0, b0) = (s.account(&alice), s.account(&bob));
    let with = outcome(&mut s);
    assert!(s.market_state().debt_redistributed.is_zero());
    assert_eq!(s.account(&alice).debt_shares, a0.debt_shares);
    assert_eq!(s.account(&bob).debt_shares, b0.debt_shares);
    assert_eq!(eth(&s, &alice), 2_000_000);
    assert_eq!(eth(&s, &bob), 6_000_000);
    let without = LiquidationParams {
        redistribution: None,
        ..on()
    };
    let Set { s: mut plain, .. } = under_water_after(without);
    assert_eq!(with, outcome(&mut plain));
    assert_books(&s);
}

#[test]
fn the_recipient_floor_decides_whether_holders_take_a_position() {
    // The same market: Alice and Bob would be together at 0.988 after, but the floor bounds
    // the worst any holder healthy now could be left at, a holder of ueth alone at HF 1 taking
    // its part: (V + L) / (V + S) with V = 8·10^6 · 2300 · 0.825 (their ueth), L = 2·10^6 ·
    // 2300 · 0.825 (the lot), S = 4.8·10^9 (its debt): 18.975 / 19.98 = 0.9497. At a floor of
    // 0.94 they take it.
    let Set { mut s, alice, .. } = under_water_after(floor(on(), "0.94"));
    assert_eq!(outcome(&mut s), "redistribute");
    assert!(!s.market_state().debt_redistributed.is_zero());
    assert!(eth(&s, &alice) > 2_000_000);
    // At 0.95 (below their 0.988 together, above the worst case) they do not.
    let Set { mut s, .. } = under_water_after(floor(on(), "0.95"));
    assert_ne!(outcome(&mut s), "redistribute");
    assert!(s.market_state().debt_redistributed.is_zero());
}

/// A market where Alice holds 2·10^5 ueth owing 3·10^8, Carol 10^3 ueth and 10^12 uatom owing
/// nothing, and the borrower 2·10^6 ueth owing 4.8·10^9; no room for ueth, an empty backstop,
/// redistribution on (`params`); ETH at 2000: the borrower at HF 0.69 (below the hard floor),
/// Alice at 1.1.
fn one_small_holder_and_a_rich_one(params: LiquidationParams) -> (Suite, Addr, Addr) {
    let mut s = lent(
        SuiteBuilder::new()
            .liquidation_params(params)
            .auction_params(ETH, auction_with_hole(0))
            .backstop_deposit(0),
    );
    let (alice, carol, borrower) = (s.addr("alice"), s.addr("carol"), s.borrower.clone());
    s.open_position(&alice, ETH, 200_000, 300_000_000);
    s.open_position(&carol, ETH, 1_000, 0);
    s.open_position(&carol, ATOM, 1_000_000_000_000, 0);
    s.open_position(&borrower, ETH, 2_000_000, DEBT);
    s.feed(ETH, dec("2000"));
    (s, alice, carol)
}

#[test]
fn redistribution_never_leaves_a_healthy_holder_below_the_recipient_floor() {
    // Alice and Carol together could carry the borrower's position: Carol's atom keeps their
    // aggregate far above the floor. But Carol holds a thousandth of the other ueth and would
    // take a thousandth of it; Alice would take the rest and fall from 1.1 to 0.71, under the
    // hard floor, to be redistributed in turn. So nothing is redistributed: the position goes
    // as it would without redistribution, and Alice keeps what she had.
    let (mut s, alice, carol) = one_small_holder_and_a_rich_one(on());
    assert!(hf(&s, &alice) > dec("1.09"));
    let (a0, c0) = (s.account(&alice), s.account(&carol));
    let with = outcome(&mut s);
    assert_ne!(with, "redistribute");
    assert!(s.market_state().debt_redistributed.is_zero());
    assert_eq!(s.account(&alice).debt_shares, a0.debt_shares);
    assert_eq!(s.account(&carol).debt_shares, c0.debt_shares);
    assert_eq!(eth(&s, &alice), 200_000);
    let without = LiquidationParams {
        redistribution: None,
        ..on()
    };
    let (mut plain, ..) = one_small_holder_and_a_rich_one(without);
    assert_eq!(with, outcome(&mut plain));
    assert_books(&s);
}

#[test]
fn an_auction_shortfall_is_not_redistributed_onto_holders_together_under_water() {
    // Room for the auction, an empty backstop, Alice and Bob leveraged, a floor of 1: the
    // shortfall of the toxic position's auction would leave them together below 1 (Alice owing 4·10^9 and Bob
    // 12·10^9 against 8·10^6 ueth at about 2470, HF 1.02 before), so it goes down the
    // waterfall (reserves, then suppliers) instead.
    let mut m = leveraged(floor(shortfalls(), "1"), u128::MAX / 4, 4_000_000_000);
    let (a0, b0, _) = auctioned_at_the_floor(&mut m);
    let Set { s, alice, bob } = m;
    let st = s.market_state();
    assert!(st.debt_redistributed.is_zero());
    assert!(
        !st.bad_debt_socialized.is_zero() || !st.bad_debt_covered_by_reserves.is_zero(),
        "{st:?}"
    );
    assert_eq!(s.account(&alice).debt_shares, a0.debt_shares);
    assert_eq!(s.account(&bob).debt_shares, b0.debt_shares);
    assert_books(&s);
}

#[test]
fn redistribution_parameters_out_of_range_are_refused_and_change_nothing() {
    use breakwater_types::market::{ConfigResponse, ExecuteMsg};
    let Set { mut s, .. } = market(on(), 0, 0);
    let owner = s.owner.clone();
    let cfg: ConfigResponse = s.market_query(&QueryMsg::Config {}).unwrap();
    let liq = cfg.liquidation.expect("a liquidation set-up");
    for (field, r) in [
        (
            "redistribution.min_recipient_health",
            RedistributionParams {
                min_recipient_health: dec("10.01"),
                ..RedistributionParams::default()
            },
        ),
        (
            "redistribution.penalty_cap",
            RedistributionParams {
                penalty_cap: dec("1.01"),
                ..RedistributionParams::default()
            },
        ),
    ] {
        let mut bad = liq.clone();
        bad.params.redistribution = Some(r);
        assert_err(
            s.market_execute(&owner, &ExecuteMsg::SetLiquidation(bad), &[]),
            &format!("invalid parameter `{field}`"),
        );
    }
    let after: ConfigResponse = s.market_query(&QueryMsg::Config {}).unwrap();
    assert_eq!(after.liquidation, Some(liq));
}
