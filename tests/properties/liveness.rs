//! Two properties that look past a single message: an unhealthy account refused for a
//! throttle or pause reason must be liquidatable in a later step ([`World::drain`], run at the
//! end of every case), and a backstop depositor who joins just before an action and leaves
//! after it gains nothing beyond rounding from that action ([`World::check_jit`]).
use super::actions::{BASE, COLLATERALS};
use super::checks::cost;
use super::world::World;
use breakwater_testing::default_auction_params;
use breakwater_types::backstop::PoolResponse;
use breakwater_types::liquidator::{CollateralAuction, ExecuteMsg as LiquidatorMsg};
use breakwater_types::market::ExecuteMsg as MarketMsg;
use breakwater_types::oracle::OracleParams;
use cosmwasm_std::{coin, Addr, Decimal, Uint128, Uint256};

/// Shares the backstop mints per base unit into an empty pool (its virtual offset).
const VIRTUAL_SHARES: u128 = 1_000_000;
/// Rounds of "clear the auctions, liquidate every unhealthy account" the drain may take.
const DRAIN_ROUNDS: usize = 40;

fn u256(x: u128) -> Uint256 {
    Uint256::from(x)
}

impl World {
    /// A just-in-time depositor holding `x` shares across an action gains `x · (pps1 − pps0)`,
    /// with `pps = (V + 1) / (S + 10^6)` the price holders redeem at. An action that moves no
    /// time and no price accrues nothing, so the pool's gain at the old share count,
    /// `(V1 + 1) − (V0 + 1)·(S1 + 10^6)/(S0 + 10^6)`, must stay within rounding (one base unit
    /// per denom valued, and two; a withdrawal in kind also keeps under one unit of each held
    /// denom, worth up to its price): gains the pool realises (an absorb's discount, a floor
    /// purchase, a reserve sweep) reach the share price only as they unlock over time.
    pub fn check_jit(&mut self, p0: &PoolResponse) {
        let p1 = self.current().pool;
        let (v0, s0) = (
            p0.total_value.u128() + 1,
            p0.total_shares.u128() + VIRTUAL_SHARES,
        );
        let (v1, s1) = (
            p1.total_value.u128() + 1,
            p1.total_shares.u128() + VIRTUAL_SHARES,
        );
        // gain · s0 = v1·s0 − v0·s1
        let lhs = u256(v1) * u256(s0);
        let rhs = u256(v0) * u256(s1);
        self.stats.jit_checks += 1;
        if lhs <= rhs {
            return;
        }
        let gain = Uint128::try_from((lhs - rhs) / u256(s0))
            .expect("gain fits")
            .u128();
        self.stats.max_jit_gain = self.stats.max_jit_gain.max(gain);
        // Rounding: valuing each held denom rounds down (under one base unit each), and a
        // withdrawal paid in kind also rounds each denom's units down (under one unit of it,
        // worth up to its price).
        let held = p0.collateral.len().max(p1.collateral.len()) as u128;
        let tolerance = if self.label.starts_with("BackstopWithdraw") {
            let unit = |h: &breakwater_types::backstop::HeldCollateral| {
                h.price.to_uint_ceil().u128().max(1)
            };
            p0.collateral.iter().map(unit).sum::<u128>() + held + 2
        } else {
            held + 2
        };
        assert!(
            gain <= tolerance,
            "{}: a backstop depositor who joined just before this action gained {gain} units \
             of pool value (tolerance {tolerance}): value {} -> {}, shares {} -> {}",
            self.at(),
            p0.total_value,
            p1.total_value,
            p0.total_shares,
            p1.total_shares
        );
    }

    /// The end of a case: the owner restores normal conditions (breaker 0, the default
    /// auction caps, no measured depth), every feeder feeds long enough for halts to clear and
    /// the TWAP to catch up, and then, round after round, every running auction is reset if stale and bought
    /// out, and every account unhealthy at the prices the oracle stands behind is liquidated
    /// — now every such liquidation must succeed (see [`World::liquidate`]). At the end no
    /// account is unhealthy: each account refused earlier was liquidatable in a later step.
    pub fn drain(&mut self) {
        self.step += 1;
        self.label = "drain: normal conditions".to_string();
        let owner = self.owner.clone();
        let sent = self.market(
            "set_breaker_level",
            &owner,
            &MarketMsg::SetBreakerLevel { level: 0 },
            &[],
        );
        assert!(sent.res.is_ok(), "{}: breaker reset refused", self.at());
        for d in COLLATERALS {
            let msg = LiquidatorMsg::SetCollateral(CollateralAuction {
                denom: d.to_string(),
                params: default_auction_params(),
            });
            let sent = self.liquidator("set_collateral", &owner, &msg, &[]);
            assert!(sent.res.is_ok(), "{}: cap reset refused", self.at());
        }
        // The feeders stop reporting depth: the cap is the configured depth's again.
        self.books.clear();
        let o = OracleParams::default();
        self.feed_for(o.twap_window + o.cooldown + 120);
        self.check_invariants();

        self.draining = true;
        let keeper = self.keeper.clone();
        for round in 0..DRAIN_ROUNDS {
            self.label = format!("drain round {round}");
            self.clear_auctions();
            let unhealthy = self.unhealthy();
            if unhealthy.is_empty() {
                break;
            }
            for u in unhealthy {
                self.liquidate(&keeper, &u);
            }
            self.check_invariants();
        }
        let left = self.unhealthy();
        assert!(
            left.is_empty(),
            "{}: accounts still unhealthy after {DRAIN_ROUNDS} drain rounds: {:?}",
            self.at(),
            left.iter()
                .map(|u| self.suite.account(u))
                .collect::<Vec<_>>()
        );
    }

    /// Users with debt whose health factor at the prices the oracle stands behind is below 1.
    fn unhealthy(&self) -> Vec<Addr> {
        self.users
            .iter()
            .filter(|u| {
                let acc = self.suite.account(u);
                !acc.debt.is_zero() && self.trusted_hf(&acc).is_some_and(|h| h < Decimal::one())
            })
            .cloned()
            .collect()
    }

    /// Resets every stale auction and buys every running one out at its price (the buyer is
    /// minted the base it needs, which conservation accounts for).
    fn clear_auctions(&mut self) {
        let keeper = self.keeper.clone();
        let buyer = self.suite.addr("drain-buyer");
        for _ in 0..4 {
            let auctions = self.suite.auctions();
            if auctions.is_empty() {
                return;
            }
            for a in auctions {
                if a.needs_reset {
                    let msg = LiquidatorMsg::Reset { auction_id: a.id };
                    let sent = self.liquidator("reset", &keeper, &msg, &[]);
                    assert!(
                        sent.res.is_ok(),
                        "{}: a stale auction could not be reset in normal conditions: {:?}",
                        self.at(),
                        sent.res.err()
                    );
                }
            }
            for a in self.suite.auctions() {
                let pay = cost(a.lot.u128(), a.price);
                self.suite.fund(&buyer, &[coin(pay, BASE)]);
                self.minted[0] += pay;
                self.invalidate();
                let msg = LiquidatorMsg::Bid {
                    auction_id: a.id,
                    max_collateral: a.lot,
                    max_price: a.price,
                    callback: None,
                };
                let sent = self.liquidator("bid", &buyer, &msg, &World::base(pay));
                assert!(
                    sent.res.is_ok(),
                    "{}: a running auction could not be bought in normal conditions: {:?}",
                    self.at(),
                    sent.res.err()
                );
            }
            self.check_invariants();
        }
    }
}
