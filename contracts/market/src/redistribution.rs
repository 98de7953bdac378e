//! Redistribution, applied lazily (Liquity's accumulators, per collateral).
//!
//! When the planner redistributes a position ([`LiquidationPlan::Redistribute`]), each lot of
//! collateral `k` and its debt shares leave the account and go to the other holders of `k`,
//! in proportion to the units of `k` each holds (its *stake*: the stored holding). Nothing is
//! sent: the lot stays in `total_deposited` and the shares in `total_debt_shares`, both booked
//! as *left* in `k`'s [`Redistribution`] until taken; the accumulators per unit of stake grow.
//! An account takes what it is owed the next time a message touches it ([`settle`], before
//! anything reads or changes its holdings), and every query shows it already ([`pending`]).
//!
//! Invariants: `total_deposited_k = Σ stored holdings of k + coll_left_k`, and
//! `total_debt_shares = Σ stored debt shares + Σ_k debt_left_k`. What accounts take never
//! exceeds what is left (each take is capped by it). Rounding: collateral taken rounds down,
//! debt shares taken round up; the accumulators' remainders carry into the next
//! redistribution of the denom, so none is lost.
//!
//!
//! A redistribution needs recipients who can carry it: the market keeps, per collateral, what
//! the accounts holding it hold and owe together ([`HolderTotals`], maintained by every
//! [`crate::state::save_account`]), and [`recipients_health`] values them after the move.
//!
//! [`LiquidationPlan::Redistribute`]: breakwater_types::liquidation::LiquidationPlan::Redistribute
use crate::error::ContractError;
use crate::health::{health_of, price_holdings, PriceCache};
use crate::state::{Account, Config, COLLATERALS};
use breakwater_types::market::Redistribution;
use cosmwasm_std::{Addr, Decimal, Deps, StdResult, Storage, Uint128, Uint256};
use cw_storage_plus::{Item, Map};

/// The accumulators' scale.
const SCALE: u128 = 1_000_000_000_000_000_000;

/// Redistribution accumulators by collateral denom (absent until the first one).
pub const REDISTRIBUTIONS: Map<&str, Redistribution> = Map::new("redistributions");

breakwater_types::cw_serde_struct! {
/// What the accounts holding one collateral hold and owe together, as stored (what
/// redistributions owe them and they have not taken is not in it).
#[derive(Default)]
pub struct HolderTotals {
    /// Their debt shares.
    pub debt_shares: Uint128,
    /// Their units of every denom they hold (this one included), sorted by denom.
    pub units: Vec<(String, Uint128)>,
}
}

impl HolderTotals {
    /// Adds (or takes away, saturating) what `account` holds and owes.
    fn apply(&mut self, account: &Account, add: bool) {
        let f = |a: Uint128, b: Uint128| {
            if add {
                a.saturating_add(b)
            } else {
                a.saturating_sub(b)
            }
        };
        self.debt_shares = f(self.debt_shares, account.debt_shares);
        for (denom, amount) in &account.collaterals {
            match self.units.binary_search_by(|(d, _)| d.cmp(denom)) {
                Ok(i) => {
                    if let Some((_, u)) = self.units.get_mut(i) {
                        *u = f(*u, *amount);
                    }
                }
                Err(i) if add => self.units.insert(i, (denom.clone(), *amount)),
                Err(_) => {}
            }
        }
        self.units.retain(|(_, u)| !u.is_zero());
    }
}

/// Per collateral denom: its holders' totals (absent when nobody holds it).
pub const HOLDERS: Map<&str, HolderTotals> = Map::new("holders");

/// Whether [`HOLDERS`] has been kept since the market was instantiated (a market migrated from
/// a version without it has no complete totals and never redistributes).
pub const HOLDERS_KEPT: Item<bool> = Item::new("holders_kept");

