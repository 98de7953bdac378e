//! Creating a devnet home once: `wasmd init` of every node, the test-keyring accounts, genesis
//! balances and one gentx per validator, written in a staging directory and renamed into
//! place; and writing the devnet's settings (ports, peers) into each node's `config.toml`,
//! `app.toml` and `client.toml` with `toml_edit` (comments and layout kept) before every
//! start.
use super::process::{tail_lines, LOG_TAIL_LINES};
use super::{
    dir_is_empty, node_home, remove_if_exists, unix_now, validator_names, write_file, DevAccount,
    DevnetConfig, Node, ACCOUNTS_FILE, FAUCET, FAUCET_FUND, GENTX_AMOUNT, MARKER_FILE,
    WASMD_VERSION,
};
use anyhow::{anyhow, bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;
use toml_edit::{value, DocumentMut, Item, Table, Value};

/// Bech32 prefix of wasmd addresses.
const ADDRESS_PREFIX: &str = "wasm1";

/// What the home was created with; a mismatch with the config needs a reset.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Marker {
    wasmd_version: String,
    chain_id: String,
    bond_denom: String,
    denoms: Vec<String>,
    accounts: Vec<String>,
    fund: String,
    /// Validators (homes made before this field had one).
    #[serde(default = "one")]
    pub(crate) validators: u32,
    /// CometBFT node ids, node 0 first (for the peers of a multi-validator network).
    #[serde(default)]
    pub(crate) node_ids: Vec<String>,
    created_unix: u64,
}

fn one() -> u32 {
    1
}

impl Marker {
    pub(crate) fn of(cfg: &DevnetConfig) -> Self {
        Self {
            wasmd_version: WASMD_VERSION.to_string(),
            chain_id: cfg.chain_id.clone(),
            bond_denom: cfg.bond_denom.clone(),
            denoms: cfg.all_denoms(),
            accounts: cfg.accounts.clone(),
            fund: cfg.fund.to_string(),
            validators: cfg.validators.unwrap_or(1),
            node_ids: vec![],
            created_unix: unix_now(),
        }
    }
}

/// The marker of `home`, if it has a readable one.
pub(crate) fn read_marker(home: &Path) -> Option<Marker> {
    let text = fs::read_to_string(home.join(MARKER_FILE)).ok()?;
    serde_json::from_str(&text).ok()
}

pub(crate) fn is_initialized(home: &Path) -> bool {
    let Some(m) = read_marker(home) else {
        return false;
    };
    home.join(ACCOUNTS_FILE).is_file()
        && (0..m.validators).all(|i| {
            node_home(home, m.validators, i)
                .join("config")
                .join("genesis.json")
                .is_file()
        })
}

pub(crate) fn check_marker(cfg: &DevnetConfig, home: &Path) -> Result<()> {
    let path = home.join(MARKER_FILE);
    let text =
        fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let have: Marker = serde_json::from_str(&text)
        .with_context(|| format!("{} is malformed: run `keeper devnet reset`", path.display()))?;
    let want = Marker::of(cfg);
    let mut diffs = Vec::new();
    if have.chain_id != want.chain_id {
        diffs.push(format!("chain_id {} -> {}", have.chain_id, want.chain_id));
    }
    if have.bond_denom != want.bond_denom {
        diffs.push(format!(
            "bond_denom {} -> {}",
            have.bond_denom, want.bond_denom
        ));
    }
    if have.denoms != want.denoms {
        diffs.push(format!("denoms {:?} -> {:?}", have.denoms, want.denoms));
    }
    if have.accounts != want.accounts {
        diffs.push(format!(
            "accounts {:?} -> {:?}",
            have.accounts, want.accounts
        ));
    }
    if have.fund != want.fund {
        diffs.push(format!("fund {} -> {}", have.fund, want.fund));
    }
    if have.validators != want.validators {
        diffs.push(format!(
            "validators {} -> {}",
            have.validators, want.validators
        ));
    }
    if !diffs.is_empty() {
        bail!(
            "the devnet at {} was created with other genesis settings ({}); run `keeper devnet reset` to re-create it (this wipes the chain)",
            home.display(),
            diffs.join("; ")
        );
    }
    Ok(())
}

