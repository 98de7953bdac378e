//! The generated input of one case: a [`Setup`] and a sequence of [`Action`]s over a small
//! cast (3 to 5 users, the keeper and the owner).
//!
//! Indices (`who`, `pick`, `denom`, …) are raw small numbers reduced modulo the size of what
//! they pick from when the action runs, so a sequence stays meaningful while proptest shrinks
//! it (removing an action never invalidates the ones after it).
use proptest::prelude::*;
use proptest::strategy::Union;

/// The base asset.
pub const BASE: &str = "uusdc";
/// The Suite's collaterals, in the order `denom` indices use.
pub const COLLATERALS: [&str; 3] = ["uatom", "uosmo", "ueth"];
/// Every denom the harness tracks: base first, then the collaterals.
pub const DENOMS: [&str; 4] = [BASE, "uatom", "uosmo", "ueth"];

/// Market, backstop and liquidator settings of one case, and the liquidity put in before the
/// first action.
#[derive(Debug, Clone)]
pub struct Setup {
    /// Number of users (3 to 5).
    pub users: usize,
    /// Borrow power does not shrink with volatility (`σ_ref` 1000, `min_ltv_factor` 1).
    pub flat_margin: bool,
    /// Steep interest rates (50% base), so indices move within minutes.
    pub steep_rates: bool,
    /// What the Suite's `lender` supplies to the market before the first action.
    pub lender_supply: u128,
    /// What the Suite's `lender` deposits in the backstop before the first action (0: empty).
    pub backstop_seed: u128,
    /// A fixed per-collateral auction cap (`hole`), or `None` for the depth-derived one.
    pub hole: Option<u128>,
    /// The room paces the hard floor (`LiquidationParams::pace_hard_floor`, the default).
    pub paced: bool,
    /// Redistribution waits for the backstop to be exhausted
    /// (`RedistributionParams::backstop_first`, the default).
    pub backstop_first: bool,
    /// Sales hold the auction curves (`AuctionParams::hold` 600 s, tolerance 0) and are paced
    /// by the cap (`AuctionParams::pace_sales`), bidders wait out a fall
    /// (`AuctionParams::wait_falls`), and a minute under the TWAP is a slide
    /// (`AuctionParams::slide`; `world::harness_auction_params`).
    pub hold: bool,
}

/// How much to borrow.
#[derive(Debug, Clone)]
pub enum BorrowSize {
    /// A fixed amount.
    Units(u128),
    /// `borrow_limit − debt + offset` (at least 1): exactly at, just under or just over the
    /// limit.
    NearLimit(i64),
}

/// How much to repay.
#[derive(Debug, Clone)]
pub enum RepaySize {
    /// A fixed amount.
    Units(u128),
    /// Exactly the debt.
    Full,
    /// The debt plus some excess (refunded).
    FullPlus(u128),
}

/// How much of a lot to bid for.
#[derive(Debug, Clone)]
pub enum BidSize {
    /// One unit.
    One,
    /// A percentage of the lot (at least one unit).
    Percent(u8),
    /// The whole lot.
    All,
    /// Twice the lot.
    Double,
}

/// The `max_price` guard of a bid, relative to the auction's current price.
#[derive(Debug, Clone)]
pub enum Guard {
    /// Exactly the current price.
    AtPrice,
    /// Below the current price by `bps` basis points: the bid must be refused.
    Under(u16),
    /// Above the current price by `bps` basis points.
    Over(u16),
}

