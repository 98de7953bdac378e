//! Errors shared by the contracts: parameter validation, and the failures every contract has in
//! common ([`CommonError`]: storage and queries, ownership, funds, migration, parameters and
//! checked arithmetic), which each contract's `ContractError` carries as one variant.
use crate::migration::MigrationError;
use crate::ownership::OwnershipError;
use cosmwasm_std::{
    CheckedFromRatioError, CheckedMultiplyFractionError, CheckedMultiplyRatioError,
    ConversionOverflowError, DivideByZeroError, OverflowError, StdError,
};
use cw_utils::PaymentError;
use thiserror::Error;

/// The failures every contract shares. A contract's error enum holds it as
/// `#[error(transparent)] Common(#[from] CommonError)` and gets `From` for each failure with
/// [`common_errors!`](crate::common_errors), so `?` works on all of them.
#[derive(Error, Debug)]
pub enum CommonError {
    /// Storage, serialization or query failure.
    #[error("{0}")]
    Std(#[from] StdError),
    /// Ownership failure (not the owner, no pending transfer, ...).
    #[error("{0}")]
    Ownership(#[from] OwnershipError),
    /// Bad funds: missing, wrong denom, several denoms, or attached where none are taken.
    #[error("payment error: {0}")]
    Payment(#[from] PaymentError),
    /// Migration refused (another contract's state, or a downgrade).
    #[error("{0}")]
    Migration(#[from] MigrationError),
    /// A parameter out of range.
    #[error("{0}")]
    Param(#[from] ParamError),
    /// Checked arithmetic failed.
    #[error("{0}")]
    Math(#[from] MathError),
    /// A message only one contract (or the contract itself) may send.
    #[error("unauthorized: only {expected} may do this")]
    Unauthorized {
        /// Who may.
        expected: &'static str,
    },
}

/// [`CommonError::Unauthorized`] as any contract's error.
pub fn unauthorized<E: From<CommonError>>(expected: &'static str) -> E {
    CommonError::Unauthorized { expected }.into()
}

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

/// Implements `From` every failure of [`CommonError`] (and of [`MathError`]) for a contract
/// error enum with a `Common(CommonError)` variant, so that `?` converts each of them.
#[macro_export]
macro_rules! common_errors {
    ($error:ident) => {
        $crate::common_errors!(@into $error, Common:
            cosmwasm_std::StdError,
            $crate::ownership::OwnershipError,
            cw_utils::PaymentError,
            $crate::migration::MigrationError,
            $crate::error::ParamError,
            $crate::error::MathError);
        $crate::common_errors!(@into $error, Math:
            cosmwasm_std::OverflowError,
            cosmwasm_std::DivideByZeroError,
            cosmwasm_std::CheckedMultiplyFractionError,
            cosmwasm_std::CheckedMultiplyRatioError,
            cosmwasm_std::CheckedFromRatioError,
            cosmwasm_std::ConversionOverflowError);
    };
    (@into $error:ident, Common: $($from:ty),*) => {
        $(impl From<$from> for $error {
            fn from(e: $from) -> Self {
                $error::Common(e.into())
            }
        })*
    };
    (@into $error:ident, Math: $($from:ty),*) => {
        $(impl From<$from> for $error {
            fn from(e: $from) -> Self {
                $error::Common($crate::error::MathError::from(e).into())
            }
        })*
    };
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
