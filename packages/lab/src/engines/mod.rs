//! The engines: the contract-backed `naive` and `breakwater` ([`contract`]), the peers'
//! designs modelled in Rust (`design/peers.md`), and the `foresight` reference.
pub mod aave;
pub mod compound;
pub mod contract;
pub mod foresight;
pub mod kit;
pub mod liquity;
pub mod maker;
pub mod maker_flip;
pub mod mars;
pub mod queue;
#[cfg(test)]
pub mod testkit;

use crate::engine::{Engine, World};
use crate::model::{EngineKind, RunConfig};
use anyhow::{bail, Result};

/// Builds the peer or reference engine `config.engine` on the world's book (the
/// contract-backed engines are built by [`crate::run`], which also builds their chain).
pub fn build(w: &World<'_>, config: &RunConfig) -> Result<Box<dyn Engine>> {
    Ok(match config.engine {
        EngineKind::Aave => Box::new(aave::Aave::new(w, config)?),
        EngineKind::Compound => Box::new(compound::Compound::new(w, config)?),
        EngineKind::Maker => Box::new(maker::Maker::new(w, config)?),
        EngineKind::Liquity => Box::new(liquity::Liquity::new(w, config)?),
        EngineKind::Mars => Box::new(mars::Mars::new(w, config)?),
        EngineKind::Queue => Box::new(queue::Queue::new(w, config)?),
        EngineKind::MakerFlip => Box::new(maker_flip::MakerFlip::new(w, config)?),
        EngineKind::Foresight => Box::new(foresight::Foresight::new(w, config)?),
        e => bail!("engine {} runs on a chain: see crate::run", e.name()),
    })
}
