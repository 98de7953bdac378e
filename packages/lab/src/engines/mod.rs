//! The engines: the contract-backed `naive` and `breakwater` ([`contract`]), the peers'
//! designs modelled in Rust, and the `foresight` reference.
pub mod contract;
