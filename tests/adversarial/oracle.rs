//! Attacks through prices: lying and colluding feeders, stale feeds, one-print wicks and the
//! circuit breaker.
use super::*;
use breakwater_types::market::ExecuteMsg as MarketMsg;
use breakwater_types::oracle::{ExcludedFeeder, OracleParams, OracleStatus};

fn status(s: &Suite, denom: &str) -> OracleStatus {
    s.oracle_price(denom).unwrap().status
}

/// `who` sends `TripBreaker { denom: uatom }`.
fn trip(s: &mut Suite, who: &Addr) -> Result<AppResponse, String> {
    let msg = MarketMsg::TripBreaker {
        denom: ATOM.to_string(),
    };
    s.market_execute(who, &msg, &[]).map_err(|e| e.to_string())
}

/// Threat: one feeder (a stolen key, a broken venue) submits a false price, low to make healthy
/// accounts liquidatable or high to borrow against inflated collateral.
///
/// Why it holds: the oracle takes the median of all fresh submissions, drops those more than
/// `max_deviation` (15%) from it, and needs a quorum of the rest. One liar among three feeders
/// never becomes the median: a gross lie is excluded (and reported in `feeders_excluded`), a
/// subtle one is kept but sits at the edge of an odd-sized median. Accounts, borrow limits and
/// liquidations see the honest price.
#[test]
fn one_lying_feeder_is_excluded_and_moves_no_price() {
    let mut s = lent(SuiteBuilder::new());
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    s.open_position(&borrower, ATOM, COLLATERAL, 6_000_000_000);
    s.advance_time(5);
    let liar = s.feeders[2].clone();
    let limit = s.account(&borrower).borrow_limit;

    // Down 50%: excluded, reported, ignored.
    let res = s.submit_prices(&liar, &[(ATOM, dec("5"))]).unwrap();
    let p = s.oracle_price(ATOM).unwrap();
    assert_eq!(p.median, dec("10"));
    assert_eq!(p.status, OracleStatus::Active {});
    assert_eq!(
        p.feeders_excluded,
        vec![ExcludedFeeder {
            feeder: liar.to_string(),
            price: dec("5"),
        }]
    );
    assert_eq!(p.feeders_used.len(), 2);
    assert!(!p.feeders_used.contains(&liar.to_string()));
    let event = res
        .events
        .iter()
        .find(|e| e.ty == "wasm-oracle_price")
        .unwrap();
    assert!(event
        .attributes
        .iter()
        .any(|a| a.key == "feeders_excluded" && a.value == "1"));
    assert_err(s.liquidate(&keeper, &borrower), "account is healthy");

    // Up 12%, within max_deviation: kept, but the median of three stays honest.
    s.advance_time(5);
    s.submit_prices(&liar, &[(ATOM, dec("11.2"))]).unwrap();
    let p = s.oracle_price(ATOM).unwrap();
    assert_eq!(p.median, dec("10"));
    assert!(p.feeders_excluded.is_empty());
    assert_eq!(s.account(&borrower).borrow_limit, limit);
    let room = limit.u128() - s.account(&borrower).debt.u128();
    assert_err(s.borrow(&borrower, room + 1), "borrow limit exceeded");
}

