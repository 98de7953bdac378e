//! Structs read from JSON objects only.
//!
//! serde's derive gives a struct two readers, one for a JSON object and one for a JSON array
//! of its fields in declaration order, and serde_json compiles both into every struct's
//! deserializer. Nothing writes our structs as arrays (serde_json serializes them as objects),
//! so [`cw_serde_struct!`](crate::cw_serde_struct) keeps `cw_serde`'s derives except
//! `Deserialize`, and implements it with the object reader only: unknown fields ignored (as
//! `cw_serde` does), an absent `Option` field `None`, an absent field of the `defaults` group
//! its `Default` (serde's `#[serde(default)]`), and serde's own errors for a missing or
//! duplicate field or a wrong type. An array is refused ("invalid type: sequence").
//!
//! The reader asks for a map (`deserialize_map`), not a struct (`deserialize_struct`): for a
//! struct serde_json compiles an array branch too (read `[`, call the visitor's `visit_seq`,
//! read `]`) into each struct's copy of its parser, only for our visitor to refuse the array.
//! With a map it refuses the array itself, with the same text; only the column of that error
//! differs (where the array starts instead of where serde_json stopped reading it). About
//! 6.7 KB of the market's wasm.
use serde::de::{self, DeserializeSeed, Deserializer, Visitor};
use std::fmt;

