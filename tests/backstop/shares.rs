//! `Deposit` and `Fund`: shares at the virtual price, dust and wrong funds refused, the first
//! depositor's donation attack, held collateral valued at the oracle (moved from the
//! contract's mock-chain unit tests).
use super::*;
use cosmwasm_std::Decimal;

/// One base unit of the backstop's first deposit mints 10^6 shares.
const VIRTUAL_SHARES: u128 = 1_000_000;

#[test]
fn a_deposit_mints_shares_at_the_virtual_price_and_is_valued_back() {
    let mut s = SuiteBuilder::new().build();
    let alice = funded_base(&mut s, "alice", 1_000);
    let res = s.backstop_deposit(&alice, 1_000).unwrap();
    assert_eq!(
        attr(&s, &res, "deposit", "action").as_deref(),
        Some("deposit")
    );
    let minted = (1_000 * VIRTUAL_SHARES).to_string();
    assert_eq!(attr(&s, &res, "deposit", "shares"), Some(minted));
    let d = s.backstop_depositor(&alice);
    assert_eq!((d.shares.u128(), d.value.u128()), (1_000_000_000, 1_000));
    let p = s.backstop_pool();
    assert_eq!((p.base.u128(), p.total_value.u128()), (1_000, 1_000));
    assert_eq!(p.value_per_share, Decimal::from_ratio(1u128, 1_000_000u128));

    // Funding raises the value of every share once it has unlocked (not at once: a deposit
    // made just before it would buy part of it); a second depositor then pays the new price.
    let reserve = funded_base(&mut s, "reserve", 1_000);
    exec(
        &mut s,
        &reserve,
        ExecuteMsg::Fund {},
        &[coin(1_000, "uusdc")],
    )
    .unwrap();
    assert_eq!(s.backstop_depositor(&alice).value.u128(), 1_000);
    s.advance_time(BackstopParams::default().profit_unlock_period);
    let bob = funded_base(&mut s, "bob", 1_000);
    s.backstop_deposit(&bob, 1_000).unwrap();
    let b = s.backstop_depositor(&bob);
    // 1_000 · (1e9 + 1e6) / (2_000 + 1): the virtual offset shows in a tiny pool.
    assert_eq!(b.shares.u128(), 500_249_875);
    assert!((999..=1_000).contains(&b.value.u128()), "{}", b.value);
    assert!(s.backstop_depositor(&alice).value.u128() >= 1_999);
}

#[test]
fn a_deposit_refuses_wrong_funds_and_dust_that_mints_nothing() {
    let mut s = SuiteBuilder::new().build();
    let alice = funded_base(&mut s, "alice", 1);
    s.fund(&alice, &[coin(5, "uatom")]);
    let err = exec(&mut s, &alice, ExecuteMsg::Deposit {}, &[]).unwrap_err();
    assert!(err.contains("No funds sent"), "{err}");
    let err = exec(&mut s, &alice, ExecuteMsg::Deposit {}, &[coin(5, "uatom")]).unwrap_err();
    assert!(err.contains("Must send reserve token"), "{err}");
    s.backstop_deposit(&alice, 1).unwrap();
    // A donation straight to the pool's account makes one unit worth less than a share.
    let donor = funded_base(&mut s, "donor", 10u128.pow(12));
    let backstop = s.backstop.clone();
    s.app
        .send_tokens(donor, backstop.clone(), &[coin(10u128.pow(12), "uusdc")])
        .unwrap();
    let bob = funded_base(&mut s, "bob", 1);
    let err = s.backstop_deposit(&bob, 1).unwrap_err().to_string();
    assert!(err.contains("mints zero shares"), "{err}");
    assert_eq!(s.balance(&backstop, "uusdc"), 10u128.pow(12) + 1);
}

