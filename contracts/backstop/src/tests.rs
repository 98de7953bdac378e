//! Handler tests against a mock chain: bank balances follow the attached funds and the
//! contract's bank sends; the oracle and the liquidator answer from an in-memory world.
use crate::contract::{execute, instantiate, migrate, query};
use crate::error::ContractError;
use crate::shares::VIRTUAL_SHARES;
use breakwater_types::backstop::{
    AbsorbQuoteResponse, BackstopParams, ConfigResponse, DepositorResponse, ExecuteMsg,
    InstantiateMsg, PoolResponse, QueryMsg,
};
use breakwater_types::liquidator::{
    AuctionResponse, ExecuteMsg as LiquidatorMsg, QueryMsg as LiquidatorQuery, ResaleLotResponse,
    Seller,
};
use breakwater_types::oracle::{OracleStatus, PriceResponse, QueryMsg as OracleQuery};
use breakwater_types::ownership::OwnershipMsg;
use breakwater_types::MigrateMsg;
use cosmwasm_std::testing::{
    message_info, mock_dependencies, mock_env, MockApi, MockQuerier, MockStorage,
};
use cosmwasm_std::{
    coin, from_json, to_json_binary, Addr, BankMsg, Binary, Coin, ContractResult, CosmosMsg,
    Decimal, Env, OwnedDeps, Response, SystemError, SystemResult, Uint128, WasmMsg, WasmQuery,
};
use serde::de::DeserializeOwned;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

const BASE: &str = "uusdc";
const ATOM: &str = "uatom";
const ETH: &str = "ueth";

#[derive(Default)]
struct World {
    prices: BTreeMap<String, (Decimal, OracleStatus)>,
    auctions: Vec<AuctionResponse>,
}

struct Chain {
    deps: OwnedDeps<MockStorage, MockApi, MockQuerier>,
    env: Env,
    world: Rc<RefCell<World>>,
    owner: Addr,
    market: Addr,
    liquidator: Addr,
    oracle: Addr,
}

fn u(x: u128) -> Uint128 {
    Uint128::new(x)
}

fn price_response(denom: &str, median: Decimal, status: OracleStatus) -> PriceResponse {
    PriceResponse {
        denom: denom.to_string(),
        median,
        twap: median,
        volatility: Decimal::zero(),
        status,
        feeders_used: vec![],
        feeders_excluded: vec![],
        updated_at: 0,
        fresh_until: u64::MAX,
    }
}

impl Chain {
    fn new() -> Self {
        Self::with_params(BackstopParams::default())
    }

    fn with_params(params: BackstopParams) -> Self {
        let mut deps = mock_dependencies();
        let api = deps.api;
        let (owner, market, liquidator, oracle) = (
            api.addr_make("owner"),
            api.addr_make("market"),
            api.addr_make("liquidator"),
            api.addr_make("oracle"),
        );
        let world = Rc::new(RefCell::new(World::default()));
        let w = world.clone();
        let (oracle_s, liquidator_s) = (oracle.to_string(), liquidator.to_string());
        let market_s = market.to_string();
        deps.querier.update_wasm(move |q| {
            let WasmQuery::Smart { contract_addr, msg } = q else {
                return SystemResult::Err(SystemError::Unknown {});
            };
            let w = w.borrow();
            let answer = if *contract_addr == market_s {
                // The market's state: nothing owed to the pool.
                Ok(Binary::from(
                    br#"{"breaker_level":0,"backstop_due":"0"}"#.as_slice(),
                ))
            } else if *contract_addr == oracle_s {
                match from_json::<OracleQuery>(msg) {
                    Ok(OracleQuery::Price { denom }) => match w.prices.get(&denom) {
                        Some((p, s)) => to_json_binary(&price_response(&denom, *p, s.clone())),
                        None => return SystemResult::Ok(ContractResult::Err("unlisted".into())),
                    },
                    _ => return SystemResult::Err(SystemError::Unknown {}),
                }
            } else if *contract_addr == liquidator_s {
                match from_json::<LiquidatorQuery>(msg) {
                    Ok(LiquidatorQuery::Auction { auction_id }) => {
                        match w.auctions.iter().find(|a| a.id == auction_id) {
                            Some(a) => to_json_binary(a),
                            None => {
                                return SystemResult::Ok(ContractResult::Err("no auction".into()))
                            }
                        }
                    }
                    // The liquidator's running total of the backstop's resale lots.
                    Ok(LiquidatorQuery::ResaleLot { denom }) => {
                        to_json_binary(&ResaleLotResponse {
                            lot: w
                                .auctions
                                .iter()
                                .filter(|a| a.denom == denom && a.seller == Seller::Backstop {})
                                .map(|a| a.lot)
                                .sum(),
                            denom,
                        })
                    }
                    _ => return SystemResult::Err(SystemError::Unknown {}),
                }
            } else {
                return SystemResult::Err(SystemError::Unknown {});
            };
            SystemResult::Ok(ContractResult::Ok(answer.unwrap()))
        });
        let env = mock_env();
        instantiate(
            deps.as_mut(),
            env.clone(),
            message_info(&owner, &[]),
            InstantiateMsg {
                owner: None,
                market: market.to_string(),
                liquidator: liquidator.to_string(),
                oracle: oracle.to_string(),
                base_denom: BASE.to_string(),
                params,
            },
        )
        .unwrap();
        let mut c = Chain {
            deps,
            env,
            world,
            owner,
            market,
            liquidator,
            oracle,
        };
        c.set_price(ATOM, Decimal::percent(1000));
        c.set_price(ETH, Decimal::percent(200_000));
        c
    }

