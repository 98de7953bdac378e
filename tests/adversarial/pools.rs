//! Attacks on the two share pools (market supply, backstop): first-depositor inflation,
//! leaving the backstop ahead of a loss, and rounding drains.
use super::*;
use breakwater_types::backstop::ExecuteMsg as BackstopMsg;
use cosmwasm_std::{coin, Decimal};

/// Seconds of the backstop's default withdrawal cooldown.
const COOLDOWN: u64 = 7 * 86_400;

/// `who` requests a withdrawal of all their backstop shares.
fn request_all(s: &mut Suite, who: &Addr) -> Uint128 {
    let shares = s.backstop_depositor(who).shares;
    let msg = BackstopMsg::RequestWithdraw { shares };
    s.backstop_execute(who, &msg, &[]).unwrap();
    shares
}

/// `who` withdraws their pending request.
fn withdraw(s: &mut Suite, who: &Addr) -> Result<AppResponse, String> {
    s.backstop_execute(who, &BackstopMsg::Withdraw {}, &[])
        .map_err(|e| e.to_string())
}

/// A Suite where a year of interest on a 6,800 USDC loan has moved both market indices away
/// from 1, so that every share conversion rounds.
fn aged_market() -> Suite {
    let mut s = lent(SuiteBuilder::new());
    let borrower = s.borrower.clone();
    s.open_position(&borrower, ATOM, COLLATERAL, 6_800_000_000);
    age(&mut s, YEAR);
    let st = s.market_state();
    assert!(st.supply_index > Decimal::one() && st.borrow_index > Decimal::one());
    s
}

/// Threat: first-depositor share inflation on the market. The first supplier mints one share
/// for one unit, then sends a large donation straight to the market so that the share is
/// worth a fortune, and the next supplier's deposit rounds down to few or no shares.
///
/// Why it holds: the market keeps `cash` in its own books and never reads its bank balance, so
/// a donation changes neither `cash` nor the supply index. The victim's shares are minted at
/// the same index as the attacker's and are worth exactly the deposit; the donation is simply
/// lost to the attacker.
#[test]
fn a_donation_cannot_inflate_market_shares() {
    let mut s = SuiteBuilder::new().build();
    let donation = 1_000_000_000_000;
    let attacker = funded(&mut s, "attacker", &[(donation + 1, USDC)]);
    let victim = funded(&mut s, "victim", &[(10_000_000_000, USDC)]);
    let before = supplies(&s);
    s.supply(&attacker, 1).unwrap();
    let market = s.market.clone();
    s.app
        .send_tokens(attacker.clone(), market, &[coin(donation, USDC)])
        .unwrap();
    let st = s.market_state();
    assert_eq!(st.supply_index, Decimal::one());
    assert_eq!((st.cash.u128(), st.total_supplied.u128()), (1, 1));

    s.supply(&victim, 10_000_000_000).unwrap();
    assert_eq!(s.supplier(&victim).shares.u128(), 10_000_000_000);
    assert_eq!(s.supplier(&victim).assets.u128(), 10_000_000_000);
    s.withdraw(&victim, None).unwrap();
    s.withdraw(&attacker, None).unwrap();
    assert_eq!(s.balance(&victim, USDC), 10_000_000_000);
    assert_eq!(s.balance(&attacker, USDC), 1, "the donation is lost");
    assert_eq!(s.market_state().supply_index, Decimal::one());
    assert_conserved(&s, &before);
}

/// Threat: first-depositor share inflation on the backstop. The attacker deposits one unit
/// into the empty pool, donates 10^12 directly to its account (which does count in the pool's
/// value), and the victim's 10^12 deposit mints shares worth far less than it paid.
///
/// Why it holds: shares are minted with a virtual offset (10^6 virtual shares, 1 virtual unit),
/// so the attacker's single unit owns about half of the pool against the virtual shares,
/// and the victim is minted about two million shares for 10^12 instead of zero or one. After the
/// cooldown the victim withdraws all but about a millionth of its deposit, and the attacker
/// recovers about half of its donation: the rest stays with the virtual shares in the pool.
#[test]
fn a_donation_cannot_inflate_backstop_shares() {
    let mut s = SuiteBuilder::new().build();
    let amount = 1_000_000_000_000;
    let attacker = funded(&mut s, "attacker", &[(amount + 1, USDC)]);
    let victim = funded(&mut s, "victim", &[(amount, USDC)]);
    let before = supplies(&s);
    s.backstop_deposit(&attacker, 1).unwrap();
    let backstop = s.backstop.clone();
    s.app
        .send_tokens(attacker.clone(), backstop, &[coin(amount, USDC)])
        .unwrap();
    s.backstop_deposit(&victim, amount).unwrap();
    let d = s.backstop_depositor(&victim);
    assert!(d.shares.u128() > 1_000_000, "{d:?}");
    assert!(d.value.u128() >= amount - amount / 1_000_000, "{d:?}");

    request_all(&mut s, &attacker);
    request_all(&mut s, &victim);
    s.advance_time(COOLDOWN);
    withdraw(&mut s, &victim).unwrap();
    withdraw(&mut s, &attacker).unwrap();
    let (v, a) = (s.balance(&victim, USDC), s.balance(&attacker, USDC));
    assert!(
        v >= amount - amount / 1_000_000,
        "victim got {v} for {amount}"
    );
    // The virtual shares keep about half of the donation in the pool.
    assert!(
        a < amount * 51 / 100,
        "attacker got {a} back for {amount} donated"
    );
    assert_conserved(&s, &before);
}

