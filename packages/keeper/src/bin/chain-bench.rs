//! Figures on a real wasmd chain (docs/BENCHMARKS.md): gas per message, `Liquidate` gas with
//! few and many accounts, and the keeper's reaction in blocks from the price update that makes
//! accounts liquidatable to their liquidations landing.
//!
//! ```text
//! cargo run --release -p breakwater-keeper --bin chain-bench -- --accounts 10,1000,10000
//! ```
//! Each size runs on a fresh devnet of its own (home `target/bench-devnet`, RPC port 56657).
use anyhow::{anyhow, ensure, Context, Result};
use breakwater_chain::client::{ctx, Client, Wallet};
use breakwater_chain::deploy::{deploy, Deployment};
use breakwater_chain::devnet::{self, DevnetConfig};
use breakwater_chain::harness::{
    derived_wallets, devnet_deploy_request, exec, fund_all, fund_market, open_positions,
    test_port_base, Position,
};
use breakwater_keeper::bots::{self, Ctx};
use breakwater_keeper::config::Config;
use breakwater_keeper::metrics::Metrics;
use breakwater_types::deploy::{test_liquidation_params, CollateralPlan, DeployPlan};
use breakwater_types::liquidator::{self, AuctionParams, AuctionsResponse, PriceCurve};
use breakwater_types::market::{self, AccountResponse, CollateralParams};
use breakwater_types::oracle::{self, OracleParams, PriceSubmission};
use clap::Parser;
use cosmwasm_std::{Decimal, Uint128};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Parser, Debug)]
#[command(about = "Gas and keeper reaction on a wasmd devnet")]
struct Args {
    /// Account counts to measure with (each on a fresh chain).
    #[arg(long, value_delimiter = ',', default_value = "10,1000")]
    accounts: Vec<u32>,
    /// Where the JSON results go.
    #[arg(long, default_value = "target/chain-bench.json")]
    out: PathBuf,
    /// Throughput instead: a book of `--accounts` (the first size) with `--victims` made
    /// liquidatable by one price update, for each keeper configuration of `--configs`.
    #[arg(long)]
    throughput: bool,
    /// Throughput: accounts made liquidatable by the price update.
    #[arg(long, default_value_t = 200)]
    victims: u32,
    /// Throughput: keeper configurations, `<wallets>x<liquidations per tx>`.
    #[arg(long, value_delimiter = ',', default_value = "1x1,1x8,4x8")]
    configs: Vec<String>,
}

const COLLATERALS: usize = 10;
/// Collateral per position: 100 units at price 10, i.e. 1,000 base units of value ×10^6.
const UNITS: u128 = 100_000_000;
/// Victims watched for the keeper's reaction.
const REACTION_VICTIMS: u32 = 10;
/// Victims liquidated by hand to measure `Liquidate` gas.
const GAS_VICTIMS: u32 = 3;

