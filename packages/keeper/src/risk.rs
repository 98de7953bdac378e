//! `keeper risk`: what a crash would do to the market as it stands. For each collateral and
//! each price fall (the others unchanged), from every borrower's holdings recomputed exactly
//! as the market prices health: the debt liquidatable, the part of it newly so, the
//! collateral value that would be seized for auction, the bad debt (debt above the
//! collateral's value), the backstop's coverage of it, and the spiral index
//! `g = L'·(1+p)·k/D` (mechanisms.md) — `L'` the collateral value that becomes liquidatable
//! in the next 1% fall, `p` the liquidation penalty, `k` the share sold straight into the
//! market, `D` the depth (base units per 1% move: measured on a venue pool, configured, or
//! the market's own parameter). `g ≥ 1` means one round of liquidations can trigger as much
//! again.
use crate::bots::liquidator::Watched;
use crate::config::RiskConfig;
use anyhow::Result;
use breakwater_chain::client::{ctx, Client};
use breakwater_chain::deploy::Deployment;
use breakwater_chain::query::{all_accounts, prices};
use breakwater_types::backstop::{self, PoolResponse};
use breakwater_types::market::{
    AccountResponse, CollateralResponse, CollateralsResponse, QueryMsg,
};
use cosmwasm_std::{Decimal, Uint128};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// Where a collateral's depth comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DepthSource {
    /// `risk.depth` in the configuration.
    Configured,
    /// The reserves of the deployment's venue pool.
    Pool,
    /// The market's `CollateralParams::depth`.
    Market,
}

/// One shock of one collateral.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShockRow {
    /// The fall, percent.
    pub shock_pct: u32,
    /// Debt of every account below HF 1 at the shocked price, base units.
    pub liquidatable_debt: u128,
    /// The part of it that is healthy now.
    pub newly_liquidatable_debt: u128,
    /// Accounts below HF 1.
    pub accounts: usize,
    /// Value of this collateral held by them, at the shocked price.
    pub collateral_at_risk: u128,
    /// `Σ max(0, debt − collateral value)` over them: what auctions cannot recover.
    pub bad_debt: u128,
    /// The backstop's value over the bad debt (`None` without bad debt).
    pub backstop_coverage: Option<f64>,
    /// The spiral index at this price.
    pub spiral_index: f64,
}

/// One collateral.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CollateralRisk {
    /// Denom.
    pub denom: String,
    /// Oracle median now.
    pub price: String,
    /// Liquidation penalty.
    pub penalty: String,
    /// Base units per 1% move used for the spiral index.
    pub depth: u128,
    /// Where that depth comes from.
    pub depth_source: DepthSource,
    /// One row per shock.
    pub shocks: Vec<ShockRow>,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskReport {
    /// Borrowers read.
    pub borrowers: usize,
    /// Their total debt, base units.
    pub total_debt: u128,
    /// The backstop pool's value, base units (net of what it owes the market).
    pub backstop_value: u128,
    /// What the backstop owes the market (the backstop's credit, docs/market.md), base units.
    pub backstop_owes_market: u128,
    /// `k` used.
    pub sold_share: String,
    /// Per collateral.
    pub collaterals: Vec<CollateralRisk>,
}

fn fmt_units(v: u128) -> String {
    let f = v as f64;
    if f >= 1e12 {
        format!("{:.2}T", f / 1e12)
    } else if f >= 1e9 {
        format!("{:.2}G", f / 1e9)
    } else if f >= 1e6 {
        format!("{:.2}M", f / 1e6)
    } else {
        v.to_string()
    }
}

