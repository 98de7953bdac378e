//! Talking to a CosmWasm chain from Rust: smart queries over ABCI, transactions built and
//! signed with cosmrs and broadcast through CometBFT's RPC, gas from simulation, a gas price
//! that follows the chain's fee market, a list of RPC endpoints with failover ([`rpc`]), and
//! the fate of every transaction read from blocks, not from the node's tx index
//! ([`tracker`]). [`crate::wallet::Wallet`] keeps an account's sequence.
pub mod fees;
pub mod rpc;
pub mod tracker;

pub use crate::keys::{seed, Signer};
pub use crate::wallet::{Gas, Wallet};
pub use rpc::{EndpointHealth, RpcPool};

use crate::config::{ChainConfig, GasPriceSource};
use anyhow::{anyhow, bail, Context, Result};
use cosmrs::proto::cosmos::auth::v1beta1::{
    BaseAccount, QueryAccountInfoRequest, QueryAccountInfoResponse, QueryAccountRequest,
    QueryAccountResponse,
};
use cosmrs::proto::cosmos::bank::v1beta1::{QueryBalanceRequest, QueryBalanceResponse};
use cosmrs::proto::cosmos::tx::v1beta1::{SimulateRequest, SimulateResponse};
use cosmrs::proto::cosmwasm::wasm::v1::{
    QuerySmartContractStateRequest, QuerySmartContractStateResponse,
};
use cosmrs::proto::prost::Message;
use cosmrs::{AccountId, Any, Coin, Denom};
use fees::GasPrice;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tendermint_rpc::Client as _;
use tracker::{SenderSeq, Tracker};

/// Bech32 prefix of wasmd addresses.
pub const PREFIX: &str = "wasm";
/// The Cosmos HD path of the first account of a mnemonic.
pub const HD_PATH: &str = "m/44'/118'/0'/0/0";

/// SDK error code of an account-sequence mismatch (`sdkerrors.ErrWrongSequence`).
const CODE_WRONG_SEQUENCE: u32 = 32;

/// What a transaction did once included in a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxOutcome {
    /// Transaction hash (hex).
    pub hash: String,
    /// Block height of inclusion.
    pub height: u64,
    /// ABCI code (0 = success).
    pub code: u32,
    /// Gas used.
    pub gas_used: u64,
    /// Gas limit the transaction asked for.
    pub gas_wanted: u64,
    /// Raw log (the error message on failure).
    pub log: String,
    /// Events, as (type, attributes).
    pub events: Vec<(String, Vec<(String, String)>)>,
}

/// Events as `(type, [(key, value)])`.
pub type Events = Vec<(String, Vec<(String, String)>)>;

/// CometBFT events as `(type, [(key, value)])`.
pub fn events(raw: &[cosmrs::tendermint::abci::Event]) -> Events {
    raw.iter()
        .map(|e| {
            (
                e.kind.clone(),
                e.attributes
                    .iter()
                    .map(|a| {
                        (
                            a.key_str().unwrap_or_default().to_string(),
                            a.value_str().unwrap_or_default().to_string(),
                        )
                    })
                    .collect(),
            )
        })
        .collect()
}

