//! Running the actions, with the checks specific to each (success and refusal alike).
use super::actions::{Action, BidSize, BorrowSize, Guard, RepaySize, BASE, COLLATERALS};
use super::checks::{assert_one_of, cost, decimal, events, get, num, THROTTLE_OR_PAUSE};
use super::world::{harness_auction_params, root_cause, World};
use breakwater_testing::{dec, default_liquidation_params};
use breakwater_types::backstop::{BackstopParams, ExecuteMsg as BackstopMsg};
use breakwater_types::liquidator::{CollateralAuction, ExecuteMsg as LiquidatorMsg, Seller, Slide};
use breakwater_types::market::{AccountResponse, CollateralUpdate, ExecuteMsg as MarketMsg};
use breakwater_types::oracle::OracleStatus;
use cosmwasm_std::{coin, Addr, Decimal, Uint128, Uint256};

/// Shares the backstop mints per base unit into an empty pool (its virtual offset).
const VIRTUAL_SHARES: u128 = 1_000_000;

/// The Suite's configured depth of every collateral (`CollateralParams.depth`, the deploy
/// plan's): [`Action::Book`]'s shares are of it.
const SUITE_DEPTH: u128 = 10_000_000_000;

/// `ceil(borrow_index)`: the most debt one debt share is worth, in base units.
fn index_units(st: &breakwater_types::market::StateResponse) -> u128 {
    Uint128::one().mul_ceil(st.borrow_index).u128()
}

/// The Suite's starting price of each collateral (prices are kept within a factor 1,000 of
/// it, far inside the oracle's bounds).
fn start_price(denom: &str) -> Decimal {
    match denom {
        "uatom" => dec("10"),
        "uosmo" => dec("0.5"),
        _ => dec("3000"),
    }
}

fn u256(x: u128) -> Uint256 {
    Uint256::from(x)
}

/// `base · (10,000 ± bps) / 10,000`.
fn scale_bps(base: Decimal, bps: i64) -> Decimal {
    let factor = Decimal::from_ratio((10_000 + bps).max(0) as u128, 10_000u128);
    base * factor
}

impl World {
    /// Runs action number `index` of the case, then checks every invariant.
    pub fn run(&mut self, index: usize, action: &Action) {
        self.step = index + 1;
        self.label = format!("{action:?}");
        self.stats.steps += 1;
        let moves_time_or_price = matches!(
            action,
            Action::Price { .. }
                | Action::Jump { .. }
                | Action::Time { .. }
                | Action::Book { .. }
                | Action::BackstopWithdraw { wait: true, .. }
        );
        if moves_time_or_price {
            self.invalidate();
        }
        // A depositor who joins the backstop just before an action that accrues nothing and
        // leaves after it must gain nothing (see `liveness`).
        let pool_before = (!moves_time_or_price).then(|| self.current().pool);
        match action.clone() {
            Action::Supply { who, amount } => self.supply(who, amount),
            Action::Withdraw { who, amount } => {
                let who = self.user_or_lender(who);
                let msg = MarketMsg::Withdraw {
                    amount: amount.map(Uint128::new),
                };
                self.market("withdraw", &who, &msg, &[]);
            }
            Action::Deposit {
                who,
                denom,
                amount,
                for_other,
            } => {
                let who = self.user(who);
                let denom = COLLATERALS[denom % 3];
                let amount = amount.min(self.balance(&who, denom));
                if amount > 0 {
                    let on_behalf_of = for_other.map(|o| self.user(o).to_string());
                    let msg = MarketMsg::DepositCollateral { on_behalf_of };
                    self.market("deposit_collateral", &who, &msg, &[coin(amount, denom)]);
                }
            }
            Action::WithdrawCollateral { who, denom, amount } => {
                self.withdraw_collateral(who, denom, amount)
            }
            Action::Borrow { who, size } => self.borrow(who, size),
            Action::Repay { payer, who, size } => self.repay(payer, who, size),
            Action::Price { denom, pct, settle } => {
                self.feed_for(settle);
                self.move_price(COLLATERALS[denom % 3], pct);
            }
            Action::Jump { denom, pct } => self.move_price(COLLATERALS[denom % 3], pct),
            Action::Book { denom, share } => {
                let d = COLLATERALS[denom % 3];
                match share {
                    Some(s) => self
                        .books
                        .insert(d.to_string(), Uint128::new(SUITE_DEPTH * s as u128 / 100)),
                    None => self.books.remove(d),
                };
                self.move_price(d, 0);
            }
            Action::Time { secs, feeding } => {
                if feeding {
                    self.feed_for(secs);
                } else {
                    self.suite.advance_time(secs);
                }
            }
            Action::Liquidate { sender, target } => {
                let sender = self.user_or_keeper(sender);
                let t = target % (self.users.len() + 1);
                let target = self.users.get(t).cloned().unwrap_or(self.nobody.clone());
                self.liquidate(&sender, &target);
            }
            Action::KeeperScan => {
                let keeper = self.keeper.clone();
                for u in self.users.clone() {
                    let hf = self.suite.account(&u).health_factor;
                    if hf.is_some_and(|h| h < Decimal::one()) {
                        self.liquidate(&keeper, &u);
                    }
                }
            }
            Action::Bid {
                pick,
                bidder,
                size,
                guard,
            } => self.bid(pick, bidder, size, guard),
            Action::Reset { pick } => self.reset(pick),
            Action::BuyAtFloor { pick } => self.buy_at_floor(pick),
            Action::BackstopDeposit { who, amount } => self.backstop_deposit(who, amount),
            Action::BackstopRequest { who, pct } => {
                let who = self.depositor(who, false);
                let held = self.suite.backstop_depositor(&who).shares.u128();
                let shares = (held * pct as u128 / 100).max(1);
                let msg = BackstopMsg::RequestWithdraw {
                    shares: Uint128::new(shares),
                };
                self.backstop("request_withdraw", &who, &msg, &[]);
            }
            Action::BackstopCancel { who } => {
                let who = self.depositor(who, true);
                self.backstop(
                    "cancel_withdraw",
                    &who,
                    &BackstopMsg::CancelWithdraw {},
                    &[],
                );
            }
            Action::BackstopWithdraw { who, wait } => self.backstop_withdraw(who, wait),
            Action::Resell { denom } => {
                let keeper = self.keeper.clone();
                let msg = BackstopMsg::Resell {
                    denom: COLLATERALS[denom % 3].to_string(),
                };
                self.backstop("resell", &keeper, &msg, &[]);
            }
            Action::Sweep => self.sweep(),
            Action::Accrue => {
                let keeper = self.keeper.clone();
                let sent = self.market(
                    "accrue_interest",
                    &keeper,
                    &MarketMsg::AccrueInterest {},
                    &[],
                );
                assert!(
                    sent.res.is_ok(),
                    "{}: accrual refused: {:?}",
                    self.at(),
                    sent.res.err()
                );
            }
            Action::SetThreshold { denom, bps } => self.set_threshold(COLLATERALS[denom % 3], bps),
            Action::SetHole { denom, hole } => {
                let owner = self.owner.clone();
                let msg = LiquidatorMsg::SetCollateral(CollateralAuction {
                    denom: COLLATERALS[denom % 3].to_string(),
                    params: harness_auction_params(hole, self.hold),
                });
                let sent = self.liquidator("set_collateral", &owner, &msg, &[]);
                assert!(
                    sent.res.is_ok(),
                    "{}: owner refused: {:?}",
                    self.at(),
                    sent.res.err()
                );
            }
            Action::Breaker { level } => {
                let owner = self.owner.clone();
                let sent = self.market(
                    "set_breaker_level",
                    &owner,
                    &MarketMsg::SetBreakerLevel { level },
                    &[],
                );
                assert!(
                    sent.res.is_ok(),
                    "{}: owner refused: {:?}",
                    self.at(),
                    sent.res.err()
                );
            }
            Action::TripBreaker { denom } => {
                let denom = COLLATERALS[denom % 3];
                let halted = matches!(
                    self.suite.oracle_price(denom).map(|p| p.status),
                    Ok(OracleStatus::Halted { .. })
                );
                let keeper = self.keeper.clone();
                let msg = MarketMsg::TripBreaker {
                    denom: denom.to_string(),
                };
                let sent = self.market("trip_breaker", &keeper, &msg, &[]);
                assert_eq!(
                    sent.res.is_ok(),
                    halted,
                    "{}: TripBreaker on a {} price: {:?}",
                    self.at(),
                    if halted { "halted" } else { "non-halted" },
                    sent.res.err()
                );
                if halted {
                    // It announces the halt and sets no level (SECURITY.md R7b).
                    assert_eq!(
                        self.suite.market_state().breaker_level,
                        sent.before.state.breaker_level
                    );
                }
            }
            Action::Intrude { who, kind } => self.intrude(who, kind),
        }
        if let Some(p0) = pool_before {
            self.check_jit(&p0);
        }
        if self.hold {
            // What the case exercised: falls through a book that holds (slides by the book,
            // their curves priced ahead of the oracle).
            for d in COLLATERALS {
                let o = self.suite.oracle_price(d).expect("priced");
                if Slide::book_holds(o.below_twap, o.depth, Uint128::new(SUITE_DEPTH)) {
                    self.stats.book_falls += 1;
                }
            }
        }
        self.check_invariants();
    }

