//! Tests of the planner: unit tests of its pieces, then property tests of whole plans checked
//! against the rules (health never lowered by a partial plan, seizure within the holdings,
//! rounding in the protocol's favour, the borrower's loss bounded by the penalty or discount on
//! what is taken) and cross-checked against an `f64` reference of the closed forms.
use super::*;
use crate::backstop::AbsorbQuoteResponse;
use crate::market::{RedistributionParams, WhenThrottled};
use crate::math::reference::{d, f};
use cosmwasm_std::{Decimal256, Uint256};
use proptest::prelude::*;
use std::collections::BTreeMap;

fn u(x: u128) -> Uint128 {
    Uint128::new(x)
}

fn held(denom: &str, amount: u128, price: &str, lt: &str, penalty: &str) -> Held {
    let bonus = Decimal::one() + d(penalty);
    let price = d(price);
    Held {
        denom: denom.to_string(),
        amount: u(amount),
        price,
        value: u(amount).mul_floor(price),
        bonus,
        factor: d(lt) * bonus,
        threshold: d(lt),
        active: true,
        halted: false,
        status: "active",
    }
}

#[test]
fn seizure_order_heals_fastest_first_then_larger_value_then_denom() {
    let mut h = vec![
        held("c", 100, "1", "0.8", "0.05"),  // 0.84
        held("b", 100, "1", "0.6", "0.1"),   // 0.66
        held("a", 100, "1", "0.6", "0.1"),   // 0.66
        held("z", 1_000, "1", "0.6", "0.1"), // 0.66, larger
    ];
    seizure_order(&mut h);
    let names: Vec<&str> = h.iter().map(|x| x.denom.as_str()).collect();
    assert_eq!(names, ["z", "a", "b", "c"]);
}

#[test]
fn repaying_the_closed_form_lands_on_the_target() {
    // W = 0.7·1000 = 700, D = 800 (HF 0.875); f = 0.7·1.05 = 0.735; T = 1.05.
    let (w, debt, t, fk) = (700u128, 800u128, d("1.05"), d("0.735"));
    let r = repay_to_target(u(debt), u(w), t, fk).unwrap();
    // (840 − 700) / 0.315 = 444.44… → 445.
    assert_eq!(r.u128(), 445);
    let hf = (w as f64 - 445.0 * 0.735) / (debt as f64 - 445.0);
    assert!((1.05..1.052).contains(&hf), "{hf}");
    // Never more than the debt.
    let r = repay_to_target(u(100), u(1), t, d("0.99")).unwrap();
    assert_eq!(r.u128(), 100);
}

#[test]
fn an_absorb_takes_holdings_in_order_the_last_in_part_rounded_up() {
    let hs = vec![
        held("a", 400, "10", "0.7", "0.05"),
        held("b", 10, "2400", "0.825", "0.05"),
    ];
    // 4,000·0.95 = 3,800 from `a`; 1,200 more from `b` at 2,280: ceil(0.526…) = 1.
    let lots = absorb_lots(&hs, u(5_000), d("0.05")).unwrap();
    assert_eq!(lots, Some(vec![u(400), u(1)]));
    // Exactly covered by `a` alone: nothing of `b`.
    let lots = absorb_lots(&hs, u(3_800), d("0.05")).unwrap();
    assert_eq!(lots, Some(vec![u(400)]));
    // One unit more: `a` is exhausted, one unit of `b` pays it.
    let lots = absorb_lots(&hs, u(3_801), d("0.05")).unwrap();
    assert_eq!(lots, Some(vec![u(400), u(1)]));
    // Within `a`: ceil(1,000 / 9.5) = 106 (105 · 9.5 = 997.5 < 1,000).
    let lots = absorb_lots(&hs, u(1_000), d("0.05")).unwrap();
    assert_eq!(lots, Some(vec![u(106)]));
    // Not covered at the discount: 28,000 · 0.95 = 26,600.
    assert_eq!(absorb_lots(&hs, u(26_601), d("0.05")).unwrap(), None);
    let all = absorb_lots(&hs, u(26_600), d("0.05")).unwrap();
    assert_eq!(all, Some(vec![u(400), u(10)]));
}

fn sizing(params: &LiquidationParams, debt: u128, w: u128, cv: u128) -> Sizing<'_> {
    Sizing {
        params,
        debt: u(debt),
        liquidation_value: u(w),
        collateral_value: u(cv),
        debt_shares: u(debt),
        borrow_index: Decimal::one(),
    }
}

#[test]
fn a_throttled_repay_never_leaves_dust_and_a_repay_burning_nothing_is_too_small() {
    let params = LiquidationParams {
        min_debt: u(100),
        min_collateral_value: u(100),
        ..LiquidationParams::default()
    };
    let h = held("a", 1_000, "1", "0.7", "0.05");
    // D 800, W 700: the target repay is 445, leaving 355 (not dust).
    let s = sizing(&params, 800, 700, 1_000);
    let pre = s.before_room(&h).unwrap().unwrap();
    assert_eq!(pre.0, u(445));
    let p = s.fit(&h, pre, u(10_000)).unwrap().unwrap();
    assert_eq!(
        (p.tab.u128(), p.lot.u128(), p.burned.u128()),
        (445, 468, 445)
    );
    assert!(s.useful(&p));
    // Throttled to the room: useful only from min(min_debt, need) = 100 up.
    let p = s.fit(&h, pre, u(99)).unwrap().unwrap();
    assert!(!s.useful(&p));
    assert_eq!(
        s.fit(&h, pre, Uint128::zero()).unwrap(),
        Err(Miss::NoRoom(Uint128::zero()))
    );
    // A full close (D 150 < min_debt + the target repay) cut by a room of 100 would leave
    // 50 of dust: it cuts to D − min_debt = 50 instead.
    let s = sizing(&params, 150, 131, 1_000);
    let pre = s.before_room(&h).unwrap().unwrap();
    assert_eq!(pre.0, u(150), "full close");
    let p = s.fit(&h, pre, u(100)).unwrap().unwrap();
    assert_eq!(p.tab, u(50));
    // A dust account (D < min_debt) is never cut: no room for the close means none at all.
    let s = sizing(&params, 90, 80, 1_000);
    let pre = s.before_room(&h).unwrap().unwrap();
    assert_eq!(s.fit(&h, pre, u(89)).unwrap(), Err(Miss::NoRoom(u(89))));
    // A repay below one debt share's worth burns nothing: too small, whatever the room.
    let mut s = sizing(&params, 800, 700, 1_000);
    s.borrow_index = d("1000");
    let pre = s.before_room(&h).unwrap().unwrap();
    assert_eq!(pre.0, u(445));
    assert_eq!(s.fit(&h, pre, u(999)).unwrap(), Err(Miss::TooSmall));
    // Cut by a room below it, the same repay is throttled, not too small: no room.
    assert_eq!(s.fit(&h, pre, u(400)).unwrap(), Err(Miss::NoRoom(u(400))));
}

