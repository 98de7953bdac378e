//! Helpers shared by every test module.
use breakwater_testing::Suite;
use cosmwasm_std::{Addr, Decimal};
use cw_multi_test::AppResponse;

/// The Suite's base denom and collaterals.
pub const USDC: &str = "uusdc";
/// Default collateral priced at 10.
pub const ATOM: &str = "uatom";
/// Default collateral priced at 0.5.
pub const OSMO: &str = "uosmo";
/// Default collateral priced at 3,000.
pub const ETH: &str = "ueth";
/// Every denom the Suite mints.
pub const DENOMS: [&str; 4] = [USDC, ATOM, OSMO, ETH];
/// Seconds in the 365-day year of annual rates.
pub const YEAR: u64 = breakwater_types::SECONDS_PER_YEAR;

/// Asserts that `res` failed with an error mentioning `needle`.
pub fn assert_err<T: std::fmt::Debug, E: std::fmt::Display>(res: Result<T, E>, needle: &str) {
    match res {
        Ok(r) => panic!("expected an error containing {needle:?}, got success: {r:?}"),
        Err(e) => {
            let msg = e.to_string();
            assert!(
                msg.contains(needle),
                "expected an error containing {needle:?}, got: {msg}"
            );
        }
    }
}

/// The first value of attribute `key` in any event of `res`.
pub fn attr(res: &AppResponse, key: &str) -> Option<String> {
    res.events
        .iter()
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key == key)
        .map(|a| a.value.clone())
}

/// Keeps every price fed (30 s steps, at most `max_secs`) until `keeper` liquidates `who`:
/// each refusal on the way must be a pause (an oracle or breaker pause above the hard floor: a
/// halted fall is judged once the oracle stands behind it, when the TWAP follows the fall or
/// the halt clears). Returns the response
/// and the seconds waited.
pub fn liquidate_once_trusted(
    s: &mut Suite,
    keeper: &Addr,
    who: &Addr,
    max_secs: u64,
) -> (AppResponse, u64) {
    let mut waited = 0;
    loop {
        match s.liquidate(keeper, who) {
            Ok(res) => return (res, waited),
            Err(e) => {
                let msg = e.to_string();
                assert!(msg.contains("paused"), "{msg}");
                assert!(waited < max_secs, "still refused after {waited} s: {msg}");
            }
        }
        s.advance_time_feeding(30);
        waited += 30;
    }
}

/// An address nobody configured.
pub fn stranger(suite: &Suite) -> Addr {
    suite.addr("stranger")
}

/// A decimal as f64 (for comparisons against reference models).
pub fn f(x: Decimal) -> f64 {
    x.to_string().parse().unwrap()
}