    fn addr(&self, name: &str) -> Addr {
        self.deps.api.addr_make(name)
    }

    fn set_price(&mut self, denom: &str, p: Decimal) {
        self.world
            .borrow_mut()
            .prices
            .insert(denom.to_string(), (p, OracleStatus::Active {}));
    }

    fn set_status(&mut self, denom: &str, s: OracleStatus) {
        let mut w = self.world.borrow_mut();
        let entry = w.prices.get_mut(denom).unwrap();
        entry.1 = s;
    }

    fn balance(&self, denom: &str) -> u128 {
        let c = self
            .deps
            .as_ref()
            .querier
            .query_balance(&self.env.contract.address, denom)
            .unwrap();
        Uint128::try_from(c.amount).unwrap().u128()
    }

    fn balances(&self) -> Vec<Coin> {
        let mut all = vec![];
        for d in [BASE, ATOM, ETH] {
            let b = self.balance(d);
            if b > 0 {
                all.push(coin(b, d));
            }
        }
        all
    }

    fn add(&mut self, denom: &str, delta: i128) {
        let mut all = self.balances();
        let now = self.balance(denom) as i128 + delta;
        all.retain(|c| c.denom != denom);
        if now > 0 {
            all.push(coin(now as u128, denom));
        }
        let addr = self.env.contract.address.to_string();
        self.deps.querier.bank.update_balance(addr, all);
    }

    /// Executes like the chain: attached funds arrive first; on success the contract's bank
    /// sends (and funds attached to its wasm messages) leave; on failure nothing changes.
    fn exec(
        &mut self,
        sender: &Addr,
        funds: &[Coin],
        msg: ExecuteMsg,
    ) -> Result<Response, ContractError> {
        let before = self.balances();
        for f in funds {
            self.add(
                &f.denom,
                Uint128::try_from(f.amount).unwrap().u128() as i128,
            );
        }
        let res = execute(
            self.deps.as_mut(),
            self.env.clone(),
            message_info(sender, funds),
            msg,
        );
        match &res {
            Ok(r) => {
                for m in &r.messages {
                    let sent = match &m.msg {
                        CosmosMsg::Bank(BankMsg::Send { amount, .. }) => amount.clone(),
                        CosmosMsg::Wasm(WasmMsg::Execute { funds, .. }) => funds.clone(),
                        _ => vec![],
                    };
                    for c in sent {
                        self.add(
                            &c.denom,
                            -(Uint128::try_from(c.amount).unwrap().u128() as i128),
                        );
                    }
                }
            }
            Err(_) => {
                let addr = self.env.contract.address.to_string();
                self.deps.querier.bank.update_balance(addr, before);
            }
        }
        res
    }

    fn q<T: DeserializeOwned>(&self, msg: QueryMsg) -> T {
        from_json(query(self.deps.as_ref(), self.env.clone(), msg).unwrap()).unwrap()
    }

    fn pool(&self) -> PoolResponse {
        self.q(QueryMsg::Pool {})
    }

    fn depositor(&self, who: &Addr) -> DepositorResponse {
        self.q(QueryMsg::Depositor {
            address: who.to_string(),
        })
    }

    fn advance(&mut self, secs: u64) {
        self.env.block.time = self.env.block.time.plus_seconds(secs);
    }

    fn deposit(&mut self, who: &Addr, amount: u128) -> Result<Response, ContractError> {
        self.exec(who, &[coin(amount, BASE)], ExecuteMsg::Deposit {})
    }