    fn supply(&mut self, who: usize, amount: u128) {
        let who = self.user(who);
        let amount = amount.min(self.balance(&who, BASE));
        if amount == 0 {
            return;
        }
        let sent = self.market("supply", &who, &MarketMsg::Supply {}, &World::base(amount));
        if sent.res.is_err() {
            return;
        }
        // Supplying never dilutes existing suppliers, and the supplier gains nothing on the
        // spot.
        let at = self.at();
        let st = self.suite.market_state();
        assert!(
            st.supply_index >= sent.before.state.supply_index,
            "{at}: supply index fell on a supply"
        );
        for b in &sent.before.suppliers {
            let a = self.suite.supplier(&Addr::unchecked(&b.address));
            if b.address == who.as_str() {
                assert!(
                    a.assets >= b.assets && a.assets.u128() - b.assets.u128() <= amount,
                    "{at}: supplier assets {} -> {} for {amount}",
                    b.assets,
                    a.assets
                );
            } else {
                assert!(a.assets >= b.assets, "{at}: supplier {} diluted", b.address);
            }
        }
    }

    fn withdraw_collateral(&mut self, who: usize, denom: usize, amount: Option<u128>) {
        let who = self.user(who);
        let denom = COLLATERALS[denom % 3];
        let msg = MarketMsg::WithdrawCollateral {
            denom: denom.to_string(),
            amount: amount.map(Uint128::new),
        };
        let sent = self.market("withdraw_collateral", &who, &msg, &[]);
        if sent.res.is_ok() {
            let before = self.account_in(&sent.before.accounts, &who);
            if !before.debt.is_zero() {
                // New risk: only on active prices, and never leaves the account liquidatable.
                let at = self.at();
                let after = self.suite.account(&who);
                assert!(
                    after
                        .collaterals
                        .iter()
                        .all(|c| c.oracle_status.is_active()),
                    "{at}: collateral withdrawn with debt on a non-active price"
                );
                assert!(
                    after.debt <= after.borrow_limit,
                    "{at}: withdrawal left debt above the borrow limit: {after:?}"
                );
                assert!(
                    after.health_factor.is_none_or(|h| h >= Decimal::one()),
                    "{at}: withdrawal left the account liquidatable: {after:?}"
                );
            }
        }
    }

    fn borrow(&mut self, who: usize, size: BorrowSize) {
        let who = self.user(who);
        let acc = self.suite.account(&who);
        let amount = match size {
            BorrowSize::Units(a) => a.max(1),
            BorrowSize::NearLimit(offset) => {
                let room = acc.borrow_limit.u128() as i128 - acc.debt.u128() as i128;
                (room + offset as i128).max(1) as u128
            }
        };
        let msg = MarketMsg::Borrow {
            amount: Uint128::new(amount),
        };
        let sent = self.market("borrow", &who, &msg, &[]);
        let at = self.at();
        let level = sent.before.state.breaker_level;
        match &sent.res {
            Ok(_) => {
                assert_eq!(level, 0, "{at}: borrowed with the breaker at {level}");
                assert!(
                    acc.collaterals.iter().all(|c| c.oracle_status.is_active()),
                    "{at}: borrowed on a non-active price: {acc:?}"
                );
                let after = self.suite.account(&who);
                assert!(
                    after.debt <= after.borrow_limit,
                    "{at}: borrow above the borrow limit: {after:?}"
                );
                assert!(
                    after.health_factor.is_some_and(|h| h >= Decimal::one()),
                    "{at}: a borrow started liquidatable: {after:?}"
                );
            }
            Err(e) if level >= 1 => {
                assert_one_of(&at, root_cause(e), &["borrowing is paused"], "borrow");
            }
            Err(_) => {}
        }
    }

