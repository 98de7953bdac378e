//! Families of crashes: parametrised generators of exogenous paths, so an engine is judged on
//! many paths of a kind rather than on one shipped file (`lab stress --family NAME`).
//!
//! Every family draws each parameter uniformly from a range (a single value is fixed) with the
//! path's own seed, so path `i` of `(family, seed)` is the same on any machine and in any shard.
//! Paths start at price 10 for every collateral and are sampled every minute.
//!
//! | family | shape | parameters (default range) |
//! |---|---|---|
//! | `jump-diffusion` | diffusion plus downward jumps; each jump withdraws depth, which recovers | `hours` 6..12, `vol` 0.04..0.10 (daily), `jumps` 6..16 (per day), `jump` 0.03..0.08 (mean size), `depth_hit` 0.1..0.4 (depth left after a jump), `depth_halflife` 20..90 (min) |
//! | `v-wick` | a fall to a low, a pause, a recovery | `fall` 0.2..0.5, `fall_min` 5..30, `hold_min` 0..10, `recover_min` 5..60, `recover` 0.6..1.0 (share of the fall regained), `depth_low` 0.05..0.3 |
//! | `flash-crash` | a fast fall while depth evaporates to a few percent for minutes, then a partial rebound | `fall` 0.3..0.6, `fall_min` 2..10, `depth_low` 0.02..0.08, `gone_min` 3..15, `depth_halflife` 20..60, `rebound` 0.3..0.8 |
//! | `slow-bleed` | a long grind down with noise and thinning depth | `fall` 0.3..0.6, `hours` 12..48, `vol` 0.02..0.04, `depth_low` 0.4..0.8 |
//! | `terminal-collapse` | a fall that never recovers, depth draining away | `fall` 0.8..0.95, `hours` 1..6, `depth_low` 0.05..0.2 |
//! | `oracle-dislocation` | one venue prints far off the true price for a while | `true_move` -0.1..0.0, `print` 0.25..0.5 (venue below the true price), `start_min` 30..90, `print_min` 20..60 |
//!
//! Common to every family: `assets` (1: one collateral; 2 or 3: correlated collaterals for
//! cross-margin books), `rho` 0.6..0.9 (correlation of the further collaterals' moves with
//! the first), `alt_beta` 1.0..1.6 (how much further they fall), `alt_depth` 1.0..2.0 (their
//! depth multiplier is the first's raised to this power: thinner books).
//!
//! Override a parameter with `--family-param NAME=VALUE` or `NAME=LO..HI`. A family file
//! (any path) names a base family and its ranges:
//!
//! ```text
//! # name: my-wicks
//! # base: v-wick
//! fall = 0.4..0.7
//! recover_min = 2..10
//! ```
//!
//! and `files:DIR` makes a family of every scenario file in `DIR` (path `i` is the `i`-th file
//! in name order, cycling).
use crate::model::{AssetPath, Scenario, ScenarioPoint};
use anyhow::{anyhow, bail, Context, Result};
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Normal};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The built-in families, in documentation order.
pub const FAMILIES: &[&str] = &[
    "jump-diffusion",
    "v-wick",
    "flash-crash",
    "slow-bleed",
    "terminal-collapse",
    "oracle-dislocation",
];

/// A parameter's range (inclusive); a single value when `lo == hi`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Range {
    /// Lowest value.
    pub lo: f64,
    /// Highest value.
    pub hi: f64,
}

impl Range {
    fn draw(&self, rng: &mut impl Rng) -> f64 {
        if self.hi > self.lo {
            rng.gen_range(self.lo..=self.hi)
        } else {
            self.lo
        }
    }
}

