//! The circuit breaker and oracle pauses: level 1 stops borrows, level 2 stops liquidations
//! above the hard floor, level 3 stops bids; a halted collateral pauses liquidations of the
//! accounts holding it, except below the hard floor.
use super::helpers::*;
use breakwater_testing::{dec, Suite, SuiteBuilder};
use breakwater_types::market::{ConfigResponse, ExecuteMsg, LiquidationConfig, QueryMsg};
use breakwater_types::oracle::OracleStatus;

const ATOM_HELD: u128 = 1_000_000_000;
const DEBT: u128 = 6_800_000_000;

fn set_level(suite: &mut Suite, who: &cosmwasm_std::Addr, level: u8) -> Result<(), String> {
    suite
        .market_execute(who, &ExecuteMsg::SetBreakerLevel { level }, &[])
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn trip(suite: &mut Suite, denom: &str) -> Result<cw_multi_test::AppResponse, String> {
    let s = stranger(suite);
    let msg = ExecuteMsg::TripBreaker {
        denom: denom.to_string(),
    };
    suite
        .market_execute(&s, &msg, &[])
        .map_err(|e| e.to_string())
}

#[test]
fn level_one_stops_borrows_but_not_liquidations() {
    let mut suite = lent(SuiteBuilder::new());
    let (owner, borrower, keeper) = (
        suite.owner.clone(),
        suite.borrower.clone(),
        suite.keeper.clone(),
    );
    suite.open_position(&borrower, ATOM, ATOM_HELD, DEBT / 2);
    set_level(&mut suite, &owner, 1).unwrap();
    assert_eq!(suite.market_state().breaker_level, 1);
    assert_err(
        suite.borrow(&borrower, 1_000),
        "borrowing is paused by the circuit breaker (level 1)",
    );
    set_level(&mut suite, &owner, 0).unwrap();
    suite.borrow(&borrower, DEBT / 2).unwrap();
    set_level(&mut suite, &owner, 1).unwrap();
    suite.feed(ATOM, dec("9.5"));
    suite.liquidate(&keeper, &borrower).unwrap();
    assert_books(&suite);
}

#[test]
fn level_two_stops_liquidations_except_below_the_hard_floor() {
    let mut suite = lent(SuiteBuilder::new());
    let (owner, borrower, keeper) = (
        suite.owner.clone(),
        suite.borrower.clone(),
        suite.keeper.clone(),
    );
    suite.open_position(&borrower, ATOM, ATOM_HELD, DEBT);
    set_level(&mut suite, &owner, 2).unwrap();
    suite.feed(ATOM, dec("9.5"));
    assert_err(
        suite.liquidate(&keeper, &borrower),
        "liquidations are paused by the circuit breaker (level 2) except for accounts below the hard floor",
    );
    assert_err(suite.borrow(&borrower, 1), "borrowing is paused");
    // 23% below the start: HF 0.793 < 0.8.
    suite.feed(ATOM, dec("7.7"));
    let res = suite.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(&suite, &res, "hard_floor"), "true");
    assert_eq!(suite.account(&borrower).debt.u128(), 0);
    assert_books(&suite);
}

#[test]
fn level_three_stops_bids_on_running_auctions() {
    let mut suite = lent(SuiteBuilder::new());
    let (owner, borrower, keeper) = (
        suite.owner.clone(),
        suite.borrower.clone(),
        suite.keeper.clone(),
    );
    suite.open_position(&borrower, ATOM, ATOM_HELD, DEBT);
    suite.feed(ATOM, dec("9.5"));
    suite.liquidate(&keeper, &borrower).unwrap();
    let a = suite.auctions().remove(0);
    set_level(&mut suite, &owner, 3).unwrap();
    assert_err(
        suite.bid(&keeper, a.id, a.lot.u128(), a.price),
        "bids are halted by the market's circuit breaker (level 3)",
    );
    set_level(&mut suite, &owner, 2).unwrap();
    suite.bid(&keeper, a.id, a.lot.u128(), a.price).unwrap();
    assert!(suite.auctions().is_empty());
    assert_eq!(suite.market_state().debt_in_auction.u128(), 0);
    assert_books(&suite);
}

