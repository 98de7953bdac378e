//! The devnet venue: the constant-product pool the keeper's bidder sells on, and the flash
//! receiver that sells a flash-bid lot there and pays the auction in the same transaction.
use crate::common::{attr, stranger};
use crate::liquidator::{liquidated, supplies};
use breakwater_testing::SuiteBuilder;
use breakwater_types::venue::{swap_out, FlashSale, PoolExecuteMsg, ReceiverExecuteMsg};
use cosmwasm_std::{coin, Uint128};
use cw_multi_test::Executor;

/// A sale's profit goes to `to`, at least `min_profit`.
fn sale(to: &cosmwasm_std::Addr, min_profit: u128) -> FlashSale {
    FlashSale {
        beneficiary: to.to_string(),
        min_profit: Uint128::new(min_profit),
    }
}

/// 1,000,000 USDC against 100,000 ATOM (price 10), 0.3% fee.
const BASE: u128 = 1_000_000_000_000;
const UNITS: u128 = 100_000_000_000;

#[test]
fn a_swap_returns_the_constant_product_output_and_the_pool_keeps_the_fee() {
    let mut s = SuiteBuilder::new().build();
    let pool = s.deploy_pool("uatom", BASE, UNITS, 30);
    let who = s.addr("seller");
    s.fund(&who, &[coin(1_000_000_000, "uatom")]);
    let expected = swap_out(
        Uint128::new(1_000_000_000),
        Uint128::new(UNITS),
        Uint128::new(BASE),
        30,
    )
    .unwrap();
    s.swap(&who, &pool, coin(1_000_000_000, "uatom"), 0)
        .unwrap();
    assert_eq!(s.balance(&who, "uusdc"), expected.u128());
    // About 10 per unit less 0.3% and 1% of slippage.
    assert!(expected.u128() < 9_970_000_000 && expected.u128() > 9_800_000_000);
    let p = s.pool(&pool);
    assert_eq!(p.collateral_reserve.u128(), UNITS + 1_000_000_000);
    assert_eq!(p.base_reserve.u128(), BASE - expected.u128());
    // The invariant never shrinks: the fee and the rounding stay in the pool.
    assert!(
        p.base_reserve.full_mul(p.collateral_reserve)
            > Uint128::new(BASE).full_mul(Uint128::new(UNITS))
    );
    // The books match the bank.
    assert_eq!(s.balance(&pool, "uusdc"), p.base_reserve.u128());
    assert_eq!(s.balance(&pool, "uatom"), p.collateral_reserve.u128());
}

#[test]
fn a_swap_below_min_out_is_refused_and_changes_nothing() {
    let mut s = SuiteBuilder::new().build();
    let pool = s.deploy_pool("uatom", BASE, UNITS, 30);
    let who = s.addr("seller");
    s.fund(&who, &[coin(1_000_000, "uatom")]);
    let before = s.pool(&pool);
    let err = s
        .swap(&who, &pool, coin(1_000_000, "uatom"), 10_000_000)
        .unwrap_err();
    assert!(err.to_string().contains("slippage"), "{err}");
    assert_eq!(s.pool(&pool), before);
    assert_eq!(s.balance(&who, "uatom"), 1_000_000);
}

#[test]
fn a_swap_needs_exactly_one_coin_of_the_pool() {
    let mut s = SuiteBuilder::new().build();
    let pool = s.deploy_pool("uatom", BASE, UNITS, 30);
    let who = s.addr("seller");
    s.fund(
        &who,
        &[
            coin(1_000, "uatom"),
            coin(1_000, "uosmo"),
            coin(1_000, "uusdc"),
        ],
    );
    let err = s.swap(&who, &pool, coin(1_000, "uosmo"), 0).unwrap_err();
    assert!(
        err.to_string().contains("not one of the pool's denoms"),
        "{err}"
    );
    let err = s
        .app
        .execute_contract(
            who.clone(),
            pool.clone(),
            &PoolExecuteMsg::Swap {
                min_out: Uint128::zero(),
                to: None,
            },
            &[coin(1_000, "uatom"), coin(1_000, "uusdc")],
        )
        .unwrap_err();
    assert!(err.to_string().contains("exactly one coin"), "{err}");
}

