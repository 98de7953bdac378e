//! Settling liquidations: `AuctionProceeds`, `RewardKeeper`, and the two routines they share
//! with `Liquidate`: covering bad debt and paying keepers.
//!
//! Bad debt `s` (an auction shortfall, or what an absorb paid below the debt) is covered in
//! this order, and every unit lands in exactly one of the three counters (the backstop's
//! counter takes `c + o + l`):
//!
//! ```text
//! c = min(s, backstop base)          CoverShortfall { amount: c }; cash += c
//! o = min(s − c, backstop_due)       backstop_due −= o; reserves −= o     (with backstop_credit)
//! l = min(s − c − o, credit)         backstop_debt += l                   (with backstop_credit)
//! r = min(s − c − o − l, reserves − backstop_due)        reserves −= r
//! d = s − c − o − l − r              supply_index −= ceil(d / total_supply_shares)
//! ```
//! The backstop pays `min(amount, its base)` within the same transaction, and `c` never
//! exceeds the base it holds when its message runs, so `cash` is booked at once. `o` is the
//! pool's own money the market holds for it; `l` is lent to the pool against the collateral it
//! holds ([`backstop_credit`]) and repaid from the base it receives (`RepayBackstopDebt`).
//! Rounding the index cut up makes `total_supplied` drop by at least `d`, so the books keep
//! `cash + total_borrowed + debt_in_auction + backstop_debt >= total_supplied + reserves +
//! provision`.
//!
//! A toxic auction whose tab exceeds its lot's value books that visible loss when it starts
//! ([`provision`]); its shortfall at settlement uses the provision first and the rest goes
//! through the waterfall; when the borrower's last auction settles, what the provision did not
//! use returns in reverse order (see [`crate::state::AuctionBook`]).
use crate::error::ContractError;
use crate::health::{price_holdings, PriceCache};
use crate::interest::accrue;
use crate::payment::to_u128;
use crate::state::{
    save_account, AuctionBook, Config, Liquidation, MarketState, AUCTION_BOOKS, COLLATERALS,
};
use crate::state::{CONFIG, STATE};
use breakwater_types::adapters::query_balance_amount;
use breakwater_types::market::LiquidationParams;
use breakwater_types::oracle::OracleStatus;
use cosmwasm_std::{
    coins, Addr, BankMsg, Decimal, Deps, DepsMut, Env, Event, MessageInfo, Order, QuerierWrapper,
    Response, Uint128,
};

/// The smallest positive decimal (10^-18).
const EPSILON: Decimal = Decimal::new(Uint128::new(1));

/// What the backstop can put towards bad debt within one message, base units; each cover
/// takes from it.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct BackstopFunds {
    /// Its base balance (what `CoverShortfall` can pay).
    pub base: Uint128,
    /// What the market may still lend it against its collateral ([`backstop_credit`]).
    pub credit: Uint128,
}

/// Who covered a bad debt, base units.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Cover {
    /// Borne by the backstop: paid from its base, from what the market owed it, or lent to it
    /// (`from_due` and `on_credit` are the last two parts).
    pub backstop: Uint128,
    /// Part of `backstop` taken from what the market owed the pool (`backstop_due`).
    pub from_due: Uint128,
    /// Part of `backstop` lent to the pool (`backstop_debt`).
    pub on_credit: Uint128,
    /// Taken from free reserves.
    pub reserves: Uint128,
    /// Cut from the supply index.
    pub socialized: Uint128,
}

