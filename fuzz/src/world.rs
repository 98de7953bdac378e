//! The prepared chain and the checks every fuzz target shares.
//!
//! [`World::prepare`] builds the Suite once per process (about 50 ms), brings it to a state
//! worth fuzzing, swaps each contract's code for an instrumented copy of the same entry points
//! (through a same-version migration) and snapshots the chain's storage. [`World::reset`]
//! restores that snapshot before every input, so each input runs from the same state and a
//! crash replays from its file alone.
//!
//! The instrumented entry points call the real ones (`breakwater_<contract>::contract::
//! {execute, query}`) and log, per transaction, which contract answered and the text
//! of any typed `ContractError` it returned. cw-multi-test flattens contract errors into
//! strings; the log keeps the types, so a failed transaction can be classified:
//!
//! - a Breakwater contract returned a typed error: fine, the message was refused;
//! - no contract was reached, and funds were attached: the chain refused the funds (zero or
//!   repeated coins) before the contract ran: fine;
//! - otherwise every contract answered `Ok` and the transaction still failed: a message the
//!   contract emitted (a bank send, a call) failed in the chain. That is a bug (for example
//!   a transfer of more than the contract holds) and the harness panics, unless the sender
//!   impersonates one of the contracts or the message is a flash bid whose callback runs
//!   third-party code.
//!
//! A panic anywhere (contract code, arithmetic overflow with overflow checks on, a failed
//! check here) aborts the process: libFuzzer records the input as a crash.
use breakwater_testing::{FlashBehaviour, Suite, SuiteBuilder};
use breakwater_types::{backstop, liquidator, market, oracle};
use cosmwasm_std::testing::MockStorage;
use cosmwasm_std::{
    coin, from_json, to_json_binary, to_json_vec, Addr, Binary, BlockInfo, Coin, ContractResult,
    Empty, Order, QueryRequest, Storage, SystemResult, Uint128, Uint256, WasmMsg, WasmQuery,
};
use cw_multi_test::{BankSudo, Contract as MultiTestContract, ContractWrapper, Executor, SudoMsg};
use serde::de::DeserializeOwned;
use std::cell::RefCell;
use std::fmt::Debug;

/// Whether `BREAKWATER_FUZZ_TRACE` is set: every message and its outcome go to stderr (for
/// reading a reproducer with the `replay` example).
pub fn trace() -> bool {
    static TRACE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *TRACE.get_or_init(|| std::env::var_os("BREAKWATER_FUZZ_TRACE").is_some())
}

/// Largest amount of one coin the harness mints to a sender before a message (2^200):
/// larger attachments are left unfunded, and the chain refuses them before any contract runs.
const MINT_LIMIT_BITS: u32 = 200;
/// Longest time step one message may take (10 years), so block time never overflows.
pub const MAX_ADVANCE: u64 = 10 * 365 * 86_400;

/// One of the four Breakwater contracts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contract {
    /// The price oracle.
    Oracle,
    /// The lending market.
    Market,
    /// The Dutch-auction liquidator.
    Liquidator,
    /// The backstop pool.
    Backstop,
}

impl Contract {
    /// All four, in deployment order.
    pub const ALL: [Contract; 4] = [
        Contract::Oracle,
        Contract::Market,
        Contract::Liquidator,
        Contract::Backstop,
    ];

    /// Its name (the crate suffix).
    pub fn name(self) -> &'static str {
        match self {
            Contract::Oracle => "oracle",
            Contract::Market => "market",
            Contract::Liquidator => "liquidator",
            Contract::Backstop => "backstop",
        }
    }

    /// The contract named by a header token: its name, or its first letter.
    pub fn from_token(token: &str) -> Contract {
        match token.bytes().next() {
            Some(b'o') => Contract::Oracle,
            Some(b'm') => Contract::Market,
            Some(b'l') => Contract::Liquidator,
            Some(b'b') => Contract::Backstop,
            Some(b) => Contract::ALL[b as usize % 4],
            None => Contract::Market,
        }
    }
}

