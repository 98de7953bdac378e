//! Shared auction mechanics: pricing a running auction, the caps ("room"), and the messages
//! that settle a sale.
use crate::curve::{quote, Quote};
use crate::error::ContractError;
use crate::state::{Auction, Config, StoredSeller, COLLATERALS, DIRT, GLOBAL_DIRT, RESALE_LOTS};
use breakwater_types::adapters::PriceView;
use breakwater_types::error::unauthorized;
use breakwater_types::liquidator::AuctionParams;
use cosmwasm_std::{
    coin, BankMsg, CosmosMsg, Deps, Env, QuerierWrapper, StdResult, Storage, Uint128,
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

/// Prices `auction` now against the oracle price `oracle`.
pub fn price_now(
    env: &Env,
    params: &AuctionParams,
    auction: &Auction,
    oracle: &PriceView,
) -> StdResult<Quote> {
    let elapsed = env.block.time.seconds().saturating_sub(auction.started_at);
    quote(params, auction.top, elapsed, oracle.median)
}

/// Per-collateral cap: the configured `hole`, or `depth · impact_budget_pct` from the market.
pub fn hole(deps: Deps, cfg: &Config, params: &AuctionParams, denom: &str) -> StdResult<Uint128> {
    if let Some(h) = params.hole {
        return Ok(h);
    }
    let depth = cfg.market.query_collateral_depth(&deps.querier, denom)?;
    Ok(depth.checked_mul_floor(cfg.impact_budget_pct)?)
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

/// Computes the room for `denom`.
pub fn room(deps: Deps, cfg: &Config, params: &AuctionParams, denom: &str) -> StdResult<Room> {
    let hole = hole(deps, cfg, params, denom)?;
    let dirt = DIRT.may_load(deps.storage, denom)?.unwrap_or_default();
    let global_dirt = GLOBAL_DIRT.may_load(deps.storage)?.unwrap_or_default();
    let room = hole
        .saturating_sub(dirt)
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
    /// Messages paying the seller (and returning leftovers, booking a shortfall).
    pub msgs: Vec<CosmosMsg>,
    /// Whether the auction ended.
    pub closed: bool,
    /// Shortfall booked at close (tab left when the lot ran out).
    pub shortfall: Uint128,
    /// For a backstop resale, the units sold: they leave [`RESALE_LOTS`] only when the
    /// proceeds are released (see [`book_resale_sold`]).
    pub resale_sold: Option<Uint128>,
}

/// Takes `units` of `denom` sold from the backstop's resale total. Called in the same step
/// that releases the sale's proceeds to the backstop (at once for a plain bid, in
/// `FinishFlash` for a flash bid), so the backstop's pool is valued whole at every point: a
/// slice counts as collateral under resale until its base is on its way.
pub fn book_resale_sold(
    storage: &mut dyn Storage,
    denom: &str,
    units: Uint128,
) -> Result<(), ContractError> {
    let held = RESALE_LOTS.may_load(storage, denom)?.unwrap_or_default();
    RESALE_LOTS.save(storage, denom, &held.checked_sub(units)?)?;
    Ok(())
}

/// Applies a sale to `auction` (lot, tab, raised, dirt) and builds the settlement messages:
///
/// - liquidation, tab covered: proceeds and the leftover lot go to the market, which repays the
///   debt and credits the collateral back to the borrower;
/// - liquidation, lot sold out with tab left: proceeds go to the market with the remaining tab
///   as `shortfall`, which the market covers (backstop, then reserves, then socialized);
/// - resale: proceeds go to the backstop; the auction ends when the lot is sold. The resale
///   total is not touched here: the caller books the sold units with [`book_resale_sold`]
///   when it releases the proceeds.
pub fn apply_sale(
    storage: &mut dyn Storage,
    cfg: &Config,
    auction: &mut Auction,
    slice: Uint128,
    owe: Uint128,
) -> Result<Sale, ContractError> {
    auction.lot = auction.lot.checked_sub(slice)?;
    auction.raised = auction.raised.checked_add(owe)?;
    let old_dirt = auction.dirt;
    let mut msgs: Vec<CosmosMsg> = vec![];
    let mut resale_sold = None;
    let (closed, shortfall) = match &auction.seller {
        StoredSeller::Liquidation { borrower } => {
            // Only the tab goes to the market; a last one-unit sale may raise more than the
            // tab (see `size_bid`), and that surplus belongs to the borrower.
            let to_market = owe.min(auction.tab);
            let surplus = owe - to_market;
            if !surplus.is_zero() {
                msgs.push(
                    BankMsg::Send {
                        to_address: borrower.to_string(),
                        amount: vec![coin(surplus.u128(), &cfg.base_denom)],
                    }
                    .into(),
                );
            }
            let owe = to_market;
            auction.tab = auction.tab.checked_sub(owe)?;
            let covered = auction.tab.is_zero();
            let sold_out = auction.lot.is_zero();
            let shortfall = if !covered && sold_out {
                auction.tab
            } else {
                Uint128::zero()
            };
            let mut funds = vec![coin(owe.u128(), &cfg.base_denom)];
            if covered && !auction.lot.is_zero() {
                funds.push(coin(auction.lot.u128(), &auction.denom));
                auction.lot = Uint128::zero();
            }
            // The chain accepts funds only as sorted coins.
            funds.sort_by(|a, b| a.denom.cmp(&b.denom));
            msgs.push(cfg.market.auction_proceeds(borrower, shortfall, funds)?);
            auction.dirt = if covered || sold_out {
                Uint128::zero()
            } else {
                auction.tab
            };
            (covered || sold_out, shortfall)
        }
        StoredSeller::Backstop => {
            // A resale can only have been started by the configured backstop.
            let backstop = cfg
                .backstop
                .as_ref()
                .ok_or_else(|| unauthorized::<ContractError>("the backstop"))?;
            resale_sold = Some(slice);
            msgs.push(
                BankMsg::Send {
                    to_address: backstop.addr().to_string(),
                    amount: vec![coin(owe.u128(), &cfg.base_denom)],
                }
                .into(),
            );
            auction.dirt = auction.lot.checked_mul_floor(auction.start_oracle)?;
            (auction.lot.is_zero(), Uint128::zero())
        }
    };
    adjust_dirt(storage, &auction.denom, old_dirt, auction.dirt)?;
    Ok(Sale {
        msgs,
        closed,
        shortfall,
        resale_sold,
    })
}