/// Covers bad debt `bad` from the backstop (`funds`: its base when its message runs and the
/// credit left, both reduced by what this cover takes), with the backstop's credit rule also
/// from what the market owes the pool and on credit, then free reserves, then suppliers; adds
/// the messages and events to `res`.
pub fn cover_bad_debt(
    res: Response,
    state: &mut MarketState,
    liq: &Liquidation,
    bad: Uint128,
    funds: &mut BackstopFunds,
) -> Result<(Response, Cover), ContractError> {
    let mut res = res;
    let c = bad.min(funds.base);
    funds.base = funds.base.checked_sub(c)?;
    if !c.is_zero() {
        res = res.add_message(liq.backstop.cover_shortfall(c)?);
        state.cash = state.cash.checked_add(c)?;
    }
    let (o, l) = if liq.params.backstop_credit.is_some() {
        let o = bad.checked_sub(c)?.min(state.backstop_due);
        state.backstop_due = state.backstop_due.checked_sub(o)?;
        state.reserves = state.reserves.checked_sub(o)?;
        let l = bad.checked_sub(c)?.checked_sub(o)?.min(funds.credit);
        funds.credit = funds.credit.checked_sub(l)?;
        state.backstop_debt = state.backstop_debt.checked_add(l)?;
        (o, l)
    } else {
        (Uint128::zero(), Uint128::zero())
    };
    let by_backstop = c.checked_add(o)?.checked_add(l)?;
    state.bad_debt_covered_by_backstop = state
        .bad_debt_covered_by_backstop
        .checked_add(by_backstop)?;
    let r = bad.checked_sub(by_backstop)?.min(state.free_reserves());
    state.reserves = state.reserves.checked_sub(r)?;
    state.bad_debt_covered_by_reserves = state.bad_debt_covered_by_reserves.checked_add(r)?;
    let d = bad.checked_sub(by_backstop)?.checked_sub(r)?;
    res = res.add_event(
        Event::new("bad_debt")
            .add_attribute("action", "cover_bad_debt")
            .add_attribute("amount", bad)
            .add_attribute("covered_by_backstop", by_backstop)
            .add_attribute("backstop_base", c)
            .add_attribute("backstop_due", o)
            .add_attribute("backstop_credit", l)
            .add_attribute("covered_by_reserves", r)
            .add_attribute("socialized", d),
    );
    if !d.is_zero() {
        let shares = state.total_supply_shares;
        if !shares.is_zero() {
            let mut cut = Decimal::checked_from_ratio(d, shares)?;
            if shares.checked_mul_floor(cut)? < d {
                cut = cut.checked_add(EPSILON)?;
            }
            // An index of zero would refuse every future supply: keep one atomic unit.
            state.supply_index = state.supply_index.saturating_sub(cut).max(EPSILON);
        }
        state.bad_debt_socialized = state.bad_debt_socialized.checked_add(d)?;
        res = res.add_event(
            Event::new("deficit_socialized")
                .add_attribute("action", "deficit_socialized")
                .add_attribute("amount", d)
                .add_attribute("supply_index", state.supply_index.to_string()),
        );
    }
    Ok((
        res,
        Cover {
            backstop: by_backstop,
            from_due: o,
            on_credit: l,
            reserves: r,
            socialized: d,
        },
    ))
}

/// The collateral the backstop holds, valued: `Σ_k floor(units_k · price_k)` over the listed
/// collaterals, the price the median when active and the lower of median and TWAP while the
/// breaker halts it. `strict = false` (what the market lends against): only the pool's
/// account, and a price that is neither counts nothing. `strict = true` (what a write-down
/// must not understate): the units under resale at the liquidator too, and such a price is an
/// error.
pub fn backstop_collateral_value(
    deps: Deps,
    config: &Config,
    liq: &Liquidation,
    now: u64,
    strict: bool,
) -> Result<Uint128, ContractError> {
    let mut held = vec![];
    for denom in COLLATERALS.keys(deps.storage, None, None, Order::Ascending) {
        let denom = denom?;
        let mut units = to_u128(query_balance_amount(
            &deps.querier,
            liq.backstop.addr(),
            &denom,
        )?)?;
        if strict {
            let resale = liq.liquidator.query_resale_lot(&deps.querier, &denom)?;
            units = units.checked_add(resale)?;
        }
        if !units.is_zero() {
            held.push((denom, units));
        }
    }
    let mut sum = Uint128::zero();
    for l in price_holdings(deps, config, &held, now, &mut PriceCache::default())? {
        let price = match l.status {
            OracleStatus::Active {} => l.line.price,
            // In a wick the lower of the halted median and the TWAP.
            OracleStatus::Halted { .. } => l.line.price.min(l.twap),
            _ if strict => {
                return Err(ContractError::PriceNotActive {
                    denom: l.denom,
                    status: l.status.name().to_string(),
                })
            }
            _ => continue,
        };
        sum = sum.checked_add(l.line.amount.checked_mul_floor(price)?)?;
    }
    Ok(sum)
}

