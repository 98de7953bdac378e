//! Crash scenarios: the exogenous paths the lab replays, their text format, the four built-in
//! scenarios and interpolation along a path.
//!
//! # File format
//!
//! A scenario is a small UTF-8 text file (`packages/lab/scenarios/<name>.csv`); users add
//! scenarios by copying one and passing its path wherever a scenario name is accepted.
//!
//! ```text
//! # Any comment you like.
//! # name: my-crash
//! # event: What the scenario models (free text)
//! # history: What history recorded under naive engines (free text)
//! # history: a repeated key continues the same field on a new line
//! time_s,price,depth_mult,venue_price
//! 0,10.0,1.0,
//! 600,9.5,0.6,
//! 900,9.0,0.3,6.2
//! 1200,9.1,0.4,6.3
//! 1800,9.3,0.7,
//! ```
//!
//! * Lines whose first non-blank character is `#` are header lines. `# key: value` with key
//!   `name`, `event` or `history` (case-insensitive) sets that field; repeating a key appends a
//!   new line to the field. `# set: NAME=VALUE` overrides a parameter for every run of the
//!   scenario (`lab params` lists them; the command line's `--set` wins). Every other `#` line
//!   is a comment. Blank lines are ignored. Without a `name` line the scenario is named after
//!   the file (the `fallback_name`).
//! * The first other line is the column header: `time_s,price,depth_mult,venue_price` for one
//!   collateral (named `col`), or one group `price:NAME,depth_mult:NAME,venue_price:NAME` per
//!   collateral after `time_s` (spaces around names are allowed). Every row then has one
//!   value per column (the last venue_price may be left off).
//! * Then one row per point:
//!   * `time_s`: whole seconds since the start; the first row is `0`; strictly increasing;
//!   * `price`: exogenous collateral price on the main venue, `> 0`;
//!   * `depth_mult`: multiplier on the external market's depth, `> 0` (1 = normal, 0.05 = 95%
//!     of the depth withdrawn);
//!   * `venue_price`: price printed by a dislocated venue (read by one oracle feeder), `> 0`, or
//!     empty (the trailing comma may be omitted).
//! * Between rows, price and depth_mult are interpolated linearly; a venue price exists only
//!   between two rows that both have one (so a wick is the run of rows with the column set).
//!   Before the first and after the last row the path is held constant.
//!
//! A file with several collaterals:
//!
//! ```text
//! # name: two-assets
//! time_s,price:eth,depth_mult:eth,venue_price:eth,price:alt,depth_mult:alt,venue_price:alt
//! 0,10,1,,10,1,
//! 600,9,0.8,,6,0.2,
//! ```
//!
//! Errors name the offending line (1-based). [`to_text`] writes the same format and
//! [`parse`] of its output gives back an identical [`Scenario`].
use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};

use crate::model::{AssetPath, Scenario, ScenarioPoint};

/// The column header every scenario file carries.
pub const HEADER: &str = "time_s,price,depth_mult,venue_price";

/// The built-in scenarios, embedded at compile time: (name, file text).
const BUILTINS: &[(&str, &str)] = &[
    (
        "black-thursday",
        include_str!("../scenarios/black-thursday.csv"),
    ),
    ("oracle-wick", include_str!("../scenarios/oracle-wick.csv")),
    ("toxic-whale", include_str!("../scenarios/toxic-whale.csv")),
    (
        "depth-evaporation",
        include_str!("../scenarios/depth-evaporation.csv"),
    ),
];

const NAMES: &[&str] = &[
    "black-thursday",
    "oracle-wick",
    "toxic-whale",
    "depth-evaporation",
];

/// Scenarios that are loadable by name but not part of `--all` (not in [`builtin_names`]):
/// `devnet-flash`, the short real-time scenario `lab run --chain local` defaults to, and
/// `two-asset-contagion`, two correlated collaterals with cross-margin accounts (contagion).
const EXTRAS: &[(&str, &str)] = &[
    (
        "devnet-flash",
        include_str!("../scenarios/devnet-flash.csv"),
    ),
    (
        "two-asset-contagion",
        include_str!("../scenarios/two-asset-contagion.csv"),
    ),
];

/// Names of the four built-in scenarios (see `/work/shared/design/scenarios.md`).
pub fn builtin_names() -> &'static [&'static str] {
    NAMES
}

