//! Named, documented parameters that a scenario file (`# set: name=value`) or the command line
//! (`--set name=value`) overrides: each engine's (`aave.close_factor`, `maker.buf`, ...) and the
//! keepers' (`keepers.gas`, ...). Defaults are the values in `design/peers.md`; `lab params`
//! prints every one with its default and what it means, and each run's summary records the
//! values it used.
use anyhow::{bail, Result};
use serde::{Deserialize, Serialize};

/// One parameter as `lab params` lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParamDoc {
    /// Full name, `group.field`.
    pub name: String,
    /// Value (the default, or the value a run used).
    pub value: f64,
    /// What it means and where the default comes from.
    pub doc: String,
}

/// A group of parameters with defaults, documentation and overrides by name.
pub trait ParamSet: Default + Clone {
    /// The prefix of every name in the group (`aave`, `keepers`, ...).
    const GROUP: &'static str;
    /// Every parameter with its current value.
    fn docs(&self) -> Vec<ParamDoc>;
    /// Sets `field` (without the group prefix); unknown names and non-finite values are errors.
    fn set(&mut self, field: &str, value: f64) -> Result<()>;

    /// The defaults with every override of this group applied (`overrides` holds full names;
    /// other groups' names are ignored).
    fn with_overrides(overrides: &[(String, f64)]) -> Result<Self> {
        let mut p = Self::default();
        for (name, value) in overrides {
            if let Some(field) = name
                .strip_prefix(Self::GROUP)
                .and_then(|r| r.strip_prefix('.'))
            {
                p.set(field, *value)?;
            }
        }
        Ok(p)
    }
}

/// Declares a parameter group: a struct of `f64` fields with defaults and doc strings, and its
/// [`ParamSet`] implementation.
#[macro_export]
macro_rules! param_set {
    (
        $(#[$meta:meta])*
        pub struct $name:ident($group:literal) {
            $( $(#[$fmeta:meta])* $field:ident = $default:expr, $doc:literal; )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        pub struct $name {
            $( #[doc = $doc] pub $field: f64, )*
        }

        impl Default for $name {
            fn default() -> Self {
                $name { $( $field: $default, )* }
            }
        }

        impl $crate::params::ParamSet for $name {
            const GROUP: &'static str = $group;

            fn docs(&self) -> Vec<$crate::params::ParamDoc> {
                vec![$( $crate::params::ParamDoc {
                    name: format!("{}.{}", $group, stringify!($field)),
                    value: self.$field,
                    doc: $doc.to_string(),
                }, )*]
            }

            fn set(&mut self, field: &str, value: f64) -> anyhow::Result<()> {
                if !value.is_finite() {
                    anyhow::bail!("{}.{field}: {value} is not a finite number", $group);
                }
                match field {
                    $( stringify!($field) => self.$field = value, )*
                    _ => anyhow::bail!(
                        "unknown parameter `{}.{field}`; the {} parameters are: {}",
                        $group,
                        $group,
                        [$( stringify!($field) ),*].join(", ")
                    ),
                }
                Ok(())
            }
        }
    };
}

/// Parses `name=value` (the value a number; `true`/`false` mean 1/0).
pub fn parse_assignment(s: &str) -> Result<(String, f64)> {
    let Some((name, value)) = s.split_once('=') else {
        bail!("expected NAME=VALUE, found `{s}`");
    };
    let name = name.trim().to_ascii_lowercase().replace('-', "_");
    if !name.contains('.') {
        bail!("`{name}`: a parameter name is GROUP.FIELD (see `lab params`)");
    }
    let value = match value.trim() {
        "true" => 1.0,
        "false" => 0.0,
        v => v
            .parse::<f64>()
            .map_err(|_| anyhow::anyhow!("{name}: `{v}` is not a number"))?,
    };
    if !value.is_finite() {
        bail!("{name}: {value} is not a finite number");
    }
    Ok((name, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::param_set! {
        /// A test group.
        pub struct Demo("demo") {
            alpha = 0.5, "the first";
            beta = 2.0, "the second";
        }
    }

    #[test]
    fn defaults_docs_and_overrides() {
        let d = Demo::default();
        assert_eq!((d.alpha, d.beta), (0.5, 2.0));
        let docs = d.docs();
        assert_eq!(docs[0].name, "demo.alpha");
        assert_eq!(docs[1].doc, "the second");
        let o = vec![
            ("demo.beta".to_string(), 7.0),
            ("other.alpha".to_string(), 9.0),
        ];
        let d = Demo::with_overrides(&o).unwrap();
        assert_eq!((d.alpha, d.beta), (0.5, 7.0));
        let err = Demo::with_overrides(&[("demo.gamma".into(), 1.0)]).unwrap_err();
        assert!(err.to_string().contains("alpha, beta"), "{err}");
    }

    #[test]
    fn assignments_parse() {
        assert_eq!(
            parse_assignment("aave.close-factor = 0.4").unwrap(),
            ("aave.close_factor".into(), 0.4)
        );
        assert_eq!(parse_assignment("x.flash=true").unwrap().1, 1.0);
        assert!(parse_assignment("close_factor=0.4").is_err());
        assert!(parse_assignment("a.b").is_err());
        assert!(parse_assignment("a.b=x").is_err());
        assert!(parse_assignment("a.b=inf").is_err());
    }
}
