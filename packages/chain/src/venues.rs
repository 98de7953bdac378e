//! The devnet venue (`contracts/devnet-pool`, `contracts/flash-receiver`): one
//! constant-product pool per collateral, seeded by the owner at the plan's prices, and a flash
//! receiver that sells flash-bid lots on them. Recorded in the deployment so the keeper's
//! bidder finds them. Devnet only: on a real chain the bidder is given that chain's DEX depth.
use crate::client::{ctx, execute_msg, Client, Gas, Wallet};
use crate::deploy::{contract_code_id, instantiate, store, stored_codes, Deployment};
use anyhow::{anyhow, Context, Result};
use breakwater_types::venue::{PoolExecuteMsg, PoolInstantiateMsg, ReceiverInstantiateMsg};
use cosmwasm_std::Uint128;
use std::path::Path;

/// Artifact of the pool contract.
pub const POOL_WASM: &str = "breakwater_devnet_pool.wasm";
/// Artifact of the flash receiver.
pub const RECEIVER_WASM: &str = "breakwater_flash_receiver.wasm";
/// Base units seeded into each pool (1,000,000 of a 6-decimal base).
pub const POOL_BASE: u128 = 1_000_000_000_000;
/// Swap fee of the devnet pools, basis points.
pub const POOL_FEE_BPS: u16 = 30;

/// Deploys a pool per collateral of `d`'s plan and the flash receiver, as `owner` (who seeds
/// the pools with [`POOL_BASE`] of base and the matching collateral at the plan's price), and
/// records them in `d`. Pools and receiver still on chain are reused.
pub async fn deploy_venues(
    client: &Client,
    owner: &mut Wallet,
    d: &mut Deployment,
    artifacts: &Path,
) -> Result<()> {
    let mut alive = !d.venues.is_empty() && d.flash_receiver.is_some();
    for addr in d.venues.values().chain(d.flash_receiver.iter()) {
        alive &= contract_code_id(client, addr).await?.is_some();
    }
    let all_pools = d
        .plan
        .collaterals
        .iter()
        .all(|c| d.venues.contains_key(&c.params.denom));
    if alive && all_pools {
        tracing::info!("devnet venues on chain, reusing");
        return Ok(());
    }
    let known = stored_codes(client).await?;
    let mut gas = vec![];
    let read = |file: &str| {
        let path = artifacts.join(file);
        std::fs::read(&path).with_context(|| {
            format!(
                "reading {} (build it with scripts/build-wasm.sh)",
                path.display()
            )
        })
    };
    let pool_code = store(
        client,
        owner,
        "devnet-pool",
        read(POOL_WASM)?,
        &known,
        &mut gas,
    )
    .await?;
    let receiver_code = store(
        client,
        owner,
        "flash-receiver",
        read(RECEIVER_WASM)?,
        &known,
        &mut gas,
    )
    .await?;
    let base = d.plan.base_denom.clone();
    let mut pools = vec![];
    for c in &d.plan.collaterals {
        let denom = c.params.denom.clone();
        let pool = instantiate(
            client,
            owner,
            &pool_code,
            &format!("breakwater-devnet-pool-{denom}"),
            &PoolInstantiateMsg {
                base_denom: base.clone(),
                collateral_denom: denom.clone(),
                fee_bps: POOL_FEE_BPS,
            },
            &mut gas,
        )
        .await?;
        let collateral = Uint128::new(POOL_BASE)
            .checked_div_floor(c.price)
            .map_err(|e| anyhow!("seeding the {denom} pool: {e}"))?
            .u128();
        let msg = execute_msg(
            &owner.signer.address,
            &pool,
            &PoolExecuteMsg::ProvideLiquidity {},
            &[(POOL_BASE, base.as_str()), (collateral, denom.as_str())],
        )?;
        ctx(
            owner.send(client, &[msg], Gas::Simulate).await,
            &format!("seeding the {denom} pool"),
        )?;
        tracing::info!(%denom, %pool, base = POOL_BASE, collateral, "devnet pool seeded");
        pools.push((denom, pool));
    }
    let receiver = instantiate(
        client,
        owner,
        &receiver_code,
        "breakwater-flash-receiver",
        &ReceiverInstantiateMsg {
            liquidator: d.liquidator.clone(),
            pools: pools.clone(),
        },
        &mut gas,
    )
    .await?;
    d.venues = pools.into_iter().collect();
    d.flash_receiver = Some(receiver);
    d.gas.extend(gas);
    Ok(())
}
