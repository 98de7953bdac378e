//! Price feeder: reads prices from a scenario file or an HTTP JSON endpoint and submits them
//! to the oracle from each feeder key, every `interval_secs` and whenever a price moves.
use super::{BlockLoop, Ctx, SharedWallet};
use crate::config::{FeederConfig, PriceSource};
use anyhow::{anyhow, bail, Context, Result};
use breakwater_chain::client::execute_msg;
use breakwater_types::oracle::{ExecuteMsg, PriceSubmission};
use cosmwasm_std::Decimal;
use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;
use std::time::{Duration, Instant};

/// Gas limit of a price submission, in percent of its simulation.
pub const FEED_GAS_PCT: u32 = 400;

/// A price path: `(seconds from start, denom, price)` rows sorted by time.
#[derive(Debug, Clone, PartialEq)]
pub struct PricePath {
    rows: Vec<(u64, String, Decimal)>,
}

impl PricePath {
    /// Parses CSV `t,denom,price` (a header line and `#` comments are skipped).
    pub fn parse(text: &str) -> Result<Self> {
        let mut rows = vec![];
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || (n == 0 && line.starts_with('t')) {
                continue;
            }
            let f: Vec<&str> = line.split(',').map(str::trim).collect();
            if f.len() != 3 {
                bail!("line {}: expected t,denom,price, got {line:?}", n + 1);
            }
            let t: u64 = f[0]
                .parse()
                .with_context(|| format!("line {}: time {:?}", n + 1, f[0]))?;
            let p = Decimal::from_str(f[2])
                .map_err(|e| anyhow!("line {}: price {:?}: {e}", n + 1, f[2]))?;
            if p.is_zero() {
                bail!("line {}: price must be positive", n + 1);
            }
            rows.push((t, f[1].to_string(), p));
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

    /// The latest price of every denom at `t` seconds from the start.
    pub fn at(&self, t: u64) -> BTreeMap<String, Decimal> {
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

/// Parses an HTTP source's JSON object `{"denom": price}` (numbers or strings).
pub fn parse_prices(v: &serde_json::Value) -> Result<BTreeMap<String, Decimal>> {
    let obj = v
        .as_object()
        .ok_or_else(|| anyhow!("expected a JSON object of denom -> price"))?;
    obj.iter()
        .map(|(k, v)| {
            let s = match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) => n.to_string(),
                other => bail!("price of {k}: not a number: {other}"),
            };
            let p = Decimal::from_str(&s).map_err(|e| anyhow!("price of {k} {s:?}: {e}"))?;
            if p.is_zero() {
                bail!("price of {k} must be positive");
            }
            Ok((k.clone(), p))
        })
        .collect()
}

/// Fetches prices from an HTTP JSON endpoint.
pub async fn fetch_prices(http: &reqwest::Client, url: &str) -> Result<BTreeMap<String, Decimal>> {
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
        let prices: BTreeMap<String, Decimal> = prices
            .into_iter()
            .filter(|(d, _)| listed.contains(d))
            .collect();
        if prices.is_empty() {
            continue;
        }
        let due = last_time.is_none_or(|t| t.elapsed().as_secs() >= cfg.interval_secs);
        if !due && prices == last_sent {
            continue;
        }
        let msg = ExecuteMsg::SubmitPrices {
            prices: prices
                .iter()
                .map(|(denom, price)| PriceSubmission {
                    denom: denom.clone(),
                    price: *price,
                })
                .collect(),
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
        tracing::info!(?prices, "prices submitted");
        last_sent = prices;
        last_time = Some(Instant::now());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_price_path_holds_the_latest_row_of_each_denom() {
        let p = PricePath::parse("t,denom,price\n0,uatom,10\n0,ueth,3000\n30,uatom,7.5\n").unwrap();
        assert_eq!(p.at(0)["uatom"], Decimal::percent(1000));
        assert_eq!(p.at(29)["uatom"], Decimal::percent(1000));
        assert_eq!(p.at(30)["uatom"], Decimal::percent(750));
        assert_eq!(p.at(30)["ueth"], Decimal::percent(300_000));
        assert_eq!(p.duration(), 30);
    }

    #[test]
    fn malformed_price_paths_are_refused_with_the_line() {
        let err = PricePath::parse("0,uatom,abc\n").unwrap_err();
        assert!(format!("{err:#}").contains("line 1"), "{err:#}");
        assert!(PricePath::parse("0,uatom,0\n").is_err());
        assert!(PricePath::parse("").is_err());
    }

    #[test]
    fn http_prices_accept_numbers_and_strings() {
        let v: serde_json::Value =
            serde_json::from_str(r#"{"uatom": 9.5, "ueth": "2500.25"}"#).unwrap();
        let p = parse_prices(&v).unwrap();
        assert_eq!(p["uatom"], Decimal::percent(950));
        assert_eq!(p["ueth"], Decimal::from_str("2500.25").unwrap());
        assert!(parse_prices(&serde_json::json!({"uatom": true})).is_err());
    }
}
