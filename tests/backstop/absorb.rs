//! `Absorb` and `AbsorbQuote`: only from the market, within the pool's quote and funds, never on
//! a paused price (moved from the contract's mock-chain unit tests).
use super::*;
use breakwater_testing::dec;
use breakwater_types::backstop::{AbsorbQuoteResponse, QueryMsg};
use cosmwasm_std::Coin;

fn quote(s: &Suite, collateral: &[Coin], debt: u128) -> AbsorbQuoteResponse {
    s.absorb_quote(collateral.to_vec(), debt)
}

#[test]
fn absorb_checks_the_sender_the_quote_the_funds_and_the_oracle() {
    let mut s = SuiteBuilder::new().build();
    let alice = funded_base(&mut s, "alice", 10_000);
    s.backstop_deposit(&alice, 10_000).unwrap();
    let market = s.market.clone();
    let borrower = s.addr("borrower").to_string();
    let absorb_msg = |pay: u128| ExecuteMsg::Absorb {
        borrower: borrower.clone(),
        pay: Uint128::new(pay),
        on_credit: Uint128::zero(),
        halted: false,
    };
    // 100 uatom at 10 + 1 ueth at 3,000 = 4,000; 5% off = 3,800.
    let coll = vec![coin(100, "uatom"), coin(1, "ueth")];
    s.fund(&market, &coll);
    s.fund(&alice, &coll);
    let q = quote(&s, &coll, 5_000);
    assert_eq!(
        (q.pay.u128(), q.can_absorb, q.available.u128()),
        (3_800, true, 10_000)
    );
    assert_eq!(q.discount, cosmwasm_std::Decimal::percent(5));
    assert_eq!(quote(&s, &coll, 2_000).pay.u128(), 2_000);
    let err = exec(&mut s, &alice, absorb_msg(100), &coll).unwrap_err();
    assert!(err.contains("only the market"), "{err}");
    let err = exec(&mut s, &market, absorb_msg(100), &[]).unwrap_err();
    assert!(err.contains("collateral attached"), "{err}");
    s.fund(&market, &[coin(5, "uusdc"), coin(1, "uunknown")]);
    let err = exec(&mut s, &market, absorb_msg(1), &[coin(5, "uusdc")]).unwrap_err();
    assert!(err.contains("cannot be collateral"), "{err}");
    let err = exec(&mut s, &market, absorb_msg(3_801), &coll).unwrap_err();
    assert!(err.contains("above the pool's quote"), "{err}");
    // What the market lends the pool towards the price counts against the quote too.
    let lent = |pay: u128, on_credit: u128| ExecuteMsg::Absorb {
        borrower: borrower.clone(),
        pay: Uint128::new(pay),
        on_credit: Uint128::new(on_credit),
        halted: false,
    };
    let err = exec(&mut s, &market, lent(1_000, 2_801), &coll).unwrap_err();
    assert!(err.contains("above the pool's quote"), "{err}");
    let err = exec(&mut s, &market, absorb_msg(0), &[coin(1, "uunknown")]).unwrap_err();
    assert!(err.contains("not listed"), "{err}");

    // A halted price: no quote can be absorbed, and no absorb goes through.
    s.advance_time(5);
    s.feed("ueth", dec("3900"));
    assert!(!s.oracle_price("ueth").unwrap().status.is_active());
    assert!(!quote(&s, &coll, 5_000).can_absorb);
    let err = exec(&mut s, &market, absorb_msg(100), &coll).unwrap_err();
    assert!(err.contains("halted"), "{err}");
    // Unless the market transfers it under its wick rule (`halted`): the halted ueth then
    // counts at the higher of median and TWAP (here the 3,900 print, a wick up).
    let q: AbsorbQuoteResponse = s
        .backstop_query(&QueryMsg::AbsorbQuote {
            collateral: coll.clone(),
            debt: Uint128::new(5_000),
            halted: true,
        })
        .unwrap();
    assert!(q.can_absorb);
    assert_eq!(q.pay.u128(), 4_655, "(1,000 + 3,900) · 0.95");
    s.feed("ueth", dec("3000"));
    s.advance_time_feeding(330);
    assert!(s.oracle_price("ueth").unwrap().status.is_active());

    let before = s.balance(&market, "uusdc");
    let res = exec(&mut s, &market, absorb_msg(3_800), &coll).unwrap();
    assert_eq!(
        attr(&s, &res, "absorb", "collateral").as_deref(),
        Some("100uatom,1ueth")
    );
    assert_eq!(attr(&s, &res, "absorb", "borrower"), Some(borrower.clone()));
    assert_eq!(s.balance(&market, "uusdc"), before + 3_800);
    let p = s.backstop_pool();
    assert_eq!(p.base.u128(), 6_200);
    assert_eq!(p.collateral.len(), 2);
    assert_eq!(p.total_value.u128(), 10_200);
    // More than the pool holds is refused; the quote says it cannot.
    s.fund(&market, &[coin(10, "ueth")]);
    let err = exec(&mut s, &market, absorb_msg(6_201), &[coin(10, "ueth")]).unwrap_err();
    assert!(err.contains("insufficient pool funds"), "{err}");
    let q: AbsorbQuoteResponse = s
        .backstop_query(&QueryMsg::AbsorbQuote {
            collateral: vec![coin(10, "ueth")],
            debt: Uint128::new(100_000),
            halted: false,
        })
        .unwrap();
    assert_eq!((q.pay.u128(), q.can_absorb), (28_500, false));
}
