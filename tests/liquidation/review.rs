//! Regression tests for the independent review of 2026-12 (issue 10), findings R1-R7 on the
//! market and liquidation path. Each test replays the reviewers' scenario (or the root cause
//! behind it) and failed on the code before its fix; docs/SECURITY.md maps each finding here.
use super::helpers::*;
use breakwater_testing::{dec, Suite, SuiteBuilder};
use breakwater_types::market::{
    AccountsResponse, CollateralParams, CollateralUpdate, ExecuteMsg, LiquidationConfig,
    LiquidationParams, QueryMsg,
};
use breakwater_types::oracle::{self, AssetInit, OracleParams, OracleStatus};
use cosmwasm_std::{coin, Addr, Uint128};

/// `units` at `price`, rounded down (the market's valuation).
fn value(units: u128, price: &str) -> u128 {
    Uint128::new(units).mul_floor(dec(price)).u128()
}

/// The Suite's liquidation parameters with the protocol's default dust rule (`min_debt` and
/// `min_collateral_value` of 10^9, $1,000) instead of the Suite's 10^6.
fn protocol_dust() -> LiquidationParams {
    LiquidationParams {
        min_debt: LiquidationParams::default().min_debt,
        min_collateral_value: LiquidationParams::default().min_collateral_value,
        ..default_params()
    }
}

/// Units of `denom` the account holds (0 when none).
fn held(s: &Suite, who: &Addr, denom: &str) -> u128 {
    s.account(who)
        .collaterals
        .iter()
        .find(|c| c.denom == denom)
        .map_or(0, |c| c.amount.u128())
}

// ---------------------------------------------------------------------------------------------
// R1: absorb confiscated the borrower's equity.

/// R1. The reviewers' account: 1,000 ATOM against 6,800 USDC, ATOM falls to 7.7 (HF 0.79,
/// below the hard floor, collateral 7,700 USDC). The funded backstop absorbs it. It must take
/// only the ATOM whose discounted value (5%) covers the debt, rounded up by at most one unit;
/// the rest stays with the borrower, whose loss is the discount on what was taken.
#[test]
fn an_absorb_takes_only_the_collateral_its_discount_justifies() {
    let mut s = lent(SuiteBuilder::new().backstop_deposit(10_000_000_000));
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    s.open_position(&borrower, ATOM, 1_000_000_000, 6_800_000_000);
    let before = supplies(&s);
    s.feed(ATOM, dec("7.7"));
    assert!(hf(&s, &borrower) < dec("0.8"));
    let debt = s.account(&borrower).debt.u128();
    let equity0 = value(1_000_000_000, "7.7") - debt;

    let res = s.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(&s, &res, "mode"), "absorb");
    let acc = s.account(&borrower);
    assert!(acc.debt.is_zero());
    let kept = held(&s, &borrower, ATOM);
    let taken = 1_000_000_000 - kept;
    assert_eq!(pool_held(&s, ATOM), taken);
    // The least whole number of units whose value at a 5% discount covers the debt.
    let discounted = |u: u128| Uint128::new(u).mul_floor(dec("7.315")).u128();
    assert!(discounted(taken) >= debt, "taken {taken} covers {debt}");
    assert!(
        discounted(taken - 1) < debt,
        "taken {taken} is one unit too many"
    );
    // The borrower keeps its equity less the discount on what was taken (one unit of rounding).
    let equity1 = value(kept, "7.7");
    let loss = equity0 - equity1;
    let bound = value(taken, "0.385") + 8;
    assert!(loss <= bound, "loss {loss} above the discount {bound}");
    assert!(
        equity1 > 500_000_000,
        "the borrower keeps ~542 USDC: {equity1}"
    );
    // The pool paid exactly the debt: no bad debt.
    assert_eq!(s.market_state().bad_debt_covered_by_backstop.u128(), 0);
    assert_eq!(s.backstop_pool().base.u128(), 10_000_000_000 - debt);
    assert_books(&s);
    assert_conserved(&s, &before);
}

