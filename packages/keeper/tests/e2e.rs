//! End to end on a real chain: a wasmd devnet, the optimized contracts, a few hundred
//! positions, a crash price path fed by the keeper's feeder, and the keeper bots liquidating,
//! bidding, resetting and triggering the backstop — with wasmd stopped and restarted mid-run.
//!
//! Needs wasmd and `artifacts/` (scripts/e2e.sh builds both, then runs this test; it is part of
//! `make test`). Runs on its own ports and home, so a developer's devnet is left alone.
use anyhow::{ensure, Context, Result};
use breakwater_chain::client::{ctx, Client, Wallet};
use breakwater_chain::deploy::{deploy, Deployment};
use breakwater_chain::devnet::{self, DevnetConfig};
use breakwater_chain::harness::{
    derived_wallets, devnet_deploy_request, fund_all, fund_market, open_positions, test_port_base,
    wait_until, Position,
};
use breakwater_keeper::bots::{self, Ctx};
use breakwater_keeper::config::{Config, PriceSource};
use breakwater_keeper::metrics::{Metrics, Outcome};
use breakwater_types::backstop::{self, PoolResponse};
use breakwater_types::deploy::{test_liquidation_params, CollateralPlan, DeployPlan};
use breakwater_types::liquidator::{AuctionParams, PriceCurve};
use breakwater_types::market::{self, CollateralParams, StateResponse};
use breakwater_types::oracle::OracleParams;
use cosmwasm_std::{Decimal, Uint128};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Positions opened.
const POSITIONS: u32 = 240;
/// Collateral per position: 100 ATOM ($1,000 at the start price of 10).
const COLLATERAL: u128 = 100_000_000;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn devnet_config() -> Result<DevnetConfig> {
    DevnetConfig {
        home: root().join("target/e2e-devnet"),
        denoms: vec!["uusdc".into(), "uatom".into()],
        ..DevnetConfig::default()
    }
    .with_port_base(test_port_base(1, 46657)?)
}

/// One collateral (uatom at 10), fast auctions (4% every 3 s, floor at 80% of the oracle), an
/// oracle with a one-minute TWAP whose breaker allows the crash, and room for every
/// liquidation at once (depth 10^11 per 1%, budget 3%).
fn plan() -> DeployPlan {
    let p = |n: u64| Decimal::permille(n);
    DeployPlan {
        collaterals: vec![CollateralPlan {
            params: CollateralParams {
                denom: "uatom".into(),
                max_ltv: p(680),
                liquidation_threshold: p(700),
                liquidation_penalty: p(50),
                supply_cap: Uint128::new(10u128.pow(15)),
                depth: Uint128::new(10u128.pow(11)),
            },
            auction: AuctionParams {
                buf: p(1050),
                curve: PriceCurve::StairStep {
                    step: 3,
                    cut: p(960),
                },
                tail: 120,
                cusp: p(400),
                max_discount: p(200),
                dust: Uint128::new(1_000_000),
                hole: None,
            },
            price: Decimal::percent(1_000),
        }],
        oracle: OracleParams {
            max_age: 60,
            min_feeders: 2,
            max_deviation: p(150),
            twap_window: 60,
            twap_capacity: 60,
            breaker_move: p(600),
            cooldown: 30,
        },
        liquidation: test_liquidation_params(),
        ..DeployPlan::default()
    }
}

fn write_path(name: &str, rows: &[(u64, &str)]) -> Result<PathBuf> {
    let path = root().join("target").join(name);
    let mut text = String::from("t,denom,price\n");
    for (t, p) in rows {
        text.push_str(&format!("{t},uatom,{p}\n"));
    }
    std::fs::write(&path, text)?;
    Ok(path)
}

struct Keepers {
    stop: tokio::sync::watch::Sender<bool>,
    tasks: tokio::task::JoinSet<Result<()>>,
    metrics: Arc<Metrics>,
}

impl Keepers {
    fn start(cfg: &Config, client: &Client, d: &Arc<Deployment>) -> Result<Self> {
        let metrics = Arc::new(Metrics::default());
        let (stop, rx) = tokio::sync::watch::channel(false);
        let ctx = Ctx::new(client.clone(), d.clone(), metrics.clone(), rx);
        Ok(Keepers {
            stop,
            tasks: bots::spawn(cfg, &ctx)?.0,
            metrics,
        })
    }

