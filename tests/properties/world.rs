//! The world a case runs in: a [`Suite`] with the cast, the bookkeeping the invariants need,
//! snapshots, and [`World::exec`], which sends one contract message and checks what every
//! message must satisfy (a refusal is typed and changes nothing; bids respect the floor).
use super::actions::{Setup, BASE, COLLATERALS, DENOMS};
use super::stats::Stats;
use breakwater_testing::{dec, default_auction_params, Suite, SuiteBuilder};
use breakwater_types::backstop::{self, BackstopParams, DepositorResponse, PoolResponse};
use breakwater_types::liquidator::{self, AuctionParams, AuctionResponse, RoomResponse, Slide};
use breakwater_types::market::{
    self, AccountResponse, AccountsResponse, CollateralResponse, MarginParams, MarketParams,
    StateResponse, SupplierResponse,
};
use breakwater_types::math::interest::InterestRateModel;
use cosmwasm_std::{coin, to_json_binary, Addr, Binary, Coin, Decimal, Uint128, WasmMsg};
use cw_multi_test::{AppResponse, Executor, Module};
use std::collections::{BTreeMap, BTreeSet};

/// What each user is funded with, per denom of [`DENOMS`].
pub const USER_FUNDING: [u128; 4] = [
    1_000_000_000_000,
    10_000_000_000,
    100_000_000_000,
    10_000_000,
];

/// Everything a failed message must leave unchanged, and what the checks compare before and
/// after a successful one. Every query is made at the same block.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// `(address, denom, balance)` for every known address and tracked denom.
    pub balances: Vec<(Addr, &'static str, u128)>,
    /// Market totals.
    pub state: StateResponse,
    /// Running auctions.
    pub auctions: Vec<AuctionResponse>,
    /// Backstop totals.
    pub pool: PoolResponse,
    /// The users' accounts.
    pub accounts: Vec<AccountResponse>,
    /// The users' and the lender's supply positions.
    pub suppliers: Vec<SupplierResponse>,
    /// The users' and the lender's backstop positions.
    pub depositors: Vec<DepositorResponse>,
    /// The market's collaterals.
    pub collaterals: Vec<CollateralResponse>,
    /// Room under the auction caps, per collateral.
    pub rooms: Vec<RoomResponse>,
}

impl Snapshot {
    /// The balance of `who` in `denom`.
    pub fn balance(&self, who: &Addr, denom: &str) -> u128 {
        self.balances
            .iter()
            .find(|(a, d, _)| a == who && *d == denom)
            .map(|(_, _, b)| *b)
            .unwrap_or(0)
    }

    /// A running auction by id.
    pub fn auction(&self, id: u64) -> Option<&AuctionResponse> {
        self.auctions.iter().find(|a| a.id == id)
    }

    /// The market's collateral `denom`.
    pub fn collateral(&self, denom: &str) -> &CollateralResponse {
        self.collaterals
            .iter()
            .find(|c| c.params.denom == denom)
            .unwrap_or_else(|| panic!("collateral {denom} not in snapshot"))
    }

    /// Lists what differs from `other` (for failure messages).
    pub fn diff(&self, other: &Snapshot) -> String {
        let mut out = vec![];
        for (a, b) in self.balances.iter().zip(&other.balances) {
            if a != b {
                out.push(format!("balance {a:?} -> {b:?}"));
            }
        }
        if self.state != other.state {
            out.push(format!("state {:?}\n   -> {:?}", self.state, other.state));
        }
        if self.auctions != other.auctions {
            out.push(format!(
                "auctions {:?}\n   -> {:?}",
                self.auctions, other.auctions
            ));
        }
        if self.pool != other.pool {
            out.push(format!("pool {:?}\n   -> {:?}", self.pool, other.pool));
        }
        for (a, b) in self.accounts.iter().zip(&other.accounts) {
            if a != b {
                out.push(format!("account {a:?}\n   -> {b:?}"));
            }
        }
        for (a, b) in self.suppliers.iter().zip(&other.suppliers) {
            if a != b {
                out.push(format!("supplier {a:?} -> {b:?}"));
            }
        }
        for (a, b) in self.depositors.iter().zip(&other.depositors) {
            if a != b {
                out.push(format!("depositor {a:?} -> {b:?}"));
            }
        }
        if self.collaterals != other.collaterals {
            out.push(format!(
                "collaterals {:?}\n   -> {:?}",
                self.collaterals, other.collaterals
            ));
        }
        if self.rooms != other.rooms {
            out.push(format!("rooms {:?}\n   -> {:?}", self.rooms, other.rooms));
        }
        out.join("\n  ")
    }
}

