//! A backstop sized to the risk (issue 14): `UpdateRisk { limit }` walks the accounts in
//! pages and counts, per collateral, the debt a fall of its price would make liquidatable;
//! the pass that reaches the last account becomes the risk snapshot, whose signal raises the
//! backstop's share of new reserves (`LiquidationParams::backstop_share`). `Risk {}` reports
//! the snapshot with the pool's coverage of it. The rules are in `breakwater_types::risk`.
//!
//! Nothing in a pass comes from the caller: the accounts are read from storage, the prices
//! from the oracle (one query per collateral and page) and the pool's value from the backstop.
//! The snapshot is dated by the start of its pass, and a pass that runs longer than `max_age`
//! starts over, so no snapshot is assembled from readings older than `max_age`.
use crate::error::ContractError;
use crate::health::{health_of, price_holdings, PriceCache, PricedLine};
use crate::interest::{accrue, accrued_state, rates};
use crate::state::{
    CollateralTally, Config, RiskPass, ACCOUNTS, COLLATERALS, CONFIG, RISK_PASS, RISK_SNAPSHOT,
    STATE,
};
use breakwater_types::math::health::value;
use breakwater_types::page_limit;
use breakwater_types::risk::{
    ratio_or_max, spiral_index, CollateralRisk, FallRisk, RiskPassProgress, RiskResponse,
    RiskShareParams, RiskSignal, RiskSnapshot, EXPOSURE_FALL, FALLS, WALL_FALL,
};
use cosmwasm_std::{Decimal, Deps, DepsMut, Env, MessageInfo, Order, Response, Uint128};
use cw_storage_plus::Bound;

/// How long a snapshot counts, and a pass may run: the rule's `max_age`, or its default
/// without a rule.
fn max_age(config: &Config) -> u64 {
    config
        .liquidation
        .as_ref()
        .and_then(|l| l.params.risk_share.as_ref())
        .map_or(RiskShareParams::default().max_age, |r| r.max_age)
}

/// The pool's value, `None` without a liquidation set-up or when the backstop cannot value it.
fn pool_value(deps: Deps, config: &Config) -> Option<Uint128> {
    let liq = config.liquidation.as_ref()?;
    liq.backstop.query_pool_value(&deps.querier).ok()
}

