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

/// Every named parameter with its default, grouped as `lab params` prints them.
pub fn all_params() -> Vec<crate::params::ParamDoc> {
    use crate::params::ParamSet;
    [
        crate::keepers::KeeperParams::default().docs(),
        crate::run::BreakwaterParams::default().docs(),
        aave::AaveParams::default().docs(),
        compound::CompoundParams::default().docs(),
        maker::MakerParams::default().docs(),
        maker_flip::FlipParams::default().docs(),
        liquity::LiquityParams::default().docs(),
        mars::MarsParams::default().docs(),
        queue::QueueParams::default().docs(),
        foresight::ForesightParams::default().docs(),
    ]
    .concat()
}

/// Checks that `name` is a parameter a run can set: one of [`all_params`], or
/// `depth.<asset>` (a multiplier of that collateral's depth).
pub fn check_param(name: &str) -> Result<()> {
    if name.strip_prefix("depth.").is_some_and(|a| !a.is_empty())
        || all_params().iter().any(|p| p.name == name)
    {
        return Ok(());
    }
    bail!("unknown parameter `{name}` (`lab params` lists them, and `depth.<asset>`)")
}

/// `config` with `settings` (a scenario's, then the command line's) applied: the overrides
/// every engine reads, and the keepers rebuilt from them.
pub fn with_settings(mut config: RunConfig, settings: &[(String, f64)]) -> Result<RunConfig> {
    use crate::params::ParamSet;
    for (name, value) in settings {
        check_param(name)?;
        config.overrides.push((name.clone(), *value));
    }
    let mut keepers = config.keepers.clone();
    for (name, value) in &config.overrides {
        if let Some(field) = name.strip_prefix("keepers.") {
            keepers.set(field, *value)?;
        }
    }
    config.keepers = keepers;
    Ok(config)
}
