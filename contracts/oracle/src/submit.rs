//! `SubmitPrices`: a feeder submits prices for one or many assets.
//!
//! Every entry is validated before anything is stored: the list is non-empty and at most
//! `MAX_PRICES_PER_SUBMISSION` long, names no denom twice, every denom is listed, the sender
//! feeds every one of them, and every price is non-zero and within `[MIN_PRICE, MAX_PRICE]`.
//! Then each submission is stored and its asset recomputed (see [`crate::aggregate`]).
use crate::aggregate::{refresh, Refreshed};
use crate::error::ContractError;
use crate::state::{load_asset, AssetConfig, Submission, SUBMISSIONS};
use breakwater_types::oracle::{PriceSubmission, MAX_PRICE, MAX_PRICES_PER_SUBMISSION, MIN_PRICE};
use cosmwasm_std::{Addr, Decimal, DepsMut, Env, Event, MessageInfo, Response, Storage};
use std::collections::BTreeSet;

/// Checks one price against the accepted range.
pub fn check_price(denom: &str, price: Decimal) -> Result<(), ContractError> {
    if price.is_zero() {
        return Err(ContractError::ZeroPrice {
            denom: denom.to_string(),
        });
    }
    if price < MIN_PRICE || price > MAX_PRICE {
        return Err(ContractError::PriceOutOfRange {
            denom: denom.to_string(),
            price,
            min: MIN_PRICE,
            max: MAX_PRICE,
        });
    }
    Ok(())
}

/// Validates the whole submission and returns each entry with its asset's configuration.
fn validate(
    storage: &dyn Storage,
    sender: &Addr,
    prices: Vec<PriceSubmission>,
) -> Result<Vec<(PriceSubmission, AssetConfig)>, ContractError> {
    if prices.is_empty() {
        return Err(ContractError::EmptySubmission);
    }
    if prices.len() > MAX_PRICES_PER_SUBMISSION {
        return Err(ContractError::TooManyPrices {
            count: prices.len(),
            max: MAX_PRICES_PER_SUBMISSION,
        });
    }
    let mut seen = BTreeSet::new();
    let mut checked = Vec::with_capacity(prices.len());
    for p in prices {
        if !seen.insert(p.denom.clone()) {
            return Err(ContractError::DuplicateDenom { denom: p.denom });
        }
        let config = load_asset(storage, &p.denom)?;
        if !config.is_feeder(sender) {
            return Err(ContractError::NotFeeder {
                denom: p.denom,
                sender: sender.to_string(),
            });
        }
        check_price(&p.denom, p.price)?;
        checked.push((p, config));
    }
    Ok(checked)
}

/// The per-asset event of a submission.
fn price_event(denom: &str, submitted: Decimal, r: &Refreshed) -> Event {
    let opt = |d: Option<Decimal>| d.map_or_else(|| "none".to_string(), |d| d.to_string());
    let event = Event::new("oracle_price");
    // A jump beyond the breaker that did not halt says so (the book held through the fall).
    let event = if r.book_held {
        event.add_attribute("book_held", "true")
    } else {
        event
    };
    event.add_attributes([
        ("denom", denom.to_string()),
        ("price", submitted.to_string()),
        ("median", opt(r.median)),
        ("twap", opt(r.twap)),
        ("jump", opt(r.jump)),
        ("status", r.status.name().to_string()),
        ("feeders_used", r.used.to_string()),
        ("feeders_excluded", r.excluded.to_string()),
    ])
}

/// Handles `SubmitPrices`.
pub fn submit_prices(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    prices: Vec<PriceSubmission>,
) -> Result<Response, ContractError> {
    let checked = validate(deps.storage, &info.sender, prices)?;
    let now = env.block.time.seconds();
    let count = checked.len();
    let mut events = Vec::with_capacity(count);
    for (p, config) in checked {
        SUBMISSIONS.save(
            deps.storage,
            (&p.denom, &info.sender),
            &Submission {
                price: p.price,
                time: now,
                depth: p.depth,
            },
        )?;
        let r = refresh(deps.storage, &p.denom, &config.params, now)?;
        events.push(price_event(&p.denom, p.price, &r));
    }
    Ok(Response::new()
        .add_attribute("action", "submit_prices")
        .add_attribute("feeder", info.sender)
        .add_attribute("count", count.to_string())
        .add_events(events))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_outside_the_bounds_are_refused_with_their_own_errors() {
        assert!(matches!(
            check_price("a", Decimal::zero()),
            Err(ContractError::ZeroPrice { .. })
        ));
        let tiny = Decimal::new(cosmwasm_std::Uint128::new(999_999));
        assert!(matches!(
            check_price("a", tiny),
            Err(ContractError::PriceOutOfRange { .. })
        ));
        let huge = MAX_PRICE + Decimal::new(cosmwasm_std::Uint128::new(1));
        assert!(matches!(
            check_price("a", huge),
            Err(ContractError::PriceOutOfRange { .. })
        ));
        assert!(check_price("a", MIN_PRICE).is_ok());
        assert!(check_price("a", MAX_PRICE).is_ok());
    }
}
