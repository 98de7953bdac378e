//! Attacks on the backstop's share price found by the independent review of 2026-12: buying
//! shares while part of the pool is in flight (a flash bid on a resale), just-in-time deposits
//! ahead of a gain, and cutting a withdrawal's payout with `Resell`.
use super::*;
use breakwater_types::backstop::ExecuteMsg as BackstopMsg;
use breakwater_types::market::ExecuteMsg as MarketMsg;
use cosmwasm_std::{coin, to_json_binary, WasmMsg};

/// Base units the honest lender deposits in the backstop.
const LENDER: u128 = 10_000_000_000;
/// The default cooldown, which is also the default profit-unlocking period.
const WEEK: u64 = 7 * 86_400;

/// The market hands `atom` units of ATOM to the backstop for `pay` base units, as `Absorb`
/// does (the market is funded with the ATOM first).
fn absorb(s: &mut Suite, atom: u128, pay: u128) -> AppResponse {
    let market = s.market.clone();
    s.fund(&market, &[coin(atom, ATOM)]);
    let msg = BackstopMsg::Absorb {
        borrower: market.to_string(),
        pay: Uint128::new(pay),
        on_credit: Uint128::zero(),
        halted: false,
    };
    s.backstop_execute(&market, &msg, &[coin(atom, ATOM)])
        .unwrap()
}

/// A new address holding `amount` base units, deposited in the backstop.
fn depositor(s: &mut Suite, name: &str, amount: u128) -> Addr {
    let who = funded(s, name, &[(amount, USDC)]);
    s.backstop_deposit(&who, amount).unwrap();
    who
}

/// The backstop value of `who`'s shares.
fn value(s: &Suite, who: &Addr) -> u128 {
    s.backstop_depositor(who).value.u128()
}

/// The review's set-up: the borrower's 1,000 ATOM against 6,500 USDC were liquidated at 8.5
/// (see [`liquidated`]), the lender holds [`LENDER`] in the backstop (and `others` deposit as
/// much each), and the auction went to the floor, where the backstop bought its 343 ATOM for
/// 2,333 USDC and covered the 445 USDC the lot left short: a net gain of 138.9 USDC.
fn pool_after_floor_purchase(others: &[&str]) -> (Suite, Vec<Addr>) {
    let (mut s, id) = liquidated(SuiteBuilder::new());
    let (lender, keeper) = (s.lender.clone(), s.keeper.clone());
    s.backstop_deposit(&lender, LENDER).unwrap();
    let others = others
        .iter()
        .map(|name| depositor(&mut s, name, LENDER))
        .collect();
    s.advance_time_feeding(660);
    s.buy_at_floor(&keeper, id).unwrap();
    (s, others)
}

/// The auction id in a response that started one.
fn auction_id(res: &AppResponse) -> u64 {
    attr(res, "auction_id").unwrap().parse().unwrap()
}