    /// Requests, waits out the cooldown, withdraws; returns what was paid.
    fn withdraw_all(&mut self, who: &Addr) -> Vec<Coin> {
        let shares = self.depositor(who).shares;
        self.exec(who, &[], ExecuteMsg::RequestWithdraw { shares })
            .unwrap();
        self.advance(BackstopParams::default().cooldown);
        let res = self.exec(who, &[], ExecuteMsg::Withdraw {}).unwrap();
        match &res.messages[0].msg {
            CosmosMsg::Bank(BankMsg::Send { amount, .. }) => amount.clone(),
            m => panic!("unexpected {m:?}"),
        }
    }

    fn auction(&mut self, id: u64, seller: Seller, lot: u128, tab: u128, at_floor: bool) {
        let floor = Decimal::percent(800);
        self.world.borrow_mut().auctions.push(AuctionResponse {
            id,
            seller,
            denom: ATOM.to_string(),
            lot: u(lot),
            tab: u(tab),
            raised: Uint128::zero(),
            top: Decimal::percent(1300),
            price: if at_floor {
                floor
            } else {
                Decimal::percent(1100)
            },
            floor,
            started_at: 0,
            needs_reset: false,
            at_floor,
        });
    }
}

fn attr(res: &Response, key: &str) -> String {
    res.attributes
        .iter()
        .find(|a| a.key == key)
        .map(|a| a.value.clone())
        .unwrap_or_else(|| panic!("no attribute {key}"))
}

fn liquidation() -> Seller {
    Seller::Liquidation {
        borrower: "borrower".to_string(),
    }
}

#[test]
fn instantiate_refuses_bad_params_empty_base_and_funds() {
    let mut deps = mock_dependencies();
    let a = deps.api.addr_make("x").to_string();
    let msg = |base: &str, params: BackstopParams| InstantiateMsg {
        owner: None,
        market: a.clone(),
        liquidator: a.clone(),
        oracle: a.clone(),
        base_denom: base.to_string(),
        params,
    };
    let sender = deps.api.addr_make("owner");
    let env = mock_env();
    let bad = BackstopParams {
        cooldown: 1,
        ..Default::default()
    };
    let err = instantiate(
        deps.as_mut(),
        env.clone(),
        message_info(&sender, &[]),
        msg(BASE, bad),
    )
    .unwrap_err();
    assert!(err.to_string().contains("cooldown"), "{err}");
    let err = instantiate(
        deps.as_mut(),
        env.clone(),
        message_info(&sender, &[]),
        msg("", BackstopParams::default()),
    )
    .unwrap_err();
    assert!(err.to_string().contains("base_denom"), "{err}");
    let err = instantiate(
        deps.as_mut(),
        env.clone(),
        message_info(&sender, &[coin(1, BASE)]),
        msg(BASE, BackstopParams::default()),
    )
    .unwrap_err();
    assert!(err.to_string().contains("does no accept funds"), "{err}");
    let mut bad_addr = msg(BASE, BackstopParams::default());
    bad_addr.market = "not an address".to_string();
    assert!(instantiate(deps.as_mut(), env, message_info(&sender, &[]), bad_addr).is_err());
}

#[test]
fn config_reports_addresses_and_the_default_owner() {
    let c = Chain::new();
    let cfg: ConfigResponse = c.q(QueryMsg::Config {});
    assert_eq!(cfg.owner, c.owner.to_string());
    assert_eq!(cfg.market, c.market.to_string());
    assert_eq!(cfg.liquidator, c.liquidator.to_string());
    assert_eq!(cfg.oracle, c.oracle.to_string());
    assert_eq!(cfg.base_denom, BASE);
    assert_eq!(cfg.params, BackstopParams::default());
    let p = c.pool();
    assert_eq!(p.total_shares, u(0));
    assert_eq!(p.value_per_share, Decimal::one());
}

#[test]
fn deposit_mints_shares_at_the_virtual_price_and_is_valued_back() {
    let mut c = Chain::new();
    let alice = c.addr("alice");
    let res = c.deposit(&alice, 1_000).unwrap();
    assert_eq!(attr(&res, "action"), "deposit");
    assert_eq!(
        attr(&res, "shares"),
        (1_000 * VIRTUAL_SHARES.u128()).to_string()
    );
    let d = c.depositor(&alice);
    assert_eq!(d.shares, u(1_000_000_000));
    assert_eq!(d.value, u(1_000));
    let p = c.pool();
    assert_eq!((p.base, p.total_value), (u(1_000), u(1_000)));
    assert_eq!(p.value_per_share, Decimal::from_ratio(1u128, 1_000_000u128));
    // Funding raises the value of every share once it has unlocked (not at once: a deposit
    // made just before it would buy part of it); a second depositor then pays the new price.
    c.exec(
        &c.addr("reserve"),
        &[coin(1_000, BASE)],
        ExecuteMsg::Fund {},
    )
    .unwrap();
    assert_eq!(c.depositor(&alice).value, u(1_000));
    c.advance(BackstopParams::default().profit_unlock_period);
    let bob = c.addr("bob");
    c.deposit(&bob, 1_000).unwrap();
    let b = c.depositor(&bob);
    // 1_000 · (1e9 + 1e6) / (2_000 + 1): the virtual offset shows in a tiny pool.
    assert_eq!(b.shares, u(500_249_875));
    assert!(b.value <= u(1_000) && b.value >= u(999));
    assert!(c.depositor(&alice).value >= u(1_999));
}

