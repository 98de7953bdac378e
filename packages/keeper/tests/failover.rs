//! A real network, not one node: a crash on a four-validator CometBFT network on loopback,
//! with the keeper given all four RPC endpoints and no node indexing transactions. Mid-crash
//! the validator the keeper is talking to is stopped: blocks keep coming from the other three,
//! the keeper fails over to the next endpoint and carries on, nothing is lost (the book ends
//! healthy, every unit accounted for) and no account is liquidated twice. The bidder buys lots
//! and sells them on the devnet pool in the same transaction.
//!
//! Needs wasmd and `artifacts/` (scripts/e2e.sh); part of `make test`.
mod common;

use anyhow::{ensure, Result};
use breakwater_chain::client::{ctx, Client};
use breakwater_chain::devnet::{self, DevnetConfig};
use breakwater_chain::harness::{test_port_base, wait_until};
use breakwater_chain::query::all_accounts;
use breakwater_keeper::bots;
use breakwater_keeper::config::{Config, PriceSource};
use breakwater_keeper::metrics::Outcome;
use common::{blocking, check_conservation, open_book, root, settled, write_path, Keepers};
use cosmwasm_std::Decimal;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Positions opened.
const POSITIONS: u32 = 160;
/// Validators.
const VALIDATORS: u32 = 4;

