//! `Reset`: restart a stale auction from a fresh oracle price (Maker `redo`), or close it when
//! its lot is dust.
use crate::auction::{adjust_dirt, book_resale_sold, gauge, oracle_price, params, price_now, send};
use crate::curve::top_price;
use crate::error::ContractError;
use crate::state::PENDING_FLASH;
use crate::state::{
    hold_clock, Auction, Config, StoredSeller, AUCTIONS, AUCTIONS_BY_DENOM, CONFIG,
};
use breakwater_types::error::unauthorized;
use breakwater_types::market::breaker;
use cosmwasm_std::{coin, CosmosMsg, DepsMut, Env, MessageInfo, Response, Storage, Uint128};

/// Restarts auction `auction_id` when it is older than `tail` or its curve fell below
/// `cusp · top`, from `oracle · buf` now. The oracle must be active (a reset at a bad price
/// would defeat its purpose) and bids must not be halted by the market's breaker (a restarted
/// price nobody may bid on helps no one).
///
/// A reset restarts the sale of the lot, so what it puts back on sale is
/// `min(tab, lot · oracle)`: a liquidation reset is rewarded on that value when it is at least
/// the collateral's `dust` (Maker's `redo` asks `lot · price >= chost`); resale resets earn
/// nothing. A lot worth less than `dust` is not restarted: the auction is closed (see
/// [`close_dust`]) and the reset earns nothing.
pub fn reset(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    auction_id: u64,
) -> Result<Response, ContractError> {
    if PENDING_FLASH.exists(deps.storage) {
        return Err(ContractError::Reentrancy);
    }
    let cfg = CONFIG.load(deps.storage)?;
    let mut auction = AUCTIONS
        .may_load(deps.storage, auction_id)?
        .ok_or(ContractError::UnknownAuction { id: auction_id })?;
    let p = params(deps.storage, &auction.denom)?;
    let oracle = oracle_price(&deps.querier, &cfg, &auction.denom)?;
    let now = env.block.time.seconds();
    let gauge = gauge(&deps.querier, &cfg, &p, &auction.denom, &oracle, now)?;
    let q = price_now(deps.storage, &env, &p, &auction, &oracle, gauge)?;
    if !q.needs_reset {
        return Err(ContractError::NotStale { id: auction_id });
    }
    if !oracle.status.is_active() {
        return Err(ContractError::OraclePaused {
            denom: auction.denom,
            status: oracle.status.name().to_string(),
        });
    }
    let level = cfg.market.query_state_view(&deps.querier)?.breaker_level;
    if level >= breaker::NO_BIDS {
        return Err(ContractError::BidsHalted { level });
    }
    let lot_value = auction.lot.checked_mul_floor(oracle.median)?;
    let res = Response::new()
        .add_attribute("action", "reset")
        .add_attribute("auction_id", auction_id.to_string())
        .add_attribute("keeper", info.sender.to_string())
        .add_attribute("lot", auction.lot)
        .add_attribute("tab", auction.tab)
        .add_attribute("lot_value", lot_value);
    if lot_value < p.dust {
        let msgs = close_dust(deps.storage, &cfg, &auction)?;
        return Ok(res
            .add_messages(msgs)
            .add_attribute("closed", "true")
            .add_attribute("rewarded", "false"));
    }
    auction.top = top_price(oracle.median, p.buf)?;
    auction.start_oracle = oracle.median;
    auction.started_at = env.block.time.seconds();
    auction.held_at_start = hold_clock(deps.storage, &auction.denom)?.held_by(auction.started_at);
    AUCTIONS.save(deps.storage, auction_id, &auction)?;
    let mut res = res
        .add_attribute("top", auction.top.to_string())
        .add_attribute("closed", "false");
    let on_sale = auction.tab.min(lot_value);
    let rewarded = matches!(auction.seller, StoredSeller::Liquidation { .. }) && on_sale >= p.dust;
    if rewarded {
        res = res.add_message(cfg.market.reward_keeper(&info.sender, on_sale)?);
    }
    Ok(res.add_attribute("rewarded", rewarded.to_string()))
}

/// Closes an auction whose lot is worth less than `dust`: nobody will buy it, and its tab
/// would keep occupying the caps. A liquidation's leftover units go to the backstop (which
/// covers the tab first) and the whole tab is booked with the market as a shortfall; without
/// a backstop the units go back to the market with that shortfall, credited to the borrower.
/// A resale's units go back to the backstop and leave its resale total.
pub fn close_dust(
    storage: &mut dyn Storage,
    cfg: &Config,
    auction: &Auction,
) -> Result<Vec<CosmosMsg>, ContractError> {
    AUCTIONS.remove(storage, auction.id);
    AUCTIONS_BY_DENOM.remove(storage, (&auction.denom, auction.id));
    adjust_dirt(storage, &auction.denom, auction.dirt, Uint128::zero())?;
    let lot = || coin(auction.lot.u128(), &auction.denom);
    let mut msgs: Vec<CosmosMsg> = vec![];
    match &auction.seller {
        StoredSeller::Liquidation { borrower } => {
            let mut proceeds_funds = vec![];
            match (&cfg.backstop, auction.lot.is_zero()) {
                (_, true) => {}
                (Some(backstop), false) => msgs.push(send(backstop.addr(), lot())),
                (None, false) => proceeds_funds = vec![lot()],
            }
            msgs.push(cfg.market.auction_proceeds(
                borrower,
                auction.tab,
                &auction.denom,
                proceeds_funds,
            )?);
        }
        StoredSeller::Backstop => {
            let backstop = cfg
                .backstop
                .as_ref()
                .ok_or_else(|| unauthorized::<ContractError>("the backstop"))?;
            book_resale_sold(storage, &auction.denom, auction.lot)?;
            if !auction.lot.is_zero() {
                msgs.push(send(backstop.addr(), lot()));
            }
        }
    }
    Ok(msgs)
}