#[test]
fn a_holding_that_cannot_close_a_dust_account_misses_and_one_that_can_closes_it() {
    let params = LiquidationParams {
        min_debt: u(1_000),
        min_collateral_value: u(1),
        ..LiquidationParams::default()
    };
    // D 900 < min_debt: `small` (value 500) cannot cover 900·1.05; `big` can.
    let s = sizing(&params, 900, 850, 1_600);
    let small = held("s", 500, "1", "0.7", "0.05");
    let big = held("b", 1_100, "1", "0.7", "0.05");
    assert_eq!(s.before_room(&small).unwrap(), Err(Miss::Dust));
    let pre = s.before_room(&big).unwrap().unwrap();
    assert_eq!((pre.0.u128(), pre.1.u128()), (900, 945));
    // An account that is not dust clears a holding that cannot close it (Aave v3.3).
    let s = sizing(&params, 1_200, 1_150, 1_600);
    let pre = s.before_room(&small).unwrap().unwrap();
    assert_eq!((pre.0.u128(), pre.1.u128()), (476, 500));
}

#[test]
fn lots_round_up_and_tabs_split_by_value_summing_to_the_debt() {
    let h = held("a", 1_000, "3", "0.7", "0.05");
    // 100 · 1.05 = 105 → 105 / 3 = 35.
    assert_eq!(h.lot_for(u(100)).unwrap().u128(), 35);
    assert_eq!(h.lot_for(u(101)).unwrap().u128(), 36);
    let hs = vec![
        held("a", 1_000, "1", "0.7", "0.05"),
        held("b", 2_000, "1", "0.7", "0.05"),
        held("c", 1, "0.000001", "0.7", "0.05"),
    ];
    let tabs = split_tabs(&hs, u(1_000)).unwrap();
    assert_eq!(tabs, [333u128, 667, 0].map(Uint128::new));
    let none = split_tabs(&hs[2..], u(7)).unwrap();
    assert_eq!(none, [u(7)]);
}

#[test]
fn the_dynamic_bonus_rises_as_health_falls_up_to_the_equity_and_the_penalty() {
    let b = DynamicBonus {
        start: d("0.02"),
        slope: d("0.5"),
        min: d("0.04"),
    };
    let max = d("0.10");
    // Near HF 1 the bonus is the start; it rises by half of every unit of health lost.
    assert_eq!(b.at(d("1"), d("2"), max), d("0.02"));
    assert_eq!(b.at(d("0.96"), d("2"), max), d("0.04"));
    assert_eq!(b.at(d("0.9"), d("2"), max), d("0.07"));
    // Capped by the penalty...
    assert_eq!(b.at(d("0.5"), d("2"), max), d("0.10"));
    // ...and by the equity (CR − 1), but never below `min` through that cap.
    assert_eq!(b.at(d("0.5"), d("1.06"), max), d("0.06"));
    assert_eq!(b.at(d("0.5"), d("1.01"), max), d("0.04"));
    assert_eq!(b.at(d("0.5"), d("0.9"), max), d("0.04"));
    // Rounded up: 1/3 · 10^-18 of health lost still adds one atomic unit.
    let tiny = Decimal::one() - Decimal::new(Uint128::one());
    let third = DynamicBonus {
        slope: d("0.333333333333333333"),
        ..b.clone()
    };
    assert_eq!(
        third.at(tiny, d("2"), max),
        d("0.02") + Decimal::new(Uint128::one())
    );
    assert_eq!(b.least(), d("0.02"));
    // The recommended rule: half the penalty at HF 1, the full penalty at HF 1 − p/2.
    let r = DynamicBonus::recommended(max);
    assert_eq!(r.at(d("1"), d("2"), max), d("0.05"));
    assert_eq!(r.at(d("0.95"), d("2"), max), d("0.10"));
}

/// One unit of `uatom` (LT 0.7, penalty 5%) priced `median`, `twap`, `status`.
fn one_unit(median: &str, twap: &str, status: OracleStatus) -> Holding {
    Holding {
        denom: "uatom".to_string(),
        amount: u(1),
        median: d(median),
        twap: d(twap),
        status,
        liquidation_threshold: d("0.7"),
        penalty: d("0.05"),
        dynamic_bonus: None,
    }
}

#[test]
fn the_trusted_price_is_the_median_unless_the_oracle_does_not_stand_behind_it() {
    let h = one_unit;
    let halted = OracleStatus::Halted {
        since: 1,
        jump: Decimal::percent(27),
    };
    let no_quorum = OracleStatus::NoQuorum {
        since: 1,
        fresh: 1,
        required: 2,
    };
    // A halted or quorum-less wick down counts at the TWAP, a wick up at the median.
    assert_eq!(h("7.3", "10", halted.clone()).trusted_price(), d("10"));
    assert_eq!(h("13", "10", halted).trusted_price(), d("13"));
    assert_eq!(h("7.3", "10", no_quorum).trusted_price(), d("10"));
    // Active and stale medians passed the breaker: they count as they are.
    assert_eq!(
        h("7.3", "10", OracleStatus::Active {}).trusted_price(),
        d("7.3")
    );
    assert_eq!(
        h("7.3", "10", OracleStatus::Stale { since: 1 }).trusted_price(),
        d("7.3")
    );
}

