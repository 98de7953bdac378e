//! Pricing an account's collaterals and measuring its health.
//!
//! ```text
//! LT_now   = threshold_ramp.value_at(now)
//! ltv_eff  = min(effective_ltv(max_ltv, volatility, reference_volatility, min_ltv_factor), LT_now)
//! borrow_limit  = Σ floor(amount × min(median, twap)) × ltv_eff
//! health_factor = Σ floor(amount × median) × LT_now / debt
//! ```
use crate::error::ContractError;
use crate::state::{CollateralState, Config, COLLATERALS};
use breakwater_types::market::{DynamicBonus, MarginParams};
use breakwater_types::math::health::{compute_health, CollateralLine, Health};
use breakwater_types::math::margin::effective_ltv;
use breakwater_types::oracle::OracleStatus;
use cosmwasm_std::{Decimal, Deps, Uint128};

/// The oracle's view of one collateral, together with its stored state.
#[derive(Debug, Clone)]
pub struct PricedCollateral {
    /// Oracle median.
    pub median: Decimal,
    /// Oracle TWAP.
    pub twap: Decimal,
    /// Annualized realized volatility.
    pub volatility: Decimal,
    /// Oracle status at query time.
    pub status: OracleStatus,
    /// The collateral as stored in the market.
    pub collateral: CollateralState,
}

impl PricedCollateral {
    /// The valuation line of `amount` units at time `now` under `margin`.
    pub fn line(&self, amount: Uint128, margin: &MarginParams, now: u64) -> CollateralLine {
        let lt_now = self.collateral.threshold_ramp.value_at(now);
        let ltv = effective_ltv(
            self.collateral.params.max_ltv,
            self.volatility,
            margin.reference_volatility,
            margin.min_ltv_factor,
        )
        .min(lt_now);
        CollateralLine {
            amount,
            price: self.median,
            borrow_price: self.median.min(self.twap),
            liquidation_threshold: lt_now,
            ltv,
        }
    }
}

/// Prices fetched so far, by denom: each collateral is priced at most once per message or
/// query page.
#[derive(Debug, Default)]
pub struct PriceCache(Vec<(String, PricedCollateral)>);

impl PriceCache {
    /// The priced collateral `denom`, querying the oracle and storage the first time only (a
    /// linear search: at most `MAX_COLLATERALS` entries).
    pub fn get(
        &mut self,
        deps: Deps,
        config: &Config,
        denom: &str,
    ) -> Result<&PricedCollateral, ContractError> {
        let i = match self.0.iter().position(|(d, _)| d == denom) {
            Some(i) => i,
            None => {
                let collateral = COLLATERALS.may_load(deps.storage, denom)?.ok_or_else(|| {
                    ContractError::UnlistedCollateral {
                        denom: denom.to_string(),
                    }
                })?;
                let p = config.oracle.query_price_view(&deps.querier, denom)?;
                self.0.push((
                    denom.to_string(),
                    PricedCollateral {
                        median: p.median,
                        twap: p.twap,
                        volatility: p.volatility,
                        status: p.status,
                        collateral,
                    },
                ));
                self.0.len() - 1
            }
        };
        self.0
            .get(i)
            .map(|(_, p)| p)
            .ok_or_else(|| ContractError::UnlistedCollateral {
                denom: denom.to_string(),
            })
    }
}

/// One holding, priced.
#[derive(Debug, Clone)]
pub struct PricedLine {
    /// The collateral denom.
    pub denom: String,
    /// Its oracle status.
    pub status: OracleStatus,
    /// Its liquidation penalty (bonus on seized collateral).
    pub penalty: Decimal,
    /// Its dynamic liquidation bonus, if any.
    pub dynamic_bonus: Option<DynamicBonus>,
    /// Its valuation line (at the median).
    pub line: CollateralLine,
    /// Its oracle TWAP.
    pub twap: Decimal,
}

/// Prices every holding in `holdings` at `now`, through `cache`.
pub fn price_holdings(
    deps: Deps,
    config: &Config,
    holdings: &[(String, Uint128)],
    now: u64,
    cache: &mut PriceCache,
) -> Result<Vec<PricedLine>, ContractError> {
    holdings
        .iter()
        .map(|(denom, amount)| {
            let priced = cache.get(deps, config, denom)?;
            Ok(PricedLine {
                denom: denom.clone(),
                status: priced.status.clone(),
                penalty: priced.collateral.params.liquidation_penalty,
                dynamic_bonus: priced.collateral.params.dynamic_bonus.clone(),
                line: priced.line(*amount, &config.params.margin, now),
                twap: priced.twap,
            })
        })
        .collect()
}

/// Sums the health of priced `lines` carrying `debt`.
pub fn health_of(lines: &[PricedLine], debt: Uint128) -> Result<Health, ContractError> {
    let lines: Vec<CollateralLine> = lines.iter().map(|l| l.line.clone()).collect();
    compute_health(&lines, debt).map_err(|e| ContractError::ValuationOverflow {
        reason: e.to_string(),
    })
}

/// The health of an account taking new risk (a borrow or a collateral withdrawal): every
/// holding must have an active price, and `debt` must fit under the borrow limit.
pub fn check_new_risk(
    deps: Deps,
    config: &Config,
    holdings: &[(String, Uint128)],
    debt: Uint128,
    now: u64,
) -> Result<Health, ContractError> {
    let lines = price_holdings(deps, config, holdings, now, &mut PriceCache::default())?;
    if let Some(l) = lines.iter().find(|l| !l.status.is_active()) {
        return Err(ContractError::PriceNotActive {
            denom: l.denom.clone(),
            status: l.status.name().to_string(),
        });
    }
    let health = health_of(&lines, debt)?;
    if !health.within_borrow_limit() {
        return Err(ContractError::BorrowLimitExceeded {
            debt,
            borrow_limit: health.borrow_limit,
        });
    }
    Ok(health)
}
