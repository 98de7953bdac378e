use super::*;
use breakwater_types::liquidator::{AuctionParams, AuctionsResponse, QueryMsg};

#[test]
fn an_auction_starts_at_oracle_times_buf_and_steps_down_its_curve() {
    let (mut s, id) = liquidated(SuiteBuilder::new());
    let a = s.auction(id);
    assert_eq!(a.top, dec("9.35"));
    assert_eq!(a.price, dec("9.35"));
    assert_eq!(a.floor, dec("6.8"));
    assert!(!a.at_floor && !a.needs_reset);
    s.advance_time_feeding(60);
    assert_eq!(s.auction(id).price, dec("9.0695"));
}

#[test]
fn a_bid_buys_at_the_curve_price_and_refunds_the_excess() {
    let (mut s, id) = liquidated(SuiteBuilder::new());
    let before = supplies(&s);
    let keeper = s.keeper.clone();
    let (base0, atom0) = (s.balance(&keeper, "uusdc"), s.balance(&keeper, "uatom"));
    let dia0 = s.market_state().debt_in_auction.u128();
    // Attach twice what the slice costs.
    s.bid_with_funds(&keeper, id, 100_000_000, dec("9.35"), 2_000_000_000)
        .unwrap();
    assert_eq!(s.balance(&keeper, "uusdc"), base0 - 935_000_000);
    assert_eq!(s.balance(&keeper, "uatom"), atom0 + 100_000_000);
    assert_eq!(s.market_state().debt_in_auction.u128(), dia0 - 935_000_000);
    assert_eq!(s.auction(id).raised.u128(), 935_000_000);
    assert_eq!(supplies(&s), before);
}

#[test]
fn a_bid_above_max_price_is_refused() {
    let (mut s, id) = liquidated(SuiteBuilder::new());
    let keeper = s.keeper.clone();
    let lot = s.auction(id).lot;
    let err = s.bid(&keeper, id, 1_000_000, dec("9.34")).unwrap_err();
    assert!(err.to_string().contains("above max_price"), "{err}");
    assert_eq!(s.auction(id).lot, lot);
}

#[test]
fn auction_never_sells_below_floor() {
    let (mut s, id) = liquidated(SuiteBuilder::new());
    s.advance_time_feeding(3_000);
    let a = s.auction(id);
    assert!(a.at_floor);
    assert_eq!(a.price, a.floor);
    assert_eq!(a.floor, dec("6.8"));
    let keeper = s.keeper.clone();
    let err = s.bid(&keeper, id, 1_000_000, dec("6.79")).unwrap_err();
    assert!(err.to_string().contains("above max_price"), "{err}");
    let base0 = s.balance(&keeper, "uusdc");
    s.bid(&keeper, id, 1_000_000, dec("6.8")).unwrap();
    assert_eq!(s.balance(&keeper, "uusdc"), base0 - 6_800_000);
}

#[test]
fn a_covered_tab_returns_the_leftover_lot_to_the_borrower() {
    let (mut s, id) = liquidated(SuiteBuilder::new());
    let before = supplies(&s);
    let (keeper, borrower) = (s.keeper.clone(), s.borrower.clone());
    let a = s.auction(id);
    let held = s.account(&borrower).collaterals[0].amount.u128();
    let res = s.bid(&keeper, id, a.lot.u128(), a.price).unwrap();
    assert_eq!(attr(&res, "closed").as_deref(), Some("true"));
    let bought = s.balance(&keeper, "uatom") - breakwater_testing::USER_FUNDS;
    let returned = a.lot.u128() - bought;
    assert!(
        returned > 0,
        "the tab is worth less than the lot at the top price"
    );
    assert_eq!(
        s.account(&borrower).collaterals[0].amount.u128(),
        held + returned
    );
    assert_eq!(s.market_state().debt_in_auction.u128(), 0);
    assert!(s.auctions().is_empty());
    assert_eq!(supplies(&s), before);
}

#[test]
fn a_partial_bid_may_not_leave_a_dust_tab() {
    let (mut s, id) = liquidated(SuiteBuilder::new());
    let keeper = s.keeper.clone();
    let a = s.auction(id);
    // Buy all but ~0.5 base units' worth: the 1-unit (10^6) dust rule refuses it.
    let slice = (a.tab.u128() - 500_000) * 100 / 935;
    let err = s.bid(&keeper, id, slice, a.price).unwrap_err();
    assert!(err.to_string().contains("dust tab"), "{err}");
    assert_eq!(s.auction(id).tab, a.tab);
}

