//! The whole-position path: the tab split, unpriced holdings, the absorb lots, auctions within
//! the caps, the provision and the write-off (see the parent module).
use super::partial::Held;
use super::{LiquidationPlan, Lot, PlanError, Position, Quotes};
use crate::market::{LiquidationParams, RedistributionParams};
use cosmwasm_std::{coin, Decimal, Uint128, Uint256};

/// Splits `debt` across holdings by value (`floor`), the largest (first in seizure order
/// among equals) taking the remainder, so the tabs sum to `debt`.
pub fn split_tabs(held: &[Held], debt: Uint128) -> Result<Vec<Uint128>, PlanError> {
    let mut total = Uint128::zero();
    let mut largest = 0;
    for (i, h) in held.iter().enumerate() {
        total = total.checked_add(h.value)?;
        if held.get(largest).is_some_and(|l| h.value > l.value) {
            largest = i;
        }
    }
    let mut tabs = vec![];
    let mut rest = debt;
    for h in held {
        let t = if total.is_zero() {
            Uint128::zero()
        } else {
            debt.checked_multiply_ratio(h.value, total)?
        };
        rest = rest.checked_sub(t)?;
        tabs.push(t);
    }
    if let Some(t) = tabs.get_mut(largest) {
        *t = t.checked_add(rest)?;
    }
    Ok(tabs)
}

/// The lots an absorb at `discount` takes to cover `debt`, one per holding of `held` (in
/// seizure order): holdings are taken whole until the next one covers the rest, which is
/// taken in part, rounded up; the holdings after it stay with the borrower. `None` when every
/// holding at the discount does not cover `debt` (the pool then takes all of them for their
/// discounted value and the rest is bad debt).
///
/// The backstop pays at most `floor(Σ a_k·p_k·(1 − d))` for the coins attached, so the lots
/// must satisfy `(S + u·p)·(1 − d) >= debt`, where `S` is the value of the holdings taken
/// whole and `p` the price of the one taken in part, all at the trusted prices (the pool
/// values an active price at its median, which is the trusted price, and a halted one at
/// least as high). With the prices and `keep = 1 − d` as
/// their 18-decimal integers `P_k` and `K`, and `S18 = Σ a_k·P_k`, the least `u` is
///
/// ```text
/// u = ceil((debt·10^36 − S18·K) / (P·K))
/// ```
///
/// computed exactly in 256-bit integers: every holding's value fits 128 bits, so `a·P <
/// 2^128·10^18 < 2^188`, `a·P·K < 2^248`, and the sum of at most 16 of them and `debt·10^36`
/// stay below `2^256`. The borrower loses the discount on what is taken, `d·(S + u·p)`, plus
/// less than one unit of the last holding.
pub fn absorb_lots(
    held: &[Held],
    debt: Uint128,
    discount: Decimal,
) -> Result<Option<Vec<Uint128>>, PlanError> {
    let k = Uint256::from(Decimal::one().checked_sub(discount)?.atomics());
    let target = Uint256::from(debt).checked_mul(Uint256::from(10u128.pow(36)))?;
    let mut taken = Uint256::zero();
    let mut lots = vec![];
    for h in held {
        let pk = Uint256::from(h.price.atomics()).checked_mul(k)?;
        let whole = Uint256::from(h.amount).checked_mul(pk)?;
        let next = taken.checked_add(whole)?;
        if next >= target {
            let need = target.checked_sub(taken)?;
            let units = if need.is_zero() {
                Uint256::zero()
            } else {
                need.checked_add(pk.checked_sub(Uint256::one())?)?
                    .checked_div(pk)?
            };
            lots.push(Uint128::try_from(units)?.min(h.amount));
            return Ok(Some(lots));
        }
        taken = next;
        lots.push(h.amount);
    }
    Ok(None)
}

