//! The deployer's life after the first deployment, on a real node: the record lives outside
//! `target/` (`deployments/<chain-id>.json` by default), the contracts migrate to new code
//! keeping their state, and their wasm admin and ownership go to a 2-of-2 multisig account —
//! the multisig accepts with a transaction signed by both members through the wasmd CLI
//! (amino-JSON multisig), after which the old owner can neither migrate nor act as owner.
//!
//! Needs wasmd and `artifacts/` (scripts/e2e.sh); part of `make test`.
mod common;

use anyhow::{bail, ensure, Context, Result};
use breakwater_chain::client::{ctx, send_msg, Client, Gas, Wallet};
use breakwater_chain::deploy::{self, contract_admin, contract_code_id, deploy, Deployment};
use breakwater_chain::devnet::{self, DevnetConfig};
use breakwater_chain::harness::{devnet_deploy_request, test_port_base};
use breakwater_keeper::config::{default_deployment, Config};
use breakwater_types::market;
use common::{blocking, plan, root};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn devnet_config() -> Result<DevnetConfig> {
    DevnetConfig {
        home: root().join("target/admin-devnet"),
        denoms: vec!["uusdc".into(), "uatom".into()],
        ..DevnetConfig::default()
    }
    .with_port_base(test_port_base(3, 46857)?)
}

