//! The dynamic liquidation bonus (issue 14): Mars's `start + slope·(1 − HF)`, capped by the
//! equity and the penalty, in force on every partial liquidation.
use super::helpers::*;
use breakwater_testing::{dec, Suite, SuiteBuilder};
use breakwater_types::market::{CollateralUpdate, DynamicBonus, ExecuteMsg};
use cosmwasm_std::{Addr, Decimal, Uint128};

/// ueth (LT 0.825, penalty 5%) with a bonus of 1% at HF 1, rising by half the health lost.
fn rising() -> DynamicBonus {
    DynamicBonus {
        start: dec("0.01"),
        slope: dec("0.5"),
        min: dec("0.02"),
    }
}

fn set_bonus(suite: &mut Suite, bonus: DynamicBonus) -> Result<(), String> {
    let owner = suite.owner.clone();
    let msg = ExecuteMsg::UpdateCollateral {
        denom: ETH.to_string(),
        update: CollateralUpdate {
            dynamic_bonus: Some(bonus),
            ..Default::default()
        },
    };
    suite
        .market_execute(&owner, &msg, &[])
        .map(|_| ())
        .map_err(|e| format!("{e:?}"))
}

/// Two accounts of 2·10^6 ueth (6·10^9 at 3000): `shallow` owes 4.5·10^9, `deep` 4.8·10^9.
fn two_accounts() -> (Suite, Addr, Addr) {
    let mut suite = lent(SuiteBuilder::new());
    set_bonus(&mut suite, rising()).unwrap();
    let (shallow, deep) = (suite.addr("shallow"), suite.addr("deep"));
    suite.open_position(&shallow, ETH, 2_000_000, 4_500_000_000);
    suite.open_position(&deep, ETH, 2_000_000, 4_800_000_000);
    (suite, shallow, deep)
}

/// What the liquidation took beyond the debt it repaid, in base units at `price`.
fn loss(lot: u128, tab: u128, price: u128) -> i128 {
    (lot * price) as i128 - tab as i128
}

#[test]
fn the_bonus_rises_as_health_falls() {
    let (mut suite, shallow, deep) = two_accounts();
    let keeper = suite.keeper.clone();
    let before = supplies(&suite);
    // At 2705: HF 0.9918 (shallow) and 0.9298 (deep).
    suite.feed(ETH, dec("2705"));
    let mut bonuses = vec![];
    for who in [&shallow, &deep] {
        let h = hf(&suite, who);
        let res = suite.liquidate(&keeper, who).unwrap();
        assert_eq!(liq_attr(&suite, &res, "mode"), "partial");
        let bonus: Decimal = liq_attr(&suite, &res, "bonus").parse().unwrap();
        // 1% + half of the health lost, rounded up to the next 10^-18.
        let expected = dec("0.01") + (Decimal::one() - h) * dec("0.5");
        assert!(
            bonus >= expected && bonus - expected <= Decimal::new(Uint128::one()),
            "{bonus} vs {expected}"
        );
        let (lot, tab) = (liq_num(&suite, &res, "lot"), liq_num(&suite, &res, "tab"));
        // Rounding favours the protocol: the lot covers the repay and its bonus...
        assert!(
            Uint128::new(lot * 2705) >= Uint128::new(tab).mul_ceil(Decimal::one() + bonus),
            "lot {lot} short of {tab}·(1+{bonus})"
        );
        // ...and the borrower loses at most the bonus on the repay plus one unit of collateral.
        let bound = Uint128::new(tab).mul_ceil(bonus).u128() as i128 + 2705;
        assert!(loss(lot, tab, 2705) <= bound);
        let acc = suite.account(who);
        assert!((1.0499..1.0501).contains(&f(acc.health_factor.unwrap())));
        bonuses.push(bonus);
    }
    // The deeper account pays a larger bonus, and both pay less than the fixed 5%.
    assert!(bonuses[0] < dec("0.015") && bonuses[1] > dec("0.044"));
    assert!(bonuses[1] < dec("0.05"));
    assert_books(&suite);
    assert_conserved(&suite, &before);
}

