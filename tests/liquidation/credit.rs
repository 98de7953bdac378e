//! The backstop's credit (issue 14): the pool is first loss with everything it holds, not only
//! its cash. Bad debt beyond its base takes what the market owes the pool, then is lent to the
//! pool against the collateral it holds (up to `backstop_credit` of its value), before reserves
//! and suppliers; the pool repays from the base it receives, and its depositors wait until it
//! has.
use super::helpers::*;
use breakwater_testing::{dec, Suite, SuiteBuilder};
use breakwater_types::backstop::ExecuteMsg as BackstopMsg;
use breakwater_types::market::{ExecuteMsg, LiquidationParams};
use breakwater_types::oracle::OracleStatus;
use cosmwasm_std::{coin, Decimal, Uint128};
use cw_multi_test::AppResponse;

/// What the pool holds in base before the shortfall.
const POOL: u128 = 200_000_000;

/// A pool of `POOL` base holding `atom` uatom (handed over by the market as an absorb paying
/// nothing: the pool's value rises, the market's books do not move), and an ETH position
/// liquidated as one toxic auction (HF 0.85: the pool cannot absorb it) bought whole at its
/// floor. Returns the suite, the shortfall and the market state before it settled.
fn shortfall_with_pool_holding(
    params: LiquidationParams,
    atom: u128,
) -> (Suite, u128, breakwater_types::market::StateResponse) {
    shortfall_with_pool_holding_then(params, atom, |_| {})
}

/// As [`shortfall_with_pool_holding`], with `before_bid` run just before the floor bid.
fn shortfall_with_pool_holding_then(
    params: LiquidationParams,
    atom: u128,
    before_bid: impl FnOnce(&mut Suite),
) -> (Suite, u128, breakwater_types::market::StateResponse) {
    let mut s = lent(
        SuiteBuilder::new()
            .liquidation_params(params)
            .backstop_deposit(POOL),
    );
    if atom > 0 {
        crate::backstop::absorb(&mut s, &[coin(atom, ATOM)], 0).unwrap();
    }
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    s.open_position(&borrower, ETH, 2_000_000, 4_800_000_000);
    // HF = 0.825 · 2·10^6 · p / 4.8·10^9 = 0.85.
    s.feed(
        ETH,
        Decimal::from_ratio(4_800_000_000u128 * 85, 165_000_000u128),
    );
    let res = s.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(&s, &res, "mode"), "toxic_auction");
    let id = s.auctions()[0].id;
    s.advance_time_feeding(720);
    let a = s.auction(id);
    assert!(a.at_floor, "{a:?}");
    before_bid(&mut s);
    let a = s.auction(id);
    let before = s.market_state();
    s.bid(&keeper, id, a.lot.u128(), a.price).unwrap();
    let shortfall = a.tab.u128() - a.lot.checked_mul_ceil(a.price).unwrap().u128();
    assert!(s.auctions().is_empty());
    (s, shortfall, before)
}

/// `atom` uatom at the oracle median, rounded down.
fn atom_value(s: &Suite, atom: u128) -> Uint128 {
    Uint128::new(atom).mul_floor(s.oracle_price(ATOM).unwrap().median)
}

/// The most the market lends against `atom` uatom at the oracle median: half its value,
/// each step rounded down.
fn credit_for(s: &Suite, atom: u128) -> u128 {
    atom_value(s, atom).mul_floor(Decimal::percent(50)).u128()
}

