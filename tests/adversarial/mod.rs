//! Attack catalogue: one test per attack, each with a doc comment on the threat and on why
//! Breakwater holds. `SECURITY.md` cites these tests by name.
//!
//! | file | attacks |
//! |---|---|
//! | `oracle.rs` | lying and colluding feeders, stale feeds, wicks, breaker abuse |
//! | `liquidation.rs` | self-liquidation, healthy accounts, dust positions, parameter changes |
//! | `auctions.rs` | reset spam, bid sniping, tiny bids, flash callbacks, re-entry |
//! | `pools.rs` | share inflation (market, backstop), exits before a loss, rounding loops |
//! | `inputs.rs` | amounts near `u128::MAX`, wrong or missing funds |
//! | `access.rs` | privileged messages from strangers, migration |
//! | `backstop.rs` | flash deposits, just-in-time deposits, withdrawals cut by `Resell` |
//! | `resets.rs` | reset rewards on dust lots and while bids are halted |
//! | `config.rs` | auction parameters without a floor window, backstop swaps under resales |
//! | `feeders.rs` | volatility inflated by one feeder, a liar next to a stale honest feeder |
//! | `risk.rs` | forged or stale risk snapshots, debt counted twice by the risk crank |
//!
//! Tests that document a genuine vulnerability assert the safe behaviour and are marked
//! `#[ignore = "BUG: …"]`.
mod access;
mod auctions;
mod backstop;
mod config;
mod feeders;
mod inputs;
mod liquidation;
mod oracle;
mod pools;
mod resets;
mod risk;

pub use crate::common::{assert_err, attr, liquidate_once_trusted, stranger};
use breakwater_testing::{dec, default_liquidation_params, Suite, SuiteBuilder};
use breakwater_types::market::{CollateralResponse, QueryMsg as MarketQuery};
use cosmwasm_std::{Addr, Binary, Deps, DepsMut, Empty, Env, MessageInfo, Response, StdResult};
use cosmwasm_std::{CosmosMsg, Decimal, Uint128};
use cw_multi_test::{AppResponse, ContractWrapper, Executor};

pub use crate::common::{ATOM, DENOMS, ETH, OSMO, USDC, YEAR};
/// What the lender supplies to the market in most attacks.
pub const SUPPLY: u128 = 1_000_000_000_000;
/// The victim position of most liquidation attacks: 1,000 ATOM against 6,500 USDC.
pub const COLLATERAL: u128 = 1_000_000_000;
pub const DEBT: u128 = 6_500_000_000;

/// A Suite from `builder` in which the lender has supplied [`SUPPLY`].
pub fn lent(builder: SuiteBuilder) -> Suite {
    let mut s = builder.build();
    let lender = s.lender.clone();
    s.supply(&lender, SUPPLY).unwrap();
    s
}

/// A Suite where the borrower holds [`COLLATERAL`] ATOM (at 10) against [`DEBT`], ATOM then
/// falls to 8.5 (HF ≈ 0.915: above the hard floor, not toxic) and the keeper liquidates.
/// Returns the Suite and the auction id (tab ≈ 2,778 USDC, lot ≈ 343 ATOM, top 9.35, floor 6.8).
pub fn liquidated(builder: SuiteBuilder) -> (Suite, u64) {
    let mut s = underwater(builder);
    let (keeper, borrower) = (s.keeper.clone(), s.borrower.clone());
    let res = s.liquidate(&keeper, &borrower).unwrap();
    let id = attr(&res, "auction_id")
        .expect("the liquidation started an auction")
        .parse()
        .unwrap();
    (s, id)
}

/// [`liquidated`] before the liquidation: the borrower's account at HF ≈ 0.915.
pub fn underwater(builder: SuiteBuilder) -> Suite {
    let mut s = lent(builder);
    let borrower = s.borrower.clone();
    s.open_position(&borrower, ATOM, COLLATERAL, DEBT);
    s.advance_time_feeding(30);
    s.feed(ATOM, dec("8.5"));
    s
}

/// Lets `secs` pass without feeding (prices go stale), then re-feeds every collateral's last
/// median for 330 s, so that every price is active again (past the oracle's 300 s cooldown).
pub fn age(s: &mut Suite, secs: u64) {
    s.advance_time(secs);
    for d in [ATOM, OSMO, ETH] {
        let p = s.oracle_price(d).unwrap().median;
        s.feed(d, p);
    }
    s.advance_time_feeding(330);
}

/// Total supply of every denom over the addresses the Suite knows.
pub fn supplies(s: &Suite) -> Vec<u128> {
    DENOMS.iter().map(|d| s.total_supply(d)).collect()
}

/// Asserts no token was created or lost since `before` (per denom of [`DENOMS`]).
pub fn assert_conserved(s: &Suite, before: &[u128]) {
    assert_eq!(supplies(s), before, "total supply of {DENOMS:?}");
}