#[test]
fn the_wick_rule_bounds_the_twaps_advantage_and_how_long_it_counts() {
    let w = WickParams {
        max_premium: d("0.5"),
        max_wait: 600,
        fade: false,
    };
    let h = one_unit;
    let halted = OracleStatus::Halted {
        since: 1_000,
        jump: Decimal::percent(50),
    };
    // Within the wait: the TWAP counts, but for at most 1.5 × the median.
    assert_eq!(
        h("8", "10", halted.clone())
            .bounded(&w, 1_000)
            .trusted_price(),
        d("10")
    );
    assert_eq!(
        h("5", "10", halted.clone())
            .bounded(&w, 1_599)
            .trusted_price(),
        d("7.5")
    );
    // Once the status is `max_wait` old, the median alone.
    assert_eq!(
        h("8", "10", halted.clone())
            .bounded(&w, 1_600)
            .trusted_price(),
        d("8")
    );
    let no_quorum = OracleStatus::NoQuorum {
        since: 1_000,
        fresh: 1,
        required: 2,
    };
    assert_eq!(
        h("8", "10", no_quorum.clone())
            .bounded(&w, 1_599)
            .trusted_price(),
        d("10")
    );
    assert_eq!(
        h("8", "10", no_quorum).bounded(&w, 1_600).trusted_price(),
        d("8")
    );
    // Active and stale prices are untouched; bounding twice changes nothing.
    let active = h("8", "10", OracleStatus::Active {});
    assert_eq!(active.bounded(&w, 5_000), active);
    let once = h("5", "10", halted).bounded(&w, 1_100);
    assert_eq!(once.bounded(&w, 1_100), once);
}

#[test]
fn a_fading_wick_rule_gives_back_the_twaps_advantage_linearly() {
    let w = WickParams {
        max_premium: d("0.5"),
        max_wait: 600,
        fade: true,
    };
    let halted = OracleStatus::Halted {
        since: 1_000,
        jump: Decimal::percent(50),
    };
    let at = |median: &str, twap: &str, now: u64| {
        one_unit(median, twap, halted.clone())
            .bounded(&w, now)
            .trusted_price()
    };
    // The whole advantage at the trip, then a share of it for the time left.
    assert_eq!(at("8", "10", 1_000), d("10"));
    assert_eq!(at("8", "10", 1_150), d("9.5"), "8 + 2 · 450/600");
    assert_eq!(at("8", "10", 1_300), d("9"));
    assert_eq!(
        at("8", "10", 1_599),
        d("8.003333333333333332"),
        "rounded down"
    );
    assert_eq!(at("8", "10", 1_600), d("8"));
    // The premium bound first: 5 · 1.5 = 7.5, then half of what is left over 5.
    assert_eq!(at("5", "10", 1_300), d("6.25"));
    // A TWAP below the median (a wick up) adds nothing.
    assert_eq!(at("10", "8", 1_100), d("10"));
    // Without the fade the whole bounded advantage counts until the wait ends.
    let cliff = WickParams {
        fade: false,
        ..w.clone()
    };
    assert_eq!(
        one_unit("8", "10", halted.clone())
            .bounded(&cliff, 1_599)
            .trusted_price(),
        d("10")
    );
}

// ---------------------------------------------------------------------------------------------
// Whole plans, property-tested.

/// Answers as the liquidator and the backstop would: fixed rooms, and the backstop's quote
/// computed the way it computes it (the medians, `floor(Σ a·p·(1 − d))`).
struct Fixed {
    rooms: BTreeMap<String, Room>,
    prices: BTreeMap<String, Holding>,
    available: Uint128,
    discount: Decimal,
    asked_rooms: usize,
    /// Units of each denom held by all accounts (the liquidated one included).
    stakes: BTreeMap<String, Uint128>,
    /// Debts of the absorb quotes for all the holdings offered that the pool could pay and
    /// cover in full.
    covered: Vec<Uint128>,
    /// The recipients' aggregate health after any redistribution (`None`: unknown).
    recipients: Option<Decimal>,
    /// The market's credit room for the pool now, and the ratio it lends against new lots.
    credit: (Uint128, Decimal),
}

impl Quotes for Fixed {
    type Error = PlanError;
    fn room(&mut self, denom: &str) -> Result<Room, PlanError> {
        self.asked_rooms += 1;
        Ok(self.rooms[denom])
    }
    fn absorb_quote(
        &mut self,
        collateral: Vec<Coin>,
        debt: Uint128,
        halted: bool,
    ) -> Result<AbsorbQuoteResponse, PlanError> {
        let (value, active) = backstop_value(&self.prices, &collateral, self.discount, halted);
        let pay = if Uint256::from(debt) < value {
            debt
        } else {
            Uint128::try_from(value).unwrap_or(Uint128::MAX)
        };
        if active && !pay.is_zero() && self.available >= debt && collateral.len() > 1 {
            self.covered.push(debt);
        }
        Ok(AbsorbQuoteResponse {
            pay,
            can_absorb: active && self.available >= pay && !pay.is_zero(),
            available: self.available,
            discount: self.discount,
        })
    }
    fn backstop_base(&mut self) -> Result<Uint128, PlanError> {
        Ok(self.available)
    }
    fn absorb_credit(&mut self, pay: Uint128) -> Result<Uint128, PlanError> {
        Ok(self.credit.0 + pay.mul_floor(self.credit.1))
    }
    fn stake(&mut self, denom: &str) -> Result<Uint128, PlanError> {
        Ok(self.stakes.get(denom).copied().unwrap_or_default())
    }
    fn recipients_health(
        &mut self,
        _position: &Position,
        _lots: &[Lot],
        _shares: &[Uint128],
    ) -> Result<Option<Decimal>, PlanError> {
        Ok(self.recipients)
    }
}

