//! `Liquidate { borrower }`: not available until a liquidator contract is configured.
use crate::error::ContractError;
use cosmwasm_std::{Deps, Response};

/// Validates the borrower's address, then refuses: this market has no liquidator yet, so no
/// position can be liquidated through it.
pub fn execute_liquidate(deps: Deps, borrower: String) -> Result<Response, ContractError> {
    deps.api.addr_validate(&borrower)?;
    Err(ContractError::LiquidationUnavailable)
}
