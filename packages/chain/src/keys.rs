//! Keys: BIP-39 mnemonics, derivation for any Cosmos chain (bech32 prefix, HD coin type and
//! account index, `secp256k1` or Injective's `eth_secp256k1`), and where a mnemonic comes from —
//! an environment variable, a file only its owner can read, or the devnet's accounts file;
//! never the TOML configuration.
use anyhow::{anyhow, bail, Context, Result};
use cosmrs::bip32::{DerivationPath, XPrv};
use cosmrs::crypto::secp256k1::SigningKey;
use cosmrs::proto::prost::Message;
use cosmrs::tx::{ModeInfo, SignDoc, SignMode, SignerInfo, SignerPublicKey};
use cosmrs::{AccountId, Any};
use k256::ecdsa::signature::hazmat::PrehashSigner;
use k256::ecdsa::signature::Keypair;
use serde::{Deserialize, Serialize};
use sha3::{Digest, Keccak256};
use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The signature scheme of a chain's accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyType {
    /// Cosmos `secp256k1`: SHA-256 of the sign bytes, address from RIPEMD160(SHA-256(pubkey)).
    #[default]
    Secp256k1,
    /// Ethermint/Injective `eth_secp256k1`: Keccak-256 of the sign bytes, Ethereum-style
    /// address (the last 20 bytes of Keccak-256 of the uncompressed public key).
    EthSecp256k1,
}

/// How a chain derives its accounts from a mnemonic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySpec {
    /// Bech32 prefix (`wasm`, `neutron`, `osmo`, `inj`).
    pub prefix: String,
    /// SLIP-44 coin type of the HD path `m/44'/<coin_type>'/0'/0/<index>` (118; Injective 60).
    pub coin_type: u32,
    /// The signature scheme.
    pub key_type: KeyType,
}

impl Default for KeySpec {
    /// wasmd: prefix `wasm`, coin type 118, secp256k1.
    fn default() -> Self {
        KeySpec {
            prefix: "wasm".into(),
            coin_type: 118,
            key_type: KeyType::Secp256k1,
        }
    }
}

/// Type URL of Injective's public key.
pub const ETH_PUBKEY_TYPE_URL: &str = "/injective.crypto.v1beta1.ethsecp256k1.PubKey";

/// The protobuf of an `eth_secp256k1` public key (`bytes key = 1`, compressed).
#[derive(Clone, PartialEq, Message)]
struct EthPubKey {
    #[prost(bytes = "vec", tag = "1")]
    key: Vec<u8>,
}

/// A secp256k1 key that signs the Keccak-256 digest of a message (Ethermint's scheme);
/// plugged into cosmrs as its signer.
struct EthSigner(k256::ecdsa::SigningKey);

impl k256::ecdsa::signature::Signer<k256::ecdsa::Signature> for EthSigner {
    fn try_sign(
        &self,
        msg: &[u8],
    ) -> Result<k256::ecdsa::Signature, k256::ecdsa::signature::Error> {
        let digest = Keccak256::digest(msg);
        let sig: k256::ecdsa::Signature = self.0.sign_prehash(&digest)?;
        Ok(sig.normalize_s().unwrap_or(sig))
    }
}

impl Keypair for EthSigner {
    type VerifyingKey = k256::ecdsa::VerifyingKey;

    fn verifying_key(&self) -> Self::VerifyingKey {
        *self.0.verifying_key()
    }
}

/// A key that signs for one address.
pub struct Signer {
    key: SigningKey,
    public: SignerPublicKey,
    /// The address, bech32 with the chain's prefix.
    pub address: AccountId,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signer({})", self.address)
    }
}

impl Signer {
    /// The wasmd key of account `index` (HD path `m/44'/118'/0'/0/index`, prefix `wasm`) of a
    /// BIP-39 mnemonic.
    pub fn from_mnemonic(phrase: &str, index: u32) -> Result<Self> {
        Self::derive(&seed(phrase)?, &KeySpec::default(), index)
    }

    /// The wasmd key of account `index` of a BIP-39 seed (see [`seed`]).
    pub fn from_seed(seed: &[u8], index: u32) -> Result<Self> {
        Self::derive(seed, &KeySpec::default(), index)
    }

