//! The keeper's configuration: a TOML file (see `packages/keeper/keeper.toml` and the chain
//! examples in `packages/keeper/chains/`) with CLI overrides applied by `main.rs`. Every
//! section has defaults that work with `keeper devnet up` and `keeper deploy`. Mnemonics are
//! never read from this file: see [`KeysConfig`].
use anyhow::{bail, Context, Result};
pub use breakwater_chain::config::{ChainConfig, GasPriceSource};
use breakwater_chain::keys::Signer;
pub use breakwater_chain::keys::{KeyType, KeysConfig};
use cosmwasm_std::Decimal;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The whole file.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The chain to talk to: endpoints, prefix, coin type, fees.
    pub chain: ChainConfig,
    /// Where mnemonics come from (environment, owner-only files, the devnet's accounts).
    pub keys: KeysConfig,
    /// The deployment file written by `keeper deploy`. Default `deployments/<chain_id>.json`.
    pub deployment: Option<PathBuf>,
    /// The local devnet (`keeper devnet ...`).
    pub devnet: breakwater_chain::devnet::DevnetConfig,
    /// Prices the profit checks need.
    pub economics: EconomicsConfig,
    /// Price feeder role.
    pub feeder: FeederConfig,
    /// Liquidator role.
    pub liquidator: LiquidatorConfig,
    /// Bidder role.
    pub bidder: BidderConfig,
    /// Resetter role.
    pub resetter: RoleKey,
    /// Backstop trigger role (floor takes, resales).
    pub backstop: BackstopRoleConfig,
    /// Prometheus metrics and health endpoint.
    pub metrics: MetricsConfig,
    /// `keeper risk`.
    pub risk: RiskConfig,
}

/// A role that only needs to be switched on and to know its key.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RoleKey {
    /// Whether the role runs.
    pub enabled: bool,
    /// Key name.
    pub key: String,
}

impl Default for RoleKey {
    fn default() -> Self {
        RoleKey {
            enabled: true,
            key: "keeper".into(),
        }
    }
}

/// Where the feeder reads prices.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum PriceSource {
    /// A CSV file `t,denom,price` (seconds from the start, the denom, the price): replayed in
    /// real time from the feeder's start.
    Scenario(PathBuf),
    /// An HTTP endpoint answering JSON `{"<denom>": "<price>", ...}` (numbers or strings).
    Http(String),
}

/// Price feeder role.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FeederConfig {
    /// Whether the role runs.
    pub enabled: bool,
    /// Feeder key names: each submits every price (several feeders meet the oracle's quorum).
    pub keys: Vec<String>,
    /// The price source.
    pub source: Option<PriceSource>,
    /// Seconds between submissions (also resubmitted when a price moves).
    pub interval_secs: u64,
    /// Which market depths go with the prices (the oracle's measured depth, which the
    /// liquidator's room follows under the market's configured depth). Default: none.
    pub depth: DepthReports,
}

impl Default for FeederConfig {
    fn default() -> Self {
        FeederConfig {
            enabled: false,
            keys: vec!["feeder0".into(), "feeder1".into(), "feeder2".into()],
            source: None,
            interval_secs: 10,
            depth: DepthReports::Off,
        }
    }
}

/// Where the feeder's depth reports come from (`feeder.depth`; base value whose sale moves the
/// price 1%, the unit of the market's `CollateralParams.depth`).
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum DepthReports {
    /// No depth: the liquidator's room follows the market's configured depth alone.
    #[default]
    Off,
    /// The price source's depth (a fourth CSV column `depth`, or `{"price", "depth"}` in the
    /// JSON) where it gives one.
    Source,
    /// The source's where it gives one, else that of the venue pool the deployment records for
    /// the denom (`keeper deploy --venues`: a pool answering `Pool {}`, whose base reserve
    /// gives the depth of a constant-product pool).
    Auto,
}

/// What the profit checks need to know about prices.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct EconomicsConfig {
    /// Base units per unit of the fee denom (both in their smallest units), to weigh gas
    /// against rewards: a 6-decimal fee token worth $4 against a 6-decimal dollar base is
    /// `4`. Default: 1 when the fee denom is the base denom, else the oracle's median when it
    /// lists the fee denom; otherwise it must be set for the profit checks.
    pub fee_price: Option<Decimal>,
}