/// Runs the devnet's wasmd CLI against its node; returns stdout.
fn cli(dn: &DevnetConfig, args: &[&str]) -> Result<String> {
    let home = dn.home_dir()?;
    let out = Command::new(&dn.wasmd)
        .args(args)
        .arg("--home")
        .arg(&home)
        .stdin(std::process::Stdio::null())
        .output()
        .with_context(|| format!("running wasmd {}", args.join(" ")))?;
    if !out.status.success() {
        bail!(
            "wasmd {} failed: {}{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A copy of `artifacts/` whose market and liquidator wasm carry an extra custom section:
/// the same code under a new checksum, i.e. new code to migrate to.
fn new_code_artifacts(into: &Path) -> Result<PathBuf> {
    std::fs::create_dir_all(into)?;
    for (_, file) in deploy::CONTRACTS {
        let mut wasm = std::fs::read(root().join("artifacts").join(file))?;
        if file.contains("market") || file.contains("liquidator") {
            let name = b"breakwater-migration-test";
            let payload = b"v2";
            let len = 1 + name.len() + payload.len();
            wasm.push(0); // custom section
            wasm.push(len as u8);
            wasm.push(name.len() as u8);
            wasm.extend_from_slice(name);
            wasm.extend_from_slice(payload);
        }
        std::fs::write(into.join(file), wasm)?;
    }
    Ok(into.to_path_buf())
}

/// The `owner` and `pending_owner` of a contract's `Config {}`.
async fn owner_of(client: &Client, addr: &str) -> Result<(String, Option<String>)> {
    let v: serde_json::Value = ctx(
        client
            .query(addr, &serde_json::json!({ "config": {} }))
            .await,
        "config",
    )?;
    let owner = v["owner"].as_str().unwrap_or_default().to_string();
    let pending = v["pending_owner"].as_str().map(str::to_string);
    Ok((owner, pending))
}

/// Executes `msg` on `contract` from the multisig: generated unsigned, signed by each member
/// in amino-JSON mode, combined, broadcast; waits for the block.
async fn multisig_execute(
    dn: &DevnetConfig,
    client: &Client,
    multisig: &str,
    members: &[&str],
    contract: &str,
    msg: &str,
    dir: &Path,
) -> Result<()> {
    let node = format!("tcp://127.0.0.1:{}", dn.rpc_port);
    let common = [
        "--chain-id",
        &dn.chain_id,
        "--node",
        &node,
        "--keyring-backend",
        "test",
    ];
    let unsigned = cli(
        dn,
        &[
            &["tx", "wasm", "execute", contract, msg, "--from", multisig],
            &common[..],
            &["--generate-only", "--gas", "600000", "--fees", "2000ustake"],
        ]
        .concat(),
    )?;
    let unsigned_path = dir.join("unsigned.json");
    std::fs::write(&unsigned_path, unsigned)?;
    let mut parts = vec![];
    for m in members {
        let part = dir.join(format!("{m}.json"));
        cli(
            dn,
            &[
                &[
                    "tx",
                    "sign",
                    &unsigned_path.to_string_lossy(),
                    "--multisig",
                    multisig,
                    "--from",
                    m,
                    "--sign-mode",
                    "amino-json",
                    "--output-document",
                    &part.to_string_lossy(),
                ],
                &common[..],
            ]
            .concat(),
        )?;
        parts.push(part.to_string_lossy().into_owned());
    }
    let unsigned_str = unsigned_path.to_string_lossy().into_owned();
    let mut args: Vec<&str> = vec!["tx", "multisign", &unsigned_str, "msig"];
    args.extend(parts.iter().map(String::as_str));
    args.extend_from_slice(&common);
    let signed = cli(dn, &args)?;
    let signed_path = dir.join("signed.json");
    std::fs::write(&signed_path, signed)?;
    let out = cli(
        dn,
        &[
            &[
                "tx",
                "broadcast",
                &signed_path.to_string_lossy(),
                "--output",
                "json",
            ],
            &common[..],
        ]
        .concat(),
    )?;
    let v: serde_json::Value = serde_json::from_str(&out).context("broadcast answer")?;
    ensure!(
        v["code"].as_u64() == Some(0),
        "multisig broadcast refused: {out}"
    );
    let hash = v["txhash"].as_str().context("no txhash")?;
    let res = ctx(client.wait_tx(hash).await, "multisig tx")?;
    ensure!(res.ok(), "multisig tx failed: {}", res.log);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs wasmd and the optimized wasm: run scripts/e2e.sh"]
async fn contracts_migrate_and_move_to_a_multisig_that_accepts_ownership() -> Result<()> {
    common::init_logs();
    let t0 = Instant::now();
    let dn = devnet_config()?;
    let dn2 = dn.clone();
    blocking(move || devnet::reset(&dn2)).await?;
    let mut cfg = Config::for_devnet(&dn)?;
    // The record goes where an operator's would: deployments/<chain-id>.json (here under the
    // test's home, so a developer's file is left alone).
    cfg.deployment = Some(dn.home.join(default_deployment(&dn.chain_id)));
    let out = cfg.deployment_path();
    ensure!(out.ends_with("deployments/breakwater-local.json"));
    let client = cfg.client()?;
    let req = devnet_deploy_request(&dn, plan(), root().join("artifacts"), out.clone())?;
    let mut owner = Wallet::new(cfg.signer("owner")?);
    let mut d = deploy(&client, &mut owner, &req).await?;
    ensure!(Deployment::load(&out)? == d, "the record is written");
    let mut lender = Wallet::new(cfg.signer("lender")?);
    breakwater_chain::harness::fund_market(&client, &mut lender, &d, 1_000_000_000, 1_000_000)
        .await?;
    let supplied = |c: Client, m: String| async move {
        let s: market::StateResponse =
            ctx(c.query(&m, &market::QueryMsg::State {}).await, "state")?;
        anyhow::Ok(s.total_supplied)
    };
    let before = supplied(client.clone(), d.market.clone()).await?;

    // Migration to new code (same logic, new checksum), as the admin.
    let dir = dn.home.join("migration");
    let artifacts = new_code_artifacts(&dir)?;
    let old = (d.market_code.code_id, d.liquidator_code.code_id);
    let done = deploy::migrate(&client, &mut owner, &mut d, &artifacts, &[], &out).await?;
    let moved: Vec<&str> = done
        .iter()
        .filter(|m| m.from != m.to)
        .map(|m| m.name)
        .collect();
    ensure!(moved == ["market", "liquidator"], "migrated {moved:?}");
    ensure!(d.market_code.code_id != old.0 && d.liquidator_code.code_id != old.1);
    ensure!(contract_code_id(&client, &d.market).await? == Some(d.market_code.code_id));
    ensure!(
        Deployment::load(&out)? == d,
        "the record follows the migration"
    );
    ensure!(
        supplied(client.clone(), d.market.clone()).await? == before,
        "the market's state survived the migration"
    );
    // Migrating again to the same code does nothing.
    let again = deploy::migrate(&client, &mut owner, &mut d, &artifacts, &[], &out).await?;
    ensure!(again.iter().all(|m| m.from == m.to));
    println!("migrated market and liquidator in {:.1?}", t0.elapsed());

    // A 2-of-2 multisig of two devnet keys, funded for fees.
    let members = ["guardian", "lender"];
    cli(
        &dn,
        &[
            "keys",
            "add",
            "msig",
            "--multisig",
            &members.join(","),
            "--multisig-threshold",
            "2",
            "--keyring-backend",
            "test",
        ],
    )?;
    let msig = cli(
        &dn,
        &["keys", "show", "msig", "-a", "--keyring-backend", "test"],
    )?
    .trim()
    .to_string();
    let mut faucet = Wallet::new(cfg.signer(devnet::FAUCET)?);
    let fund = send_msg(&faucet.signer.address, &msig, &[(10_000_000, "ustake")])?;
    ctx(
        faucet.send(&client, &[fund], Gas::Simulate).await,
        "fund msig",
    )?;

    // Hand over: the admin moves at once, ownership is proposed.
    deploy::handover(&client, &mut owner, &mut d, &msig, &out).await?;
    for (name, addr, _) in d.contracts() {
        ensure!(
            contract_admin(&client, addr).await?.as_deref() == Some(msig.as_str()),
            "{name}: admin is not the multisig"
        );
        let (o, pending) = owner_of(&client, addr).await?;
        ensure!(
            o == owner.address(),
            "{name}: owner changed before acceptance"
        );
        if let Some(p) = pending {
            ensure!(p == msig, "{name}: pending owner {p}");
        }
    }
    ensure!(Deployment::load(&out)?.pending_owner.as_deref() == Some(msig.as_str()));
    // The old owner is no longer the admin: it cannot migrate.
    let mut d2 = d.clone();
    let refused = deploy::migrate(
        &client,
        &mut owner,
        &mut d2,
        &root().join("artifacts"),
        &["market".into()],
        &dn.home.join("scratch.json"),
    )
    .await;
    ensure!(
        refused.is_err(),
        "the old owner migrated after the handover"
    );

    // The multisig accepts ownership of each contract.
    let work = dn.home.join("msig");
    std::fs::create_dir_all(&work)?;
    for (name, addr, _) in d.contracts() {
        multisig_execute(
            &dn,
            &client,
            &msig,
            &members,
            addr,
            r#"{"accept_ownership":{}}"#,
            &work,
        )
        .await
        .with_context(|| format!("accepting {name}"))?;
        let (o, _) = owner_of(&client, addr).await?;
        ensure!(o == msig, "{name}: owner {o} after acceptance");
    }
    // The old owner is refused as owner now.
    let retake = breakwater_chain::client::execute_msg(
        &owner.signer.address,
        &d.market,
        &market::ExecuteMsg::TransferOwnership {
            new_owner: owner.address(),
        },
        &[],
    )?;
    let res = owner.send(&client, &[retake], Gas::Simulate).await;
    ensure!(
        res.as_ref()
            .err()
            .is_some_and(|e| e.to_string().contains("unauthorized")),
        "the old owner still acts as owner: {res:?}"
    );
    let dn2 = dn.clone();
    blocking(move || devnet::down(&dn2)).await?;
    println!("migration and multisig handover in {:.1?}", t0.elapsed());
    Ok(())
}
