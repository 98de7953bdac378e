//! The keeper's metrics (the `prometheus-client` crate, OpenMetrics text) and its HTTP
//! endpoint: `/metrics` and `/healthz`, nothing else.
//!
//! Every metric is prefixed `breakwater_keeper_` and carries HELP text:
//! - `tx_total{role, outcome}`: transactions per role and outcome (`submitted`; `succeeded`;
//!   `failed` on chain; `lost`: never seen in a block, e.g. dropped with the mempool of a node
//!   that died — the work is re-read from the chain next block; `dropped`: refused at
//!   simulation, e.g. the position healed or another keeper won; `simulated`: a dry run);
//! - `liquidations_total`, `liquidations_per_tx` (histogram), `unprofitable_total{role}`;
//! - `bids_total`, `collateral_bought_total{denom}`, `rewards_total{role}` (base units);
//! - `fees_paid_total{role, denom}`: fees of the transactions that landed;
//! - `reaction_blocks` (histogram): blocks from first seeing an account unhealthy to its
//!   liquidation landing;
//! - `in_flight_transactions`, `height`, `last_block_time_seconds`, `gas_price`;
//! - `wallet_balance{key, address, denom}`;
//! - `rpc_errors_total`, `rpc_endpoint_healthy{url}`, `rpc_endpoint_active{url}`,
//!   `rpc_failovers_total`;
//! - per collateral, read every block by the liquidator role ([`Throttle`]):
//!   `liquidation_cap{denom}`, `auction_debt{denom}`, `liquidation_room{denom}` (base units),
//!   `measured_depth{denom}` and `sales_left{denom}` (only while the contracts report one),
//!   `oracle_active{denom}` (1 active, 0 halted, stale or without quorum) and
//!   `oracle_shortfall{denom}` (the median's streak under its TWAP, 0 without one).
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// Upper bounds of the reaction histogram's buckets, in blocks.
pub const REACTION_BUCKETS: [f64; 7] = [0.0, 1.0, 2.0, 3.0, 5.0, 10.0, 30.0];

/// Outcome of one transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Broadcast and accepted by CheckTx.
    Submitted,
    /// Included and succeeded.
    Succeeded,
    /// Included and failed.
    Failed,
    /// Never seen in a block within the timeout (or its sequence went to another).
    Lost,
    /// Refused at simulation and not sent (healed, raced, too early).
    Dropped,
    /// Simulated in a dry run, not sent.
    Simulated,
}