/// The result of one contract message, with the snapshot taken just before it.
pub struct Sent {
    /// The state before the message.
    pub before: Snapshot,
    /// The response, or the error text.
    pub res: Result<AppResponse, String>,
}

/// A running case.
pub struct World {
    /// The chain.
    pub suite: Suite,
    /// The users.
    pub users: Vec<Addr>,
    /// The Suite's keeper.
    pub keeper: Addr,
    /// The owner of every contract.
    pub owner: Addr,
    /// The Suite's lender (supplies and seeds the backstop at set-up).
    pub lender: Addr,
    /// An address that never holds anything.
    pub nobody: Addr,
    /// Total supply per denom of [`DENOMS`] after set-up.
    pub initial_supply: [u128; 4],
    /// What the harness minted since set-up, per denom of [`DENOMS`].
    pub minted: [u128; 4],
    /// The starting tab of every liquidation auction ever started.
    pub start_tabs: BTreeMap<u64, u128>,
    /// The market totals after the previous step.
    pub prev_state: StateResponse,
    /// The books gap after the previous step.
    pub prev_gap: i128,
    /// How far the books may fall short through the documented exception (a socialized
    /// deficit larger than what is supplied).
    pub shortfall_allowance: i128,
    /// The backstop's `total_covered` after the previous step.
    pub prev_covered: u128,
    /// What this step's `bad_debt` events booked: (amount, covered by the backstop, by
    /// reserves, socialized).
    pub step_bad_debt: [u128; 4],
    /// Of `step_bad_debt`'s backstop part, what the pool paid in base this step (the rest was
    /// what the market owed it or lent it).
    pub step_backstop_cash: u128,
    /// `provision_released` events of the step: amount, to the backstop, reserves, suppliers.
    pub step_released: [u128; 4],
    /// Index of the running action (1-based) and its description, for failure messages.
    pub step: usize,
    pub label: String,
    /// What this case exercised.
    pub stats: Stats,
    /// Accounts whose liquidation was refused while they were unhealthy: each must be
    /// liquidatable in a later step (the end-of-case drain checks it).
    pub refused: BTreeSet<Addr>,
    /// The end-of-case drain is running: conditions are normal, so an unhealthy account's
    /// liquidation must succeed.
    pub draining: bool,
    /// The room paces the hard floor ([`crate::properties::actions::Setup::paced`]).
    pub paced: bool,
    /// Redistribution waits for the backstop to be exhausted
    /// ([`crate::properties::actions::Setup::backstop_first`]).
    pub backstop_first: bool,
    /// Sales hold the auction curves ([`crate::properties::actions::Setup::hold`]).
    pub hold: bool,
    /// The depth each collateral's feeders report with its price (absent: none), set by
    /// [`crate::properties::actions::Action::Book`].
    pub books: BTreeMap<String, Uint128>,
    /// The last snapshot, while nothing has changed since (with the block it was taken at).
    cached: Option<(u64, u64, Snapshot)>,
}

/// The innermost error message of a cw-multi-test error text (its last `error: …`).
pub fn root_cause(err: &str) -> &str {
    let last = err.lines().last().unwrap_or(err);
    last.rsplit("error: ").next().unwrap_or(last).trim()
}