/// Parses `VALUE` or `LO..HI`.
pub fn parse_range(s: &str) -> Result<Range> {
    let num = |x: &str| -> Result<f64> {
        let v: f64 = x
            .trim()
            .parse()
            .map_err(|_| anyhow!("`{x}` is not a number"))?;
        if !v.is_finite() {
            bail!("`{x}` is not finite");
        }
        Ok(v)
    };
    match s.split_once("..") {
        Some((lo, hi)) => {
            let (lo, hi) = (num(lo)?, num(hi)?);
            if hi < lo {
                bail!("range {lo}..{hi} is empty");
            }
            Ok(Range { lo, hi })
        }
        None => {
            let v = num(s)?;
            Ok(Range { lo: v, hi: v })
        }
    }
}

/// A family: a base generator and its parameter ranges (or a directory of scenario files).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Family {
    /// Its name.
    pub name: String,
    /// The generator (one of [`FAMILIES`]), or `files`.
    pub base: String,
    /// Parameter ranges.
    pub params: BTreeMap<String, Range>,
    /// For `files`: the scenario files, in name order.
    pub files: Vec<PathBuf>,
}

fn r(lo: f64, hi: f64) -> Range {
    Range { lo, hi }
}

/// The default ranges of a built-in family (module docs).
pub fn defaults(base: &str) -> Result<BTreeMap<String, Range>> {
    let own: Vec<(&str, Range)> = match base {
        "jump-diffusion" => vec![
            ("hours", r(6.0, 12.0)),
            ("vol", r(0.04, 0.10)),
            ("jumps", r(6.0, 16.0)),
            ("jump", r(0.03, 0.08)),
            ("depth_hit", r(0.1, 0.4)),
            ("depth_halflife", r(20.0, 90.0)),
        ],
        "v-wick" => vec![
            ("fall", r(0.2, 0.5)),
            ("fall_min", r(5.0, 30.0)),
            ("hold_min", r(0.0, 10.0)),
            ("recover_min", r(5.0, 60.0)),
            ("recover", r(0.6, 1.0)),
            ("depth_low", r(0.05, 0.3)),
        ],
        "flash-crash" => vec![
            ("fall", r(0.3, 0.6)),
            ("fall_min", r(2.0, 10.0)),
            ("depth_low", r(0.02, 0.08)),
            ("gone_min", r(3.0, 15.0)),
            ("depth_halflife", r(20.0, 60.0)),
            ("rebound", r(0.3, 0.8)),
        ],
        "slow-bleed" => vec![
            ("fall", r(0.3, 0.6)),
            ("hours", r(12.0, 48.0)),
            ("vol", r(0.02, 0.04)),
            ("depth_low", r(0.4, 0.8)),
        ],
        "terminal-collapse" => vec![
            ("fall", r(0.8, 0.95)),
            ("hours", r(1.0, 6.0)),
            ("depth_low", r(0.05, 0.2)),
        ],
        "oracle-dislocation" => vec![
            ("true_move", r(-0.1, 0.0)),
            ("print", r(0.25, 0.5)),
            ("start_min", r(30.0, 90.0)),
            ("print_min", r(20.0, 60.0)),
        ],
        "files" => vec![],
        other => bail!(
            "unknown family `{other}`; the families are {} (or a family file, or files:DIR)",
            FAMILIES.join(", ")
        ),
    };
    let mut m: BTreeMap<String, Range> = own.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    m.insert("assets".into(), r(1.0, 1.0));
    m.insert("rho".into(), r(0.6, 0.9));
    m.insert("alt_beta".into(), r(1.0, 1.6));
    m.insert("alt_depth".into(), r(1.0, 2.0));
    Ok(m)
}

