//! The lab on a real chain: [`Wasmd`] implements [`Chain`] against the local wasmd devnet
//! (`cargo run -p breakwater-keeper --bin keeper -- devnet up`), running the optimized wasm of
//! `artifacts/` (`scripts/build-wasm.sh`) in real time. `lab run --chain local` uses it.
//!
//! - **Contracts.** Each run deploys the Suite builder's [`DeployPlan`] — the exact plan the
//!   embedded chain instantiates — after [`local_plan`] compresses its time-like parameters,
//!   with `breakwater_chain::deploy::deploy`: stored code is reused by checksum, the four
//!   contracts are instantiated fresh (a previous run's positions and auctions must not leak
//!   into this one), and recorded in `<devnet home>/lab-deployment-<engine>.json`, so
//!   `keeper deploy`'s `deployment.json` is left alone.
//! - **Accounts.** Owner, guardian, `feeder0..2`, `keeper` (liquidations, resets, backstop
//!   triggers, breaker trips) and `lender` (supply and the backstop deposit) are the devnet's
//!   keys. Borrowers and bidders are derived from the faucet's mnemonic at HD indices from
//!   [`FIRST_HD_INDEX`] (+ [`ENGINE_HD_STRIDE`] for the Breakwater engine; bidders at
//!   [`BIDDER_HD_OFFSET`] above that), clear of the end-to-end test's indices, and funded by
//!   the faucet in bulk.
//! - **Batching.** `open_account` only queues; the queue is flushed before any other call:
//!   one funding transaction per 100 accounts, then one deposit+borrow transaction per account,
//!   all broadcast before waiting, so a book of 20-50 accounts opens in two or three blocks.
//!   Feeder submissions are broadcast (after simulation, which is where the oracle refuses a
//!   price) and waited for together before the next call.
//! - **Time.** [`Chain::now`] is the latest block time; [`Chain::advance`] waits until the
//!   block time reaches the end of the current step's slot (the step schedule starts at
//!   [`Chain::start`]); a step whose work overran its slot is not waited for, so the chain's
//!   clock stays within one slow step of the lab's.
//! - **Errors.** A transaction the chain refuses (at simulation or in the block) is an `Err`
//!   whose message carries the contract's error, as on the embedded chain (the simulation
//!   loop reads `no auction room` from it).
//! - **Queries.** Auctions are read in pages of 20 (`breakwater_chain::query`):
//!   wasmd caps a smart query at 3,000,000 gas.
use crate::chain::{Chain, COLLATERAL};
use crate::model::{EngineKind, RunConfig};
use crate::run::ChainSpec;
use anyhow::{anyhow, bail, Context, Result};
use breakwater_chain::client::{execute_msg, send_msg, Client, Gas, Signer, TxOutcome, Wallet};
use breakwater_chain::deploy::{deploy, DeployRequest, Deployment, CONTRACTS};
use breakwater_chain::devnet::{self, DevnetConfig};
use breakwater_chain::harness::derived_wallets;
use breakwater_chain::query::all_auctions;
use breakwater_types::backstop::{self, PoolResponse};
use breakwater_types::deploy::DeployPlan;
use breakwater_types::liquidator::{
    self, AuctionResponse, HoldClock, HoldClockResponse, PriceCurve,
};
use breakwater_types::market::{self, AccountResponse, StateResponse};
use breakwater_types::oracle::{self, PriceResponse, PriceSubmission};
use cosmwasm_std::{Decimal, Uint128};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// How many times faster than nominal the devnet runs the contracts' time-like parameters:
/// a 3-minute real-time run then exercises auctions, oracle windows and backstop resales the
/// way a 30-minute crash does on the lab's plan. Applied by [`local_plan`] and
/// [`local_config`], the one place where the devnet run differs from the embedded one.
pub const TIME_SCALE: u64 = 10;
/// Borrowers of a devnet run unless `--accounts` says otherwise.
pub const LOCAL_ACCOUNTS: usize = 20;
/// Step of a devnet run unless `--step` says otherwise (seconds of real time).
pub const LOCAL_STEP: u64 = 10;
/// The scenario `lab run --chain local` runs unless `--scenario`/`--all` is given.
pub const LOCAL_SCENARIO: &str = "devnet-flash";
/// First HD index (faucet mnemonic) of the lab's borrowers (the end-to-end test uses 1..241).
pub const FIRST_HD_INDEX: u32 = 10_000;
/// HD index offset between the naive engine's accounts and Breakwater's.
pub const ENGINE_HD_STRIDE: u32 = 100_000;
/// HD index offset of the bidders above an engine's first borrower (so at most this many
/// borrowers).
pub const BIDDER_HD_OFFSET: u32 = 90_000;
/// Fee-denom units given to every derived account for gas.
const GAS_FUND: u128 = 2_000_000;
/// Gas limit of a deposit + borrow transaction (no simulation round trip).
const OPEN_GAS: u64 = 900_000;
/// Bank transfers per funding transaction.
const SENDS_PER_TX: usize = 100;
/// How long `advance` keeps polling a silent node before giving up.
const NODE_SILENCE_LIMIT: Duration = Duration::from_secs(120);