/// What the market may still lend the backstop: `floor(ratio · V) − backstop_debt`, `V` the
/// collateral in the pool's account valued by [`backstop_collateral_value`] (not strict: a
/// stale price or one without quorum counts nothing, nor do units under resale). Zero without
/// the rule, and zero when anything cannot be read: the valuation never fails a liquidation or
/// a settlement.
pub fn backstop_credit(
    deps: Deps,
    config: &Config,
    liq: &Liquidation,
    state: &MarketState,
) -> Uint128 {
    let Some(ratio) = liq.params.backstop_credit else {
        return Uint128::zero();
    };
    backstop_collateral_value(deps, config, liq, state.last_accrued, false)
        .and_then(|v| Ok(v.checked_mul_floor(ratio)?))
        .unwrap_or_default()
        .saturating_sub(state.backstop_debt)
}

/// What the backstop can put towards bad debt now: its base and, when `bad` exceeds that base,
/// its credit (queried only then).
pub fn backstop_funds(
    deps: Deps,
    config: &Config,
    liq: &Liquidation,
    state: &MarketState,
    bad: Uint128,
) -> Result<BackstopFunds, ContractError> {
    let base = backstop_base(&deps.querier, liq, &config.base_denom)?;
    let credit = credit_beyond(deps, config, liq, state, bad, base)?;
    Ok(BackstopFunds { base, credit })
}

/// [`backstop_credit`] when bad debt `bad` exceeds what the pool's `base` and what the market
/// owes it can pay (the only case a cover reaches the loan), zero otherwise without reading it.
pub fn credit_beyond(
    deps: Deps,
    config: &Config,
    liq: &Liquidation,
    state: &MarketState,
    bad: Uint128,
    base: Uint128,
) -> Result<Uint128, ContractError> {
    Ok(if bad > base.checked_add(state.backstop_due)? {
        backstop_credit(deps, config, liq, state)
    } else {
        Uint128::zero()
    })
}

/// Books `loss`, the visible shortfall of auctions starting now for the borrower of `book`,
/// through the waterfall at once (see [`AuctionBook`]), so a lender leaving while they run
/// bears its share.
pub fn provision(
    res: Response,
    state: &mut MarketState,
    liq: &Liquidation,
    book: &mut AuctionBook,
    loss: Uint128,
    funds: &mut BackstopFunds,
) -> Result<Response, ContractError> {
    let (res, c) = cover_bad_debt(res, state, liq, loss, funds)?;
    book.by_backstop = book.by_backstop.checked_add(c.backstop)?;
    book.by_reserves = book.by_reserves.checked_add(c.reserves)?;
    book.socialized = book.socialized.checked_add(c.socialized)?;
    state.provision = state.provision.checked_add(loss)?;
    Ok(res)
}

/// Uses `book`'s provision for a shortfall `s`, in waterfall order (what the backstop paid,
/// then reserves, then suppliers); returns the part of `s` it covers.
fn use_provision(
    state: &mut MarketState,
    book: &mut AuctionBook,
    s: Uint128,
) -> Result<Uint128, ContractError> {
    let mut left = s;
    for part in [
        &mut book.by_backstop,
        &mut book.by_reserves,
        &mut book.socialized,
    ] {
        let u = left.min(*part);
        *part = part.checked_sub(u)?;
        left = left.checked_sub(u)?;
    }
    let used = s.checked_sub(left)?;
    state.provision = state.provision.saturating_sub(used);
    Ok(used)
}