#[test]
fn deposit_refuses_wrong_funds_and_dust_that_mints_nothing() {
    let mut c = Chain::new();
    let alice = c.addr("alice");
    let err = c.exec(&alice, &[], ExecuteMsg::Deposit {}).unwrap_err();
    assert!(err.to_string().contains("No funds sent"), "{err}");
    let err = c
        .exec(&alice, &[coin(5, ATOM)], ExecuteMsg::Deposit {})
        .unwrap_err();
    assert!(err.to_string().contains("Must send reserve token"), "{err}");
    c.deposit(&alice, 1).unwrap();
    c.add(BASE, 10i128.pow(12));
    let err = c.deposit(&c.addr("bob"), 1).unwrap_err();
    assert!(err.to_string().contains("mints zero shares"), "{err}");
    assert_eq!(c.balance(BASE), 10u128.pow(12) + 1);
}

#[test]
fn first_depositor_inflation_attack_does_not_steal_from_the_victim() {
    let mut c = Chain::new();
    let (attacker, victim) = (c.addr("attacker"), c.addr("victim"));
    c.deposit(&attacker, 1).unwrap();
    // Donation straight to the contract's account.
    c.add(BASE, 10i128.pow(12));
    let victim_in = 10u128.pow(12);
    c.deposit(&victim, victim_in).unwrap();
    let quoted = c.depositor(&victim).value.u128();
    assert!(
        quoted >= victim_in - victim_in / 1_000_000,
        "quoted {quoted}"
    );
    // The victim exits first and keeps at least what they put in.
    let out = c.withdraw_all(&victim);
    let got = Uint128::try_from(out[0].amount).unwrap().u128();
    assert!(got >= victim_in - victim_in / 1_000_000, "victim got {got}");
    // The attacker gets back less than they spent.
    let out = c.withdraw_all(&attacker);
    let got = Uint128::try_from(out[0].amount).unwrap().u128();
    assert!(got < 1 + 10u128.pow(12), "attacker got {got}");
    assert_eq!(c.pool().total_shares, u(0));
}

#[test]
fn held_collateral_counts_at_the_oracle_median_including_running_resales() {
    let mut c = Chain::new();
    let alice = c.addr("alice");
    c.deposit(&alice, 1_000).unwrap();
    let market = c.market.clone();
    // Absorb 50 atom (price 10, 5% off: quote 475) for 400.
    c.exec(
        &market,
        &[coin(50, ATOM)],
        ExecuteMsg::Absorb {
            borrower: c.addr("bob").to_string(),
            pay: u(400),
        },
    )
    .unwrap();
    let p = c.pool();
    assert_eq!(p.base, u(600));
    assert_eq!(p.collateral.len(), 1);
    assert_eq!(
        (p.collateral[0].amount, p.collateral[0].value),
        (u(50), u(500))
    );
    assert_eq!(p.total_value, u(1_100));
    // 10 atom out in the pool's own resale still count; a liquidation lot does not.
    c.add(ATOM, -10);
    c.auction(7, Seller::Backstop {}, 10, 0, false);
    c.auction(8, liquidation(), 99, 500, false);
    let p = c.pool();
    assert_eq!(p.collateral[0].amount, u(50));
    assert_eq!(p.total_value, u(1_100));
    // A deposit prices off that value, and refuses while the price is not active.
    c.set_status(ATOM, OracleStatus::Stale { since: 1 });
    let err = c.deposit(&alice, 100).unwrap_err();
    assert!(err.to_string().contains("stale"), "{err}");
    c.set_status(ATOM, OracleStatus::Active {});
    c.deposit(&alice, 1_100).unwrap();
    // The absorb's 100 of gain is still locked, then reaches the price.
    let d = c.depositor(&alice);
    assert!(d.value >= u(2_099) && d.value <= u(2_100), "{}", d.value);
    c.advance(BackstopParams::default().profit_unlock_period);
    let d = c.depositor(&alice);
    assert!(d.value >= u(2_199) && d.value <= u(2_200), "{}", d.value);
}