/// R1 with two collaterals: the absorb takes holdings in seizure order (uatom, f = 0.735, then
/// ueth, f = 0.866), the last one partially, and leaves the rest of ueth with the borrower.
#[test]
fn a_multi_collateral_absorb_takes_holdings_in_seizure_order_and_leaves_the_rest() {
    let mut s = lent(
        SuiteBuilder::new()
            .liquidation_params(with_hard_floor("0.97"))
            .backstop_deposit(10_000_000_000),
    );
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    s.open_position(&borrower, ATOM, 500_000_000, 0);
    s.open_position(&borrower, ETH, 1_000_000, 5_000_000_000);
    let before = supplies(&s);
    // −20% on both: W = 0.7·4·10^9 + 0.825·2.4·10^9 = 4.78·10^9, HF 0.956 < 0.97.
    s.feed_many(&[(ATOM.to_string(), dec("8")), (ETH.to_string(), dec("2400"))]);
    let debt = s.account(&borrower).debt.u128();
    let equity0 = value(500_000_000, "8") + value(1_000_000, "2400") - debt;

    let res = s.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(&s, &res, "mode"), "absorb");
    assert_eq!(liq_attr(&s, &res, "hard_floor"), "true");
    assert!(s.account(&borrower).debt.is_zero());
    assert_eq!(held(&s, &borrower, ATOM), 0, "uatom is taken first, whole");
    let eth_kept = held(&s, &borrower, ETH);
    let eth_taken = 1_000_000 - eth_kept;
    assert!(eth_kept > 0 && eth_taken > 0, "ueth is taken in part");
    assert_eq!(pool_held(&s, ATOM), 500_000_000);
    assert_eq!(pool_held(&s, ETH), eth_taken);
    // Covered exactly: 4·10^9·0.95 from uatom, the rest from ueth at 2400·0.95, rounded up.
    let rest = debt - value(500_000_000, "7.6");
    let eth_needed = Uint128::new(rest)
        .checked_div_ceil(dec("2280"))
        .unwrap()
        .u128();
    assert_eq!(eth_taken, eth_needed);
    let taken_value = value(500_000_000, "8") + value(eth_taken, "2400");
    let loss = equity0 - value(eth_kept, "2400");
    let bound = taken_value / 20 + 2_400;
    assert!(loss <= bound, "loss {loss} above the discount {bound}");
    assert_books(&s);
    assert_conserved(&s, &before);
}

// ---------------------------------------------------------------------------------------------
// R2: the dust filter sent near-healthy accounts down the whole-position path.

/// R2. With the protocol's default dust (`min_debt` = 10^9, $1,000), an account holding three
/// collaterals of ~950 USDC each at HF 0.993 had no partial candidate (each holding alone
/// repays less than `min_debt`) and was absorbed whole. It must be liquidated partially, on the
/// collateral that heals it fastest, keeping nearly all of its collateral.
#[test]
fn a_near_healthy_account_of_small_holdings_is_liquidated_partially() {
    let params = protocol_dust();
    let mut s = lent(
        SuiteBuilder::new()
            .liquidation_params(params)
            .backstop_deposit(10_000_000_000),
    );
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    // 950 USDC each: 95 ATOM, 1,900 OSMO, 0.31666 ETH; the borrow limit is ~1,976.
    s.open_position(&borrower, ATOM, 95_000_000, 0);
    s.open_position(&borrower, OSMO, 1_900_000_000, 0);
    s.open_position(&borrower, ETH, 316_666, 1_975_000_000);
    let before = supplies(&s);
    s.feed_many(&[
        (ATOM.to_string(), dec("9.5")),
        (OSMO.to_string(), dec("0.475")),
        (ETH.to_string(), dec("2850")),
    ]);
    let h = hf(&s, &borrower);
    assert!(h > dec("0.99") && h < dec("1"), "{h}");
    let res = s.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(&s, &res, "mode"), "partial");
    assert_eq!(liq_attr(&s, &res, "denom"), OSMO, "uosmo heals fastest");
    let acc = s.account(&borrower);
    assert!(acc.health_factor.unwrap() > dec("1.049"), "{acc:?}");
    assert_eq!(held(&s, &borrower, ATOM), 95_000_000);
    assert_eq!(held(&s, &borrower, ETH), 316_666);
    assert!(s.backstop_pool().collateral.is_empty(), "nothing absorbed");
    assert_books(&s);
    assert_conserved(&s, &before);
}

/// R2, dust griefing kept impossible: a 1-unit holding of the collateral seized first cannot
/// block the account, and neither can several tiny holdings placed before the real one.
#[test]
fn tiny_holdings_first_in_seizure_order_do_not_block_a_partial_liquidation() {
    let mut s = lent(SuiteBuilder::new());
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    let griefer = s.addr("griefer");
    s.fund(&griefer, &[coin(1_000, OSMO), coin(1_000, ATOM)]);
    s.open_position(&borrower, ATOM, 1_000_000_000, 6_500_000_000);
    for (denom, amount) in [(OSMO, 1u128), (OSMO, 3)] {
        let msg = ExecuteMsg::DepositCollateral {
            on_behalf_of: Some(borrower.to_string()),
        };
        s.market_execute(&griefer, &msg, &[coin(amount, denom)])
            .unwrap();
    }
    s.feed(ATOM, dec("8.5"));
    let res = s.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(&s, &res, "mode"), "partial");
    assert_eq!(liq_attr(&s, &res, "denom"), ATOM);
    assert!(hf(&s, &borrower) > dec("1.049"));
}