impl World {
    /// Builds the chain for `setup`, funds the users and puts the set-up liquidity in.
    pub fn new(setup: &Setup) -> World {
        let mut params = MarketParams {
            threshold_ramp_duration: 3_600,
            ..MarketParams::default()
        };
        if setup.flat_margin {
            params.margin = MarginParams {
                reference_volatility: dec("1000"),
                min_ltv_factor: dec("1"),
            };
        }
        if setup.steep_rates {
            params.interest = InterestRateModel {
                base_rate: dec("0.5"),
                optimal_utilization: dec("0.8"),
                slope1: dec("1"),
                slope2: dec("5"),
            };
            params.reserve_factor = dec("0.2");
        }
        let mut builder = SuiteBuilder::new()
            // With `hold`, the breaker reads the book the feeders report (`Action::Book`).
            .oracle_params(breakwater_types::oracle::OracleParams {
                breaker_book: setup.hold,
                ..breakwater_types::deploy::DeployPlan::default().oracle
            })
            .market_params(params)
            .liquidation_params(breakwater_types::market::LiquidationParams {
                // Auction shortfalls redistributed too (as by default, stated), to cover both
                // paths; the backstop first or not as drawn.
                redistribution: Some(breakwater_types::market::RedistributionParams {
                    shortfalls: true,
                    backstop_first: setup.backstop_first,
                    ..Default::default()
                }),
                pace_hard_floor: setup.paced,
                ..breakwater_testing::default_liquidation_params()
            })
            .backstop_params(BackstopParams {
                cooldown: 3_600,
                withdraw_window: 7_200,
                resale_interval: 60,
                ..BackstopParams::default()
            })
            .backstop_deposit(setup.backstop_seed);
        if setup.hole.is_some() || setup.hold {
            for d in COLLATERALS {
                builder = builder.auction_params(d, harness_auction_params(setup.hole, setup.hold));
            }
        }
        let mut suite = builder.build();
        let users: Vec<Addr> = (0..setup.users)
            .map(|i| suite.addr(&format!("user{i}")))
            .collect();
        let funds: Vec<Coin> = DENOMS
            .iter()
            .zip(USER_FUNDING)
            .map(|(d, a)| coin(a, *d))
            .collect();
        for u in &users {
            suite.fund(u, &funds);
        }
        let lender = suite.lender.clone();
        suite
            .supply(&lender, setup.lender_supply)
            .unwrap_or_else(|e| panic!("set-up supply failed: {e}"));
        let initial_supply = DENOMS.map(|d| suite.total_supply(d));
        let prev_state = suite.market_state();
        let prev_covered = suite.backstop_pool().total_covered.u128();
        let mut w = World {
            keeper: suite.keeper.clone(),
            owner: suite.owner.clone(),
            nobody: suite.addr("nobody"),
            lender,
            suite,
            users,
            initial_supply,
            minted: [0; 4],
            start_tabs: BTreeMap::new(),
            prev_state,
            prev_gap: 0,
            shortfall_allowance: 0,
            prev_covered,
            step_bad_debt: [0; 4],
            step_backstop_cash: 0,
            step_released: [0; 4],
            step: 0,
            label: "set-up".to_string(),
            stats: Stats::default(),
            refused: BTreeSet::new(),
            draining: false,
            paced: setup.paced,
            backstop_first: setup.backstop_first,
            hold: setup.hold,
            books: BTreeMap::new(),
            cached: None,
        };
        w.prev_gap = gap(&w.prev_state);
        w
    }

    /// `where`: the step and action, for failure messages.
    pub fn at(&self) -> String {
        format!("step {} ({})", self.step, self.label)
    }

    /// User `i` modulo the number of users.
    pub fn user(&self, i: usize) -> Addr {
        self.users[i % self.users.len()].clone()
    }

    /// A user, or the keeper for the last index.
    pub fn user_or_keeper(&self, i: usize) -> Addr {
        let i = i % (self.users.len() + 1);
        if i == self.users.len() {
            self.keeper.clone()
        } else {
            self.users[i].clone()
        }
    }

