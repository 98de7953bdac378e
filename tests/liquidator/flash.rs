use super::*;
use breakwater_testing::FlashBehaviour;

#[test]
fn a_flash_bid_that_pays_settles_in_one_transaction() {
    let (mut s, id) = liquidated(SuiteBuilder::new());
    let before = supplies(&s);
    let keeper = s.keeper.clone();
    let receiver = s.deploy_flash_receiver(FlashBehaviour::Pay, 10_000_000_000);
    let lot = s.auction(id).lot;
    let res = s
        .flash_bid(&keeper, id, 100_000_000, dec("9.35"), &receiver)
        .unwrap();
    assert_eq!(attr(&res, "flash").as_deref(), Some("true"));
    assert_eq!(s.balance(&receiver, "uatom"), 100_000_000);
    assert_eq!(s.balance(&receiver, "uusdc"), 10_000_000_000 - 935_000_000);
    assert_eq!(s.auction(id).lot.u128(), lot.u128() - 100_000_000);
    assert_eq!(s.auction(id).raised.u128(), 935_000_000);
    // Funding the receiver minted base: account for it.
    assert_eq!(supplies(&s), (before.0 + 10_000_000_000, before.1));
}

#[test]
fn a_flash_bid_that_pays_short_reverts_everything() {
    let (mut s, id) = liquidated(SuiteBuilder::new());
    let keeper = s.keeper.clone();
    let receiver = s.deploy_flash_receiver(FlashBehaviour::PayShort, 10_000_000_000);
    let a = s.auction(id);
    let dia = s.market_state().debt_in_auction;
    let err = s
        .flash_bid(&keeper, id, 100_000_000, dec("9.35"), &receiver)
        .unwrap_err();
    assert!(err.to_string().contains("did not pay"), "{err}");
    assert_eq!(s.balance(&receiver, "uatom"), 0);
    assert_eq!(s.balance(&receiver, "uusdc"), 10_000_000_000);
    assert_eq!(s.auction(id), a);
    assert_eq!(s.market_state().debt_in_auction, dia);
}

#[test]
fn a_flash_callback_cannot_reenter_the_liquidator() {
    let (mut s, id) = liquidated(SuiteBuilder::new());
    let keeper = s.keeper.clone();
    let receiver = s.deploy_flash_receiver(FlashBehaviour::Reenter, 10_000_000_000);
    let a = s.auction(id);
    let err = s
        .flash_bid(&keeper, id, 100_000_000, dec("9.35"), &receiver)
        .unwrap_err();
    assert!(err.to_string().contains("re-entry"), "{err}");
    assert_eq!(s.auction(id), a);
}

#[test]
fn a_flash_bid_must_not_attach_funds() {
    use breakwater_types::liquidator::{ExecuteMsg, FlashCallback};
    use cosmwasm_std::{coin, Uint128};
    let (mut s, id) = liquidated(SuiteBuilder::new());
    let keeper = s.keeper.clone();
    let receiver = s.deploy_flash_receiver(FlashBehaviour::Pay, 10_000_000_000);
    let msg = ExecuteMsg::Bid {
        auction_id: id,
        max_collateral: Uint128::new(1_000),
        max_price: dec("9.35"),
        callback: Some(FlashCallback {
            contract: receiver.to_string(),
            data: None,
        }),
    };
    let err = s
        .liquidator_execute(&keeper, &msg, &[coin(10_000, "uusdc")])
        .unwrap_err();
    assert!(err.to_string().contains("must not attach funds"), "{err}");
}
