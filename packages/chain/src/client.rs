//! Talking to a CosmWasm chain from Rust: smart queries over ABCI, transactions built and
//! signed with cosmrs and broadcast through CometBFT's RPC, gas from simulation, and a
//! [`Wallet`] that keeps its account sequence and recovers from a mismatch.
use anyhow::{anyhow, bail, Context, Result};
use cosmrs::bip32::{DerivationPath, Language, Mnemonic};
use cosmrs::crypto::secp256k1::SigningKey;
use cosmrs::proto::cosmos::auth::v1beta1::{
    BaseAccount, QueryAccountRequest, QueryAccountResponse,
};
use cosmrs::proto::cosmos::bank::v1beta1::{QueryBalanceRequest, QueryBalanceResponse};
use cosmrs::proto::cosmos::tx::v1beta1::{SimulateRequest, SimulateResponse};
use cosmrs::proto::cosmwasm::wasm::v1::{
    QuerySmartContractStateRequest, QuerySmartContractStateResponse,
};
use cosmrs::proto::prost::Message;
use cosmrs::tx::{Body, Fee, SignDoc, SignerInfo};
use cosmrs::{AccountId, Any, Coin, Denom};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::str::FromStr;
use std::time::{Duration, Instant};
use tendermint_rpc::client::CompatMode;
use tendermint_rpc::{Client as _, HttpClient};

/// Bech32 prefix of wasmd addresses.
pub const PREFIX: &str = "wasm";
/// The Cosmos HD path of the first account of a mnemonic.
pub const HD_PATH: &str = "m/44'/118'/0'/0/0";

/// SDK error code of an account-sequence mismatch (`sdkerrors.ErrWrongSequence`).
const CODE_WRONG_SEQUENCE: u32 = 32;

/// A key that signs for one address.
pub struct Signer {
    key: SigningKey,
    /// The address, bech32 with [`PREFIX`].
    pub address: AccountId,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signer({})", self.address)
    }
}

impl Signer {
    /// The key of account `index` (HD path `m/44'/118'/0'/0/index`) of a BIP-39 mnemonic.
    pub fn from_mnemonic(phrase: &str, index: u32) -> Result<Self> {
        Self::from_seed(&seed(phrase)?, index)
    }

    /// The key of account `index` of a BIP-39 seed (see [`seed`]).
    pub fn from_seed(seed: &[u8], index: u32) -> Result<Self> {
        let path = DerivationPath::from_str(&format!("m/44'/118'/0'/0/{index}"))
            .map_err(|e| anyhow!("derivation path: {e}"))?;
        let key = SigningKey::derive_from_path(seed, &path)
            .map_err(|e| anyhow!("key derivation: {e}"))?;
        let address = key
            .public_key()
            .account_id(PREFIX)
            .map_err(|e| anyhow!("address: {e}"))?;
        Ok(Signer { key, address })
    }
}

/// The BIP-39 seed of a mnemonic (PBKDF2: compute it once when deriving many keys).
pub fn seed(phrase: &str) -> Result<Vec<u8>> {
    let mnemonic = Mnemonic::new(phrase.trim(), Language::English)
        .map_err(|e| anyhow!("invalid mnemonic: {e}"))?;
    Ok(mnemonic.to_seed("").as_bytes().to_vec())
}

/// What a transaction did once included in a block.
#[derive(Debug, Clone)]
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
        self.events
            .iter()
            .filter(move |(k, _)| k == kind)
            .flat_map(|(_, a)| a.iter())
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// A failed broadcast or transaction, classified so callers can decide to retry or drop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TxError {
    /// The account sequence did not match: refetch and retry.
    WrongSequence(String),
    /// The contract refused the message (simulation or execution): do not retry as is.
    Rejected(String),
    /// The node could not be reached or did not answer: back off and retry later.
    Unavailable(String),
    /// Broadcast but not seen in a block within the timeout.
    Timeout(String),
}

impl std::fmt::Display for TxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TxError::WrongSequence(m) => write!(f, "account sequence mismatch: {m}"),
            TxError::Rejected(m) => write!(f, "rejected: {m}"),
            TxError::Unavailable(m) => write!(f, "node unavailable: {m}"),
            TxError::Timeout(m) => write!(f, "not included in time: {m}"),
        }
    }
}

impl std::error::Error for TxError {}

