//! Bad submissions are refused with a typed error and change nothing.
use super::{assert_err, snapshot};
use breakwater_testing::{dec, SuiteBuilder};
use breakwater_types::oracle::{
    AssetInit, ExecuteMsg, OracleParams, PriceSubmission, MAX_PRICE, MAX_PRICES_PER_SUBMISSION,
    MIN_PRICE,
};
use cosmwasm_std::{coin, Decimal, Uint128};

#[test]
fn a_price_for_an_unknown_asset_is_refused_and_changes_nothing() {
    let mut suite = SuiteBuilder::new().build();
    let f = suite.feeders[0].clone();
    suite.advance_time(10);
    let before = snapshot(&suite);
    assert_err(
        suite.submit_prices(&f, &[("ufoo", dec("1"))]),
        "unknown asset: ufoo",
    );
    // A valid price next to it is not stored either.
    assert_err(
        suite.submit_prices(&f, &[("uatom", dec("11")), ("ufoo", dec("1"))]),
        "unknown asset: ufoo",
    );
    assert_eq!(snapshot(&suite), before);
}

#[test]
fn a_stranger_cannot_submit_prices() {
    let mut suite = SuiteBuilder::new().build();
    let stranger = suite.addr("stranger");
    suite.advance_time(10);
    let before = snapshot(&suite);
    assert_err(
        suite.submit_prices(&stranger, &[("uatom", dec("11"))]),
        "is not a feeder of uatom",
    );
    assert_eq!(snapshot(&suite), before);
}

#[test]
fn a_feeder_must_feed_every_asset_it_names() {
    let mut suite = SuiteBuilder::new().build();
    let (owner, f0, f1) = (
        suite.owner.clone(),
        suite.feeders[0].clone(),
        suite.feeders[1].clone(),
    );
    suite
        .oracle_execute(
            &owner,
            &ExecuteMsg::AddAsset(AssetInit {
                denom: "ubtc".to_string(),
                params: OracleParams::default(),
                feeders: vec![f0.to_string()],
            }),
            &[],
        )
        .unwrap();
    suite.advance_time(10);
    let before = snapshot(&suite);
    assert_err(
        suite.submit_prices(&f1, &[("uatom", dec("11")), ("ubtc", dec("60000"))]),
        "is not a feeder of ubtc",
    );
    assert_eq!(snapshot(&suite), before);
    // Its own feeder may.
    suite
        .submit_prices(&f0, &[("uatom", dec("10")), ("ubtc", dec("60000"))])
        .unwrap();
}

#[test]
fn a_zero_price_is_refused_with_its_own_error() {
    let mut suite = SuiteBuilder::new().build();
    let f = suite.feeders[0].clone();
    suite.advance_time(10);
    let before = snapshot(&suite);
    assert_err(
        suite.submit_prices(&f, &[("uatom", Decimal::zero())]),
        "zero price submitted for uatom",
    );
    assert_eq!(snapshot(&suite), before);
}

#[test]
fn absurd_prices_are_refused() {
    let mut suite = SuiteBuilder::new().build();
    let f = suite.feeders[0].clone();
    suite.advance_time(10);
    let before = snapshot(&suite);
    let atom = Decimal::new(Uint128::new(1));
    for price in [MAX_PRICE + atom, MIN_PRICE - atom, dec("1000000000000000")] {
        assert_err(
            suite.submit_prices(&f, &[("ueth", price)]),
            "price out of range for ueth",
        );
    }
    assert_eq!(snapshot(&suite), before);
    // The bounds themselves are accepted.
    suite.submit_prices(&f, &[("uosmo", MIN_PRICE)]).unwrap();
    suite.submit_prices(&f, &[("ueth", MAX_PRICE)]).unwrap();
}

#[test]
fn the_same_asset_twice_in_one_submission_is_refused() {
    let mut suite = SuiteBuilder::new().build();
    let f = suite.feeders[0].clone();
    suite.advance_time(10);
    let before = snapshot(&suite);
    assert_err(
        suite.submit_prices(&f, &[("uatom", dec("11")), ("uatom", dec("12"))]),
        "duplicate denom in one message: uatom",
    );
    assert_eq!(snapshot(&suite), before);
}

#[test]
fn an_empty_or_oversized_submission_is_refused() {
    let mut suite = SuiteBuilder::new().build();
    let f = suite.feeders[0].clone();
    suite.advance_time(10);
    let before = snapshot(&suite);
    assert_err(suite.submit_prices(&f, &[]), "empty submission");
    let many = ExecuteMsg::SubmitPrices {
        prices: (0..=MAX_PRICES_PER_SUBMISSION)
            .map(|i| PriceSubmission {
                denom: format!("udenom{i}"),
                price: dec("1"),
                depth: None,
            })
            .collect(),
    };
    assert_err(
        suite.oracle_execute(&f, &many, &[]),
        "too many prices in one submission",
    );
    assert_eq!(snapshot(&suite), before);
}

#[test]
fn attached_funds_are_refused_on_every_message() {
    let mut suite = SuiteBuilder::new().build();
    let (owner, f) = (suite.owner.clone(), suite.feeders[0].clone());
    let funds = [coin(1_000, "uusdc")];
    suite.fund(&f, &funds);
    suite.fund(&owner, &funds);
    suite.advance_time(10);
    let before = snapshot(&suite);
    let submit = ExecuteMsg::SubmitPrices {
        prices: vec![PriceSubmission {
            denom: "uatom".to_string(),
            price: dec("11"),
            depth: None,
        }],
    };
    assert_err(suite.oracle_execute(&f, &submit, &funds), "accept funds");
    let add = ExecuteMsg::AddFeeders {
        denom: "uatom".to_string(),
        feeders: vec![suite.addr("new").to_string()],
    };
    assert_err(suite.oracle_execute(&owner, &add, &funds), "accept funds");
    assert_eq!(snapshot(&suite), before);
    assert_eq!(suite.balance(&f, "uusdc"), 1_000);
}
