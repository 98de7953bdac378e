//! PNG charts of lab runs (plotters' bitmap backend, text through ab_glyph).
//!
//! Text needs a TrueType font loaded at run time (see [`ensure_font`]). Without one every chart
//! function returns an error, which callers report as a warning and skip the charts.
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::{anyhow, Context};
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use crate::model::{EngineKind, Metrics, RunTrace};
use crate::report::{file_stem, fmt_amount};

/// Size of every chart, pixels.
pub const CHART_SIZE: (u32, u32) = (1000, 600);

/// Environment variable naming a TTF/OTF file to use for chart text.
pub const FONT_ENV: &str = "BREAKWATER_FONT";

/// Font files tried, in order, after `$BREAKWATER_FONT`.
const FONT_CANDIDATES: &[&str] = &[
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/liberation-sans/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/google-noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/truetype/freefont/FreeSans.ttf",
    "/usr/local/share/fonts/DejaVuSans.ttf",
    "/System/Library/Fonts/Supplemental/Arial.ttf",
    "/Library/Fonts/Arial.ttf",
    "C:\\Windows\\Fonts\\arial.ttf",
];

static FONT: OnceLock<Result<PathBuf, String>> = OnceLock::new();

/// Loads and registers a font as plotters' `sans-serif` family (once per process) and returns
/// its path. Tries `$BREAKWATER_FONT`, then common system locations.
pub fn ensure_font() -> anyhow::Result<PathBuf> {
    FONT.get_or_init(load_font).clone().map_err(|e| anyhow!(e))
}

fn load_font() -> Result<PathBuf, String> {
    let from_env = std::env::var_os(FONT_ENV).map(PathBuf::from);
    load_first_font(
        from_env
            .into_iter()
            .chain(FONT_CANDIDATES.iter().map(PathBuf::from)),
    )
}

/// Registers the first usable font among `candidates`.
fn load_first_font(candidates: impl IntoIterator<Item = PathBuf>) -> Result<PathBuf, String> {
    let mut tried = Vec::new();
    for path in candidates {
        match register(&path) {
            Ok(()) => return Ok(path),
            Err(e) => tried.push(format!("{}: {e}", path.display())),
        }
    }
    Err(format!(
        "no usable TrueType font for chart text (set {FONT_ENV} to a .ttf file); tried {}",
        tried.join("; ")
    ))
}

fn register(path: &Path) -> Result<(), String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    // Check the sfnt magic before leaking the bytes for the process lifetime.
    let magic = bytes.get(..4).unwrap_or_default();
    if ![&[0, 1, 0, 0][..], b"OTTO", b"true", b"ttcf"].contains(&magic) {
        return Err("not a TrueType/OpenType file".into());
    }
    let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
    plotters::style::register_font("sans-serif", FontStyle::Normal, bytes)
        .map_err(|_| "the font could not be parsed".to_string())
}

/// One colour per engine (Breakwater blue, naive red, the reference grey).
pub fn engine_color(engine: EngineKind) -> RGBColor {
    match engine {
        EngineKind::Naive => RGBColor(214, 39, 40),
        EngineKind::Breakwater => RGBColor(31, 119, 180),
        EngineKind::Aave => RGBColor(148, 103, 189),
        EngineKind::Compound => RGBColor(44, 160, 44),
        EngineKind::Maker => RGBColor(255, 127, 14),
        EngineKind::MakerFlip => RGBColor(140, 86, 75),
        EngineKind::Liquity => RGBColor(23, 190, 207),
        EngineKind::Mars => RGBColor(227, 119, 194),
        EngineKind::Queue => RGBColor(188, 189, 34),
        EngineKind::Foresight => RGBColor(60, 60, 60),
    }
}

/// A lighter shade of an engine's colour (its oracle, its covered bad debt).
fn light(c: RGBColor) -> RGBColor {
    let mix = |v: u8| v + ((255 - v) as f64 * 0.45) as u8;
    RGBColor(mix(c.0), mix(c.1), mix(c.2))
}