/// Liquidator role.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LiquidatorConfig {
    /// Whether the role runs.
    pub enabled: bool,
    /// Key name.
    pub key: String,
    /// Accounts derived from the key's mnemonic (HD indices `chain.account_index ..`): each is
    /// a wallet with its own sequence, and the liquidations of one block are spread across
    /// them. Each needs fee tokens.
    pub accounts: u32,
    /// Liquidations per transaction, when simulation shows each of them succeeds together.
    pub batch: usize,
    /// Accounts per page of the market's `Accounts` query (at most 100; each account reads
    /// oracle prices, and wasmd caps a smart query at 3,000,000 gas by default).
    pub page_size: u32,
    /// Pages queried at once.
    pub concurrency: usize,
    /// Liquidations submitted per block at most.
    pub max_per_block: usize,
    /// Accounts below this health factor are watched: their health is recomputed from the
    /// oracle's prices at every block before the full scan.
    pub watch_health_factor: Decimal,
    /// Least profit of a liquidation, in base units: its keeper reward (read from the
    /// simulation) minus its share of the fee. Negative: the loss a protocol-run keeper
    /// accepts to keep the market safe when rewards are small.
    pub min_profit: i64,
}

impl Default for LiquidatorConfig {
    fn default() -> Self {
        LiquidatorConfig {
            enabled: true,
            key: "keeper".into(),
            accounts: 1,
            batch: 8,
            page_size: 50,
            concurrency: 8,
            max_per_block: 200,
            watch_health_factor: Decimal::percent(125),
            min_profit: 0,
        }
    }
}

/// Where a bidder can sell what it buys.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Venue {
    /// A constant-product pool contract answering the devnet pool's `Pool {}` query
    /// (`contracts/devnet-pool`).
    Pool(String),
    /// A configured constant-product depth: reserves in base and collateral units and the
    /// fee in basis points.
    Depth {
        /// Base units in the pool.
        base: u64,
        /// Collateral units in the pool.
        collateral: u64,
        /// Swap fee, basis points.
        fee_bps: u16,
    },
}

/// Bidder role.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BidderConfig {
    /// Whether the role runs.
    pub enabled: bool,
    /// Key name.
    pub key: String,
    /// Without a venue for the lot's denom: bids when the auction price is below
    /// `reference · (1 − margin)`; the reference is the oracle median (or the HTTP source
    /// when `reference_url` is set).
    pub margin: f64,
    /// Optional HTTP reference price source (same format as the feeder's).
    pub reference_url: Option<String>,
    /// Most base units committed to one bid.
    pub max_spend: u64,
    /// Least profit of a bid in base units, after the fee and the venue's slippage.
    pub min_profit: i64,
    /// Where each collateral sells, by denom. Default: the venues recorded in the deployment
    /// (`keeper deploy --venues` on the devnet).
    pub venues: BTreeMap<String, Venue>,
    /// Bid through the liquidator's flash callback: the lot goes to the receiver contract,
    /// which sells it on the pool venue and pays the auction in the same transaction, so the
    /// bidder needs no base inventory.
    pub flash: bool,
    /// The flash receiver contract. Default: the one recorded in the deployment.
    pub flash_receiver: Option<String>,
}

impl Default for BidderConfig {
    fn default() -> Self {
        BidderConfig {
            enabled: true,
            key: "bidder".into(),
            margin: 0.05,
            reference_url: None,
            max_spend: 1_000_000_000_000,
            min_profit: 0,
            venues: BTreeMap::new(),
            flash: false,
            flash_receiver: None,
        }
    }
}

/// Backstop trigger role.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BackstopRoleConfig {
    /// Whether the role runs.
    pub enabled: bool,
    /// Key name.
    pub key: String,
    /// Asks the backstop to re-sell its collateral (paced by the contract).
    pub resell: bool,
}

