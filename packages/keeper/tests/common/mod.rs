//! What the end-to-end tests on wasmd share: the crash plan, a book of positions opened while
//! a feeder holds the price, the keepers run in-process, quiescence and conservation checks.
#![allow(dead_code)]
use anyhow::{ensure, Context, Result};
use breakwater_chain::client::{ctx, Client, Wallet};
use breakwater_chain::deploy::{deploy, Deployment};
use breakwater_chain::devnet::{self, DevnetConfig};
use breakwater_chain::harness::{
    derived_wallets, devnet_deploy_request, fund_all, fund_market, open_positions, wait_until,
    Position,
};
use breakwater_chain::query::{all_accounts, all_auctions};
use breakwater_keeper::bots::{self, Ctx};
use breakwater_keeper::config::{Config, PriceSource};
use breakwater_keeper::metrics::Metrics;
use breakwater_types::deploy::{test_liquidation_params, CollateralPlan, DeployPlan};
use breakwater_types::liquidator::{AuctionParams, PriceCurve};
use breakwater_types::market::{self, CollateralParams, StateResponse};
use breakwater_types::oracle::{OracleParams, OracleStatus, PriceResponse, QueryMsg};
use cosmwasm_std::{Decimal, Uint128};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Collateral per position: 100 ATOM ($1,000 at the start price of 10).
pub const COLLATERAL: u128 = 100_000_000;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Logs to the test output, filtered by `E2E_LOG` (default `warn`).
pub fn init_logs() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            std::env::var("E2E_LOG").unwrap_or_else(|_| "warn".into()),
        ))
        .with_test_writer()
        .try_init();
}

/// One collateral (uatom at 10), fast auctions (4% every 3 s, floor at 80% of the oracle), an
/// oracle with a one-minute TWAP whose breaker allows the crash, and room for every
/// liquidation at once (depth 10^11 per 1%, budget 3%).
pub fn plan() -> DeployPlan {
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
                dynamic_bonus: None,
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
                follow_oracle: false,
                hold: 0,
                hold_tolerance: Decimal::zero(),
                hold_room: false,
                slide: None,
                // Sales paced by the cap, a cap per minute: the bidder reads what is left.
                pace_sales: Some(60),
                wait_falls: None,
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
            fall_band: Decimal::zero(),
            breaker_book: false,
        },
        liquidation: test_liquidation_params(),
        ..DeployPlan::default()
    }
}

/// A price path `t,uatom,price` in `target/<name>`.
pub fn write_path(name: &str, rows: &[(u64, &str)]) -> Result<PathBuf> {
    let path = root().join("target").join(name);
    let mut text = String::from("t,denom,price\n");
    for (t, p) in rows {
        text.push_str(&format!("{t},uatom,{p}\n"));
    }
    std::fs::write(&path, text)?;
    Ok(path)
}

/// Runs blocking devnet calls off the async workers.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(f).await?
}

/// Keeper roles running in-process.
pub struct Keepers {
    stop: tokio::sync::watch::Sender<bool>,
    tasks: tokio::task::JoinSet<Result<()>>,
    /// Their metrics.
    pub metrics: Arc<Metrics>,
}

impl Keepers {
    /// Starts the roles enabled in `cfg` on `client`.
    pub fn start(cfg: &Config, client: &Client, d: &Arc<Deployment>) -> Result<Self> {
        Self::start_with(cfg, client, d, false)
    }

    /// [`Keepers::start`], simulating only when `dry_run`.
    pub fn start_with(
        cfg: &Config,
        client: &Client,
        d: &Arc<Deployment>,
        dry_run: bool,
    ) -> Result<Self> {
        let metrics = Arc::new(Metrics::default());
        let (stop, rx) = tokio::sync::watch::channel(false);
        let mut ctx = Ctx::new(client.clone(), d.clone(), metrics.clone(), rx);
        ctx.dry_run = dry_run;
        Ok(Keepers {
            stop,
            tasks: bots::spawn(cfg, &ctx)?.0,
            metrics,
        })
    }

    /// Stops every role; fails if one failed.
    pub async fn stop(mut self) -> Result<Arc<Metrics>> {
        let _ = self.stop.send(true);
        while let Some(r) = self.tasks.join_next().await {
            r.context("a keeper role panicked")??;
        }
        Ok(self.metrics)
    }
}

/// `cfg` with only the feeder on, reading `path`, resubmitting every 5 s.
pub fn feeder_only(cfg: &Config, path: PathBuf) -> Config {
    let mut c = cfg.clone();
    c.feeder.enabled = true;
    c.feeder.interval_secs = 5;
    c.feeder.source = Some(PriceSource::Scenario(path));
    c.liquidator.enabled = false;
    c.bidder.enabled = false;
    c.resetter.enabled = false;
    c.backstop.enabled = false;
    c
}

/// The oracle's uatom price response.
pub async fn atom_price(client: &Client, d: &Deployment) -> Result<PriceResponse> {
    ctx(
        client
            .query(
                &d.oracle,
                &QueryMsg::Price {
                    denom: "uatom".into(),
                },
            )
            .await,
        "price",
    )
}

/// A deployed market with `n` borrowers (LTV spread 0.40 to 0.66 on 100 ATOM at 10).
pub struct Book {
    /// The contracts.
    pub d: Arc<Deployment>,
    /// The borrowers' addresses.
    pub borrowers: Vec<String>,
    /// The market's state once they are open.
    pub before: StateResponse,
}