#[test]
fn a_shortfall_beyond_the_pools_base_is_lent_against_the_collateral_it_holds() {
    let atom = 200_000_000; // 2·10^9 at 10: 10^9 of credit
    let (s, shortfall, before) = shortfall_with_pool_holding(default_params(), atom);
    let credit = credit_for(&s, atom);
    let due = before.backstop_due.u128();
    assert!(
        shortfall > POOL + due && shortfall < POOL + due + credit,
        "{shortfall} against {POOL} + {due} + {credit}"
    );
    let st = s.market_state();
    // Base, then what the market owed the pool, then the loan: suppliers lose nothing.
    assert_eq!(st.bad_debt_covered_by_backstop.u128(), shortfall);
    assert_eq!(st.backstop_debt.u128(), shortfall - POOL - due);
    assert_eq!(st.bad_debt_socialized.u128(), 0);
    assert_eq!(st.supply_index, before.supply_index);
    // The pool counts the debt against its value.
    let pool = s.backstop_pool();
    assert_eq!(pool.base.u128(), 0);
    assert_eq!(pool.owed_to_market, st.backstop_debt);
    assert_eq!(
        pool.total_value.u128(),
        atom_value(&s, atom).u128() - st.backstop_debt.u128()
    );
    assert_books(&s);
}

#[test]
fn the_loan_never_exceeds_its_share_of_the_collateral_the_pool_holds() {
    let atom = 20_000_000; // 2·10^8 at 10: 10^8 of credit
    let (s, shortfall, before) = shortfall_with_pool_holding(default_params(), atom);
    let credit = credit_for(&s, atom);
    let due = before.backstop_due.u128();
    assert!(shortfall > POOL + due + credit, "{shortfall}");
    let st = s.market_state();
    assert_eq!(st.backstop_debt.u128(), credit);
    assert_eq!(st.bad_debt_covered_by_backstop.u128(), POOL + due + credit);
    let free = before.reserves.u128() - due;
    assert_eq!(
        st.bad_debt_socialized.u128() + st.bad_debt_covered_by_reserves.u128(),
        shortfall - POOL - due - credit
    );
    assert!(st.bad_debt_covered_by_reserves.u128() <= free);
    assert_books(&s);
}

#[test]
fn a_halted_price_lends_at_the_lower_of_median_and_twap_and_a_stale_one_lends_nothing() {
    let atom = 200_000_000;
    // ATOM wicks 40% down just before the shortfall: the breaker halts it.
    let (s, shortfall, before) =
        shortfall_with_pool_holding_then(default_params(), atom, |s| s.feed(ATOM, dec("6")));
    let p = s.oracle_price(ATOM).unwrap();
    assert!(matches!(p.status, OracleStatus::Halted { .. }), "{p:?}");
    assert!(p.twap > p.median, "{p:?}");
    let credit = Uint128::new(atom)
        .mul_floor(p.median.min(p.twap))
        .mul_floor(Decimal::percent(50))
        .u128();
    let due = before.backstop_due.u128();
    assert!(shortfall > POOL + due + credit, "{shortfall} vs {credit}");
    assert_eq!(s.market_state().backstop_debt.u128(), credit);
    assert_books(&s);

    // ATOM goes stale (only ETH is fed for longer than the staleness limit): no credit.
    let (s, _, _) = shortfall_with_pool_holding_then(default_params(), atom, |s| {
        let eth = s.oracle_price(ETH).unwrap().median;
        for _ in 0..8 {
            s.advance_time(300);
            s.feed(ETH, eth);
        }
    });
    let p = s.oracle_price(ATOM).unwrap();
    assert!(matches!(p.status, OracleStatus::Stale { .. }), "{p:?}");
    let st = s.market_state();
    assert_eq!(st.backstop_debt.u128(), 0);
    assert!(st.bad_debt_socialized.u128() > 0);
    assert_books(&s);
}

#[test]
fn without_the_credit_rule_the_pool_covers_with_its_base_only() {
    let params = LiquidationParams {
        backstop_credit: None,
        ..default_params()
    };
    let (s, shortfall, before) = shortfall_with_pool_holding(params, 100_000_000);
    let st = s.market_state();
    assert_eq!(st.bad_debt_covered_by_backstop.u128(), POOL);
    assert_eq!(st.backstop_debt.u128(), 0);
    assert_eq!(
        st.backstop_due, before.backstop_due,
        "earmarked reserves are kept"
    );
    assert!(st.bad_debt_socialized.u128() > 0, "{shortfall}");
    assert_books(&s);
}