#[test]
fn the_breaker_is_set_by_the_owner_or_the_guardian_only_and_up_to_level_three() {
    let mut suite = lent(SuiteBuilder::new());
    let (owner, guardian, s) = (
        suite.owner.clone(),
        suite.addr("breaker_guardian"),
        stranger(&suite),
    );
    assert_err(
        set_level(&mut suite, &s, 1),
        "unauthorized: only the owner or the guardian may do this",
    );
    assert_err(
        set_level(&mut suite, &guardian, 1),
        "unauthorized: only the owner or the guardian may do this",
    );
    let cfg: ConfigResponse = suite.market_query(&QueryMsg::Config {}).unwrap();
    let liq = cfg.liquidation.expect("the Suite configures liquidation");
    let with_guardian = LiquidationConfig {
        guardian: Some(guardian.to_string()),
        ..liq
    };
    suite
        .market_execute(&owner, &ExecuteMsg::SetLiquidation(with_guardian), &[])
        .unwrap();
    set_level(&mut suite, &guardian, 3).unwrap();
    assert_eq!(suite.market_state().breaker_level, 3);
    set_level(&mut suite, &guardian, 0).unwrap();
    assert_err(
        set_level(&mut suite, &owner, 4),
        "invalid breaker level 4: must be 0 to 3",
    );
    assert_err(set_level(&mut suite, &s, 0), "unauthorized");
    assert_eq!(suite.market_state().breaker_level, 0);
}

#[test]
fn anyone_trips_the_breaker_only_while_a_collateral_is_halted() {
    let mut suite = lent(SuiteBuilder::new());
    assert_err(trip(&mut suite, ATOM), "oracle for uatom is not halted");
    assert_err(trip(&mut suite, "ufoo"), "ufoo is not a listed collateral");
    // A 100% jump from the TWAP halts uatom.
    suite.advance_time(10);
    suite.feed(ATOM, dec("20"));
    let status = suite.oracle_price(ATOM).unwrap().status;
    assert!(matches!(status, OracleStatus::Halted { .. }), "{status:?}");
    let res = trip(&mut suite, ATOM).unwrap();
    assert_eq!(
        attr_of(&res, &suite.market, "trip_breaker", "denom").as_deref(),
        Some(ATOM)
    );
    assert!(attr_of(&res, &suite.market, "trip_breaker", "jump").is_some());
    // Scoped to the denom (its price pauses its own auctions): no market-wide level, and the
    // level the owner sets is left alone.
    assert_eq!(suite.market_state().breaker_level, 0);
    let owner = suite.owner.clone();
    set_level(&mut suite, &owner, 3).unwrap();
    trip(&mut suite, ATOM).unwrap();
    assert_eq!(suite.market_state().breaker_level, 3);
}