#[test]
fn withdrawal_waits_for_the_window_and_pays_in_kind_pro_rata() {
    let mut c = Chain::new();
    let (alice, bob) = (c.addr("alice"), c.addr("bob"));
    c.deposit(&alice, 3_000).unwrap();
    c.deposit(&bob, 1_000).unwrap();
    // The pool absorbs 100 atom for 900 (quote 950).
    let market = c.market.clone();
    c.exec(
        &market,
        &[coin(100, ATOM)],
        ExecuteMsg::Absorb {
            borrower: "cosmwasm1x".to_string(),
            pay: u(900),
        },
    )
    .unwrap_err();
    c.exec(
        &market,
        &[coin(100, ATOM)],
        ExecuteMsg::Absorb {
            borrower: c.addr("carol").to_string(),
            pay: u(900),
        },
    )
    .unwrap();
    let bob_shares = c.depositor(&bob).shares;
    let err = c.exec(&bob, &[], ExecuteMsg::Withdraw {}).unwrap_err();
    assert!(err.to_string().contains("no withdrawal request"), "{err}");
    let err = c
        .exec(&bob, &[], ExecuteMsg::RequestWithdraw { shares: u(0) })
        .unwrap_err();
    assert!(err.to_string().contains("shares must be positive"), "{err}");
    let err = c
        .exec(
            &bob,
            &[],
            ExecuteMsg::RequestWithdraw {
                shares: bob_shares + u(1),
            },
        )
        .unwrap_err();
    assert!(err.to_string().contains("insufficient shares"), "{err}");
    c.exec(&bob, &[], ExecuteMsg::RequestWithdraw { shares: u(5) })
        .unwrap();
    assert_eq!(c.pool().pending_withdrawal_shares, u(5));
    // A new request replaces the old one.
    let res = c
        .exec(
            &bob,
            &[],
            ExecuteMsg::RequestWithdraw { shares: bob_shares },
        )
        .unwrap();
    assert_eq!(attr(&res, "replaced_shares"), "5");
    assert_eq!(c.pool().pending_withdrawal_shares, bob_shares);
    let req = c.depositor(&bob).request.unwrap();
    let now = c.env.block.time.seconds();
    assert_eq!(req.opens_at, now + 7 * 86_400);
    assert_eq!(req.closes_at, req.opens_at + 2 * 86_400);
    c.advance(7 * 86_400 - 1);
    let err = c.exec(&bob, &[], ExecuteMsg::Withdraw {}).unwrap_err();
    assert!(err.to_string().contains("not open yet"), "{err}");
    c.advance(1);
    let before = c.pool();
    let res = c.exec(&bob, &[], ExecuteMsg::Withdraw {}).unwrap();
    // Bob holds 1/4 of the real shares: just under 1/4 of 3_100 base and of 100 atom (the
    // virtual shares keep their sliver in the pool), sorted by denom.
    let CosmosMsg::Bank(BankMsg::Send { to_address, amount }) = &res.messages[0].msg else {
        panic!()
    };
    assert_eq!(to_address, &bob.to_string());
    assert_eq!(amount, &vec![coin(24, ATOM), coin(774, BASE)]);
    let after = c.pool();
    assert_eq!(after.total_shares, before.total_shares - bob_shares);
    assert_eq!(after.pending_withdrawal_shares, u(0));
    let d = c.depositor(&bob);
    assert_eq!((d.shares, d.request), (u(0), None));
    // Alice's window expires unused.
    let alice_shares = c.depositor(&alice).shares;
    c.exec(
        &alice,
        &[],
        ExecuteMsg::RequestWithdraw {
            shares: alice_shares,
        },
    )
    .unwrap();
    c.advance(9 * 86_400 + 1);
    let err = c.exec(&alice, &[], ExecuteMsg::Withdraw {}).unwrap_err();
    assert!(err.to_string().contains("window closed"), "{err}");
    c.exec(&alice, &[], ExecuteMsg::CancelWithdraw {}).unwrap();
    assert_eq!(c.pool().pending_withdrawal_shares, u(0));
    let err = c
        .exec(&alice, &[], ExecuteMsg::CancelWithdraw {})
        .unwrap_err();
    assert!(err.to_string().contains("no withdrawal request"), "{err}");
    // Funds attached to a message that takes none are refused.
    let err = c
        .exec(&alice, &[coin(1, BASE)], ExecuteMsg::CancelWithdraw {})
        .unwrap_err();
    assert!(err.to_string().contains("does no accept funds"), "{err}");
}

