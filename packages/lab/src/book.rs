//! The borrower book every engine of a run faces: the same borrowers, holding the same
//! collateral, each at the same health factor under the engine's own liquidation threshold.
//!
//! A book is generated once per run from the seed and handed to every engine. An account is
//! the collateral it holds (units per asset) and its starting health factor `hf0`; an engine
//! turns it into a position with its own threshold `LT` as
//! `debt = floor(Σ units · p0 · LT / hf0)`, so that a 10% fall makes the same accounts
//! liquidatable under Aave's 0.83, Maker's 1/1.45 or Breakwater's 0.80 (the lab compares
//! liquidation designs, not collateral factors). Amounts are base units (6 decimals: 10^6 = $1).
//!
//! Sizes: collateral value log-normal around $5,000 (σ = 1.2, capped at $5M); health factors
//! `1.08 + 1.9·u²` with `u` uniform (between 1.08 and 2.98, skewed toward the low end). In a
//! scenario whose name contains `whale`, account 0 holds 30% as much collateral as all the
//! others together, at HF 1.25.
//!
//! With several collaterals, half of the accounts (on average) hold all of them, their value
//! split by uniformly drawn weights (cross-margin), and the others hold one collateral drawn
//! uniformly.
use crate::model::Scenario;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, LogNormal};

/// One borrower.
#[derive(Debug, Clone, PartialEq)]
pub struct BookAccount {
    /// Collateral units held, per asset (index = the scenario's asset order).
    pub units: Vec<f64>,
    /// Health factor at the start, under whichever threshold the engine uses.
    pub hf0: f64,
}

impl BookAccount {
    /// Collateral value at prices `p`.
    pub fn value(&self, p: &[f64]) -> f64 {
        self.units.iter().zip(p).map(|(u, p)| u * p).sum()
    }

    /// The account's debt under liquidation threshold `lt` at start prices `p0`.
    pub fn debt(&self, p0: &[f64], lt: f64) -> f64 {
        (self.value(p0) * lt / self.hf0).floor()
    }
}

/// The book of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Book {
    /// Start price of each asset.
    pub p0: Vec<f64>,
    /// The accounts.
    pub accounts: Vec<BookAccount>,
}

impl Book {
    /// Generates `accounts` borrowers from `seed` for `scenario` (module docs).
    pub fn generate(scenario: &Scenario, accounts: usize, seed: u64) -> Book {
        let n = scenario.assets();
        let p0: Vec<f64> = (0..n)
            .map(|a| scenario.path(a).first().map_or(1.0, |p| p.price))
            .collect();
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        // Collateral value log-normal around $5,000 (6-decimal base units).
        let sizes = LogNormal::new((5_000e6f64).ln(), 1.2).expect("valid log-normal");
        let mut book: Vec<BookAccount> = (0..accounts)
            .map(|_| {
                let value: f64 = sizes.sample(&mut rng).min(5e12);
                let hf0 = 1.08 + rng.gen::<f64>().powi(2) * 1.9;
                let weights: Vec<f64> = if n == 1 {
                    vec![1.0]
                } else if rng.gen::<f64>() < 0.5 {
                    let w: Vec<f64> = (0..n).map(|_| rng.gen::<f64>() + 1e-9).collect();
                    let total: f64 = w.iter().sum();
                    w.iter().map(|x| x / total).collect()
                } else {
                    let pick = rng.gen_range(0..n);
                    (0..n).map(|a| if a == pick { 1.0 } else { 0.0 }).collect()
                };
                BookAccount {
                    units: (0..n)
                        .map(|a| (value * weights[a] / p0[a]).floor())
                        .collect(),
                    hf0,
                }
            })
            .collect();
        if scenario.name.contains("whale") && !book.is_empty() {
            let others: Vec<f64> = (0..n)
                .map(|a| book.iter().map(|x| x.units[a]).sum())
                .collect();
            book[0] = BookAccount {
                units: others.iter().map(|u| (u * 0.3).floor()).collect(),
                hf0: 1.25,
            };
        }
        Book { p0, accounts: book }
    }

    /// Total collateral value at the start, per asset.
    pub fn collateral_value(&self) -> Vec<f64> {
        let mut v = vec![0.0; self.p0.len()];
        for a in &self.accounts {
            for (k, u) in a.units.iter().enumerate() {
                v[k] += u * self.p0[k];
            }
        }
        v
    }

    /// Total debt at the start under threshold `lt`.
    pub fn initial_debt(&self, lt: f64) -> f64 {
        self.accounts.iter().map(|a| a.debt(&self.p0, lt)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario;

    #[test]
    fn debt_follows_the_engines_threshold_at_the_same_health() {
        let s = scenario::load("black-thursday").unwrap();
        let book = Book::generate(&s, 200, 7);
        assert_eq!(book.accounts.len(), 200);
        for a in &book.accounts {
            assert!(a.hf0 >= 1.08 && a.hf0 <= 2.98);
            let v = a.value(&book.p0);
            for lt in [0.6, 0.8, 0.909] {
                let d = a.debt(&book.p0, lt);
                assert!(d <= v * lt / a.hf0 && d > v * lt / a.hf0 - 1.0);
            }
        }
        // Same seed, same book; another seed, another book.
        assert_eq!(book, Book::generate(&s, 200, 7));
        assert_ne!(book, Book::generate(&s, 200, 8));
    }

    #[test]
    fn the_whale_holds_thirty_percent_of_the_rest() {
        let s = scenario::load("toxic-whale").unwrap();
        let book = Book::generate(&s, 100, 1);
        let rest: f64 = book.accounts[1..].iter().map(|a| a.units[0]).sum();
        // 30% of the whole book as drawn (account 0's own draw included), so a bit more
        // than 30% of the others.
        let share = book.accounts[0].units[0] / rest;
        assert!((0.3..0.32).contains(&share), "{share}");
        assert_eq!(book.accounts[0].hf0, 1.25);
    }
}
