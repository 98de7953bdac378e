//! The backstop pool through the Suite: shares, the withdrawal cooldown, inflation resistance,
//! resale pacing and the market-only messages. Submodules take one message each.
mod absorb;
mod admin;
mod cover;
mod floor;
mod resell;
mod shares;
mod withdraw;

use breakwater_testing::{Suite, SuiteBuilder};
use breakwater_types::backstop::{BackstopParams, ExecuteMsg};
use breakwater_types::ownership::OwnershipMsg;
use cosmwasm_std::Addr;
use cosmwasm_std::{coin, Uint128};
use cw_multi_test::AppResponse;
use cw_multi_test::Executor;

/// A new address holding `amount` base units.
pub fn funded_base(s: &mut Suite, name: &str, amount: u128) -> Addr {
    let who = s.addr(name);
    s.fund(&who, &[coin(amount, "uusdc")]);
    who
}

/// `who` sends `msg` to the backstop with `funds`, the error as text.
pub fn exec(
    s: &mut Suite,
    who: &Addr,
    msg: ExecuteMsg,
    funds: &[cosmwasm_std::Coin],
) -> Result<AppResponse, String> {
    s.backstop_execute(who, &msg, funds)
        .map_err(|e| e.to_string())
}

/// The market hands `coins` to the backstop for `pay`, as `Absorb` does (the market is funded
/// with the coins first).
pub fn absorb(
    s: &mut Suite,
    coins: &[cosmwasm_std::Coin],
    pay: u128,
) -> Result<AppResponse, String> {
    let market = s.market.clone();
    s.fund(&market, coins);
    let msg = ExecuteMsg::Absorb {
        borrower: s.addr("absorbed").to_string(),
        pay: Uint128::new(pay),
        on_credit: Uint128::zero(),
        halted: false,
    };
    exec(s, &market, msg, coins)
}

/// Attribute `key` of the backstop's `action` event in `res`.
pub fn attr(s: &Suite, res: &AppResponse, action: &str, key: &str) -> Option<String> {
    crate::adversarial::attr_of(res, &s.backstop, action, key)
}

fn params() -> BackstopParams {
    BackstopParams {
        cooldown: 3_600,
        withdraw_window: 7_200,
        ..BackstopParams::default()
    }
}

#[test]
fn a_withdrawal_waits_for_the_cooldown_and_closes_with_its_window() {
    let mut s = SuiteBuilder::new().backstop_params(params()).build();
    let lender = s.lender.clone();
    s.backstop_deposit(&lender, 1_000_000_000).unwrap();
    let shares = s.backstop_depositor(&lender).shares;
    s.backstop_execute(&lender, &ExecuteMsg::RequestWithdraw { shares }, &[])
        .unwrap();
    let err = s
        .backstop_execute(&lender, &ExecuteMsg::Withdraw {}, &[])
        .unwrap_err();
    assert!(err.to_string().contains("window"), "{err}");
    s.advance_time(3_600 + 7_201);
    let err = s
        .backstop_execute(&lender, &ExecuteMsg::Withdraw {}, &[])
        .unwrap_err();
    assert!(err.to_string().contains("window"), "{err}");
    // A fresh request, withdrawn inside its window.
    s.backstop_execute(&lender, &ExecuteMsg::RequestWithdraw { shares }, &[])
        .unwrap();
    s.advance_time(3_600);
    let before = s.balance(&lender, "uusdc");
    s.backstop_execute(&lender, &ExecuteMsg::Withdraw {}, &[])
        .unwrap();
    let got = s.balance(&lender, "uusdc") - before;
    // All of it but the virtual shares' sliver (at most one part in 10^6 of a unit here).
    assert!((999_999_000..=1_000_000_000).contains(&got), "{got}");
    assert_eq!(s.backstop_pool().total_shares, Uint128::zero());
}

#[test]
fn a_depositor_cannot_flee_a_loss_that_lands_during_its_cooldown() {
    let mut s = SuiteBuilder::new().backstop_params(params()).build();
    let (lender, market) = (s.lender.clone(), s.market.clone());
    s.backstop_deposit(&lender, 1_000_000_000).unwrap();
    let shares = s.backstop_depositor(&lender).shares;
    s.backstop_execute(&lender, &ExecuteMsg::RequestWithdraw { shares }, &[])
        .unwrap();
    // The market draws on the pool while the request cools down.
    s.backstop_execute(
        &market,
        &ExecuteMsg::CoverShortfall {
            amount: Uint128::new(400_000_000),
        },
        &[],
    )
    .unwrap();
    s.advance_time(3_600);
    let before = s.balance(&lender, "uusdc");
    s.backstop_execute(&lender, &ExecuteMsg::Withdraw {}, &[])
        .unwrap();
    let got = s.balance(&lender, "uusdc") - before;
    assert!(got <= 600_000_000, "locked shares bore the loss: {got}");
}

#[test]
fn first_depositor_share_inflation_does_not_steal_from_the_next_depositor() {
    let mut s = SuiteBuilder::new().build();
    let (attacker, victim) = (s.addr("attacker"), s.addr("victim"));
    s.fund(&attacker, &[coin(1_000_000_000_001, "uusdc")]);
    s.fund(&victim, &[coin(1_000_000_000_000, "uusdc")]);
    s.backstop_deposit(&attacker, 1).unwrap();
    // Donate straight to the pool to inflate the share price.
    let backstop = s.backstop.clone();
    s.app
        .send_tokens(
            attacker.clone(),
            backstop,
            &[coin(1_000_000_000_000, "uusdc")],
        )
        .unwrap();
    s.backstop_deposit(&victim, 1_000_000_000_000).unwrap();
    let v = s.backstop_depositor(&victim).value.u128();
    assert!(v >= 999_999_000_000, "victim kept its deposit: {v}");
    let a = s.backstop_depositor(&attacker).value.u128();
    assert!(a < 1_000_000_000_000, "attacker lost money: {a}");
}