/// Threat (review item 8): a flash bid on one of the backstop's resale auctions hands the lot
/// to the bidder's callback before the backstop is paid. Inside the callback the slice has left
/// the liquidator's resale total but its proceeds have not reached the pool, so the pool is
/// valued a slice short; the callback deposits 90,000 USDC at that price, pays for the lot,
/// and owns most of the slice's proceeds without having paid for them. The review's run (this
/// set-up, on the code before the fix): the lender's 10,138.9 USDC fell to 9,876.0 and the
/// attacker ended 262.9 USDC up after the cooldown.
///
/// Why it holds: the liquidator keeps a flash bid's slice in its resale total until
/// `FinishFlash` has verified the payment and releases the proceeds in the same step, so the
/// pool is valued whole at every point of the flash: the deposit inside the callback pays the
/// full price, and the sale moves the pool only by what it sold above or below the oracle,
/// which every holder shares pro rata.
#[test]
fn a_flash_bid_on_a_resale_cannot_buy_backstop_shares_below_their_value() {
    let (mut s, _) = pool_after_floor_purchase(&[]);
    let (lender, keeper, backstop) = (s.lender.clone(), s.keeper.clone(), s.backstop.clone());
    age(&mut s, WEEK);
    let before = value(&s, &lender);
    assert_eq!(
        (before + 50_000) / 100_000,
        101_389,
        "10,138.9 USDC: {before}"
    );
    let id = auction_id(&s.backstop_resell(&keeper, ATOM).unwrap());
    let slice = s.auction(id).lot.u128();
    // Three 3% steps below the 9.35 top.
    s.advance_time_feeding(180);
    let price = s.auction(id).price;
    let oracle = s.oracle_price(ATOM).unwrap().median;

    let deposit = 90_000_000_000;
    let deposit_msg = WasmMsg::Execute {
        contract_addr: backstop.to_string(),
        msg: to_json_binary(&BackstopMsg::Deposit {}).unwrap(),
        funds: vec![coin(deposit, USDC)],
    };
    let attacker = deploy_evil_receiver(&mut s, deposit_msg.into(), deposit + 1_000_000_000);
    let base0 = s.balance(&attacker, USDC);
    s.flash_bid(&keeper, id, slice, price, &attacker).unwrap();
    let owe = Uint128::new(slice).mul_ceil(price).u128();
    let worth = Uint128::new(slice).mul_floor(oracle).u128();
    assert!(owe > worth, "sold above the oracle: {owe} for {worth}");

    // The resale's premium over the oracle is a gain every holder shares: the lender keeps
    // its value (and more), and the attacker's shares are worth its deposit plus its part.
    let lender_after = value(&s, &lender);
    assert!(
        lender_after >= before,
        "the lender lost {}",
        before - lender_after
    );
    assert!(value(&s, &attacker) <= deposit + (owe - worth));

    // After the cooldown the attacker has lost on the round trip: its deposit back plus the
    // lot at the oracle is worth no more than what it paid.
    let shares = s.backstop_depositor(&attacker).shares;
    s.backstop_execute(&attacker, &BackstopMsg::RequestWithdraw { shares }, &[])
        .unwrap();
    age(&mut s, WEEK);
    s.backstop_execute(&attacker, &BackstopMsg::Withdraw {}, &[])
        .unwrap();
    let atom = Uint128::new(s.balance(&attacker, ATOM))
        .mul_floor(oracle)
        .u128();
    let end = s.balance(&attacker, USDC) + atom;
    assert!(end <= base0, "the attacker turned {base0} into {end}");
}

/// Threat (review item 9, absorb): an account sinks below the hard floor; before the keeper
/// liquidates it, an attacker deposits 90,000 USDC next to the lender's 10,000, so that the
/// absorb's 5% discount (900 USDC on 18,000 of collateral) lands mostly on the attacker's new
/// shares. The review's run (this set-up, on the code before the fix): the attacker's shares
/// gained 810 of the 900 at the absorb.
///
/// Why it holds: a gain is minted into shares the pool holds itself, at the price before the
/// gain, and those shares are burnt linearly over `profit_unlock_period`: the share price does
/// not move at the absorb and rises as the gain unlocks, for whoever holds shares meanwhile. So
/// a deposit made just before the gain gets exactly what the same deposit made just after it
/// gets, and neither gets anything at the instant of the gain.
#[test]
fn a_deposit_just_before_an_absorb_buys_none_of_its_discount() {
    let mut s = SuiteBuilder::new().build();
    let lender = s.lender.clone();
    s.backstop_deposit(&lender, LENDER).unwrap();
    let early = depositor(&mut s, "attacker", 90_000_000_000);
    // 1,800 ATOM (18,000 USDC) for 17,100: a gain of 900.
    let res = absorb(&mut s, 1_800_000_000, 17_100_000_000);
    assert_ne!(attr(&res, "locked_shares").as_deref(), Some("0"));
    assert!(value(&s, &early) <= 90_000_000_000, "{}", value(&s, &early));
    assert!(value(&s, &lender) <= LENDER);
    let late = depositor(&mut s, "late", 90_000_000_000);
    assert_eq!(s.backstop_pool().total_value.u128(), 190_900_000_000);

    // Half way through the unlocking, half of the locked shares are burnt: the price is
    // 190,900 / 190,450 of what it was.
    age(&mut s, WEEK / 2);
    let (e, l, o) = (value(&s, &early), value(&s, &late), value(&s, &lender));
    assert!(e.abs_diff(l) <= 2, "early {e}, late {l}");
    let expect = LENDER * 190_900 / 190_450;
    assert!(
        o.abs_diff(expect) <= 100_000,
        "lender {o}, expected {expect}"
    );
    // Then all of it: the attacker got what the late depositor got.
    age(&mut s, WEEK / 2);
    let (e, l, o) = (value(&s, &early), value(&s, &late), value(&s, &lender));
    assert!(e.abs_diff(l) <= 2, "early {e}, late {l}");
    assert_eq!(s.backstop_pool().locked_shares, Uint128::zero());
    assert!(e + l + o <= 190_900_000_000 && e + l + o >= 190_899_999_990);
}