    async fn stop(mut self) -> Result<Arc<Metrics>> {
        let _ = self.stop.send(true);
        while let Some(r) = self.tasks.join_next().await {
            r.context("a keeper role panicked")??;
        }
        Ok(self.metrics)
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f).await?
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs wasmd and the optimized wasm: run scripts/e2e.sh"]
async fn a_crash_on_a_real_chain_is_liquidated_by_the_keepers_across_a_node_restart() -> Result<()>
{
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            std::env::var("E2E_LOG").unwrap_or_else(|_| "warn".into()),
        ))
        .with_test_writer()
        .try_init();
    let t0 = Instant::now();
    let dn = devnet_config()?;
    let dn2 = dn.clone();
    blocking(move || devnet::reset(&dn2)).await?;
    println!("devnet up in {:.1?}", t0.elapsed());

    let cfg = Config::for_devnet(&dn)?;
    let client = cfg.client()?;

    // Deploy, then deploy again: the second run reuses everything.
    let req = devnet_deploy_request(&dn, plan(), root().join("artifacts"), cfg.deployment_path())?;
    let mut owner = Wallet::new(cfg.signer("owner")?);
    let d = deploy(&client, &mut owner, &req).await?;
    let again = deploy(&client, &mut owner, &req).await?;
    ensure!(
        again == d,
        "a second deployment with the same code and plan must reuse the first"
    );
    let d = Arc::new(d);
    println!("deployed in {:.1?}", t0.elapsed());

    // Prices at 10 from the feeder while the book opens.
    let calm = write_path("e2e-calm.csv", &[(0, "10")])?;
    let mut feed_cfg = cfg.clone();
    feed_cfg.feeder.enabled = true;
    feed_cfg.feeder.interval_secs = 5;
    feed_cfg.feeder.source = Some(PriceSource::Scenario(calm));
    feed_cfg.liquidator.enabled = false;
    feed_cfg.bidder.enabled = false;
    feed_cfg.resetter.enabled = false;
    feed_cfg.backstop.enabled = false;
    let feeder = Keepers::start(&feed_cfg, &client, &d)?;

    // The lender supplies 400,000 USDC and puts 20,000 in the backstop.
    fund_market(
        &client,
        &mut Wallet::new(cfg.signer("lender")?),
        &d,
        400_000_000_000,
        20_000_000_000,
    )
    .await?;

    // A few hundred borrowers derived from the faucet's mnemonic, LTV spread 0.40 to 0.66.
    let faucet_mnemonic = cfg.mnemonic(devnet::FAUCET)?;
    let mut faucet = Wallet::new(cfg.signer(devnet::FAUCET)?);
    let mut borrowers = derived_wallets(&faucet_mnemonic, 1, POSITIONS)?;
    let addrs: Vec<String> = borrowers.iter().map(|w| w.address()).collect();
    fund_all(
        &client,
        &mut faucet,
        &addrs,
        &[(COLLATERAL, "uatom"), (5_000_000, "ustake")],
        100,
    )
    .await?;
    let positions: Vec<Position> = (0..POSITIONS)
        .map(|i| {
            let ltv = 0.40 + 0.26 * i as f64 / (POSITIONS - 1) as f64;
            Position {
                denom: "uatom".into(),
                collateral: COLLATERAL,
                debt: (COLLATERAL as f64 * 10.0 * ltv) as u128,
            }
        })
        .collect();
    ensure!(
        wait_until(&client, Duration::from_secs(30), || async {
            let p: breakwater_types::oracle::PriceResponse = ctx(
                client
                    .query(
                        &d.oracle,
                        &breakwater_types::oracle::QueryMsg::Price {
                            denom: "uatom".into(),
                        },
                    )
                    .await,
                "price",
            )?;
            Ok(p.status == breakwater_types::oracle::OracleStatus::Active {})
        })
        .await?,
        "the oracle never got a price"
    );
    open_positions(&client, &d, &mut borrowers, &positions).await?;
    let before: StateResponse = ctx(
        client.query(&d.market, &market::QueryMsg::State {}).await,
        "state",
    )?;
    let accounts = breakwater_chain::query::all_accounts(&client, &d).await?;
    ensure!(
        accounts.len() == POSITIONS as usize,
        "{} accounts opened",
        accounts.len()
    );
    ensure!(accounts
        .iter()
        .all(|a| a.health_factor.is_some_and(|h| h >= Decimal::one())));
    println!(
        "{POSITIONS} positions open in {:.1?}, debt {}",
        t0.elapsed(),
        before.total_borrowed
    );
    feeder.stop().await?;

    // The crash: 10 -> 8 at 15 s -> 6 at 45 s, held. Every role runs.
    let crash = write_path("e2e-crash.csv", &[(0, "10"), (15, "8"), (45, "6")])?;
    let mut run_cfg = cfg.clone();
    run_cfg.feeder.enabled = true;
    run_cfg.feeder.interval_secs = 5;
    run_cfg.feeder.source = Some(PriceSource::Scenario(crash));
    let keepers = Keepers::start(&run_cfg, &client, &d)?;
    let crash_started = Instant::now();

    // Once liquidations land, stop wasmd, keep it down for a few seconds, start it again.
    let m = keepers.metrics.clone();
    ensure!(
        wait_until(&client, Duration::from_secs(90), || async {
            Ok(m.tx_count("liquidator", Outcome::Succeeded) >= 10)
        })
        .await?,
        "no liquidation landed within 90 s"
    );
    let landed_before_restart = m.tx_count("liquidator", Outcome::Succeeded);
    let dn2 = dn.clone();
    blocking(move || devnet::down(&dn2)).await?;
    tokio::time::sleep(Duration::from_secs(4)).await;
    let dn2 = dn.clone();
    blocking(move || devnet::up(&dn2).map(|_| ())).await?;
    let crash_started = crash_started.elapsed();
    ensure!(
        crash_started < Duration::from_secs(45),
        "the node came back {crash_started:?} into the crash, after its last leg (45 s): \
         nothing would be left to resume"
    );
    println!(
        "wasmd restarted at {:.1?} after {landed_before_restart} liquidations",
        t0.elapsed()
    );

    // Quiescence: no unhealthy account, no auction running.
    // Quiescence only counts once the path's last leg (6) is the oracle's price: the book can
    // be quiet between legs, and the last leg always lands after the restart.
    let settled = wait_until(&client, Duration::from_secs(240), || async {
        let p: breakwater_types::oracle::PriceResponse = ctx(
            client
                .query(
                    &d.oracle,
                    &breakwater_types::oracle::QueryMsg::Price {
                        denom: "uatom".into(),
                    },
                )
                .await,
            "price",
        )?;
        if p.median != Decimal::percent(600) {
            return Ok(false);
        }
        let unhealthy = breakwater_chain::query::all_accounts(&client, &d)
            .await?
            .iter()
            .filter(|a| bots::liquidator::unhealthy(a))
            .count();
        let running = breakwater_chain::query::all_auctions(&client, &d.liquidator)
            .await
            .map(|a| a.len())
            .unwrap_or(usize::MAX);
        Ok(unhealthy == 0 && running == 0)
    })
    .await?;
    let metrics = keepers.stop().await?;
    print!("{}", metrics.render());
    ensure!(settled, "unhealthy accounts or auctions remain after 240 s");
    ensure!(
        metrics.tx_count("liquidator", Outcome::Succeeded) > landed_before_restart,
        "the liquidator did not resume after the restart"
    );

    // On chain: liquidations went through auctions, bids filled, debt was repaid, the backstop
    // took part, no account is below HF 1.
    let after: StateResponse = ctx(
        client.query(&d.market, &market::QueryMsg::State {}).await,
        "state",
    )?;
    let pool: PoolResponse = ctx(
        client
            .query(&d.backstop, &backstop::QueryMsg::Pool {})
            .await,
        "pool",
    )?;
    println!(
        "debt {} -> {}; backstop covered {}, holds {:?}",
        before.total_borrowed, after.total_borrowed, pool.total_covered, pool.collateral
    );
    ensure!(
        metrics.tx_count("bidder", Outcome::Succeeded) > 0,
        "no bid filled"
    );
    ensure!(
        after.total_borrowed < before.total_borrowed,
        "no debt was repaid"
    );
    ensure!(
        !pool.total_covered.is_zero() || pool.collateral.iter().any(|c| !c.amount.is_zero()),
        "the backstop neither covered a shortfall nor absorbed a position"
    );
    let unhealthy: Vec<_> = breakwater_chain::query::all_accounts(&client, &d)
        .await?
        .into_iter()
        .filter(bots::liquidator::unhealthy)
        .collect();
    ensure!(unhealthy.is_empty(), "accounts below HF 1: {unhealthy:?}");
    // No liquidation was sent twice: none failed on chain (those lost with the restarted
    // node's mempool were re-read from the chain and sent again only if still due).
    ensure!(
        metrics.tx_count("liquidator", Outcome::Failed) == 0,
        "{} liquidations failed on chain (duplicates or lost work)",
        metrics.tx_count("liquidator", Outcome::Failed)
    );
    println!(
        "{} liquidations landed, {} reaction times recorded",
        metrics.liquidations(),
        metrics.reactions_recorded()
    );

    // Conservation: every unit of each denom is held by an address the test knows.
    let mut known: Vec<String> = devnet::accounts(&dn)?
        .into_iter()
        .map(|a| a.address)
        .collect();
    known.extend(addrs);
    known.extend([
        d.oracle.clone(),
        d.market.clone(),
        d.liquidator.clone(),
        d.backstop.clone(),
    ]);
    for denom in ["uusdc", "uatom"] {
        let mut held = 0u128;
        for a in &known {
            held += ctx(client.balance(a, denom).await, "balance")?;
        }
        let supply = ctx(client.supply_of(denom).await, "supply")?;
        ensure!(
            held == supply,
            "{denom}: known addresses hold {held}, supply is {supply}"
        );
    }
    // The market's books: cash equals its bank balance.
    let cash = ctx(client.balance(&d.market, "uusdc").await, "cash")?;
    ensure!(
        after.cash.u128() == cash,
        "market cash {} vs bank {cash}",
        after.cash
    );

    let dn2 = dn.clone();
    blocking(move || devnet::down(&dn2)).await?;
    println!("end to end in {:.1?}", t0.elapsed());
    Ok(())
}
