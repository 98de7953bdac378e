//! Parameter validation errors shared by the contracts.
use thiserror::Error;

/// A configuration parameter outside its allowed range.
#[derive(Error, Debug)]
pub enum ParamError {
    /// The parameter `name` is out of range; `reason` says what is allowed.
    #[error("invalid parameter `{name}`: {reason}")]
    Invalid {
        /// Name of the offending parameter.
        name: &'static str,
        /// What the allowed range is.
        reason: String,
    },
}

/// Shorthand to build a [`ParamError::Invalid`].
pub fn invalid(name: &'static str, reason: impl Into<String>) -> ParamError {
    ParamError::Invalid {
        name,
        reason: reason.into(),
    }
}

/// Checks `lo <= value <= hi`.
pub fn check_range<T: PartialOrd + std::fmt::Display>(
    name: &'static str,
    value: T,
    lo: T,
    hi: T,
) -> Result<(), ParamError> {
    if value < lo || value > hi {
        return Err(invalid(name, format!("{value} is outside [{lo}, {hi}]")));
    }
    Ok(())
}
