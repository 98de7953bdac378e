//! Pure fixed-point math shared by the contracts. No storage, no queries: every function here
//! is deterministic and unit-tested, most against an `f64` reference.
//!
//! Rounding convention: whatever the protocol is owed rounds up, whatever it owes or credits
//! rounds down. Each function says which way it rounds.

pub mod auction;
pub mod health;
pub mod interest;
pub mod margin;
pub mod median;
pub mod twap;

#[cfg(test)]
pub(crate) mod reference {
    //! Helpers for `f64` cross-checks in tests.
    use cosmwasm_std::Decimal;
    use std::str::FromStr;

    pub fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }
    pub fn f(x: Decimal) -> f64 {
        x.to_string().parse().unwrap()
    }
    pub fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-12)
    }
}
