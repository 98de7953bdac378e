//! Attacks on the Dutch auctions: reset spam, bid sniping, zero and one-unit bids, flash
//! callbacks that do not pay, and re-entry.
use super::*;
use breakwater_testing::FlashBehaviour;
use breakwater_types::backstop::ExecuteMsg as BackstopMsg;
use breakwater_types::liquidator::ExecuteMsg as LiquidatorMsg;
use cosmwasm_std::{to_json_binary, WasmMsg};

/// The auction id in a response that started one.
fn auction_id(res: &AppResponse) -> u64 {
    attr(res, "auction_id").unwrap().parse().unwrap()
}

/// A `WasmMsg::Execute` of the JSON message `msg` on `contract`, without funds.
fn call(contract: &Addr, msg: StdResult<Binary>) -> CosmosMsg {
    WasmMsg::Execute {
        contract_addr: contract.to_string(),
        msg: msg.unwrap(),
        funds: vec![],
    }
    .into()
}

/// Threat: keepers spam `Reset` to farm keeper rewards, restart auctions that are selling
/// fine (pushing the price back up against bidders), or collect rewards for restarting dust or
/// the backstop's own resales.
///
/// Why it holds: `Reset` is refused until the auction is stale (older than `tail`, or its
/// curve below `cusp · top`), and a reset restarts the clock, so the next one waits a whole
/// cycle. Only a liquidation putting at least `dust` back on sale (`min(tab, lot · oracle)`)
/// asks the market for a reward: backstop resales restart for nothing, and a lot worth less
/// than dust is closed by its reset, for nothing, even with free reserves on hand.
#[test]
fn reset_spam_is_refused_and_dust_or_resale_resets_earn_nothing() {
    let mut s = lent(SuiteBuilder::new().backstop_deposit(10_000_000_000));
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    let minnow = s.addr("minnow");
    s.open_position(&borrower, ATOM, COLLATERAL, 6_800_000_000);
    s.open_position(&minnow, ATOM, 100_000, 680_000);
    age(&mut s, YEAR);
    s.feed(ATOM, dec("9.5"));
    let whale_id = auction_id(&s.liquidate(&keeper, &borrower).unwrap());
    let dust_id = auction_id(&s.liquidate(&keeper, &minnow).unwrap());
    assert!(s.auction(dust_id).tab.u128() < 1_000_000, "below the dust");

    for id in [whale_id, dust_id] {
        let a = s.auction(id);
        for _ in 0..5 {
            assert_err(s.reset_auction(&keeper, id), "does not need a reset yet");
        }
        assert_eq!(s.auction(id), a);
    }

    // The backstop buys the whale's lot at the floor, then re-sells a slice of it.
    s.advance_time_feeding(660);
    s.buy_at_floor(&keeper, whale_id).unwrap();
    let resale_id = auction_id(&s.backstop_resell(&keeper, ATOM).unwrap());
    s.advance_time_feeding(23 * 60);

    let st = s.market_state();
    assert!(st.reserves > st.backstop_due, "free reserves exist: {st:?}");
    let before = supplies(&s);
    let base = s.balance(&keeper, USDC);
    for (id, next) in [
        // A lot worth less than dust is closed by its reset (review R10).
        (dust_id, "does not exist or has ended"),
        (resale_id, "does not need a reset yet"),
    ] {
        assert!(s.auction(id).needs_reset);
        let res = s.reset_auction(&keeper, id).unwrap();
        assert_eq!(attr(&res, "rewarded").as_deref(), Some("false"));
        assert!(attr_of(&res, &s.market, "reward_keeper", "keeper_reward").is_none());
        assert_err(s.reset_auction(&keeper, id), next);
    }
    assert_eq!(s.balance(&keeper, USDC), base);
    assert_eq!(s.market_state().reserves, st.reserves);
    assert_conserved(&s, &before);
}

