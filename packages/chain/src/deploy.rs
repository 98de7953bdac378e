//! The deployer: stores the optimized wasm (reusing code already stored with the same
//! checksum), instantiates the four contracts from a [`DeployPlan`] wired to each other, and
//! writes addresses and code ids to a JSON file. Re-running it with the same code and plan
//! reuses the deployment recorded in the file when it is still on chain.
use crate::client::{ctx, ensure_ok, execute_msg, Client, Gas, TxOutcome, Wallet};
use anyhow::{anyhow, bail, Context, Result};
use breakwater_types::deploy::DeployPlan;
use cosmrs::proto::cosmos::base::query::v1beta1::PageRequest;
use cosmrs::proto::cosmwasm::wasm::v1::{
    QueryCodesRequest, QueryCodesResponse, QueryContractInfoRequest, QueryContractInfoResponse,
};
use cosmrs::tx::Msg;
use cosmrs::{AccountId, Any};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
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
    /// The wasm admin of every contract after a [`handover`] (the owner before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin: Option<String>,
    /// The owner a [`handover`] proposed, until it accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_owner: Option<String>,
    /// Devnet venues: a constant-product pool per collateral denom (`contracts/devnet-pool`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub venues: BTreeMap<String, String>,
    /// The devnet flash receiver (`contracts/flash-receiver`), selling lots on the venues.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flash_receiver: Option<String>,
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

pub(crate) async fn store(
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

pub(crate) async fn instantiate<M: Serialize>(
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
        admin: None,
        pending_owner: None,
        venues: BTreeMap::new(),
        flash_receiver: None,
    };
    d.save(&req.out)?;
    Ok(d)
}

impl Deployment {
    /// `(name, address, code)` of the four contracts, in deployment order.
    pub fn contracts(&self) -> [(&'static str, &str, &Code); 4] {
        [
            ("oracle", &self.oracle, &self.oracle_code),
            ("market", &self.market, &self.market_code),
            ("liquidator", &self.liquidator, &self.liquidator_code),
            ("backstop", &self.backstop, &self.backstop_code),
        ]
    }

    fn code_mut(&mut self, name: &str) -> Option<&mut Code> {
        match name {
            "oracle" => Some(&mut self.oracle_code),
            "market" => Some(&mut self.market_code),
            "liquidator" => Some(&mut self.liquidator_code),
            "backstop" => Some(&mut self.backstop_code),
            _ => None,
        }
    }
}

/// The wasm admin of the contract at `address` (`None`: no admin, or no contract).
pub async fn contract_admin(client: &Client, address: &str) -> Result<Option<String>> {
    let res: QueryContractInfoResponse = ctx(
        client
            .abci(
                "/cosmwasm.wasm.v1.Query/ContractInfo",
                &QueryContractInfoRequest {
                    address: address.to_string(),
                },
            )
            .await,
        &format!("contract info of {address}"),
    )?;
    Ok(res.contract_info.map(|i| i.admin).filter(|a| !a.is_empty()))
}

/// What [`migrate`] did to one contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    /// The contract.
    pub name: &'static str,
    /// Its code before.
    pub from: u64,
    /// Its code after (the same when nothing changed).
    pub to: u64,
}

/// Migrates the contracts named in `only` (all four when empty) to the optimized wasm in
/// `artifacts`, as their wasm admin `admin`: code with a new checksum is stored (or reused),
/// then `MsgMigrateContract` with the contracts' `MigrateMsg {}` (they refuse downgrades and
/// record the new version) moves each contract whose code changed, all in one transaction.
/// The deployment record is updated and saved to `out`.
pub async fn migrate(
    client: &Client,
    admin: &mut Wallet,
    d: &mut Deployment,
    artifacts: &Path,
    only: &[String],
    out: &Path,
) -> Result<Vec<Migration>> {
    for name in only {
        if !CONTRACTS.iter().any(|(n, _)| n == name) {
            bail!("unknown contract {name:?}: expected oracle, market, liquidator or backstop");
        }
    }
    let known = stored_codes(client).await?;
    let mut gas = vec![];
    let mut plans = vec![];
    for (name, file) in CONTRACTS {
        if !only.is_empty() && !only.iter().any(|n| n == name) {
            continue;
        }
        let path = artifacts.join(file);
        let wasm = std::fs::read(&path).with_context(|| {
            format!(
                "reading {} (build it with scripts/build-wasm.sh)",
                path.display()
            )
        })?;
        let current = d
            .code_mut(name)
            .ok_or_else(|| anyhow!("no contract {name}"))?
            .clone();
        if sha256_hex(&wasm) == current.checksum {
            plans.push((name, current.clone(), current));
            continue;
        }
        let code = store(client, admin, name, wasm, &known, &mut gas).await?;
        plans.push((name, current, code));
    }
    let sender = admin.signer.address.clone();
    let mut msgs = vec![];
    for (name, from, to) in &plans {
        if from.code_id == to.code_id {
            continue;
        }
        let addr = d
            .contracts()
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, a, _)| a.to_string())
            .ok_or_else(|| anyhow!("no contract {name}"))?;
        msgs.push(
            cosmrs::cosmwasm::MsgMigrateContract {
                sender: sender.clone(),
                contract: addr.parse().map_err(|e| anyhow!("address {addr}: {e}"))?,
                code_id: to.code_id,
                msg: serde_json::to_vec(&breakwater_types::MigrateMsg {})?,
            }
            .to_any()
            .map_err(|e| anyhow!("encode MsgMigrateContract: {e}"))?,
        );
    }
    if !msgs.is_empty() {
        let out_tx = ctx(
            admin.send(client, &msgs, Gas::Simulate).await,
            "migrating the contracts",
        )?;
        gas.push(("migrate".into(), out_tx.gas_used));
        for (name, _, to) in &plans {
            if let Some(c) = d.code_mut(name) {
                *c = to.clone();
            }
        }
        d.gas = gas;
        d.save(out)?;
    }
    Ok(plans
        .into_iter()
        .map(|(name, from, to)| Migration {
            name,
            from: from.code_id,
            to: to.code_id,
        })
        .collect())
}