/// Names of the scenarios loadable by name besides the built-ins (not run by `--all`).
pub fn extra_names() -> Vec<&'static str> {
    EXTRAS.iter().map(|(n, _)| *n).collect()
}

/// Parses a scenario file (format in the module docs). `fallback_name` names the scenario when
/// the file has no `# name:` line. Errors carry the 1-based line number.
pub fn parse(text: &str, fallback_name: &str) -> Result<Scenario> {
    let mut name: Option<String> = None;
    let mut event: Option<String> = None;
    let mut history: Option<String> = None;
    let mut settings: Vec<(String, f64)> = Vec::new();
    let mut assets: Option<Vec<String>> = None;
    let mut paths: Vec<Vec<ScenarioPoint>> = Vec::new();

    for (idx, raw) in text.lines().enumerate() {
        let lineno = idx + 1;
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix('#') {
            if let Some((key, value)) = rest.split_once(':') {
                let key = key.trim().to_ascii_lowercase();
                if key == "set" {
                    let a = crate::params::parse_assignment(value.trim())
                        .with_context(|| format!("line {lineno}: `# set:`"))?;
                    settings.push(a);
                    continue;
                }
                let slot = match key.as_str() {
                    "name" => Some(&mut name),
                    "event" => Some(&mut event),
                    "history" => Some(&mut history),
                    _ => None,
                };
                if let Some(slot) = slot {
                    let value = value.trim();
                    match slot {
                        Some(existing) => {
                            existing.push('\n');
                            existing.push_str(value);
                        }
                        None => *slot = Some(value.to_string()),
                    }
                }
            }
            continue;
        }
        let Some(names) = &assets else {
            let names = parse_header(line, lineno)?;
            paths = vec![Vec::new(); names.len()];
            assets = Some(names);
            continue;
        };
        let row = parse_row(line, lineno, names.len())?;
        for (path, point) in paths.iter_mut().zip(row) {
            if let Some(prev) = path.last() {
                if point.time <= prev.time {
                    bail!(
                        "line {lineno}: time_s must be strictly increasing ({} after {})",
                        point.time,
                        prev.time
                    );
                }
            } else if point.time != 0 {
                bail!(
                    "line {lineno}: the first point must be at time_s 0, found {}",
                    point.time
                );
            }
            path.push(point);
        }
    }
    let Some(names) = assets else {
        bail!(
            "no column header `{HEADER}` found (line {})",
            text.lines().count() + 1
        );
    };
    if paths[0].is_empty() {
        bail!(
            "no data rows after the column header (line {})",
            text.lines().count() + 1
        );
    }
    let name = name.unwrap_or_else(|| fallback_name.to_string());
    if name.is_empty() {
        bail!("the scenario has no name (empty `# name:` and no fallback name)");
    }
    let mut paths = paths.into_iter();
    let points = paths.next().unwrap_or_default();
    let more = names
        .iter()
        .skip(1)
        .zip(paths)
        .map(|(n, points)| AssetPath {
            name: n.clone(),
            points,
        })
        .collect();
    Ok(Scenario {
        name,
        event: event.unwrap_or_default(),
        history: history.unwrap_or_default(),
        points,
        asset: names[0].clone(),
        more,
        settings,
    })
}

/// The collaterals a column header names (module docs).
fn parse_header(line: &str, lineno: usize) -> Result<Vec<String>> {
    let cols: Vec<&str> = line.split(',').map(str::trim).collect();
    if cols == ["time_s", "price", "depth_mult", "venue_price"] {
        return Ok(vec![crate::model::default_asset()]);
    }
    let bad = || {
        anyhow!(
            "line {lineno}: expected the column header `{HEADER}` or `time_s` followed by \
             `price:NAME,depth_mult:NAME,venue_price:NAME` per collateral, found `{line}`"
        )
    };
    if cols.first() != Some(&"time_s") || !(cols.len() - 1).is_multiple_of(3) || cols.len() < 4 {
        return Err(bad());
    }
    let mut names: Vec<String> = Vec::new();
    for group in cols[1..].chunks(3) {
        let name = group[0].strip_prefix("price:").ok_or_else(bad)?.trim();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            || group[1] != format!("depth_mult:{name}")
            || group[2] != format!("venue_price:{name}")
        {
            return Err(bad());
        }
        if names.iter().any(|n| n == name) {
            bail!("line {lineno}: collateral `{name}` named twice");
        }
        names.push(name.to_string());
    }
    Ok(names)
}

