//! `RequestWithdraw`, `CancelWithdraw`, `Withdraw`: the request rules, the window, in-kind
//! pro-rata payouts and losses borne by requested shares (moved from the contract's mock-chain
//! unit tests).
use super::*;

const DAY: u64 = 86_400;

#[test]
fn a_withdrawal_waits_for_its_window_and_pays_in_kind_pro_rata() {
    let mut s = SuiteBuilder::new().build();
    let (alice, bob) = (
        funded_base(&mut s, "alice", 3_001),
        funded_base(&mut s, "bob", 1_000),
    );
    s.backstop_deposit(&alice, 3_000).unwrap();
    s.backstop_deposit(&bob, 1_000).unwrap();
    // The pool absorbs 100 uatom for 900 (quote 950); an invalid borrower is refused.
    let market = s.market.clone();
    s.fund(&market, &[coin(100, "uatom")]);
    let bad = ExecuteMsg::Absorb {
        borrower: "cosmwasm1x".to_string(),
        pay: Uint128::new(900),
        on_credit: Uint128::zero(),
        halted: false,
    };
    assert!(exec(&mut s, &market, bad, &[coin(100, "uatom")]).is_err());
    absorb(&mut s, &[coin(100, "uatom")], 900).unwrap();

    let request = |shares: Uint128| ExecuteMsg::RequestWithdraw { shares };
    let bob_shares = s.backstop_depositor(&bob).shares;
    let err = exec(&mut s, &bob, ExecuteMsg::Withdraw {}, &[]).unwrap_err();
    assert!(err.contains("no withdrawal request"), "{err}");
    let err = exec(&mut s, &bob, request(Uint128::zero()), &[]).unwrap_err();
    assert!(err.contains("shares must be positive"), "{err}");
    let err = exec(&mut s, &bob, request(bob_shares + Uint128::one()), &[]).unwrap_err();
    assert!(err.contains("insufficient shares"), "{err}");
    exec(&mut s, &bob, request(Uint128::new(5)), &[]).unwrap();
    assert_eq!(s.backstop_pool().pending_withdrawal_shares.u128(), 5);
    // A new request replaces the old one.
    let res = exec(&mut s, &bob, request(bob_shares), &[]).unwrap();
    assert_eq!(
        attr(&s, &res, "request_withdraw", "replaced_shares").as_deref(),
        Some("5")
    );
    assert_eq!(s.backstop_pool().pending_withdrawal_shares, bob_shares);
    let req = s.backstop_depositor(&bob).request.unwrap();
    assert_eq!(req.opens_at, s.now() + 7 * DAY);
    assert_eq!(req.closes_at, req.opens_at + 2 * DAY);
    s.advance_time(7 * DAY - 1);
    let err = exec(&mut s, &bob, ExecuteMsg::Withdraw {}, &[]).unwrap_err();
    assert!(err.contains("not open yet"), "{err}");
    s.advance_time(1);
    let before = s.backstop_pool();
    let (usdc, atom) = (s.balance(&bob, "uusdc"), s.balance(&bob, "uatom"));
    exec(&mut s, &bob, ExecuteMsg::Withdraw {}, &[]).unwrap();
    // Bob holds 1/4 of the real shares: just under 1/4 of 3_100 base and of 100 uatom (the
    // virtual shares keep their sliver in the pool; the absorb's gain has unlocked).
    assert_eq!(s.balance(&bob, "uusdc") - usdc, 774);
    assert_eq!(s.balance(&bob, "uatom") - atom, 24);
    let after = s.backstop_pool();
    assert_eq!(after.total_shares, before.total_shares - bob_shares);
    assert_eq!(after.pending_withdrawal_shares, Uint128::zero());
    let d = s.backstop_depositor(&bob);
    assert_eq!((d.shares, d.request), (Uint128::zero(), None));

    // Alice's window expires unused; she cancels; funds on a message taking none are refused.
    let alice_shares = s.backstop_depositor(&alice).shares;
    exec(&mut s, &alice, request(alice_shares), &[]).unwrap();
    s.advance_time(9 * DAY + 1);
    let err = exec(&mut s, &alice, ExecuteMsg::Withdraw {}, &[]).unwrap_err();
    assert!(err.contains("window closed"), "{err}");
    exec(&mut s, &alice, ExecuteMsg::CancelWithdraw {}, &[]).unwrap();
    assert_eq!(s.backstop_pool().pending_withdrawal_shares, Uint128::zero());
    let err = exec(&mut s, &alice, ExecuteMsg::CancelWithdraw {}, &[]).unwrap_err();
    assert!(err.contains("no withdrawal request"), "{err}");
    let err = exec(
        &mut s,
        &alice,
        ExecuteMsg::CancelWithdraw {},
        &[coin(1, "uusdc")],
    )
    .unwrap_err();
    assert!(err.contains("does no accept funds"), "{err}");
}

#[test]
fn requested_shares_bear_a_loss_that_lands_during_the_cooldown() {
    let mut s = SuiteBuilder::new().build();
    let (alice, bob) = (
        funded_base(&mut s, "alice", 1_000),
        funded_base(&mut s, "bob", 1_000),
    );
    s.backstop_deposit(&alice, 1_000).unwrap();
    s.backstop_deposit(&bob, 1_000).unwrap();
    let shares = s.backstop_depositor(&bob).shares;
    exec(&mut s, &bob, ExecuteMsg::RequestWithdraw { shares }, &[]).unwrap();
    let market = s.market.clone();
    let cover = ExecuteMsg::CoverShortfall {
        amount: Uint128::new(1_000),
    };
    exec(&mut s, &market, cover, &[]).unwrap();
    s.advance_time(7 * DAY);
    let before = s.balance(&bob, "uusdc");
    exec(&mut s, &bob, ExecuteMsg::Withdraw {}, &[]).unwrap();
    // Half the shares after a 1_000 loss on 2_000: 500, less the virtual shares' sliver.
    assert_eq!(s.balance(&bob, "uusdc") - before, 499);
}
