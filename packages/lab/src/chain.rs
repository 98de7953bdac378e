//! The chain the lab drives, behind a trait so scenarios and the simulation loop run unchanged
//! on either backend: [`MultiTest`] runs the real contracts on the embedded cw-multi-test
//! chain through the Suite; [`crate::wasmd::Wasmd`] runs the optimized wasm on the local wasmd
//! devnet in real time.
use anyhow::Result;
use breakwater_testing::Suite;
use breakwater_types::backstop::{ExecuteMsg as BackstopMsg, PoolResponse};
use breakwater_types::liquidator::{
    AuctionResponse, AuctionsResponse, HoldClock, HoldClockResponse, QueryMsg as LiqQuery,
};
use breakwater_types::market::{AccountResponse, ExecuteMsg as MarketMsg, StateResponse};
use breakwater_types::oracle::{ExecuteMsg as OracleMsg, PriceResponse, PriceSubmission};
use cosmwasm_std::{coin, Addr, Decimal, StdResult, Uint128};
use std::str::FromStr;

/// cosmwasm-std 3's `StdError` is not a `std::error::Error`: convert it by message.
fn q<T>(r: StdResult<T>) -> Result<T> {
    r.map_err(|e| anyhow::anyhow!("{e}"))
}

/// What the simulation needs from a chain running the four Breakwater contracts.
pub trait Chain {
    /// Block time, seconds.
    fn now(&self) -> u64;
    /// The book is set up and the scenario's first step begins now. A real chain finishes its
    /// pending set-up work here and starts its step clock; the embedded chain has nothing to do.
    fn start(&mut self) -> Result<()> {
        Ok(())
    }
    /// Lets `secs` pass (one or more blocks). On a real chain time also passes while a step
    /// works, so this waits until the block time is `secs` past the start of the step that is
    /// ending (returning at once when the step's work already took that long).
    fn advance(&mut self, secs: u64);
    /// How many times faster than nominal the chain's time-like contract parameters run
    /// (auction curves, oracle windows, resale interval): 1 on the embedded chain; the devnet
    /// compresses them (see [`crate::wasmd::TIME_SCALE`]). The simulation loop divides its own
    /// contract-related cadences (backstop resales) by it.
    fn time_scale(&self) -> u64 {
        1
    }
    /// Feeder `i` submits `price` for the collateral, with the market depth it measured
    /// (base value per 1% move) when it reports one.
    fn submit_price(&mut self, feeder: usize, price: Decimal, depth: Option<u128>) -> Result<()>;
    /// The oracle's record of the collateral.
    fn price(&self) -> Result<PriceResponse>;
    /// Creates account `i` with `collateral` units deposited and `debt` base borrowed.
    fn open_account(&mut self, i: usize, collateral: u128, debt: u128) -> Result<()>;
    /// Lender supplies `amount` base.
    fn supply(&mut self, amount: u128) -> Result<()>;
    /// Deposits `amount` base into the backstop.
    fn fund_backstop(&mut self, amount: u128) -> Result<()>;
    /// Liquidates account `i`.
    fn liquidate(&mut self, i: usize) -> Result<()>;
    /// Account `i` as the market reports it.
    fn account(&self, i: usize) -> Result<AccountResponse>;
    /// Every running auction.
    fn auctions(&self) -> Result<Vec<AuctionResponse>>;
    /// Bidder `b` buys up to `max_collateral` of auction `id` at most at `max_price`, paying
    /// `funds` base; returns (collateral received, base spent).
    fn bid(
        &mut self,
        b: usize,
        id: u64,
        max_collateral: u128,
        max_price: Decimal,
        funds: u128,
    ) -> Result<(u128, u128)>;
    /// Resets a stale auction.
    fn reset(&mut self, id: u64) -> Result<()>;
    /// Asks the backstop to take auction `id` at the floor.
    fn buy_at_floor(&mut self, id: u64) -> Result<()>;
    /// Asks the backstop to re-sell a slice of its collateral.
    fn resell(&mut self) -> Result<()>;
    /// Raises the market breaker while the oracle reports a halt.
    fn trip_breaker(&mut self) -> Result<()>;
    /// The guardian sets the breaker level.
    fn set_breaker(&mut self, level: u8) -> Result<()>;
    /// Market totals.
    fn market_state(&self) -> Result<StateResponse>;
    /// Backstop totals.
    fn backstop_pool(&self) -> Result<PoolResponse>;
    /// The hold sales put on `denom`'s auction curves (`AuctionParams::hold`).
    fn hold_clock(&self, denom: &str) -> Result<HoldClock>;
    /// Where the time went, per kind of call, if this chain measures it ([`Profiled`]).
    fn profile(&self) -> Option<String> {
        None
    }
    /// Feeder `feeder` submits every price (each with its depth report, if any) in one
    /// message. The default serves a chain with the one collateral [`COLLATERAL`].
    fn submit_prices(&mut self, feeder: usize, prices: &[PriceSubmission]) -> Result<()> {
        for p in prices {
            one_collateral(&p.denom)?;
            self.submit_price(feeder, p.price, p.depth.map(|d| d.u128()))?;
        }
        Ok(())
    }
    /// The oracle's record of `denom`.
    fn price_of(&self, denom: &str) -> Result<PriceResponse> {
        one_collateral(denom)?;
        self.price()
    }
    /// Creates account `i` holding `collateral` (`(denom, units)`) and borrowing `debt`.
    fn open_position(&mut self, i: usize, collateral: &[(String, u128)], debt: u128) -> Result<()> {
        match collateral {
            [(denom, units)] => {
                one_collateral(denom)?;
                self.open_account(i, *units, debt)
            }
            _ => anyhow::bail!("this chain runs one collateral, {COLLATERAL}"),
        }
    }
    /// Asks the backstop to re-sell a slice of `denom`.
    fn resell_denom(&mut self, denom: &str) -> Result<()> {
        one_collateral(denom)?;
        self.resell()
    }
    /// Raises the market breaker while the oracle reports a halt of `denom`.
    fn trip_breaker_of(&mut self, denom: &str) -> Result<()> {
        one_collateral(denom)?;
        self.trip_breaker()
    }
    /// The index of the borrower account at `address`, if this chain opened it.
    fn account_of(&self, _address: &str) -> Option<usize> {
        None
    }
    /// Auction `id`, or `None` once it has ended.
    fn auction(&self, id: u64) -> Result<Option<AuctionResponse>> {
        Ok(self.auctions()?.into_iter().find(|a| a.id == id))
    }
    /// The running auctions with an id above `id`.
    fn auctions_after(&self, id: u64) -> Result<Vec<AuctionResponse>> {
        Ok(self.auctions()?.into_iter().filter(|a| a.id > id).collect())
    }
    /// Like [`Chain::bid`], also reporting what is left of the auction.
    fn bid_outcome(
        &mut self,
        b: usize,
        id: u64,
        max_collateral: u128,
        max_price: Decimal,
        funds: u128,
    ) -> Result<BidOutcome> {
        let (slice, owe) = self.bid(b, id, max_collateral, max_price, funds)?;
        Ok(BidOutcome {
            slice,
            owe,
            left: self.auction(id)?.map(|a| (a.lot.u128(), a.tab.u128())),
        })
    }
    /// The chain's whole state, to start later runs from it ([`Chain::restore`]); `None` when
    /// the chain cannot (a real chain).
    fn snapshot(&self) -> Option<ChainSnapshot> {
        None
    }
    /// Puts the chain back into `snapshot` (taken from a chain built from the same plan);
    /// false when the chain cannot.
    fn restore(&mut self, _snapshot: &ChainSnapshot) -> Result<bool> {
        Ok(false)
    }
    /// Resets auction `id`; returns its new `(top, started_at)`, or `None` when the reset
    /// closed it (a lot worth less than dust).
    fn reset_outcome(&mut self, id: u64) -> Result<Option<(Decimal, u64)>> {
        self.reset(id)?;
        Ok(self.auction(id)?.map(|a| (a.top, a.started_at)))
    }
    /// Whether block time is exact between calls, so that an auction's price computed in the
    /// lab with the liquidator's own curve ([`breakwater_liquidator::curve::quote`]) from the
    /// auction's `top`, `started_at` and the oracle median equals what a query returns. True
    /// on the embedded chain; false on a real chain, where blocks pass while the lab works.
    fn exact_time(&self) -> bool {
        false
    }
}

