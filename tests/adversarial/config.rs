//! Configuration checks from the independent review of 2026-12: auction parameters under
//! which no auction is ever at its floor, and swapping the backstop under its running resales.
use super::*;
use breakwater_testing::default_auction_params;
use breakwater_types::backstop::ExecuteMsg as BackstopMsg;
use breakwater_types::liquidator::{
    AuctionParams, CollateralAuction, ConfigResponse, ExecuteMsg as LiquidatorMsg, PriceCurve,
    QueryMsg,
};
use cosmwasm_std::coin;

/// `SetCollateral` of ATOM with `params`, from the owner.
fn set_atom(s: &mut Suite, params: AuctionParams) -> Result<AppResponse, String> {
    let owner = s.owner.clone();
    let msg = LiquidatorMsg::SetCollateral(CollateralAuction {
        denom: ATOM.to_string(),
        params,
    });
    s.liquidator_execute(&owner, &msg, &[])
        .map_err(|e| e.to_string())
}

/// Threat (review item 14): the owner (or a proposal) sets auction parameters under which the
/// curve needs longer than `tail` to reach the floor, or `cusp · buf` sits at or above the
/// floor. Every auction then goes stale (and pays a reset reward) before it is ever at its
/// floor, the backstop's `BuyAtFloor` is never possible, and the caps stay occupied. The code
/// before the fix accepted all three sets below.
///
/// Why it holds: `AuctionParams::validate` (instantiate and `SetCollateral`) starts the curve
/// at `buf` against an oracle of 1 and requires it to reach the floor `1 − max_discount`
/// within `tail`, still at or above `cusp · buf` when it does (so neither a long curve, a high
/// cusp, nor a step that jumps from above the floor to below the cusp leaves no window at the
/// floor).
#[test]
fn auction_parameters_without_a_window_at_the_floor_are_refused() {
    let mut s = SuiteBuilder::new().build();
    let base = default_auction_params();
    // The default curve (1.1, 3% a minute) reaches 0.8 after 660 s.
    let short_tail = AuctionParams {
        tail: 600,
        ..base.clone()
    };
    let high_cusp = AuctionParams {
        cusp: dec("0.75"),
        ..base.clone()
    };
    let jumping = AuctionParams {
        curve: PriceCurve::StairStep {
            step: 60,
            cut: dec("0.4"),
        },
        ..base.clone()
    };
    let config =
        |s: &Suite| -> ConfigResponse { s.liquidator_query(&QueryMsg::Config {}).unwrap() };
    let before = config(&s);
    for (params, error) in [
        (
            short_tail,
            "shorter than the time the curve takes to reach the floor",
        ),
        (high_cusp, "must be below the floor"),
        (jumping, "below the reset threshold"),
    ] {
        assert_err(set_atom(&mut s, params), error);
    }
    assert_eq!(config(&s), before);
    // The edge: a tail that just reaches the floor, and a cusp just under it, are accepted.
    set_atom(
        &mut s,
        AuctionParams {
            tail: 660,
            cusp: dec("0.71"),
            ..base
        },
    )
    .unwrap();
}

/// Threat (review item 14): the owner points the liquidator at a new backstop while the old
/// one's resale auctions run; their proceeds then go to the new backstop, and the old pool's
/// depositors lose the collateral under resale.
///
/// Why it holds: `SetBackstop` is refused while the liquidator's resale total holds anything
/// (as the market refuses a liquidator swap while auctions run); once the resales have sold
/// out it goes through.
#[test]
fn the_backstop_cannot_be_swapped_while_its_resales_run() {
    let mut s = SuiteBuilder::new().backstop_deposit(1_000_000_000).build();
    let (market, keeper, owner) = (s.market.clone(), s.keeper.clone(), s.owner.clone());
    s.fund(&market, &[coin(10_000_000, ATOM)]);
    let absorb = BackstopMsg::Absorb {
        borrower: keeper.to_string(),
        pay: Uint128::new(90_000_000),
        on_credit: Uint128::zero(),
        halted: false,
    };
    s.backstop_execute(&market, &absorb, &[coin(10_000_000, ATOM)])
        .unwrap();
    let res = s.backstop_resell(&keeper, ATOM).unwrap();
    let id: u64 = attr(&res, "auction_id").unwrap().parse().unwrap();
    let swap = LiquidatorMsg::SetBackstop {
        backstop: s.addr("new-backstop").to_string(),
    };
    assert_err(
        s.liquidator_execute(&owner, &swap, &[]),
        "backstop resales are running (1000000 uatom for sale)",
    );
    let a = s.auction(id);
    s.bid(&keeper, id, a.lot.u128(), a.price).unwrap();
    assert!(s.auctions().is_empty());
    s.liquidator_execute(&owner, &swap, &[]).unwrap();
}
