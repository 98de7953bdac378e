//! `CoverShortfall`: the market draws what the pool holds, and only the market may (moved from
//! the contract's mock-chain unit tests).
use super::*;

#[test]
fn cover_shortfall_pays_what_it_can_and_only_to_the_market() {
    let mut s = SuiteBuilder::new().build();
    let (alice, market) = (funded_base(&mut s, "alice", 1_000), s.market.clone());
    s.backstop_deposit(&alice, 1_000).unwrap();
    let cover = |amount: u128| ExecuteMsg::CoverShortfall {
        amount: Uint128::new(amount),
    };
    let err = exec(&mut s, &alice, cover(10), &[]).unwrap_err();
    assert!(err.contains("only the market"), "{err}");
    let res = exec(&mut s, &market, cover(300), &[]).unwrap();
    assert_eq!(
        attr(&s, &res, "cover_shortfall", "paid").as_deref(),
        Some("300")
    );
    let before = s.balance(&market, "uusdc");
    let res = exec(&mut s, &market, cover(5_000), &[]).unwrap();
    assert_eq!(
        (
            attr(&s, &res, "cover_shortfall", "requested"),
            attr(&s, &res, "cover_shortfall", "paid")
        ),
        (Some("5000".into()), Some("700".into()))
    );
    assert_eq!(s.balance(&market, "uusdc"), before + 700);
    // An empty pool pays nothing, without an error.
    let res = exec(&mut s, &market, cover(1), &[]).unwrap();
    assert_eq!(
        attr(&s, &res, "cover_shortfall", "paid").as_deref(),
        Some("0")
    );
    assert!(!res.events.iter().any(|e| e.ty == "transfer"));
    let p = s.backstop_pool();
    assert_eq!((p.total_covered.u128(), p.base.u128()), (1_000, 0));
}
