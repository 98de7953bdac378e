//! Integration tests of the Breakwater contracts, one binary, a module per area. Every test goes
//! through `breakwater_testing::Suite`.
mod adversarial;
mod backstop;
mod common;
mod liquidation;
mod liquidator;
mod market;
mod oracle;
mod properties;
mod venue;
