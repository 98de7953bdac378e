//! Attacks on `Reset` and its keeper reward found by the independent review of 2026-12:
//! farming rewards on a lot reduced to dust, and on auctions nobody may bid on.
use super::*;
use breakwater_types::market::ExecuteMsg as MarketMsg;

/// Advances until auction `id` needs a reset (its curve below `cusp · top`), feeding prices.
fn until_stale(s: &mut Suite, id: u64) {
    while !s.auction(id).needs_reset {
        s.advance_time_feeding(60);
    }
}

/// [`liquidated`] with free reserves to pay keepers from: a whale borrowed half the market's
/// supply for 30 days before ATOM fell to 8.5 and the borrower was liquidated.
fn liquidated_with_reserves() -> (Suite, u64) {
    let mut s = lent(SuiteBuilder::new().backstop_deposit(10_000_000_000));
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    let whale = s.addr("whale");
    s.open_position(&whale, ATOM, 100_000_000_000, SUPPLY / 2);
    s.open_position(&borrower, ATOM, COLLATERAL, DEBT);
    age(&mut s, 30 * 86_400);
    s.feed(ATOM, dec("8.5"));
    let res = s.liquidate(&keeper, &borrower).unwrap();
    let st = s.market_state();
    assert!(st.reserves > st.backstop_due + Uint128::new(10_000_000));
    (s, attr(&res, "auction_id").unwrap().parse().unwrap())
}

/// The keeper reward the market paid in `res` (zero when none).
fn reward(s: &Suite, res: &AppResponse) -> u128 {
    attr_of(res, &s.market, "reward_keeper", "keeper_reward")
        .map(|r| r.parse().unwrap())
        .unwrap_or(0)
}

/// Threat (review item 10): a bidder buys all but one unit of a lot, below the tab, and
/// leaves the auction with a 1-uatom lot and 408.5 USDC of tab. Nobody will bid on it, the tab
/// keeps occupying the caps, and every time its curve falls below `cusp · top` the bidder
/// resets it and collects `tip + chip · tab` from the reserves (the review counted 1.63 USDC
/// over 4 resets; 0.42 USDC a reset here on the code before the fix).
///
/// Why it holds: a reset restarts the sale of the lot, so it is rewarded on what it puts back
/// on sale, `min(tab, lot · oracle)` (Maker's `redo` asks `lot · price >= chost` too), and a
/// lot worth less than the collateral's `dust` is not restarted at all: the reset closes the
/// auction, hands the leftover units to the backstop and books the tab as a shortfall, which
/// frees the caps. It earns nothing.
#[test]
fn a_dust_lot_earns_no_reset_reward_and_its_reset_closes_the_auction() {
    let (mut s, id) = liquidated_with_reserves();
    let (keeper, backstop) = (s.keeper.clone(), s.backstop.clone());
    // Ten 3% steps below the 9.35 top: 6.905 per ATOM. Buy all but one unit.
    s.advance_time_feeding(600);
    let a = s.auction(id);
    s.bid(&keeper, id, a.lot.u128() - 1, a.price).unwrap();
    let a = s.auction(id);
    assert_eq!(a.lot.u128(), 1);
    assert!(
        a.tab.u128() > 400_000_000,
        "over 400 USDC of tab: {}",
        a.tab
    );
    until_stale(&mut s, id);

    let before = supplies(&s);
    let st = s.market_state();
    let atom0 = s.balance(&backstop, ATOM);
    let res = s.reset_auction(&keeper, id).unwrap();
    assert_eq!(reward(&s, &res), 0);
    assert_eq!(attr(&res, "rewarded").as_deref(), Some("false"));
    assert_eq!(attr(&res, "closed").as_deref(), Some("true"));
    // Closed: the caps are free, the unit went to the backstop, the tab was booked as bad
    // debt (covered by the backstop here).
    assert!(s.auctions().is_empty());
    assert_eq!(s.room(ATOM).dirt, Uint128::zero());
    assert_eq!(s.balance(&backstop, ATOM), atom0 + 1);
    let after = s.market_state();
    assert_eq!(after.debt_in_auction + a.tab, st.debt_in_auction);
    assert_eq!(
        after.bad_debt_covered_by_backstop,
        st.bad_debt_covered_by_backstop + a.tab
    );
    assert_eq!(after.reserves, st.reserves);
    assert_conserved(&s, &before);
    assert_books(&s);
}

/// A reset is rewarded on what it puts back on sale: with 10 ATOM (85 USDC) left against a
/// tab of about 490 USDC, the chip is taken on 85 USDC, not on the tab (0.49 USDC a reset
/// before the fix, 0.085 now).
#[test]
fn a_reset_reward_is_taken_on_the_value_it_puts_back_on_sale() {
    let (mut s, id) = liquidated_with_reserves();
    let keeper = s.keeper.clone();
    s.advance_time_feeding(600);
    let a = s.auction(id);
    s.bid(&keeper, id, a.lot.u128() - 10_000_000, a.price)
        .unwrap();
    until_stale(&mut s, id);
    let a = s.auction(id);
    let lot_value = a.lot.mul_floor(s.oracle_price(ATOM).unwrap().median);
    assert!(a.tab > lot_value);
    let res = s.reset_auction(&keeper, id).unwrap();
    assert_eq!(attr(&res, "rewarded").as_deref(), Some("true"));
    let chip = default_liquidation_params().keeper_chip;
    assert_eq!(reward(&s, &res), lot_value.mul_floor(chip).u128());
    assert_eq!(s.auction(id).lot, a.lot, "restarted, not closed");
}

/// Threat (review item 11): at breaker level 3 no bid can land, yet every auction went stale
/// each cusp period and each reset paid a keeper from free reserves (the review counted 7.66
/// USDC over 3 resets; 2.84 USDC a reset here on the code before the fix) for restarting a
/// price nobody may bid on.
///
/// Why it holds: `Reset` reads the market's breaker level like `Bid` does and is refused while
/// bids are halted; once the level drops, a stale auction resets (and is rewarded) as usual.
#[test]
fn resets_are_refused_while_bids_are_halted() {
    let (mut s, id) = liquidated_with_reserves();
    let (owner, keeper) = (s.owner.clone(), s.keeper.clone());
    let halt = |level| MarketMsg::SetBreakerLevel { level };
    s.market_execute(&owner, &halt(3), &[]).unwrap();
    until_stale(&mut s, id);
    let (a, st) = (s.auction(id), s.market_state());
    let base = s.balance(&keeper, USDC);
    assert_err(s.reset_auction(&keeper, id), "bids are halted");
    assert_eq!(s.auction(id), a);
    assert_eq!(s.market_state().reserves, st.reserves);
    assert_eq!(s.balance(&keeper, USDC), base);
    s.market_execute(&owner, &halt(2), &[]).unwrap();
    let res = s.reset_auction(&keeper, id).unwrap();
    assert!(reward(&s, &res) > 0);
}