// ---------------------------------------------------------------------------------------------
// R3: a one-block wick that halts the oracle triggered hard-floor liquidations.

/// R3, the reviewers' scenario: every feeder prints −27% for one block. The oracle halts ATOM;
/// at the halted median a max-LTV account (HF 1.03 at the true price) is below the hard floor.
/// It must not be liquidated: the oracle does not stand behind that price, and at the TWAP the
/// account is healthy. After the revert it is healthy and untouched.
#[test]
fn a_wick_that_halts_the_oracle_liquidates_no_max_ltv_account() {
    let mut s = lent(SuiteBuilder::new().backstop_deposit(10_000_000_000));
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    s.open_position(&borrower, ATOM, 1_000_000_000, 6_800_000_000);
    s.advance_time_feeding(30);
    let before = supplies(&s);
    s.advance_time(5);
    s.feed(ATOM, dec("7.3"));
    assert!(matches!(
        s.oracle_price(ATOM).unwrap().status,
        OracleStatus::Halted { .. }
    ));
    assert!(
        hf(&s, &borrower) < dec("0.8"),
        "below the floor at the wick"
    );
    assert_err(
        s.liquidate(&keeper, &borrower),
        "liquidation paused: the oracle price of uatom is halted",
    );
    // The wick reverts the next block.
    s.advance_time(5);
    s.feed(ATOM, dec("10"));
    assert_err(s.liquidate(&keeper, &borrower), "account is healthy");
    let acc = s.account(&borrower);
    assert_eq!(acc.collaterals[0].amount.u128(), 1_000_000_000);
    assert!(s.auctions().is_empty());
    assert_conserved(&s, &before);
}

/// R3, forced auctions: an account below the hard floor at both the halted median and the
/// TWAP is still liquidated (forced), but its auction starts from the price the oracle stands
/// behind, so after the wick reverts nobody buys the lot below the true price.
#[test]
fn a_forced_auction_started_on_a_halted_wick_does_not_sell_below_the_true_price() {
    let mut s = lent(SuiteBuilder::new());
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    s.open_position(&borrower, ATOM, 1_000_000_000, 6_800_000_000);
    // A genuine −22.5% move, accepted by the oracle and held for the TWAP window: HF 0.798.
    s.feed(ATOM, dec("7.75"));
    s.advance_time_feeding(1_900);
    assert!(hf(&s, &borrower) < dec("0.8"));
    // Then a −27.7% wick for one block: halted.
    s.advance_time(5);
    s.feed(ATOM, dec("5.6"));
    assert!(matches!(
        s.oracle_price(ATOM).unwrap().status,
        OracleStatus::Halted { .. }
    ));
    let res = s.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(&s, &res, "hard_floor"), "true");
    let id = s.auctions()[0].id;
    // The wick reverts the next block; a bidder never pays less than the true price there.
    s.advance_time(5);
    s.feed(ATOM, dec("7.75"));
    let a = s.auction(id);
    assert!(a.price >= dec("7.75"), "{a:?}");
}

/// R3, the partial path: a wick on a side collateral (ATOM halted at −27%) must not liquidate
/// an account that is healthy at the price the oracle stands behind, even though its active
/// ETH could be seized.
#[test]
fn a_halted_side_collateral_does_not_make_a_healthy_account_liquidatable() {
    let mut s = lent(SuiteBuilder::new());
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    s.open_position(&borrower, ATOM, 500_000_000, 0);
    s.open_position(&borrower, ETH, 1_000_000, 5_700_000_000);
    s.advance_time_feeding(30);
    assert!(hf(&s, &borrower) > dec("1.03"));
    s.advance_time(5);
    s.feed(ATOM, dec("7.3"));
    assert!(hf(&s, &borrower) < dec("1"));
    assert_err(
        s.liquidate(&keeper, &borrower),
        "liquidation paused: the oracle price of uatom is halted",
    );
}

// ---------------------------------------------------------------------------------------------
// R4: one unit of a paused collateral shielded an account on the whole-position path.

/// Stops feeding `paused` (it goes stale after 60 s) while every other collateral stays fed.
fn let_go_stale(s: &mut Suite, paused: &str) {
    for _ in 0..4 {
        s.advance_time(20);
        for d in [ATOM, OSMO, ETH] {
            if d != paused {
                let p = s.oracle_price(d).unwrap().median;
                s.feed(d, p);
            }
        }
    }
    assert!(matches!(
        s.oracle_price(paused).unwrap().status,
        OracleStatus::Stale { .. }
    ));
}