/// Every value of attribute `key` in events of type `kind`.
pub fn event_attrs<'a>(
    events: &'a Events,
    kind: &'a str,
    key: &'a str,
) -> impl Iterator<Item = &'a str> {
    events
        .iter()
        .filter(move |(k, _)| k == kind)
        .flat_map(|(_, a)| a.iter())
        .filter(move |(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

impl TxOutcome {
    /// Whether the transaction succeeded.
    pub fn ok(&self) -> bool {
        self.code == 0
    }

    /// The first value of attribute `key` in an event of type `kind`.
    pub fn attr(&self, kind: &str, key: &str) -> Option<&str> {
        self.events
            .iter()
            .filter(|(k, _)| k == kind)
            .flat_map(|(_, a)| a.iter())
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of attribute `key` in events of type `kind`.
    pub fn attrs<'a>(&'a self, kind: &'a str, key: &'a str) -> impl Iterator<Item = &'a str> {
        event_attrs(&self.events, kind, key)
    }
}

/// A failed broadcast or transaction, classified so callers can decide to retry or drop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TxError {
    /// The account sequence did not match: refetch and retry.
    WrongSequence(String),
    /// The fee was below what the chain asks (CheckTx code 13): raise the gas price.
    InsufficientFee(String),
    /// The contract refused the message (simulation or execution): do not retry as is.
    Rejected(String),
    /// No node could be reached or answered: back off and retry later.
    Unavailable(String),
    /// Broadcast but not seen in a block within the timeout (or replaced): lost.
    Timeout(String),
}

impl std::fmt::Display for TxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TxError::WrongSequence(m) => write!(f, "account sequence mismatch: {m}"),
            TxError::InsufficientFee(m) => write!(f, "insufficient fee: {m}"),
            TxError::Rejected(m) => write!(f, "rejected: {m}"),
            TxError::Unavailable(m) => write!(f, "node unavailable: {m}"),
            TxError::Timeout(m) => write!(f, "not included: {m}"),
        }
    }
}

impl std::error::Error for TxError {}

/// An RPC failure, first line only.
pub(crate) fn unavailable(e: tendermint_rpc::Error) -> TxError {
    TxError::Unavailable(rpc::first_line(&e))
}

fn is_sequence_error(msg: &str) -> bool {
    msg.contains("account sequence mismatch") || msg.contains("incorrect account sequence")
}

/// What a simulation returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Simulation {
    /// Gas used.
    pub gas_used: u64,
    /// The events the transaction would emit (contract attributes included).
    pub events: Events,
}

/// The index of the message a failed multi-message transaction stopped at (the SDK's
/// `message index: N` in the log).
pub fn failed_message_index(log: &str) -> Option<usize> {
    let rest = &log[log.find("message index: ")? + "message index: ".len()..];
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

/// Read-only access to the chain plus everything needed to sign for it.
#[derive(Clone)]
pub struct Client {
    rpc: Arc<RpcPool>,
    /// The chain id transactions are signed for.
    pub chain_id: cosmrs::tendermint::chain::Id,
    /// Fee denom.
    pub fee_denom: String,
    /// The price per gas unit (shared by every clone).
    pub gas: Arc<GasPrice>,
    /// Gas limit = simulated gas × this.
    pub gas_adjustment: f64,
    /// How long to wait for a broadcast transaction to be included.
    pub inclusion_timeout: Duration,
    /// Memo of every transaction.
    pub memo: String,
    tracker: Arc<Tracker>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Client({}, {:?})", self.chain_id, self.rpc)
    }
}

impl Client {
    /// A client of one RPC endpoint `url` with a fixed gas price (the devnet's defaults for
    /// everything else).
    pub fn new(url: &str, chain_id: &str, fee_denom: &str, gas_price: f64) -> Result<Self> {
        Self::from_config(&ChainConfig {
            rpc: vec![url.to_string()],
            chain_id: chain_id.to_string(),
            fee_denom: fee_denom.to_string(),
            gas_price,
            gas_price_max: gas_price.max(ChainConfig::default().gas_price_max),
            ..ChainConfig::default()
        })
    }