#[test]
fn a_halted_collateral_pauses_its_own_auctions_except_below_the_hard_floor() {
    let mut suite = lent(SuiteBuilder::new());
    let (borrower, keeper) = (suite.borrower.clone(), suite.keeper.clone());
    let osmo_only = suite.addr("osmo-only");
    // 2·10^10 uosmo (10^10 at 0.5) against 5.9·10^9: HF 1.10.
    suite.open_position(&osmo_only, OSMO, 20_000_000_000, 5_900_000_000);
    // The borrower holds a little uosmo beside its uatom.
    suite.open_position(&borrower, OSMO, 100_000_000, 0);
    suite.open_position(&borrower, ATOM, ATOM_HELD, 6_830_000_000);
    let before = supplies(&suite);
    suite.feed(ATOM, dec("9.5"));
    suite.advance_time(10);
    // A 26% drop off the TWAP halts uosmo; the uosmo-only account is now at HF ≈ 0.815.
    suite.feed(OSMO, dec("0.37"));
    let status = suite.oracle_price(OSMO).unwrap().status;
    assert!(matches!(status, OracleStatus::Halted { .. }), "{status:?}");
    assert!(hf(&suite, &osmo_only) < dec("1"));
    assert_err(
        suite.liquidate(&keeper, &osmo_only),
        "liquidation paused: the oracle price of uosmo is halted",
    );
    // A paused side holding does not shield an account: its active uatom is auctioned.
    assert!(hf(&suite, &borrower) < dec("1"));
    let res = suite.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(&suite, &res, "denom"), "uatom");
    assert!(suite.auctions().iter().all(|a| a.denom == ATOM));
    // Deeply underwater at the halted median, but not at the TWAP (a wick would look the
    // same): it waits until the oracle stands behind the fall, then goes whole to a forced
    // auction (the backstop cannot absorb a collateral that was halted when it started).
    suite.feed(OSMO, dec("0.33"));
    assert!(hf(&suite, &osmo_only) < dec("0.8"));
    assert_err(
        suite.liquidate(&keeper, &osmo_only),
        "liquidation paused: the oracle price of uosmo is halted",
    );
    let (res, _) = liquidate_once_trusted(&mut suite, &keeper, &osmo_only, 1_800);
    let debt = cosmwasm_std::Uint128::new(liq_attr(&suite, &res, "debt").parse().unwrap()).u128();
    assert_eq!(liq_attr(&suite, &res, "hard_floor"), "true");
    assert_eq!(liq_attr(&suite, &res, "denom"), "uosmo");
    let osmo_tabs: u128 = suite
        .auctions()
        .iter()
        .filter(|a| a.denom == OSMO)
        .map(|a| a.tab.u128())
        .sum();
    assert_eq!(osmo_tabs, debt);
    assert_books(&suite);
    assert_conserved(&suite, &before);
}

/// The breaker never holds back an account below the hard floor, and the room still paces it:
/// a halted holding below the floor goes to a forced auction of the part that fits the room,
/// and the rest waits for room, not for the breaker.
#[test]
fn a_halted_account_below_the_hard_floor_is_auctioned_within_the_room() {
    let mut suite =
        lent(SuiteBuilder::new().auction_params(OSMO, auction_with_hole(1_000_000_000)));
    let keeper = suite.keeper.clone();
    let osmo_only = suite.addr("osmo-only");
    // 2·10^10 uosmo (10^10 at 0.5) against 5.9·10^9: HF 1.10.
    suite.open_position(&osmo_only, OSMO, 20_000_000_000, 5_900_000_000);
    let before = supplies(&suite);
    suite.advance_time(10);
    suite.feed(OSMO, dec("0.37"));
    suite.feed(OSMO, dec("0.33"));
    let status = suite.oracle_price(OSMO).unwrap().status;
    assert!(matches!(status, OracleStatus::Halted { .. }), "{status:?}");
    let (res, _) = liquidate_once_trusted(&mut suite, &keeper, &osmo_only, 1_800);
    assert_eq!(liq_attr(&suite, &res, "hard_floor"), "true");
    assert_eq!(liq_attr(&suite, &res, "part"), "true");
    let auctions = suite.auctions();
    assert_eq!(auctions.len(), 1);
    assert_eq!(auctions[0].denom, OSMO);
    assert!(auctions[0].tab.u128() <= 1_000_000_000);
    // Started on a price the oracle does not stand behind: forced.
    let status = suite.oracle_price(OSMO).unwrap().status;
    assert!(!status.is_active(), "{status:?}");
    let forced = res
        .events
        .iter()
        .flat_map(|e| &e.attributes)
        .any(|a| a.key == "forced" && a.value == "true");
    assert!(forced, "the auction was not started forced");
    let left = suite.account(&osmo_only).debt.u128();
    assert!(left > 4_000_000_000, "{left}");
    // The rest waits for room, not for the breaker.
    let err = suite
        .liquidate(&keeper, &osmo_only)
        .unwrap_err()
        .to_string();
    assert!(err.contains("no auction room for uosmo"), "{err}");
    assert_books(&suite);
    assert_conserved(&suite, &before);
}