/// The state of an embedded chain: every storage record, the block, and how many borrower
/// accounts it opened. Cheap to share between runs of one thread.
#[derive(Clone)]
pub struct ChainSnapshot {
    records: std::rc::Rc<Vec<(Vec<u8>, Vec<u8>)>>,
    block: cosmwasm_std::BlockInfo,
    accounts: usize,
}

/// Refuses any collateral but [`COLLATERAL`] (the default methods of [`Chain`]).
fn one_collateral(denom: &str) -> Result<()> {
    if denom == COLLATERAL {
        Ok(())
    } else {
        anyhow::bail!("this chain runs one collateral, {COLLATERAL}, not {denom}")
    }
}

/// What a bid did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BidOutcome {
    /// Collateral units bought.
    pub slice: u128,
    /// Base units paid.
    pub owe: u128,
    /// `(lot, tab)` left in the auction; `None` when the bid closed it.
    pub left: Option<(u128, u128)>,
}

/// The collateral denom the lab uses.
pub const COLLATERAL: &str = "ucol";

/// The embedded cw-multi-test chain with the real contracts.
pub struct MultiTest {
    /// The Suite (public so tests can inspect it).
    pub suite: Suite,
    accounts: Vec<Addr>,
    index: std::collections::HashMap<String, usize>,
    bidders: Vec<Addr>,
}

