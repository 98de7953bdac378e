//! The lab's integration tests, one binary: the shipped scenarios' qualitative claims through
//! the real contracts, and each peer engine's fidelity to the history of its own protocol.
mod fidelity;
mod scenarios;
