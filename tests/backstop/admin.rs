//! Instantiation, configuration, owner messages and migration (moved from the contract's
//! mock-chain unit tests).
use super::*;
use breakwater_types::backstop::{ConfigResponse, InstantiateMsg, QueryMsg};
use breakwater_types::MigrateMsg;
use cosmwasm_std::Decimal;

#[test]
fn instantiate_refuses_bad_params_an_empty_base_denom_funds_and_bad_addresses() {
    let mut s = SuiteBuilder::new().build();
    let code = s.app.contract_data(&s.backstop).unwrap().code_id;
    let owner = s.owner.clone();
    s.fund(&owner, &[coin(1, "uusdc")]);
    let x = s.addr("x").to_string();
    let msg = |base: &str, params: BackstopParams| InstantiateMsg {
        owner: None,
        market: x.clone(),
        liquidator: x.clone(),
        oracle: x.clone(),
        base_denom: base.to_string(),
        params,
    };
    let instantiate = |s: &mut Suite, msg: InstantiateMsg, funds: &[cosmwasm_std::Coin]| {
        s.app
            .instantiate_contract(code, owner.clone(), &msg, funds, "backstop", None)
            .map_err(|e| e.to_string())
    };
    let bad = BackstopParams {
        cooldown: 1,
        ..Default::default()
    };
    let err = instantiate(&mut s, msg("uusdc", bad), &[]).unwrap_err();
    assert!(err.contains("cooldown"), "{err}");
    let err = instantiate(&mut s, msg("", BackstopParams::default()), &[]).unwrap_err();
    assert!(err.contains("base_denom"), "{err}");
    let err = instantiate(
        &mut s,
        msg("uusdc", BackstopParams::default()),
        &[coin(1, "uusdc")],
    )
    .unwrap_err();
    assert!(err.contains("does no accept funds"), "{err}");
    let mut bad_addr = msg("uusdc", BackstopParams::default());
    bad_addr.market = "not an address".to_string();
    assert!(instantiate(&mut s, bad_addr, &[]).is_err());
    instantiate(&mut s, msg("uusdc", BackstopParams::default()), &[]).unwrap();
}

#[test]
fn config_reports_the_addresses_and_the_default_owner() {
    let s = SuiteBuilder::new().build();
    let cfg: ConfigResponse = s.backstop_query(&QueryMsg::Config {}).unwrap();
    assert_eq!(cfg.owner, s.owner.to_string());
    assert_eq!(cfg.market, s.market.to_string());
    assert_eq!(cfg.liquidator, s.liquidator.to_string());
    assert_eq!(cfg.oracle, s.oracle.to_string());
    assert_eq!(cfg.base_denom, "uusdc");
    assert_eq!(cfg.params, BackstopParams::default());
    let p = s.backstop_pool();
    assert_eq!(p.total_shares, Uint128::zero());
    assert_eq!(p.value_per_share, Decimal::one());
}

#[test]
fn owner_messages_are_refused_from_strangers_and_validated() {
    let mut s = SuiteBuilder::new().build();
    let (owner, stranger, next) = (s.owner.clone(), s.addr("stranger"), s.addr("next"));
    let params = BackstopParams {
        cooldown: 86_400,
        ..Default::default()
    };
    let update = |p: &BackstopParams| ExecuteMsg::UpdateParams(p.clone());
    let err = exec(&mut s, &stranger, update(&params), &[]).unwrap_err();
    assert!(err.contains("only the owner"), "{err}");
    let too_deep = BackstopParams {
        absorb_discount: Decimal::percent(60),
        ..Default::default()
    };
    let err = exec(&mut s, &owner, update(&too_deep), &[]).unwrap_err();
    assert!(err.contains("absorb_discount"), "{err}");
    exec(&mut s, &owner, update(&params), &[]).unwrap();
    let cfg: ConfigResponse = s.backstop_query(&QueryMsg::Config {}).unwrap();
    assert_eq!(cfg.params, params);

    let transfer = |to: &Addr| {
        ExecuteMsg::Ownership(OwnershipMsg::TransferOwnership {
            new_owner: to.to_string(),
        })
    };
    let accept = || ExecuteMsg::Ownership(OwnershipMsg::AcceptOwnership {});
    let err = exec(&mut s, &stranger, transfer(&stranger), &[]).unwrap_err();
    assert!(err.contains("only the owner"), "{err}");
    exec(&mut s, &owner, transfer(&next), &[]).unwrap();
    let err = exec(&mut s, &stranger, accept(), &[]).unwrap_err();
    assert!(err.contains("only the pending owner"), "{err}");
    exec(&mut s, &next, accept(), &[]).unwrap();
    let cfg: ConfigResponse = s.backstop_query(&QueryMsg::Config {}).unwrap();
    assert_eq!(cfg.owner, next.to_string());
}

#[test]
fn migrate_records_the_version_and_refuses_a_downgrade() {
    let mut s = SuiteBuilder::new().build();
    let (owner, backstop) = (s.owner.clone(), s.backstop.clone());
    let code = s.app.contract_data(&backstop).unwrap().code_id;
    let res = s
        .app
        .migrate_contract(owner.clone(), backstop.clone(), &MigrateMsg {}, code)
        .unwrap();
    assert!(res
        .events
        .iter()
        .flat_map(|e| e.attributes.iter())
        .any(|a| a.key == "action" && a.value == "migrate"));
    cw2::set_contract_version(
        &mut *s.app.contract_storage_mut(&backstop),
        breakwater_backstop::contract::CONTRACT_NAME,
        "99.0.0",
    )
    .unwrap();
    let err = s
        .app
        .migrate_contract(owner, backstop, &MigrateMsg {}, code)
        .unwrap_err();
    assert!(err.to_string().contains("down to"), "{err}");
}