/// Returns what is left of `book`'s provision once its borrower's last auction settled, in
/// reverse waterfall order: the supply index rises by `floor((d − 1) / shares)` (so suppliers
/// gain at most `d`; the rounding goes to reserves), reserves get their part back, and the
/// backstop's part is earmarked for it in `backstop_due` (and the caller tells the backstop,
/// which locks it as a gain: a deposit made just before the release must not capture it).
/// Returns the amount released.
fn release(state: &mut MarketState, book: &AuctionBook) -> Result<Uint128, ContractError> {
    let d = book.socialized;
    let before = state.total_supplied()?;
    if d > Uint128::one() && !state.total_supply_shares.is_zero() {
        let rise = Decimal::checked_from_ratio(d - Uint128::one(), state.total_supply_shares)?;
        state.supply_index = state.supply_index.checked_add(rise)?;
    }
    let credited = state.total_supplied()?.checked_sub(before)?;
    let to_reserves = d
        .checked_sub(credited)?
        .checked_add(book.by_reserves)?
        .checked_add(book.by_backstop)?;
    state.reserves = state.reserves.checked_add(to_reserves)?;
    state.backstop_due = state.backstop_due.checked_add(book.by_backstop)?;
    state.net_backstop()?;
    state.bad_debt_socialized = state.bad_debt_socialized.saturating_sub(d);
    state.bad_debt_covered_by_reserves = state
        .bad_debt_covered_by_reserves
        .saturating_sub(book.by_reserves);
    state.bad_debt_covered_by_backstop = state
        .bad_debt_covered_by_backstop
        .saturating_sub(book.by_backstop);
    let released = book.provision()?;
    state.provision = state.provision.saturating_sub(released);
    Ok(released)
}

/// The backstop's base balance: what `CoverShortfall` can pay (its `Pool {}.base`, read
/// from the bank directly; an amount beyond 128 bits is an error, as everywhere in the market).
pub fn backstop_base(
    querier: &QuerierWrapper,
    liq: &Liquidation,
    base_denom: &str,
) -> Result<Uint128, ContractError> {
    to_u128(query_balance_amount(
        querier,
        liq.backstop.addr(),
        base_denom,
    )?)
}

/// The keeper reward for work on a tab of `tab`, taken from free reserves (and cash):
/// `min(keeper_tip + keeper_chip × tab, keeper_reward_cap, reserves − backstop_due, cash)`,
/// nothing when `tab < min_debt` (no reward for dust or empty work).
pub fn keeper_reward(
    state: &mut MarketState,
    p: &LiquidationParams,
    tab: Uint128,
) -> Result<Uint128, ContractError> {
    if tab.is_zero() || tab < p.min_debt {
        return Ok(Uint128::zero());
    }
    let reward = p
        .keeper_tip
        .checked_add(tab.checked_mul_floor(p.keeper_chip)?)?
        .min(p.keeper_reward_cap)
        .min(state.free_reserves())
        .min(state.cash);
    state.reserves = state.reserves.checked_sub(reward)?;
    state.cash = state.cash.checked_sub(reward)?;
    Ok(reward)
}

/// Adds the payment of `reward` base units to `keeper` (nothing when zero).
pub fn pay(res: Response, keeper: &Addr, reward: Uint128, base: &str) -> Response {
    if reward.is_zero() {
        return res;
    }
    res.add_message(BankMsg::Send {
        to_address: keeper.to_string(),
        amount: coins(reward.u128(), base),
    })
}

