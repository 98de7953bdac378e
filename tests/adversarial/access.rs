//! Access control: every privileged message of every contract from a stranger, and
//! migration.
use super::*;
use breakwater_testing::{default_auction_params, default_liquidation_params};
use breakwater_types::backstop::{
    self, BackstopParams, ExecuteMsg as BackstopMsg, QueryMsg as BackstopQuery,
};
use breakwater_types::liquidator::{
    self, CollateralAuction, ExecuteMsg as LiquidatorMsg, QueryMsg as LiquidatorQuery, Seller,
};
use breakwater_types::market::{
    self, CollateralParams, CollateralUpdate, CollateralsResponse, ExecuteMsg as MarketMsg,
    LiquidationConfig, MarketParams,
};
use breakwater_types::oracle::{
    self, AssetInit, AssetsResponse, ExecuteMsg as OracleMsg, FeedersResponse, OracleParams,
    PriceSubmission, PricesResponse, QueryMsg as OracleQuery,
};
use breakwater_types::ownership::OwnershipMsg;
use breakwater_types::MigrateMsg;
use cosmwasm_std::{coin, Coin};

/// The error of every owner-only message.
const OWNER_ONLY: &str = "unauthorized: only the owner may do this";

/// Asserts that `msg` was refused with an error containing `error`.
fn refused<M: std::fmt::Debug>(
    res: Result<AppResponse, impl std::fmt::Display>,
    msg: &M,
    error: &str,
) {
    match res {
        Ok(_) => panic!("{msg:?} from a stranger succeeded"),
        Err(e) => {
            let e = e.to_string();
            assert!(e.contains(error), "{msg:?}: expected {error:?}, got {e}");
        }
    }
}

/// A collateral a stranger would like to list.
fn fake_collateral() -> CollateralParams {
    CollateralParams {
        denom: "ufoo".to_string(),
        max_ltv: dec("0.9"),
        liquidation_threshold: dec("0.95"),
        liquidation_penalty: dec("0.01"),
        supply_cap: Uint128::MAX,
        depth: Uint128::MAX,
        dynamic_bonus: None,
    }
}

/// Threat: a stranger sends the oracle's privileged messages: submitting prices without being
/// a feeder, listing or delisting assets, changing parameters or feeders, or taking ownership.
///
/// Why it holds: `SubmitPrices` requires the sender to feed every denom named; every other
/// message except `AcceptOwnership` checks ownership before anything else; ownership moves only
/// when the proposed owner accepts. Nothing is changed by any of the attempts.
#[test]
fn a_stranger_cannot_send_any_privileged_oracle_message() {
    let mut s = SuiteBuilder::new().build();
    let (x, owner, feeder) = (stranger(&s), s.owner.clone(), s.feeders[0].clone());
    let snapshot = |s: &Suite| {
        let prices: PricesResponse = s
            .oracle_query(&OracleQuery::Prices {
                start_after: None,
                limit: None,
            })
            .unwrap();
        let assets: AssetsResponse = s
            .oracle_query(&OracleQuery::Assets {
                start_after: None,
                limit: None,
            })
            .unwrap();
        let feeders: FeedersResponse = s
            .oracle_query(&OracleQuery::Feeders {
                denom: ATOM.to_string(),
            })
            .unwrap();
        let config: oracle::ConfigResponse = s.oracle_query(&OracleQuery::Config {}).unwrap();
        (prices, assets, feeders, config)
    };
    let before = snapshot(&s);
    let msgs = [
        (
            OracleMsg::SubmitPrices {
                prices: vec![PriceSubmission {
                    denom: ATOM.to_string(),
                    price: dec("1"),
                    depth: None,
                }],
            },
            "is not a feeder of uatom",
        ),
        (
            OracleMsg::AddAsset(AssetInit {
                denom: "ufoo".to_string(),
                params: OracleParams::default(),
                feeders: vec![x.to_string()],
            }),
            OWNER_ONLY,
        ),
        (
            OracleMsg::RemoveAsset {
                denom: ATOM.to_string(),
            },
            OWNER_ONLY,
        ),
        (
            OracleMsg::UpdateAssetParams {
                denom: ATOM.to_string(),
                params: OracleParams {
                    min_feeders: 1,
                    ..OracleParams::default()
                },
            },
            OWNER_ONLY,
        ),
        (
            OracleMsg::AddFeeders {
                denom: ATOM.to_string(),
                feeders: vec![x.to_string()],
            },
            OWNER_ONLY,
        ),
        (
            OracleMsg::RemoveFeeders {
                denom: ATOM.to_string(),
                feeders: vec![feeder.to_string()],
            },
            OWNER_ONLY,
        ),
        (
            OracleMsg::Ownership(OwnershipMsg::TransferOwnership {
                new_owner: x.to_string(),
            }),
            OWNER_ONLY,
        ),
        (
            OracleMsg::Ownership(OwnershipMsg::AcceptOwnership {}),
            "no ownership transfer is pending",
        ),
    ];
    for (msg, error) in &msgs {
        refused(s.oracle_execute(&x, msg, &[]), msg, error);
    }
    assert_eq!(snapshot(&s), before);
    // A transfer to someone else cannot be accepted by the stranger.
    let heir = s.addr("heir");
    let transfer = OracleMsg::Ownership(OwnershipMsg::TransferOwnership {
        new_owner: heir.to_string(),
    });
    s.oracle_execute(&owner, &transfer, &[]).unwrap();
    let accept = OracleMsg::Ownership(OwnershipMsg::AcceptOwnership {});
    refused(
        s.oracle_execute(&x, &accept, &[]),
        &accept,
        "only the pending owner may accept ownership",
    );
    let config: oracle::ConfigResponse = s.oracle_query(&OracleQuery::Config {}).unwrap();
    assert_eq!(config.owner, owner.to_string());
}

