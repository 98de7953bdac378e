//! Price feeder: reads prices from a scenario file or an HTTP JSON endpoint and submits them
//! to the oracle from each feeder key, every `interval_secs` and whenever a price moves.
//!
//! With `feeder.depth` on ([`DepthReports`]), each price goes with the market depth measured
//! with it (base value whose sale moves the price 1%, the unit of the market's configured
//! depth): the source's when it gives one (a fourth CSV column, or `{"price", "depth"}` in the
//! JSON), else, with `auto`, the deployment's venue pool's for the denom. The oracle takes the
//! median of the feeders' reports, and the liquidator's room follows it under the configured
//! depth (docs/oracle.md, docs/liquidator.md).
use super::{BlockLoop, Ctx, SharedWallet};
use crate::config::{DepthReports, FeederConfig, PriceSource};
use anyhow::{anyhow, bail, Context, Result};
use breakwater_chain::client::execute_msg;
use breakwater_types::oracle::{ExecuteMsg, PriceSubmission};
use cosmwasm_std::{Decimal, Uint128};
use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;
use std::time::{Duration, Instant};

/// Gas limit of a price submission, in percent of its simulation.
pub const FEED_GAS_PCT: u32 = 400;

/// A price from the source, with the market depth measured with it when the source gives one
/// (base value whose sale moves the price 1%).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quote {
    /// Base units per unit of the denom.
    pub price: Decimal,
    /// Depth measured with the price, base units per 1% (`None`: the source gives none).
    pub depth: Option<Uint128>,
}

impl Quote {
    /// A price without a depth.
    pub fn price(price: Decimal) -> Self {
        Quote { price, depth: None }
    }
}

/// Parses a depth: a whole number of base units (a JSON number or a string of digits).
fn parse_depth(s: &str) -> Result<Uint128> {
    s.parse::<u128>()
        .map(Uint128::new)
        .map_err(|_| anyhow!("depth {s:?} is not a whole number of base units"))
}

/// A price path: `(seconds from start, denom, quote)` rows sorted by time.
#[derive(Debug, Clone, PartialEq)]
pub struct PricePath {
    rows: Vec<(u64, String, Quote)>,
}

impl PricePath {
    /// Parses CSV `t,denom,price[,depth]` (a header line and `#` comments are skipped; an
    /// empty or absent depth is no depth).
    pub fn parse(text: &str) -> Result<Self> {
        let mut rows = vec![];
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || (n == 0 && line.starts_with('t')) {
                continue;
            }
            let f: Vec<&str> = line.split(',').map(str::trim).collect();
            if f.len() != 3 && f.len() != 4 {
                bail!(
                    "line {}: expected t,denom,price[,depth], got {line:?}",
                    n + 1
                );
            }
            let t: u64 = f[0]
                .parse()
                .with_context(|| format!("line {}: time {:?}", n + 1, f[0]))?;
            let p = Decimal::from_str(f[2])
                .map_err(|e| anyhow!("line {}: price {:?}: {e}", n + 1, f[2]))?;
            if p.is_zero() {
                bail!("line {}: price must be positive", n + 1);
            }
            let depth = match f.get(3) {
                Some(d) if !d.is_empty() => {
                    Some(parse_depth(d).with_context(|| format!("line {}", n + 1))?)
                }
                _ => None,
            };
            rows.push((t, f[1].to_string(), Quote { price: p, depth }));
        }
        if rows.is_empty() {
            bail!("the price path has no rows");
        }
        rows.sort_by_key(|r| r.0);
        Ok(PricePath { rows })
    }

    /// Reads a CSV file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading price path {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("in {}", path.display()))
    }

    /// The latest quote of every denom at `t` seconds from the start.
    pub fn at(&self, t: u64) -> BTreeMap<String, Quote> {
        let mut out = BTreeMap::new();
        for (rt, denom, p) in &self.rows {
            if *rt > t {
                break;
            }
            out.insert(denom.clone(), *p);
        }
        out
    }

    /// Seconds until the last row.
    pub fn duration(&self) -> u64 {
        self.rows.last().map(|r| r.0).unwrap_or(0)
    }
}

/// A JSON number or string as text.
fn json_text(what: &str, v: &serde_json::Value) -> Result<String> {
    match v {
        serde_json::Value::String(s) => Ok(s.clone()),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        other => bail!("{what}: not a number: {other}"),
    }
}