impl fmt::Display for RiskReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} borrowers, debt {}, backstop {} (base units); spiral index with k = {}",
            self.borrowers,
            fmt_units(self.total_debt),
            fmt_units(self.backstop_value),
            self.sold_share
        )?;
        if self.backstop_owes_market > 0 {
            writeln!(
                f,
                "the backstop owes the market {}: its value is net of it, and it repays from \
                 resales and deposits before any withdrawal",
                fmt_units(self.backstop_owes_market)
            )?;
        }
        for c in &self.collaterals {
            writeln!(
                f,
                "\n{} at {}  penalty {}  depth {}/1% ({:?})",
                c.denom,
                c.price,
                c.penalty,
                fmt_units(c.depth),
                c.depth_source
            )?;
            writeln!(
                f,
                "  {:>6} {:>14} {:>14} {:>8} {:>14} {:>12} {:>10} {:>8}",
                "shock",
                "liquidatable",
                "newly",
                "accounts",
                "seized value",
                "bad debt",
                "backstop",
                "spiral g"
            )?;
            for r in &c.shocks {
                let cover = match r.backstop_coverage {
                    Some(x) if x >= 10.0 => ">10x".to_string(),
                    Some(x) => format!("{:.0}%", x * 100.0),
                    None => "-".to_string(),
                };
                writeln!(
                    f,
                    "  {:>5}% {:>14} {:>14} {:>8} {:>14} {:>12} {:>10} {:>8.2}",
                    format!("-{}", r.shock_pct),
                    fmt_units(r.liquidatable_debt),
                    fmt_units(r.newly_liquidatable_debt),
                    r.accounts,
                    fmt_units(r.collateral_at_risk),
                    fmt_units(r.bad_debt),
                    cover,
                    r.spiral_index
                )?;
            }
        }
        Ok(())
    }
}

/// The market's parameters of one collateral, as the risk needs them.
#[derive(Debug, Clone, PartialEq)]
pub struct CollateralInfo {
    /// Denom.
    pub denom: String,
    /// Liquidation penalty.
    pub penalty: Decimal,
    /// Depth used and its source.
    pub depth: (u128, DepthSource),
}

fn shocked(
    prices: &BTreeMap<String, Decimal>,
    denom: &str,
    pct_down: u32,
) -> BTreeMap<String, Decimal> {
    let mut p = prices.clone();
    if let Some(v) = p.get_mut(denom) {
        *v *= Decimal::percent(100u64.saturating_sub(u64::from(pct_down)));
    }
    p
}

/// Collateral value of `denom` (at `prices`) and debt of the accounts below HF 1 at
/// `prices`, and their bad debt and count.
fn liquidatable(
    book: &[Watched],
    prices: &BTreeMap<String, Decimal>,
    denom: &str,
) -> (u128, u128, u128, usize, Vec<bool>) {
    let mut debt = 0u128;
    let mut value_of_denom = 0u128;
    let mut bad = 0u128;
    let mut n = 0;
    let mut flags = Vec::with_capacity(book.len());
    for w in book {
        let under = w.health_at(prices).is_some_and(|h| h < Decimal::one());
        flags.push(under);
        if !under {
            continue;
        }
        n += 1;
        debt += w.debt.u128();
        let mut total_value = 0u128;
        for (d, amount, _) in &w.holdings {
            let v = prices.get(d).map_or(0, |p| amount.mul_floor(*p).u128());
            total_value += v;
            if d == denom {
                value_of_denom += v;
            }
        }
        bad += w.debt.u128().saturating_sub(total_value);
    }
    (debt, value_of_denom, bad, n, flags)
}

/// The report for a book of borrowers (pure: see [`assess`] for the chain reads).
pub fn compute(
    book: &[Watched],
    prices: &BTreeMap<String, Decimal>,
    collaterals: &[CollateralInfo],
    backstop_value: u128,
    shocks: &[u32],
    sold_share: Decimal,
) -> RiskReport {
    let k: f64 = sold_share.to_string().parse().unwrap_or(1.0);
    let (_, _, _, _, now) = liquidatable(book, prices, "");
    let out = collaterals
        .iter()
        .map(|c| {
            let p: f64 = c.penalty.to_string().parse().unwrap_or(0.0);
            let rows = shocks
                .iter()
                .map(|&s| {
                    let at = shocked(prices, &c.denom, s);
                    let (debt, value, bad, n, flags) = liquidatable(book, &at, &c.denom);
                    let newly: u128 = book
                        .iter()
                        .zip(flags.iter().zip(&now))
                        .filter(|(_, (then, before))| **then && !**before)
                        .map(|(w, _)| w.debt.u128())
                        .sum();
                    // L': this collateral's value (at this price) in accounts that cross in
                    // the next 1% fall.
                    let next = shocked(prices, &c.denom, (s + 1).min(100));
                    let (_, _, _, _, next_flags) = liquidatable(book, &next, &c.denom);
                    let wall: u128 = book
                        .iter()
                        .zip(flags.iter().zip(&next_flags))
                        .filter(|(_, (a, b))| !**a && **b)
                        .map(|(w, _)| {
                            w.holdings
                                .iter()
                                .filter(|(d, _, _)| *d == c.denom)
                                .map(|(d, amount, _)| {
                                    at.get(d).map_or(0, |pr| amount.mul_floor(*pr).u128())
                                })
                                .sum::<u128>()
                        })
                        .sum();
                    let g = if c.depth.0 == 0 {
                        f64::INFINITY
                    } else {
                        wall as f64 * (1.0 + p) * k / c.depth.0 as f64
                    };
                    ShockRow {
                        shock_pct: s,
                        liquidatable_debt: debt,
                        newly_liquidatable_debt: newly,
                        accounts: n,
                        collateral_at_risk: value,
                        bad_debt: bad,
                        backstop_coverage: (bad > 0).then(|| backstop_value as f64 / bad as f64),
                        spiral_index: g,
                    }
                })
                .collect();
            CollateralRisk {
                denom: c.denom.clone(),
                price: prices
                    .get(&c.denom)
                    .map_or("-".to_string(), |p| p.to_string()),
                penalty: c.penalty.to_string(),
                depth: c.depth.0,
                depth_source: c.depth.1,
                shocks: rows,
            }
        })
        .collect();
    RiskReport {
        borrowers: book.len(),
        total_debt: book.iter().map(|w| w.debt.u128()).sum(),
        backstop_value,
        backstop_owes_market: 0,
        sold_share: sold_share.to_string(),
        collaterals: out,
    }
}

