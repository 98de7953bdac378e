//! Property tests: random sequences of user, keeper, owner and price actions across all four
//! contracts (oracle, market, liquidator, backstop), with invariants checked after every step.
//!
//! # The harness
//! A case ([`actions::Scenario`]) is a set-up and 30 to 120 actions:
//!
//! - **Set-up** ([`actions::Setup`]): the default Suite (base `uusdc`; `uatom` at 10, `uosmo`
//!   at 0.5, `ueth` at 3000; three feeders, quorum two) with a one-hour threshold ramp, a
//!   backstop cooldown of one hour and a two-hour window, and, drawn per case: 3 to 5 users
//!   (each funded with every denom), a flat or volatility-scaled margin, normal or steep
//!   interest rates, the lender's supply (2·10^11 or 10^12), an empty or seeded backstop,
//!   and a depth-derived or small fixed auction cap (`hole`).
//! - **Actions** ([`actions::Action`]). Each user first opens a position (a collateral worth
//!   10^8 to 10^11 and a borrow at or just under the limit); then come random actions, with
//!   amounts from 1 to about 10^14 (clamped to what the sender holds, so a bank failure
//!   always means a contract overspent): supply / withdraw; deposit (also onto another
//!   user's account) / withdraw any collateral; borrow (fixed amounts, or exactly at, just
//!   under or one over the borrow limit) and repay (partial, exact, with excess, on behalf of
//!   someone else); price moves of −30%..+20% fed after a few seconds of live feeding (a fall
//!   past 25% from the TWAP halts the asset), and rarer jumps that always halt; time passing
//!   with live feeders or without (prices go stale); liquidation of any account (or of an
//!   address without one) by the keeper or a user, and a keeper scan of every unhealthy
//!   account; bids on a random auction with a random size and a `max_price` at, under or over
//!   the current price; resets; `BuyAtFloor`; backstop deposit / request / cancel / withdraw
//!   (sometimes after waiting out the cooldown) / resell; reserve sweeps and accruals; owner
//!   threshold changes (mostly lowering: ramps), auction caps (down to a single unit) and
//!   breaker levels; `TripBreaker`; and privileged messages from users.
//!
//! Every contract message goes through [`world::World::send`], which snapshots the state
//! first. Actions pick their targets by index modulo what exists, and every random action can
//! shrink away, so a failing sequence shrinks to the few actions that matter.
//!
//! # Invariants
//! For every message:
//! - **a refusal is typed and changes nothing**: its innermost error is one of the
//!   documented messages (never an arithmetic overflow, a division by zero or a bank
//!   underflow), and the balances of every known address in every denom, the market state,
//!   the accounts, suppliers, collaterals, running auctions, auction rooms, the backstop pool
//!   and its depositors are all as before;
//! - **no sale below the floor**: every `bid` event (ordinary bids and the backstop's floor
//!   purchases) sold at the auction's price at that block, `price >= floor`, exactly the
//!   floor when `at_floor`, for at least `ceil(slice · price)`; the backstop buys only at the
//!   floor; a liquidation bid raises at most the tab (but for one whole unit when the tab is
//!   worth less) and never leaves `0 < tab < dust` on a running auction;
//! - **bad debt is booked exactly**: every `bad_debt` event splits its amount exactly between
//!   the backstop, reserves and suppliers; an absorb never pays above the pool's quote.
//!
//! After every step ([`world::World::check_invariants`]):
//! - **conservation**: for each denom, the total over the known addresses equals its value
//!   after set-up plus what the harness minted since (nothing);
//! - **the market's books**: `cash + total_borrowed + debt_in_auction >= total_supplied +
//!   reserves`; the gap never shrinks (accrual keeps it, every other message rounds in the
//!   protocol's favour; the documented exception — a socialized deficit larger than what is
//!   supplied — is allowed for) and stays at most 10 units per step (the largest gap seen is
//!   printed at the end of the run); `cash` and every `total_deposited` equal the market's
//!   bank balances; `backstop_due <= reserves`; the accounts' debts are within one unit each
//!   above `total_borrowed`; the suppliers' assets sum to at most `total_supplied`; the supply
//!   index falls only with a socialized deficit; the three `bad_debt_*` counters grow by
//!   exactly what the step's `bad_debt` events booked, and the backstop's `total_covered` by
//!   exactly the part booked against it;
//! - **auctions**: `debt_in_auction` is the sum of the running liquidation auctions' tabs;
//!   each keeps `raised + tab` equal to its starting tab; running auctions have a lot (and a
//!   tab, for liquidations); the liquidator's dirt matches its auctions; a forced start only
//!   comes with a hard-floor liquidation;
//! - **backstop**: pending shares at most the total, `total_covered` never falls.
//!
//! Per action:
//! - **borrower loss is bounded** (SECURITY.md, "The harness catches these classes"): in a
//!   partial or full close the borrower loses at most the penalty on what it repaid, in an
//!   absorb at most the pool's discount on what was taken (plus one unit of each lot and one
//!   debt share's worth of rounding); auctions of the whole position keep the borrower's claim
//!   on what the tab does not need and sell no lower than the floor;
//! - **no gain for a just-in-time backstop depositor**: across every action that moves neither
//!   time nor a price, the price holders redeem backstop shares at does not rise beyond one
//!   unit per valued denom (gains the pool realises reach it only as they unlock);
//! - **liquidations**: an account with `HF < 1` is liquidated or refused for a documented
//!   throttle or pause reason — no auction room, an oracle price that is not active, the
//!   breaker (the market's errors, or the liquidator's surfacing through the auction start),
//!   or "too small" when a room is below one debt share's worth — and never refused below the
//!   hard floor; a healthy or debt-free account is refused. A success above the hard floor
//!   needs the breaker below 2 and an active price for everything seized (every holding, for
//!   an absorb); below it, only a whole-position mode. The auctions started carry the tab
//!   (partial) or the whole debt (toxic), each unforced one within its room; an absorb pays
//!   at most the debt and takes every holding. A **partial liquidation never lowers the
//!   health factor** of the account it leaves open: it seizes a collateral with
//!   `LT·(1+p) < HF`, lowers the debt, and `W1/D1 >= W0/D0` up to the documented rounding
//!   (one collateral unit of the lot, one unit of valuation and `ceil(borrow_index)` of
//!   debt). Every other mode closes the debt. Keeper rewards (liquidations and resets) stay
//!   within the cap and the free reserves;
//! - **deposits never dilute**: a market supply never lowers the supply index or another
//!   supplier's assets, and gains the supplier nothing on the spot; a backstop deposit adds
//!   exactly its amount to the pool value, never lowers the share price holders redeem at
//!   (with the virtual offset, `(V+1)/(S+10^6)`) nor another depositor's value. The `Pool`
//!   query's raw `value_per_share` (`V/S`, blind to the virtual shares) can fall on a
//!   deposit; it is held to at most `amount · 10^6 / S` base units of the holders' value
//!   (the largest fall seen, and how often it exceeded one unit, are printed). A backstop
//!   withdrawal leaves the remaining holders' share price intact (up to one unit per held
//!   denom);
//! - borrows and collateral withdrawals with debt run only at breaker 0 (borrows), on active
//!   prices, and leave the debt within the borrow limit and `HF >= 1`; repayments take exactly
//!   `min(funds, debt)`; bids respect `max_price` (a bid under the price is refused) and stop
//!   at breaker 3; resets and floor purchases only on stale / at-floor auctions, never on the
//!   backstop's own resale; a sweep pays the backstop exactly its amount; a threshold change
//!   moves nobody's health at once; `TripBreaker` succeeds exactly on a halted price;
//!   privileged messages from users are refused.
//!
//! At the end of every case ([`liveness`]):
//! - **every refusal was temporary**: the owner restores normal conditions (breaker 0,
//!   default auction caps), feeders feed until halts clear and the TWAP catches up, running
//!   auctions are reset when stale and bought out, and every account unhealthy at the prices
//!   the oracle stands behind is liquidated, round after round: each of these liquidations
//!   must succeed, and no account may be left unhealthy. An account refused for a throttle or
//!   pause reason during the case is therefore liquidatable in a later step.
//!
//! # Running
//! `cargo test -p breakwater-tests properties` runs 24 cases (about 25 s in a debug build on
//! one core). For a long run set `BREAKWATER_PROPTEST_CASES`, e.g.
//! `BREAKWATER_PROPTEST_CASES=256 cargo test -p breakwater-tests properties -- --nocapture`
//! (about a second per case; `--nocapture` prints what the run exercised: messages and
//! refusals by kind, liquidations by mode, bids, bad debt, the largest books gap and the
//! largest raw value-per-share loss). Proptest's own `PROPTEST_*` variables apply too (e.g.
//! `PROPTEST_RNG_SEED` to replay a run, `PROPTEST_MAX_SHRINK_ITERS`, 1,000 by default), but
//! the case count always comes from `BREAKWATER_PROPTEST_CASES`.
//!
//! A failing case is shrunk and its seed appended to
//! `tests/properties/sequences.proptest-regressions`, which is replayed first on every later
//! run. Bugs found this way are pinned, reduced by hand, in [`regressions`] (ignored until
//! fixed).
mod actions;
mod checks;
mod liveness;
mod regressions;
mod run;
mod sequences;
mod stats;
mod world;