/// The messages that hand the four contracts to `new_owner` (a multisig, a DAO): the wasm
/// admin moves at once (`MsgUpdateAdmin`), ownership is proposed (`TransferOwnership`) and
/// takes effect when `new_owner` sends [`accept_ownership_msgs`].
pub fn handover_msgs(owner: &AccountId, d: &Deployment, new_owner: &str) -> Result<Vec<Any>> {
    let to: AccountId = new_owner
        .parse()
        .map_err(|e| anyhow!("new owner {new_owner} is not an address: {e}"))?;
    let mut msgs = vec![];
    for (_, addr, _) in d.contracts() {
        msgs.push(
            cosmrs::cosmwasm::MsgUpdateAdmin {
                sender: owner.clone(),
                new_admin: to.clone(),
                contract: addr.parse().map_err(|e| anyhow!("address {addr}: {e}"))?,
            }
            .to_any()
            .map_err(|e| anyhow!("encode MsgUpdateAdmin: {e}"))?,
        );
    }
    let new_owner = new_owner.to_string();
    msgs.push(execute_msg(
        owner,
        &d.oracle,
        &breakwater_types::oracle::ExecuteMsg::TransferOwnership {
            new_owner: new_owner.clone(),
        },
        &[],
    )?);
    msgs.push(execute_msg(
        owner,
        &d.market,
        &breakwater_types::market::ExecuteMsg::TransferOwnership {
            new_owner: new_owner.clone(),
        },
        &[],
    )?);
    msgs.push(execute_msg(
        owner,
        &d.liquidator,
        &breakwater_types::liquidator::ExecuteMsg::TransferOwnership {
            new_owner: new_owner.clone(),
        },
        &[],
    )?);
    msgs.push(execute_msg(
        owner,
        &d.backstop,
        &breakwater_types::backstop::ExecuteMsg::TransferOwnership { new_owner },
        &[],
    )?);
    Ok(msgs)
}

/// `AcceptOwnership {}` to each of the four contracts, from `new_owner`.
pub fn accept_ownership_msgs(new_owner: &AccountId, d: &Deployment) -> Result<Vec<Any>> {
    Ok(vec![
        execute_msg(
            new_owner,
            &d.oracle,
            &breakwater_types::oracle::ExecuteMsg::AcceptOwnership {},
            &[],
        )?,
        execute_msg(
            new_owner,
            &d.market,
            &breakwater_types::market::ExecuteMsg::AcceptOwnership {},
            &[],
        )?,
        execute_msg(
            new_owner,
            &d.liquidator,
            &breakwater_types::liquidator::ExecuteMsg::AcceptOwnership {},
            &[],
        )?,
        execute_msg(
            new_owner,
            &d.backstop,
            &breakwater_types::backstop::ExecuteMsg::AcceptOwnership {},
            &[],
        )?,
    ])
}

/// Hands the contracts to `new_owner` as their current owner and admin (one transaction);
/// records the new admin and the pending owner in the deployment and saves it to `out`.
pub async fn handover(
    client: &Client,
    owner: &mut Wallet,
    d: &mut Deployment,
    new_owner: &str,
    out: &Path,
) -> Result<TxOutcome> {
    let msgs = handover_msgs(&owner.signer.address, d, new_owner)?;
    let res = ctx(
        owner.send(client, &msgs, Gas::Simulate).await,
        "handing the contracts over",
    )?;
    d.admin = Some(new_owner.to_string());
    d.pending_owner = Some(new_owner.to_string());
    d.save(out)?;
    Ok(res)
}
