//! A deployment plan: everything the four contracts are instantiated with, in one value that
//! the test Suite (cw-multi-test) and the deployer (a real chain) both turn into the same
//! messages, in the same order:
//!
//! 1. oracle ([`DeployPlan::oracle_msg`]), 2. market ([`DeployPlan::market_msg`]),
//! 3. liquidator ([`DeployPlan::liquidator_msg`]), 4. backstop ([`DeployPlan::backstop_msg`]),
//! 5. `liquidator.SetBackstop`, 6. `market.SetLiquidation` ([`DeployPlan::liquidation_msg`]).
use crate::backstop::{self, BackstopParams};
use crate::liquidator::{self, AuctionParams, CollateralAuction, PriceCurve};
use crate::market::{self, CollateralParams, LiquidationConfig, LiquidationParams, MarketParams};
use crate::oracle::{self, AssetInit, OracleParams};
use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Decimal, Uint128};

/// One listed collateral: its market risk parameters, its auction parameters and the price
/// the feeders start from.
#[cw_serde]
pub struct CollateralPlan {
    /// Market risk parameters (the denom is `params.denom`).
    pub params: CollateralParams,
    /// Auction parameters in the liquidator.
    pub auction: AuctionParams,
    /// Initial price, in base units per collateral unit.
    pub price: Decimal,
}

/// Everything the four contracts are instantiated with. Addresses (feeders, guardian) are
/// given when the messages are built, since they differ between chains.
#[cw_serde]
pub struct DeployPlan {
    /// The borrowable base asset.
    pub base_denom: String,
    /// Listed collaterals, in listing order.
    pub collaterals: Vec<CollateralPlan>,
    /// Oracle parameters of every asset.
    pub oracle: OracleParams,
    /// Market-wide parameters.
    pub market: MarketParams,
    /// Liquidation parameters of the market.
    pub liquidation: LiquidationParams,
    /// Backstop parameters.
    pub backstop: BackstopParams,
    /// The liquidator's global cap on debt under auction (base units).
    pub global_hole: Uint128,
    /// The liquidator's impact budget (percent) deriving per-collateral caps from depth.
    pub impact_budget_pct: Decimal,
}

fn collateral(denom: &str, ltv: u64, lt: u64, penalty: u64, price: Decimal) -> CollateralPlan {
    CollateralPlan {
        params: CollateralParams {
            denom: denom.to_string(),
            max_ltv: Decimal::permille(ltv),
            liquidation_threshold: Decimal::permille(lt),
            liquidation_penalty: Decimal::permille(penalty),
            supply_cap: Uint128::new(1_000_000_000_000_000),
            depth: Uint128::new(10_000_000_000),
            dynamic_bonus: None,
        },
        auction: test_auction_params(),
        price,
    }
}

/// Auction parameters of the test and devnet plan: buf 1.1, a 3% cut every 60 s, reset after
/// an hour or below half the top, floor at 80% of the oracle, dust 1 base unit (10^6), cap
/// derived from depth.
pub fn test_auction_params() -> AuctionParams {
    AuctionParams {
        buf: Decimal::percent(110),
        curve: PriceCurve::StairStep {
            step: 60,
            cut: Decimal::percent(97),
        },
        tail: 3_600,
        cusp: Decimal::percent(50),
        max_discount: Decimal::percent(20),
        dust: Uint128::new(1_000_000),
        hole: None,
        follow_oracle: false,
        hold: 0,
        hold_tolerance: Decimal::zero(),
        hold_room: false,
        slide: None,
        pace_sales: None,
        wait_falls: None,
    }
}

/// Liquidation parameters of the test and devnet plan: target 1.05, hard floor 0.8, dust 10^6,
/// chip 0.1% capped at 10^9, half the reserves to the backstop.
pub fn test_liquidation_params() -> LiquidationParams {
    LiquidationParams {
        min_debt: Uint128::new(1_000_000),
        min_collateral_value: Uint128::new(1_000_000),
        keeper_reward_cap: Uint128::new(1_000_000_000),
        ..LiquidationParams::default()
    }
}

