//! `Reset`: restart a stale auction from a fresh oracle price (Maker `redo`).
use crate::auction::{oracle_price, params, price_now};
use crate::curve::top_price;
use crate::error::ContractError;
use crate::state::{StoredSeller, AUCTIONS, CONFIG, PENDING_FLASH};
use breakwater_types::market::ExecuteMsg as MarketMsg;
use cosmwasm_std::{to_json_binary, DepsMut, Env, MessageInfo, Response, WasmMsg};

/// Restarts auction `auction_id` when it is older than `tail` or its curve fell below
/// `cusp · top`, from `oracle · buf` now. The oracle must be active (a reset at a bad price
/// would defeat its purpose). A liquidation reset with a tab of at least `dust` asks the market
/// to reward the keeper; dust or resale resets earn nothing.
pub fn reset(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    auction_id: u64,
) -> Result<Response, ContractError> {
    if PENDING_FLASH.exists(deps.storage) {
        return Err(ContractError::Reentrancy);
    }
    let cfg = CONFIG.load(deps.storage)?;
    let mut auction = AUCTIONS
        .may_load(deps.storage, auction_id)?
        .ok_or(ContractError::UnknownAuction { id: auction_id })?;
    let p = params(deps.storage, &auction.denom)?;
    let oracle = oracle_price(&deps.querier, &cfg, &auction.denom)?;
    let q = price_now(&env, &p, &auction, &oracle)?;
    if !q.needs_reset {
        return Err(ContractError::NotStale { id: auction_id });
    }
    if !oracle.status.is_active() {
        return Err(ContractError::OraclePaused {
            denom: auction.denom,
            status: oracle.status.name().to_string(),
        });
    }
    auction.top = top_price(oracle.median, p.buf)?;
    auction.start_oracle = oracle.median;
    auction.started_at = env.block.time.seconds();
    AUCTIONS.save(deps.storage, auction_id, &auction)?;
    let mut res = Response::new()
        .add_attribute("action", "reset")
        .add_attribute("auction_id", auction_id.to_string())
        .add_attribute("keeper", info.sender.to_string())
        .add_attribute("top", auction.top.to_string())
        .add_attribute("lot", auction.lot)
        .add_attribute("tab", auction.tab);
    let rewarded = matches!(auction.seller, StoredSeller::Liquidation { .. })
        && auction.tab >= p.dust
        && !auction.lot.is_zero();
    if rewarded {
        res = res.add_message(WasmMsg::Execute {
            contract_addr: cfg.market.to_string(),
            msg: to_json_binary(&MarketMsg::RewardKeeper {
                keeper: info.sender.to_string(),
                tab: auction.tab,
            })?,
            funds: vec![],
        });
    }
    Ok(res.add_attribute("rewarded", rewarded.to_string()))
}