/// Threat: a backstop depositor watches an auction head for a shortfall that the pool will
/// cover, and pulls out before the loss lands, leaving it to the others.
///
/// Why it holds: a withdrawal is a request, then a cooldown (7 days), then a window. Requested
/// shares stay in the pool's share supply until they are paid, so a loss that lands during the
/// cooldown is borne by them pro rata, and nothing can be withdrawn before the window opens.
#[test]
fn leaving_the_backstop_before_a_loss_still_bears_it() {
    let (mut s, id) = liquidated(SuiteBuilder::new().backstop_deposit(10_000_000_000));
    let keeper = s.keeper.clone();
    let leaver = funded(&mut s, "leaver", &[(10_000_000_000, USDC)]);
    s.backstop_deposit(&leaver, 10_000_000_000).unwrap();
    let before = supplies(&s);
    let shares = request_all(&mut s, &leaver);
    assert_err(withdraw(&mut s, &leaver), "withdrawal window not open yet");

    // The lot sells out at the floor below its tab: the pool covers the shortfall.
    s.advance_time_feeding(660);
    let a = s.auction(id);
    assert!(a.at_floor);
    let base0 = s.backstop_pool().base.u128();
    let res = s.bid(&keeper, id, a.lot.u128(), a.price).unwrap();
    let shortfall: u128 = attr(&res, "shortfall").unwrap().parse().unwrap();
    assert!(shortfall > 100_000_000, "{shortfall}");
    let pool = s.backstop_pool();
    assert_eq!(pool.base.u128(), base0 - shortfall);
    assert_err(withdraw(&mut s, &leaver), "withdrawal window not open yet");

    s.advance_time(COOLDOWN);
    // Paid pro rata of the base and of what the market owes the pool (its reserve share,
    // accruing through the cooldown).
    let pool = s.backstop_pool();
    withdraw(&mut s, &leaver).unwrap();
    let got = s.balance(&leaver, USDC);
    let expected = (pool.base + pool.owed_by_market)
        .multiply_ratio(shares, pool.total_shares + Uint128::new(1_000_000));
    assert_eq!(got, expected.u128());
    let owed = pool.owed_by_market.u128();
    assert!(
        got < 10_000_000_000 - shortfall / 2 + owed / 2 + 2,
        "{got}: bears half"
    );
    assert_conserved(&s, &before);
}

/// Threat: a rounding drain on the market's supply shares: supply and withdraw one or two units
/// in a loop, hoping each conversion rounds in the attacker's favour.
///
/// Why it holds: supplying mints `floor(amount / index)` shares and refuses zero; withdrawing
/// burns `ceil(amount / index)` shares or pays `floor(shares · index)`. Every conversion
/// rounds for the pool, so each loop costs the attacker up to a unit and never pays out more
/// than it took in; the other suppliers' assets never drop.
#[test]
fn one_unit_supply_and_withdraw_loops_extract_nothing() {
    let mut s = aged_market();
    let lender = s.lender.clone();
    let attacker = funded(&mut s, "attacker", &[(1_000, USDC)]);
    let before = supplies(&s);
    let lender_assets = s.supplier(&lender).assets;
    let mut w = wealth(&s, &[&attacker]);
    let w0 = w;
    for _ in 0..25 {
        assert_err(s.supply(&attacker, 1), "too small: it would mint no shares");
        s.supply(&attacker, 2).unwrap();
        assert_err(
            s.withdraw(&attacker, Some(2)),
            "exceeds the supplied balance",
        );
        s.withdraw(&attacker, Some(1)).unwrap();
        assert_err(s.withdraw(&attacker, None), "nothing supplied");
        let now = wealth(&s, &[&attacker]);
        assert!(now < w, "{now} after {w}");
        w = now;
    }
    assert_eq!(w, w0 - 25);
    assert_eq!(s.supplier(&lender).assets, lender_assets);
    assert_books(&s);
    assert_conserved(&s, &before);
}

/// Threat: a rounding drain on debt shares: borrow one unit and repay it in a loop, hoping the
/// debt rounds down to nothing or a repayment burns more shares than it pays for.
///
/// Why it holds: borrowing mints `ceil(amount / index)` debt shares and debt is
/// `ceil(shares · index)`, so one unit borrowed is two units owed once the index is above 1. A
/// partial repayment burns `floor(pay / index)` shares and refuses zero; the excess of a
/// repayment is refunded. Each loop costs the attacker a unit.
#[test]
fn one_unit_borrow_and_repay_loops_extract_nothing() {
    let mut s = aged_market();
    let attacker = funded(&mut s, "attacker", &[(1_000, USDC), (1_000_000, ATOM)]);
    s.deposit_collateral(&attacker, ATOM, 1_000_000).unwrap();
    let before = supplies(&s);
    let mut w = wealth(&s, &[&attacker]);
    let w0 = w;
    for _ in 0..25 {
        s.borrow(&attacker, 1).unwrap();
        assert_eq!(s.account(&attacker).debt.u128(), 2);
        assert_err(s.repay(&attacker, 1), "too small");
        let res = s.repay(&attacker, 5).unwrap();
        assert_eq!(attr(&res, "refund").as_deref(), Some("3"));
        assert_eq!(s.account(&attacker).debt.u128(), 0);
        let now = wealth(&s, &[&attacker]);
        assert!(now < w, "{now} after {w}");
        w = now;
    }
    assert_eq!(w, w0 - 25);
    assert_books(&s);
    assert_conserved(&s, &before);
}
