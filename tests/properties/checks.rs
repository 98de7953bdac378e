//! The invariants: what every message must satisfy ([`World::check_refusal`],
//! [`World::check_bids`]) and what must hold after every step ([`World::check_invariants`]).
use super::actions::{COLLATERALS, DENOMS};
use super::world::{gap, root_cause, Snapshot, World};
use breakwater_testing::default_auction_params;
use breakwater_types::liquidator::Seller;
use cosmwasm_std::{Addr, Decimal, Event, Uint128};
use cw_multi_test::AppResponse;
use std::str::FromStr;

/// Fragments of every typed refusal the contracts document (market, liquidator, backstop)
/// and of the cw-utils payment errors they wrap. A refusal must match one of them.
const TYPED: &[&str] = &[
    // cw-utils payment errors (wrapped by the market as `payment error: …`)
    "No funds sent",
    "Sent more than one denomination",
    "Must send reserve token",
    "This message does no accept funds",
    "Received unsupported denom",
    "Missing denom",
    // market
    "amount must be positive",
    "is too large",
    "is too small",
    "nothing supplied",
    "exceeds the supplied balance",
    "insufficient liquidity",
    "cannot be deposited as collateral",
    "is not a listed collateral",
    "supply cap of",
    "insufficient collateral",
    "is not active (oracle status",
    "borrow limit exceeded",
    "no collateral: deposit collateral",
    "no debt to repay",
    "liquidation is not available",
    "unauthorized",
    "nothing to liquidate",
    "account is healthy",
    "borrowing is paused by the circuit breaker",
    "liquidations are paused by the circuit breaker",
    "liquidation paused: the oracle price",
    "liquidation throttled: no auction room",
    "liquidation too small",
    "invalid breaker level",
    "is not halted",
    "nothing to sweep",
    "invalid parameter",
    // liquidator
    "does not exist or has ended",
    "max_collateral must be positive",
    "is above max_price",
    "would leave a dust tab",
    "insufficient payment",
    "does not need a reset",
    "bids are halted",
    "auctions on it are paused",
    "no room under the auction caps",
    "are paced: the cap has",
    "wait out a fall",
    "is not listed on the liquidator",
    // backstop
    "mints zero shares",
    "must be positive",
    "insufficient shares",
    "no withdrawal request is pending",
    "withdrawal window not open yet",
    "withdrawal window closed",
    "owes the market",
    "pays nothing: too small",
    "insufficient pool funds",
    "is not at its floor",
    "is a backstop resale",
    "has an empty lot",
    "the pool does not hold",
    "nothing to resell",
    "too early",
    "refused until it is active",
];

/// Fragments that mean a contract hit an arithmetic or bank failure instead of refusing with
/// a typed error (every user-attached amount is clamped to the sender's balance, so a bank
/// underflow means a contract tried to send what it does not hold).
const UNTYPED: &[&str] = &[
    "overflow",
    "cannot sub",
    "divide by zero",
    "division by zero",
    "arithmetic",
    "insufficient funds",
];

/// The reasons a liquidation of an account with `HF < 1` may be refused (above the hard
/// floor): no room under the auction caps, an oracle price that is not active, the breaker
/// (the market's own errors, and the liquidator's when they surface through its auction
/// start).
pub const THROTTLE_OR_PAUSE: &[&str] = &[
    "liquidation throttled: no auction room",
    "liquidation paused: the oracle price",
    "liquidations are paused by the circuit breaker",
    "no room under the auction caps",
    "auctions on it are paused",
];

/// The wasm events of `contract` with `action = action`.
pub fn events<'a>(res: &'a AppResponse, contract: &Addr, action: &str) -> Vec<&'a Event> {
    res.events
        .iter()
        .filter(|e| e.ty == "wasm")
        .filter(|e| {
            e.attributes
                .iter()
                .any(|a| a.key == "_contract_address" && a.value == contract.as_str())
        })
        .filter(|e| {
            e.attributes
                .iter()
                .any(|a| a.key == "action" && a.value == action)
        })
        .collect()
}

