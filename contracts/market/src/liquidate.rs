//! `Liquidate { borrower }`: a keeper hands an unhealthy account's collateral to the
//! liquidator's Dutch auctions, or the whole position to the backstop.
//!
//! # Health and the gates
//! Every held collateral is priced once: `W = Σ floor(amount_k × median_k) × LT_k` (the
//! threshold in force, after any ramp), `HF = W / D`. `HF >= 1` is never liquidated. Below
//! the hard floor (`HF < hard_floor_health_factor`) nothing may block a liquidation; above it,
//! a breaker at level 2 or any collateral without an active price refuses it.
//!
//! # Seizure order (cross-margin)
//! Repaying `R` of debt by seizing collateral `k` with penalty `p_k` takes value
//! `R·(1+p_k)` and so liquidation value `R·LT_k·(1+p_k)`. Write `f_k = LT_k·(1+p_k)`
//! (`< 1` by validation). Collaterals are seized in ascending `f_k`: per unit repaid, the
//! account loses the least liquidation value, so its health rises fastest. Ties go to the
//! larger value (fewer, bigger auctions), then to the denom (determinism).
//!
//! # Closed form and the toxic frontier
//! After repaying `R` against `k`:
//! ```text
//! HF' = (W − R·f_k) / (D − R)
//! HF' > HF  ⟺  (W − R·f_k)·D > W·(D − R)  ⟺  R·W > R·f_k·D  ⟺  W/D > f_k  ⟺  HF > f_k
//! HF' = T   ⟺  W − R·f_k = T·D − T·R    ⟺  R = (T·D − W) / (T − f_k)
//! ```
//! so a partial liquidation against `k` heals the account iff `HF > f_k`, and reaches the
//! target `T` with `R = ceil((ceil(T·D) − W) / (T − f_k))` (`T > 1 > f_k`, and `T·D > W`
//! since `HF < 1`), capped at `D`. Only collaterals with `f_k < HF` are candidates. If
//! `HF <= min_k f_k` no partial liquidation can help: the account is **toxic** and the whole
//! position must go.
//!
//! # Partial path (HF above the hard floor, not toxic)
//! Candidates: active holdings with `f_k < HF` and some value. For each, in seizure order
//! (see [`crate::seizure::Sizing`]):
//! 1. `R` as above; lot `= ceil(ceil(R·(1+p_k)) / median_k)`. When that exceeds the holding,
//!    the lot is the holding and `R = floor(floor(held_k·median_k) / (1+p_k))`.
//! 2. Dust (clear fully or leave at least the minimum): when `D − R < min_debt` or the
//!    collateral value left `< min_collateral_value`, close fully (`R = D` with its lot) if `k`
//!    covers `D·(1+p_k)`; otherwise a dust account (`D < min_debt` or collateral value `<
//!    min_collateral_value`) skips `k`, and any other account clears the holding `k` when the
//!    debt left would be dust.
//! 3. Throttle: `R > room_k` (the liquidator's `Room { denom }`) cuts `R` to
//!    `min(room_k, D − min_debt)` with its lot (a throttled repay never leaves dust); nothing
//!    left: no room.
//! 4. `floor(R / borrow_index)` debt shares are burned (all of them when `R = D`); none: too
//!    small.
//!
//! The first candidate whose `R >= min(min_debt, R_target)` is taken (a dust holding or one
//! unit of room on an early candidate cannot stop the search); else the fitting candidate with
//! the largest `R`. None fits: a dust account goes down the whole-position path; any other is
//! refused with `NoRoom` (or `LiquidationTooSmall`) until room frees. The account's debt drops
//! by at most `R` while `R` moves to `debt_in_auction`: the books keep `cash + total_borrowed +
//! debt_in_auction >= total_supplied + reserves + provision`.
//!
//! # Whole-position path (toxic, below the hard floor, or a dust account no candidate closes)
//! The debt is split by value, `tab_k = floor(D · value_k / Σ value)`, the largest holding
//! taking the rounding remainder so `Σ tab_k = D`. Above the hard floor a holding without an
//! active price stays on the account with its `tab_k` (see [`crate::whole_position`]); the
//! rest, `D_P`, goes. First the backstop's absorb: if its `AbsorbQuote` for the offered coins
//! and `D_P` says `can_absorb` and the holdings at the pool's discount cover `D_P`, the pool
//! pays `D_P` and takes only the lots that cover it, in seizure order (see
//! [`crate::seizure::absorb_lots`]); the rest stays with the borrower, whose loss is the
//! discount on what was taken. When they do not cover it, the pool takes everything offered
//! for `pay` base, `cash += pay` and `D_P − pay` is bad debt (see [`crate::settle`]).
//! Otherwise every offered holding goes to auction for its `tab_k` (a holding whose tab rounds
//! to zero stays with the borrower); `force` below the hard floor, else every tab must fit
//! its room and all of them the liquidator's global cap.
//!
//! # Keeper reward
//! `min(keeper_tip + keeper_chip × tab, keeper_reward_cap, reserves − backstop_due, cash)` from
//! reserves, only when the total tab is at least `min_debt`.
use crate::error::ContractError;
use crate::health::{health_of, price_holdings, PriceCache};
use crate::interest::accrue;
use crate::seizure::{room, seizure_order, Ctx, Held, Miss, Partial, Sizing};
use crate::settle::{keeper_reward, pay};
use crate::state::{save_account, ACCOUNTS, AUCTION_BOOKS, CONFIG, STATE};
use crate::whole_position::whole;
use breakwater_types::market::breaker;
use breakwater_types::math::health::value;
use cosmwasm_std::{Decimal, DepsMut, Env, MessageInfo, Response, Uint128};

