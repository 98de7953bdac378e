//! The devnet's settings (the `[devnet]` section of the keeper's TOML) and their validation.
use super::{ACCOUNTS_FILE, FAUCET, LOG_FILE, VALIDATOR, WASMD_VERSION};
use anyhow::{anyhow, bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::PathBuf;

/// Ports of node `i` are the configured ports plus `i ·` this.
pub const NODE_PORT_STRIDE: u16 = 10;
/// Most validators a devnet runs (all on one machine).
pub const MAX_VALIDATORS: u32 = 8;

/// Settings of the local chain; the `[devnet]` section of the keeper's TOML configuration.
/// Every field has a default, so an empty section (or `DevnetConfig::default()`) works.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DevnetConfig {
    /// The wasmd binary. Default: `$WASMD` if set, else
    /// `${BREAKWATER_CACHE:-~/.cache/breakwater}/wasmd-v0.61.14/wasmd` (built by
    /// `scripts/tools.sh`). The environment is only read for the default: an explicit value
    /// in the TOML file wins.
    pub wasmd: PathBuf,
    /// The network's home directory. Default `target/devnet`, relative to the current
    /// directory. With one validator it is the node's home (config, data, keyring, logs);
    /// with several, node `i` lives in `<home>/node<i>`. `accounts.json` is always here.
    pub home: PathBuf,
    /// Validators (one node each, equal stake). `None`: as many as the home was created with,
    /// else 1. Changing it needs `keeper devnet reset`.
    pub validators: Option<u32>,
    /// Chain id. Default `breakwater-local`.
    pub chain_id: String,
    /// CometBFT RPC port of node 0 on 127.0.0.1 (node `i`: `+ 10·i`, as for every port).
    /// Default 26657. [`DevnetConfig::with_port_base`] sets all four ports from one number.
    pub rpc_port: u16,
    /// CometBFT P2P port on 127.0.0.1. Default 26656.
    pub p2p_port: u16,
    /// Cosmos SDK gRPC port on 127.0.0.1. Default 9090.
    pub grpc_port: u16,
    /// REST API port on 127.0.0.1 (written to `app.toml`; the API itself stays disabled).
    /// Default 1317.
    pub api_port: u16,
    /// Staking and fee denom (replaces `stake` in the genesis). Default `ustake`.
    pub bond_denom: String,
    /// Bank denoms funded to every account. Default `uusdc, uatom, uosmo, ueth, ucol`.
    pub denoms: Vec<String>,
    /// Test-keyring accounts created at init. Default `owner, guardian, feeder0, feeder1,
    /// feeder2, keeper, bidder, lender, faucet`. The validator key ([`VALIDATOR`]) is extra.
    pub accounts: Vec<String>,
    /// Units of every denom (and of the bond denom) per account; default 10^15. The
    /// [`FAUCET`] account gets `max(fund, 10^18)`. In TOML an integer, or a decimal string
    /// for amounts beyond 2^63.
    #[serde(with = "u128_serde")]
    pub fund: u128,
    /// `minimum-gas-prices` of `app.toml`, e.g. `0.0025ustake`.
    pub min_gas_price: String,
    /// Whether the nodes index transactions (`[tx_index] indexer = "kv"`, else `"null"`).
    /// Default true; the keeper never needs it (it confirms transactions from blocks).
    pub tx_index: bool,
}

impl Default for DevnetConfig {
    fn default() -> Self {
        Self {
            wasmd: default_wasmd(),
            home: PathBuf::from("target/devnet"),
            validators: None,
            chain_id: "breakwater-local".to_string(),
            rpc_port: 26657,
            p2p_port: 26656,
            grpc_port: 9090,
            api_port: 1317,
            bond_denom: "ustake".to_string(),
            denoms: ["uusdc", "uatom", "uosmo", "ueth", "ucol"]
                .iter()
                .map(|d| d.to_string())
                .collect(),
            accounts: [
                "owner", "guardian", "feeder0", "feeder1", "feeder2", "keeper", "bidder", "lender",
                FAUCET,
            ]
            .iter()
            .map(|a| a.to_string())
            .collect(),
            fund: 1_000_000_000_000_000,
            min_gas_price: "0.0025ustake".to_string(),
            tx_index: true,
        }
    }
}

