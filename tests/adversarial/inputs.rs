//! Hostile inputs: amounts at the edge of 128 bits, and funds of the wrong kind.
use super::*;
use breakwater_types::backstop::ExecuteMsg as BackstopMsg;
use breakwater_types::liquidator::{ExecuteMsg as LiquidatorMsg, FlashCallback};
use breakwater_types::market::ExecuteMsg as MarketMsg;
use breakwater_types::oracle::{ExecuteMsg as OracleMsg, PriceSubmission};
use cosmwasm_std::{coin, Coin, Decimal, Uint256};

/// A message of one of the four contracts (a test table: the size difference is harmless).
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)]
enum Msg {
    Market(MarketMsg),
    Liquidator(LiquidatorMsg),
    Backstop(BackstopMsg),
    Oracle(OracleMsg),
}

/// Sends `msg` to its contract with `funds`; the error as text.
fn send(s: &mut Suite, who: &Addr, msg: &Msg, funds: &[Coin]) -> Result<(), String> {
    let res = match msg {
        Msg::Market(m) => s.market_execute(who, m, funds),
        Msg::Liquidator(m) => s.liquidator_execute(who, m, funds),
        Msg::Backstop(m) => s.backstop_execute(who, m, funds),
        Msg::Oracle(m) => s.oracle_execute(who, m, funds),
    };
    res.map(|_| ()).map_err(|e| e.to_string())
}

/// One more than `u128::MAX` of `denom` (a coin no 128-bit ledger can hold).
fn too_big(denom: &str) -> Coin {
    Coin::new(Uint256::from(u128::MAX) + Uint256::one(), denom)
}

/// Threat: amounts at the edge of 128 bits (or beyond: bank coins are 256-bit) to overflow
/// share, cash or price arithmetic into a panic, a wrap-around or a free mint.
///
/// Why it holds: every attached amount is converted to 128 bits with a typed error, and all
/// arithmetic on user amounts is checked: a supply, collateral deposit, borrow, bid or backstop
/// deposit near `u128::MAX` fails with a clear error (too large, overflow, cap, liquidity)
/// and changes nothing. Where an enormous amount is legitimate (a bid or repayment attaching far
/// more than owed), only what is owed is taken and the rest is refunded.
#[test]
fn amounts_near_u128_max_fail_with_typed_errors() {
    let (mut s, id) = liquidated(SuiteBuilder::new().backstop_deposit(10_000_000_000));
    let (lender, borrower, feeder) = (s.lender.clone(), s.borrower.clone(), s.feeders[0].clone());
    // Not via `Suite::fund`: balances above 128 bits would overflow `total_supply`.
    let whale = s.addr("whale");
    s.app
        .sudo(cw_multi_test::SudoMsg::Bank(
            cw_multi_test::BankSudo::Mint {
                to_address: whale.to_string(),
                amount: vec![
                    too_big(ATOM),
                    Coin::new(Uint256::from(u128::MAX) * Uint256::from(4u8), USDC),
                ],
            },
        ))
        .unwrap();
    let max = |d: &str| coin(u128::MAX, d);
    let (state, auction, pool) = (s.market_state(), s.auction(id), s.backstop_pool());
    let cases: Vec<(Msg, Vec<Coin>, &str)> = vec![
        (
            Msg::Market(MarketMsg::Supply {}),
            vec![too_big(USDC)],
            "is too large: at most 2^128 - 1 units are accepted",
        ),
        (
            Msg::Market(MarketMsg::Supply {}),
            vec![max(USDC)],
            "overflow",
        ),
        (
            Msg::Market(MarketMsg::DepositCollateral { on_behalf_of: None }),
            vec![too_big(ATOM)],
            "is too large",
        ),
        (
            Msg::Market(MarketMsg::DepositCollateral { on_behalf_of: None }),
            vec![max(ATOM)],
            "arithmetic overflow",
        ),
        (
            Msg::Market(MarketMsg::DepositCollateral { on_behalf_of: None }),
            vec![coin(10u128.pow(30), ATOM)],
            "supply cap of uatom exceeded",
        ),
        (
            Msg::Market(MarketMsg::Borrow {
                amount: Uint128::MAX,
            }),
            vec![],
            "insufficient liquidity",
        ),
        (
            Msg::Market(MarketMsg::Repay {
                on_behalf_of: Some(borrower.to_string()),
            }),
            vec![too_big(USDC)],
            "is too large",
        ),
        (
            Msg::Liquidator(LiquidatorMsg::Bid {
                auction_id: id,
                max_collateral: Uint128::MAX,
                max_price: Decimal::MAX,
                callback: None,
            }),
            vec![too_big(USDC)],
            "amount too large",
        ),
        (
            Msg::Backstop(BackstopMsg::Deposit {}),
            vec![too_big(USDC)],
            "amount too large: does not fit in 128 bits",
        ),
        (
            // The pool's own balance would pass 128 bits.
            Msg::Backstop(BackstopMsg::Deposit {}),
            vec![max(USDC)],
            "amount too large",
        ),
        (
            Msg::Backstop(BackstopMsg::Fund {}),
            vec![too_big(USDC)],
            "amount too large",
        ),
        (
            Msg::Backstop(BackstopMsg::RequestWithdraw {
                shares: Uint128::MAX,
            }),
            vec![],
            "insufficient shares",
        ),
    ];
    for (msg, funds, error) in &cases {
        let err = send(&mut s, &whale, msg, funds).unwrap_err();
        assert!(
            err.contains(error),
            "{msg:?}: expected {error:?}, got {err}"
        );
    }
    // The lender's and borrower's own huge requests.
    let huge = Some(u128::MAX);
    assert_err(s.withdraw(&lender, huge), "exceeds the supplied balance");
    assert_err(
        s.withdraw_collateral(&borrower, ATOM, huge),
        "insufficient collateral",
    );
    let price = OracleMsg::SubmitPrices {
        prices: vec![PriceSubmission {
            denom: ATOM.to_string(),
            price: Decimal::MAX,
            depth: None,
        }],
    };
    assert_err(s.oracle_execute(&feeder, &price, &[]), "price out of range");
    assert_eq!(s.market_state(), state);
    assert_eq!(s.auction(id), auction);
    assert_eq!(s.backstop_pool(), pool);

    // Legitimate but enormous: only what is owed is taken.
    let paid = |s: &Suite| -> Uint256 { s.app.wrap().query_balance(&whale, USDC).unwrap().amount };
    let start = paid(&s);
    let bid = LiquidatorMsg::Bid {
        auction_id: id,
        max_collateral: Uint128::MAX,
        max_price: Decimal::MAX,
        callback: None,
    };
    s.liquidator_execute(&whale, &bid, &[max(USDC)]).unwrap();
    assert_eq!(start - paid(&s), Uint256::from(auction.tab));
    let debt = s.account(&borrower).debt;
    let repay = MarketMsg::Repay {
        on_behalf_of: Some(borrower.to_string()),
    };
    let start = paid(&s);
    s.market_execute(&whale, &repay, &[max(USDC)]).unwrap();
    assert_eq!(start - paid(&s), Uint256::from(debt));
    assert_eq!(s.account(&borrower).debt.u128(), 0);
    assert_books(&s);
}