/// Threat: feeders collude, but fewer than the quorum: two of four (quorum three) push ATOM
/// from 10 down to 5 to trigger liquidations, or keep pushing to hold the asset hostage.
///
/// Why it holds: with two honest and two lying prices, every submission is more than 15% from
/// the median of all of them, so none is kept and the asset reads `NoQuorum`. The price record
/// is left as it was (the last good median, 10): no account is valued at the lie. A no-quorum
/// price is not active, so borrows and collateral withdrawals with debt are refused. The
/// colluders can deny service while they keep lying, but they cannot set a price.
#[test]
fn colluding_feeders_below_quorum_cannot_set_a_price() {
    let params = OracleParams {
        min_feeders: 3,
        ..OracleParams::default()
    };
    let mut s = lent(SuiteBuilder::new().feeders(4).oracle_params(params));
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    s.open_position(&borrower, ATOM, COLLATERAL, 6_000_000_000);
    s.advance_time(5);
    let (c1, c2) = (s.feeders[2].clone(), s.feeders[3].clone());

    // The first colluder alone is an outlier.
    s.submit_prices(&c1, &[(ATOM, dec("5"))]).unwrap();
    assert_eq!(status(&s, ATOM), OracleStatus::Active {});
    assert_eq!(s.oracle_price(ATOM).unwrap().median, dec("10"));
    // With the second, nothing is kept: no quorum, the last good price stays.
    s.submit_prices(&c2, &[(ATOM, dec("5"))]).unwrap();
    let p = s.oracle_price(ATOM).unwrap();
    assert!(
        matches!(
            p.status,
            OracleStatus::NoQuorum {
                fresh: 0,
                required: 3,
                ..
            }
        ),
        "{:?}",
        p.status
    );
    assert_eq!(p.median, dec("10"));
    // Honest feeders re-submitting do not break the deadlock, nor does the lie win.
    s.advance_time(5);
    for f in [s.feeders[0].clone(), s.feeders[1].clone()] {
        s.submit_prices(&f, &[(ATOM, dec("10"))]).unwrap();
    }
    assert!(matches!(status(&s, ATOM), OracleStatus::NoQuorum { .. }));
    assert_eq!(s.oracle_price(ATOM).unwrap().median, dec("10"));

    let before = supplies(&s);
    let account = s.account(&borrower);
    assert!(account.health_factor.unwrap() > dec("1.1"), "valued at 10");
    assert_err(s.liquidate(&keeper, &borrower), "account is healthy");
    assert_err(
        s.borrow(&borrower, 1_000_000),
        "price of uatom is not active (oracle status: no_quorum)",
    );
    assert_err(
        s.withdraw_collateral(&borrower, ATOM, Some(1)),
        "oracle status: no_quorum",
    );
    assert_eq!(s.account(&borrower), account);
    assert_conserved(&s, &before);
}

/// Threat: feeders stop (outage, censorship) and the last price goes stale. An attacker
/// borrows or withdraws collateral against a price that no longer reflects the market, or a
/// borrower counts on the outage to escape liquidation.
///
/// Why it holds: 60 s after the last quorum the price reads `Stale`. Borrows and collateral
/// withdrawals with debt need an active price and are refused. Liquidations above the hard
/// floor pause (no liquidation off a price nobody vouches for), but an account below the hard
/// floor (HF < 0.8) is still liquidated at the last median, with forced auctions that skip the
/// liquidator's oracle check and caps.
#[test]
fn a_stale_feed_pauses_new_risk_but_not_hard_floor_liquidations() {
    let mut s = lent(SuiteBuilder::new());
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    let deep = s.addr("deep");
    s.open_position(&deep, ATOM, COLLATERAL, 6_800_000_000);
    s.open_position(&borrower, ATOM, COLLATERAL, 6_000_000_000);
    s.advance_time_feeding(30);
    // −23%: below the breaker's 25%, so the price stays active. HF: deep 0.79, borrower 0.90.
    s.feed(ATOM, dec("7.7"));
    s.advance_time(61);
    assert!(matches!(status(&s, ATOM), OracleStatus::Stale { .. }));
    let before = supplies(&s);

    assert_err(s.borrow(&borrower, 1), "oracle status: stale");
    assert_err(
        s.withdraw_collateral(&borrower, ATOM, Some(1)),
        "oracle status: stale",
    );
    assert_err(
        s.liquidate(&keeper, &borrower),
        "liquidation paused: the oracle price of uatom is stale",
    );
    assert!(s.account(&deep).health_factor.unwrap() < dec("0.8"));
    let debt = s.account(&deep).debt.u128();
    let res = s.liquidate(&keeper, &deep).unwrap();
    assert_eq!(liq_attr(&s, &res, "hard_floor"), "true");
    assert_eq!(liq_attr(&s, &res, "mode"), "toxic_auction");
    assert_eq!(attr(&res, "forced").as_deref(), Some("true"));
    assert_eq!(s.account(&deep).debt.u128(), 0);
    assert_eq!(s.auctions()[0].tab.u128(), debt);
    assert_books(&s);
    assert_conserved(&s, &before);
}

