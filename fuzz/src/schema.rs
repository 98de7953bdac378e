//! Messages shaped by the committed JSON schemas, for the structured target.
//!
//! [`Generator::message`] walks `schema/<contract>/raw/{execute,query}.json` (draft-07 as
//! `cosmwasm-schema` writes it: `oneOf`/`anyOf`/`allOf`, `$ref` into `definitions`, objects,
//! arrays, strings, integers with a format, booleans, null) and draws every choice from the
//! fuzzer's bytes, so almost every generated message gets past serde and into the handlers.
//! Leaves are drawn from values that matter: amounts near 0, near the prepared positions and
//! near `u128::MAX`; decimals near 0, 1, the prices and `Decimal::MAX`; the denoms the chain
//! knows; the prepared addresses (for fields named like addresses); now and then anything.
//! The schemas are compiled in, so the generator follows the messages when they change.
use arbitrary::{Result, Unstructured};
use cosmwasm_std::{Decimal, Uint128, Uint256};
use serde_json::{Map, Value};
use std::sync::OnceLock;

use crate::world::{Contract, DENOMS};

const SCHEMAS: [(&str, &str); 4] = [
    (
        include_str!("../../schema/oracle/raw/execute.json"),
        include_str!("../../schema/oracle/raw/query.json"),
    ),
    (
        include_str!("../../schema/market/raw/execute.json"),
        include_str!("../../schema/market/raw/query.json"),
    ),
    (
        include_str!("../../schema/liquidator/raw/execute.json"),
        include_str!("../../schema/liquidator/raw/query.json"),
    ),
    (
        include_str!("../../schema/backstop/raw/execute.json"),
        include_str!("../../schema/backstop/raw/query.json"),
    ),
];

fn schemas() -> &'static [(Value, Value); 4] {
    static PARSED: OnceLock<[(Value, Value); 4]> = OnceLock::new();
    PARSED.get_or_init(|| {
        SCHEMAS.map(|(e, q)| {
            (
                serde_json::from_str(e).expect("execute schema is JSON"),
                serde_json::from_str(q).expect("query schema is JSON"),
            )
        })
    })
}

/// Field names whose strings are addresses.
const ADDRESS_FIELDS: [&str; 13] = [
    "address",
    "borrower",
    "on_behalf_of",
    "new_owner",
    "keeper",
    "contract",
    "oracle",
    "liquidator",
    "backstop",
    "guardian",
    "market",
    "feeders",
    "owner",
];

/// Field names whose strings are denoms.
const DENOM_FIELDS: [&str; 3] = ["denom", "start_after", "base_denom"];

/// Amounts that matter: edges, the prepared positions, the caps.
const AMOUNTS: [u128; 16] = [
    0,
    1,
    2,
    999,
    1_000_000,
    100_000_000,
    650_000_000,
    1_000_000_000,
    2_778_000_000,
    6_500_000_000,
    10_000_000_000,
    1_000_000_000_000,
    1_000_000_000_000_000,
    u64::MAX as u128,
    u128::MAX - 1,
    u128::MAX,
];

/// Decimals that matter, as strings.
const DECIMALS: [&str; 16] = [
    "0",
    "0.000000000000000001",
    "0.01",
    "0.05",
    "0.2",
    "0.5",
    "0.8",
    "0.97",
    "1",
    "1.05",
    "1.1",
    "3",
    "8.5",
    "10",
    "3000",
    "340282366920938463463.374607431768211455",
];

/// Seconds and ids that matter.
const INTEGERS: [u64; 12] = [
    0,
    1,
    2,
    3,
    5,
    30,
    60,
    300,
    3_600,
    86_400,
    u32::MAX as u64,
    u64::MAX,
];

/// Draws messages for one prepared world.
pub struct Generator {
    addresses: Vec<String>,
}

impl Generator {
    /// A generator naming `addresses` (the world's senders and contracts).
    pub fn new(addresses: Vec<String>) -> Generator {
        Generator { addresses }
    }

    /// An execute (or, with `query`, a query) message of `contract`, as JSON.
    pub fn message(&self, u: &mut Unstructured, contract: Contract, query: bool) -> Result<Value> {
        let i = Contract::ALL
            .iter()
            .position(|c| *c == contract)
            .unwrap_or(0);
        let (exec, q) = &schemas()[i];
        let root = if query { q } else { exec };
        self.node(u, root, root, "", 0)
    }

