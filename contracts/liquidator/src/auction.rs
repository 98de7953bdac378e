//! Shared auction mechanics: pricing a running auction, the caps ("room"), and the messages
//! that settle a sale.
use crate::curve::{quote, slide_basis, Quote, Reading};
use crate::error::ContractError;
use crate::state::{
    hold_clock, Auction, Config, Payout, StoredSeller, COLLATERALS, DIRT, GLOBAL_DIRT, RESALE_LOTS,
};
use breakwater_types::adapters::{OracleGauge, PriceView};
use breakwater_types::error::unauthorized;
use breakwater_types::liquidator::{AuctionParams, HoldClock, Slide};
use cosmwasm_std::{
    coin, Addr, BankMsg, Coin, CosmosMsg, Deps, Env, QuerierWrapper, StdResult, Storage, Uint128,
};

/// Loads a collateral's auction parameters.
pub fn params(storage: &dyn Storage, denom: &str) -> Result<AuctionParams, ContractError> {
    COLLATERALS
        .may_load(storage, denom)?
        .ok_or_else(|| ContractError::UnknownCollateral {
            denom: denom.to_string(),
        })
}

/// The oracle's record for `denom`.
pub fn oracle_price(
    querier: &QuerierWrapper,
    cfg: &Config,
    denom: &str,
) -> Result<PriceView, ContractError> {
    Ok(cfg.oracle.query_price_view(querier, denom)?)
}

/// What the caps and the curves read from the oracle besides its price `view`: the measured
/// depth (the view's) and, only for a collateral with a slide rule, the median's streak under
/// its TWAP (read raw from the oracle's status record; [`AuctionParams::slide`]).
pub fn gauge(
    querier: &QuerierWrapper,
    cfg: &Config,
    params: &AuctionParams,
    denom: &str,
    view: &PriceView,
    now: u64,
) -> StdResult<OracleGauge> {
    let below_twap = if params.slide.is_some() {
        cfg.oracle.query_gauge(querier, denom, now)?.below_twap
    } else {
        None
    };
    let gauge = OracleGauge {
        depth: view.depth,
        below_twap,
        book_holds: false,
        ceiling: None,
    };
    with_book(querier, cfg, params, denom, gauge)
}

/// Sets `gauge.book_holds` for a collateral whose slide rule reads the book
/// ([`Slide::deep`]): only in a streak under the TWAP with a fresh measured depth does it
/// cost the market query for the ceiling.
pub fn with_book(
    querier: &QuerierWrapper,
    cfg: &Config,
    params: &AuctionParams,
    denom: &str,
    gauge: OracleGauge,
) -> StdResult<OracleGauge> {
    let reads_book = params.slide.as_ref().is_some_and(|s| s.deep.is_some());
    if !reads_book || gauge.below_twap.is_none() || gauge.depth.is_none() {
        return Ok(gauge);
    }
    let ceiling = cfg.market.query_collateral_depth(querier, denom)?;
    Ok(OracleGauge {
        book_holds: Slide::book_holds(gauge.below_twap, gauge.depth, ceiling),
        ceiling: Some(ceiling),
        ..gauge
    })
}

/// Prices `auction` now against the oracle price `oracle` and its [`gauge`].
pub fn price_now(
    storage: &dyn Storage,
    env: &Env,
    params: &AuctionParams,
    auction: &Auction,
    oracle: &PriceView,
    gauge: OracleGauge,
) -> StdResult<Quote> {
    let now = env.block.time.seconds();
    let elapsed = now.saturating_sub(auction.started_at);
    let clock = hold_clock(storage, &auction.denom)?;
    let decayed = HoldClock::decay(Some(&clock), auction.started_at, auction.held_at_start, now);
    let reading = Reading {
        median: oracle.median,
        twap: oracle.twap,
        // A fall through a book that holds is not a wick: its lots follow the median even
        // while the oracle halts, where the basis would hold them at a TWAP the market has
        // left behind ([`Slide::deep`]), and with `slide.ahead` ahead of it by the fall.
        basis: slide_basis(
            params.slide.as_ref(),
            &gauge,
            oracle.median,
            oracle.twap,
            oracle.status.is_active(),
        ),
        sliding: sliding(params, gauge, now),
    };
    quote(params, auction.top, elapsed, decayed, &reading)
}

/// Whether `oracle` shows the collateral in a slide at `now` ([`AuctionParams::slide`]).
pub fn sliding(params: &AuctionParams, oracle: OracleGauge, now: u64) -> bool {
    Slide::active(params.slide.as_ref(), &oracle, now)
}