const START_HINT: &str =
    "start it with `cargo run -p breakwater-keeper --bin keeper -- devnet up` (from the repository root)";

/// The repository root (where `artifacts/` and `target/devnet` live).
pub fn workspace_root() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

/// The devnet plan of a lab run: `plan` with every time-like parameter divided by
/// [`TIME_SCALE`] (kept within the contracts' validated ranges): oracle `max_age`,
/// `twap_window` and breaker `cooldown`; auction curve step/duration (an exponential curve's
/// per-second cut is raised to the power [`TIME_SCALE`]) and `tail`; the backstop's
/// `resale_interval`. Prices, depth, caps and every other parameter are unchanged.
pub fn local_plan(plan: &DeployPlan) -> DeployPlan {
    let s = TIME_SCALE;
    let scale = |secs: u64, min: u64| (secs / s).max(min);
    let mut p = plan.clone();
    p.oracle.max_age = scale(p.oracle.max_age, 1);
    p.oracle.twap_window = scale(p.oracle.twap_window, 60);
    p.oracle.cooldown /= s;
    for c in &mut p.collaterals {
        c.auction.tail = scale(c.auction.tail, 60);
        c.auction.curve = match c.auction.curve.clone() {
            PriceCurve::Linear { duration } => PriceCurve::Linear {
                duration: scale(duration, 60),
            },
            PriceCurve::StairStep { step, cut } => PriceCurve::StairStep {
                step: scale(step, 1),
                cut,
            },
            PriceCurve::Exponential { cut } => PriceCurve::Exponential {
                cut: cut.checked_pow(s as u32).unwrap_or(cut),
            },
        };
    }
    p.backstop.resale_interval = scale(p.backstop.resale_interval, 60);
    p
}

/// The run configuration of a devnet run, before command-line overrides: [`LOCAL_ACCOUNTS`]
/// accounts, [`LOCAL_STEP`]-second steps, keepers acting at once, feeders one step late, and the
/// external market's recovery half-life divided by [`TIME_SCALE`] like the contracts' clocks.
pub fn local_config(mut cfg: RunConfig) -> RunConfig {
    cfg.accounts = LOCAL_ACCOUNTS;
    cfg.step = LOCAL_STEP;
    cfg.keepers.latency = 0.0;
    cfg.oracle_delay = LOCAL_STEP;
    cfg.depth.recovery_half_life /= TIME_SCALE as f64;
    cfg
}

/// Where the devnet and the artifacts are.
#[derive(Debug, Clone)]
pub struct WasmdOptions {
    /// The devnet (its home holds `accounts.json`; the lab connects to its RPC port).
    pub devnet: DevnetConfig,
    /// Folder with the optimized `breakwater_*.wasm`.
    pub artifacts: PathBuf,
    /// First HD index of the derived accounts ([`FIRST_HD_INDEX`]).
    pub first_hd_index: u32,
}

impl Default for WasmdOptions {
    /// `keeper devnet up`'s defaults with the home at `<repo>/target/devnet`; `<repo>/artifacts`.
    fn default() -> Self {
        let root = workspace_root();
        WasmdOptions {
            devnet: DevnetConfig {
                home: root.join("target/devnet"),
                ..DevnetConfig::default()
            },
            artifacts: root.join("artifacts"),
            first_hd_index: FIRST_HD_INDEX,
        }
    }
}

/// Fails with a clear message unless the artifacts exist and the devnet runs and answers.
pub fn check(opts: &WasmdOptions) -> Result<()> {
    for (_, file) in CONTRACTS {
        let path = opts.artifacts.join(file);
        if !path.is_file() {
            bail!(
                "{} is missing: build the optimized wasm with scripts/build-wasm.sh",
                path.display()
            );
        }
    }
    let st = devnet::status(&opts.devnet)?;
    if !st.running {
        bail!(
            "the wasmd devnet is not running (home {}): {START_HINT}",
            st.home.display()
        );
    }
    if st.height.is_none() {
        bail!(
            "the wasmd devnet runs but its RPC {} does not answer: check {} or restart it ({START_HINT})",
            st.rpc,
            st.home.join("wasmd.log").display()
        );
    }
    Ok(())
}

/// `0.0025` of `0.0025ustake`.
fn gas_price(min_gas_price: &str) -> f64 {
    let first = min_gas_price.split(',').next().unwrap_or_default().trim();
    let end = first
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(first.len());
    first[..end].parse().unwrap_or(0.0025)
}

/// Which key signs.
#[derive(Debug, Clone, Copy)]
enum Key {
    Owner,
    Keeper,
    Lender,
    Bidder(usize),
}