/// Parses an HTTP source's JSON object: `{"denom": price}` (a number or a string), or
/// `{"denom": {"price": price, "depth": depth}}` with the depth measured with the price (base
/// units per 1%, optional).
pub fn parse_prices(v: &serde_json::Value) -> Result<BTreeMap<String, Quote>> {
    let obj = v
        .as_object()
        .ok_or_else(|| anyhow!("expected a JSON object of denom -> price"))?;
    obj.iter()
        .map(|(k, v)| {
            let (price, depth) = match v {
                serde_json::Value::Object(o) => {
                    if let Some(extra) = o.keys().find(|f| *f != "price" && *f != "depth") {
                        bail!("{k}: unknown field {extra:?} (expected price and depth)");
                    }
                    let price = o
                        .get("price")
                        .ok_or_else(|| anyhow!("{k}: no price"))
                        .and_then(|p| json_text(&format!("price of {k}"), p))?;
                    let depth = match o.get("depth") {
                        None | Some(serde_json::Value::Null) => None,
                        Some(d) => Some(
                            parse_depth(&json_text(&format!("depth of {k}"), d)?)
                                .with_context(|| format!("depth of {k}"))?,
                        ),
                    };
                    (price, depth)
                }
                other => (json_text(&format!("price of {k}"), other)?, None),
            };
            let p =
                Decimal::from_str(&price).map_err(|e| anyhow!("price of {k} {price:?}: {e}"))?;
            if p.is_zero() {
                bail!("price of {k} must be positive");
            }
            Ok((k.clone(), Quote { price: p, depth }))
        })
        .collect()
}

/// Fetches quotes from an HTTP JSON endpoint ([`parse_prices`]).
pub async fn fetch_prices(http: &reqwest::Client, url: &str) -> Result<BTreeMap<String, Quote>> {
    let v: serde_json::Value = http
        .get(url)
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .with_context(|| format!("GET {url}"))?
        .error_for_status()?
        .json()
        .await
        .with_context(|| format!("JSON from {url}"))?;
    parse_prices(&v)
}

/// Runs the feeder role until shutdown.
pub async fn run(mut ctx: Ctx, cfg: FeederConfig, wallets: Vec<SharedWallet>) -> Result<()> {
    enum Feed {
        Path(PricePath),
        Http(String),
    }
    let feed = match cfg.source.clone() {
        Some(PriceSource::Scenario(p)) => Feed::Path(PricePath::load(&p)?),
        Some(PriceSource::Http(url)) => Feed::Http(url),
        None => bail!("the feeder needs a price source (feeder.source)"),
    };
    let http = reqwest::Client::new();
    let listed = ctx.deployment.plan.denoms();
    let start = Instant::now();
    let mut last_sent: BTreeMap<String, Decimal> = BTreeMap::new();
    let mut last_time: Option<Instant> = None;
    let mut blocks = BlockLoop::default();
    while blocks.next(&mut ctx, "feeder").await.is_some() {
        let prices = match &feed {
            Feed::Path(p) => p.at(start.elapsed().as_secs()),
            Feed::Http(url) => match fetch_prices(&http, url).await {
                Ok(p) => p,
                Err(e) => {
                    tracing::warn!("price source unavailable: {e:#}");
                    continue;
                }
            },
        };
        let quotes: BTreeMap<String, Quote> = prices
            .into_iter()
            .filter(|(d, _)| listed.contains(d))
            .collect();
        if quotes.is_empty() {
            continue;
        }
        let prices: BTreeMap<String, Decimal> =
            quotes.iter().map(|(d, q)| (d.clone(), q.price)).collect();
        // A moved price is sent at once; a depth that changes alone waits for the interval.
        let due = last_time.is_none_or(|t| t.elapsed().as_secs() >= cfg.interval_secs);
        if !due && prices == last_sent {
            continue;
        }
        let mut submissions = vec![];
        for (denom, q) in &quotes {
            submissions.push(PriceSubmission {
                denom: denom.clone(),
                price: q.price,
                depth: depth_to_report(&ctx, cfg.depth, denom, q.depth).await,
            });
        }
        let msg = ExecuteMsg::SubmitPrices {
            prices: submissions,
        };
        let mut sent = vec![];
        for w in &wallets {
            let sender = w.lock().await.signer.address.clone();
            let any = execute_msg(&sender, &ctx.deployment.oracle, &msg, &[])?;
            // The submission that completes the quorum recomputes every median and TWAP: it
            // can cost several times a simulation run before the other feeders' land.
            let gas = breakwater_chain::client::Gas::SimulateScaled(FEED_GAS_PCT);
            match ctx
                .submit_with("feeder", w, &[any], "SubmitPrices", gas)
                .await
            {
                Ok(Some(sent_tx)) => sent.push(sent_tx),
                Ok(None) => {}
                Err(e) => tracing::warn!("feeder: {e}"),
            }
        }
        for (hash, fee) in sent {
            let c = ctx.clone();
            tokio::spawn(async move { c.confirm("feeder", &hash, fee, "SubmitPrices").await });
        }
        tracing::info!(?quotes, "prices submitted");
        last_sent = prices;
        last_time = Some(Instant::now());
    }
    Ok(())
}