/// R4, the reviewers' first scenario: 1 uatom deposited while uatom is stale shielded a toxic
/// ETH account (HF 0.859). The priced ETH must be liquidated; the debt share of the unpriced
/// uatom (split by value) stays on the account with it, so nothing is written off while the
/// borrower keeps collateral.
#[test]
fn one_unit_of_a_stale_collateral_does_not_shield_a_toxic_account() {
    let mut s = lent(SuiteBuilder::new());
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    s.open_position(&borrower, ETH, 2_000_000, 4_800_000_000);
    s.feed(ETH, dec("2500"));
    let_go_stale(&mut s, ATOM);
    s.deposit_collateral(&borrower, ATOM, 1).unwrap();
    let before = supplies(&s);
    let debt = s.account(&borrower).debt.u128();
    let res = s.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(&s, &res, "mode"), "toxic_auction");
    assert_eq!(liq_attr(&s, &res, "denom"), ETH);
    let acc = s.account(&borrower);
    assert_eq!(held(&s, &borrower, ATOM), 1, "the unpriced unit stays");
    assert_eq!(held(&s, &borrower, ETH), 0);
    // uatom's share of the debt: floor(D · 10 / (5·10^9 + 10)) = 9 units, kept on the account.
    let share = debt * 10 / 5_000_000_010;
    assert!(
        acc.debt.u128() >= share && acc.debt.u128() <= share + 2,
        "{acc:?}"
    );
    let a = s.auctions();
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].tab.u128() + share, debt);
    assert_eq!(s.market_state().bad_debt_socialized.u128(), 0);
    assert_books(&s);
    assert_conserved(&s, &before);
}

/// R20 (found by the property harness's drain in a 1000-case run): a holding whose whole
/// seizure cannot repay one debt share (2 uosmo, worth 1 base unit: `floor(1 / 1.08) = 0`)
/// counted as a partial candidate, so a toxic ETH account above the hard floor was refused as
/// "too small" instead of going down the whole-position path, and stayed unliquidated until it
/// fell below the hard floor. Such a holding is worthless to the partial path: the account is
/// toxic and is liquidated whole.
#[test]
fn a_holding_worth_less_than_one_debt_share_does_not_shield_a_toxic_account() {
    let mut s = lent(SuiteBuilder::new());
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    s.open_position(&borrower, ETH, 2_000_000, 4_800_000_000);
    s.deposit_collateral(&borrower, OSMO, 2).unwrap();
    s.feed(ETH, dec("2500"));
    let h = hf(&s, &borrower);
    assert!(
        h > dec("0.8") && h < dec("0.866"),
        "toxic above the hard floor: {h}"
    );
    let before = supplies(&s);
    let res = s.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(&s, &res, "mode"), "toxic_auction");
    assert_eq!(held(&s, &borrower, ETH), 0);
    let acc = s.account(&borrower);
    assert!(acc.debt.is_zero(), "{acc:?} {:?}", s.auctions());
    assert_books(&s);
    assert_conserved(&s, &before);
}

/// R4, the reviewers' second scenario: 1 ueth (worth 0.003 USDC) while ueth is stale shielded
/// an account that the dust rule sends down the whole-position path (debt below `min_debt`,
/// no single holding can close it).
#[test]
fn one_unit_of_a_stale_collateral_does_not_shield_a_dust_account() {
    let params = protocol_dust();
    let mut s = lent(SuiteBuilder::new().liquidation_params(params));
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    // 600 USDC of ATOM and 700 of OSMO against 828 USDC (the borrow limit, below min_debt).
    s.open_position(&borrower, ATOM, 60_000_000, 0);
    s.open_position(&borrower, OSMO, 1_400_000_000, 828_000_000);
    s.feed_many(&[
        (ATOM.to_string(), dec("9.4")),
        (OSMO.to_string(), dec("0.47")),
    ]);
    let_go_stale(&mut s, ETH);
    s.deposit_collateral(&borrower, ETH, 1).unwrap();
    let h = hf(&s, &borrower);
    assert!(h < dec("1") && h > dec("0.98"), "{h}");
    let res = s.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(&s, &res, "mode"), "toxic_auction");
    assert_eq!(held(&s, &borrower, ETH), 1, "the unpriced unit stays");
    assert_eq!(held(&s, &borrower, ATOM) + held(&s, &borrower, OSMO), 0);
    assert!(
        s.account(&borrower).debt.u128() < 10_000,
        "only ueth's share stays"
    );
    assert_books(&s);
}