    /// A user, or the lender for the last index.
    pub fn user_or_lender(&self, i: usize) -> Addr {
        let i = i % (self.users.len() + 1);
        if i == self.users.len() {
            self.lender.clone()
        } else {
            self.users[i].clone()
        }
    }

    /// The total of `denom` over the known addresses in `snap`.
    pub fn total(snap: &Snapshot, denom: &str) -> u128 {
        snap.balances
            .iter()
            .filter(|(_, d, _)| *d == denom)
            .map(|(_, _, b)| *b)
            .sum()
    }

    /// `who`'s balance of `denom`.
    pub fn balance(&self, who: &Addr, denom: &str) -> u128 {
        self.suite.balance(who, denom)
    }

    /// Forgets the cached snapshot (after feeding prices or moving time).
    pub fn invalidate(&mut self) {
        self.cached = None;
    }

    /// The state now: the cached snapshot if nothing changed since, else a fresh one (which
    /// is cached).
    pub fn current(&mut self) -> Snapshot {
        let (h, t) = (self.suite.height(), self.suite.now());
        if let Some((ch, ct, snap)) = &self.cached {
            if (*ch, *ct) == (h, t) {
                return snap.clone();
            }
        }
        let snap = self.snapshot();
        self.cached = Some((h, t, snap.clone()));
        snap
    }

    /// Everything [`Snapshot`] holds, now (always freshly queried).
    pub fn snapshot(&self) -> Snapshot {
        let s = &self.suite;
        let mut balances = vec![];
        // Straight from the bank module (the same answer as a balance query, without the
        // round trip through the querier: the snapshot runs after every step).
        let block = s.app.block_info();
        let querier = cosmwasm_std::testing::MockQuerier::<cosmwasm_std::Empty>::new(&[]);
        s.app.read_module(|router, api, storage| {
            for a in s.known_addresses() {
                for d in DENOMS {
                    let req = cosmwasm_std::BankQuery::Balance {
                        address: a.to_string(),
                        denom: d.to_string(),
                    };
                    let bin = router
                        .bank
                        .query(api, storage, &querier, &block, req)
                        .unwrap_or_else(|e| panic!("balance of {a}: {e}"));
                    let r: cosmwasm_std::BalanceResponse =
                        cosmwasm_std::from_json(bin).expect("balance response");
                    let b = Uint128::try_from(r.amount.amount).expect("fits 128 bits");
                    balances.push((a.clone(), d, b.u128()));
                }
            }
        });
        let holders: Vec<Addr> = self
            .users
            .iter()
            .cloned()
            .chain(std::iter::once(self.lender.clone()))
            .collect();
        Snapshot {
            balances,
            state: s.market_state(),
            auctions: s.auctions(),
            pool: s.backstop_pool(),
            accounts: self.users.iter().map(|u| s.account(u)).collect(),
            suppliers: holders.iter().map(|u| s.supplier(u)).collect(),
            depositors: holders.iter().map(|u| s.backstop_depositor(u)).collect(),
            collaterals: COLLATERALS
                .iter()
                .map(|d| {
                    s.market_query(&market::QueryMsg::Collateral {
                        denom: d.to_string(),
                    })
                    .unwrap_or_else(|e| panic!("collateral query failed: {e}"))
                })
                .collect(),
            rooms: COLLATERALS.iter().map(|d| s.room(d)).collect(),
        }
    }

    /// Every account of the market (debt-free ones included).
    pub fn all_accounts(&self) -> AccountsResponse {
        self.suite
            .market_query(&market::QueryMsg::Accounts {
                start_after: None,
                limit: Some(100),
            })
            .unwrap_or_else(|e| panic!("accounts query failed: {e}"))
    }