impl Default for DeployPlan {
    /// The test and devnet plan: base `uusdc`; `uatom` (price 10, LTV 0.68, LT 0.70, penalty
    /// 5%), `uosmo` (0.5; 0.60, 0.65, 8%) and `ueth` (3000; 0.80, 0.825, 5%); oracle quorum of
    /// two; default market and backstop parameters; [`test_liquidation_params`];
    /// [`test_auction_params`]; an impact budget of 3%.
    fn default() -> Self {
        DeployPlan {
            base_denom: "uusdc".to_string(),
            collaterals: vec![
                collateral("uatom", 680, 700, 50, Decimal::percent(1_000)),
                collateral("uosmo", 600, 650, 80, Decimal::percent(50)),
                collateral("ueth", 800, 825, 50, Decimal::percent(300_000)),
            ],
            oracle: OracleParams {
                min_feeders: 2,
                ..OracleParams::default()
            },
            market: MarketParams::default(),
            liquidation: test_liquidation_params(),
            backstop: BackstopParams::default(),
            global_hole: Uint128::new(1_000_000_000_000_000),
            impact_budget_pct: Decimal::percent(300),
        }
    }
}

impl DeployPlan {
    /// The listed collateral denoms, in listing order.
    pub fn denoms(&self) -> Vec<String> {
        self.collaterals
            .iter()
            .map(|c| c.params.denom.clone())
            .collect()
    }

    /// The oracle's instantiation: every collateral, fed by `feeders`.
    pub fn oracle_msg(&self, feeders: &[String]) -> oracle::InstantiateMsg {
        oracle::InstantiateMsg {
            owner: None,
            assets: self
                .collaterals
                .iter()
                .map(|c| AssetInit {
                    denom: c.params.denom.clone(),
                    params: self.oracle.clone(),
                    feeders: feeders.to_vec(),
                })
                .collect(),
        }
    }

    /// The market's instantiation.
    pub fn market_msg(&self, oracle: &str) -> market::InstantiateMsg {
        market::InstantiateMsg {
            owner: None,
            oracle: oracle.to_string(),
            base_denom: self.base_denom.clone(),
            params: self.market.clone(),
            collaterals: self.collaterals.iter().map(|c| c.params.clone()).collect(),
        }
    }

    /// The liquidator's instantiation (its backstop is set once the backstop exists).
    pub fn liquidator_msg(&self, market: &str, oracle: &str) -> liquidator::InstantiateMsg {
        liquidator::InstantiateMsg {
            owner: None,
            market: market.to_string(),
            oracle: oracle.to_string(),
            backstop: None,
            base_denom: self.base_denom.clone(),
            global_hole: self.global_hole,
            impact_budget_pct: self.impact_budget_pct,
            collaterals: self
                .collaterals
                .iter()
                .map(|c| CollateralAuction {
                    denom: c.params.denom.clone(),
                    params: c.auction.clone(),
                })
                .collect(),
        }
    }

    /// The backstop's instantiation.
    pub fn backstop_msg(
        &self,
        market: &str,
        liquidator: &str,
        oracle: &str,
    ) -> backstop::InstantiateMsg {
        backstop::InstantiateMsg {
            owner: None,
            market: market.to_string(),
            liquidator: liquidator.to_string(),
            oracle: oracle.to_string(),
            base_denom: self.base_denom.clone(),
            params: self.backstop.clone(),
        }
    }

    /// The liquidator's `SetBackstop`.
    pub fn set_backstop_msg(&self, backstop: &str) -> liquidator::ExecuteMsg {
        liquidator::ExecuteMsg::SetBackstop {
            backstop: backstop.to_string(),
        }
    }

    /// The market's `SetLiquidation`, wiring it to the liquidator and the backstop.
    pub fn liquidation_msg(
        &self,
        liquidator: &str,
        backstop: &str,
        guardian: Option<&str>,
    ) -> market::ExecuteMsg {
        market::ExecuteMsg::SetLiquidation(LiquidationConfig {
            liquidator: liquidator.to_string(),
            backstop: backstop.to_string(),
            guardian: guardian.map(str::to_string),
            params: self.liquidation.clone(),
        })
    }

    /// Replaces (by denom) or adds a collateral.
    pub fn set_collateral(&mut self, c: CollateralPlan) {
        match self
            .collaterals
            .iter_mut()
            .find(|x| x.params.denom == c.params.denom)
        {
            Some(x) => *x = c,
            None => self.collaterals.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_plan_is_valid() {
        let plan = DeployPlan::default();
        assert_eq!(plan.denoms(), ["uatom", "uosmo", "ueth"]);
        for c in &plan.collaterals {
            c.params.validate().unwrap();
            c.auction.validate().unwrap();
        }
        plan.liquidation.validate().unwrap();
        assert_eq!(
            plan.collaterals[2].price,
            Decimal::from_ratio(3000u128, 1u128)
        );
    }

    #[test]
    fn the_plan_survives_a_json_round_trip() {
        let plan = DeployPlan::default();
        let json = cosmwasm_std::to_json_vec(&plan).unwrap();
        let back: DeployPlan = cosmwasm_std::from_json(json).unwrap();
        assert_eq!(back, plan);
    }
}