/// Threat (review item 9, reserves): the market earmarks a share of its reserves for the
/// backstop as interest accrues (`backstop_due`), and pays it in with `SweepReserves`, which
/// anyone may call. An attacker deposits just before calling it and takes a year of the
/// backstop's reserve share (13.46 of 14.96 USDC in the review's run).
///
/// Why it holds: the pool counts what the market owes it in its value as it accrues, so the
/// sweep only turns a receivable into base and moves no share price; the attacker's deposit
/// pays for its part of the receivable like for everything else.
#[test]
fn a_deposit_just_before_a_sweep_buys_none_of_the_reserve_share() {
    let mut s = lent(SuiteBuilder::new());
    let (lender, borrower, keeper) = (s.lender.clone(), s.borrower.clone(), s.keeper.clone());
    s.backstop_deposit(&lender, LENDER).unwrap();
    s.open_position(&borrower, ATOM, 4 * COLLATERAL, 27_200_000_000);
    age(&mut s, YEAR);
    let due = s.market_state().backstop_due.u128();
    assert!(due > 10_000_000, "a year of reserve share: {due}");
    assert_eq!(s.backstop_pool().owed_by_market.u128(), due);
    let attacker = depositor(&mut s, "attacker", 90_000_000_000);
    s.market_execute(&keeper, &MarketMsg::SweepReserves {}, &[])
        .unwrap();
    let got = value(&s, &attacker);
    assert!(
        got <= 90_000_000_000,
        "the attacker's shares are worth {got}"
    );
    // The year's reserve share stays with the lender, the only depositor while it accrued.
    let kept = value(&s, &lender);
    assert!(
        kept + 2 >= LENDER + due,
        "the lender has {kept} of {LENDER} + {due}"
    );
}

/// Threat (review item 9, floor purchases): an auction sits at its floor, 20% under the oracle;
/// an attacker deposits 90,000 USDC into the backstop and calls `BuyAtFloor` itself, so that
/// the purchase's gain (here 138.9 USDC net of the shortfall the pool covers) lands mostly on
/// its new shares.
///
/// Why it holds: the pool measures what the floor bid bought and what it paid once it settled
/// (a reply on the bid, shortfall cover included) and locks the difference with the oracle
/// value as a gain that unlocks over `profit_unlock_period`, like an absorb's discount.
#[test]
fn a_deposit_just_before_a_floor_purchase_buys_none_of_its_discount() {
    let (mut s, id) = liquidated(SuiteBuilder::new());
    let lender = s.lender.clone();
    s.backstop_deposit(&lender, LENDER).unwrap();
    s.advance_time_feeding(660);
    assert!(s.auction(id).at_floor);
    let attacker = depositor(&mut s, "attacker", 90_000_000_000);
    let (a0, l0) = (value(&s, &attacker), value(&s, &lender));
    let res = s.buy_at_floor(&attacker, id).unwrap();
    let spent: u128 = attr(&res, "spent").unwrap().parse().unwrap();
    let bought: u128 = attr(&res, "bought").unwrap().parse().unwrap();
    let gain = Uint128::new(bought).mul_floor(dec("8.5")).u128() - spent;
    assert_eq!((gain + 50_000) / 100_000, 1_389, "a net gain of 138.9 USDC");
    // Up to a unit of rounding in the locked shares.
    assert!(
        value(&s, &attacker) <= a0 + 1,
        "{a0} -> {}",
        value(&s, &attacker)
    );
    assert!(
        value(&s, &lender) <= l0 + 1,
        "{l0} -> {}",
        value(&s, &lender)
    );
    // The gain reaches both as it unlocks, in proportion to their shares.
    age(&mut s, WEEK);
    let (a, l) = (value(&s, &attacker), value(&s, &lender));
    assert!(a > 90_000_000_000 + 120_000_000 && l > LENDER + 13_000_000);
}