#[test]
fn liquidity_is_added_at_the_pool_ratio_and_withdrawn_pro_rata_rounded_down() {
    let mut s = SuiteBuilder::new().build();
    let pool = s.deploy_pool("uatom", BASE, UNITS, 30);
    let lp = s.addr("lp");
    // Twenty times the base the ratio needs (10 ATOM at 10 is 100): the excess comes back.
    s.fund(&lp, &[coin(10, "uatom"), coin(2_000, "uusdc")]);
    let res = s
        .provide_liquidity(&lp, &pool, &[coin(10, "uatom"), coin(2_000, "uusdc")])
        .unwrap();
    assert_eq!(attr(&res, "shares").as_deref(), Some("100"));
    assert_eq!(s.balance(&lp, "uusdc"), 1_900);
    assert_eq!(s.balance(&lp, "uatom"), 0);
    s.app
        .execute_contract(
            lp.clone(),
            pool.clone(),
            &PoolExecuteMsg::WithdrawLiquidity {
                shares: Uint128::new(100),
            },
            &[],
        )
        .unwrap();
    assert_eq!(s.balance(&lp, "uusdc"), 2_000);
    assert_eq!(s.balance(&lp, "uatom"), 10);
    // Nobody withdraws shares they do not hold.
    let err = s
        .app
        .execute_contract(
            lp.clone(),
            pool.clone(),
            &PoolExecuteMsg::WithdrawLiquidity {
                shares: Uint128::new(1),
            },
            &[],
        )
        .unwrap_err();
    assert!(err.to_string().contains("0 shares held"), "{err}");
}

#[test]
fn a_donation_does_not_move_the_pool_price() {
    let mut s = SuiteBuilder::new().build();
    let pool = s.deploy_pool("uatom", BASE, UNITS, 30);
    let donor = s.addr("donor");
    s.fund(&donor, &[coin(UNITS, "uatom")]);
    s.app
        .send_tokens(donor, pool.clone(), &[coin(UNITS, "uatom")])
        .unwrap();
    let p = s.pool(&pool);
    assert_eq!(p.collateral_reserve.u128(), UNITS);
}

#[test]
fn a_pool_of_one_denom_or_with_a_usurious_fee_is_refused() {
    use breakwater_types::venue::PoolInstantiateMsg;
    let mut s = SuiteBuilder::new().build();
    let pool = s.deploy_pool("uatom", BASE, UNITS, 30);
    let id = s.app.contract_data(&pool).unwrap().code_id;
    let owner = s.owner.clone();
    for (msg, why) in [
        (
            PoolInstantiateMsg {
                base_denom: "uusdc".into(),
                collateral_denom: "uusdc".into(),
                fee_bps: 30,
            },
            "two different",
        ),
        (
            PoolInstantiateMsg {
                base_denom: "uusdc".into(),
                collateral_denom: "uatom".into(),
                fee_bps: 1_001,
            },
            "above 1000",
        ),
    ] {
        let err = s
            .app
            .instantiate_contract(id, owner.clone(), &msg, &[], "bad", None)
            .unwrap_err();
        assert!(err.to_string().contains(why), "{err}");
    }
}

#[test]
fn a_flash_sale_pays_the_auction_from_the_pool_and_the_profit_to_the_bidder() {
    let (mut s, id) = liquidated(SuiteBuilder::new());
    let pool = s.deploy_pool("uatom", BASE, UNITS, 30);
    let receiver = s.deploy_swap_receiver(&[("uatom", &pool)]);
    let bidder = s.addr("inventoryless");
    s.known.push(bidder.clone());
    let before = supplies(&s);
    let a = s.auction(id);
    // The auction asks about 9.35; the pool pays about 9.97 for a small lot.
    let units = 100_000_000;
    let res = s
        .flash_sale_bid(&bidder, id, units, a.price, &receiver, &sale(&bidder, 1))
        .unwrap();
    let owe: u128 = attr(&res, "owe").unwrap().parse().unwrap();
    let profit: u128 = attr(&res, "profit").unwrap().parse().unwrap();
    let proceeds = swap_out(
        Uint128::new(units),
        Uint128::new(UNITS),
        Uint128::new(BASE),
        30,
    )
    .unwrap()
    .u128();
    assert_eq!(owe + profit, proceeds);
    assert_eq!(s.balance(&bidder, "uusdc"), profit);
    assert!(profit > 0);
    assert_eq!(s.auction(id).raised.u128(), owe);
    // The receiver keeps nothing; no unit is created or lost.
    assert_eq!(s.balance(&receiver, "uusdc"), 0);
    assert_eq!(s.balance(&receiver, "uatom"), 0);
    assert_eq!(supplies(&s), before);
}

