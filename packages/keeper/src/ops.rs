//! What an operator runs around the bots: the preflight (`keeper check`), the price that
//! weighs fees against rewards, and the background refresh of balances, endpoint health and
//! the gas price that feeds the metrics.
use crate::bots::Wallets;
use crate::config::{Config, DepthReports};
use crate::metrics::Metrics;
use anyhow::{Context, Result};
use breakwater_chain::client::Client;
use breakwater_chain::deploy::{contract_code_id, Deployment};
use breakwater_types::oracle::{self, PriceResponse};
use cosmwasm_std::Decimal;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Base units per fee-denom unit: `economics.fee_price`, else 1 when the fee denom is the
/// base, else the oracle's median of the fee denom; `None` when none of these is known.
pub async fn fee_price(cfg: &Config, client: &Client, d: &Deployment) -> Option<Decimal> {
    if let Some(p) = cfg.economics.fee_price {
        return Some(p);
    }
    if client.fee_denom == d.plan.base_denom {
        return Some(Decimal::one());
    }
    let q = oracle::QueryMsg::Price {
        denom: client.fee_denom.clone(),
    };
    client
        .query::<_, PriceResponse>(&d.oracle, &q)
        .await
        .ok()
        .map(|p| p.median)
}

/// One line of the preflight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckLine {
    /// Passed, or a warning that does not stop the keeper.
    pub ok: bool,
    /// A warning only.
    pub warning: bool,
    /// What was checked.
    pub what: String,
    /// What was found.
    pub detail: String,
}

/// The preflight's findings.
#[derive(Debug, Clone, Default)]
pub struct CheckReport {
    /// Every line, in order.
    pub lines: Vec<CheckLine>,
}

impl CheckReport {
    fn pass(&mut self, what: impl Into<String>, detail: impl Into<String>) {
        self.lines.push(CheckLine {
            ok: true,
            warning: false,
            what: what.into(),
            detail: detail.into(),
        });
    }

    fn fail(&mut self, what: impl Into<String>, detail: impl Into<String>) {
        self.lines.push(CheckLine {
            ok: false,
            warning: false,
            what: what.into(),
            detail: detail.into(),
        });
    }

    fn warn(&mut self, what: impl Into<String>, detail: impl Into<String>) {
        self.lines.push(CheckLine {
            ok: true,
            warning: true,
            what: what.into(),
            detail: detail.into(),
        });
    }

    /// Whether every check passed (warnings allowed).
    pub fn passed(&self) -> bool {
        self.lines.iter().all(|l| l.ok)
    }
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for l in &self.lines {
            let tag = match (l.ok, l.warning) {
                (false, _) => "FAIL",
                (true, true) => "warn",
                (true, false) => " ok ",
            };
            writeln!(f, "[{tag}] {:<28} {}", l.what, l.detail)?;
        }
        let fails = self.lines.iter().filter(|l| !l.ok).count();
        if fails == 0 {
            write!(f, "preflight passed")
        } else {
            write!(f, "preflight failed: {fails} problem(s)")
        }
    }
}

/// Gas the preflight wants each signing wallet to afford, in transactions of 1,000,000 gas.
const FEE_RESERVE_TXS: u64 = 20;