/// Threat: a stranger sends the market's privileged messages: listing a collateral or
/// changing its risk parameters, swapping the oracle or the liquidator, settling fake auction
/// proceeds (crediting collateral or writing off debt), claiming keeper rewards, setting the
/// breaker, or taking ownership.
///
/// Why it holds: owner messages check ownership; `AuctionProceeds` and `RewardKeeper` accept
/// only the configured liquidator; `SetBreakerLevel` only the owner or the guardian. Each is
/// checked before anything is written, so nothing changes.
#[test]
fn a_stranger_cannot_send_any_privileged_market_message() {
    let (mut s, _) = liquidated(SuiteBuilder::new());
    let (x, borrower) = (stranger(&s), s.borrower.clone());
    s.fund(&x, &[coin(1_000_000_000, USDC), coin(1_000_000_000, ATOM)]);
    let before = supplies(&s);
    let snapshot = |s: &Suite| {
        let config: market::ConfigResponse = s.market_query(&market::QueryMsg::Config {}).unwrap();
        let collaterals: CollateralsResponse = s
            .market_query(&market::QueryMsg::Collaterals {
                start_after: None,
                limit: None,
            })
            .unwrap();
        (config, s.market_state(), collaterals, s.account(&borrower))
    };
    let state = snapshot(&s);
    let liquidation = LiquidationConfig {
        liquidator: x.to_string(),
        backstop: x.to_string(),
        guardian: Some(x.to_string()),
        params: default_liquidation_params(),
    };
    let msgs: Vec<(MarketMsg, Vec<Coin>, &str)> = vec![
        (
            MarketMsg::AddCollateral(fake_collateral()),
            vec![],
            OWNER_ONLY,
        ),
        (
            MarketMsg::UpdateCollateral {
                denom: ATOM.to_string(),
                update: CollateralUpdate {
                    max_ltv: Some(dec("0.69")),
                    supply_cap: Some(Uint128::zero()),
                    ..CollateralUpdate::default()
                },
            },
            vec![],
            OWNER_ONLY,
        ),
        (
            MarketMsg::UpdateConfig {
                oracle: Some(x.to_string()),
                params: Some(MarketParams::default()),
            },
            vec![],
            OWNER_ONLY,
        ),
        (MarketMsg::SetLiquidation(liquidation), vec![], OWNER_ONLY),
        (
            MarketMsg::AuctionProceeds {
                borrower: x.to_string(),
                shortfall: Uint128::new(1_000_000_000),
                denom: None,
            },
            vec![coin(1_000_000_000, ATOM)],
            "unauthorized: only the liquidator may do this",
        ),
        (
            MarketMsg::RewardKeeper {
                keeper: x.to_string(),
                tab: Uint128::new(1_000_000_000_000),
            },
            vec![],
            "unauthorized: only the liquidator may do this",
        ),
        (
            MarketMsg::SetBreakerLevel { level: 3 },
            vec![],
            "unauthorized: only the owner or the guardian may do this",
        ),
        (
            MarketMsg::SetBreakerLevel { level: 0 },
            vec![],
            "unauthorized: only the owner or the guardian may do this",
        ),
        (
            MarketMsg::Ownership(OwnershipMsg::TransferOwnership {
                new_owner: x.to_string(),
            }),
            vec![],
            OWNER_ONLY,
        ),
        (
            MarketMsg::Ownership(OwnershipMsg::AcceptOwnership {}),
            vec![],
            "no ownership transfer is pending",
        ),
    ];
    for (msg, funds, error) in &msgs {
        refused(s.market_execute(&x, msg, funds), msg, error);
    }
    assert_eq!(snapshot(&s), state);
    assert_conserved(&s, &before);
}