#[test]
fn the_pool_repays_from_what_it_receives_and_its_depositors_wait_until_it_has() {
    let atom = 100_000_000;
    let (mut s, _, _) = shortfall_with_pool_holding(default_params(), atom);
    let owed = s.market_state().backstop_debt.u128();
    assert!(owed > 0);
    // The depositor asks to leave; after the cooldown the window is open but the pool owes.
    let lender = s.lender.clone();
    let shares = s.backstop_depositor(&lender).shares;
    s.backstop_execute(&lender, &BackstopMsg::RequestWithdraw { shares }, &[])
        .unwrap();
    age(&mut s, 7 * 86_400);
    let err = s
        .backstop_execute(&lender, &BackstopMsg::Withdraw {}, &[])
        .unwrap_err();
    assert!(format!("{err:?}").contains("owes the market"), "{err:?}");
    // A resale's proceeds go to the market first.
    let keeper = s.keeper.clone();
    s.backstop_resell(&keeper, ATOM).unwrap();
    let a = s.auctions()[0].clone();
    let cash = s.market_state().cash.u128();
    let owe = a.lot.checked_mul_ceil(a.price).unwrap().u128();
    s.bid(&keeper, a.id, a.lot.u128(), a.price).unwrap();
    let st = s.market_state();
    let repaid = owed - st.backstop_debt.u128();
    assert!(repaid > 0 && repaid <= owe, "{repaid} of {owe}");
    assert_eq!(st.cash.u128(), cash + repaid);
    assert_eq!(s.backstop_pool().base.u128(), owe - repaid);
    assert_books(&s);
    // A deposit repays the rest; then the depositor may leave.
    let left = st.backstop_debt.u128();
    let bob = s.addr("bob");
    s.fund(&bob, &[coin(left + 1_000_000, USDC)]);
    s.backstop_deposit(&bob, left + 1_000_000).unwrap();
    assert_eq!(s.market_state().backstop_debt.u128(), 0);
    assert_eq!(s.backstop_pool().owed_to_market.u128(), 0);
    s.backstop_execute(&lender, &BackstopMsg::RequestWithdraw { shares }, &[])
        .unwrap();
    age(&mut s, 7 * 86_400);
    s.backstop_execute(&lender, &BackstopMsg::Withdraw {}, &[])
        .unwrap();
    assert_books(&s);
}

#[test]
fn repaying_the_backstops_debt_takes_at_most_what_is_owed_and_returns_the_rest() {
    let (mut s, _, _) = shortfall_with_pool_holding(default_params(), 100_000_000);
    let owed = s.market_state().backstop_debt.u128();
    let who = stranger(&s);
    s.fund(&who, &[coin(owed + 500, USDC)]);
    let cash = s.market_state().cash.u128();
    let res = s
        .market_execute(
            &who,
            &ExecuteMsg::RepayBackstopDebt {},
            &[coin(owed + 500, USDC)],
        )
        .unwrap();
    let st = s.market_state();
    assert_eq!(st.backstop_debt.u128(), 0);
    assert_eq!(st.cash.u128(), cash + owed);
    assert_eq!(s.balance(&who, USDC), 500, "the excess comes back");
    assert!(attr_of(&res, &s.market, "repay_backstop_debt", "refund").as_deref() == Some("500"));
    // Nothing owed: everything comes back, nothing changes.
    s.fund(&who, &[coin(100, USDC)]);
    s.market_execute(&who, &ExecuteMsg::RepayBackstopDebt {}, &[coin(100, USDC)])
        .unwrap();
    assert_eq!(s.market_state(), st);
    assert_eq!(s.balance(&who, USDC), 600);
    // Without funds, or with another denom: refused.
    assert!(s
        .market_execute(&who, &ExecuteMsg::RepayBackstopDebt {}, &[])
        .is_err());
    s.fund(&who, &[coin(5, ATOM)]);
    assert!(s
        .market_execute(&who, &ExecuteMsg::RepayBackstopDebt {}, &[coin(5, ATOM)])
        .is_err());
    assert_books(&s);
}

