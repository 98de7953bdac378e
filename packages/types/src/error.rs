//! Errors shared by the contracts: parameter validation and checked arithmetic ([`MathError`]).
use cosmwasm_std::{
    CheckedFromRatioError, CheckedMultiplyFractionError, CheckedMultiplyRatioError,
    ConversionOverflowError, DivideByZeroError, OverflowError,
};
use thiserror::Error;

/// A checked arithmetic operation failed (overflow, division by zero, a ratio or conversion
/// out of range).
#[derive(Error, Debug)]
pub enum MathError {
    /// Overflow or underflow.
    #[error("arithmetic overflow: {0}")]
    Overflow(#[from] OverflowError),
    /// Division by zero.
    #[error("arithmetic error: {0}")]
    DivideByZero(#[from] DivideByZeroError),
    /// A fixed-point product or quotient out of range.
    #[error("arithmetic overflow: {0}")]
    MultiplyFraction(#[from] CheckedMultiplyFractionError),
    /// A `multiply_ratio` out of range.
    #[error("arithmetic overflow: {0}")]
    MultiplyRatio(#[from] CheckedMultiplyRatioError),
    /// A `from_ratio` out of range.
    #[error("arithmetic overflow: {0}")]
    FromRatio(#[from] CheckedFromRatioError),
    /// A conversion out of range.
    #[error("arithmetic overflow: {0}")]
    Conversion(#[from] ConversionOverflowError),
}

/// Implements `From<E>` for an error enum with a `Math(MathError)` variant (the liquidation
/// planner's `PlanError`), for each checked-math error `E`, so `?` works on checked arithmetic.
#[macro_export]
macro_rules! math_error_from {
    ($t:ty) => {
        $crate::math_error_from!(@one $t, ::cosmwasm_std::OverflowError);
        $crate::math_error_from!(@one $t, ::cosmwasm_std::DivideByZeroError);
        $crate::math_error_from!(@one $t, ::cosmwasm_std::CheckedMultiplyFractionError);
        $crate::math_error_from!(@one $t, ::cosmwasm_std::CheckedMultiplyRatioError);
        $crate::math_error_from!(@one $t, ::cosmwasm_std::CheckedFromRatioError);
        $crate::math_error_from!(@one $t, ::cosmwasm_std::ConversionOverflowError);
    };
    (@one $t:ty, $e:ty) => {
        impl From<$e> for $t {
            fn from(e: $e) -> Self {
                Self::Math($crate::error::MathError::from(e))
            }
        }
    };
}

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