/// `AuctionProceeds { borrower, shortfall, denom }` from the liquidator (checked by the
/// caller): attached base repays debt in auction (`cash += b`, `debt_in_auction −= b`);
/// attached collateral is credited back to `borrower` (listed denoms only, outside the supply
/// cap); a positive `shortfall` leaves `debt_in_auction` as bad debt and is covered (see
/// [`redistribute_shortfall`] for the part the backstop cannot pay).
pub fn execute_auction_proceeds(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    liq: Liquidation,
    borrower: String,
    shortfall: Uint128,
    denom: Option<String>,
) -> Result<Response, ContractError> {
    let borrower = deps.api.addr_validate(&borrower)?;
    let config = CONFIG.load(deps.storage)?;
    let mut state = STATE.load(deps.storage)?;
    accrue(&mut state, &config, env.block.time.seconds())?;

    let mut base = Uint128::zero();
    let mut returned = vec![];
    let mut account = crate::redistribution::settle(deps.storage, &borrower)?;
    for c in &info.funds {
        let amount = to_u128(c.amount)?;
        if c.denom == config.base_denom {
            base = base.checked_add(amount)?;
            continue;
        }
        let mut col = COLLATERALS
            .may_load(deps.storage, &c.denom)?
            .ok_or_else(|| ContractError::UnlistedCollateral {
                denom: c.denom.clone(),
            })?;
        col.total_deposited = col.total_deposited.checked_add(amount)?;
        COLLATERALS.save(deps.storage, &c.denom, &col)?;
        let held = account.collateral(&c.denom).checked_add(amount)?;
        account.set_collateral(&c.denom, held);
        returned.push(("returned_denom", c.denom.clone()));
        returned.push(("returned_amount", amount.to_string()));
    }
    state.cash = state.cash.checked_add(base)?;
    state.debt_in_auction = state.debt_in_auction.saturating_sub(base);
    let bad = shortfall.min(state.debt_in_auction);
    state.debt_in_auction = state.debt_in_auction.checked_sub(bad)?;
    let mut book = AUCTION_BOOKS
        .may_load(deps.storage, &borrower)?
        .unwrap_or_default();
    book.in_auction = book
        .in_auction
        .saturating_sub(base)
        .saturating_sub(shortfall);
    let used = use_provision(&mut state, &mut book, bad)?;
    let mut res = Response::new()
        .add_attribute("action", "auction_proceeds")
        .add_attribute("borrower", borrower.as_str())
        .add_attribute("proceeds", base)
        .add_attributes(returned)
        .add_attribute("shortfall", bad)
        .add_attribute("provision_used", used);
    let rest = bad.checked_sub(used)?;
    if !rest.is_zero() {
        let mut funds = backstop_funds(deps.as_ref(), &config, &liq, &state, rest)?;
        let base = funds.base;
        // The backstop is first loss with everything it holds: only what it cannot bear is
        // redistributed.
        let backstop_can = match liq.params.backstop_credit {
            Some(_) => base
                .checked_add(state.backstop_due)?
                .checked_add(funds.credit)?,
            None => base,
        };
        let over = rest.saturating_sub(backstop_can);
        let moved = match (&liq.params.redistribution, &denom) {
            (Some(r), Some(denom)) if r.shortfalls && !over.is_zero() => {
                let shares = over.checked_div_ceil(state.borrow_index)?;
                // The borrower as the holder totals count it: its stored record.
                let stored = crate::state::ACCOUNTS
                    .may_load(deps.storage, &borrower)?
                    .unwrap_or_default();
                let healthy = crate::redistribution::recipients_health(
                    deps.as_ref(),
                    &config,
                    env.block.time.seconds(),
                    state.borrow_index,
                    &stored,
                    &[crate::redistribution::Move {
                        denom,
                        lot: Uint128::zero(),
                        shares,
                    }],
                )
                .is_some_and(|h| h >= r.min_recipient_health);
                let (r, moved) = if healthy {
                    redistribute_shortfall(deps.storage, &mut state, &mut account, denom, over)?
                } else {
                    (None, Uint128::zero())
                };
                if let Some(e) = r {
                    res = res.add_event(e);
                }
                moved
            }
            _ => Uint128::zero(),
        };
        let left = rest.checked_sub(moved)?;
        if !left.is_zero() {
            res = cover_bad_debt(res, &mut state, &liq, left, &mut funds)?.0;
        }
    }
    save_account(deps.storage, &borrower, &account)?;
    if book.in_auction.is_zero() {
        let released = release(&mut state, &book)?;
        AUCTION_BOOKS.remove(deps.storage, &borrower);
        if !book.by_backstop.is_zero() {
            // After this message's state is saved, so the pool values the new `backstop_due`.
            res = res.add_message(liq.backstop.provision_returned(book.by_backstop)?);
        }
        if !released.is_zero() {
            res = res.add_event(
                Event::new("provision_released")
                    .add_attribute("amount", released)
                    .add_attribute("to_backstop", book.by_backstop)
                    .add_attribute("to_reserves", book.by_reserves)
                    .add_attribute("to_suppliers", book.socialized),
            );
        }
    } else {
        AUCTION_BOOKS.save(deps.storage, &borrower, &book)?;
    }
    STATE.save(deps.storage, &state)?;
    Ok(res.add_attribute("debt_in_auction", state.debt_in_auction))
}