#[test]
fn locked_shares_bear_losses() {
    let mut c = Chain::new();
    let (alice, bob) = (c.addr("alice"), c.addr("bob"));
    c.deposit(&alice, 1_000).unwrap();
    c.deposit(&bob, 1_000).unwrap();
    let shares = c.depositor(&bob).shares;
    c.exec(&bob, &[], ExecuteMsg::RequestWithdraw { shares })
        .unwrap();
    let market = c.market.clone();
    c.exec(
        &market,
        &[],
        ExecuteMsg::CoverShortfall { amount: u(1_000) },
    )
    .unwrap();
    c.advance(7 * 86_400);
    let res = c.exec(&bob, &[], ExecuteMsg::Withdraw {}).unwrap();
    let CosmosMsg::Bank(BankMsg::Send { amount, .. }) = &res.messages[0].msg else {
        panic!()
    };
    // Half the shares after a 1_000 loss on 2_000: 500, less the virtual shares' sliver.
    assert_eq!(amount, &vec![coin(499, BASE)]);
}

#[test]
fn cover_shortfall_pays_what_it_can_and_only_to_the_market() {
    let mut c = Chain::new();
    let alice = c.addr("alice");
    c.deposit(&alice, 1_000).unwrap();
    let err = c
        .exec(&alice, &[], ExecuteMsg::CoverShortfall { amount: u(10) })
        .unwrap_err();
    assert!(err.to_string().contains("only the market"), "{err}");
    let market = c.market.clone();
    let res = c
        .exec(&market, &[], ExecuteMsg::CoverShortfall { amount: u(300) })
        .unwrap();
    assert_eq!(attr(&res, "paid"), "300");
    let res = c
        .exec(
            &market,
            &[],
            ExecuteMsg::CoverShortfall { amount: u(5_000) },
        )
        .unwrap();
    assert_eq!(
        (attr(&res, "requested"), attr(&res, "paid")),
        ("5000".into(), "700".into())
    );
    let CosmosMsg::Bank(BankMsg::Send { to_address, amount }) = &res.messages[0].msg else {
        panic!()
    };
    assert_eq!(
        (to_address, amount),
        (&market.to_string(), &vec![coin(700, BASE)])
    );
    // Empty pool: nothing paid, no message, no error.
    let res = c
        .exec(&market, &[], ExecuteMsg::CoverShortfall { amount: u(1) })
        .unwrap();
    assert!(res.messages.is_empty());
    let p = c.pool();
    assert_eq!((p.total_covered, p.base), (u(1_000), u(0)));
}

#[test]
fn absorb_checks_the_sender_the_quote_the_funds_and_the_oracle() {
    let mut c = Chain::new();
    let alice = c.addr("alice");
    c.deposit(&alice, 10_000).unwrap();
    let market = c.market.clone();
    let borrower = c.addr("borrower").to_string();
    let absorb = |pay: u128| ExecuteMsg::Absorb {
        borrower: borrower.clone(),
        pay: u(pay),
    };
    // 100 atom @10 + 1 eth @2000 = 3000; 5% off = 2850.
    let coll = vec![coin(100, ATOM), coin(1, ETH)];
    let quote: AbsorbQuoteResponse = c.q(QueryMsg::AbsorbQuote {
        collateral: coll.clone(),
        debt: u(5_000),
    });
    assert_eq!(
        quote,
        AbsorbQuoteResponse {
            pay: u(2_850),
            can_absorb: true,
            available: u(10_000),
            discount: Decimal::percent(5),
        }
    );
    let quote: AbsorbQuoteResponse = c.q(QueryMsg::AbsorbQuote {
        collateral: coll.clone(),
        debt: u(2_000),
    });
    assert_eq!(quote.pay, u(2_000));
    let err = c.exec(&alice, &coll, absorb(100)).unwrap_err();
    assert!(err.to_string().contains("only the market"), "{err}");
    let err = c.exec(&market, &[], absorb(100)).unwrap_err();
    assert!(err.to_string().contains("collateral attached"), "{err}");
    let err = c.exec(&market, &[coin(5, BASE)], absorb(1)).unwrap_err();
    assert!(err.to_string().contains("cannot be collateral"), "{err}");
    let err = c.exec(&market, &coll, absorb(2_851)).unwrap_err();
    assert!(err.to_string().contains("above the pool's quote"), "{err}");
    let err = c
        .exec(&market, &[coin(1, "uunknown")], absorb(0))
        .unwrap_err();
    assert!(err.to_string().contains("unlisted"), "{err}");
    c.set_status(
        ETH,
        OracleStatus::Halted {
            since: 1,
            jump: Decimal::percent(30),
        },
    );
    let q: AbsorbQuoteResponse = c.q(QueryMsg::AbsorbQuote {
        collateral: coll.clone(),
        debt: u(5_000),
    });
    assert!(!q.can_absorb);
    let err = c.exec(&market, &coll, absorb(100)).unwrap_err();
    assert!(err.to_string().contains("halted"), "{err}");
    c.set_status(ETH, OracleStatus::Active {});
    let res = c.exec(&market, &coll, absorb(2_850)).unwrap();
    assert_eq!(attr(&res, "collateral"), "100uatom,1ueth");
    assert_eq!(attr(&res, "borrower"), borrower);
    let CosmosMsg::Bank(BankMsg::Send { to_address, amount }) = &res.messages[0].msg else {
        panic!()
    };
    assert_eq!(
        (to_address, amount),
        (&market.to_string(), &vec![coin(2_850, BASE)])
    );
    let p = c.pool();
    assert_eq!(p.base, u(7_150));
    assert_eq!(p.collateral.len(), 2);
    assert_eq!(p.total_value, u(10_150));
    // More than the pool holds is refused.
    let err = c
        .exec(&market, &[coin(10, ETH)], absorb(7_151))
        .unwrap_err();
    assert!(err.to_string().contains("insufficient pool funds"), "{err}");
    let q: AbsorbQuoteResponse = c.q(QueryMsg::AbsorbQuote {
        collateral: vec![coin(10, ETH)],
        debt: u(100_000),
    });
    assert_eq!((q.pay, q.can_absorb), (u(19_000), false));
}

