//! A signer with its account number and a locally tracked sequence: it signs with the
//! client's current gas price, recovers from a sequence mismatch (refetch, retry) and from an
//! "insufficient fee" refusal (raise the price as the chain asks, re-sign, retry).
use crate::client::tracker::SenderSeq;
use crate::client::{Client, Simulation, TxError, TxOutcome};
use crate::keys::Signer;
use cosmrs::tx::{Body, Fee, SignDoc};
use cosmrs::{Any, Coin, Denom};
use std::str::FromStr;

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

/// Retries of a refused broadcast (sequence refetches and fee bumps together).
const RETRIES: u32 = 3;

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

    /// The sequence the next transaction will carry (once loaded).
    pub fn sequence(&self) -> u64 {
        self.sequence
    }

    /// Refetches the account number and sequence from the chain.
    pub async fn refresh(&mut self, client: &Client) -> Result<(), TxError> {
        let (n, s) = client.account(&self.address()).await?.ok_or_else(|| {
            TxError::Rejected(format!(
                "account {} does not exist on chain (send it some {} for fees)",
                self.address(),
                client.fee_denom
            ))
        })?;
        self.account_number = n;
        self.sequence = s;
        self.loaded = true;
        Ok(())
    }

    /// Forgets the sequence: the next use refetches it.
    pub fn invalidate(&mut self) {
        self.loaded = false;
    }

    fn sign(&self, client: &Client, msgs: &[Any], gas_limit: u64) -> Result<Vec<u8>, TxError> {
        let reject = |e: cosmrs::ErrorReport| TxError::Rejected(format!("signing: {e}"));
        let body = Body::new(msgs.to_vec(), client.memo.clone(), 0u32);
        let fee = Fee::from_amount_and_gas(
            Coin {
                denom: Denom::from_str(&client.fee_denom).map_err(reject)?,
                amount: client.gas.fee(gas_limit),
            },
            gas_limit,
        );
        let auth = self.signer.signer_info(self.sequence).auth_info(fee);
        let doc =
            SignDoc::new(&body, &auth, &client.chain_id, self.account_number).map_err(reject)?;
        self.signer
            .sign(doc)
            .map_err(|e| TxError::Rejected(e.to_string()))
    }

    /// The gas limit for `used` simulated gas under `gas`.
    pub fn gas_limit(client: &Client, gas: Gas, used: u64) -> u64 {
        match gas {
            Gas::Fixed(g) => g,
            Gas::Simulate => ((used as f64) * client.gas_adjustment).ceil() as u64 + 20_000,
            Gas::SimulateScaled(pct) => used.saturating_mul(u64::from(pct)) / 100 + 20_000,
        }
    }

    /// Simulates several independent transactions at once, each as if it were the next one
    /// of this wallet; returns each simulation (gas and events). A keeper that must land many
    /// transactions in the next block simulates them together, then broadcasts them one after
    /// the other with [`Gas::Fixed`].
    pub async fn simulate_many_full(
        &mut self,
        client: &Client,
        batches: &[Vec<Any>],
    ) -> Result<Vec<Result<Simulation, TxError>>, TxError> {
        if !self.loaded {
            self.refresh(client).await?;
        }
        let this = &*self;
        let runs = batches
            .iter()
            .map(|msgs| async move { client.simulate_full(this.sign(client, msgs, 0)?).await });
        let out = futures::future::join_all(runs).await;
        if out
            .iter()
            .any(|r| matches!(r, Err(TxError::WrongSequence(_))))
        {
            self.loaded = false;
        }
        Ok(out)
    }

    /// [`Wallet::simulate_many_full`], returning the gas limit each would get under
    /// [`Gas::Simulate`].
    pub async fn simulate_many(
        &mut self,
        client: &Client,
        batches: &[Vec<Any>],
    ) -> Result<Vec<Result<u64, TxError>>, TxError> {
        Ok(self
            .simulate_many_full(client, batches)
            .await?
            .into_iter()
            .map(|r| r.map(|s| Self::gas_limit(client, Gas::Simulate, s.gas_used)))
            .collect())
    }

    /// Signs and broadcasts (CheckTx passed) without waiting for the block; returns the hash
    /// and the gas limit. A sequence mismatch refetches the account and retries; an
    /// insufficient fee raises the client's gas price and retries (up to 3 times in all).
    pub async fn broadcast(
        &mut self,
        client: &Client,
        msgs: &[Any],
        gas: Gas,
    ) -> Result<(String, u64), TxError> {
        let mut attempt = 0;
        let mut limit = None;
        loop {
            if !self.loaded {
                self.refresh(client).await?;
            }
            let gas_limit = match limit {
                Some(l) => l,
                None => {
                    let used = match gas {
                        Gas::Fixed(_) => Ok(0),
                        _ => client.simulate(self.sign(client, msgs, 0)?).await,
                    };
                    let used = match used {
                        Ok(u) => u,
                        Err(TxError::WrongSequence(m)) if attempt < RETRIES => {
                            tracing::debug!(address = %self.address(), "sequence mismatch in simulation, refetching: {m}");
                            attempt += 1;
                            self.loaded = false;
                            continue;
                        }
                        Err(e) => return Err(e),
                    };
                    let l = Self::gas_limit(client, gas, used);
                    limit = Some(l);
                    l
                }
            };
            let bytes = self.sign(client, msgs, gas_limit)?;
            let sender = SenderSeq {
                address: self.address(),
                sequence: self.sequence,
            };
            match client.broadcast_from(bytes, Some(sender)).await {
                Ok(hash) => {
                    self.sequence += 1;
                    return Ok((hash, gas_limit));
                }
                Err(TxError::WrongSequence(m)) if attempt < RETRIES => {
                    tracing::debug!(address = %self.address(), "sequence mismatch, refetching: {m}");
                    attempt += 1;
                    self.loaded = false;
                }
                Err(TxError::InsufficientFee(m)) if attempt < RETRIES => {
                    attempt += 1;
                    match client.gas.bump_for(gas_limit, &m, &client.fee_denom) {
                        Some(p) => {
                            tracing::warn!(price = p, "insufficient fee: gas price raised to {p}")
                        }
                        None => return Err(TxError::InsufficientFee(m)),
                    }
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
