//! Owner messages, ownership, listing and feeder management, queries and migration.
use super::{assert_err, snapshot};
use breakwater_testing::{dec, Suite, SuiteBuilder};
use breakwater_types::oracle::{
    AssetInit, AssetResponse, AssetsResponse, ConfigResponse, ExecuteMsg, FeedersResponse,
    OracleParams, OracleStatus, PricesResponse, QueryMsg, MAX_FEEDERS_PER_ASSET,
};
use breakwater_types::ownership::OwnershipMsg;
use breakwater_types::MigrateMsg;
use cosmwasm_std::Addr;
use cw_multi_test::Executor;

fn asset_init(suite: &Suite, denom: &str) -> AssetInit {
    AssetInit {
        denom: denom.to_string(),
        params: OracleParams {
            min_feeders: 2,
            ..OracleParams::default()
        },
        feeders: suite.feeders.iter().map(|f| f.to_string()).collect(),
    }
}

fn feeders_of(suite: &Suite, denom: &str) -> FeedersResponse {
    suite
        .oracle_query(&QueryMsg::Feeders {
            denom: denom.to_string(),
        })
        .unwrap()
}

fn assets_page(suite: &Suite, start_after: Option<&str>, limit: Option<u32>) -> Vec<String> {
    let page: AssetsResponse = suite
        .oracle_query(&QueryMsg::Assets {
            start_after: start_after.map(str::to_string),
            limit,
        })
        .unwrap();
    page.assets.into_iter().map(|a| a.denom).collect()
}

fn prices_page(suite: &Suite, start_after: Option<&str>, limit: Option<u32>) -> Vec<String> {
    let page: PricesResponse = suite
        .oracle_query(&QueryMsg::Prices {
            start_after: start_after.map(str::to_string),
            limit,
        })
        .unwrap();
    page.prices.into_iter().map(|p| p.denom).collect()
}

#[test]
fn every_owner_message_is_refused_from_a_stranger() {
    let mut suite = SuiteBuilder::new().build();
    let stranger = suite.addr("stranger");
    let before = snapshot(&suite);
    let msgs = [
        ExecuteMsg::AddAsset(asset_init(&suite, "ubtc")),
        ExecuteMsg::RemoveAsset {
            denom: "uatom".to_string(),
        },
        ExecuteMsg::UpdateAssetParams {
            denom: "uatom".to_string(),
            params: OracleParams::default(),
        },
        ExecuteMsg::AddFeeders {
            denom: "uatom".to_string(),
            feeders: vec![stranger.to_string()],
        },
        ExecuteMsg::RemoveFeeders {
            denom: "uatom".to_string(),
            feeders: vec![suite.feeders[0].to_string()],
        },
        ExecuteMsg::Ownership(OwnershipMsg::TransferOwnership {
            new_owner: stranger.to_string(),
        }),
    ];
    for msg in &msgs {
        assert_err(
            suite.oracle_execute(&stranger, msg, &[]),
            "unauthorized: only the owner may do this",
        );
    }
    // A feeder is no owner either.
    let feeder = suite.feeders[0].clone();
    assert_err(
        suite.oracle_execute(&feeder, &msgs[1], &[]),
        "unauthorized: only the owner may do this",
    );
    assert_err(
        suite.oracle_execute(
            &stranger,
            &ExecuteMsg::Ownership(OwnershipMsg::AcceptOwnership {}),
            &[],
        ),
        "no ownership transfer is pending",
    );
    assert_eq!(snapshot(&suite), before);
}