#[test]
fn backstop_credit_out_of_range_is_refused_and_changes_nothing() {
    use breakwater_types::market::{ConfigResponse, QueryMsg};
    let mut s = lent(SuiteBuilder::new());
    let owner = s.owner.clone();
    let cfg: ConfigResponse = s.market_query(&QueryMsg::Config {}).unwrap();
    let liq = cfg.liquidation.expect("a liquidation set-up");
    let mut bad = liq.clone();
    bad.params.backstop_credit = Some(dec("1.01"));
    assert_err(
        s.market_execute(&owner, &ExecuteMsg::SetLiquidation(bad), &[]),
        "invalid parameter `backstop_credit`",
    );
    let after: ConfigResponse = s.market_query(&QueryMsg::Config {}).unwrap();
    assert_eq!(after.liquidation, Some(liq));
}

#[test]
fn a_loan_the_pools_collateral_no_longer_covers_is_written_down_to_reserves_and_suppliers() {
    let atom = 200_000_000;
    let (mut s, _, _) = shortfall_with_pool_holding(default_params(), atom);
    let who = stranger(&s);
    let write_down = ExecuteMsg::WriteDownBackstopDebt {};
    let st0 = s.market_state();
    let owed = st0.backstop_debt.u128();
    assert!(owed > 0);
    // Covered (2·10^9 of uatom against the loan): refused, nothing changes.
    assert_err(
        s.market_execute(&who, &write_down, &[]),
        "nothing to write down",
    );
    assert_eq!(s.market_state(), st0);
    // uatom falls to 2: the pool's 2·10^8 uatom are worth 4·10^8, less than it owes.
    s.feed(ATOM, dec("2"));
    let worth = atom_value(&s, atom)
        .u128()
        .min(Uint128::new(atom).mul_floor(dec("2")).u128());
    assert!(worth < owed, "{worth} vs {owed}");
    // Funds are refused.
    s.fund(&who, &[coin(10, USDC)]);
    assert!(s
        .market_execute(&who, &write_down, &[coin(10, USDC)])
        .is_err());
    let before = s.market_state();
    s.market_execute(&who, &write_down, &[]).unwrap();
    let st = s.market_state();
    let excess = owed - worth;
    assert_eq!(st.backstop_debt.u128(), worth);
    assert_eq!(
        st.bad_debt_covered_by_backstop.u128(),
        before.bad_debt_covered_by_backstop.u128() - excess
    );
    assert_eq!(
        st.bad_debt_covered_by_reserves.u128() + st.bad_debt_socialized.u128()
            - before.bad_debt_covered_by_reserves.u128()
            - before.bad_debt_socialized.u128(),
        excess
    );
    assert!(st.supply_index < before.supply_index);
    assert_eq!(
        s.backstop_pool().total_value.u128(),
        0,
        "the pool's shares are worth nothing"
    );
    assert_books(&s);
    // Once written down, again is refused.
    assert_err(
        s.market_execute(&who, &write_down, &[]),
        "nothing to write down",
    );
}

#[test]
fn a_deposit_into_a_pool_that_owes_more_than_it_holds_is_refused() {
    // The pool owes the market more than its collateral is worth (uatom at 2): a deposit would
    // pay that deficit, the depositor's shares worth less than the deposit. Refused, nothing
    // changes; once the market wrote the loan down, a deposit is worth what it paid.
    let atom = 200_000_000;
    let (mut s, _, _) = shortfall_with_pool_holding(default_params(), atom);
    s.feed(ATOM, dec("2"));
    // Long enough at 2 for the breaker's halt to clear: a deposit needs active prices.
    s.advance_time_feeding(2_400);
    let who = stranger(&s);
    let amount = 1_000_000_000;
    s.fund(&who, &[coin(amount, USDC)]);
    let (pool0, state0) = (s.backstop_pool(), s.market_state());
    assert!(state0.backstop_debt.u128() > atom_value(&s, atom).u128());
    assert_err(s.backstop_deposit(&who, amount), "owes the market");
    assert_eq!(s.backstop_pool(), pool0);
    assert_eq!(s.market_state(), state0);
    s.market_execute(&who, &ExecuteMsg::WriteDownBackstopDebt {}, &[])
        .unwrap();
    s.backstop_deposit(&who, amount).unwrap();
    assert_eq!(s.backstop_pool().total_value.u128(), amount);
}