/// One entry-point call of a Breakwater contract during the current transaction.
#[derive(Debug, Clone)]
pub struct Call {
    /// Which contract.
    pub contract: &'static str,
    /// `execute` or `query`.
    pub entry: &'static str,
    /// The typed error it returned, if any (its text: `Debug` would resolve backtraces).
    pub error: Option<String>,
}

thread_local! {
    static CALLS: RefCell<Vec<Call>> = const { RefCell::new(Vec::new()) };
}

fn record<E: std::fmt::Display>(contract: &'static str, entry: &'static str, error: Option<&E>) {
    CALLS.with(|c| {
        c.borrow_mut().push(Call {
            contract,
            entry,
            error: error.map(|e| e.to_string()),
        })
    });
}

fn take_calls() -> Vec<Call> {
    CALLS.with(|c| std::mem::take(&mut *c.borrow_mut()))
}

/// Instrumented copies of a contract's `execute` and `query`: same code, plus the call log.
macro_rules! instrumented {
    ($module:ident, $krate:ident, $types:ident) => {
        mod $module {
            use breakwater_types::$types::{ExecuteMsg, QueryMsg};
            use cosmwasm_std::{Binary, Deps, DepsMut, Env, MessageInfo, Response};
            use $krate::error::ContractError;

            pub fn execute(
                deps: DepsMut,
                env: Env,
                info: MessageInfo,
                msg: ExecuteMsg,
            ) -> Result<Response, ContractError> {
                let res = $krate::contract::execute(deps, env, info, msg);
                super::record(stringify!($types), "execute", res.as_ref().err());
                res
            }

            pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
                let res = $krate::contract::query(deps, env, msg);
                super::record(stringify!($types), "query", res.as_ref().err());
                res
            }
        }
    };
}

instrumented!(oracle_code, breakwater_oracle, oracle);
instrumented!(market_code, breakwater_market, market);
instrumented!(liquidator_code, breakwater_liquidator, liquidator);
instrumented!(backstop_code, breakwater_backstop, backstop);

fn instrumented_code(contract: Contract) -> Box<dyn MultiTestContract<Empty>> {
    match contract {
        Contract::Oracle => Box::new(
            ContractWrapper::new(
                oracle_code::execute,
                breakwater_oracle::contract::instantiate,
                oracle_code::query,
            )
            .with_migrate(breakwater_oracle::contract::migrate),
        ),
        Contract::Market => Box::new(
            ContractWrapper::new(
                market_code::execute,
                breakwater_market::contract::instantiate,
                market_code::query,
            )
            .with_migrate(breakwater_market::contract::migrate),
        ),
        Contract::Liquidator => Box::new(
            ContractWrapper::new(
                liquidator_code::execute,
                breakwater_liquidator::contract::instantiate,
                liquidator_code::query,
            )
            .with_migrate(breakwater_liquidator::contract::migrate),
        ),
        Contract::Backstop => Box::new(
            ContractWrapper::new(
                backstop_code::execute,
                breakwater_backstop::contract::instantiate,
                backstop_code::query,
            )
            .with_migrate(breakwater_backstop::contract::migrate),
        ),
    }
}

/// Named senders: the header token, the address, and whether it is a contract (a message from
/// a contract address impersonates a trusted caller: anything goes, and the books are not
/// checked after it).
pub const SENDER_NAMES: [&str; 18] = [
    "owner",
    "feeder0",
    "feeder1",
    "feeder2",
    "borrower",
    "debtor",
    "saver",
    "lender",
    "keeper",
    "stranger",
    "guardian",
    "oracle",
    "market",
    "liquidator",
    "backstop",
    "flash_pay",
    "flash_short",
    "flash_reenter",
];

/// The base asset and the Suite's collaterals, then a denom nobody lists.
pub const DENOMS: [&str; 5] = ["uusdc", "uatom", "uosmo", "ueth", "ufoo"];

/// What became of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Not a message of the contract: serde refused it, nothing ran.
    Unparsed,
    /// Executed.
    Done,
    /// Refused with a typed error (its text).
    Refused(String),
}