/// `floor(Σ a·p·(1 − d))` as the backstop values coins, and whether every price counts
/// (active, or halted when `halted`).
fn backstop_value(
    prices: &BTreeMap<String, Holding>,
    coins: &[Coin],
    discount: Decimal,
    halted: bool,
) -> (Uint256, bool) {
    let mut sum = Decimal256::zero();
    let mut active = true;
    for c in coins {
        let h = &prices[&c.denom];
        let tripped = halted && matches!(h.status, OracleStatus::Halted { .. });
        active &= h.status.is_active() || tripped;
        let p = if tripped {
            h.median.max(h.twap)
        } else {
            h.median
        };
        sum += Decimal256::from_atomics(c.amount, 0).unwrap() * Decimal256::from(p);
    }
    let keep = Decimal256::from(Decimal::one() - discount);
    ((sum * keep).to_uint_floor(), active)
}

#[test]
fn the_backstop_bears_a_loss_with_its_credit_only_under_the_credit_rule() {
    // A position lacking 100 (tab 1,100 against 1,000 of collateral): a pool with a base of 50
    // and 200 of credit and due bears it under the credit rule, and with its base alone not.
    let h = held("ua", 1_000, "1", "0.8", "0.05");
    let offered = [(&h, u(1_100))];
    let mut quotes = Fixed {
        rooms: BTreeMap::new(),
        prices: BTreeMap::new(),
        available: u(50),
        discount: Decimal::zero(),
        asked_rooms: 0,
        stakes: BTreeMap::new(),
        covered: vec![],
        recipients: None,
        credit: (u(200), Decimal::zero()),
    };
    assert!(whole::backstop_covers(&offered, u(1_100), true, &mut quotes).unwrap());
    assert!(!whole::backstop_covers(&offered, u(1_100), false, &mut quotes).unwrap());
    // Nothing lacking: covered whatever the pool holds.
    assert!(whole::backstop_covers(&offered, u(1_000), false, &mut quotes).unwrap());
}

const DENOMS: [&str; 4] = ["ua", "ub", "uc", "ud"];

#[derive(Debug, Clone)]
struct Case {
    holdings: Vec<Holding>,
    /// Health factor aimed at (at the trusted prices).
    hf: f64,
    index: Decimal,
    params: LiquidationParams,
    rooms: Vec<(u128, bool)>,
    global: u128,
    available: u128,
    discount: Decimal,
    /// Block time (the wick rule's clock; the generated statuses began at 1).
    now: u64,
    /// Units of each holding's denom held by the other accounts.
    others: Vec<u128>,
    /// The other holders' aggregate health after a redistribution (`None`: unknown).
    recipients: Option<Decimal>,
    /// With absorbs on credit: the market's credit room now and its ratio.
    credit: (Uint128, Decimal),
}

impl Case {
    /// The holdings as the planner judges them (the TWAPs bounded by the wick rule).
    fn judged(&self) -> Vec<Holding> {
        match &self.params.wick {
            Some(w) => self
                .holdings
                .iter()
                .map(|h| h.bounded(w, self.now))
                .collect(),
            None => self.holdings.clone(),
        }
    }
}

fn status() -> impl Strategy<Value = OracleStatus> {
    prop_oneof![
        8 => Just(OracleStatus::Active {}),
        1 => Just(OracleStatus::Halted { since: 1, jump: Decimal::percent(30) }),
        1 => Just(OracleStatus::Stale { since: 1 }),
    ]
}

fn holding(i: usize) -> impl Strategy<Value = Holding> {
    (
        1u128..=1_000_000_000_000,
        1u64..=5_000_000, // price in 10^-3 units: 0.001 to 5,000
        70u64..=130,      // TWAP as % of the median
        status(),
        50u64..=90,                                                 // LT %
        0u64..=15,                                                  // penalty %
        proptest::option::of((0u64..=100, 0u64..=300, 0u64..=100)), // dynamic bonus
    )
        .prop_map(move |(amount, milli, twap_pct, status, lt, pen, dynamic)| {
            let median = Decimal::from_ratio(milli, 1_000u64);
            let lt = Decimal::percent(lt);
            // Keep LT·(1 + p) < 1, as validation does.
            let pen = Decimal::percent(pen)
                .min(Decimal::one() / lt - Decimal::one() - Decimal::permille(1));
            Holding {
                denom: DENOMS[i].to_string(),
                amount: Uint128::new(amount),
                median,
                twap: median * Decimal::percent(twap_pct),
                status,
                liquidation_threshold: lt,
                penalty: pen,
                // start and min as % of the penalty, slope in %.
                dynamic_bonus: dynamic.map(|(start, slope, min)| DynamicBonus {
                    start: pen * Decimal::percent(start),
                    slope: Decimal::percent(slope),
                    min: pen * Decimal::percent(min),
                }),
            }
        })
}

