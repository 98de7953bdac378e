//! A transaction's fate without the node's tx index: every transaction this client
//! broadcasts is registered (by hash, before it is sent) with a scanner that reads each new
//! block once the application has committed it, hashes its transactions, and reads the
//! block's results for those it waits for.
//! A transaction is lost when it is not in a block within the inclusion timeout, or earlier
//! when its sender's account sequence has moved past it in blocks already scanned without it
//! (another transaction took that sequence, e.g. after the node holding it in its mempool
//! died).
use super::{RpcPool, TxError, TxOutcome};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tendermint_rpc::Client as _;
use tokio::sync::watch;

/// The hash CometBFT gives a transaction: SHA-256 of its bytes, upper-case hex.
pub fn tx_hash(tx_bytes: &[u8]) -> String {
    hex::encode_upper(Sha256::digest(tx_bytes))
}

/// Who sent a transaction, to tell early that it was replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SenderSeq {
    /// The sender's address.
    pub address: String,
    /// The transaction's sequence.
    pub sequence: u64,
}

type Slot = watch::Sender<Option<Result<TxOutcome, TxError>>>;

struct Pending {
    slot: Slot,
    since: Instant,
    sender: Option<SenderSeq>,
}

#[derive(Default)]
struct State {
    pending: HashMap<String, Pending>,
    /// Outcomes of resolved hashes (kept briefly for late waiters).
    done: HashMap<String, (Instant, Result<TxOutcome, TxError>)>,
    /// Next height to scan; `None` when no scanner runs.
    next: Option<u64>,
}

/// The scanner of one client (shared by its clones).
pub struct Tracker {
    state: Mutex<State>,
    timeout: Duration,
    poll: Duration,
}

impl std::fmt::Debug for Tracker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tracker({} pending)", self.in_flight())
    }
}

/// How long a resolved outcome stays available to a late `wait`.
const KEEP_DONE: Duration = Duration::from_secs(120);

