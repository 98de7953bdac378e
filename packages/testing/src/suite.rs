//! The Suite and its builder.
use breakwater_types::backstop::{self, BackstopParams};
use breakwater_types::liquidator::{self, AuctionParams, CollateralAuction, PriceCurve};
use breakwater_types::market::{
    self, CollateralParams, LiquidationConfig, LiquidationParams, MarketParams,
};
use breakwater_types::oracle::{self, AssetInit, OracleParams, PriceSubmission};
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

/// The Suite's default auction parameters: buf 1.1, a 3% cut every 60 s, reset after an hour
/// or below half the top, floor at 80% of the oracle, dust 1 base unit (10^6), cap derived
/// from depth.
pub fn default_auction_params() -> AuctionParams {
    AuctionParams {
        buf: dec("1.1"),
        curve: PriceCurve::StairStep {
            step: 60,
            cut: dec("0.97"),
        },
        tail: 3_600,
        cusp: dec("0.5"),
        max_discount: dec("0.2"),
        dust: Uint128::new(1_000_000),
        hole: None,
    }
}

/// The Suite's default liquidation parameters: target 1.05, hard floor 0.8, dust 10^6, chip
/// 0.1% capped at 10^9, half the reserves to the backstop.
pub fn default_liquidation_params() -> LiquidationParams {
    LiquidationParams {
        target_health_factor: dec("1.05"),
        hard_floor_health_factor: dec("0.8"),
        min_debt: Uint128::new(1_000_000),
        min_collateral_value: Uint128::new(1_000_000),
        keeper_tip: Uint128::zero(),
        keeper_chip: dec("0.001"),
        keeper_reward_cap: Uint128::new(1_000_000_000),
        backstop_reserve_share: dec("0.5"),
    }
}

fn market_code() -> Box<dyn Contract<Empty>> {
    use breakwater_market::contract as c;
    Box::new(ContractWrapper::new(c::execute, c::instantiate, c::query).with_migrate(c::migrate))
}

/// Builds a [`Suite`]. Defaults: base `uusdc`; collaterals `uatom` (price 10), `uosmo`
/// (price 0.5) and `ueth` (price 3000) with anchor-like risk parameters; three feeders with a
/// quorum of two; [`MarketParams::default`]; a funded `lender` and `borrower`.
#[derive(Debug, Clone)]
pub struct SuiteBuilder {
    base_denom: String,
    collaterals: Vec<(CollateralParams, Decimal)>,
    oracle_params: OracleParams,
    market_params: MarketParams,
    feeders: usize,
    initial_prices: bool,
    start_time: u64,
    liquidation_params: LiquidationParams,
    backstop_params: BackstopParams,
    auction_params: Vec<(String, AuctionParams)>,
    global_hole: Uint128,
    impact_budget_pct: Decimal,
    backstop_deposit: u128,
}

impl Default for SuiteBuilder {
    fn default() -> Self {
        Self::new()
    }
}

/// A collateral with the given risk parameters and a large cap and depth.
fn collateral(denom: &str, ltv: &str, lt: &str, penalty: &str) -> CollateralParams {
    CollateralParams {
        denom: denom.to_string(),
        max_ltv: dec(ltv),
        liquidation_threshold: dec(lt),
        liquidation_penalty: dec(penalty),
        supply_cap: Uint128::new(1_000_000_000_000_000),
        depth: Uint128::new(10_000_000_000),
    }
}

impl SuiteBuilder {
    /// The defaults described on the type.
    pub fn new() -> Self {
        SuiteBuilder {
            base_denom: "uusdc".to_string(),
            collaterals: vec![
                (collateral("uatom", "0.68", "0.70", "0.05"), dec("10")),
                (collateral("uosmo", "0.60", "0.65", "0.08"), dec("0.5")),
                (collateral("ueth", "0.80", "0.825", "0.05"), dec("3000")),
            ],
            oracle_params: OracleParams {
                min_feeders: 2,
                ..OracleParams::default()
            },
            market_params: MarketParams::default(),
            feeders: 3,
            initial_prices: true,
            start_time: 1_700_000_000,
            liquidation_params: default_liquidation_params(),
            backstop_params: BackstopParams::default(),
            auction_params: vec![],
            global_hole: Uint128::new(1_000_000_000_000_000),
            impact_budget_pct: dec("3"),
            backstop_deposit: 0,
        }
    }

    /// The market's liquidation parameters.
    pub fn liquidation_params(mut self, params: LiquidationParams) -> Self {
        self.liquidation_params = params;
        self
    }

    /// The backstop's parameters.
    pub fn backstop_params(mut self, params: BackstopParams) -> Self {
        self.backstop_params = params;
        self
    }

    /// Auction parameters for one collateral (others use [`default_auction_params`]).
    pub fn auction_params(mut self, denom: &str, params: AuctionParams) -> Self {
        self.auction_params.retain(|(d, _)| d != denom);
        self.auction_params.push((denom.to_string(), params));
        self
    }

    /// The liquidator's global cap on debt under auction.
    pub fn global_hole(mut self, hole: u128) -> Self {
        self.global_hole = Uint128::new(hole);
        self
    }

    /// The liquidator's impact budget (percent) deriving per-collateral caps from depth.
    pub fn impact_budget_pct(mut self, pct: Decimal) -> Self {
        self.impact_budget_pct = pct;
        self
    }

    /// Base units the `lender` deposits in the backstop at build time (0: an empty pool).
    pub fn backstop_deposit(mut self, amount: u128) -> Self {
        self.backstop_deposit = amount;
        self
    }

