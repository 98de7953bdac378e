//! A chain's settings: the `[chain]` section of the keeper's TOML, everything that differs
//! between wasmd, Neutron, Osmosis, Injective and any other CosmWasm chain.
use crate::keys::{KeySpec, KeyType};
use anyhow::{bail, Result};
use serde::{Deserialize, Deserializer, Serialize};

/// Where the gas price comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GasPriceSource {
    /// The configured `gas_price`, raised on "insufficient fee" (up to `gas_price_max`).
    #[default]
    Fixed,
    /// Skip's x/feemarket (`/feemarket.feemarket.v1.Query/GasPrice`: Neutron and others),
    /// never below `gas_price`.
    Feemarket,
    /// Osmosis' EIP-1559 base fee (`/osmosis.txfees.v1beta1.Query/GetEipBaseFee`), never
    /// below `gas_price`.
    Osmosis,
    /// The first of `feemarket`, `osmosis` that the chain answers; else `fixed`.
    Auto,
}

/// The `[chain]` settings. Defaults fit the local wasmd devnet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChainConfig {
    /// Chain id (checked against every RPC endpoint at start).
    pub chain_id: String,
    /// CometBFT RPC endpoints, in order of preference: one URL or a list. The client uses the
    /// first healthy one and fails over to the next when it stops answering or falls behind.
    #[serde(deserialize_with = "one_or_many")]
    pub rpc: Vec<String>,
    /// Bech32 account prefix (`wasm`, `neutron`, `osmo`, `inj`).
    pub prefix: String,
    /// HD coin type: keys are derived at `m/44'/<coin_type>'/0'/0/<account_index>` (118;
    /// Injective 60).
    pub coin_type: u32,
    /// HD account index of the first key of each mnemonic (a role with `accounts = n` uses
    /// indices `account_index .. account_index + n`).
    pub account_index: u32,
    /// `secp256k1` (Cosmos) or `eth_secp256k1` (Injective).
    pub key_type: KeyType,
    /// Denom fees are paid in.
    pub fee_denom: String,
    /// Fee per gas unit: the price with `gas_price_source = "fixed"`, the floor otherwise.
    pub gas_price: f64,
    /// The most the keeper pays per gas unit, whatever the chain asks.
    pub gas_price_max: f64,
    /// Where the gas price comes from.
    pub gas_price_source: GasPriceSource,
    /// Factor applied to the gas price when a transaction is refused for an insufficient fee
    /// (the chain's own required amount is used when it says it).
    pub gas_price_bump: f64,
    /// Gas limit = simulated gas × this (+ 20,000).
    pub gas_adjustment: f64,
    /// Milliseconds between polls for a new block.
    pub poll_ms: u64,
    /// Seconds a broadcast transaction may take to appear in a block before it counts as lost.
    pub inclusion_timeout_secs: u64,
    /// Seconds an RPC request may take.
    pub rpc_timeout_secs: u64,
    /// An endpoint this many blocks behind the best one is unhealthy.
    pub max_block_lag: u64,
    /// Memo of every transaction.
    pub memo: String,
}

impl Default for ChainConfig {
    fn default() -> Self {
        ChainConfig {
            chain_id: "breakwater-local".into(),
            rpc: vec!["http://127.0.0.1:26657".into()],
            prefix: "wasm".into(),
            coin_type: 118,
            account_index: 0,
            key_type: KeyType::Secp256k1,
            fee_denom: "ustake".into(),
            gas_price: 0.0025,
            gas_price_max: 10.0,
            gas_price_source: GasPriceSource::Fixed,
            gas_price_bump: 1.5,
            gas_adjustment: 1.5,
            poll_ms: 200,
            inclusion_timeout_secs: 30,
            rpc_timeout_secs: 10,
            max_block_lag: 5,
            memo: "breakwater".into(),
        }
    }
}

fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

impl ChainConfig {
    /// How keys are derived on this chain.
    pub fn key_spec(&self) -> KeySpec {
        KeySpec {
            prefix: self.prefix.clone(),
            coin_type: self.coin_type,
            key_type: self.key_type,
        }
    }

    /// Checks the settings; errors name the field.
    pub fn validate(&self) -> Result<()> {
        if self.chain_id.trim().is_empty() {
            bail!("chain.chain_id is empty");
        }
        if self.rpc.is_empty() {
            bail!("chain.rpc lists no endpoint");
        }
        for url in &self.rpc {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                bail!("chain.rpc {url:?} is not an http(s) URL (e.g. http://127.0.0.1:26657)");
            }
        }
        if self.prefix.is_empty() || !self.prefix.chars().all(|c| c.is_ascii_lowercase()) {
            bail!(
                "chain.prefix {:?} is not a bech32 prefix (lowercase letters)",
                self.prefix
            );
        }
        if !(self.gas_price.is_finite() && self.gas_price >= 0.0) {
            bail!("chain.gas_price must be a non-negative number");
        }
        if !(self.gas_price_max.is_finite() && self.gas_price_max >= self.gas_price) {
            bail!("chain.gas_price_max must be at least chain.gas_price");
        }
        if !(self.gas_price_bump.is_finite() && self.gas_price_bump > 1.0) {
            bail!("chain.gas_price_bump must be above 1");
        }
        if !(self.gas_adjustment.is_finite() && self.gas_adjustment >= 1.0) {
            bail!("chain.gas_adjustment must be at least 1");
        }
        if self.inclusion_timeout_secs == 0 || self.rpc_timeout_secs == 0 {
            bail!("chain.inclusion_timeout_secs and chain.rpc_timeout_secs must be positive");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rpc_is_one_url_or_a_list() {
        let one: ChainConfig = toml::from_str("rpc = \"http://a:1\"").unwrap();
        assert_eq!(one.rpc, vec!["http://a:1"]);
        let many: ChainConfig = toml::from_str("rpc = [\"http://a:1\", \"http://b:2\"]").unwrap();
        assert_eq!(many.rpc.len(), 2);
        many.validate().unwrap();
        let bad = ChainConfig {
            rpc: vec!["127.0.0.1:26657".into()],
            ..ChainConfig::default()
        };
        assert!(bad.validate().unwrap_err().to_string().contains("http"));
    }

    #[test]
    fn an_injective_section_parses() {
        let c: ChainConfig = toml::from_str(
            r#"
            chain_id = "injective-1"
            rpc = ["https://rpc.example.invalid:443"]
            prefix = "inj"
            coin_type = 60
            key_type = "eth_secp256k1"
            fee_denom = "inj"
            gas_price = 160000000
            gas_price_max = 1000000000
            "#,
        )
        .unwrap();
        c.validate().unwrap();
        assert_eq!(c.key_spec().key_type, KeyType::EthSecp256k1);
        assert!(toml::from_str::<ChainConfig>("gas_price_source = \"magic\"").is_err());
    }
}
