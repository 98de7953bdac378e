//! Profit unlocking: a gain reaches the share price gradually, so a deposit made just before
//! a gain (an absorb's discount, a floor purchase below the oracle, a donation) buys none of it.
//!
//! A gain `g` arriving when the pool is worth `V` (before the gain) with `S` shares outstanding
//! mints shares to the pool itself at the price before the gain, and the pool burns them
//! linearly over `profit_unlock_period` (as vaults with profit unlocking do):
//!
//! ```text
//! minted   = floor(g · (S + VIRTUAL_SHARES) / (V + VIRTUAL_ASSETS))    the price does not move
//! burnt(t) = floor(locked · (min(t, until) − since) / (until − since))  settled lazily
//! until'   = now + ceil((locked · (until − now) + minted · period) / (locked + minted))
//! ```
//! The new deadline is the share-weighted mean of the remaining one and a full period, so a
//! stream of dust gains cannot hold earlier gains back. The locked shares are ordinary shares
//! in every formula (minting, valuing, paying out in kind), so nothing else needs to know
//! about them: a withdrawal leaves their part in the pool, and a loss falls on them pro rata
//! like on every other share (losses reach the price at once).
use crate::error::ContractError;
use crate::pool::{pool_value, PoolValue};
use crate::shares::shares_for_deposit;
use crate::state::{Config, Lock, CONFIG, LOCKED, TOTAL_SHARES};
use cosmwasm_std::{Coin, DepsMut, Env, Response, StdError, Storage, Uint128};

/// Locked shares burnt by `now` (not yet settled).
fn burnt(lock: &Lock, now: u64) -> Uint128 {
    if now >= lock.until {
        return lock.shares;
    }
    let span = lock.until.saturating_sub(lock.since);
    let elapsed = now.saturating_sub(lock.since);
    // `elapsed < span` here, so the ratio is below one and cannot overflow.
    lock.shares
        .checked_multiply_ratio(elapsed, span)
        .unwrap_or(Uint128::zero())
}

/// Shares outstanding at `now` and the part of them still locked, without writing.
pub fn shares_at(storage: &dyn Storage, now: u64) -> Result<(Uint128, Uint128), ContractError> {
    let total = TOTAL_SHARES.load(storage)?;
    let lock = LOCKED.may_load(storage)?.unwrap_or_default();
    let burn = burnt(&lock, now);
    Ok((
        total.checked_sub(burn).map_err(StdError::from)?,
        lock.shares.checked_sub(burn).map_err(StdError::from)?,
    ))
}

/// Burns the locked shares due by `now` and returns the shares outstanding. Every message
/// that mints, burns or pays out shares settles first.
pub fn settle(storage: &mut dyn Storage, now: u64) -> Result<Uint128, ContractError> {
    let mut lock = LOCKED.may_load(storage)?.unwrap_or_default();
    let burn = burnt(&lock, now);
    let total = TOTAL_SHARES
        .load(storage)?
        .checked_sub(burn)
        .map_err(StdError::from)?;
    if lock.shares.is_zero() && lock.since == 0 {
        // Nothing was ever locked: keep the storage untouched.
        return Ok(total);
    }
    lock.shares = lock.shares.checked_sub(burn).map_err(StdError::from)?;
    lock.since = now.max(lock.since);
    TOTAL_SHARES.save(storage, &total)?;
    LOCKED.save(storage, &lock)?;
    Ok(total)
}

/// Locks a gain of `gain` base units that brought the pool to `value_after` (every unit of the
/// gain already in it) over `period` seconds. Returns the shares minted to the pool (zero for
/// a zero gain or a zero period, when the gain reaches the price at once).
pub fn lock_gain(
    storage: &mut dyn Storage,
    now: u64,
    period: u64,
    gain: Uint128,
    value_after: Uint128,
) -> Result<Uint128, ContractError> {
    let total = settle(storage, now)?;
    if gain.is_zero() || period == 0 {
        return Ok(Uint128::zero());
    }
    let minted = shares_for_deposit(gain, total, value_after.saturating_sub(gain))?;
    if minted.is_zero() {
        return Ok(minted);
    }
    let mut lock = LOCKED.may_load(storage)?.unwrap_or_default();
    let remaining = lock.until.saturating_sub(now);
    let weighted = lock
        .shares
        .full_mul(remaining)
        .checked_add(minted.full_mul(period))
        .map_err(StdError::from)?;
    let shares = lock.shares.checked_add(minted).map_err(StdError::from)?;
    let span = weighted.checked_div_ceil_u256(shares)?;
    lock.until = now.saturating_add(span);
    lock.since = now;
    lock.shares = shares;
    LOCKED.save(storage, &lock)?;
    TOTAL_SHARES.save(storage, &total.checked_add(minted).map_err(StdError::from)?)?;
    Ok(minted)
}

