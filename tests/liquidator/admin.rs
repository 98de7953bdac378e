use super::*;
use breakwater_testing::default_auction_params;
use breakwater_types::liquidator::{CollateralAuction, ExecuteMsg, Seller};
use breakwater_types::ownership::OwnershipMsg;
use cosmwasm_std::{coin, Uint128};

#[test]
fn start_auction_is_refused_from_anyone_but_the_market() {
    let mut s = SuiteBuilder::new().build();
    let keeper = s.keeper.clone();
    let msg = ExecuteMsg::StartAuction {
        seller: Seller::Liquidation {
            borrower: keeper.to_string(),
        },
        tab: Uint128::new(1_000_000),
        force: true,
    };
    let err = s
        .liquidator_execute(&keeper, &msg, &[coin(1_000, "uatom")])
        .unwrap_err();
    assert!(err.to_string().contains("only the market"), "{err}");
    let resale = ExecuteMsg::StartAuction {
        seller: Seller::Backstop {},
        tab: Uint128::zero(),
        force: false,
    };
    let err = s
        .liquidator_execute(&keeper, &resale, &[coin(1_000, "uatom")])
        .unwrap_err();
    assert!(err.to_string().contains("only the backstop"), "{err}");
}

#[test]
fn finish_flash_is_refused_from_anyone_but_the_liquidator() {
    let mut s = SuiteBuilder::new().build();
    let keeper = s.keeper.clone();
    let err = s
        .liquidator_execute(&keeper, &ExecuteMsg::FinishFlash {}, &[])
        .unwrap_err();
    assert!(err.to_string().contains("unauthorized"), "{err}");
}

#[test]
fn every_owner_message_is_refused_from_a_stranger() {
    let mut s = SuiteBuilder::new().build();
    let stranger = s.addr("stranger");
    let msgs = [
        ExecuteMsg::SetCollateral(CollateralAuction {
            denom: "uatom".into(),
            params: default_auction_params(),
        }),
        ExecuteMsg::SetCaps {
            global_hole: Uint128::new(1),
            impact_budget_pct: dec("1"),
        },
        ExecuteMsg::SetBackstop {
            backstop: stranger.to_string(),
        },
        ExecuteMsg::Ownership(OwnershipMsg::TransferOwnership {
            new_owner: stranger.to_string(),
        }),
    ];
    for msg in msgs {
        let err = s.liquidator_execute(&stranger, &msg, &[]).unwrap_err();
        assert!(err.to_string().contains("only the owner"), "{msg:?}: {err}");
    }
}

#[test]
fn the_owner_can_tighten_a_collateral_cap() {
    let mut s = SuiteBuilder::new().build();
    let owner = s.owner.clone();
    let mut p = default_auction_params();
    p.hole = Some(Uint128::new(5_000_000));
    s.liquidator_execute(
        &owner,
        &ExecuteMsg::SetCollateral(CollateralAuction {
            denom: "uatom".into(),
            params: p,
        }),
        &[],
    )
    .unwrap();
    assert_eq!(s.room("uatom").room.u128(), 5_000_000);
    let mut bad = default_auction_params();
    bad.max_discount = dec("1");
    let err = s
        .liquidator_execute(
            &owner,
            &ExecuteMsg::SetCollateral(CollateralAuction {
                denom: "uatom".into(),
                params: bad,
            }),
            &[],
        )
        .unwrap_err();
    assert!(err.to_string().contains("max_discount"), "{err}");
}
