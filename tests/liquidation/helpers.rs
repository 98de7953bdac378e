//! Shared set-up and assertions of the liquidation tests.
pub use crate::common::{assert_err, f, liquidate_once_trusted, stranger};
use breakwater_testing::{dec, Suite, SuiteBuilder};
use breakwater_types::liquidator::AuctionParams;
use breakwater_types::market::{CollateralResponse, LiquidationParams, QueryMsg};
use cosmwasm_std::{Addr, Decimal, Uint128};
use cw_multi_test::AppResponse;

pub use crate::common::{ATOM, DENOMS, ETH, OSMO, USDC, YEAR};

/// What the lender supplies in most tests.
pub const SUPPLY: u128 = 50_000_000_000;

/// The Suite's default liquidation parameters.
pub fn default_params() -> LiquidationParams {
    breakwater_testing::default_liquidation_params()
}

/// The Suite's default auction parameters with a fixed cap `hole`.
pub fn auction_with_hole(hole: u128) -> AuctionParams {
    AuctionParams {
        hole: Some(Uint128::new(hole)),
        ..breakwater_testing::default_auction_params()
    }
}

/// Default parameters with another hard floor.
pub fn with_hard_floor(hf: &str) -> LiquidationParams {
    LiquidationParams {
        hard_floor_health_factor: dec(hf),
        ..default_params()
    }
}

/// A Suite from `builder` where the lender has supplied [`SUPPLY`].
pub fn lent(builder: SuiteBuilder) -> Suite {
    let mut suite = builder.build();
    let lender = suite.lender.clone();
    suite.supply(&lender, SUPPLY).unwrap();
    suite
}

/// The value of attribute `key` in the wasm event of `contract` with `action = action`.
pub fn attr_of(res: &AppResponse, contract: &Addr, action: &str, key: &str) -> Option<String> {
    res.events
        .iter()
        .filter(|e| e.ty == "wasm")
        .filter(|e| {
            e.attributes
                .iter()
                .any(|a| a.key == "_contract_address" && a.value == contract.as_str())
        })
        .filter(|e| {
            e.attributes
                .iter()
                .any(|a| a.key == "action" && a.value == action)
        })
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key == key)
        .map(|a| a.value.clone())
}

/// An attribute of the market's `liquidate` event.
pub fn liq_attr(suite: &Suite, res: &AppResponse, key: &str) -> String {
    attr_of(res, &suite.market, "liquidate", key)
        .unwrap_or_else(|| panic!("no liquidate attribute {key}: {:?}", res.events))
}

/// An attribute of the market's `liquidate` event, as a number.
pub fn liq_num(suite: &Suite, res: &AppResponse, key: &str) -> u128 {
    liq_attr(suite, res, key).parse().unwrap()
}

/// The custom event of type `wasm-<ty>`, if any.
pub fn custom_event<'a>(res: &'a AppResponse, ty: &str) -> Option<&'a cosmwasm_std::Event> {
    let full = format!("wasm-{ty}");
    res.events.iter().find(|e| e.ty == full)
}

/// An attribute of a custom event.
pub fn event_attr(e: &cosmwasm_std::Event, key: &str) -> String {
    e.attributes
        .iter()
        .find(|a| a.key == key)
        .map(|a| a.value.clone())
        .unwrap_or_else(|| panic!("no {key} in {e:?}"))
}

/// The total supply of every denom the tests use (sum over every address the Suite knows).
pub fn supplies(suite: &Suite) -> Vec<u128> {
    DENOMS.iter().map(|d| suite.total_supply(d)).collect()
}

/// Asserts no token was created or lost since `before`.
pub fn assert_conserved(suite: &Suite, before: &[u128]) {
    assert_eq!(supplies(suite), before, "total supply per denom {DENOMS:?}");
}

/// Asserts the market's books:
/// - `cash + total_borrowed + debt_in_auction + backstop_debt >= total_supplied + reserves`;
/// - `backstop_due` and `backstop_debt` are never both positive;
/// - `cash` is the market's bank balance of the base asset;
/// - each collateral's `total_deposited` is the market's bank balance of it.
pub fn assert_books(suite: &Suite) {
    let s = suite.market_state();
    let lhs =
        s.cash.u128() + s.total_borrowed.u128() + s.debt_in_auction.u128() + s.backstop_debt.u128();
    let rhs = s.total_supplied.u128() + s.reserves.u128();
    assert!(lhs >= rhs, "books: {lhs} < {rhs}: {s:?}");
    assert!(s.backstop_due <= s.reserves, "{s:?}");
    assert!(
        s.backstop_due.is_zero() || s.backstop_debt.is_zero(),
        "{s:?}"
    );
    assert_eq!(s.cash.u128(), suite.balance(&suite.market, USDC), "cash");
    for d in [ATOM, OSMO, ETH] {
        let c: CollateralResponse = suite
            .market_query(&QueryMsg::Collateral {
                denom: d.to_string(),
            })
            .unwrap();
        assert_eq!(
            c.total_deposited.u128(),
            suite.balance(&suite.market, d),
            "{d} deposits"
        );
    }
}

/// The borrower's health factor (panics without debt).
pub fn hf(suite: &Suite, who: &Addr) -> Decimal {
    suite.account(who).health_factor.expect("debt")
}

/// Lets `secs` pass without feeding (prices go stale), then feeds every collateral's last
/// median again for 330 s so every price is active again.
pub fn age(suite: &mut Suite, secs: u64) {
    suite.advance_time(secs);
    for d in [ATOM, OSMO, ETH] {
        let p = suite.oracle_price(d).unwrap().median;
        suite.feed(d, p);
    }
    suite.advance_time_feeding(330);
}

/// Units of `denom` the backstop pool holds (0 when none).
pub fn pool_held(s: &Suite, denom: &str) -> u128 {
    s.backstop_pool()
        .collateral
        .iter()
        .find(|c| c.denom == denom)
        .map_or(0, |c| c.amount.u128())
}
