//! Versioned migration shared by every contract: refuse another contract's state and
//! downgrades, then record the new cw2 version.
use cosmwasm_std::{from_json, Attribute, StdError, Storage};
use thiserror::Error;

/// Why a migration was refused.
#[derive(Error, Debug)]
pub enum MigrationError {
    /// Storage failure.
    #[error("{0}")]
    Std(#[from] StdError),
    /// The stored state belongs to another contract.
    #[error("cannot migrate from contract {found}: this code is {expected}")]
    WrongContract {
        /// This code's name.
        expected: String,
        /// The stored name.
        found: String,
    },
    /// The stored version is newer than this code.
    #[error("cannot migrate from version {stored} down to {current}")]
    Downgrade {
        /// Stored version.
        stored: String,
        /// This code's version.
        current: String,
    },
    /// A version string is not `major.minor.patch`.
    #[error("invalid version {version}: expected major.minor.patch")]
    InvalidVersion {
        /// The offending string.
        version: String,
    },
}

/// Parses `major.minor.patch`, ignoring a pre-release or build suffix (`1.2.3-rc.1`).
pub fn parse_version(version: &str) -> Result<(u64, u64, u64), MigrationError> {
    let invalid = || MigrationError::InvalidVersion {
        version: version.to_string(),
    };
    let core = version.split(['-', '+']).next().unwrap_or_default();
    let mut parts = core
        .split('.')
        .map(|p| p.parse::<u64>().map_err(|_| invalid()));
    let major = parts.next().ok_or_else(invalid)??;
    let minor = parts.next().ok_or_else(invalid)??;
    let patch = parts.next().ok_or_else(invalid)??;
    if parts.next().is_some() {
        return Err(invalid());
    }
    Ok((major, minor, patch))
}

crate::cw_serde_struct! {
    @de
    /// cw2's `ContractVersion` as stored, read by the object-only reader (`cw2`'s derived
    /// deserializer, used only here, cost every contract about 1.7 KB of wasm).
    #[derive(Debug)]
    struct StoredVersion {
        contract: String,
        version: String,
    }
}

/// `cw2::get_contract_version`: the same record, and the same error text when it is absent
/// (cw-storage-plus's `Item::load`: `type: <T>; key: <key bytes> not found`).
fn stored_version(storage: &dyn Storage) -> Result<StoredVersion, StdError> {
    let item = cw2::CONTRACT;
    let key = item.as_slice();
    match storage.get(key) {
        Some(raw) => from_json(raw),
        None => Err(StdError::msg(format!(
            "type: {}; key: {key:02X?} not found",
            std::any::type_name::<cw2::ContractVersion>()
        ))),
    }
}

/// Checks the stored cw2 name and version against `name`/`version`, then stores `version`.
/// Returns the `migrate` event attributes.
pub fn migrate_version(
    storage: &mut dyn Storage,
    name: &str,
    version: &str,
) -> Result<Vec<Attribute>, MigrationError> {
    let stored = stored_version(storage)?;
    if stored.contract != name {
        return Err(MigrationError::WrongContract {
            expected: name.to_string(),
            found: stored.contract,
        });
    }
    if parse_version(&stored.version)? > parse_version(version)? {
        return Err(MigrationError::Downgrade {
            stored: stored.version,
            current: version.to_string(),
        });
    }
    cw2::set_contract_version(storage, name, version)?;
    Ok(vec![
        Attribute::new("action", "migrate"),
        Attribute::new("from_version", stored.version),
        Attribute::new("to_version", version),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::testing::MockStorage;

    #[test]
    fn versions_compare_numerically() {
        assert_eq!(parse_version("0.10.2").unwrap(), (0, 10, 2));
        assert_eq!(parse_version("1.2.3-rc.1").unwrap(), (1, 2, 3));
        assert!(parse_version("0.10.2").unwrap() > parse_version("0.9.9").unwrap());
        for bad in ["", "1", "1.2", "1.2.x", "1.2.3.4"] {
            assert!(parse_version(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn migration_refuses_other_contracts_and_downgrades() {
        let mut st = MockStorage::new();
        cw2::set_contract_version(&mut st, "crates.io:other", "0.1.0").unwrap();
        let err = migrate_version(&mut st, "crates.io:me", "0.2.0").unwrap_err();
        assert!(err.to_string().contains("cannot migrate from contract"));
        cw2::set_contract_version(&mut st, "crates.io:me", "99.0.0").unwrap();
        let err = migrate_version(&mut st, "crates.io:me", "0.2.0").unwrap_err();
        assert!(err.to_string().contains("down to"));
        cw2::set_contract_version(&mut st, "crates.io:me", "0.1.0").unwrap();
        migrate_version(&mut st, "crates.io:me", "0.2.0").unwrap();
        assert_eq!(cw2::get_contract_version(&st).unwrap().version, "0.2.0");
    }

    #[test]
    fn the_stored_version_reads_as_cw2_reads_it() {
        let mut st = MockStorage::new();
        let absent = stored_version(&st).unwrap_err().to_string();
        let cw2_absent = cw2::get_contract_version(&st).unwrap_err().to_string();
        assert_eq!(absent, cw2_absent);
        cw2::set_contract_version(&mut st, "crates.io:me", "1.2.3").unwrap();
        let v = stored_version(&st).unwrap();
        assert_eq!(
            (v.contract.as_str(), v.version.as_str()),
            ("crates.io:me", "1.2.3")
        );
    }
}