fn parse_row(line: &str, lineno: usize, assets: usize) -> Result<Vec<ScenarioPoint>> {
    let fields: Vec<&str> = line.split(',').map(str::trim).collect();
    let full = 1 + 3 * assets;
    if fields.len() < full - 1 || fields.len() > full {
        bail!(
            "line {lineno}: expected {full} comma-separated fields (the last venue_price may be \
             empty or left off), found {}",
            fields.len()
        );
    }
    let time: u64 = fields[0].parse().map_err(|_| {
        anyhow!(
            "line {lineno}: time_s must be a whole number of seconds >= 0, found `{}`",
            fields[0]
        )
    })?;
    (0..assets)
        .map(|a| {
            let f = |i: usize| fields.get(1 + 3 * a + i).copied().unwrap_or("");
            Ok(ScenarioPoint {
                time,
                price: positive(f(0), "price", lineno)?,
                depth_mult: positive(f(1), "depth_mult", lineno)?,
                venue_price: match f(2) {
                    "" => None,
                    v => Some(positive(v, "venue_price", lineno)?),
                },
            })
        })
        .collect()
}

fn positive(field: &str, what: &str, lineno: usize) -> Result<f64> {
    let v: f64 = field
        .parse()
        .map_err(|_| anyhow!("line {lineno}: {what} must be a number, found `{field}`"))?;
    if !v.is_finite() || v <= 0.0 {
        bail!("line {lineno}: {what} must be a finite number > 0, found `{field}`");
    }
    Ok(v)
}

/// Writes `s` in the scenario file format (with a short format comment). `parse(&to_text(s), _)`
/// gives back `s` exactly: numbers use Rust's shortest round-trip formatting, and multi-line
/// fields become repeated keys. (Leading/trailing spaces of a field's lines are not preserved.)
pub fn to_text(s: &Scenario) -> String {
    let mut out = String::new();
    out.push_str(
        "# Breakwater cascade-lab scenario file (format: see packages/lab/src/scenario.rs).\n",
    );
    out.push_str(
        "# `# key: value` lines set name/event/history, `# set: NAME=VALUE` a parameter; then the\n",
    );
    out.push_str(
        "# column header and one row per point (whole seconds from 0, strictly increasing;\n",
    );
    out.push_str(
        "# price and depth_mult > 0; venue_price > 0 or empty). Values are interpolated\n",
    );
    out.push_str("# linearly between rows.\n");
    push_field(&mut out, "name", &s.name);
    push_field(&mut out, "event", &s.event);
    push_field(&mut out, "history", &s.history);
    for (k, v) in &s.settings {
        out.push_str(&format!("# set: {k}={v}\n"));
    }
    let single = s.more.is_empty() && s.asset == crate::model::default_asset();
    if single {
        out.push_str(HEADER);
    } else {
        out.push_str("time_s");
        for a in 0..s.assets() {
            let n = s.asset_name(a);
            out.push_str(&format!(",price:{n},depth_mult:{n},venue_price:{n}"));
        }
    }
    out.push('\n');
    for (i, p) in s.points.iter().enumerate() {
        out.push_str(&p.time.to_string());
        for a in 0..s.assets() {
            let q = s.path(a)[i];
            out.push_str(&format!(",{},{},", q.price, q.depth_mult));
            if let Some(v) = q.venue_price {
                out.push_str(&v.to_string());
            }
        }
        out.push('\n');
    }
    out
}

fn push_field(out: &mut String, key: &str, value: &str) {
    if value.is_empty() {
        return;
    }
    for line in value.split('\n') {
        out.push_str(&format!("# {key}: {}\n", line.trim()));
    }
}

