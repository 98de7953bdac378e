//! A backstop sized to the risk (issue 14): the `UpdateRisk` crank measures the debt each
//! collateral's fall would make liquidatable, and the backstop's share of new reserves rises
//! with it.
use super::helpers::*;
use breakwater_testing::{dec, Suite, SuiteBuilder};
use breakwater_types::risk::{ramp, spiral_index, RiskShareParams};
use cosmwasm_std::{Addr, Decimal, Uint128};

const SUPPLY: u128 = 50_000_000_000;
/// 1,000 ATOM (price 10, LT 0.70): worth 10,000 USDC, 7,000 of liquidation value.
const ATOMS: u128 = 1_000_000_000;
/// 10,000 OSMO (price 0.5, LT 0.65): worth 5,000 USDC, 3,250 of liquidation value.
const OSMOS: u128 = 10_000_000_000;
/// The Suite's configured depth of every collateral, per 1% move.
const CEILING: u128 = 10_000_000_000;
/// The backstop pool of these tests.
const POOL: u128 = 10_000_000_000;

/// A market with four borrowers whose liquidation points are known:
///
/// | borrower | collateral         | debt  | ATOM fall that liquidates | OSMO fall |
/// |----------|--------------------|-------|---------------------------|-----------|
/// | d        | 1,000 ATOM         | 6,700 | > 4.3%                    |           |
/// | a        | 1,000 ATOM         | 6,500 | > 7.1%                    |           |
/// | c        | 1,000 ATOM + OSMO  | 9,500 | > 10.7%                   | > 23.1%   |
/// | b        | 1,000 ATOM         | 5,000 | > 28.6%                   |           |
fn risky_market() -> (Suite, Vec<Addr>) {
    let mut s = SuiteBuilder::new().backstop_deposit(POOL).build();
    let lender = s.lender.clone();
    s.supply(&lender, SUPPLY).unwrap();
    let who: Vec<Addr> = ["a", "b", "c", "d"].iter().map(|n| s.addr(n)).collect();
    s.open_position(&who[0], ATOM, ATOMS, 6_500_000_000);
    s.open_position(&who[1], ATOM, ATOMS, 5_000_000_000);
    s.open_position(&who[2], ATOM, ATOMS, 0);
    s.open_position(&who[2], OSMO, OSMOS, 9_500_000_000);
    s.open_position(&who[3], ATOM, ATOMS, 6_700_000_000);
    (s, who)
}

fn liquidatable(s: &Suite, denom: &str) -> Vec<u128> {
    let r = s.market_risk();
    let snap = r.snapshot.expect("a snapshot");
    let c = snap
        .collaterals
        .iter()
        .find(|c| c.denom == denom)
        .unwrap_or_else(|| panic!("no {denom} in the snapshot"));
    c.falls.iter().map(|f| f.liquidatable.u128()).collect()
}

/// `(Δ backstop_due, Δ reserves)` over `secs` with nothing else happening (one accrual).
fn due_and_reserves_over(s: &mut Suite, secs: u64) -> (u128, u128) {
    let before = s.market_state();
    s.advance_time(secs);
    let after = s.market_state();
    (
        (after.backstop_due - before.backstop_due).u128(),
        (after.reserves - before.reserves).u128(),
    )
}