/// Threat: paying a payable message with the wrong denom, several denoms or nothing, hoping
/// it is credited anyway (a worthless token counted as base, collateral counted as a
/// repayment, a second coin ignored but kept).
///
/// Why it holds: every payable message takes exactly one coin of the denom it expects
/// (`cw_utils::must_pay`, or one listed non-base collateral for deposits) and refuses anything
/// else with a payment error; the failed message returns the funds and changes nothing.
#[test]
fn payable_messages_refuse_wrong_several_or_no_denoms() {
    let (mut s, id) = liquidated(SuiteBuilder::new().backstop_deposit(10_000_000_000));
    let borrower = s.borrower.clone();
    let attacker = funded(
        &mut s,
        "attacker",
        &[
            (1_000_000_000, USDC),
            (1_000_000_000, ATOM),
            (1_000_000_000, OSMO),
            (1_000_000_000, "ufoo"),
        ],
    );
    let before = supplies(&s);
    let (state, auction, pool) = (s.market_state(), s.auction(id), s.backstop_pool());
    let wallet = |s: &Suite| -> Vec<u128> {
        [USDC, ATOM, OSMO, "ufoo"]
            .iter()
            .map(|d| s.balance(&attacker, d))
            .collect()
    };
    let held = wallet(&s);
    let c = |d: &str| coin(1_000_000, d);
    let none: Vec<Coin> = vec![];
    let base_paid = |msg: Msg| {
        vec![
            (msg.clone(), none.clone(), "No funds sent"),
            (
                msg.clone(),
                vec![c(ATOM)],
                "Must send reserve token 'uusdc'",
            ),
            (
                msg.clone(),
                vec![c("ufoo")],
                "Must send reserve token 'uusdc'",
            ),
            (
                msg,
                vec![c(ATOM), c(USDC)],
                "Sent more than one denomination",
            ),
        ]
    };
    let mut cases = vec![];
    cases.extend(base_paid(Msg::Market(MarketMsg::Supply {})));
    cases.extend(base_paid(Msg::Market(MarketMsg::Repay {
        on_behalf_of: Some(borrower.to_string()),
    })));
    cases.extend(base_paid(Msg::Liquidator(LiquidatorMsg::Bid {
        auction_id: id,
        max_collateral: Uint128::new(1_000),
        max_price: dec("10"),
        callback: None,
    })));
    cases.extend(base_paid(Msg::Backstop(BackstopMsg::Deposit {})));
    cases.extend(base_paid(Msg::Backstop(BackstopMsg::Fund {})));
    let deposit = || Msg::Market(MarketMsg::DepositCollateral { on_behalf_of: None });
    cases.extend([
        (deposit(), none.clone(), "No funds sent"),
        (
            deposit(),
            vec![c(USDC)],
            "the base asset uusdc cannot be deposited as collateral",
        ),
        (
            deposit(),
            vec![c("ufoo")],
            "ufoo is not a listed collateral",
        ),
        (
            deposit(),
            vec![c(ATOM), c(OSMO)],
            "Sent more than one denomination",
        ),
    ]);
    for (msg, funds, error) in &cases {
        let err = send(&mut s, &attacker, msg, funds).unwrap_err();
        assert!(
            err.contains(error),
            "{msg:?} with {funds:?}: expected {error:?}, got {err}"
        );
        assert_eq!(wallet(&s), held, "{msg:?}");
    }
    assert_eq!(s.market_state(), state);
    assert_eq!(s.auction(id), auction);
    assert_eq!(s.backstop_pool(), pool);
    assert_conserved(&s, &before);
}