/// The prepared chain.
pub struct World {
    /// The Suite (cw-multi-test `App` and addresses).
    pub suite: Suite,
    /// Senders by [`SENDER_NAMES`] index, with whether each is a contract.
    pub senders: Vec<(Addr, bool)>,
    /// The running auction started at preparation.
    pub auction_id: u64,
    snapshot: Vec<(Vec<u8>, Vec<u8>)>,
    block: BlockInfo,
    /// A message from a contract address ran during this input: skip the books check.
    impersonated: bool,
}

fn attr(res: &cw_multi_test::AppResponse, key: &str) -> Option<String> {
    res.events
        .iter()
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key == key)
        .map(|a| a.value.clone())
}

impl World {
    /// Builds the Suite and the state every input starts from:
    ///
    /// - `lender` supplied 1,000,000 USDC; the backstop holds 10,000 USDC of `lender`'s and
    ///   1,000 of `keeper`'s, half of which is requested for withdrawal (cooldown running);
    /// - `borrower` (1,000 ATOM against 6,500 USDC) was liquidated after ATOM fell from 10 to
    ///   8.5: its auction is running;
    /// - `debtor` (100 ATOM against 650 USDC) is just as underwater and not yet liquidated;
    /// - `saver` holds 10 ETH and 10,000 OSMO against 10,000 USDC, healthy;
    /// - three flash receivers (`flash_pay`, `flash_short`, `flash_reenter`) hold USDC;
    /// - every price is fresh; the three feeders feed every collateral.
    pub fn prepare() -> World {
        // `StdError` captures a backtrace when RUST_BACKTRACE is set; refusals are the common
        // case here and must stay cheap. Panic backtraces are unaffected.
        std::env::set_var("RUST_LIB_BACKTRACE", "0");
        let mut s = SuiteBuilder::new().backstop_deposit(10_000_000_000).build();
        let (lender, borrower, keeper) = (s.lender.clone(), s.borrower.clone(), s.keeper.clone());
        s.supply(&lender, 1_000_000_000_000).expect("supply");
        s.open_position(&borrower, "uatom", 1_000_000_000, 6_500_000_000);
        let debtor = s.addr("debtor");
        s.open_position(&debtor, "uatom", 100_000_000, 650_000_000);
        let saver = s.addr("saver");
        s.open_position(&saver, "ueth", 10_000_000, 0);
        s.open_position(&saver, "uosmo", 10_000_000_000, 10_000_000_000);
        s.backstop_deposit(&keeper, 1_000_000_000)
            .expect("backstop deposit");
        let shares = s.backstop_depositor(&keeper).shares;
        s.backstop_execute(
            &keeper,
            &backstop::ExecuteMsg::RequestWithdraw {
                shares: shares / Uint128::new(2),
            },
            &[],
        )
        .expect("request withdraw");
        s.advance_time_feeding(30);
        s.feed("uatom", breakwater_testing::dec("8.5"));
        let res = s.liquidate(&keeper, &borrower).expect("liquidation");
        let auction_id = attr(&res, "auction_id")
            .and_then(|a| a.parse().ok())
            .expect("the liquidation started an auction");
        let flash_pay = s.deploy_flash_receiver(FlashBehaviour::Pay, 1_000_000_000_000);
        let flash_short = s.deploy_flash_receiver(FlashBehaviour::PayShort, 1_000_000_000_000);
        let flash_reenter = s.deploy_flash_receiver(FlashBehaviour::Reenter, 1_000_000_000_000);

        // Swap in the instrumented code (same entry points, plus the call log).
        for c in Contract::ALL {
            let code_id = s.app.store_code(instrumented_code(c));
            let addr = contract_addr(&s, c);
            let owner = s.owner.clone();
            s.app
                .execute(
                    owner,
                    WasmMsg::Migrate {
                        contract_addr: addr.to_string(),
                        new_code_id: code_id,
                        msg: to_json_binary(&breakwater_types::MigrateMsg {}).expect("json"),
                    }
                    .into(),
                )
                .unwrap_or_else(|e| panic!("migrating {} failed: {e}", c.name()));
        }
        take_calls();

        let named = |name: &str| -> (Addr, bool) {
            match name {
                "owner" => (s.owner.clone(), false),
                "feeder0" | "feeder1" | "feeder2" => {
                    let i = (name.as_bytes()[6] - b'0') as usize;
                    (s.feeders[i].clone(), false)
                }
                "borrower" => (borrower.clone(), false),
                "debtor" => (debtor.clone(), false),
                "saver" => (saver.clone(), false),
                "lender" => (lender.clone(), false),
                "keeper" => (keeper.clone(), false),
                "stranger" | "guardian" => (s.addr(name), false),
                "oracle" => (s.oracle.clone(), true),
                "market" => (s.market.clone(), true),
                "liquidator" => (s.liquidator.clone(), true),
                "backstop" => (s.backstop.clone(), true),
                "flash_pay" => (flash_pay.clone(), true),
                "flash_short" => (flash_short.clone(), true),
                "flash_reenter" => (flash_reenter.clone(), true),
                other => unreachable!("unknown sender {other}"),
            }
        };
        let senders = SENDER_NAMES.iter().map(|n| named(n)).collect();
        let snapshot = s
            .app
            .storage()
            .range(None, None, Order::Ascending)
            .collect();
        let block = s.app.block_info();
        World {
            suite: s,
            senders,
            auction_id,
            snapshot,
            block,
            impersonated: false,
        }
    }