    /// Sends `msg` to `contract` from `sender` with `funds` (straight through cw-multi-test,
    /// keeping the error text).
    pub fn send(
        &mut self,
        kind: &'static str,
        sender: &Addr,
        contract: &Addr,
        msg: Binary,
        funds: &[Coin],
    ) -> Sent {
        let before = self.current();
        self.invalidate();
        let wasm = WasmMsg::Execute {
            contract_addr: contract.to_string(),
            msg,
            funds: funds.to_vec(),
        };
        let res = self
            .suite
            .app
            .execute(sender.clone(), wasm.into())
            .map_err(|e| e.to_string());
        self.stats.message(kind, res.is_ok());
        match &res {
            Err(e) => {
                self.check_refusal(kind, e);
                self.stats.refusal(kind, root_cause(e));
                let after = self.current();
                assert!(
                    after == before,
                    "{}: a refused {kind} changed state ({}):\n  {}",
                    self.at(),
                    root_cause(e),
                    before.diff(&after)
                );
            }
            Ok(r) => {
                self.check_bids(&before, r);
                self.record_starts(r);
                self.count_events(r);
            }
        }
        Sent { before, res }
    }

    /// A market message.
    pub fn market(
        &mut self,
        kind: &'static str,
        sender: &Addr,
        msg: &market::ExecuteMsg,
        funds: &[Coin],
    ) -> Sent {
        let contract = self.suite.market.clone();
        let msg = to_json_binary(msg).expect("encodes");
        self.send(kind, sender, &contract, msg, funds)
    }

    /// A liquidator message.
    pub fn liquidator(
        &mut self,
        kind: &'static str,
        sender: &Addr,
        msg: &liquidator::ExecuteMsg,
        funds: &[Coin],
    ) -> Sent {
        let contract = self.suite.liquidator.clone();
        let msg = to_json_binary(msg).expect("encodes");
        self.send(kind, sender, &contract, msg, funds)
    }

    /// A backstop message.
    pub fn backstop(
        &mut self,
        kind: &'static str,
        sender: &Addr,
        msg: &backstop::ExecuteMsg,
        funds: &[Coin],
    ) -> Sent {
        let contract = self.suite.backstop.clone();
        let msg = to_json_binary(msg).expect("encodes");
        self.send(kind, sender, &contract, msg, funds)
    }

    /// Base funds, or none for a zero amount.
    pub fn base(amount: u128) -> Vec<Coin> {
        if amount == 0 {
            vec![]
        } else {
            vec![coin(amount, BASE)]
        }
    }
}

/// `cash + total_borrowed + debt_in_auction + backstop_debt − total_supplied − reserves −
/// provision` (the provision of running toxic auctions is already booked as a loss, see
/// SECURITY.md R6; what the market lent the backstop is an asset of the market).
pub fn gap(s: &StateResponse) -> i128 {
    (s.cash.u128() + s.total_borrowed.u128() + s.debt_in_auction.u128() + s.backstop_debt.u128())
        as i128
        - (s.total_supplied.u128() + s.reserves.u128() + s.provision.u128()) as i128
}

/// The harness's auction parameters: a fixed cap `hole` (`None`: depth-derived) and, with
/// `hold`, sales holding the curves for 600 s per cap of sales, paced by the cap over the
/// same 600 s (`AuctionParams::pace_sales`), bidders waiting out a fall
/// (`AuctionParams::wait_falls`) until it is a slide, and a slide after a minute
/// under the TWAP, however shallow (curves that follow the oracle and a cap three times
/// larger whenever the median has stood under its TWAP for 60 s), or at once while the book
/// the feeders measure holds (`Slide::deep`, [`crate::properties::actions::Action::Book`]), its
/// curves then priced ahead of the oracle by the fall (`Slide::ahead`).
pub fn harness_auction_params(hole: Option<u128>, hold: bool) -> AuctionParams {
    AuctionParams {
        hole: hole.map(Uint128::new),
        hold: if hold { 600 } else { 0 },
        pace_sales: hold.then_some(600),
        wait_falls: hold.then(|| Decimal::percent(6)),
        slide: hold.then(|| Slide {
            after: 60,
            room: Decimal::percent(300),
            lows: None,
            deep: Some(Decimal::percent(300)),
            ahead: true,
        }),
        ..default_auction_params()
    }
}
