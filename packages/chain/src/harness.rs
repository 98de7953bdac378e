//! Driving a deployment from Rust: funding many derived accounts, opening positions in bulk,
//! and reading the totals the end-to-end test and the chain benchmarks assert on.
use crate::client::{ctx, execute_msg, send_msg, Client, Gas, Signer, TxOutcome, Wallet};
use crate::deploy::{DeployRequest, Deployment};
use crate::devnet::DevnetConfig;
use anyhow::{anyhow, bail, Result};
use breakwater_types::market;
use cosmrs::Any;
use std::path::PathBuf;
use std::time::Duration;

/// Environment variable moving every test network's ports (see [`test_port_base`]).
pub const TEST_PORT_BASE_ENV: &str = "BREAKWATER_E2E_PORT_BASE";

/// Port base (node 0's RPC port, see [`DevnetConfig::with_port_base`]) of the test network
/// in `slot`: `$BREAKWATER_E2E_PORT_BASE + 100·slot` when that is set, else `default`. Each
/// test and benchmark has its own slot, so they never share ports, and a developer moves them
/// all off the ports another checkout's tests use with one variable.
pub fn test_port_base(slot: u16, default: u16) -> Result<u16> {
    match std::env::var(TEST_PORT_BASE_ENV) {
        Ok(v) if !v.trim().is_empty() => {
            let base: u16 = v
                .trim()
                .parse()
                .map_err(|e| anyhow!("{TEST_PORT_BASE_ENV}={v:?}: {e}"))?;
            base.checked_add(100 * slot)
                .ok_or_else(|| anyhow!("{TEST_PORT_BASE_ENV}={v} + {} overflows", 100 * slot))
        }
        _ => Ok(default),
    }
}

/// The signer of the devnet's key `name` (from `<home>/accounts.json`).
pub fn devnet_signer(dn: &DevnetConfig, name: &str) -> Result<Signer> {
    Signer::from_mnemonic(&crate::devnet::account(dn, name)?.mnemonic, 0)
}

/// A client for the devnet: its RPC, chain id, bond denom and minimum gas price.
pub fn devnet_client(dn: &DevnetConfig) -> Result<Client> {
    Client::new(
        &crate::devnet::rpc_url(dn),
        &dn.chain_id,
        &dn.bond_denom,
        dn.gas_price()?,
    )
}

/// The deployment request for `plan` on a devnet: the devnet's `feeder0..2` and `guardian`,
/// recorded in `out`.
pub fn devnet_deploy_request(
    dn: &DevnetConfig,
    plan: breakwater_types::deploy::DeployPlan,
    artifacts: PathBuf,
    out: PathBuf,
) -> Result<DeployRequest> {
    Ok(DeployRequest {
        plan,
        artifacts,
        feeders: ["feeder0", "feeder1", "feeder2"]
            .iter()
            .map(|f| Ok(devnet_signer(dn, f)?.address.to_string()))
            .collect::<Result<_>>()?,
        guardian: Some(devnet_signer(dn, "guardian")?.address.to_string()),
        out,
    })
}

/// `lender` supplies `supply` base to the market and deposits `insurance` base in the
/// backstop.
pub async fn fund_market(
    client: &Client,
    lender: &mut Wallet,
    d: &Deployment,
    supply: u128,
    insurance: u128,
) -> Result<()> {
    let base = d.plan.base_denom.as_str();
    exec(
        client,
        lender,
        &d.market,
        &market::ExecuteMsg::Supply {},
        &[(supply, base)],
    )
    .await?;
    exec(
        client,
        lender,
        &d.backstop,
        &breakwater_types::backstop::ExecuteMsg::Deposit {},
        &[(insurance, base)],
    )
    .await?;
    Ok(())
}

/// Broadcasts one transaction per wallet (each with its own messages) concurrently, `chunk`
/// at a time, then waits for every one to land. Fails if any fails.
pub async fn send_each(
    client: &Client,
    wallets: &mut [Wallet],
    msgs: impl Fn(&Wallet) -> Result<Vec<Any>>,
    gas: Gas,
    chunk: usize,
) -> Result<Vec<TxOutcome>> {
    let mut hashes = vec![];
    for group in wallets.chunks_mut(chunk.max(1)) {
        let prepared: Vec<Vec<Any>> = group.iter().map(&msgs).collect::<Result<_>>()?;
        let sent = futures::future::join_all(
            group
                .iter_mut()
                .zip(prepared)
                .map(|(w, m)| async move { w.broadcast(client, &m, gas).await }),
        )
        .await;
        for s in sent {
            hashes.push(ctx(s, "broadcast")?.0);
        }
    }
    let mut outs = vec![];
    for h in hashes {
        let out = ctx(client.wait_tx(&h).await, "waiting for a transaction")?;
        if !out.ok() {
            bail!("transaction {h} failed: {}", out.log);
        }
        outs.push(out);
    }
    Ok(outs)
}