/// Threat (found by the extended property harness, R16's class): units of a collateral sent to
/// the pool before it holds that denom are not in its value; they entered it at once when the
/// pool's first purchase or absorb of the denom made it a held one, so a depositor joining just
/// before captured their value.
///
/// Why it holds: when a floor purchase or an absorb makes a denom held, the units already in
/// the pool's account count as part of the intake, and their value is locked with its gain.
#[test]
fn units_sent_to_the_pool_before_it_holds_their_denom_reach_the_price_gradually() {
    let (mut s, id) = liquidated(SuiteBuilder::new());
    let lender = s.lender.clone();
    s.backstop_deposit(&lender, LENDER).unwrap();
    s.advance_time_feeding(660);
    assert!(s.auction(id).at_floor);
    // 100 ATOM (850 USDC) land in the pool's account while it holds no ATOM.
    let backstop = s.backstop.clone();
    s.fund(&backstop, &[coin(100_000_000, ATOM)]);
    let attacker = depositor(&mut s, "attacker", 90_000_000_000);
    let a0 = value(&s, &attacker);
    s.buy_at_floor(&attacker, id).unwrap();
    assert!(
        value(&s, &attacker) <= a0 + 1,
        "the depositor captured {} at once",
        value(&s, &attacker) - a0
    );
    // The units are valued, and reach the depositors as they unlock.
    age(&mut s, WEEK);
    assert!(value(&s, &attacker) > a0 + 700_000_000);
}

/// The same through an absorb: ATOM sent to the pool before its first ATOM absorb.
#[test]
fn units_sent_to_the_pool_before_its_first_absorb_of_the_denom_reach_the_price_gradually() {
    let mut s = SuiteBuilder::new().build();
    let lender = s.lender.clone();
    s.backstop_deposit(&lender, LENDER).unwrap();
    let backstop = s.backstop.clone();
    s.fund(&backstop, &[coin(100_000_000, ATOM)]);
    let attacker = depositor(&mut s, "attacker", 90_000_000_000);
    let a0 = value(&s, &attacker);
    absorb(&mut s, 1_000_000, 0);
    assert!(
        value(&s, &attacker) <= a0 + 1,
        "the depositor captured {} at once",
        value(&s, &attacker) - a0
    );
}

/// Threat (found by the extended property harness): the pool counts collateral on resale at the
/// median, and its Dutch resale auction starts above it. A bid early in the auction paid more
/// than the median for the units, and the difference reached the share price at once, so a
/// depositor joining just before the bid captured its share.
///
/// Why it holds: the liquidator pays a resale's proceeds with `ResaleProceeds { denom, sold }`,
/// and the pool locks what the bid paid above the units' value at the median as a gain.
#[test]
fn a_deposit_just_before_a_resale_bid_above_the_median_captures_none_of_its_premium() {
    let (mut s, _) = pool_after_floor_purchase(&[]);
    let keeper = s.keeper.clone();
    age(&mut s, WEEK);
    let id = auction_id(&s.backstop_resell(&keeper, ATOM).unwrap());
    let a = s.auction(id);
    let median = s.oracle_price(ATOM).unwrap().median;
    assert!(a.price > median, "the resale starts above the median");
    let attacker = depositor(&mut s, "attacker", 90_000_000_000);
    let a0 = value(&s, &attacker);
    s.fund(&keeper, &[coin(10_000_000_000, USDC)]);
    s.bid(&keeper, id, a.lot.u128(), a.price).unwrap();
    assert!(
        value(&s, &attacker) <= a0 + 1,
        "the depositor captured {} at once",
        value(&s, &attacker) - a0
    );
}

