//! Messages of the Dutch-auction liquidator.
//!
//! The market hands a seized lot to `StartAuction`; the price starts at `oracle · buf` and falls
//! along the collateral's curve (from the start price, or from the current oracle price with
//! [`AuctionParams::follow_oracle`]), never below the floor `oracle · (1 − max_discount)` for
//! ordinary bidders. Proceeds go to the market (or to the backstop for its own resales); a
//! covered tab returns the leftover lot to the borrower.
use crate::adapters::OracleGauge;
use crate::error::{check_range, invalid, ParamError};
use crate::math::auction::{curve_price, time_to_reach};
use crate::oracle::BelowTwap;
use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Binary, Decimal, Uint128};

/// Storage namespace of the liquidator's per-collateral auction parameters
/// (`Map<&str, AuctionParams>`); read raw by
/// [`LiquidatorContract::auctions`](crate::adapters::LiquidatorContract::auctions).
pub const AUCTION_PARAMS_NAMESPACE: &str = "collaterals";

/// How the auction price falls from the top price `top` as time `t` (seconds) passes.
#[cw_serde]
pub enum PriceCurve {
    /// `price = top · max(0, 1 − t / duration)`.
    Linear {
        /// Seconds from top to zero.
        duration: u64,
    },
    /// `price = top · cut^floor(t / step)` (Maker `StairstepExponentialDecrease`).
    StairStep {
        /// Seconds between steps.
        step: u64,
        /// Multiplier applied each step (0 < cut < 1).
        cut: Decimal,
    },
    /// `price = top · cut^t` (Maker `ExponentialDecrease`, `cut` per second).
    Exponential {
        /// Per-second multiplier (0 < cut < 1).
        cut: Decimal,
    },
}

/// Auction parameters of one collateral.
#[cw_serde]
pub struct AuctionParams {
    /// Top price multiplier over the oracle price at start (1 to 2; Maker ETH-A 1.3).
    pub buf: Decimal,
    /// The price curve.
    pub curve: PriceCurve,
    /// Seconds after which an auction may be reset (Maker `tail`, 8,400 s).
    pub tail: u64,
    /// Reset when the price falls below `cusp · top` (Maker `cusp`, 0.4).
    pub cusp: Decimal,
    /// Floor: ordinary bidders never pay less than `oracle · (1 − max_discount)` (0 < x < 1).
    pub max_discount: Decimal,
    /// A bid may not leave a tab below this (base units): it must take all or leave at least
    /// this much (Maker `chost`).
    pub dust: Uint128,
    /// Per-collateral cap on debt under auction (base units, Maker `hole`). `None` derives it
    /// from the market's depth for the collateral: `hole = depth · impact_budget_pct`, the
    /// debt whose sale would move the external price by at most `impact_budget_pct` percent.
    pub hole: Option<Uint128>,
    /// Issue 14: the curve follows the oracle. `true`: the price is
    /// `oracle_now · buf · decay(t)` (the discount to the current oracle price grows with
    /// time), so an auction reaches its bidders and its floor on time however fast the price
    /// falls, and asks more if the price recovers. `false` (the default of a stored or sent
    /// value without the field): Maker's curve, `top · decay(t)` from the price at the
    /// (re)start, which a price falling faster than the curve never meets until the auction
    /// goes stale. The reset rule (`tail`, `cusp`) reads `decay(t)` either way.
    #[serde(default)]
    pub follow_oracle: bool,
    /// Issue 14: sales hold the curves. `0` (the default of a stored or sent value without
    /// the field): every auction's price falls on its own clock whatever sells. `> 0`: a sale
    /// of `owe` from any auction of the collateral stops the decay of all its auctions for
    /// `hold · min(1, owe / cap)` seconds ([`HoldClock`]), where `cap` is the collateral's cap
    /// on debt under auction now (`hole`, or the measured depth times the impact budget: the
    /// sale that moves the book by the budget); holds add up, to at most `hold` seconds ahead.
    /// A Dutch auction lowers its price to find buyers; while they buy, a lower price only
    /// lets keepers sell the lots deeper into a book that has not absorbed the last sale yet,
    /// so the curves fall only as far as sales fall short of a cap per `hold` seconds. A hold
    /// is paid for: its seconds are in proportion to the value bought at the price held.
    /// `tail` still counts from the (re)start; `cusp` reads the held curve.
    #[serde(default)]
    pub hold: u64,
    /// Issue 14: how far below a held price the market may stand while the hold lasts (`0` to
    /// `1`; the default of a stored or sent value without the field is 0). A held curve prices
    /// at the held price while `held ≤ oracle · (1 + hold_tolerance)`, and otherwise as if it
    /// had never been held: a hold waits for a book that is taking the lots back up to the
    /// price it last paid, not for a market that keeps falling away from it. The tolerance
    /// applies only while the oracle's median is at or above its TWAP (the market not
    /// falling); below it the held price must be at or under the median itself.
    #[serde(default)]
    pub hold_tolerance: Decimal,
    /// Issue 14: with `hold > 0`, whether a sale also holds the room it frees (the default of
    /// a stored or sent value without the field is false): while the curves are held, what
    /// was sold counts against the cap, `cap · (held_until − now) / hold`, so the room comes
    /// back over the seconds the sale holds the curves rather than at once.
    #[serde(default)]
    pub hold_room: bool,
    /// Issue 14: a fall that outlasts a wick is not waited out (`None`, the default of a
    /// stored or sent value without the field: off). While the oracle's median has stood
    /// at least its `fall_band` under its TWAP at every update for at least [`Slide::after`]
    /// seconds ([`BelowTwap`](crate::oracle::BelowTwap)), or with [`Slide::lows`] made a new
    /// low that long after the streak began, the collateral's auctions price as
    /// with [`AuctionParams::follow_oracle`] and its depth-derived cap is [`Slide::room`]
    /// times larger. A wick or a jump keeps the median under its TWAP for at most about one
    /// TWAP window (then the window holds only the new level); a market still falling that
    /// fast after that keeps falling, and there the lots that wait lose more than the impact
    /// of selling them.
    #[serde(default)]
    pub slide: Option<Slide>,
    /// Issue 14: sales to bidders paced by the cap, a cap's worth per this many seconds
    /// (`None`, the default of a stored or sent value without the field: not paced). What
    /// bidders paid counts against the collateral's cap and drains from it at a cap per
    /// window ([`SaleBucket`]); a bid is cut to the value the cap has left, and refused when
    /// it has less than one unit's worth left. The cap limits the debt under auction, which
    /// bounds what may start; pacing bounds what may be sold: lots started while the book
    /// was deep, or that reached their floor while it was empty, reach the book at most a cap
    /// per window instead of all at once. A window as long as the book takes to recover from
    /// a cap's worth keeps the impact within the budget; a shorter one sells faster and lets
    /// the impact build up (the lab's 600 s against its book's 30-minute recovery, chosen on
    /// what waiting costs the borrowers: docs/LAB.md "Sales paced by the cap"). 60 s to one
    /// day. The backstop's own purchases sell nothing into the book and are never paced.
    #[serde(default)]
    pub pace_sales: Option<u64>,
    /// Issue 14: bidders wait out a fall (`None`, the default of a stored or sent value
    /// without the field: they do not). `Some(band)`, band in (0, 1): while the oracle's median
    /// stands at least `band` under its TWAP and the collateral is not sliding
    /// ([`AuctionParams::slide`]), bids from anyone but the backstop are refused: what a keeper
    /// buys in a fall it sells into the book that is falling, and those sales deepen the
    /// bottom of a wick that the price would come back from without them. While the median
    /// stands under its TWAP by less, paced sales ([`AuctionParams::pace_sales`]) take only the
    /// share of what the cap has left that the median has come back, `1 − shortfall / band`
    /// ([`AuctionParams::fall_share`]): the end of a wait does not let a whole cap go at once
    /// into a book still near its bottom. The backstop's purchases at the floor reach no book
    /// and go on. The median leaves the band within about one TWAP window of a single drop,
    /// and as soon as a wick turns back up; a fall that outlasts that is a slide and is sold
    /// into, so set `slide` with it (without `slide` bidders wait for as long as the median
    /// keeps falling that fast). The oracle's `fall_band` is the natural band.
    #[serde(default)]
    pub wait_falls: Option<Decimal>,
}