/// `u128` as a TOML/JSON integer when it fits in `i64` (TOML has no bigger integers), else
/// as a decimal string; both forms are accepted.
mod u128_serde {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
        match i64::try_from(*v) {
            Ok(i) => i.serialize(s),
            Err(_) => v.to_string().serialize(s),
        }
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum IntOrString {
        Int(i64),
        Str(String),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        use serde::de::Error;
        match IntOrString::deserialize(d)? {
            IntOrString::Int(i) => u128::try_from(i)
                .map_err(|_| D::Error::custom(format!("fund must not be negative, got {i}"))),
            IntOrString::Str(s) => {
                s.trim().replace('_', "").parse().map_err(|_| {
                    D::Error::custom(format!("fund {s:?} is not a non-negative integer"))
                })
            }
        }
    }
}

/// The default wasmd path: `$WASMD`, else the `scripts/tools.sh` cache.
fn default_wasmd() -> PathBuf {
    if let Some(w) = std::env::var_os("WASMD").filter(|w| !w.is_empty()) {
        return PathBuf::from(w);
    }
    let cache = match std::env::var_os("BREAKWATER_CACHE").filter(|c| !c.is_empty()) {
        Some(c) => PathBuf::from(c),
        None => match std::env::var_os("HOME").filter(|h| !h.is_empty()) {
            Some(h) => PathBuf::from(h).join(".cache").join("breakwater"),
            None => PathBuf::from(".cache").join("breakwater"),
        },
    };
    cache.join(format!("wasmd-{WASMD_VERSION}")).join("wasmd")
}

impl DevnetConfig {
    /// The home directory as an absolute path (relative homes are taken from the current
    /// directory).
    pub fn home_dir(&self) -> Result<PathBuf> {
        if self.home.as_os_str().is_empty() {
            bail!("devnet home is empty: set `home` in the [devnet] section");
        }
        std::path::absolute(&self.home)
            .with_context(|| format!("cannot resolve devnet home {}", self.home.display()))
    }

    /// `<home>/wasmd.log`, where the node's output goes.
    pub fn log_path(&self) -> Result<PathBuf> {
        Ok(self.home_dir()?.join(LOG_FILE))
    }

    /// `<home>/accounts.json`, the accounts with their mnemonics.
    pub fn accounts_path(&self) -> Result<PathBuf> {
        Ok(self.home_dir()?.join(ACCOUNTS_FILE))
    }

    /// These settings with every port derived from `base`, the RPC port of node 0: P2P
    /// `base − 1`, gRPC `base + 2`, REST `base + 3`, and node `i` adds `10·i` to each (so a
    /// four-validator network on base 36657 uses 36656-36690).
    pub fn with_port_base(mut self, base: u16) -> Result<Self> {
        if !(1025..=65000).contains(&base) {
            bail!("devnet port base {base} is out of range: use 1025-65000");
        }
        self.rpc_port = base;
        self.p2p_port = base - 1;
        self.grpc_port = base + 2;
        self.api_port = base + 3;
        Ok(self)
    }

    /// The ports of node `i`: `(rpc, p2p, grpc, api)`.
    pub fn node_ports(&self, i: u32) -> Result<(u16, u16, u16, u16)> {
        let shift = |p: u16| -> Result<u16> {
            u32::from(p)
                .checked_add(i * u32::from(NODE_PORT_STRIDE))
                .and_then(|p| u16::try_from(p).ok())
                .ok_or_else(|| anyhow!("devnet ports of node {i} run past 65535: lower them"))
        };
        Ok((
            shift(self.rpc_port)?,
            shift(self.p2p_port)?,
            shift(self.grpc_port)?,
            shift(self.api_port)?,
        ))
    }