impl Family {
    /// A built-in family by name, a family file by path, or `files:DIR`.
    pub fn load(name_or_path: &str) -> Result<Family> {
        if let Some(dir) = name_or_path.strip_prefix("files:") {
            let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
                .with_context(|| format!("reading {dir}"))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "csv"))
                .collect();
            files.sort();
            if files.is_empty() {
                bail!("no scenario files (*.csv) in {dir}");
            }
            return Ok(Family {
                name: format!("files-{}", crate::report::file_stem(dir)),
                base: "files".into(),
                params: BTreeMap::new(),
                files,
            });
        }
        if FAMILIES.contains(&name_or_path) {
            return Ok(Family {
                name: name_or_path.to_string(),
                base: name_or_path.to_string(),
                params: defaults(name_or_path)?,
                files: vec![],
            });
        }
        let path = Path::new(name_or_path);
        if !path.exists() {
            bail!(
                "`{name_or_path}` is neither a family ({}) nor a family file, nor files:DIR",
                FAMILIES.join(", ")
            );
        }
        let text = std::fs::read_to_string(path)?;
        Self::parse(&text, path)
    }

    /// Parses a family file (module docs).
    pub fn parse(text: &str, path: &Path) -> Result<Family> {
        let mut name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("family")
            .to_string();
        let mut base: Option<String> = None;
        let mut sets: Vec<(String, Range)> = vec![];
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            if let Some(rest) = line.strip_prefix('#') {
                if let Some((k, v)) = rest.split_once(':') {
                    match k.trim() {
                        "name" => name = v.trim().to_string(),
                        "base" => base = Some(v.trim().to_string()),
                        _ => {}
                    }
                }
                continue;
            }
            let (k, v) = line
                .split_once('=')
                .ok_or_else(|| anyhow!("line {}: expected NAME = VALUE or LO..HI", i + 1))?;
            sets.push((
                k.trim().to_string(),
                parse_range(v).with_context(|| format!("line {}", i + 1))?,
            ));
        }
        let base = base.ok_or_else(|| anyhow!("a family file needs a `# base: FAMILY` line"))?;
        let mut f = Family {
            name,
            params: defaults(&base)?,
            base,
            files: vec![],
        };
        for (k, v) in sets {
            f.set(&k, v)?;
        }
        Ok(f)
    }

    /// Sets parameter `name` to `range`.
    pub fn set(&mut self, name: &str, range: Range) -> Result<()> {
        match self.params.get_mut(name) {
            Some(slot) => {
                *slot = range;
                Ok(())
            }
            None => bail!(
                "family {} has no parameter `{name}`; its parameters are {}",
                self.name,
                self.params.keys().cloned().collect::<Vec<_>>().join(", ")
            ),
        }
    }

    /// Path `i` of this family under `seed`.
    pub fn path(&self, seed: u64, i: usize) -> Result<Scenario> {
        let path_seed = mix(seed, i as u64);
        if self.base == "files" {
            let file = &self.files[i % self.files.len()];
            let mut s = crate::scenario::load(
                file.to_str()
                    .ok_or_else(|| anyhow!("non-UTF-8 path {}", file.display()))?,
            )?;
            s.name = format!("{}-{i}", self.name);
            return Ok(s);
        }
        let mut rng = rand::rngs::StdRng::seed_from_u64(path_seed);
        let p: BTreeMap<String, f64> = self
            .params
            .iter()
            .map(|(k, v)| (k.clone(), v.draw(&mut rng)))
            .collect();
        let g = |k: &str| p.get(k).copied().unwrap_or(0.0);
        let (price, depth, venue) = shape(&self.base, &g, &mut rng)?;
        let points: Vec<ScenarioPoint> = (0..price.len())
            .map(|m| ScenarioPoint {
                time: m as u64 * 60,
                price: price[m],
                depth_mult: depth[m].max(1e-3),
                venue_price: venue[m],
            })
            .collect();
        let assets = (g("assets").round() as usize).clamp(1, 3);
        let mut more = vec![];
        for k in 1..assets {
            more.push(AssetPath {
                name: format!("alt{k}"),
                points: correlated(&points, g("rho"), g("alt_beta"), g("alt_depth"), &mut rng),
            });
        }
        let drawn: Vec<String> = p.iter().map(|(k, v)| format!("{k}={v:.4}")).collect();
        Ok(Scenario {
            name: format!("{}-{seed}-{i}", self.name),
            event: format!("path {i} of family {} (seed {seed})", self.name),
            history: drawn.join(", "),
            points,
            asset: if assets == 1 {
                crate::model::default_asset()
            } else {
                "main".into()
            },
            more,
            settings: vec![],
        })
    }
}