    fn repay(&mut self, payer: usize, who: usize, size: RepaySize) {
        let payer = self.user(payer);
        let who = self.user(who);
        let debt = self.suite.account(&who).debt.u128();
        let amount = match size {
            RepaySize::Units(a) => a,
            RepaySize::Full => debt,
            RepaySize::FullPlus(extra) => debt + extra,
        }
        .min(self.balance(&payer, BASE));
        if amount == 0 {
            return;
        }
        let on_behalf_of = (payer != who).then(|| who.to_string());
        let msg = MarketMsg::Repay { on_behalf_of };
        let sent = self.market("repay", &payer, &msg, &World::base(amount));
        if sent.res.is_ok() {
            // The payer pays exactly `min(funds, debt)`; the debt falls by about as much.
            let at = self.at();
            let pay = amount.min(debt);
            let paid = sent.before.balance(&payer, BASE) - self.balance(&payer, BASE);
            assert_eq!(
                paid, pay,
                "{at}: repaid {paid} of {amount} on a debt of {debt}"
            );
            let left = self.suite.account(&who).debt.u128();
            if pay == debt {
                assert_eq!(left, 0, "{at}: a full repayment left {left}");
            } else {
                assert!(
                    left <= debt && left + pay <= debt + 2,
                    "{at}: debt {debt} -> {left} after paying {pay}"
                );
            }
        }
    }

    /// Lets `secs` pass in steps of at most 50 s, every feeder re-submitting each current
    /// median after each step (the Suite's `advance_time_feeding` with longer steps, still
    /// inside the 60 s staleness bound), so prices stay fresh and recover after a halt or a
    /// stale gap.
    pub(super) fn feed_for(&mut self, secs: u64) {
        let mut left = secs;
        while left > 0 {
            let step = left.min(50);
            self.suite.advance_time(step);
            left -= step;
            let prices: Vec<(String, Decimal, Option<Uint128>)> = COLLATERALS
                .iter()
                .map(|d| {
                    (
                        d.to_string(),
                        self.suite.oracle_price(d).expect("priced").median,
                        self.book(d),
                    )
                })
                .collect();
            self.suite.feed_many_with_depth(&prices);
        }
    }

    fn move_price(&mut self, denom: &str, pct: i32) {
        let p = self
            .suite
            .oracle_price(denom)
            .unwrap_or_else(|e| panic!("price of {denom}: {e}"))
            .median;
        let start = start_price(denom);
        let lo = start * Decimal::permille(1);
        let hi = start * Decimal::from_ratio(1_000u128, 1u128);
        let new = (p * Decimal::percent((100 + pct) as u64)).clamp(lo, hi);
        let book = self.book(denom);
        self.suite
            .feed_many_with_depth(&[(denom.to_string(), new, book)]);
    }

    /// The depth `denom`'s feeders report ([`Action::Book`]).
    fn book(&self, denom: &str) -> Option<Uint128> {
        self.books.get(denom).copied()
    }

    fn account_in(&self, accounts: &[AccountResponse], who: &Addr) -> AccountResponse {
        accounts
            .iter()
            .find(|a| a.address == who.as_str())
            .cloned()
            .unwrap_or_else(|| self.suite.account(who))
    }

    /// The health factor the market judges a liquidation at (SECURITY.md R3): each holding at
    /// its median, or at the higher of median and TWAP when its price is halted or without
    /// quorum; `W = Σ floor(floor(amount · price) · LT)`.
    pub(super) fn trusted_hf(&self, acc: &AccountResponse) -> Option<Decimal> {
        if acc.debt.is_zero() {
            return None;
        }
        Some(Decimal::from_ratio(self.trusted_w(acc), acc.debt))
    }

    /// The liquidation value `W` at the prices of [`Self::trusted_hf`].
    fn trusted_w(&self, acc: &AccountResponse) -> Uint128 {
        let mut w = Uint128::zero();
        for c in &acc.collaterals {
            let price = match c.oracle_status {
                OracleStatus::Halted { since, .. } | OracleStatus::NoQuorum { since, .. } => {
                    let mut twap = self.suite.oracle_price(&c.denom).expect("priced").twap;
                    // Issue 14's wick rule bounds the TWAP's advantage and how long it counts.
                    if let Some(w) = &default_liquidation_params().wick {
                        let elapsed = self.suite.now().saturating_sub(since);
                        twap = if elapsed >= w.max_wait {
                            c.price
                        } else {
                            let bounded = twap.min((Decimal::one() + w.max_premium) * c.price);
                            if w.fade && bounded > c.price {
                                // The advantage fades over the wait (rounded down).
                                let left = Decimal::from_ratio(w.max_wait - elapsed, w.max_wait);
                                c.price + (bounded - c.price) * left
                            } else {
                                bounded
                            }
                        };
                    }
                    c.price.max(twap)
                }
                _ => c.price,
            };
            w += c.amount.mul_floor(price).mul_floor(c.liquidation_threshold);
        }
        w
    }