/// Threat: bid sniping. A bidder signs a bid at the price they see, and before it lands the
/// price moves against them: a keeper resets a stale auction back to its top, or the oracle
/// (and with it the floor) rises.
///
/// Why it holds: every bid carries `max_price` and is refused if the price at execution is
/// above it. A bid that executes pays the price at execution (not `max_price`), rounded up to
/// whole base units, so a fill never costs more than `ceil(slice · max_price)`.
#[test]
fn max_price_protects_bidders_from_sniping() {
    let (mut s, id) = liquidated(SuiteBuilder::new());
    let keeper = s.keeper.clone();
    // Known to the Suite, so that its reset reward is counted.
    let sniper = funded(&mut s, "sniper", &[(1, USDC)]);
    let before = supplies(&s);
    let a = s.auction(id);
    assert_eq!(a.price, dec("9.35"));
    assert_err(
        s.bid(&keeper, id, 1_000_000, dec("9.34")),
        "auction price 9.35 is above max_price 9.34",
    );
    assert_eq!(s.auction(id), a);

    // A generous max_price pays the current price, and the excess is refunded.
    let base = s.balance(&keeper, USDC);
    let res = s
        .bid_with_funds(&keeper, id, 1_000_000, dec("20"), 20_000_000)
        .unwrap();
    assert_eq!(attr(&res, "price").as_deref(), Some("9.35"));
    assert_eq!(s.balance(&keeper, USDC), base - 9_350_000);

    // At the floor, the oracle rises before the keeper's floor bid lands: the floor follows.
    s.advance_time_feeding(660);
    assert_eq!(s.auction(id).price, dec("6.8"));
    s.feed(ATOM, dec("9"));
    assert_eq!(s.auction(id).floor, dec("7.2"));
    assert_err(
        s.bid(&keeper, id, 1_000_000, dec("6.8")),
        "above max_price 6.8",
    );

    // The auction goes stale at the floor; a sniper resets it to a new top first.
    s.feed(ATOM, dec("8.5"));
    s.advance_time_feeding(720);
    let a = s.auction(id);
    assert!(a.needs_reset && a.price == dec("6.8"));
    s.reset_auction(&sniper, id).unwrap();
    assert_err(
        s.bid(&keeper, id, 1_000_000, dec("6.8")),
        "above max_price 6.8",
    );
    assert_eq!(s.auction(id).lot, a.lot);

    // Whatever executes costs at most max_price per unit, rounded up to whole units.
    let base = s.balance(&keeper, USDC);
    let res = s.bid(&keeper, id, 333, dec("9.35")).unwrap();
    let owe: u128 = attr(&res, "owe").unwrap().parse().unwrap();
    assert!(owe <= Uint128::new(333).mul_ceil(dec("9.35")).u128());
    assert_eq!(s.balance(&keeper, USDC), base - owe);
    assert_conserved(&s, &before);
}

/// Threat: bids for zero or one collateral unit, repeated, to buy below the price through
/// rounding (a one-unit slice at 9.35 rounding its cost down to 9), or to grind an auction.
///
/// Why it holds: a zero `max_collateral` is refused. The cost of a slice is
/// `ceil(slice · price)`: one unit at 9.35 costs 10, one unit at the 6.8 floor costs 7, so
/// rounding always favours the seller, and a stream of one-unit bids pays more per unit than
/// one large bid. Underpaying or attaching nothing is refused.
#[test]
fn zero_and_one_unit_bids_never_buy_below_the_price() {
    let (mut s, id) = liquidated(SuiteBuilder::new());
    let keeper = s.keeper.clone();
    let before = supplies(&s);
    let a = s.auction(id);
    assert_err(
        s.bid(&keeper, id, 0, dec("9.35")),
        "max_collateral must be positive",
    );
    assert_err(
        s.bid_with_funds(&keeper, id, 1, dec("9.35"), 0),
        "No funds sent",
    );
    assert_err(
        s.bid_with_funds(&keeper, id, 1, dec("9.35"), 9),
        "insufficient payment: bid costs 10, attached 9",
    );
    assert_eq!(s.auction(id), a);

    let base = s.balance(&keeper, USDC);
    for _ in 0..20 {
        let res = s.bid(&keeper, id, 1, dec("9.35")).unwrap();
        assert_eq!(attr(&res, "owe").as_deref(), Some("10"));
    }
    assert_eq!(s.balance(&keeper, USDC), base - 200);
    let b = s.auction(id);
    assert_eq!(b.lot.u128(), a.lot.u128() - 20);
    assert_eq!(b.tab.u128(), a.tab.u128() - 200);

    s.advance_time_feeding(660);
    assert_eq!(s.auction(id).price, dec("6.8"));
    let res = s.bid(&keeper, id, 1, dec("6.8")).unwrap();
    assert_eq!(attr(&res, "owe").as_deref(), Some("7"));
    assert_books(&s);
    assert_conserved(&s, &before);
}