/// R4, found by the property harness after the fix: when the priced part of the account is
/// worth less than one debt share (here 1 uosmo, valued at 0), what blocks the account is its
/// stale collateral: the refusal says so (an oracle pause, cleared by the next price) rather
/// than "too small".
#[test]
fn an_account_whose_priced_part_is_worthless_waits_for_its_unpriced_collateral() {
    let mut s = lent(SuiteBuilder::new());
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    s.open_position(&borrower, ATOM, 1_000_000_000, 6_800_000_000);
    s.deposit_collateral(&borrower, OSMO, 1).unwrap();
    s.feed(ATOM, dec("8.5"));
    let_go_stale(&mut s, ATOM);
    assert!(hf(&s, &borrower) < dec("1"));
    assert_err(
        s.liquidate(&keeper, &borrower),
        "liquidation paused: the oracle price of uatom is stale",
    );
}

// ---------------------------------------------------------------------------------------------
// R5: one unit of auction room on the first candidate blocked the fallback to the others.

/// R5, the reviewers' attack: a running uosmo auction fills uosmo's cap; the attacker buys
/// 1 uosmo from it to leave a room of one unit. Every account whose first candidate is uosmo
/// was then refused as "too small" although uatom had room. It must fall back to uatom.
#[test]
fn one_unit_of_room_on_the_first_candidate_does_not_block_the_next() {
    let hole = 1_000_000_000u128;
    let mut s = lent(SuiteBuilder::new().auction_params(OSMO, auction_with_hole(hole)));
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    // Another account fills uosmo's cap.
    let other = s.addr("other");
    s.open_position(&other, OSMO, 20_000_000_000, 5_900_000_000);
    // The victim: uosmo (seized first) beside uatom.
    s.open_position(&borrower, OSMO, 4_000_000_000, 0);
    s.open_position(&borrower, ATOM, 1_000_000_000, 7_950_000_000);
    s.feed_many(&[
        (OSMO.to_string(), dec("0.42")),
        (ATOM.to_string(), dec("9.5")),
    ]);
    s.liquidate(&keeper, &other).unwrap();
    assert_eq!(s.room(OSMO).room.u128(), 0);
    let a = s.auctions().remove(0);
    let attacker = s.addr("attacker");
    s.fund(&attacker, &[coin(10, USDC)]);
    s.bid(&attacker, a.id, 1, a.price).unwrap();
    assert_eq!(s.room(OSMO).room.u128(), 1);
    assert!(hf(&s, &borrower) < dec("1"));

    let res = s.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(&s, &res, "mode"), "partial");
    assert_eq!(liq_attr(&s, &res, "denom"), ATOM);
    assert!(hf(&s, &borrower) > dec("1"));
}

/// R5, the full-mode variant: a dust account (debt below `min_debt`) whose only candidate able
/// to close it has no room for the close was refused with `NoRoom`, although the backstop could
/// take it. It must take the next way out, the whole-position path for dust, here the absorb.
#[test]
fn a_dust_close_without_room_falls_back_to_the_whole_position_path() {
    let params = protocol_dust();
    let mut s = lent(
        SuiteBuilder::new()
            .liquidation_params(params)
            .auction_params(OSMO, auction_with_hole(1_000_000))
            .backstop_deposit(10_000_000_000),
    );
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    // 1,000 USDC of OSMO and 200 of ATOM against 730 (below min_debt).
    s.open_position(&borrower, OSMO, 2_000_000_000, 0);
    s.open_position(&borrower, ATOM, 20_000_000, 730_000_000);
    s.feed(OSMO, dec("0.4"));
    let h = hf(&s, &borrower);
    assert!(h < dec("0.95") && h > dec("0.9"), "{h}");
    let res = s.liquidate(&keeper, &borrower).unwrap();
    // The backstop closes it: whole (the dust path) or, with issue 14's transfer before sale
    // (the default), by taking the one holding that covers the debt at its discount.
    let mode = liq_attr(&s, &res, "mode");
    assert!(
        ["absorb", "partial_absorb"].contains(&mode.as_str()),
        "{mode}"
    );
    assert!(s.account(&borrower).debt.is_zero());
    assert_books(&s);
}

// ---------------------------------------------------------------------------------------------
// R6: a visible shortfall was carried at face value while its auction ran.