#[test]
fn ownership_moves_in_two_steps() {
    let mut suite = SuiteBuilder::new().build();
    let (owner, next, stranger) = (
        suite.owner.clone(),
        suite.addr("next_owner"),
        suite.addr("stranger"),
    );
    suite
        .oracle_execute(
            &owner,
            &ExecuteMsg::Ownership(OwnershipMsg::TransferOwnership {
                new_owner: next.to_string(),
            }),
            &[],
        )
        .unwrap();
    let config: ConfigResponse = suite.oracle_query(&QueryMsg::Config {}).unwrap();
    assert_eq!(config.owner, owner.to_string());
    assert_eq!(config.pending_owner, Some(next.to_string()));

    // Until accepted, the old owner is still the owner and the proposed one is not.
    let add = ExecuteMsg::AddAsset(asset_init(&suite, "ubtc"));
    assert_err(
        suite.oracle_execute(&next, &add, &[]),
        "unauthorized: only the owner may do this",
    );
    assert_err(
        suite.oracle_execute(
            &stranger,
            &ExecuteMsg::Ownership(OwnershipMsg::AcceptOwnership {}),
            &[],
        ),
        "only the pending owner may accept",
    );
    suite
        .oracle_execute(
            &next,
            &ExecuteMsg::Ownership(OwnershipMsg::AcceptOwnership {}),
            &[],
        )
        .unwrap();
    let config: ConfigResponse = suite.oracle_query(&QueryMsg::Config {}).unwrap();
    assert_eq!(config.owner, next.to_string());
    assert_eq!(config.pending_owner, None);

    assert_err(
        suite.oracle_execute(&owner, &add, &[]),
        "unauthorized: only the owner may do this",
    );
    suite.oracle_execute(&next, &add, &[]).unwrap();
}

#[test]
fn adding_an_asset_lists_it_without_a_price_until_a_quorum_feeds_it() {
    let mut suite = SuiteBuilder::new().build();
    let owner = suite.owner.clone();
    let add = ExecuteMsg::AddAsset(asset_init(&suite, "ubtc"));
    let res = suite.oracle_execute(&owner, &add, &[]).unwrap();
    assert!(res.events.iter().any(|e| e
        .attributes
        .iter()
        .any(|a| a.key == "action" && a.value == "add_asset")));
    assert_err(
        suite.oracle_execute(&owner, &add, &[]),
        "asset already listed: ubtc",
    );

    let asset: AssetResponse = suite
        .oracle_query(&QueryMsg::Asset {
            denom: "ubtc".to_string(),
        })
        .unwrap();
    assert_eq!(asset.feeder_count, 3);
    assert_eq!(asset.params.min_feeders, 2);
    assert_err(suite.oracle_price("ubtc"), "no price yet for ubtc");
    // Listed but unpriced assets are left out of the price pages.
    assert_eq!(prices_page(&suite, None, None), ["uatom", "ueth", "uosmo"]);

    suite.feed("ubtc", dec("60000"));
    let p = suite.oracle_price("ubtc").unwrap();
    assert_eq!(p.median, dec("60000"));
    // The first price has no history to be compared with: active at once.
    assert_eq!(p.status, OracleStatus::Active {});
}

#[test]
fn invalid_assets_and_parameters_are_refused() {
    let mut suite = SuiteBuilder::new().build();
    let owner = suite.owner.clone();
    let before = snapshot(&suite);
    let mut bad_params = asset_init(&suite, "ubtc");
    bad_params.params.max_deviation = dec("0");
    assert_err(
        suite.oracle_execute(&owner, &ExecuteMsg::AddAsset(bad_params), &[]),
        "invalid parameter `max_deviation`",
    );
    let mut dup = asset_init(&suite, "ubtc");
    dup.feeders.push(dup.feeders[0].clone());
    assert_err(
        suite.oracle_execute(&owner, &ExecuteMsg::AddAsset(dup), &[]),
        "duplicate feeder",
    );
    let mut too_many = asset_init(&suite, "ubtc");
    too_many.feeders = (0..=MAX_FEEDERS_PER_ASSET)
        .map(|i| suite.addr(&format!("f{i}")).to_string())
        .collect();
    assert_err(
        suite.oracle_execute(&owner, &ExecuteMsg::AddAsset(too_many), &[]),
        "too many feeders for ubtc",
    );
    assert_err(
        suite.oracle_execute(&owner, &ExecuteMsg::AddAsset(asset_init(&suite, "")), &[]),
        "invalid denom",
    );
    let update = ExecuteMsg::UpdateAssetParams {
        denom: "uatom".to_string(),
        params: OracleParams {
            twap_capacity: 1,
            ..OracleParams::default()
        },
    };
    assert_err(
        suite.oracle_execute(&owner, &update, &[]),
        "invalid parameter `twap_capacity`",
    );
    let unknown = ExecuteMsg::UpdateAssetParams {
        denom: "ubtc".to_string(),
        params: OracleParams::default(),
    };
    assert_err(
        suite.oracle_execute(&owner, &unknown, &[]),
        "unknown asset: ubtc",
    );
    assert_eq!(snapshot(&suite), before);
}