/// Threat: a flash bid whose callback takes the lot and does not pay: it pays one unit short,
/// has nothing to pay with, or is not a contract at all.
///
/// Why it holds: the lot transfer, the callback and `FinishFlash` run in one transaction.
/// `FinishFlash` compares the liquidator's base balance with the one recorded at the bid and
/// fails unless the whole `owe` arrived; any failure reverts everything: the lot, the auction,
/// the market's books and the pending-flash guard.
#[test]
fn a_flash_bid_that_does_not_pay_reverts_everything() {
    let (mut s, id) = liquidated(SuiteBuilder::new());
    let keeper = s.keeper.clone();
    let short = s.deploy_flash_receiver(FlashBehaviour::PayShort, 10_000_000_000);
    let broke = s.deploy_flash_receiver(FlashBehaviour::Pay, 0);
    let not_a_contract = s.addr("not-a-contract");
    let before = supplies(&s);
    let (a, st, room) = (s.auction(id), s.market_state(), s.room(ATOM));
    for (receiver, error) in [
        (
            &short,
            "flash callback did not pay: owed 935000000, received 934999999",
        ),
        (&broke, "Cannot Sub"),
        (&not_a_contract, "not found"),
    ] {
        assert_err(
            s.flash_bid(&keeper, id, 100_000_000, dec("9.35"), receiver),
            error,
        );
        assert_eq!(s.balance(receiver, ATOM), 0);
        assert_eq!(s.auction(id), a);
        assert_eq!(s.market_state(), st);
        assert_eq!(s.room(ATOM), room);
        assert_conserved(&s, &before);
    }
    // No flash is left pending: an ordinary bid goes through.
    s.bid(&keeper, id, 1_000_000, dec("9.35")).unwrap();
}

/// Threat: a flash callback re-enters the liquidator while it holds the lot and has not paid:
/// it bids on the same auction again, resets it, calls `FinishFlash` itself to release the
/// settlement early, or makes the backstop bid through `BuyAtFloor`.
///
/// Why it holds: while a flash is pending, `Bid` and `Reset` are refused (`Reentrancy`),
/// whoever sends them, the backstop included; `FinishFlash` is accepted only from the
/// liquidator itself. Each attempt fails the callback, which reverts the whole flash bid.
#[test]
fn a_flash_callback_cannot_reenter_the_liquidator() {
    let (mut s, id) = liquidated(SuiteBuilder::new().backstop_deposit(10_000_000_000));
    let keeper = s.keeper.clone();
    // At the floor, so that BuyAtFloor would otherwise go through.
    s.advance_time_feeding(660);
    assert!(s.auction(id).at_floor);
    let (liquidator, backstop) = (s.liquidator.clone(), s.backstop.clone());
    let bid_again = s.deploy_flash_receiver(FlashBehaviour::Reenter, 10_000_000_000);
    let reset = deploy_evil_receiver(
        &mut s,
        call(
            &liquidator,
            to_json_binary(&LiquidatorMsg::Reset { auction_id: id }),
        ),
        10_000_000_000,
    );
    let finish = deploy_evil_receiver(
        &mut s,
        call(&liquidator, to_json_binary(&LiquidatorMsg::FinishFlash {})),
        10_000_000_000,
    );
    let floor_buy = deploy_evil_receiver(
        &mut s,
        call(
            &backstop,
            to_json_binary(&BackstopMsg::BuyAtFloor { auction_id: id }),
        ),
        10_000_000_000,
    );
    let before = supplies(&s);
    let (a, st, pool) = (s.auction(id), s.market_state(), s.backstop_pool());
    for (receiver, error) in [
        (&bid_again, "re-entry refused: a flash bid is in progress"),
        (&reset, "re-entry refused: a flash bid is in progress"),
        (
            &finish,
            "unauthorized: only the liquidator itself may do this",
        ),
        (&floor_buy, "re-entry refused: a flash bid is in progress"),
    ] {
        assert_err(
            s.flash_bid(&keeper, id, 100_000_000, dec("9.35"), receiver),
            error,
        );
        assert_eq!(s.balance(receiver, ATOM), 0);
        assert_eq!(s.auction(id), a);
        assert_eq!(s.market_state(), st);
        assert_eq!(s.backstop_pool(), pool);
    }
    assert_conserved(&s, &before);
    // The guard does not outlive a failed flash: an honest one settles.
    let honest = s.deploy_flash_receiver(FlashBehaviour::Pay, 10_000_000_000);
    s.flash_bid(&keeper, id, 100_000_000, dec("9.35"), &honest)
        .unwrap();
    assert_eq!(s.balance(&honest, ATOM), 100_000_000);
}