fn case() -> impl Strategy<Value = Case> {
    (1usize..=4)
        .prop_flat_map(|n| {
            let hs: Vec<_> = (0..n).map(holding).collect();
            (
                hs,
                0.55f64..1.1,
                100u64..=150,
                prop_oneof![
                    Just(1u128),
                    Just(1_000_000u128),
                    Just(1_000_000_000u128),
                    Just(10u128.pow(30)),
                ],
                proptest::collection::vec(
                    (
                        prop_oneof![Just(0u128), 0u128..=20_000_000_000_000],
                        any::<bool>(),
                    ),
                    n,
                ),
                prop_oneof![Just(10u128.pow(30)), 0u128..=40_000_000_000_000],
                prop_oneof![
                    Just(0u128),
                    Just(10u128.pow(30)),
                    0u128..=20_000_000_000_000
                ],
                0u64..=10,
                (
                    any::<bool>(),
                    prop_oneof![Just(0u64), Just(1_900u64), 0u64..=4_000],
                    any::<bool>(),
                    proptest::option::of(any::<bool>()),
                    proptest::collection::vec(prop_oneof![Just(0u128), 1u128..=10u128.pow(24)], n),
                    prop_oneof![
                        1 => Just(None),
                        1 => (0u64..100).prop_map(Some),
                        4 => (100u64..400).prop_map(Some),
                    ],
                    proptest::option::of((
                        prop_oneof![Just(0u128), 0u128..=20_000_000_000_000],
                        0u64..=100,
                    )),
                    any::<bool>(),
                ),
            )
        })
        .prop_map(
            |(
                holdings,
                hf,
                idx,
                min,
                rooms,
                global,
                available,
                disc,
                (wick, now, transfer, redistribute, others, recipients, credit, paced),
            )| {
                Case {
                    holdings,
                    hf,
                    index: Decimal::percent(idx),
                    params: LiquidationParams {
                        min_debt: Uint128::new(min),
                        min_collateral_value: Uint128::new(min),
                        wick: wick.then(WickParams::default),
                        when_throttled: if transfer {
                            WhenThrottled::Transfer
                        } else {
                            WhenThrottled::Wait
                        },
                        redistribution: redistribute.map(|backstop_first| RedistributionParams {
                            backstop_first,
                            ..RedistributionParams::default()
                        }),
                        absorb_on_credit: credit.is_some(),
                        pace_hard_floor: paced,
                        ..LiquidationParams::default()
                    },
                    rooms,
                    global,
                    available,
                    discount: Decimal::percent(disc),
                    now,
                    others,
                    recipients: recipients.map(Decimal::percent),
                    credit: credit.map_or((Uint128::zero(), Decimal::zero()), |(room, r)| {
                        (Uint128::new(room), Decimal::percent(r))
                    }),
                }
            },
        )
}

/// The trusted liquidation value `W` of `holdings` (as the planner weighs it).
fn w_of(holdings: &[Holding]) -> u128 {
    holdings
        .iter()
        .map(|h| {
            h.amount
                .mul_floor(h.trusted_price())
                .mul_floor(h.liquidation_threshold)
                .u128()
        })
        .sum()
}

/// The trusted collateral value of `holdings`.
fn cv_of(holdings: &[Holding]) -> u128 {
    holdings
        .iter()
        .map(|h| h.amount.mul_floor(h.trusted_price()).u128())
        .sum()
}

/// Runs the planner on `c`: the position (debt sized for the health factor aimed at) and the
/// quotes.
fn run(c: &Case) -> (Position<'_>, Result<Planned, PlanError>, Fixed) {
    let w = w_of(&c.judged()).max(1) as f64;
    let debt = ((w / c.hf).ceil() as u128).max(1);
    let shares = Uint128::new(debt)
        .checked_div_floor(c.index)
        .unwrap()
        .max(Uint128::one());
    let debt = shares.mul_ceil(c.index);
    let position = Position {
        holdings: &c.holdings,
        debt,
        debt_shares: shares,
        borrow_index: c.index,
        now: c.now,
    };
    let mut quotes = Fixed {
        rooms: c
            .holdings
            .iter()
            .zip(&c.rooms)
            .map(|(h, (r, big))| {
                let room = if *big { u128::MAX / 4 } else { *r };
                (
                    h.denom.clone(),
                    Room {
                        room: Uint128::new(room.min(c.global)),
                        global: Uint128::new(c.global),
                    },
                )
            })
            .collect(),
        prices: c
            .holdings
            .iter()
            .map(|h| (h.denom.clone(), h.clone()))
            .collect(),
        available: Uint128::new(c.available),
        discount: c.discount,
        asked_rooms: 0,
        covered: vec![],
        recipients: c.recipients,
        credit: c.credit,
        stakes: c
            .holdings
            .iter()
            .zip(&c.others)
            .map(|(h, o)| (h.denom.clone(), h.amount + Uint128::new(*o)))
            .collect(),
    };
    let planned = plan_liquidation(&position, &c.params, 0, &mut quotes);
    (position, planned, quotes)
}

/// `W` before and after `lot` leaves the account, and the debt left once `burned` shares go.
fn after_seizure(pos: &Position, lot: &Lot, burned: Uint128) -> (u128, u128, u128) {
    let after: Vec<Holding> = pos
        .holdings
        .iter()
        .map(|x| {
            let mut x = x.clone();
            if x.denom == lot.denom {
                x.amount -= lot.amount;
            }
            x
        })
        .collect();
    let d1 = (pos.debt_shares - burned).mul_ceil(pos.borrow_index).u128();
    (w_of(pos.holdings), w_of(&after), d1)
}

fn find<'a>(hs: &'a [Holding], denom: &str) -> &'a Holding {
    hs.iter().find(|h| h.denom == denom).unwrap()
}