/// Locks the gain of taking `coins` into the pool for `paid` base units: their value at the
/// pool's prices minus `paid`, when positive. `pool` is the pool as valued with the coins in it
/// and `still_in` of `paid` still in it as well (an absorb pays its base after this message;
/// what the market lent it towards the price is already owed).
pub fn lock_intake_gain(
    storage: &mut dyn Storage,
    now: u64,
    period: u64,
    pool: &PoolValue,
    coins: &[(String, Uint128)],
    paid: Uint128,
    still_in: Uint128,
) -> Result<Uint128, ContractError> {
    let worth = pool.value_of(coins)?;
    let gain = worth.saturating_sub(paid);
    let after = pool.total.saturating_sub(still_in);
    lock_gain(storage, now, period, gain, after)
}

/// Locks the gain of taking `coins` for `paid` (an absorb, with its base `still_in`; a floor
/// purchase after it settled, with nothing), measured on the pool as it is now. When the pool
/// cannot be valued (a held denom the oracle no longer prices) nothing is locked and the gain
/// reaches the price at once: an intake is a liquidation of last resort and must not fail on
/// it.
pub fn lock_intake(
    deps: DepsMut,
    env: &Env,
    cfg: &Config,
    coins: &[Coin],
    paid: Uint128,
    still_in: Uint128,
) -> Result<Uint128, ContractError> {
    let Ok(pool) = pool_value(deps.as_ref(), &env.contract.address, cfg, Uint128::zero()) else {
        return Ok(Uint128::zero());
    };
    let coins = coins
        .iter()
        .map(|c| {
            let a = Uint128::try_from(c.amount).map_err(|_| ContractError::AmountTooLarge)?;
            Ok((c.denom.clone(), a))
        })
        .collect::<Result<Vec<_>, ContractError>>()?;
    let now = env.block.time.seconds();
    let period = cfg.params.profit_unlock_period;
    lock_intake_gain(deps.storage, now, period, &pool, &coins, paid, still_in)
}

/// `ProvisionReturned { amount }` from the market (checked by the caller): `amount` owed back
/// to the pool has just been added to the market's `backstop_due`, which the pool counts in its
/// value, so it locks the amount as a gain. When the pool cannot be valued (a held denom the
/// oracle no longer prices) nothing is locked and the gain reaches the price at once: the
/// market sends this while settling an auction and it must not fail on it.
pub fn provision_returned(
    deps: DepsMut,
    env: Env,
    amount: Uint128,
) -> Result<Response, ContractError> {
    let cfg = CONFIG.load(deps.storage)?;
    let locked = match pool_value(deps.as_ref(), &env.contract.address, &cfg, Uint128::zero()) {
        Ok(pool) => lock_gain(
            deps.storage,
            env.block.time.seconds(),
            cfg.params.profit_unlock_period,
            amount,
            pool.total,
        )?,
        Err(_) => Uint128::zero(),
    };
    Ok(Response::new()
        .add_attribute("action", "provision_returned")
        .add_attribute("amount", amount)
        .add_attribute("locked_shares", locked))
}

/// `ResaleProceeds { denom, sold }` from the liquidator (checked by the caller), with the bid's
/// base attached: locks what it paid above the `sold` units' value at the median (rounded
/// down, so the locked gain rounds up), the value the pool counted while they were on sale. A
/// sale below that value is a loss and reaches the price at once. When the pool or the units
/// cannot be valued nothing is locked: a bid must not fail on it.
pub fn resale_proceeds(
    deps: DepsMut,
    env: Env,
    info: cosmwasm_std::MessageInfo,
    denom: String,
    sold: Uint128,
) -> Result<Response, ContractError> {
    let cfg = CONFIG.load(deps.storage)?;
    let proceeds = match info.funds.as_slice() {
        [] => Uint128::zero(),
        _ => crate::deposit::paid_base(&info, &cfg.base_denom)?,
    };
    let worth = cfg
        .oracle
        .query_price_view(&deps.querier, &denom)
        .ok()
        .and_then(|p| sold.checked_mul_floor(p.median).ok());
    let gain = worth.map_or(Uint128::zero(), |w| proceeds.saturating_sub(w));
    let mut locked = Uint128::zero();
    // What the pool's valuation read (its base and debt), so the repayment need not read them
    // again.
    let mut valued = None;
    if !gain.is_zero() {
        if let Ok(pool) = pool_value(deps.as_ref(), &env.contract.address, &cfg, Uint128::zero()) {
            valued = Some((pool.base, pool.debt));
            locked = lock_gain(
                deps.storage,
                env.block.time.seconds(),
                cfg.params.profit_unlock_period,
                gain,
                pool.total,
            )?;
        }
    }
    let mut res = Response::new()
        .add_attribute("action", "resale_proceeds")
        .add_attribute("denom", denom)
        .add_attribute("sold", sold)
        .add_attribute("proceeds", proceeds)
        .add_attribute("gain", gain)
        .add_attribute("locked_shares", locked);
    let repay = match valued {
        Some((base, debt)) => crate::pool::repay_market(&cfg, base, debt),
        None => crate::pool::read_and_repay_market(deps.as_ref(), &env.contract.address, &cfg),
    };
    if let Some((paid, msg)) = repay {
        res = res.add_message(msg).add_attribute("repaid_to_market", paid);
    }
    Ok(res)
}