/// `keeper check`: the RPC endpoints answer for the chain id, the gas price is known, the fee
/// denom exists, the deployment's contracts are on chain with the recorded code and answer,
/// and every key the enabled roles sign with exists and can pay fees.
pub async fn check(cfg: &Config) -> Result<CheckReport> {
    let mut r = CheckReport::default();
    if let Err(e) = cfg.validate() {
        r.fail("configuration", format!("{e:#}"));
        return Ok(r);
    }
    r.pass("configuration", "valid");
    let client = cfg.client()?;
    match client.preflight().await {
        Ok(health) => {
            for h in health {
                let detail = if h.healthy {
                    format!(
                        "height {}{}",
                        h.height,
                        if h.active { " (active)" } else { "" }
                    )
                } else {
                    h.last_error.clone().unwrap_or_else(|| "unhealthy".into())
                };
                if h.healthy {
                    r.pass(format!("rpc {}", h.url), detail);
                } else {
                    r.warn(format!("rpc {}", h.url), detail);
                }
            }
        }
        Err(e) => {
            r.fail("rpc", format!("{e:#}"));
            return Ok(r);
        }
    }
    match client.refresh_gas_price().await {
        Ok(p) => r.pass(
            "gas price",
            format!(
                "{p} {} per gas ({:?})",
                client.fee_denom,
                *client.gas.source.lock().unwrap_or_else(|e| e.into_inner())
            ),
        ),
        Err(e) => r.fail("gas price", e.to_string()),
    }
    match client.supply_of(&client.fee_denom).await {
        Ok(0) => r.fail(
            "fee denom",
            format!("{} has no supply on this chain", client.fee_denom),
        ),
        Ok(s) => r.pass("fee denom", format!("{} (supply {s})", client.fee_denom)),
        Err(e) => r.fail("fee denom", e.to_string()),
    }
    let path = cfg.deployment_path();
    let d = match Deployment::load(&path) {
        Ok(d) => d,
        Err(e) => {
            r.fail("deployment", format!("{e:#} (run `keeper deploy`)"));
            return Ok(r);
        }
    };
    if d.chain_id != cfg.chain.chain_id {
        r.fail(
            "deployment",
            format!(
                "{} is for chain {}, not {}",
                path.display(),
                d.chain_id,
                cfg.chain.chain_id
            ),
        );
    } else {
        r.pass("deployment", path.display().to_string());
    }
    for (name, addr, code) in d.contracts() {
        let on_chain = contract_code_id(&client, addr).await;
        let answers = client
            .query::<_, serde_json::Value>(addr, &serde_json::json!({ "config": {} }))
            .await;
        match (on_chain, answers) {
            (Ok(Some(id)), Ok(_)) if id == code.code_id => {
                r.pass(format!("contract {name}"), format!("{addr} code {id}"))
            }
            (Ok(Some(id)), Ok(_)) => r.warn(
                format!("contract {name}"),
                format!("{addr} runs code {id}, the record says {}", code.code_id),
            ),
            (Ok(None), _) => r.fail(format!("contract {name}"), format!("no contract at {addr}")),
            (Err(e), _) => r.fail(format!("contract {name}"), format!("{e:#}")),
            (_, Err(e)) => r.fail(format!("contract {name}"), format!("Config query: {e}")),
        }
    }
    let price = fee_price(cfg, &client, &d).await;
    let needs_price = cfg.liquidator.min_profit >= 0 || cfg.bidder.enabled;
    match price {
        Some(p) => r.pass("fee price", format!("{p} base per {}", client.fee_denom)),
        None if needs_price => r.warn(
            "fee price",
            format!(
                "unknown: {} is neither the base nor in the oracle; set economics.fee_price or fees are not weighed",
                client.fee_denom
            ),
        ),
        None => r.pass("fee price", "not needed"),
    }
    if cfg.feeder.enabled && cfg.feeder.depth != DepthReports::Off {
        for denom in d.plan.denoms() {
            let q = breakwater_types::market::QueryMsg::Collateral {
                denom: denom.clone(),
            };
            let ceiling = client
                .query::<_, breakwater_types::market::CollateralResponse>(&d.market, &q)
                .await
                .map(|c| c.params.depth.u128());
            let venue = match (cfg.feeder.depth, d.venues.get(&denom)) {
                (DepthReports::Auto, Some(pool)) => {
                    Some(crate::risk::venue_depth(&client, pool).await)
                }
                _ => None,
            };
            match (ceiling, venue) {
                (Err(e), _) => r.fail(format!("depth of {denom}"), format!("market: {e}")),
                (_, Some(Err(e))) => r.warn(format!("depth of {denom}"), format!("{e:#}")),
                (Ok(ceiling), venue) => r.lines.push(depth_line(
                    cfg.feeder.depth,
                    &denom,
                    venue.and_then(Result::ok).map(|v| v.u128()),
                    ceiling,
                )),
            }
        }
    }
    let reserve = client.gas.fee(1_000_000) * u128::from(FEE_RESERVE_TXS);
    let mut roles: Vec<(&str, &str, u32, bool)> = vec![];
    if cfg.feeder.enabled {
        for k in &cfg.feeder.keys {
            roles.push(("feeder", k, 1, false));
        }
    }
    if cfg.liquidator.enabled {
        roles.push((
            "liquidator",
            &cfg.liquidator.key,
            cfg.liquidator.accounts,
            false,
        ));
    }
    if cfg.bidder.enabled {
        roles.push(("bidder", &cfg.bidder.key, 1, !cfg.bidder.flash));
    }
    if cfg.resetter.enabled {
        roles.push(("resetter", &cfg.resetter.key, 1, false));
    }
    if cfg.backstop.enabled {
        roles.push(("backstop", &cfg.backstop.key, 1, false));
    }
    for (role, key, n, needs_base) in roles {
        let signers = match cfg.signers(key, n) {
            Ok(s) => s,
            Err(e) => {
                r.fail(format!("key {key} ({role})"), format!("{e:#}"));
                continue;
            }
        };
        for (i, s) in signers.iter().enumerate() {
            let addr = s.address.to_string();
            let label = if n > 1 {
                format!("key {key}#{i} ({role})")
            } else {
                format!("key {key} ({role})")
            };
            let fee_bal = client.balance(&addr, &client.fee_denom).await;
            let account = client.account(&addr).await;
            match (account, fee_bal) {
                (Ok(None), _) => r.fail(
                    label,
                    format!(
                        "{addr} does not exist on chain: send it {}",
                        client.fee_denom
                    ),
                ),
                (Ok(Some(_)), Ok(b)) if b < reserve => r.warn(
                    label,
                    format!(
                        "{addr}: {b} {} (below {reserve}, ~{FEE_RESERVE_TXS} large transactions)",
                        client.fee_denom
                    ),
                ),
                (Ok(Some(_)), Ok(b)) => r.pass(label, format!("{addr}: {b} {}", client.fee_denom)),
                (Err(e), _) | (_, Err(e)) => r.fail(label, e.to_string()),
            }
            if needs_base {
                match client.balance(&addr, &d.plan.base_denom).await {
                    Ok(0) => r.warn(
                        format!("key {key} ({role}) base"),
                        format!("no {} to bid with (or set bidder.flash)", d.plan.base_denom),
                    ),
                    Ok(b) => r.pass(
                        format!("key {key} ({role}) base"),
                        format!("{b} {}", d.plan.base_denom),
                    ),
                    Err(e) => r.fail(format!("key {key} ({role}) base"), e.to_string()),
                }
            }
        }
    }
    Ok(r)
}