/// `a · b` exactly, as a 256-bit decimal.
fn mul(a: Uint128, b: Decimal) -> Decimal256 {
    Decimal256::from_atomics(a, 0).unwrap() * Decimal256::from(b)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// Every plan respects the rules on the position it was made for.
    #[test]
    fn plans_keep_the_rules(c in case()) {
        let (raw, planned, quotes) = run(&c);
        let judged = c.judged();
        let pos = Position { holdings: &judged, ..raw };
        let d0 = pos.debt.u128();
        let planned = match planned {
            Ok(p) => p,
            Err(PlanError::Healthy { health_factor }) => {
                prop_assert!(health_factor >= Decimal::one());
                return Ok(());
            }
            Err(PlanError::Paused { denom, .. }) => {
                // A paused refusal always names a holding that is not active.
                prop_assert!(!find(pos.holdings, &denom).status.is_active());
                return Ok(());
            }
            Err(PlanError::WaitingOutWick { denom, until, .. }) => {
                // Waiting is bounded: only under the wick rule, for a holding whose status is
                // younger than `max_wait`, the account below 1 at the medians.
                let h = find(pos.holdings, &denom);
                let wick = c.params.wick.as_ref();
                prop_assert!(wick.is_some() && !h.status.is_active());
                prop_assert_eq!(Some(until), h.untrusted_since().map(|s| s + wick.unwrap().max_wait));
                prop_assert!(c.now < until);
                prop_assert!(h.twap <= h.median * (Decimal::one() + wick.unwrap().max_premium));
                return Ok(());
            }
            Err(PlanError::NoRoom { .. }) | Err(PlanError::TooSmall) => {
                prop_assert!(quotes.asked_rooms > 0, "throttled without asking a room");
                return Ok(());
            }
            Err(e) => return Err(TestCaseError::fail(format!("unexpected refusal {e}"))),
        };
        let plan = &planned.plan;
        prop_assert!(plan.tab() <= pos.debt);
        prop_assert!(plan.burned() <= pos.debt_shares && !plan.burned().is_zero());
        // Shares burned are never worth more than the debt that leaves the account.
        if plan.burned() < pos.debt_shares {
            prop_assert!(plan.burned().mul_floor(pos.borrow_index) <= plan.tab());
        }
        match plan {
            LiquidationPlan::Partial { lot, burned, full, bonus } => {
                prop_assert!(!planned.hard_floor);
                let h = find(pos.holdings, &lot.denom);
                prop_assert!(h.status.is_active());
                prop_assert!(lot.amount <= h.amount && !lot.amount.is_zero());
                prop_assert_eq!(*full, lot.tab == pos.debt);
                // The bonus in force: the dynamic rule at the trusted HF and CR, never above
                // the penalty, and never above the equity unless floored by `min`.
                let cr = Decimal::from_ratio(cv_of(pos.holdings), pos.debt);
                prop_assert_eq!(*bonus, h.bonus_at(planned.health_factor, cr));
                prop_assert!(*bonus <= h.penalty);
                if let Some(b) = &h.dynamic_bonus {
                    prop_assert!(*bonus <= (cr - Decimal::one().min(cr)).max(b.min));
                }
                let bonus = Decimal::one() + *bonus;
                prop_assert!(h.liquidation_threshold * bonus < planned.health_factor);
                // Rounding favours the protocol: the lot covers the repay and its penalty.
                prop_assert!(mul(lot.amount, h.median) >= mul(lot.tab, bonus));
                // The borrower loses at most the penalty on the repay, plus one unit of the
                // lot (rounded up) and `2 + p` base units: when the lot is the whole holding
                // the tab is `floor(floor(value) / (1+p))`, which floors twice.
                let taken = mul(lot.amount, h.median);
                let bound = mul(lot.tab, bonus)
                    + Decimal256::from(h.median)
                    + Decimal256::from(bonus)
                    + Decimal256::one();
                prop_assert!(taken <= bound, "taken {} > bound {}: plan {:?}, holding {:?}", taken, bound, plan, h);
                // The health factor never falls (up to the lot's one-unit round-up, the
                // values' flooring and the shares' flooring).
                let (w0, w1, d1) = after_seizure(&pos, lot, *burned);
                let tol = Uint128::one()
                    .mul_ceil(h.median * h.liquidation_threshold)
                    .u128()
                    + 1
                    + Uint128::one().mul_ceil(pos.borrow_index).u128();
                prop_assert!(
                    Uint256::from(w1 + tol) * Uint256::from(d0)
                        >= Uint256::from(w0) * Uint256::from(d1),
                    "HF fell: {}/{} -> {}/{}", w0, d0, w1, d1
                );
            }
            LiquidationPlan::Absorb { lots, tab, pay, on_credit, .. } => {
                let price = *pay + *on_credit;
                prop_assert!(price <= *tab);
                // The pool pays from its base first, and the market lends only under the rule,
                // within the room it quoted.
                prop_assert!(pay.u128() <= c.available);
                if !on_credit.is_zero() {
                    prop_assert!(c.params.absorb_on_credit);
                    prop_assert_eq!(pay.u128(), c.available);
                    // Only a position its lots cover: the loan never pays a loss.
                    prop_assert_eq!(price, *tab);
                    // (The quote it lends against pays at most the tab.)
                    prop_assert!(*on_credit <= c.credit.0 + tab.mul_floor(c.credit.1));
                }
                let coins: Vec<Coin> = lots.iter().map(|l| Coin::new(l.amount, &l.denom)).collect();
                let wick = c.params.wick.is_some();
                for l in lots {
                    let h = find(pos.holdings, &l.denom);
                    // Only prices the pool counts: active, or halted under the wick rule.
                    let halted = matches!(h.status, OracleStatus::Halted { .. });
                    prop_assert!(h.status.is_active() || (wick && halted));
                    prop_assert!(l.amount <= h.amount);
                }
                // The pool is never short: it pays at most its own quote of what it gets.
                let (quote, _) = backstop_value(&quotes.prices, &coins, c.discount, wick);
                prop_assert!(Uint256::from(price) <= quote);
                // When it pays the debt in full, the borrower loses at most the discount on
                // what is taken plus one unit of the last lot.
                if price == *tab {
                    let value: Decimal256 = lots
                        .iter()
                        .map(|l| mul(l.amount, find(pos.holdings, &l.denom).trusted_price()))
                        .fold(Decimal256::zero(), |a, b| a + b);
                    let last = lots.last().map_or(Decimal::zero(), |l| find(pos.holdings, &l.denom).trusted_price());
                    let loss = value - Decimal256::from_atomics(price, 0).unwrap().min(value);
                    let bound = value * Decimal256::from(c.discount) + Decimal256::from(last) + Decimal256::one();
                    prop_assert!(loss <= bound, "loss {} above {}", loss, bound);
                }
            }
            LiquidationPlan::PartialAbsorb { lot, burned, full } => {
                // Only when transfers are on, above the hard floor, of an active holding.
                prop_assert_eq!(c.params.when_throttled, WhenThrottled::Transfer);
                prop_assert!(!planned.hard_floor);
                let h = find(pos.holdings, &lot.denom);
                prop_assert!(h.status.is_active());
                prop_assert!(lot.amount <= h.amount && !lot.amount.is_zero());
                prop_assert_eq!(*full, lot.tab == pos.debt);
                // It heals: f = LT / (1 − δ) below the health factor.
                let f = absorb_factor(h.liquidation_threshold, c.discount).unwrap();
                prop_assert!(f < planned.health_factor);
                // The pool is never short: the repay is within its quote of the lot and its base.
                let coins = [Coin::new(lot.amount, &lot.denom)];
                let (quote, _) = backstop_value(&quotes.prices, &coins, c.discount, false);
                prop_assert!(Uint256::from(lot.tab) <= quote);
                prop_assert!(lot.tab.u128() <= c.available);
                // The borrower loses at most the discount on what is taken, plus one unit.
                let taken = mul(lot.amount, h.median);
                let repaid = Decimal256::from_atomics(lot.tab, 0).unwrap();
                let bound = taken * Decimal256::from(c.discount) + Decimal256::from(h.median) + Decimal256::one();
                prop_assert!(taken - repaid.min(taken) <= bound, "loss above the discount");
                // The health factor does not fall (one unit of rounding, as for auctions).
                let (w0, w1, d1) = after_seizure(&pos, lot, *burned);
                let tol = Uint128::one().mul_ceil(h.median * h.liquidation_threshold).u128()
                    + 1 + Uint128::one().mul_ceil(pos.borrow_index).u128();
                prop_assert!(
                    Uint256::from(w1 + tol) * Uint256::from(d0) >= Uint256::from(w0) * Uint256::from(d1),
                    "HF fell: {}/{} -> {}/{}", w0, d0, w1, d1
                );
            }
            LiquidationPlan::Auctions { lots, tab, forced, part, burned, .. } => {
                // A part of the position goes only where the room paces it (always above the
                // hard floor, below it when paced), and the account's debt falls by no more
                // than the tab moved to auction.
                let paced = !*forced || c.params.pace_hard_floor;
                prop_assert!(!*part || paced);
                if *part {
                    prop_assert!(burned.mul_floor(pos.borrow_index) <= *tab);
                }
                prop_assert_eq!(*forced, planned.hard_floor);
                // Never into a wick the pool could have taken: under the wick rule a halted
                // holding is auctioned only below the hard floor (forced, the last resort).
                if c.params.wick.is_some() {
                    for l in lots {
                        let h = find(pos.holdings, &l.denom);
                        let halted = matches!(h.status, OracleStatus::Halted { .. });
                        prop_assert!(*forced || !halted);
                    }
                }
                let sum: u128 = lots.iter().map(|l| l.tab.u128()).sum();
                prop_assert_eq!(sum, tab.u128());
                let mut seen = 0u128;
                for l in lots {
                    let h = find(pos.holdings, &l.denom);
                    if *part {
                        prop_assert!(l.amount <= h.amount && !l.amount.is_zero());
                    } else {
                        prop_assert_eq!(l.amount, h.amount);
                    }
                    prop_assert!(*forced || h.status.is_active());
                    if paced {
                        prop_assert!(l.tab <= quotes.rooms[&l.denom].room);
                        seen += l.tab.u128();
                    }
                }
                prop_assert!(!paced || seen <= c.global);
            }
            LiquidationPlan::Redistribute { lots, shares, tab, burned } => {
                // Only with redistribution on; never for a debt the pool could pay and cover
                // in full (it would have absorbed it).
                let r = c.params.redistribution.as_ref();
                prop_assert!(r.is_some());
                prop_assert!(!quotes.covered.contains(tab), "redistributed what the pool could take");
                // Backstop first: only what the pool could not bear, its base and credit, of
                // what the position lacks at the trusted prices.
                if r.is_some_and(|r| r.backstop_first) {
                    let value: u128 = lots
                        .iter()
                        .map(|l| {
                            let h = find(pos.holdings, &l.denom);
                            h.amount.mul_floor(h.trusted_price()).u128()
                        })
                        .sum();
                    let bears = c.available.saturating_add(quotes.credit.0.u128());
                    prop_assert!(tab.u128().saturating_sub(value) > bears, "redistributed what the pool could bear");
                }
                // Never onto holders it would leave together below the floor (or of unknown health).
                prop_assert!(c.recipients.is_some_and(|h| h >= r.unwrap().min_recipient_health));
                let sum: u128 = lots.iter().map(|l| l.tab.u128()).sum();
                prop_assert_eq!(sum, tab.u128());
                let given: u128 = shares.iter().map(|s| s.u128()).sum();
                prop_assert_eq!(given, burned.u128());
                prop_assert_eq!(lots.len(), shares.len());
                for l in lots {
                    let h = find(pos.holdings, &l.denom);
                    let i = c.holdings.iter().position(|x| x.denom == l.denom).unwrap();
                    // Someone else holds the denom, and its price caps the lot.
                    prop_assert!(c.others[i] > 0);
                    prop_assert!(l.amount <= h.amount);
                    let cr = Decimal::from_ratio(cv_of(pos.holdings), pos.debt);
                    let keep = (Decimal::one() + h.bonus_at(planned.health_factor, cr))
                        .min(Decimal::one() + r.unwrap().penalty_cap);
                    // The cap: the lot is worth at most tab·(1 + cap), rounded up to a base unit,
                    // plus one unit of collateral.
                    prop_assert!(mul(l.amount, h.trusted_price()) <= mul(l.tab, keep) + Decimal256::one() + Decimal256::from(h.trusted_price()));
                    // Rounding favours the recipients: whole holdings, or at least the cap.
                    prop_assert!(l.amount == h.amount || mul(l.amount, h.trusted_price()) >= mul(l.tab, keep));
                }
                // The whole position goes: every debt share, unless a holding without an
                // active price stays with its share of the debt (above the hard floor).
                let all_active = pos.holdings.iter().all(|h| h.status.is_active());
                prop_assert!(*burned == pos.debt_shares || (!all_active && !planned.hard_floor));
            }
            LiquidationPlan::WriteOff { .. } => prop_assert!(pos.holdings.is_empty()),
        }
    }

    /// The planner agrees with an `f64` reference of the closed forms: the health factor, the
    /// target repay of an uncapped partial liquidation, and the units of the last absorbed
    /// holding.
    #[test]
    fn plans_agree_with_the_f64_reference(c in case()) {
        let (raw, planned, quotes) = run(&c);
        let judged = c.judged();
        let pos = Position { holdings: &judged, ..raw };
        let Ok(planned) = planned else { return Ok(()); };
        let debt = pos.debt.u128() as f64;
        let price = |h: &Holding| f(h.trusted_price());
        let w: f64 = pos.holdings.iter().map(|h| h.amount.u128() as f64 * price(h) * f(h.liquidation_threshold)).sum();
        let hf = w / debt;
        prop_assert!((f(planned.health_factor) - hf).abs() <= 1e-9 * hf.max(1.0) + 4.0 * pos.holdings.len() as f64 / debt,
            "HF {} vs reference {}", planned.health_factor, hf);
        match &planned.plan {
            LiquidationPlan::Partial { lot, full: false, bonus, .. } => {
                let h = find(pos.holdings, &lot.denom);
                // The reference bonus: Mars's rule in f64 (the planner's rounds up by at
                // most 10^-18).
                let cr = cv_of(pos.holdings) as f64 / debt;
                let reference = h.dynamic_bonus.as_ref().map_or(f(h.penalty), |b| {
                    let cap = (cr - 1.0).min(f(h.penalty)).max(f(b.min));
                    (f(b.start) + f(b.slope) * (1.0 - f(planned.health_factor)).max(0.0)).min(cap)
                });
                prop_assert!((f(*bonus) - reference).abs() <= 1e-9, "bonus {} vs reference {}", bonus, reference);
                let fk = f(h.liquidation_threshold) * (1.0 + f(*bonus));
                let t = f(c.params.target_health_factor);
                let r = (t * debt - w) / (t - fk);
                let uncapped = mul(lot.amount, h.median) < mul(h.amount, h.median)
                    && lot.tab < quotes.rooms[&lot.denom].room
                    && r < debt;
                if uncapped && (lot.tab.u128() as f64) < debt - c.params.min_debt.u128() as f64 {
                    // The integer repay is the reference rounded up (a few units of flooring
                    // in W and T·D).
                    let tab = lot.tab.u128() as f64;
                    let n = pos.holdings.len() as f64;
                    prop_assert!(tab >= r - 1.0 && tab <= r * (1.0 + 1e-9) + (3.0 + 2.0 * n) / (t - fk) + 1.0,
                        "repay {} vs reference {}", tab, r);
                }
            }
            LiquidationPlan::Absorb { lots, tab, pay, on_credit, .. } if *pay + *on_credit == *tab && !lots.is_empty() => {
                let keep = 1.0 - f(c.discount);
                let (init, last) = lots.split_at(lots.len() - 1);
                let s: f64 = init.iter().map(|l| l.amount.u128() as f64 * f(find(pos.holdings, &l.denom).trusted_price())).sum();
                let p = f(find(pos.holdings, &last[0].denom).trusted_price());
                let u_ref = ((tab.u128() as f64 - s * keep) / (p * keep)).ceil();
                let u = last[0].amount.u128() as f64;
                let whole = find(pos.holdings, &last[0].denom).amount.u128() as f64;
                prop_assert!((u - u_ref.min(whole)).abs() <= 1.0 + 1e-9 * u, "units {} vs reference {}", u, u_ref);
            }
            _ => {}
        }
    }
}