/// `UpdateRisk { limit }`: anyone walks the next `limit` accounts of the pass under way.
pub fn execute_update_risk(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    limit: Option<u32>,
) -> Result<Response, ContractError> {
    let now = env.block.time.seconds();
    let config = CONFIG.load(deps.storage)?;
    let mut pass = match RISK_PASS.may_load(deps.storage)? {
        Some(p) if now.saturating_sub(p.started_at) <= max_age(&config) => p,
        _ => RiskPass {
            started_at: now,
            completed_at: 0,
            cursor: None,
            walked: 0,
            accounts: 0,
            total_debt: Uint128::zero(),
            liquidatable_now: Uint128::zero(),
            collaterals: vec![],
            spiral_index: Decimal::zero(),
            exposure: None,
        },
    };
    let mut state = STATE.load(deps.storage)?;
    accrue(&mut state, &config, now)?;
    let limit = page_limit(limit);
    let page = ACCOUNTS
        .range(
            deps.storage,
            pass.cursor.as_ref().map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(limit)
        .collect::<Result<Vec<_>, _>>()?;
    let mut cache = PriceCache::default();
    for (_, account) in &page {
        let mut account = account.clone();
        crate::redistribution::pending(deps.storage, &mut account)?;
        pass.walked = pass.walked.saturating_add(1);
        let debt = account.debt_shares.checked_mul_ceil(state.borrow_index)?;
        if debt.is_zero() {
            continue;
        }
        let lines = price_holdings(
            deps.as_ref(),
            &config,
            &account.collaterals,
            now,
            &mut cache,
        )?;
        tally(&mut pass, &lines, debt)?;
    }
    if let Some((addr, _)) = page.last() {
        pass.cursor = Some(addr.clone());
    }
    let res = Response::new()
        .add_attribute("action", "update_risk")
        .add_attribute("sender", info.sender)
        .add_attribute("started_at", pass.started_at.to_string())
        .add_attribute("walked", pass.walked.to_string());
    if page.len() == limit {
        RISK_PASS.save(deps.storage, &pass)?;
        return Ok(res.add_attribute("done", "false"));
    }
    // The pass reached the last account: it becomes the snapshot. The accrual above used the
    // old signal up to now; the new one applies from now on.
    let snapshot = finish(deps.as_ref(), &config, pass, state.total_borrowed()?, now)?;
    state.risk = Some(RiskSignal {
        measured_at: snapshot.started_at,
        spiral_index: snapshot.spiral_index,
        exposure: snapshot.exposure,
    });
    STATE.save(deps.storage, &state)?;
    RISK_PASS.remove(deps.storage);
    RISK_SNAPSHOT.save(deps.storage, &snapshot)?;
    Ok(res
        .add_attribute("done", "true")
        .add_attribute("total_debt", snapshot.total_debt)
        .add_attribute("liquidatable_now", snapshot.liquidatable_now)
        .add_attribute("spiral_index", snapshot.spiral_index.to_string())
        .add_attribute(
            "exposure",
            snapshot
                .exposure
                .map_or("unknown".to_string(), |e| e.to_string()),
        ))
}

/// Debt liquidatable in `t` at the fall `FALLS[i]`.
fn liquidatable(t: &CollateralTally, i: usize) -> Result<Uint128, ContractError> {
    let newly = t.newly.get(i).copied().unwrap_or_default();
    Ok(t.now.checked_add(newly)?)
}

/// Debt liquidatable per 1% fall at the start (over the first fall of `FALLS`).
fn wall(t: &CollateralTally) -> Result<Uint128, ContractError> {
    Ok(liquidatable(t, WALL_FALL)?.checked_div(Uint128::from(FALLS[WALL_FALL]))?)
}

/// Counts one indebted account: liquidatable now, or by how much each collateral's price must
/// fall (others fixed) for `liquidation_value − fall · value · LT < debt`.
fn tally(pass: &mut RiskPass, lines: &[PricedLine], debt: Uint128) -> Result<(), ContractError> {
    let health = health_of(lines, debt)?;
    let lv = health.liquidation_value;
    let now = health.is_liquidatable();
    pass.accounts = pass.accounts.saturating_add(1);
    pass.total_debt = pass.total_debt.checked_add(debt)?;
    if now {
        pass.liquidatable_now = pass.liquidatable_now.checked_add(debt)?;
    }
    for l in lines {
        let i = match pass
            .collaterals
            .binary_search_by(|t| t.denom.as_str().cmp(&l.denom))
        {
            Ok(i) => i,
            Err(i) => {
                let t = CollateralTally {
                    denom: l.denom.clone(),
                    now: Uint128::zero(),
                    newly: vec![Uint128::zero(); FALLS.len()],
                    depth: Uint128::zero(),
                    measured: false,
                    spiral_index: Decimal::zero(),
                };
                pass.collaterals.insert(i, t);
                i
            }
        };
        let Some(t) = pass.collaterals.get_mut(i) else {
            continue;
        };
        if now {
            t.now = t.now.checked_add(debt)?;
            continue;
        }
        // The line's own term of the liquidation value, rounded as `compute_health` does.
        let weighted = value(l.line.amount, l.line.price)?.mul_floor(l.line.liquidation_threshold);
        for (fall, newly) in FALLS.iter().zip(t.newly.iter_mut()) {
            let lost = weighted.checked_mul_ceil(Decimal::percent(*fall))?;
            if lv.saturating_sub(lost) < debt {
                *newly = newly.checked_add(debt)?;
            }
        }
    }
    Ok(())
}

/// Turns a complete pass into the snapshot: each collateral's wall against its depth, and the
/// largest exposure against the pool's value now.
///
/// A pass cannot count more debt than the market's `total_borrowed` at its end (plus a unit
/// of rounding per account): debt moved from an account already walked to one not yet walked
/// would be counted twice, so every figure is scaled by `most / counted` when the pass counted
/// more.
fn finish(
    deps: Deps,
    config: &Config,
    mut pass: RiskPass,
    total_borrowed: Uint128,
    now: u64,
) -> Result<RiskPass, ContractError> {
    // Each account's debt rounds up by less than a unit, the total once.
    let most = total_borrowed.checked_add(Uint128::from(pass.accounts))?;
    if pass.total_debt > most {
        let counted = pass.total_debt;
        let scale = |x: Uint128| x.checked_multiply_ratio(most, counted);
        pass.liquidatable_now = scale(pass.liquidatable_now)?;
        for t in pass.collaterals.iter_mut() {
            t.now = scale(t.now)?;
            for x in t.newly.iter_mut() {
                *x = scale(*x)?;
            }
        }
        pass.total_debt = most;
    }
    let pool = pool_value(deps, config);
    let mut exposed = Uint128::zero();
    for t in pass.collaterals.iter_mut() {
        let params = COLLATERALS.load(deps.storage, &t.denom)?.params;
        let measured = config
            .oracle
            .query_price_view(&deps.querier, &t.denom)
            .ok()
            .and_then(|p| p.depth);
        t.depth = measured.map_or(params.depth, |m| m.min(params.depth));
        t.measured = measured.is_some();
        t.spiral_index = spiral_index(wall(t)?, params.liquidation_penalty, t.depth);
        pass.spiral_index = pass.spiral_index.max(t.spiral_index);
        exposed = exposed.max(liquidatable(t, EXPOSURE_FALL)?);
    }
    pass.exposure = pool.map(|v| ratio_or_max(exposed, v));
    pass.completed_at = now;
    pass.cursor = None;
    Ok(pass)
}

/// `Risk {}`: the last snapshot with the pool's coverage now, the pass under way, and the
/// backstop share in force.
pub fn query_risk(deps: Deps, env: Env) -> Result<RiskResponse, ContractError> {
    let now = env.block.time.seconds();
    let config = CONFIG.load(deps.storage)?;
    let state = accrued_state(deps.storage, &config, now)?;
    let (utilization, _, _) = rates(&state, &config.params)?;
    let pool = pool_value(deps, &config);
    let snapshot = match RISK_SNAPSHOT.may_load(deps.storage)? {
        Some(p) => Some(snapshot_view(p, pool, max_age(&config), now)?),
        None => None,
    };
    let pass = RISK_PASS.may_load(deps.storage)?.map(|p| RiskPassProgress {
        started_at: p.started_at,
        walked: p.walked,
        cursor: p.cursor.map(|a| a.to_string()),
    });
    let (base_share, backstop_share) = match &config.liquidation {
        Some(l) => (
            l.params.backstop_reserve_share,
            l.params.backstop_share(
                utilization,
                config.params.interest.optimal_utilization,
                state.risk.as_ref(),
                now,
            ),
        ),
        None => (Decimal::zero(), Decimal::zero()),
    };
    Ok(RiskResponse {
        snapshot,
        pass,
        backstop_value: pool,
        utilization,
        base_share,
        backstop_share,
    })
}

/// The stored snapshot as `Risk {}` reports it, with the pool's coverage now.
fn snapshot_view(
    p: RiskPass,
    pool: Option<Uint128>,
    max_age: u64,
    now: u64,
) -> Result<RiskSnapshot, ContractError> {
    let mut collaterals = Vec::with_capacity(p.collaterals.len());
    for t in p.collaterals {
        let mut falls = Vec::with_capacity(FALLS.len());
        for (i, fall) in FALLS.iter().enumerate() {
            let debt = liquidatable(&t, i)?;
            falls.push(FallRisk {
                fall: *fall,
                liquidatable: debt,
                coverage: pool
                    .filter(|_| !debt.is_zero())
                    .map(|v| ratio_or_max(v, debt)),
            });
        }
        collaterals.push(CollateralRisk {
            wall: wall(&t)?,
            denom: t.denom,
            falls,
            depth: t.depth,
            depth_measured: t.measured,
            spiral_index: t.spiral_index,
        });
    }
    Ok(RiskSnapshot {
        measured_at: p.started_at,
        completed_at: p.completed_at,
        fresh: now.saturating_sub(p.started_at) <= max_age,
        accounts: p.accounts,
        total_debt: p.total_debt,
        liquidatable_now: p.liquidatable_now,
        collaterals,
        spiral_index: p.spiral_index,
        exposure: p.exposure,
    })
}