    /// The key of account `index` (`m/44'/<coin_type>'/0'/0/<index>`) of a seed, for the chain
    /// described by `spec`.
    pub fn derive(seed: &[u8], spec: &KeySpec, index: u32) -> Result<Self> {
        let path = DerivationPath::from_str(&format!("m/44'/{}'/0'/0/{index}", spec.coin_type))
            .map_err(|e| anyhow!("derivation path: {e}"))?;
        let xprv =
            XPrv::derive_from_path(seed, &path).map_err(|e| anyhow!("key derivation: {e}"))?;
        match spec.key_type {
            KeyType::Secp256k1 => {
                let key = SigningKey::from(&xprv);
                let public = key.public_key();
                let address = public
                    .account_id(&spec.prefix)
                    .map_err(|e| anyhow!("address: {e}"))?;
                Ok(Signer {
                    key,
                    public: SignerPublicKey::Single(public),
                    address,
                })
            }
            KeyType::EthSecp256k1 => {
                let k = xprv.private_key().clone();
                let verifying = *k.verifying_key();
                let uncompressed = verifying.to_encoded_point(false);
                let hash = Keccak256::digest(&uncompressed.as_bytes()[1..]);
                let address = AccountId::new(&spec.prefix, &hash[12..])
                    .map_err(|e| anyhow!("address: {e}"))?;
                let compressed = verifying.to_encoded_point(true).as_bytes().to_vec();
                let public = SignerPublicKey::Any(Any {
                    type_url: ETH_PUBKEY_TYPE_URL.into(),
                    value: EthPubKey { key: compressed }.encode_to_vec(),
                });
                Ok(Signer {
                    key: SigningKey::new(Box::new(EthSigner(k))),
                    public,
                    address,
                })
            }
        }
    }

    /// The signer info of a direct-mode signature at `sequence`.
    pub fn signer_info(&self, sequence: u64) -> SignerInfo {
        SignerInfo {
            public_key: Some(self.public.clone()),
            mode_info: ModeInfo::single(SignMode::Direct),
            sequence,
        }
    }

    /// Signs a sign doc; the signed transaction's bytes.
    pub fn sign(&self, doc: SignDoc) -> Result<Vec<u8>> {
        let raw = doc.sign(&self.key).map_err(|e| anyhow!("signing: {e}"))?;
        raw.to_bytes()
            .map_err(|e| anyhow!("encoding the signed tx: {e}"))
    }

    /// Signs arbitrary bytes (tests).
    pub fn sign_bytes(&self, msg: &[u8]) -> Result<Vec<u8>> {
        Ok(self
            .key
            .sign(msg)
            .map_err(|e| anyhow!("signing: {e}"))?
            .to_vec())
    }
}

/// The BIP-39 seed of a mnemonic of 12 to 24 English words, checksum verified (PBKDF2:
/// compute it once when deriving many keys).
pub fn seed(phrase: &str) -> Result<Vec<u8>> {
    let words: Vec<&str> = phrase.split_whitespace().collect();
    let mnemonic = bip39::Mnemonic::parse_in(bip39::Language::English, words.join(" "))
        .map_err(|e| anyhow!("invalid mnemonic ({} words): {e}", words.len()))?;
    Ok(mnemonic.to_seed("").to_vec())
}

/// Where the mnemonic of each key name comes from; the `[keys]` section of the keeper's
/// configuration. For a key `name`, the first of these that exists wins:
/// 1. `env.<name>`: the environment variable named there;
/// 2. `files.<name>`: the file named there;
/// 3. the environment variable `<env_prefix><NAME>` (`BREAKWATER_MNEMONIC_KEEPER` for `keeper`);
/// 4. `<dir>/<name>.mnemonic`, when `dir` is set;
/// 5. the JSON accounts file (`[{name, mnemonic}]`, what `keeper devnet up` writes).
///
/// Every file must be readable by its owner only (mode 0600 or 0400): a mnemonic that
/// others on the machine can read is refused with the `chmod` that fixes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KeysConfig {
    /// Key name → environment variable holding its mnemonic.
    pub env: BTreeMap<String, String>,
    /// Key name → file holding its mnemonic.
    pub files: BTreeMap<String, PathBuf>,
    /// Prefix of the per-key environment variables (name upper-cased, `-` as `_`).
    pub env_prefix: String,
    /// A directory of `<name>.mnemonic` files.
    pub dir: Option<PathBuf>,
    /// The devnet's accounts file (`None` or missing: not used).
    pub accounts_file: Option<PathBuf>,
}

impl Default for KeysConfig {
    fn default() -> Self {
        KeysConfig {
            env: BTreeMap::new(),
            files: BTreeMap::new(),
            env_prefix: "BREAKWATER_MNEMONIC_".into(),
            dir: None,
            accounts_file: Some(PathBuf::from("target/devnet/accounts.json")),
        }
    }
}