/// The generated cases reach every kind of plan and refusal, so the properties above are not
/// checked on refusals alone.
#[test]
fn the_generated_cases_reach_every_kind_of_plan() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut seen: BTreeMap<&str, u32> = BTreeMap::new();
    for _ in 0..3_000 {
        let c = case().new_tree(&mut runner).unwrap().current();
        let (_, planned, _) = run(&c);
        let kind = match &planned {
            Ok(p) => p.plan.mode(),
            Err(PlanError::Healthy { .. }) => "healthy",
            Err(PlanError::Paused { .. }) => "paused",
            Err(PlanError::WaitingOutWick { .. }) => "wick",
            Err(PlanError::NoRoom { .. }) => "no_room",
            Err(PlanError::TooSmall) => "too_small",
            Err(_) => "other",
        };
        *seen.entry(kind).or_default() += 1;
        if let Ok(Planned {
            plan:
                LiquidationPlan::Auctions {
                    forced: true,
                    part: true,
                    ..
                },
            ..
        }) = &planned
        {
            *seen.entry("forced_paced").or_default() += 1;
        }
        if let Ok(Planned {
            plan:
                LiquidationPlan::Absorb {
                    pay,
                    tab,
                    lots,
                    on_credit,
                    ..
                },
            ..
        }) = &planned
        {
            if !on_credit.is_zero() {
                *seen.entry("absorb_on_credit").or_default() += 1;
            }
            let partial = *pay + *on_credit == *tab && lots.len() < c.holdings.len();
            *seen
                .entry(if partial { "absorb_part" } else { "absorb_all" })
                .or_default() += 1;
            let halted = lots.iter().any(|l| {
                let h = c.holdings.iter().find(|h| h.denom == l.denom).unwrap();
                matches!(h.status, OracleStatus::Halted { .. })
            });
            if halted {
                *seen.entry("absorb_halted").or_default() += 1;
            }
        }
    }
    for kind in [
        "partial",
        "full",
        "absorb_part",
        "absorb_all",
        "absorb_halted",
        "absorb_on_credit",
        "forced_paced",
        "partial_absorb",
        "toxic_auction",
        "redistribute",
        "healthy",
        "paused",
        "wick",
        "no_room",
    ] {
        assert!(
            seen.get(kind).copied().unwrap_or(0) > 0,
            "{kind} never generated: {seen:?}"
        );
    }
    assert_eq!(seen.get("other"), None, "{seen:?}");
}