const GREY: RGBColor = RGBColor(90, 90, 90);

#[derive(Clone, Copy, PartialEq)]
enum Stroke {
    Solid,
    Dashed,
}

struct Line {
    label: String,
    color: RGBColor,
    stroke: Stroke,
    width: u32,
    markers: bool,
    points: Vec<(f64, f64)>,
}

impl Line {
    fn new(label: impl Into<String>, color: RGBColor, points: Vec<(f64, f64)>) -> Self {
        Line {
            label: label.into(),
            color,
            stroke: Stroke::Solid,
            width: 2,
            markers: false,
            points: points
                .into_iter()
                .filter(|(x, y)| x.is_finite() && y.is_finite())
                .collect(),
        }
    }

    fn dashed(mut self) -> Self {
        self.stroke = Stroke::Dashed;
        self
    }

    fn width(mut self, width: u32) -> Self {
        self.width = width;
        self
    }

    fn markers(mut self) -> Self {
        self.markers = true;
        self
    }
}

struct Chart {
    title: String,
    x_desc: String,
    y_desc: String,
    y_fmt: fn(f64) -> String,
    lines: Vec<Line>,
    /// A horizontal reference line and its legend label.
    hline: Option<(f64, String)>,
    /// Include 0 in the y range.
    y_from_zero: bool,
    legend: SeriesLabelPosition,
}

fn plot_err(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow!("drawing failed: {e}")
}

/// `[lo, hi]` covering all values, padded by 5%, never empty.
fn range(values: impl IntoIterator<Item = f64>, from_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if lo > hi {
        (lo, hi) = (0.0, 1.0);
    }
    if from_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    let span = hi - lo;
    if span <= f64::EPSILON * hi.abs().max(1.0) {
        let pad = if hi.abs() > 0.0 { hi.abs() * 0.1 } else { 1.0 };
        return (
            if from_zero && lo >= 0.0 {
                0.0
            } else {
                lo - pad
            },
            hi + pad,
        );
    }
    let pad = span * 0.05;
    let lo = if from_zero && lo >= 0.0 {
        0.0
    } else {
        lo - pad
    };
    (lo, hi + pad)
}