/// Attribute `key` of `e`.
pub fn get<'a>(e: &'a Event, key: &str) -> &'a str {
    e.attributes
        .iter()
        .find(|a| a.key == key)
        .map(|a| a.value.as_str())
        .unwrap_or_else(|| panic!("no attribute {key} in {e:?}"))
}

/// Attribute `key` of `e`, as a number.
pub fn num(e: &Event, key: &str) -> u128 {
    get(e, key)
        .parse()
        .unwrap_or_else(|err| panic!("attribute {key} of {e:?}: {err}"))
}

/// Attribute `key` of `e`, as a decimal.
pub fn decimal(e: &Event, key: &str) -> Decimal {
    Decimal::from_str(get(e, key)).unwrap_or_else(|err| panic!("attribute {key} of {e:?}: {err}"))
}

/// `ceil(units · price)`.
pub fn cost(units: u128, price: Decimal) -> u128 {
    Uint128::new(units).mul_ceil(price).u128()
}

/// Asserts `msg` (the root cause of a refusal) contains one of `allowed`.
pub fn assert_one_of(at: &str, msg: &str, allowed: &[&str], what: &str) {
    assert!(
        allowed.iter().any(|a| msg.contains(a)),
        "{at}: {what}: refused with {msg:?}, expected one of {allowed:?}"
    );
}

impl World {
    /// A refusal must be a typed error, never an arithmetic or bank failure.
    pub fn check_refusal(&self, kind: &str, err: &str) {
        let root = root_cause(err);
        let lower = root.to_lowercase();
        if let Some(bad) = UNTYPED.iter().find(|b| lower.contains(*b)) {
            panic!(
                "{}: {kind} failed with an untyped error ({bad:?}): {root}\nfull error: {err}",
                self.at()
            );
        }
        assert!(
            TYPED.iter().any(|t| root.contains(t)),
            "{}: {kind} failed with an undocumented error: {root}\nfull error: {err}",
            self.at()
        );
    }

    /// Every bid in `res` (ordinary or the backstop's floor purchase) sold at the auction's
    /// price at that block, never below its floor, at exactly the floor when `at_floor`,
    /// for at least `ceil(slice · price)`; a liquidation bid never raised more than the tab
    /// (except one whole unit when the tab was worth less than a unit) and never left
    /// `0 < tab < dust` on an auction still running.
    pub fn check_bids(&mut self, before: &Snapshot, res: &AppResponse) {
        let liquidator = self.suite.liquidator.clone();
        let backstop = self.suite.backstop.clone();
        let dust = default_auction_params().dust.u128();
        for e in events(res, &liquidator, "bid") {
            let id: u64 = get(e, "auction_id").parse().expect("auction id");
            let a = before.auction(id).unwrap_or_else(|| {
                panic!("{}: bid on auction {id} that was not running", self.at())
            });
            let price = decimal(e, "price");
            let (slice, owe) = (num(e, "slice"), num(e, "owe"));
            let at_floor = get(e, "at_floor") == "true";
            let by_backstop = get(e, "bidder") == backstop.as_str();
            let at = self.at();
            assert_eq!(
                price, a.price,
                "{at}: bid price vs the auction's price: {e:?}"
            );
            assert!(
                price >= a.floor,
                "{at}: auction {id} sold below its floor {} at {price}",
                a.floor
            );
            if at_floor {
                assert!(a.at_floor, "{at}: bid says at floor, the auction did not");
                assert_eq!(price, a.floor, "{at}: an at-floor sale not at the floor");
            }
            if by_backstop {
                assert!(at_floor, "{at}: the backstop bought above the floor: {e:?}");
            }
            assert!(slice > 0, "{at}: empty slice sold: {e:?}");
            assert!(
                owe >= cost(slice, price),
                "{at}: {slice} units sold for {owe} < ceil(slice · price {price})"
            );
            if let Seller::Liquidation { .. } = a.seller {
                let tab = a.tab.u128();
                assert!(
                    owe <= tab || (slice == 1 && owe == cost(1, price)),
                    "{at}: liquidation bid raised {owe} on a tab of {tab}"
                );
                let (lot_left, tab_left) = (num(e, "lot_left"), num(e, "tab_left"));
                if get(e, "closed") == "false" {
                    assert!(
                        lot_left > 0 && tab_left >= dust,
                        "{at}: bid left auction {id} running with lot {lot_left}, tab \
                         {tab_left} (dust {dust})"
                    );
                }
            }
            self.stats.bids += 1;
            if at_floor {
                self.stats.bids_at_floor += 1;
            }
            if by_backstop {
                self.stats.bids_by_backstop += 1;
            }
        }
    }