/// Per-collateral cap: the configured `hole`, or `depth · impact_budget_pct · slide` where
///
/// ```text
/// depth = min(ceiling, measured)   with a fresh measured depth from the oracle's feeders
///       = ceiling                  without one
/// ceiling = the market's configured depth of the collateral (owner-set)
/// slide = AuctionParams::slide's room while the collateral slides at `now` (the larger of it
///         and slide.deep's while the book holds, Slide::room_now), else 1
/// ```
/// So sales slow down as the book empties, and a depth nobody measures now (an outage, feeders
/// that do not report it) falls back to what the owner vouched for: throttling to zero would
/// stop every liquidation above the hard floor in exactly the outage, and the ceiling bounds
/// what a stale or inflated report could ever allow.
pub fn hole(
    deps: Deps,
    cfg: &Config,
    params: &AuctionParams,
    denom: &str,
    oracle: OracleGauge,
    now: u64,
) -> StdResult<Uint128> {
    if let Some(h) = params.hole {
        return Ok(h);
    }
    let ceiling = match oracle.ceiling {
        Some(read) => read,
        None => cfg.market.query_collateral_depth(&deps.querier, denom)?,
    };
    let depth = oracle.depth.map_or(ceiling, |m| m.min(ceiling));
    let cap = depth.checked_mul_floor(cfg.impact_budget_pct)?;
    match &params.slide {
        Some(slide) if sliding(params, oracle, now) => {
            Ok(cap.checked_mul_floor(slide.room_now(&oracle))?)
        }
        _ => Ok(cap),
    }
}

/// Room under both caps: `min(hole − dirt, global_hole − global_dirt)`, with its parts.
pub struct Room {
    /// Per-collateral cap.
    pub hole: Uint128,
    /// Debt under auction for the collateral.
    pub dirt: Uint128,
    /// Global debt under auction.
    pub global_dirt: Uint128,
    /// The largest tab that may start now.
    pub room: Uint128,
}

/// Computes the room for `denom` at `now`, given the oracle's view (its measured depth and
/// whether the collateral slides: see [`hole`]).
/// With `hold` and `hold_room` on, what was sold recently still counts against the cap while
/// it holds the curves: `hole · (held_until − now) / hold`, rounded up.
pub fn room(
    deps: Deps,
    cfg: &Config,
    params: &AuctionParams,
    denom: &str,
    oracle: OracleGauge,
    now: u64,
) -> StdResult<Room> {
    let hole = hole(deps, cfg, params, denom, oracle, now)?;
    let dirt = DIRT.may_load(deps.storage, denom)?.unwrap_or_default();
    let global_dirt = GLOBAL_DIRT.may_load(deps.storage)?.unwrap_or_default();
    let recent = if params.hold == 0 || !params.hold_room {
        Uint128::zero()
    } else {
        let ahead = hold_clock(deps.storage, denom)?
            .held_until
            .saturating_sub(now)
            .min(params.hold);
        hole.checked_mul_ceil(cosmwasm_std::Decimal::from_ratio(ahead, params.hold))?
    };
    let room = hole
        .saturating_sub(dirt)
        .saturating_sub(recent)
        .min(cfg.global_hole.saturating_sub(global_dirt));
    Ok(Room {
        hole,
        dirt,
        global_dirt,
        room,
    })
}

/// Moves `denom`'s and the global dirt from `old` to `new`.
pub fn adjust_dirt(
    storage: &mut dyn Storage,
    denom: &str,
    old: Uint128,
    new: Uint128,
) -> StdResult<()> {
    let d = DIRT.may_load(storage, denom)?.unwrap_or_default();
    let g = GLOBAL_DIRT.may_load(storage)?.unwrap_or_default();
    // Dirt only ever holds sums of live auctions' shares, so `old` is always included.
    DIRT.save(storage, denom, &d.checked_sub(old)?.checked_add(new)?)?;
    GLOBAL_DIRT.save(storage, &g.checked_sub(old)?.checked_add(new)?)?;
    Ok(())
}

/// The outcome of a sale of `slice` units for `owe` base units.
pub struct Sale {
    /// What the sale pays out, released at once for a plain bid and by `FinishFlash` for a
    /// flash bid.
    pub payout: Payout,
    /// Whether the auction ended.
    pub closed: bool,
    /// Shortfall booked at close (tab left when the lot ran out).
    pub shortfall: Uint128,
}

