//! Queries: auctions priced now, room under the caps, configuration.
use crate::auction::{gauge, oracle_price, params, price_now, room as room_of, with_book};
use crate::error::ContractError;
use crate::state::{
    Auction, StoredSeller, AUCTIONS, AUCTIONS_BY_DENOM, COLLATERALS, CONFIG, RESALE_LOTS, SALES,
};
use breakwater_types::adapters::OracleGauge;
use breakwater_types::liquidator::{
    AuctionResponse, AuctionsResponse, CollateralAuction, ConfigResponse, HoldClockResponse,
    ResaleLotResponse, RoomResponse, Seller,
};
use breakwater_types::ownership::Ownership;
use breakwater_types::page_limit;
use cosmwasm_std::{Decimal, Deps, Env, Order, Uint128};
use cw_storage_plus::Bound;

fn describe(deps: Deps, env: &Env, a: Auction) -> Result<AuctionResponse, ContractError> {
    let cfg = CONFIG.load(deps.storage)?;
    let p = params(deps.storage, &a.denom)?;
    let oracle = oracle_price(&deps.querier, &cfg, &a.denom)?;
    let now = env.block.time.seconds();
    let gauge = gauge(&deps.querier, &cfg, &p, &a.denom, &oracle, now)?;
    let q = price_now(deps.storage, env, &p, &a, &oracle, gauge)?;
    Ok(AuctionResponse {
        id: a.id,
        seller: match a.seller {
            StoredSeller::Liquidation { borrower } => Seller::Liquidation {
                borrower: borrower.to_string(),
            },
            StoredSeller::Backstop => Seller::Backstop {},
        },
        denom: a.denom,
        lot: a.lot,
        tab: a.tab,
        raised: a.raised,
        top: a.top,
        price: q.price,
        floor: q.floor,
        started_at: a.started_at,
        held_at_start: a.held_at_start,
        needs_reset: q.needs_reset,
        at_floor: q.at_floor,
    })
}

/// One running auction.
pub fn auction(deps: Deps, env: Env, id: u64) -> Result<AuctionResponse, ContractError> {
    let a = AUCTIONS
        .may_load(deps.storage, id)?
        .ok_or(ContractError::UnknownAuction { id })?;
    describe(deps, &env, a)
}

/// Running auctions in id order, optionally of one collateral.
pub fn auctions(
    deps: Deps,
    env: Env,
    denom: Option<String>,
    start_after: Option<u64>,
    limit: Option<u32>,
) -> Result<AuctionsResponse, ContractError> {
    let limit = page_limit(limit);
    let start = start_after.map(Bound::exclusive);
    let ids: Vec<u64> = match &denom {
        Some(d) => AUCTIONS_BY_DENOM
            .prefix(d)
            .keys(deps.storage, start, None, Order::Ascending)
            .take(limit)
            .collect::<Result<_, _>>()?,
        None => AUCTIONS
            .keys(deps.storage, start, None, Order::Ascending)
            .take(limit)
            .collect::<Result<_, _>>()?,
    };
    let auctions = ids
        .into_iter()
        .map(|id| {
            let a = AUCTIONS.load(deps.storage, id)?;
            describe(deps, &env, a)
        })
        .collect::<Result<_, _>>()?;
    Ok(AuctionsResponse { auctions })
}

/// Units of `denom` in the backstop's running resale auctions.
pub fn resale_lot(deps: Deps, denom: String) -> Result<ResaleLotResponse, ContractError> {
    let lot = RESALE_LOTS
        .may_load(deps.storage, &denom)?
        .unwrap_or_default();
    Ok(ResaleLotResponse { denom, lot })
}

/// The hold on `denom`'s auction curves.
pub fn hold_clock(deps: Deps, denom: String) -> Result<HoldClockResponse, ContractError> {
    let clock = crate::state::hold_clock(deps.storage, &denom)?;
    Ok(HoldClockResponse { denom, clock })
}

/// Room under the caps of `denom`.
pub fn room(deps: Deps, env: Env, denom: String) -> Result<RoomResponse, ContractError> {
    let cfg = CONFIG.load(deps.storage)?;
    let p = params(deps.storage, &denom)?;
    // The oracle's measured depth in force and its slide clock (only read when the cap
    // derives from depth or bidders wait out falls), the same figures its price query
    // reports, read raw: the market asks for the room on every liquidation, and a price query
    // inside it would cost a contract call (made only when bidders wait out falls).
    let now = env.block.time.seconds();
    let gauge = match p.hole {
        Some(_) if p.wait_falls.is_none() => OracleGauge::default(),
        _ => cfg
            .oracle
            .query_gauge(&deps.querier, &denom, now)
            .unwrap_or_default(),
    };
    let gauge = with_book(&deps.querier, &cfg, &p, &denom, gauge)?;
    let r = room_of(deps, &cfg, &p, &denom, gauge, now)?;
    // What a bid may take of the cap in a fall (`wait_falls`); without a price, the bid's
    // own check decides.
    let share = match p.wait_falls {
        Some(_) => oracle_price(&deps.querier, &cfg, &denom)
            .map(|v| p.fall_share(v.median, v.twap, &gauge, now))
            .unwrap_or(Decimal::one()),
        None => Decimal::one(),
    };
    let sales_left = match p.pace_sales {
        _ if share.is_zero() => Some(Uint128::zero()),
        Some(window) => {
            let bucket = SALES.may_load(deps.storage, &denom)?.unwrap_or_default();
            Some(bucket.left_of_share(r.hole, window, now, share))
        }
        None => None,
    };
    Ok(RoomResponse {
        denom,
        hole: r.hole,
        dirt: r.dirt,
        global_hole: cfg.global_hole,
        global_dirt: r.global_dirt,
        room: r.room,
        measured_depth: gauge.depth.filter(|_| p.hole.is_none()),
        sales_left,
    })
}

/// Addresses, caps and every collateral's parameters.
pub fn config(deps: Deps) -> Result<ConfigResponse, ContractError> {
    let cfg = CONFIG.load(deps.storage)?;
    let owner = Ownership::load(deps.storage)?.owner;
    let collaterals = COLLATERALS
        .range(deps.storage, None, None, Order::Ascending)
        .map(|r| r.map(|(denom, params)| CollateralAuction { denom, params }))
        .collect::<Result<_, _>>()?;
    Ok(ConfigResponse {
        owner: owner.to_string(),
        market: cfg.market.addr().to_string(),
        oracle: cfg.oracle.addr().to_string(),
        backstop: cfg.backstop.map(|b| b.addr().to_string()),
        base_denom: cfg.base_denom,
        global_hole: cfg.global_hole,
        impact_budget_pct: cfg.impact_budget_pct,
        collaterals,
    })
}