    /// Remembers the starting tab of every liquidation auction started in `res`; a forced
    /// start only comes with a hard-floor liquidation.
    pub fn record_starts(&mut self, res: &AppResponse) {
        let liquidator = self.suite.liquidator.clone();
        let market = self.suite.market.clone();
        let hard_floor = events(res, &market, "liquidate")
            .iter()
            .any(|e| get(e, "hard_floor") == "true");
        for e in events(res, &liquidator, "start_auction") {
            let id: u64 = get(e, "auction_id").parse().expect("auction id");
            if get(e, "forced") == "true" {
                assert!(
                    hard_floor,
                    "{}: forced auction {id} without a hard-floor liquidation",
                    self.at()
                );
            }
            if get(e, "kind") == "liquidation" {
                self.start_tabs.insert(id, num(e, "tab"));
            }
        }
    }

    /// Books the `bad_debt` events of `res` (each splits its amount exactly between the
    /// backstop, reserves and suppliers) and checks every absorb paid at most the pool's
    /// quote (what it paid in base and what the market lent it towards the price).
    pub fn count_events(&mut self, res: &AppResponse) {
        let backstop = self.suite.backstop.clone();
        for e in events(res, &backstop, "absorb") {
            assert!(
                num(e, "pay") + num(e, "on_credit") <= num(e, "quote"),
                "{}: absorb paid above its quote: {e:?}",
                self.at()
            );
        }
        for e in &res.events {
            if e.ty == "wasm-bad_debt" {
                self.stats.bad_debt_events += 1;
                let parts = [
                    num(e, "amount"),
                    num(e, "covered_by_backstop"),
                    num(e, "covered_by_reserves"),
                    num(e, "socialized"),
                ];
                assert_eq!(
                    parts[0],
                    parts[1] + parts[2] + parts[3],
                    "{}: bad debt not split exactly: {e:?}",
                    self.at()
                );
                let backstop = [
                    num(e, "backstop_base"),
                    num(e, "backstop_due"),
                    num(e, "backstop_credit"),
                ];
                assert_eq!(
                    parts[1],
                    backstop.iter().sum::<u128>(),
                    "{}: the backstop's part not split exactly: {e:?}",
                    self.at()
                );
                for (acc, p) in self.step_bad_debt.iter_mut().zip(parts) {
                    *acc += p;
                }
                self.step_backstop_cash += backstop[0];
            }
            if e.ty == "wasm-deficit_socialized" {
                self.stats.socialized_events += 1;
            }
            // A provision returned when an auction recovered lowers the counters again
            // (SECURITY.md R6).
            if e.ty == "wasm-provision_released" {
                let parts = [
                    num(e, "amount"),
                    num(e, "to_backstop"),
                    num(e, "to_reserves"),
                    num(e, "to_suppliers"),
                ];
                for (acc, p) in self.step_released.iter_mut().zip(parts) {
                    *acc += p;
                }
            }
        }
    }