/// Declares a struct with `cw_serde`'s derives except `Deserialize`, which reads the JSON
/// object form only (see the module docs). Fields absent from older records go in a trailing
/// `defaults { ... }` group (each with `#[serde(default)]`, for the schema); they are declared
/// after the others, in that order.
#[macro_export]
macro_rules! cw_serde_struct {
    // `@de`: only the struct with its own attributes (derives included) and the reader, for
    // response views and other types that need no schema.
    (
        @de
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $( $(#[$fmeta:meta])* $fvis:vis $field:ident : $ty:ty, )*
        }
        $( defaults { $( $(#[$dmeta:meta])* $dvis:vis $dfield:ident : $dty:ty, )* } )?
    ) => {
        $(#[$meta])*
        $vis struct $name {
            $( $(#[$fmeta])* $fvis $field: $ty, )*
            $( $( $(#[$dmeta])* $dvis $dfield: $dty, )* )?
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            // Each struct's reader stays a function of its own: inlined into its parent's
            // (link-time optimization does that), nested readers add up to more locals than
            // the CosmWasm VM accepts in one function (100).
            #[inline(never)]
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                const FIELDS: &[&str] = &[
                    $( stringify!($field), )* $( $( stringify!($dfield), )* )?
                ];
                struct V;
                impl<'de> ::serde::de::Visitor<'de> for V {
                    type Value = $name;

                    fn expecting(&self, f: &mut ::std::fmt::Formatter) -> ::std::fmt::Result {
                        f.write_str(concat!("struct ", stringify!($name)))
                    }

                    // `key` is unused in a struct without fields (`MigrateMsg`).
                    #[allow(unused_variables)]
                    fn visit_map<A: ::serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<$name, A::Error> {
                        $( let mut $field: Option<$ty> = None; )*
                        $( $( let mut $dfield: Option<$dty> = None; )* )?
                        while let Some(key) = map.next_key_seed($crate::lean_de::Name { names: FIELDS, variant: false })? {
                            $(
                                if key == stringify!($field) {
                                    $crate::lean_de::once(&$field, stringify!($field))?;
                                    $field = Some(map.next_value()?);
                                    continue;
                                }
                            )*
                            $( $(
                                if key == stringify!($dfield) {
                                    $crate::lean_de::once(&$dfield, stringify!($dfield))?;
                                    $dfield = Some(map.next_value()?);
                                    continue;
                                }
                            )* )?
                            map.next_value::<::serde::de::IgnoredAny>()?;
                        }
                        Ok($name {
                            $( $field: match $field {
                                Some(v) => v,
                                None => $crate::lean_de::missing(stringify!($field))?,
                            }, )*
                            $( $( $dfield: $dfield.unwrap_or_default(), )* )?
                        })
                    }
                }
                // A map, not a struct: the same object reader without serde_json's array
                // branch (see the module docs).
                d.deserialize_map(V)
            }
        }
    };
    ($(#[$meta:meta])* pub struct $($rest:tt)*) => {
        $crate::cw_serde_struct! {
            @de
            #[derive(
                ::serde::Serialize,
                ::std::clone::Clone,
                ::std::fmt::Debug,
                ::std::cmp::PartialEq,
                ::cosmwasm_schema::schemars::JsonSchema,
                ::cosmwasm_schema::cw_schema::Schemaifier,
            )]
            #[allow(clippy::derive_partial_eq_without_eq)]
            #[schemaifier(crate = "::cosmwasm_schema::cw_schema")]
            #[schemars(crate = "::cosmwasm_schema::schemars")]
            $(#[$meta])*
            pub struct $($rest)*
        }
    };
}

/// Reads a variant name or a field name, one of `names`. An unknown variant is an error; an
/// unknown field reads as `""` (its value is skipped, as `cw_serde`'s derive does).
pub struct Name {
    /// The names.
    pub names: &'static [&'static str],
    /// Whether they are variant names.
    pub variant: bool,
}

impl<'de> DeserializeSeed<'de> for Name {
    type Value = &'static str;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<&'static str, D::Error> {
        d.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for Name {
    type Value = &'static str;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(if self.variant {
            "variant identifier"
        } else {
            "field identifier"
        })
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<&'static str, E> {
        match self.names.iter().find(|n| **n == v) {
            Some(n) => Ok(n),
            None if self.variant => Err(E::unknown_variant(v, self.names)),
            // Not one of the fields: the caller skips its value.
            None => Ok(""),
        }
    }
}

/// Refuses a field read twice (serde's "duplicate field" error).
pub fn once<T, E: de::Error>(seen: &Option<T>, field: &'static str) -> Result<(), E> {
    match seen {
        Some(_) => Err(E::duplicate_field(field)),
        None => Ok(()),
    }
}

/// The value of an absent field without a default: `None` for an `Option`, serde's "missing
/// field" error for anything else (what serde's derive does).
pub fn missing<'de, T: serde::Deserialize<'de>, E: de::Error>(field: &'static str) -> Result<T, E> {
    T::deserialize(Missing(field)).map_err(|_| E::missing_field(field))
}

/// The error [`Missing`] reports: the field is absent.
#[derive(Debug)]
struct Absent(&'static str);

impl fmt::Display for Absent {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "missing field `{}`", self.0)
    }
}

impl std::error::Error for Absent {}

impl de::Error for Absent {
    fn custom<T: fmt::Display>(_msg: T) -> Self {
        Absent("")
    }
}

/// A deserializer for an absent field: an `Option` reads as `None`, anything else fails.
struct Missing(&'static str);

impl<'de> Deserializer<'de> for Missing {
    type Error = Absent;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Absent> {
        Err(Absent(self.0))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Absent> {
        visitor.visit_none()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier
        ignored_any
    }
}

#[cfg(test)]
mod tests {
    use crate::market::{CollateralParams, LiquidationParams, WhenThrottled};
    use crate::risk::RiskSignal;
    use cosmwasm_std::{from_json, to_json_string, Decimal, Uint128};

    fn params() -> CollateralParams {
        CollateralParams {
            denom: "uatom".into(),
            max_ltv: Decimal::percent(60),
            liquidation_threshold: Decimal::percent(70),
            liquidation_penalty: Decimal::percent(5),
            supply_cap: Uint128::new(10),
            depth: Uint128::new(20),
            dynamic_bonus: None,
        }
    }

    #[test]
    fn structs_read_back_what_serde_wrote() {
        let p = params();
        assert_eq!(
            from_json::<CollateralParams>(to_json_string(&p).unwrap()).unwrap(),
            p
        );
        let l = LiquidationParams::default();
        assert_eq!(
            from_json::<LiquidationParams>(to_json_string(&l).unwrap()).unwrap(),
            l
        );
    }

    #[test]
    fn absent_defaults_and_options_unknown_fields_ignored() {
        let json = to_json_string(&params()).unwrap();
        let stripped = json.replace(r#","dynamic_bonus":null"#, r#","extra":{"a":[1,2]}"#);
        assert_ne!(stripped, json);
        assert_eq!(from_json::<CollateralParams>(&stripped).unwrap(), params());

        let json = to_json_string(&LiquidationParams::default()).unwrap();
        let cut = json.find(r#","risk_share""#).unwrap();
        let old = format!("{}}}", &json[..cut]);
        let read = from_json::<LiquidationParams>(&old).unwrap();
        assert_eq!(read.when_throttled, WhenThrottled::Wait);
        assert_eq!((read.wick, read.risk_share), (None, None));
    }

    #[test]
    fn bad_structs_get_serdes_errors() {
        let err = |json: &str| from_json::<RiskSignal>(json).unwrap_err().to_string();
        let ok = to_json_string(&RiskSignal {
            measured_at: 3,
            spiral_index: Decimal::zero(),
            exposure: None,
        });
        // Whatever the fields are, a record serde wrote reads back.
        let ok = ok.unwrap();
        assert!(from_json::<RiskSignal>(&ok).is_ok(), "{ok}");
        let missing = err(r#"{"measured_at":1}"#);
        assert!(
            missing.contains("missing field `spiral_index`"),
            "{missing}"
        );
        let none = from_json::<RiskSignal>(r#"{"measured_at":1,"spiral_index":"2"}"#).unwrap();
        assert_eq!(none.exposure, None);
        let dup = err(&ok.replacen('{', r#"{"measured_at":1,"#, 1));
        assert!(dup.contains("duplicate field `measured_at`"), "{dup}");
        let wrong = err(r#"{"measured_at":"soon","spiral_index":"2"}"#);
        assert!(wrong.contains("invalid type: string \"soon\""), "{wrong}");
        let array = err(r#"[1, "0", null]"#);
        assert!(
            array.contains("invalid type: sequence, expected struct RiskSignal"),
            "{array}"
        );
    }
}