    /// Checks the settings; every problem is reported with the field name.
    pub fn validate(&self) -> Result<()> {
        if self.chain_id.is_empty()
            || self.chain_id.len() > 50
            || !self
                .chain_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        {
            bail!(
                "devnet chain_id {:?} is invalid: use 1-50 characters from [A-Za-z0-9._-]",
                self.chain_id
            );
        }
        check_denom("bond_denom", &self.bond_denom)?;
        for d in &self.denoms {
            check_denom("denoms", d)?;
        }
        let mut names = BTreeSet::new();
        for a in &self.accounts {
            if a.is_empty()
                || a.len() > 64
                || !a
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c))
            {
                bail!(
                    "devnet account name {a:?} is invalid: use 1-64 characters from [A-Za-z0-9_-]"
                );
            }
            if a.starts_with(VALIDATOR) {
                bail!("devnet account name {a:?} is reserved: names starting with {VALIDATOR:?} are the validators' keys");
            }
            if !names.insert(a.as_str()) {
                bail!("devnet account {a:?} is listed twice");
            }
        }
        let n = self.validators.unwrap_or(1);
        if !(1..=MAX_VALIDATORS).contains(&n) {
            bail!("devnet validators is {n}: use 1 to {MAX_VALIDATORS}");
        }
        let mut ports: Vec<(String, u16)> = vec![];
        for i in 0..n {
            let (rpc, p2p, grpc, api) = self.node_ports(i)?;
            for (name, port) in [
                ("rpc_port", rpc),
                ("p2p_port", p2p),
                ("grpc_port", grpc),
                ("api_port", api),
            ] {
                let name = if n == 1 {
                    name.to_string()
                } else {
                    format!("{name} of node {i}")
                };
                if port == 0 {
                    bail!("devnet {name} is 0: choose a fixed port");
                }
                if let Some((other, _)) = ports.iter().find(|(_, p)| *p == port) {
                    bail!("devnet {name} and {other} are both {port}: they must differ");
                }
                ports.push((name, port));
            }
        }
        if self.fund == 0 {
            bail!("devnet fund is 0: every account needs funds");
        }
        check_gas_price(&self.min_gas_price)?;
        Ok(())
    }

    /// The fee per gas unit in the bond denom, read from `min_gas_price` (its entry for the
    /// bond denom, else its first entry).
    pub fn gas_price(&self) -> Result<f64> {
        let entries: Vec<(&str, &str)> = self
            .min_gas_price
            .split(',')
            .map(str::trim)
            .map(|e| {
                e.split_at(
                    e.find(|c: char| !(c.is_ascii_digit() || c == '.'))
                        .unwrap_or(e.len()),
                )
            })
            .collect();
        let (amount, _) = entries
            .iter()
            .find(|(_, d)| *d == self.bond_denom)
            .or(entries.first())
            .ok_or_else(|| anyhow!("devnet min_gas_price {:?} is empty", self.min_gas_price))?;
        amount
            .parse()
            .with_context(|| format!("devnet min_gas_price {:?}", self.min_gas_price))
    }

    /// The (sorted, de-duplicated) denoms each account is funded with: `denoms` + bond denom.
    pub(crate) fn all_denoms(&self) -> Vec<String> {
        let mut set: BTreeSet<&str> = self.denoms.iter().map(String::as_str).collect();
        set.insert(&self.bond_denom);
        set.into_iter().map(str::to_string).collect()
    }
}

/// Cosmos SDK denom rule: `[a-zA-Z][a-zA-Z0-9/:._-]{2,127}`.
fn check_denom(field: &str, denom: &str) -> Result<()> {
    let mut chars = denom.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || "/:._-".contains(c));
    if !first_ok || !rest_ok || denom.len() < 3 || denom.len() > 128 {
        bail!(
            "devnet {field}: {denom:?} is not a valid denom (a letter, then 2-127 of [a-zA-Z0-9/:._-])"
        );
    }
    Ok(())
}