/// R6. Two lenders supply equally. A toxic ETH account worth less than its debt goes to
/// auction with an empty backstop and no free reserves: the shortfall is visible at the start.
/// An informed lender withdraws everything while the auction runs. It must bear its share of
/// the visible shortfall; the other lender must not bear it alone.
#[test]
fn a_lender_leaving_during_a_toxic_auction_bears_its_share_of_the_visible_shortfall() {
    let mut s = lent(SuiteBuilder::new());
    let (borrower, keeper, lender) = (s.borrower.clone(), s.keeper.clone(), s.lender.clone());
    let informed = s.addr("informed");
    s.fund(&informed, &[coin(SUPPLY, USDC)]);
    s.supply(&informed, SUPPLY).unwrap();
    s.open_position(&borrower, ETH, 2_000_000, 4_800_000_000);
    let debt = s.account(&borrower).debt.u128();
    // HF 0.81: toxic (below f = 0.866), above the hard floor, worth 4.712·10^9 < the debt.
    s.feed(ETH, dec("2356"));
    let visible = debt - value(2_000_000, "2356");
    let res = s.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(&s, &res, "mode"), "toxic_auction");
    let id = s.auctions()[0].id;

    let paid = s.supplier(&informed).assets.u128();
    s.withdraw(&informed, None).unwrap();
    let informed_loss = SUPPLY - paid;
    assert!(
        informed_loss + 2 >= visible / 2,
        "the informed lender escaped: lost {informed_loss} of a visible {visible}"
    );

    // The auction ends at its floor; the rest of the loss lands on the remaining lender.
    s.advance_time_feeding(720);
    let a = s.auction(id);
    assert!(a.at_floor);
    s.bid(&keeper, id, a.lot.u128(), a.price).unwrap();
    assert!(s.auctions().is_empty());
    let st = s.market_state();
    assert_eq!(st.debt_in_auction.u128(), 0);
    let total_loss = st.bad_debt_socialized.u128();
    let lender_loss = SUPPLY - s.supplier(&lender).assets.u128();
    assert!(
        lender_loss + informed_loss >= total_loss,
        "every unit is borne"
    );
    assert!(
        lender_loss + informed_loss <= total_loss + 4,
        "and only once"
    );
    assert_books(&s);
}

/// R6, the true-up: the provision is returned when the auction recovers more than its lot's
/// value at the start, to whoever paid it (the suppliers through the index, the backstop
/// through `backstop_due`), and the bad-debt counters count realized losses only.
#[test]
fn a_provision_is_returned_to_whoever_paid_it_when_the_auction_recovers() {
    let mut s = lent(SuiteBuilder::new().backstop_deposit(50_000_000));
    let (borrower, keeper, lender) = (s.borrower.clone(), s.keeper.clone(), s.lender.clone());
    s.open_position(&borrower, ETH, 2_000_000, 4_800_000_000);
    let debt = s.account(&borrower).debt.u128();
    s.feed(ETH, dec("2356"));
    let visible = debt - value(2_000_000, "2356");
    s.liquidate(&keeper, &borrower).unwrap();
    let st = s.market_state();
    assert_eq!(st.provision.u128(), visible);
    assert_eq!(st.bad_debt_covered_by_backstop.u128(), 50_000_000);
    assert_eq!(st.bad_debt_socialized.u128(), visible - 50_000_000);
    assert!(s.supplier(&lender).assets.u128() < SUPPLY);
    assert_books(&s);

    // A bidder pays the top price at once: the tab is covered, nothing was lost.
    let a = s.auctions().remove(0);
    s.bid(&keeper, a.id, a.lot.u128(), a.price).unwrap();
    assert!(s.auctions().is_empty());
    let st = s.market_state();
    assert_eq!(st.provision.u128(), 0);
    assert_eq!(st.bad_debt_socialized.u128(), 0);
    assert_eq!(st.bad_debt_covered_by_backstop.u128(), 0);
    assert_eq!(
        st.backstop_due.u128(),
        50_000_000,
        "owed back to the backstop"
    );
    let assets = s.supplier(&lender).assets.u128();
    assert!(assets <= SUPPLY && assets + 2 >= SUPPLY, "{assets}");
    assert_books(&s);
}

/// R16 (found by the extended property harness): when a toxic auction recovers more than its
/// lot's value at the start, the part of the provision the backstop paid comes back to the pool
/// (`backstop_due`, which the pool counts in its value). It reached the share price at once, so
/// a depositor joining just before the settling bid captured most of it. It must reach the
/// price gradually, like every other gain of the pool.
#[test]
fn a_deposit_just_before_a_provision_returns_captures_none_of_it() {
    let mut s = lent(SuiteBuilder::new().backstop_deposit(50_000_000));
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    s.open_position(&borrower, ETH, 2_000_000, 4_800_000_000);
    s.feed(ETH, dec("2356"));
    s.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(
        s.market_state().bad_debt_covered_by_backstop.u128(),
        50_000_000
    );

    // The pool paid all it had; a depositor enters at the drawn-down price.
    let jit = s.addr("jit");
    s.fund(&jit, &[coin(50_000_000, USDC)]);
    s.backstop_deposit(&jit, 50_000_000).unwrap();
    let entered = s.backstop_depositor(&jit).value.u128();
    let pool_before = s.backstop_pool().total_value.u128();

    // A bidder pays the top price: the provision returns to the pool.
    let a = s.auctions().remove(0);
    s.bid(&keeper, a.id, a.lot.u128(), a.price).unwrap();
    assert_eq!(s.market_state().backstop_due.u128(), 50_000_000);
    let pool_after = s.backstop_pool().total_value.u128();
    assert_eq!(pool_after, pool_before + 50_000_000, "the pool is owed it");
    let now = s.backstop_depositor(&jit).value.u128();
    assert!(
        now <= entered + 2,
        "the depositor captured {} of the returned 50000000",
        now - entered
    );
    assert!(
        s.backstop_pool().locked_shares.u128() > 0,
        "the gain is locked"
    );
    assert_books(&s);
}

