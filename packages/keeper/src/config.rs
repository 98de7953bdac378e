//! The keeper's configuration: a TOML file (see `packages/keeper/keeper.toml`) with CLI
//! overrides applied by `main.rs`. Every section has defaults that work with `keeper devnet up`
//! and `keeper deploy`.
use anyhow::{Context, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The whole file.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The chain to talk to.
    pub chain: ChainConfig,
    /// Where keys come from.
    pub keys: KeysConfig,
    /// The deployment file written by `keeper deploy`.
    pub deployment: PathBuf,
    /// The local devnet (`keeper devnet ...`).
    pub devnet: breakwater_chain::devnet::DevnetConfig,
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
    /// Prometheus metrics endpoint.
    pub metrics: MetricsConfig,
}

/// Chain connection.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChainConfig {
    /// CometBFT RPC URL.
    pub rpc: String,
    /// Chain id.
    pub chain_id: String,
    /// Fee denom.
    pub fee_denom: String,
    /// Fee per gas unit.
    pub gas_price: f64,
    /// Milliseconds between polls for a new block.
    pub poll_ms: u64,
}

impl Default for ChainConfig {
    fn default() -> Self {
        ChainConfig {
            rpc: "http://127.0.0.1:26657".into(),
            chain_id: "breakwater-local".into(),
            fee_denom: "ustake".into(),
            gas_price: 0.0025,
            poll_ms: 200,
        }
    }
}

/// Keys: named mnemonics, by default the devnet's `accounts.json`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KeysConfig {
    /// A JSON file `[{name, address, mnemonic}]` (the devnet writes one).
    pub accounts_file: PathBuf,
    /// Extra `name = "mnemonic"` entries (take precedence over the file).
    pub mnemonics: std::collections::BTreeMap<String, String>,
}

impl Default for KeysConfig {
    fn default() -> Self {
        KeysConfig {
            accounts_file: PathBuf::from("target/devnet/accounts.json"),
            mnemonics: Default::default(),
        }
    }
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
}

impl Default for FeederConfig {
    fn default() -> Self {
        FeederConfig {
            enabled: false,
            keys: vec!["feeder0".into(), "feeder1".into(), "feeder2".into()],
            source: None,
            interval_secs: 10,
        }
    }
}

/// Liquidator role.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LiquidatorConfig {
    /// Whether the role runs.
    pub enabled: bool,
    /// Key name.
    pub key: String,
    /// Accounts per page of the market's `Accounts` query (at most 100; each account reads
    /// oracle prices, and wasmd caps a smart query at 3,000,000 gas by default).
    pub page_size: u32,
    /// Pages queried at once.
    pub concurrency: usize,
    /// Liquidations submitted per block at most.
    pub max_per_block: usize,
    /// Accounts below this health factor are watched: their health is recomputed from the
    /// oracle's prices at every block before the full scan.
    pub watch_health_factor: cosmwasm_std::Decimal,
}

impl Default for LiquidatorConfig {
    fn default() -> Self {
        LiquidatorConfig {
            enabled: true,
            key: "keeper".into(),
            page_size: 50,
            concurrency: 8,
            max_per_block: 50,
            watch_health_factor: cosmwasm_std::Decimal::percent(125),
        }
    }
}

/// Bidder role.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BidderConfig {
    /// Whether the role runs.
    pub enabled: bool,
    /// Key name.
    pub key: String,
    /// Bids when the auction price is below `reference · (1 − margin)`; the reference is the
    /// oracle median (or the feeder's HTTP source when `reference_url` is set).
    pub margin: f64,
    /// Optional HTTP reference price source (same format as the feeder's).
    pub reference_url: Option<String>,
    /// Most base units committed to one bid.
    pub max_spend: u64,
}