/// One step of a sequence.
#[derive(Debug, Clone)]
pub enum Action {
    /// A user supplies base to the market.
    Supply { who: usize, amount: u128 },
    /// A user (or the lender, `who` past the users) withdraws supplied base (`None`: all).
    Withdraw { who: usize, amount: Option<u128> },
    /// A user deposits collateral (for another user's account when `for_other`, e.g. dust
    /// of a collateral whose price is paused).
    Deposit {
        who: usize,
        denom: usize,
        amount: u128,
        for_other: Option<usize>,
    },
    /// A user withdraws collateral (`None`: all of it).
    WithdrawCollateral {
        who: usize,
        denom: usize,
        amount: Option<u128>,
    },
    /// A user borrows.
    Borrow { who: usize, size: BorrowSize },
    /// `payer` repays the debt of `who`.
    Repay {
        payer: usize,
        who: usize,
        size: RepaySize,
    },
    /// Prices stay fresh for `settle` seconds, then every feeder moves `denom` by `pct`%
    /// (−30..+20; a fall of more than 25% from the TWAP halts the asset).
    Price { denom: usize, pct: i32, settle: u64 },
    /// An immediate large jump (halts the asset).
    Jump { denom: usize, pct: i32 },
    /// Time passes, with live feeders (prices stay fresh) or without (prices go stale).
    Time { secs: u64, feeding: bool },
    /// From now on every feeder reports `denom`'s book at `share`% of the Suite's configured
    /// depth with each price (`None`: no depth), starting with the current price at once; a
    /// fall then slides by its book while the book holds, its curves priced ahead of the
    /// oracle with `hold` (`Slide::deep`, `Slide::ahead`), and the breaker reads it
    /// (`OracleParams::breaker_book`, on with `hold`).
    Book { denom: usize, share: Option<u32> },
    /// `sender` (a user, or the keeper past the users) liquidates `target` (a user, or an
    /// address without an account past the users).
    Liquidate { sender: usize, target: usize },
    /// The keeper liquidates every account whose health factor is below 1.
    KeeperScan,
    /// `bidder` (a user, or the keeper) bids on a running auction.
    Bid {
        pick: usize,
        bidder: usize,
        size: BidSize,
        guard: Guard,
    },
    /// The keeper resets a running auction.
    Reset { pick: usize },
    /// Anyone asks the backstop to buy a running auction at its floor.
    BuyAtFloor { pick: usize },
    /// A user (or the lender) deposits base in the backstop.
    BackstopDeposit { who: usize, amount: u128 },
    /// A depositor requests the withdrawal of `pct`% of their shares (at least one share).
    BackstopRequest { who: usize, pct: u8 },
    /// A depositor cancels their request.
    BackstopCancel { who: usize },
    /// A depositor withdraws their requested shares; with `wait`, after letting time pass
    /// (prices fed) until the request's window opens.
    BackstopWithdraw { who: usize, wait: bool },
    /// Anyone asks the backstop to re-sell a slice of a collateral.
    Resell { denom: usize },
    /// Anyone sweeps the reserves due to the backstop.
    Sweep,
    /// Anyone accrues interest.
    Accrue,
    /// The owner moves a collateral's liquidation threshold by `bps` (mostly down: a ramp),
    /// lowering `max_ltv` as needed.
    SetThreshold { denom: usize, bps: i32 },
    /// The owner sets a collateral's auction cap (`hole`) at the liquidator: a fixed one
    /// (from a single unit up), or back to the depth-derived one.
    SetHole { denom: usize, hole: Option<u128> },
    /// The owner sets the breaker level.
    Breaker { level: u8 },
    /// Anyone trips the breaker on a collateral (succeeds only while it is halted).
    TripBreaker { denom: usize },
    /// A user sends a privileged message (refused).
    Intrude { who: usize, kind: u8 },
}

/// A case: the set-up and the actions.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The set-up.
    pub setup: Setup,
    /// The actions, in order.
    pub actions: Vec<Action>,
}

/// Amounts from 1 to about 10^14, roughly log-uniform, with 1 and small numbers over-weighted.
pub fn amount() -> impl Strategy<Value = u128> + Clone {
    prop_oneof![
        1 => Just(1u128),
        1 => 2u128..100,
        8 => (1u128..1_000, 0u32..=11).prop_map(|(m, e)| m * 10u128.pow(e)),
    ]
}

fn who() -> impl Strategy<Value = usize> + Clone {
    0usize..8
}

fn denom() -> impl Strategy<Value = usize> + Clone {
    0usize..3
}

