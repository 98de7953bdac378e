//! One deserializer for every struct variant of a message enum.
//!
//! serde's derive gives each struct variant (`Withdraw { amount }`, `Config {}`, ...) its own
//! visitor, and serde_json compiles its whole object parser once per visitor: 1.3 to 2 KB of
//! wasm per variant in every contract that deserializes the enum. An enum implementing
//! [`Variants`] is read by one visitor instead: the variant's fields are read by name into a
//! shared body ([`Variants::Body`]) and the variant is built from it. The JSON accepted is the
//! derive's (`{"variant": {fields}}`, unknown fields ignored as `cw_serde` does, `null` or a
//! missing key for an `Option` field, a missing required field or a duplicate key refused with
//! serde's own error text). The one difference: the derive also accepts a struct variant's
//! fields as a JSON array in declaration order, which no schema or client uses; this reader
//! refuses it ("invalid type: sequence, expected struct variant ...").
use serde::de::{self, Deserializer, EnumAccess, IgnoredAny, MapAccess, VariantAccess, Visitor};
use std::fmt;
use std::marker::PhantomData;

/// `cw_serde` for an enum implementing [`Variants`]: the same derives (so the same schema and
/// serialized JSON) except `Deserialize`, which [`deserialize`] implements.
macro_rules! cw_serde_variants {
    ($(#[$meta:meta])* pub enum $name:ident { $($body:tt)* }) => {
        #[derive(
            serde::Serialize,
            Clone,
            Debug,
            PartialEq,
            cosmwasm_schema::schemars::JsonSchema,
            cosmwasm_schema::cw_schema::Schemaifier,
        )]
        #[allow(clippy::derive_partial_eq_without_eq)]
        #[serde(rename_all = "snake_case")]
        #[schemaifier(crate = "cosmwasm_schema::cw_schema")]
        #[schemars(crate = "cosmwasm_schema::schemars")]
        $(#[$meta])*
        pub enum $name { $($body)* }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::variants::deserialize(d)
            }
        }
    };
}

/// A message enum whose struct variants share one deserializer.
pub(crate) trait Variants: Sized {
    /// The enum's name, for error messages (`"ExecuteMsg"`).
    const NAME: &'static str;
    /// The variants' JSON names, in declaration order.
    const VARIANTS: &'static [&'static str];
    /// What the fields of one struct variant are read into.
    type Body: Default;

    /// The JSON field names of struct variant `variant`, or `None` for a newtype variant.
    fn fields(variant: &str) -> Option<&'static [&'static str]>;

    /// Reads newtype variant `variant` (an enum without one keeps this default).
    fn newtype<'de, A: VariantAccess<'de>>(variant: &str, access: A) -> Result<Self, A::Error> {
        let _ = access;
        Err(unexpected(variant, ""))
    }

    /// Reads the value of `field` of struct variant `variant` into `body`.
    fn read<'de, A: MapAccess<'de>>(
        variant: &str,
        field: &str,
        map: &mut A,
        body: &mut Self::Body,
    ) -> Result<(), A::Error>;

    /// Builds struct variant `variant` from what was read (`missing_field` for an absent
    /// required field).
    fn build<E: de::Error>(variant: &str, body: Self::Body) -> Result<Self, E>;
}

/// `Deserialize::deserialize` for a [`Variants`] enum.
pub(crate) fn deserialize<'de, T: Variants, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    d.deserialize_enum(T::NAME, T::VARIANTS, EnumVisitor(PhantomData))
}

/// Takes a present required field or reports it missing.
pub(crate) fn required<T, E: de::Error>(value: Option<T>, field: &'static str) -> Result<T, E> {
    value.ok_or_else(|| E::missing_field(field))
}

/// The error for a field or variant a [`Variants`] impl does not know (unreachable: the reader
/// only hands it names from its own lists).
pub(crate) fn unexpected<E: de::Error>(variant: &str, field: &str) -> E {
    E::custom(format_args!("unexpected field `{field}` of `{variant}`"))
}

struct EnumVisitor<T>(PhantomData<T>);

impl<'de, T: Variants> Visitor<'de> for EnumVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "enum {}", T::NAME)
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<T, A::Error> {
        let (variant, access) = data.variant_seed(crate::lean_de::Name {
            names: T::VARIANTS,
            variant: true,
        })?;
        match T::fields(variant) {
            Some(fields) => access.struct_variant(
                fields,
                BodyVisitor::<T> {
                    variant,
                    fields,
                    kind: PhantomData,
                },
            ),
            None => T::newtype(variant, access),
        }
    }
}

struct BodyVisitor<T> {
    variant: &'static str,
    fields: &'static [&'static str],
    kind: PhantomData<T>,
}

impl<'de, T: Variants> Visitor<'de> for BodyVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "struct variant {}::{}", T::NAME, self.variant)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut body = T::Body::default();
        let mut seen = 0u64;
        while let Some(field) = map.next_key_seed(crate::lean_de::Name {
            names: self.fields,
            variant: false,
        })? {
            let Some(i) = self.fields.iter().position(|f| *f == field) else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            if seen & (1 << i) != 0 {
                return Err(de::Error::duplicate_field(self.fields[i]));
            }
            seen |= 1 << i;
            T::read(self.variant, field, &mut map, &mut body)?;
        }
        T::build(self.variant, body)
    }
}

#[cfg(test)]
mod tests {
    use crate::market::{CollateralUpdate, ExecuteMsg, MarketParams, QueryMsg};
    use crate::oracle::OracleStatus;
    use crate::ownership::OwnershipMsg;
    use cosmwasm_std::{from_json, to_json_string, Decimal, Uint128};