#[test]
fn market_only_messages_are_refused_from_a_stranger() {
    let mut s = SuiteBuilder::new().backstop_deposit(1_000_000_000).build();
    let stranger = s.addr("stranger");
    s.fund(&stranger, &[coin(1_000, "uatom")]);
    let err = s
        .backstop_execute(
            &stranger,
            &ExecuteMsg::CoverShortfall {
                amount: Uint128::new(1),
            },
            &[],
        )
        .unwrap_err();
    assert!(err.to_string().contains("unauthorized"), "{err}");
    let err = s
        .backstop_execute(
            &stranger,
            &ExecuteMsg::Absorb {
                borrower: stranger.to_string(),
                pay: Uint128::new(1),
                on_credit: Uint128::zero(),
                halted: false,
            },
            &[coin(1_000, "uatom")],
        )
        .unwrap_err();
    assert!(err.to_string().contains("unauthorized"), "{err}");
    for msg in [
        ExecuteMsg::UpdateParams(BackstopParams::default()),
        ExecuteMsg::Ownership(OwnershipMsg::TransferOwnership {
            new_owner: stranger.to_string(),
        }),
    ] {
        let err = s.backstop_execute(&stranger, &msg, &[]).unwrap_err();
        assert!(err.to_string().contains("owner"), "{err}");
    }
}

/// A pool of 1,000 USDC to which the market handed a whole position (as `Absorb` does):
/// 10 ATOM for 90 USDC.
fn pool_holding_absorbed_atom() -> (breakwater_testing::Suite, cosmwasm_std::Addr) {
    let mut s = SuiteBuilder::new().backstop_deposit(1_000_000_000).build();
    let (market, keeper) = (s.market.clone(), s.keeper.clone());
    s.fund(&market, &[coin(10_000_000, "uatom")]);
    s.backstop_execute(
        &market,
        &ExecuteMsg::Absorb {
            borrower: keeper.to_string(),
            pay: Uint128::new(90_000_000),
            on_credit: Uint128::zero(),
            halted: false,
        },
        &[coin(10_000_000, "uatom")],
    )
    .unwrap();
    (s, keeper)
}

#[test]
fn the_pool_values_held_collateral_at_the_oracle_and_resells_it_slowly() {
    let (mut s, keeper) = pool_holding_absorbed_atom();
    let pool = s.backstop_pool();
    // 910 base left + 10^7 ATOM at 10 = 10^8 base: 1,010 total.
    assert_eq!(pool.base.u128(), 910_000_000);
    assert_eq!(pool.total_value.u128(), 1_010_000_000);
    // Resale: 10% per interval through the liquidator, never all at once.
    s.backstop_resell(&keeper, "uatom").unwrap();
    let auctions = s.auctions();
    assert_eq!(auctions.len(), 1);
    assert_eq!(auctions[0].lot.u128(), 1_000_000);
    let err = s.backstop_resell(&keeper, "uatom").unwrap_err();
    assert!(err.to_string().contains("resale"), "{err}");
    // The lot under resale still counts in the pool's value.
    assert_eq!(s.backstop_pool().total_value.u128(), 1_010_000_000);
    s.advance_time_feeding(3_600);
    s.backstop_resell(&keeper, "uatom").unwrap();
    assert_eq!(s.auctions().len(), 2);
    // A bidder buys the first resale lot; proceeds go to the pool.
    let id = s.auctions()[0].id;
    let price = s.auction(id).price;
    let base0 = s.backstop_pool().base.u128();
    s.bid(&keeper, id, 1_000_000, price).unwrap();
    assert!(s.backstop_pool().base.u128() > base0);
}

/// The pool values collateral under resale from the liquidator's running total, not by
/// scanning every auction (which costs gas per auction and fails in a crash with many
/// liquidation auctions running): the total follows starts, partial fills and closes.
#[test]
fn collateral_under_resale_is_counted_from_the_liquidators_running_total() {
    let (mut s, keeper) = pool_holding_absorbed_atom();
    let resale_lot = |s: &breakwater_testing::Suite| -> u128 {
        let r: breakwater_types::liquidator::ResaleLotResponse = s
            .liquidator_query(&breakwater_types::liquidator::QueryMsg::ResaleLot {
                denom: "uatom".into(),
            })
            .unwrap();
        r.lot.u128()
    };
    assert_eq!(resale_lot(&s), 0);
    s.backstop_resell(&keeper, "uatom").unwrap();
    assert_eq!(resale_lot(&s), 1_000_000);
    let total = s.backstop_pool().total_value.u128();
    // A partial fill lowers the total by the slice; the pool's value counts the rest once.
    let id = s.auctions()[0].id;
    let price = s.auction(id).price;
    s.bid(&keeper, id, 400_000, price).unwrap();
    assert_eq!(resale_lot(&s), 600_000);
    let held = s.backstop_pool().collateral[0].amount.u128();
    assert_eq!(held, 9_600_000, "in the pool's account plus under resale");
    assert!(s.backstop_pool().total_value.u128() >= total - 400_000 * 10);
    // Selling out closes the auction and clears the total.
    let price = s.auction(id).price;
    s.bid(&keeper, id, 600_000, price).unwrap();
    assert!(s.auctions().is_empty());
    assert_eq!(resale_lot(&s), 0);
    assert_eq!(s.backstop_pool().collateral[0].amount.u128(), 9_000_000);
}