/// When a fall counts as a slide, and how much faster the collateral is sold then
/// ([`AuctionParams::slide`]).
#[cw_serde]
pub struct Slide {
    /// Seconds the median must have stood at least the oracle's `fall_band` under its TWAP at
    /// every update (at least 60; twice the oracle's TWAP window is the documented choice: no
    /// single drop, however deep, keeps the median under its TWAP that long).
    pub after: u64,
    /// Multiplier of the depth-derived cap while the slide lasts (1 to 10; a fixed `hole` is
    /// not scaled).
    pub room: Decimal,
    /// Seconds (60 to `after`): a streak whose median made a new low this long after the
    /// streak began is a slide from then on, sooner than `after` (`None`, the default of a
    /// stored or sent value without the field: only `after`). A wick makes its lows while it
    /// falls and then stops (it holds, then comes back), though its streak under the TWAP may
    /// last through the hold and the way back; a market still making new lows this long after
    /// it began falling fast is a fall that goes on, and its lots lose more waiting than the
    /// impact of selling them ([`BelowTwap::low_at`]). One TWAP window is the documented
    /// choice.
    #[serde(default)]
    pub lows: Option<u64>,
    /// `Some(room)`: a fall through a book that holds is a slide at once, and while the book
    /// holds the cap is the larger of `room` and [`Slide::room`] times the depth's (1 to 10;
    /// `None`, the default of a stored or sent value without the field: the book makes no
    /// slide). While the median stands under its TWAP (the streak), the book holds whenever
    /// the measured depth, as a share of the ceiling (the market's configured depth), is at
    /// least what the median has kept of the price the fall began from
    /// ([`BelowTwap::kept`], [`Slide::book_holds`]): the book has lost less of its depth than
    /// the price has lost.
    /// A wick is a hole in the book: the bids are pulled, the price falls through where they
    /// were, and it comes back when they return, so the depth drains faster than the price.
    /// A market that reprices trades down through bids that are still there; waiting for it
    /// to come back loses more than selling into a book that deep costs, and the book says
    /// how much it can take. Without a fresh measured depth nothing is known of the book and
    /// this never applies.
    #[serde(default)]
    pub deep: Option<Decimal>,
    /// With [`Slide::deep`]: while the book holds, the curves price ahead of the oracle by
    /// the fall, from `median · (1 − shortfall)` (the streak's shortfall under the TWAP,
    /// [`Slide::ahead_basis`]) instead of the median; the floor stays where it is
    /// (`median · (1 − max_discount)`). The median trails a market that falls fast by about
    /// what it fell in the last update, and a curve that starts above it and falls slower
    /// than the market finds no buyer until the fall stops: a collapse then sells nothing
    /// while its book is deep. A wick that drains its book is not priced ahead (the book does
    /// not hold). `false`, the default of a stored or sent value without the field: the
    /// curves price from the median.
    #[serde(default)]
    pub ahead: bool,
}

impl Slide {
    /// Whether the market is sliding at `now` for an oracle whose median stands under its
    /// TWAP as `gauge.below_twap` says (`None`: it does not now), with the book as
    /// `gauge.book_holds` says ([`Slide::deep`]).
    pub fn active(slide: Option<&Slide>, gauge: &OracleGauge, now: u64) -> bool {
        match (slide, gauge.below_twap) {
            (Some(s), Some(b)) => {
                now.saturating_sub(b.since) >= s.after
                    || s.lows
                        .is_some_and(|lows| b.low_at.saturating_sub(b.since) >= lows)
                    || (s.deep.is_some() && gauge.book_holds)
            }
            _ => false,
        }
    }

