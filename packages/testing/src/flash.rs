//! A flash-liquidation receiver for tests: it gets the lot, then pays the liquidator from its
//! own balance according to its [`FlashBehaviour`].
use crate::Suite;
use breakwater_types::liquidator::{ExecuteMsg as LiquidatorMsg, FlashReceiverMsg};
use cosmwasm_schema::cw_serde;
use cosmwasm_std::{
    coin, to_json_binary, Addr, BankMsg, Binary, Deps, DepsMut, Empty, Env, MessageInfo, Response,
    StdError, StdResult, Uint128, WasmMsg,
};
use cw_multi_test::{Contract, ContractWrapper, Executor};
use cw_storage_plus::Item;

/// What the receiver does when called back.
#[cw_serde]
pub enum FlashBehaviour {
    /// Pays exactly what it owes.
    Pay,
    /// Pays one unit less than it owes.
    PayShort,
    /// Tries to bid on the same auction again before paying.
    Reenter,
}

const BEHAVIOUR: Item<FlashBehaviour> = Item::new("behaviour");

fn instantiate(deps: DepsMut, _: Env, _: MessageInfo, msg: FlashBehaviour) -> StdResult<Response> {
    BEHAVIOUR.save(deps.storage, &msg)?;
    Ok(Response::new())
}

fn execute(deps: DepsMut, _: Env, _: MessageInfo, msg: FlashReceiverMsg) -> StdResult<Response> {
    let FlashReceiverMsg::BreakwaterFlash {
        auction_id,
        owe,
        denom,
        liquidator,
        ..
    } = msg;
    let pay = |amount: Uint128| -> Vec<cosmwasm_std::CosmosMsg> {
        if amount.is_zero() {
            return vec![];
        }
        vec![BankMsg::Send {
            to_address: liquidator.clone(),
            amount: vec![coin(amount.u128(), &denom)],
        }
        .into()]
    };
    let res = Response::new().add_attribute("action", "flash_received");
    Ok(match BEHAVIOUR.load(deps.storage)? {
        FlashBehaviour::Pay => res.add_messages(pay(owe)),
        FlashBehaviour::PayShort => res.add_messages(pay(owe.saturating_sub(Uint128::one()))),
        FlashBehaviour::Reenter => res
            .add_message(WasmMsg::Execute {
                contract_addr: liquidator.clone(),
                msg: to_json_binary(&LiquidatorMsg::Bid {
                    auction_id,
                    max_collateral: Uint128::one(),
                    max_price: cosmwasm_std::Decimal::MAX,
                    callback: None,
                })?,
                funds: vec![],
            })
            .add_messages(pay(owe)),
    })
}

fn query(_: Deps, _: Env, _: Empty) -> StdResult<Binary> {
    Err(StdError::msg("the flash receiver answers no queries"))
}

fn code() -> Box<dyn Contract<Empty>> {
    Box::new(ContractWrapper::new(execute, instantiate, query))
}

impl Suite {
    /// Deploys a flash receiver with `behaviour`, funded with `base` units of the base asset
    /// to pay with.
    pub fn deploy_flash_receiver(&mut self, behaviour: FlashBehaviour, base: u128) -> Addr {
        let id = self.app.store_code(code());
        let addr = self
            .app
            .instantiate_contract(id, self.owner.clone(), &behaviour, &[], "flash", None)
            .unwrap_or_else(|e| panic!("flash receiver instantiate failed: {e}"));
        if base > 0 {
            let denom = self.base_denom.clone();
            self.fund(&addr, &[coin(base, denom)]);
        }
        addr
    }
}