/// A shortfall `over` of an auction of `denom` that the backstop cannot pay goes, with
/// redistribution on and when it leaves them together at `min_recipient_health` or above
/// (checked by the caller), as debt to the other holders of `denom` (in proportion to their
/// holdings, lazily, as a position's would): `ceil(over / borrow_index)` new debt shares
/// (rounded up, for the protocol) join `debt_left`, `debt_redistributed += over`, and reserves
/// and suppliers lose nothing. Returns the event and what was moved (zero when no other
/// account holds `denom`: the waterfall then covers it all).
fn redistribute_shortfall(
    storage: &mut dyn cosmwasm_std::Storage,
    state: &mut MarketState,
    account: &mut crate::state::Account,
    denom: &str,
    over: Uint128,
) -> Result<(Option<Event>, Uint128), ContractError> {
    let kept = account.collateral(denom);
    if crate::redistribution::stake(storage, denom)?
        .saturating_sub(kept)
        .is_zero()
    {
        return Ok((None, Uint128::zero()));
    }
    let shares = over.checked_div_ceil(state.borrow_index)?;
    state.total_debt_shares = state.total_debt_shares.checked_add(shares)?;
    state.debt_redistributed = state.debt_redistributed.checked_add(over)?;
    let r = crate::redistribution::distribute(storage, denom, Uint128::zero(), shares, kept)?;
    account.set_snapshot(denom, r.coll_per_stake, r.debt_per_stake);
    let event = Event::new("redistribution")
        .add_attribute("denom", denom)
        .add_attribute("amount", Uint128::zero())
        .add_attribute("debt", over)
        .add_attribute("debt_shares", shares)
        .add_attribute("coll_per_stake", r.coll_per_stake.to_string())
        .add_attribute("debt_per_stake", r.debt_per_stake.to_string());
    Ok((Some(event), over))
}

/// `RewardKeeper { keeper, tab }` from the liquidator (checked by the caller): pays the keeper
/// reward for `tab`; zero (and success) for dust tabs or empty reserves.
pub fn execute_reward_keeper(
    deps: DepsMut,
    env: Env,
    liq: Liquidation,
    keeper: String,
    tab: Uint128,
) -> Result<Response, ContractError> {
    let keeper = deps.api.addr_validate(&keeper)?;
    let config = CONFIG.load(deps.storage)?;
    let mut state = STATE.load(deps.storage)?;
    accrue(&mut state, &config, env.block.time.seconds())?;
    let reward = keeper_reward(&mut state, &liq.params, tab)?;
    STATE.save(deps.storage, &state)?;
    let res = Response::new()
        .add_attribute("action", "reward_keeper")
        .add_attribute("keeper", keeper.as_str())
        .add_attribute("tab", tab)
        .add_attribute("keeper_reward", reward);
    Ok(pay(res, &keeper, reward, &config.base_denom))
}