#[test]
fn removing_an_asset_deletes_its_history() {
    let mut suite = SuiteBuilder::new().build();
    let (owner, f) = (suite.owner.clone(), suite.feeders[0].clone());
    let remove = ExecuteMsg::RemoveAsset {
        denom: "uatom".to_string(),
    };
    suite.oracle_execute(&owner, &remove, &[]).unwrap();
    assert_err(suite.oracle_price("uatom"), "unknown asset: uatom");
    assert_eq!(assets_page(&suite, None, None), ["ueth", "uosmo"]);
    assert_eq!(prices_page(&suite, None, None), ["ueth", "uosmo"]);
    assert_err(
        suite.submit_prices(&f, &[("uatom", dec("10"))]),
        "unknown asset: uatom",
    );
    assert_err(
        suite.oracle_execute(&owner, &remove, &[]),
        "unknown asset: uatom",
    );

    // Listed again it starts from nothing: no price, no submissions.
    let add = ExecuteMsg::AddAsset(asset_init(&suite, "uatom"));
    suite.oracle_execute(&owner, &add, &[]).unwrap();
    assert_err(suite.oracle_price("uatom"), "no price yet for uatom");
    assert!(feeders_of(&suite, "uatom")
        .feeders
        .iter()
        .all(|i| i.last_price.is_none() && i.last_submitted.is_none()));
    suite.advance_time(5);
    suite.feed("uatom", dec("20"));
    let p = suite.oracle_price("uatom").unwrap();
    assert_eq!((p.median, p.twap), (dec("20"), dec("20")));
    assert_eq!(p.status, OracleStatus::Active {});
}

#[test]
fn removed_feeders_lose_their_submissions_and_their_say() {
    let mut suite = SuiteBuilder::new().build();
    let owner = suite.owner.clone();
    let f = suite.feeders.clone();
    let before = feeders_of(&suite, "uatom");
    assert_eq!(before.feeders.len(), 3);
    assert!(before
        .feeders
        .iter()
        .all(|i| i.last_price == Some(dec("10")) && i.last_submitted == Some(suite.now())));

    let remove = ExecuteMsg::RemoveFeeders {
        denom: "uatom".to_string(),
        feeders: vec![f[2].to_string()],
    };
    suite.oracle_execute(&owner, &remove, &[]).unwrap();
    let after = feeders_of(&suite, "uatom");
    let addrs: Vec<String> = after.feeders.iter().map(|i| i.address.clone()).collect();
    assert_eq!(addrs.len(), 2);
    assert!(!addrs.contains(&f[2].to_string()));
    // Addresses are in order.
    let mut sorted = addrs.clone();
    sorted.sort();
    assert_eq!(addrs, sorted);

    assert_err(
        suite.submit_prices(&f[2], &[("uatom", dec("10"))]),
        "is not a feeder of uatom",
    );
    assert_err(suite.oracle_execute(&owner, &remove, &[]), "unknown feeder");
    // Still a feeder of the other assets.
    suite
        .submit_prices(&f[2], &[("ueth", dec("3000"))])
        .unwrap();

    suite.advance_time(10);
    suite
        .submit_prices(&f[0], &[("uatom", dec("10.2"))])
        .unwrap();
    let p = suite.oracle_price("uatom").unwrap();
    let mut expected = vec![f[0].to_string(), f[1].to_string()];
    expected.sort();
    assert_eq!(p.feeders_used, expected);
    assert_eq!(p.median, dec("10.1"));
}