fn setup() -> impl Strategy<Value = Setup> {
    (
        3usize..=5,
        prop::bool::weighted(0.6),
        prop::bool::weighted(0.3),
        prop_oneof![Just(200_000_000_000u128), Just(1_000_000_000_000u128)],
        prop_oneof![Just(0u128), Just(100_000_000u128), Just(10_000_000_000u128)],
        prop_oneof![
            2 => Just(None),
            1 => (200_000_000u128..5_000_000_000).prop_map(Some),
        ],
        prop::bool::weighted(0.7),
        prop::bool::weighted(0.7),
        prop::bool::weighted(0.5),
    )
        .prop_map(|t| Setup {
            users: t.0,
            flat_margin: t.1,
            steep_rates: t.2,
            lender_supply: t.3,
            backstop_seed: t.4,
            hole: t.5,
            paced: t.6,
            backstop_first: t.7,
            hold: t.8,
        })
}

fn borrow_size() -> impl Strategy<Value = BorrowSize> {
    prop_oneof![
        1 => amount().prop_map(BorrowSize::Units),
        2 => prop_oneof![
            Just(0i64),
            Just(1i64),
            Just(-1i64),
            -1_000_000i64..0,
        ]
        .prop_map(BorrowSize::NearLimit),
    ]
}

fn repay_size() -> impl Strategy<Value = RepaySize> {
    prop_oneof![
        3 => amount().prop_map(RepaySize::Units),
        1 => Just(RepaySize::Full),
        1 => amount().prop_map(RepaySize::FullPlus),
    ]
}

fn bid_size() -> impl Strategy<Value = BidSize> {
    prop_oneof![
        Just(BidSize::One),
        (1u8..=100).prop_map(BidSize::Percent),
        Just(BidSize::All),
        Just(BidSize::Double),
    ]
}

fn guard() -> impl Strategy<Value = Guard> {
    prop_oneof![
        3 => Just(Guard::AtPrice),
        1 => (1u16..=2_000).prop_map(Guard::Under),
        2 => (1u16..=5_000).prop_map(Guard::Over),
    ]
}

/// One action, weighted so that positions open, prices fall and liquidations, bids and
/// backstop purchases happen in most sequences.
pub fn action() -> impl Strategy<Value = Action> {
    let opt_amount = || prop_oneof![1 => Just(None), 4 => amount().prop_map(Some)];
    Union::new_weighted(vec![
        (
            5,
            (who(), amount())
                .prop_map(|(who, amount)| Action::Supply { who, amount })
                .boxed(),
        ),
        (
            3,
            (who(), opt_amount())
                .prop_map(|(who, amount)| Action::Withdraw { who, amount })
                .boxed(),
        ),
        (
            9,
            (
                who(),
                denom(),
                amount(),
                prop_oneof![4 => Just(None), 1 => who().prop_map(Some)],
            )
                .prop_map(|(who, denom, amount, for_other)| Action::Deposit {
                    who,
                    denom,
                    amount,
                    for_other,
                })
                .boxed(),
        ),
        (
            3,
            (who(), denom(), opt_amount())
                .prop_map(|(who, denom, amount)| Action::WithdrawCollateral { who, denom, amount })
                .boxed(),
        ),
        (
            10,
            (who(), borrow_size())
                .prop_map(|(who, size)| Action::Borrow { who, size })
                .boxed(),
        ),
        (
            4,
            (who(), who(), repay_size())
                .prop_map(|(payer, who, size)| Action::Repay { payer, who, size })
                .boxed(),
        ),
        (
            12,
            (denom(), -30i32..=20, 5u64..=120)
                .prop_map(|(denom, pct, settle)| Action::Price { denom, pct, settle })
                .boxed(),
        ),
        (
            1,
            (denom(), prop_oneof![-60i32..=-35, 35i32..=80])
                .prop_map(|(denom, pct)| Action::Jump { denom, pct })
                .boxed(),
        ),
        (
            6,
            (
                prop_oneof![3 => 5u64..60, 3 => 60u64..900, 2 => 900u64..4_000],
                prop::bool::weighted(0.8),
            )
                .prop_map(|(secs, feeding)| Action::Time { secs, feeding })
                .boxed(),
        ),
        (
            3,
            (
                denom(),
                prop_oneof![1 => Just(None), 3 => (20u32..=150).prop_map(Some)],
            )
                .prop_map(|(denom, share)| Action::Book { denom, share })
                .boxed(),
        ),
        (
            7,
            (who(), who())
                .prop_map(|(sender, target)| Action::Liquidate { sender, target })
                .boxed(),
        ),
        (6, Just(Action::KeeperScan).boxed()),
        (
            9,
            (any::<usize>(), who(), bid_size(), guard())
                .prop_map(|(pick, bidder, size, guard)| Action::Bid {
                    pick,
                    bidder,
                    size,
                    guard,
                })
                .boxed(),
        ),
        (
            2,
            any::<usize>()
                .prop_map(|pick| Action::Reset { pick })
                .boxed(),
        ),
        (
            3,
            any::<usize>()
                .prop_map(|pick| Action::BuyAtFloor { pick })
                .boxed(),
        ),
        (
            3,
            (who(), amount())
                .prop_map(|(who, amount)| Action::BackstopDeposit { who, amount })
                .boxed(),
        ),
        (
            3,
            (who(), 1u8..=100)
                .prop_map(|(who, pct)| Action::BackstopRequest { who, pct })
                .boxed(),
        ),
        (
            1,
            who().prop_map(|who| Action::BackstopCancel { who }).boxed(),
        ),
        (
            3,
            (who(), any::<bool>())
                .prop_map(|(who, wait)| Action::BackstopWithdraw { who, wait })
                .boxed(),
        ),
        (
            1,
            denom().prop_map(|denom| Action::Resell { denom }).boxed(),
        ),
        (1, Just(Action::Sweep).boxed()),
        (1, Just(Action::Accrue).boxed()),
        (
            2,
            (denom(), prop_oneof![4 => -1_500i32..=-1, 1 => 0i32..=300])
                .prop_map(|(denom, bps)| Action::SetThreshold { denom, bps })
                .boxed(),
        ),
        (
            1,
            prop_oneof![6 => Just(0u8), 1 => Just(1u8), 1 => Just(2u8), 1 => Just(3u8)]
                .prop_map(|level| Action::Breaker { level })
                .boxed(),
        ),
        (
            1,
            (
                denom(),
                prop_oneof![1 => Just(None), 3 => amount().prop_map(Some)],
            )
                .prop_map(|(denom, hole)| Action::SetHole { denom, hole })
                .boxed(),
        ),
        (
            1,
            denom()
                .prop_map(|denom| Action::TripBreaker { denom })
                .boxed(),
        ),
        (
            1,
            (who(), 0u8..5)
                .prop_map(|(who, kind)| Action::Intrude { who, kind })
                .boxed(),
        ),
    ])
}