    /// The recipients' floor: after a redistribution, the other holders of each collateral it
    /// gave away are together at `min_recipient_health` or above (their summed liquidation
    /// value over their summed debt, as the queries show them with what they are owed; within
    /// 1%, the market's estimate counting what earlier redistributions owe them pro rata), and
    /// so is each of them that was healthy before (`others0`, as they stood then).
    fn check_recipients(
        &mut self,
        r: &cw_multi_test::AppResponse,
        target: &Addr,
        others0: &[AccountResponse],
        at: &str,
    ) {
        let denoms: Vec<String> = r
            .events
            .iter()
            .filter(|e| e.ty == "wasm-redistribution")
            .filter_map(|e| e.attributes.iter().find(|a| a.key == "denom"))
            .map(|a| a.value.clone())
            .collect();
        assert!(
            !denoms.is_empty(),
            "{at}: a redistribution without its event"
        );
        let floor = breakwater_types::market::RedistributionParams::default().min_recipient_health;
        let others: Vec<_> = self
            .users
            .iter()
            .filter(|u| *u != target)
            .map(|u| self.suite.account(u))
            .collect();
        for denom in denoms {
            let (value, debt) = others
                .iter()
                .filter(|a| {
                    a.collaterals
                        .iter()
                        .any(|c| c.denom == denom && !c.amount.is_zero())
                })
                .fold((0u128, 0u128), |(v, d), a| {
                    (v + a.liquidation_value.u128(), d + a.debt.u128())
                });
            // `floor · 99%` of the debt, rounded down.
            let least = Uint128::new(debt)
                .mul_floor(floor)
                .multiply_ratio(99u128, 100u128);
            assert!(
                value >= least.u128(),
                "{at}: the holders of {denom} left together at {value} of liquidation value \
                 against {debt} of debt (floor {floor})"
            );
            for (a0, a1) in others0.iter().zip(&others) {
                let took = a1
                    .collaterals
                    .iter()
                    .any(|c| c.denom == denom && !c.amount.is_zero());
                let healthy = a0.health_factor.is_none_or(|h| h >= Decimal::one());
                if !(took && healthy) {
                    continue;
                }
                let least = a1.debt.mul_floor(floor).multiply_ratio(99u128, 100u128);
                assert!(
                    a1.liquidation_value >= least,
                    "{at}: {} took a part of {denom} healthy and was left at {:?} (floor {floor}): \
                     before {a0:?}, after {a1:?}",
                    a1.address,
                    a1.health_factor
                );
            }
        }
    }