    /// The cap's multiplier while sliding: [`Slide::room`], or the larger of it and
    /// [`Slide::deep`]'s while the book holds.
    pub fn room_now(&self, gauge: &OracleGauge) -> Decimal {
        match self.deep {
            Some(deep) if gauge.book_holds => self.room.max(deep),
            _ => self.room,
        }
    }

    /// The basis a curve prices from while sliding, given the oracle's `basis` ([`Slide::ahead`]):
    /// `basis · (1 − shortfall)`, rounded up (a higher price favours the protocol), with the
    /// rule on, a streak under the TWAP and the book holding; `basis` otherwise.
    pub fn ahead_basis(slide: Option<&Slide>, gauge: &OracleGauge, basis: Decimal) -> Decimal {
        match (slide, gauge.below_twap) {
            (Some(s), Some(b)) if s.ahead && s.deep.is_some() && gauge.book_holds => {
                let keep = Decimal::one().saturating_sub(b.shortfall);
                // basis · keep ≤ basis: the product of the atomics fits.
                basis
                    .atomics()
                    .checked_mul_ceil(keep)
                    .map_or(basis, Decimal::new)
            }
            _ => basis,
        }
    }

    /// Whether the book holds in a fall ([`Slide::deep`]): with a streak under the TWAP
    /// (`below`) and a fresh `measured` depth, `min(measured, ceiling) ≥ ceiling · kept`,
    /// `kept` being what the median has kept of the price the fall began from at the streak's
    /// last update ([`BelowTwap::kept`], rounded up by the oracle) and the right side rounded
    /// up: a tie on rounding is no slide. A record without it (stored before the field
    /// existed) is judged against the TWAP instead, `kept = 1 − shortfall` (the shortfall
    /// rounded down by the oracle, so the share rounds up). False without a streak, a
    /// measurement or a ceiling.
    pub fn book_holds(
        below: Option<BelowTwap>,
        measured: Option<Uint128>,
        ceiling: Uint128,
    ) -> bool {
        let (Some(b), Some(m)) = (below, measured) else {
            return false;
        };
        if ceiling.is_zero() || b.shortfall >= Decimal::one() {
            return false;
        }
        let share = if b.kept.is_zero() {
            Decimal::one() - b.shortfall
        } else {
            b.kept
        };
        ceiling
            .checked_mul_ceil(share)
            .is_ok_and(|need| m.min(ceiling) >= need)
    }
}

impl AuctionParams {
    /// With [`AuctionParams::wait_falls`] `Some(band)`, the share of what the cap has left
    /// that bidders may take at `now`, for an oracle at `median` and `twap` whose streak under
    /// its TWAP and book are as `gauge` says (read for the slide): 1 with the rule off, while sliding, or with
    /// the median at or above its TWAP; 0 with the median at least `band` under it (bidders
    /// wait); `1 − shortfall / band` in between, `shortfall = 1 − median / twap`, rounded
    /// down (the rounding waits).
    pub fn fall_share(
        &self,
        median: Decimal,
        twap: Decimal,
        gauge: &OracleGauge,
        now: u64,
    ) -> Decimal {
        let Some(band) = self.wait_falls else {
            return Decimal::one();
        };
        if median >= twap || band.is_zero() || Slide::active(self.slide.as_ref(), gauge, now) {
            return Decimal::one();
        }
        // median < twap, so twap > 0; the ratio rounds down, so the shortfall rounds up.
        let shortfall = Decimal::one() - median / twap;
        if shortfall >= band {
            return Decimal::zero();
        }
        // (band − shortfall) / band, rounded down.
        (band - shortfall) / band
    }

    /// Checks every range documented on the fields.
    pub fn validate(&self) -> Result<(), ParamError> {
        check_range("buf", self.buf, Decimal::one(), Decimal::percent(200))?;
        match &self.curve {
            PriceCurve::Linear { duration } => check_range("duration", *duration, 60, 30 * 86_400)?,
            PriceCurve::StairStep { step, cut } => {
                check_range("step", *step, 1, 86_400)?;
                if cut.is_zero() || *cut >= Decimal::one() {
                    return Err(invalid("cut", "must be in (0, 1)"));
                }
            }
            PriceCurve::Exponential { cut } => {
                if cut.is_zero() || *cut >= Decimal::one() {
                    return Err(invalid("cut", "must be in (0, 1)"));
                }
            }
        }
        check_range("tail", self.tail, 60, 30 * 86_400)?;
        if self.hold > self.tail {
            return Err(invalid("hold", "must be at most tail"));
        }
        check_range(
            "hold_tolerance",
            self.hold_tolerance,
            Decimal::zero(),
            Decimal::one(),
        )?;
        if let Some(band) = self.wait_falls {
            if band.is_zero() || band >= Decimal::one() {
                return Err(invalid("wait_falls", "must be in (0, 1)"));
            }
        }
        if let Some(window) = self.pace_sales {
            check_range("pace_sales", window, 60, 86_400)?;
        }
        if let Some(slide) = &self.slide {
            check_range("slide.after", slide.after, 60, 30 * 86_400)?;
            if let Some(lows) = slide.lows {
                check_range("slide.lows", lows, 60, slide.after)?;
            }
            if let Some(room) = slide.deep {
                check_range(
                    "slide.deep",
                    room,
                    Decimal::one(),
                    Decimal::from_ratio(10u128, 1u128),
                )?;
            }
            check_range(
                "slide.room",
                slide.room,
                Decimal::one(),
                Decimal::from_ratio(10u128, 1u128),
            )?;
        }
        if self.cusp.is_zero() || self.cusp >= Decimal::one() {
            return Err(invalid("cusp", "must be in (0, 1)"));
        }
        if self.max_discount.is_zero() || self.max_discount >= Decimal::one() {
            return Err(invalid("max_discount", "must be in (0, 1)"));
        }
        self.validate_floor_window()
    }

