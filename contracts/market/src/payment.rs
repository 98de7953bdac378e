//! What a message pays: the attached funds, checked and converted into the market's 128-bit
//! accounting. Every 256-bit amount the market handles (attached funds, bank balances) goes
//! through [`to_u128`], which refuses what does not fit: no amount is ever saturated.
use crate::error::ContractError;
use cosmwasm_std::{MessageInfo, Uint128, Uint256};
use cw_utils::{must_pay, PaymentError};

/// Converts an attached amount into the market's 128-bit accounting.
pub fn to_u128(amount: Uint256) -> Result<Uint128, ContractError> {
    Uint128::try_from(amount).map_err(|_| ContractError::AmountTooLarge {
        amount: amount.to_string(),
    })
}

/// The base-asset amount attached: exactly one coin, of the base denom, positive.
pub fn base_payment(info: &MessageInfo, base_denom: &str) -> Result<Uint128, ContractError> {
    to_u128(must_pay(info, base_denom)?)
}

/// The single collateral coin attached to a deposit: exactly one coin, positive. Whether the
/// denom is a listed collateral is checked by the handler.
pub fn collateral_payment(info: &MessageInfo) -> Result<(String, Uint128), ContractError> {
    let coin = match info.funds.as_slice() {
        [] => return Err(PaymentError::NoFunds {}.into()),
        [coin] => coin,
        _ => return Err(PaymentError::MultipleDenoms {}.into()),
    };
    if coin.amount.is_zero() {
        return Err(ContractError::ZeroAmount);
    }
    Ok((coin.denom.clone(), to_u128(coin.amount)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use breakwater_types::error::CommonError;
    use cosmwasm_std::testing::{message_info, MockApi};
    use cosmwasm_std::Coin;

    fn info(funds: &[Coin]) -> MessageInfo {
        message_info(&MockApi::default().addr_make("user"), funds)
    }

    #[test]
    fn collateral_payment_requires_exactly_one_positive_coin() {
        assert!(matches!(
            collateral_payment(&info(&[])),
            Err(ContractError::Common(CommonError::Payment(
                PaymentError::NoFunds {}
            )))
        ));
        let two = [Coin::new(1u128, "a"), Coin::new(1u128, "b")];
        assert!(matches!(
            collateral_payment(&info(&two)),
            Err(ContractError::Common(CommonError::Payment(
                PaymentError::MultipleDenoms {}
            )))
        ));
        assert!(matches!(
            collateral_payment(&info(&[Coin::new(0u128, "a")])),
            Err(ContractError::ZeroAmount)
        ));
        let huge = Coin::new(Uint256::from(u128::MAX) + Uint256::one(), "a");
        assert!(matches!(
            collateral_payment(&info(&[huge])),
            Err(ContractError::AmountTooLarge { .. })
        ));
        let (denom, amount) = collateral_payment(&info(&[Coin::new(5u128, "a")])).unwrap();
        assert_eq!((denom.as_str(), amount.u128()), ("a", 5));
    }

    #[test]
    fn base_payment_requires_the_base_denom() {
        assert!(matches!(
            base_payment(&info(&[Coin::new(5u128, "x")]), "uusdc"),
            Err(ContractError::Common(CommonError::Payment(
                PaymentError::MissingDenom(_)
            )))
        ));
        let huge = Coin::new(Uint256::MAX, "uusdc");
        assert!(matches!(
            base_payment(&info(&[huge]), "uusdc"),
            Err(ContractError::AmountTooLarge { .. })
        ));
        let amount = base_payment(&info(&[Coin::new(5u128, "uusdc")]), "uusdc").unwrap();
        assert_eq!(amount.u128(), 5);
    }
}
