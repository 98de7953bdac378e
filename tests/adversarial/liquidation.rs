//! Attacks on the liquidation path: self-liquidation, liquidating healthy accounts, dust
//! positions, threshold changes, and dust holdings used as a shield.
use super::*;
use breakwater_types::market::{CollateralUpdate, ExecuteMsg as MarketMsg};
use breakwater_types::oracle::OracleStatus;

/// The self-liquidation scene: [`underwater`] plus an accomplice the borrower controls, funded
/// to liquidate and bid.
fn self_liquidation_scene() -> (Suite, Addr) {
    let mut s = underwater(SuiteBuilder::new());
    let accomplice = funded(&mut s, "accomplice", &[(10_000_000_000, USDC)]);
    (s, accomplice)
}

/// Threat: a borrower liquidates their own account (through an accomplice keeper) and buys the
/// lot back, hoping to pocket the liquidation penalty or the keeper reward, or to shed debt
/// more cheaply than by repaying.
///
/// Why it holds: the penalty is extra collateral in the lot, not extra debt, and every unit of
/// the lot not needed to cover the tab returns to the borrower. Buying back at the live price
/// costs exactly the tab and returns exactly the seized collateral, so the pair ends where a
/// plain repayment of the tab would have left them. The one difference is the keeper reward,
/// which comes from free reserves, is capped, and is what the protocol pays whoever does the
/// liquidation: the protocol's cost is the same whoever calls. (A self-liquidator gains more only
/// if the curve falls below `oracle / (1 + penalty)` unopposed, a discount any bidder could take
/// first.)
#[test]
fn self_liquidation_gains_nothing_over_repaying() {
    let (mut s, accomplice) = self_liquidation_scene();
    let borrower = s.borrower.clone();
    let pair = [&borrower, &accomplice];
    let before = supplies(&s);
    let w0 = wealth(&s, &pair);
    let res = s.liquidate(&accomplice, &borrower).unwrap();
    let tab: u128 = liq_attr(&s, &res, "tab").parse().unwrap();
    let reward: i128 = liq_attr(&s, &res, "keeper_reward").parse().unwrap();
    let id: u64 = attr(&res, "auction_id").unwrap().parse().unwrap();
    let a = s.auction(id);
    let res = s.bid(&accomplice, id, a.lot.u128(), a.price).unwrap();
    assert_eq!(attr(&res, "closed").as_deref(), Some("true"));
    assert!(s.auctions().is_empty());
    let w_self = wealth(&s, &pair);
    assert_books(&s);
    assert_conserved(&s, &before);

    // The same borrower repays the same amount instead.
    let (mut r, accomplice) = self_liquidation_scene();
    r.repay(&borrower, tab).unwrap();
    let w_repay = wealth(&r, &[&borrower, &accomplice]);
    assert!(w_repay <= w0 && w0 - w_repay <= 2, "{w0} -> {w_repay}");
    assert!(
        w_self - reward <= w_repay,
        "self-liquidation {w_self} (reward {reward}) vs repaying {w_repay}"
    );
    assert!(w_self <= w0 + reward, "{w_self} vs {w0} + {reward}");
}