#[cfg(test)]
mod tests {
    use super::*;
    use breakwater_types::adapters::{BackstopContract, LiquidatorContract};

    fn liq() -> Liquidation {
        Liquidation {
            liquidator: LiquidatorContract(Addr::unchecked("liquidator")),
            backstop: BackstopContract(Addr::unchecked("backstop")),
            guardian: None,
            params: LiquidationParams::default(),
        }
    }

    /// 3,000 supplied as 3,000 shares, 100 in reserves of which 40 earmarked.
    fn state() -> MarketState {
        let mut s = MarketState::new(0);
        s.total_supply_shares = Uint128::new(3_000);
        s.cash = Uint128::new(3_100);
        s.reserves = Uint128::new(100);
        s.backstop_due = Uint128::new(40);
        s
    }

    fn u(x: u128) -> Uint128 {
        Uint128::new(x)
    }

    /// The set-up without the backstop's credit rule.
    fn liq_cash_only() -> Liquidation {
        let mut l = liq();
        l.params.backstop_credit = None;
        l
    }

    fn funds(base: u128, credit: u128) -> BackstopFunds {
        BackstopFunds {
            base: u(base),
            credit: u(credit),
        }
    }

    #[test]
    fn bad_debt_goes_to_the_backstop_then_free_reserves_then_suppliers() {
        let mut s = state();
        let (res, cover) = cover_bad_debt(
            Response::new(),
            &mut s,
            &liq_cash_only(),
            u(1_000),
            &mut funds(700, 500),
        )
        .unwrap();
        assert_eq!(
            cover,
            Cover {
                backstop: u(700),
                reserves: u(60),
                socialized: u(240),
                ..Cover::default()
            }
        );
        assert_eq!(res.messages.len(), 1, "CoverShortfall");
        assert_eq!(s.bad_debt_covered_by_backstop, u(700));
        assert_eq!(s.cash, u(3_800));
        assert_eq!(s.bad_debt_covered_by_reserves, u(60));
        assert_eq!(s.reserves, u(40), "earmarked reserves stay");
        assert_eq!(s.bad_debt_socialized, u(240));
        // 240 / 3,000 = 0.08 exactly.
        assert_eq!(s.supply_index, Decimal::percent(92));
        assert_eq!(res.events.len(), 2);

        // Fully covered by the backstop: no message beyond it, no haircut.
        let mut s = state();
        let mut f = funds(700, 0);
        let (res, _) = cover_bad_debt(Response::new(), &mut s, &liq(), u(10), &mut f).unwrap();
        assert_eq!((res.messages.len(), res.events.len()), (1, 1));
        assert_eq!(s.supply_index, Decimal::one());
        assert_eq!(
            f.base,
            u(690),
            "a second cover in the message sees what is left"
        );
    }