#[test]
fn the_crank_counts_the_debt_each_fall_makes_liquidatable() {
    let (mut s, who) = risky_market();
    assert!(s.market_risk().snapshot.is_none());
    s.complete_risk_pass(100);
    let r = s.market_risk();
    let snap = r.snapshot.clone().unwrap();
    assert_eq!(snap.accounts, 4);
    assert_eq!(snap.total_debt.u128(), 27_700_000_000);
    assert!(snap.liquidatable_now.is_zero());
    assert!(snap.fresh);
    // Falls of 5, 10, 20 and 30%.
    assert_eq!(
        liquidatable(&s, ATOM),
        vec![
            6_700_000_000,
            13_200_000_000,
            22_700_000_000,
            27_700_000_000
        ]
    );
    assert_eq!(liquidatable(&s, OSMO), vec![0, 0, 0, 9_500_000_000]);
    // The wall: 6,700 within the first 5%, i.e. 1,340 per 1%, sold with the 5% penalty into
    // a book of 10,000 per 1%.
    let atom = &snap.collaterals[0];
    assert_eq!(atom.denom, ATOM);
    assert_eq!(atom.wall.u128(), 1_340_000_000);
    assert_eq!((atom.depth.u128(), atom.depth_measured), (CEILING, false));
    assert_eq!(atom.spiral_index, dec("0.1407"));
    assert_eq!(snap.spiral_index, dec("0.1407"));
    // Coverage: the pool of 10,000 against what each fall makes liquidatable.
    assert_eq!(r.backstop_value, Some(Uint128::new(POOL)));
    let at_20 = &atom.falls[2];
    assert_eq!(at_20.fall, 20);
    assert_eq!(
        at_20.coverage,
        Some(Decimal::from_ratio(POOL, 22_700_000_000u128))
    );
    assert_eq!(
        snap.collaterals[1].falls[0].coverage, None,
        "nothing at risk"
    );
    assert_eq!(snap.exposure, Some(dec("2.27")));

    // The oracle's feeders measure a thinner book: the spiral index follows it.
    s.advance_time(5);
    s.feed_with_depth(ATOM, dec("10"), &[2_000_000_000; 3]);
    s.complete_risk_pass(100);
    let atom = s.market_risk().snapshot.unwrap().collaterals[0].clone();
    assert_eq!(
        (atom.depth.u128(), atom.depth_measured),
        (2_000_000_000, true)
    );
    let d_debt = s.account(&who[3]).debt;
    assert_eq!(atom.wall, d_debt / Uint128::new(5));
    assert_eq!(
        atom.spiral_index,
        spiral_index(atom.wall, dec("0.05"), atom.depth)
    );
    assert!(atom.spiral_index > dec("0.7035") && atom.spiral_index < dec("0.7036"));

    // A price fall moves accounts into "liquidatable now", in every fall's count.
    s.advance_time(5);
    s.feed(ATOM, dec("9.4"));
    s.complete_risk_pass(100);
    let snap = s.market_risk().snapshot.unwrap();
    let (a_debt, d_debt) = (s.account(&who[0]).debt, s.account(&who[3]).debt);
    assert_eq!(snap.liquidatable_now, d_debt);
    assert_eq!(liquidatable(&s, ATOM)[0], (a_debt + d_debt).u128());
}

#[test]
fn the_risk_crank_is_gas_bounded_and_idempotent() {
    let (mut s, _) = risky_market();
    // One account per message: four full pages, then an empty one completes the pass.
    let keeper = s.keeper.clone();
    for walked in 1..=4u32 {
        let res = s.update_risk(&keeper, Some(1)).unwrap();
        assert_eq!(attr(&res, "walked"), Some(walked.to_string()));
        assert_eq!(attr(&res, "done").as_deref(), Some("false"));
        let pass = s.market_risk().pass.expect("a pass under way");
        assert_eq!(pass.walked, walked);
    }
    let res = s.update_risk(&keeper, Some(1)).unwrap();
    assert_eq!(attr(&res, "done").as_deref(), Some("true"));
    let paged = s.market_risk();
    assert!(paged.pass.is_none());
    // A limit of 0 still walks one account (it cannot complete a pass without walking).
    let res = s.update_risk(&keeper, Some(0)).unwrap();
    assert_eq!(attr(&res, "walked").as_deref(), Some("1"));
    assert_eq!(attr(&res, "done").as_deref(), Some("false"));
    // Finishing that pass in one page, and another pass, measure the same thing.
    assert_eq!(s.complete_risk_pass(100), 1);
    let once = s.market_risk();
    assert_eq!(s.complete_risk_pass(100), 1);
    let twice = s.market_risk();
    assert_eq!(once, paged);
    assert_eq!(twice, paged);
}