/// Accounts `first..first+n` of `mnemonic` (HD index), as wallets.
pub fn derived_wallets(mnemonic: &str, first: u32, n: u32) -> Result<Vec<Wallet>> {
    let seed = crate::client::seed(mnemonic)?;
    (first..first + n)
        .map(|i| Ok(Wallet::new(Signer::from_seed(&seed, i)?)))
        .collect()
}

/// Sends `amount` to every address from `from`, `per_tx` transfers per transaction.
pub async fn fund_all(
    client: &Client,
    from: &mut Wallet,
    to: &[String],
    amount: &[(u128, &str)],
    per_tx: usize,
) -> Result<()> {
    let mut hashes = vec![];
    for group in to.chunks(per_tx.max(1)) {
        let msgs = group
            .iter()
            .map(|a| send_msg(&from.signer.address, a, amount))
            .collect::<Result<Vec<_>>>()?;
        hashes.push(
            ctx(
                from.broadcast(client, &msgs, Gas::Simulate).await,
                "funding",
            )?
            .0,
        );
    }
    for h in hashes {
        let out = ctx(client.wait_tx(&h).await, "funding")?;
        if !out.ok() {
            bail!("funding transaction failed: {}", out.log);
        }
    }
    Ok(())
}

/// A position to open: collateral units of `denom` and base units to borrow.
#[derive(Debug, Clone)]
pub struct Position {
    /// Collateral denom.
    pub denom: String,
    /// Collateral units deposited.
    pub collateral: u128,
    /// Base units borrowed.
    pub debt: u128,
}

/// The messages opening `p` for `w`: deposit the collateral, borrow.
pub fn open_msgs(d: &Deployment, w: &Wallet, p: &Position) -> Result<Vec<Any>> {
    Ok(vec![
        execute_msg(
            &w.signer.address,
            &d.market,
            &market::ExecuteMsg::DepositCollateral { on_behalf_of: None },
            &[(p.collateral, p.denom.as_str())],
        )?,
        execute_msg(
            &w.signer.address,
            &d.market,
            &market::ExecuteMsg::Borrow {
                amount: p.debt.into(),
            },
            &[],
        )?,
    ])
}

/// Opens one position per wallet (`positions[i]` for `wallets[i]`).
pub async fn open_positions(
    client: &Client,
    d: &Deployment,
    wallets: &mut [Wallet],
    positions: &[Position],
) -> Result<()> {
    if wallets.len() != positions.len() {
        bail!(
            "{} wallets for {} positions",
            wallets.len(),
            positions.len()
        );
    }
    let by_addr: std::collections::HashMap<String, &Position> = wallets
        .iter()
        .map(|w| w.address())
        .zip(positions.iter())
        .collect();
    send_each(
        client,
        wallets,
        |w| {
            let p = by_addr
                .get(&w.address())
                .ok_or_else(|| anyhow!("no position for {}", w.address()))?;
            open_msgs(d, w, p)
        },
        Gas::Fixed(900_000),
        100,
    )
    .await?;
    Ok(())
}

/// One message from `w` to `contract`, waited for.
pub async fn exec<M: serde::Serialize>(
    client: &Client,
    w: &mut Wallet,
    contract: &str,
    msg: &M,
    funds: &[(u128, &str)],
) -> Result<TxOutcome> {
    let any = execute_msg(&w.signer.address, contract, msg, funds)?;
    ctx(w.send(client, &[any], Gas::Simulate).await, "execute")
}

/// Waits until `cond` holds (checked once per block) or `timeout` passes.
pub async fn wait_until<F, Fut>(client: &Client, timeout: Duration, mut cond: F) -> Result<bool>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<bool>>,
{
    let start = std::time::Instant::now();
    loop {
        if cond().await? {
            return Ok(true);
        }
        if start.elapsed() > timeout {
            return Ok(false);
        }
        let h = ctx(client.height().await, "height").unwrap_or(0);
        let _ = client.wait_height(h, Duration::from_secs(10)).await;
    }
}