#[test]
fn buy_at_floor_bids_the_floor_for_liquidation_lots_only() {
    let mut c = Chain::new();
    let alice = c.addr("alice");
    c.deposit(&alice, 1_000).unwrap();
    c.auction(1, liquidation(), 100, 500, false);
    c.auction(2, Seller::Backstop {}, 100, 0, true);
    c.auction(3, liquidation(), 100, 600, true);
    c.auction(4, liquidation(), 200, 0, true);
    let keeper = c.addr("keeper");
    let err = c
        .exec(&keeper, &[], ExecuteMsg::BuyAtFloor { auction_id: 1 })
        .unwrap_err();
    assert!(err.to_string().contains("not at its floor"), "{err}");
    let err = c
        .exec(&keeper, &[], ExecuteMsg::BuyAtFloor { auction_id: 2 })
        .unwrap_err();
    assert!(err.to_string().contains("backstop resale"), "{err}");
    let err = c
        .exec(
            &keeper,
            &[coin(1, BASE)],
            ExecuteMsg::BuyAtFloor { auction_id: 3 },
        )
        .unwrap_err();
    assert!(err.to_string().contains("does no accept funds"), "{err}");
    c.set_status(ATOM, OracleStatus::Stale { since: 1 });
    let err = c
        .exec(&keeper, &[], ExecuteMsg::BuyAtFloor { auction_id: 3 })
        .unwrap_err();
    assert!(err.to_string().contains("stale"), "{err}");
    c.set_status(ATOM, OracleStatus::Active {});
    // Lot 100 at 8 costs 800, capped by the tab of 600.
    let res = c
        .exec(&keeper, &[], ExecuteMsg::BuyAtFloor { auction_id: 3 })
        .unwrap();
    let CosmosMsg::Wasm(WasmMsg::Execute {
        contract_addr,
        msg,
        funds,
    }) = &res.messages[0].msg
    else {
        panic!()
    };
    assert_eq!(contract_addr, &c.liquidator.to_string());
    assert_eq!(funds, &vec![coin(600, BASE)]);
    assert_eq!(
        from_json::<LiquidatorMsg>(msg).unwrap(),
        LiquidatorMsg::Bid {
            auction_id: 3,
            max_collateral: u(100),
            max_price: Decimal::percent(800),
            callback: None,
        }
    );
    // 400 left: 200 units at 8 cost 1600; the pool bids for 50 units, 400.
    let res = c
        .exec(&keeper, &[], ExecuteMsg::BuyAtFloor { auction_id: 4 })
        .unwrap();
    assert_eq!(attr(&res, "max_collateral"), "50");
    assert_eq!(attr(&res, "attached"), "400");
    assert_eq!(attr(&res, "full"), "false");
    let err = c
        .exec(&keeper, &[], ExecuteMsg::BuyAtFloor { auction_id: 4 })
        .unwrap_err();
    assert!(err.to_string().contains("insufficient pool funds"), "{err}");
    // The bought denom is now held: resales may start.
    c.add(ATOM, 150);
    assert_eq!(c.pool().collateral[0].denom, ATOM);
}