    /// `sender` liquidates `target`: an account with `HF < 1` is liquidated, or refused for
    /// a throttle or pause reason (never below the hard floor); a healthy or debt-free one is
    /// refused. A partial liquidation seizes a collateral with `f_k < HF` and does not lower
    /// the HF (up to the documented rounding); any other mode closes the debt.
    pub fn liquidate(&mut self, sender: &Addr, target: &Addr) {
        let acc0 = self.suite.account(target);
        // The other users as they stand before (the recipients' floor compares with them).
        let others0: Vec<AccountResponse> = self
            .users
            .iter()
            .filter(|u| *u != target)
            .map(|u| self.suite.account(u))
            .collect();
        let msg = MarketMsg::Liquidate {
            borrower: target.to_string(),
        };
        let sent = self.market("liquidate", sender, &msg, &[]);
        let at = self.at();
        let params = breakwater_types::market::LiquidationParams {
            redistribution: Some(breakwater_types::market::RedistributionParams {
                shortfalls: true,
                backstop_first: self.backstop_first,
                ..Default::default()
            }),
            pace_hard_floor: self.paced,
            ..default_liquidation_params()
        };
        let hard_floor = params.hard_floor_health_factor;
        let hf = acc0.health_factor;
        // The hard floor is judged at the prices the oracle stands behind (SECURITY.md R3).
        let ht = self.trusted_hf(&acc0).unwrap_or(Decimal::MAX);
        let r = match sent.res {
            Err(e) => {
                let root = root_cause(&e);
                match hf {
                    None => assert_one_of(&at, root, &["nothing to liquidate"], "debt-free"),
                    Some(h) if h >= Decimal::one() => {
                        assert_one_of(&at, root, &["account is healthy"], "healthy")
                    }
                    Some(h) if ht < hard_floor && !self.paced => panic!(
                        "{at}: account below the hard floor (HF {h}, {ht} at trusted prices) \
                         not liquidated: {root}\n{acc0:?}"
                    ),
                    Some(h) if ht < hard_floor => {
                        // Paced, only the room holds it back: never the breaker, a pause or
                        // a wait; and once the caps are restored, nothing.
                        assert_one_of(
                            &at,
                            root,
                            &["liquidation throttled: no auction room"],
                            &format!("account below the hard floor (HF {h}, {ht} trusted) not liquidated"),
                        );
                        // In the drain the room is only full of auctions started this round
                        // (each round begins by clearing them): an account that follows one
                        // of them waits for the next round, never for an empty room.
                        assert!(
                            !self.draining || !self.suite.auctions().is_empty(),
                            "{at}: the drain could not liquidate an account below the hard \
                             floor (HF {h}, {ht} at trusted prices) with no auction running: \
                             {root}\n{acc0:?}"
                        );
                        self.refused.insert(target.clone());
                        self.stats.throttled += 1;
                    }
                    Some(h) => {
                        // A room smaller than one debt share's worth throttles the repay to
                        // nothing: refused as too small (see `regressions`).
                        let units = index_units(&sent.before.state);
                        let tiny_room = sent
                            .before
                            .rooms
                            .iter()
                            .any(|r| !r.room.is_zero() && r.room.u128() < units);
                        let mut allowed = THROTTLE_OR_PAUSE.to_vec();
                        if tiny_room {
                            allowed.push("liquidation too small");
                        }
                        assert_one_of(
                            &at,
                            root,
                            &allowed,
                            &format!("unhealthy account (HF {h}) not liquidated"),
                        );
                        // Once conditions are normal again (fresh prices, breaker 0, auctions
                        // cleared, caps restored) nothing may refuse it but the room taken by
                        // the auctions of accounts liquidated earlier in the same drain round
                        // (the round began with none running): one of its collaterals has an
                        // auction running. The next round clears them.
                        let room_taken = self
                            .suite
                            .auctions()
                            .iter()
                            .any(|a| acc0.collaterals.iter().any(|c| c.denom == a.denom));
                        assert!(
                            !self.draining || ht >= Decimal::one() || room_taken,
                            "{at}: the drain could not liquidate an unhealthy account (HF {h}, \
                             {ht} at trusted prices): {root}\n{acc0:?}"
                        );
                        self.refused.insert(target.clone());
                        self.stats.throttled += 1;
                    }
                }
                return;
            }
            Ok(r) => r,
        };
        let h = hf.unwrap_or_else(|| panic!("{at}: liquidated an account without debt"));
        assert!(
            h < Decimal::one(),
            "{at}: liquidated a healthy account (HF {h})"
        );
        let market = self.suite.market.clone();
        let evs = events(&r, &market, "liquidate");
        let e = evs.first().expect("a liquidate event");
        let mode = get(e, "mode").to_string();
        let hard = get(e, "hard_floor") == "true";
        assert_eq!(
            hard,
            ht < hard_floor,
            "{at}: hard_floor flag at HF {h} ({ht} trusted)"
        );
        if hard {
            assert!(
                ["absorb", "bad_debt", "toxic_auction", "redistribute"].contains(&mode.as_str()),
                "{at}: a hard-floor account was liquidated {mode}"
            );
        } else {
            let level = sent.before.state.breaker_level;
            assert!(
                level < 2,
                "{at}: liquidated above the hard floor at breaker {level}"
            );
            // What goes to auction (or to the backstop) needs an active price above the
            // hard floor; under issue 14's wick rule the backstop may take a halted one.
            let seized = get(e, "denom");
            let wick = params.wick.is_some() && mode == "absorb";
            for c in &acc0.collaterals {
                let taken = seized.split(',').any(|d| d == c.denom);
                let halted = matches!(c.oracle_status, OracleStatus::Halted { .. });
                assert!(
                    !taken || c.oracle_status.is_active() || (wick && halted),
                    "{at}: {mode} liquidation above the hard floor seized {} on a non-active \
                     price: {acc0:?}",
                    c.denom
                );
            }
        }
        let reward = num(e, "keeper_reward");
        let st = &sent.before.state;
        assert!(
            reward <= params.keeper_reward_cap.u128()
                && reward <= st.reserves.u128() - st.backstop_due.u128(),
            "{at}: keeper reward {reward} above the cap or the free reserves: {st:?}"
        );
        // The auctions started carry the liquidation's tab: `tab` on the partial path, the
        // whole debt split across holdings on the toxic one; an unforced start fits the room
        // its collateral had.
        let liquidator = self.suite.liquidator.clone();
        let starts = events(&r, &liquidator, "start_auction");
        let started: u128 = starts.iter().map(|s| num(s, "tab")).sum();
        match mode.as_str() {
            "partial" | "full" => assert_eq!(
                (starts.len(), started),
                (1, num(e, "tab")),
                "{at}: a {mode} liquidation's auction vs its tab"
            ),
            // The debt less the share of holdings without an active price, which stays
            // (SECURITY.md R4).
            "toxic_auction" => assert_eq!(
                started,
                num(e, "tab"),
                "{at}: toxic auctions' tabs vs the debt"
            ),
            _ => assert!(
                starts.is_empty(),
                "{at}: a {mode} liquidation started auctions"
            ),
        }
        for s in &starts {
            if get(s, "forced") == "false" {
                let room = sent
                    .before
                    .rooms
                    .iter()
                    .find(|x| x.denom == get(s, "denom"))
                    .expect("room of a listed collateral")
                    .room;
                assert!(
                    num(s, "tab") <= room.u128(),
                    "{at}: an unforced auction of {} above the room {room}",
                    num(s, "tab")
                );
            }
        }
        let backstop = self.suite.backstop.clone();
        for a in events(&r, &backstop, "absorb") {
            assert!(
                num(a, "pay") <= num(e, "debt"),
                "{at}: the backstop paid more than the debt it absorbed"
            );
        }
        let acc1 = self.suite.account(target);
        if mode == "absorb" {
            // An absorb leaves the collateral its discount does not need only when the
            // discounted holdings cover the debt it takes: it then pays that debt in full
            // (SECURITY.md R1).
            let left = acc1
                .collaterals
                .iter()
                .any(|c| !c.amount.is_zero() && c.oracle_status.is_active());
            for a in events(&r, &backstop, "absorb") {
                assert!(
                    !left || num(a, "pay") == num(e, "tab"),
                    "{at}: an absorb left collateral without paying the debt: {acc1:?}"
                );
            }
        }
        self.check_borrower_loss(&mode, &acc0, &acc1, e, &sent.before);
        if self.draining {
            self.stats.drain_liquidations += 1;
        }
        if self.refused.remove(target) {
            self.stats.refused_then_liquidated += 1;
        }
        if mode == "partial" {
            self.check_partial(&acc0, &acc1, e, &sent.before);
        } else if mode == "redistribute" {
            // Issue 14's redistribution: the debt moves to the other holders, nothing is sold
            // and nothing is bad debt; the market's totals do not move.
            let (b, a) = (&sent.before.state, &self.suite.market_state());
            assert_eq!(
                (a.total_debt_shares, a.debt_in_auction),
                (b.total_debt_shares, b.debt_in_auction),
                "{at}: a redistribution changed the market's debt"
            );
            assert_eq!(
                (
                    a.bad_debt_socialized,
                    a.bad_debt_covered_by_backstop,
                    a.bad_debt_covered_by_reserves
                ),
                (
                    b.bad_debt_socialized,
                    b.bad_debt_covered_by_backstop,
                    b.bad_debt_covered_by_reserves
                ),
                "{at}: a redistribution booked bad debt"
            );
            assert_eq!(
                a.debt_redistributed.u128() - b.debt_redistributed.u128(),
                num(e, "tab"),
                "{at}: debt_redistributed vs the tab"
            );
            let unpriced = !hard
                && acc0
                    .collaterals
                    .iter()
                    .any(|c| !c.oracle_status.is_active());
            assert!(
                acc1.debt.is_zero() || unpriced,
                "{at}: a redistribution left debt {}",
                acc1.debt
            );
            self.check_recipients(&r, target, &others0, &at);
        } else if mode == "partial_absorb" {
            // Issue 14's transfer before sale: the pool repays part of the debt.
            assert!(
                acc1.debt < acc0.debt,
                "{at}: a partial absorb repaid nothing: {acc1:?}"
            );
        } else {
            // Above the hard floor the debt share of holdings without an active price stays
            // with them (SECURITY.md R4).
            let unpriced = !hard
                && acc0
                    .collaterals
                    .iter()
                    .any(|c| !c.oracle_status.is_active());
            // Above it (and below it too when the room paces the hard floor), a position
            // larger than the room goes in parts (Maker's partial bark): the part moves its
            // tab out of the account, never more debt than that.
            let part = e
                .attributes
                .iter()
                .any(|a| a.key == "part" && a.value == "true");
            if part {
                assert!(
                    !hard || self.paced,
                    "{at}: a part of a position below the hard floor the room does not pace"
                );
                assert!(
                    acc0.debt.u128() - acc1.debt.u128() <= num(e, "tab"),
                    "{at}: a partial toxic auction cut the debt by more than its tab"
                );
            }
            assert!(
                acc1.debt.is_zero() || unpriced || part,
                "{at}: a {mode} liquidation left debt {}",
                acc1.debt
            );
        }
        *self.stats.liquidations.entry(mode).or_default() += 1;
    }

