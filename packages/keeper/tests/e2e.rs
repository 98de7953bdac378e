//! End to end on a real chain: a wasmd devnet, the optimized contracts, a few hundred
//! positions, a crash price path fed by the keeper's feeder, and the keeper bots liquidating,
//! bidding, resetting and triggering the backstop — with wasmd stopped and restarted mid-run.
//!
//! Needs wasmd and `artifacts/` (scripts/e2e.sh builds both, then runs this test; it is part of
//! `make test`). Runs on its own ports and home, so a developer's devnet is left alone.
mod common;

use anyhow::{ensure, Result};
use breakwater_chain::client::ctx;
use breakwater_chain::devnet::{self, DevnetConfig};
use breakwater_chain::harness::{test_port_base, wait_until};
use breakwater_chain::query::all_accounts;
use breakwater_keeper::bots;
use breakwater_keeper::config::{Config, DepthReports, PriceSource, RiskConfig};
use breakwater_keeper::metrics::Outcome;
use breakwater_keeper::risk::{venue_depth, DepthSource};
use breakwater_types::backstop::{self, PoolResponse};
use breakwater_types::liquidator::{self, RoomResponse};
use breakwater_types::market::{self, StateResponse};
use common::{blocking, check_conservation, open_book, root, settled, write_path, Keepers};
use cosmwasm_std::Decimal;
use std::time::{Duration, Instant};

/// Positions opened.
const POSITIONS: u32 = 240;

