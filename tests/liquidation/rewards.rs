//! Keeper rewards (from free reserves, capped, nothing for dust) and the reserve sweep to the
//! backstop.
use super::helpers::*;
use breakwater_testing::{dec, Suite, SuiteBuilder};
use breakwater_types::market::{ExecuteMsg, LiquidationParams};
use cosmwasm_std::{coin, Uint128};

const ATOM_HELD: u128 = 1_000_000_000;
const DEBT: u128 = 6_800_000_000;

/// A year of interest on 6.8·10^9 borrowed against 10^9 uatom builds reserves; the price then
/// falls 5% so the account is liquidatable (HF ≈ 0.96).
fn aged_position(builder: SuiteBuilder) -> Suite {
    let mut suite = lent(builder);
    let borrower = suite.borrower.clone();
    suite.open_position(&borrower, ATOM, ATOM_HELD, DEBT);
    age(&mut suite, YEAR);
    suite.feed(ATOM, dec("9.5"));
    assert!(hf(&suite, &borrower) < dec("1"));
    let st = suite.market_state();
    assert!(st.reserves.u128() > 1_000_000, "{st:?}");
    suite
}

fn reward_keeper(suite: &mut Suite, tab: u128) -> Result<cw_multi_test::AppResponse, String> {
    let (liquidator, keeper) = (suite.liquidator.clone(), suite.keeper.clone());
    let msg = ExecuteMsg::RewardKeeper {
        keeper: keeper.to_string(),
        tab: Uint128::new(tab),
    };
    suite
        .market_execute(&liquidator, &msg, &[])
        .map_err(|e| e.to_string())
}

#[test]
fn a_keeper_earns_the_chip_on_the_tab_from_free_reserves() {
    let mut suite = aged_position(SuiteBuilder::new());
    let (borrower, keeper) = (suite.borrower.clone(), suite.keeper.clone());
    let before = supplies(&suite);
    let st0 = suite.market_state();
    let paid0 = suite.balance(&keeper, USDC);
    let res = suite.liquidate(&keeper, &borrower).unwrap();
    let tab = liq_num(&suite, &res, "tab");
    let reward = liq_num(&suite, &res, "keeper_reward");
    assert_eq!(reward, tab / 1_000, "0.1% of the tab");
    assert!(reward > 0 && reward < st0.reserves.u128() - st0.backstop_due.u128());
    assert_eq!(suite.balance(&keeper, USDC), paid0 + reward);
    let st = suite.market_state();
    assert_eq!(st.reserves.u128(), st0.reserves.u128() - reward);
    assert_eq!(st.cash.u128(), st0.cash.u128() - reward);
    assert_eq!(
        st.backstop_due, st0.backstop_due,
        "earmarked reserves are not spent"
    );
    assert_books(&suite);
    assert_conserved(&suite, &before);
}

#[test]
fn the_keeper_reward_is_capped_by_the_cap_and_by_free_reserves() {
    let capped = LiquidationParams {
        keeper_reward_cap: Uint128::new(1_000),
        ..default_params()
    };
    let mut suite = aged_position(SuiteBuilder::new().liquidation_params(capped));
    let (borrower, keeper) = (suite.borrower.clone(), suite.keeper.clone());
    let res = suite.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_num(&suite, &res, "keeper_reward"), 1_000);

    let generous = LiquidationParams {
        keeper_chip: cosmwasm_std::Decimal::percent(5),
        ..default_params()
    };
    let mut suite = aged_position(SuiteBuilder::new().liquidation_params(generous));
    let st0 = suite.market_state();
    let free = st0.reserves.u128() - st0.backstop_due.u128();
    let res = suite.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_num(&suite, &res, "keeper_reward"), free);
    let st = suite.market_state();
    assert_eq!(st.reserves, st.backstop_due);
    assert_books(&suite);
}

#[test]
fn dust_liquidations_earn_no_reward() {
    let mut suite = lent(SuiteBuilder::new());
    let (borrower, keeper, minnow) = (
        suite.borrower.clone(),
        suite.keeper.clone(),
        suite.addr("minnow"),
    );
    suite.open_position(&borrower, ATOM, ATOM_HELD, DEBT);
    suite.open_position(&minnow, ATOM, 100_000, 680_000);
    age(&mut suite, YEAR);
    suite.feed(ATOM, dec("9.5"));
    let before = supplies(&suite);
    let debt = suite.account(&minnow).debt.u128();
    assert!(debt < 1_000_000);
    let res = suite.liquidate(&keeper, &minnow).unwrap();
    // Too small to leave anything behind: closed whole, and no reward for it.
    assert_eq!(liq_attr(&suite, &res, "mode"), "full");
    assert_eq!(liq_num(&suite, &res, "tab"), debt);
    assert_eq!(liq_num(&suite, &res, "keeper_reward"), 0);
    assert_books(&suite);
    assert_conserved(&suite, &before);
}

