//! Breakwater's cascade lab: drives the real contracts (on the embedded cw-multi-test chain or
//! the local wasmd devnet, through [`chain::Chain`]) through crash scenarios and generated
//! crash families, side by side with a naive engine made of the same contracts, with models of
//! the leading protocols' liquidation designs ([`engines`]) and a reference that knows the path,
//! all behind one interface ([`engine::Engine`]), and reports whether liquidations cascade and
//! who pays.
//!
//! See `docs/LAB.md` for the model, its assumptions and its limits.
pub mod book;
pub mod chain;
pub mod charts;
pub mod depth;
pub mod engine;
pub mod engines;
pub mod families;
pub mod keepers;
pub mod metrics;
pub mod model;
pub mod params;
pub mod report;
pub mod run;
pub mod scenario;
pub mod stress;
pub mod wasmd;

use model::{DepthKind, DepthParams, EngineKind, RunConfig};

/// The default configuration of `engine`: 10,000 accounts, one-minute steps, a linear book,
/// realistic keepers (`keepers::KeeperParams`), and (for Breakwater) every mechanism on.
pub fn default_config(engine: EngineKind) -> RunConfig {
    RunConfig {
        engine,
        accounts: 10_000,
        seed: 42,
        step: 60,
        depth: DepthParams {
            kind: DepthKind::LinearBook,
            // Set relative to the book's size at run time (see `run::depth_per_pct`): this is
            // the fraction of total collateral value that moves the price by 1%.
            depth_per_pct: 0.02,
            recovery_half_life: 1_800.0,
        },
        keepers: keepers::KeeperParams::default(),
        oracle_delay: 60,
        disabled: vec![],
        overrides: vec![],
    }
}
