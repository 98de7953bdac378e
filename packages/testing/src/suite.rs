//! The Suite and its builder.
use breakwater_types::backstop::BackstopParams;
use breakwater_types::deploy::{self, CollateralPlan, DeployPlan};
use breakwater_types::liquidator::AuctionParams;
use breakwater_types::market::{CollateralParams, LiquidationParams, MarketParams};
use breakwater_types::oracle::{self, OracleParams, PriceSubmission};
use cosmwasm_std::{coin, Addr, Coin, Decimal, Empty, Uint128, Uint256};
use cw_multi_test::{App, AppBuilder, BankSudo, Contract, ContractWrapper, Executor, SudoMsg};
use std::str::FromStr;

/// Seconds per block in the Suite's chain.
pub const BLOCK_SECONDS: u64 = 5;
/// Units of every denom given to the default users.
pub const USER_FUNDS: u128 = 10_000_000_000_000;

/// Parses a decimal literal (test helper; panics on a malformed literal).
pub fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap_or_else(|e| panic!("bad decimal literal {s:?}: {e}"))
}

fn oracle_code() -> Box<dyn Contract<Empty>> {
    use breakwater_oracle::contract as c;
    Box::new(ContractWrapper::new(c::execute, c::instantiate, c::query).with_migrate(c::migrate))
}

fn liquidator_code() -> Box<dyn Contract<Empty>> {
    use breakwater_liquidator::contract as c;
    Box::new(ContractWrapper::new(c::execute, c::instantiate, c::query).with_migrate(c::migrate))
}

fn backstop_code() -> Box<dyn Contract<Empty>> {
    use breakwater_backstop::contract as c;
    Box::new(ContractWrapper::new(c::execute, c::instantiate, c::query).with_migrate(c::migrate))
}

/// The Suite's default auction parameters ([`deploy::test_auction_params`]): buf 1.1, a 3%
/// cut every 60 s, reset after an hour or below half the top, floor at 80% of the oracle, dust
/// 1 base unit (10^6), cap derived from depth.
pub fn default_auction_params() -> AuctionParams {
    deploy::test_auction_params()
}

/// The Suite's default liquidation parameters ([`deploy::test_liquidation_params`]): target
/// 1.05, hard floor 0.8, dust 10^6, chip 0.1% capped at 10^9, half the reserves to the
/// backstop.
pub fn default_liquidation_params() -> LiquidationParams {
    deploy::test_liquidation_params()
}

/// Instantiates `code` as `owner` (also its admin), panicking with the label on failure.
fn instantiate<T: serde::Serialize>(
    app: &mut App,
    owner: &Addr,
    code: u64,
    msg: &T,
    label: &str,
) -> Addr {
    app.instantiate_contract(
        code,
        owner.clone(),
        msg,
        &[],
        label,
        Some(owner.to_string()),
    )
    .unwrap_or_else(|e| panic!("{label} instantiate failed: {e}"))
}

fn market_code() -> Box<dyn Contract<Empty>> {
    use breakwater_market::contract as c;
    Box::new(ContractWrapper::new(c::execute, c::instantiate, c::query).with_migrate(c::migrate))
}

/// Builds a [`Suite`] from a [`DeployPlan`] (default: [`DeployPlan::default`], base `uusdc`;
/// collaterals `uatom` (price 10), `uosmo` (0.5) and `ueth` (3000)) — the same plan the
/// deployer instantiates on a real chain; three feeders; a funded `lender`, `borrower` and
/// `keeper`.
#[derive(Debug, Clone)]
pub struct SuiteBuilder {
    plan: DeployPlan,
    feeders: usize,
    initial_prices: bool,
    start_time: u64,
    backstop_deposit: u128,
}

impl Default for SuiteBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl SuiteBuilder {
    /// The defaults described on the type.
    pub fn new() -> Self {
        Self::from_plan(DeployPlan::default())
    }

    /// A builder instantiating `plan`.
    pub fn from_plan(plan: DeployPlan) -> Self {
        SuiteBuilder {
            plan,
            feeders: 3,
            initial_prices: true,
            start_time: 1_700_000_000,
            backstop_deposit: 0,
        }
    }

    /// The plan the Suite will instantiate.
    pub fn plan(&self) -> &DeployPlan {
        &self.plan
    }