/// Threat: a keeper liquidates an account that is not underwater (HF at or above 1), or one
/// with no debt, to seize collateral at a discount.
///
/// Why it holds: `Liquidate` prices every holding once and refuses `HF >= 1` (HF exactly 1
/// included) before doing anything; an account without debt has nothing to liquidate. A
/// refused message changes no state: accounts, market totals, auctions and balances are
/// exactly as before.
#[test]
fn liquidating_a_healthy_account_is_refused_and_changes_nothing() {
    let mut s = lent(SuiteBuilder::new());
    let (borrower, keeper, saver) = (s.borrower.clone(), s.keeper.clone(), s.addr("saver"));
    let comfy = s.addr("comfy");
    // W = floor(10^9 · 9) · 0.7 = 6.3·10^9 = D once ATOM is at 9: HF exactly 1.
    s.open_position(&borrower, ATOM, COLLATERAL, 6_300_000_000);
    s.open_position(&comfy, ATOM, COLLATERAL, 3_000_000_000);
    s.open_position(&saver, ATOM, COLLATERAL, 0);
    s.feed(ATOM, dec("9"));
    assert_eq!(s.account(&borrower).health_factor, Some(dec("1")));
    let before = supplies(&s);
    let (state, accounts) = (
        s.market_state(),
        [&borrower, &comfy, &saver].map(|a| s.account(a)),
    );

    assert_err(
        s.liquidate(&keeper, &borrower),
        "account is healthy (health factor 1)",
    );
    assert_err(s.liquidate(&keeper, &comfy), "account is healthy");
    assert_err(s.liquidate(&keeper, &saver), "nothing to liquidate");
    let nobody = s.addr("nobody");
    assert_err(s.liquidate(&keeper, &nobody), "nothing to liquidate");

    assert_eq!(s.market_state(), state);
    assert_eq!([&borrower, &comfy, &saver].map(|a| s.account(a)), accounts);
    assert!(s.auctions().is_empty());
    assert_conserved(&s, &before);
}

/// Threat: dust griefing. An attacker opens many tiny positions so that liquidating them
/// leaves unliquidatable crumbs of debt, pays keepers rewards out of proportion to the work,
/// or clogs the auction house with dust tabs.
///
/// Why it holds: a liquidation that would leave less than `min_debt` of debt (or
/// `min_collateral_value` of collateral) closes the whole position instead, so no crumbs are
/// left. Keeper rewards need a tab of at least `min_debt`: tiny accounts pay nothing. A bid may
/// not leave a tab below the auction's `dust` unless it takes the whole lot, so a tiny tab is
/// cleared by one bid and no auction is left with a dust tab.
#[test]
fn dust_positions_are_closed_whole_and_pay_keepers_nothing() {
    let mut s = lent(SuiteBuilder::new());
    let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
    // A large borrower makes interest, so reserves could pay rewards.
    s.open_position(&borrower, ATOM, COLLATERAL, 6_800_000_000);
    let minnows: Vec<Addr> = (0..6).map(|i| s.addr(&format!("minnow{i}"))).collect();
    for m in &minnows {
        s.open_position(m, ATOM, 100_000, 680_000);
    }
    age(&mut s, YEAR);
    s.feed(ATOM, dec("9.5"));
    let st = s.market_state();
    assert!(st.reserves > st.backstop_due, "free reserves exist: {st:?}");
    let before = supplies(&s);
    let keeper_base = s.balance(&keeper, USDC);
    let mut paid = 0;

    for m in &minnows {
        let debt = s.account(m).debt.u128();
        assert!(debt < 1_000_000 && s.account(m).health_factor.unwrap() < dec("1"));
        let res = s.liquidate(&keeper, m).unwrap();
        assert_eq!(liq_attr(&s, &res, "mode"), "full");
        assert_eq!(liq_attr(&s, &res, "tab"), debt.to_string());
        assert_eq!(liq_attr(&s, &res, "keeper_reward"), "0");
        assert_eq!(s.account(m).debt.u128(), 0);
        let id: u64 = attr(&res, "auction_id").unwrap().parse().unwrap();
        let a = s.auction(id);
        assert_eq!(a.tab.u128(), debt);
        assert_err(
            s.bid(&keeper, id, a.lot.u128() / 2, a.price),
            "bid would leave a dust tab",
        );
        let res = s.bid(&keeper, id, a.lot.u128(), a.price).unwrap();
        assert_eq!(attr(&res, "closed").as_deref(), Some("true"));
        paid += debt;
    }
    assert!(s.auctions().is_empty());
    assert_eq!(s.market_state().debt_in_auction.u128(), 0);
    assert_eq!(s.balance(&keeper, USDC), keeper_base - paid, "no reward");
    assert_books(&s);
    assert_conserved(&s, &before);
}