#[test]
fn added_feeders_are_deduplicated_and_capped() {
    let mut suite = SuiteBuilder::new().build();
    let owner = suite.owner.clone();
    let newcomer = suite.addr("newcomer");
    let add = ExecuteMsg::AddFeeders {
        denom: "uatom".to_string(),
        feeders: vec![
            newcomer.to_string(),
            newcomer.to_string(),
            suite.feeders[0].to_string(),
        ],
    };
    suite.oracle_execute(&owner, &add, &[]).unwrap();
    let asset: AssetResponse = suite
        .oracle_query(&QueryMsg::Asset {
            denom: "uatom".to_string(),
        })
        .unwrap();
    assert_eq!(asset.feeder_count, 4);
    let info = feeders_of(&suite, "uatom");
    let fresh = info
        .feeders
        .iter()
        .find(|i| i.address == newcomer.to_string())
        .unwrap();
    assert_eq!((fresh.last_price, fresh.last_submitted), (None, None));
    suite
        .submit_prices(&newcomer, &[("uatom", dec("10"))])
        .unwrap();

    let crowd: Vec<String> = (0..MAX_FEEDERS_PER_ASSET)
        .map(|i| suite.addr(&format!("crowd{i}")).to_string())
        .collect();
    let before = snapshot(&suite);
    assert_err(
        suite.oracle_execute(
            &owner,
            &ExecuteMsg::AddFeeders {
                denom: "uatom".to_string(),
                feeders: crowd,
            },
            &[],
        ),
        "too many feeders for uatom",
    );
    assert_err(
        suite.oracle_execute(
            &owner,
            &ExecuteMsg::AddFeeders {
                denom: "uatom".to_string(),
                feeders: vec![],
            },
            &[],
        ),
        "no feeders given",
    );
    assert_err(
        suite.oracle_execute(
            &owner,
            &ExecuteMsg::AddFeeders {
                denom: "ufoo".to_string(),
                feeders: vec![newcomer.to_string()],
            },
            &[],
        ),
        "unknown asset: ufoo",
    );
    assert_eq!(snapshot(&suite), before);
}

#[test]
fn assets_and_prices_are_paginated_by_denom() {
    let mut suite = SuiteBuilder::new().build();
    let owner = suite.owner.clone();
    for denom in ["uaaa", "uzzz"] {
        let add = ExecuteMsg::AddAsset(asset_init(&suite, denom));
        suite.oracle_execute(&owner, &add, &[]).unwrap();
    }
    suite.feed("uzzz", dec("1"));

    assert_eq!(
        assets_page(&suite, None, None),
        ["uaaa", "uatom", "ueth", "uosmo", "uzzz"]
    );
    assert_eq!(assets_page(&suite, None, Some(2)), ["uaaa", "uatom"]);
    assert_eq!(
        assets_page(&suite, Some("uatom"), Some(2)),
        ["ueth", "uosmo"]
    );
    assert_eq!(assets_page(&suite, Some("uosmo"), Some(2)), ["uzzz"]);
    assert!(assets_page(&suite, Some("uzzz"), None).is_empty());
    // A zero limit still returns one item.
    assert_eq!(assets_page(&suite, None, Some(0)), ["uaaa"]);

    // uaaa has no price and is skipped.
    assert_eq!(
        prices_page(&suite, None, None),
        ["uatom", "ueth", "uosmo", "uzzz"]
    );
    assert_eq!(prices_page(&suite, None, Some(2)), ["uatom", "ueth"]);
    assert_eq!(
        prices_page(&suite, Some("ueth"), Some(2)),
        ["uosmo", "uzzz"]
    );
    assert_eq!(prices_page(&suite, Some("a"), Some(1)), ["uatom"]);
}

#[test]
fn queries_about_unknown_assets_fail_clearly() {
    let suite = SuiteBuilder::new().build();
    assert_err(suite.oracle_price("ufoo"), "unknown asset: ufoo");
    assert_err(
        suite.oracle_query::<FeedersResponse>(&QueryMsg::Feeders {
            denom: "ufoo".to_string(),
        }),
        "unknown asset: ufoo",
    );
    assert_err(
        suite.oracle_query::<AssetResponse>(&QueryMsg::Asset {
            denom: "ufoo".to_string(),
        }),
        "unknown asset: ufoo",
    );
}

#[test]
fn migrating_to_the_same_code_keeps_the_state() {
    let mut suite = SuiteBuilder::new().build();
    let owner = suite.owner.clone();
    let oracle: Addr = suite.oracle.clone();
    let code_id = suite
        .app
        .wrap()
        .query_wasm_contract_info(oracle.to_string())
        .unwrap()
        .code_id;
    let before = snapshot(&suite);
    suite
        .app
        .migrate_contract(owner, oracle, &MigrateMsg {}, code_id)
        .unwrap();
    assert_eq!(snapshot(&suite), before);
}