impl Default for BackstopRoleConfig {
    fn default() -> Self {
        BackstopRoleConfig {
            enabled: true,
            key: "keeper".into(),
            resell: true,
        }
    }
}

/// Metrics and health endpoint.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsConfig {
    /// Listen address (loopback unless `public` is set), empty to disable. Serves
    /// `/metrics` (Prometheus) and `/healthz`.
    pub listen: String,
    /// Allow a non-loopback listen address (behind a firewall or in a container).
    pub public: bool,
    /// `/healthz` fails when the newest block seen is older than this many seconds.
    pub stale_secs: u64,
    /// Seconds between balance and endpoint-health refreshes.
    pub refresh_secs: u64,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        MetricsConfig {
            listen: "127.0.0.1:9464".into(),
            public: false,
            stale_secs: 30,
            refresh_secs: 15,
        }
    }
}

/// `keeper risk`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RiskConfig {
    /// Price falls to report, in percent.
    pub shocks: Vec<u32>,
    /// Depth per collateral (base units that move its price by 1%), overriding the market's
    /// configured depth (e.g. measured on the DEX).
    pub depth: BTreeMap<String, u64>,
    /// Share of seized collateral assumed sold straight into the market (the spiral index's
    /// `k`; auctions and the backstop keep it below 1).
    pub sold_share: Decimal,
}

impl Default for RiskConfig {
    fn default() -> Self {
        RiskConfig {
            shocks: vec![5, 10, 20, 30],
            depth: BTreeMap::new(),
            sold_share: Decimal::one(),
        }
    }
}

impl Config {
    /// Reads a TOML file; a missing `path` gives the defaults.
    pub fn load(path: Option<&Path>) -> Result<Self> {
        match path {
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .with_context(|| format!("reading config {}", p.display()))?;
                Self::parse(&text).with_context(|| format!("parsing config {}", p.display()))
            }
            None => Ok(Config::default()),
        }
    }

    /// Parses TOML text, refusing mnemonics in it.
    pub fn parse(text: &str) -> Result<Self> {
        let cfg: Config = toml::from_str(text)?;
        Ok(cfg)
    }

    /// Checks everything that can be checked without the chain.
    pub fn validate(&self) -> Result<()> {
        self.chain.validate()?;
        if self.liquidator.accounts == 0 || self.liquidator.batch == 0 {
            bail!("liquidator.accounts and liquidator.batch must be at least 1");
        }
        if self.liquidator.accounts > 64 {
            bail!("liquidator.accounts is at most 64");
        }
        if self.metrics.stale_secs == 0 {
            bail!("metrics.stale_secs must be positive");
        }
        if !(0.0..1.0).contains(&self.bidder.margin) {
            bail!("bidder.margin must be in [0, 1)");
        }
        Ok(())
    }

    /// The deployment file: `deployment`, else `deployments/<chain_id>.json`.
    pub fn deployment_path(&self) -> PathBuf {
        self.deployment
            .clone()
            .unwrap_or_else(|| default_deployment(&self.chain.chain_id))
    }

    /// The configuration for a devnet: its RPC endpoints, chain id, fee denom and gas price,
    /// its keys, and a deployment file in its home.
    pub fn for_devnet(dn: &breakwater_chain::devnet::DevnetConfig) -> Result<Self> {
        let mut cfg = Config::default();
        cfg.chain.rpc = breakwater_chain::devnet::rpc_urls(dn)?;
        cfg.chain.chain_id = dn.chain_id.clone();
        cfg.chain.fee_denom = dn.bond_denom.clone();
        cfg.chain.gas_price = dn.gas_price()?;
        cfg.keys.accounts_file = Some(dn.home.join("accounts.json"));
        cfg.deployment = Some(dn.home.join("deployment.json"));
        cfg.devnet = dn.clone();
        Ok(cfg)
    }

    /// The client for the configured chain.
    pub fn client(&self) -> Result<breakwater_chain::client::Client> {
        breakwater_chain::client::Client::from_config(&self.chain)
    }

    /// The mnemonic of key `name` (never from this file: see [`KeysConfig`]).
    pub fn mnemonic(&self, name: &str) -> Result<String> {
        Ok(self.keys.mnemonic(name)?.0)
    }

    /// The signer of key `name` at the chain's first account index.
    pub fn signer(&self, name: &str) -> Result<Signer> {
        Ok(self.signers(name, 1)?.remove(0))
    }

    /// The first `n` accounts of key `name` (HD indices `chain.account_index ..`).
    pub fn signers(&self, name: &str, n: u32) -> Result<Vec<Signer>> {
        let seed = breakwater_chain::keys::seed(&self.mnemonic(name)?)
            .with_context(|| format!("key {name}"))?;
        let spec = self.chain.key_spec();
        (self.chain.account_index..self.chain.account_index + n)
            .map(|i| Signer::derive(&seed, &spec, i))
            .collect()
    }
}