/// Threat: funds attached to a message that takes none (a withdrawal, a liquidation, a
/// flash bid, a price submission) are silently kept by the contract, or mistaken for a payment.
///
/// Why it holds: every message that takes no funds refuses them (`cw_utils::nonpayable`, and a
/// flash bid refuses funds explicitly), so the funds go back with the failed transaction.
#[test]
fn messages_that_take_no_funds_refuse_them() {
    let (mut s, id) = liquidated(SuiteBuilder::new().backstop_deposit(10_000_000_000));
    let (borrower, lender, feeder) = (s.borrower.clone(), s.lender.clone(), s.feeders[0].clone());
    s.fund(&feeder, &[coin(1_000, USDC)]);
    let before = supplies(&s);
    let (state, auction, pool) = (s.market_state(), s.auction(id), s.backstop_pool());
    let receiver = s.addr("receiver");
    let market = [
        MarketMsg::Withdraw { amount: None },
        MarketMsg::WithdrawCollateral {
            denom: ATOM.to_string(),
            amount: None,
        },
        MarketMsg::Borrow {
            amount: Uint128::new(1),
        },
        MarketMsg::Liquidate {
            borrower: borrower.to_string(),
        },
        MarketMsg::AccrueInterest {},
        MarketMsg::TripBreaker {
            denom: ATOM.to_string(),
        },
        MarketMsg::SweepReserves {},
    ];
    let liquidator = [
        LiquidatorMsg::Reset { auction_id: id },
        LiquidatorMsg::Bid {
            auction_id: id,
            max_collateral: Uint128::new(1_000),
            max_price: dec("10"),
            callback: Some(FlashCallback {
                contract: receiver.to_string(),
                data: None,
            }),
        },
    ];
    let backstop = [
        BackstopMsg::RequestWithdraw {
            shares: Uint128::new(1),
        },
        BackstopMsg::CancelWithdraw {},
        BackstopMsg::Withdraw {},
        BackstopMsg::BuyAtFloor { auction_id: id },
        BackstopMsg::Resell {
            denom: ATOM.to_string(),
        },
    ];
    let msgs = market
        .into_iter()
        .map(Msg::Market)
        .chain(liquidator.into_iter().map(Msg::Liquidator))
        .chain(backstop.into_iter().map(Msg::Backstop))
        .chain([Msg::Oracle(OracleMsg::SubmitPrices {
            prices: vec![PriceSubmission {
                denom: ATOM.to_string(),
                price: dec("8.5"),
                depth: None,
            }],
        })]);
    let funds = [coin(1_000, USDC)];
    for msg in msgs {
        // The lender holds supply and backstop shares; feeders submit prices.
        let who = if matches!(msg, Msg::Oracle(_)) {
            &feeder
        } else {
            &lender
        };
        let held = s.balance(who, USDC);
        let err = send(&mut s, who, &msg, &funds).unwrap_err();
        assert!(
            err.contains("does no accept funds") || err.contains("must not attach funds"),
            "{msg:?}: {err}"
        );
        assert_eq!(s.balance(who, USDC), held);
    }
    assert_eq!(s.market_state(), state);
    assert_eq!(s.auction(id), auction);
    assert_eq!(s.backstop_pool(), pool);
    assert_conserved(&s, &before);
}