/// What the devnet did during one run.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    /// Transactions included and successful.
    pub txs: u64,
    /// Transactions refused (at simulation or in the block), price submissions included.
    pub refused: u64,
    /// Gas used by the successful transactions.
    pub gas: u64,
    /// Steps whose work took longer than the step.
    pub overruns: u64,
    /// Steps.
    pub steps: u64,
    /// Largest overrun, seconds of block time.
    pub max_overrun: u64,
    /// Refusals by kind and the contract's reason (numbers elided).
    pub refusals: BTreeMap<String, u64>,
}

impl Stats {
    fn refuse(&mut self, what: &str, err: &str) {
        self.refused += 1;
        let kind = what
            .split_whitespace()
            .filter(|w| !w.chars().all(|c| c.is_ascii_digit()))
            .collect::<Vec<_>>()
            .join(" ");
        *self
            .refusals
            .entry(format!("{kind}: {}", short_reason(err)))
            .or_default() += 1;
    }
}

/// The contract's own words in a chain error (between `message index: 0: ` and `: execute
/// wasm contract failed`), numbers elided, at most 100 characters.
fn short_reason(err: &str) -> String {
    let s = err
        .rsplit_once("message index: 0: ")
        .map_or(err, |(_, r)| r);
    let s = s
        .split(": execute wasm contract failed")
        .next()
        .unwrap_or(s);
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            if !out.ends_with('#') {
                out.push('#');
            }
        } else {
            out.push(c);
        }
        if out.len() >= 100 {
            break;
        }
    }
    out
}

struct Inner {
    owner: Wallet,
    keeper: Wallet,
    lender: Wallet,
    faucet: Wallet,
    feeders: Vec<Wallet>,
    bidders: Vec<Wallet>,
    accounts: Vec<Wallet>,
    /// `(account, collateral, debt)` waiting to be opened.
    pending_opens: Vec<(usize, u128, u128)>,
    /// Hashes of broadcast price submissions not yet seen in a block.
    pending_feeds: Vec<String>,
    /// An error of deferred work, returned by the next fallible call.
    error: Option<anyhow::Error>,
    /// Block time at which the current step's slot began.
    step_start: Option<u64>,
    last_time: u64,
    stats: Stats,
}

impl Inner {
    fn wallet(&mut self, key: Key) -> &mut Wallet {
        match key {
            Key::Owner => &mut self.owner,
            Key::Keeper => &mut self.keeper,
            Key::Lender => &mut self.lender,
            Key::Bidder(b) => {
                let n = self.bidders.len();
                &mut self.bidders[b % n]
            }
        }
    }
}

/// The local wasmd devnet running one lab run's contracts (see the module docs).
pub struct Wasmd {
    rt: tokio::runtime::Runtime,
    client: Client,
    /// The run's deployment (addresses, code ids, the plan as deployed).
    pub deployment: Deployment,
    base: String,
    fee_denom: String,
    faucet_mnemonic: String,
    first_account: u32,
    inner: RefCell<Inner>,
}