/// Reads a secret file, refusing one that group or others can read.
pub fn read_secret_file(path: &Path) -> Result<String> {
    let meta =
        std::fs::metadata(path).with_context(|| format!("reading key file {}", path.display()))?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        bail!(
            "{} holds a mnemonic but is readable by others (mode {mode:o}): run `chmod 600 {}`",
            path.display(),
            path.display()
        );
    }
    std::fs::read_to_string(path).with_context(|| format!("reading key file {}", path.display()))
}

impl KeysConfig {
    /// The environment variable checked for `name` by rule 3.
    pub fn env_var(&self, name: &str) -> String {
        format!(
            "{}{}",
            self.env_prefix,
            name.to_ascii_uppercase().replace('-', "_")
        )
    }

    /// The mnemonic of key `name`, and where it came from.
    pub fn mnemonic(&self, name: &str) -> Result<(String, String)> {
        let from_env = |var: &str| {
            std::env::var(var)
                .ok()
                .filter(|v| !v.trim().is_empty())
                .map(|v| (v.trim().to_string(), format!("${var}")))
        };
        if let Some(var) = self.env.get(name) {
            return from_env(var).ok_or_else(|| {
                anyhow!("key {name}: the environment variable {var} (keys.env) is not set")
            });
        }
        if let Some(path) = self.files.get(name) {
            let m = read_secret_file(path)?;
            return Ok((m.trim().to_string(), path.display().to_string()));
        }
        let var = self.env_var(name);
        if let Some(found) = from_env(&var) {
            return Ok(found);
        }
        let mut looked = vec![format!("${var}")];
        if let Some(dir) = &self.dir {
            let path = dir.join(format!("{name}.mnemonic"));
            if path.exists() {
                let m = read_secret_file(&path)?;
                return Ok((m.trim().to_string(), path.display().to_string()));
            }
            looked.push(path.display().to_string());
        }
        let accounts_file = self
            .accounts_file
            .as_ref()
            .filter(|p| !p.as_os_str().is_empty());
        if let Some(path) = accounts_file.filter(|p| p.exists()) {
            #[derive(Deserialize)]
            struct Entry {
                name: String,
                mnemonic: String,
            }
            let text = read_secret_file(path)?;
            let entries: Vec<Entry> = serde_json::from_str(&text)
                .with_context(|| format!("parsing {}", path.display()))?;
            if let Some(e) = entries.into_iter().find(|e| e.name == name) {
                return Ok((e.mnemonic, path.display().to_string()));
            }
            looked.push(path.display().to_string());
        } else if let Some(path) = accounts_file {
            looked.push(format!(
                "{} (missing: `keeper devnet up` writes it)",
                path.display()
            ));
        }
        bail!(
            "no mnemonic for key {name}: looked in {}",
            looked.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HARDHAT: &str = "test test test test test test test test test test test junk";

    #[test]
    fn injective_keys_derive_the_ethereum_address_of_the_same_mnemonic() {
        // Hardhat's first account: the same mnemonic, m/44'/60'/0'/0/0.
        let spec = KeySpec {
            prefix: "inj".into(),
            coin_type: 60,
            key_type: KeyType::EthSecp256k1,
        };
        let s = Signer::derive(&seed(HARDHAT).unwrap(), &spec, 0).unwrap();
        assert_eq!(
            hex::encode(s.address.to_bytes()),
            "f39fd6e51aad88f6f4ce6ab8827279cfffb92266"
        );
        assert!(s.address.to_string().starts_with("inj1"));
        let SignerPublicKey::Any(any) = s.signer_info(0).public_key.unwrap() else {
            panic!("an eth key is an Any")
        };
        assert_eq!(any.type_url, ETH_PUBKEY_TYPE_URL);
    }

    #[test]
    fn eth_signatures_verify_against_the_keccak_digest() {
        use k256::ecdsa::signature::hazmat::PrehashVerifier;
        let spec = KeySpec {
            prefix: "inj".into(),
            coin_type: 60,
            key_type: KeyType::EthSecp256k1,
        };
        let seed = seed(HARDHAT).unwrap();
        let s = Signer::derive(&seed, &spec, 0).unwrap();
        let sig = s.sign_bytes(b"sign doc bytes").unwrap();
        let sig = k256::ecdsa::Signature::from_slice(&sig).unwrap();
        let path = DerivationPath::from_str("m/44'/60'/0'/0/0").unwrap();
        let xprv = XPrv::derive_from_path(&seed, &path).unwrap();
        let vk = *xprv.private_key().verifying_key();
        vk.verify_prehash(&Keccak256::digest(b"sign doc bytes"), &sig)
            .unwrap();
        assert!(vk
            .verify_prehash(&Keccak256::digest(b"other bytes"), &sig)
            .is_err());
    }

    #[test]
    fn mnemonics_of_12_and_24_words_are_read_and_bad_checksums_refused() {
        assert_eq!(seed(HARDHAT).unwrap().len(), 64);
        // 24 words, extra spaces and a newline are fine.
        let m24 = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon art";
        assert_eq!(seed(&format!("  {m24}\n")).unwrap(), seed(m24).unwrap());
        // BIP-39's reference vector: "abandon ×11 about", empty passphrase.
        let s = seed("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about").unwrap();
        assert!(hex::encode(&s)
            .starts_with("5eb00bbddcf069084889a8ab9155568165f5c453ccb85e70811aaed6f6da5fc1"));
        let e = seed("test test test test test test test test test test test test").unwrap_err();
        assert!(e.to_string().contains("invalid mnemonic (12 words)"), "{e}");
    }

    #[test]
    fn prefix_coin_type_and_index_change_the_address() {
        let seed = seed(HARDHAT).unwrap();
        let wasm = Signer::derive(&seed, &KeySpec::default(), 0).unwrap();
        let neutron = Signer::derive(
            &seed,
            &KeySpec {
                prefix: "neutron".into(),
                ..KeySpec::default()
            },
            0,
        )
        .unwrap();
        // Same key, other prefix.
        assert_eq!(wasm.address.to_bytes(), neutron.address.to_bytes());
        assert!(neutron.address.to_string().starts_with("neutron1"));
        let second = Signer::derive(&seed, &KeySpec::default(), 1).unwrap();
        assert_ne!(second.address, wasm.address);
        let coin60 = Signer::derive(
            &seed,
            &KeySpec {
                coin_type: 60,
                ..KeySpec::default()
            },
            0,
        )
        .unwrap();
        assert_ne!(coin60.address, wasm.address);
    }

    fn temp_dir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("bw-keys-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn a_mnemonic_file_others_can_read_is_refused() {
        let dir = temp_dir("perm");
        let path = dir.join("keeper.mnemonic");
        std::fs::write(&path, HARDHAT).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let keys = KeysConfig {
            dir: Some(dir.clone()),
            accounts_file: None,
            env_prefix: "BW_TEST_NEVER_SET_".into(),
            ..KeysConfig::default()
        };
        let e = keys.mnemonic("keeper").unwrap_err().to_string();
        assert!(
            e.contains("readable by others") && e.contains("chmod 600"),
            "{e}"
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let (m, from) = keys.mnemonic("keeper").unwrap();
        assert_eq!(m, HARDHAT);
        assert!(from.ends_with("keeper.mnemonic"));
        let e = keys.mnemonic("bidder").unwrap_err().to_string();
        assert!(
            e.contains("BW_TEST_NEVER_SET_BIDDER") && e.contains("bidder.mnemonic"),
            "{e}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_environment_variable_wins_over_files() {
        let dir = temp_dir("env");
        let path = dir.join("accounts.json");
        std::fs::write(
            &path,
            r#"[{"name":"keeper","address":"x","mnemonic":"from the file"}]"#,
        )
        .unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let keys = KeysConfig {
            accounts_file: Some(path),
            env_prefix: "BW_TEST_KEYS_ENV_".into(),
            ..KeysConfig::default()
        };
        assert_eq!(keys.mnemonic("keeper").unwrap().0, "from the file");
        std::env::set_var("BW_TEST_KEYS_ENV_KEEPER", "from the environment");
        assert_eq!(
            keys.mnemonic("keeper").unwrap(),
            (
                "from the environment".to_string(),
                "$BW_TEST_KEYS_ENV_KEEPER".to_string()
            )
        );
        std::env::remove_var("BW_TEST_KEYS_ENV_KEEPER");
        let named = KeysConfig {
            env: [("keeper".to_string(), "BW_TEST_KEYS_UNSET".to_string())].into(),
            ..keys
        };
        let e = named.mnemonic("keeper").unwrap_err().to_string();
        assert!(e.contains("BW_TEST_KEYS_UNSET"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