fn devnet_config() -> Result<DevnetConfig> {
    DevnetConfig {
        home: root().join("target/failover-devnet"),
        validators: Some(VALIDATORS),
        tx_index: false,
        denoms: vec!["uusdc".into(), "uatom".into()],
        ..DevnetConfig::default()
    }
    .with_port_base(test_port_base(2, 46757)?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs wasmd and the optimized wasm: run scripts/e2e.sh"]
async fn the_keeper_fails_over_when_its_validator_dies_mid_crash() -> Result<()> {
    common::init_logs();
    let t0 = Instant::now();
    let dn = devnet_config()?;
    let dn2 = dn.clone();
    let st = blocking(move || devnet::reset(&dn2)).await?;
    ensure!(st.nodes.len() == VALIDATORS as usize && st.running, "{st}");
    println!("{VALIDATORS} validators up in {:.1?}", t0.elapsed());
    let urls = devnet::rpc_urls(&dn)?;

    let cfg = Config::for_devnet(&dn)?;
    ensure!(cfg.chain.rpc == urls, "the keeper gets every endpoint");
    // The test reads the chain through its own client; the keepers get theirs.
    let client = cfg.client()?;
    let keeper_client = cfg.client()?;
    let book = open_book(&client, &cfg, &dn, POSITIONS, true).await?;
    let d = book.d.clone();
    let crash_height = ctx(client.height().await, "height")?;
    println!("{POSITIONS} positions open in {:.1?}", t0.elapsed());

    // The crash: 10 -> 8 at 15 s -> 6 at 50 s, held.
    let crash = write_path("failover-crash.csv", &[(0, "10"), (15, "8"), (50, "6")])?;
    let mut run_cfg = cfg.clone();
    run_cfg.feeder.enabled = true;
    run_cfg.feeder.interval_secs = 5;
    run_cfg.feeder.source = Some(PriceSource::Scenario(crash));
    let keepers = Keepers::start(&run_cfg, &keeper_client, &d)?;
    let m = keepers.metrics.clone();
    ensure!(
        wait_until(&client, Duration::from_secs(90), || async {
            Ok(m.tx_count("liquidator", Outcome::Succeeded) >= 5)
        })
        .await?,
        "no liquidation landed within 90 s"
    );

    // Stop the validator the keeper is using.
    let active = keeper_client.rpc().active_url().to_string();
    let victim = urls
        .iter()
        .position(|u| *u == active)
        .expect("the active endpoint is one of the devnet's") as u32;
    let landed_at_stop = m.liquidations();
    let dn2 = dn.clone();
    blocking(move || devnet::stop_node(&dn2, victim).map(|_| ())).await?;
    println!(
        "stopped node {victim} ({active}) at {:.1?}, after {landed_at_stop} liquidations",
        t0.elapsed()
    );

    // Blocks keep coming from the other three.
    let survivor = Client::new(
        &urls[((victim + 1) % VALIDATORS) as usize],
        &dn.chain_id,
        &dn.bond_denom,
        dn.gas_price()?,
    )?;
    let h0 = ctx(survivor.height().await, "height")?;
    ctx(
        survivor.wait_height(h0 + 5, Duration::from_secs(60)).await,
        "blocks after the stop",
    )?;
    println!("blocks {h0} -> {} without node {victim}", h0 + 5);

    // The keeper moved to another endpoint and keeps liquidating.
    ensure!(
        wait_until(&survivor, Duration::from_secs(30), || async {
            Ok(keeper_client.rpc().active_url() != active)
        })
        .await?,
        "the keeper still talks to the stopped node"
    );
    println!(
        "keeper failed over to {} ({} failovers)",
        keeper_client.rpc().active_url(),
        keeper_client.rpc().failovers()
    );

    let quiet = settled(
        &survivor,
        &d,
        Decimal::percent(600),
        Duration::from_secs(300),
    )
    .await?;
    let metrics = keepers.stop().await?;
    for line in metrics.render().lines() {
        let wanted = [
            "_tx_total",
            "_liquidations_total",
            "_rpc_failovers_total",
            "_reaction_blocks_bucket",
        ];
        if wanted.iter().any(|w| line.contains(w)) {
            println!("{line}");
        }
    }
    ensure!(quiet, "unhealthy accounts or auctions remain after 300 s");
    ensure!(
        metrics.liquidations() > landed_at_stop,
        "no liquidation landed after the failover"
    );
    ensure!(
        metrics.tx_count("liquidator", Outcome::Failed) == 0,
        "{} liquidation transactions failed on chain",
        metrics.tx_count("liquidator", Outcome::Failed)
    );
    let unhealthy: Vec<_> = ctx(all_accounts(&survivor, &d).await, "accounts")?
        .into_iter()
        .filter(bots::liquidator::unhealthy)
        .collect();
    ensure!(unhealthy.is_empty(), "accounts below HF 1: {unhealthy:?}");

    // No account liquidated twice: from the blocks themselves, at most once per price leg
    // (a partial liquidation restores the target health factor at that price).
    let end = ctx(survivor.height().await, "height")?;
    let mut per_borrower: BTreeMap<String, u32> = BTreeMap::new();
    let mut failed_liquidations = 0;
    for h in crash_height + 1..=end {
        for (code, events) in ctx(survivor.block_events(h).await, "block results")? {
            let liqs: Vec<&str> = events
                .iter()
                .filter(|(k, a)| {
                    k == "wasm" && a.iter().any(|(x, v)| x == "action" && v == "liquidate")
                })
                .filter_map(|(_, a)| a.iter().find(|(x, _)| x == "borrower"))
                .map(|(_, v)| v.as_str())
                .collect();
            if code != 0 {
                failed_liquidations += liqs.len();
            }
            for b in liqs {
                *per_borrower.entry(b.to_string()).or_default() += 1;
            }
        }
    }
    let twice: Vec<_> = per_borrower.iter().filter(|(_, n)| **n > 2).collect();
    println!(
        "{} borrowers liquidated, {} liquidations in blocks {}..={end}",
        per_borrower.len(),
        per_borrower.values().sum::<u32>(),
        crash_height + 1
    );
    ensure!(
        twice.is_empty(),
        "liquidated more than once per price leg: {twice:?}"
    );
    ensure!(
        failed_liquidations == 0,
        "{failed_liquidations} liquidations failed in blocks"
    );
    ensure!(
        per_borrower.values().sum::<u32>() as u64 == metrics.liquidations(),
        "the keeper counted {} liquidations, the blocks hold {}",
        metrics.liquidations(),
        per_borrower.values().sum::<u32>()
    );
    check_conservation(&survivor, &dn, &d, &book.borrowers).await?;

    // The stopped validator comes back and catches up.
    let dn2 = dn.clone();
    blocking(move || devnet::start_node(&dn2, victim)).await?;
    let back = Client::new(
        &urls[victim as usize],
        &dn.chain_id,
        &dn.bond_denom,
        dn.gas_price()?,
    )?;
    let top = ctx(survivor.height().await, "height")?;
    ensure!(
        wait_until(&survivor, Duration::from_secs(60), || async {
            Ok(back.height().await.unwrap_or(0) >= top)
        })
        .await?,
        "node {victim} did not catch up with the network (height {top})"
    );
    println!("node {victim} back and caught up with height {top}");
    let dn2 = dn.clone();
    blocking(move || devnet::down(&dn2)).await?;
    println!("failover end to end in {:.1?}", t0.elapsed());
    Ok(())
}