#[test]
fn a_write_down_waits_for_a_price_it_can_trust() {
    let atom = 200_000_000;
    let (mut s, _, _) = shortfall_with_pool_holding(default_params(), atom);
    // Only ETH is fed for 40 minutes: uatom goes stale, and the pool cannot be valued.
    let eth = s.oracle_price(ETH).unwrap().median;
    for _ in 0..8 {
        s.advance_time(300);
        s.feed(ETH, eth);
    }
    let st = s.market_state();
    let who = stranger(&s);
    assert_err(
        s.market_execute(&who, &ExecuteMsg::WriteDownBackstopDebt {}, &[]),
        "price of uatom is not active",
    );
    assert_eq!(s.market_state(), st);
}

// ---------------------------------------------------------------------------------------------
// Absorbs on credit: the pool takes a whole position its base cannot pay for, the market lending
// it the rest against what it holds and takes.

/// The pool's base in the absorb-on-credit tests: less than the position's debt.
const SHORT_BASE: u128 = 2_000_000_000;

/// The Suite's parameters with absorbs on credit (off by default).
fn on_credit() -> LiquidationParams {
    LiquidationParams {
        absorb_on_credit: true,
        ..default_params()
    }
}

/// A pool of [`SHORT_BASE`] holding `atom` uatom (handed over at price 10, paying nothing), and
/// the review's account (1,000 ATOM against 6,800 USDC) after ATOM falls to `price`, with
/// room for ATOM auctions of at most 10^9 (`room`) or the Suite's default. Returns the suite and
/// the borrower's debt.
fn absorb_short_of_base(
    params: LiquidationParams,
    atom: u128,
    price: &str,
    room: bool,
) -> (Suite, u128) {
    let mut builder = SuiteBuilder::new()
        .liquidation_params(params)
        .backstop_deposit(SHORT_BASE);
    if room {
        builder = builder.auction_params(ATOM, auction_with_hole(1_000_000_000));
    }
    let mut s = lent(builder);
    if atom > 0 {
        crate::backstop::absorb(&mut s, &[coin(atom, ATOM)], 0).unwrap();
    }
    let borrower = s.borrower.clone();
    s.open_position(&borrower, ATOM, 1_000_000_000, 6_800_000_000);
    s.feed(ATOM, dec(price));
    let debt = s.account(&borrower).debt.u128();
    assert!(debt > SHORT_BASE);
    (s, debt)
}