fn denom(i: usize) -> String {
    format!("ucol{i}")
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn devnet_config() -> Result<DevnetConfig> {
    let mut denoms = vec!["uusdc".to_string()];
    denoms.extend((0..COLLATERALS).map(denom));
    DevnetConfig {
        home: root().join("target/bench-devnet"),
        denoms,
        ..DevnetConfig::default()
    }
    .with_port_base(test_port_base(4, 56657)?)
}

/// Ten collaterals at price 10; auctions cut 4% every 2 s and need a reset below 90% of their
/// top (so a reset can be measured within seconds); prices stay fresh for an hour.
fn plan() -> DeployPlan {
    let p = |n: u64| Decimal::permille(n);
    DeployPlan {
        collaterals: (0..COLLATERALS)
            .map(|i| CollateralPlan {
                params: CollateralParams {
                    denom: denom(i),
                    max_ltv: p(680),
                    liquidation_threshold: p(700),
                    liquidation_penalty: p(50),
                    supply_cap: Uint128::new(10u128.pow(16)),
                    depth: Uint128::new(10u128.pow(11)),
                    dynamic_bonus: None,
                },
                auction: AuctionParams {
                    buf: p(1050),
                    curve: PriceCurve::StairStep {
                        step: 2,
                        cut: p(960),
                    },
                    tail: 600,
                    cusp: p(700),
                    max_discount: p(200),
                    dust: Uint128::new(1_000_000),
                    hole: None,
                    follow_oracle: false,
                    hold: 0,
                    hold_tolerance: Decimal::zero(),
                    hold_room: false,
                    slide: None,
                    pace_sales: None,
                    wait_falls: None,
                },
                price: Decimal::percent(1_000),
            })
            .collect(),
        oracle: OracleParams {
            max_age: 3_600,
            min_feeders: 2,
            max_deviation: p(150),
            twap_window: 60,
            twap_capacity: 60,
            breaker_move: p(900),
            cooldown: 0,
            fall_band: Decimal::zero(),
            breaker_book: false,
        },
        liquidation: test_liquidation_params(),
        ..DeployPlan::default()
    }
}

#[derive(Debug, Serialize, Default)]
struct Run {
    accounts: u32,
    gas: Vec<(String, u64)>,
    liquidate_gas: Vec<u64>,
    reaction_blocks: Vec<u64>,
    open_secs: f64,
}

struct Bench {
    /// Height at which the last feed reached the oracle's quorum (the second of the three
    /// submissions): the block whose median changed.
    quorum_height: u64,
    cfg: Config,
    client: Client,
    d: Arc<Deployment>,
    feeders: Vec<Wallet>,
}

impl Bench {
    /// All three feeders submit `prices`; returns the highest inclusion height.
    async fn feed(&mut self, prices: &[(String, Decimal)]) -> Result<(u64, Vec<u64>)> {
        let msg = oracle::ExecuteMsg::SubmitPrices {
            prices: prices
                .iter()
                .map(|(denom, price)| PriceSubmission {
                    denom: denom.clone(),
                    price: *price,
                    depth: None,
                })
                .collect(),
        };
        let mut hashes = vec![];
        for f in &mut self.feeders {
            let any = breakwater_chain::client::execute_msg(
                &f.signer.address,
                &self.d.oracle,
                &msg,
                &[],
            )?;
            let (h, _) = ctx(
                f.broadcast(
                    &self.client,
                    &[any],
                    breakwater_chain::client::Gas::Fixed(6_000_000),
                )
                .await,
                "feed",
            )?;
            hashes.push(h);
        }
        let mut height = 0;
        let mut heights = vec![];
        let mut gas = vec![];
        for h in hashes {
            let out = ctx(self.client.wait_tx(&h).await, "feed")?;
            ensure!(out.ok(), "SubmitPrices failed: {}", out.log);
            height = height.max(out.height);
            heights.push(out.height);
            gas.push(out.gas_used);
        }
        heights.sort_unstable();
        self.quorum_height = heights.get(1).copied().unwrap_or(height);
        Ok((height, gas))
    }

    async fn account(&self, who: &str) -> Result<AccountResponse> {
        ctx(
            self.client
                .query(
                    &self.d.market,
                    &market::QueryMsg::Account {
                        address: who.to_string(),
                    },
                )
                .await,
            "account",
        )
    }

    async fn auctions(&self) -> Result<AuctionsResponse> {
        ctx(
            self.client
                .query(
                    &self.d.liquidator,
                    &liquidator::QueryMsg::Auctions {
                        denom: None,
                        start_after: None,
                        limit: Some(20),
                    },
                )
                .await,
            "auctions",
        )
    }
}

async fn setup(n: u32, reaction_victims: u32) -> Result<(Bench, Vec<Wallet>, f64)> {
    let dn = devnet_config()?;
    let dn2 = dn.clone();
    tokio::task::spawn_blocking(move || devnet::reset(&dn2)).await??;
    let cfg = Config::for_devnet(&dn)?;
    let client = cfg.client()?;
    let req = devnet_deploy_request(&dn, plan(), root().join("artifacts"), cfg.deployment_path())?;
    let mut owner = Wallet::new(cfg.signer("owner")?);
    let d = Arc::new(deploy(&client, &mut owner, &req).await?);
    let feeders = ["feeder0", "feeder1", "feeder2"]
        .iter()
        .map(|f| Ok(Wallet::new(cfg.signer(f)?)))
        .collect::<Result<Vec<_>>>()?;
    let mut bench = Bench {
        quorum_height: 0,
        cfg,
        client,
        d,
        feeders,
    };
    let all: Vec<(String, Decimal)> = (0..COLLATERALS)
        .map(|i| (denom(i), Decimal::percent(1_000)))
        .collect();
    bench.feed(&all).await?;

    let (client, d) = (bench.client.clone(), bench.d.clone());
    fund_market(
        &client,
        &mut Wallet::new(bench.cfg.signer("lender")?),
        &d,
        100_000_000_000_000,
        100_000_000_000,
    )
    .await?;

    // Borrowers: ucol0 partial victim, ucol1 toxic victim, ucol2 reaction victims, ucol3 gas
    // victims, ucol4 reset victim; the rest safe (LTV 0.3) across ucol5..ucol9.
    let t = Instant::now();
    let mut specs: Vec<(usize, f64)> = vec![(0, 0.66), (1, 0.66), (4, 0.66)];
    specs.extend((0..reaction_victims).map(|_| (2, 0.66)));
    specs.extend((0..GAS_VICTIMS).map(|_| (3, 0.66)));
    let safe = n.saturating_sub(specs.len() as u32);
    specs.extend((0..safe).map(|i| (5 + i as usize % 5, 0.30)));
    let mnemonic = bench.cfg.mnemonic(devnet::FAUCET)?;
    let mut faucet = Wallet::new(bench.cfg.signer(devnet::FAUCET)?);
    let mut wallets = derived_wallets(&mnemonic, 1, specs.len() as u32)?;
    for group in wallets.chunks(2_000).zip(specs.chunks(2_000)) {
        let (ws, sp) = group;
        for c in 0..COLLATERALS {
            let to: Vec<String> = ws
                .iter()
                .zip(sp)
                .filter(|(_, s)| s.0 == c)
                .map(|(w, _)| w.address())
                .collect();
            if !to.is_empty() {
                fund_all(
                    &client,
                    &mut faucet,
                    &to,
                    &[(UNITS, denom(c).as_str()), (2_000_000, "ustake")],
                    200,
                )
                .await?;
            }
        }
    }
    let positions: Vec<Position> = specs
        .iter()
        .map(|(c, ltv)| Position {
            denom: denom(*c),
            collateral: UNITS,
            debt: (UNITS as f64 * 10.0 * ltv) as u128,
        })
        .collect();
    for (ws, ps) in wallets.chunks_mut(1_000).zip(positions.chunks(1_000)) {
        open_positions(&client, &d, ws, ps).await?;
    }
    let open_secs = t.elapsed().as_secs_f64();
    eprintln!("{n}: {} positions open in {open_secs:.1} s", specs.len());
    Ok((bench, wallets, open_secs))
}

async fn run(n: u32) -> Result<Run> {
    let (mut b, wallets, open_secs) = setup(n, REACTION_VICTIMS).await?;
    let mut r = Run {
        accounts: n,
        open_secs,
        ..Run::default()
    };
    let (client, d) = (b.client.clone(), b.d.clone());

    // Feeder gas: 1, 5 and 10 assets per SubmitPrices.
    for k in [1usize, 5, 10] {
        let prices: Vec<(String, Decimal)> = (5..5 + k)
            .map(|i| (denom(i % COLLATERALS), Decimal::percent(1_000)))
            .collect();
        let (_, gas) = b.feed(&prices).await?;
        eprintln!("SubmitPrices {k}: gas of the three feeders {gas:?}");
        r.gas
            .push((format!("SubmitPrices, {k} asset(s), 1st feeder"), gas[0]));
        r.gas.push((
            format!("SubmitPrices, {k} asset(s), 2nd feeder (quorum)"),
            gas[1],
        ));
        r.gas
            .push((format!("SubmitPrices, {k} asset(s), 3rd feeder"), gas[2]));
    }
    // Supply, deposit, borrow, repay from a fresh user.
    let mut lender = Wallet::new(b.cfg.signer("lender")?);
    let out = exec(
        &client,
        &mut lender,
        &d.market,
        &market::ExecuteMsg::Supply {},
        &[(1_000_000_000, "uusdc")],
    )
    .await?;
    r.gas.push(("Supply".into(), out.gas_used));
    let mut user = Wallet::new(b.cfg.signer("bidder")?);
    let out = exec(
        &client,
        &mut user,
        &d.market,
        &market::ExecuteMsg::DepositCollateral { on_behalf_of: None },
        &[(UNITS, "ucol9")],
    )
    .await?;
    r.gas.push(("DepositCollateral".into(), out.gas_used));
    let out = exec(
        &client,
        &mut user,
        &d.market,
        &market::ExecuteMsg::Borrow {
            amount: Uint128::new(100_000_000),
        },
        &[],
    )
    .await?;
    r.gas.push(("Borrow".into(), out.gas_used));
    let out = exec(
        &client,
        &mut user,
        &d.market,
        &market::ExecuteMsg::Repay { on_behalf_of: None },
        &[(100_000_000, "uusdc")],
    )
    .await?;
    r.gas.push(("Repay".into(), out.gas_used));

    // Partial liquidation of the ucol0 victim, then a bid on its auction.
    let mut keeper = Wallet::new(b.cfg.signer("keeper")?);
    b.feed(&[
        (denom(0), Decimal::percent(900)),
        (denom(3), Decimal::percent(900)),
        (denom(4), Decimal::percent(900)),
        (denom(1), Decimal::percent(700)),
    ])
    .await?;
    let victim = |i: usize| wallets[i].address();
    let out = exec(
        &client,
        &mut keeper,
        &d.market,
        &market::ExecuteMsg::Liquidate {
            borrower: victim(0),
        },
        &[],
    )
    .await?;
    r.gas.push((
        "Liquidate (partial, starts an auction)".into(),
        out.gas_used,
    ));
    let auction = b
        .auctions()
        .await?
        .auctions
        .into_iter()
        .next()
        .ok_or_else(|| anyhow!("no auction"))?;
    let cost = auction
        .lot
        .checked_mul_ceil(auction.price)
        .map_err(|e| anyhow!("{e}"))?;
    let out = exec(
        &client,
        &mut user,
        &d.liquidator,
        &liquidator::ExecuteMsg::Bid {
            auction_id: auction.id,
            max_collateral: auction.lot,
            max_price: auction.price,
            callback: None,
        },
        &[(cost.u128(), "uusdc")],
    )
    .await?;
    r.gas
        .push(("Bid (takes the whole lot)".into(), out.gas_used));
    // Toxic victim: the whole position goes to the backstop's Absorb.
    let out = exec(
        &client,
        &mut keeper,
        &d.market,
        &market::ExecuteMsg::Liquidate {
            borrower: victim(1),
        },
        &[],
    )
    .await?;
    ensure!(
        out.events
            .iter()
            .any(|(k, a)| k == "wasm" && a.iter().any(|(x, v)| x == "action" && v == "absorb")),
        "the toxic liquidation did not call Absorb"
    );
    r.gas.push((
        "Liquidate (toxic: Absorb by the backstop)".into(),
        out.gas_used,
    ));
    // Reset: liquidate the ucol4 victim, wait until its auction needs a reset.
    exec(
        &client,
        &mut keeper,
        &d.market,
        &market::ExecuteMsg::Liquidate {
            borrower: victim(2),
        },
        &[],
    )
    .await?;
    let t = Instant::now();
    let stale = loop {
        let a = b
            .auctions()
            .await?
            .auctions
            .into_iter()
            .find(|a| a.needs_reset);
        if let Some(a) = a {
            break a;
        }
        ensure!(
            t.elapsed() < Duration::from_secs(60),
            "no auction needed a reset within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let out = exec(
        &client,
        &mut keeper,
        &d.liquidator,
        &liquidator::ExecuteMsg::Reset {
            auction_id: stale.id,
        },
        &[],
    )
    .await?;
    r.gas.push(("Reset".into(), out.gas_used));
    // Liquidate gas at this size: the ucol3 victims, one by one.
    let first_gas_victim = 3 + REACTION_VICTIMS as usize;
    for i in first_gas_victim..first_gas_victim + GAS_VICTIMS as usize {
        let out = exec(
            &client,
            &mut keeper,
            &d.market,
            &market::ExecuteMsg::Liquidate {
                borrower: victim(i),
            },
            &[],
        )
        .await?;
        r.liquidate_gas.push(out.gas_used);
    }

    // Reaction: the keeper's liquidator runs; the price of ucol2 drops in one block.
    let metrics = Arc::new(Metrics::default());
    let (stop, rx) = tokio::sync::watch::channel(false);
    let mut kcfg = b.cfg.clone();
    kcfg.feeder.enabled = false;
    kcfg.bidder.enabled = false;
    kcfg.resetter.enabled = false;
    kcfg.backstop.enabled = false;
    kcfg.liquidator.max_per_block = 50;
    let kctx = Ctx::new(client.clone(), d.clone(), metrics.clone(), rx);
    let (mut tasks, _) = bots::spawn(&kcfg, &kctx)?;
    let h0 = ctx(client.height().await, "height")?;
    ctx(
        client.wait_height(h0 + 2, Duration::from_secs(30)).await,
        "warm-up",
    )?;
    let (update, _) = b.feed(&[(denom(2), Decimal::percent(900))]).await?;
    let victims: Vec<String> = (3..3 + REACTION_VICTIMS as usize).map(victim).collect();
    let mut landed: Vec<Option<u64>> = vec![None; victims.len()];
    let mut height = update;
    let t = Instant::now();
    while landed.iter().any(Option::is_none) {
        ensure!(
            t.elapsed() < Duration::from_secs(120),
            "victims not liquidated within 120 s: {landed:?}"
        );
        height = ctx(
            client.wait_height(height, Duration::from_secs(30)).await,
            "block",
        )?;
        // Accounts read at `height` show liquidations included up to `height`.
        for (i, v) in victims.iter().enumerate() {
            if landed[i].is_none() {
                let a = b.account(v).await?;
                if a.debt.u128() < (UNITS as f64 * 10.0 * 0.66) as u128 {
                    landed[i] = Some(height);
                }
            }
        }
    }
    let _ = stop.send(true);
    while let Some(t) = tasks.join_next().await {
        t??;
    }
    r.reaction_blocks = landed.into_iter().flatten().map(|h| h - update).collect();
    let dn = devnet_config()?;
    tokio::task::spawn_blocking(move || devnet::down(&dn)).await??;
    Ok(r)
}

/// One throughput measurement.
#[derive(Debug, Serialize, Default)]
struct Throughput {
    accounts: u32,
    victims: u32,
    wallets: u32,
    batch: usize,
    /// Height of the block holding the price update.
    update_height: u64,
    /// Room under the caps when the price fell (base units) and the tabs the liquidations
    /// started, in landing order.
    room: u128,
    tabs: u128,
    /// Liquidations the throttle allows in the next block.
    allowed: u32,
    /// Victims liquidated in each block after the update (index 0 = the next block).
    per_block: Vec<u32>,
}

/// A book of `n` accounts with `victims` on ucol2 at LTV 0.66; ucol2 falls from 10 to 9 in
/// one update with the keeper's liquidator running with `wallets` wallets and `batch`
/// liquidations per transaction; counts the victims' liquidations per block.
async fn throughput(n: u32, victims: u32, wallets: u32, batch: usize) -> Result<Throughput> {
    let (mut b, accounts, _) = setup(n, victims).await?;
    let (client, d) = (b.client.clone(), b.d.clone());
    let victim_addrs: std::collections::BTreeSet<String> = accounts[3..3 + victims as usize]
        .iter()
        .map(|w| w.address())
        .collect();
    // The keeper's extra wallets need fee tokens.
    let mut kcfg = b.cfg.clone();
    kcfg.feeder.enabled = false;
    kcfg.bidder.enabled = false;
    kcfg.resetter.enabled = false;
    kcfg.backstop.enabled = false;
    kcfg.liquidator.accounts = wallets;
    kcfg.liquidator.batch = batch;
    kcfg.liquidator.max_per_block = victims as usize;
    let extra: Vec<String> = kcfg
        .signers("keeper", wallets)?
        .iter()
        .skip(1)
        .map(|s| s.address.to_string())
        .collect();
    if !extra.is_empty() {
        let mut faucet = Wallet::new(b.cfg.signer(devnet::FAUCET)?);
        fund_all(
            &client,
            &mut faucet,
            &extra,
            &[(1_000_000_000, "ustake")],
            50,
        )
        .await?;
    }
    let metrics = Arc::new(Metrics::default());
    let (stop, rx) = tokio::sync::watch::channel(false);
    let kctx = Ctx::new(client.clone(), d.clone(), metrics.clone(), rx);
    let (mut tasks, _) = bots::spawn(&kcfg, &kctx)?;
    // Let the full scan build its watchlist.
    let h0 = ctx(client.height().await, "height")?;
    ctx(
        client.wait_height(h0 + 4, Duration::from_secs(60)).await,
        "warm-up",
    )?;
    let room: liquidator::RoomResponse = ctx(
        client
            .query(
                &d.liquidator,
                &liquidator::QueryMsg::Room { denom: denom(2) },
            )
            .await,
        "room",
    )?;
    b.feed(&[(denom(2), Decimal::percent(900))]).await?;
    // The block whose median changed: the second feeder's (quorum 2 of 3).
    let update = b.quorum_height;
    // Wait until every victim is liquidated (or 90 s).
    let t = Instant::now();
    let mut per_block: Vec<u32> = vec![];
    let mut tabs_in_order: Vec<u128> = vec![];
    let mut done = std::collections::BTreeSet::new();
    let mut h = update;
    while done.len() < victims as usize && t.elapsed() < Duration::from_secs(90) {
        ctx(
            client.wait_height(h, Duration::from_secs(30)).await,
            "block",
        )?;
        h += 1;
        let mut here = 0;
        for (code, events) in ctx(client.block_events(h).await, "block results")? {
            if code != 0 {
                continue;
            }
            for (kind, attrs) in &events {
                let get = |k: &str| attrs.iter().find(|(x, _)| x == k).map(|(_, v)| v.clone());
                if kind != "wasm" || get("action").as_deref() != Some("liquidate") {
                    continue;
                }
                if let Some(b) = get("borrower").filter(|b| victim_addrs.contains(b)) {
                    if done.insert(b) {
                        here += 1;
                        tabs_in_order.push(get("tab").and_then(|t| t.parse().ok()).unwrap_or(0));
                    }
                }
            }
        }
        per_block.push(here);
    }
    let _ = stop.send(true);
    while let Some(t) = tasks.join_next().await {
        t??;
    }
    // The throttle allows the liquidations whose tabs fit in the room, in landing order.
    let mut allowed = 0u32;
    let mut used = 0u128;
    for t in &tabs_in_order {
        if used + t > room.room.u128() {
            break;
        }
        used += t;
        allowed += 1;
    }
    let dn = devnet_config()?;
    tokio::task::spawn_blocking(move || devnet::down(&dn)).await??;
    eprintln!(
        "{}",
        metrics
            .render()
            .lines()
            .filter(|l| l.contains("liquidations_per_tx") || l.contains("_tx_total"))
            .collect::<Vec<_>>()
            .join("\\n")
    );
    Ok(Throughput {
        accounts: n,
        victims,
        wallets,
        batch,
        update_height: update,
        room: room.room.u128(),
        tabs: tabs_in_order.iter().sum(),
        allowed: if done.len() < victims as usize {
            allowed.min(done.len() as u32)
        } else {
            allowed
        },
        per_block,
    })
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            std::env::var("BENCH_LOG").unwrap_or_else(|_| "warn".into()),
        ))
        .with_writer(std::io::stderr)
        .init();
    if args.throughput {
        let n = args.accounts.first().copied().unwrap_or(1_000);
        let mut results = vec![];
        for conf in &args.configs {
            let (w, b) = conf
                .split_once('x')
                .ok_or_else(|| anyhow!("config {conf:?} is not <wallets>x<batch>"))?;
            let (w, b): (u32, usize) = (w.parse()?, b.parse()?);
            let t = Instant::now();
            let r = throughput(n, args.victims, w, b)
                .await
                .with_context(|| format!("throughput {conf}"))?;
            eprintln!(
                "{conf}: {:?} in {:.0} s",
                r.per_block,
                t.elapsed().as_secs_f64()
            );
            results.push(r);
        }
        println!("| wallets × batch | victims | room / tabs (base units) | allowed by the throttle | next block | % of allowed | per block after the update |\n|---|---:|---:|---:|---:|---:|---|");
        for r in &results {
            let next = r.per_block.first().copied().unwrap_or(0);
            println!(
                "| {} × {} | {} | {:.2e} / {:.2e} | {} | {} | {:.0}% | {:?} |",
                r.wallets,
                r.batch,
                r.victims,
                r.room as f64,
                r.tabs as f64,
                r.allowed,
                next,
                100.0 * next as f64 / r.allowed.max(1) as f64,
                r.per_block
            );
        }
        if let Some(dir) = args.out.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&args.out, serde_json::to_string_pretty(&results)?)?;
        println!("\nresults: {}", args.out.display());
        return Ok(());
    }
    let mut runs = vec![];
    for n in &args.accounts {
        let t = Instant::now();
        let r = run(*n)
            .await
            .with_context(|| format!("run with {n} accounts"))?;
        eprintln!("{n} accounts: done in {:.0} s", t.elapsed().as_secs_f64());
        runs.push(r);
    }
    if let Some(first) = runs.first() {
        println!("Gas used per transaction (one message each; includes the SDK's ante handler), {} accounts:", first.accounts);
        println!("| message | gas |\n|---|---:|");
        for (m, g) in &first.gas {
            println!("| {m} | {g} |");
        }
    }
    println!("\n| accounts | Liquidate gas (mean of {GAS_VICTIMS}) | reaction blocks (max over {REACTION_VICTIMS}) | reactions | open positions (s) |\n|---:|---:|---:|---|---:|");
    for r in &runs {
        let mean = r.liquidate_gas.iter().sum::<u64>() / r.liquidate_gas.len().max(1) as u64;
        let max = r.reaction_blocks.iter().max().copied().unwrap_or(0);
        println!(
            "| {} | {mean} | {max} | {:?} | {:.0} |",
            r.accounts, r.reaction_blocks, r.open_secs
        );
    }
    if let Some(dir) = args.out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&args.out, serde_json::to_string_pretty(&runs)?)?;
    println!("\nresults: {}", args.out.display());
    Ok(())
}
