use super::*;

#[test]
fn a_reset_is_refused_until_the_auction_is_stale() {
    let (mut s, id) = liquidated(SuiteBuilder::new());
    let keeper = s.keeper.clone();
    let err = s.reset_auction(&keeper, id).unwrap_err();
    assert!(err.to_string().contains("does not need a reset"), "{err}");
}

#[test]
fn a_stale_auction_restarts_from_a_fresh_price_and_rewards_the_keeper() {
    let (mut s, id) = liquidated(SuiteBuilder::new());
    let keeper = s.keeper.clone();
    // Below cusp (0.5 · top) after 23 steps of 3%: 0.97^23 ≈ 0.496.
    s.advance_time_feeding(23 * 60);
    assert!(s.auction(id).needs_reset);
    s.feed("uatom", dec("9"));
    let res = s.reset_auction(&keeper, id).unwrap();
    assert_eq!(attr(&res, "rewarded").as_deref(), Some("true"));
    let a = s.auction(id);
    assert_eq!(a.top, dec("9.9"));
    assert_eq!(a.price, dec("9.9"));
    assert_eq!(a.started_at, s.now());
    assert!(!a.needs_reset);
}

#[test]
fn an_auction_older_than_tail_may_be_reset() {
    let (mut s, id) = liquidated(SuiteBuilder::new());
    let keeper = s.keeper.clone();
    let a = s.auction(id);
    // Keep the curve above cusp by bidding nothing; only time passes beyond the 3,600 s tail.
    s.advance_time_feeding(3_601);
    assert!(s.auction(id).needs_reset);
    s.reset_auction(&keeper, id).unwrap();
    assert_eq!(s.auction(id).lot, a.lot);
}

#[test]
fn a_reset_needs_an_active_oracle_price() {
    let (mut s, id) = liquidated(SuiteBuilder::new());
    let keeper = s.keeper.clone();
    // Let prices go stale: no feeding past max_age and the tail.
    s.advance_time(3_700);
    let err = s.reset_auction(&keeper, id).unwrap_err();
    assert!(err.to_string().contains("stale"), "{err}");
}