/// Loads a built-in scenario by name (see [`builtin_names`] and [`extra_names`]) or a
/// scenario file by path (its file stem is the fallback name).
pub fn load(name_or_path: &str) -> Result<Scenario> {
    if let Some((name, text)) = BUILTINS
        .iter()
        .chain(EXTRAS)
        .find(|(n, _)| *n == name_or_path)
    {
        return parse(text, name).with_context(|| format!("built-in scenario `{name}`"));
    }
    let path = Path::new(name_or_path);
    if !path.exists() {
        bail!(
            "`{name_or_path}` is neither a built-in scenario ({}, {}) nor an existing file",
            NAMES.join(", "),
            extra_names().join(", ")
        );
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading scenario file {}", path.display()))?;
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("scenario");
    parse(&text, stem).with_context(|| format!("scenario file {}", path.display()))
}

impl Scenario {
    /// Length of the path in seconds (time of the last point; 0 for an empty scenario).
    pub fn duration(&self) -> u64 {
        self.points.last().map_or(0, |p| p.time)
    }

    /// The exogenous state at `t` seconds: price and depth_mult interpolated linearly between
    /// the neighbouring points; `venue_price` interpolated if both neighbours have one, else
    /// `None` (at a point's exact time, that point's own value). Before the first / after the
    /// last point the end point's values are held. The returned point's `time` is `t`.
    ///
    /// Panics if the scenario has no points ([`parse`] never produces one).
    pub fn at(&self, t: u64) -> ScenarioPoint {
        self.at_asset(0, t)
    }

    /// Number of collaterals.
    pub fn assets(&self) -> usize {
        1 + self.more.len()
    }

    /// The name of collateral `a`.
    pub fn asset_name(&self, a: usize) -> &str {
        if a == 0 {
            &self.asset
        } else {
            &self.more[a - 1].name
        }
    }

    /// The points of collateral `a`.
    pub fn path(&self, a: usize) -> &[ScenarioPoint] {
        if a == 0 {
            &self.points
        } else {
            &self.more[a - 1].points
        }
    }

    /// Like [`Scenario::at`], for collateral `a`.
    pub fn at_asset(&self, a: usize, t: u64) -> ScenarioPoint {
        let pts = self.path(a);
        assert!(!pts.is_empty(), "scenario `{}` has no points", self.name);
        let first = pts[0];
        let last = pts[pts.len() - 1];
        if t <= first.time {
            return ScenarioPoint { time: t, ..first };
        }
        if t >= last.time {
            return ScenarioPoint { time: t, ..last };
        }
        // First index with time > t; t is strictly inside (first.time, last.time).
        let i = pts.partition_point(|p| p.time <= t);
        let (a, b) = (pts[i - 1], pts[i]);
        if a.time == t {
            return a;
        }
        let f = (t - a.time) as f64 / (b.time - a.time) as f64;
        let lerp = |x: f64, y: f64| x + (y - x) * f;
        ScenarioPoint {
            time: t,
            price: lerp(a.price, b.price),
            depth_mult: lerp(a.depth_mult, b.depth_mult),
            venue_price: match (a.venue_price, b.venue_price) {
                (Some(x), Some(y)) => Some(lerp(x, y)),
                _ => None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> Vec<Scenario> {
        builtin_names().iter().map(|n| load(n).unwrap()).collect()
    }

    fn min_price(s: &Scenario) -> (u64, f64) {
        s.points
            .iter()
            .map(|p| (p.time, p.price))
            .fold((0, f64::INFINITY), |m, x| if x.1 < m.1 { x } else { m })
    }

    #[test]
    fn builtins_parse_and_are_well_formed() {
        assert_eq!(builtin_names().len(), 4);
        for s in all() {
            assert!(builtin_names().contains(&s.name.as_str()));
            assert!(!s.event.is_empty() && !s.history.is_empty(), "{}", s.name);
            assert_eq!(s.points[0].time, 0);
            assert_eq!(s.points[0].price, 10.0, "{} starts at 10", s.name);
            assert!(s.points.windows(2).all(|w| w[0].time < w[1].time));
            // resolution: 1-10 minutes between points
            assert!(
                s.points.windows(2).all(|w| w[1].time - w[0].time <= 600),
                "{}",
                s.name
            );
            assert!(s.points.len() >= 30, "{}", s.name);
        }
    }

    #[test]
    fn black_thursday_shape() {
        let s = load("black-thursday").unwrap();
        let h = 3600;
        assert!((s.duration() as f64 / h as f64 - 26.0).abs() <= 1.0);
        // first fall: ~-21% within 40 minutes
        let (t1, p1) = s
            .points
            .iter()
            .filter(|p| p.time <= 3 * h)
            .map(|p| (p.time, p.price))
            .fold((0, 99.0), |m, x| if x.1 < m.1 { x } else { m });
        assert!((p1 / 10.0 - 0.79).abs() < 0.01, "first low {p1}");
        let start_fall = s
            .points
            .iter()
            .filter(|p| p.time < t1 && p.price >= 9.99)
            .map(|p| p.time)
            .max()
            .unwrap();
        assert!(
            t1 - start_fall <= 40 * 60 + 1,
            "first fall takes {} s",
            t1 - start_fall
        );
        // rebound ~+13%
        let reb = s
            .points
            .iter()
            .filter(|p| p.time > t1 && p.time <= 4 * h)
            .map(|p| p.price)
            .fold(0.0, f64::max);
        assert!((reb / p1 - 1.13).abs() < 0.015, "rebound {}", reb / p1);
        // overall low ≈ -54%, reached after a ~-27% fall over ~3 h
        let (tl, low) = min_price(&s);
        assert!((low / 10.0 - 0.46).abs() < 0.01, "low {low}");
        let p3h = s.at(tl - 3 * h).price;
        assert!((low / p3h - 0.73).abs() < 0.02, "second leg {}", low / p3h);
        // rebound ~+50% off the low
        let after = s
            .points
            .iter()
            .filter(|p| p.time > tl)
            .map(|p| p.price)
            .fold(0.0, f64::max);
        assert!(
            (after / low - 1.5).abs() < 0.03,
            "final rebound {}",
            after / low
        );
        // thin bids during falls
        assert!((s.at(t1).depth_mult - 0.3).abs() < 0.05);
        assert!((s.at(tl).depth_mult - 0.3).abs() < 0.05);
        assert!(s.points.iter().all(|p| p.venue_price.is_none()));
    }

    #[test]
    fn oracle_wick_shape() {
        let s = load("oracle-wick").unwrap();
        let final_drop = s.points.last().unwrap().price / 10.0 - 1.0;
        let (_, low) = min_price(&s);
        assert!((low / 10.0 - 0.92).abs() < 0.01 && (final_drop + 0.08).abs() < 0.01);
        // venue -35% vs the true price for 40-60 minutes (sampled each second)
        let mut dislocated = 0;
        for t in 0..=s.duration() {
            let p = s.at(t);
            if let Some(v) = p.venue_price {
                assert!(v / p.price >= 0.649, "venue never below -35%");
                if v / p.price <= 0.66 {
                    dislocated += 1;
                }
            }
        }
        assert!(
            (40 * 60..=60 * 60).contains(&dislocated),
            "wick lasts {dislocated} s"
        );
        let wick: Vec<_> = s
            .points
            .iter()
            .filter(|p| p.venue_price.is_some())
            .collect();
        let span = wick.last().unwrap().time - wick[0].time;
        assert!(span <= 60 * 60, "venue column set for {span} s");
        assert!(s.points.iter().all(|p| p.depth_mult == 1.0));
        assert_eq!(s.at(0).venue_price, None);
        assert_eq!(s.at(s.duration()).venue_price, None);
    }

    #[test]
    fn toxic_whale_shape() {
        let s = load("toxic-whale").unwrap();
        let (tl, low) = min_price(&s);
        assert!((low / 10.0 - 0.60).abs() < 0.01, "low {low}");
        let start = s
            .points
            .iter()
            .filter(|p| p.time < tl && p.price >= 9.99)
            .map(|p| p.time)
            .max()
            .unwrap();
        assert!(tl - start <= 6 * 3600, "squeeze takes {} s", tl - start);
        for p in s.points.iter().filter(|p| p.time >= start && p.time <= tl) {
            assert!(
                (0.2..=0.4).contains(&p.depth_mult),
                "depth {} at {}",
                p.depth_mult,
                p.time
            );
        }
    }

    #[test]
    fn depth_evaporation_shape() {
        let s = load("depth-evaporation").unwrap();
        let (tl, low) = min_price(&s);
        assert!((low / 10.0 - 0.83).abs() < 0.005, "low {low}");
        let start = s
            .points
            .iter()
            .filter(|p| p.time < tl && p.price >= 9.999)
            .map(|p| p.time)
            .max()
            .unwrap();
        assert!(tl - start <= 3 * 3600 + 60);
        // the worst 12-minute move
        let w = 12 * 60;
        let (mut worst, mut at) = (0.0f64, 0);
        for t in (0..=s.duration() - w).step_by(30) {
            let d = 1.0 - s.at(t + w).price / s.at(t).price;
            if d > worst {
                worst = d;
                at = t;
            }
        }
        assert!(worst > 0.10, "worst 12-min move {worst}");
        assert!(worst > 0.6 * 0.17, "the window carries most of the fall");
        // depth evaporates (<= 0.05) inside that window, for minutes
        let thin: Vec<u64> = (at..=at + w)
            .filter(|&t| s.at(t).depth_mult <= 0.05)
            .collect();
        assert!(thin.len() >= 5 * 60, "depth <= 0.05 for {} s", thin.len());
        assert!(s.points.iter().all(|p| p.depth_mult >= 0.03));
        // ...and recovers over hours
        assert!(s.at(at + w + 1800).depth_mult < 0.5);
        assert!(s.at(at + w + 6 * 3600).depth_mult > 0.9);
    }

    #[test]
    fn round_trip() {
        for s in all() {
            let text = to_text(&s);
            let back = parse(&text, "other").unwrap();
            assert_eq!(back, s);
        }
        let s = Scenario {
            name: "x".into(),
            event: String::new(),
            history: "a\nb".into(),
            points: vec![
                ScenarioPoint {
                    time: 0,
                    price: 0.1 + 0.2,
                    depth_mult: 1e-7,
                    venue_price: Some(1.0 / 3.0),
                },
                ScenarioPoint {
                    time: 7,
                    price: 123456.789,
                    depth_mult: 2.5,
                    venue_price: None,
                },
            ],
            asset: "col".into(),
            more: vec![],
            settings: vec![("keepers.gas".into(), 2.5)],
        };
        assert_eq!(parse(&to_text(&s), "y").unwrap(), s);
    }

    #[test]
    fn the_two_asset_scenario_crashes_the_alt_harder() {
        let s = load("two-asset-contagion").unwrap();
        assert_eq!(s.assets(), 2);
        assert!(!builtin_names().contains(&"two-asset-contagion"));
        let low = |a: usize| {
            s.path(a)
                .iter()
                .map(|p| p.price)
                .fold(f64::INFINITY, f64::min)
        };
        assert!((low(0) / 10.0 - 0.8).abs() < 0.01 && (low(1) / 10.0 - 0.45).abs() < 0.01);
        let thinnest = s.path(1).iter().map(|p| p.depth_mult).fold(1.0, f64::min);
        assert!(thinnest <= 0.05);
    }

    #[test]
    fn several_collaterals_and_settings() {
        let text = "# name: two\n# set: keepers.gas=3\n# set: aave.bonus = 0.07\n\
                    time_s,price:eth,depth_mult:eth,venue_price:eth,price:alt,depth_mult:alt,venue_price:alt\n\
                    0,10,1,,5,1,\n600,9,0.8,8.5,2,0.1\n";
        let s = parse(text, "f").unwrap();
        assert_eq!(s.assets(), 2);
        assert_eq!((s.asset_name(0), s.asset_name(1)), ("eth", "alt"));
        assert_eq!(s.at_asset(1, 300).price, 3.5);
        assert!((s.at_asset(1, 300).depth_mult - 0.55).abs() < 1e-12);
        assert_eq!(s.at(600).venue_price, Some(8.5));
        assert_eq!(s.at_asset(1, 600).venue_price, None);
        assert_eq!(
            s.settings,
            [
                ("keepers.gas".to_string(), 3.0),
                ("aave.bonus".to_string(), 0.07)
            ]
        );
        assert_eq!(parse(&to_text(&s), "g").unwrap(), s);
        // Every group of three columns must name the same collateral.
        assert!(err("time_s,price:a,depth_mult:b,venue_price:a\n0,1,1,\n").contains("line 1"));
        assert!(err(
            "time_s,price:a,depth_mult:a,venue_price:a,price:a,depth_mult:a,venue_price:a\n"
        )
        .contains("named twice"));
        assert!(err("time_s,price:a,depth_mult:a,venue_price:a\n0,1,1,,2\n").contains("line 2"));
        assert!(
            err("# set: nonsense\ntime_s,price,depth_mult,venue_price\n0,1,1,\n")
                .contains("line 1")
        );
    }

    #[test]
    fn fallback_name_and_optional_trailing_field() {
        let s = parse(
            "time_s,price,depth_mult,venue_price\n0,1,1\n10,2,0.5,1.5\n",
            "mine",
        )
        .unwrap();
        assert_eq!(s.name, "mine");
        assert_eq!(s.event, "");
        assert_eq!(s.points[0].venue_price, None);
        assert_eq!(s.points[1].venue_price, Some(1.5));
    }

    #[test]
    fn interpolation() {
        let s = parse(
            "# name: t\ntime_s,price,depth_mult,venue_price\n0,10,1,\n100,8,0.5,7\n200,6,0.1,5\n300,6,0.1,\n",
            "f",
        )
        .unwrap();
        assert_eq!(s.duration(), 300);
        let p = s.at(50);
        assert_eq!(p.time, 50);
        assert!((p.price - 9.0).abs() < 1e-12 && (p.depth_mult - 0.75).abs() < 1e-12);
        assert_eq!(p.venue_price, None);
        assert_eq!(s.at(100).venue_price, Some(7.0));
        assert!((s.at(150).venue_price.unwrap() - 6.0).abs() < 1e-12);
        assert!((s.at(150).price - 7.0).abs() < 1e-12);
        assert_eq!(s.at(250).venue_price, None);
        assert_eq!(s.at(200).venue_price, Some(5.0));
        assert_eq!(s.at(300).venue_price, None);
        let end = s.at(10_000);
        assert_eq!((end.time, end.price, end.depth_mult), (10_000, 6.0, 0.1));
        assert_eq!(s.at(0).price, 10.0);
    }

    fn err(text: &str) -> String {
        format!("{:#}", parse(text, "bad").unwrap_err())
    }

    #[test]
    fn bad_files_have_line_numbers() {
        let h = "# name: b\n# a comment\ntime_s,price,depth_mult,venue_price\n";
        assert!(err("# x\ntime,price\n0,1,1,\n").contains("line 2"));
        assert!(err(&format!("{h}0,10,1,\n60,-1,1,\n")).contains("line 5: price"));
        assert!(err(&format!("{h}0,10,1,\n60,10,0,\n")).contains("line 5: depth_mult"));
        assert!(
            err(&format!("{h}0,10,1,\n\n60,abc,1,\n")).contains("line 6: price must be a number")
        );
        assert!(err(&format!("{h}0,10,1,\n60,10,1,\n60,9,1,\n"))
            .contains("line 6: time_s must be strictly increasing"));
        assert!(err(&format!("{h}5,10,1,\n")).contains("line 4: the first point"));
        assert!(err(&format!("{h}0,10,1,x\n")).contains("line 4: venue_price"));
        assert!(err(&format!("{h}0,10\n")).contains("line 4: expected 4"));
        assert!(err(&format!("{h}0.5,10,1,\n")).contains("line 4: time_s"));
        assert!(err(&format!("{h}0,10,1,,9\n")).contains("line 4"));
        assert!(err(&format!("{h}0,NaN,1,\n")).contains("line 4"));
        assert!(err(h).contains("no data rows"));
        assert!(err("# only comments\n").contains("no column header"));
    }

    #[test]
    fn load_from_path_and_unknown() {
        let dir = std::env::temp_dir().join(format!("bw-lab-scen-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("my-file.csv");
        std::fs::write(
            &path,
            "time_s,price,depth_mult,venue_price\n0,1,1,\n60,0.5,1,\n",
        )
        .unwrap();
        let s = load(path.to_str().unwrap()).unwrap();
        assert_eq!(s.name, "my-file");
        std::fs::write(
            &path,
            "time_s,price,depth_mult,venue_price\n0,1,1,\n60,0,1,\n",
        )
        .unwrap();
        let e = format!("{:#}", load(path.to_str().unwrap()).unwrap_err());
        assert!(e.contains("my-file.csv") && e.contains("line 3"), "{e}");
        std::fs::remove_dir_all(&dir).ok();
        let e = format!("{:#}", load("no-such-scenario").unwrap_err());
        assert!(
            e.contains("black-thursday") && e.contains("devnet-flash"),
            "{e}"
        );
    }

    #[test]
    fn devnet_flash_is_short_and_not_in_all() {
        assert!(!builtin_names().contains(&"devnet-flash"));
        assert_eq!(extra_names(), ["devnet-flash", "two-asset-contagion"]);
        let s = load("devnet-flash").unwrap();
        assert_eq!(s.name, "devnet-flash");
        assert!(!s.event.is_empty() && !s.history.is_empty());
        assert_eq!(s.points[0].price, 10.0);
        // Real time on the devnet: three minutes.
        assert_eq!(s.duration(), 180);
        let (_, low) = min_price(&s);
        assert!((low / 10.0 - 0.70).abs() < 0.01, "low {low}");
        assert_eq!(parse(&to_text(&s), "x").unwrap(), s);
    }
}