    /// Number of storage entries in the snapshot.
    pub fn snapshot_len(&self) -> usize {
        self.snapshot.len()
    }

    /// Restores the prepared state (storage and block).
    pub fn reset(&mut self) {
        let mut storage = MockStorage::new();
        for (k, v) in &self.snapshot {
            storage.set(k, v);
        }
        *self.suite.app.storage_mut() = storage;
        self.suite.app.set_block(self.block.clone());
        self.impersonated = false;
        take_calls();
    }

    /// The address of `contract`.
    pub fn addr(&self, contract: Contract) -> Addr {
        contract_addr(&self.suite, contract)
    }

    /// Every address the generators may name: senders, then contracts.
    pub fn addresses(&self) -> Vec<String> {
        self.senders.iter().map(|(a, _)| a.to_string()).collect()
    }

    /// The sender named by a header token: a [`SENDER_NAMES`] entry, a number (an index,
    /// modulo), or any other word (a fresh address derived from it).
    pub fn sender(&self, token: &str) -> (Addr, bool) {
        if let Some(i) = SENDER_NAMES.iter().position(|n| *n == token) {
            return self.senders[i].clone();
        }
        if let Ok(i) = token.parse::<usize>() {
            return self.senders[i % self.senders.len()].clone();
        }
        (self.suite.app.api().addr_make(token), false)
    }

    /// Moves the block time forward by `secs` (capped at [`MAX_ADVANCE`]), one block per
    /// 5 seconds.
    pub fn advance(&mut self, secs: u64) {
        let secs = secs.min(MAX_ADVANCE);
        if secs == 0 {
            return;
        }
        self.suite.app.update_block(|b| {
            b.time = b.time.plus_seconds(secs);
            b.height += (secs / 5).max(1);
        });
    }

    /// Lets 330 s pass in 30 s steps, every feeder re-submitting
    /// each collateral's current median at each step (as live feeders would), so that stale
    /// or cooling-down prices are active again (past the 300 s cooldown). Each submission
    /// goes through [`World::execute`] and its checks.
    pub fn refresh_prices(&mut self) {
        for _ in 0..11 {
            self.advance(30);
            let prices: Vec<oracle::PriceSubmission> = self
                .suite
                .collateral_denoms
                .clone()
                .into_iter()
                .filter_map(|denom| {
                    let p: oracle::PriceResponse = self
                        .suite
                        .app
                        .wrap()
                        .query_wasm_smart(
                            self.addr(Contract::Oracle),
                            &oracle::QueryMsg::Price {
                                denom: denom.clone(),
                            },
                        )
                        .ok()?;
                    Some(oracle::PriceSubmission {
                        denom,
                        price: p.median,
                        depth: None,
                    })
                })
                .collect();
            take_calls();
            let msg = to_json_vec(&oracle::ExecuteMsg::SubmitPrices { prices }).expect("json");
            for i in 1..=3 {
                let feeder = self.senders[i].clone();
                self.execute(Contract::Oracle, feeder, vec![], 0, &msg);
            }
        }
    }