    /// A client for the chain `cfg` describes. Nothing is asked of the nodes yet: see
    /// [`Client::preflight`].
    pub fn from_config(cfg: &ChainConfig) -> Result<Self> {
        cfg.validate()?;
        let rpc = RpcPool::new(
            &cfg.rpc,
            Duration::from_secs(cfg.rpc_timeout_secs),
            cfg.max_block_lag,
        )?;
        Ok(Client {
            rpc: Arc::new(rpc),
            chain_id: cfg
                .chain_id
                .parse()
                .map_err(|e| anyhow!("bad chain id {}: {e}", cfg.chain_id))?,
            fee_denom: cfg.fee_denom.clone(),
            gas: Arc::new(GasPrice::new(
                cfg.gas_price,
                cfg.gas_price_max,
                cfg.gas_price_bump,
                cfg.gas_price_source,
            )),
            gas_adjustment: cfg.gas_adjustment,
            inclusion_timeout: Duration::from_secs(cfg.inclusion_timeout_secs),
            memo: cfg.memo.clone(),
            tracker: Arc::new(Tracker::new(
                Duration::from_secs(cfg.inclusion_timeout_secs),
                Duration::from_millis(cfg.poll_ms.clamp(50, 1_000)),
            )),
        })
    }

    /// The RPC endpoints.
    pub fn rpc(&self) -> &RpcPool {
        &self.rpc
    }

    /// Transactions broadcast by this client (and its clones) whose fate is not known yet.
    pub fn in_flight(&self) -> usize {
        self.tracker.in_flight()
    }

    /// Fails fast, with every endpoint's answer, unless at least one endpoint answers for
    /// this chain id. Marks the others unhealthy.
    pub async fn preflight(&self) -> Result<Vec<EndpointHealth>> {
        let health = self.rpc.check(self.chain_id.as_str()).await;
        if !health.iter().any(|h| h.healthy) {
            let detail: Vec<String> = health
                .iter()
                .map(|h| {
                    format!(
                        "{}: {}",
                        h.url,
                        h.last_error.as_deref().unwrap_or("unhealthy")
                    )
                })
                .collect();
            bail!(
                "no RPC endpoint of {} answers: {}",
                self.chain_id,
                detail.join("; ")
            );
        }
        Ok(health)
    }

    /// Latest block height.
    pub async fn height(&self) -> Result<u64, TxError> {
        Ok(self.status().await?.0)
    }

    /// Latest block height and time (seconds since the epoch).
    pub async fn status(&self) -> Result<(u64, u64), TxError> {
        let st = self
            .rpc
            .call(|c| async move { c.status().await })
            .await
            .map_err(unavailable)?;
        Ok((
            st.sync_info.latest_block_height.value(),
            st.sync_info.latest_block_time.unix_timestamp().max(0) as u64,
        ))
    }

    /// Latest block time (seconds since the epoch).
    pub async fn block_time(&self) -> Result<u64, TxError> {
        Ok(self.status().await?.1)
    }

    /// A gRPC query over ABCI, with the height it was answered at: `path` like
    /// `/cosmos.bank.v1beta1.Query/Balance`.
    pub async fn abci_at<Req: Message, Resp: Message + Default>(
        &self,
        path: &str,
        req: &Req,
    ) -> Result<(Resp, u64), TxError> {
        abci_at(&self.rpc, path, req).await
    }

    /// A gRPC query over ABCI: `path` like `/cosmos.bank.v1beta1.Query/Balance`.
    pub async fn abci<Req: Message, Resp: Message + Default>(
        &self,
        path: &str,
        req: &Req,
    ) -> Result<Resp, TxError> {
        Ok(self.abci_at(path, req).await?.0)
    }

    /// A smart query of `contract`.
    pub async fn query<Q: Serialize, R: DeserializeOwned>(
        &self,
        contract: &str,
        msg: &Q,
    ) -> Result<R, TxError> {
        let query_data =
            serde_json::to_vec(msg).map_err(|e| TxError::Rejected(format!("encode: {e}")))?;
        let res: QuerySmartContractStateResponse = self
            .abci(
                "/cosmwasm.wasm.v1.Query/SmartContractState",
                &QuerySmartContractStateRequest {
                    address: contract.to_string(),
                    query_data,
                },
            )
            .await?;
        serde_json::from_slice(&res.data)
            .map_err(|e| TxError::Rejected(format!("decode query answer of {contract}: {e}")))
    }