#[test]
fn the_backstop_share_rises_with_measured_risk() {
    let (mut s, _) = risky_market();
    let base = dec("0.5");
    // Utilization is 55.4%, below the 80% kink, and nothing is measured: the base share.
    let r = s.market_risk();
    assert_eq!((r.base_share, r.backstop_share), (base, base));
    assert_eq!(r.utilization, dec("0.554"));
    let (due, reserves) = due_and_reserves_over(&mut s, 43_200);
    assert!(reserves > 1_000, "reserves grew by {reserves}");
    assert_eq!(due, Uint128::new(reserves).mul_floor(base).u128());

    // The snapshot: a 20% ATOM fall makes 22,700 liquidatable against a pool of 10,000, an
    // exposure of about 2.27, between the rule's 1 and 4.
    s.complete_risk_pass(100);
    let p = RiskShareParams::default();
    let r = s.market_risk();
    let exposure = r.snapshot.as_ref().unwrap().exposure.unwrap();
    assert!(
        exposure > dec("2.26") && exposure < dec("2.28"),
        "{exposure}"
    );
    let raised = base + (p.max_share - base) * ramp(exposure, p.exposure_start, p.exposure_full);
    assert_eq!(r.backstop_share, raised);
    assert!(raised > dec("0.7"), "{raised}");
    let (due, reserves) = due_and_reserves_over(&mut s, 43_200);
    assert_eq!(due, Uint128::new(reserves).mul_floor(raised).u128());

    // The book thins (measured depth 1,000 per 1%): the spiral index, about 1.4, is past the
    // rule's full mark and every new reserve goes to the backstop.
    s.feed_with_depth(ATOM, dec("10"), &[1_000_000_000; 3]);
    s.complete_risk_pass(100);
    let r = s.market_risk();
    assert!(r.snapshot.unwrap().spiral_index > dec("1.4"));
    assert_eq!(r.backstop_share, Decimal::one());
    let (due, reserves) = due_and_reserves_over(&mut s, 43_200);
    assert_eq!(due, reserves);

    // Risk recedes (the pool grows to cover every fall and the book refills): back to base.
    let lender = s.lender.clone();
    s.backstop_deposit(&lender, 30_000_000_000).unwrap();
    s.feed_with_depth(ATOM, dec("10"), &[CEILING; 3]);
    s.complete_risk_pass(100);
    assert_eq!(s.market_risk().backstop_share, base);
}

#[test]
fn utilization_above_the_kink_raises_the_share_without_a_snapshot() {
    let (mut s, _) = risky_market();
    // Borrow up to 90% utilization: halfway from the 80% kink to 100%.
    let e = s.addr("e");
    s.open_position(&e, ETH, 10_000_000, 0);
    s.borrow(&e, 17_300_000_000).unwrap();
    let r = s.market_risk();
    assert_eq!(r.utilization, dec("0.9"));
    assert!(r.snapshot.is_none());
    assert_eq!(r.backstop_share, dec("0.75"));
    let (due, reserves) = due_and_reserves_over(&mut s, 3_600);
    assert_eq!(due, Uint128::new(reserves).mul_floor(dec("0.75")).u128());
}

#[test]
fn a_stale_risk_snapshot_falls_back_to_the_base_share() {
    let (mut s, _) = risky_market();
    s.complete_risk_pass(100);
    let raised = s.market_risk().backstop_share;
    assert!(raised > dec("0.5"));
    // A day later (the rule's max_age) the snapshot still counts ...
    let max_age = RiskShareParams::default().max_age;
    s.advance_time(max_age);
    let r = s.market_risk();
    assert!(r.snapshot.as_ref().unwrap().fresh);
    assert_eq!(r.backstop_share, raised);
    // ... one second more and it no longer does: the share falls back to the base.
    s.advance_time(1);
    let r = s.market_risk();
    assert!(!r.snapshot.as_ref().unwrap().fresh);
    assert_eq!(r.backstop_share, dec("0.5"));
    let keeper = s.keeper.clone();
    s.market_execute(
        &keeper,
        &breakwater_types::market::ExecuteMsg::AccrueInterest {},
        &[],
    )
    .unwrap();
    let (due, reserves) = due_and_reserves_over(&mut s, 43_200);
    assert_eq!(due, Uint128::new(reserves).mul_floor(dec("0.5")).u128());
}

#[test]
fn without_a_rule_the_share_stays_at_the_base() {
    let params = breakwater_types::market::LiquidationParams {
        risk_share: None,
        ..breakwater_testing::default_liquidation_params()
    };
    let mut s = SuiteBuilder::new().liquidation_params(params).build();
    let lender = s.lender.clone();
    s.supply(&lender, SUPPLY).unwrap();
    let who = s.addr("d");
    s.open_position(&who, ATOM, ATOMS, 6_700_000_000);
    s.complete_risk_pass(100);
    let r = s.market_risk();
    // The pool is empty: the exposure is unbounded, yet the share is the base.
    assert_eq!(r.snapshot.unwrap().exposure, Some(Decimal::MAX));
    assert_eq!(r.backstop_share, dec("0.5"));
}
