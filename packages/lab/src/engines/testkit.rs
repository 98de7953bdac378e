//! Small worlds for the engines' unit tests.
use crate::book::{Book, BookAccount};
use crate::engine::World;
use crate::keepers::KeeperParams;
use crate::model::{EngineKind, RunConfig, Scenario, ScenarioPoint};

/// A one-asset scenario starting at price 10 and following `points` (time, price), with normal
/// depth and no dislocated venue.
pub fn flat_then(points: &[(u64, f64)]) -> Scenario {
    let mut pts = vec![ScenarioPoint {
        time: 0,
        price: 10.0,
        depth_mult: 1.0,
        venue_price: None,
    }];
    pts.extend(points.iter().map(|&(time, price)| ScenarioPoint {
        time,
        price,
        depth_mult: 1.0,
        venue_price: None,
    }));
    Scenario {
        name: "test".into(),
        event: String::new(),
        history: String::new(),
        points: pts,
        asset: crate::model::default_asset(),
        more: vec![],
        settings: vec![],
    }
}

/// The default configuration of `engine` with one-minute steps and realistic keepers.
pub fn config(engine: EngineKind) -> RunConfig {
    RunConfig {
        accounts: 1,
        keepers: KeeperParams::default(),
        ..crate::default_config(engine)
    }
}

/// A world whose book is `accounts` of `(units, hf0)`.
pub fn world<'a>(s: &'a Scenario, config: &'a RunConfig, accounts: &[(f64, f64)]) -> World<'a> {
    let book = Book {
        p0: vec![s.points[0].price],
        accounts: accounts
            .iter()
            .map(|&(u, hf0)| BookAccount {
                units: vec![u],
                hf0,
            })
            .collect(),
    };
    World::with_book(s, config, book).expect("a world")
}

/// A world with one account of `units` at health `hf0`.
pub fn one_account_world<'a>(
    s: &'a Scenario,
    config: &'a RunConfig,
    units: f64,
    hf0: f64,
) -> World<'a> {
    world(s, config, &[(units, hf0)])
}