/// An RPC failure, first line only (tendermint-rpc errors carry a multi-line trace).
fn unavailable(e: tendermint_rpc::Error) -> TxError {
    let text = e.to_string();
    TxError::Unavailable(text.lines().next().unwrap_or_default().to_string())
}

fn is_sequence_error(msg: &str) -> bool {
    msg.contains("account sequence mismatch") || msg.contains("incorrect account sequence")
}

/// Read-only access to the chain plus everything needed to sign for it.
#[derive(Clone)]
pub struct Client {
    rpc: HttpClient,
    /// The chain id transactions are signed for.
    pub chain_id: cosmrs::tendermint::chain::Id,
    /// Fee denom.
    pub fee_denom: String,
    /// Fee per gas unit, in `fee_denom`.
    pub gas_price: f64,
    /// Gas limit = simulated gas × this.
    pub gas_adjustment: f64,
    /// How long to wait for a broadcast transaction to be included.
    pub inclusion_timeout: Duration,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Client({})", self.chain_id)
    }
}

impl Client {
    /// Connects to CometBFT RPC at `url` (e.g. `http://127.0.0.1:26657`).
    pub fn new(url: &str, chain_id: &str, fee_denom: &str, gas_price: f64) -> Result<Self> {
        let rpc = HttpClient::builder(url.parse().map_err(|e| anyhow!("bad RPC url {url}: {e}"))?)
            .compat_mode(CompatMode::V0_38)
            .timeout(Duration::from_secs(20))
            .build()
            .map_err(|e| anyhow!("RPC client for {url}: {e}"))?;
        Ok(Client {
            rpc,
            chain_id: chain_id
                .parse()
                .map_err(|e| anyhow!("bad chain id {chain_id}: {e}"))?,
            fee_denom: fee_denom.to_string(),
            gas_price,
            // Simulation runs against the last committed state: a message whose cost depends
            // on what lands before it in the block needs more (see `Gas::SimulateScaled`).
            gas_adjustment: 1.5,
            inclusion_timeout: Duration::from_secs(30),
        })
    }

    /// Latest block height.
    pub async fn height(&self) -> Result<u64, TxError> {
        let st = self.rpc.status().await.map_err(unavailable)?;
        Ok(st.sync_info.latest_block_height.value())
    }

    /// Latest block time (seconds since the epoch).
    pub async fn block_time(&self) -> Result<u64, TxError> {
        let st = self.rpc.status().await.map_err(unavailable)?;
        Ok(st.sync_info.latest_block_time.unix_timestamp().max(0) as u64)
    }

    /// A gRPC query over ABCI: `path` like `/cosmos.bank.v1beta1.Query/Balance`.
    pub async fn abci<Req: Message, Resp: Message + Default>(
        &self,
        path: &str,
        req: &Req,
    ) -> Result<Resp, TxError> {
        let res = self
            .rpc
            .abci_query(Some(path.to_string()), req.encode_to_vec(), None, false)
            .await
            .map_err(unavailable)?;
        if res.code.is_err() {
            return Err(TxError::Rejected(format!("{path}: {}", res.log)));
        }
        Resp::decode(res.value.as_slice())
            .map_err(|e| TxError::Rejected(format!("{path}: undecodable answer: {e}")))
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
        let res: Result<QueryAccountResponse, _> = self
            .abci(
                "/cosmos.auth.v1beta1.Query/Account",
                &QueryAccountRequest {
                    address: address.to_string(),
                },
            )
            .await;
        match res {
            Ok(r) => {
                let any = r
                    .account
                    .ok_or_else(|| TxError::Rejected("account query: no account".into()))?;
                let base = BaseAccount::decode(any.value.as_slice())
                    .map_err(|e| TxError::Rejected(format!("account {address}: {e}")))?;
                Ok(Some((base.account_number, base.sequence)))
            }
            Err(TxError::Rejected(m)) if m.contains("not found") => Ok(None),
            Err(e) => Err(e),
        }
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
        let amount = res.balance.map(|c| c.amount).unwrap_or_default();
        if amount.is_empty() {
            return Ok(0);
        }
        amount
            .parse()
            .map_err(|e| TxError::Rejected(format!("balance {amount}: {e}")))
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
        let amount = res.amount.map(|c| c.amount).unwrap_or_default();
        if amount.is_empty() {
            return Ok(0);
        }
        amount
            .parse()
            .map_err(|e| TxError::Rejected(format!("supply {amount}: {e}")))
    }