/// Creates the home in a staging directory beside it, then renames it into place, so an
/// interrupted init never leaves a half-made home.
pub(crate) fn init(cfg: &DevnetConfig, home: &Path) -> Result<()> {
    if home.exists() {
        if !dir_is_empty(home)? {
            bail!(
                "{} exists but is not an initialized devnet (no {MARKER_FILE}): run `keeper devnet reset` or delete it",
                home.display()
            );
        }
        fs::remove_dir(home).with_context(|| format!("cannot replace {}", home.display()))?;
    }
    let parent = home
        .parent()
        .ok_or_else(|| anyhow!("devnet home {} has no parent directory", home.display()))?;
    fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    let name = home
        .file_name()
        .ok_or_else(|| anyhow!("devnet home {} has no name", home.display()))?
        .to_string_lossy()
        .into_owned();
    let prefix = format!(".{name}.init-");
    clean_stale_staging(parent, &prefix);
    let stage = parent.join(format!("{prefix}{}", std::process::id()));
    if stage.exists() {
        fs::remove_dir_all(&stage).with_context(|| format!("cannot remove {}", stage.display()))?;
    }
    let result = init_in(cfg, &stage).and_then(|()| {
        fs::rename(&stage, home)
            .with_context(|| format!("cannot move {} to {}", stage.display(), home.display()))
    });
    if result.is_err() {
        let _ = fs::remove_dir_all(&stage);
    }
    result
}

/// Removes staging directories left by interrupted inits whose process is gone.
fn clean_stale_staging(parent: &Path, prefix: &str) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix(prefix)
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