    /// What must hold after every step:
    /// - conservation of every denom over the known addresses;
    /// - the market's books: `cash + total_borrowed + debt_in_auction + backstop_debt >=
    ///   total_supplied + reserves`, the gap never shrinking and at most 10 units per step;
    ///   `cash` and each collateral's `total_deposited` equal to the market's bank balances;
    ///   `backstop_due <= reserves`; `backstop_due` and `backstop_debt` never both positive,
    ///   and the backstop reports the same debt; the accounts' debts and the suppliers' assets
    ///   bracket the totals;
    /// - the supply index only falls with a socialized deficit;
    /// - `debt_in_auction` is the sum of the liquidation auctions' tabs; each of them has
    ///   `raised + tab` = its starting tab; the liquidator's dirt matches its auctions;
    /// - the backstop's pending shares are at most its shares, `total_covered` never falls.
    pub fn check_invariants(&mut self) {
        let at = self.at();
        let snap = self.current();
        for (i, d) in DENOMS.iter().enumerate() {
            let expected = self.initial_supply[i] + self.minted[i];
            assert_eq!(
                World::total(&snap, d),
                expected,
                "{at}: total supply of {d} over the known addresses"
            );
        }
        let s = &self.suite;
        let st = &snap.state;

        let g = gap(st);
        let socialized = st
            .bad_debt_socialized
            .u128()
            .saturating_sub(self.prev_state.bad_debt_socialized.u128());
        let excess = socialized.saturating_sub(self.prev_state.total_supplied.u128()) as i128;
        self.shortfall_allowance += excess;
        assert!(
            g >= -self.shortfall_allowance,
            "{at}: books short: cash + borrowed + in auction − supplied − reserves = {g}: {st:?}"
        );
        assert!(
            g >= self.prev_gap - excess,
            "{at}: books gap shrank from {} to {g}: {st:?}\n  before: {:?}",
            self.prev_gap,
            self.prev_state
        );
        let bound = 10 * self.step as i128 + 10;
        assert!(
            g <= bound,
            "{at}: books gap {g} above {bound} (10 units a step): {st:?}"
        );
        if g > self.stats.max_gap {
            self.stats.max_gap = g;
        }
        assert_eq!(
            st.cash.u128(),
            snap.balance(&s.market, DENOMS[0]),
            "{at}: cash vs the market's base balance"
        );
        assert!(
            st.backstop_due <= st.reserves,
            "{at}: backstop_due above reserves: {st:?}"
        );
        if st.supply_index < self.prev_state.supply_index {
            assert!(
                socialized > 0,
                "{at}: supply index fell from {} to {} without a socialized deficit",
                self.prev_state.supply_index,
                st.supply_index
            );
        }

        for c in &snap.collaterals {
            assert_eq!(
                c.total_deposited.u128(),
                snap.balance(&s.market, &c.params.denom),
                "{at}: {} deposits vs the market's balance",
                c.params.denom
            );
        }
        let accounts = self.all_accounts().accounts;
        let debts: u128 = accounts.iter().map(|a| a.debt.u128()).sum();
        let borrowed = st.total_borrowed.u128();
        // Redistributed debt shares are owed by the accounts as queries show them (each
        // account's share rounded up, so they may owe up to one share each more), except the
        // accumulators' remainder: less than one share per redistributed collateral.
        let shares_unit = st.borrow_index.to_uint_ceil().u128();
        let redistributed = snap
            .collaterals
            .iter()
            .filter(|c| c.redistribution.is_some())
            .count() as u128;
        let slack = redistributed * (shares_unit + 1);
        assert!(
            debts + slack >= borrowed
                && debts <= borrowed + accounts.len() as u128 * (1 + redistributed * shares_unit),
            "{at}: accounts owe {debts}, total_borrowed {borrowed}"
        );
        for c in &snap.collaterals {
            if let Some(r) = &c.redistribution {
                assert!(
                    r.coll_left <= c.total_deposited && r.debt_left <= st.total_debt_shares,
                    "{at}: {} redistribution left more than there is: {r:?}",
                    c.params.denom
                );
            }
        }
        let assets: u128 = snap.suppliers.iter().map(|x| x.assets.u128()).sum();
        assert!(
            assets <= st.total_supplied.u128(),
            "{at}: suppliers hold {assets} > total_supplied {}",
            st.total_supplied
        );

        let mut tabs = 0u128;
        let mut dirt_floor = [0u128; 3];
        let mut resales = [false; 3];
        for a in &snap.auctions {
            let k = COLLATERALS
                .iter()
                .position(|d| *d == a.denom)
                .expect("auction of a listed collateral");
            assert!(
                !a.lot.is_zero(),
                "{at}: running auction with an empty lot: {a:?}"
            );
            match a.seller {
                Seller::Liquidation { .. } => {
                    assert!(
                        !a.tab.is_zero(),
                        "{at}: running liquidation without tab: {a:?}"
                    );
                    tabs += a.tab.u128();
                    dirt_floor[k] += a.tab.u128();
                    let start = self.start_tabs.get(&a.id).unwrap_or_else(|| {
                        panic!("{at}: auction {} was never seen starting", a.id)
                    });
                    assert_eq!(
                        a.raised.u128() + a.tab.u128(),
                        *start,
                        "{at}: raised + tab of auction {} vs its starting tab",
                        a.id
                    );
                }
                Seller::Backstop {} => resales[k] = true,
            }
        }
        assert_eq!(
            st.debt_in_auction.u128(),
            tabs,
            "{at}: debt_in_auction vs the auctions' tabs"
        );
        let mut dirt = 0u128;
        for (k, r) in snap.rooms.iter().enumerate() {
            dirt += r.dirt.u128();
            if resales[k] {
                assert!(r.dirt.u128() >= dirt_floor[k], "{at}: dirt {r:?}");
            } else {
                assert_eq!(r.dirt.u128(), dirt_floor[k], "{at}: dirt {r:?}");
            }
        }
        for r in &snap.rooms {
            assert_eq!(r.global_dirt.u128(), dirt, "{at}: global dirt {r:?}");
        }

        // Bad debt: the counters grow by exactly what this step's events booked, and the
        // backstop paid exactly what was booked against it.
        let prev = &self.prev_state;
        let delta = |a: Uint128, b: Uint128| a.u128() as i128 - b.u128() as i128;
        let booked = [
            delta(
                st.bad_debt_covered_by_backstop,
                prev.bad_debt_covered_by_backstop,
            ),
            delta(
                st.bad_debt_covered_by_reserves,
                prev.bad_debt_covered_by_reserves,
            ),
            delta(st.bad_debt_socialized, prev.bad_debt_socialized),
        ];
        let net = |i: usize| self.step_bad_debt[i] as i128 - self.step_released[i] as i128;
        assert_eq!(
            booked,
            [net(1), net(2), net(3)],
            "{at}: bad-debt counters vs the step's bad_debt and provision_released events"
        );
        let pool = &snap.pool;
        assert_eq!(
            pool.total_covered.u128() - self.prev_covered.min(pool.total_covered.u128()),
            self.step_backstop_cash,
            "{at}: the backstop's total_covered vs the cover the market booked from its base"
        );
        assert_eq!(
            pool.owed_to_market, st.backstop_debt,
            "{at}: what the pool reports it owes vs the market's backstop_debt"
        );
        assert!(
            st.backstop_due.is_zero() || st.backstop_debt.is_zero(),
            "{at}: the market owes the pool and the pool owes the market: {st:?}"
        );
        self.step_bad_debt = [0; 4];
        self.step_backstop_cash = 0;
        self.step_released = [0; 4];
        assert!(
            pool.pending_withdrawal_shares <= pool.total_shares,
            "{at}: pending shares above total: {pool:?}"
        );
        assert!(
            pool.total_covered.u128() >= self.prev_covered,
            "{at}: total_covered fell"
        );
        self.prev_covered = pool.total_covered.u128();
        self.prev_gap = g;
        self.prev_state = snap.state.clone();
    }
}