#[test]
fn a_rewarded_reset_pays_the_keeper_from_free_reserves() {
    let mut suite = lent(SuiteBuilder::new());
    let (borrower, keeper) = (suite.borrower.clone(), suite.keeper.clone());
    suite.open_position(&borrower, ATOM, ATOM_HELD, DEBT);
    suite.feed(ATOM, dec("9.5"));
    suite.liquidate(&keeper, &borrower).unwrap();
    let id = suite.auctions()[0].id;
    suite.advance_time_feeding(3_700);
    assert!(suite.auction(id).needs_reset);
    let before = supplies(&suite);
    let st0 = suite.market_state();
    let free = st0.reserves.u128() - st0.backstop_due.u128();
    let paid0 = suite.balance(&keeper, USDC);
    let res = suite.reset_auction(&keeper, id).unwrap();
    let reward: u128 = attr_of(&res, &suite.market, "reward_keeper", "keeper_reward")
        .expect("the market rewards the reset")
        .parse()
        .unwrap();
    // An hour of interest leaves little in reserves: the reward takes all that is free.
    let tab = suite.auction(id).tab.u128();
    assert_eq!(reward, (tab / 1_000).min(free));
    assert_eq!(suite.balance(&keeper, USDC), paid0 + reward);
    assert_books(&suite);
    assert_conserved(&suite, &before);
}

#[test]
fn reward_keeper_pays_nothing_without_reserves_or_for_dust_tabs() {
    let mut suite = lent(SuiteBuilder::new());
    let res = reward_keeper(&mut suite, 1_000_000_000).unwrap();
    assert_eq!(
        attr_of(&res, &suite.market, "reward_keeper", "keeper_reward").as_deref(),
        Some("0")
    );
    let mut suite = aged_position(SuiteBuilder::new());
    let res = reward_keeper(&mut suite, 999_999).unwrap();
    assert_eq!(
        attr_of(&res, &suite.market, "reward_keeper", "keeper_reward").as_deref(),
        Some("0")
    );
    let res = reward_keeper(&mut suite, 1_000_000_000).unwrap();
    assert_eq!(
        attr_of(&res, &suite.market, "reward_keeper", "keeper_reward").as_deref(),
        Some("1000000")
    );
    assert_books(&suite);
    let s = stranger(&suite);
    assert_err(
        suite.market_execute(
            &s,
            &ExecuteMsg::RewardKeeper {
                keeper: s.to_string(),
                tab: Uint128::new(1_000_000_000),
            },
            &[],
        ),
        "unauthorized: only the liquidator may do this",
    );
}

#[test]
fn sweep_reserves_pays_the_earmarked_share_to_the_backstop() {
    let mut suite = lent(SuiteBuilder::new());
    let (borrower, s) = (suite.borrower.clone(), stranger(&suite));
    let sweep = ExecuteMsg::SweepReserves {};
    assert_err(
        suite.market_execute(&s, &sweep, &[]),
        "nothing to sweep: no reserves are due to the backstop",
    );
    suite.open_position(&borrower, ATOM, ATOM_HELD, DEBT);
    age(&mut suite, YEAR);
    suite.fund(&s, &[coin(1, USDC)]);
    let before = supplies(&suite);
    let st0 = suite.market_state();
    // Half of every accrual's reserves (one accrual here).
    assert_eq!(st0.backstop_due.u128(), st0.reserves.u128() / 2);
    let due = st0.backstop_due.u128();
    let pool0 = suite.backstop_pool().base.u128();
    assert_err(
        suite.market_execute(&s, &sweep, &[coin(1, USDC)]),
        "payment error",
    );
    let res = suite.market_execute(&s, &sweep, &[]).unwrap();
    assert_eq!(
        attr_of(&res, &suite.market, "sweep_reserves", "amount"),
        Some(due.to_string())
    );
    assert_eq!(suite.backstop_pool().base.u128(), pool0 + due);
    let st = suite.market_state();
    assert_eq!(st.backstop_due.u128(), 0);
    assert_eq!(st.reserves.u128(), st0.reserves.u128() - due);
    assert_eq!(st.cash.u128(), st0.cash.u128() - due);
    assert_err(suite.market_execute(&s, &sweep, &[]), "nothing to sweep");
    assert_books(&suite);
    assert_conserved(&suite, &before);
}