/// The opening of one user: a collateral deposit worth about 10^8 to 10^11 base units, and
/// a borrow near the limit.
fn opening(who: usize) -> impl Strategy<Value = Vec<Action>> {
    (
        denom(),
        (100u128..1_000, 6u32..=8),
        prop_oneof![3 => Just(0i64), 1 => -1_000_000i64..0],
    )
        .prop_map(move |(denom, (m, e), offset)| {
            // Units per 10^8 base units of value: 10^7 uatom, 2·10^8 uosmo, 33,334 ueth.
            let per = [10_000_000u128, 200_000_000, 33_334][denom];
            let amount = m * 10u128.pow(e) * per / 100_000_000 + 1;
            vec![
                Action::Deposit {
                    who,
                    denom,
                    amount,
                    for_other: None,
                },
                Action::Borrow {
                    who,
                    size: BorrowSize::NearLimit(offset),
                },
            ]
        })
}

/// A set-up and 30 to 120 actions: first each user's opening (a deposit and a borrow near the
/// limit), then random actions.
pub fn scenario() -> impl Strategy<Value = Scenario> {
    setup().prop_flat_map(|setup| {
        let n = setup.users;
        let openings: Vec<_> = (0..n).map(opening).collect();
        // Each action carries a flag that is always `true` when generated and shrinks to
        // `false` (the action is dropped), so a failing case shrinks below 30 actions.
        let step = || (prop::bool::weighted(1.0), action());
        (
            Just(setup),
            openings,
            prop::collection::vec(step(), (30 - 2 * n)..=(120 - 2 * n)),
        )
            .prop_map(|(setup, openings, body)| Scenario {
                setup,
                actions: openings
                    .into_iter()
                    .flatten()
                    .chain(body.into_iter().filter(|(keep, _)| *keep).map(|(_, a)| a))
                    .collect(),
            })
    })
}