impl MultiTest {
    /// Wraps a built Suite; `bidders` bidder addresses are funded with `bidder_capital` base.
    pub fn new(mut suite: Suite, bidders: usize, bidder_capital: u128) -> Self {
        let base = suite.base_denom.clone();
        let bidders: Vec<Addr> = (0..bidders)
            .map(|i| {
                let a = suite.addr(&format!("bidder{i}"));
                suite.fund(&a, &[coin(bidder_capital, base.clone())]);
                a
            })
            .collect();
        MultiTest {
            suite,
            accounts: vec![],
            index: Default::default(),
            bidders,
        }
    }

    /// Every running auction with an id above `start_after`, page by page.
    fn auctions_from(&self, mut start_after: Option<u64>) -> Result<Vec<AuctionResponse>> {
        let mut all = vec![];
        loop {
            let page: AuctionsResponse = q(self.suite.liquidator_query(&LiqQuery::Auctions {
                denom: None,
                start_after,
                limit: Some(100),
            }))?;
            let n = page.auctions.len();
            start_after = page.auctions.last().map(|a| a.id);
            all.extend(page.auctions);
            if n < 100 {
                return Ok(all);
            }
        }
    }

    fn account_addr(&mut self, i: usize) -> Addr {
        while self.accounts.len() <= i {
            let n = self.accounts.len();
            let a = self.suite.addr(&format!("acct{n}"));
            self.index.insert(a.to_string(), n);
            self.accounts.push(a);
        }
        self.accounts[i].clone()
    }
}

impl Chain for MultiTest {
    fn now(&self) -> u64 {
        self.suite.now()
    }

    fn advance(&mut self, secs: u64) {
        self.suite.advance_time(secs);
    }

    fn submit_price(&mut self, feeder: usize, price: Decimal, depth: Option<u128>) -> Result<()> {
        self.submit_prices(
            feeder,
            &[PriceSubmission {
                denom: COLLATERAL.to_string(),
                price,
                depth: depth.map(Uint128::new),
            }],
        )
    }

    fn price(&self) -> Result<PriceResponse> {
        q(self.suite.oracle_price(COLLATERAL))
    }

    fn open_account(&mut self, i: usize, collateral: u128, debt: u128) -> Result<()> {
        let a = self.account_addr(i);
        // Minted directly: the Suite's `fund` also records the address for its supply checks,
        // a linear scan per call that a 10,000-account book cannot afford.
        self.suite
            .app
            .sudo(cw_multi_test::SudoMsg::Bank(
                cw_multi_test::BankSudo::Mint {
                    to_address: a.to_string(),
                    amount: vec![coin(collateral, COLLATERAL)],
                },
            ))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        self.suite.deposit_collateral(&a, COLLATERAL, collateral)?;
        if debt > 0 {
            self.suite.borrow(&a, debt)?;
        }
        Ok(())
    }