#[test]
fn resell_slices_holdings_once_per_interval() {
    let mut c = Chain::new();
    let keeper = c.addr("keeper");
    let err = c
        .exec(&keeper, &[], ExecuteMsg::Resell { denom: ATOM.into() })
        .unwrap_err();
    assert!(err.to_string().contains("does not hold"), "{err}");
    let market = c.market.clone();
    c.exec(
        &market,
        &[coin(105, ATOM)],
        ExecuteMsg::Absorb {
            borrower: c.addr("b").to_string(),
            pay: u(0),
        },
    )
    .unwrap();
    let res = c
        .exec(&keeper, &[], ExecuteMsg::Resell { denom: ATOM.into() })
        .unwrap();
    assert_eq!(attr(&res, "amount"), "10");
    let CosmosMsg::Wasm(WasmMsg::Execute {
        contract_addr,
        msg,
        funds,
    }) = &res.messages[0].msg
    else {
        panic!()
    };
    assert_eq!(contract_addr, &c.liquidator.to_string());
    assert_eq!(funds, &vec![coin(10, ATOM)]);
    assert_eq!(
        from_json::<LiquidatorMsg>(msg).unwrap(),
        LiquidatorMsg::StartAuction {
            seller: Seller::Backstop {},
            tab: u(0),
            force: false,
        }
    );
    c.advance(3_599);
    let err = c
        .exec(&keeper, &[], ExecuteMsg::Resell { denom: ATOM.into() })
        .unwrap_err();
    assert!(err.to_string().contains("too early"), "{err}");
    c.advance(1);
    let res = c
        .exec(&keeper, &[], ExecuteMsg::Resell { denom: ATOM.into() })
        .unwrap();
    assert_eq!(attr(&res, "amount"), "9");
    // A holding whose slice rounds to zero cannot be resold.
    c.add(ATOM, -86);
    c.advance(3_600);
    let err = c
        .exec(&keeper, &[], ExecuteMsg::Resell { denom: ATOM.into() })
        .unwrap_err();
    assert!(err.to_string().contains("nothing to resell"), "{err}");
}

#[test]
fn owner_messages_are_refused_from_strangers() {
    let mut c = Chain::new();
    let stranger = c.addr("stranger");
    let params = BackstopParams {
        cooldown: 86_400,
        ..Default::default()
    };
    let err = c
        .exec(&stranger, &[], ExecuteMsg::UpdateParams(params.clone()))
        .unwrap_err();
    assert!(err.to_string().contains("only the owner"), "{err}");
    let owner = c.owner.clone();
    let err = c
        .exec(
            &owner,
            &[],
            ExecuteMsg::UpdateParams(BackstopParams {
                absorb_discount: Decimal::percent(60),
                ..Default::default()
            }),
        )
        .unwrap_err();
    assert!(err.to_string().contains("absorb_discount"), "{err}");
    c.exec(&owner, &[], ExecuteMsg::UpdateParams(params.clone()))
        .unwrap();
    let cfg: ConfigResponse = c.q(QueryMsg::Config {});
    assert_eq!(cfg.params, params);
    let err = c
        .exec(
            &stranger,
            &[],
            ExecuteMsg::Ownership(OwnershipMsg::TransferOwnership {
                new_owner: stranger.to_string(),
            }),
        )
        .unwrap_err();
    assert!(err.to_string().contains("only the owner"), "{err}");
    let next = c.addr("next");
    c.exec(
        &owner,
        &[],
        ExecuteMsg::Ownership(OwnershipMsg::TransferOwnership {
            new_owner: next.to_string(),
        }),
    )
    .unwrap();
    let err = c
        .exec(
            &stranger,
            &[],
            ExecuteMsg::Ownership(OwnershipMsg::AcceptOwnership {}),
        )
        .unwrap_err();
    assert!(err.to_string().contains("only the pending owner"), "{err}");
    c.exec(
        &next,
        &[],
        ExecuteMsg::Ownership(OwnershipMsg::AcceptOwnership {}),
    )
    .unwrap();
    let cfg: ConfigResponse = c.q(QueryMsg::Config {});
    assert_eq!(cfg.owner, next.to_string());
}

#[test]
fn migrate_refuses_downgrades_and_records_the_version() {
    let mut c = Chain::new();
    let res = migrate(c.deps.as_mut(), c.env.clone(), MigrateMsg {}).unwrap();
    assert_eq!(attr(&res, "action"), "migrate");
    cw2::set_contract_version(
        c.deps.as_mut().storage,
        crate::contract::CONTRACT_NAME,
        "99.0.0",
    )
    .unwrap();
    let err = migrate(c.deps.as_mut(), c.env.clone(), MigrateMsg {}).unwrap_err();
    assert!(err.to_string().contains("down to"), "{err}");
}