/// Base units that move a constant-product pool's price by 1%: selling `x` collateral into
/// reserves `(B, C)` moves the price by `(C/(C+x))²`, so 1% is `x = C(1/√0.99 − 1)`, worth
/// about `B(1/√0.99 − 1)` base.
pub fn pool_depth(base_reserve: u128) -> u128 {
    (base_reserve as f64 * (1.0 / 0.99f64.sqrt() - 1.0)) as u128
}

/// The depth of a venue pool answering the devnet pool's `Pool {}` query, base units per 1%
/// ([`pool_depth`] of its base reserve): what `keeper risk` reads and the feeder sends with
/// `feeder.depth = "auto"`.
pub async fn venue_depth(client: &Client, pool: &str) -> Result<Uint128> {
    let r: breakwater_types::venue::PoolResponse = ctx(
        client
            .query(pool, &breakwater_types::venue::PoolQueryMsg::Pool {})
            .await,
        "venue pool",
    )?;
    Ok(Uint128::new(pool_depth(r.base_reserve.u128())))
}

/// Reads the market (collaterals, every borrower's holdings), the oracle's prices, the
/// backstop's value and the venues' reserves, then [`compute`]s the report.
pub async fn assess(client: &Client, d: &Deployment, cfg: &RiskConfig) -> Result<RiskReport> {
    let prices = ctx(prices(client, &d.oracle).await, "oracle prices")?;
    let mut collaterals: Vec<CollateralResponse> = vec![];
    loop {
        let page: CollateralsResponse = ctx(
            client
                .query(
                    &d.market,
                    &QueryMsg::Collaterals {
                        start_after: collaterals.last().map(|c| c.params.denom.clone()),
                        limit: Some(30),
                    },
                )
                .await,
            "collaterals",
        )?;
        let n = page.collaterals.len();
        collaterals.extend(page.collaterals);
        if n < 30 {
            break;
        }
    }
    let mut infos = vec![];
    for c in &collaterals {
        let denom = c.params.denom.clone();
        let depth = if let Some(v) = cfg.depth.get(&denom) {
            (u128::from(*v), DepthSource::Configured)
        } else if let Some(pool) = d.venues.get(&denom) {
            (venue_depth(client, pool).await?.u128(), DepthSource::Pool)
        } else {
            (c.params.depth.u128(), DepthSource::Market)
        };
        infos.push(CollateralInfo {
            denom,
            penalty: c.params.liquidation_penalty,
            depth,
        });
    }
    let debtors: Vec<String> = ctx(all_accounts(client, d).await, "accounts")?
        .into_iter()
        .filter(|a| !a.debt.is_zero())
        .map(|a| a.address)
        .collect();
    let mut book = vec![];
    for chunk in debtors.chunks(8) {
        let reads = futures::future::join_all(chunk.iter().map(|a| async move {
            let q = QueryMsg::Account {
                address: a.to_string(),
            };
            client.query::<_, AccountResponse>(&d.market, &q).await
        }))
        .await;
        for r in reads {
            book.push(Watched::from_account(&ctx(r, "account")?));
        }
    }
    let pool: PoolResponse = ctx(
        client
            .query(&d.backstop, &backstop::QueryMsg::Pool {})
            .await,
        "backstop pool",
    )?;
    Ok(RiskReport {
        backstop_owes_market: pool.owed_to_market.u128(),
        ..compute(
            &book,
            &prices,
            &infos,
            pool.total_value.u128(),
            &cfg.shocks,
            cfg.sold_share,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::Uint128;

    fn account(atom: u128, debt: u128) -> Watched {
        Watched {
            holdings: vec![("uatom".into(), Uint128::new(atom), Decimal::percent(70))],
            debt: Uint128::new(debt),
            summary: (Uint128::new(debt), Uint128::zero()),
        }
    }

    /// ATOM at 10, a 5% penalty, a configured depth of 1,000 per 1%.
    fn atom_at_ten() -> (BTreeMap<String, Decimal>, CollateralInfo) {
        let prices = [("uatom".to_string(), Decimal::percent(1000))].into();
        let info = CollateralInfo {
            denom: "uatom".into(),
            penalty: Decimal::percent(5),
            depth: (1_000, DepthSource::Configured),
        };
        (prices, info)
    }

    #[test]
    fn shocks_find_the_debt_that_crosses_and_the_bad_debt() {
        // ATOM at 10, LT 0.7: 100 ATOM backs debt up to 700.
        let book = vec![
            account(100, 600), // HF 1.167: liquidatable below 8.57 (-14.3%)
            account(100, 680), // HF 1.029: below 9.71 (-2.9%)
            account(100, 300), // safe until -57%
        ];
        let (prices, info) = atom_at_ten();
        let r = compute(&book, &prices, &[info], 100, &[5, 20, 40], Decimal::one());
        let rows = &r.collaterals[0].shocks;
        assert_eq!(rows[0].liquidatable_debt, 680);
        assert_eq!(rows[0].accounts, 1);
        assert_eq!(rows[1].liquidatable_debt, 1_280);
        assert_eq!(rows[1].newly_liquidatable_debt, 1_280);
        // At -40% (price 6): 600 ATOM-value per account, so 80 of bad debt on the 680 one.
        assert_eq!(rows[2].bad_debt, 80);
        assert_eq!(rows[2].backstop_coverage, Some(100.0 / 80.0));
        // At -20% nothing crosses in the next 1%: no wall, no spiral.
        assert_eq!(rows[1].spiral_index, 0.0);
        assert_eq!(r.total_debt, 1_580);
    }

    #[test]
    fn the_spiral_index_weighs_the_next_percent_against_depth() {
        // Ten accounts crossing between -14% and -15%: each holds 100 ATOM.
        let book: Vec<Watched> = (0..10).map(|_| account(100, 600)).collect();
        let prices: BTreeMap<String, Decimal> =
            [("uatom".to_string(), Decimal::percent(1000))].into();
        let mk = |depth| CollateralInfo {
            denom: "uatom".into(),
            penalty: Decimal::percent(5),
            depth: (depth, DepthSource::Market),
        };
        let r = compute(&book, &prices, &[mk(1_000)], 0, &[14], Decimal::one());
        // 1,000 ATOM at 8.6 = 8,600 of value; × 1.05 / 1,000 of depth.
        let g = r.collaterals[0].shocks[0].spiral_index;
        assert!((g - 9.03).abs() < 0.01, "{g}");
        let deeper = compute(
            &book,
            &prices,
            &[mk(100_000)],
            0,
            &[14],
            Decimal::percent(50),
        );
        assert!((deeper.collaterals[0].shocks[0].spiral_index - 0.045).abs() < 0.001);
    }

    #[test]
    fn the_report_names_what_the_backstop_owes_the_market() {
        let book = vec![account(100, 600)];
        let (prices, info) = atom_at_ten();
        let r = compute(&book, &prices, &[info], 100, &[5], Decimal::one());
        assert!(!r.to_string().contains("owes the market"));
        let owing = RiskReport {
            backstop_owes_market: 2_270_000_000,
            ..r
        };
        assert!(
            owing
                .to_string()
                .contains("the backstop owes the market 2.27G"),
            "{owing}"
        );
        let json = serde_json::to_value(&owing).unwrap();
        assert_eq!(json["backstop_owes_market"], 2_270_000_000u64);
    }

    #[test]
    fn a_pool_moves_one_percent_for_half_a_percent_of_its_reserve() {
        let d = pool_depth(1_000_000_000);
        assert!((5_000_000..5_040_000).contains(&d), "{d}");
    }
}