    /// Checks that an auction can be bought at its floor before it goes stale: started at
    /// `top = buf` (an oracle of 1), its curve must reach the floor `1 − max_discount` within
    /// `tail`, and still be at or above the reset threshold `cusp · buf` when it does.
    /// Otherwise every auction would be reset (and its keeper rewarded) before it is ever at
    /// its floor, and the backstop's `BuyAtFloor` would never be possible.
    fn validate_floor_window(&self) -> Result<(), ParamError> {
        let floor = Decimal::one() - self.max_discount;
        let reset_below = self
            .cusp
            .checked_mul(self.buf)
            .map_err(|e| invalid("cusp", e.to_string()))?;
        if reset_below >= floor {
            return Err(invalid(
                "cusp",
                format!(
                    "cusp · buf = {reset_below} must be below the floor 1 − max_discount = {floor}: \
                     auctions would reset before reaching their floor"
                ),
            ));
        }
        let reached = time_to_reach(self.buf, &self.curve, floor, self.tail)
            .map_err(|e| invalid("curve", e.to_string()))?;
        let Some(at) = reached else {
            return Err(invalid(
                "tail",
                format!(
                    "{} s is shorter than the time the curve takes to reach the floor {floor}",
                    self.tail
                ),
            ));
        };
        let price =
            curve_price(self.buf, &self.curve, at).map_err(|e| invalid("curve", e.to_string()))?;
        if price < reset_below {
            return Err(invalid(
                "curve",
                format!(
                    "the curve steps from above the floor {floor} to {price}, below the reset \
                     threshold cusp · buf = {reset_below}: auctions would be at the floor and \
                     stale at once"
                ),
            ));
        }
        Ok(())
    }
}

/// Who sells an auction's lot and receives its proceeds.
#[cw_serde]
pub enum Seller {
    /// A market liquidation: proceeds repay `borrower`'s debt; a covered tab returns the
    /// leftover lot to the borrower's account.
    Liquidation {
        /// The liquidated account.
        borrower: String,
    },
    /// The backstop re-selling collateral it holds (time-weighted exit).
    Backstop {},
}

/// Instantiates the liquidator.
#[cw_serde]
pub struct InstantiateMsg {
    /// Owner; defaults to the sender.
    pub owner: Option<String>,
    /// The market whose liquidations this contract auctions.
    pub market: String,
    /// The oracle pricing the collaterals.
    pub oracle: String,
    /// The backstop pool (buyer of last resort, re-sells through this contract). Usually set
    /// after the backstop is deployed, with `SetBackstop`.
    pub backstop: Option<String>,
    /// The base asset bids are paid in.
    pub base_denom: String,
    /// Global cap on debt under auction, base units (Maker `Hole`).
    pub global_hole: Uint128,
    /// Price move, in percent, that debt under auction may cause in the external market; the
    /// default per-collateral cap is `depth · impact_budget_pct` (e.g. 3 = 3%).
    pub impact_budget_pct: Decimal,
    /// Collaterals and their auction parameters.
    pub collaterals: Vec<CollateralAuction>,
}

/// A collateral's auction parameters.
#[cw_serde]
pub struct CollateralAuction {
    /// The collateral denom.
    pub denom: String,
    /// Its parameters.
    pub params: AuctionParams,
}

/// A flash-liquidation callback: the lot is sent to `contract`, which is then called with
/// [`FlashReceiverMsg`] and must pay `owe` to the liquidator within the same transaction.
#[cw_serde]
pub struct FlashCallback {
    /// The contract receiving the lot and the callback.
    pub contract: String,
    /// Opaque data passed back to the contract.
    pub data: Option<Binary>,
}

/// The message a flash-liquidation callback contract must accept.
#[cw_serde]
pub enum FlashReceiverMsg {
    /// The lot has been sent to you; pay `owe` of `denom` to `liquidator` in this transaction.
    BreakwaterFlash {
        /// The auction.
        auction_id: u64,
        /// Collateral units sent.
        collateral: Uint128,
        /// Collateral denom.
        collateral_denom: String,
        /// Base units you must send to the liquidator.
        owe: Uint128,
        /// The base denom.
        denom: String,
        /// The liquidator contract to pay.
        liquidator: String,
        /// Data given in the bid.
        data: Option<Binary>,
    },
}

/// Liquidator execute messages.
// `SetCollateral` carries a collateral's whole `AuctionParams`; a message is decoded once per
// transaction, so its size does not matter (as the market's).
#[allow(clippy::large_enum_variant)]
#[cw_serde]
pub enum ExecuteMsg {
    /// Market or backstop: start an auction of the attached lot (one collateral coin).
    StartAuction {
        /// Who sells, and where proceeds go.
        seller: Seller,
        /// Base units to raise (0 for a backstop resale: sell the whole lot).
        tab: Uint128,
        /// Market only: start even without room under the caps. Used for accounts below the
        /// hard-floor health factor when the backstop cannot absorb them: liquidations are
        /// never blocked for deeply underwater accounts.
        force: bool,
    },
    /// Anyone: buy up to `max_collateral` at the current price if it is at most `max_price`,
    /// paying with attached base funds (excess refunded). With `callback`, the lot is sent
    /// to the callback first and payment is collected in the same transaction.
    Bid {
        /// The auction.
        auction_id: u64,
        /// Most collateral units to buy.
        max_collateral: Uint128,
        /// Highest acceptable price (base per collateral unit).
        max_price: Decimal,
        /// Flash-liquidation callback.
        callback: Option<FlashCallback>,
    },
    /// Anyone: restart a stale auction (older than `tail` or below `cusp · top`) from a fresh,
    /// active oracle price, unless the market's breaker halts bids. A liquidation reset puts
    /// `min(tab, lot · oracle)` back on sale and earns a keeper reward from the market on that
    /// value when it is at least `dust`; resales earn nothing. An auction whose lot is worth
    /// less than `dust` is closed instead: a liquidation's leftover units go to the backstop
    /// and its tab is booked as a shortfall; a resale's units go back to the backstop.
    Reset {
        /// The auction.
        auction_id: u64,
    },
    /// Internal: completes a flash bid after the callback ran (only the contract itself).
    FinishFlash {},
    /// Owner: set the backstop pool.
    SetBackstop {
        /// The backstop contract.
        backstop: String,
    },
    /// Owner: set or add a collateral's auction parameters.
    SetCollateral(CollateralAuction),
    /// Owner: set the global cap and the impact budget that derives per-collateral caps.
    SetCaps {
        /// The new global cap, base units.
        global_hole: Uint128,
        /// The new impact budget, percent.
        impact_budget_pct: Decimal,
    },
    /// Owner, then the proposed owner: two-step ownership transfer.
    Ownership(crate::ownership::OwnershipMsg),
}