/// The holdings a branch of the whole-position path takes (`all` of them, or those with an
/// active price and, with `halted_too`, the halted ones; with their tabs), the debt it moves
/// out (`tab`, what the others' tabs leave) and the shares it burns; `Err` when it takes
/// nothing or burns nothing (the oracle is waited for). (Flags, not a closure: one copy in the
/// wasm instead of one per caller.)
#[allow(clippy::type_complexity)]
fn branch<'h>(
    position: &Position,
    held: &'h [Held],
    tabs: &[Uint128],
    all: bool,
    halted_too: bool,
) -> Result<Result<(Vec<(&'h Held, Uint128)>, Uint128, Uint128), PlanError>, PlanError> {
    let take = |h: &Held| all || h.active || (halted_too && h.halted);
    let mut kept = Uint128::zero();
    let mut offered = vec![];
    for (h, tab) in held.iter().zip(tabs) {
        if take(h) {
            offered.push((h, *tab));
        } else {
            kept = kept.checked_add(*tab)?;
        }
    }
    let paused = |h: &Held| PlanError::Paused {
        denom: h.denom.clone(),
        status: h.status,
    };
    let Some(first) = held.first() else {
        return Ok(Err(PlanError::TooSmall));
    };
    if offered.is_empty() {
        // Nothing priced to take: wait for the oracle.
        return Ok(Err(paused(first)));
    }
    let tab = position.debt.checked_sub(kept)?;
    let burned = if kept.is_zero() {
        position.debt_shares
    } else {
        tab.checked_div_floor(position.borrow_index)?
    };
    if burned.is_zero() {
        // The part taken is worth less than one debt share: what blocks the account is the
        // holdings kept (`kept` > 0, so there is one). Wait for the oracle.
        let unpriced = held.iter().find(|h| !take(h));
        return Ok(Err(unpriced.map_or(PlanError::TooSmall, paused)));
    }
    Ok(Ok((offered, tab, burned)))
}

/// The whole-position path over `held` (in seizure order), under `params`. With a wick rule,
/// a `Halted` holding may go to the backstop (transferred, not auctioned into the wick). With
/// redistribution, the backstop absorbs only when it can pay or cover the whole debt, and a
/// position it cannot take whose auctions would not fit the room is redistributed instead
/// ([`redistribute`]). With `absorb_on_credit`, a position that can neither be auctioned
/// within the room (nor at all: a halted holding above the hard floor) nor redistributed is
/// absorbed with what the market lends the pool: credit goes only where the alternative is a
/// sale into a book without room, and stays for covering bad debt otherwise. With
/// `pace_hard_floor`, auctions below the hard floor fit the room too (see [`auctions`]).
/// (The parameters by reference, not as flags: the market's wasm allows at most 100 locals in
/// a function, and this one is inlined into a large caller.)
pub(super) fn plan<Q: Quotes>(
    position: &Position,
    held: &[Held],
    hard_floor: bool,
    params: &LiquidationParams,
    quotes: &mut Q,
) -> Result<LiquidationPlan, Q::Error> {
    let wick = params.wick.is_some();
    let redistribution = params.redistribution.as_ref();
    let on_credit = params.absorb_on_credit;
    let debt = position.debt;
    if held.is_empty() {
        return Ok(LiquidationPlan::WriteOff {
            tab: debt,
            burned: position.debt_shares,
            base: quotes.backstop_base()?,
        });
    }
    let tabs = split_tabs(held, debt)?;
    // The backstop first: it takes what it can value (active prices, and halted ones under
    // the wick rule). Above the hard floor a holding it cannot take stays with its share of
    // the debt; below it every holding must go, so it absorbs only when it can take them all.
    let transferable = |h: &Held| h.active || (wick && h.halted);
    let absorbable = branch(position, held, &tabs, hard_floor, wick)?;
    let takeable = match &absorbable {
        Ok((offered, _, _)) => offered.iter().all(|(h, _)| transferable(h)),
        Err(_) => false,
    };
    let whole = redistribution.is_some();
    if let (Ok((offered, tab, burned)), true) = (&absorbable, takeable) {
        if let Some(plan) = absorb(offered, *tab, *burned, wick, whole, false, quotes)? {
            return Ok(plan);
        }
    }
    // Then auctions: above the hard floor only of active holdings (an unpriced one stays with
    // its share of the debt), below it of everything, forced; unless they would not fit the
    // room (or a halted holding cannot be auctioned at all) and the position can be
    // redistributed, or else absorbed on credit.
    let auctionable = branch(position, held, &tabs, hard_floor, false)?;
    // The room decides redistribution only without `backstop_first` (asked only then, or for
    // an absorb on credit).
    let first = redistribution.is_some_and(|r| r.backstop_first);
    let no_room = match &auctionable {
        Ok((offered, _, _)) => ((whole && !first) || on_credit) && !fits_room(offered, quotes)?,
        Err(_) => true,
    };
    if let (Some(r), Ok((offered, tab, burned))) = (redistribution, &auctionable) {
        let exhausted = if first {
            !backstop_covers(offered, *tab, params.backstop_credit.is_some(), quotes)?
        } else {
            no_room
        };
        if exhausted {
            if let Some(plan) = redistribute(position, offered, *tab, *burned, r, quotes)? {
                return Ok(plan);
            }
        }
    }
    if let (Ok((offered, tab, burned)), true, true) = (&absorbable, takeable, no_room && on_credit)
    {
        if let Some(plan) = absorb(offered, *tab, *burned, wick, whole, true, quotes)? {
            return Ok(plan);
        }
    }
    let (offered, tab, burned) = auctionable?;
    auctions(
        offered,
        tab,
        burned,
        hard_floor,
        params.pace_hard_floor,
        quotes,
    )
}

/// Whether the backstop covers what `offered` lacks of `tab` at the trusted prices (`tab −
/// Σ value`, nothing when the collateral covers it) with what the waterfall would give it:
/// its base, then, with the credit rule (`credit`: `LiquidationParams::backstop_credit` set),
/// what the market owes it and lends it (`absorb_credit(0)`, asked only when the base falls
/// short). Then redistribution waits for the backstop to be exhausted
/// ([`RedistributionParams::backstop_first`]).
#[inline(never)]
pub(super) fn backstop_covers<Q: Quotes>(
    offered: &[(&Held, Uint128)],
    tab: Uint128,
    credit: bool,
    quotes: &mut Q,
) -> Result<bool, Q::Error> {
    let value = offered
        .iter()
        .try_fold(Uint128::zero(), |v, (h, _)| v.checked_add(h.value))
        .map_err(PlanError::from)?;
    let lacks = tab.saturating_sub(value);
    if lacks.is_zero() {
        return Ok(true);
    }
    let base = quotes.backstop_base()?;
    Ok(lacks <= base
        || (credit && lacks <= base.saturating_add(quotes.absorb_credit(Uint128::zero())?)))
}

/// Whether every auction of `offered` fits its collateral's room and all of them the global
/// cap (what an unforced whole-position liquidation needs).
fn fits_room<Q: Quotes>(offered: &[(&Held, Uint128)], quotes: &mut Q) -> Result<bool, Q::Error> {
    let mut total = Uint128::zero();
    let mut global = Uint128::MAX;
    for (h, t) in offered.iter().filter(|(_, t)| !t.is_zero()) {
        let r = quotes.room(&h.denom)?;
        if *t > r.room {
            return Ok(false);
        }
        total = total.checked_add(*t).map_err(PlanError::from)?;
        global = r.global;
    }
    Ok(total <= global)
}

/// Redistribution of `offered` (each holding with its tab), moving `tab` of debt and `burned`
/// debt shares. Each lot is the holding capped at `ceil(tab_k · (1 + b_k) / price_k)` units,
/// `b_k = min(bonus in force, penalty_cap)` (no more than an auction would cost the borrower); the shares go with the tabs, `floor(burned · tab_k / tab)`, the largest tab taking
/// the remainder. `None` when a holding with a tab has no price to cap it at (neither active
/// nor halted), when no other account holds its denom, or when the recipients would be left
/// together below `min_recipient_health` (or their health cannot be told): moving debt among
/// holders who are together under water would only push them under one after another.
pub(super) fn redistribute<Q: Quotes>(
    position: &Position,
    offered: &[(&Held, Uint128)],
    tab: Uint128,
    burned: Uint128,
    r: &RedistributionParams,
    quotes: &mut Q,
) -> Result<Option<LiquidationPlan>, Q::Error> {
    let cap = Decimal::one()
        .checked_add(r.penalty_cap)
        .map_err(PlanError::from)?;
    let mut lots = vec![];
    let mut shares = vec![];
    let mut given = Uint128::zero();
    let mut largest: Option<usize> = None;
    for (h, t) in offered.iter().filter(|(_, t)| !t.is_zero()) {
        if !(h.active || h.halted) || h.price.is_zero() {
            return Ok(None);
        }
        let others = quotes.stake(&h.denom)?.saturating_sub(h.amount);
        if others.is_zero() {
            return Ok(None);
        }
        let most = t
            .checked_mul_ceil(h.bonus.min(cap))
            .map_err(PlanError::from)?
            .checked_div_ceil(h.price)
            .map_err(PlanError::from)?;
        let s = burned
            .checked_multiply_ratio(*t, tab)
            .map_err(PlanError::from)?;
        given = given.checked_add(s).map_err(PlanError::from)?;
        if largest.is_none_or(|i| lots.get(i).is_some_and(|l: &Lot| *t > l.tab)) {
            largest = Some(lots.len());
        }
        lots.push(Lot {
            denom: h.denom.clone(),
            amount: most.min(h.amount),
            tab: *t,
        });
        shares.push(s);
    }
    let (Some(i), false) = (largest, burned.is_zero()) else {
        return Ok(None);
    };
    if let Some(s) = shares.get_mut(i) {
        *s = s
            .checked_add(burned.checked_sub(given).map_err(PlanError::from)?)
            .map_err(PlanError::from)?;
    }
    match quotes.recipients_health(position, &lots, &shares)? {
        Some(h) if h >= r.min_recipient_health => {}
        _ => return Ok(None),
    }
    Ok(Some(LiquidationPlan::Redistribute {
        lots,
        shares,
        tab,
        burned,
    }))
}

/// The backstop's absorb of `offered` for `tab`, when it can.
/// With `whole`, only when the pool can pay or cover all of `tab` (otherwise the rest would be
/// bad debt while the position could be redistributed). With `on_credit`, when the pool's base
/// falls short of a tab the lots cover at its discount, the market lends it the rest within
/// [`Quotes::absorb_credit`]: the pool still takes the lots, and repays the loan from what it
/// later sells them for.
fn absorb<Q: Quotes>(
    offered: &[(&Held, Uint128)],
    tab: Uint128,
    burned: Uint128,
    halted: bool,
    whole: bool,
    on_credit: bool,
    quotes: &mut Q,
) -> Result<Option<LiquidationPlan>, Q::Error> {
    let coins = offered
        .iter()
        .map(|(h, _)| coin(h.amount.u128(), &h.denom))
        .collect();
    let quote = quotes.absorb_quote(coins, tab, halted)?;
    let base = quote.available;
    let need = if whole { tab } else { quote.pay };
    // Credit finances only a position the lots cover at the pool's discount (`pay` is the
    // whole tab): the loan is never lent against a loss. Every offered holding is priced
    // (active, or halted under the wick rule), so a quote the pool refuses with a positive
    // `pay` is one its base cannot fund.
    let credit = if on_credit && !tab.is_zero() && quote.pay >= tab && base < need {
        quotes
            .absorb_credit(quote.pay)?
            .min(need.checked_sub(base).map_err(PlanError::from)?)
    } else {
        Uint128::zero()
    };
    let funds = base.checked_add(credit).map_err(PlanError::from)?;
    let can = quote.can_absorb || (!credit.is_zero() && funds >= quote.pay);
    if !can || funds < need {
        return Ok(None);
    }
    let holdings: Vec<Held> = offered.iter().map(|(h, _)| (*h).clone()).collect();
    let lots = if quote.pay >= tab {
        absorb_lots(&holdings, tab, quote.discount)?
    } else {
        None
    };
    let (lots, price) = match lots {
        Some(lots) => (lots, tab),
        None => (
            holdings.iter().map(|h| h.amount).collect(),
            quote.pay.min(tab),
        ),
    };
    // The pool pays from its base first; the market lends the rest.
    let pay = price.min(base);
    let lent = price.checked_sub(pay).map_err(PlanError::from)?;
    Ok(Some(LiquidationPlan::Absorb {
        lots: holdings
            .iter()
            .zip(lots)
            .filter(|(_, l)| !l.is_zero())
            .map(|(h, amount)| Lot {
                denom: h.denom.clone(),
                amount,
                tab: Uint128::zero(),
            })
            .collect(),
        tab,
        pay,
        on_credit: lent,
        burned,
        base: base.saturating_sub(pay),
    }))
}

/// One auction per offered holding with a tab (forced below the hard floor: started on a
/// price that is not active; within the caps above it, and below it too when `paced`), with
/// the visible shortfall provisioned.
fn auctions<Q: Quotes>(
    offered: Vec<(&Held, Uint128)>,
    tab: Uint128,
    burned: Uint128,
    hard_floor: bool,
    paced: bool,
    quotes: &mut Q,
) -> Result<LiquidationPlan, Q::Error> {
    let auctioned: Vec<(&Held, Uint128)> =
        offered.into_iter().filter(|(_, t)| !t.is_zero()).collect();
    // Each auction as (holding, lot, tab): the whole holding, unless only a part fits.
    let mut parts: Vec<(&Held, Uint128, Uint128)> =
        auctioned.iter().map(|(h, t)| (*h, h.amount, *t)).collect();
    let (mut tab, mut burned, mut part) = (tab, burned, false);
    if !hard_floor || paced {
        // Every tab must fit its collateral's room, and all of them the global cap. When they
        // do not, the largest fraction `φ` of the position that fits goes (Maker's partial
        // bark): each tab `floor(t·φ)`, each lot `ceil(amount·φ)`, debt shares
        // `floor(burned · Σ tab' / tab)`, so the account keeps at least its share of the debt.
        let (mut total, mut global) = (Uint128::zero(), Uint128::MAX);
        let mut phi = Decimal::one();
        let mut tightest = (String::new(), Uint128::zero());
        for (h, t) in &auctioned {
            let r = quotes.room(&h.denom)?;
            if *t > r.room {
                let f = Decimal::checked_from_ratio(r.room, *t).map_err(PlanError::from)?;
                if f < phi {
                    phi = f;
                    tightest = (h.denom.clone(), r.room);
                }
            }
            total = total.checked_add(*t).map_err(PlanError::from)?;
            global = r.global;
        }
        if total > global {
            let f = Decimal::checked_from_ratio(global, total).map_err(PlanError::from)?;
            if f < phi {
                phi = f;
                // The denoms joined with ",", written into one String (no `join`: its
                // generic copy loop is about 1 KB of wasm used nowhere else).
                let mut denoms = String::new();
                for (i, (h, _)) in auctioned.iter().enumerate() {
                    if i > 0 {
                        denoms.push(',');
                    }
                    denoms.push_str(&h.denom);
                }
                tightest = (denoms, global);
            }
        }
        if phi < Decimal::one() {
            let no_room = || PlanError::NoRoom {
                denom: tightest.0.clone(),
                room: tightest.1,
            };
            let mut cut = Uint128::zero();
            for (h, lot, t) in parts.iter_mut() {
                *t = t.checked_mul_floor(phi).map_err(PlanError::from)?;
                *lot = h
                    .amount
                    .checked_mul_ceil(phi)
                    .map_err(PlanError::from)?
                    .min(h.amount);
                cut = cut.checked_add(*t).map_err(PlanError::from)?;
            }
            let shares = burned.multiply_ratio(cut, tab);
            if cut.is_zero() || shares.is_zero() {
                return Err(no_room().into());
            }
            parts.retain(|(_, lot, t)| !t.is_zero() && !lot.is_zero());
            (tab, burned, part) = (cut, shares, true);
        }
    }
    // A tab above its lot's value is a visible shortfall: provisioned at once.
    let (mut tabs, mut values) = (Uint128::zero(), Uint128::zero());
    for (h, lot, t) in &parts {
        tabs = tabs.checked_add(*t).map_err(PlanError::from)?;
        let value = if *lot == h.amount {
            h.value
        } else {
            lot.checked_mul_floor(h.price).map_err(PlanError::from)?
        };
        values = values.checked_add(value).map_err(PlanError::from)?;
    }
    let provision = tabs.saturating_sub(values);
    let base = if provision.is_zero() {
        Uint128::zero()
    } else {
        quotes.backstop_base()?
    };
    Ok(LiquidationPlan::Auctions {
        lots: parts
            .into_iter()
            .map(|(h, amount, t)| Lot {
                denom: h.denom.clone(),
                amount,
                tab: t,
            })
            .collect(),
        part,
        tab,
        burned,
        forced: hard_floor,
        provision,
        base,
    })
}