impl Default for BidderConfig {
    fn default() -> Self {
        BidderConfig {
            enabled: true,
            key: "bidder".into(),
            margin: 0.05,
            reference_url: None,
            max_spend: 1_000_000_000_000,
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

/// Metrics endpoint.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsConfig {
    /// Listen address (loopback), empty to disable.
    pub listen: String,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        MetricsConfig {
            listen: "127.0.0.1:9464".into(),
        }
    }
}

impl Config {
    /// Reads a TOML file; a missing `path` gives the defaults.
    pub fn load(path: Option<&Path>) -> Result<Self> {
        let mut cfg: Config = match path {
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .with_context(|| format!("reading config {}", p.display()))?;
                toml::from_str(&text).with_context(|| format!("parsing config {}", p.display()))?
            }
            None => Config::default(),
        };
        if cfg.deployment.as_os_str().is_empty() {
            cfg.deployment = PathBuf::from("target/devnet/deployment.json");
        }
        Ok(cfg)
    }

    /// The client for the configured chain.
    pub fn client(&self) -> Result<breakwater_chain::client::Client> {
        breakwater_chain::client::Client::new(
            &self.chain.rpc,
            &self.chain.chain_id,
            &self.chain.fee_denom,
            self.chain.gas_price,
        )
    }

    /// The configuration for a devnet: its RPC, chain id, fee denom and gas price, its keys,
    /// and a deployment file in its home.
    pub fn for_devnet(dn: &breakwater_chain::devnet::DevnetConfig) -> Result<Self> {
        let mut cfg = Config::default();
        cfg.chain.rpc = breakwater_chain::devnet::rpc_url(dn);
        cfg.chain.chain_id = dn.chain_id.clone();
        cfg.chain.fee_denom = dn.bond_denom.clone();
        cfg.chain.gas_price = dn.gas_price()?;
        cfg.keys.accounts_file = dn.home.join("accounts.json");
        cfg.deployment = dn.home.join("deployment.json");
        Ok(cfg)
    }

    /// The mnemonic of key `name`.
    pub fn mnemonic(&self, name: &str) -> Result<String> {
        if let Some(m) = self.keys.mnemonics.get(name) {
            return Ok(m.clone());
        }
        #[derive(Deserialize)]
        struct Entry {
            name: String,
            mnemonic: String,
        }
        let path = &self.keys.accounts_file;
        let text = std::fs::read_to_string(path).with_context(|| {
            format!(
                "reading keys from {} (start the devnet: keeper devnet up)",
                path.display()
            )
        })?;
        let entries: Vec<Entry> =
            serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        entries
            .into_iter()
            .find(|e| e.name == name)
            .map(|e| e.mnemonic)
            .with_context(|| format!("no key named {name} in {}", path.display()))
    }

    /// The signer of key `name`.
    pub fn signer(&self, name: &str) -> Result<breakwater_chain::client::Signer> {
        breakwater_chain::client::Signer::from_mnemonic(&self.mnemonic(name)?, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_file_gives_the_devnet_defaults() {
        let cfg: Config = toml::from_str("").unwrap();
        assert_eq!(cfg.chain.rpc, "http://127.0.0.1:26657");
        assert!(cfg.liquidator.enabled && !cfg.feeder.enabled);
    }

    #[test]
    fn unknown_keys_are_refused() {
        let err = toml::from_str::<Config>("[liquidator]\nenable = true\n").unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{err}");
    }

    #[test]
    fn a_price_source_parses_from_toml() {
        let cfg: Config = toml::from_str(
            "[feeder]\nenabled = true\nsource = { http = \"http://127.0.0.1:8080/p\" }\n",
        )
        .unwrap();
        assert_eq!(
            cfg.feeder.source,
            Some(PriceSource::Http("http://127.0.0.1:8080/p".into()))
        );
    }
}

#[cfg(test)]
mod example {
    #[test]
    fn the_shipped_example_config_parses() {
        let text = include_str!("../keeper.toml");
        let cfg: super::Config = toml::from_str(text).unwrap();
        assert_eq!(cfg.liquidator.page_size, 50);
        assert_eq!(cfg.bidder.key, "bidder");
    }
}