    /// Sends `json` to `contract`'s execute entry point from `sender` with `funds`, after
    /// `advance` seconds. [`Outcome::Unparsed`] (nothing ran) when `json` is no `ExecuteMsg`
    /// of that contract: serde refused it with a typed error. Panics on an unexplained
    /// failure.
    pub fn execute(
        &mut self,
        contract: Contract,
        sender: (Addr, bool),
        funds: Vec<Coin>,
        advance: u64,
        json: &[u8],
    ) -> Outcome {
        let Some(flash) = parses_execute(contract, json) else {
            return Outcome::Unparsed;
        };
        let (sender, is_contract) = sender;
        self.advance(advance);
        self.impersonated |= is_contract;
        // Mint what is attached, so any amount reaches the contract and no contract's books
        // change when it is the sender.
        let mintable: Vec<Coin> = funds
            .iter()
            .filter(|c| {
                !c.amount.is_zero()
                    && c.amount < Uint256::one() << MINT_LIMIT_BITS
                    && !c.denom.is_empty()
            })
            .cloned()
            .collect();
        if !mintable.is_empty() {
            // A denom the bank refuses to mint is refused again with the message; fine.
            let _ = self.suite.app.sudo(SudoMsg::Bank(BankSudo::Mint {
                to_address: sender.to_string(),
                amount: mintable,
            }));
        }
        take_calls();
        let res = self.suite.app.execute(
            sender.clone(),
            WasmMsg::Execute {
                contract_addr: self.addr(contract).to_string(),
                msg: Binary::new(json.to_vec()),
                funds: funds.clone(),
            }
            .into(),
        );
        let calls = take_calls();
        if trace() {
            eprintln!(
                "[{}s] {} execute from {sender} with {funds:?}: {}\n  -> {}",
                self.suite.app.block_info().time.seconds(),
                contract.name(),
                String::from_utf8_lossy(json),
                match &res {
                    Ok(_) => "ok".to_string(),
                    Err(e) => e.to_string().lines().last().unwrap_or("").to_string(),
                }
            );
        }
        if let Err(err) = res {
            let refused = Outcome::Refused(err.to_string());
            if calls.iter().any(|c| c.error.is_some()) {
                return refused; // a typed refusal
            }
            if calls.is_empty() && !funds.is_empty() {
                return refused; // the chain refused the attached funds before the contract ran
            }
            if is_contract || flash {
                return refused; // a trusted caller impersonated, or third-party callback code
            }
            panic!(
                "untyped failure: {} execute from {sender} with {funds:?} failed in the chain \
                 though every contract answered Ok\nmessage: {}\nerror: {err}\ncalls: {calls:#?}",
                contract.name(),
                String::from_utf8_lossy(json),
            );
        }
        Outcome::Done
    }

    /// Sends `json` to `contract`'s query entry point. Returns `false` when `json` is no
    /// `QueryMsg` of that contract. Panics on an untyped failure or on an answer that does not
    /// parse as the query's declared response type.
    pub fn query(&mut self, contract: Contract, json: &[u8]) -> bool {
        let Some(check) = response_check(contract, json) else {
            return false;
        };
        take_calls();
        let request: QueryRequest<Empty> = QueryRequest::Wasm(WasmQuery::Smart {
            contract_addr: self.addr(contract).to_string(),
            msg: Binary::new(json.to_vec()),
        });
        let bytes = to_json_vec(&request).expect("query request serializes");
        let res = self.suite.app.wrap().raw_query(&bytes);
        let calls = take_calls();
        if trace() {
            eprintln!(
                "{} query: {} -> {res:?}",
                contract.name(),
                String::from_utf8_lossy(json)
            );
        }
        match res {
            SystemResult::Ok(ContractResult::Ok(answer)) => {
                if let Err(e) = check(&answer) {
                    panic!(
                        "{} query answer does not parse as its response type: {e}\nquery: {}\n\
                         answer: {}",
                        contract.name(),
                        String::from_utf8_lossy(json),
                        String::from_utf8_lossy(answer.as_slice()),
                    );
                }
            }
            SystemResult::Ok(ContractResult::Err(err)) => {
                if !calls.iter().any(|c| c.error.is_some()) {
                    panic!(
                        "untyped query failure: {}\nquery: {}\nerror: {err}\ncalls: {calls:#?}",
                        contract.name(),
                        String::from_utf8_lossy(json)
                    );
                }
            }
            SystemResult::Err(err) => panic!(
                "system error on a {} query: {err:?}\nquery: {}",
                contract.name(),
                String::from_utf8_lossy(json)
            ),
        }
        true
    }