/// Threat: a one-print wick (Compound, DAI at $1.30, Nov 2020): a venue prints a crazy price
/// for one block, and keepers liquidate healthy accounts off it before it reverts.
///
/// Why it holds: one venue's print is one feeder's submission, and the median ignores it. A
/// wick that reaches every feeder moves the median more than `breaker_move` (25%) from the
/// TWAP, which halts the asset: accounts above the hard floor cannot be liquidated off a halted
/// price. When the wick reverts, the account is healthy again and was never touched.
#[test]
fn a_one_print_wick_liquidates_no_healthy_account() {
    let mut s = lent(SuiteBuilder::new());
    let (borrower, keeper, anyone) = (s.borrower.clone(), s.keeper.clone(), stranger(&s));
    // HF 1.17 at 10; 0.82 at the wick's 7 (above the 0.8 hard floor).
    s.open_position(&borrower, ATOM, COLLATERAL, 6_000_000_000);
    s.advance_time_feeding(30);
    let before = supplies(&s);

    // One venue wicks.
    let venue = s.feeders[0].clone();
    s.submit_prices(&venue, &[(ATOM, dec("7"))]).unwrap();
    assert_eq!(s.oracle_price(ATOM).unwrap().median, dec("10"));
    assert_err(s.liquidate(&keeper, &borrower), "account is healthy");

    // The wick reaches every feeder: the median jumps 30% from the TWAP and the asset halts.
    s.advance_time(5);
    s.feed(ATOM, dec("7"));
    assert!(matches!(status(&s, ATOM), OracleStatus::Halted { .. }));
    let hf = s.account(&borrower).health_factor.unwrap();
    assert!(hf < dec("1") && hf > dec("0.8"), "{hf}");
    assert_err(
        s.liquidate(&keeper, &borrower),
        "liquidation paused: the oracle price of uatom is halted",
    );
    // Tripping the breaker announces the halt; the pause is the oracle status itself.
    trip(&mut s, &anyone).unwrap();
    assert_eq!(s.market_state().breaker_level, 0);
    assert_err(s.liquidate(&keeper, &borrower), "paused");

    // It reverts the next block.
    s.advance_time(5);
    s.feed(ATOM, dec("10"));
    assert_err(s.liquidate(&keeper, &borrower), "account is healthy");
    let account = s.account(&borrower);
    assert_eq!(account.collaterals[0].amount.u128(), COLLATERAL);
    assert!(account.debt.u128() >= 6_000_000_000);
    assert!(s.auctions().is_empty());
    assert_eq!(s.market_state().debt_in_auction.u128(), 0);
    assert_conserved(&s, &before);
}

/// Threat: a borrower about to be liquidated trips the circuit breaker to protect their
/// account, or a griefer trips it to freeze the market.
///
/// Why it holds: `TripBreaker` is refused unless the oracle reports the collateral `Halted`
/// (an active or a stale price does not count), and even then it only announces the halt: it
/// sets no market-wide level, so it pauses nothing the halted price does not already pause, and
/// that pause clears with the halt. Only the owner or the guardian sets levels. A genuine crash
/// is liquidated as soon as the oracle stands behind it.
#[test]
fn the_breaker_cannot_be_abused_to_block_liquidations() {
    let mut s = lent(SuiteBuilder::new());
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    s.open_position(&borrower, ATOM, COLLATERAL, 6_800_000_000);
    s.advance_time_feeding(30);

    assert_err(trip(&mut s, &borrower), "oracle for uatom is not halted");
    s.advance_time(61);
    assert!(matches!(status(&s, ATOM), OracleStatus::Stale { .. }));
    assert_err(trip(&mut s, &borrower), "oracle for uatom is not halted");
    let level = MarketMsg::SetBreakerLevel { level: 2 };
    assert_err(
        s.market_execute(&borrower, &level, &[]),
        "unauthorized: only the owner or the guardian may do this",
    );
    assert_eq!(s.market_state().breaker_level, 0);

    // A genuine crash: −30% halts ATOM and puts the account below the hard floor (HF 0.72).
    // In its first block a crash looks like a wick (at the TWAP the account is healthy), so
    // the account waits for the oracle to stand behind the fall; as the price stays at 7 that
    // comes within the halt's life.
    age(&mut s, 0);
    s.advance_time(5);
    s.feed(ATOM, dec("7"));
    assert!(matches!(status(&s, ATOM), OracleStatus::Halted { .. }));
    trip(&mut s, &borrower).unwrap();
    assert_eq!(s.market_state().breaker_level, 0);
    let before = supplies(&s);
    let (res, waited) = liquidate_once_trusted(&mut s, &keeper, &borrower, 1_200);
    assert!(waited > 0, "not at the first block");
    assert_eq!(liq_attr(&s, &res, "hard_floor"), "true");
    assert_eq!(s.account(&borrower).debt.u128(), 0);
    assert_books(&s);
    assert_conserved(&s, &before);
}