/// Liquidator queries.
#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    /// One auction with its current price.
    #[returns(AuctionResponse)]
    Auction {
        /// The auction.
        auction_id: u64,
    },
    /// Active auctions, paginated by id, optionally for one collateral.
    #[returns(AuctionsResponse)]
    Auctions {
        /// Only this collateral.
        denom: Option<String>,
        /// Return ids after this one.
        start_after: Option<u64>,
        /// Page size (default 30, at most 100).
        limit: Option<u32>,
    },
    /// Room left under the per-collateral and global caps.
    #[returns(RoomResponse)]
    Room {
        /// The collateral.
        denom: String,
    },
    /// Addresses, caps and collateral parameters.
    #[returns(ConfigResponse)]
    Config {},
    /// Units of `denom` in the backstop's resale auctions still running: a running total,
    /// read in constant gas however many auctions run (the backstop values its pool with it).
    #[returns(ResaleLotResponse)]
    ResaleLot {
        /// The collateral.
        denom: String,
    },
    /// The hold its sales put on a collateral's auction curves ([`AuctionParams::hold`]).
    #[returns(HoldClockResponse)]
    HoldClock {
        /// The collateral.
        denom: String,
    },
}

/// An auction, priced now.
#[cw_serde]
pub struct AuctionResponse {
    /// Its id.
    pub id: u64,
    /// Who sells.
    pub seller: Seller,
    /// Collateral denom.
    pub denom: String,
    /// Collateral units left to sell.
    pub lot: Uint128,
    /// Base units still to raise (0 for a resale: sell the whole lot).
    pub tab: Uint128,
    /// Base units raised so far.
    pub raised: Uint128,
    /// Top price at the last (re)start.
    pub top: Decimal,
    /// Current curve price, never below `floor`.
    pub price: Decimal,
    /// Floor price now: `oracle · (1 − max_discount)`.
    pub floor: Decimal,
    /// Last (re)start time, seconds.
    pub started_at: u64,
    /// The collateral's [`HoldClock::held_by`] at the last (re)start: the curve has decayed
    /// `HoldClock::decay` seconds ([`AuctionParams::hold`]).
    #[serde(default)]
    pub held_at_start: u64,
    /// Whether `Reset` would succeed now.
    pub needs_reset: bool,
    /// Whether the curve has reached the floor (the backstop may take the lot).
    pub at_floor: bool,
}

/// A collateral's recent sales to bidders, as [`AuctionParams::pace_sales`] counts them: a
/// bucket holding `level` base units at `at`, which drains at `cap / window` per second
/// (`cap` the collateral's cap when read). Every sale adds what it paid, however small:
/// splitting a sale into many bids does not make it any less of a sale.
#[cw_serde]
#[derive(Copy, Default)]
pub struct SaleBucket {
    /// Base units sold and not yet drained, at `at`.
    pub level: Uint128,
    /// When `level` was taken (the last paced sale), seconds.
    pub at: u64,
}

impl SaleBucket {
    /// What is left in the bucket at `now` (`>= at`): `level − cap · (now − at) / window`,
    /// the drain rounded down (a sale counts for at least as long as it paid for), at least 0.
    pub fn level_at(&self, cap: Uint128, window: u64, now: u64) -> Uint128 {
        if window == 0 {
            return Uint128::zero();
        }
        let secs = now.saturating_sub(self.at);
        if secs >= window {
            return Uint128::zero();
        }
        let drained = cap.multiply_ratio(secs, window);
        self.level.saturating_sub(drained)
    }

    /// What the cap lets bidders buy at `now`: `cap − level_at(now)`, at least 0.
    pub fn left(&self, cap: Uint128, window: u64, now: u64) -> Uint128 {
        cap.saturating_sub(self.level_at(cap, window, now))
    }

    /// What bidders may buy now when they may take only `share` of the cap
    /// ([`AuctionParams::fall_share`]): `floor(cap · share)` less what the bucket still
    /// counts, which drains at the whole cap per window. The share bounds what all bids
    /// together take, however many there are.
    pub fn left_of_share(&self, cap: Uint128, window: u64, now: u64, share: Decimal) -> Uint128 {
        cap.mul_floor(share)
            .saturating_sub(self.level_at(cap, window, now))
    }

    /// The bucket after a sale of `owe` at `now`.
    pub fn after_sale(&self, cap: Uint128, window: u64, now: u64, owe: Uint128) -> SaleBucket {
        SaleBucket {
            level: self.level_at(cap, window, now).saturating_add(owe),
            at: now,
        }
    }
}

/// A collateral's hold on its auctions' curves ([`AuctionParams::hold`]): `held` seconds of
/// hold had passed by `at` (the last sale), and the hold runs on until `held_until`.
#[cw_serde]
#[derive(Copy, Default)]
pub struct HoldClock {
    /// Seconds during which the curves were held, by `at`.
    pub held: u64,
    /// When `held` was taken (the last sale that held the curves), seconds.
    pub at: u64,
    /// The curves are held until this time (`>= at`), seconds.
    pub held_until: u64,
}