/// Moves the holder totals of every collateral `old` or `new` holds from the stored `old`
/// record of an account to its `new` one.
pub fn track_holders(storage: &mut dyn Storage, old: &Account, new: &Account) -> StdResult<()> {
    if old.collaterals == new.collaterals && old.debt_shares == new.debt_shares {
        return Ok(());
    }
    let mut denoms: Vec<&String> = old
        .collaterals
        .iter()
        .chain(&new.collaterals)
        .map(|(d, _)| d)
        .collect();
    denoms.sort();
    denoms.dedup();
    for denom in denoms {
        let mut t = HOLDERS.may_load(storage, denom)?.unwrap_or_default();
        if !old.collateral(denom).is_zero() {
            t.apply(old, false);
        }
        if !new.collateral(denom).is_zero() {
            t.apply(new, true);
        }
        if t.units.is_empty() && t.debt_shares.is_zero() {
            HOLDERS.remove(storage, denom);
        } else {
            HOLDERS.save(storage, denom, &t)?;
        }
    }
    Ok(())
}

/// One part of a redistribution: `lot` units of `denom` and `shares` debt shares.
pub struct Move<'a> {
    /// The collateral.
    pub denom: &'a str,
    /// Its units moved.
    pub lot: Uint128,
    /// The debt shares moved with it.
    pub shares: Uint128,
}

/// The lowest health factor the recipients of `moves` could be left at: over the denoms of
/// `moves`, the lower of two figures (at the median and the thresholds in force at `now`, debt
/// at `index`).
///
/// - **Together**: the aggregate health of the accounts other than `own` holding that denom
///   once they take their part of `moves`: their summed liquidation value over their summed
///   debt. What is owed them by earlier redistributions and their part of each move are
///   counted pro rata to the units of its denom they hold.
/// - **Alone**: the worst any one of them that is healthy now (HF ≥ 1) could be left at,
///   `(V + L) / (V + S)` for each denom with `V` the liquidation value of the other holders'
///   stored units of it, `L` that of the move's lot and `S` the move's debt. A holder takes
///   the move's lot and debt per unit of the denom it holds, so one holding only that denom
///   with its debt equal to its liquidation value is the worst case; anything else it holds, or
///   a lower debt, leaves it higher (adding the same to both terms of a ratio below 1 raises
///   it, and a holder taking several denoms is a mediant of their figures). The aggregate
///   alone is not enough: one holder's other collateral can carry it while a holder with
///   little else takes nearly the whole move, lands below the hard floor, and is redistributed
///   in turn, back onto the first account if it kept a surplus (the property harness found
///   two accounts passing a position to each other that way, round after round).
///
/// `Decimal::MAX` when they owe nothing; `None` when it cannot be told (totals not kept, a
/// holding not priced, or any failure valuing them): then nothing is redistributed, and the
/// liquidation or the auction settlement that asked goes on without it (this check never
/// makes either fail).
pub fn recipients_health(
    deps: Deps,
    config: &Config,
    now: u64,
    index: Decimal,
    own: &Account,
    moves: &[Move],
) -> Option<Decimal> {
    let valued = || -> Result<Option<Decimal>, ContractError> {
        if !HOLDERS_KEPT.may_load(deps.storage)?.unwrap_or(false) {
            return Ok(None);
        }
        let mut lowest = Decimal::MAX;
        let mut cache = PriceCache::default();
        for m in moves {
            let totals = HOLDERS.may_load(deps.storage, m.denom)?.unwrap_or_default();
            let mut units = Vec::with_capacity(totals.units.len());
            let mut shares = totals.debt_shares;
            for (denom, held) in &totals.units {
                let theirs = held.saturating_sub(own.collateral(denom));
                let stake = stake(deps.storage, denom)?;
                let mut u = theirs;
                // What earlier redistributions of `denom` owe them and they have not taken.
                if let Some(r) = REDISTRIBUTIONS.may_load(deps.storage, denom)? {
                    if !stake.is_zero() {
                        u = u.saturating_add(ratio(r.coll_left, theirs, stake, false));
                        shares = shares.saturating_add(ratio(r.debt_left, theirs, stake, true));
                    }
                }
                // Their part of this redistribution's move of `denom`.
                if let Some(x) = moves.iter().find(|x| x.denom == denom.as_str()) {
                    let others = stake.saturating_sub(own.collateral(denom));
                    if !others.is_zero() {
                        u = u.saturating_add(ratio(x.lot, theirs, others, false));
                        shares = shares.saturating_add(ratio(x.shares, theirs, others, true));
                    }
                }
                units.push((denom.clone(), u));
            }
            if !own.collateral(m.denom).is_zero() {
                shares = shares.saturating_sub(own.debt_shares);
            }
            let debt = shares.checked_mul_ceil(index)?;
            let Ok(lines) = price_holdings(deps, config, &units, now, &mut cache) else {
                return Ok(None);
            };
            if let Some(hf) = health_of(&lines, debt)?.health_factor {
                lowest = lowest.min(hf);
            }
            if let Some(hf) = alone(deps, config, now, index, own, m, &mut cache)? {
                lowest = lowest.min(hf);
            }
        }
        Ok(Some(lowest))
    };
    valued().ok().flatten()
}

