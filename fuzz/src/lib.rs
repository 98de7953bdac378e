//! The fuzz harness shared by every target in `fuzz_targets/`.
//!
//! - [`world`]: the prepared chain (the four contracts on cw-multi-test, with supplies,
//!   borrows, collateral, an underwater account, a running auction, backstop deposits and a
//!   pending withdrawal, flash receivers), restored from a storage snapshot before every
//!   input, and the checks: no panic, every refusal is a typed `ContractError` of the
//!   contract that refused, every query answer parses as its declared response type, and the
//!   market's books still balance after each input.
//! - [`raw`]: the text format of the raw-JSON targets (one message per line, a small header
//!   picks the sender, the funds and the time that passes first).
//! - [`schema`]: a generator of messages shaped by the committed JSON schemas
//!   (`schema/<contract>/raw/{execute,query}.json`), for the structured target.
pub mod raw;
pub mod schema;
pub mod world;

pub use world::{Contract, World};

use arbitrary::Unstructured;
use std::cell::RefCell;
pub use world::Outcome;

thread_local! {
    static WORLD: RefCell<Option<World>> = const { RefCell::new(None) };
}

/// Runs `f` on this thread's prepared world (built on first use), reset to the prepared state.
pub fn with_world<T>(f: impl FnOnce(&mut World) -> T) -> T {
    WORLD.with(|w| {
        let mut w = w.borrow_mut();
        let world = w.get_or_insert_with(World::prepare);
        world.reset();
        f(world)
    })
}

/// The raw execute targets: every line of `data` (see [`raw`]) sent to `contract`, then the
/// invariants.
pub fn run_execute(contract: Contract, data: &[u8]) {
    with_world(|w| {
        for line in raw::exec_lines(data) {
            let sender = w.sender(line.sender);
            let mut advance = line.advance;
            if line.feed {
                w.advance(advance);
                w.refresh_prices();
                advance = 0;
            }
            w.execute(contract, sender, line.funds, advance, line.json);
        }
        w.check_invariants();
    })
}

/// The raw query target: every line of `data` sent to the query entry point it names.
pub fn run_queries(data: &[u8]) {
    with_world(|w| {
        for line in raw::query_lines(data) {
            w.advance(line.advance);
            w.query(Contract::from_token(line.contract), line.json);
        }
    })
}

/// Time steps the structured target draws from (the oracle's staleness, cooldown and TWAP
/// window, the auction curve's steps and tail, days, a year).
const STEPS: [u64; 12] = [
    0, 0, 0, 0, 5, 30, 61, 301, 3_600, 86_400, 604_800, 31_536_000,
];

/// The structured target: up to eight schema-shaped messages to any of the four contracts
/// (one in eight a query), from any sender, with drawn funds and time steps, then the
/// invariants.
pub fn run_structured(data: &[u8]) {
    with_world(|w| {
        let gen = schema::Generator::new(w.addresses());
        let mut u = Unstructured::new(data);
        for _ in 0..raw::MAX_LINES {
            if u.is_empty() || structured_step(w, &gen, &mut u).is_err() {
                break;
            }
        }
        w.check_invariants();
    })
}

fn structured_step(
    w: &mut World,
    gen: &schema::Generator,
    u: &mut Unstructured,
) -> arbitrary::Result<()> {
    let contract = *u.choose(&Contract::ALL)?;
    let advance = *u.choose(&STEPS)?;
    if u.ratio(1, 32)? {
        w.advance(advance);
        w.refresh_prices();
        return Ok(());
    }
    if u.ratio(1, 8)? {
        let msg = gen.message(u, contract, true)?;
        w.advance(advance);
        w.query(contract, msg.to_string().as_bytes());
        return Ok(());
    }
    // Users 7 times in 8; contracts (impersonation) otherwise.
    let users = world::SENDER_NAMES
        .iter()
        .position(|n| *n == "oracle")
        .unwrap_or(1);
    let sender = if u.ratio(7, 8)? {
        w.senders[u.choose_index(users)?].clone()
    } else {
        w.senders[users + u.choose_index(w.senders.len() - users)?].clone()
    };
    let mut funds = vec![];
    for _ in 0..u.choose(&[0usize, 0, 1, 1, 1, 2])?.to_owned() {
        let denom = *u.choose(&world::DENOMS)?;
        funds.push(cosmwasm_std::Coin::new(gen.amount256(u)?, denom));
    }
    let msg = gen.message(u, contract, false)?;
    w.execute(contract, sender, funds, advance, msg.to_string().as_bytes());
    Ok(())
}