/// The preflight's line on the depth the feeder will send for `denom` under `mode` (not
/// called with [`DepthReports::Off`]): `venue` is the deployment's venue pool's depth (base
/// units per 1%) where `auto` reads one, `ceiling` the market's configured depth. A venue
/// under a tenth of the configured depth is a warning: the liquidator's room follows the
/// measured depth, so liquidations would be throttled to that venue's size.
pub fn depth_line(
    mode: DepthReports,
    denom: &str,
    venue: Option<u128>,
    ceiling: u128,
) -> CheckLine {
    let what = format!("depth of {denom}");
    let line = |warning: bool, detail: String| CheckLine {
        ok: true,
        warning,
        what: what.clone(),
        detail,
    };
    match (mode, venue) {
        (DepthReports::Auto, Some(v)) if v.saturating_mul(10) < ceiling => line(
            true,
            format!(
                "the venue pool's {v} per 1% is under a tenth of the configured {ceiling}: the \
                 liquidator's room will follow it (sources that give a depth override it)"
            ),
        ),
        (DepthReports::Auto, Some(v)) => line(
            false,
            format!("the source's, else the venue pool's {v} per 1% (configured {ceiling})"),
        ),
        (DepthReports::Auto, None) => line(
            true,
            format!(
                "no venue pool recorded: only the source's depth is sent (configured {ceiling})"
            ),
        ),
        _ => line(
            false,
            format!("the price source's, where it gives one (configured {ceiling})"),
        ),
    }
}

/// Every `every`: the wallets' balances (fee denom and base), the endpoints' health (moving
/// off an unhealthy one) and the fee market's gas price, into the metrics. Until `shutdown`.
pub async fn refresh_loop(
    client: Client,
    wallets: Wallets,
    base_denom: String,
    metrics: Arc<Metrics>,
    every: Duration,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) -> Result<()> {
    let wallets: Vec<(String, u32, String)> = {
        let mut v = vec![];
        for (k, i, w) in wallets.all() {
            v.push((k, i, w.lock().await.address()));
        }
        v
    };
    loop {
        let health = client.rpc().check(client.chain_id.as_str()).await;
        metrics.endpoints(&health, client.rpc().failovers());
        if let Err(e) = client.refresh_gas_price().await {
            tracing::debug!("gas price: {e}");
        }
        metrics.set_gas_price(client.gas.get());
        for (key, i, addr) in &wallets {
            let label = if *i == 0 {
                key.clone()
            } else {
                format!("{key}#{i}")
            };
            for denom in [client.fee_denom.as_str(), base_denom.as_str()] {
                if let Ok(b) = client.balance(addr, denom).await {
                    metrics.set_balance(&label, addr, denom, b);
                }
            }
        }
        tokio::select! {
            _ = shutdown.changed() => return Ok(()),
            _ = tokio::time::sleep(every) => {}
        }
    }
}

/// Loads the deployment for `keeper run`, with a hint when it is missing.
pub fn load_deployment(cfg: &Config) -> Result<Deployment> {
    let path = cfg.deployment_path();
    let d = Deployment::load(&path)
        .with_context(|| format!("no deployment at {}: run `keeper deploy`", path.display()))?;
    anyhow::ensure!(
        d.chain_id == cfg.chain.chain_id,
        "{} is a deployment on {}, not {}",
        path.display(),
        d.chain_id,
        cfg.chain.chain_id
    );
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_preflight_warns_when_the_feeder_would_send_a_depth_that_throttles_or_none() {
        let thin = depth_line(DepthReports::Auto, "uatom", Some(99), 1_000);
        assert!(thin.ok && thin.warning, "{thin:?}");
        assert!(thin.detail.contains("under a tenth"), "{thin:?}");
        let enough = depth_line(DepthReports::Auto, "uatom", Some(100), 1_000);
        assert!(enough.ok && !enough.warning, "{enough:?}");
        assert_eq!(enough.what, "depth of uatom");
        let none = depth_line(DepthReports::Auto, "uatom", None, 1_000);
        assert!(none.ok && none.warning, "{none:?}");
        assert!(none.detail.contains("no venue pool"), "{none:?}");
        let source = depth_line(DepthReports::Source, "uatom", None, 1_000);
        assert!(source.ok && !source.warning, "{source:?}");
    }
}