/// The worst health a holder of `m.denom` healthy now could be left at by `m` (see
/// [`recipients_health`]): `(V + L) / (V + S)`, `V` rounded down (which can only lower it,
/// for the protocol), `S` rounded up. `None` when the move carries no debt.
fn alone(
    deps: Deps,
    config: &Config,
    now: u64,
    index: Decimal,
    own: &Account,
    m: &Move,
    cache: &mut PriceCache,
) -> Result<Option<Decimal>, ContractError> {
    let moved = m.shares.checked_mul_ceil(index)?;
    if moved.is_zero() {
        return Ok(None);
    }
    let others = stake(deps.storage, m.denom)?.saturating_sub(own.collateral(m.denom));
    let value = |units: Uint128, cache: &mut PriceCache| -> Result<Uint128, ContractError> {
        let lines = price_holdings(deps, config, &[(m.denom.to_string(), units)], now, cache)?;
        Ok(health_of(&lines, Uint128::zero())?.liquidation_value)
    };
    let held = value(others, cache)?;
    let after = value(others.checked_add(m.lot)?, cache)?;
    let owed = held.checked_add(moved)?;
    Ok(Some(
        Decimal::checked_from_ratio(after, owed).unwrap_or(Decimal::MAX),
    ))
}

/// `a · n / d` rounded up or down, saturating at 128 bits (zero when `d` is).
fn ratio(a: Uint128, n: Uint128, d: Uint128, up: bool) -> Uint128 {
    let d = Uint256::from(d);
    if d.is_zero() {
        return Uint128::zero();
    }
    let p = Uint256::from(a).saturating_mul(Uint256::from(n));
    let mut q = p.checked_div(d).unwrap_or_default();
    if up && q.saturating_mul(d) < p {
        q = q.saturating_add(Uint256::one());
    }
    Uint128::try_from(q).unwrap_or(Uint128::MAX)
}

/// `a · (now − then) / 10^18`, rounded up or down, saturating at 128 bits and capped by `left`.
fn owed(a: Uint128, now: Uint256, then: Uint256, up: bool, left: Uint128) -> Uint128 {
    let delta = now.saturating_sub(then);
    let scaled = Uint256::from(a).saturating_mul(delta);
    let scale = Uint256::from(SCALE);
    let mut units = scaled.checked_div(scale).unwrap_or_default();
    if up && units.saturating_mul(scale) < scaled {
        units = units.saturating_add(Uint256::one());
    }
    Uint128::try_from(units).unwrap_or(Uint128::MAX).min(left)
}