// ---------------------------------------------------------------------------------------------
// R7: smaller items.

/// R7a. The whole-position path checked each auction against its own denom's room only, then
/// failed with the liquidator's error when the global cap could not fit them all. The market
/// now sizes the auctions to the caps itself: a toxic position above the hard floor that does
/// not fit goes in parts (Maker's partial bark), the same fraction of every holding and of the
/// debt, each part within the rooms; with no room left it is throttled by the market's error.
/// (Refusing the whole position instead, the first fix, left a position larger than the caps
/// stuck between the toxic frontier and the hard floor: found by the property harness's drain.)
#[test]
fn a_whole_position_that_does_not_fit_the_global_cap_auctions_the_part_that_fits() {
    let mut s = lent(
        SuiteBuilder::new()
            .liquidation_params(with_hard_floor("0.5"))
            .auction_params(ATOM, auction_with_hole(10_000_000_000))
            .auction_params(ETH, auction_with_hole(10_000_000_000))
            .global_hole(5_000_000_000),
    );
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    s.open_position(&borrower, ATOM, 500_000_000, 0);
    s.open_position(&borrower, ETH, 1_000_000, 5_800_000_000);
    // −20%, held for the TWAP window, then −12.5% more: HF 0.72, toxic, above the 0.5 floor.
    s.feed_many(&[(ATOM.to_string(), dec("8")), (ETH.to_string(), dec("2400"))]);
    s.advance_time_feeding(1_900);
    s.feed_many(&[(ATOM.to_string(), dec("7")), (ETH.to_string(), dec("2100"))]);
    let h = hf(&s, &borrower);
    assert!(h < dec("0.735") && h > dec("0.5"), "{h}");
    let before = s.account(&borrower);
    let res = s.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(&s, &res, "mode"), "toxic_auction");
    assert_eq!(liq_attr(&s, &res, "part"), "true");
    let tab: u128 = liq_attr(&s, &res, "tab").parse().unwrap();
    assert!(tab > 4_900_000_000 && tab <= 5_000_000_000, "{tab}");
    let tabs: u128 = s.auctions().iter().map(|a| a.tab.u128()).sum();
    assert_eq!(
        tabs, tab,
        "the part's auctions carry its tab, within the global cap"
    );
    // The same fraction of each holding and of the debt; the account keeps the rest.
    let after = s.account(&borrower);
    assert!(after.debt.u128() >= before.debt.u128() - tab);
    for c in &before.collaterals {
        let left = after
            .collaterals
            .iter()
            .find(|x| x.denom == c.denom)
            .map_or(0, |x| x.amount.u128());
        let share = (c.amount.u128() - left) as f64 / c.amount.u128() as f64;
        let part = tab as f64 / before.debt.u128() as f64;
        assert!(
            (share - part).abs() < 0.001,
            "{}: {share} vs {part}",
            c.denom
        );
    }
    // The caps are used up: the rest waits for room, refused by the market.
    assert_err(
        s.liquidate(&keeper, &borrower),
        "liquidation throttled: no auction room",
    );
    assert_books(&s);
}

/// R7b. `TripBreaker` was global and sticky: a halt on one denom paused above-floor
/// liquidations of every collateral until the owner acted. A trip on uatom must leave an
/// account holding only ueth liquidatable, and set no market-wide level.
#[test]
fn tripping_the_breaker_on_one_denom_does_not_pause_the_others() {
    let mut s = lent(SuiteBuilder::new());
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    s.open_position(&borrower, ETH, 2_000_000, 4_800_000_000);
    s.advance_time(10);
    s.feed(ATOM, dec("20"));
    let trip = ExecuteMsg::TripBreaker {
        denom: ATOM.to_string(),
    };
    let anyone = stranger(&s);
    s.market_execute(&anyone, &trip, &[]).unwrap();
    assert_eq!(s.market_state().breaker_level, 0, "no market-wide pause");
    s.feed(ETH, dec("2850"));
    assert!(hf(&s, &borrower) < dec("1"));
    let res = s.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(&s, &res, "mode"), "partial");
}