/// Helper so callers can divide a 256-bit product by a 128-bit count, rounding up, into `u64`.
trait DivCeil {
    fn checked_div_ceil_u256(self, by: Uint128) -> Result<u64, ContractError>;
}

impl DivCeil for cosmwasm_std::Uint256 {
    fn checked_div_ceil_u256(self, by: Uint128) -> Result<u64, ContractError> {
        let by = cosmwasm_std::Uint256::from(by);
        let q = self.checked_div(by).map_err(StdError::from)?;
        let q = if q.checked_mul(by).map_err(StdError::from)? < self {
            q + cosmwasm_std::Uint256::one()
        } else {
            q
        };
        u64::try_from(
            Uint128::try_from(q)
                .map_err(|_| ContractError::AmountTooLarge)?
                .u128(),
        )
        .map_err(|_| ContractError::AmountTooLarge)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::testing::MockStorage;

    fn u(x: u128) -> Uint128 {
        Uint128::new(x)
    }

    fn store(total: u128) -> MockStorage {
        let mut st = MockStorage::new();
        TOTAL_SHARES.save(&mut st, &u(total)).unwrap();
        st
    }

    #[test]
    fn a_gain_is_minted_at_the_price_before_it_and_burnt_linearly() {
        // 10,000 units worth of shares at 10^6 a unit; a gain of 900 brings the pool to 10,900.
        let mut st = store(10_000_000_000);
        let minted = lock_gain(&mut st, 1_000, 100, u(900), u(10_900)).unwrap();
        // 900 · (10^10 + 10^6) / (10,000 + 1) = 900 · 10^6: the price before the gain.
        assert_eq!(minted, u(900_000_000));
        assert_eq!(shares_at(&st, 1_000).unwrap(), (u(10_900_000_000), minted));
        // Half way: half burnt; at the end all of it.
        let (total, locked) = shares_at(&st, 1_050).unwrap();
        assert_eq!(locked, u(450_000_000));
        assert_eq!(total, u(10_000_000_000) + locked);
        assert_eq!(shares_at(&st, 1_100).unwrap(), (u(10_000_000_000), u(0)));
        assert_eq!(shares_at(&st, 9_999).unwrap(), (u(10_000_000_000), u(0)));
        // Settling in steps burns the same total by the deadline.
        for t in (1_001..=1_100).step_by(7) {
            settle(&mut st, t).unwrap();
        }
        assert_eq!(settle(&mut st, 1_100).unwrap(), u(10_000_000_000));
        assert_eq!(LOCKED.load(&st).unwrap().shares, u(0));
    }

    #[test]
    fn a_new_gain_extends_the_deadline_by_its_weight_only() {
        let mut st = store(1_000_000);
        lock_gain(&mut st, 0, 1_000, u(1_000), u(2_000)).unwrap();
        let first = LOCKED.load(&st).unwrap();
        assert_eq!(first.until, 1_000);
        // Half way through, a dust gain barely moves the deadline.
        lock_gain(&mut st, 500, 1_000, u(1), u(2_001)).unwrap();
        let l = LOCKED.load(&st).unwrap();
        assert!(l.until > 1_000 && l.until <= 1_001, "{}", l.until);
        // An equal gain halfway moves it to the mean of the two deadlines.
        let mut st = store(1_000_000);
        lock_gain(&mut st, 0, 1_000, u(1_000), u(2_000)).unwrap();
        let half = shares_at(&st, 500).unwrap().1;
        let minted = lock_gain(&mut st, 500, 1_000, u(1_000), u(3_000)).unwrap();
        let l = LOCKED.load(&st).unwrap();
        let expect =
            500 + (half.u128() * 500 + minted.u128() * 1_000).div_ceil(half.u128() + minted.u128());
        assert_eq!(l.until as u128, expect);
    }

    #[test]
    fn no_gain_or_no_period_locks_nothing() {
        let mut st = store(1_000);
        assert_eq!(lock_gain(&mut st, 5, 100, u(0), u(10)).unwrap(), u(0));
        assert_eq!(lock_gain(&mut st, 5, 0, u(10), u(10)).unwrap(), u(0));
        assert_eq!(TOTAL_SHARES.load(&st).unwrap(), u(1_000));
        assert!(LOCKED.may_load(&st).unwrap().is_none());
    }
}