/// Threat: a stranger sends the liquidator's privileged messages: starting an auction as the
/// market (a fake tab to draw proceeds) or as the backstop, finishing a flash bid that never
/// paid, pointing the backstop elsewhere, changing auction parameters or caps, or taking
/// ownership.
///
/// Why it holds: `StartAuction` for a liquidation accepts only the market, for a resale only
/// the configured backstop; `FinishFlash` only the liquidator itself; the rest check
/// ownership. Every check runs before the lot or the state is touched.
#[test]
fn a_stranger_cannot_send_any_privileged_liquidator_message() {
    let (mut s, id) = liquidated(SuiteBuilder::new());
    let x = stranger(&s);
    s.fund(&x, &[coin(1_000_000_000, ATOM)]);
    let before = supplies(&s);
    let snapshot = |s: &Suite| {
        let config: liquidator::ConfigResponse =
            s.liquidator_query(&LiquidatorQuery::Config {}).unwrap();
        (config, s.auctions(), s.room(ATOM), s.auction(id))
    };
    let state = snapshot(&s);
    let lot = vec![coin(1_000_000, ATOM)];
    let msgs: Vec<(LiquidatorMsg, Vec<Coin>, &str)> = vec![
        (
            LiquidatorMsg::StartAuction {
                seller: Seller::Liquidation {
                    borrower: x.to_string(),
                },
                tab: Uint128::new(1_000_000_000),
                force: true,
            },
            lot.clone(),
            "unauthorized: only the market may do this",
        ),
        (
            LiquidatorMsg::StartAuction {
                seller: Seller::Backstop {},
                tab: Uint128::zero(),
                force: false,
            },
            lot,
            "unauthorized: only the backstop may do this",
        ),
        (
            LiquidatorMsg::FinishFlash {},
            vec![],
            "unauthorized: only the liquidator itself may do this",
        ),
        (
            LiquidatorMsg::SetBackstop {
                backstop: x.to_string(),
            },
            vec![],
            OWNER_ONLY,
        ),
        (
            LiquidatorMsg::SetCollateral(CollateralAuction {
                denom: ATOM.to_string(),
                params: liquidator::AuctionParams {
                    max_discount: dec("0.99"),
                    ..default_auction_params()
                },
            }),
            vec![],
            OWNER_ONLY,
        ),
        (
            LiquidatorMsg::SetCaps {
                global_hole: Uint128::zero(),
                impact_budget_pct: dec("1"),
            },
            vec![],
            OWNER_ONLY,
        ),
        (
            LiquidatorMsg::Ownership(OwnershipMsg::TransferOwnership {
                new_owner: x.to_string(),
            }),
            vec![],
            OWNER_ONLY,
        ),
        (
            LiquidatorMsg::Ownership(OwnershipMsg::AcceptOwnership {}),
            vec![],
            "no ownership transfer is pending",
        ),
    ];
    for (msg, funds, error) in &msgs {
        refused(s.liquidator_execute(&x, msg, funds), msg, error);
    }
    assert_eq!(snapshot(&s), state);
    assert_conserved(&s, &before);
}