#[test]
fn a_first_depositor_donation_steals_nothing_from_the_next_depositor_on_exit() {
    let mut s = SuiteBuilder::new().build();
    let victim_in = 10u128.pow(12);
    let attacker = funded_base(&mut s, "attacker", 1 + victim_in);
    let victim = funded_base(&mut s, "victim", victim_in);
    s.backstop_deposit(&attacker, 1).unwrap();
    let backstop = s.backstop.clone();
    s.app
        .send_tokens(attacker.clone(), backstop, &[coin(victim_in, "uusdc")])
        .unwrap();
    s.backstop_deposit(&victim, victim_in).unwrap();
    let quoted = s.backstop_depositor(&victim).value.u128();
    assert!(
        quoted >= victim_in - victim_in / 1_000_000,
        "quoted {quoted}"
    );
    // The victim exits first and keeps at least what it put in; the attacker gets back less
    // than it spent.
    let got = withdraw_all(&mut s, &victim);
    assert!(got >= victim_in - victim_in / 1_000_000, "victim got {got}");
    let got = withdraw_all(&mut s, &attacker);
    assert!(got < 1 + victim_in, "attacker got {got}");
    assert_eq!(s.backstop_pool().total_shares, Uint128::zero());
}

/// Requests all of `who`'s shares, waits out the cooldown and withdraws; returns the base paid.
fn withdraw_all(s: &mut Suite, who: &Addr) -> u128 {
    let shares = s.backstop_depositor(who).shares;
    exec(s, who, ExecuteMsg::RequestWithdraw { shares }, &[]).unwrap();
    s.advance_time(BackstopParams::default().cooldown);
    let before = s.balance(who, "uusdc");
    exec(s, who, ExecuteMsg::Withdraw {}, &[]).unwrap();
    s.balance(who, "uusdc") - before
}

#[test]
fn held_collateral_counts_at_the_oracle_median_including_running_resales() {
    let mut s = SuiteBuilder::new().build();
    let (alice, keeper) = (funded_base(&mut s, "alice", 2_100), s.keeper.clone());
    s.backstop_deposit(&alice, 1_000).unwrap();
    // Absorb 50 uatom (price 10, 5% off: quote 475) for 400.
    absorb(&mut s, &[coin(50, "uatom")], 400).unwrap();
    let p = s.backstop_pool();
    assert_eq!(p.base.u128(), 600);
    assert_eq!(p.collateral.len(), 1);
    assert_eq!(
        (p.collateral[0].amount.u128(), p.collateral[0].value.u128()),
        (50, 500)
    );
    assert_eq!(p.total_value.u128(), 1_100);
    // 5 units out in the pool's own resale still count; a liquidation's lot does not.
    s.backstop_resell(&keeper, "uatom").unwrap();
    assert_eq!(s.balance(&s.backstop.clone(), "uatom"), 45);
    let market = s.market.clone();
    s.fund(&market, &[coin(99, "uatom")]);
    let start = breakwater_types::liquidator::ExecuteMsg::StartAuction {
        seller: breakwater_types::liquidator::Seller::Liquidation {
            borrower: keeper.to_string(),
        },
        tab: Uint128::new(500),
        force: false,
    };
    s.liquidator_execute(&market, &start, &[coin(99, "uatom")])
        .unwrap();
    assert_eq!(s.auctions().len(), 2);
    let p = s.backstop_pool();
    assert_eq!(p.collateral[0].amount.u128(), 50);
    assert_eq!(p.total_value.u128(), 1_100);
    // A deposit prices off that value, and is refused while the price is not active.
    s.advance_time(120);
    let err = s.backstop_deposit(&alice, 100).unwrap_err().to_string();
    assert!(err.contains("stale"), "{err}");
    // Fresh again, and active after the oracle's 300 s of healthy updates.
    s.advance_time_feeding(330);
    s.backstop_deposit(&alice, 1_100).unwrap();
    // The absorb's 100 of gain is still locked, then reaches the price.
    let d = s.backstop_depositor(&alice).value.u128();
    assert!((2_099..=2_100).contains(&d), "{d}");
    s.advance_time(BackstopParams::default().profit_unlock_period);
    let d = s.backstop_depositor(&alice).value.u128();
    assert!((2_199..=2_200).contains(&d), "{d}");
}
