//! Transfer before sale (issue 14): when the liquidator has no room for a useful partial
//! auction, the backstop takes part of the position (a partial absorb) instead of the account
//! waiting; `when_throttled: wait` keeps the old refusal.
use super::helpers::*;
use breakwater_testing::{dec, Suite, SuiteBuilder};
use breakwater_types::market::{LiquidationParams, WhenThrottled};
use cosmwasm_std::Uint128;

const POOL: u128 = 10_000_000_000;

/// 2·10^6 ueth (6·10^9 at 3000, LT 0.825) against 4.8·10^9; no auction room for ueth.
fn throttled(policy: WhenThrottled, pool: u128) -> Suite {
    // Redistribution off: these tests are about the backstop's part (see redistribution.rs
    // for what follows when it cannot take any).
    let params = LiquidationParams {
        when_throttled: policy,
        redistribution: None,
        ..default_params()
    };
    let mut s = lent(
        SuiteBuilder::new()
            .liquidation_params(params)
            .auction_params(ETH, auction_with_hole(0))
            .backstop_deposit(pool),
    );
    let borrower = s.borrower.clone();
    s.open_position(&borrower, ETH, 2_000_000, 4_800_000_000);
    // HF 0.825 · 2·10^6 · 2900 / 4.8·10^9 = 0.997.
    s.feed(ETH, dec("2900"));
    s
}

#[test]
fn a_throttled_account_is_transferred_in_part_to_the_backstop() {
    let mut s = throttled(WhenThrottled::Transfer, POOL);
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    let before = supplies(&s);
    assert_eq!(s.room(ETH).room.u128(), 0);
    let res = s.liquidate(&keeper, &borrower).unwrap();
    assert_eq!(liq_attr(&s, &res, "mode"), "partial_absorb");
    assert_eq!(liq_attr(&s, &res, "denom"), ETH);
    let (lot, tab) = (liq_num(&s, &res, "lot"), liq_num(&s, &res, "tab"));
    // Healed to the target with f = LT / (1 − 5%) = 0.8684, nothing auctioned.
    assert!(s.auctions().is_empty());
    let h = f(hf(&s, &borrower));
    assert!((1.0499..1.0502).contains(&h), "{h}");
    // The pool paid the repay and took the least lot its discount justifies (rounded up).
    let pool = s.backstop_pool();
    assert_eq!(pool.base.u128(), POOL - tab);
    assert!(Uint128::new(lot * 2900).mul_floor(dec("0.95")).u128() >= tab);
    assert!(Uint128::new((lot - 1) * 2900).mul_floor(dec("0.95")).u128() < tab);
    // The borrower loses at most the discount on what was taken, plus one unit.
    let loss = lot * 2900 - tab;
    assert!(loss <= Uint128::new(lot * 2900).mul_ceil(dec("0.05")).u128() + 2900);
    assert_books(&s);
    assert_conserved(&s, &before);
}

#[test]
fn with_the_wait_policy_a_throttled_account_waits() {
    let mut s = throttled(WhenThrottled::Wait, POOL);
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    assert_err(
        s.liquidate(&keeper, &borrower),
        "liquidation throttled: no auction room for ueth",
    );
    assert_eq!(s.backstop_pool().base.u128(), POOL);
}

#[test]
fn an_empty_backstop_leaves_a_throttled_account_waiting() {
    let mut s = throttled(WhenThrottled::Transfer, 0);
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    assert_err(
        s.liquidate(&keeper, &borrower),
        "liquidation throttled: no auction room for ueth",
    );
    assert_eq!(s.account(&borrower).collaterals[0].amount.u128(), 2_000_000);
}

#[test]
fn a_pool_too_small_for_a_useful_transfer_takes_nothing() {
    // Adversarial: a pool holding less than the repay cannot be drained into a sliver
    // transfer; the account waits for room.
    let mut s = throttled(WhenThrottled::Transfer, 1_000_000);
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    assert_err(s.liquidate(&keeper, &borrower), "liquidation throttled");
    assert_eq!(s.backstop_pool().base.u128(), 1_000_000);
}

#[test]
fn a_transfer_never_seizes_a_collateral_it_cannot_heal_with() {
    // HF 0.8680: above f(auction) = 0.825 · 1.05 = 0.86625 (an auction would heal it, but
    // there is no room) and below f(absorb) = 0.825 / 0.95 = 0.8684: the pool's discount
    // cannot heal the account, so nothing is transferred.
    let mut s = throttled(WhenThrottled::Transfer, POOL);
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    s.feed(ETH, dec("2525"));
    let h = hf(&s, &borrower);
    assert!(h > dec("0.86625") && h < dec("0.8684"), "{h}");
    assert_err(s.liquidate(&keeper, &borrower), "liquidation throttled");
    assert_eq!(s.backstop_pool().base.u128(), POOL);
}