impl HoldClock {
    /// Seconds during which the curves were held, by `now` (`>= at`).
    pub fn held_by(&self, now: u64) -> u64 {
        self.held
            .saturating_add(now.min(self.held_until).saturating_sub(self.at))
    }

    /// Seconds of decay at `now` of an auction (re)started at `started_at`, when the clock
    /// read `held_at_start` then: its age less the holds since.
    ///
    /// ```text
    /// decay(now) = (now − started_at) − (held_by(now) − held_at_start)
    /// ```
    pub fn decay(clock: Option<&HoldClock>, started_at: u64, held_at_start: u64, now: u64) -> u64 {
        let held = clock
            .map_or(0, |c| c.held_by(now))
            .saturating_sub(held_at_start);
        now.saturating_sub(started_at).saturating_sub(held)
    }

    /// The clock after a sale at `now` that holds the curves `hold_for` more seconds, the hold
    /// running at most `max_hold` seconds past `now`.
    pub fn after_sale(&self, now: u64, hold_for: u64, max_hold: u64) -> HoldClock {
        let held_until = self
            .held_until
            .max(now)
            .saturating_add(hold_for)
            .min(now.saturating_add(max_hold));
        HoldClock {
            held: self.held_by(now),
            at: now,
            held_until,
        }
    }

    /// Seconds a sale of `owe` holds the curves: `hold · min(1, owe / cap)`, rounded down (a
    /// sale buys no more hold than it paid for); the whole `hold` when `cap` is 0.
    pub fn hold_for(hold: u64, owe: Uint128, cap: Uint128) -> u64 {
        if owe >= cap {
            return hold;
        }
        // owe < cap, so the ratio is below `hold` and fits.
        let held = Uint128::from(hold).multiply_ratio(owe, cap);
        u64::try_from(held.u128()).unwrap_or(hold)
    }
}

/// A collateral's hold clock.
#[cw_serde]
pub struct HoldClockResponse {
    /// The collateral.
    pub denom: String,
    /// Its clock (all zero before any sale held its curves).
    pub clock: HoldClock,
}

/// A page of auctions.
#[cw_serde]
pub struct AuctionsResponse {
    /// Auctions in id order.
    pub auctions: Vec<AuctionResponse>,
}

/// Collateral in the backstop's running resale auctions.
#[cw_serde]
pub struct ResaleLotResponse {
    /// The collateral.
    pub denom: String,
    /// Units still for sale.
    pub lot: Uint128,
}

/// Room under the caps.
#[cw_serde]
pub struct RoomResponse {
    /// The collateral.
    pub denom: String,
    /// Its cap (base units).
    pub hole: Uint128,
    /// Debt under auction for it.
    pub dirt: Uint128,
    /// The global cap.
    pub global_hole: Uint128,
    /// Debt under auction across collaterals.
    pub global_dirt: Uint128,
    /// `min(hole − dirt, global_hole − global_dirt)`: the largest tab that may start now.
    pub room: Uint128,
    /// The market depth the oracle's feeders measured, while fresh (the hole derived from depth
    /// uses the lower of it and the market's configured depth); `None`: the configured depth.
    #[serde(default)]
    pub measured_depth: Option<Uint128>,
    /// With [`AuctionParams::pace_sales`], what bidders may buy now (base units): the cap less
    /// the recent sales it still counts ([`SaleBucket`]); `None` when sales are not paced.
    /// 0 while bidders wait out a fall ([`AuctionParams::wait_falls`]), paced or not; coming
    /// back, the share of the cap the median has come back, less the recent sales.
    #[serde(default)]
    pub sales_left: Option<Uint128>,
}

/// Liquidator configuration.
#[cw_serde]
pub struct ConfigResponse {
    /// The owner.
    pub owner: String,
    /// The market.
    pub market: String,
    /// The oracle.
    pub oracle: String,
    /// The backstop, once set.
    pub backstop: Option<String>,
    /// The base denom.
    pub base_denom: String,
    /// Global cap on debt under auction.
    pub global_hole: Uint128,
    /// Percent price move budget used to derive caps from depth.
    pub impact_budget_pct: Decimal,
    /// Per-collateral parameters.
    pub collaterals: Vec<CollateralAuction>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidders_wait_out_a_fall_and_come_back_with_the_median_until_it_is_a_slide() {
        let d = |x: &str| x.parse::<Decimal>().unwrap();
        let streak = BelowTwap {
            since: 1_000,
            shortfall: Decimal::percent(8),
            low: d("9.2"),
            low_at: 1_000,
            depth: None,
            from: Decimal::zero(),
            kept: Decimal::zero(),
        };
        let fall = Some(streak);
        let g = |below_twap: Option<BelowTwap>| OracleGauge {
            depth: None,
            below_twap,
            book_holds: false,
            ceiling: None,
        };
        let off = crate::deploy::test_auction_params();
        assert_eq!(
            off.fall_share(d("9.2"), d("10"), &g(fall), 1_100),
            Decimal::one()
        );
        let on = AuctionParams {
            wait_falls: Some(Decimal::percent(6)),
            ..off
        };
        // 8% under the TWAP: wait; at or above it: all of it.
        assert_eq!(
            on.fall_share(d("9.2"), d("10"), &g(fall), 1_100),
            Decimal::zero()
        );
        assert_eq!(
            on.fall_share(d("9.4"), d("10"), &g(None), 1_100),
            Decimal::zero()
        );
        assert_eq!(
            on.fall_share(d("10"), d("10"), &g(None), 1_100),
            Decimal::one()
        );
        assert_eq!(
            on.fall_share(d("11"), d("10"), &g(None), 1_100),
            Decimal::one()
        );
        // 3% under it: half; 2% under it: two thirds, rounded down.
        assert_eq!(on.fall_share(d("9.7"), d("10"), &g(None), 1_100), d("0.5"));
        assert_eq!(
            on.fall_share(d("9.8"), d("10"), &g(None), 1_100),
            d("0.666666666666666666")
        );
        // Without a slide rule a fall is waited out for as long as it lasts.
        assert_eq!(
            on.fall_share(d("5"), d("10"), &g(fall), 1_000_000),
            Decimal::zero()
        );
        let sliding = AuctionParams {
            slide: Some(Slide {
                after: 3_600,
                room: Decimal::percent(300),
                lows: None,
                deep: None,
                ahead: false,
            }),
            ..on.clone()
        };
        assert_eq!(
            sliding.fall_share(d("5"), d("10"), &g(fall), 4_599),
            Decimal::zero()
        );
        assert_eq!(
            sliding.fall_share(d("5"), d("10"), &g(fall), 4_600),
            Decimal::one()
        );
        // With `lows`, a new low half an hour into the streak makes it a slide then; a streak
        // whose last low came sooner waits for the hour.
        let lows = Slide {
            after: 3_600,
            room: Decimal::percent(300),
            lows: Some(1_800),
            deep: None,
            ahead: false,
        };
        let at = |low_at| Some(BelowTwap { low_at, ..streak });
        assert!(Slide::active(Some(&lows), &g(at(2_800)), 2_800));
        assert!(Slide::active(Some(&lows), &g(at(2_800)), 3_000));
        assert!(!Slide::active(Some(&lows), &g(at(2_799)), 3_000));
        assert!(!Slide::active(Some(&lows), &g(at(1_000)), 4_599));
        assert!(Slide::active(Some(&lows), &g(at(1_000)), 4_600));
        assert!(!Slide::active(sliding.slide.as_ref(), &g(at(2_800)), 2_800));
        // A record stored before the low existed (low_at 0) never slides by its lows.
        assert!(!Slide::active(Some(&lows), &g(at(0)), 3_000));
        // The band is in (0, 1).
        for band in ["0", "1", "2"] {
            let bad = AuctionParams {
                wait_falls: Some(d(band)),
                ..on.clone()
            };
            assert!(bad.validate().is_err(), "{band}");
        }
        assert!(on.validate().is_ok());
    }

