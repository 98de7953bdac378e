//! `Resell`: a slice of a held collateral through the liquidator, at most once per interval
//! (moved from the contract's mock-chain unit tests).
use super::*;
use breakwater_types::liquidator::Seller;

#[test]
fn resell_slices_a_holding_once_per_interval() {
    let mut s = SuiteBuilder::new().build();
    let keeper = s.keeper.clone();
    let err = s.backstop_resell(&keeper, "uatom").unwrap_err().to_string();
    assert!(err.contains("does not hold"), "{err}");
    absorb(&mut s, &[coin(105, "uatom")], 0).unwrap();
    let res = s.backstop_resell(&keeper, "uatom").unwrap();
    assert_eq!(attr(&s, &res, "resell", "amount").as_deref(), Some("10"));
    let a = &s.auctions()[0];
    assert_eq!(
        (a.seller.clone(), a.denom.as_str()),
        (Seller::Backstop {}, "uatom")
    );
    assert_eq!((a.lot.u128(), a.tab.u128()), (10, 0));
    s.advance_time_feeding(3_599);
    let err = s.backstop_resell(&keeper, "uatom").unwrap_err().to_string();
    assert!(err.contains("too early"), "{err}");
    s.advance_time_feeding(1);
    let res = s.backstop_resell(&keeper, "uatom").unwrap();
    assert_eq!(attr(&s, &res, "resell", "amount").as_deref(), Some("9"));
    // A holding whose slice rounds to zero cannot be resold.
    absorb(&mut s, &[coin(9, "uosmo")], 0).unwrap();
    let err = s.backstop_resell(&keeper, "uosmo").unwrap_err().to_string();
    assert!(err.contains("nothing to resell"), "{err}");
}