#[test]
fn zero_bids_are_refused_and_one_unit_bids_pay_at_least_one_unit() {
    let (mut s, id) = liquidated(SuiteBuilder::new());
    let keeper = s.keeper.clone();
    let err = s.bid(&keeper, id, 0, dec("9.35")).unwrap_err();
    assert!(err.to_string().contains("must be positive"), "{err}");
    let base0 = s.balance(&keeper, "uusdc");
    s.bid(&keeper, id, 1, dec("9.35")).unwrap();
    // 1 unit at 9.35 costs ceil(9.35) = 10: rounding favours the seller.
    assert_eq!(s.balance(&keeper, "uusdc"), base0 - 10);
}

#[test]
fn underpaying_a_bid_is_refused() {
    let (mut s, id) = liquidated(SuiteBuilder::new());
    let keeper = s.keeper.clone();
    let err = s
        .bid_with_funds(&keeper, id, 1_000_000, dec("9.35"), 9_000_000)
        .unwrap_err();
    assert!(err.to_string().contains("insufficient payment"), "{err}");
}

#[test]
fn the_backstop_takes_the_lot_at_the_floor_and_not_before() {
    let builder = SuiteBuilder::new().backstop_deposit(10_000_000_000);
    let (mut s, id) = liquidated(builder);
    let before = supplies(&s);
    let keeper = s.keeper.clone();
    let err = s.buy_at_floor(&keeper, id).unwrap_err();
    assert!(err.to_string().contains("floor"), "{err}");
    s.advance_time_feeding(3_000);
    let a = s.auction(id);
    let pool0 = s.backstop_pool();
    s.buy_at_floor(&keeper, id).unwrap();
    let pool1 = s.backstop_pool();
    let bought = pool1
        .collateral
        .iter()
        .find(|c| c.denom == "uatom")
        .map(|c| c.amount.u128())
        .unwrap_or(0);
    assert!(bought > 0);
    let paid = pool0.base.u128() - pool1.base.u128();
    // Paid the floor price (rounded up) for what it got, capped by the tab.
    assert!(paid <= a.tab.u128());
    assert!(paid as f64 >= bought as f64 * 6.8 - 1.0);
    assert_eq!(supplies(&s), before);
}

#[test]
fn the_auctions_query_filters_by_collateral() {
    let (s, id) = liquidated(SuiteBuilder::new());
    let atom: AuctionsResponse = s
        .liquidator_query(&QueryMsg::Auctions {
            denom: Some("uatom".into()),
            start_after: None,
            limit: None,
        })
        .unwrap();
    assert_eq!(atom.auctions.len(), 1);
    assert_eq!(atom.auctions[0].id, id);
    let eth: AuctionsResponse = s
        .liquidator_query(&QueryMsg::Auctions {
            denom: Some("ueth".into()),
            start_after: None,
            limit: None,
        })
        .unwrap();
    assert!(eth.auctions.is_empty());
}

#[test]
fn room_shrinks_by_the_debt_under_auction() {
    let (s, id) = liquidated(SuiteBuilder::new());
    let tab = s.auction(id).tab;
    let r = s.room("uatom");
    // depth 10^10 per 1% × a 3% budget.
    assert_eq!(r.hole.u128(), 30_000_000_000);
    assert_eq!(r.dirt, tab);
    assert_eq!(r.room.u128(), 30_000_000_000 - tab.u128());
    assert_eq!(s.room("ueth").room.u128(), 30_000_000_000);
    assert_eq!(r.global_dirt, tab);
}

#[test]
fn bids_stop_at_breaker_level_three() {
    use breakwater_types::market::ExecuteMsg;
    let (mut s, id) = liquidated(SuiteBuilder::new());
    let (owner, keeper) = (s.owner.clone(), s.keeper.clone());
    s.market_execute(&owner, &ExecuteMsg::SetBreakerLevel { level: 3 }, &[])
        .unwrap();
    let err = s.bid(&keeper, id, 1_000_000, dec("9.35")).unwrap_err();
    assert!(err.to_string().contains("bids are halted"), "{err}");
    s.market_execute(&owner, &ExecuteMsg::SetBreakerLevel { level: 0 }, &[])
        .unwrap();
    s.bid(&keeper, id, 1_000_000, dec("9.35")).unwrap();
}

/// Feeds ATOM at each of `prices`, one curve step (60 s) apart.
fn falling(s: &mut Suite, prices: &[&str]) {
    for p in prices {
        s.advance_time_feeding(60);
        s.feed("uatom", dec(p));
    }
}