    fn supply(&mut self, amount: u128) -> Result<()> {
        let lender = self.suite.lender.clone();
        let base = self.suite.base_denom.clone();
        self.suite.fund(&lender, &[coin(amount, base)]);
        self.suite.supply(&lender, amount)?;
        Ok(())
    }

    fn fund_backstop(&mut self, amount: u128) -> Result<()> {
        let who = self.suite.addr("insurer");
        let base = self.suite.base_denom.clone();
        self.suite.fund(&who, &[coin(amount, base)]);
        self.suite.backstop_deposit(&who, amount)?;
        Ok(())
    }

    fn liquidate(&mut self, i: usize) -> Result<()> {
        let (keeper, a) = (self.suite.keeper.clone(), self.account_addr(i));
        self.suite.liquidate(&keeper, &a)?;
        Ok(())
    }

    fn account(&self, i: usize) -> Result<AccountResponse> {
        let a = self
            .accounts
            .get(i)
            .ok_or_else(|| anyhow::anyhow!("no account {i}"))?;
        q(self
            .suite
            .market_query(&breakwater_types::market::QueryMsg::Account {
                address: a.to_string(),
            }))
    }

    fn auctions(&self) -> Result<Vec<AuctionResponse>> {
        self.auctions_from(None)
    }
    fn bid(
        &mut self,
        b: usize,
        id: u64,
        max_collateral: u128,
        max_price: Decimal,
        funds: u128,
    ) -> Result<(u128, u128)> {
        let bidder = self.bidders[b % self.bidders.len()].clone();
        let base = self.suite.base_denom.clone();
        let (c0, b0) = (
            self.suite.balance(&bidder, COLLATERAL),
            self.suite.balance(&bidder, &base),
        );
        self.suite
            .bid_with_funds(&bidder, id, max_collateral, max_price, funds)?;
        let (c1, b1) = (
            self.suite.balance(&bidder, COLLATERAL),
            self.suite.balance(&bidder, &base),
        );
        // The lab sells what bidders win off-chain; burn it from the chain's view by moving
        // it to a sink, so bidder balances only hold base.
        let got = c1 - c0;
        if got > 0 {
            let sink = self.suite.addr("external-market");
            q(cw_multi_test::Executor::send_tokens(
                &mut self.suite.app,
                bidder.clone(),
                sink,
                &[coin(got, COLLATERAL)],
            ))?;
        }
        Ok((got, b0 - b1))
    }

    fn reset(&mut self, id: u64) -> Result<()> {
        let keeper = self.suite.keeper.clone();
        self.suite.reset_auction(&keeper, id)?;
        Ok(())
    }

    fn buy_at_floor(&mut self, id: u64) -> Result<()> {
        let keeper = self.suite.keeper.clone();
        self.suite.buy_at_floor(&keeper, id)?;
        Ok(())
    }

    fn resell(&mut self) -> Result<()> {
        let keeper = self.suite.keeper.clone();
        let msg = BackstopMsg::Resell {
            denom: COLLATERAL.to_string(),
        };
        self.suite.backstop_execute(&keeper, &msg, &[])?;
        Ok(())
    }

    fn trip_breaker(&mut self) -> Result<()> {
        let keeper = self.suite.keeper.clone();
        let msg = MarketMsg::TripBreaker {
            denom: COLLATERAL.to_string(),
        };
        self.suite.market_execute(&keeper, &msg, &[])?;
        Ok(())
    }

    fn set_breaker(&mut self, level: u8) -> Result<()> {
        let owner = self.suite.owner.clone();
        self.suite
            .market_execute(&owner, &MarketMsg::SetBreakerLevel { level }, &[])?;
        Ok(())
    }

    fn market_state(&self) -> Result<StateResponse> {
        q(self
            .suite
            .market_query(&breakwater_types::market::QueryMsg::State {}))
    }

    fn backstop_pool(&self) -> Result<PoolResponse> {
        q(self
            .suite
            .backstop_query(&breakwater_types::backstop::QueryMsg::Pool {}))
    }

    fn hold_clock(&self, denom: &str) -> Result<HoldClock> {
        let r: HoldClockResponse = q(self.suite.liquidator_query(&LiqQuery::HoldClock {
            denom: denom.to_string(),
        }))?;
        Ok(r.clock)
    }

