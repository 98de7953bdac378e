//! `StartAuction`: the market (liquidations) or the backstop (resales) hands over a lot.
use crate::auction::{adjust_dirt, gauge, oracle_price, params, room};
use crate::curve::{basis, top_price};
use crate::error::ContractError;
use crate::state::{
    hold_clock, Auction, StoredSeller, AUCTIONS, AUCTIONS_BY_DENOM, CONFIG, NEXT_ID, RESALE_LOTS,
};
use breakwater_types::error::unauthorized;
use breakwater_types::liquidator::Seller;
use cosmwasm_std::{to_json_binary, DepsMut, Env, MessageInfo, Response, Uint128};

/// Starts an auction of the attached lot.
///
/// - `Seller::Liquidation` only from the market, with a positive `tab`;
///   `Seller::Backstop` only from the backstop, with a zero `tab` (sell the whole lot).
/// - The oracle must be active unless `force` (hard-floor liquidations, market only).
/// - The auction's share of the caps must fit in the room unless `force`.
/// - Top price `oracle · buf`, where `oracle` is the median, or the higher of median and TWAP
///   when the price is not active (a forced start).
pub fn start_auction(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    seller: Seller,
    tab: Uint128,
    force: bool,
) -> Result<Response, ContractError> {
    let cfg = CONFIG.load(deps.storage)?;
    let stored = match seller {
        Seller::Liquidation { borrower } => {
            if info.sender != *cfg.market.addr() {
                return Err(unauthorized("the market"));
            }
            if tab.is_zero() {
                return Err(ContractError::BadTab {
                    reason: "a liquidation must raise a positive tab",
                });
            }
            StoredSeller::Liquidation {
                borrower: deps.api.addr_validate(&borrower)?,
            }
        }
        Seller::Backstop {} => {
            if Some(&info.sender) != cfg.backstop.as_ref().map(|b| b.addr()) {
                return Err(unauthorized("the backstop"));
            }
            if !tab.is_zero() || force {
                return Err(ContractError::BadTab {
                    reason: "a resale sells its whole lot: tab 0, never forced",
                });
            }
            StoredSeller::Backstop
        }
    };
    let [lot_coin] = info.funds.as_slice() else {
        return Err(ContractError::BadLot);
    };
    let denom = lot_coin.denom.clone();
    let lot = Uint128::try_from(lot_coin.amount).map_err(|_| ContractError::AmountTooLarge)?;
    if lot.is_zero() {
        return Err(ContractError::BadLot);
    }
    let p = params(deps.storage, &denom).map_err(|_| ContractError::BadLot)?;
    let price = oracle_price(&deps.querier, &cfg, &denom)?;
    if !force && !price.status.is_active() {
        return Err(ContractError::OraclePaused {
            denom,
            status: price.status.name().to_string(),
        });
    }
    let dirt = match stored {
        StoredSeller::Liquidation { .. } => tab,
        StoredSeller::Backstop => lot.checked_mul_floor(price.median)?,
    };
    if !force {
        let r = room(
            deps.as_ref(),
            &cfg,
            &p,
            &denom,
            gauge(
                &deps.querier,
                &cfg,
                &p,
                &denom,
                &price,
                env.block.time.seconds(),
            )?,
            env.block.time.seconds(),
        )?;
        if dirt > r.room {
            return Err(ContractError::NoRoom {
                denom,
                room: r.room,
                needed: dirt,
            });
        }
    }
    let id = NEXT_ID.may_load(deps.storage)?.unwrap_or(1);
    NEXT_ID.save(
        deps.storage,
        &(id.checked_add(1).ok_or(ContractError::AmountTooLarge)?),
    )?;
    // A forced start on a price the oracle does not stand behind (a halted wick, say) starts
    // the curve from the higher of median and TWAP: a lot must not be offered below the true
    // price once the wick reverts.
    let top = top_price(
        basis(price.median, price.twap, price.status.is_active()),
        p.buf,
    )?;
    let auction = Auction {
        id,
        seller: stored,
        denom: denom.clone(),
        lot,
        tab,
        raised: Uint128::zero(),
        top,
        start_oracle: price.median,
        started_at: env.block.time.seconds(),
        held_at_start: hold_clock(deps.storage, &denom)?.held_by(env.block.time.seconds()),
        dirt,
    };
    adjust_dirt(deps.storage, &denom, Uint128::zero(), dirt)?;
    if auction.seller == StoredSeller::Backstop {
        let held = RESALE_LOTS
            .may_load(deps.storage, &denom)?
            .unwrap_or_default();
        RESALE_LOTS.save(deps.storage, &denom, &held.checked_add(lot)?)?;
    }
    AUCTIONS.save(deps.storage, id, &auction)?;
    AUCTIONS_BY_DENOM.save(deps.storage, (&denom, id), &())?;
    let (kind, borrower) = match &auction.seller {
        StoredSeller::Liquidation { borrower } => ("liquidation", borrower.to_string()),
        StoredSeller::Backstop => ("backstop_resale", String::new()),
    };
    Ok(Response::new()
        .set_data(to_json_binary(&id)?)
        .add_attribute("action", "start_auction")
        .add_attribute("auction_id", id.to_string())
        .add_attribute("kind", kind)
        .add_attribute("borrower", borrower)
        .add_attribute("denom", denom)
        .add_attribute("lot", lot)
        .add_attribute("tab", tab)
        .add_attribute("top", top.to_string())
        .add_attribute("oracle_price", price.median.to_string())
        .add_attribute("forced", force.to_string()))
}
