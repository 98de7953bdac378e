//! `Bid` and `FinishFlash`: buying a slice of a lot at the current curve price.
use crate::auction::{apply_sale, gauge, hole, oracle_price, params, price_now, release};
use crate::error::ContractError;
use crate::state::{
    hold_clock, PendingFlash, AUCTIONS, AUCTIONS_BY_DENOM, CONFIG, HOLDS, PENDING_FLASH, SALES,
};
use breakwater_types::adapters::{
    query_balance_amount, FlashReceiverUnchecked, LiquidatorContract,
};
use breakwater_types::error::unauthorized;
use breakwater_types::liquidator::{AuctionParams, FlashCallback, FlashReceiverMsg, HoldClock};
use breakwater_types::market::breaker;
use breakwater_types::math::auction::take;
use cosmwasm_std::{
    coin, BankMsg, CosmosMsg, Decimal, DepsMut, Env, MessageInfo, Response, Storage, Uint128,
};

/// Sizes a bid: Maker `take` ([`take`]: the slice rounds down, what it owes up, a tab below
/// one unit's worth sells that unit at its price), then the dust rule:
///
/// ```text
/// if tab > 0, owe < tab, slice < lot and tab − owe < dust:  refused (no dust tab left)
/// ```
/// The bidder never pays less than `slice · price`, so no sale is ever below the current price
/// (and so never below the floor).
pub fn size_bid(
    lot: Uint128,
    tab: Uint128,
    price: Decimal,
    max_collateral: Uint128,
    dust: Uint128,
) -> Result<(Uint128, Uint128), ContractError> {
    let (slice, owe) = take(lot, tab, price, max_collateral)?;
    if !tab.is_zero() && owe < tab && slice < lot && tab - owe < dust {
        return Err(ContractError::DustTab {
            remaining: tab - owe,
            dust,
        });
    }
    Ok((slice, owe))
}

/// With [`AuctionParams::hold`], a sale of `owe` holds the curves of every auction of
/// `denom` for `hold · min(1, owe / cap)` more seconds ([`HoldClock`]), `cap` being the
/// collateral's cap now ([`hole`]: the debt whose sale moves the book by the impact budget);
/// returns the seconds added.
fn hold_curves(
    storage: &mut dyn Storage,
    now: u64,
    p: &AuctionParams,
    denom: &str,
    cap: Uint128,
    owe: Uint128,
) -> Result<u64, ContractError> {
    let hold_for = HoldClock::hold_for(p.hold, owe, cap);
    let clock = hold_clock(storage, denom)?.after_sale(now, hold_for, p.hold);
    HOLDS.save(storage, denom, &clock)?;
    Ok(hold_for)
}

/// With [`AuctionParams::pace_sales`], the most a bid at `price` may take when the cap has
/// `left` after recent sales ([`SaleBucket::left`]): `floor(left / price)` units, at most
/// `max_collateral`. Refused when that is no unit.
///
/// [`SaleBucket::left`]: breakwater_types::liquidator::SaleBucket::left
fn paced(
    left: Uint128,
    denom: &str,
    price: Decimal,
    max_collateral: Uint128,
) -> Result<Uint128, ContractError> {
    let units = if price.is_zero() {
        max_collateral
    } else {
        left.checked_div_floor(price)?
    };
    if units.is_zero() {
        return Err(ContractError::SalesPaced {
            denom: denom.to_string(),
            left,
        });
    }
    Ok(units.min(max_collateral))
}