    /// Gas the transaction would use (the chain's own simulation).
    pub async fn simulate(&self, tx_bytes: Vec<u8>) -> Result<u64, TxError> {
        #[allow(deprecated)]
        let req = SimulateRequest { tx: None, tx_bytes };
        let res: SimulateResponse = self
            .abci("/cosmos.tx.v1beta1.Service/Simulate", &req)
            .await
            .map_err(|e| match e {
                TxError::Rejected(m) if is_sequence_error(&m) => TxError::WrongSequence(m),
                e => e,
            })?;
        Ok(res.gas_info.map(|g| g.gas_used).unwrap_or_default())
    }

    /// Broadcasts signed bytes (CheckTx only); returns the hash.
    pub async fn broadcast(&self, tx_bytes: Vec<u8>) -> Result<String, TxError> {
        let res = self
            .rpc
            .broadcast_tx_sync(tx_bytes)
            .await
            .map_err(unavailable)?;
        if res.code.is_err() {
            let msg = res.log.to_string();
            return Err(
                if res.code.value() == CODE_WRONG_SEQUENCE || is_sequence_error(&msg) {
                    TxError::WrongSequence(msg)
                } else {
                    TxError::Rejected(msg)
                },
            );
        }
        Ok(res.hash.to_string())
    }

    /// Waits until the transaction `hash` is in a block.
    pub async fn wait_tx(&self, hash: &str) -> Result<TxOutcome, TxError> {
        let h = cosmrs::tendermint::Hash::from_str(hash)
            .map_err(|e| TxError::Rejected(format!("bad hash {hash}: {e}")))?;
        let start = Instant::now();
        loop {
            match self.rpc.tx(h, false).await {
                Ok(r) => {
                    let res = r.tx_result;
                    return Ok(TxOutcome {
                        hash: hash.to_string(),
                        height: r.height.value(),
                        code: res.code.value(),
                        gas_used: res.gas_used.max(0) as u64,
                        gas_wanted: res.gas_wanted.max(0) as u64,
                        log: res.log.to_string(),
                        events: res
                            .events
                            .iter()
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
                            .collect(),
                    });
                }
                Err(e) => {
                    if start.elapsed() > self.inclusion_timeout {
                        let e = e.to_string();
                        let e = e.lines().next().unwrap_or_default();
                        return Err(TxError::Timeout(format!("{hash}: {e}")));
                    }
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
            }
        }
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

/// How a wallet sets a transaction's gas limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gas {
    /// Simulate first; limit = simulated × the client's adjustment.
    Simulate,
    /// Simulate first; limit = simulated × this many percent (for messages whose cost
    /// depends on what lands before them in the block).
    SimulateScaled(u32),
    /// A fixed limit (no simulation round trip).
    Fixed(u64),
}

/// A signer with its account number and a locally tracked sequence.
#[derive(Debug)]
pub struct Wallet {
    /// The key.
    pub signer: Signer,
    account_number: u64,
    sequence: u64,
    loaded: bool,
}

impl Wallet {
    /// A wallet; the account is looked up on first use.
    pub fn new(signer: Signer) -> Self {
        Wallet {
            signer,
            account_number: 0,
            sequence: 0,
            loaded: false,
        }
    }

    /// The wallet's address.
    pub fn address(&self) -> String {
        self.signer.address.to_string()
    }

    /// Refetches the account number and sequence from the chain.
    pub async fn refresh(&mut self, client: &Client) -> Result<(), TxError> {
        let (n, s) = client.account(&self.address()).await?.ok_or_else(|| {
            TxError::Rejected(format!(
                "account {} does not exist on chain",
                self.address()
            ))
        })?;
        self.account_number = n;
        self.sequence = s;
        self.loaded = true;
        Ok(())
    }

    fn sign(&self, client: &Client, msgs: &[Any], gas_limit: u64) -> Result<Vec<u8>, TxError> {
        let reject = |e: cosmrs::ErrorReport| TxError::Rejected(format!("signing: {e}"));
        let body = Body::new(msgs.to_vec(), "breakwater", 0u32);
        let fee_amount = (gas_limit as f64 * client.gas_price).ceil() as u128;
        let fee = Fee::from_amount_and_gas(
            Coin {
                denom: Denom::from_str(&client.fee_denom).map_err(reject)?,
                amount: fee_amount,
            },
            gas_limit,
        );
        let auth = SignerInfo::single_direct(Some(self.signer.key.public_key()), self.sequence)
            .auth_info(fee);
        let doc =
            SignDoc::new(&body, &auth, &client.chain_id, self.account_number).map_err(reject)?;
        doc.sign(&self.signer.key)
            .map_err(reject)?
            .to_bytes()
            .map_err(reject)
    }

    /// Simulates several independent transactions at once, each as if it were the next one
    /// of this wallet; returns the gas limit each would get under `Gas::Simulate`. A keeper
    /// that must land many transactions in the next block simulates them together, then
    /// broadcasts them one after the other with [`Gas::Fixed`].
    pub async fn simulate_many(
        &mut self,
        client: &Client,
        batches: &[Vec<Any>],
    ) -> Result<Vec<Result<u64, TxError>>, TxError> {
        if !self.loaded {
            self.refresh(client).await?;
        }
        let this = &*self;
        let runs = batches.iter().map(|msgs| async move {
            let used = client.simulate(this.sign(client, msgs, 0)?).await?;
            Ok(((used as f64) * client.gas_adjustment).ceil() as u64 + 20_000)
        });
        let out = futures::future::join_all(runs).await;
        if out
            .iter()
            .any(|r| matches!(r, Err(TxError::WrongSequence(_))))
        {
            self.loaded = false;
        }
        Ok(out)
    }

    /// Signs and broadcasts (CheckTx passed) without waiting for the block; returns the hash
    /// and the gas limit. On a sequence mismatch it refetches the account and retries once.
    pub async fn broadcast(
        &mut self,
        client: &Client,
        msgs: &[Any],
        gas: Gas,
    ) -> Result<(String, u64), TxError> {
        let mut attempt = 0;
        loop {
            if !self.loaded {
                self.refresh(client).await?;
            }
            let res = self.try_broadcast(client, msgs, gas).await;
            match res {
                Ok(r) => {
                    self.sequence += 1;
                    return Ok(r);
                }
                Err(TxError::WrongSequence(m)) if attempt < 3 => {
                    tracing::debug!(address = %self.address(), "sequence mismatch, refetching: {m}");
                    attempt += 1;
                    self.loaded = false;
                }
                Err(e) => {
                    if matches!(e, TxError::Unavailable(_)) {
                        self.loaded = false;
                    }
                    return Err(e);
                }
            }
        }
    }

    async fn try_broadcast(
        &self,
        client: &Client,
        msgs: &[Any],
        gas: Gas,
    ) -> Result<(String, u64), TxError> {
        let limit = match gas {
            Gas::Fixed(g) => g,
            Gas::Simulate => {
                let used = client.simulate(self.sign(client, msgs, 0)?).await?;
                ((used as f64) * client.gas_adjustment).ceil() as u64 + 20_000
            }
            Gas::SimulateScaled(pct) => {
                let used = client.simulate(self.sign(client, msgs, 0)?).await?;
                used.saturating_mul(u64::from(pct)) / 100 + 20_000
            }
        };
        let hash = client.broadcast(self.sign(client, msgs, limit)?).await?;
        Ok((hash, limit))
    }

    /// Signs, broadcasts and waits for the block. A transaction that fails on chain comes back
    /// as [`TxError::Rejected`] with the chain's log.
    pub async fn send(
        &mut self,
        client: &Client,
        msgs: &[Any],
        gas: Gas,
    ) -> Result<TxOutcome, TxError> {
        let (hash, _) = self.broadcast(client, msgs, gas).await?;
        let out = client.wait_tx(&hash).await?;
        if !out.ok() {
            // A failed DeliverTx still consumed the sequence.
            return Err(TxError::Rejected(out.log));
        }
        Ok(out)
    }

    /// [`Wallet::send`] that also returns the outcome of a failed transaction.
    pub async fn send_outcome(
        &mut self,
        client: &Client,
        msgs: &[Any],
        gas: Gas,
    ) -> Result<TxOutcome, TxError> {
        let (hash, _) = self.broadcast(client, msgs, gas).await?;
        client.wait_tx(&hash).await
    }
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