fn draw(path: &Path, chart: &Chart) -> anyhow::Result<()> {
    ensure_font()?;
    // Time axes run exactly over the data; sweep axes (with markers) get padding.
    let xs = || {
        chart
            .lines
            .iter()
            .flat_map(|l| l.points.iter().map(|p| p.0))
    };
    let padded = chart.lines.iter().any(|l| l.markers);
    let (x0, x1) = match (xs().reduce(f64::min), xs().reduce(f64::max)) {
        (Some(a), Some(b)) if b > a && !padded => (a, b),
        _ => range(xs(), false),
    };
    let (y0, y1) = range(
        chart
            .lines
            .iter()
            .flat_map(|l| l.points.iter().map(|p| p.1))
            .chain(chart.hline.as_ref().map(|h| h.0)),
        chart.y_from_zero,
    );
    // Head room for a legend in an upper corner, so it does not hide the data (~4.5% of the
    // plot height per entry).
    let y1 = match chart.legend {
        SeriesLabelPosition::UpperLeft
        | SeriesLabelPosition::UpperMiddle
        | SeriesLabelPosition::UpperRight => {
            let entries = chart.lines.len() + usize::from(chart.hline.is_some());
            y1 + (y1 - y0) * 0.045 * entries as f64
        }
        _ => y1,
    };

    let root = BitMapBackend::new(path, CHART_SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(plot_err)?;
    let y_fmt = chart.y_fmt;
    let y_label = move |v: &f64| y_fmt(*v);
    let mut ctx = ChartBuilder::on(&root)
        .caption(&chart.title, ("sans-serif", 26))
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(86)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(plot_err)?;
    ctx.configure_mesh()
        .x_desc(chart.x_desc.as_str())
        .y_desc(chart.y_desc.as_str())
        .label_style(("sans-serif", 14))
        .axis_desc_style(("sans-serif", 16))
        .y_label_formatter(&y_label)
        .x_labels(12)
        .y_labels(10)
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(plot_err)?;

    if let Some((y, label)) = &chart.hline {
        let style = BLACK.mix(0.6).stroke_width(1);
        ctx.draw_series(DashedLineSeries::new([(x0, *y), (x1, *y)], 4, 4, style))
            .map_err(plot_err)?
            .label(label.as_str())
            .legend(move |(x, y)| {
                DashedPathElement::new([(x, y), (x + 24, y)], 4, 4, BLACK.mix(0.6).stroke_width(1))
            });
    }

    for line in &chart.lines {
        let style = line.color.stroke_width(line.width);
        // Every point inside the plot area: no line is ever drawn outside it.
        let clip = |(x, y): (f64, f64)| (x.clamp(x0, x1), y.clamp(y0, y1));
        let points: Vec<(f64, f64)> = line.points.iter().copied().map(clip).collect();
        let anno = match line.stroke {
            Stroke::Solid => ctx
                .draw_series(LineSeries::new(points.iter().copied(), style))
                .map_err(plot_err)?,
            Stroke::Dashed => ctx
                .draw_series(DashedLineSeries::new(points.iter().copied(), 8, 5, style))
                .map_err(plot_err)?,
        };
        anno.label(line.label.as_str());
        match line.stroke {
            Stroke::Solid => {
                anno.legend(move |(x, y)| PathElement::new([(x, y), (x + 24, y)], style));
            }
            Stroke::Dashed => {
                anno.legend(move |(x, y)| {
                    DashedPathElement::new([(x, y), (x + 24, y)], 6, 4, style)
                });
            }
        }
        if line.markers {
            let fill = line.color.filled();
            ctx.draw_series(line.points.iter().map(|&p| Circle::new(p, 4, fill)))
                .map_err(plot_err)?;
        }
    }

    ctx.configure_series_labels()
        .position(chart.legend.clone())
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(180, 180, 180))
        .label_font(("sans-serif", 14))
        .draw()
        .map_err(plot_err)?;
    root.present()
        .map_err(plot_err)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

fn hours(t: u64) -> f64 {
    t as f64 / 3600.0
}

fn fmt_price(v: f64) -> String {
    if v.abs() >= 1000.0 {
        fmt_amount(v)
    } else {
        format!("{v:.2}")
    }
}

/// A chart switches to a log axis when its largest engine peak exceeds the smallest
/// non-zero one this many times (one engine would flatten the others).
const LOG_RATIO: f64 = 30.0;

/// Label of a log10 axis position `v`: the value `10^v`.
fn fmt_log_axis(v: f64) -> String {
    let x = 10f64.powf(v);
    if x >= 1000.0 {
        fmt_amount(x)
    } else if (x - x.round()).abs() < 1e-6 * x.max(1.0) && x >= 1.0 {
        format!("{x:.0}")
    } else if x >= 1.0 {
        format!("{x:.2}")
    } else {
        // Two significant digits, trailing zeros dropped.
        let decimals = (-x.log10().floor()) as usize + 1;
        let text = format!("{x:.decimals$}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn fmt_axis_ratio(v: f64) -> String {
    if v.abs() >= 1000.0 {
        fmt_amount(v)
    } else {
        format!("{v:.2}")
    }
}

fn fmt_axis_usd(v: f64) -> String {
    format!("${}", fmt_amount(v))
}

/// Series of one quantity of a trace against time in hours.
fn series(trace: &RunTrace, f: impl Fn(&crate::model::StepRecord) -> f64) -> Vec<(f64, f64)> {
    trace.steps.iter().map(|s| (hours(s.time), f(s))).collect()
}

/// Whether lines peaking at `peaks` need a log axis to stay readable together.
fn needs_log(peaks: &[f64]) -> bool {
    let nonzero: Vec<f64> = peaks.iter().copied().filter(|p| *p > 0.0).collect();
    let (lo, hi) = nonzero.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), p| {
        (lo.min(*p), hi.max(*p))
    });
    nonzero.len() > 1 && hi / lo > LOG_RATIO
}

/// An engine's line style: Breakwater thick, the reference dashed.
fn engine_line(t: &RunTrace, label: String, points: Vec<(f64, f64)>) -> Line {
    let line = Line::new(label, engine_color(t.config.engine), points);
    match t.config.engine {
        EngineKind::Breakwater => line.width(3),
        EngineKind::Foresight => line.dashed(),
        _ => line,
    }
}

/// Writes the charts of one scenario, every engine on each (a log axis when one engine dwarfs
/// the others), and returns their paths:
/// `<scenario>-price.png` (exogenous and realized price of each collateral),
/// `-liquidations.png` (debt liquidated per step, dollars), `-bad-debt.png` (uncovered bad debt,
/// cumulative, % of initial debt), `-buffer.png` (first-loss buffer, % of its start),
/// `-wall.png` (the liquidation wall at the start) and `-loop.png` (cumulative price fall
/// caused by liquidation sales).
pub fn scenario_charts(
    out_dir: &Path,
    scenario: &str,
    traces: &[&RunTrace],
) -> anyhow::Result<Vec<PathBuf>> {
    ensure_font()?;
    if traces.is_empty() {
        return Ok(Vec::new());
    }
    std::fs::create_dir_all(out_dir)
        .with_context(|| format!("cannot create output directory {}", out_dir.display()))?;
    let mut sorted: Vec<&RunTrace> = traces.to_vec();
    sorted.sort_by_key(|t| t.config.engine);
    let stem = file_stem(scenario);
    let step_s = sorted[0].config.step;
    let x_desc = "time since scenario start (hours)".to_string();
    let name = |t: &RunTrace| {
        if t.config.disabled.is_empty() {
            t.config.engine.name().to_string()
        } else {
            format!(
                "{} w/o {}",
                t.config.engine.name(),
                t.config.disabled.join(",")
            )
        }
    };
    let mut written = Vec::new();
    let many = sorted.len() > 4;
    let legend = if many {
        SeriesLabelPosition::LowerLeft
    } else {
        SeriesLabelPosition::UpperRight
    };

    // Price of each collateral: exogenous (the scenario, the same for every engine) and each
    // engine's realized price.
    let assets = sorted[0].assets.len().max(1);
    for a in 0..assets {
        let path_of = |t: &RunTrace, f: fn(&crate::model::AssetStep) -> f64| -> Vec<(f64, f64)> {
            match t.assets.get(a) {
                Some(at) => t
                    .steps
                    .iter()
                    .zip(&at.steps)
                    .map(|(s, x)| (hours(s.time), f(x)))
                    .collect(),
                None => series(t, |s| s.realized),
            }
        };
        let mut lines =
            vec![Line::new("exogenous", GREY, path_of(sorted[0], |x| x.exogenous)).width(4)];
        for t in &sorted {
            lines.push(engine_line(t, name(t), path_of(t, |x| x.realized)));
        }
        let asset_name = sorted[0].assets.get(a).map_or("col", |x| x.name.as_str());
        let file = if a == 0 {
            format!("{stem}-price.png")
        } else {
            format!("{stem}-price-{}.png", file_stem(asset_name))
        };
        let path = out_dir.join(file);
        draw(
            &path,
            &Chart {
                title: format!("{scenario}: {asset_name} price, exogenous vs realized per engine"),
                x_desc: x_desc.clone(),
                y_desc: "price (base units per collateral unit)".into(),
                y_fmt: fmt_price,
                lines,
                hline: None,
                y_from_zero: false,
                legend: SeriesLabelPosition::LowerLeft,
            },
        )?;
        written.push(path);
    }

    // Liquidations per step, in dollars; log axis when one engine dwarfs the others.
    let peaks: Vec<f64> = sorted
        .iter()
        .map(|t| {
            t.steps
                .iter()
                .map(|s| s.liquidated_debt)
                .fold(0.0, f64::max)
        })
        .collect();
    let log = needs_log(&peaks);
    let lines = sorted
        .iter()
        .map(|t| {
            let pts = series(t, |s| {
                let usd = s.liquidated_debt / 1e6;
                if log {
                    (1.0 + usd).log10()
                } else {
                    usd
                }
            });
            engine_line(t, name(t), pts)
        })
        .collect();
    let path = out_dir.join(format!("{stem}-liquidations.png"));
    draw(
        &path,
        &Chart {
            title: format!("{scenario}: debt liquidated per {step_s} s step"),
            x_desc: x_desc.clone(),
            y_desc: if log {
                "liquidated debt per step, dollars (log scale)".into()
            } else {
                "liquidated debt per step, dollars".into()
            },
            y_fmt: if log { fmt_log_axis } else { fmt_axis_usd },
            lines,
            hline: None,
            y_from_zero: true,
            legend: if many {
                SeriesLabelPosition::UpperRight
            } else {
                legend.clone()
            },
        },
    )?;
    written.push(path);

    // Uncovered bad debt, cumulative, % of initial debt.
    let lines = sorted
        .iter()
        .map(|t| {
            let d = t.initial_debt.max(1.0);
            engine_line(t, name(t), series(t, |s| s.uncovered_bad_debt / d * 100.0))
        })
        .collect();
    let path = out_dir.join(format!("{stem}-bad-debt.png"));
    draw(
        &path,
        &Chart {
            title: format!("{scenario}: uncovered bad debt, cumulative"),
            x_desc: x_desc.clone(),
            y_desc: "uncovered bad debt (% of initial debt)".into(),
            y_fmt: fmt_axis_ratio,
            lines,
            hline: None,
            y_from_zero: true,
            legend: SeriesLabelPosition::UpperLeft,
        },
    )?;
    written.push(path);

    // First-loss buffers, % of their start (engines without one are left out).
    let lines: Vec<Line> = sorted
        .iter()
        .filter(|t| t.steps.first().is_some_and(|s| s.backstop_value > 0.0))
        .map(|t| {
            let v0 = t.steps[0].backstop_value;
            engine_line(t, name(t), series(t, |s| s.backstop_value / v0 * 100.0))
        })
        .collect();
    if !lines.is_empty() {
        let path = out_dir.join(format!("{stem}-buffer.png"));
        draw(
            &path,
            &Chart {
                title: format!("{scenario}: first-loss buffer (backstop, reserves, surplus, pool)"),
                x_desc: x_desc.clone(),
                y_desc: "buffer value (% of its start)".into(),
                y_fmt: fmt_axis_ratio,
                lines,
                hline: Some((0.0, "exhausted".into())),
                y_from_zero: true,
                legend: SeriesLabelPosition::LowerLeft,
            },
        )?;
        written.push(path);
    }

    // The liquidation wall at the start.
    let lines = sorted
        .iter()
        .map(|t| {
            let d = t.initial_debt.max(1.0);
            let pts = t
                .wall
                .iter()
                .enumerate()
                .take(60)
                .map(|(i, w)| (i as f64, w / d * 100.0))
                .collect();
            engine_line(t, name(t), pts).markers()
        })
        .collect();
    let path = out_dir.join(format!("{stem}-wall.png"));
    draw(
        &path,
        &Chart {
            title: format!("{scenario}: liquidation wall L' at the start"),
            x_desc: "uniform fall of every collateral price (%)".into(),
            y_desc: "debt becoming liquidatable per 1% (% of initial debt)".into(),
            y_fmt: fmt_axis_ratio,
            lines,
            hline: None,
            y_from_zero: true,
            legend: SeriesLabelPosition::UpperRight,
        },
    )?;
    written.push(path);

    // The loop: cumulative price fall caused by liquidation-driven sales.
    let caused: Vec<Vec<(f64, f64)>> = sorted
        .iter()
        .map(|t| {
            let mut acc = 0.0;
            t.steps
                .iter()
                .enumerate()
                .map(|(n, s)| {
                    acc += t
                        .assets
                        .iter()
                        .map(|a| (-a.steps[n].caused_log).max(0.0))
                        .sum::<f64>();
                    (hours(s.time), acc * 100.0)
                })
                .collect()
        })
        .collect();
    let peaks: Vec<f64> = caused
        .iter()
        .map(|c| c.last().map_or(0.0, |p| p.1))
        .collect();
    let log = needs_log(&peaks);
    let lines = sorted
        .iter()
        .zip(caused)
        .map(|(t, pts)| {
            let pts = pts
                .into_iter()
                .map(|(x, y)| (x, if log { (1.0 + y).log10() } else { y }))
                .collect();
            engine_line(t, name(t), pts)
        })
        .collect();
    let path = out_dir.join(format!("{stem}-loop.png"));
    draw(
        &path,
        &Chart {
            title: format!("{scenario}: price fall caused by liquidation sales, cumulative"),
            x_desc,
            y_desc: if log {
                "cumulative log-price fall from liquidation sales, % (log scale)".into()
            } else {
                "cumulative log-price fall from liquidation sales, %".into()
            },
            y_fmt: if log { fmt_log_axis } else { fmt_axis_ratio },
            lines,
            hline: None,
            y_from_zero: true,
            legend: SeriesLabelPosition::UpperLeft,
        },
    )?;
    written.push(path);

    Ok(written)
}

/// The distribution charts of a stress run: for each of uncovered bad debt, endogenous impact
/// and borrower loss, every engine's empirical distribution over the paths (share of paths at
/// or below each value; a curve further left is better). Returns the paths.
pub fn stress_charts(
    out_dir: &Path,
    summary: &crate::stress::Summary,
) -> anyhow::Result<Vec<PathBuf>> {
    ensure_font()?;
    std::fs::create_dir_all(out_dir)?;
    let stem = format!("stress-{}", file_stem(&summary.family));
    type Pick = fn(&crate::stress::PathResult) -> f64;
    let metrics: [(&str, &str, Pick); 3] = [
        ("uncovered", "uncovered bad debt (% of initial debt)", |r| {
            r.uncovered_pct
        }),
        ("impact", "endogenous impact (pp)", |r| r.impact_pp),
        ("borrower-loss", "borrower loss (% of initial debt)", |r| {
            r.borrower_loss_pct
        }),
    ];
    let mut written = vec![];
    for (key, desc, f) in metrics {
        let mut lines = vec![];
        for e in &summary.engines {
            let Some(kind) = EngineKind::from_name(&e.engine) else {
                continue;
            };
            let mut v: Vec<f64> = summary
                .results
                .iter()
                .filter(|r| r.engine == e.engine)
                .map(f)
                .filter(|x| x.is_finite())
                .collect();
            v.sort_by(f64::total_cmp);
            let n = v.len().max(1) as f64;
            let pts: Vec<(f64, f64)> = v
                .iter()
                .enumerate()
                .map(|(i, x)| (*x, (i + 1) as f64 / n * 100.0))
                .collect();
            let mut line = Line::new(e.engine.clone(), engine_color(kind), pts);
            line = match kind {
                EngineKind::Breakwater => line.width(3),
                EngineKind::Foresight => line.dashed(),
                _ => line,
            };
            lines.push(line);
        }
        let path = out_dir.join(format!("{stem}-{key}.png"));
        draw(
            &path,
            &Chart {
                title: format!("{}: {desc} over {} paths", summary.family, summary.paths),
                x_desc: desc.to_string(),
                y_desc: "share of paths at or below (%)".into(),
                y_fmt: fmt_axis_ratio,
                lines,
                hline: Some((95.0, "95th percentile".into())),
                y_from_zero: true,
                legend: SeriesLabelPosition::LowerRight,
            },
        )?;
        written.push(path);
    }
    Ok(written)
}

/// Axis description of a sweep parameter.
pub fn param_desc(param: &str) -> String {
    match param {
        "depth" => "market depth (multiplier of the default depth per 1%)".into(),
        "backstop" => "backstop size (fraction of total debt)".into(),
        "throttle" => "throttle impact budget (%)".into(),
        "target-hf" => "target health factor of partial liquidations".into(),
        other => other.into(),
    }
}

/// Outcome curve of a parameter sweep for one engine: uncovered bad debt (% of initial debt)
/// and endogenous price impact (percentage points) against the parameter value.
pub fn sweep_chart(
    out_path: &Path,
    param: &str,
    points: &[(f64, Metrics)],
    engine_label: &str,
) -> anyhow::Result<()> {
    sweep_chart_multi(out_path, param, engine_label, &[(engine_label, points)])
}

/// Like [`sweep_chart`] with several engines on one chart: `series` pairs an engine label
/// (`"naive"`, `"breakwater"`, ...) with its points; `title` is appended to the chart title.
pub fn sweep_chart_multi(
    out_path: &Path,
    param: &str,
    title: &str,
    series: &[(&str, &[(f64, Metrics)])],
) -> anyhow::Result<()> {
    ensure_font()?;
    if let Some(dir) = out_path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create output directory {}", dir.display()))?;
    }
    const PALETTE: [RGBColor; 4] = [
        RGBColor(31, 119, 180),
        RGBColor(214, 39, 40),
        RGBColor(44, 160, 44),
        RGBColor(148, 103, 189),
    ];
    let mut lines = Vec::new();
    for (i, (label, points)) in series.iter().enumerate() {
        let color = if label.contains("naive") {
            engine_color(EngineKind::Naive)
        } else if label.contains("breakwater") {
            engine_color(EngineKind::Breakwater)
        } else {
            PALETTE[i % PALETTE.len()]
        };
        let mut pts: Vec<(f64, Metrics)> = points.to_vec();
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        lines.push(
            Line::new(
                format!("uncovered bad debt, % of debt ({label})"),
                color,
                pts.iter()
                    .map(|(x, m)| (*x, m.uncovered_bad_debt_pct))
                    .collect(),
            )
            .markers(),
        );
        lines.push(
            Line::new(
                format!("endogenous impact, pp ({label})"),
                light(color),
                pts.iter()
                    .map(|(x, m)| (*x, m.endogenous_impact_pct))
                    .collect(),
            )
            .dashed()
            .markers(),
        );
    }
    draw(
        out_path,
        &Chart {
            title: format!("Sweep of {param}: {title}"),
            x_desc: param_desc(param),
            y_desc: "bad debt (% of initial debt) / impact (pp)".into(),
            y_fmt: fmt_axis_ratio,
            lines,
            hline: None,
            y_from_zero: true,
            legend: SeriesLabelPosition::UpperRight,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DepthKind, DepthParams, RunConfig, StepRecord};

    #[test]
    fn range_is_padded_and_never_empty() {
        assert_eq!(range([], false), (-0.05, 1.05));
        let (lo, hi) = range([5.0, 5.0], false);
        assert!(lo < 5.0 && hi > 5.0);
        assert_eq!(range([0.0, 0.0], true), (0.0, 1.0));
        let (lo, hi) = range([2.0, 12.0, f64::NAN], true);
        assert_eq!(lo, 0.0);
        assert!((hi - 12.6).abs() < 1e-9);
        let (lo, hi) = range([-10.0, 10.0], true);
        assert!(lo < -10.0 && hi > 10.0);
    }

    #[test]
    fn log_axis_labels_read_as_values() {
        assert_eq!(fmt_log_axis(0.0), "1");
        assert_eq!(fmt_log_axis(-3.0), "0.001");
        assert_eq!(fmt_log_axis(2.0), "100");
        assert_eq!(fmt_log_axis(9.0), "1.00B");
        assert_eq!(fmt_log_axis(0.5), "3.16");
        assert_eq!(fmt_price(8.0), "8.00");
        assert_eq!(fmt_price(12_500.0), "12.5K");
    }

    #[test]
    fn missing_fonts_are_an_error_not_a_panic() {
        let dir = std::env::temp_dir().join(format!("bw-lab-font-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let not_a_font = dir.join("not-a-font.ttf");
        std::fs::write(&not_a_font, b"hello, I am text").unwrap();
        let err = load_first_font([dir.join("missing.ttf"), not_a_font]).unwrap_err();
        assert!(
            err.contains("missing.ttf") && err.contains("not a TrueType"),
            "{err}"
        );
        assert!(err.contains(FONT_ENV));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn light_shade_stays_in_range() {
        let c = light(RGBColor(0, 128, 255));
        assert!(c.0 > 0 && c.1 > 128 && c.2 == 255);
    }

    fn trace(engine: EngineKind) -> RunTrace {
        let steps = (0..200u64)
            .map(|i| {
                let x = i as f64;
                let exo = 100.0 - 0.2 * x;
                StepRecord {
                    time: i * 300,
                    exogenous: exo,
                    realized: exo
                        * if engine == EngineKind::Naive {
                            0.95
                        } else {
                            0.99
                        },
                    oracle: exo + 1.0,
                    liquidated_debt: if i % 40 < 5 { 1e5 * x } else { 0.0 },
                    uncovered_bad_debt: if engine == EngineKind::Naive {
                        1e3 * x
                    } else {
                        0.0
                    },
                    covered_bad_debt: 500.0 * x,
                    backstop_value: 5e6 - 1e4 * x,
                    min_health_factor: 1.2,
                    ..Default::default()
                }
            })
            .collect();
        RunTrace {
            scenario: "chart-test".into(),
            config: RunConfig {
                engine,
                accounts: 1,
                seed: 1,
                step: 300,
                depth: DepthParams {
                    kind: DepthKind::LinearBook,
                    depth_per_pct: 1e6,
                    recovery_half_life: 600.0,
                },
                keepers: Default::default(),
                oracle_delay: 0,
                disabled: vec![],
                overrides: vec![],
            },
            params: vec![],
            initial_debt: 1e8,
            wall: vec![],
            assets: vec![],
            largest_account_liquidations: None,
            steps,
        }
    }

    /// Draws real PNGs when a font is available (skipped otherwise: charts are optional).
    #[test]
    fn charts_are_written_when_a_font_exists() {
        if ensure_font().is_err() {
            eprintln!("no font: chart test skipped");
            return;
        }
        let dir = std::env::temp_dir().join(format!("bw-lab-charts-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let naive = trace(EngineKind::Naive);
        let bw = trace(EngineKind::Breakwater);
        let paths = scenario_charts(&dir, "chart-test", &[&bw, &naive]).unwrap();
        // price, liquidations, bad debt, buffer, wall, loop.
        assert_eq!(paths.len(), 6);
        for p in &paths {
            let bytes = std::fs::read(p).unwrap();
            assert_eq!(&bytes[1..4], b"PNG", "{}", p.display());
        }
        let pts: Vec<(f64, Metrics)> = [0.5, 1.0, 2.0]
            .iter()
            .map(|&v| {
                let m = Metrics {
                    uncovered_bad_debt_pct: 10.0 / v,
                    endogenous_impact_pct: 5.0 / v,
                    ..Default::default()
                };
                (v, m)
            })
            .collect();
        let out = dir.join("sweep-depth.png");
        sweep_chart(&out, "depth", &pts, "breakwater").unwrap();
        assert!(out.exists());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
