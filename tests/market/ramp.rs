//! Collateral parameter changes: LTV, penalty, cap and depth at once; liquidation thresholds
//! through a linear ramp so no account becomes liquidatable at the instant of a change.
use super::helpers::*;
use breakwater_testing::{dec, Suite, SuiteBuilder};
use breakwater_types::market::{CollateralResponse, CollateralUpdate, ExecuteMsg, QueryMsg};
use breakwater_types::math::margin::Ramp;
use cosmwasm_std::{Decimal, Uint128};

const RAMP: u64 = 7 * 86_400;

/// The owner updates `denom`; the error, if any, as text.
fn update(suite: &mut Suite, denom: &str, update: CollateralUpdate) -> Result<(), String> {
    let owner = suite.owner.clone();
    suite
        .market_execute(
            &owner,
            &ExecuteMsg::UpdateCollateral {
                denom: denom.to_string(),
                update,
            },
            &[],
        )
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn collateral(suite: &Suite, denom: &str) -> CollateralResponse {
    suite
        .market_query(&QueryMsg::Collateral {
            denom: denom.to_string(),
        })
        .unwrap()
}

fn lower_atom_threshold(suite: &mut Suite, lt: &str, ltv: &str) {
    update(
        suite,
        ATOM,
        CollateralUpdate {
            max_ltv: Some(dec(ltv)),
            liquidation_threshold: Some(dec(lt)),
            ..Default::default()
        },
    )
    .unwrap();
}

#[test]
fn lowering_the_threshold_ramps_linearly_and_liquidates_nobody_at_once() {
    let mut suite = SuiteBuilder::new().build();
    lend_and_borrow(&mut suite, 100_000_000, 1_000_000, 6_800_000);
    let borrower = suite.borrower.clone();
    let before = suite.account(&borrower);
    assert_eq!(before.liquidation_value, Uint128::new(7_000_000));

    lower_atom_threshold(&mut suite, "0.65", "0.6");
    let start = suite.now();
    let at_once = suite.account(&borrower);
    assert_eq!(at_once.liquidation_value, before.liquidation_value);
    assert_eq!(at_once.health_factor, before.health_factor);
    assert!(at_once.health_factor.unwrap() > Decimal::one());
    let c = collateral(&suite, ATOM);
    assert_eq!(c.liquidation_threshold_now, dec("0.7"));
    assert_eq!(c.params.liquidation_threshold, dec("0.65"));
    assert_eq!(
        c.threshold_ramp,
        Ramp {
            from: dec("0.7"),
            to: dec("0.65"),
            start,
            end: start + RAMP,
        }
    );
    // The new max LTV applies at once: the account may not borrow more.
    assert_eq!(at_once.borrow_limit, Uint128::new(6_000_000));
    assert_err(suite.borrow(&borrower, 1), "borrow limit exceeded");

    // Every quarter of the ramp the threshold is exactly on the line.
    for (quarter, lt) in [(1, "0.6875"), (2, "0.675"), (3, "0.6625"), (4, "0.65")] {
        suite.advance_time(RAMP / 4);
        assert_eq!(suite.now(), start + quarter * RAMP / 4);
        let c = collateral(&suite, ATOM);
        assert_eq!(c.liquidation_threshold_now, dec(lt), "quarter {quarter}");
        let acc = suite.account(&borrower);
        assert_eq!(
            acc.liquidation_value,
            Uint128::new(10_000_000).mul_floor(dec(lt))
        );
        assert_eq!(acc.collaterals[0].liquidation_threshold, dec(lt));
    }
    // The ramp is over and holds its target.
    suite.advance_time(RAMP);
    assert_eq!(
        collateral(&suite, ATOM).liquidation_threshold_now,
        dec("0.65")
    );
}

#[test]
fn the_health_factor_moves_gradually_along_the_ramp() {
    let mut suite = SuiteBuilder::new().build();
    lend_and_borrow(&mut suite, 100_000_000, 1_000_000, 6_800_000);
    let borrower = suite.borrower.clone();
    lower_atom_threshold(&mut suite, "0.65", "0.6");
    let mut last = suite.account(&borrower).health_factor.unwrap();
    let mut crossed_at = None;
    for step in 1..=28u64 {
        suite.advance_time(RAMP / 28);
        let hf = suite.account(&borrower).health_factor.unwrap();
        assert!(hf <= last, "step {step}: {hf} > {last}");
        // Each six hours moves the health factor by well under 1%.
        assert!(f(last) - f(hf) < 0.01, "step {step}: {last} -> {hf}");
        if hf < Decimal::one() && crossed_at.is_none() {
            crossed_at = Some(step);
        }
        last = hf;
    }
    // 7,000,000 → 6,500,000 against ~6,800,000 of debt: crossed about 40% of the way.
    let crossed = crossed_at.expect("the account ends up liquidatable");
    assert!((10..=13).contains(&crossed), "crossed at step {crossed}");
}

#[test]
fn a_change_mid_ramp_starts_from_the_current_ramped_value() {
    let mut suite = SuiteBuilder::new().build();
    lower_atom_threshold(&mut suite, "0.65", "0.6");
    suite.advance_time(RAMP / 2);
    assert_eq!(
        collateral(&suite, ATOM).liquidation_threshold_now,
        dec("0.675")
    );
    update(
        &mut suite,
        ATOM,
        CollateralUpdate {
            liquidation_threshold: Some(dec("0.66")),
            ..Default::default()
        },
    )
    .unwrap();
    let now = suite.now();
    let c = collateral(&suite, ATOM);
    assert_eq!(c.liquidation_threshold_now, dec("0.675"));
    assert_eq!(
        c.threshold_ramp,
        Ramp {
            from: dec("0.675"),
            to: dec("0.66"),
            start: now,
            end: now + RAMP,
        }
    );
    suite.advance_time(RAMP / 2);
    assert_eq!(
        collateral(&suite, ATOM).liquidation_threshold_now,
        dec("0.6675")
    );
}

#[test]
fn raising_the_threshold_also_ramps() {
    let mut suite = SuiteBuilder::new().build();
    update(
        &mut suite,
        ATOM,
        CollateralUpdate {
            liquidation_threshold: Some(dec("0.75")),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        collateral(&suite, ATOM).liquidation_threshold_now,
        dec("0.7")
    );
    suite.advance_time(RAMP / 2);
    assert_eq!(
        collateral(&suite, ATOM).liquidation_threshold_now,
        dec("0.725")
    );
}

#[test]
fn max_ltv_penalty_cap_and_depth_apply_at_once() {
    let mut suite = SuiteBuilder::new().build();
    lend_and_borrow(&mut suite, 100_000_000, 1_000_000, 0);
    update(
        &mut suite,
        ATOM,
        CollateralUpdate {
            max_ltv: Some(dec("0.5")),
            liquidation_penalty: Some(dec("0.1")),
            supply_cap: Some(Uint128::new(5_000_000)),
            depth: Some(Uint128::new(42)),
            ..Default::default()
        },
    )
    .unwrap();
    let c = collateral(&suite, ATOM);
    assert_eq!(c.params.max_ltv, dec("0.5"));
    assert_eq!(c.params.liquidation_penalty, dec("0.1"));
    assert_eq!(c.params.supply_cap, Uint128::new(5_000_000));
    assert_eq!(c.params.depth, Uint128::new(42));
    assert_eq!(c.threshold_ramp, Ramp::constant(dec("0.7")));
    let borrower = suite.borrower.clone();
    assert_eq!(
        suite.account(&borrower).borrow_limit,
        Uint128::new(5_000_000)
    );
}

#[test]
fn update_refused_when_max_ltv_would_reach_a_threshold() {
    let mut suite = SuiteBuilder::new().build();
    // At the target threshold.
    let err = update(
        &mut suite,
        ATOM,
        CollateralUpdate {
            max_ltv: Some(dec("0.7")),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(err.contains("invalid parameter `max_ltv`"), "{err}");
    // Lowering the threshold under the current max LTV.
    let err = update(
        &mut suite,
        ATOM,
        CollateralUpdate {
            liquidation_threshold: Some(dec("0.6")),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(err.contains("invalid parameter `max_ltv`"), "{err}");
    // Raising both: the max LTV must stay below the threshold in force now (0.7), not only
    // below the target.
    let err = update(
        &mut suite,
        ATOM,
        CollateralUpdate {
            max_ltv: Some(dec("0.72")),
            liquidation_threshold: Some(dec("0.8")),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(
        err.contains("must stay below the liquidation threshold in force"),
        "{err}"
    );
    let c = collateral(&suite, ATOM);
    assert_eq!(c.params.max_ltv, dec("0.68"));
    assert_eq!(c.threshold_ramp, Ramp::constant(dec("0.7")));
}

#[test]
fn update_refused_when_a_threshold_on_the_ramp_could_not_heal_with_the_penalty() {
    let mut suite = SuiteBuilder::new().build();
    // Target 0.7 · 1.22 < 1, but the threshold in force, 0.825 · 1.22, is not.
    let err = update(
        &mut suite,
        ETH,
        CollateralUpdate {
            max_ltv: Some(dec("0.6")),
            liquidation_threshold: Some(dec("0.7")),
            liquidation_penalty: Some(dec("0.22")),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(err.contains("liquidation_penalty"), "{err}");
    // Out of range penalty and an unknown denom.
    let err = update(
        &mut suite,
        ETH,
        CollateralUpdate {
            liquidation_penalty: Some(dec("0.3")),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(err.contains("liquidation_penalty"), "{err}");
    let err = update(&mut suite, "ujunk", CollateralUpdate::default()).unwrap_err();
    assert!(err.contains("ujunk is not a listed collateral"), "{err}");
    assert_eq!(
        collateral(&suite, ETH).params.liquidation_penalty,
        dec("0.05")
    );
}