/// Deploys the [`plan`] (twice: the second must reuse the first) and, with `venues`, the
/// devnet venue (a pool per collateral, the flash receiver); funds the market (400,000 USDC
/// supplied, 20,000 in the backstop) and opens `n` positions from accounts derived from the
/// faucet, while a feeder holds the price at 10.
pub async fn open_book(
    client: &Client,
    cfg: &Config,
    dn: &DevnetConfig,
    n: u32,
    venues: bool,
) -> Result<Book> {
    let req = devnet_deploy_request(dn, plan(), root().join("artifacts"), cfg.deployment_path())?;
    let mut owner = Wallet::new(cfg.signer("owner")?);
    let mut d = deploy(client, &mut owner, &req).await?;
    let again = deploy(client, &mut owner, &req).await?;
    ensure!(
        again == d,
        "a second deployment with the same code and plan must reuse the first"
    );
    if venues {
        breakwater_chain::venues::deploy_venues(client, &mut owner, &mut d, &req.artifacts).await?;
        d.save(&req.out)?;
    }
    let d = Arc::new(d);
    let calm = write_path(&format!("calm-{}.csv", dn.rpc_port), &[(0, "10")])?;
    let feeder = Keepers::start(&feeder_only(cfg, calm), client, &d)?;
    fund_market(
        client,
        &mut Wallet::new(cfg.signer("lender")?),
        &d,
        400_000_000_000,
        20_000_000_000,
    )
    .await?;
    let faucet_mnemonic = cfg.mnemonic(devnet::FAUCET)?;
    let mut faucet = Wallet::new(cfg.signer(devnet::FAUCET)?);
    let mut wallets = derived_wallets(&faucet_mnemonic, 1, n)?;
    let borrowers: Vec<String> = wallets.iter().map(|w| w.address()).collect();
    fund_all(
        client,
        &mut faucet,
        &borrowers,
        &[(COLLATERAL, "uatom"), (5_000_000, "ustake")],
        100,
    )
    .await?;
    let positions: Vec<Position> = (0..n)
        .map(|i| {
            let ltv = 0.40 + 0.26 * i as f64 / (n - 1).max(1) as f64;
            Position {
                denom: "uatom".into(),
                collateral: COLLATERAL,
                debt: (COLLATERAL as f64 * 10.0 * ltv) as u128,
            }
        })
        .collect();
    ensure!(
        wait_until(client, Duration::from_secs(30), || async {
            Ok(atom_price(client, &d).await?.status == OracleStatus::Active {})
        })
        .await?,
        "the oracle never got a price"
    );
    open_positions(client, &d, &mut wallets, &positions).await?;
    let before: StateResponse = ctx(
        client.query(&d.market, &market::QueryMsg::State {}).await,
        "state",
    )?;
    let accounts = ctx(all_accounts(client, &d).await, "accounts")?;
    ensure!(
        accounts.len() == n as usize,
        "{} accounts opened of {n}",
        accounts.len()
    );
    ensure!(accounts
        .iter()
        .all(|a| a.health_factor.is_some_and(|h| h >= Decimal::one())));
    feeder.stop().await?;
    Ok(Book {
        d,
        borrowers,
        before,
    })
}

/// Waits (up to `timeout`) until the oracle's price is `last` (the crash's last leg), no
/// account is unhealthy and no auction runs.
pub async fn settled(
    client: &Client,
    d: &Deployment,
    last: Decimal,
    timeout: Duration,
) -> Result<bool> {
    // Progress, printed when it changes: what is left to settle and how deep it is.
    let seen = std::cell::Cell::new((usize::MAX, usize::MAX));
    let start = std::time::Instant::now();
    wait_until(client, timeout, || async {
        if atom_price(client, d).await?.median != last {
            return Ok(false);
        }
        let accounts = ctx(all_accounts(client, d).await, "accounts")?;
        let unhealthy: Vec<_> = accounts
            .iter()
            .filter(|a| bots::liquidator::unhealthy(a))
            .collect();
        let running = all_auctions(client, &d.liquidator)
            .await
            .map(|a| a.len())
            .unwrap_or(usize::MAX);
        if seen.get() != (unhealthy.len(), running) {
            seen.set((unhealthy.len(), running));
            let lowest = unhealthy.iter().filter_map(|a| a.health_factor).min();
            let debt: u128 = unhealthy.iter().map(|a| a.debt.u128()).sum();
            println!(
                "settling at {:.0?}: {} of {} accounts unhealthy (lowest HF {lowest:?}, debt {debt}), \
                 {running} auctions",
                start.elapsed(),
                unhealthy.len(),
                accounts.len()
            );
        }
        Ok(unhealthy.is_empty() && running == 0)
    })
    .await
}

/// Every unit of `uusdc` and `uatom` is held by an address the test knows, and the market's
/// cash equals its bank balance.
pub async fn check_conservation(
    client: &Client,
    dn: &DevnetConfig,
    d: &Deployment,
    borrowers: &[String],
) -> Result<()> {
    let mut known: Vec<String> = devnet::accounts(dn)?
        .into_iter()
        .map(|a| a.address)
        .collect();
    known.extend(borrowers.iter().cloned());
    known.extend(d.contracts().iter().map(|(_, a, _)| a.to_string()));
    known.extend(d.venues.values().cloned());
    known.extend(d.flash_receiver.iter().cloned());
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
    let state: StateResponse = ctx(
        client.query(&d.market, &market::QueryMsg::State {}).await,
        "state",
    )?;
    let cash = ctx(client.balance(&d.market, "uusdc").await, "cash")?;
    ensure!(
        state.cash.u128() == cash,
        "market cash {} vs bank {cash}",
        state.cash
    );
    Ok(())
}