impl Tracker {
    /// A tracker counting a transaction lost after `timeout`.
    pub fn new(timeout: Duration, poll: Duration) -> Self {
        Tracker {
            state: Mutex::new(State::default()),
            timeout,
            poll,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Transactions broadcast and not yet resolved.
    pub fn in_flight(&self) -> usize {
        self.lock().pending.len()
    }

    /// Registers `hash` before it is broadcast; starts the scanner (from the block after the
    /// latest) if none runs.
    pub async fn expect(
        self: &Arc<Self>,
        rpc: &Arc<RpcPool>,
        hash: &str,
        sender: Option<SenderSeq>,
    ) -> Result<(), TxError> {
        let needs_start = {
            let st = self.lock();
            st.next.is_none()
        };
        let start_at = if needs_start {
            // Blocks up to the latest were committed before the broadcast: they cannot hold it.
            let h = rpc
                .call(|c| async move { c.latest_block().await })
                .await
                .map_err(super::unavailable)?
                .block
                .header
                .height
                .value();
            Some(h + 1)
        } else {
            None
        };
        let mut st = self.lock();
        let (slot, _) = watch::channel(None);
        st.pending.insert(
            hash.to_string(),
            Pending {
                slot,
                since: Instant::now(),
                sender,
            },
        );
        if st.next.is_none() {
            st.next = start_at;
            drop(st);
            let (me, rpc) = (self.clone(), rpc.clone());
            tokio::spawn(async move { me.scan(rpc).await });
        }
        Ok(())
    }

    /// Forgets `hash` (its broadcast failed).
    pub fn forget(&self, hash: &str) {
        self.lock().pending.remove(hash);
    }

    /// Waits for the fate of a registered `hash`; `None` if it was never registered (or its
    /// outcome expired).
    pub async fn wait(&self, hash: &str) -> Option<Result<TxOutcome, TxError>> {
        let mut rx = {
            let st = self.lock();
            if let Some((_, r)) = st.done.get(hash) {
                return Some(r.clone());
            }
            st.pending.get(hash)?.slot.subscribe()
        };
        loop {
            if let Some(r) = rx.borrow_and_update().clone() {
                return Some(r);
            }
            if rx.changed().await.is_err() {
                // The slot was dropped: resolved into `done` meanwhile, or forgotten.
                return self.lock().done.get(hash).map(|(_, r)| r.clone());
            }
        }
    }

    fn resolve(&self, st: &mut State, hash: &str, r: Result<TxOutcome, TxError>) {
        if let Some(p) = st.pending.remove(hash) {
            let _ = p.slot.send(Some(r.clone()));
        }
        st.done.insert(hash.to_string(), (Instant::now(), r));
    }

    /// Reads every new block while anything is pending, then stops.
    async fn scan(self: Arc<Self>, rpc: Arc<RpcPool>) {
        loop {
            let (next, empty) = {
                let mut st = self.lock();
                st.done.retain(|_, (t, _)| t.elapsed() < KEEP_DONE);
                if st.pending.is_empty() {
                    st.next = None;
                    (0, true)
                } else {
                    (st.next.unwrap_or(1), false)
                }
            };
            if empty {
                return;
            }
            self.expire();
            // The application's last committed height, not the block store's: CometBFT
            // stores a block and its results before the application commits its state, and
            // an outcome reported in that window lets the caller simulate its next transaction
            // against the state before this one (a Repay right after a Borrow was refused as
            // "owes nothing" on wasmd).
            let latest = match rpc.call(|c| async move { c.abci_info().await }).await {
                Ok(info) => info.last_block_height.value(),
                Err(e) => {
                    tracing::debug!(
                        "tx scanner: committed height: {}",
                        super::rpc::first_line(&e)
                    );
                    tokio::time::sleep(self.poll).await;
                    continue;
                }
            };
            let mut h = next;
            while h <= latest {
                match self.scan_block(&rpc, h).await {
                    Ok(()) => {
                        h += 1;
                        self.lock().next = Some(h);
                    }
                    Err(e) => {
                        tracing::debug!(height = h, "tx scanner: {e}");
                        break;
                    }
                }
            }
            if h > latest {
                self.check_sequences(&rpc, h - 1).await;
                tokio::time::sleep(self.poll).await;
            } else {
                tokio::time::sleep(self.poll.max(Duration::from_millis(200))).await;
            }
        }
    }

    /// Resolves pending transactions older than the timeout as lost.
    fn expire(&self) {
        let mut st = self.lock();
        let old: Vec<String> = st
            .pending
            .iter()
            .filter(|(_, p)| p.since.elapsed() > self.timeout)
            .map(|(h, _)| h.clone())
            .collect();
        for h in old {
            let e = TxError::Timeout(format!(
                "{h}: not in any block within {} s",
                self.timeout.as_secs()
            ));
            self.resolve(&mut st, &h, Err(e));
        }
    }

    async fn scan_block(&self, rpc: &RpcPool, height: u64) -> Result<(), String> {
        let h: cosmrs::tendermint::block::Height = height
            .try_into()
            .map_err(|e| format!("height {height}: {e}"))?;
        let block = rpc
            .call(|c| async move { c.block(h).await })
            .await
            .map_err(|e| super::rpc::first_line(&e))?;
        let hashes: Vec<String> = block.block.data.iter().map(|tx| tx_hash(tx)).collect();
        let wanted: Vec<usize> = {
            let st = self.lock();
            hashes
                .iter()
                .enumerate()
                .filter(|(_, x)| st.pending.contains_key(*x))
                .map(|(i, _)| i)
                .collect()
        };
        if wanted.is_empty() {
            return Ok(());
        }
        let results = rpc
            .call(|c| async move { c.block_results(h).await })
            .await
            .map_err(|e| super::rpc::first_line(&e))?;
        let txs = results.txs_results.unwrap_or_default();
        let mut st = self.lock();
        for i in wanted {
            let Some(r) = txs.get(i) else {
                return Err(format!("block {height} has no result for tx {i}"));
            };
            let outcome = TxOutcome {
                hash: hashes[i].clone(),
                height,
                code: r.code.value(),
                gas_used: r.gas_used.max(0) as u64,
                gas_wanted: r.gas_wanted.max(0) as u64,
                log: r.log.to_string(),
                events: super::events(&r.events),
            };
            self.resolve(&mut st, &hashes[i], Ok(outcome));
        }
        Ok(())
    }

    /// Pending transactions whose sender's sequence, read at a height already scanned, has
    /// moved past them were replaced: lost.
    async fn check_sequences(&self, rpc: &RpcPool, scanned: u64) {
        let candidates: Vec<(String, SenderSeq)> = {
            let st = self.lock();
            st.pending
                .iter()
                .filter(|(_, p)| p.since.elapsed() > Duration::from_secs(3))
                .filter_map(|(h, p)| p.sender.clone().map(|s| (h.clone(), s)))
                .collect()
        };
        let mut by_sender: HashMap<String, Vec<(String, u64)>> = HashMap::new();
        for (h, s) in candidates {
            by_sender
                .entry(s.address)
                .or_default()
                .push((h, s.sequence));
        }
        for (address, txs) in by_sender {
            let Ok(Some((_, seq, at))) = super::account_at(rpc, &address).await else {
                continue;
            };
            if at > scanned {
                continue;
            }
            let mut st = self.lock();
            for (h, s) in txs {
                if seq > s && st.pending.contains_key(&h) {
                    let e = TxError::Timeout(format!(
                        "{h}: sequence {s} of {address} was used by another transaction"
                    ));
                    self.resolve(&mut st, &h, Err(e));
                }
            }
        }
    }
}