/// SplitMix64 of `(seed, i)`: independent path seeds.
pub fn mix(seed: u64, i: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15u64.wrapping_mul(i.wrapping_add(1)));
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

type Shape = (Vec<f64>, Vec<f64>, Vec<Option<f64>>);

/// Minute-by-minute price, depth multiplier and dislocated venue of the first collateral.
fn shape(base: &str, g: &dyn Fn(&str) -> f64, rng: &mut impl Rng) -> Result<Shape> {
    let normal = Normal::new(0.0, 1.0).expect("a normal");
    let p0 = 10.0;
    Ok(match base {
        "jump-diffusion" => {
            let n = (g("hours") * 60.0).round() as usize + 1;
            let sigma = g("vol") / (24.0f64 * 60.0).sqrt();
            let lambda = g("jumps") / (24.0 * 60.0);
            let decay = 0.5f64.powf(1.0 / g("depth_halflife").max(1.0));
            let (mut x, mut depth_gap) = (0.0f64, 0.0f64);
            let mut price = Vec::with_capacity(n);
            let mut depth = Vec::with_capacity(n);
            for m in 0..n {
                if m > 0 {
                    x += sigma * normal.sample(rng) - 0.5 * sigma * sigma;
                    if rng.gen::<f64>() < lambda {
                        let size = g("jump") * (0.5 + rng.gen::<f64>());
                        x += (1.0 - size).ln();
                        depth_gap = 1.0 - g("depth_hit");
                    }
                    depth_gap *= decay;
                }
                price.push(p0 * x.exp());
                depth.push(1.0 - depth_gap);
            }
            (price, depth, vec![None; n])
        }
        "v-wick" => {
            let (fall, down, hold, up) =
                (g("fall"), g("fall_min"), g("hold_min"), g("recover_min"));
            let low = p0 * (1.0 - fall);
            let end = low + (p0 - low) * g("recover");
            let n = 180;
            let (t0, t1, t2) = (30.0, 30.0 + down, 30.0 + down + hold);
            let t3 = t2 + up;
            let price: Vec<f64> = (0..=n)
                .map(|m| {
                    let m = m as f64;
                    if m <= t0 {
                        p0
                    } else if m <= t1 {
                        p0 + (low - p0) * (m - t0) / down.max(1e-9)
                    } else if m <= t2 {
                        low
                    } else if m <= t3 {
                        low + (end - low) * (m - t2) / up.max(1e-9)
                    } else {
                        end
                    }
                })
                .collect();
            let dl = g("depth_low");
            let depth: Vec<f64> = price
                .iter()
                .map(|p| 1.0 - (1.0 - dl) * ((p0 - p) / (p0 - low)).clamp(0.0, 1.0))
                .collect();
            (price, depth, vec![None; n + 1])
        }
        "flash-crash" => {
            let (fall, down) = (g("fall"), g("fall_min"));
            let low = p0 * (1.0 - fall);
            let end = low + (p0 - low) * g("rebound");
            let n = 240;
            let t0 = 20.0;
            let t1 = t0 + down;
            let gone_until = t1 + g("gone_min");
            let decay_h = g("depth_halflife").max(1.0);
            let price: Vec<f64> = (0..=n)
                .map(|m| {
                    let m = m as f64;
                    if m <= t0 {
                        p0
                    } else if m <= t1 {
                        p0 + (low - p0) * (m - t0) / down.max(1e-9)
                    } else {
                        // Rebounds toward `end` with the depth's half-life.
                        end + (low - end) * 0.5f64.powf((m - t1) / decay_h)
                    }
                })
                .collect();
            let dl = g("depth_low");
            let depth: Vec<f64> = (0..=n)
                .map(|m| {
                    let m = m as f64;
                    if m <= t0 {
                        1.0
                    } else if m <= gone_until {
                        1.0 - (1.0 - dl) * ((m - t0) / (t1 - t0).max(1.0)).min(1.0)
                    } else {
                        1.0 - (1.0 - dl) * 0.5f64.powf((m - gone_until) / decay_h)
                    }
                })
                .collect();
            (price, depth, vec![None; n + 1])
        }
        "slow-bleed" => {
            let n = (g("hours") * 60.0).round() as usize + 1;
            let sigma = g("vol") / 60.0f64.sqrt();
            let drift = (1.0 - g("fall")).ln() / (n - 1) as f64;
            let mut x = 0.0f64;
            let mut price = Vec::with_capacity(n);
            let mut depth = Vec::with_capacity(n);
            for m in 0..n {
                if m > 0 {
                    x += drift + sigma * normal.sample(rng);
                }
                price.push(p0 * x.exp());
                depth.push(1.0 - (1.0 - g("depth_low")) * m as f64 / (n - 1) as f64);
            }
            (price, depth, vec![None; n])
        }
        "terminal-collapse" => {
            let n = (g("hours") * 60.0).round() as usize + 120;
            let fall_n = (g("hours") * 60.0).max(1.0);
            let price: Vec<f64> = (0..n)
                .map(|m| {
                    let f = ((m as f64 - 30.0) / fall_n).clamp(0.0, 1.0);
                    p0 * (1.0 - g("fall")).powf(f)
                })
                .collect();
            let depth: Vec<f64> = (0..n)
                .map(|m| {
                    let f = ((m as f64 - 30.0) / fall_n).clamp(0.0, 1.0);
                    1.0 - (1.0 - g("depth_low")) * f
                })
                .collect();
            (price, depth, vec![None; n])
        }
        "oracle-dislocation" => {
            let n = 180;
            let (start, len) = (g("start_min"), g("print_min"));
            let price: Vec<f64> = (0..=n)
                .map(|m| p0 * (1.0 + g("true_move") * (m as f64 / n as f64)))
                .collect();
            let venue: Vec<Option<f64>> = (0..=n)
                .map(|m| {
                    let m = m as f64;
                    (m >= start && m <= start + len).then(|| {
                        let p = p0 * (1.0 + g("true_move") * (m / n as f64));
                        p * (1.0 - g("print"))
                    })
                })
                .collect();
            (price, vec![1.0; n + 1], venue)
        }
        other => bail!("unknown family base `{other}`"),
    })
}

