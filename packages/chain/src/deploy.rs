//! The deployer: stores the optimized wasm (reusing code already stored with the same
//! checksum), instantiates the four contracts from a [`DeployPlan`] wired to each other, and
//! writes addresses and code ids to a JSON file. Re-running it with the same code and plan
//! reuses the deployment recorded in the file when it is still on chain.
use crate::client::{ctx, ensure_ok, execute_msg, Client, Gas, Wallet};
use anyhow::{anyhow, bail, Context, Result};
use breakwater_types::deploy::DeployPlan;
use cosmrs::proto::cosmos::base::query::v1beta1::PageRequest;
use cosmrs::proto::cosmwasm::wasm::v1::{
    QueryCodesRequest, QueryCodesResponse, QueryContractInfoRequest, QueryContractInfoResponse,
};
use cosmrs::tx::Msg;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The contracts, in deployment order, with their artifact names.
pub const CONTRACTS: [(&str, &str); 4] = [
    ("oracle", "breakwater_oracle.wasm"),
    ("market", "breakwater_market.wasm"),
    ("liquidator", "breakwater_liquidator.wasm"),
    ("backstop", "breakwater_backstop.wasm"),
];

/// One stored code.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Code {
    /// Code id on chain.
    pub code_id: u64,
    /// SHA-256 of the wasm, hex.
    pub checksum: String,
}

/// What the deployer wrote: everything a keeper needs to find the contracts.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Deployment {
    /// Chain id.
    pub chain_id: String,
    /// SHA-256 of the plan's JSON, hex: a changed plan redeploys.
    pub plan_hash: String,
    /// The plan instantiated.
    pub plan: DeployPlan,
    /// Owner (and admin) of every contract.
    pub owner: String,
    /// Guardian of the market's breaker.
    pub guardian: Option<String>,
    /// Whitelisted feeders of every asset.
    pub feeders: Vec<String>,
    /// Stored code per contract.
    pub oracle_code: Code,
    /// Stored code of the market.
    pub market_code: Code,
    /// Stored code of the liquidator.
    pub liquidator_code: Code,
    /// Stored code of the backstop.
    pub backstop_code: Code,
    /// Oracle address.
    pub oracle: String,
    /// Market address.
    pub market: String,
    /// Liquidator address.
    pub liquidator: String,
    /// Backstop address.
    pub backstop: String,
    /// Gas used by each deployment transaction that ran (empty when everything was reused).
    pub gas: Vec<(String, u64)>,
}

impl Deployment {
    /// Reads a deployment file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading deployment {}", path.display()))?;
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
    }

    /// Writes the deployment file (creating its directory).
    pub fn save(&self, path: &Path) -> Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, serde_json::to_string_pretty(self)? + "\n")
            .with_context(|| format!("writing {}", path.display()))
    }
}