/// ATOM 2% lower every minute for eleven minutes (8.5 to 6.81).
const TWO_PCT_A_MINUTE: [&str; 11] = [
    "8.33", "8.16", "8.0", "7.84", "7.68", "7.53", "7.38", "7.23", "7.09", "6.95", "6.81",
];

/// The Suite's auction parameters with the curve following the oracle.
fn following() -> SuiteBuilder {
    SuiteBuilder::new().auction_params(
        "uatom",
        AuctionParams {
            follow_oracle: true,
            ..breakwater_testing::default_auction_params()
        },
    )
}

#[test]
fn an_auction_follows_a_falling_oracle_down_to_its_bidders() {
    let (mut s, id) = liquidated(following());
    // 4% a minute, faster than the curve's 3% steps.
    falling(&mut s, &["8.16", "7.83", "7.52", "7.22", "6.93"]);
    let a = s.auction(id);
    assert_eq!(a.top, dec("9.35"), "the start price is kept");
    // From the oracle now: 6.93 · 1.1 · 0.97^5, under the market.
    assert_eq!(a.price, dec("6.5461294779111"));
    let keeper = s.keeper.clone();
    let base0 = s.balance(&keeper, "uusdc");
    s.bid(&keeper, id, 1_000_000, dec("6.93")).unwrap();
    assert_eq!(
        s.balance(&keeper, "uusdc"),
        base0 - 6_546_130,
        "paid rounded up"
    );
}

#[test]
fn an_auction_anchored_at_its_start_stays_above_a_faster_fall() {
    // The Suite's default: Maker's curve from the start price.
    let (mut s, id) = liquidated(SuiteBuilder::new());
    falling(&mut s, &["8.16", "7.83", "7.52", "7.22", "6.93"]);
    let a = s.auction(id);
    // 9.35 · 0.97^5: above the market, no keeper buys.
    assert_eq!(a.price, dec("8.029163140295"));
    let keeper = s.keeper.clone();
    let err = s.bid(&keeper, id, 1_000_000, dec("6.93")).unwrap_err();
    assert!(err.to_string().contains("above max_price"), "{err}");
}

#[test]
fn a_following_auction_reaches_its_floor_on_time_while_the_price_falls() {
    let (mut s, id) = liquidated(following());
    falling(&mut s, &TWO_PCT_A_MINUTE[..10]);
    assert!(!s.auction(id).at_floor, "1.1 · 0.97^10 = 0.811 > 0.8");
    falling(&mut s, &TWO_PCT_A_MINUTE[10..]);
    let a = s.auction(id);
    // 1.1 · 0.97^11 = 0.787 of the oracle: the floor, 0.8 · 6.81, where the backstop may buy.
    assert!(a.at_floor, "{a:?}");
    assert_eq!(a.price, dec("5.448"));

    // Anchored at the start, the same fall leaves the curve above the floor.
    // The Suite's default: Maker's curve from the start price.
    let (mut s, id) = liquidated(SuiteBuilder::new());
    falling(&mut s, &TWO_PCT_A_MINUTE);
    let a = s.auction(id);
    assert!(!a.at_floor && a.price > dec("6.6"), "{a:?}");
}

#[test]
fn a_following_auction_asks_more_when_the_price_recovers() {
    let (mut s, id) = liquidated(following());
    falling(&mut s, &["7.5", "9.0"]);
    // 9.0 · 1.1 · 0.97^2, above the start's curve 9.35 · 0.97^2 = 8.797415.
    assert_eq!(s.auction(id).price, dec("9.31491"));
    let keeper = s.keeper.clone();
    let err = s.bid(&keeper, id, 1_000_000, dec("8.8")).unwrap_err();
    assert!(err.to_string().contains("above max_price"), "{err}");
}

#[test]
fn a_following_auction_does_not_chase_a_halted_wick() {
    let (mut s, id) = liquidated(following());
    // −34% in one print: the oracle halts ATOM; its TWAP is still near 10.
    s.advance_time(5);
    s.feed("uatom", dec("5.6"));
    let o = s.oracle_price("uatom").unwrap();
    assert!(!o.status.is_active(), "{:?}", o.status);
    let a = s.auction(id);
    // From the higher of median and TWAP, as a forced start on a halted price: not 5.6 · 1.1.
    assert!(a.price >= o.twap && a.price > dec("9"), "{a:?} {o:?}");
    assert_eq!(a.floor, dec("4.48"), "the floor follows the median");
}
