//! The accounting invariant: `cash + total_borrowed >= total_supplied + reserves`, with a gap
//! that only grows by protocol-favouring rounding, after any sequence of messages.
use super::helpers::*;
use breakwater_testing::{dec, Suite, SuiteBuilder};
use breakwater_types::market::{AccountsResponse, MarketParams, QueryMsg};
use breakwater_types::math::interest::InterestRateModel;
use cosmwasm_std::{coin, Addr};

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

/// Steep rates, so a few seconds of interest already move the indices.
fn steep() -> MarketParams {
    MarketParams {
        interest: InterestRateModel {
            base_rate: dec("2"),
            optimal_utilization: dec("0.8"),
            slope1: dec("1"),
            slope2: dec("5"),
        },
        reserve_factor: dec("0.15"),
        ..MarketParams::default()
    }
}

fn check(suite: &Suite, users: &[Addr], step: usize) {
    let st = suite.market_state();
    let gap = books_gap(suite);
    assert!(
        gap >= 0 && gap <= 3 * (step as i128 + 1),
        "step {step}: gap {gap} ({st:?})"
    );
    // Cash is the market's own book of its base balance (no donations here).
    assert_eq!(
        st.cash.u128(),
        suite.balance(&suite.market, USDC),
        "step {step}"
    );
    // Each position rounds in the protocol's favour against the totals.
    let supplied: u128 = users.iter().map(|u| suite.supplier(u).assets.u128()).sum();
    assert!(supplied <= st.total_supplied.u128(), "step {step}");
    let owed: u128 = users.iter().map(|u| suite.account(u).debt.u128()).sum();
    assert!(owed >= st.total_borrowed.u128(), "step {step}");
    let page: AccountsResponse = suite
        .market_query(&QueryMsg::Accounts {
            start_after: None,
            limit: None,
        })
        .unwrap();
    assert!(page.accounts.len() <= users.len());
}

#[test]
fn books_balance_after_a_long_mixed_sequence() {
    let mut suite = SuiteBuilder::new().market_params(steep()).build();
    let users: Vec<Addr> = ["u0", "u1", "u2", "u3"]
        .iter()
        .map(|n| suite.addr(n))
        .collect();
    for u in &users {
        suite.fund(
            u,
            &[
                coin(10_000_000_000, USDC),
                coin(10_000_000_000, ATOM),
                coin(1_000_000_000, ETH),
            ],
        );
    }
    let mut rng = Lcg(42);
    let mut successes = 0;
    for step in 0..300 {
        let who = users[rng.below(users.len() as u64) as usize].clone();
        let amount = 1 + rng.below(1_000_000_000) as u128 / (1 + rng.below(1_000)) as u128;
        let ok = match rng.below(9) {
            0 | 1 => suite.supply(&who, amount).is_ok(),
            2 => {
                let amt = if rng.below(3) == 0 {
                    None
                } else {
                    Some(amount)
                };
                suite.withdraw(&who, amt).is_ok()
            }
            3 => suite.deposit_collateral(&who, ATOM, amount).is_ok(),
            4 => suite
                .deposit_collateral(&who, ETH, amount / 1_000 + 1)
                .is_ok(),
            5 => suite.borrow(&who, amount).is_ok(),
            6 => suite.repay(&who, amount).is_ok(),
            7 => {
                let denom = if rng.below(2) == 0 { ATOM } else { ETH };
                suite
                    .withdraw_collateral(&who, denom, Some(amount / 10 + 1))
                    .is_ok()
            }
            _ => {
                pass_time_with_fresh_prices(&mut suite, 1 + rng.below(50));
                accrue(&mut suite);
                true
            }
        };
        if ok {
            successes += 1;
        }
        check(&suite, &users, step);
    }
    assert!(successes > 150, "only {successes} messages succeeded");
    let st = suite.market_state();
    assert!(
        st.reserves.u128() > 0 && st.total_borrowed.u128() > 0,
        "{st:?}"
    );
}

#[test]
fn books_balance_after_everyone_leaves() {
    let mut suite = SuiteBuilder::new().market_params(steep()).build();
    lend_and_borrow(&mut suite, 1_000_000_000, 1_000_000_000, 700_000_000);
    let (lender, borrower) = (suite.lender.clone(), suite.borrower.clone());
    for _ in 0..20 {
        pass_time_with_fresh_prices(&mut suite, 45);
        suite.repay(&borrower, 1_234_567).unwrap();
        suite.withdraw(&lender, Some(1_000_000)).unwrap();
        assert_books_balance(&suite, 50);
    }
    let debt = suite.account(&borrower).debt.u128();
    suite.repay(&borrower, debt).unwrap();
    suite.withdraw(&lender, None).unwrap();
    suite.withdraw_collateral(&borrower, ATOM, None).unwrap();
    let st = suite.market_state();
    assert_eq!(st.total_supply_shares.u128(), 0);
    assert_eq!(st.total_debt_shares.u128(), 0);
    // What is left is the reserves plus rounding dust, all the protocol's.
    assert!(st.cash >= st.reserves);
    assert_books_balance(&suite, 50);
}
