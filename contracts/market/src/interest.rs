//! Interest accrual: grows the borrow index, credits lenders and reserves.
use crate::error::ContractError;
use crate::state::{Config, MarketState, CONFIG, STATE};
use breakwater_types::market::MarketParams;
use breakwater_types::math::interest::{grow_index, supply_rate, utilization};
use cosmwasm_std::{Decimal, DepsMut, Env, MessageInfo, Response, Uint128};

/// What one accrual did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Accrual {
    /// Interest charged to borrowers, base units.
    pub interest: Uint128,
    /// Part of it credited to lenders.
    pub to_lenders: Uint128,
    /// Part of it added to reserves (the rest plus rounding).
    pub to_reserves: Uint128,
}

/// Accrues interest on `state` from `state.last_accrued` to `now`, in memory.
///
/// ```text
/// dt = now − last_accrued;  if dt == 0 or nothing is borrowed: only last_accrued moves
/// debt_before     = ceil(total_debt_shares × borrow_index)
/// supplied_before = floor(total_supply_shares × supply_index)
/// rate            = interest.borrow_rate(utilization(debt_before, supplied_before))
/// borrow_index'   = grow_index(borrow_index, rate, dt)            (rounded up)
/// interest        = ceil(total_debt_shares × borrow_index') − debt_before
/// to_lenders      = interest − ceil(interest × reserve_factor)
/// supply_index'   = supply_index + floor(to_lenders / total_supply_shares)
///                   (unchanged, and everything goes to reserves, when there are no shares)
/// credited        = floor(total_supply_shares × supply_index') − supplied_before
/// reserves       += interest − credited
/// backstop_due   += floor((interest − credited) × share)                    (with a liquidation set-up)
///   share = backstop_reserve_share raised by the utilization and the last risk snapshot, both
///           as they stood at last_accrued (`LiquidationParams::backstop_share`,
///           `breakwater_types::risk`)
/// ```
///
/// Why the books stay balanced: `total_borrowed` grows by exactly `interest`,
/// `total_supplied` by exactly `credited` and `reserves` by `interest − credited`, so
/// `cash + total_borrowed − total_supplied − reserves` is unchanged by an accrual. Lenders are
/// credited at most `to_lenders` (`floor(a + b) − floor(a) ≤ ceil(b) ≤ to_lenders` because
/// `b = total_supply_shares × Δindex ≤ to_lenders`, an integer), so `credited ≤ interest` and
/// every rounding remainder lands in reserves. Supplies, withdrawals, borrows and repayments
/// each round so the same gap can only grow, in the protocol's favour, by a unit or so.
pub fn accrue(
    state: &mut MarketState,
    config: &Config,
    now: u64,
) -> Result<Accrual, ContractError> {
    let params = &config.params;
    if now <= state.last_accrued {
        return Ok(Accrual::default());
    }
    let start = state.last_accrued;
    let dt = now - start;
    state.last_accrued = now;
    if state.total_debt_shares.is_zero() {
        return Ok(Accrual::default());
    }
    let debt_before = state.total_borrowed()?;
    let supplied_before = state.total_supplied()?;
    let u = utilization(debt_before, supplied_before);
    let rate = params.interest.borrow_rate(u)?;
    state.borrow_index = grow_index(state.borrow_index, rate, dt)?;
    let interest = state.total_borrowed()?.checked_sub(debt_before)?;
    let to_lenders = interest.checked_sub(interest.checked_mul_ceil(params.reserve_factor)?)?;
    let credited = if state.total_supply_shares.is_zero() {
        Uint128::zero()
    } else {
        let delta = Decimal::checked_from_ratio(to_lenders, state.total_supply_shares)?;
        state.supply_index = state.supply_index.checked_add(delta)?;
        state.total_supplied()?.checked_sub(supplied_before)?
    };
    let to_reserves = interest.checked_sub(credited)?;
    state.reserves = state.reserves.checked_add(to_reserves)?;
    if let Some(l) = &config.liquidation {
        let kink = params.interest.optimal_utilization;
        let share = l.params.backstop_share(u, kink, state.risk.as_ref(), start);
        let due = to_reserves.checked_mul_floor(share)?;
        state.backstop_due = state.backstop_due.checked_add(due)?;
        state.net_backstop()?;
    }
    Ok(Accrual {
        interest,
        to_lenders: credited,
        to_reserves,
    })
}

/// Loads the market state and accrues it to the current block (in memory; nothing is saved).
pub fn accrued_state(
    storage: &dyn cosmwasm_std::Storage,
    config: &Config,
    now: u64,
) -> Result<MarketState, ContractError> {
    let mut state = STATE.load(storage)?;
    accrue(&mut state, config, now)?;
    Ok(state)
}