    /// A borrower's loss in a liquidation is bounded by the penalty or the discount on what
    /// was taken. The loss is what left the account, valued at the medians the liquidation
    /// priced it at (active prices, R3), minus the debt the borrower no longer owes:
    /// - partial and full closes seize `ceil(R·(1+p)/P)` of one collateral for a repay `R`,
    ///   of which `floor(R/index)` debt shares are burned: loss `<= p·(repaid + index) +
    ///   one unit of the lot + index`;
    /// - an absorb takes lots whose value at the pool's discount covers the debt (R1): loss
    ///   `<= discount · value taken` plus one unit of each lot (a toxic absorb takes everything
    ///   for less than the debt: the borrower loses nothing more);
    /// - auctions of the whole position leave the borrower its claim on every unit the tab
    ///   does not need, and sell no lower than `oracle · (1 − max_discount)` (checked on every
    ///   bid): their loss is that discount on what is sold. Write-offs take nothing.
    fn check_borrower_loss(
        &mut self,
        mode: &str,
        acc0: &AccountResponse,
        acc1: &AccountResponse,
        e: &cosmwasm_std::Event,
        before: &super::world::Snapshot,
    ) {
        if !matches!(mode, "partial" | "full" | "absorb") {
            return;
        }
        let at = self.at();
        let mut taken_value = 0u128;
        let mut one_unit_each = 0u128;
        let mut penalty = Decimal::zero();
        for c0 in &acc0.collaterals {
            let left = acc1
                .collaterals
                .iter()
                .find(|c| c.denom == c0.denom)
                .map_or(0, |c| c.amount.u128());
            let taken = c0.amount.u128() - left;
            if taken == 0 {
                continue;
            }
            taken_value += cost(taken, c0.price);
            one_unit_each += cost(1, c0.price);
            penalty = penalty.max(before.collateral(&c0.denom).params.liquidation_penalty);
        }
        let repaid = acc0.debt.u128() - acc1.debt.u128();
        let index = index_units(&before.state);
        let bound = if mode == "absorb" {
            let discount = BackstopParams::default().absorb_discount;
            Uint128::new(taken_value).mul_ceil(discount).u128() + one_unit_each + 1
        } else {
            Uint128::new(repaid + index).mul_ceil(penalty).u128() + one_unit_each + index + 1
        };
        let loss = taken_value.saturating_sub(repaid);
        assert!(
            loss <= bound,
            "{at}: a {mode} liquidation cost the borrower {loss} (took {taken_value}, repaid \
             {repaid}), above the penalty/discount bound {bound}\n  {e:?}\n  before {acc0:?}\n  \
             after {acc1:?}"
        );
        self.stats.loss_checks += 1;
        if let Some(permille) = (loss * 1_000).checked_div(bound) {
            self.stats.max_loss_permille = self.stats.max_loss_permille.max(permille as u64);
        }
    }

    fn check_partial(
        &mut self,
        acc0: &AccountResponse,
        acc1: &AccountResponse,
        e: &cosmwasm_std::Event,
        before: &super::world::Snapshot,
    ) {
        let at = self.at();
        let denom = get(e, "denom");
        // Judged at the prices the oracle stands behind (SECURITY.md R3).
        let h0 = self.trusted_hf(acc0).expect("debt");
        let pos = acc0
            .collaterals
            .iter()
            .find(|c| c.denom == denom)
            .unwrap_or_else(|| panic!("{at}: seized {denom}, which the account did not hold"));
        let penalty = before.collateral(denom).params.liquidation_penalty;
        let f = pos.liquidation_threshold * (Decimal::one() + penalty);
        assert!(
            f < h0,
            "{at}: partial liquidation seized {denom} with LT·(1+p) = {f} >= HF {h0}"
        );
        let (w0, d0) = (self.trusted_w(acc0).u128(), acc0.debt.u128());
        let (w1, d1) = (self.trusted_w(acc1).u128(), acc1.debt.u128());
        let index_units = index_units(&before.state);
        assert!(
            d1 > 0 && d1 < d0,
            "{at}: a partial liquidation moved the debt {d0} -> {d1}"
        );
        // HF1 >= HF0  ⟺  W1·D0 >= W0·D1. Documented slack: the lot rounds up by at most one
        // collateral unit (its liquidation value), W and values round down (1), and the debt
        // shares burned round down (at most ceil(borrow_index) units of debt left over).
        self.stats.partials_checked += 1;
        if u256(w1) * u256(d0) < u256(w0) * u256(d1) {
            self.stats.partial_hf_rounding_dips += 1;
        }
        let tol = cost(1, pos.price * pos.liquidation_threshold) + 1 + index_units;
        assert!(
            u256(w1 + tol) * u256(d0) >= u256(w0) * u256(d1),
            "{at}: a partial liquidation lowered the health factor beyond rounding: \
             W/D {w0}/{d0} (HF {h0}) -> {w1}/{d1} (HF {:?}), tolerance {tol}\n  {e:?}",
            acc1.health_factor
        );
    }

    fn pick_auction(&self, pick: usize) -> Option<breakwater_types::liquidator::AuctionResponse> {
        let auctions = self.suite.auctions();
        if auctions.is_empty() {
            return None;
        }
        Some(auctions[pick % auctions.len()].clone())
    }

    fn bid(&mut self, pick: usize, bidder: usize, size: BidSize, guard: Guard) {
        let Some(a) = self.pick_auction(pick) else {
            return;
        };
        let bidder = self.user_or_keeper(bidder);
        let lot = a.lot.u128();
        let max_collateral = match size {
            BidSize::One => 1,
            BidSize::Percent(p) => (lot * p as u128 / 100).max(1),
            BidSize::All => lot,
            BidSize::Double => lot * 2,
        };
        let max_price = match guard {
            Guard::AtPrice => a.price,
            Guard::Under(bps) => scale_bps(a.price, -(bps as i64)),
            Guard::Over(bps) => scale_bps(a.price, bps as i64),
        };
        let funds = cost(max_collateral, max_price).min(self.balance(&bidder, BASE));
        let msg = LiquidatorMsg::Bid {
            auction_id: a.id,
            max_collateral: Uint128::new(max_collateral),
            max_price,
            callback: None,
        };
        let sent = self.liquidator("bid", &bidder, &msg, &World::base(funds));
        let at = self.at();
        let level = sent.before.state.breaker_level;
        match &sent.res {
            Ok(r) => {
                assert!(level < 3, "{at}: a bid ran with the breaker at {level}");
                let liquidator = self.suite.liquidator.clone();
                for e in events(r, &liquidator, "bid") {
                    let price = decimal(e, "price");
                    assert!(
                        price <= max_price,
                        "{at}: bid paid {price} above its max_price {max_price}"
                    );
                }
            }
            Err(e) => {
                let root = root_cause(e);
                if level >= 3 {
                    assert_one_of(&at, root, &["bids are halted"], "bid at breaker 3");
                } else if max_price < a.price {
                    assert_one_of(&at, root, &["is above max_price"], "bid under the price");
                }
            }
        }
    }