    #[test]
    fn with_credit_the_backstop_bears_what_the_market_owes_it_then_a_loan_before_reserves() {
        // 1,000 of bad debt: 300 of base, the 40 the market owes the pool, then 500 of credit;
        // the last 160 from free reserves (60) and suppliers (100).
        let mut s = state();
        let mut f = funds(300, 500);
        let (res, cover) =
            cover_bad_debt(Response::new(), &mut s, &liq(), u(1_000), &mut f).unwrap();
        assert_eq!(
            cover,
            Cover {
                backstop: u(840),
                from_due: u(40),
                on_credit: u(500),
                reserves: u(60),
                socialized: u(100),
            }
        );
        assert_eq!(f, funds(0, 0));
        let credit = res.events[0]
            .attributes
            .iter()
            .find(|a| a.key == "backstop_credit")
            .map(|a| a.value.as_str());
        assert_eq!(credit, Some("500"));
        assert_eq!(s.cash, u(3_400), "only the base is paid in cash");
        assert_eq!((s.backstop_due, s.backstop_debt), (u(0), u(500)));
        assert_eq!(s.reserves, u(0));
        assert_eq!(s.bad_debt_covered_by_backstop, u(840));
        // Less bad debt: the loan takes only what is left after base and what is owed.
        let mut s = state();
        let mut f = funds(300, 500);
        cover_bad_debt(Response::new(), &mut s, &liq(), u(400), &mut f).unwrap();
        assert_eq!(
            (s.backstop_due, s.backstop_debt, s.reserves),
            (u(0), u(60), u(60))
        );
        assert_eq!(f, funds(0, 440));
    }

    #[test]
    fn what_the_market_owes_the_pool_settles_what_the_pool_owes_it() {
        let mut s = state();
        s.backstop_debt = u(25);
        s.net_backstop().unwrap();
        assert_eq!(
            (s.backstop_due, s.backstop_debt, s.reserves),
            (u(15), u(0), u(75))
        );
        s.backstop_debt = u(100);
        s.net_backstop().unwrap();
        assert_eq!(
            (s.backstop_due, s.backstop_debt, s.reserves),
            (u(0), u(85), u(60))
        );
    }

    #[test]
    fn the_supply_index_cut_rounds_up_so_suppliers_lose_at_least_the_deficit() {
        let mut s = state();
        s.backstop_due = s.reserves;
        let before = s.total_supplied().unwrap();
        cover_bad_debt(
            Response::new(),
            &mut s,
            &liq_cash_only(),
            u(1),
            &mut funds(0, 0),
        )
        .unwrap();
        // 1 / 3,000 = 0.000333… rounds up at 18 decimals.
        assert_eq!(
            s.supply_index,
            Decimal::one() - Decimal::from_ratio(1u128, 3_000u128) - EPSILON
        );
        assert!(before - s.total_supplied().unwrap() >= u(1));
        // Without suppliers the deficit is still booked.
        let mut s = state();
        s.total_supply_shares = Uint128::zero();
        s.backstop_due = s.reserves;
        cover_bad_debt(
            Response::new(),
            &mut s,
            &liq_cash_only(),
            u(5),
            &mut funds(0, 0),
        )
        .unwrap();
        assert_eq!(
            (s.bad_debt_socialized, s.supply_index),
            (u(5), Decimal::one())
        );
    }

    #[test]
    fn keeper_rewards_take_the_chip_up_to_the_cap_and_free_reserves_never_dust() {
        let p = LiquidationParams {
            min_debt: u(1_000),
            keeper_tip: u(2),
            keeper_chip: Decimal::percent(1),
            keeper_reward_cap: u(50),
            ..LiquidationParams::default()
        };
        let mut s = state();
        assert_eq!(keeper_reward(&mut s, &p, u(999)).unwrap(), u(0));
        assert_eq!(keeper_reward(&mut s, &p, u(1_000)).unwrap(), u(12));
        assert_eq!(keeper_reward(&mut s, &p, u(3_000)).unwrap(), u(32));
        // Capped at 50, but 100 − 40 earmarked − 44 paid leaves 16 free.
        assert_eq!(keeper_reward(&mut s, &p, u(100_000)).unwrap(), u(16));
        assert_eq!(s.free_reserves(), u(0));
        assert_eq!(keeper_reward(&mut s, &p, u(100_000)).unwrap(), u(0));
        assert_eq!((s.reserves, s.cash), (u(40), u(3_100 - 60)));
        assert_eq!(keeper_reward(&mut state(), &p, u(100_000)).unwrap(), u(50));
    }
}