/// At 7.7 the account is below the hard floor (HF 0.79) and its ATOM covers the debt at the
/// pool's 5% discount; the pool holds 2·10^9 of base against a 6.8·10^9 debt, and the book has
/// room for 10^9 of ATOM auctions: the position would be force-sold into a book without room.
/// Holding 4·10^8 uatom (3.08·10^9 at 7.7, 1.54·10^9 of credit) plus half of what it takes
/// (3.4·10^9), the pool may borrow the 4.8·10^9 it lacks: it absorbs, pays its base, and owes
/// the market the rest.
#[test]
fn an_absorb_the_pools_base_cannot_pay_is_lent_against_what_it_holds_and_takes() {
    let atom = 400_000_000;
    let (mut s, debt) = absorb_short_of_base(on_credit(), atom, "7.7", true);
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    let before = s.market_state();
    let supplies0 = supplies(&s);
    let res = s.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(&s, &res, "mode"), "absorb");
    assert!(s.account(&borrower).debt.is_zero());
    let lent = debt - SHORT_BASE;
    assert_eq!(
        attr_of(&res, &s.market, "liquidate", "on_credit"),
        Some(lent.to_string())
    );
    let st = s.market_state();
    // What the market owed the pool pays first, the rest is lent.
    let due = before.backstop_due.u128().min(lent);
    assert_eq!(st.backstop_debt.u128(), lent - due);
    assert_eq!(st.backstop_due.u128(), before.backstop_due.u128() - due);
    assert_eq!(st.cash.u128(), before.cash.u128() + SHORT_BASE);
    // The position was worth more than its debt at the discount: no bad debt at all.
    assert_eq!(
        st.bad_debt_covered_by_backstop,
        before.bad_debt_covered_by_backstop
    );
    assert_eq!(st.bad_debt_socialized.u128(), 0);
    assert_eq!(st.supply_index, before.supply_index);
    // The pool paid its whole base, took the ATOM the discount justifies, and reports the loan.
    let pool = s.backstop_pool();
    assert_eq!(pool.base.u128(), 0);
    assert_eq!(pool.owed_to_market, st.backstop_debt);
    let taken = pool_held(&s, ATOM) - atom;
    assert!(Uint128::new(taken).mul_floor(dec("7.315")).u128() >= debt);
    assert!(Uint128::new(taken - 1).mul_floor(dec("7.315")).u128() < debt);
    assert_books(&s);
    assert_conserved(&s, &supplies0);
}

#[test]
fn an_absorb_on_credit_locks_only_the_gain_over_what_the_pool_paid_and_owes() {
    // The pool's share price does not move when it absorbs: its gain (what it took, at the
    // median, less its base paid and the loan) vests over the unlock period like any other.
    let (mut s, _) = absorb_short_of_base(on_credit(), 400_000_000, "7.7", true);
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    let p0 = s.backstop_pool();
    s.liquidate(&keeper, &borrower).unwrap();
    let p1 = s.backstop_pool();
    assert!(p1.owed_to_market > p0.owed_to_market);
    assert!(p1.locked_shares > p0.locked_shares, "a gain is locked");
    let (v0, v1) = (p0.value_per_share, p1.value_per_share);
    let drift = if v1 > v0 { v1 - v0 } else { v0 - v1 };
    assert!(
        drift <= v0 * Decimal::from_ratio(1u128, 1_000_000u128),
        "share price moved from {v0} to {v1}"
    );
}

/// Liquidates the borrower and checks it was not absorbed and the pool owes nothing.
fn not_absorbed_on_credit(s: &mut Suite) -> AppResponse {
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    let res = s.liquidate(&keeper, &borrower).unwrap();
    assert_ne!(liq_attr(s, &res, "mode"), "absorb");
    assert_eq!(s.market_state().backstop_debt.u128(), 0);
    res
}

#[test]
fn without_absorb_on_credit_the_pool_absorbs_only_what_its_base_pays() {
    let (mut s, _) = absorb_short_of_base(default_params(), 400_000_000, "7.7", true);
    not_absorbed_on_credit(&mut s);
    assert_eq!(s.backstop_pool().base.u128(), SHORT_BASE);
    assert_books(&s);
}

#[test]
fn the_pool_borrows_for_an_absorb_only_within_its_credit_room() {
    // Holding 10^8 uatom (7.7·10^8, 3.85·10^8 of credit) it can put 2·10^9 + 3.85·10^8 +
    // 3.4·10^9 towards the 6.8·10^9 debt: not enough, so it does not absorb.
    let (mut s, _) = absorb_short_of_base(on_credit(), 100_000_000, "7.7", true);
    not_absorbed_on_credit(&mut s);
    assert_books(&s);
}