/// Utilization and annual rates of `state` (already accrued) under `params`.
pub fn rates(
    state: &MarketState,
    params: &MarketParams,
) -> Result<(Decimal, Decimal, Decimal), ContractError> {
    let u = utilization(state.total_borrowed()?, state.total_supplied()?);
    let borrow = params.interest.borrow_rate(u)?;
    let supply = supply_rate(borrow, u, params.reserve_factor)?;
    Ok((u, borrow, supply))
}

/// `AccrueInterest {}`: anyone accrues interest up to the current block.
pub fn execute_accrue_interest(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let mut state = STATE.load(deps.storage)?;
    let accrual = accrue(&mut state, &config, env.block.time.seconds())?;
    STATE.save(deps.storage, &state)?;
    Ok(Response::new()
        .add_attribute("action", "accrue_interest")
        .add_attribute("sender", info.sender)
        .add_attribute("interest", accrual.interest)
        .add_attribute("to_lenders", accrual.to_lenders)
        .add_attribute("to_reserves", accrual.to_reserves)
        .add_attribute("borrow_index", state.borrow_index.to_string())
        .add_attribute("supply_index", state.supply_index.to_string())
        .add_attribute("reserves", state.reserves))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Liquidation;
    use breakwater_types::adapters::{BackstopContract, LiquidatorContract, OracleContract};
    use breakwater_types::market::LiquidationParams;
    use cosmwasm_std::Addr;

    fn config(params: MarketParams) -> Config {
        Config {
            oracle: OracleContract(Addr::unchecked("oracle")),
            base_denom: "uusdc".to_string(),
            params,
            liquidation: None,
        }
    }

    fn with_liquidation(params: MarketParams, share: Decimal) -> Config {
        Config {
            liquidation: Some(Liquidation {
                liquidator: LiquidatorContract(Addr::unchecked("liquidator")),
                backstop: BackstopContract(Addr::unchecked("backstop")),
                guardian: None,
                params: LiquidationParams {
                    backstop_reserve_share: share,
                    risk_share: None,
                    ..LiquidationParams::default()
                },
            }),
            ..config(params)
        }
    }

    fn state(supply: u128, debt: u128) -> MarketState {
        let mut s = MarketState::new(0);
        s.total_supply_shares = Uint128::new(supply);
        s.total_debt_shares = Uint128::new(debt);
        s.cash = Uint128::new(supply - debt);
        s
    }

    /// `cash + total_borrowed + debt_in_auction − total_supplied − reserves`.
    fn gap(s: &MarketState) -> i128 {
        let lhs = s.cash.u128() + s.total_borrowed().unwrap().u128() + s.debt_in_auction.u128();
        let rhs = s.total_supplied().unwrap().u128() + s.reserves.u128();
        lhs as i128 - rhs as i128
    }

    #[test]
    fn nothing_borrowed_only_moves_the_clock() {
        let mut s = state(1_000, 0);
        let a = accrue(&mut s, &config(MarketParams::default()), 100).unwrap();
        assert_eq!(a, Accrual::default());
        assert_eq!(s.last_accrued, 100);
        assert_eq!(s.borrow_index, Decimal::one());
    }

    #[test]
    fn accrual_keeps_the_books_balanced_and_splits_interest() {
        let p = MarketParams::default();
        let c = with_liquidation(p.clone(), Decimal::percent(50));
        let mut s = state(1_000_000_000, 800_000_000);
        // Debt already handed to auctions stays on the books through accruals.
        s.debt_in_auction = Uint128::new(5_000);
        let base_gap = gap(&s);
        let mut due = Uint128::zero();
        for i in 1..=1_000u64 {
            let a = accrue(&mut s, &c, i * 3_600).unwrap();
            assert_eq!(a.interest, a.to_lenders + a.to_reserves);
            assert!(a.to_reserves >= a.interest.mul_ceil(p.reserve_factor));
            due += a.to_reserves.mul_floor(Decimal::percent(50));
            assert_eq!(s.backstop_due, due);
            assert!(s.backstop_due <= s.reserves);
            assert_eq!(gap(&s), base_gap);
        }
        assert!(s.borrow_index > Decimal::one());
        assert!(s.supply_index > Decimal::one());
        assert!(s.reserves > Uint128::zero());
    }

    #[test]
    fn without_suppliers_all_interest_goes_to_reserves() {
        let mut s = state(0, 0);
        s.total_debt_shares = Uint128::new(1_000_000);
        let a = accrue(&mut s, &config(MarketParams::default()), 86_400 * 365).unwrap();
        assert!(a.interest > Uint128::zero());
        assert!(
            s.backstop_due.is_zero(),
            "nothing is earmarked without a set-up"
        );
        assert_eq!(a.to_reserves, a.interest);
        assert_eq!(s.supply_index, Decimal::one());
    }

    #[test]
    fn time_going_backwards_changes_nothing() {
        let mut s = state(1_000, 500);
        s.last_accrued = 100;
        let before = s.clone();
        accrue(&mut s, &config(MarketParams::default()), 50).unwrap();
        assert_eq!(s, before);
    }
}