    /// The market's liquidation parameters.
    pub fn liquidation_params(mut self, params: LiquidationParams) -> Self {
        self.plan.liquidation = params;
        self
    }

    /// The backstop's parameters.
    pub fn backstop_params(mut self, params: BackstopParams) -> Self {
        self.plan.backstop = params;
        self
    }

    /// Auction parameters for one collateral (others keep theirs, by default
    /// [`default_auction_params`]). Panics if `denom` is not listed: list it first.
    pub fn auction_params(mut self, denom: &str, params: AuctionParams) -> Self {
        let c = self
            .plan
            .collaterals
            .iter_mut()
            .find(|c| c.params.denom == denom)
            .unwrap_or_else(|| panic!("auction_params for {denom}, which is not listed"));
        c.auction = params;
        self
    }

    /// The liquidator's global cap on debt under auction.
    pub fn global_hole(mut self, hole: u128) -> Self {
        self.plan.global_hole = Uint128::new(hole);
        self
    }

    /// The liquidator's impact budget (percent) deriving per-collateral caps from depth.
    pub fn impact_budget_pct(mut self, pct: Decimal) -> Self {
        self.plan.impact_budget_pct = pct;
        self
    }

    /// Base units the `lender` deposits in the backstop at build time (0: an empty pool).
    pub fn backstop_deposit(mut self, amount: u128) -> Self {
        self.backstop_deposit = amount;
        self
    }

    /// Adds (or replaces, by denom, keeping its auction parameters) a collateral with its
    /// initial price.
    pub fn collateral(mut self, params: CollateralParams, price: Decimal) -> Self {
        let auction = self
            .plan
            .collaterals
            .iter()
            .find(|c| c.params.denom == params.denom)
            .map(|c| c.auction.clone())
            .unwrap_or_else(default_auction_params);
        self.plan.set_collateral(CollateralPlan {
            params,
            auction,
            price,
        });
        self
    }

    /// Replaces the whole collateral list (with [`default_auction_params`]).
    pub fn only_collaterals(mut self, collaterals: Vec<(CollateralParams, Decimal)>) -> Self {
        self.plan.collaterals = collaterals
            .into_iter()
            .map(|(params, price)| CollateralPlan {
                params,
                auction: default_auction_params(),
                price,
            })
            .collect();
        self
    }

    /// Oracle parameters used for every asset.
    pub fn oracle_params(mut self, params: OracleParams) -> Self {
        self.plan.oracle = params;
        self
    }

    /// Market-wide parameters.
    pub fn market_params(mut self, params: MarketParams) -> Self {
        self.plan.market = params;
        self
    }

    /// Number of feeders (each feeds every asset).
    pub fn feeders(mut self, n: usize) -> Self {
        self.feeders = n;
        self
    }

    /// The base asset's denom.
    pub fn base_denom(mut self, denom: &str) -> Self {
        self.plan.base_denom = denom.to_string();
        self
    }

    /// Do not feed the initial prices at build time.
    pub fn no_initial_prices(mut self) -> Self {
        self.initial_prices = false;
        self
    }