    /// `(account_number, sequence)` of an address (`None` if it has never received funds).
    pub async fn account(&self, address: &str) -> Result<Option<(u64, u64)>, TxError> {
        Ok(account_at(&self.rpc, address)
            .await?
            .map(|(n, s, _)| (n, s)))
    }

    /// Bank balance of `address` in `denom`.
    pub async fn balance(&self, address: &str, denom: &str) -> Result<u128, TxError> {
        let res: QueryBalanceResponse = self
            .abci(
                "/cosmos.bank.v1beta1.Query/Balance",
                &QueryBalanceRequest {
                    address: address.to_string(),
                    denom: denom.to_string(),
                },
            )
            .await?;
        parse_amount(&res.balance.map(|c| c.amount).unwrap_or_default())
    }

    /// Total supply of `denom` on chain.
    pub async fn supply_of(&self, denom: &str) -> Result<u128, TxError> {
        use cosmrs::proto::cosmos::bank::v1beta1::{QuerySupplyOfRequest, QuerySupplyOfResponse};
        let res: QuerySupplyOfResponse = self
            .abci(
                "/cosmos.bank.v1beta1.Query/SupplyOf",
                &QuerySupplyOfRequest {
                    denom: denom.to_string(),
                },
            )
            .await?;
        parse_amount(&res.amount.map(|c| c.amount).unwrap_or_default())
    }