/// Threat (review item 13): a depositor's withdrawal window opens; before its `Withdraw` lands,
/// anyone sends `Resell`, which moves a tenth of a held collateral from the pool's account to
/// a resale auction. The pool's value (and the depositor's quote) still counts those units,
/// but a withdrawal used to pay from the account only, so the depositor was paid less than
/// quoted and the rest of the pool kept the difference: 10,069.4 USDC quoted, 9,923.6 paid in
/// the review's run (this set-up, on the code before the fix).
///
/// Why it holds: a withdrawal pays its pro-rata part of everything the quote counts: of each
/// collateral's units in the account and under resale (from the account), and of the base
/// with what the market owes the pool. Paid equals quoted, whatever `Resell` did first.
#[test]
fn a_resale_just_before_a_withdrawal_does_not_cut_its_payout() {
    let (mut s, others) = pool_after_floor_purchase(&["other"]);
    let (lender, keeper) = (s.lender.clone(), s.keeper.clone());
    let shares = s.backstop_depositor(&lender).shares;
    s.backstop_execute(&lender, &BackstopMsg::RequestWithdraw { shares }, &[])
        .unwrap();
    age(&mut s, WEEK);
    let quoted = value(&s, &lender);
    assert!(
        quoted.abs_diff(10_069_444_444) < 100_000,
        "10,069.4 USDC: {quoted}"
    );
    let kept = value(&s, &others[0]);
    s.backstop_resell(&keeper, ATOM).unwrap();
    assert_eq!(value(&s, &lender), quoted, "a resale moves no value");
    let oracle = s.oracle_price(ATOM).unwrap().median;
    let (base, atom) = (s.balance(&lender, USDC), s.balance(&lender, ATOM));
    s.backstop_execute(&lender, &BackstopMsg::Withdraw {}, &[])
        .unwrap();
    let atom = Uint128::new(s.balance(&lender, ATOM) - atom)
        .mul_floor(oracle)
        .u128();
    let paid = s.balance(&lender, USDC) - base + atom;
    // Each denom's pro-rata part rounds down by less than one unit.
    assert!(
        paid <= quoted && paid + 10 >= quoted,
        "quoted {quoted}, paid {paid}"
    );
    // The holder who stays keeps its value.
    assert!(value(&s, &others[0]) + 10 >= kept);
}

/// Suspicion (review item 15, confirmed): `BuyAtFloor` reverted with an underpayment when the
/// tab left was worth less than one collateral unit at the floor. The pool attached the tab,
/// but the liquidator sells one whole unit at its price in that case (so the sale is never
/// below the price), which costs more than the tab: `insufficient payment: bid costs 9,
/// attached 5` on the code before the fix, and the lot stayed stuck at the floor.
///
/// Why it holds now: the backstop sizes its bid with the liquidator's own rule
/// (`breakwater_types::math::auction::take`), so it attaches what the bid will cost; the
/// surplus over the tab goes to the borrower, with the rest of the lot.
#[test]
fn buy_at_floor_pays_one_units_price_when_the_tab_left_is_below_it() {
    // A floor 4% under the oracle (inside the 5% penalty, so the lot covers the tab there) and
    // no dust rule, so that a bid may leave a tab of a few base units.
    let params = breakwater_types::liquidator::AuctionParams {
        max_discount: dec("0.04"),
        dust: Uint128::zero(),
        ..breakwater_testing::default_auction_params()
    };
    let builder = SuiteBuilder::new()
        .auction_params(ATOM, params)
        .backstop_deposit(LENDER);
    let (mut s, id) = liquidated(builder);
    let keeper = s.keeper.clone();
    s.advance_time_feeding(300);
    let a = s.auction(id);
    assert!(a.at_floor, "{a:?}");
    // Buy as much as leaves less than one unit's price of tab.
    let units = a.tab.checked_div_floor(a.price).unwrap();
    s.bid(&keeper, id, units.u128(), a.price).unwrap();
    let a = s.auction(id);
    let unit = Uint128::one().mul_ceil(a.price);
    assert!(!a.tab.is_zero() && a.tab < unit, "tab {} vs {unit}", a.tab);
    let borrower = s.borrower.clone();
    let before = supplies(&s);
    let usdc = s.balance(&borrower, USDC);
    let res = s.buy_at_floor(&keeper, id).unwrap();
    assert_eq!(attr(&res, "attached"), Some(unit.to_string()));
    assert!(s.auctions().is_empty(), "the tab is covered");
    // The unit cost more than the tab: the surplus went to the borrower.
    assert_eq!(s.balance(&borrower, USDC), usdc + (unit - a.tab).u128());
    assert_conserved(&s, &before);
}