    /// What must hold after any input that impersonated no contract: every contract still
    /// answers its main queries, and the market's books balance (`cash + total_borrowed +
    /// debt_in_auction + backstop_debt >= total_supplied + reserves`, `cash` and every collateral's
    /// `total_deposited` equal the market's bank balances).
    pub fn check_invariants(&mut self) {
        if self.impersonated {
            return;
        }
        let st: market::StateResponse =
            self.must_query(Contract::Market, &market::QueryMsg::State {});
        let lhs = Uint256::from(st.cash)
            + Uint256::from(st.total_borrowed)
            + Uint256::from(st.debt_in_auction)
            + Uint256::from(st.backstop_debt);
        let rhs = Uint256::from(st.total_supplied) + Uint256::from(st.reserves);
        assert!(lhs >= rhs, "market books: {lhs} < {rhs}: {st:?}");
        let base = self.balance(Contract::Market, DENOMS[0]);
        assert_eq!(
            Uint256::from(st.cash),
            base,
            "market cash vs bank balance: {st:?}"
        );
        let cols: market::CollateralsResponse = self.must_query(
            Contract::Market,
            &market::QueryMsg::Collaterals {
                start_after: None,
                limit: Some(100),
            },
        );
        for c in cols.collaterals {
            let held = self.balance(Contract::Market, &c.params.denom);
            assert_eq!(
                Uint256::from(c.total_deposited),
                held,
                "{} deposits vs the market's bank balance",
                c.params.denom
            );
        }
        let _: oracle::ConfigResponse =
            self.must_query(Contract::Oracle, &oracle::QueryMsg::Config {});
        let _: liquidator::ConfigResponse =
            self.must_query(Contract::Liquidator, &liquidator::QueryMsg::Config {});
        let pool: Result<backstop::PoolResponse, _> = self
            .suite
            .app
            .wrap()
            .query_wasm_smart(self.addr(Contract::Backstop), &backstop::QueryMsg::Pool {});
        take_calls();
        if let Err(e) = pool {
            // Known limitation, found by this harness (docs/SECURITY.md, "Fuzzing"): the Pool
            // query's `value_per_share` is a `Decimal`, which overflows (typed) above ~3.4e20
            // base units per share, e.g. after a donation of ~2^127 units. Anything else fails.
            assert!(
                e.to_string().ends_with("Overflow"),
                "backstop query Pool failed: {e}"
            );
        }
    }

    fn must_query<Q: serde::Serialize + Debug, T: DeserializeOwned>(
        &self,
        contract: Contract,
        msg: &Q,
    ) -> T {
        let res = self
            .suite
            .app
            .wrap()
            .query_wasm_smart(self.addr(contract), msg);
        take_calls();
        res.unwrap_or_else(|e| panic!("{} query {msg:?} failed: {e}", contract.name()))
    }

    fn balance(&self, contract: Contract, denom: &str) -> Uint256 {
        self.suite
            .app
            .wrap()
            .query_balance(self.addr(contract), denom)
            .map(|c| c.amount)
            .unwrap_or_else(|e| panic!("balance query failed: {e}"))
    }

    /// Mints `amount` of `denom` to `who` (seed helpers).
    pub fn fund(&mut self, who: &Addr, amount: u128, denom: &str) {
        self.suite
            .app
            .sudo(SudoMsg::Bank(BankSudo::Mint {
                to_address: who.to_string(),
                amount: vec![coin(amount, denom)],
            }))
            .expect("mint");
    }
}

fn contract_addr(s: &Suite, contract: Contract) -> Addr {
    match contract {
        Contract::Oracle => s.oracle.clone(),
        Contract::Market => s.market.clone(),
        Contract::Liquidator => s.liquidator.clone(),
        Contract::Backstop => s.backstop.clone(),
    }
}