    #[test]
    fn a_fall_is_a_slide_by_its_book_only_while_the_book_holds_as_well_as_the_price() {
        let d = |x: &str| x.parse::<Decimal>().unwrap();
        let u = Uint128::new;
        let streak = |shortfall: &str| {
            Some(BelowTwap {
                since: 1_000,
                shortfall: d(shortfall),
                low: d("8"),
                low_at: 1_000,
                depth: None,
                from: Decimal::zero(),
                kept: Decimal::zero(),
            })
        };
        let ceiling = u(1_000);
        // 15% under the TWAP: the book must hold at least 85% of its ceiling.
        assert!(Slide::book_holds(streak("0.15"), Some(u(850)), ceiling));
        assert!(!Slide::book_holds(streak("0.15"), Some(u(849)), ceiling));
        // A measurement above the ceiling counts as the ceiling.
        assert!(Slide::book_holds(streak("0.15"), Some(u(5_000)), ceiling));
        // 1,000 · (1 − 0.1505) = 849.5 rounds up to 850: a tie on rounding is no slide.
        assert!(!Slide::book_holds(streak("0.1505"), Some(u(849)), ceiling));
        assert!(Slide::book_holds(streak("0.1505"), Some(u(850)), ceiling));
        // No streak, no measurement, no ceiling: nothing is known, no slide.
        assert!(!Slide::book_holds(None, Some(u(1_000)), ceiling));
        assert!(!Slide::book_holds(streak("0.15"), None, ceiling));
        assert!(!Slide::book_holds(
            streak("0.15"),
            Some(u(1_000)),
            Uint128::zero()
        ));
        // Judged against what the price kept since the fall began, where the oracle says it:
        // 15% under the TWAP but at 60% of where it began, the book must keep 60%.
        let kept = |k: &str| {
            streak("0.15").map(|b| BelowTwap {
                from: d("10"),
                kept: d(k),
                ..b
            })
        };
        assert!(Slide::book_holds(kept("0.6"), Some(u(600)), ceiling));
        assert!(!Slide::book_holds(kept("0.6"), Some(u(599)), ceiling));
        // 1,000 · 0.6005 = 600.5 rounds up to 601.
        assert!(!Slide::book_holds(kept("0.6005"), Some(u(600)), ceiling));
        assert!(Slide::book_holds(kept("0.6005"), Some(u(601)), ceiling));

        let deep = Slide {
            after: 3_600,
            room: Decimal::percent(300),
            lows: None,
            deep: Some(Decimal::percent(300)),
            ahead: false,
        };
        let gauge = |below, book_holds| OracleGauge {
            depth: Some(u(900)),
            below_twap: below,
            book_holds,
            ceiling: Some(u(1_000)),
        };
        assert!(Slide::active(
            Some(&deep),
            &gauge(streak("0.15"), true),
            1_000
        ));
        assert!(!Slide::active(
            Some(&deep),
            &gauge(streak("0.15"), false),
            1_000
        ));
        // The book is read only in a streak, and only with `deep`.
        assert!(!Slide::active(Some(&deep), &gauge(None, true), 1_000));
        let hour = Slide {
            deep: None,
            ahead: false,
            ..deep.clone()
        };
        assert!(!Slide::active(
            Some(&hour),
            &gauge(streak("0.15"), true),
            1_000
        ));
        assert!(Slide::active(
            Some(&hour),
            &gauge(streak("0.15"), false),
            4_600
        ));
        // The cap's multiplier: the larger of the two while the book holds, else the slide's.
        let five = Slide {
            deep: Some(Decimal::percent(500)),
            ..deep.clone()
        };
        let holds = gauge(streak("0.15"), true);
        assert_eq!(five.room_now(&holds), Decimal::percent(500));
        assert_eq!(
            five.room_now(&gauge(streak("0.15"), false)),
            Decimal::percent(300)
        );
        let one = Slide {
            deep: Some(Decimal::one()),
            ..deep.clone()
        };
        assert_eq!(one.room_now(&holds), Decimal::percent(300));
        assert_eq!(hour.room_now(&holds), Decimal::percent(300));

        // Ahead of the oracle by the fall: only with the rule, `deep`, a streak and the book
        // holding.
        let ahead = Slide {
            ahead: true,
            ..deep.clone()
        };
        let basis = d("8.5");
        assert_eq!(Slide::ahead_basis(Some(&ahead), &holds, basis), d("7.225"));
        assert_eq!(Slide::ahead_basis(Some(&deep), &holds, basis), basis);
        assert_eq!(
            Slide::ahead_basis(Some(&ahead), &gauge(streak("0.15"), false), basis),
            basis
        );
        assert_eq!(
            Slide::ahead_basis(Some(&ahead), &gauge(None, true), basis),
            basis
        );
        let ahead_hour = Slide {
            deep: None,
            ..ahead.clone()
        };
        assert_eq!(Slide::ahead_basis(Some(&ahead_hour), &holds, basis), basis);
        assert_eq!(Slide::ahead_basis(None, &holds, basis), basis);
        // Rounded up: one atom times 0.85 is still one atom, 0.1 · 0.85 exact.
        let atom = Decimal::new(Uint128::one());
        assert_eq!(Slide::ahead_basis(Some(&ahead), &holds, atom), atom);
        assert_eq!(
            Slide::ahead_basis(Some(&ahead), &holds, d("0.1")),
            d("0.085")
        );
        // 1 / 3 · 0.85 = 0.2833…3 (18 decimals, the last one rounded up).
        let third = Decimal::from_ratio(1u128, 3u128);
        assert_eq!(
            Slide::ahead_basis(Some(&ahead), &holds, third),
            d("0.283333333333333334")
        );
    }

