//! The books through liquidations: `cash + total_borrowed + debt_in_auction >= total_supplied +
//! reserves`, cash and collateral deposits matching the market's bank balances, and no token
//! created or lost, after any sequence of lending, price moves, liquidations, bids, resets and
//! sweeps.
use super::helpers::*;
use breakwater_testing::{dec, SuiteBuilder};
use breakwater_types::market::{ExecuteMsg, MarginParams, MarketParams};
use cosmwasm_std::{coin, Addr, Decimal};

/// A tiny deterministic generator (64-bit LCG) so the sequence is reproducible.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[test]
fn books_balance_through_a_long_sequence_of_liquidations() {
    // Borrow power does not shrink with volatility here, so accounts borrow to the limit and
    // falling prices make them liquidatable.
    let params = MarketParams {
        margin: MarginParams {
            reference_volatility: dec("1000"),
            min_ltv_factor: dec("1"),
        },
        ..MarketParams::default()
    };
    let mut suite = SuiteBuilder::new()
        .market_params(params)
        .backstop_deposit(2_000_000_000)
        .build();
    let lender = suite.lender.clone();
    suite.supply(&lender, 20_000_000_000).unwrap();
    let users: Vec<Addr> = ["u0", "u1", "u2", "u3"]
        .iter()
        .map(|n| suite.addr(n))
        .collect();
    for u in &users {
        suite.fund(
            u,
            &[
                coin(10_000_000_000, USDC),
                coin(1_000_000_000, ATOM),
                coin(1_000_000, ETH),
            ],
        );
    }
    for u in &users {
        suite.open_position(u, ATOM, 200_000_000, 0);
        suite.open_position(u, ETH, 300_000, 0);
    }
    let keeper = suite.keeper.clone();
    let before = supplies(&suite);
    let mut rng = Lcg(7);
    let (mut liquidations, mut bids) = (0, 0);
    for step in 0..300 {
        let who = users[rng.below(users.len() as u64) as usize].clone();
        let amount = 1_000 + rng.below(2_000_000_000) as u128 / (1 + rng.below(100)) as u128;
        match rng.below(14) {
            0 => {
                let _ = suite.deposit_collateral(&who, ATOM, amount / 10 + 1);
            }
            1 => {
                let _ = suite.deposit_collateral(&who, ETH, amount / 10_000 + 1);
            }
            2..=4 => {
                // Borrow to the limit so price moves make accounts liquidatable.
                let acc = suite.account(&who);
                let room = acc.borrow_limit.u128().saturating_sub(acc.debt.u128());
                if room > 10 {
                    let _ = suite.borrow(&who, room - 1);
                }
            }
            5 => {
                let _ = suite.repay(&who, amount / 10);
            }
            6 | 7 => {
                // Prices drift down: 10% lower to 3% higher.
                let d = if rng.below(2) == 0 { ATOM } else { ETH };
                let p = suite.oracle_price(d).unwrap().median;
                suite.feed(d, p * Decimal::percent(90 + rng.below(14)));
            }
            8 => {
                suite.advance_time_feeding(30 + rng.below(300));
            }
            9 | 10 => {
                // A keeper scans every account.
                for u in &users {
                    if suite.liquidate(&keeper, u).is_ok() {
                        liquidations += 1;
                    }
                }
            }
            11 | 12 => {
                let auctions = suite.auctions();
                if !auctions.is_empty() {
                    let a = &auctions[rng.below(auctions.len() as u64) as usize];
                    let take = if rng.below(2) == 0 {
                        a.lot.u128()
                    } else {
                        a.lot.u128() / 2 + 1
                    };
                    if suite.bid(&keeper, a.id, take, a.price).is_ok() {
                        bids += 1;
                    }
                }
            }
            _ => {
                if let Some(a) = suite.auctions().first() {
                    let id = a.id;
                    let _ = suite.reset_auction(&keeper, id);
                }
                let _ = suite.market_execute(&keeper, &ExecuteMsg::SweepReserves {}, &[]);
            }
        }
        assert_books(&suite);
        let st = suite.market_state();
        let in_auctions: u128 = suite.auctions().iter().map(|a| a.tab.u128()).sum();
        assert_eq!(st.debt_in_auction.u128(), in_auctions, "step {step}");
    }
    assert!(
        liquidations >= 8 && bids >= 5,
        "{liquidations} liquidations, {bids} bids"
    );
    assert_conserved(&suite, &before);
}