    fn auction(&self, id: u64) -> Result<Option<AuctionResponse>> {
        // An ended auction is gone from the liquidator's state: the query is refused.
        Ok(self
            .suite
            .liquidator_query(&LiqQuery::Auction { auction_id: id })
            .ok())
    }

    fn auctions_after(&self, id: u64) -> Result<Vec<AuctionResponse>> {
        self.auctions_from(Some(id))
    }

    fn bid_outcome(
        &mut self,
        b: usize,
        id: u64,
        max_collateral: u128,
        max_price: Decimal,
        funds: u128,
    ) -> Result<BidOutcome> {
        let bidder = self.bidders[b % self.bidders.len()].clone();
        let res = self
            .suite
            .bid_with_funds(&bidder, id, max_collateral, max_price, funds)?;
        // The liquidator's `bid` attributes say what was sold and what is left; what bidders
        // win stays in their wallets (the lab sells it on its external market).
        let attr = |key: &str| -> Result<String> {
            res.events
                .iter()
                .flat_map(|e| &e.attributes)
                .find(|a| a.key == key)
                .map(|a| a.value.clone())
                .ok_or_else(|| anyhow::anyhow!("bid response without `{key}`"))
        };
        let num = |key: &str| -> Result<u128> { Ok(attr(key)?.parse()?) };
        let closed = attr("closed")? == "true";
        Ok(BidOutcome {
            slice: num("slice")?,
            owe: num("owe")?,
            left: (!closed)
                .then(|| -> Result<(u128, u128)> { Ok((num("lot_left")?, num("tab_left")?)) })
                .transpose()?,
        })
    }

    fn exact_time(&self) -> bool {
        true
    }

    fn account_of(&self, address: &str) -> Option<usize> {
        self.index.get(address).copied()
    }

    fn snapshot(&self) -> Option<ChainSnapshot> {
        use cosmwasm_std::Storage;
        let records = self
            .suite
            .app
            .storage()
            .range(None, None, cosmwasm_std::Order::Ascending)
            .collect();
        Some(ChainSnapshot {
            records: std::rc::Rc::new(records),
            block: self.suite.app.block_info(),
            accounts: self.accounts.len(),
        })
    }

    fn restore(&mut self, snapshot: &ChainSnapshot) -> Result<bool> {
        use cosmwasm_std::Storage;
        let mut storage = cosmwasm_std::testing::MockStorage::new();
        for (k, v) in snapshot.records.iter() {
            storage.set(k, v);
        }
        *self.suite.app.storage_mut() = storage;
        self.suite.app.set_block(snapshot.block.clone());
        if snapshot.accounts > 0 {
            self.account_addr(snapshot.accounts - 1);
        }
        Ok(true)
    }

    fn reset_outcome(&mut self, id: u64) -> Result<Option<(Decimal, u64)>> {
        let keeper = self.suite.keeper.clone();
        let res = self.suite.reset_auction(&keeper, id)?;
        // The liquidator's `reset` attributes say whether it closed the auction and the new top.
        let attr = |key: &str| {
            res.events
                .iter()
                .flat_map(|e| &e.attributes)
                .find(|a| a.key == key)
                .map(|a| a.value.clone())
        };
        if attr("closed").as_deref() == Some("true") {
            return Ok(None);
        }
        let top = attr("top").ok_or_else(|| anyhow::anyhow!("reset response without `top`"))?;
        Ok(Some((
            Decimal::from_str(&top).map_err(|e| anyhow::anyhow!("{e}"))?,
            self.suite.now(),
        )))
    }

    fn submit_prices(&mut self, feeder: usize, prices: &[PriceSubmission]) -> Result<()> {
        let f = self.suite.feeders[feeder].clone();
        let msg = OracleMsg::SubmitPrices {
            prices: prices.to_vec(),
        };
        self.suite.oracle_execute(&f, &msg, &[])?;
        Ok(())
    }

    fn price_of(&self, denom: &str) -> Result<PriceResponse> {
        q(self.suite.oracle_price(denom))
    }