impl Wasmd {
    /// Deploys `spec`'s plan (through [`local_plan`]) as fresh contracts on the devnet, funds
    /// the bidders and feeds the initial price. Fails with a clear message when the devnet is
    /// not running or the artifacts are missing.
    pub fn connect(opts: &WasmdOptions, config: &RunConfig, spec: ChainSpec) -> Result<Self> {
        check(opts)?;
        let dn = &opts.devnet;
        if spec.feeders > 3 {
            bail!(
                "the devnet has feeder0..feeder2; {} feeders asked",
                spec.feeders
            );
        }
        if config.accounts > BIDDER_HD_OFFSET as usize {
            bail!(
                "at most {BIDDER_HD_OFFSET} accounts on the devnet ({} asked)",
                config.accounts
            );
        }
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("starting the async runtime")?;
        let keys = devnet::accounts(dn)?;
        let mnemonic = |name: &str| -> Result<String> {
            keys.iter()
                .find(|a| a.name == name)
                .map(|a| a.mnemonic.clone())
                .ok_or_else(|| anyhow!("the devnet has no key named {name}"))
        };
        let wallet = |name: &str| -> Result<Wallet> {
            Ok(Wallet::new(Signer::from_mnemonic(&mnemonic(name)?, 0)?))
        };
        let rpc = devnet::rpc_url(dn);
        let mut client = Client::new(
            &rpc,
            &dn.chain_id,
            &dn.bond_denom,
            gas_price(&dn.min_gas_price),
        )?;
        // Liquidations and bids see state move between simulation and the block.
        client.gas_adjustment = 1.5;
        rt.block_on(client.height())
            .map_err(|e| anyhow!("the devnet at {rpc} does not answer ({e}): {START_HINT}"))?;

        let plan = local_plan(spec.builder.plan());
        let mut owner = wallet("owner")?;
        let mut feeders = (0..spec.feeders)
            .map(|i| wallet(&format!("feeder{i}")))
            .collect::<Result<Vec<_>>>()?;
        let guardian = Signer::from_mnemonic(&mnemonic("guardian")?, 0)?
            .address
            .to_string();
        let out = dn
            .home_dir()?
            .join(format!("lab-deployment-{}.json", config.engine.name()));
        // Fresh contracts every run: the deployer would otherwise reuse the last run's, with
        // its positions and auctions.
        if out.exists() {
            std::fs::remove_file(&out).with_context(|| format!("removing {}", out.display()))?;
        }
        let req = DeployRequest {
            plan: plan.clone(),
            artifacts: opts.artifacts.clone(),
            feeders: feeders.iter().map(Wallet::address).collect(),
            guardian: Some(guardian),
            out,
        };
        let deployment = rt
            .block_on(deploy(&client, &mut owner, &req))
            .context("deploying the lab's plan on the devnet")?;

        let engine_index = match config.engine {
            EngineKind::Naive => 0,
            _ => 1,
        };
        let first_account = opts.first_hd_index + engine_index * ENGINE_HD_STRIDE;
        let faucet_mnemonic = mnemonic(devnet::FAUCET)?;
        let bidders = derived_wallets(
            &faucet_mnemonic,
            first_account + BIDDER_HD_OFFSET,
            spec.bidders.max(1) as u32,
        )?;
        let mut chain = Wasmd {
            rt,
            client,
            deployment,
            base: plan.base_denom.clone(),
            fee_denom: dn.bond_denom.clone(),
            faucet_mnemonic,
            first_account,
            inner: RefCell::new(Inner {
                owner,
                keeper: wallet("keeper")?,
                lender: wallet("lender")?,
                faucet: wallet(devnet::FAUCET)?,
                feeders: vec![],
                bidders,
                accounts: vec![],
                pending_opens: vec![],
                pending_feeds: vec![],
                error: None,
                step_start: None,
                last_time: 0,
                stats: Stats::default(),
            }),
        };

        // Bidders: enough base for every lot they could buy (they never get base back on
        // chain: the lab sells what they win off-chain), plus gas.
        let capital = (spec.initial_debt * 2.0) as u128 + 1_000_000_000;
        let addrs: Vec<String> = chain
            .inner
            .get_mut()
            .bidders
            .iter()
            .map(Wallet::address)
            .collect();
        let mut transfers = vec![];
        for a in addrs {
            let has = chain.balance(&a, &chain.base)?;
            transfers.push((a, capital.saturating_sub(has), GAS_FUND));
        }
        chain.fund(&transfers, "funding the bidders")?;

        // The initial price from every feeder, as the Suite feeds it at build time.
        let price = plan
            .collaterals
            .iter()
            .find(|c| c.params.denom == COLLATERAL)
            .map(|c| c.price)
            .ok_or_else(|| anyhow!("the plan lists no {COLLATERAL}"))?;
        let mut hashes = vec![];
        for f in &mut feeders {
            let any = execute_msg(
                &f.signer.address,
                &chain.deployment.oracle,
                &submit(price, None),
                &[],
            )?;
            let (h, _) = chain
                .rt
                .block_on(f.broadcast(&chain.client, &[any], Gas::Simulate))
                .map_err(|e| anyhow!("initial price: {e}"))?;
            hashes.push(h);
        }
        chain.inner.get_mut().feeders = feeders;
        chain.wait_all(hashes, "initial price")?;
        Ok(chain)
    }

    /// What the devnet did so far.
    pub fn stats(&self) -> Stats {
        self.inner.borrow().stats.clone()
    }

    fn balance(&self, address: &str, denom: &str) -> Result<u128> {
        self.rt
            .block_on(self.client.balance(address, denom))
            .map_err(|e| anyhow!("balance of {address} in {denom}: {e}"))
    }

    /// Waits for every transaction of `hashes`; fails on the first that failed.
    fn wait_all(&self, hashes: Vec<String>, what: &str) -> Result<()> {
        for h in hashes {
            let out = self
                .rt
                .block_on(self.client.wait_tx(&h))
                .map_err(|e| anyhow!("{what}: {e}"))?;
            let mut inner = self.inner.borrow_mut();
            if !out.ok() {
                inner.stats.refuse(what, &out.log);
                bail!("{what}: transaction {h} failed: {}", out.log);
            }
            inner.stats.txs += 1;
            inner.stats.gas += out.gas_used;
        }
        Ok(())
    }

    /// Faucet transfers `(address, base, gas units)`, [`SENDS_PER_TX`] per transaction.
    fn fund(&self, to: &[(String, u128, u128)], what: &str) -> Result<()> {
        let mut hashes = vec![];
        {
            let mut inner = self.inner.borrow_mut();
            let faucet = &mut inner.faucet;
            for group in to.chunks(SENDS_PER_TX) {
                let msgs = group
                    .iter()
                    .map(|(a, base, gas)| {
                        send_msg(
                            &faucet.signer.address,
                            a,
                            &[(*base, self.base.as_str()), (*gas, self.fee_denom.as_str())],
                        )
                    })
                    .collect::<Result<Vec<_>>>()?;
                let (h, _) = self
                    .rt
                    .block_on(faucet.broadcast(&self.client, &msgs, Gas::Simulate))
                    .map_err(|e| anyhow!("{what}: {e}"))?;
                hashes.push(h);
            }
        }
        self.wait_all(hashes, what)
    }

