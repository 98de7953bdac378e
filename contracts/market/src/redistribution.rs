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
//! [`LiquidationPlan::Redistribute`]: breakwater_types::liquidation::LiquidationPlan::Redistribute
use crate::error::ContractError;
use crate::state::{Account, COLLATERALS};
use breakwater_types::market::Redistribution;
use cosmwasm_std::{Addr, StdResult, Storage, Uint128, Uint256};
use cw_storage_plus::Map;

/// The accumulators' scale.
const SCALE: u128 = 1_000_000_000_000_000_000;

/// Redistribution accumulators by collateral denom (absent until the first one).
pub const REDISTRIBUTIONS: Map<&str, Redistribution> = Map::new("redistributions");

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