/// Threat: the owner (or a governance attack) lowers a liquidation threshold and keepers
/// liquidate every account that the new threshold puts underwater, in the same block.
///
/// Why it holds: `UpdateCollateral` never moves the threshold in force. A new threshold
/// starts a linear ramp from the current value over `threshold_ramp_duration` (7 days), so at
/// the instant of the change every health factor is unchanged and nobody is liquidatable; the
/// lower `max_ltv` (which must stay below the threshold in force) only limits new borrows.
/// Borrowers have the ramp to repay.
#[test]
fn lowering_a_threshold_liquidates_nobody_at_once() {
    let mut s = lent(SuiteBuilder::new());
    let (owner, borrower, keeper) = (s.owner.clone(), s.borrower.clone(), s.keeper.clone());
    s.open_position(&borrower, ATOM, COLLATERAL, 6_800_000_000);
    let hf = s.account(&borrower).health_factor.unwrap();
    let update = MarketMsg::UpdateCollateral {
        denom: ATOM.to_string(),
        update: CollateralUpdate {
            max_ltv: Some(dec("0.55")),
            liquidation_threshold: Some(dec("0.6")),
            ..CollateralUpdate::default()
        },
    };
    // The ramp cannot start below the max_ltv in force.
    let too_low = MarketMsg::UpdateCollateral {
        denom: ATOM.to_string(),
        update: CollateralUpdate {
            liquidation_threshold: Some(dec("0.6")),
            ..CollateralUpdate::default()
        },
    };
    assert_err(s.market_execute(&owner, &too_low, &[]), "max_ltv");
    s.market_execute(&owner, &update, &[]).unwrap();

    // At 0.60 the account would be at HF 0.88; at the instant of the change it is untouched.
    let account = s.account(&borrower);
    assert_eq!(account.health_factor.unwrap(), hf);
    assert_eq!(account.collaterals[0].liquidation_threshold, dec("0.7"));
    assert_err(s.liquidate(&keeper, &borrower), "account is healthy");
    // New borrows are limited at once.
    assert_err(s.borrow(&borrower, 1), "borrow limit exceeded");

    // Only as the ramp runs does the account become liquidatable.
    age(&mut s, 3_600);
    let lt = s.account(&borrower).collaterals[0].liquidation_threshold;
    assert!(lt < dec("0.7") && lt > dec("0.69"), "{lt}");
    assert_err(s.liquidate(&keeper, &borrower), "account is healthy");
    age(&mut s, 7 * 86_400);
    assert_eq!(
        s.account(&borrower).collaterals[0].liquidation_threshold,
        dec("0.6")
    );
    let before = supplies(&s);
    s.liquidate(&keeper, &borrower).unwrap();
    assert_books(&s);
    assert_conserved(&s, &before);
}

/// Threat: a borrower about to be liquidated deposits one unit of a listed collateral whose
/// price is not active (halted by a wick elsewhere, or stale because its feeders are down)
/// into their own account, hoping the paused price pauses the whole liquidation until it
/// recovers — indefinitely for a feed that stays stale.
///
/// Why it fails: above the hard floor only the collateral actually auctioned needs an active
/// price, so the account is still liquidated by seizing its active collateral.
#[test]
fn a_dust_holding_of_a_non_active_collateral_cannot_shield_an_account() {
    for stale in [true, false] {
        let mut s = underwater(SuiteBuilder::new());
        let (borrower, keeper) = (s.borrower.clone(), s.keeper.clone());
        s.advance_time(5);
        if stale {
            // The ueth feed stops; uatom keeps being fed.
            for _ in 0..4 {
                s.advance_time(20);
                s.feed(ATOM, dec("8.5"));
            }
        } else {
            // A wick on ETH halts ueth.
            s.feed(ETH, dec("4000"));
        }
        let st = s.oracle_price(ETH).unwrap().status;
        assert!(!st.is_active(), "{st:?}");
        assert_eq!(
            s.oracle_price(ATOM).unwrap().status,
            OracleStatus::Active {}
        );
        s.deposit_collateral(&borrower, ETH, 1).unwrap();
        assert!(s.account(&borrower).health_factor.unwrap() < dec("0.95"));
        let res = s.liquidate(&keeper, &borrower).unwrap();
        assert_eq!(liq_attr(&s, &res, "denom"), ATOM);
    }
}