    /// Tops `key`'s base balance up to `amount` from the faucet.
    fn top_up(&self, key: Key, amount: u128) -> Result<()> {
        let addr = self.inner.borrow_mut().wallet(key).address();
        let has = self.balance(&addr, &self.base)?;
        if has < amount {
            self.fund(&[(addr, amount - has, 0)], "topping up")?;
        }
        Ok(())
    }

    /// Finishes deferred work: waits for broadcast price submissions (a refused one is skipped,
    /// as the simulation loop skips a refused feeder), then opens queued accounts. Returns the
    /// error of deferred work that failed earlier.
    fn flush(&self) -> Result<()> {
        let feeds = {
            let mut inner = self.inner.borrow_mut();
            if let Some(e) = inner.error.take() {
                return Err(e);
            }
            std::mem::take(&mut inner.pending_feeds)
        };
        for h in feeds {
            let res = self.rt.block_on(self.client.wait_tx(&h));
            let mut inner = self.inner.borrow_mut();
            match res {
                Ok(out) if out.ok() => {
                    inner.stats.txs += 1;
                    inner.stats.gas += out.gas_used;
                }
                Ok(out) => inner.stats.refuse("price", &out.log),
                Err(e) => inner.stats.refuse("price", &e.to_string()),
            }
        }
        if !self.inner.borrow().pending_opens.is_empty() {
            self.open_pending()?;
        }
        Ok(())
    }

    fn open_pending(&self) -> Result<()> {
        let pending = std::mem::take(&mut self.inner.borrow_mut().pending_opens);
        let Some(max) = pending.iter().map(|p| p.0).max() else {
            return Ok(());
        };
        {
            let mut inner = self.inner.borrow_mut();
            let have = inner.accounts.len();
            if have <= max {
                let more = derived_wallets(
                    &self.faucet_mnemonic,
                    self.first_account + have as u32,
                    (max + 1 - have) as u32,
                )?;
                inner.accounts.extend(more);
            }
        }
        // Collateral and gas from the faucet, in bulk.
        let transfers: Vec<(String, u128, u128)> = {
            let inner = self.inner.borrow();
            pending
                .iter()
                .map(|(i, _, _)| (inner.accounts[*i].address(), 0, GAS_FUND))
                .collect()
        };
        let mut hashes = vec![];
        {
            let mut inner = self.inner.borrow_mut();
            let inner = &mut *inner;
            for (group, addrs) in pending
                .chunks(SENDS_PER_TX)
                .zip(transfers.chunks(SENDS_PER_TX))
            {
                let msgs = group
                    .iter()
                    .zip(addrs)
                    .map(|((_, c, _), (a, _, gas))| {
                        send_msg(
                            &inner.faucet.signer.address,
                            a,
                            &[(*c, COLLATERAL), (*gas, self.fee_denom.as_str())],
                        )
                    })
                    .collect::<Result<Vec<_>>>()?;
                let (h, _) = self
                    .rt
                    .block_on(inner.faucet.broadcast(&self.client, &msgs, Gas::Simulate))
                    .map_err(|e| anyhow!("funding the borrowers: {e}"))?;
                hashes.push(h);
            }
        }
        self.wait_all(hashes, "funding the borrowers")?;

        // Deposit + borrow: one transaction per account, all broadcast before waiting.
        let mut sent = vec![];
        {
            let mut inner = self.inner.borrow_mut();
            for (i, c, d) in &pending {
                let w = &mut inner.accounts[*i];
                let mut msgs = vec![];
                if *c > 0 {
                    msgs.push(execute_msg(
                        &w.signer.address,
                        &self.deployment.market,
                        &market::ExecuteMsg::DepositCollateral { on_behalf_of: None },
                        &[(*c, COLLATERAL)],
                    )?);
                }
                if *d > 0 {
                    msgs.push(execute_msg(
                        &w.signer.address,
                        &self.deployment.market,
                        &market::ExecuteMsg::Borrow {
                            amount: (*d).into(),
                        },
                        &[],
                    )?);
                }
                if msgs.is_empty() {
                    continue;
                }
                let (h, _) = self
                    .rt
                    .block_on(w.broadcast(&self.client, &msgs, Gas::Fixed(OPEN_GAS)))
                    .map_err(|e| anyhow!("opening account {i}: {e}"))?;
                sent.push((*i, h));
            }
        }
        for (i, h) in sent {
            self.wait_all(vec![h], &format!("opening account {i}"))?;
        }
        Ok(())
    }