/// `Liquidate { borrower }` (see the module docs).
pub fn execute_liquidate(
    mut deps: DepsMut,
    env: Env,
    info: MessageInfo,
    borrower: String,
) -> Result<Response, ContractError> {
    let borrower = deps.api.addr_validate(&borrower)?;
    let config = CONFIG.load(deps.storage)?;
    let liq = config
        .liquidation
        .as_ref()
        .ok_or(ContractError::LiquidationUnavailable)?;
    let now = env.block.time.seconds();
    let mut state = STATE.load(deps.storage)?;
    accrue(&mut state, &config, now)?;
    let account = ACCOUNTS
        .may_load(deps.storage, &borrower)?
        .unwrap_or_default();
    let debt = account.debt_shares.checked_mul_ceil(state.borrow_index)?;
    if debt.is_zero() {
        return Err(ContractError::NothingToLiquidate {
            address: borrower.into_string(),
        });
    }
    let lines = price_holdings(
        deps.as_ref(),
        &config,
        &account.collaterals,
        now,
        &mut PriceCache::default(),
    )?;
    let health = health_of(&lines, debt)?;
    let hf = health.health_factor.unwrap_or_default();
    if hf >= Decimal::one() {
        return Err(ContractError::Healthy { health_factor: hf });
    }
    // From here the account is judged at the prices the oracle stands behind: a halted (or
    // quorum-less) median counts at most as punitively as the TWAP, so a wick alone neither
    // makes a healthy account liquidatable nor pushes one below the hard floor.
    let untrusted = lines
        .iter()
        .find(|l| l.trusted != l.line.price)
        .map(|l| (l.denom.clone(), l.status.name().to_string()));
    let (lines, health) = match untrusted {
        None => (lines, health),
        Some((denom, status)) => {
            let lines: Vec<_> = lines
                .into_iter()
                .map(|mut l| {
                    l.line.price = l.trusted;
                    l
                })
                .collect();
            let health = health_of(&lines, debt)?;
            if health.health_factor.unwrap_or_default() >= Decimal::one() {
                return Err(ContractError::LiquidationPaused { denom, status });
            }
            (lines, health)
        }
    };
    let hf = health.health_factor.unwrap_or_default();
    let p = &liq.params;
    let hard_floor = hf < p.hard_floor_health_factor;
    if !hard_floor && state.breaker_level >= breaker::NO_AUCTIONS {
        return Err(ContractError::AuctionsPaused {
            level: state.breaker_level,
        });
    }
    // Above the hard floor only the collateral actually auctioned needs an active price: a
    // holding of a paused collateral must not shield the rest of the account.
    let mut held = vec![];
    for l in lines {
        let bonus = Decimal::one().checked_add(l.penalty)?;
        held.push(Held {
            active: l.status.is_active(),
            status: l.status.name(),
            value: value(l.line.amount, l.line.price)?,
            factor: l.line.liquidation_threshold.checked_mul(bonus)?,
            denom: l.denom,
            amount: l.line.amount,
            price: l.line.price,
            bonus,
        });
    }
    seizure_order(&mut held);

    let mut ctx = Ctx {
        liq,
        borrower: borrower.to_string(),
        state,
        account,
        book: AUCTION_BOOKS
            .may_load(deps.storage, &borrower)?
            .unwrap_or_default(),
        res: Response::new(),
        denoms: String::new(),
        lots: String::new(),
    };
    // Partial: the first candidate in seizure order (active, `f_k < HF`, some value) whose
    // repay is useful; else the fitting candidate with the largest repay. Not for hard-floor
    // accounts.
    let mut mode = "toxic_auction";
    let mut tab = debt;
    let mut whole_path = true;
    if !hard_floor {
        let sizing = Sizing {
            params: p,
            debt,
            liquidation_value: health.liquidation_value,
            collateral_value: health.collateral_value,
            debt_shares: ctx.account.debt_shares,
            borrow_index: ctx.state.borrow_index,
        };
        let mut chosen: Option<(&Held, Partial)> = None;
        let mut best: Option<(&Held, Partial)> = None;
        let (mut any, mut no_room, mut most_room, mut too_small) =
            (false, String::new(), Uint128::zero(), false);
        let candidates = held
            .iter()
            .filter(|h| h.active && h.factor < hf && !h.value.is_zero());
        for h in candidates {
            any = true;
            let sized = match sizing.before_room(h)? {
                Ok(sized) => sized,
                Err(_) => continue,
            };
            match sizing.fit(h, sized, room(&deps.querier, liq, &h.denom)?.room)? {
                Ok(part) if sizing.useful(&part) => {
                    chosen = Some((h, part));
                    break;
                }
                Ok(part) => {
                    if best.as_ref().is_none_or(|(_, b)| part.tab > b.tab) {
                        best = Some((h, part));
                    }
                }
                Err(Miss::NoRoom(r)) => {
                    if !no_room.is_empty() {
                        no_room.push(',');
                    }
                    no_room.push_str(&h.denom);
                    most_room = most_room.max(r);
                }
                Err(_) => too_small = true,
            }
        }
        if let Some((h, part)) = chosen.or(best) {
            ctx.burn(part.burned)?;
            ctx.auction(deps.storage, &h.denom, part.lot, part.tab, false)?;
            mode = if part.tab == debt { "full" } else { "partial" };
            tab = part.tab;
            whole_path = false;
        } else if any && !sizing.dust_account() {
            // Candidates heal the account but none fits now: throttled.
            if !no_room.is_empty() {
                return Err(ContractError::NoRoom {
                    denom: no_room,
                    room: most_room,
                });
            }
            if too_small {
                return Err(ContractError::LiquidationTooSmall);
            }
        }
    }
    if whole_path {
        (mode, tab) = whole(
            &mut ctx,
            &mut deps,
            &config.base_denom,
            &held,
            debt,
            hard_floor,
        )?;
    }

    let reward = keeper_reward(&mut ctx.state, p, tab)?;
    save_account(deps.storage, &borrower, &ctx.account)?;
    if !ctx.book.in_auction.is_zero() {
        AUCTION_BOOKS.save(deps.storage, &borrower, &ctx.book)?;
    }
    STATE.save(deps.storage, &ctx.state)?;
    let res = ctx
        .res
        .add_attribute("action", "liquidate")
        .add_attribute("borrower", borrower.as_str())
        .add_attribute("keeper", info.sender.as_str())
        .add_attribute("health_factor", hf.to_string())
        .add_attribute("debt", debt)
        .add_attribute("mode", mode)
        .add_attribute("denom", ctx.denoms)
        .add_attribute("lot", ctx.lots)
        .add_attribute("tab", tab)
        .add_attribute("hard_floor", hard_floor.to_string())
        .add_attribute("keeper_reward", reward)
        .add_attribute("debt_in_auction", ctx.state.debt_in_auction);
    Ok(pay(res, &info.sender, reward, &config.base_denom))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::execute;
    use crate::mock::setup;
    use breakwater_types::market::ExecuteMsg;
    use cosmwasm_std::testing::message_info;

    #[test]
    fn without_a_liquidation_set_up_nothing_is_liquidated() {
        let (mut deps, env, _) = setup();
        let keeper = deps.api.addr_make("keeper");
        let borrower = deps.api.addr_make("borrower").to_string();
        let err = execute(
            deps.as_mut(),
            env,
            message_info(&keeper, &[]),
            ExecuteMsg::Liquidate { borrower },
        )
        .unwrap_err();
        assert!(matches!(err, ContractError::LiquidationUnavailable));
        assert!(err.to_string().contains("no liquidator is configured"));
    }
}