/// A further collateral moving with `base`: each minute's log move is `beta` times the
/// first's plus idiosyncratic noise giving correlation about `rho`; its depth multiplier is the
/// first's to the power `depth_pow`.
fn correlated(
    base: &[ScenarioPoint],
    rho: f64,
    beta: f64,
    depth_pow: f64,
    rng: &mut impl Rng,
) -> Vec<ScenarioPoint> {
    let normal = Normal::new(0.0, 1.0).expect("a normal");
    let moves: Vec<f64> = base
        .windows(2)
        .map(|w| (w[1].price / w[0].price).ln())
        .collect();
    let sd = {
        let n = moves.len().max(1) as f64;
        let mean = moves.iter().sum::<f64>() / n;
        (moves.iter().map(|m| (m - mean).powi(2)).sum::<f64>() / n).sqrt()
    };
    let rho = rho.clamp(0.0, 1.0);
    let noise = if rho > 0.0 {
        beta * sd * (1.0 / (rho * rho) - 1.0).sqrt()
    } else {
        beta * sd
    };
    let mut x = 0.0f64;
    let mut out = Vec::with_capacity(base.len());
    for (i, p) in base.iter().enumerate() {
        if i > 0 {
            x += beta * moves[i - 1] + noise * normal.sample(rng);
        }
        out.push(ScenarioPoint {
            time: p.time,
            price: 10.0 * x.exp(),
            depth_mult: p.depth_mult.powf(depth_pow).max(1e-3),
            venue_price: None,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_family_makes_valid_reproducible_paths() {
        for name in FAMILIES {
            let f = Family::load(name).unwrap();
            for i in 0..5 {
                let s = f.path(7, i).unwrap();
                assert_eq!(s, f.path(7, i).unwrap(), "{name}: same seed, same path");
                assert_ne!(s.points, f.path(8, i).unwrap().points, "{name}");
                assert_eq!(s.points[0].time, 0);
                assert_eq!(s.points[0].price, 10.0);
                assert!(s.points.windows(2).all(|w| w[1].time == w[0].time + 60));
                assert!(s.points.iter().all(|p| p.price > 0.0 && p.depth_mult > 0.0));
                // The text format carries it exactly.
                let back = crate::scenario::parse(&crate::scenario::to_text(&s), "x").unwrap();
                assert_eq!(back, s);
            }
        }
    }

    #[test]
    fn families_have_their_shape() {
        let low = |s: &Scenario| {
            s.points
                .iter()
                .map(|p| p.price)
                .fold(f64::INFINITY, f64::min)
        };
        let f = Family::load("v-wick").unwrap();
        for i in 0..10 {
            let s = f.path(1, i).unwrap();
            let drop = 1.0 - low(&s) / 10.0;
            assert!((0.2 - 1e-9..=0.5 + 1e-9).contains(&drop), "{drop}");
            assert!(s.points.last().unwrap().price >= low(&s));
        }
        let f = Family::load("flash-crash").unwrap();
        let s = f.path(1, 0).unwrap();
        let thinnest = s.points.iter().map(|p| p.depth_mult).fold(1.0, f64::min);
        assert!(thinnest <= 0.08 + 1e-9);
        let f = Family::load("terminal-collapse").unwrap();
        let s = f.path(1, 0).unwrap();
        assert!(s.points.last().unwrap().price <= 10.0 * 0.2 + 1e-9);
        let f = Family::load("oracle-dislocation").unwrap();
        let s = f.path(1, 0).unwrap();
        assert!(s.points.iter().any(|p| p.venue_price.is_some()));
    }

    #[test]
    fn parameters_can_be_fixed_and_families_written_in_a_file() {
        let mut f = Family::load("v-wick").unwrap();
        f.set("fall", parse_range("0.4").unwrap()).unwrap();
        f.set("assets", parse_range("2").unwrap()).unwrap();
        let s = f.path(3, 0).unwrap();
        let low = s
            .points
            .iter()
            .map(|p| p.price)
            .fold(f64::INFINITY, f64::min);
        assert!((low - 6.0).abs() < 1e-9);
        assert_eq!(s.assets(), 2);
        assert!(f.set("nonsense", parse_range("1").unwrap()).is_err());
        let g = Family::parse(
            "# name: deep\n# base: flash-crash\nfall = 0.7..0.8\n",
            Path::new("x.family"),
        )
        .unwrap();
        assert_eq!(g.name, "deep");
        assert_eq!(g.params["fall"], Range { lo: 0.7, hi: 0.8 });
        assert!(Family::parse("fall = 1\n", Path::new("x")).is_err());
        assert!(parse_range("2..1").is_err());
    }

    #[test]
    fn correlated_collaterals_move_together() {
        let mut f = Family::load("jump-diffusion").unwrap();
        f.set("assets", parse_range("2").unwrap()).unwrap();
        f.set("rho", parse_range("0.8").unwrap()).unwrap();
        let s = f.path(11, 0).unwrap();
        let a: Vec<f64> = s
            .points
            .windows(2)
            .map(|w| (w[1].price / w[0].price).ln())
            .collect();
        let b: Vec<f64> = s.more[0]
            .points
            .windows(2)
            .map(|w| (w[1].price / w[0].price).ln())
            .collect();
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let (ma, mb) = (mean(&a), mean(&b));
        let cov: f64 = a.iter().zip(&b).map(|(x, y)| (x - ma) * (y - mb)).sum();
        let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
        let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
        let corr = cov / (va * vb).sqrt();
        assert!((0.6..0.95).contains(&corr), "{corr}");
    }
}