    fn node(
        &self,
        u: &mut Unstructured,
        root: &Value,
        n: &Value,
        hint: &str,
        depth: u32,
    ) -> Result<Value> {
        if depth > 12 {
            return Ok(Value::Null);
        }
        if let Some(r) = n.get("$ref").and_then(Value::as_str) {
            let name = r.trim_start_matches("#/definitions/");
            return match name {
                "Uint128" => Ok(Value::String(self.amount(u)?.to_string())),
                "Uint256" => Ok(Value::String(self.amount256(u)?.to_string())),
                "Decimal" => Ok(Value::String(self.decimal(u)?)),
                "Binary" => {
                    let bytes: Vec<u8> = u.arbitrary()?;
                    Ok(Value::String(cosmwasm_std::Binary::new(bytes).to_base64()))
                }
                _ => match root.get("definitions").and_then(|d| d.get(name)) {
                    Some(def) => self.node(u, root, def, hint, depth + 1),
                    None => Ok(Value::Null),
                },
            };
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(options) = n.get(key).and_then(Value::as_array) {
                let pick = u.choose(options)?;
                return self.node(u, root, pick, hint, depth + 1);
            }
        }
        if let Some(all) = n.get("allOf").and_then(Value::as_array) {
            if let Some(first) = all.first() {
                return self.node(u, root, first, hint, depth + 1);
            }
        }
        let ty = match n.get("type") {
            Some(Value::String(t)) => t.as_str(),
            Some(Value::Array(ts)) => {
                let nullable = ts.iter().any(|t| t == "null");
                if nullable && u.ratio(1, 3)? {
                    return Ok(Value::Null);
                }
                ts.iter()
                    .filter_map(Value::as_str)
                    .find(|t| *t != "null")
                    .unwrap_or("null")
            }
            _ => "null",
        };
        Ok(match ty {
            "object" => {
                let mut obj = Map::new();
                let required: Vec<&str> = n
                    .get("required")
                    .and_then(Value::as_array)
                    .map(|r| r.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                if let Some(props) = n.get("properties").and_then(Value::as_object) {
                    for (name, p) in props {
                        if required.contains(&name.as_str()) || u.arbitrary::<bool>()? {
                            obj.insert(name.clone(), self.node(u, root, p, name, depth + 1)?);
                        }
                    }
                }
                Value::Object(obj)
            }
            "array" => {
                let items = n.get("items").cloned().unwrap_or(Value::Null);
                let len = u.int_in_range(0..=4)?;
                let mut v = Vec::with_capacity(len);
                for _ in 0..len {
                    v.push(self.node(u, root, &items, hint, depth + 1)?);
                }
                Value::Array(v)
            }
            "string" => Value::String(self.string(u, hint)?),
            "integer" => {
                let format = n.get("format").and_then(Value::as_str).unwrap_or("uint64");
                let x = if u.ratio(3, 4)? {
                    *u.choose(&INTEGERS)?
                } else {
                    u.arbitrary()?
                };
                let x = match format {
                    "uint8" => x % 256,
                    "uint32" => x % (u32::MAX as u64 + 1),
                    _ => x,
                };
                Value::from(x)
            }
            "boolean" => Value::Bool(u.arbitrary()?),
            _ => Value::Null,
        })
    }

    fn string(&self, u: &mut Unstructured, hint: &str) -> Result<String> {
        let wild = u.ratio(1, 8)?;
        if wild {
            return u.arbitrary();
        }
        if ADDRESS_FIELDS.contains(&hint) {
            return Ok(u.choose(&self.addresses)?.clone());
        }
        if DENOM_FIELDS.contains(&hint) || hint.is_empty() {
            return Ok(u.choose(&DENOMS)?.to_string());
        }
        u.arbitrary()
    }

    /// An amount: mostly from [`AMOUNTS`], nudged by ±1 now and then, else any `u128`.
    pub fn amount(&self, u: &mut Unstructured) -> Result<Uint128> {
        let x = if u.ratio(3, 4)? {
            let base = *u.choose(&AMOUNTS)?;
            match u.int_in_range(0..=3u8)? {
                0 => base.saturating_sub(1),
                1 => base.saturating_add(1),
                _ => base,
            }
        } else {
            u.arbitrary()?
        };
        Ok(Uint128::new(x))
    }

    /// An amount that may exceed `u128`.
    pub fn amount256(&self, u: &mut Unstructured) -> Result<Uint256> {
        if u.ratio(1, 8)? {
            let extra: u64 = u.arbitrary()?;
            return Ok(Uint256::from(u128::MAX) + Uint256::from(extra) + Uint256::one());
        }
        Ok(Uint256::from(self.amount(u)?))
    }

    fn decimal(&self, u: &mut Unstructured) -> Result<String> {
        if u.ratio(3, 4)? {
            return Ok(u.choose(&DECIMALS)?.to_string());
        }
        let atomics: u128 = u.arbitrary()?;
        Ok(Decimal::new(Uint128::new(atomics)).to_string())
    }
}