#[test]
fn a_flash_sale_that_would_not_make_the_least_profit_reverts_everything() {
    let (mut s, id) = liquidated(SuiteBuilder::new());
    let pool = s.deploy_pool("uatom", BASE, UNITS, 30);
    let receiver = s.deploy_swap_receiver(&[("uatom", &pool)]);
    let bidder = s.addr("greedy");
    let (a, p) = (s.auction(id), s.pool(&pool));
    let err = s
        .flash_sale_bid(
            &bidder,
            id,
            100_000_000,
            a.price,
            &receiver,
            &sale(&bidder, 1_000_000_000),
        )
        .unwrap_err();
    assert!(err.to_string().contains("slippage"), "{err}");
    assert_eq!(s.auction(id), a);
    assert_eq!(s.pool(&pool), p);
    assert_eq!(s.balance(&bidder, "uusdc"), 0);
}

#[test]
fn a_flash_sale_of_a_denom_without_pool_reverts() {
    let (mut s, id) = liquidated(SuiteBuilder::new());
    let pool = s.deploy_pool("uosmo", BASE, UNITS, 30);
    let receiver = s.deploy_swap_receiver(&[("uosmo", &pool)]);
    let bidder = s.addr("bidder2");
    let a = s.auction(id);
    let err = s
        .flash_sale_bid(
            &bidder,
            id,
            100_000_000,
            a.price,
            &receiver,
            &sale(&bidder, 0),
        )
        .unwrap_err();
    assert!(err.to_string().contains("no pool for uatom"), "{err}");
    assert_eq!(s.auction(id), a);
}

#[test]
fn only_the_liquidator_calls_back_only_the_receiver_settles_only_the_owner_sets_pools() {
    let mut s = SuiteBuilder::new().build();
    let pool = s.deploy_pool("uatom", BASE, UNITS, 30);
    let receiver = s.deploy_swap_receiver(&[("uatom", &pool)]);
    let x = stranger(&s);
    let liquidator = s.liquidator.to_string();
    let callback = ReceiverExecuteMsg::BreakwaterFlash {
        auction_id: 1,
        collateral: Uint128::new(1),
        collateral_denom: "uatom".into(),
        owe: Uint128::new(1),
        denom: "uusdc".into(),
        liquidator: liquidator.clone(),
        data: None,
    };
    let err = s.receiver_execute(&x, &receiver, &callback).unwrap_err();
    assert!(
        err.to_string().contains("only the configured liquidator"),
        "{err}"
    );
    let settle = ReceiverExecuteMsg::Settle {
        owe: Uint128::zero(),
        denom: "uusdc".into(),
        liquidator,
        beneficiary: x.to_string(),
        min_profit: Uint128::zero(),
        balance_before: Uint128::zero(),
    };
    let err = s.receiver_execute(&x, &receiver, &settle).unwrap_err();
    assert!(
        err.to_string().contains("only the receiver itself"),
        "{err}"
    );
    let set = ReceiverExecuteMsg::SetPool {
        denom: "uosmo".into(),
        pool: Some(pool.to_string()),
    };
    let err = s.receiver_execute(&x, &receiver, &set).unwrap_err();
    assert!(err.to_string().contains("only the owner"), "{err}");
    let owner = s.owner.clone();
    s.receiver_execute(&owner, &receiver, &set).unwrap();
}