#[test]
fn near_health_one_the_borrower_loses_less_than_with_the_fixed_penalty() {
    // The same shallow account liquidated with and without the dynamic bonus.
    let mut lost = vec![];
    for dynamic in [false, true] {
        let mut suite = lent(SuiteBuilder::new());
        if dynamic {
            set_bonus(&mut suite, rising()).unwrap();
        }
        let (who, keeper) = (suite.addr("shallow"), suite.keeper.clone());
        suite.open_position(&who, ETH, 2_000_000, 4_500_000_000);
        suite.feed(ETH, dec("2705"));
        let res = suite.liquidate(&keeper, &who).unwrap();
        let (lot, tab) = (liq_num(&suite, &res, "lot"), liq_num(&suite, &res, "tab"));
        lost.push(loss(lot, tab, 2705));
        assert!((1.0499..1.0501).contains(&f(hf(&suite, &who))));
    }
    // Fixed: 5% of the repay; dynamic: about 1.4% of a smaller repay.
    assert!(lost[1] * 3 < lost[0], "{lost:?}");
}

#[test]
fn a_bonus_capped_at_the_equity_cannot_heal_a_single_collateral_account() {
    // With one collateral `HF = LT·CR`; a bonus capped at `CR − 1` gives `f = LT·CR = HF`,
    // so seizing cannot raise the health factor: the account is toxic and goes down the
    // whole-position path instead of being bled by partial liquidations.
    let mut suite = lent(SuiteBuilder::new());
    set_bonus(
        &mut suite,
        DynamicBonus {
            start: dec("0.03"),
            slope: dec("1"),
            min: dec("0.005"),
        },
    )
    .unwrap();
    let (who, keeper) = (suite.addr("deep"), suite.keeper.clone());
    suite.open_position(&who, ETH, 2_000_000, 4_800_000_000);
    // At 2460: collateral 4.92·10^9 against ~4.8·10^9 (CR ≈ 1.025), HF ≈ 0.846 (above the
    // hard floor); the rising bonus (≈ 18%) is capped at CR − 1 ≈ 2.5%.
    suite.feed(ETH, dec("2460"));
    let res = suite.liquidate(&keeper, &who).unwrap();
    assert_eq!(liq_attr(&suite, &res, "mode"), "toxic_auction");
    assert_eq!(liq_attr(&suite, &res, "hard_floor"), "false");
    assert_books(&suite);
}

#[test]
fn a_dynamic_bonus_outside_the_penalty_is_refused_and_changes_nothing() {
    let mut suite = lent(SuiteBuilder::new());
    for bad in [
        DynamicBonus {
            start: dec("0.06"),
            ..rising()
        },
        DynamicBonus {
            min: dec("0.051"),
            ..rising()
        },
        DynamicBonus {
            slope: dec("10.01"),
            ..rising()
        },
    ] {
        assert_err(set_bonus(&mut suite, bad), "dynamic_bonus");
    }
    // Still the fixed penalty: a liquidation reports the full 5%.
    let (who, keeper) = (suite.addr("shallow"), suite.keeper.clone());
    suite.open_position(&who, ETH, 2_000_000, 4_500_000_000);
    suite.feed(ETH, dec("2705"));
    let res = suite.liquidate(&keeper, &who).unwrap();
    assert_eq!(liq_attr(&suite, &res, "bonus"), "0.05");
}

#[test]
fn a_stranger_cannot_set_a_dynamic_bonus() {
    let mut suite = lent(SuiteBuilder::new());
    let s = stranger(&suite);
    let msg = ExecuteMsg::UpdateCollateral {
        denom: ETH.to_string(),
        update: CollateralUpdate {
            dynamic_bonus: Some(rising()),
            ..Default::default()
        },
    };
    assert_err(suite.market_execute(&s, &msg, &[]), "nauthorized");
}
