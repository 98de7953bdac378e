//! The circuit breaker (Maker `stopped`): `SetBreakerLevel` and `TripBreaker`.
//!
//! Level 1 refuses new borrows; level 2 also refuses liquidations of accounts above the hard
//! floor (no new auctions); level 3 also stops bids (the liquidator reads the level from
//! `State {}`). Accounts below the hard floor are liquidated at every level. Only the owner
//! and the guardian set the level; `TripBreaker` announces a per-denom halt, whose pause is the
//! oracle status itself.
use crate::error::ContractError;
use crate::state::{COLLATERALS, CONFIG, STATE};
use breakwater_types::market::breaker;
use breakwater_types::oracle::OracleStatus;
use breakwater_types::ownership::Ownership;
use cosmwasm_std::{DepsMut, MessageInfo, Response};

/// `SetBreakerLevel { level }`: the owner or the guardian sets the level (0 to 3).
pub fn execute_set_breaker_level(
    deps: DepsMut,
    info: MessageInfo,
    level: u8,
) -> Result<Response, ContractError> {
    let owner = Ownership::load(deps.storage)?.owner;
    let config = CONFIG.load(deps.storage)?;
    let guardian = config.liquidation.and_then(|l| l.guardian);
    if info.sender != owner && Some(&info.sender) != guardian.as_ref() {
        return Err(ContractError::Unauthorized {
            expected: "the owner or the guardian",
        });
    }
    if level > breaker::NO_BIDS {
        return Err(ContractError::InvalidBreakerLevel { level });
    }
    let mut state = STATE.load(deps.storage)?;
    let previous = state.breaker_level;
    state.breaker_level = level;
    STATE.save(deps.storage, &state)?;
    Ok(Response::new()
        .add_attribute("action", "set_breaker_level")
        .add_attribute("sender", info.sender)
        .add_attribute("previous_level", previous.to_string())
        .add_attribute("level", level.to_string()))
}

/// `TripBreaker { denom }`: anyone confirms that the oracle reports the listed collateral
/// `denom` halted, and the market announces it (`trip_breaker` event with the halt's `since`
/// and `jump`).
///
/// The pause it stands for is scoped to `denom` and clears by itself: above the hard floor no
/// auction of `denom` starts and no absorb takes it while its price is not active, and accounts
/// holding it are judged at the higher of its median and TWAP (see [`crate::liquidate`]). It
/// no longer raises the market-wide level, which paused every collateral's liquidations until
/// the owner lowered it again.
pub fn execute_trip_breaker(
    deps: DepsMut,
    info: MessageInfo,
    denom: String,
) -> Result<Response, ContractError> {
    if !COLLATERALS.has(deps.storage, &denom) {
        return Err(ContractError::UnlistedCollateral { denom });
    }
    let config = CONFIG.load(deps.storage)?;
    let price = config.oracle.query_price_view(&deps.querier, &denom)?;
    let OracleStatus::Halted { since, jump } = price.status else {
        return Err(ContractError::OracleNotHalted { denom });
    };
    Ok(Response::new()
        .add_attribute("action", "trip_breaker")
        .add_attribute("sender", info.sender)
        .add_attribute("denom", denom)
        .add_attribute("since", since.to_string())
        .add_attribute("jump", jump.to_string()))
}