    /// One message from `key` to `contract`, simulated, broadcast and waited for.
    fn execute<M: Serialize>(
        &self,
        key: Key,
        contract: &str,
        msg: &M,
        funds: &[(u128, &str)],
        what: &str,
    ) -> Result<TxOutcome> {
        self.flush()?;
        let mut inner = self.inner.borrow_mut();
        let w = inner.wallet(key);
        let any = execute_msg(&w.signer.address, contract, msg, funds)?;
        let res = self
            .rt
            .block_on(w.send(&self.client, &[any], Gas::Simulate));
        match res {
            Ok(out) => {
                inner.stats.txs += 1;
                inner.stats.gas += out.gas_used;
                Ok(out)
            }
            Err(e) => {
                inner.stats.refuse(what, &e.to_string());
                Err(anyhow!("{what}: {e}"))
            }
        }
    }

    fn query<Q: Serialize, R: DeserializeOwned>(
        &self,
        contract: &str,
        msg: &Q,
        what: &str,
    ) -> Result<R> {
        self.flush()?;
        self.rt
            .block_on(self.client.query(contract, msg))
            .map_err(|e| anyhow!("{what}: {e}"))
    }

    fn block_time(&self) -> Option<u64> {
        let t = self.rt.block_on(self.client.block_time()).ok()?;
        let mut inner = self.inner.borrow_mut();
        inner.last_time = inner.last_time.max(t);
        Some(inner.last_time)
    }

    fn account_addr(&self, i: usize) -> Result<String> {
        self.inner
            .borrow()
            .accounts
            .get(i)
            .map(Wallet::address)
            .ok_or_else(|| anyhow!("no account {i}"))
    }
}

fn submit(price: Decimal, depth: Option<u128>) -> oracle::ExecuteMsg {
    oracle::ExecuteMsg::SubmitPrices {
        prices: vec![PriceSubmission {
            denom: COLLATERAL.to_string(),
            price,
            depth: depth.map(Uint128::new),
        }],
    }
}

impl Drop for Wasmd {
    fn drop(&mut self) {
        let s = &self.inner.get_mut().stats;
        eprintln!(
            "devnet: {} transactions ({} refused), {} gas; {} of {} steps overran their slot (by up to {} s)",
            s.txs, s.refused, s.gas, s.overruns, s.steps, s.max_overrun
        );
        for (reason, n) in &s.refusals {
            eprintln!("devnet:   {n} × {reason}");
        }
    }
}

impl Chain for Wasmd {
    fn now(&self) -> u64 {
        self.block_time()
            .unwrap_or_else(|| self.inner.borrow().last_time)
    }

    fn start(&mut self) -> Result<()> {
        self.flush()?;
        let t = self
            .block_time()
            .ok_or_else(|| anyhow!("the devnet stopped answering"))?;
        self.inner.get_mut().step_start = Some(t);
        Ok(())
    }