#[test]
fn a_position_its_lots_do_not_cover_is_never_absorbed_on_credit() {
    // At 7.0 the ATOM is worth 7·10^9, 6.65·10^9 at the discount, below the 6.8·10^9 debt: an
    // absorb would lend against a loss. Ample credit room (2·10^9 uatom) changes nothing.
    let (mut s, debt) = absorb_short_of_base(on_credit(), 2_000_000_000, "7", true);
    assert!(Uint128::new(1_000_000_000).mul_floor(dec("6.65")).u128() < debt);
    not_absorbed_on_credit(&mut s);
    assert_books(&s);
}

#[test]
fn a_position_the_book_has_room_for_is_auctioned_not_absorbed_on_credit() {
    // The same account and pool as above, with the Suite's room: the auction fits, so the
    // credit stays for covering bad debt.
    let (mut s, _) = absorb_short_of_base(on_credit(), 400_000_000, "7.7", false);
    let res = not_absorbed_on_credit(&mut s);
    assert_eq!(liq_attr(&s, &res, "mode"), "toxic_auction");
    assert_eq!(s.backstop_pool().base.u128(), SHORT_BASE);
    assert_books(&s);
}

/// The review's borrower (1,000 ATOM) borrowing 6,000 USDC, and a pool of [`SHORT_BASE`]
/// holding 5·10^8 uatom. ATOM falls 40% to 6 and the breaker halts it; it is fed at 6 every
/// 30 s while a keeper tries to liquidate once a minute. Returns the seconds after the fall of
/// the first liquidation that goes through, with its response.
fn first_liquidation_in_a_halt(params: LiquidationParams) -> (Suite, u64, AppResponse) {
    let mut s = lent(
        SuiteBuilder::new()
            .liquidation_params(params)
            .backstop_deposit(SHORT_BASE),
    );
    crate::backstop::absorb(&mut s, &[coin(500_000_000, ATOM)], 0).unwrap();
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    s.open_position(&borrower, ATOM, 1_000_000_000, 6_000_000_000);
    // Half an hour at 10 first, so the TWAP stands at 10.
    s.advance_time_feeding(1_800);
    s.feed(ATOM, dec("6"));
    let p = s.oracle_price(ATOM).unwrap();
    assert!(matches!(p.status, OracleStatus::Halted { .. }), "{p:?}");
    for minute in 1..=30 {
        s.advance_time_feeding(60);
        if let Ok(res) = s.liquidate(&keeper, &borrower) {
            return (s, minute * 60, res);
        }
    }
    panic!("no liquidation within 30 minutes");
}

/// While ATOM is halted the account is judged at the TWAP, whose advantage fades: after a few
/// minutes it is insolvent at both prices but above the hard floor. The pool cannot pay its
/// 6·10^9 debt from 2·10^9 of base and a halted holding cannot be auctioned, so without credit
/// it waits for the hard floor; with absorbs on credit the pool takes it then, lending against
/// what it holds and takes.
#[test]
fn a_halted_account_insolvent_at_both_prices_is_absorbed_on_credit_instead_of_waiting() {
    let (s, at, res) = first_liquidation_in_a_halt(on_credit());
    assert_eq!(liq_attr(&s, &res, "mode"), "absorb");
    assert_eq!(liq_attr(&s, &res, "hard_floor"), "false");
    let p = s.oracle_price(ATOM).unwrap();
    assert!(matches!(p.status, OracleStatus::Halted { .. }), "{p:?}");
    let lent: u128 = liq_attr(&s, &res, "on_credit").parse().unwrap();
    assert!(lent > 0);
    let st = s.market_state();
    assert_eq!(st.bad_debt_socialized.u128(), 0);
    assert_eq!(s.backstop_pool().owed_to_market, st.backstop_debt);
    assert_books(&s);

    let (s0, at0, res0) = first_liquidation_in_a_halt(default_params());
    assert!(at < at0, "on credit at {at} s, without at {at0} s");
    assert_eq!(liq_attr(&s0, &res0, "hard_floor"), "true");
}