    /// Instantiates the contracts and funds the users.
    pub fn build(self) -> Suite {
        let start_time = self.start_time;
        let mut app = AppBuilder::new().build(|_, _, _| {});
        app.update_block(|b| {
            b.time = cosmwasm_std::Timestamp::from_seconds(start_time);
            b.height = 1_000;
        });
        let api = *app.api();
        let owner = api.addr_make("owner");
        let feeders: Vec<Addr> = (0..self.feeders)
            .map(|i| api.addr_make(&format!("feeder{i}")))
            .collect();
        let lender = api.addr_make("lender");
        let borrower = api.addr_make("borrower");

        let plan = &self.plan;
        let feeder_strings: Vec<String> = feeders.iter().map(|f| f.to_string()).collect();
        let oracle_id = app.store_code(oracle_code());
        let market_id = app.store_code(market_code());
        let liquidator_id = app.store_code(liquidator_code());
        let backstop_id = app.store_code(backstop_code());
        let oracle_addr = instantiate(
            &mut app,
            &owner,
            oracle_id,
            &plan.oracle_msg(&feeder_strings),
            "breakwater-oracle",
        );
        let market_addr = instantiate(
            &mut app,
            &owner,
            market_id,
            &plan.market_msg(oracle_addr.as_str()),
            "breakwater-market",
        );
        let liquidator_addr = instantiate(
            &mut app,
            &owner,
            liquidator_id,
            &plan.liquidator_msg(market_addr.as_str(), oracle_addr.as_str()),
            "breakwater-liquidator",
        );
        let backstop_addr = instantiate(
            &mut app,
            &owner,
            backstop_id,
            &plan.backstop_msg(
                market_addr.as_str(),
                liquidator_addr.as_str(),
                oracle_addr.as_str(),
            ),
            "breakwater-backstop",
        );
        app.execute_contract(
            owner.clone(),
            liquidator_addr.clone(),
            &plan.set_backstop_msg(backstop_addr.as_str()),
            &[],
        )
        .unwrap_or_else(|e| panic!("liquidator SetBackstop failed: {e}"));
        let guardian = api.addr_make("guardian");
        app.execute_contract(
            owner.clone(),
            market_addr.clone(),
            &plan.liquidation_msg(
                liquidator_addr.as_str(),
                backstop_addr.as_str(),
                Some(guardian.as_str()),
            ),
            &[],
        )
        .unwrap_or_else(|e| panic!("market SetLiquidation failed: {e}"));
        let keeper = api.addr_make("keeper");

        let collateral_denoms = self.plan.denoms();
        let mut suite = Suite {
            app,
            owner,
            oracle: oracle_addr,
            market: market_addr,
            liquidator: liquidator_addr,
            backstop: backstop_addr,
            feeders,
            lender,
            borrower,
            keeper,
            known: vec![],
            base_denom: self.plan.base_denom.clone(),
            collateral_denoms,
        };
        let all_denoms: Vec<String> = std::iter::once(suite.base_denom.clone())
            .chain(suite.collateral_denoms.iter().cloned())
            .collect();
        let funds: Vec<Coin> = all_denoms.iter().map(|d| coin(USER_FUNDS, d)).collect();
        for who in [
            suite.lender.clone(),
            suite.borrower.clone(),
            suite.keeper.clone(),
        ] {
            suite.fund(&who, &funds);
        }
        if self.initial_prices {
            let prices: Vec<(String, Decimal)> = self
                .plan
                .collaterals
                .iter()
                .map(|c| (c.params.denom.clone(), c.price))
                .collect();
            suite.feed_many(&prices);
        }
        if self.backstop_deposit > 0 {
            let lender = suite.lender.clone();
            suite
                .backstop_deposit(&lender, self.backstop_deposit)
                .unwrap_or_else(|e| panic!("backstop deposit failed: {e}"));
        }
        suite
    }
}

/// A running chain with the Breakwater contracts deployed.
pub struct Suite {
    /// The cw-multi-test application.
    pub app: App,
    /// Owner of every contract.
    pub owner: Addr,
    /// The oracle contract.
    pub oracle: Addr,
    /// The market contract.
    pub market: Addr,
    /// The liquidator contract.
    pub liquidator: Addr,
    /// The backstop contract.
    pub backstop: Addr,
    /// Whitelisted feeders of every asset.
    pub feeders: Vec<Addr>,
    /// A user funded with every denom, meant to lend.
    pub lender: Addr,
    /// A user funded with every denom, meant to borrow.
    pub borrower: Addr,
    /// A user funded with every denom, meant to liquidate and bid.
    pub keeper: Addr,
    /// Every other address the Suite has funded (for [`Suite::total_supply`]).
    pub known: Vec<Addr>,
    /// The base asset.
    pub base_denom: String,
    /// The listed collaterals, in listing order.
    pub collateral_denoms: Vec<String>,
}

impl Suite {
    /// A deterministic address for `name`.
    pub fn addr(&self, name: &str) -> Addr {
        self.app.api().addr_make(name)
    }

    /// Mints `coins` to `who`.
    pub fn fund(&mut self, who: &Addr, coins: &[Coin]) {
        if !self.known.contains(who) {
            self.known.push(who.clone());
        }
        self.app
            .sudo(SudoMsg::Bank(BankSudo::Mint {
                to_address: who.to_string(),
                amount: coins.to_vec(),
            }))
            .unwrap_or_else(|e| panic!("mint failed: {e}"));
    }