/// Buys up to `max_collateral` if the price is at most `max_price`. Without a callback the
/// attached base pays and any excess is refunded; with one, the lot goes to the callback first
/// and `FinishFlash` verifies the payment in the same transaction.
pub fn bid(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    auction_id: u64,
    max_collateral: Uint128,
    max_price: Decimal,
    callback: Option<FlashCallback>,
) -> Result<Response, ContractError> {
    if PENDING_FLASH.exists(deps.storage) {
        return Err(ContractError::Reentrancy);
    }
    if max_collateral.is_zero() {
        return Err(ContractError::ZeroAmount);
    }
    let cfg = CONFIG.load(deps.storage)?;
    let level = cfg.market.query_state_view(&deps.querier)?.breaker_level;
    if level >= breaker::NO_BIDS {
        return Err(ContractError::BidsHalted { level });
    }
    let mut auction = AUCTIONS
        .may_load(deps.storage, auction_id)?
        .ok_or(ContractError::UnknownAuction { id: auction_id })?;
    let p = params(deps.storage, &auction.denom)?;
    let oracle = oracle_price(&deps.querier, &cfg, &auction.denom)?;
    let now = env.block.time.seconds();
    let gauge = gauge(&deps.querier, &cfg, &p, &auction.denom, &oracle, now)?;
    let q = price_now(deps.storage, &env, &p, &auction, &oracle, gauge)?;
    if q.price > max_price {
        return Err(ContractError::PriceAboveMax {
            price: q.price,
            max_price,
        });
    }
    // The pool keeps what it buys: nothing reaches the book, nothing to wait for or pace.
    let from_pool = Some(&info.sender) == cfg.backstop.as_ref().map(|b| b.addr());
    // In a fall, bidders wait: what they buy goes into the falling book. Coming back, paced
    // sales take the share of the cap the median has come back.
    let share = if from_pool {
        Decimal::one()
    } else {
        p.fall_share(oracle.median, oracle.twap, &gauge, now)
    };
    if share.is_zero() {
        return Err(ContractError::SalesWaitFall {
            denom: auction.denom,
        });
    }
    let cap = if (p.hold == 0 && p.pace_sales.is_none()) || from_pool {
        None
    } else {
        Some(hole(deps.as_ref(), &cfg, &p, &auction.denom, gauge, now)?)
    };
    let pace = match (cap, p.pace_sales) {
        (Some(cap), Some(window)) => {
            let bucket = SALES
                .may_load(deps.storage, &auction.denom)?
                .unwrap_or_default();
            Some((cap, window, bucket))
        }
        _ => None,
    };
    let max_collateral = match &pace {
        Some((cap, window, bucket)) => paced(
            bucket.left_of_share(*cap, *window, now, share),
            &auction.denom,
            q.price,
            max_collateral,
        )?,
        None => max_collateral,
    };
    let (slice, owe) = size_bid(auction.lot, auction.tab, q.price, max_collateral, p.dust)?;
    if let Some((cap, window, bucket)) = pace {
        let bucket = bucket.after_sale(cap, window, now, owe);
        SALES.save(deps.storage, &auction.denom, &bucket)?;
    }
    let held = match cap {
        Some(cap) if p.hold > 0 => hold_curves(deps.storage, now, &p, &auction.denom, cap, owe)?,
        _ => 0,
    };
    let sale = apply_sale(deps.storage, &mut auction, slice, owe)?;
    if sale.closed {
        AUCTIONS.remove(deps.storage, auction_id);
        AUCTIONS_BY_DENOM.remove(deps.storage, (&auction.denom, auction_id));
    } else {
        AUCTIONS.save(deps.storage, auction_id, &auction)?;
    }
    let attrs = vec![
        ("action", "bid".to_string()),
        ("auction_id", auction_id.to_string()),
        ("bidder", info.sender.to_string()),
        ("denom", auction.denom.clone()),
        ("slice", slice.to_string()),
        ("owe", owe.to_string()),
        ("price", q.price.to_string()),
        ("at_floor", q.at_floor.to_string()),
        ("lot_left", auction.lot.to_string()),
        ("tab_left", auction.tab.to_string()),
        ("closed", sale.closed.to_string()),
        ("held", held.to_string()),
        ("shortfall", sale.shortfall.to_string()),
        ("flash", callback.is_some().to_string()),
    ];
    let lot_msg = |to: String| -> CosmosMsg {
        BankMsg::Send {
            to_address: to,
            amount: vec![coin(slice.u128(), &auction.denom)],
        }
        .into()
    };
    match callback {
        None => {
            let settlement = release(deps.storage, &cfg, &sale.payout)?;
            let paid = cw_utils::must_pay(&info, &cfg.base_denom)?;
            let paid = Uint128::try_from(paid).map_err(|_| ContractError::AmountTooLarge)?;
            if paid < owe {
                return Err(ContractError::Underpaid { owe, paid });
            }
            let mut res = Response::new()
                .add_attributes(attrs)
                .add_message(lot_msg(info.sender.to_string()))
                .add_messages(settlement);
            let refund = paid - owe;
            if !refund.is_zero() {
                res = res.add_message(BankMsg::Send {
                    to_address: info.sender.to_string(),
                    amount: vec![coin(refund.u128(), &cfg.base_denom)],
                });
            }
            Ok(res)
        }
        Some(cb) => {
            if !info.funds.is_empty() {
                return Err(ContractError::FlashWithFunds);
            }
            let receiver = FlashReceiverUnchecked(cb.contract).check(deps.api)?;
            let balance_before =
                query_balance_amount(&deps.querier, &env.contract.address, &cfg.base_denom)?;
            let balance_before =
                Uint128::try_from(balance_before).map_err(|_| ContractError::AmountTooLarge)?;
            PENDING_FLASH.save(
                deps.storage,
                &PendingFlash {
                    auction_id,
                    owe,
                    payer: receiver.addr().clone(),
                    balance_before,
                    payout: sale.payout,
                },
            )?;
            let callback_msg = receiver.breakwater_flash(&FlashReceiverMsg::BreakwaterFlash {
                auction_id,
                collateral: slice,
                collateral_denom: auction.denom.clone(),
                owe,
                denom: cfg.base_denom.clone(),
                liquidator: env.contract.address.to_string(),
                data: cb.data,
            })?;
            let finish = LiquidatorContract(env.contract.address.clone()).finish_flash()?;
            Ok(Response::new()
                .add_attributes(attrs)
                .add_attribute("flash_receiver", receiver.addr().as_str())
                .add_message(lot_msg(receiver.addr().to_string()))
                .add_message(callback_msg)
                .add_message(finish))
        }
    }
}