/// The depth the feeder reports for `denom` under `mode`, given what the source said
/// (`source`): the source's; with [`DepthReports::Auto`] and none from the source, the venue
/// pool's that the deployment records for the denom ([`crate::risk::venue_depth`]; a failed read is
/// logged and no depth is sent); nothing with [`DepthReports::Off`].
async fn depth_to_report(
    ctx: &Ctx,
    mode: DepthReports,
    denom: &str,
    source: Option<Uint128>,
) -> Option<Uint128> {
    match (mode, source) {
        (DepthReports::Off, _) => None,
        (_, Some(d)) => Some(d),
        (DepthReports::Source, None) => None,
        (DepthReports::Auto, None) => {
            let pool = ctx.deployment.venues.get(denom)?;
            match crate::risk::venue_depth(&ctx.client, pool).await {
                Ok(d) => Some(d),
                Err(e) => {
                    tracing::warn!("feeder: depth of {denom} from its venue: {e:#}");
                    None
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_price_path_holds_the_latest_row_of_each_denom() {
        let p = PricePath::parse("t,denom,price\n0,uatom,10\n0,ueth,3000\n30,uatom,7.5\n").unwrap();
        assert_eq!(p.at(0)["uatom"].price, Decimal::percent(1000));
        assert_eq!(p.at(29)["uatom"].price, Decimal::percent(1000));
        assert_eq!(p.at(30)["uatom"].price, Decimal::percent(750));
        assert_eq!(p.at(30)["ueth"].price, Decimal::percent(300_000));
        assert_eq!(p.at(30)["uatom"].depth, None);
        assert_eq!(p.duration(), 30);
    }

    #[test]
    fn a_price_path_carries_the_depth_measured_with_each_price() {
        let p = PricePath::parse(
            "t,denom,price,depth\n0,uatom,10,5000000000\n0,ueth,3000,\n30,uatom,7.5,120\n",
        )
        .unwrap();
        assert_eq!(p.at(0)["uatom"].depth, Some(Uint128::new(5_000_000_000)));
        assert_eq!(p.at(0)["ueth"].depth, None);
        assert_eq!(
            p.at(30)["uatom"],
            Quote {
                price: Decimal::percent(750),
                depth: Some(Uint128::new(120))
            }
        );
    }

    #[test]
    fn malformed_price_paths_are_refused_with_the_line() {
        let err = PricePath::parse("0,uatom,abc\n").unwrap_err();
        assert!(format!("{err:#}").contains("line 1"), "{err:#}");
        assert!(PricePath::parse("0,uatom,0\n").is_err());
        assert!(PricePath::parse("").is_err());
        for bad in ["0,uatom,10,-5\n", "0,uatom,10,1.5\n", "0,uatom,10,5,6\n"] {
            let err = PricePath::parse(bad).unwrap_err();
            assert!(format!("{err:#}").contains("line 1"), "{bad}: {err:#}");
        }
    }

    #[test]
    fn http_prices_accept_numbers_and_strings() {
        let v: serde_json::Value =
            serde_json::from_str(r#"{"uatom": 9.5, "ueth": "2500.25"}"#).unwrap();
        let p = parse_prices(&v).unwrap();
        assert_eq!(p["uatom"], Quote::price(Decimal::percent(950)));
        assert_eq!(
            p["ueth"],
            Quote::price(Decimal::from_str("2500.25").unwrap())
        );
        assert!(parse_prices(&serde_json::json!({"uatom": true})).is_err());
    }

    #[test]
    fn http_quotes_carry_a_depth_and_refuse_what_they_cannot_read() {
        let v = serde_json::json!({
            "uatom": {"price": "9.5", "depth": 4_000_000_000u64},
            "ueth": {"price": 2500, "depth": "70000000000"},
            "uosmo": {"price": 0.5},
        });
        let p = parse_prices(&v).unwrap();
        assert_eq!(
            p["uatom"],
            Quote {
                price: Decimal::percent(950),
                depth: Some(Uint128::new(4_000_000_000))
            }
        );
        assert_eq!(p["ueth"].depth, Some(Uint128::new(70_000_000_000)));
        assert_eq!(p["uosmo"], Quote::price(Decimal::percent(50)));
        for bad in [
            serde_json::json!({"uatom": {"depth": 5}}),
            serde_json::json!({"uatom": {"price": 9, "depth": -5}}),
            serde_json::json!({"uatom": {"price": 9, "depth": 1.5}}),
            serde_json::json!({"uatom": {"price": 9, "size": 5}}),
            serde_json::json!({"uatom": {"price": 0, "depth": 5}}),
        ] {
            assert!(parse_prices(&bad).is_err(), "{bad}");
        }
    }
}