    fn advance(&mut self, secs: u64) {
        if let Err(e) = self.flush() {
            self.inner.get_mut().error.get_or_insert(e);
        }
        let begun = Instant::now();
        let now = self.block_time();
        let inner = self.inner.get_mut();
        let start = inner.step_start.or(now).unwrap_or(inner.last_time);
        let target = start + secs;
        inner.stats.steps += 1;
        if let Some(now) = now.filter(|n| *n > target) {
            inner.stats.overruns += 1;
            inner.stats.max_overrun = inner.stats.max_overrun.max(now - target);
        }
        // The next step's slot begins where this one ends, late or not.
        inner.step_start = Some(target);
        loop {
            match self.block_time() {
                Some(t) if t >= target => return,
                _ if begun.elapsed() > NODE_SILENCE_LIMIT + Duration::from_secs(secs) => {
                    self.inner
                        .get_mut()
                        .error
                        .get_or_insert(anyhow!("the devnet's block time did not reach {target}"));
                    return;
                }
                _ => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    fn time_scale(&self) -> u64 {
        TIME_SCALE
    }

    fn submit_price(&mut self, feeder: usize, price: Decimal, depth: Option<u128>) -> Result<()> {
        if !self.inner.get_mut().pending_opens.is_empty() {
            self.flush()?;
        }
        let oracle = self.deployment.oracle.clone();
        let inner = self.inner.get_mut();
        if let Some(e) = inner.error.take() {
            return Err(e);
        }
        let n = inner.feeders.len();
        let w = inner
            .feeders
            .get_mut(feeder)
            .ok_or_else(|| anyhow!("no feeder {feeder} ({n} deployed)"))?;
        let any = execute_msg(&w.signer.address, &oracle, &submit(price, depth), &[])?;
        match self
            .rt
            .block_on(w.broadcast(&self.client, &[any], Gas::Simulate))
        {
            Ok((h, _)) => {
                inner.pending_feeds.push(h);
                Ok(())
            }
            Err(e) => {
                inner.stats.refuse("price", &e.to_string());
                Err(anyhow!("price from feeder {feeder}: {e}"))
            }
        }
    }

    fn price(&self) -> Result<PriceResponse> {
        self.query(
            &self.deployment.oracle,
            &oracle::QueryMsg::Price {
                denom: COLLATERAL.to_string(),
            },
            "oracle price",
        )
    }

    fn open_account(&mut self, i: usize, collateral: u128, debt: u128) -> Result<()> {
        let inner = self.inner.get_mut();
        if let Some(e) = inner.error.take() {
            return Err(e);
        }
        inner.pending_opens.push((i, collateral, debt));
        Ok(())
    }

    fn supply(&mut self, amount: u128) -> Result<()> {
        self.flush()?;
        self.top_up(Key::Lender, amount)?;
        let market = self.deployment.market.clone();
        let base = self.base.clone();
        self.execute(
            Key::Lender,
            &market,
            &market::ExecuteMsg::Supply {},
            &[(amount, &base)],
            "supply",
        )?;
        Ok(())
    }

    fn fund_backstop(&mut self, amount: u128) -> Result<()> {
        self.flush()?;
        self.top_up(Key::Lender, amount)?;
        let backstop = self.deployment.backstop.clone();
        let base = self.base.clone();
        self.execute(
            Key::Lender,
            &backstop,
            &backstop::ExecuteMsg::Deposit {},
            &[(amount, &base)],
            "backstop deposit",
        )?;
        Ok(())
    }

    fn liquidate(&mut self, i: usize) -> Result<()> {
        self.flush()?;
        let borrower = self.account_addr(i)?;
        let market = self.deployment.market.clone();
        self.execute(
            Key::Keeper,
            &market,
            &market::ExecuteMsg::Liquidate { borrower },
            &[],
            &format!("liquidate account {i}"),
        )?;
        Ok(())
    }

    fn account(&self, i: usize) -> Result<AccountResponse> {
        self.flush()?;
        let address = self.account_addr(i)?;
        self.query(
            &self.deployment.market,
            &market::QueryMsg::Account { address },
            &format!("account {i}"),
        )
    }

    fn auctions(&self) -> Result<Vec<AuctionResponse>> {
        self.flush()?;
        self.rt
            .block_on(all_auctions(&self.client, &self.deployment.liquidator))
            .map_err(|e| anyhow!("auctions: {e}"))
    }

    fn bid(
        &mut self,
        b: usize,
        id: u64,
        max_collateral: u128,
        max_price: Decimal,
        funds: u128,
    ) -> Result<(u128, u128)> {
        self.flush()?;
        let bidder = self.inner.get_mut().wallet(Key::Bidder(b)).address();
        let base = self.base.clone();
        let (c0, b0) = (
            self.balance(&bidder, COLLATERAL)?,
            self.balance(&bidder, &base)?,
        );
        let liq = self.deployment.liquidator.clone();
        self.execute(
            Key::Bidder(b),
            &liq,
            &liquidator::ExecuteMsg::Bid {
                auction_id: id,
                max_collateral: max_collateral.into(),
                max_price,
                callback: None,
            },
            &[(funds, &base)],
            &format!("bid on auction {id}"),
        )?;
        let (c1, b1) = (
            self.balance(&bidder, COLLATERAL)?,
            self.balance(&bidder, &base)?,
        );
        // What bidders win stays in their wallets: only the balance changes count.
        Ok((c1.saturating_sub(c0), b0.saturating_sub(b1)))
    }

    fn reset(&mut self, id: u64) -> Result<()> {
        let liq = self.deployment.liquidator.clone();
        self.execute(
            Key::Keeper,
            &liq,
            &liquidator::ExecuteMsg::Reset { auction_id: id },
            &[],
            &format!("reset auction {id}"),
        )?;
        Ok(())
    }

    fn buy_at_floor(&mut self, id: u64) -> Result<()> {
        let backstop = self.deployment.backstop.clone();
        self.execute(
            Key::Keeper,
            &backstop,
            &backstop::ExecuteMsg::BuyAtFloor { auction_id: id },
            &[],
            &format!("backstop takes auction {id} at the floor"),
        )?;
        Ok(())
    }

    fn resell(&mut self) -> Result<()> {
        let backstop = self.deployment.backstop.clone();
        self.execute(
            Key::Keeper,
            &backstop,
            &backstop::ExecuteMsg::Resell {
                denom: COLLATERAL.to_string(),
            },
            &[],
            "backstop resale",
        )?;
        Ok(())
    }

    fn trip_breaker(&mut self) -> Result<()> {
        let market = self.deployment.market.clone();
        self.execute(
            Key::Keeper,
            &market,
            &market::ExecuteMsg::TripBreaker {
                denom: COLLATERAL.to_string(),
            },
            &[],
            "trip the breaker",
        )?;
        Ok(())
    }

    fn set_breaker(&mut self, level: u8) -> Result<()> {
        let market = self.deployment.market.clone();
        self.execute(
            Key::Owner,
            &market,
            &market::ExecuteMsg::SetBreakerLevel { level },
            &[],
            "set the breaker level",
        )?;
        Ok(())
    }

    fn market_state(&self) -> Result<StateResponse> {
        self.query(
            &self.deployment.market,
            &market::QueryMsg::State {},
            "market state",
        )
    }

    fn backstop_pool(&self) -> Result<PoolResponse> {
        self.query(
            &self.deployment.backstop,
            &backstop::QueryMsg::Pool {},
            "backstop pool",
        )
    }

    fn hold_clock(&self, denom: &str) -> Result<HoldClock> {
        let r: HoldClockResponse = self.query(
            &self.deployment.liquidator,
            &liquidator::QueryMsg::HoldClock {
                denom: denom.to_string(),
            },
            "hold clock",
        )?;
        Ok(r.clock)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use breakwater_types::liquidator::AuctionParams;

    #[test]
    fn the_local_plan_compresses_time_only_and_stays_valid() {
        let mut plan = DeployPlan::default();
        plan.oracle.max_age = 600;
        plan.oracle.cooldown = 300;
        plan.backstop.resale_interval = 600;
        plan.collaterals[1].auction = AuctionParams {
            curve: PriceCurve::Linear { duration: 600 },
            ..plan.collaterals[1].auction.clone()
        };
        let local = local_plan(&plan);
        assert_eq!(local.oracle.max_age, 60);
        assert_eq!(local.oracle.twap_window, 180);
        assert_eq!(local.oracle.cooldown, 30);
        assert_eq!(local.backstop.resale_interval, 60);
        assert_eq!(
            local.collaterals[0].auction.curve,
            PriceCurve::StairStep {
                step: 6,
                cut: Decimal::percent(97)
            }
        );
        assert_eq!(local.collaterals[0].auction.tail, 360);
        assert_eq!(
            local.collaterals[1].auction.curve,
            PriceCurve::Linear { duration: 60 }
        );
        // Nothing else moves.
        assert_eq!(local.collaterals[0].params, plan.collaterals[0].params);
        assert_eq!(local.liquidation, plan.liquidation);
        assert_eq!(local.oracle.breaker_move, plan.oracle.breaker_move);
        for c in &local.collaterals {
            c.auction.validate().unwrap();
        }
        local.oracle.validate().unwrap();
        local.backstop.validate().unwrap();
        // Minimums hold.
        plan.oracle.twap_window = 60;
        assert_eq!(local_plan(&plan).oracle.twap_window, 60);
    }

    #[test]
    fn the_local_config_is_small_and_fast() {
        let cfg = local_config(crate::default_config(EngineKind::Breakwater));
        assert_eq!(cfg.accounts, LOCAL_ACCOUNTS);
        assert_eq!(cfg.step, LOCAL_STEP);
        assert_eq!(cfg.keepers.latency, 0.0);
        assert_eq!(cfg.oracle_delay, LOCAL_STEP);
        assert_eq!(cfg.depth.recovery_half_life, 180.0);
    }

    #[test]
    fn refusals_are_grouped_by_the_contracts_reason() {
        let mut s = Stats::default();
        let err = "liquidate account 3: rejected: failed to execute message; message index: 0: \
                   liquidation throttled: no auction room for ucol (room left 12): execute wasm \
                   contract failed [CosmWasm/wasmd@v0.61/x/wasm/keeper/keeper.go:421]";
        s.refuse("liquidate account 3", err);
        s.refuse("liquidate account 17", &err.replace("12", "9"));
        assert_eq!(s.refused, 2);
        assert_eq!(
            s.refusals.into_iter().collect::<Vec<_>>(),
            [(
                "liquidate account: liquidation throttled: no auction room for ucol (room left #)"
                    .to_string(),
                2
            )]
        );
    }

    #[test]
    fn gas_price_is_read_from_the_devnet_setting() {
        assert_eq!(gas_price("0.0025ustake"), 0.0025);
        assert_eq!(gas_price("0.1uatom,0.2ustake"), 0.1);
        assert_eq!(gas_price("bad"), 0.0025);
    }

    #[test]
    fn a_stopped_devnet_is_reported_with_the_command_to_start_it() {
        let dir = std::env::temp_dir().join(format!("bw-lab-nodevnet-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let opts = WasmdOptions {
            devnet: DevnetConfig {
                home: dir.join("devnet"),
                ..DevnetConfig::default()
            },
            ..WasmdOptions::default()
        };
        let e = check(&opts).unwrap_err().to_string();
        let missing_artifacts = e.contains("scripts/build-wasm.sh");
        assert!(
            missing_artifacts || e.contains("keeper -- devnet up"),
            "{e}"
        );
        let no_artifacts = WasmdOptions {
            artifacts: dir.join("none"),
            ..opts
        };
        let e = check(&no_artifacts).unwrap_err().to_string();
        assert!(e.contains("scripts/build-wasm.sh"), "{e}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