    /// Adds (or replaces, by denom) a collateral with its initial price.
    pub fn collateral(mut self, params: CollateralParams, price: Decimal) -> Self {
        self.collaterals.retain(|(c, _)| c.denom != params.denom);
        self.collaterals.push((params, price));
        self
    }

    /// Replaces the whole collateral list.
    pub fn only_collaterals(mut self, collaterals: Vec<(CollateralParams, Decimal)>) -> Self {
        self.collaterals = collaterals;
        self
    }

    /// Oracle parameters used for every asset.
    pub fn oracle_params(mut self, params: OracleParams) -> Self {
        self.oracle_params = params;
        self
    }

    /// Market-wide parameters.
    pub fn market_params(mut self, params: MarketParams) -> Self {
        self.market_params = params;
        self
    }

    /// Number of feeders (each feeds every asset).
    pub fn feeders(mut self, n: usize) -> Self {
        self.feeders = n;
        self
    }

    /// The base asset's denom.
    pub fn base_denom(mut self, denom: &str) -> Self {
        self.base_denom = denom.to_string();
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

        let oracle_id = app.store_code(oracle_code());
        let market_id = app.store_code(market_code());

        let oracle_addr = app
            .instantiate_contract(
                oracle_id,
                owner.clone(),
                &oracle::InstantiateMsg {
                    owner: None,
                    assets: self
                        .collaterals
                        .iter()
                        .map(|(c, _)| AssetInit {
                            denom: c.denom.clone(),
                            params: self.oracle_params.clone(),
                            feeders: feeders.iter().map(|f| f.to_string()).collect(),
                        })
                        .collect(),
                },
                &[],
                "breakwater-oracle",
                Some(owner.to_string()),
            )
            .unwrap_or_else(|e| panic!("oracle instantiate failed: {e}"));

        let market_addr = app
            .instantiate_contract(
                market_id,
                owner.clone(),
                &market::InstantiateMsg {
                    owner: None,
                    oracle: oracle_addr.to_string(),
                    base_denom: self.base_denom.clone(),
                    params: self.market_params.clone(),
                    collaterals: self.collaterals.iter().map(|(c, _)| c.clone()).collect(),
                },
                &[],
                "breakwater-market",
                Some(owner.to_string()),
            )
            .unwrap_or_else(|e| panic!("market instantiate failed: {e}"));

        let liquidator_id = app.store_code(liquidator_code());
        let backstop_id = app.store_code(backstop_code());
        let auction_params = |denom: &str| {
            self.auction_params
                .iter()
                .find(|(d, _)| d == denom)
                .map(|(_, p)| p.clone())
                .unwrap_or_else(default_auction_params)
        };
        let liquidator_addr = app
            .instantiate_contract(
                liquidator_id,
                owner.clone(),
                &liquidator::InstantiateMsg {
                    owner: None,
                    market: market_addr.to_string(),
                    oracle: oracle_addr.to_string(),
                    backstop: None,
                    base_denom: self.base_denom.clone(),
                    global_hole: self.global_hole,
                    impact_budget_pct: self.impact_budget_pct,
                    collaterals: self
                        .collaterals
                        .iter()
                        .map(|(c, _)| CollateralAuction {
                            denom: c.denom.clone(),
                            params: auction_params(&c.denom),
                        })
                        .collect(),
                },
                &[],
                "breakwater-liquidator",
                Some(owner.to_string()),
            )
            .unwrap_or_else(|e| panic!("liquidator instantiate failed: {e}"));
        let backstop_addr = app
            .instantiate_contract(
                backstop_id,
                owner.clone(),
                &backstop::InstantiateMsg {
                    owner: None,
                    market: market_addr.to_string(),
                    liquidator: liquidator_addr.to_string(),
                    oracle: oracle_addr.to_string(),
                    base_denom: self.base_denom.clone(),
                    params: self.backstop_params.clone(),
                },
                &[],
                "breakwater-backstop",
                Some(owner.to_string()),
            )
            .unwrap_or_else(|e| panic!("backstop instantiate failed: {e}"));
        app.execute_contract(
            owner.clone(),
            liquidator_addr.clone(),
            &liquidator::ExecuteMsg::SetBackstop {
                backstop: backstop_addr.to_string(),
            },
            &[],
        )
        .unwrap_or_else(|e| panic!("liquidator SetBackstop failed: {e}"));
        app.execute_contract(
            owner.clone(),
            market_addr.clone(),
            &market::ExecuteMsg::SetLiquidation(LiquidationConfig {
                liquidator: liquidator_addr.to_string(),
                backstop: backstop_addr.to_string(),
                guardian: Some(api.addr_make("guardian").to_string()),
                params: self.liquidation_params.clone(),
            }),
            &[],
        )
        .unwrap_or_else(|e| panic!("market SetLiquidation failed: {e}"));
        let keeper = api.addr_make("keeper");

        let collateral_denoms: Vec<String> = self
            .collaterals
            .iter()
            .map(|(c, _)| c.denom.clone())
            .collect();
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
            base_denom: self.base_denom.clone(),
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
                .collaterals
                .iter()
                .map(|(c, p)| (c.denom.clone(), *p))
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
        let msg = oracle::ExecuteMsg::SubmitPrices {
            prices: prices
                .iter()
                .map(|(d, p)| PriceSubmission {
                    denom: d.clone(),
                    price: *p,
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
