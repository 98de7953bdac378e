//! Breakwater's backstop: the insurance pool and buyer of last resort.
//!
//! Depositors provide the base asset for shares (ERC-4626 style, with a virtual offset against
//! first-depositor inflation). The pool covers auction shortfalls, absorbs toxic positions
//! whole at a discount to the oracle, takes auction lots at the floor, and re-sells what it
//! holds slowly through the liquidator. Withdrawals wait out a cooldown and are paid in kind.
//! Gains reach the share price gradually ([`profit`]); losses at once.
pub mod absorb;
pub mod admin;
pub mod buy;
pub mod contract;
pub mod cover;
pub mod deposit;
pub mod error;
pub mod pool;
pub mod profit;
pub mod query;
pub mod resell;
pub mod shares;
pub mod state;
pub mod withdraw;