    fn open_position(&mut self, i: usize, collateral: &[(String, u128)], debt: u128) -> Result<()> {
        let a = self.account_addr(i);
        let held: Vec<&(String, u128)> = collateral.iter().filter(|(_, u)| *u > 0).collect();
        let coins: Vec<cosmwasm_std::Coin> = held.iter().map(|(d, u)| coin(*u, d)).collect();
        // Minted directly (see `open_account`).
        self.suite
            .app
            .sudo(cw_multi_test::SudoMsg::Bank(
                cw_multi_test::BankSudo::Mint {
                    to_address: a.to_string(),
                    amount: coins.clone(),
                },
            ))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        for (d, u) in held {
            self.suite.deposit_collateral(&a, d, *u)?;
        }
        if debt > 0 {
            self.suite.borrow(&a, debt)?;
        }
        Ok(())
    }

    fn resell_denom(&mut self, denom: &str) -> Result<()> {
        let keeper = self.suite.keeper.clone();
        let msg = BackstopMsg::Resell {
            denom: denom.to_string(),
        };
        self.suite.backstop_execute(&keeper, &msg, &[])?;
        Ok(())
    }

    fn trip_breaker_of(&mut self, denom: &str) -> Result<()> {
        let keeper = self.suite.keeper.clone();
        let msg = MarketMsg::TripBreaker {
            denom: denom.to_string(),
        };
        self.suite.market_execute(&keeper, &msg, &[])?;
        Ok(())
    }
}

/// A [`Chain`] that times every call of the chain it wraps: where a run's time goes, per kind
/// of message or query (`lab run --profile` prints [`Profiled::report`] after each run).
pub struct Profiled {
    inner: Box<dyn Chain>,
    stats: std::cell::RefCell<std::collections::BTreeMap<&'static str, (u64, Duration)>>,
}

use std::time::{Duration, Instant};

impl Profiled {
    /// Wraps `inner`.
    pub fn new(inner: Box<dyn Chain>) -> Self {
        Profiled {
            inner,
            stats: Default::default(),
        }
    }

    fn record(&self, what: &'static str, start: Instant) {
        let mut s = self.stats.borrow_mut();
        let e = s.entry(what).or_default();
        e.0 += 1;
        e.1 += start.elapsed();
    }

    fn read<T>(&self, what: &'static str, f: impl FnOnce(&dyn Chain) -> T) -> T {
        let start = Instant::now();
        let out = f(&*self.inner);
        self.record(what, start);
        out
    }

    fn write<T>(
        &mut self,
        what: &'static str,
        f: impl FnOnce(&mut dyn Chain) -> Result<T>,
    ) -> Result<T> {
        let start = Instant::now();
        let out = f(&mut *self.inner);
        self.record(if out.is_ok() { what } else { "refused" }, start);
        out
    }

    /// Calls and total time per kind of call, slowest first (`refused`: calls the contracts
    /// refused, of any kind).
    pub fn report(&self) -> Vec<(&'static str, u64, Duration)> {
        let mut v: Vec<_> = self
            .stats
            .borrow()
            .iter()
            .map(|(k, (n, d))| (*k, *n, *d))
            .collect();
        v.sort_by_key(|e| std::cmp::Reverse(e.2));
        v
    }

    /// [`Profiled::report`] as text, one line per kind.
    pub fn report_text(&self) -> String {
        self.report()
            .iter()
            .map(|(k, n, d)| {
                format!(
                    "{k:>14} {n:>8} calls {:>9.3} s {:>8.1} us/call\n",
                    d.as_secs_f64(),
                    d.as_secs_f64() * 1e6 / (*n).max(1) as f64
                )
            })
            .collect()
    }
}

