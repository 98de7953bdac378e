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
use breakwater_types::market::MarginParams;
use breakwater_types::math::health::{compute_health, CollateralLine, Health};
use breakwater_types::math::margin::effective_ltv;
use breakwater_types::oracle::OracleStatus;
use cosmwasm_std::{Decimal, Deps, Uint128};
use std::collections::BTreeMap;

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
    /// The price the oracle stands behind, which decides whether an account may be
    /// liquidated, and how hard: the median when `Active` or `Stale` (a stale median passed
    /// the oracle's breaker when it was set), and the higher of median and TWAP — the less
    /// punitive for the borrower — when `Halted` (the median jumped further from the TWAP than
    /// the breaker allows, e.g. a one-block wick) or `NoQuorum` (the record may hold such a
    /// median). An account below 1 (or the hard floor) at both is still liquidated.
    pub fn trusted_price(&self) -> Decimal {
        match self.status {
            OracleStatus::Halted { .. } | OracleStatus::NoQuorum { .. } => {
                self.median.max(self.twap)
            }
            OracleStatus::Active {} | OracleStatus::Stale { .. } => self.median,
        }
    }

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
pub struct PriceCache(BTreeMap<String, PricedCollateral>);

impl PriceCache {
    /// The priced collateral `denom`, querying the oracle and storage the first time only.
    pub fn get(
        &mut self,
        deps: Deps,
        config: &Config,
        denom: &str,
    ) -> Result<&PricedCollateral, ContractError> {
        if !self.0.contains_key(denom) {
            let collateral = COLLATERALS.may_load(deps.storage, denom)?.ok_or_else(|| {
                ContractError::UnlistedCollateral {
                    denom: denom.to_string(),
                }
            })?;
            let p = config.oracle.query_price_view(&deps.querier, denom)?;
            self.0.insert(
                denom.to_string(),
                PricedCollateral {
                    median: p.median,
                    twap: p.twap,
                    volatility: p.volatility,
                    status: p.status,
                    collateral,
                },
            );
        }
        self.0
            .get(denom)
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
    /// Its valuation line (at the median).
    pub line: CollateralLine,
    /// The price the oracle stands behind ([`PricedCollateral::trusted_price`]).
    pub trusted: Decimal,
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
                line: priced.line(*amount, &config.params.margin, now),
                trusted: priced.trusted_price(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use breakwater_types::market::CollateralParams;
    use breakwater_types::math::margin::Ramp;

    fn priced(median: u64, twap: u64, status: OracleStatus) -> PricedCollateral {
        let params = CollateralParams {
            denom: "uatom".to_string(),
            max_ltv: Decimal::percent(68),
            liquidation_threshold: Decimal::percent(70),
            liquidation_penalty: Decimal::percent(5),
            supply_cap: Uint128::MAX,
            depth: Uint128::one(),
        };
        PricedCollateral {
            median: Decimal::percent(median),
            twap: Decimal::percent(twap),
            volatility: Decimal::zero(),
            status,
            collateral: CollateralState {
                threshold_ramp: Ramp::constant(params.liquidation_threshold),
                params,
                total_deposited: Uint128::zero(),
            },
        }
    }

    #[test]
    fn the_trusted_price_is_the_median_unless_the_oracle_does_not_stand_behind_it() {
        let halted = OracleStatus::Halted {
            since: 1,
            jump: Decimal::percent(27),
        };
        let no_quorum = OracleStatus::NoQuorum {
            since: 1,
            fresh: 1,
            required: 2,
        };
        // A halted or quorum-less wick down counts at the TWAP, a wick up at the median.
        assert_eq!(
            priced(730, 1_000, halted.clone()).trusted_price(),
            Decimal::percent(1_000)
        );
        assert_eq!(
            priced(1_300, 1_000, halted).trusted_price(),
            Decimal::percent(1_300)
        );
        assert_eq!(
            priced(730, 1_000, no_quorum).trusted_price(),
            Decimal::percent(1_000)
        );
        // Active and stale medians passed the breaker: they count as they are.
        let active = priced(730, 1_000, OracleStatus::Active {});
        assert_eq!(active.trusted_price(), Decimal::percent(730));
        let stale = priced(730, 1_000, OracleStatus::Stale { since: 1 });
        assert_eq!(stale.trusted_price(), Decimal::percent(730));
    }
}