/// Threat: a stranger sends the backstop's privileged messages: drawing pool funds as if
/// covering a shortfall, absorbing worthless collateral for base, locking a fake returned
/// provision or fake resale proceeds, changing the cooldown or the absorb discount, booking a fake floor-bid gain, or
/// taking ownership.
///
/// Why it holds: `CoverShortfall`, `ProvisionReturned` and `Absorb` accept only the insured
/// market, checked first; `ResaleProceeds` only the liquidator;
/// `FloorBidSettled` only the backstop itself; `UpdateParams` and ownership transfer only the
/// owner. The pool is unchanged.
#[test]
fn a_stranger_cannot_send_any_privileged_backstop_message() {
    let mut s = SuiteBuilder::new().backstop_deposit(10_000_000_000).build();
    let x = stranger(&s);
    s.fund(&x, &[coin(1_000_000_000, ATOM)]);
    let before = supplies(&s);
    let lender = s.lender.clone();
    let snapshot = |s: &Suite| {
        let config: backstop::ConfigResponse = s.backstop_query(&BackstopQuery::Config {}).unwrap();
        (config, s.backstop_pool(), s.backstop_depositor(&lender))
    };
    let state = snapshot(&s);
    let msgs: Vec<(BackstopMsg, Vec<Coin>, &str)> = vec![
        (
            BackstopMsg::CoverShortfall {
                amount: Uint128::new(10_000_000_000),
            },
            vec![],
            "unauthorized: only the market may do this",
        ),
        (
            BackstopMsg::ResaleProceeds {
                denom: ATOM.to_string(),
                sold: Uint128::new(1_000_000),
            },
            vec![],
            "unauthorized: only the liquidator may do this",
        ),
        (
            BackstopMsg::ProvisionReturned {
                amount: Uint128::new(10_000_000_000),
            },
            vec![],
            "unauthorized: only the market may do this",
        ),
        (
            BackstopMsg::Absorb {
                borrower: x.to_string(),
                pay: Uint128::new(5_000_000_000),
                on_credit: Uint128::zero(),
                halted: false,
            },
            vec![coin(1_000_000, ATOM)],
            "unauthorized: only the market may do this",
        ),
        (
            BackstopMsg::FloorBidSettled {
                denom: ATOM.to_string(),
                base_before: Uint128::new(10_000_000_000),
                units_before: Uint128::zero(),
            },
            vec![],
            "unauthorized: only the backstop itself may do this",
        ),
        (
            BackstopMsg::UpdateParams(BackstopParams {
                cooldown: 3_600,
                absorb_discount: dec("0.5"),
                ..BackstopParams::default()
            }),
            vec![],
            OWNER_ONLY,
        ),
        (
            BackstopMsg::Ownership(OwnershipMsg::TransferOwnership {
                new_owner: x.to_string(),
            }),
            vec![],
            OWNER_ONLY,
        ),
        (
            BackstopMsg::Ownership(OwnershipMsg::AcceptOwnership {}),
            vec![],
            "no ownership transfer is pending",
        ),
    ];
    for (msg, funds, error) in &msgs {
        refused(s.backstop_execute(&x, msg, funds), msg, error);
    }
    assert_eq!(snapshot(&s), state);
    assert_conserved(&s, &before);
}

/// Threat: a stranger migrates a contract to code of their choosing, or the admin migrates a
/// contract onto another contract's code (reading its state as something else) or onto an
/// older version.
///
/// Why it holds: on chain, wasmd lets only a contract's admin migrate it, and the Suite (like a
/// deployment) sets the owner as admin; cw-multi-test enforces the same rule. Each contract's
/// `migrate` then checks the stored cw2 name (refusing another contract's state) and refuses a
/// downgrade, so even the admin cannot mix up or roll back state.
#[test]
fn migration_needs_the_admin_and_the_contract_own_state() {
    let mut s = SuiteBuilder::new().build();
    let (x, owner) = (stranger(&s), s.owner.clone());
    let contracts = [
        (s.oracle.clone(), "oracle"),
        (s.market.clone(), "market"),
        (s.liquidator.clone(), "liquidator"),
        (s.backstop.clone(), "backstop"),
    ];
    let code = |s: &Suite, a: &Addr| s.app.wrap().query_wasm_contract_info(a).unwrap().code_id;
    for (i, (addr, name)) in contracts.iter().enumerate() {
        let own = code(&s, addr);
        let err = s
            .app
            .migrate_contract(x.clone(), addr.clone(), &MigrateMsg {}, own)
            .unwrap_err();
        assert!(err.to_string().contains("Only admin can migrate"), "{err}");

        let (other, _) = &contracts[(i + 1) % contracts.len()];
        let foreign = code(&s, other);
        let err = s
            .app
            .migrate_contract(owner.clone(), addr.clone(), &MigrateMsg {}, foreign)
            .unwrap_err();
        let expected = format!("cannot migrate from contract crates.io:breakwater-{name}");
        assert!(err.to_string().contains(&expected), "{err}");
        assert_eq!(code(&s, addr), own);

        // A version from the future: the admin cannot roll it back.
        let future = format!(r#"{{"contract":"crates.io:breakwater-{name}","version":"99.0.0"}}"#);
        s.app
            .contract_storage_mut(addr)
            .set(b"contract_info", future.as_bytes());
        let err = s
            .app
            .migrate_contract(owner.clone(), addr.clone(), &MigrateMsg {}, own)
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("cannot migrate from version 99.0.0 down to"),
            "{err}"
        );
    }
    // The admin path itself works: the same code, the same version.
    let mut fresh = SuiteBuilder::new().build();
    let addrs = [
        fresh.oracle.clone(),
        fresh.market.clone(),
        fresh.liquidator.clone(),
        fresh.backstop.clone(),
    ];
    for addr in addrs {
        let own = code(&fresh, &addr);
        let res = fresh
            .app
            .migrate_contract(owner.clone(), addr, &MigrateMsg {}, own)
            .unwrap();
        assert_eq!(attr(&res, "from_version"), attr(&res, "to_version"));
    }
}