    /// The chain's own simulation: gas used and the events.
    pub async fn simulate_full(&self, tx_bytes: Vec<u8>) -> Result<Simulation, TxError> {
        #[allow(deprecated)]
        let req = SimulateRequest { tx: None, tx_bytes };
        let res: SimulateResponse = self
            .abci("/cosmos.tx.v1beta1.Service/Simulate", &req)
            .await
            .map_err(|e| match e {
                TxError::Rejected(m) if is_sequence_error(&m) => TxError::WrongSequence(m),
                e => e,
            })?;
        let events = res
            .result
            .map(|r| {
                r.events
                    .into_iter()
                    .map(|e| {
                        (
                            e.r#type,
                            e.attributes.into_iter().map(|a| (a.key, a.value)).collect(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(Simulation {
            gas_used: res.gas_info.map(|g| g.gas_used).unwrap_or_default(),
            events,
        })
    }

    /// Gas the transaction would use (the chain's own simulation).
    pub async fn simulate(&self, tx_bytes: Vec<u8>) -> Result<u64, TxError> {
        Ok(self.simulate_full(tx_bytes).await?.gas_used)
    }

    /// Broadcasts signed bytes (CheckTx only) and registers the transaction with the block
    /// scanner first, so [`Client::wait_tx`] learns its fate without the tx index. `sender`
    /// lets the scanner tell early that the sequence went to another transaction.
    pub async fn broadcast_from(
        &self,
        tx_bytes: Vec<u8>,
        sender: Option<SenderSeq>,
    ) -> Result<String, TxError> {
        let hash = tracker::tx_hash(&tx_bytes);
        self.tracker.expect(&self.rpc, &hash, sender).await?;
        let sent = self
            .rpc
            .call(|c| {
                let bytes = tx_bytes.clone();
                async move { c.broadcast_tx_sync(bytes).await }
            })
            .await;
        let res = match sent {
            Ok(r) => r,
            Err(e) => {
                self.tracker.forget(&hash);
                // An error the node answered with (mempool full, already in the cache) is a
                // refusal; only a transport failure means no node is reachable.
                return Err(if rpc::is_transport(&e) {
                    unavailable(e)
                } else {
                    TxError::Rejected(rpc::first_line(&e))
                });
            }
        };
        if res.code.is_err() {
            self.tracker.forget(&hash);
            let msg = res.log.to_string();
            let code = res.code.value();
            return Err(if code == CODE_WRONG_SEQUENCE || is_sequence_error(&msg) {
                TxError::WrongSequence(msg)
            } else if fees::is_insufficient_fee(code, &msg) {
                TxError::InsufficientFee(msg)
            } else {
                TxError::Rejected(msg)
            });
        }
        Ok(hash)
    }

    /// [`Client::broadcast_from`] without a sender.
    pub async fn broadcast(&self, tx_bytes: Vec<u8>) -> Result<String, TxError> {
        self.broadcast_from(tx_bytes, None).await
    }

    /// Waits until the transaction `hash` is in a block (or is known lost). Transactions
    /// broadcast by this client are confirmed from blocks; another hash is looked up in the
    /// node's tx index if it has one, else in the last 100 blocks.
    pub async fn wait_tx(&self, hash: &str) -> Result<TxOutcome, TxError> {
        if let Some(r) = self.tracker.wait(hash).await {
            return r;
        }
        self.find_tx(hash).await
    }

    /// A transaction not broadcast by this client.
    async fn find_tx(&self, hash: &str) -> Result<TxOutcome, TxError> {
        let h = cosmrs::tendermint::Hash::from_str(hash)
            .map_err(|e| TxError::Rejected(format!("bad hash {hash}: {e}")))?;
        let start = Instant::now();
        loop {
            match self.rpc.call(|c| async move { c.tx(h, false).await }).await {
                Ok(r) => {
                    let res = r.tx_result;
                    return Ok(TxOutcome {
                        hash: hash.to_string(),
                        height: r.height.value(),
                        code: res.code.value(),
                        gas_used: res.gas_used.max(0) as u64,
                        gas_wanted: res.gas_wanted.max(0) as u64,
                        log: res.log.to_string(),
                        events: events(&res.events),
                    });
                }
                Err(e) if rpc::first_line(&e).contains("indexing is disabled") => {
                    return self.scan_back(hash, 100).await;
                }
                Err(e) => {
                    if start.elapsed() > self.inclusion_timeout {
                        return Err(TxError::Timeout(format!("{hash}: {}", rpc::first_line(&e))));
                    }
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
            }
        }
    }

    /// Looks for `hash` in the last `depth` blocks.
    async fn scan_back(&self, hash: &str, depth: u64) -> Result<TxOutcome, TxError> {
        let latest = self.height().await?;
        for height in (latest.saturating_sub(depth).max(1)..=latest).rev() {
            let h: cosmrs::tendermint::block::Height = height
                .try_into()
                .map_err(|e| TxError::Rejected(format!("height {height}: {e}")))?;
            let block = self
                .rpc
                .call(|c| async move { c.block(h).await })
                .await
                .map_err(unavailable)?;
            let Some(i) = block
                .block
                .data
                .iter()
                .position(|tx| tracker::tx_hash(tx) == hash.to_ascii_uppercase())
            else {
                continue;
            };
            let results = self
                .rpc
                .call(|c| async move { c.block_results(h).await })
                .await
                .map_err(unavailable)?;
            let r = results
                .txs_results
                .unwrap_or_default()
                .into_iter()
                .nth(i)
                .ok_or_else(|| TxError::Rejected(format!("block {height}: no result {i}")))?;
            return Ok(TxOutcome {
                hash: hash.to_string(),
                height,
                code: r.code.value(),
                gas_used: r.gas_used.max(0) as u64,
                gas_wanted: r.gas_wanted.max(0) as u64,
                log: r.log.to_string(),
                events: events(&r.events),
            });
        }
        Err(TxError::Timeout(format!(
            "{hash}: not in the last {depth} blocks"
        )))
    }

    /// The events of every transaction in block `height`, in block order, with each
    /// transaction's code.
    pub async fn block_events(&self, height: u64) -> Result<Vec<(u32, Events)>, TxError> {
        let h: cosmrs::tendermint::block::Height = height
            .try_into()
            .map_err(|e| TxError::Rejected(format!("height {height}: {e}")))?;
        // Just after a commit the node may answer for the block before its results are
        // stored: ask again a few times.
        let mut tries = 0;
        let results = loop {
            match self
                .rpc
                .call(|c| async move { c.block_results(h).await })
                .await
            {
                Ok(r) => break r,
                Err(e) if rpc::is_transport(&e) => return Err(unavailable(e)),
                Err(e) if tries < 10 => {
                    tracing::debug!(height, "block results: {}", rpc::first_line(&e));
                    tries += 1;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => return Err(TxError::Rejected(rpc::first_line(&e))),
            }
        };
        Ok(results
            .txs_results
            .unwrap_or_default()
            .iter()
            .map(|r| (r.code.value(), events(&r.events)))
            .collect())
    }

    /// Waits until the chain is past `height`.
    pub async fn wait_height(&self, height: u64, timeout: Duration) -> Result<u64, TxError> {
        let start = Instant::now();
        loop {
            let h = self.height().await?;
            if h > height {
                return Ok(h);
            }
            if start.elapsed() > timeout {
                return Err(TxError::Timeout(format!("height {height} not passed")));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Reads the gas price from the chain's fee market when the source asks for it (never
    /// below the floor nor above the cap); returns the price in use. `Auto` settles on the
    /// first market query the chain answers, else on the fixed price.
    pub async fn refresh_gas_price(&self) -> Result<f64, TxError> {
        let source = *self.gas.source.lock().unwrap_or_else(|p| p.into_inner());
        let read = |s: GasPriceSource| async move {
            match s {
                GasPriceSource::Feemarket => {
                    let r: fees::FeemarketGasPriceResponse = self
                        .abci(
                            fees::FEEMARKET_PATH,
                            &fees::FeemarketGasPriceRequest {
                                denom: self.fee_denom.clone(),
                            },
                        )
                        .await?;
                    let price = r
                        .price
                        .ok_or_else(|| TxError::Rejected("feemarket: no price".into()))?;
                    fees::parse_legacy_dec(&price.amount).ok_or_else(|| {
                        TxError::Rejected(format!("feemarket price {:?}", price.amount))
                    })
                }
                GasPriceSource::Osmosis => {
                    let r: fees::OsmosisBaseFeeResponse = self
                        .abci(fees::OSMOSIS_PATH, &fees::OsmosisBaseFeeRequest {})
                        .await?;
                    fees::parse_legacy_dec(&r.base_fee).ok_or_else(|| {
                        TxError::Rejected(format!("osmosis base fee {:?}", r.base_fee))
                    })
                }
                GasPriceSource::Fixed | GasPriceSource::Auto => Ok(self.gas.floor),
            }
        };
        match source {
            GasPriceSource::Fixed => Ok(self.gas.get()),
            GasPriceSource::Auto => {
                for s in [GasPriceSource::Feemarket, GasPriceSource::Osmosis] {
                    match read(s).await {
                        Ok(p) => {
                            *self.gas.source.lock().unwrap_or_else(|e| e.into_inner()) = s;
                            tracing::info!(source = ?s, price = p, "gas price from the chain");
                            return Ok(self.gas.set(p));
                        }
                        Err(TxError::Unavailable(m)) => return Err(TxError::Unavailable(m)),
                        Err(_) => {}
                    }
                }
                *self.gas.source.lock().unwrap_or_else(|e| e.into_inner()) = GasPriceSource::Fixed;
                tracing::info!(
                    price = self.gas.get(),
                    "no fee market on this chain: fixed gas price"
                );
                Ok(self.gas.get())
            }
            s => {
                let p = read(s).await?;
                Ok(self.gas.set(p))
            }
        }
    }
}

fn parse_amount(amount: &str) -> Result<u128, TxError> {
    if amount.is_empty() {
        return Ok(0);
    }
    amount
        .parse()
        .map_err(|e| TxError::Rejected(format!("amount {amount}: {e}")))
}

/// An ABCI query through `rpc`, with the height of the state it read.
pub(crate) async fn abci_at<Req: Message, Resp: Message + Default>(
    rpc: &RpcPool,
    path: &str,
    req: &Req,
) -> Result<(Resp, u64), TxError> {
    let data = req.encode_to_vec();
    let res = rpc
        .call(|c| {
            let data = data.clone();
            async move {
                c.abci_query(Some(path.to_string()), data, None, false)
                    .await
            }
        })
        .await
        .map_err(unavailable)?;
    if res.code.is_err() {
        return Err(TxError::Rejected(format!("{path}: {}", res.log)));
    }
    let resp = Resp::decode(res.value.as_slice())
        .map_err(|e| TxError::Rejected(format!("{path}: undecodable answer: {e}")))?;
    Ok((resp, res.height.value()))
}

/// A message whose field 1 is a nested account (vesting, module, Ethermint accounts).
#[derive(Clone, PartialEq, Message)]
struct Wrapped {
    #[prost(bytes = "vec", tag = "1")]
    inner: Vec<u8>,
}

/// The `BaseAccount` inside any account type: a `BaseAccount` itself, or one nested as
/// field 1 (`ModuleAccount`, vesting accounts, Injective's `EthAccount`), up to 3 levels.
fn base_account(any: &Any) -> Option<BaseAccount> {
    if any.type_url.ends_with(".BaseAccount") {
        return BaseAccount::decode(any.value.as_slice()).ok();
    }
    let mut bytes = any.value.clone();
    for _ in 0..3 {
        let w = Wrapped::decode(bytes.as_slice()).ok()?;
        if let Ok(b) = BaseAccount::decode(w.inner.as_slice()) {
            // A nested wrapper can decode as a BaseAccount too: only a bech32 address counts.
            let bech32 = b.address.contains('1')
                && b.address
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
            if bech32 {
                return Some(b);
            }
        }
        bytes = w.inner;
    }
    None
}

/// `(account_number, sequence, height read at)` of `address`, `None` if it does not exist.
/// Asks `AccountInfo` (SDK 0.47+, any account type), else decodes `Account`.
pub(crate) async fn account_at(
    rpc: &RpcPool,
    address: &str,
) -> Result<Option<(u64, u64, u64)>, TxError> {
    let info: Result<(QueryAccountInfoResponse, u64), _> = abci_at(
        rpc,
        "/cosmos.auth.v1beta1.Query/AccountInfo",
        &QueryAccountInfoRequest {
            address: address.to_string(),
        },
    )
    .await;
    match info {
        Ok((r, h)) => {
            let b = r
                .info
                .ok_or_else(|| TxError::Rejected("account info: empty".into()))?;
            return Ok(Some((b.account_number, b.sequence, h)));
        }
        Err(TxError::Rejected(m)) if m.contains("not found") => return Ok(None),
        Err(TxError::Rejected(_)) => {}
        Err(e) => return Err(e),
    }
    let res: Result<(QueryAccountResponse, u64), _> = abci_at(
        rpc,
        "/cosmos.auth.v1beta1.Query/Account",
        &QueryAccountRequest {
            address: address.to_string(),
        },
    )
    .await;
    match res {
        Ok((r, h)) => {
            let any = r
                .account
                .ok_or_else(|| TxError::Rejected("account query: no account".into()))?;
            let any = Any {
                type_url: any.type_url,
                value: any.value,
            };
            let base = base_account(&any).ok_or_else(|| {
                TxError::Rejected(format!(
                    "account {address}: cannot read a {} account",
                    any.type_url
                ))
            })?;
            Ok(Some((base.account_number, base.sequence, h)))
        }
        Err(TxError::Rejected(m)) if m.contains("not found") => Ok(None),
        Err(e) => Err(e),
    }
}

/// A `MsgExecuteContract` as `Any`.
pub fn execute_msg<M: Serialize>(
    sender: &AccountId,
    contract: &str,
    msg: &M,
    funds: &[(u128, &str)],
) -> Result<Any> {
    use cosmrs::tx::Msg;
    cosmrs::cosmwasm::MsgExecuteContract {
        sender: sender.clone(),
        contract: contract
            .parse()
            .map_err(|e| anyhow!("bad contract address {contract}: {e}"))?,
        msg: serde_json::to_vec(msg)?,
        funds: coins(funds)?,
    }
    .to_any()
    .map_err(|e| anyhow!("encode MsgExecuteContract: {e}"))
}

/// A bank `MsgSend` as `Any`.
pub fn send_msg(from: &AccountId, to: &str, amount: &[(u128, &str)]) -> Result<Any> {
    use cosmrs::tx::Msg;
    cosmrs::bank::MsgSend {
        from_address: from.clone(),
        to_address: to.parse().map_err(|e| anyhow!("bad address {to}: {e}"))?,
        amount: coins(amount)?,
    }
    .to_any()
    .map_err(|e| anyhow!("encode MsgSend: {e}"))
}

/// cosmrs coins, sorted by denom as the SDK requires.
pub fn coins(funds: &[(u128, &str)]) -> Result<Vec<Coin>> {
    let mut v: Vec<(u128, &str)> = funds.iter().copied().filter(|(a, _)| *a > 0).collect();
    v.sort_by(|a, b| a.1.cmp(b.1));
    v.into_iter()
        .map(|(amount, denom)| {
            Ok(Coin {
                denom: Denom::from_str(denom).map_err(|e| anyhow!("bad denom {denom}: {e}"))?,
                amount,
            })
        })
        .collect()
}

/// Parses a `TxError` back out of an `anyhow` chain.
pub fn tx_error(e: &anyhow::Error) -> Option<&TxError> {
    e.downcast_ref::<TxError>()
}

/// Turns `Result<T, TxError>` into `anyhow` with context.
pub fn ctx<T>(r: Result<T, TxError>, what: &str) -> Result<T> {
    r.map_err(anyhow::Error::new)
        .with_context(|| what.to_string())
}

/// Fails unless `out` succeeded.
pub fn ensure_ok(out: &TxOutcome, what: &str) -> Result<()> {
    if !out.ok() {
        bail!("{what} failed (code {}): {}", out.code, out.log);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_failed_message_index_is_read_from_the_log() {
        let log = "failed to execute message; message index: 3: account is healthy: execute wasm contract failed";
        assert_eq!(failed_message_index(log), Some(3));
        assert_eq!(failed_message_index("out of gas"), None);
    }

    #[test]
    fn nested_accounts_yield_their_base_account() {
        let base = BaseAccount {
            address: "wasm1xyz".into(),
            pub_key: None,
            account_number: 7,
            sequence: 42,
        };
        let plain = Any {
            type_url: "/cosmos.auth.v1beta1.BaseAccount".into(),
            value: base.encode_to_vec(),
        };
        assert_eq!(base_account(&plain), Some(base.clone()));
        // Injective's EthAccount { base_account = 1, code_hash = 2 }.
        let eth = Any {
            type_url: "/injective.types.v1beta1.EthAccount".into(),
            value: Wrapped {
                inner: base.encode_to_vec(),
            }
            .encode_to_vec(),
        };
        assert_eq!(base_account(&eth), Some(base.clone()));
        // A continuous vesting account: two levels.
        let vesting = Any {
            type_url: "/cosmos.vesting.v1beta1.ContinuousVestingAccount".into(),
            value: Wrapped {
                inner: Wrapped {
                    inner: base.encode_to_vec(),
                }
                .encode_to_vec(),
            }
            .encode_to_vec(),
        };
        assert_eq!(base_account(&vesting), Some(base));
    }
}
