//! The per-collateral cap follows the depth the oracle's feeders measure, under the owner's
//! configured depth as a ceiling.
use super::*;
use breakwater_types::liquidator::{ExecuteMsg, Seller};
use cosmwasm_std::{coin, Uint128};

/// The Suite's configured depth of every collateral (base value per 1% move) and the impact
/// budget (3%): the cap derived from the ceiling is 30,000 USDC.
const CEILING: u128 = 10_000_000_000;
const BUDGET: u128 = 3;

#[test]
fn throttle_room_follows_the_reported_depth() {
    let mut s = SuiteBuilder::new().build();
    assert_eq!(s.room("uatom").hole.u128(), CEILING * BUDGET);
    s.advance_time(5);
    s.feed_with_depth("uatom", dec("10"), &[2_000_000_000; 3]);
    let r = s.room("uatom");
    assert_eq!(r.measured_depth, Some(Uint128::new(2_000_000_000)));
    assert_eq!(
        (r.hole.u128(), r.room.u128()),
        (6_000_000_000, 6_000_000_000)
    );
    // The book fills again: the room grows with it.
    s.advance_time(5);
    s.feed_with_depth("uatom", dec("10"), &[5_000_000_000; 3]);
    assert_eq!(s.room("uatom").hole.u128(), 15_000_000_000);
    // Other collaterals keep their own (here unmeasured) depth.
    assert_eq!(s.room("ueth").hole.u128(), CEILING * BUDGET);

    // An auction start is held to the measured room.
    let market = s.market.clone();
    s.fund(&market, &[coin(2_000_000_000, "uatom")]);
    let start = |tab: u128| ExecuteMsg::StartAuction {
        seller: Seller::Liquidation {
            borrower: market.to_string(),
        },
        tab: Uint128::new(tab),
        force: false,
    };
    let err = s
        .liquidator_execute(
            &market,
            &start(15_000_000_001),
            &[coin(1_000_000_000, "uatom")],
        )
        .unwrap_err();
    assert!(err.to_string().contains("no room"), "{err}");
    s.liquidator_execute(
        &market,
        &start(15_000_000_000),
        &[coin(1_000_000_000, "uatom")],
    )
    .unwrap();
    assert_eq!(s.room("uatom").room, Uint128::zero());
}

#[test]
fn stale_depth_reports_fall_back_to_the_ceiling() {
    let mut s = SuiteBuilder::new().build();
    s.advance_time(5);
    s.feed_with_depth("uatom", dec("10"), &[1_000_000_000; 3]);
    assert_eq!(s.room("uatom").hole.u128(), 3_000_000_000);
    // The depth reports stop: once they are older than max_age the cap is the owner's again
    // (an outage of the depth feed must not stop liquidations).
    s.advance_time(61);
    let r = s.room("uatom");
    assert_eq!(r.measured_depth, None);
    assert_eq!(r.hole.u128(), CEILING * BUDGET);
}

#[test]
fn the_owner_depth_is_a_ceiling() {
    let mut s = SuiteBuilder::new().build();
    s.advance_time(5);
    s.feed_with_depth("uatom", dec("10"), &[CEILING * 100; 3]);
    let r = s.room("uatom");
    assert_eq!(r.measured_depth, Some(Uint128::new(CEILING * 100)));
    assert_eq!(r.hole.u128(), CEILING * BUDGET);
}