fn devnet_config() -> Result<DevnetConfig> {
    DevnetConfig {
        home: root().join("target/e2e-devnet"),
        denoms: vec!["uusdc".into(), "uatom".into()],
        ..DevnetConfig::default()
    }
    .with_port_base(test_port_base(1, 46657)?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs wasmd and the optimized wasm: run scripts/e2e.sh"]
async fn a_crash_on_a_real_chain_is_liquidated_by_the_keepers_across_a_node_restart() -> Result<()>
{
    common::init_logs();
    let t0 = Instant::now();
    let dn = devnet_config()?;
    let dn2 = dn.clone();
    blocking(move || devnet::reset(&dn2)).await?;
    println!("devnet up in {:.1?}", t0.elapsed());

    let cfg = Config::for_devnet(&dn)?;
    let client = cfg.client()?;
    let book = open_book(&client, &cfg, &dn, POSITIONS, true).await?;
    let (d, before) = (book.d.clone(), book.before.clone());
    println!(
        "{POSITIONS} positions open in {:.1?}, debt {}",
        t0.elapsed(),
        before.total_borrowed
    );

    // Before the crash, `keeper risk` on the live book: more debt becomes liquidatable the
    // deeper the fall, and the depth is the devnet pool's.
    let report = breakwater_keeper::risk::assess(&client, &d, &RiskConfig::default()).await?;
    let atom = &report.collaterals[0];
    let at = |pct: u32| {
        atom.shocks
            .iter()
            .find(|r| r.shock_pct == pct)
            .map(|r| r.liquidatable_debt)
            .unwrap_or(0)
    };
    println!("risk before the crash:\n{report}");
    ensure!(
        report.borrowers == POSITIONS as usize,
        "risk read {} borrowers",
        report.borrowers
    );
    ensure!(
        at(5) == 0 && at(10) > 0 && at(10) < at(20) && at(20) < at(30),
        "{report}"
    );
    ensure!(atom.depth_source == DepthSource::Pool, "{report}");

    // A dry-run liquidator watches the same crash: it simulates, never sends.
    let mut dry_cfg = cfg.clone();
    dry_cfg.bidder.enabled = false;
    dry_cfg.resetter.enabled = false;
    dry_cfg.backstop.enabled = false;
    dry_cfg.liquidator.key = "lender".into();
    let dry = Keepers::start_with(&dry_cfg, &client, &d, true)?;

    // The crash: 10 -> 8 at 15 s -> 6 at 45 s, held. Every role runs; the bidder flash-bids
    // through the receiver, selling each lot on the devnet pool: it never holds base for it.
    let crash = write_path("e2e-crash.csv", &[(0, "10"), (15, "8"), (45, "6")])?;
    let mut run_cfg = cfg.clone();
    run_cfg.feeder.enabled = true;
    run_cfg.feeder.interval_secs = 5;
    run_cfg.feeder.source = Some(PriceSource::Scenario(crash));
    run_cfg.bidder.flash = true;
    let bidder = cfg.signer("bidder")?.address.to_string();
    let bidder_before = (
        ctx(client.balance(&bidder, "uusdc").await, "balance")?,
        ctx(client.balance(&bidder, "uatom").await, "balance")?,
    );
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
        "wasmd restarted at {:.1?} after {landed_before_restart} liquidation transactions",
        t0.elapsed()
    );

    // Quiescence only counts once the path's last leg (6) is the oracle's price: the book can
    // be quiet between legs, and the last leg always lands after the restart.
    let quiet = settled(&client, &d, Decimal::percent(600), Duration::from_secs(240)).await?;
    let metrics = keepers.stop().await?;
    let dry = dry.stop().await?;
    let exposition = metrics.render();
    print!("{exposition}");
    ensure!(quiet, "unhealthy accounts or auctions remain after 240 s");
    // The liquidator role publishes the collateral's throttle every block: the plan's cap
    // (depth 10^11 per 1% times the 3% budget, nothing measured), the price active again.
    for line in [
        "breakwater_keeper_liquidation_cap{denom=\"uatom\"} 300000000000.0",
        "breakwater_keeper_oracle_active{denom=\"uatom\"} 1",
        "breakwater_keeper_liquidation_room{denom=\"uatom\"}",
    ] {
        ensure!(
            exposition.contains(line),
            "no {line} in the keeper's metrics"
        );
    }
    ensure!(
        dry.tx_count("liquidator", Outcome::Simulated) > 0
            && dry.tx_count("liquidator", Outcome::Submitted) == 0,
        "the dry run simulated {} and sent {}",
        dry.tx_count("liquidator", Outcome::Simulated),
        dry.tx_count("liquidator", Outcome::Submitted)
    );
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
        "debt {} -> {}; backstop covered {} (base), holds {:?}, owes the market {}; \
         redistributed {}; bad debt to reserves {}, socialized {}",
        before.total_borrowed,
        after.total_borrowed,
        pool.total_covered,
        pool.collateral,
        after.backstop_debt,
        after.debt_redistributed,
        after.bad_debt_covered_by_reserves,
        after.bad_debt_socialized
    );
    ensure!(
        metrics.tx_count("bidder", Outcome::Succeeded) > 0,
        "no bid filled"
    );
    // Flash bids: the bidder never held the collateral and only gained base.
    let bidder_after = (
        ctx(client.balance(&bidder, "uusdc").await, "balance")?,
        ctx(client.balance(&bidder, "uatom").await, "balance")?,
    );
    println!(
        "flash bidder: uusdc {} -> {}, uatom {} -> {}",
        bidder_before.0, bidder_after.0, bidder_before.1, bidder_after.1
    );
    ensure!(
        bidder_after.0 > bidder_before.0 && bidder_after.1 == bidder_before.1,
        "the flash bidder should profit in base and never hold collateral"
    );
    ensure!(
        after.total_borrowed < before.total_borrowed,
        "no debt was repaid"
    );
    ensure!(
        !pool.total_covered.is_zero() || pool.collateral.iter().any(|c| !c.amount.is_zero()),
        "the backstop neither covered a shortfall nor absorbed a position"
    );
    let unhealthy: Vec<_> = ctx(all_accounts(&client, &d).await, "accounts")?
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
    check_conservation(&client, &dn, &d, &book.borrowers).await?;

    // Depth measured on chain: feeders that send the devnet pool's depth with the price
    // (`feeder.depth = "auto"`) make it the oracle's measured depth, and the liquidator's cap
    // follows it under the configured depth (the crash above ran without depth reports: the
    // cap was the plan's configured depth, room for every liquidation at once).
    let room = |client: breakwater_chain::client::Client, liquidator: String| async move {
        let r: RoomResponse = ctx(
            client
                .query(
                    &liquidator,
                    &liquidator::QueryMsg::Room {
                        denom: "uatom".into(),
                    },
                )
                .await,
            "room",
        )?;
        anyhow::Ok(r)
    };
    let configured = room(client.clone(), d.liquidator.clone()).await?;
    ensure!(
        configured.measured_depth.is_none(),
        "a measured depth before any feeder reported one: {configured:?}"
    );
    let pool_depth = venue_depth(&client, &d.venues["uatom"]).await?;
    let held = write_path("e2e-depth.csv", &[(0, "6")])?;
    let mut depth_cfg = common::feeder_only(&cfg, held);
    depth_cfg.feeder.depth = DepthReports::Auto;
    // The preflight says what the feeder will send: the pool is a twentieth of the plan's
    // depth, so the room it makes is a warning.
    let preflight = breakwater_keeper::ops::check(&depth_cfg).await?;
    println!("{preflight}");
    ensure!(
        preflight
            .lines
            .iter()
            .any(|l| l.what == "depth of uatom" && l.ok && l.warning && l.detail.contains("tenth")),
        "the preflight did not warn of the thin venue's depth:\n{preflight}"
    );
    let feeders = Keepers::start(&depth_cfg, &client, &d)?;
    let (c, dd) = (client.clone(), d.clone());
    let reported = wait_until(&client, Duration::from_secs(60), || {
        let (c, dd) = (c.clone(), dd.clone());
        async move { Ok(common::atom_price(&c, &dd).await?.depth == Some(pool_depth)) }
    })
    .await?;
    feeders.stop().await?;
    ensure!(
        reported,
        "the oracle did not export the pool's depth {pool_depth} within 60 s: {:?}",
        common::atom_price(&client, &d).await?
    );
    let measured = room(client.clone(), d.liquidator.clone()).await?;
    let lcfg: liquidator::ConfigResponse = ctx(
        client
            .query(&d.liquidator, &liquidator::QueryMsg::Config {})
            .await,
        "liquidator config",
    )?;
    println!(
        "measured depth {pool_depth} per 1% (the pool's): cap {} -> {}",
        configured.hole, measured.hole
    );
    ensure!(
        measured.measured_depth == Some(pool_depth)
            && measured.hole == pool_depth.mul_floor(lcfg.impact_budget_pct)
            && measured.hole < configured.hole,
        "the cap does not follow the measured depth {pool_depth}: {configured:?} -> {measured:?}"
    );

    let dn2 = dn.clone();
    blocking(move || devnet::down(&dn2)).await?;
    println!("end to end in {:.1?}", t0.elapsed());
    Ok(())
}