/// Releases a sale's payout: the messages paying the seller. A resale's units leave the
/// backstop's resale total in this same step, so the backstop's pool is valued whole at every
/// point (a slice counts as collateral under resale until its base is on its way).
pub fn release(
    storage: &mut dyn Storage,
    cfg: &Config,
    payout: &Payout,
) -> Result<Vec<CosmosMsg>, ContractError> {
    let base = |amount: Uint128| coin(amount.u128(), &cfg.base_denom);
    match payout {
        Payout::Liquidation {
            borrower,
            denom,
            proceeds,
            leftover,
            shortfall,
            surplus,
        } => {
            let mut msgs: Vec<CosmosMsg> = vec![];
            if !surplus.is_zero() {
                msgs.push(send(borrower, base(*surplus)));
            }
            let mut funds = vec![base(*proceeds)];
            if !leftover.is_zero() {
                funds.push(coin(leftover.u128(), denom));
            }
            // The chain accepts funds only as sorted coins.
            funds.sort_by(|a, b| a.denom.cmp(&b.denom));
            msgs.push(
                cfg.market
                    .auction_proceeds(borrower, *shortfall, denom, funds)?,
            );
            Ok(msgs)
        }
        Payout::Resale {
            denom,
            proceeds,
            sold,
        } => {
            // A resale can only have been started by the configured backstop.
            let backstop = cfg
                .backstop
                .as_ref()
                .ok_or_else(|| unauthorized::<ContractError>("the backstop"))?;
            book_resale_sold(storage, denom, *sold)?;
            // A message, not a transfer: the pool locks what the bid paid above the units'
            // value as a gain.
            let funds = if proceeds.is_zero() {
                vec![]
            } else {
                vec![base(*proceeds)]
            };
            Ok(vec![backstop.resale_proceeds(denom, *sold, funds)?])
        }
    }
}

/// A bank send of `amount` to `to`.
pub fn send(to: &Addr, amount: Coin) -> CosmosMsg {
    BankMsg::Send {
        to_address: to.to_string(),
        amount: vec![amount],
    }
    .into()
}

/// Takes `units` of `denom` sold from the backstop's resale total (see [`release`]).
pub fn book_resale_sold(
    storage: &mut dyn Storage,
    denom: &str,
    units: Uint128,
) -> Result<(), ContractError> {
    let held = RESALE_LOTS.may_load(storage, denom)?.unwrap_or_default();
    RESALE_LOTS.save(storage, denom, &held.checked_sub(units)?)?;
    Ok(())
}

/// Applies a sale to `auction` (lot, tab, raised, dirt) and says what it pays out:
///
/// - liquidation, tab covered: proceeds and the leftover lot go to the market, which repays the
///   debt and credits the collateral back to the borrower;
/// - liquidation, lot sold out with tab left: proceeds go to the market with the remaining tab
///   as `shortfall`, which the market covers (backstop, then reserves, then socialized);
/// - resale: proceeds go to the backstop; the auction ends when the lot is sold.
///
/// Nothing is paid or booked in the resale total here: the caller releases the payout.
pub fn apply_sale(
    storage: &mut dyn Storage,
    auction: &mut Auction,
    slice: Uint128,
    owe: Uint128,
) -> Result<Sale, ContractError> {
    auction.lot = auction.lot.checked_sub(slice)?;
    auction.raised = auction.raised.checked_add(owe)?;
    let old_dirt = auction.dirt;
    let (payout, closed, shortfall) = match &auction.seller {
        StoredSeller::Liquidation { borrower } => {
            // Only the tab goes to the market; a last one-unit sale may raise more than the
            // tab (see `size_bid`), and that surplus belongs to the borrower.
            let proceeds = owe.min(auction.tab);
            let surplus = owe - proceeds;
            auction.tab = auction.tab.checked_sub(proceeds)?;
            let covered = auction.tab.is_zero();
            let sold_out = auction.lot.is_zero();
            let shortfall = if !covered && sold_out {
                auction.tab
            } else {
                Uint128::zero()
            };
            let leftover = if covered {
                std::mem::take(&mut auction.lot)
            } else {
                Uint128::zero()
            };
            auction.dirt = if covered || sold_out {
                Uint128::zero()
            } else {
                auction.tab
            };
            let payout = Payout::Liquidation {
                borrower: borrower.clone(),
                denom: auction.denom.clone(),
                proceeds,
                leftover,
                shortfall,
                surplus,
            };
            (payout, covered || sold_out, shortfall)
        }
        StoredSeller::Backstop => {
            auction.dirt = auction.lot.checked_mul_floor(auction.start_oracle)?;
            let payout = Payout::Resale {
                denom: auction.denom.clone(),
                proceeds: owe,
                sold: slice,
            };
            (payout, auction.lot.is_zero(), Uint128::zero())
        }
    };
    adjust_dirt(storage, &auction.denom, old_dirt, auction.dirt)?;
    Ok(Sale {
        payout,
        closed,
        shortfall,
    })
}