    fn reset(&mut self, pick: usize) {
        let Some(a) = self.pick_auction(pick) else {
            return;
        };
        let keeper = self.keeper.clone();
        let sent = self.liquidator(
            "reset",
            &keeper,
            &LiquidatorMsg::Reset { auction_id: a.id },
            &[],
        );
        let at = self.at();
        match &sent.res {
            Ok(r) => {
                assert!(
                    a.needs_reset,
                    "{at}: reset an auction that did not need it: {a:?}"
                );
                let market = self.suite.market.clone();
                let cap = default_liquidation_params().keeper_reward_cap.u128();
                let st = &sent.before.state;
                let free = st.reserves.u128() - st.backstop_due.u128();
                for e in events(r, &market, "reward_keeper") {
                    let reward = num(e, "keeper_reward");
                    assert!(
                        reward <= cap && reward <= free,
                        "{at}: reset reward {reward} above the cap or the free reserves {free}"
                    );
                }
            }
            Err(e) => {
                let root = root_cause(e);
                if !a.needs_reset {
                    assert_one_of(&at, root, &["does not need a reset"], "fresh auction");
                } else {
                    // A stale auction is not restarted on a paused price, nor while the
                    // market's breaker halts bids (review R11).
                    assert_one_of(
                        &at,
                        root,
                        &["auctions on it are paused", "bids are halted"],
                        "stale auction",
                    );
                }
            }
        }
    }

    fn buy_at_floor(&mut self, pick: usize) {
        let Some(a) = self.pick_auction(pick) else {
            return;
        };
        let keeper = self.keeper.clone();
        let msg = BackstopMsg::BuyAtFloor { auction_id: a.id };
        let sent = self.backstop("buy_at_floor", &keeper, &msg, &[]);
        let at = self.at();
        let own = a.seller == (Seller::Backstop {});
        match &sent.res {
            Ok(r) => {
                assert!(!own, "{at}: the backstop bought its own resale");
                assert!(
                    a.at_floor,
                    "{at}: the backstop bought above the floor: {a:?}"
                );
                let liquidator = self.suite.liquidator.clone();
                let backstop = self.suite.backstop.clone();
                let bids = events(r, &liquidator, "bid");
                assert!(
                    bids.len() == 1 && get(bids[0], "bidder") == backstop.as_str(),
                    "{at}: a floor purchase without the backstop's bid"
                );
            }
            Err(e) => {
                let root = root_cause(e);
                if own {
                    assert_one_of(&at, root, &["is a backstop resale"], "own resale");
                } else if !a.at_floor {
                    assert_one_of(&at, root, &["is not at its floor"], "above the floor");
                }
            }
        }
    }

    fn backstop_deposit(&mut self, who: usize, amount: u128) {
        let who = self.user_or_lender(who);
        let amount = amount.min(self.balance(&who, BASE));
        if amount == 0 {
            return;
        }
        let sent = self.backstop(
            "backstop_deposit",
            &who,
            &BackstopMsg::Deposit {},
            &World::base(amount),
        );
        if sent.res.is_err() {
            return;
        }
        let at = self.at();
        let p0 = &sent.before.pool;
        let p1 = self.suite.backstop_pool();
        let (v0, s0) = (p0.total_value.u128(), p0.total_shares.u128());
        let (v1, s1) = (p1.total_value.u128(), p1.total_shares.u128());
        assert_eq!(
            v1,
            v0 + amount,
            "{at}: pool value {v0} -> {v1} on a deposit of {amount}"
        );
        // The share price holders redeem at (with the virtual offset) never falls on a deposit.
        assert!(
            u256(v1 + 1) * u256(s0 + VIRTUAL_SHARES) >= u256(v0 + 1) * u256(s1 + VIRTUAL_SHARES),
            "{at}: a deposit of {amount} diluted the share price: ({v0}, {s0}) -> ({v1}, {s1})"
        );
        for b in &sent.before.depositors {
            if b.address != who.as_str() {
                let a = self.suite.backstop_depositor(&Addr::unchecked(&b.address));
                assert!(
                    a.value >= b.value,
                    "{at}: depositor {} diluted: {} -> {}",
                    b.address,
                    b.value,
                    a.value
                );
            }
        }
        // The Pool query's raw `value_per_share` (V/S, blind to the virtual shares) can fall
        // on a deposit when the pool is worth more than 10^-6 a share, though nobody redeems
        // at it: by that measure existing holders "lose" `(m·V0 − A·S0)/S1 < A·10^6/S0` base
        // units (m minted for A). Asserted with that bound; the largest loss is printed.
        self.stats.backstop_deposits_checked += 1;
        if s0 > 0 {
            let lhs = u256(v0) * u256(s1);
            let rhs = u256(s0) * u256(v1);
            if lhs > rhs {
                let loss = (lhs - rhs) / u256(s1);
                let loss = Uint128::try_from(loss).expect("loss fits").u128();
                self.stats.max_raw_vps_loss = self.stats.max_raw_vps_loss.max(loss);
                if loss > 1 {
                    self.stats.raw_vps_losses_over_one += 1;
                }
                let bound = amount * VIRTUAL_SHARES / s0 + 1;
                assert!(
                    loss <= bound,
                    "{at}: holders lost {loss} units of raw value on a deposit of {amount}, \
                     above the bound {bound}: ({v0}, {s0}) -> ({v1}, {s1})"
                );
            }
        }
    }