    fn round_trips<T>(msgs: Vec<T>)
    where
        T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
    {
        for m in msgs {
            let json = to_json_string(&m).unwrap();
            assert_eq!(from_json::<T>(&json).unwrap(), m, "{json}");
        }
    }

    fn error<T: serde::de::DeserializeOwned + std::fmt::Debug>(json: &str) -> String {
        from_json::<T>(json).unwrap_err().to_string()
    }

    #[test]
    fn every_variant_reads_back_what_serde_wrote() {
        let a = || "addr".to_string();
        let n = Uint128::new(7);
        round_trips(vec![
            ExecuteMsg::Supply {},
            ExecuteMsg::Withdraw { amount: None },
            ExecuteMsg::Withdraw { amount: Some(n) },
            ExecuteMsg::DepositCollateral { on_behalf_of: None },
            ExecuteMsg::DepositCollateral {
                on_behalf_of: Some(a()),
            },
            ExecuteMsg::WithdrawCollateral {
                denom: a(),
                amount: Some(n),
            },
            ExecuteMsg::Borrow { amount: n },
            ExecuteMsg::Repay {
                on_behalf_of: Some(a()),
            },
            ExecuteMsg::Liquidate { borrower: a() },
            ExecuteMsg::AccrueInterest {},
            ExecuteMsg::UpdateCollateral {
                denom: a(),
                update: CollateralUpdate {
                    depth: Some(n),
                    ..Default::default()
                },
            },
            ExecuteMsg::UpdateConfig {
                oracle: Some(a()),
                params: Some(MarketParams::default()),
            },
            ExecuteMsg::UpdateConfig {
                oracle: None,
                params: None,
            },
            ExecuteMsg::AuctionProceeds {
                borrower: a(),
                shortfall: n,
                denom: None,
            },
            ExecuteMsg::AuctionProceeds {
                borrower: a(),
                shortfall: n,
                denom: Some(a()),
            },
            ExecuteMsg::RewardKeeper {
                keeper: a(),
                tab: n,
            },
            ExecuteMsg::SetBreakerLevel { level: 2 },
            ExecuteMsg::TripBreaker { denom: a() },
            ExecuteMsg::SweepReserves {},
            ExecuteMsg::UpdateRisk { limit: Some(5) },
            ExecuteMsg::Ownership(OwnershipMsg::TransferOwnership { new_owner: a() }),
            ExecuteMsg::Ownership(OwnershipMsg::AcceptOwnership {}),
        ]);
        round_trips(vec![
            QueryMsg::Config {},
            QueryMsg::State {},
            QueryMsg::Collateral { denom: a() },
            QueryMsg::Collaterals {
                start_after: Some(a()),
                limit: Some(3),
            },
            QueryMsg::Account { address: a() },
            QueryMsg::Accounts {
                start_after: None,
                limit: None,
            },
            QueryMsg::Risk {},
            QueryMsg::Supplier { address: a() },
        ]);
        round_trips(vec![
            OracleStatus::Active {},
            OracleStatus::Halted {
                since: 5,
                jump: Decimal::percent(30),
            },
            OracleStatus::Stale { since: 9 },
            OracleStatus::NoQuorum {
                since: 1,
                fresh: 2,
                required: 3,
            },
        ]);
    }

    #[test]
    fn absent_or_null_options_are_none_and_unknown_fields_are_ignored() {
        assert_eq!(
            from_json::<ExecuteMsg>(r#"{"withdraw":{}}"#).unwrap(),
            ExecuteMsg::Withdraw { amount: None }
        );
        assert_eq!(
            from_json::<ExecuteMsg>(r#"{"withdraw":{"amount":null,"memo":[1,{"x":2}]}}"#).unwrap(),
            ExecuteMsg::Withdraw { amount: None }
        );
        assert_eq!(
            from_json::<QueryMsg>(r#"{"accounts":{"limit":4,"other":"x"}}"#).unwrap(),
            QueryMsg::Accounts {
                start_after: None,
                limit: Some(4)
            }
        );
    }

    #[test]
    fn bad_messages_get_serdes_errors() {
        let unknown = error::<ExecuteMsg>(r#"{"steal":{}}"#);
        assert!(
            unknown.contains("unknown variant `steal`, expected one of `supply`"),
            "{unknown}"
        );
        let missing = error::<ExecuteMsg>(r#"{"borrow":{}}"#);
        assert!(missing.contains("missing field `amount`"), "{missing}");
        let null = error::<ExecuteMsg>(r#"{"borrow":{"amount":null}}"#);
        assert!(null.contains("invalid type: null"), "{null}");
        let twice = error::<ExecuteMsg>(r#"{"liquidate":{"borrower":"a","borrower":"b"}}"#);
        assert!(twice.contains("duplicate field `borrower`"), "{twice}");
        let wrong = error::<ExecuteMsg>(r#"{"set_breaker_level":{"level":"high"}}"#);
        assert!(wrong.contains("invalid type: string \"high\""), "{wrong}");
        let missing = error::<OwnershipMsg>(r#"{"transfer_ownership":{}}"#);
        assert!(missing.contains("missing field `new_owner`"), "{missing}");
        let missing = error::<OracleStatus>(r#"{"no_quorum":{"since":1,"fresh":2}}"#);
        assert!(missing.contains("missing field `required`"), "{missing}");
        let array = error::<QueryMsg>(r#"{"account":["a"]}"#);
        assert!(array.contains("invalid type: sequence"), "{array}");
    }
}