impl Outcome {
    fn label(self) -> &'static str {
        match self {
            Outcome::Submitted => "submitted",
            Outcome::Succeeded => "succeeded",
            Outcome::Failed => "failed",
            Outcome::Lost => "lost",
            Outcome::Dropped => "dropped",
            Outcome::Simulated => "simulated",
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TxLabels {
    role: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RoleLabel {
    role: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DenomLabel {
    denom: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RoleDenom {
    role: String,
    denom: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BalanceLabels {
    key: String,
    address: String,
    denom: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct UrlLabel {
    url: String,
}

type FloatGauge = Gauge<f64, AtomicU64>;

/// A collateral's liquidation throttle as the liquidator's `Room` and the oracle's `Price`
/// report it (base units; what an operator watches to tell a throttled crash from a stuck
/// keeper).
#[derive(Debug, Clone, PartialEq)]
pub struct Throttle {
    /// The per-collateral cap (`Room.hole`).
    pub cap: u128,
    /// Debt under auction for the collateral (`Room.dirt`).
    pub under_auction: u128,
    /// The largest tab that may start now (`Room.room`).
    pub room: u128,
    /// The oracle's measured depth while fresh (`None`: the configured depth is in force).
    pub measured_depth: Option<u128>,
    /// What bidders may buy now with paced sales (`None`: not paced).
    pub sales_left: Option<u128>,
    /// Whether the oracle's price is active.
    pub oracle_active: bool,
    /// The median's shortfall under its TWAP while a streak lasts (0 without one).
    pub shortfall: f64,
}
type FloatCounter = Counter<f64, AtomicU64>;

/// Counters shared by every role.
pub struct Metrics {
    registry: Registry,
    tx: Family<TxLabels, Counter>,
    liquidations: Counter,
    per_tx: Histogram,
    unprofitable: Family<RoleLabel, Counter>,
    bids: Counter,
    bought: Family<DenomLabel, FloatCounter>,
    rewards: Family<RoleLabel, FloatCounter>,
    fees: Family<RoleDenom, FloatCounter>,
    reaction: Histogram,
    reaction_count: Arc<AtomicU64>,
    in_flight: Gauge,
    height: Gauge,
    block_time: Gauge,
    gas_price: FloatGauge,
    balance: Family<BalanceLabels, FloatGauge>,
    rpc_errors: Counter,
    endpoint_healthy: Family<UrlLabel, Gauge>,
    endpoint_active: Family<UrlLabel, Gauge>,
    failovers: Counter,
    cap: Family<DenomLabel, FloatGauge>,
    under_auction: Family<DenomLabel, FloatGauge>,
    room: Family<DenomLabel, FloatGauge>,
    measured_depth: Family<DenomLabel, FloatGauge>,
    sales_left: Family<DenomLabel, FloatGauge>,
    oracle_active: Family<DenomLabel, Gauge>,
    shortfall: Family<DenomLabel, FloatGauge>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        let mut r = Registry::with_prefix("breakwater_keeper");
        let m = Metrics {
            registry: Registry::default(),
            tx: Family::default(),
            liquidations: Counter::default(),
            per_tx: Histogram::new([1.0, 2.0, 4.0, 8.0, 16.0, 32.0].into_iter()),
            unprofitable: Family::default(),
            bids: Counter::default(),
            bought: Family::default(),
            rewards: Family::default(),
            fees: Family::default(),
            reaction: Histogram::new(REACTION_BUCKETS.into_iter()),
            reaction_count: Arc::default(),
            in_flight: Gauge::default(),
            height: Gauge::default(),
            block_time: Gauge::default(),
            gas_price: FloatGauge::default(),
            balance: Family::default(),
            rpc_errors: Counter::default(),
            endpoint_healthy: Family::default(),
            endpoint_active: Family::default(),
            failovers: Counter::default(),
            cap: Family::default(),
            under_auction: Family::default(),
            room: Family::default(),
            measured_depth: Family::default(),
            sales_left: Family::default(),
            oracle_active: Family::default(),
            shortfall: Family::default(),
        };
        r.register(
            "tx",
            "Transactions per role and outcome (submitted, succeeded, failed, lost, dropped, simulated)",
            m.tx.clone(),
        );
        r.register(
            "liquidations",
            "Liquidations that landed",
            m.liquidations.clone(),
        );
        r.register(
            "liquidations_per_tx",
            "Liquidate messages per liquidation transaction sent",
            m.per_tx.clone(),
        );
        r.register(
            "unprofitable",
            "Work skipped because it would not pay after fees (and slippage for bids)",
            m.unprofitable.clone(),
        );
        r.register("bids", "Filled bids", m.bids.clone());
        r.register(
            "collateral_bought",
            "Collateral units bought by the bidder, per denom",
            m.bought.clone(),
        );
        r.register(
            "rewards",
            "Base units earned: keeper rewards (liquidator, resetter) and bid profit (bidder)",
            m.rewards.clone(),
        );
        r.register(
            "fees_paid",
            "Fees of the keeper's transactions that landed, in fee-denom units",
            m.fees.clone(),
        );
        r.register(
            "reaction_blocks",
            "Blocks from first seeing an account unhealthy to its liquidation landing",
            m.reaction.clone(),
        );
        r.register(
            "in_flight_transactions",
            "Transactions broadcast whose fate is not known yet",
            m.in_flight.clone(),
        );
        r.register("height", "Newest block height seen", m.height.clone());
        r.register(
            "last_block_time_seconds",
            "Time of the newest block seen, seconds since the epoch",
            m.block_time.clone(),
        );
        r.register(
            "gas_price",
            "Fee per gas unit in use, in fee-denom units",
            m.gas_price.clone(),
        );
        r.register(
            "wallet_balance",
            "Balance of each keeper wallet, per denom (fee denom and base)",
            m.balance.clone(),
        );
        r.register(
            "rpc_errors",
            "RPC requests that failed on every endpoint",
            m.rpc_errors.clone(),
        );
        r.register(
            "rpc_endpoint_healthy",
            "1 when the RPC endpoint answered its last check in time and in sync",
            m.endpoint_healthy.clone(),
        );
        r.register(
            "rpc_endpoint_active",
            "1 for the RPC endpoint requests go to",
            m.endpoint_active.clone(),
        );
        r.register(
            "rpc_failovers",
            "Changes of the active RPC endpoint",
            m.failovers.clone(),
        );
        r.register(
            "liquidation_cap",
            "The liquidator's per-collateral cap on debt under auction, base units",
            m.cap.clone(),
        );
        r.register(
            "auction_debt",
            "Debt under auction per collateral, base units",
            m.under_auction.clone(),
        );
        r.register(
            "liquidation_room",
            "The largest tab a liquidation may start now per collateral, base units (0: throttled)",
            m.room.clone(),
        );
        r.register(
            "measured_depth",
            "The oracle's measured depth per collateral while fresh, base units per 1% move",
            m.measured_depth.clone(),
        );
        r.register(
            "sales_left",
            "What bidders may buy now per collateral with paced sales, base units",
            m.sales_left.clone(),
        );
        r.register(
            "oracle_active",
            "1 while the collateral's oracle price is active, 0 halted, stale or without quorum",
            m.oracle_active.clone(),
        );
        r.register(
            "oracle_shortfall",
            "The median's shortfall under its TWAP while a streak lasts (0 without one)",
            m.shortfall.clone(),
        );
        Metrics { registry: r, ..m }
    }
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl Metrics {
    /// Counts one transaction of `role` with `outcome`.
    pub fn tx(&self, role: &str, outcome: Outcome) {
        self.tx
            .get_or_create(&TxLabels {
                role: role.into(),
                outcome: outcome.label().into(),
            })
            .inc();
    }

    /// The count of `role` transactions with `outcome`.
    pub fn tx_count(&self, role: &str, outcome: Outcome) -> u64 {
        self.tx
            .get_or_create(&TxLabels {
                role: role.into(),
                outcome: outcome.label().into(),
            })
            .get()
    }

    /// Records a liquidation transaction of `n` liquidations being sent.
    pub fn batch_sent(&self, n: usize) {
        self.per_tx.observe(n as f64);
    }

    /// Counts `n` liquidations landed.
    pub fn liquidated(&self, n: u64) {
        self.liquidations.inc_by(n);
    }

    /// Liquidations landed so far.
    pub fn liquidations(&self) -> u64 {
        self.liquidations.get()
    }

    /// Counts work `role` skipped as unprofitable.
    pub fn unprofitable(&self, role: &str) {
        self.unprofitable
            .get_or_create(&RoleLabel { role: role.into() })
            .inc();
    }

    /// Unprofitable work skipped by `role`.
    pub fn unprofitable_count(&self, role: &str) -> u64 {
        self.unprofitable
            .get_or_create(&RoleLabel { role: role.into() })
            .get()
    }

    /// Counts a filled bid buying `units` of `denom`.
    pub fn bid(&self, denom: &str, units: u128) {
        self.bids.inc();
        self.bought
            .get_or_create(&DenomLabel {
                denom: denom.into(),
            })
            .inc_by(units as f64);
    }

    /// Filled bids so far.
    pub fn bids(&self) -> u64 {
        self.bids.get()
    }

    /// Adds base units earned by `role`.
    pub fn reward(&self, role: &str, amount: u128) {
        self.rewards
            .get_or_create(&RoleLabel { role: role.into() })
            .inc_by(amount as f64);
    }

    /// Adds a landed transaction's fee.
    pub fn fee(&self, role: &str, denom: &str, amount: u128) {
        self.fees
            .get_or_create(&RoleDenom {
                role: role.into(),
                denom: denom.into(),
            })
            .inc_by(amount as f64);
    }

    /// Records a liquidation's reaction time in blocks.
    pub fn reaction(&self, blocks: u64) {
        self.reaction.observe(blocks as f64);
        self.reaction_count.fetch_add(1, Ordering::Relaxed);
    }

    /// How many reaction times were recorded.
    pub fn reactions_recorded(&self) -> u64 {
        self.reaction_count.load(Ordering::Relaxed)
    }

    /// Records the newest block seen.
    pub fn block(&self, height: u64, time: Option<u64>) {
        let h = height as i64;
        if h > self.height.get() {
            self.height.set(h);
            self.block_time
                .set(time.map_or_else(unix_now, |t| t as i64));
        }
    }

    /// The newest height seen.
    pub fn height(&self) -> u64 {
        self.height.get().max(0) as u64
    }

    /// Time of the newest block seen (seconds since the epoch; 0 before the first).
    pub fn last_block_time(&self) -> i64 {
        self.block_time.get()
    }

    /// Sets the number of transactions in flight.
    pub fn set_in_flight(&self, n: usize) {
        self.in_flight.set(n as i64);
    }

    /// Sets the gas price in use.
    pub fn set_gas_price(&self, p: f64) {
        self.gas_price.set(p);
    }

    /// Sets a wallet's balance.
    pub fn set_balance(&self, key: &str, address: &str, denom: &str, amount: u128) {
        self.balance
            .get_or_create(&BalanceLabels {
                key: key.into(),
                address: address.into(),
                denom: denom.into(),
            })
            .set(amount as f64);
    }

    /// Publishes `denom`'s liquidation throttle; a measured depth or paced sales the
    /// contracts no longer report leave the exposition.
    pub fn set_throttle(&self, denom: &str, t: &Throttle) {
        let d = DenomLabel {
            denom: denom.into(),
        };
        self.cap.get_or_create(&d).set(t.cap as f64);
        self.under_auction
            .get_or_create(&d)
            .set(t.under_auction as f64);
        self.room.get_or_create(&d).set(t.room as f64);
        for (family, value) in [
            (&self.measured_depth, t.measured_depth),
            (&self.sales_left, t.sales_left),
        ] {
            match value {
                Some(v) => {
                    family.get_or_create(&d).set(v as f64);
                }
                None => {
                    family.remove(&d);
                }
            }
        }
        self.oracle_active
            .get_or_create(&d)
            .set(i64::from(t.oracle_active));
        self.shortfall.get_or_create(&d).set(t.shortfall);
    }

    /// Counts an RPC failure.
    pub fn rpc_error(&self) {
        self.rpc_errors.inc();
    }

    /// Publishes the endpoints' health and the failover count.
    pub fn endpoints(&self, health: &[breakwater_chain::client::EndpointHealth], failovers: u64) {
        for h in health {
            let url = UrlLabel { url: h.url.clone() };
            self.endpoint_healthy
                .get_or_create(&url)
                .set(i64::from(h.healthy));
            self.endpoint_active
                .get_or_create(&url)
                .set(i64::from(h.active));
        }
        let seen = self.failovers.get();
        if failovers > seen {
            self.failovers.inc_by(failovers - seen);
        }
    }

    /// The OpenMetrics text exposition.
    pub fn render(&self) -> String {
        let mut s = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut s, &self.registry) {
            tracing::warn!("encoding metrics: {e}");
        }
        s
    }
}

/// What `/healthz` answers: healthy while the newest block seen is at most `stale_secs`
/// old.
pub fn health(metrics: &Metrics, stale_secs: u64) -> (bool, String) {
    let last = metrics.last_block_time();
    if last == 0 {
        return (false, "no block seen yet\n".into());
    }
    let age = unix_now() - last;
    if age > stale_secs as i64 {
        (
            false,
            format!(
                "stale: newest block {} is {age} s old (limit {stale_secs} s)\n",
                metrics.height()
            ),
        )
    } else {
        (
            true,
            format!("ok: block {} is {age} s old\n", metrics.height()),
        )
    }
}

/// Serves `/metrics` and `/healthz` on `listen` until `shutdown` fires; every other path is
/// 404. A non-loopback address needs `public`.
pub async fn serve(
    listen: &str,
    public: bool,
    stale_secs: u64,
    metrics: Arc<Metrics>,
    shutdown: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let listener = bind(listen, public)?;
    serve_on(listener, stale_secs, metrics, shutdown).await
}

/// Binds the metrics address (loopback unless `public`), failing with a clear message.
pub fn bind(listen: &str, public: bool) -> anyhow::Result<std::net::TcpListener> {
    let addr: std::net::SocketAddr = listen
        .parse()
        .map_err(|e| anyhow::anyhow!("metrics listen address {listen}: {e}"))?;
    anyhow::ensure!(
        public || addr.ip().is_loopback(),
        "the metrics endpoint listens on loopback unless metrics.public is set, not {listen}"
    );
    let l = std::net::TcpListener::bind(addr)
        .map_err(|e| anyhow::anyhow!("metrics endpoint {listen}: {e}"))?;
    l.set_nonblocking(true)?;
    Ok(l)
}

/// [`serve`] on a bound listener.
pub async fn serve_on(
    listener: std::net::TcpListener,
    stale_secs: u64,
    metrics: Arc<Metrics>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<()> {
    use hyper::service::{make_service_fn, service_fn};
    use hyper::{Body, Method, Response, StatusCode};
    let make = make_service_fn(move |_| {
        let metrics = metrics.clone();
        async move {
            Ok::<_, std::convert::Infallible>(service_fn(move |req: hyper::Request<Body>| {
                let metrics = metrics.clone();
                async move {
                    let reply = |code: StatusCode, ctype: &str, body: String| {
                        Response::builder()
                            .status(code)
                            .header("Content-Type", ctype)
                            .body(Body::from(body))
                    };
                    let res = match (req.method(), req.uri().path()) {
                        (&Method::GET, "/metrics") => reply(
                            StatusCode::OK,
                            "application/openmetrics-text; version=1.0.0; charset=utf-8",
                            metrics.render(),
                        ),
                        (&Method::GET, "/healthz") => {
                            let (ok, text) = health(&metrics, stale_secs);
                            let code = if ok {
                                StatusCode::OK
                            } else {
                                StatusCode::SERVICE_UNAVAILABLE
                            };
                            reply(code, "text/plain; charset=utf-8", text)
                        }
                        (&Method::GET, _) => reply(
                            StatusCode::NOT_FOUND,
                            "text/plain; charset=utf-8",
                            "not found: /metrics or /healthz\n".into(),
                        ),
                        _ => reply(
                            StatusCode::METHOD_NOT_ALLOWED,
                            "text/plain; charset=utf-8",
                            "GET only\n".into(),
                        ),
                    };
                    res
                }
            }))
        }
    });
    let server = hyper::Server::from_tcp(listener)
        .map_err(|e| anyhow::anyhow!("metrics endpoint: {e}"))?
        .serve(make);
    tracing::info!(addr = %server.local_addr(), "metrics endpoint listening (/metrics, /healthz)");
    server
        .with_graceful_shutdown(async move {
            let _ = shutdown.changed().await;
        })
        .await
        .map_err(|e| anyhow::anyhow!("metrics endpoint: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_throttle_of_each_collateral_is_exposed_and_what_is_no_longer_reported_leaves() {
        let m = Metrics::default();
        let mut t = Throttle {
            cap: 3_000,
            under_auction: 2_500,
            room: 500,
            measured_depth: Some(1_000),
            sales_left: Some(40),
            oracle_active: true,
            shortfall: 0.25,
        };
        m.set_throttle("uatom", &t);
        let text = m.render();
        for line in [
            "breakwater_keeper_liquidation_cap{denom=\"uatom\"} 3000.0",
            "breakwater_keeper_auction_debt{denom=\"uatom\"} 2500.0",
            "breakwater_keeper_liquidation_room{denom=\"uatom\"} 500.0",
            "breakwater_keeper_measured_depth{denom=\"uatom\"} 1000.0",
            "breakwater_keeper_sales_left{denom=\"uatom\"} 40.0",
            "breakwater_keeper_oracle_active{denom=\"uatom\"} 1",
            "breakwater_keeper_oracle_shortfall{denom=\"uatom\"} 0.25",
        ] {
            assert!(text.contains(line), "{line} in\n{text}");
        }
        t.measured_depth = None;
        t.sales_left = None;
        t.oracle_active = false;
        t.room = 0;
        m.set_throttle("uatom", &t);
        let text = m.render();
        assert!(
            !text.contains("breakwater_keeper_measured_depth{"),
            "{text}"
        );
        assert!(!text.contains("breakwater_keeper_sales_left{"), "{text}");
        assert!(text.contains("breakwater_keeper_oracle_active{denom=\"uatom\"} 0"));
        assert!(text.contains("breakwater_keeper_liquidation_room{denom=\"uatom\"} 0.0"));
    }

    #[test]
    fn the_exposition_counts_per_role_with_help_and_buckets_reactions() {
        let m = Metrics::default();
        m.tx("liquidator", Outcome::Submitted);
        m.tx("liquidator", Outcome::Succeeded);
        m.tx("bidder", Outcome::Dropped);
        m.reaction(1);
        m.reaction(4);
        m.set_balance("keeper", "wasm1k", "ustake", 12_345);
        m.fee("liquidator", "ustake", 1_075);
        let text = m.render();
        assert!(
            text.contains(
                "breakwater_keeper_tx_total{role=\"liquidator\",outcome=\"succeeded\"} 1"
            ),
            "{text}"
        );
        assert!(text.contains("breakwater_keeper_tx_total{role=\"bidder\",outcome=\"dropped\"} 1"));
        assert!(
            text.contains("breakwater_keeper_reaction_blocks_bucket{le=\"1.0\"} 1"),
            "{text}"
        );
        assert!(text.contains("breakwater_keeper_reaction_blocks_bucket{le=\"5.0\"} 2"));
        assert!(text.contains("breakwater_keeper_reaction_blocks_sum 5.0"));
        assert!(text.contains("# HELP breakwater_keeper_wallet_balance "));
        assert!(text.contains(
            "breakwater_keeper_wallet_balance{key=\"keeper\",address=\"wasm1k\",denom=\"ustake\"} 12345.0"
        ));
        assert!(text.contains(
            "breakwater_keeper_fees_paid_total{role=\"liquidator\",denom=\"ustake\"} 1075.0"
        ));
        // Every metric family has HELP text.
        let types = text.matches("# TYPE ").count();
        let helps = text.matches("# HELP ").count();
        assert_eq!(types, helps, "{text}");
        assert_eq!(m.tx_count("liquidator", Outcome::Submitted), 1);
        assert_eq!(m.reactions_recorded(), 2);
    }

    #[test]
    fn health_fails_before_the_first_block_and_when_blocks_are_stale() {
        let m = Metrics::default();
        assert!(!health(&m, 30).0);
        m.block(10, Some(unix_now() as u64));
        assert!(health(&m, 30).0);
        let old = Metrics::default();
        old.block(10, Some(unix_now() as u64 - 100));
        let (ok, text) = health(&old, 30);
        assert!(!ok && text.contains("stale"), "{text}");
    }

    #[tokio::test]
    async fn only_metrics_and_healthz_are_served() {
        let m = Arc::new(Metrics::default());
        let listener = bind("127.0.0.1:0", false).unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, rx) = tokio::sync::watch::channel(false);
        let server = tokio::spawn(serve_on(listener, 30, m.clone(), rx));
        let get = |path: &str| {
            let url = format!("http://{addr}{path}");
            async move {
                let r = reqwest::get(&url).await.unwrap();
                (r.status().as_u16(), r.text().await.unwrap())
            }
        };
        let (code, body) = get("/metrics").await;
        assert_eq!(code, 200);
        assert!(body.contains("# HELP breakwater_keeper_height"), "{body}");
        assert_eq!(get("/healthz").await.0, 503);
        m.block(5, Some(unix_now() as u64));
        let (code, body) = get("/healthz").await;
        assert_eq!((code, body.starts_with("ok")), (200, true), "{body}");
        assert_eq!(get("/").await.0, 404);
        assert_eq!(get("/metrics/extra").await.0, 404);
        assert!(bind("0.0.0.0:0", false).is_err());
        stop.send(true).unwrap();
        server.await.unwrap().unwrap();
    }
}