/// `deployments/<chain_id>.json`.
pub fn default_deployment(chain_id: &str) -> PathBuf {
    PathBuf::from("deployments").join(format!("{chain_id}.json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_file_gives_the_devnet_defaults() {
        let cfg = Config::parse("").unwrap();
        assert_eq!(cfg.chain.rpc, vec!["http://127.0.0.1:26657"]);
        assert!(cfg.liquidator.enabled && !cfg.feeder.enabled);
        assert_eq!(
            cfg.deployment_path(),
            PathBuf::from("deployments/breakwater-local.json")
        );
        cfg.validate().unwrap();
    }

    #[test]
    fn unknown_keys_are_refused() {
        let err = Config::parse("[liquidator]\nenable = true\n").unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{err}");
    }

    #[test]
    fn mnemonics_are_not_accepted_in_the_file() {
        let err = Config::parse("[keys]\nmnemonics = { keeper = \"word word\" }\n").unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{err}");
    }

    #[test]
    fn a_price_source_parses_from_toml() {
        let cfg = Config::parse(
            "[feeder]\nenabled = true\nsource = { http = \"http://127.0.0.1:8080/p\" }\n",
        )
        .unwrap();
        assert_eq!(
            cfg.feeder.source,
            Some(PriceSource::Http("http://127.0.0.1:8080/p".into()))
        );
        assert_eq!(cfg.feeder.depth, DepthReports::Off);
        for (text, mode) in [
            ("auto", DepthReports::Auto),
            ("source", DepthReports::Source),
            ("off", DepthReports::Off),
        ] {
            let cfg = Config::parse(&format!("[feeder]\ndepth = \"{text}\"\n")).unwrap();
            assert_eq!(cfg.feeder.depth, mode);
        }
        assert!(Config::parse("[feeder]\ndepth = \"pool\"\n").is_err());
    }

    #[test]
    fn venues_parse_as_a_pool_or_a_depth() {
        let cfg = Config::parse(
            r#"
            [bidder.venues]
            uatom = { pool = "wasm1pool" }
            uosmo = { depth = { base = 1000000000000, collateral = 2000000000000, fee_bps = 30 } }
            "#,
        )
        .unwrap();
        assert_eq!(cfg.bidder.venues["uatom"], Venue::Pool("wasm1pool".into()));
        assert!(matches!(
            cfg.bidder.venues["uosmo"],
            Venue::Depth { fee_bps: 30, .. }
        ));
    }
}

#[cfg(test)]
mod example {
    #[test]
    fn the_shipped_example_configs_parse_and_validate() {
        let cfg = super::Config::parse(include_str!("../keeper.toml")).unwrap();
        cfg.validate().unwrap();
        assert_eq!(cfg.liquidator.page_size, 50);
        assert_eq!(cfg.bidder.key, "bidder");
        for (name, text) in [
            ("neutron", include_str!("../chains/neutron.toml")),
            ("osmosis", include_str!("../chains/osmosis.toml")),
            ("injective", include_str!("../chains/injective.toml")),
        ] {
            let cfg = super::Config::parse(text).unwrap_or_else(|e| panic!("{name}: {e:#}"));
            cfg.validate().unwrap_or_else(|e| panic!("{name}: {e:#}"));
            assert!(cfg.chain.rpc.len() >= 2, "{name}: several endpoints");
        }
    }
}