    #[test]
    fn the_sale_bucket_counts_every_sale_and_drains_a_cap_per_window() {
        let u = Uint128::new;
        let b = SaleBucket::default().after_sale(u(3_000), 600, 100, u(2_400));
        assert_eq!(b.left(u(3_000), 600, 100), u(600));
        // 150 s drain 750: 1,650 left in it, 1,350 to sell.
        assert_eq!(b.level_at(u(3_000), 600, 250), u(1_650));
        assert_eq!(b.left(u(3_000), 600, 250), u(1_350));
        // A share of the cap bounds every sale together: half of 3,000 less the 1,650 counted.
        let half = Decimal::percent(50);
        assert_eq!(b.left_of_share(u(3_000), 600, 250, half), Uint128::zero());
        assert_eq!(
            b.left_of_share(u(3_000), 600, 400, half),
            u(1_500) - b.level_at(u(3_000), 600, 400)
        );
        assert_eq!(
            b.left_of_share(u(3_000), 600, 250, Decimal::one()),
            u(1_350)
        );
        // A hundred one-unit sales count a hundred units (none rounds to nothing).
        let mut c = b;
        for _ in 0..100 {
            c = c.after_sale(u(3_000), 600, 100, u(1));
        }
        assert_eq!(c.level, u(2_500));
        // The drain rounds down: 1 s of a cap of 599 per 600 s drains nothing.
        let d = SaleBucket::default().after_sale(u(599), 600, 0, u(10));
        assert_eq!(d.level_at(u(599), 600, 1), u(10));
        // Empty after a window, whatever it held; over-full at most blocks until it drains.
        assert_eq!(b.level_at(u(3_000), 600, 700), Uint128::zero());
        let full = SaleBucket::default().after_sale(u(3_000), 600, 0, u(9_000));
        assert_eq!(full.left(u(3_000), 600, 300), Uint128::zero());
        assert_eq!(
            SaleBucket::default().level_at(u(3_000), 0, 10),
            Uint128::zero()
        );
    }

    #[test]
    fn an_auction_decays_by_its_age_less_the_holds_since_its_start() {
        // No clock: its age.
        assert_eq!(HoldClock::decay(None, 100, 0, 400), 300);
        let c = HoldClock::default().after_sale(200, 50, 600);
        assert_eq!((c.held, c.at, c.held_until), (0, 200, 250));
        assert_eq!(c.held_by(220), 20);
        assert_eq!(c.held_by(1_000), 50);
        // Started at 100 (clock 0 then): 300 s old at 400, 50 of them held.
        assert_eq!(HoldClock::decay(Some(&c), 100, 0, 400), 250);
        // Started at 230, when 30 s had been held: 20 more held since.
        assert_eq!(HoldClock::decay(Some(&c), 230, c.held_by(230), 400), 150);
    }

    #[test]
    fn holds_add_up_and_run_at_most_max_hold_ahead() {
        let c = HoldClock::default().after_sale(0, 100, 150);
        let c = c.after_sale(20, 100, 150);
        // 200 s bought by 20, capped at 20 + 150.
        assert_eq!((c.held, c.at, c.held_until), (20, 20, 170));
        // A sale after the hold ended starts a new one.
        let c = c.after_sale(500, 10, 150);
        assert_eq!((c.held, c.held_until), (170, 510));
        assert_eq!(c.held_by(600), 180);
    }

    #[test]
    fn a_sale_holds_in_proportion_to_its_share_of_the_cap_rounded_down() {
        let u = Uint128::new;
        assert_eq!(HoldClock::hold_for(600, u(1_500), u(3_000)), 300);
        assert_eq!(
            HoldClock::hold_for(600, u(4), u(3_000)),
            0,
            "0.8 s rounds down"
        );
        assert_eq!(HoldClock::hold_for(600, u(9_000), u(3_000)), 600);
        assert_eq!(HoldClock::hold_for(600, u(1), Uint128::zero()), 600);
        assert_eq!(
            HoldClock::hold_for(600, u(u128::MAX - 1), u(u128::MAX)),
            599
        );
    }
}