/// `minimum-gas-prices`: comma-separated `<decimal><denom>`, e.g. `0.0025ustake`.
fn check_gas_price(prices: &str) -> Result<()> {
    let bad = || {
        anyhow!("devnet min_gas_price {prices:?} is invalid: expected e.g. \"0.0025ustake\" (comma-separated for several denoms)")
    };
    if prices.trim().is_empty() {
        return Err(bad());
    }
    for p in prices.split(',') {
        let p = p.trim();
        let split = p
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        let (amount, denom) = p.split_at(split);
        if amount.is_empty() || amount.parse::<f64>().is_err() {
            return Err(bad());
        }
        check_denom("min_gas_price", denom).map_err(|_| bad())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_validate_and_parse_from_toml() {
        let cfg = DevnetConfig::default();
        cfg.validate().unwrap();
        assert_eq!(super::super::rpc_url(&cfg), "http://127.0.0.1:26657");
        assert!(cfg.wasmd.ends_with("wasmd-v0.61.14/wasmd") || std::env::var_os("WASMD").is_some());
        let parsed: DevnetConfig = toml::from_str("").unwrap();
        assert_eq!(parsed, cfg);
        let parsed: DevnetConfig =
            toml::from_str("rpc_port = 36657\nfund = 5000\ndenoms = [\"ufoo\"]").unwrap();
        assert_eq!(parsed.rpc_port, 36657);
        assert_eq!(parsed.fund, 5000);
        assert_eq!(parsed.all_denoms(), vec!["ufoo", "ustake"]);
        let big: DevnetConfig = toml::from_str("fund = \"100000000000000000000\"").unwrap();
        assert_eq!(big.fund, 100_000_000_000_000_000_000);
        assert!(toml::from_str::<DevnetConfig>("fund = -1").is_err());
        let back = toml::to_string(&big).unwrap();
        assert_eq!(toml::from_str::<DevnetConfig>(&back).unwrap(), big);
        assert!(toml::from_str::<DevnetConfig>("rpc_prot = 1").is_err());
    }

    #[test]
    fn validation_errors_name_the_field() {
        let bad = |f: fn(&mut DevnetConfig)| {
            let mut c = DevnetConfig::default();
            f(&mut c);
            c.validate().unwrap_err().to_string()
        };
        assert!(bad(|c| c.chain_id = "a b".into()).contains("chain_id"));
        assert!(bad(|c| c.denoms.push("1x".into())).contains("denoms"));
        assert!(bad(|c| c.accounts.push("owner".into())).contains("twice"));
        assert!(bad(|c| c.accounts.push(VALIDATOR.into())).contains("reserved"));
        assert!(bad(|c| c.grpc_port = c.rpc_port).contains("must differ"));
        assert!(bad(|c| c.fund = 0).contains("fund"));
        assert!(bad(|c| c.min_gas_price = "ustake".into()).contains("min_gas_price"));
        assert!(bad(|c| c.min_gas_price = "0.1".into()).contains("min_gas_price"));
        let c = DevnetConfig {
            min_gas_price: "0.0025ustake,0.01uusdc".into(),
            ..DevnetConfig::default()
        };
        c.validate().unwrap();
    }

    #[test]
    fn a_port_base_moves_every_port_of_every_node() {
        let cfg = DevnetConfig {
            validators: Some(4),
            ..DevnetConfig::default()
        }
        .with_port_base(36657)
        .unwrap();
        cfg.validate().unwrap();
        assert_eq!(cfg.node_ports(0).unwrap(), (36657, 36656, 36659, 36660));
        assert_eq!(cfg.node_ports(3).unwrap(), (36687, 36686, 36689, 36690));
        assert!(DevnetConfig::default().with_port_base(80).is_err());
        assert!(DevnetConfig::default().with_port_base(65500).is_err());
    }

    #[test]
    fn ports_of_different_nodes_must_not_collide() {
        // Node 1's RPC port (26667) is node 0's gRPC port.
        let cfg = DevnetConfig {
            validators: Some(2),
            grpc_port: 26667,
            ..DevnetConfig::default()
        };
        let e = cfg.validate().unwrap_err().to_string();
        assert!(
            e.contains("rpc_port of node 1") && e.contains("26667"),
            "{e}"
        );
        let e = DevnetConfig {
            validators: Some(0),
            ..DevnetConfig::default()
        }
        .validate()
        .unwrap_err()
        .to_string();
        assert!(e.contains("validators is 0"), "{e}");
        assert!(DevnetConfig {
            validators: Some(MAX_VALIDATORS + 1),
            ..DevnetConfig::default()
        }
        .validate()
        .is_err());
    }

    #[test]
    fn the_gas_price_is_read_from_the_minimum_gas_prices() {
        let c = DevnetConfig {
            min_gas_price: "0.01uusdc,0.0025ustake".into(),
            ..DevnetConfig::default()
        };
        assert_eq!(c.gas_price().unwrap(), 0.0025);
        assert_eq!(DevnetConfig::default().gas_price().unwrap(), 0.0025);
    }
}