    /// `who`'s bank balance of `denom` (panics above u128, which the Suite never mints).
    pub fn balance(&self, who: &Addr, denom: &str) -> u128 {
        let amount: Uint256 = self
            .app
            .wrap()
            .query_balance(who, denom)
            .unwrap_or_else(|e| panic!("balance query failed: {e}"))
            .amount;
        Uint128::try_from(amount)
            .expect("balance above u128")
            .u128()
    }

    /// Every address the Suite knows: contracts, owner, feeders, users and funded addresses.
    pub fn known_addresses(&self) -> Vec<Addr> {
        let mut all = vec![
            self.owner.clone(),
            self.oracle.clone(),
            self.market.clone(),
            self.liquidator.clone(),
            self.backstop.clone(),
            self.lender.clone(),
            self.borrower.clone(),
            self.keeper.clone(),
        ];
        all.extend(self.feeders.iter().cloned());
        for a in &self.known {
            if !all.contains(a) {
                all.push(a.clone());
            }
        }
        all
    }

    /// Sum of `denom` balances over [`Suite::known_addresses`]. Minting aside, it never
    /// changes: a drop means tokens went to an address no test expected.
    pub fn total_supply(&self, denom: &str) -> u128 {
        self.known_addresses()
            .iter()
            .map(|a| self.balance(a, denom))
            .sum()
    }

    /// Current block time, seconds.
    pub fn now(&self) -> u64 {
        self.app.block_info().time.seconds()
    }

    /// Current block height.
    pub fn height(&self) -> u64 {
        self.app.block_info().height
    }

    /// Moves time forward by `secs` and height by `secs / BLOCK_SECONDS` (at least one block).
    pub fn advance_time(&mut self, secs: u64) {
        let blocks = (secs / BLOCK_SECONDS).max(1);
        self.app.update_block(|b| {
            b.time = b.time.plus_seconds(secs);
            b.height += blocks;
        });
    }

    /// Moves forward `n` blocks of [`BLOCK_SECONDS`].
    pub fn advance_blocks(&mut self, n: u64) {
        self.app.update_block(|b| {
            b.time = b.time.plus_seconds(n * BLOCK_SECONDS);
            b.height += n;
        });
    }

    /// Moves time forward by `secs` in steps of at most 30 s, every feeder re-submitting each
    /// collateral's current median at every step, so prices stay fresh and active (as with
    /// live feeders). Panics on error: a set-up helper.
    pub fn advance_time_feeding(&mut self, secs: u64) {
        let mut left = secs;
        while left > 0 {
            let step = left.min(30);
            self.advance_time(step);
            left -= step;
            let prices: Vec<(String, Decimal)> = self
                .collateral_denoms
                .clone()
                .into_iter()
                .filter_map(|d| self.oracle_price(&d).ok().map(|p| (d, p.median)))
                .collect();
            self.feed_many(&prices);
        }
    }

    /// Every feeder submits `price` for `denom` (panics on error: a setup helper).
    pub fn feed(&mut self, denom: &str, price: Decimal) {
        self.feed_many(&[(denom.to_string(), price)]);
    }

    /// Every feeder submits all `prices` in one message each (panics on error).
    pub fn feed_many(&mut self, prices: &[(String, Decimal)]) {
        let with: Vec<(String, Decimal, Option<Uint128>)> =
            prices.iter().map(|(d, p)| (d.clone(), *p, None)).collect();
        self.feed_many_with_depth(&with);
    }

    /// Every feeder submits all `prices` in one message each, each with the depth given (base
    /// value per 1% move; `None`: none measured) (panics on error).
    pub fn feed_many_with_depth(&mut self, prices: &[(String, Decimal, Option<Uint128>)]) {
        let msg = oracle::ExecuteMsg::SubmitPrices {
            prices: prices
                .iter()
                .map(|(d, p, depth)| PriceSubmission {
                    denom: d.clone(),
                    price: *p,
                    depth: *depth,
                })
                .collect(),
        };
        for f in self.feeders.clone() {
            self.app
                .execute_contract(f, self.oracle.clone(), &msg, &[])
                .unwrap_or_else(|e| panic!("feeding {prices:?} failed: {e}"));
        }
    }
}