fn init_in(cfg: &DevnetConfig, stage: &Path) -> Result<()> {
    let step = Instant::now();
    let version = wasmd(cfg, None, &["version"]).with_context(|| {
        format!(
            "{} does not run (is libwasmvm in the Go module cache? rebuild with scripts/tools.sh)",
            cfg.wasmd.display()
        )
    })?;
    let version = format!("{}{}", version.0, version.1).trim().to_string();
    // Built from the module proxy without ldflags, wasmd prints an empty version.
    if !version.is_empty() && !version.contains(WASMD_VERSION.trim_start_matches('v')) {
        tracing::warn!(%version, expected = WASMD_VERSION, "unexpected wasmd version");
    }
    let n = cfg.validators.unwrap_or(1);
    let homes: Vec<PathBuf> = (0..n).map(|i| node_home(stage, n, i)).collect();
    for (i, h) in homes.iter().enumerate() {
        let moniker = format!("breakwater-node{i}");
        wasmd(
            cfg,
            Some(h),
            &["init", &moniker, "--chain-id", &cfg.chain_id],
        )?;
    }
    // Node 0 holds the keyring and builds the genesis; the others get a copy of it.
    let h = homes[0].as_path();
    let genesis_path = h.join("config").join("genesis.json");
    rewrite_genesis(&genesis_path, &cfg.bond_denom)?;
    tracing::debug!(secs = step.elapsed().as_secs_f64(), "wasmd init done");

    // Keys: the configured accounts, then the validators. Each key is its own file in the
    // test keyring, so a few `keys add` run in parallel (each takes ~0.4 s).
    let validators = validator_names(n);
    let names: Vec<&str> = cfg
        .accounts
        .iter()
        .chain(&validators)
        .map(String::as_str)
        .collect();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 4));
    let chunk = names.len().div_ceil(threads).max(1);
    let accounts: Vec<DevAccount> = std::thread::scope(|scope| {
        let handles: Vec<_> = names
            .chunks(chunk)
            .map(|group| {
                scope.spawn(move || {
                    group
                        .iter()
                        .map(|name| add_key(cfg, h, name))
                        .collect::<Result<Vec<_>>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .map_err(|_| anyhow!("a `wasmd keys add` worker thread panicked"))?
            })
            .collect::<Result<Vec<Vec<_>>>>()
    })?
    .into_iter()
    .flatten()
    .collect();
    tracing::debug!(
        secs = step.elapsed().as_secs_f64(),
        n = accounts.len(),
        "keys created"
    );

    // Genesis balances, in one bulk call.
    let denoms = cfg.all_denoms();
    let balances: Vec<serde_json::Value> = accounts
        .iter()
        .map(|a| {
            let amount = |denom: &str| {
                if a.name == FAUCET {
                    cfg.fund.max(FAUCET_FUND)
                } else if validators.contains(&a.name) && denom == cfg.bond_denom {
                    cfg.fund.max(GENTX_AMOUNT * 4)
                } else {
                    cfg.fund
                }
            };
            let coins: Vec<serde_json::Value> = denoms
                .iter()
                .map(|d| serde_json::json!({ "denom": d, "amount": amount(d).to_string() }))
                .collect();
            serde_json::json!({ "address": a.address, "coins": coins })
        })
        .collect();
    let balances_path = h.join("genesis-accounts.json");
    write_file(
        &balances_path,
        serde_json::to_string_pretty(&balances)?.as_bytes(),
        0o644,
    )?;
    wasmd(
        cfg,
        Some(h),
        &[
            "genesis",
            "bulk-add-genesis-account",
            &balances_path.to_string_lossy(),
        ],
    )?;
    remove_if_exists(&balances_path)?;

    // One gentx per validator, all signed from node 0's keyring with each node's own
    // consensus key, equal stakes: any one validator can stop and the others (3 of 4) keep
    // more than two thirds of the power.
    let stake = format!("{GENTX_AMOUNT}{}", cfg.bond_denom);
    let gentx_dir = h.join("config").join("gentx");
    fs::create_dir_all(&gentx_dir)
        .with_context(|| format!("cannot create {}", gentx_dir.display()))?;
    let mut node_ids = vec![];
    for (i, (node, key)) in homes.iter().zip(&validators).enumerate() {
        let node_id = wasmd(cfg, Some(node), &["comet", "show-node-id"])?
            .0
            .trim()
            .to_string();
        let pubkey = wasmd(cfg, Some(node), &["comet", "show-validator"])?
            .0
            .trim()
            .to_string();
        let out = gentx_dir.join(format!("gentx-node{i}.json"));
        let moniker = format!("breakwater-node{i}");
        wasmd(
            cfg,
            Some(h),
            &[
                "genesis",
                "gentx",
                key,
                &stake,
                "--chain-id",
                &cfg.chain_id,
                "--keyring-backend",
                "test",
                "--pubkey",
                &pubkey,
                "--node-id",
                &node_id,
                "--moniker",
                &moniker,
                "--ip",
                "127.0.0.1",
                "--output-document",
                &out.to_string_lossy(),
            ],
        )?;
        node_ids.push(node_id);
    }
    wasmd(cfg, Some(h), &["genesis", "collect-gentxs"])?;
    wasmd(cfg, Some(h), &["genesis", "validate"])?;
    for other in &homes[1..] {
        fs::copy(&genesis_path, other.join("config").join("genesis.json"))
            .with_context(|| format!("cannot copy the genesis to {}", other.display()))?;
    }
    tracing::debug!(secs = step.elapsed().as_secs_f64(), "genesis done");

    write_file(
        &stage.join(ACCOUNTS_FILE),
        serde_json::to_string_pretty(&accounts)?.as_bytes(),
        0o600,
    )?;
    // Written last: its presence means the home is complete.
    let marker = Marker {
        node_ids,
        ..Marker::of(cfg)
    };
    write_file(
        &stage.join(MARKER_FILE),
        serde_json::to_string_pretty(&marker)?.as_bytes(),
        0o644,
    )?;
    Ok(())
}

/// Runs wasmd (with `--home` when given), stdin closed; returns (stdout, stderr). A non-zero
/// exit is an error quoting the end of its output.
pub(crate) fn wasmd(
    cfg: &DevnetConfig,
    home: Option<&Path>,
    args: &[&str],
) -> Result<(String, String)> {
    let mut cmd = Command::new(&cfg.wasmd);
    cmd.args(args).stdin(Stdio::null());
    if let Some(h) = home {
        cmd.arg("--home").arg(h);
    }
    let out = cmd
        .output()
        .with_context(|| format!("cannot run {}", cfg.wasmd.display()))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if !out.status.success() {
        bail!(
            "`wasmd {}` failed ({}):\n{}",
            args.join(" "),
            out.status,
            tail_lines(&format!("{stdout}\n{stderr}"), LOG_TAIL_LINES)
        );
    }
    Ok((stdout, stderr))
}

/// `wasmd keys add <name> --output json`; the JSON (with the mnemonic) may come on stdout
/// or stderr depending on the SDK version, so both are searched.
fn add_key(cfg: &DevnetConfig, h: &Path, name: &str) -> Result<DevAccount> {
    let (stdout, stderr) = wasmd(
        cfg,
        Some(h),
        &[
            "keys",
            "add",
            name,
            "--keyring-backend",
            "test",
            "--output",
            "json",
        ],
    )?;
    let account = parse_key_json(&stdout)
        .or_else(|| parse_key_json(&stderr))
        .ok_or_else(|| {
            anyhow!(
                "`wasmd keys add {name}` printed no key JSON with a mnemonic:\n{stdout}\n{stderr}"
            )
        })?;
    if account.name != name || !account.address.starts_with(ADDRESS_PREFIX) {
        bail!(
            "`wasmd keys add {name}` returned key {:?} with address {:?} (expected a {ADDRESS_PREFIX}... address)",
            account.name,
            account.address
        );
    }
    let words = account.mnemonic.split_whitespace().count();
    if words != 12 && words != 24 {
        bail!("`wasmd keys add {name}` returned a mnemonic of {words} words");
    }
    Ok(account)
}

pub(crate) fn parse_key_json(text: &str) -> Option<DevAccount> {
    text.lines()
        .map(str::trim)
        .filter(|l| l.starts_with('{'))
        .find_map(|l| serde_json::from_str::<DevAccount>(l).ok())
}

/// Replaces the JSON string `"stake"` by the bond denom and makes sure anyone can upload
/// and instantiate code.
pub(crate) fn rewrite_genesis(path: &Path, bond_denom: &str) -> Result<()> {
    let text =
        fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut genesis: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not valid JSON", path.display()))?;
    replace_strings(&mut genesis, "stake", bond_denom);
    let bond = genesis.pointer("/app_state/staking/params/bond_denom");
    if bond.and_then(|b| b.as_str()) != Some(bond_denom) {
        bail!(
            "{}: app_state.staking.params.bond_denom is {bond:?} after replacing \"stake\"",
            path.display()
        );
    }
    let wasm_params = genesis
        .pointer_mut("/app_state/wasm/params")
        .and_then(|p| p.as_object_mut())
        .ok_or_else(|| anyhow!("{} has no app_state.wasm.params", path.display()))?;
    let upload_ok = wasm_params
        .get("code_upload_access")
        .and_then(|a| a.get("permission"))
        .and_then(|p| p.as_str())
        == Some("Everybody");
    if !upload_ok {
        tracing::info!("setting wasm code_upload_access to Everybody");
        wasm_params.insert(
            "code_upload_access".to_string(),
            serde_json::json!({ "permission": "Everybody", "addresses": [] }),
        );
    }
    if wasm_params
        .get("instantiate_default_permission")
        .and_then(|p| p.as_str())
        != Some("Everybody")
    {
        wasm_params.insert(
            "instantiate_default_permission".to_string(),
            serde_json::json!("Everybody"),
        );
    }
    write_file(
        path,
        serde_json::to_string_pretty(&genesis)?.as_bytes(),
        0o644,
    )
}

fn replace_strings(v: &mut serde_json::Value, from: &str, to: &str) {
    match v {
        serde_json::Value::String(s) if s == from => *s = to.to_string(),
        serde_json::Value::Array(a) => a.iter_mut().for_each(|x| replace_strings(x, from, to)),
        serde_json::Value::Object(o) => o.values_mut().for_each(|x| replace_strings(x, from, to)),
        _ => {}
    }
}

// ----------------------------------------------------------------------------------------
// config.toml / app.toml / client.toml

/// One setting to write: `key` of `[section]` ("" is the top level). An `optional` one is
/// skipped when its section is absent (e.g. `[grpc-web]`, gone from newer SDKs).
pub(crate) struct Setting {
    section: &'static str,
    key: &'static str,
    value: Value,
    optional: bool,
}

fn set(section: &'static str, key: &'static str, v: impl Into<Value>) -> Setting {
    Setting {
        section,
        key,
        value: v.into(),
        optional: false,
    }
}

fn set_optional(section: &'static str, key: &'static str, v: impl Into<Value>) -> Setting {
    Setting {
        optional: true,
        ..set(section, key, v)
    }
}

/// Applies `settings` to TOML text with `toml_edit`: every other line, comment and key order
/// stays as it was; a missing section is appended, a missing key added to its section.
pub(crate) fn apply_settings(text: &str, settings: &[Setting]) -> Result<String> {
    let mut doc: DocumentMut = text.parse().context("not valid TOML")?;
    for s in settings {
        let table: &mut Table = if s.section.is_empty() {
            doc.as_table_mut()
        } else {
            if !doc.contains_key(s.section) {
                if s.optional {
                    continue;
                }
                doc.insert(s.section, Item::Table(Table::new()));
            }
            let item = &mut doc[s.section];
            let kind = item.type_name();
            item.as_table_mut()
                .ok_or_else(|| anyhow!("[{}] is a {kind}, not a table", s.section))?
        };
        match table.get_mut(s.key).and_then(Item::as_value_mut) {
            // Keep the key's comments and the value's spacing.
            Some(v) => {
                let decor = v.decor().clone();
                *v = s.value.clone();
                *v.decor_mut() = decor;
            }
            None => {
                table.insert(s.key, value(s.value.clone()));
            }
        }
    }
    Ok(doc.to_string())
}

fn edit_toml_file(path: &Path, settings: &[Setting]) -> Result<()> {
    let text =
        fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let new = apply_settings(&text, settings)
        .with_context(|| format!("cannot edit {}", path.display()))?;
    if new != text {
        write_file(path, new.as_bytes(), 0o644)?;
    }
    Ok(())
}

/// Writes the devnet settings into `node`'s configuration files (idempotent): its ports,
/// the other nodes as persistent peers, 1-second blocks, the minimum gas price.
pub(crate) fn configure(cfg: &DevnetConfig, nodes: &[Node], node: &Node) -> Result<()> {
    let network = cfg.home_dir()?;
    let marker = read_marker(&network)
        .ok_or_else(|| anyhow!("{} has no readable {MARKER_FILE}", network.display()))?;
    let peers: Vec<String> = nodes
        .iter()
        .filter(|n| n.index != node.index)
        .map(|n| {
            let id = marker.node_ids.get(n.index as usize).ok_or_else(|| {
                anyhow!(
                    "{MARKER_FILE} has no node id for node {}: run `keeper devnet reset`",
                    n.index
                )
            })?;
            Ok(format!("{id}@127.0.0.1:{}", n.p2p_port))
        })
        .collect::<Result<_>>()?;
    let config_dir = node.home.join("config");
    let mib: i64 = 1 << 20;
    let comet = vec![
        set("rpc", "laddr", format!("tcp://127.0.0.1:{}", node.rpc_port)),
        set("rpc", "pprof_laddr", ""),
        set("rpc", "max_body_bytes", 8 * mib),
        set("p2p", "laddr", format!("tcp://127.0.0.1:{}", node.p2p_port)),
        set("p2p", "persistent_peers", peers.join(",")),
        set("p2p", "seeds", ""),
        // Every node listens on 127.0.0.1.
        set("p2p", "allow_duplicate_ip", true),
        set("p2p", "addr_book_strict", false),
        set("mempool", "size", 20_000i64),
        set("mempool", "max_txs_bytes", 1024 * mib),
        set("mempool", "max_tx_bytes", 4 * mib),
        set("consensus", "timeout_commit", "1s"),
        // A stopped validator's turn to propose costs this long before the next round.
        set(
            "consensus",
            "timeout_propose",
            if nodes.len() > 1 { "2s" } else { "3s" },
        ),
        set(
            "tx_index",
            "indexer",
            if cfg.tx_index { "kv" } else { "null" },
        ),
        set("instrumentation", "prometheus", false),
    ];
    edit_toml_file(&config_dir.join("config.toml"), &comet)?;
    let app = vec![
        set("", "minimum-gas-prices", cfg.min_gas_price.clone()),
        set("telemetry", "enabled", false),
        set("api", "enable", false),
        set(
            "api",
            "address",
            format!("tcp://127.0.0.1:{}", node.api_port),
        ),
        set("grpc", "enable", true),
        set("grpc", "address", format!("127.0.0.1:{}", node.grpc_port)),
        set_optional("grpc-web", "enable", false),
    ];
    edit_toml_file(&config_dir.join("app.toml"), &app)?;
    let client = vec![
        set("", "chain-id", cfg.chain_id.clone()),
        set("", "keyring-backend", "test"),
        set("", "node", format!("tcp://127.0.0.1:{}", node.rpc_port)),
    ];
    let client_path = config_dir.join("client.toml");
    if client_path.is_file() {
        edit_toml_file(&client_path, &client)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = r#"# top comment
proxy_app = "tcp://127.0.0.1:26658"

[rpc]
# The address
laddr = "tcp://127.0.0.1:26657"
max_body_bytes = 1000000
pprof_laddr = "localhost:6060"

[p2p]
laddr = "tcp://0.0.0.0:26656"
persistent_peers = ""

[mempool]
size = 5000
max_txs_bytes = 1073741824
max_tx_bytes = 1048576

[consensus]
timeout_commit = "5s"

[tx_index]
indexer = "kv"
"#;

    #[test]
    fn key_json_is_found_in_either_stream() {
        let json = r#"{"name":"owner","type":"local","address":"wasm1abc","pubkey":"{}","mnemonic":"a b c"}"#;
        let a = parse_key_json(&format!("\n{json}\n")).unwrap();
        assert_eq!(a.name, "owner");
        assert_eq!(a.address, "wasm1abc");
        assert_eq!(a.mnemonic, "a b c");
        assert!(parse_key_json("override the existing name owner [y/N]:").is_none());
    }

    #[test]
    fn genesis_rewrite_replaces_stake_values_only() {
        let dir = std::env::temp_dir().join(format!("bw-genesis-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("genesis.json");
        let g = serde_json::json!({
            "app_state": {
                "staking": { "params": { "bond_denom": "stake" } },
                "gov": { "params": { "min_deposit": [{ "denom": "stake", "amount": "1" }] } },
                "stake": "mistake",
                "wasm": { "params": {
                    "code_upload_access": { "permission": "Nobody", "addresses": [] },
                    "instantiate_default_permission": "Everybody"
                } }
            }
        });
        fs::write(&path, g.to_string()).unwrap();
        rewrite_genesis(&path, "ustake").unwrap();
        let out: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        let _ = fs::remove_dir_all(&dir);
        assert_eq!(
            out["app_state"]["staking"]["params"]["bond_denom"],
            "ustake"
        );
        assert_eq!(
            out["app_state"]["gov"]["params"]["min_deposit"][0]["denom"],
            "ustake"
        );
        assert_eq!(out["app_state"]["stake"], "mistake");
        assert_eq!(
            out["app_state"]["wasm"]["params"]["code_upload_access"]["permission"],
            "Everybody"
        );
    }

    #[test]
    fn settings_keep_everything_else() {
        let settings = vec![
            set("rpc", "laddr", "tcp://127.0.0.1:36657"),
            set("rpc", "pprof_laddr", ""),
            set("mempool", "max_tx_bytes", 4i64 << 20),
            set("mempool", "size", 20_000i64),
            set("consensus", "timeout_commit", "1s"),
            set("", "moniker", "x"),
            set("instrumentation", "prometheus", false),
            set_optional("grpc-web", "enable", false),
        ];
        let out = apply_settings(CONFIG, &settings).unwrap();
        assert!(
            out.contains("# The address\nladdr = \"tcp://127.0.0.1:36657\"\n"),
            "{out}"
        );
        assert!(
            out.contains("laddr = \"tcp://0.0.0.0:26656\""),
            "p2p untouched"
        );
        assert!(
            out.contains("max_txs_bytes = 1073741824\nmax_tx_bytes = 4194304\n"),
            "{out}"
        );
        assert!(out.contains("size = 20000"));
        assert!(out.contains("timeout_commit = \"1s\""));
        assert!(out.contains("pprof_laddr = \"\""));
        assert!(out.starts_with("# top comment\n"), "{out}");
        assert!(out.contains("moniker = \"x\""));
        assert!(
            out.ends_with("[instrumentation]\nprometheus = false\n"),
            "{out}"
        );
        assert!(!out.contains("grpc-web"));
        let table: toml::Table = out.parse().unwrap();
        assert_eq!(table["moniker"].as_str(), Some("x"));
        assert_eq!(table["mempool"]["size"].as_integer(), Some(20_000));
        // Idempotent.
        assert_eq!(apply_settings(&out, &settings).unwrap(), out);
    }

    #[test]
    fn a_scalar_where_a_section_is_expected_is_an_error() {
        let e = apply_settings("rpc = 1\n", &[set("rpc", "laddr", "x")]).unwrap_err();
        assert!(e.to_string().contains("not a table"), "{e}");
    }
}