/// R7c. `keeper_tip` was not validated: with a tip above what the smallest rewarded
/// liquidation puts at stake (`min_debt × penalty`), dust self-liquidations farm free reserves.
/// The owner cannot set such a tip, nor list or update a collateral into that state.
#[test]
fn a_keeper_tip_above_min_debt_times_the_penalty_is_refused() {
    let mut s = lent(SuiteBuilder::new());
    let owner = s.owner.clone();
    // min_debt 10^6, smallest penalty 5%: the tip may be at most 5·10^4.
    let set = |tip: u128| {
        ExecuteMsg::SetLiquidation(LiquidationConfig {
            liquidator: s.liquidator.to_string(),
            backstop: s.backstop.to_string(),
            guardian: None,
            params: LiquidationParams {
                keeper_tip: Uint128::new(tip),
                ..default_params()
            },
        })
    };
    let (ok, too_much) = (set(50_000), set(50_001));
    assert_err(s.market_execute(&owner, &too_much, &[]), "keeper_tip");
    s.market_execute(&owner, &ok, &[]).unwrap();
    // A penalty that would put less at stake than the tip is refused too.
    let lower = ExecuteMsg::UpdateCollateral {
        denom: ATOM.to_string(),
        update: CollateralUpdate {
            liquidation_penalty: Some(dec("0.04")),
            ..CollateralUpdate::default()
        },
    };
    assert_err(s.market_execute(&owner, &lower, &[]), "keeper_tip");
    let list = ExecuteMsg::AddCollateral(CollateralParams {
        denom: "ufoo".to_string(),
        max_ltv: dec("0.5"),
        liquidation_threshold: dec("0.6"),
        liquidation_penalty: dec("0.01"),
        supply_cap: Uint128::new(1_000_000),
        depth: Uint128::new(1_000_000),
        dynamic_bonus: None,
    });
    assert_err(s.market_execute(&owner, &list, &[]), "keeper_tip");
}

/// R7d. A collateral listed on the market but without an oracle record (or without auction
/// parameters at the liquidator) was depositable by anyone on behalf of any account, which then
/// blocked `Liquidate` and every `Accounts` page holding it. It must not be depositable.
#[test]
fn a_collateral_without_a_price_or_an_auction_config_is_not_depositable() {
    let mut s = lent(SuiteBuilder::new());
    let (owner, borrower, keeper) = (s.owner.clone(), s.borrower.clone(), s.keeper.clone());
    s.open_position(&borrower, ATOM, 1_000_000_000, 6_500_000_000);
    let list = ExecuteMsg::AddCollateral(CollateralParams {
        denom: "ufoo".to_string(),
        max_ltv: dec("0.5"),
        liquidation_threshold: dec("0.6"),
        liquidation_penalty: dec("0.05"),
        supply_cap: Uint128::new(1_000_000),
        depth: Uint128::new(1_000_000),
        dynamic_bonus: None,
    });
    s.market_execute(&owner, &list, &[]).unwrap();
    let attacker = s.addr("attacker");
    s.fund(&attacker, &[coin(10, "ufoo")]);
    let deposit = ExecuteMsg::DepositCollateral {
        on_behalf_of: Some(borrower.to_string()),
    };
    assert_err(
        s.market_execute(&attacker, &deposit, &[coin(1, "ufoo")]),
        "ufoo cannot be deposited",
    );
    // Priced by the oracle, but still unknown to the liquidator: refused as well.
    let add = oracle::ExecuteMsg::AddAsset(AssetInit {
        denom: "ufoo".to_string(),
        params: OracleParams {
            min_feeders: 2,
            ..OracleParams::default()
        },
        feeders: s.feeders.iter().map(|f| f.to_string()).collect(),
    });
    s.oracle_execute(&owner, &add, &[]).unwrap();
    s.feed("ufoo", dec("1"));
    assert_err(
        s.market_execute(&attacker, &deposit, &[coin(1, "ufoo")]),
        "ufoo cannot be deposited",
    );
    // The account and the pages stay readable, and the account stays liquidatable.
    let page: AccountsResponse = s
        .market_query(&QueryMsg::Accounts {
            start_after: None,
            limit: None,
        })
        .unwrap();
    assert!(!page.accounts.is_empty());
    s.feed(ATOM, dec("8.5"));
    s.liquidate(&keeper, &borrower).unwrap();
}

/// The price helper for the R3 tests must see a TWAP the oracle reports: sanity check that a
/// halted status keeps the TWAP of before the jump.
#[test]
fn a_halted_price_keeps_the_twap_of_before_the_jump() {
    let mut s = lent(SuiteBuilder::new());
    s.advance_time_feeding(30);
    s.advance_time(5);
    s.feed(ATOM, dec("7.3"));
    let p = s.oracle_price(ATOM).unwrap();
    assert!(matches!(p.status, OracleStatus::Halted { .. }));
    assert_eq!(p.median, dec("7.3"));
    assert!(p.twap > dec("9.9"), "{p:?}");
}