impl Chain for Profiled {
    fn now(&self) -> u64 {
        self.inner.now()
    }
    fn start(&mut self) -> Result<()> {
        self.write("start", |c| c.start())
    }
    fn advance(&mut self, secs: u64) {
        let start = Instant::now();
        self.inner.advance(secs);
        self.record("advance", start);
    }
    fn time_scale(&self) -> u64 {
        self.inner.time_scale()
    }
    fn submit_price(&mut self, feeder: usize, price: Decimal, depth: Option<u128>) -> Result<()> {
        self.write("submit_price", |c| c.submit_price(feeder, price, depth))
    }
    fn price(&self) -> Result<PriceResponse> {
        self.read("price", |c| c.price())
    }
    fn open_account(&mut self, i: usize, collateral: u128, debt: u128) -> Result<()> {
        self.write("open_account", |c| c.open_account(i, collateral, debt))
    }
    fn supply(&mut self, amount: u128) -> Result<()> {
        self.write("supply", |c| c.supply(amount))
    }
    fn fund_backstop(&mut self, amount: u128) -> Result<()> {
        self.write("fund_backstop", |c| c.fund_backstop(amount))
    }
    fn liquidate(&mut self, i: usize) -> Result<()> {
        self.write("liquidate", |c| c.liquidate(i))
    }
    fn account(&self, i: usize) -> Result<AccountResponse> {
        self.read("account", |c| c.account(i))
    }
    fn auctions(&self) -> Result<Vec<AuctionResponse>> {
        self.read("auctions", |c| c.auctions())
    }
    fn bid(
        &mut self,
        b: usize,
        id: u64,
        max_collateral: u128,
        max_price: Decimal,
        funds: u128,
    ) -> Result<(u128, u128)> {
        self.write("bid", |c| c.bid(b, id, max_collateral, max_price, funds))
    }
    fn reset(&mut self, id: u64) -> Result<()> {
        self.write("reset", |c| c.reset(id))
    }
    fn buy_at_floor(&mut self, id: u64) -> Result<()> {
        self.write("buy_at_floor", |c| c.buy_at_floor(id))
    }
    fn resell(&mut self) -> Result<()> {
        self.write("resell", |c| c.resell())
    }
    fn trip_breaker(&mut self) -> Result<()> {
        self.write("trip_breaker", |c| c.trip_breaker())
    }
    fn set_breaker(&mut self, level: u8) -> Result<()> {
        self.write("set_breaker", |c| c.set_breaker(level))
    }
    fn market_state(&self) -> Result<StateResponse> {
        self.read("market_state", |c| c.market_state())
    }
    fn backstop_pool(&self) -> Result<PoolResponse> {
        self.read("backstop_pool", |c| c.backstop_pool())
    }
    fn hold_clock(&self, denom: &str) -> Result<HoldClock> {
        self.read("hold_clock", |c| c.hold_clock(denom))
    }
    fn profile(&self) -> Option<String> {
        Some(self.report_text())
    }
    fn auction(&self, id: u64) -> Result<Option<AuctionResponse>> {
        self.read("auction", |c| c.auction(id))
    }
    fn auctions_after(&self, id: u64) -> Result<Vec<AuctionResponse>> {
        self.read("auctions_after", |c| c.auctions_after(id))
    }
    fn bid_outcome(
        &mut self,
        b: usize,
        id: u64,
        max_collateral: u128,
        max_price: Decimal,
        funds: u128,
    ) -> Result<BidOutcome> {
        self.write("bid", |c| {
            c.bid_outcome(b, id, max_collateral, max_price, funds)
        })
    }
    fn exact_time(&self) -> bool {
        self.inner.exact_time()
    }
    fn reset_outcome(&mut self, id: u64) -> Result<Option<(Decimal, u64)>> {
        self.write("reset", |c| c.reset_outcome(id))
    }
    fn snapshot(&self) -> Option<ChainSnapshot> {
        self.read("snapshot", |c| c.snapshot())
    }
    fn restore(&mut self, snapshot: &ChainSnapshot) -> Result<bool> {
        self.write("restore", |c| c.restore(snapshot))
    }
    fn account_of(&self, address: &str) -> Option<usize> {
        self.inner.account_of(address)
    }
    fn submit_prices(&mut self, feeder: usize, prices: &[PriceSubmission]) -> Result<()> {
        self.write("submit_price", |c| c.submit_prices(feeder, prices))
    }
    fn price_of(&self, denom: &str) -> Result<PriceResponse> {
        self.read("price", |c| c.price_of(denom))
    }
    fn open_position(&mut self, i: usize, collateral: &[(String, u128)], debt: u128) -> Result<()> {
        self.write("open_account", |c| c.open_position(i, collateral, debt))
    }
    fn resell_denom(&mut self, denom: &str) -> Result<()> {
        self.write("resell", |c| c.resell_denom(denom))
    }
    fn trip_breaker_of(&mut self, denom: &str) -> Result<()> {
        self.write("trip_breaker", |c| c.trip_breaker_of(denom))
    }
}
