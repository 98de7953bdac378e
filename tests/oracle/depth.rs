//! Market depth measured by the feeders: reported with each price, aggregated as the lower
//! median of a quorum of fresh reports, exported with the price while fresh.
use breakwater_testing::{dec, SuiteBuilder};
use breakwater_types::oracle::{ExecuteMsg, PriceSubmission};
use cosmwasm_std::{to_json_binary, Uint128, WasmMsg};
use cw_multi_test::Executor;

fn u(x: u128) -> Option<Uint128> {
    Some(Uint128::new(x))
}

#[test]
fn the_oracle_exports_the_lower_median_of_a_quorum_of_depth_reports() {
    let mut s = SuiteBuilder::new().build();
    assert_eq!(s.oracle_price("uatom").unwrap().depth, None);
    s.advance_time(5);
    s.feed_with_depth(
        "uatom",
        dec("10"),
        &[7_000_000_000, 5_000_000_000, 6_000_000_000],
    );
    let p = s.oracle_price("uatom").unwrap();
    assert_eq!(p.depth, u(6_000_000_000));
    assert_eq!(p.depth_measured_at, Some(s.now()));
    // The third feeder's new price comes without a depth: its report is withdrawn, and an
    // even count takes the lower of the two middle reports.
    s.advance_time(5);
    s.feed_with_depth("uatom", dec("10"), &[7_000_000_000, 5_000_000_000]);
    assert_eq!(s.oracle_price("uatom").unwrap().depth, u(5_000_000_000));
    // A third, low report does not lower the median of three.
    let f = s.feeders[2].clone();
    s.submit_price_with_depth(&f, "uatom", dec("10"), 1_000_000_000)
        .unwrap();
    assert_eq!(s.oracle_price("uatom").unwrap().depth, u(5_000_000_000));
    // The price is medianized as before, whatever the depth reports.
    assert_eq!(s.oracle_price("uatom").unwrap().median, dec("10"));
}

#[test]
fn depth_needs_a_quorum_of_fresh_reports() {
    let mut s = SuiteBuilder::new().build();
    s.advance_time(5);
    // One report against a quorum of two: unknown.
    s.feed_with_depth("uatom", dec("10"), &[5_000_000_000]);
    assert_eq!(s.oracle_price("uatom").unwrap().depth, None);
    s.feed_with_depth("uatom", dec("10"), &[5_000_000_000, 4_000_000_000]);
    assert_eq!(s.oracle_price("uatom").unwrap().depth, u(4_000_000_000));
    // Reports age out with max_age (60 s) when nothing new comes.
    let measured = s.now();
    s.advance_time(60);
    assert_eq!(s.oracle_price("uatom").unwrap().depth, u(4_000_000_000));
    assert_eq!(
        s.oracle_price("uatom").unwrap().depth_measured_at,
        Some(measured)
    );
    s.advance_time(1);
    assert_eq!(s.oracle_price("uatom").unwrap().depth, None);
    // New prices without a depth withdraw the reports at once.
    s.advance_time(5);
    s.feed_with_depth("uatom", dec("10"), &[5_000_000_000, 4_000_000_000]);
    assert!(s.oracle_price("uatom").unwrap().depth.is_some());
    s.advance_time(5);
    s.feed("uatom", dec("10"));
    let p = s.oracle_price("uatom").unwrap();
    assert_eq!((p.depth, p.depth_measured_at), (None, None));
    assert_eq!(p.median, dec("10"));
}

#[test]
fn a_submission_without_depth_keeps_its_old_json() {
    let mut s = SuiteBuilder::new().build();
    s.advance_time(5);
    let f = s.feeders[0].clone();
    let msg = WasmMsg::Execute {
        contract_addr: s.oracle.to_string(),
        msg: br#"{"submit_prices":{"prices":[{"denom":"uatom","price":"11"}]}}"#
            .to_vec()
            .into(),
        funds: vec![],
    };
    s.app.execute(f, msg.into()).unwrap();
    let typed = ExecuteMsg::SubmitPrices {
        prices: vec![PriceSubmission {
            denom: "uatom".to_string(),
            price: dec("11"),
            depth: None,
        }],
    };
    assert!(String::from_utf8(to_json_binary(&typed).unwrap().to_vec())
        .unwrap()
        .contains("\"depth\":null"));
    let feeders: breakwater_types::oracle::FeedersResponse = s
        .oracle_query(&breakwater_types::oracle::QueryMsg::Feeders {
            denom: "uatom".to_string(),
        })
        .unwrap();
    assert_eq!(feeders.feeders[0].last_price, Some(dec("11")));
}