/// Completes a flash bid: only the contract itself, after the callback. Fails (reverting the
/// whole transaction, lot transfer included) unless the callback paid what it owes.
pub fn finish_flash(deps: DepsMut, env: Env, info: MessageInfo) -> Result<Response, ContractError> {
    if info.sender != env.contract.address {
        return Err(unauthorized("the liquidator itself"));
    }
    let pending = PENDING_FLASH
        .may_load(deps.storage)?
        .ok_or_else(|| unauthorized::<ContractError>("a pending flash bid"))?;
    let cfg = CONFIG.load(deps.storage)?;
    let now = query_balance_amount(&deps.querier, &env.contract.address, &cfg.base_denom)?;
    let now = Uint128::try_from(now).map_err(|_| ContractError::AmountTooLarge)?;
    let received = now.saturating_sub(pending.balance_before);
    if received < pending.owe {
        return Err(ContractError::FlashNotRepaid {
            owe: pending.owe,
            received,
        });
    }
    PENDING_FLASH.remove(deps.storage);
    let settlement = release(deps.storage, &cfg, &pending.payout)?;
    let mut res = Response::new()
        .add_attribute("action", "finish_flash")
        .add_attribute("auction_id", pending.auction_id.to_string())
        .add_attribute("owe", pending.owe)
        .add_attribute("received", received)
        .add_messages(settlement);
    let excess = received - pending.owe;
    if !excess.is_zero() {
        res = res.add_message(BankMsg::Send {
            to_address: pending.payer.to_string(),
            amount: vec![coin(excess.u128(), &cfg.base_denom)],
        });
    }
    Ok(res.add_attribute("refunded", excess))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(x: u128) -> Uint128 {
        Uint128::new(x)
    }

    #[test]
    fn a_bid_covering_the_tab_pays_exactly_the_tab() {
        // Lot 100 at price 10, tab 500: buying everything would cost 1000 > tab.
        let (slice, owe) = size_bid(u(100), u(500), Decimal::percent(1000), u(100), u(10)).unwrap();
        assert_eq!(owe, u(500));
        assert_eq!(slice, u(50));
    }

    #[test]
    fn a_partial_bid_may_not_leave_a_dust_tab() {
        // Tab 500, buying 49 units at 10 leaves 10 < dust 20.
        let err = size_bid(u(100), u(500), Decimal::percent(1000), u(49), u(20)).unwrap_err();
        assert!(matches!(err, ContractError::DustTab { .. }));
        // Leaving exactly dust is fine.
        let (slice, owe) = size_bid(u(100), u(500), Decimal::percent(1000), u(48), u(20)).unwrap();
        assert_eq!((slice, owe), (u(48), u(480)));
    }

    #[test]
    fn owe_rounds_up_and_slice_down() {
        // 3 units at 0.5 cost 1.5 -> 2.
        let (slice, owe) = size_bid(u(10), u(0), Decimal::percent(50), u(3), u(0)).unwrap();
        assert_eq!((slice, owe), (u(3), u(2)));
        // Tab 7 at price 2: floor(3.5) = 3 units for 7.
        let (slice, owe) = size_bid(u(10), u(7), Decimal::percent(200), u(10), u(0)).unwrap();
        assert_eq!((slice, owe), (u(3), u(7)));
    }

    #[test]
    fn a_tab_worth_less_than_one_unit_still_sells_that_unit_at_its_price() {
        // Tab 3, price 10 per unit: one unit for ceil(10), never for 3.
        let (slice, owe) = size_bid(u(10), u(3), Decimal::percent(1000), u(10), u(0)).unwrap();
        assert_eq!((slice, owe), (u(1), u(10)));
    }

    #[test]
    fn one_unit_bids_always_cost_something() {
        let tiny = Decimal::new(Uint128::new(1));
        let (slice, owe) = size_bid(u(10), u(0), tiny, u(1), u(0)).unwrap();
        assert_eq!((slice, owe), (u(1), u(1)));
    }
}