/// `Some(is_flash_bid)` when `json` parses as an `ExecuteMsg` of `contract`.
fn parses_execute(contract: Contract, json: &[u8]) -> Option<bool> {
    match contract {
        Contract::Oracle => from_json::<oracle::ExecuteMsg>(json).ok().map(|_| false),
        Contract::Market => from_json::<market::ExecuteMsg>(json).ok().map(|_| false),
        Contract::Liquidator => from_json::<liquidator::ExecuteMsg>(json).ok().map(|m| {
            matches!(
                m,
                liquidator::ExecuteMsg::Bid {
                    callback: Some(_),
                    ..
                }
            )
        }),
        Contract::Backstop => from_json::<backstop::ExecuteMsg>(json).ok().map(|_| false),
    }
}

type Check = fn(&Binary) -> Result<(), String>;

fn parse_as<T: DeserializeOwned>(b: &Binary) -> Result<(), String> {
    from_json::<T>(b).map(|_| ()).map_err(|e| e.to_string())
}

/// When `json` parses as a `QueryMsg` of `contract`: a check that an answer parses as the
/// declared response type of that query.
fn response_check(contract: Contract, json: &[u8]) -> Option<Check> {
    Some(match contract {
        Contract::Oracle => {
            use oracle::QueryMsg as Q;
            match from_json::<Q>(json).ok()? {
                Q::Price { .. } => parse_as::<oracle::PriceResponse>,
                Q::Prices { .. } => parse_as::<oracle::PricesResponse>,
                Q::Config {} => parse_as::<oracle::ConfigResponse>,
                Q::Asset { .. } => parse_as::<oracle::AssetResponse>,
                Q::Assets { .. } => parse_as::<oracle::AssetsResponse>,
                Q::Feeders { .. } => parse_as::<oracle::FeedersResponse>,
                #[allow(unreachable_patterns)]
                _ => parse_as::<serde_json::Value>,
            }
        }
        Contract::Market => {
            use market::QueryMsg as Q;
            match from_json::<Q>(json).ok()? {
                Q::Config {} => parse_as::<market::ConfigResponse>,
                Q::State {} => parse_as::<market::StateResponse>,
                Q::Collateral { .. } => parse_as::<market::CollateralResponse>,
                Q::Collaterals { .. } => parse_as::<market::CollateralsResponse>,
                Q::Account { .. } => parse_as::<market::AccountResponse>,
                Q::Accounts { .. } => parse_as::<market::AccountsResponse>,
                Q::Supplier { .. } => parse_as::<market::SupplierResponse>,
                Q::Risk {} => parse_as::<breakwater_types::risk::RiskResponse>,
                #[allow(unreachable_patterns)]
                _ => parse_as::<serde_json::Value>,
            }
        }
        Contract::Liquidator => {
            use liquidator::QueryMsg as Q;
            match from_json::<Q>(json).ok()? {
                Q::Auction { .. } => parse_as::<liquidator::AuctionResponse>,
                Q::Auctions { .. } => parse_as::<liquidator::AuctionsResponse>,
                Q::Room { .. } => parse_as::<liquidator::RoomResponse>,
                Q::Config {} => parse_as::<liquidator::ConfigResponse>,
                Q::ResaleLot { .. } => parse_as::<liquidator::ResaleLotResponse>,
                // A query added since: at least valid JSON (map it to its response type here).
                #[allow(unreachable_patterns)]
                _ => parse_as::<serde_json::Value>,
            }
        }
        Contract::Backstop => {
            use backstop::QueryMsg as Q;
            match from_json::<Q>(json).ok()? {
                Q::Pool {} => parse_as::<backstop::PoolResponse>,
                Q::Depositor { .. } => parse_as::<backstop::DepositorResponse>,
                Q::Config {} => parse_as::<backstop::ConfigResponse>,
                Q::AbsorbQuote { .. } => parse_as::<backstop::AbsorbQuoteResponse>,
                #[allow(unreachable_patterns)]
                _ => parse_as::<serde_json::Value>,
            }
        }
    })
}