/// Inputs of a deployment.
#[derive(Debug, Clone)]
pub struct DeployRequest {
    /// The plan.
    pub plan: DeployPlan,
    /// Folder holding the optimized `breakwater_*.wasm` (`scripts/build-wasm.sh` writes
    /// `artifacts/`).
    pub artifacts: PathBuf,
    /// Feeder addresses.
    pub feeders: Vec<String>,
    /// Guardian address.
    pub guardian: Option<String>,
    /// Where the deployment is recorded (and read back for reuse).
    pub out: PathBuf,
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Every stored code on chain, as (code id, checksum hex).
pub async fn stored_codes(client: &Client) -> Result<Vec<(u64, String)>> {
    let mut out = vec![];
    let mut key = vec![];
    loop {
        let res: QueryCodesResponse = ctx(
            client
                .abci(
                    "/cosmwasm.wasm.v1.Query/Codes",
                    &QueryCodesRequest {
                        pagination: Some(PageRequest {
                            key: key.clone(),
                            offset: 0,
                            limit: 100,
                            count_total: false,
                            reverse: false,
                        }),
                    },
                )
                .await,
            "listing stored codes",
        )?;
        out.extend(
            res.code_infos
                .iter()
                .map(|c| (c.code_id, hex::encode(&c.data_hash))),
        );
        match res.pagination {
            Some(p) if !p.next_key.is_empty() => key = p.next_key,
            _ => return Ok(out),
        }
    }
}

/// The code id of the contract at `address` (`None` if no contract is there).
pub async fn contract_code_id(client: &Client, address: &str) -> Result<Option<u64>> {
    let res: Result<QueryContractInfoResponse, _> = client
        .abci(
            "/cosmwasm.wasm.v1.Query/ContractInfo",
            &QueryContractInfoRequest {
                address: address.to_string(),
            },
        )
        .await;
    match res {
        Ok(r) => Ok(r.contract_info.map(|i| i.code_id)),
        Err(crate::client::TxError::Rejected(_)) => Ok(None),
        Err(e) => Err(anyhow::Error::new(e).context(format!("contract info of {address}"))),
    }
}

async fn store(
    client: &Client,
    owner: &mut Wallet,
    name: &str,
    wasm: Vec<u8>,
    known: &[(u64, String)],
    gas: &mut Vec<(String, u64)>,
) -> Result<Code> {
    let checksum = sha256_hex(&wasm);
    if let Some((id, _)) = known.iter().find(|(_, c)| *c == checksum) {
        tracing::info!(
            contract = name,
            code_id = id,
            "code already stored, reusing"
        );
        return Ok(Code {
            code_id: *id,
            checksum,
        });
    }
    let msg = cosmrs::cosmwasm::MsgStoreCode {
        sender: owner.signer.address.clone(),
        wasm_byte_code: wasm,
        instantiate_permission: None,
    }
    .to_any()
    .map_err(|e| anyhow!("encode MsgStoreCode: {e}"))?;
    let out = ctx(
        owner.send(client, &[msg], Gas::Simulate).await,
        &format!("storing {name}"),
    )?;
    let code_id: u64 = out
        .attr("store_code", "code_id")
        .ok_or_else(|| anyhow!("store_code event without code_id"))?
        .parse()?;
    tracing::info!(contract = name, code_id, gas = out.gas_used, "stored");
    gas.push((format!("store {name}"), out.gas_used));
    Ok(Code { code_id, checksum })
}

async fn instantiate<M: Serialize>(
    client: &Client,
    owner: &mut Wallet,
    code: &Code,
    label: &str,
    msg: &M,
    gas: &mut Vec<(String, u64)>,
) -> Result<String> {
    let any = cosmrs::cosmwasm::MsgInstantiateContract {
        sender: owner.signer.address.clone(),
        admin: Some(owner.signer.address.clone()),
        code_id: code.code_id,
        label: Some(label.to_string()),
        msg: serde_json::to_vec(msg)?,
        funds: vec![],
    }
    .to_any()
    .map_err(|e| anyhow!("encode MsgInstantiateContract: {e}"))?;
    let out = ctx(
        owner.send(client, &[any], Gas::Simulate).await,
        &format!("instantiating {label}"),
    )?;
    let addr = out
        .attr("instantiate", "_contract_address")
        .ok_or_else(|| anyhow!("instantiate event without _contract_address"))?
        .to_string();
    tracing::info!(label, %addr, gas = out.gas_used, "instantiated");
    gas.push((format!("instantiate {label}"), out.gas_used));
    Ok(addr)
}

/// Whether `prev` is still deployed on chain with exactly `codes` and the same plan.
async fn reusable(
    client: &Client,
    prev: &Deployment,
    plan_hash: &str,
    codes: &[Code; 4],
    req: &DeployRequest,
) -> Result<bool> {
    if prev.plan_hash != plan_hash
        || prev.chain_id != client.chain_id.as_str()
        || prev.feeders != req.feeders
        || prev.guardian != req.guardian
    {
        return Ok(false);
    }
    let deployed = [
        (&prev.oracle, &prev.oracle_code),
        (&prev.market, &prev.market_code),
        (&prev.liquidator, &prev.liquidator_code),
        (&prev.backstop, &prev.backstop_code),
    ];
    for ((addr, prev_code), code) in deployed.iter().zip(codes) {
        if *prev_code != code || contract_code_id(client, addr).await? != Some(code.code_id) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Deploys (or reuses) the four contracts as `owner`; writes and returns the deployment.
pub async fn deploy(
    client: &Client,
    owner: &mut Wallet,
    req: &DeployRequest,
) -> Result<Deployment> {
    for c in &req.plan.collaterals {
        c.params
            .validate()
            .map_err(|e| anyhow!("collateral {}: {e}", c.params.denom))?;
        c.auction
            .validate()
            .map_err(|e| anyhow!("auction of {}: {e}", c.params.denom))?;
    }
    if req.feeders.is_empty() {
        bail!("a deployment needs at least one feeder");
    }
    let plan_hash = sha256_hex(&serde_json::to_vec(&req.plan)?);
    let known = stored_codes(client).await?;
    let mut gas = vec![];
    let mut codes = vec![];
    for (name, file) in CONTRACTS {
        let path = req.artifacts.join(file);
        let wasm = std::fs::read(&path).with_context(|| {
            format!(
                "reading {} (build it with scripts/build-wasm.sh)",
                path.display()
            )
        })?;
        codes.push(store(client, owner, name, wasm, &known, &mut gas).await?);
    }
    let codes: [Code; 4] = codes
        .try_into()
        .map_err(|_| anyhow!("four codes expected"))?;

    if req.out.exists() {
        if let Ok(prev) = Deployment::load(&req.out) {
            if reusable(client, &prev, &plan_hash, &codes, req).await? {
                tracing::info!(file = %req.out.display(), "deployment on chain matches, reusing");
                return Ok(prev);
            }
        }
    }

    let plan = &req.plan;
    let oracle = instantiate(
        client,
        owner,
        &codes[0],
        "breakwater-oracle",
        &plan.oracle_msg(&req.feeders),
        &mut gas,
    )
    .await?;
    let market = instantiate(
        client,
        owner,
        &codes[1],
        "breakwater-market",
        &plan.market_msg(&oracle),
        &mut gas,
    )
    .await?;
    let liquidator = instantiate(
        client,
        owner,
        &codes[2],
        "breakwater-liquidator",
        &plan.liquidator_msg(&market, &oracle),
        &mut gas,
    )
    .await?;
    let backstop = instantiate(
        client,
        owner,
        &codes[3],
        "breakwater-backstop",
        &plan.backstop_msg(&market, &liquidator, &oracle),
        &mut gas,
    )
    .await?;
    let sender = owner.signer.address.clone();
    let wiring = [
        execute_msg(&sender, &liquidator, &plan.set_backstop_msg(&backstop), &[])?,
        execute_msg(
            &sender,
            &market,
            &plan.liquidation_msg(&liquidator, &backstop, req.guardian.as_deref()),
            &[],
        )?,
    ];
    let out = ctx(
        owner.send(client, &wiring, Gas::Simulate).await,
        "wiring the liquidator and the market",
    )?;
    ensure_ok(&out, "wiring")?;
    gas.push(("wire (SetBackstop + SetLiquidation)".into(), out.gas_used));

    let [oracle_code, market_code, liquidator_code, backstop_code] = codes;
    let d = Deployment {
        chain_id: client.chain_id.to_string(),
        plan_hash,
        plan: plan.clone(),
        owner: owner.address(),
        guardian: req.guardian.clone(),
        feeders: req.feeders.clone(),
        oracle_code,
        market_code,
        liquidator_code,
        backstop_code,
        oracle,
        market,
        liquidator,
        backstop,
        gas,
    };
    d.save(&req.out)?;
    Ok(d)
}