    /// A user or the lender holding backstop shares (with a pending request if `requested`),
    /// picked by `i`; any user or the lender when there is none.
    fn depositor(&self, i: usize, requested: bool) -> Addr {
        let holders: Vec<Addr> = (0..=self.users.len())
            .map(|k| self.user_or_lender(k))
            .filter(|a| {
                let d = self.suite.backstop_depositor(a);
                !d.shares.is_zero() && (!requested || d.request.is_some())
            })
            .collect();
        if holders.is_empty() {
            self.user_or_lender(i)
        } else {
            holders[i % holders.len()].clone()
        }
    }

    fn backstop_withdraw(&mut self, who: usize, wait: bool) {
        let who = self.depositor(who, true);
        if wait {
            if let Some(r) = self.suite.backstop_depositor(&who).request {
                let now = self.suite.now();
                if r.opens_at > now {
                    self.feed_for(r.opens_at - now);
                }
            }
        }
        let sent = self.backstop("backstop_withdraw", &who, &BackstopMsg::Withdraw {}, &[]);
        if sent.res.is_err() {
            return;
        }
        // What stays behind is worth at least its share (pro-rata payouts round down; each
        // held collateral's valuation may round by one unit).
        let at = self.at();
        let p0 = &sent.before.pool;
        let p1 = self.suite.backstop_pool();
        let (v0, s0) = (p0.total_value.u128(), p0.total_shares.u128());
        let (v1, s1) = (p1.total_value.u128(), p1.total_shares.u128());
        let k = p0.collateral.len() as u128 + 1;
        assert!(
            u256(v1 + 1 + k) * u256(s0 + VIRTUAL_SHARES)
                >= u256(v0 + 1) * u256(s1 + VIRTUAL_SHARES),
            "{at}: a withdrawal diluted the remaining holders: ({v0}, {s0}) -> ({v1}, {s1})"
        );
    }

    fn sweep(&mut self) {
        let keeper = self.keeper.clone();
        let sent = self.market("sweep_reserves", &keeper, &MarketMsg::SweepReserves {}, &[]);
        if let Ok(r) = &sent.res {
            let at = self.at();
            let market = self.suite.market.clone();
            let e = events(r, &market, "sweep_reserves")[0];
            let amount = num(e, "amount");
            let backstop = self.suite.backstop.clone();
            let gained = self.balance(&backstop, BASE) - sent.before.balance(&backstop, BASE);
            assert_eq!(
                gained, amount,
                "{at}: the backstop received {gained} of a {amount} sweep"
            );
            assert!(
                amount <= sent.before.state.backstop_due.u128(),
                "{at}: swept above due"
            );
        }
    }

    fn set_threshold(&mut self, denom: &str, bps: i32) {
        let before = self.current();
        let c = before.collateral(denom).clone();
        let lt_now = c.liquidation_threshold_now;
        let penalty = c.params.liquidation_penalty;
        let hi = (Decimal::one() / (Decimal::one() + penalty))
            .min(dec("0.95"))
            .checked_sub(dec("0.001"))
            .expect("positive");
        let step = Decimal::from_ratio(bps.unsigned_abs(), 10_000u32);
        let target = if bps >= 0 {
            lt_now + step
        } else {
            lt_now.saturating_sub(step)
        }
        .clamp(dec("0.2"), hi);
        let Ok(max_ltv) = lt_now.min(target).checked_sub(dec("0.01")) else {
            return;
        };
        let max_ltv = max_ltv.min(c.params.max_ltv);
        if max_ltv < dec("0.05") {
            return;
        }
        let owner = self.owner.clone();
        let msg = MarketMsg::UpdateCollateral {
            denom: denom.to_string(),
            update: CollateralUpdate {
                max_ltv: Some(max_ltv),
                liquidation_threshold: Some(target),
                ..CollateralUpdate::default()
            },
        };
        let sent = self.market("update_collateral", &owner, &msg, &[]);
        let at = self.at();
        assert!(
            sent.res.is_ok(),
            "{at}: a valid threshold change was refused: {:?}",
            sent.res.err().map(|e| root_cause(&e).to_string())
        );
        // Thresholds ramp from the value in force: nobody's health moves at the change.
        let after = self.current();
        assert_eq!(
            after.collateral(denom).liquidation_threshold_now,
            lt_now,
            "{at}: the threshold in force jumped"
        );
        for (a0, a1) in before.accounts.iter().zip(&after.accounts) {
            assert_eq!(
                (a0.liquidation_value, a0.health_factor),
                (a1.liquidation_value, a1.health_factor),
                "{at}: a threshold change moved {}'s health at once",
                a0.address
            );
        }
    }

    fn intrude(&mut self, who: usize, kind: u8) {
        let who = self.user(who);
        // Funds only when the user has them (a bank failure would be the harness's own).
        let base = if self.balance(&who, BASE) >= 1_000 {
            World::base(1_000)
        } else {
            vec![]
        };
        let atom = if self.balance(&who, "uatom") >= 1_000 {
            vec![coin(1_000, "uatom")]
        } else {
            vec![]
        };
        let sent = match kind % 5 {
            0 => self.market(
                "intrude",
                &who,
                &MarketMsg::SetBreakerLevel { level: 3 },
                &[],
            ),
            1 => self.market(
                "intrude",
                &who,
                &MarketMsg::UpdateCollateral {
                    denom: "uatom".to_string(),
                    update: CollateralUpdate {
                        max_ltv: Some(dec("0.3")),
                        liquidation_threshold: Some(dec("0.4")),
                        ..CollateralUpdate::default()
                    },
                },
                &[],
            ),
            2 => self.market(
                "intrude",
                &who,
                &MarketMsg::AuctionProceeds {
                    borrower: who.to_string(),
                    shortfall: Uint128::new(1_000),
                    denom: None,
                },
                &base,
            ),
            3 => self.backstop(
                "intrude",
                &who,
                &BackstopMsg::CoverShortfall {
                    amount: Uint128::new(1_000),
                },
                &[],
            ),
            _ => self.liquidator(
                "intrude",
                &who,
                &LiquidatorMsg::StartAuction {
                    seller: Seller::Liquidation {
                        borrower: who.to_string(),
                    },
                    tab: Uint128::new(1_000),
                    force: true,
                },
                &atom,
            ),
        };
        match &sent.res {
            Ok(_) => panic!("{}: a user's privileged message was accepted", self.at()),
            Err(e) => assert_one_of(&self.at(), root_cause(e), &["unauthorized"], "intrusion"),
        }
    }
}