/// Applies to `account`, in memory, what it is owed by every redistribution of a collateral
/// it holds since its snapshots, and moves its snapshots to now. Returns the records with what
/// was taken out of them (to save when the account is saved).
pub fn pending(
    storage: &dyn Storage,
    account: &mut Account,
) -> StdResult<Vec<(String, Redistribution)>> {
    let mut changed = vec![];
    for (denom, amount) in account.collaterals.clone() {
        let Some(mut r) = REDISTRIBUTIONS.may_load(storage, &denom)? else {
            continue;
        };
        let (c0, d0) = account.snapshot(&denom);
        if (c0, d0) == (r.coll_per_stake, r.debt_per_stake) {
            continue;
        }
        let coll = owed(amount, r.coll_per_stake, c0, false, r.coll_left);
        let debt = owed(amount, r.debt_per_stake, d0, true, r.debt_left);
        r.coll_left = r.coll_left.saturating_sub(coll);
        r.debt_left = r.debt_left.saturating_sub(debt);
        account.set_collateral(&denom, amount.saturating_add(coll));
        account.debt_shares = account.debt_shares.saturating_add(debt);
        account.set_snapshot(&denom, r.coll_per_stake, r.debt_per_stake);
        changed.push((denom, r));
    }
    Ok(changed)
}

/// Loads the account of `addr` with what it is owed taken (and saved, with the records it
/// was taken from): every message that reads or changes an account's holdings or debt loads
/// it here.
pub fn settle(storage: &mut dyn Storage, addr: &Addr) -> StdResult<Account> {
    let mut account = crate::state::ACCOUNTS
        .may_load(storage, addr)?
        .unwrap_or_default();
    let changed = pending(storage, &mut account)?;
    if !changed.is_empty() {
        for (denom, r) in &changed {
            REDISTRIBUTIONS.save(storage, denom, r)?;
        }
        crate::state::save_account(storage, addr, &account)?;
    }
    Ok(account)
}

/// Units of `denom` held by accounts (their stored holdings): `total_deposited − coll_left`.
pub fn stake(storage: &dyn Storage, denom: &str) -> Result<Uint128, ContractError> {
    let c = COLLATERALS.load(storage, denom)?;
    let left = REDISTRIBUTIONS
        .may_load(storage, denom)?
        .map_or(Uint128::zero(), |r| r.coll_left);
    Ok(c.total_deposited.saturating_sub(left))
}

/// Redistributes `lot` units of `denom` and `shares` debt shares, already taken out of an
/// account that keeps `kept` units of `denom`, over the other holders. Returns the record.
pub fn distribute(
    storage: &mut dyn Storage,
    denom: &str,
    lot: Uint128,
    shares: Uint128,
    kept: Uint128,
) -> Result<Redistribution, ContractError> {
    let mut r = REDISTRIBUTIONS
        .may_load(storage, denom)?
        .unwrap_or_default();
    let total = COLLATERALS.load(storage, denom)?.total_deposited;
    r.coll_left = r.coll_left.checked_add(lot)?;
    r.debt_left = r.debt_left.checked_add(shares)?;
    let others = total.checked_sub(r.coll_left)?.checked_sub(kept)?;
    if others.is_zero() {
        return Err(ContractError::NoRecipients {
            denom: denom.to_string(),
        });
    }
    let t = Uint256::from(others);
    let scale = Uint256::from(SCALE);
    let step = |amount: Uint128, error: Uint256| -> Result<(Uint256, Uint256), ContractError> {
        let feed = Uint256::from(amount)
            .checked_mul(scale)?
            .checked_add(error)?;
        let per = feed.checked_div(t)?;
        Ok((per, feed.checked_sub(per.checked_mul(t)?)?))
    };
    let (dc, ec) = step(lot, r.coll_error)?;
    let (dd, ed) = step(shares, r.debt_error)?;
    r.coll_per_stake = r.coll_per_stake.checked_add(dc)?;
    r.debt_per_stake = r.debt_per_stake.checked_add(dd)?;
    r.coll_error = ec;
    r.debt_error = ed;
    REDISTRIBUTIONS.save(storage, denom, &r)?;
    Ok(r)
}