/// Asserts the market's books: `cash + total_borrowed + debt_in_auction + backstop_debt >=
/// total_supplied + reserves`, `cash` equals its bank balance of base, and each collateral's
/// `total_deposited` equals its bank balance of that collateral.
pub fn assert_books(s: &Suite) {
    let st = s.market_state();
    let lhs = st.cash.u128()
        + st.total_borrowed.u128()
        + st.debt_in_auction.u128()
        + st.backstop_debt.u128();
    let rhs = st.total_supplied.u128() + st.reserves.u128();
    assert!(lhs >= rhs, "books: {lhs} < {rhs}: {st:?}");
    assert_eq!(st.cash.u128(), s.balance(&s.market, USDC), "cash");
    for d in [ATOM, OSMO, ETH] {
        let c: CollateralResponse = s
            .market_query(&MarketQuery::Collateral {
                denom: d.to_string(),
            })
            .unwrap();
        assert_eq!(c.total_deposited.u128(), s.balance(&s.market, d), "{d}");
    }
}

/// Everything `who` owns, in base units at the oracle medians now: wallet balances, market
/// collateral and supply, minus market debt. Each denom is valued once (one rounding).
pub fn wealth(s: &Suite, whos: &[&Addr]) -> i128 {
    let mut base: i128 = 0;
    let mut units = [0u128; 3];
    for who in whos {
        base += s.balance(who, USDC) as i128;
        base += s.supplier(who).assets.u128() as i128;
        let account = s.account(who);
        base -= account.debt.u128() as i128;
        for (i, d) in [ATOM, OSMO, ETH].iter().enumerate() {
            units[i] += s.balance(who, d);
            units[i] += account
                .collaterals
                .iter()
                .filter(|c| c.denom == *d)
                .map(|c| c.amount.u128())
                .sum::<u128>();
        }
    }
    for (i, d) in [ATOM, OSMO, ETH].iter().enumerate() {
        let p = s.oracle_price(d).unwrap().median;
        base += Uint128::new(units[i]).mul_floor(p).u128() as i128;
    }
    base
}

/// The value of attribute `key` in the `wasm` event of `contract` whose `action` is `action`.
pub fn attr_of(res: &AppResponse, contract: &Addr, action: &str, key: &str) -> Option<String> {
    res.events
        .iter()
        .filter(|e| e.ty == "wasm")
        .filter(|e| {
            let has = |k: &str, v: &str| e.attributes.iter().any(|a| a.key == k && a.value == v);
            has("_contract_address", contract.as_str()) && has("action", action)
        })
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key == key)
        .map(|a| a.value.clone())
}

/// An attribute of the market's `liquidate` event (panics without one).
pub fn liq_attr(s: &Suite, res: &AppResponse, key: &str) -> String {
    attr_of(res, &s.market, "liquidate", key)
        .unwrap_or_else(|| panic!("no liquidate attribute {key}: {:?}", res.events))
}

/// A new address funded with `coins`.
pub fn funded(s: &mut Suite, name: &str, coins: &[(u128, &str)]) -> Addr {
    let who = s.addr(name);
    let coins: Vec<_> = coins
        .iter()
        .map(|(a, d)| cosmwasm_std::coin(*a, *d))
        .collect();
    s.fund(&who, &coins);
    who
}

// A hostile flash receiver: on `BreakwaterFlash` it first sends the message it was instantiated
// with (any `CosmosMsg`: a re-entering `Reset`, an early `FinishFlash`, a `BuyAtFloor` ...),
// then pays what it owes. It needs no storage crate: the message is kept as raw JSON.
const EVIL_KEY: &[u8] = b"evil";

fn evil_instantiate(deps: DepsMut, _: Env, _: MessageInfo, msg: CosmosMsg) -> StdResult<Response> {
    deps.storage
        .set(EVIL_KEY, &cosmwasm_std::to_json_vec(&msg)?);
    Ok(Response::new())
}

fn evil_execute(
    deps: DepsMut,
    _: Env,
    _: MessageInfo,
    msg: breakwater_types::liquidator::FlashReceiverMsg,
) -> StdResult<Response> {
    let breakwater_types::liquidator::FlashReceiverMsg::BreakwaterFlash {
        owe,
        denom,
        liquidator,
        ..
    } = msg;
    let raw = deps.storage.get(EVIL_KEY).unwrap_or_default();
    let first: CosmosMsg = cosmwasm_std::from_json(raw)?;
    let pay = cosmwasm_std::BankMsg::Send {
        to_address: liquidator,
        amount: vec![cosmwasm_std::coin(owe.u128(), denom)],
    };
    Ok(Response::new().add_message(first).add_message(pay))
}

fn evil_query(_: Deps, _: Env, _: Empty) -> StdResult<Binary> {
    Ok(Binary::default())
}

/// Deploys a hostile flash receiver that sends `first` before paying, funded with `base`.
pub fn deploy_evil_receiver(s: &mut Suite, first: CosmosMsg, base: u128) -> Addr {
    let code = ContractWrapper::new(evil_execute, evil_instantiate, evil_query);
    let id = s.app.store_code(Box::new(code));
    let owner = s.owner.clone();
    let addr = s
        .app
        .instantiate_contract(id, owner, &first, &[], "evil", None)
        .unwrap();
    s.fund(&addr, &[cosmwasm_std::coin(base, USDC)]);
    addr
}
