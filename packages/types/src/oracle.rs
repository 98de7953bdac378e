//! Messages of the medianized price oracle.
//!
//! Prices are quoted in **base-asset units per collateral unit** (raw on-chain units, e.g.
//! `uusdc` per `uatom`), so `value = amount · price` needs no decimals table.
use crate::error::{check_range, invalid, ParamError};
use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Decimal, Uint128};

/// The largest price a feeder may submit (10^12 base units per unit). Anything above is
/// treated as absurd input and refused.
pub const MAX_PRICE: Decimal =
    Decimal::new(Uint128::new(1_000_000_000_000 * 1_000_000_000_000_000_000));
/// The smallest non-zero price a feeder may submit (10^-12).
pub const MIN_PRICE: Decimal = Decimal::new(Uint128::new(1_000_000));
/// The most assets one `SubmitPrices` may carry.
pub const MAX_PRICES_PER_SUBMISSION: usize = 64;
/// The most feeders one asset may have.
pub const MAX_FEEDERS_PER_ASSET: usize = 32;
/// Storage namespace of the oracle's per-asset status records (`Map<&str, StatusRecord>`),
/// which also carry the measured depth; read raw by
/// [`OracleContract::query_gauge`](crate::adapters::OracleContract::query_gauge).
pub const STATUS_NAMESPACE: &str = "status";

/// Per-asset oracle parameters.
#[cw_serde]
pub struct OracleParams {
    /// Seconds a feeder's submission stays fresh (1 s to 1 day).
    pub max_age: u64,
    /// Fresh, non-outlier submissions needed for a price (quorum; 1 to 32).
    pub min_feeders: u32,
    /// Submissions farther than this relative distance from the median of all fresh
    /// submissions are excluded (0 < x <= 1).
    pub max_deviation: Decimal,
    /// Length of the TWAP and volatility window, seconds (60 s to 7 days).
    pub twap_window: u64,
    /// Slots of the observation ring buffer (2 to 512). Observations are stored at most once
    /// per `twap_window / twap_capacity` seconds.
    pub twap_capacity: u32,
    /// Circuit breaker: a new median farther than this relative distance from the TWAP halts
    /// the asset (0 < x <= 10).
    pub breaker_move: Decimal,
    /// Seconds of uninterrupted healthy updates before a tripped status clears (0 to 1 day).
    pub cooldown: u64,
    /// Issue 14: how far under its TWAP the median must stand, `1 − median / TWAP`, for a
    /// quorum update to count as falling ([`BelowTwap`]; 0 to below 1; JSON without the field
    /// reads as 0: any distance under it). A steady fall at rate `r` stands about
    /// `r · twap_window / 2` under the TWAP, so the band sets the slowest fall that counts.
    #[serde(default)]
    pub fall_band: Decimal,
    /// Issue 14: the breaker reads the book. A fall beyond `breaker_move` does not halt the
    /// asset while the book holds through it: the depth measured at this update is at least
    /// the price's share (of the TWAP before the fall began) of the depth measured before it
    /// (`depth ≥ ⌈reference · price / from⌉`, [`BelowTwap::depth`], [`BelowTwap::from`]). A
    /// wick drains the book faster than the price falls and still halts; a rise still halts.
    /// JSON without the field reads as `false`: every jump halts, as before.
    #[serde(default)]
    pub breaker_book: bool,
}

impl OracleParams {
    /// Checks every range documented on the fields.
    pub fn validate(&self) -> Result<(), ParamError> {
        check_range("max_age", self.max_age, 1, 86_400)?;
        check_range(
            "min_feeders",
            self.min_feeders,
            1,
            MAX_FEEDERS_PER_ASSET as u32,
        )?;
        if self.max_deviation.is_zero() || self.max_deviation > Decimal::one() {
            return Err(invalid("max_deviation", "must be in (0, 1]"));
        }
        check_range("twap_window", self.twap_window, 60, 7 * 86_400)?;
        check_range("twap_capacity", self.twap_capacity, 2, 512)?;
        if self.breaker_move.is_zero() || self.breaker_move > Decimal::percent(1000) {
            return Err(invalid("breaker_move", "must be in (0, 10]"));
        }
        check_range("cooldown", self.cooldown, 0, 86_400)?;
        if self.fall_band >= Decimal::one() {
            return Err(invalid("fall_band", "must be in [0, 1)"));
        }
        Ok(())
    }
}

impl Default for OracleParams {
    /// Defaults from the anchors: 60 s staleness (Pyth in Mars), a 1,800 s TWAP (Mars), 15%
    /// feeder deviation (Mars Pyth), quorum of 3 feeders, a breaker at 25% off the TWAP that
    /// clears after 5 minutes of healthy updates.
    fn default() -> Self {
        OracleParams {
            max_age: 60,
            min_feeders: 3,
            max_deviation: Decimal::percent(15),
            twap_window: 1_800,
            twap_capacity: 120,
            breaker_move: Decimal::percent(25),
            cooldown: 300,
            fall_band: Decimal::zero(),
            breaker_book: false,
        }
    }
}

/// Instantiates the oracle.
#[cw_serde]
pub struct InstantiateMsg {
    /// Owner; defaults to the sender.
    pub owner: Option<String>,
    /// Assets listed at instantiation.
    pub assets: Vec<AssetInit>,
}

/// An asset to list, with its parameters and feeders.
#[cw_serde]
pub struct AssetInit {
    /// The denom priced (in base-asset units per unit).
    pub denom: String,
    /// Its oracle parameters.
    pub params: OracleParams,
    /// Addresses allowed to submit its price.
    pub feeders: Vec<String>,
}

/// One price in a submission.
#[cw_serde]
pub struct PriceSubmission {
    /// The asset.
    pub denom: String,
    /// Base-asset units per unit of `denom`; within `[MIN_PRICE, MAX_PRICE]`.
    pub price: Decimal,
    /// Market depth the feeder measured with the price: the base-asset value of the resting
    /// bids within 1% below the mid, summed over the venues it watches (the base value whose
    /// sale moves the price 1% down; the unit of the market's `CollateralParams.depth`).
    /// Optional: absent in JSON, no report.
    #[serde(default)]
    pub depth: Option<Uint128>,
}

/// Oracle execute messages.
#[cw_serde]
pub enum ExecuteMsg {
    /// A feeder submits prices for one or many assets (each at most once).
    SubmitPrices {
        /// The prices; the sender must be a feeder of every asset named.
        prices: Vec<PriceSubmission>,
    },
    /// Owner: list an asset.
    AddAsset(AssetInit),
    /// Owner: delist an asset and delete its history.
    RemoveAsset {
        /// The asset.
        denom: String,
    },
    /// Owner: replace an asset's parameters.
    UpdateAssetParams {
        /// The asset.
        denom: String,
        /// The new parameters.
        params: OracleParams,
    },
    /// Owner: whitelist feeders for an asset.
    AddFeeders {
        /// The asset.
        denom: String,
        /// Addresses to add.
        feeders: Vec<String>,
    },
    /// Owner: remove feeders of an asset (their submissions are dropped).
    RemoveFeeders {
        /// The asset.
        denom: String,
        /// Addresses to remove.
        feeders: Vec<String>,
    },
    /// Owner, then the proposed owner: two-step ownership transfer.
    Ownership(crate::ownership::OwnershipMsg),
}

/// Oracle queries.
#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    /// The current price of one asset.
    #[returns(PriceResponse)]
    Price {
        /// The asset.
        denom: String,
    },
    /// Prices of all assets, paginated by denom.
    #[returns(PricesResponse)]
    Prices {
        /// Return denoms after this one.
        start_after: Option<String>,
        /// Page size (default 30, at most 100).
        limit: Option<u32>,
    },
    /// Owner and pending owner.
    #[returns(ConfigResponse)]
    Config {},
    /// One asset's parameters and feeders.
    #[returns(AssetResponse)]
    Asset {
        /// The asset.
        denom: String,
    },
    /// Listed assets, paginated by denom.
    #[returns(AssetsResponse)]
    Assets {
        /// Return denoms after this one.
        start_after: Option<String>,
        /// Page size (default 30, at most 100).
        limit: Option<u32>,
    },
    /// The feeders of one asset with their latest submissions.
    #[returns(FeedersResponse)]
    Feeders {
        /// The asset.
        denom: String,
    },
}

// Deserialized by `crate::variants`.
cw_serde_variants! {
/// Why an asset's price must not be trusted right now, and since when.
pub enum OracleStatus {
    /// A fresh quorum agrees and no breaker is tripped.
    Active {},
    /// The breaker tripped: a median moved more than `breaker_move` from the TWAP.
    Halted {
        /// When it tripped, seconds since the epoch.
        since: u64,
        /// The relative move from the TWAP that tripped it.
        jump: Decimal,
    },
    /// Too few submissions are still fresh.
    Stale {
        /// When the price went stale, seconds since the epoch.
        since: u64,
    },
    /// Too few feeders agreed (after outlier exclusion) at the last update.
    NoQuorum {
        /// Since when, seconds since the epoch.
        since: u64,
        /// Agreeing fresh submissions at the last update.
        fresh: u32,
        /// Required quorum.
        required: u32,
    },
}
}

/// The fields of [`OracleStatus`]'s variants.
#[derive(Default)]
pub(crate) struct StatusBody {
    since: Option<u64>,
    jump: Option<Decimal>,
    fresh: Option<u32>,
    required: Option<u32>,
}

impl crate::variants::Variants for OracleStatus {
    const NAME: &'static str = "OracleStatus";
    const VARIANTS: &'static [&'static str] = &["active", "halted", "stale", "no_quorum"];
    type Body = StatusBody;

    fn fields(variant: &str) -> Option<&'static [&'static str]> {
        Some(match variant {
            "halted" => &["since", "jump"],
            "stale" => &["since"],
            "no_quorum" => &["since", "fresh", "required"],
            _ => &[],
        })
    }

    fn read<'de, A: serde::de::MapAccess<'de>>(
        variant: &str,
        field: &str,
        map: &mut A,
        b: &mut StatusBody,
    ) -> Result<(), A::Error> {
        match field {
            "since" => b.since = Some(map.next_value()?),
            "jump" => b.jump = Some(map.next_value()?),
            "fresh" => b.fresh = Some(map.next_value()?),
            "required" => b.required = Some(map.next_value()?),
            _ => return Err(crate::variants::unexpected(variant, field)),
        }
        Ok(())
    }

    fn build<E: serde::de::Error>(variant: &str, b: StatusBody) -> Result<Self, E> {
        use crate::variants::required;
        Ok(match variant {
            "active" => OracleStatus::Active {},
            "halted" => OracleStatus::Halted {
                since: required(b.since, "since")?,
                jump: required(b.jump, "jump")?,
            },
            "stale" => OracleStatus::Stale {
                since: required(b.since, "since")?,
            },
            "no_quorum" => OracleStatus::NoQuorum {
                since: required(b.since, "since")?,
                fresh: required(b.fresh, "fresh")?,
                required: required(b.required, "required")?,
            },
            _ => return Err(crate::variants::unexpected(variant, "")),
        })
    }
}

impl OracleStatus {
    /// Whether the price may be used for new risk (borrows, withdrawals, ordinary auctions).
    pub fn is_active(&self) -> bool {
        matches!(self, OracleStatus::Active {})
    }

    /// A short snake_case name of the status, used in events and errors.
    pub fn name(&self) -> &'static str {
        match self {
            OracleStatus::Active {} => "active",
            OracleStatus::Halted { .. } => "halted",
            OracleStatus::Stale { .. } => "stale",
            OracleStatus::NoQuorum { .. } => "no_quorum",
        }
    }
}

/// A feeder's price left out of the median.
#[cw_serde]
pub struct ExcludedFeeder {
    /// The feeder.
    pub feeder: String,
    /// The price it submitted.
    pub price: Decimal,
}

/// The price of one asset.
#[cw_serde]
pub struct PriceResponse {
    /// The asset.
    pub denom: String,
    /// Median of the agreeing fresh submissions at the last update.
    pub median: Decimal,
    /// Time-weighted average of the median over `twap_window`, as of `updated_at`.
    pub twap: Decimal,
    /// Annualized realized volatility over `twap_window` (0.8 = 80%/year).
    pub volatility: Decimal,
    /// Status at query time (staleness is evaluated now).
    pub status: OracleStatus,
    /// Feeders whose prices formed the median.
    pub feeders_used: Vec<String>,
    /// Feeders excluded as outliers, with their prices.
    pub feeders_excluded: Vec<ExcludedFeeder>,
    /// Time of the last update, seconds since the epoch.
    pub updated_at: u64,
    /// The price goes stale after this time unless refreshed.
    pub fresh_until: u64,
    /// Market depth measured by the feeders (base value per 1% move, the lower median of at
    /// least `min_feeders` fresh reports); `None` while fewer than that are fresh.
    #[serde(default)]
    pub depth: Option<Uint128>,
    /// When the depth in force was aggregated, seconds since the epoch (`None`: never).
    #[serde(default)]
    pub depth_measured_at: Option<u64>,
    /// The median's streak under its TWAP by at least `fall_band` ([`BelowTwap`]); `None`
    /// while the last quorum update had it closer to the TWAP or above it.
    #[serde(default)]
    pub below_twap: Option<BelowTwap>,
}

/// The oracle's median falling: since when it has stood at least `fall_band` under its TWAP at
/// every quorum update, and by how much at the last one. A single drop keeps the median under
/// its TWAP for about one window at most; a streak longer than that is a market that keeps
/// falling, at least as fast as the band says (the liquidator's
/// [`Slide`](crate::liquidator::Slide)).
#[cw_serde]
#[derive(Copy)]
pub struct BelowTwap {
    /// Start of the streak, seconds since the epoch.
    pub since: u64,
    /// `1 − median / TWAP` at the last update, rounded down (above 0).
    pub shortfall: Decimal,
    /// The streak's lowest quorum median (0 in a record stored before the field existed: such
    /// a streak never makes a new low).
    #[serde(default)]
    pub low: Decimal,
    /// When the median last made a new low of the streak, seconds since the epoch (`since` for
    /// a streak that has made none since it began; 0 in a record stored before the field
    /// existed). A fall that goes on making new lows long after its streak began is not a wick
    /// ([`Slide::lows`](crate::liquidator::Slide::lows)).
    #[serde(default)]
    pub low_at: u64,
    /// The measured depth's high over the TWAP window as of the update before the streak's
    /// first: the depth a fall's book is judged against ([`OracleParams::breaker_book`]);
    /// `None` when none was measured then (or in a record stored before the field existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depth: Option<Uint128>,
    /// The TWAP just before the streak's first median: the price the fall is measured from
    /// when its book is judged (0 in a record stored before the field existed: no judgement).
    #[serde(default)]
    pub from: Decimal,
    /// The median's share of `from` at the last update, `median / from` rounded up and at
    /// most 1: what the price has kept since the fall began (0 without a `from`, or in a
    /// record stored before the field existed). A book is judged against it
    /// ([`Slide::book_holds`](crate::liquidator::Slide::book_holds)).
    #[serde(default)]
    pub kept: Decimal,
}

/// A page of prices.
#[cw_serde]
pub struct PricesResponse {
    /// Prices in denom order.
    pub prices: Vec<PriceResponse>,
}

/// Owner and pending owner.
#[cw_serde]
pub struct ConfigResponse {
    /// The owner.
    pub owner: String,
    /// The proposed owner, if a transfer is pending.
    pub pending_owner: Option<String>,
}

/// One asset's configuration.
#[cw_serde]
pub struct AssetResponse {
    /// The asset.
    pub denom: String,
    /// Its parameters.
    pub params: OracleParams,
    /// Number of whitelisted feeders.
    pub feeder_count: u32,
}

/// A page of assets.
#[cw_serde]
pub struct AssetsResponse {
    /// Assets in denom order.
    pub assets: Vec<AssetResponse>,
}

/// A feeder and its latest submission.
#[cw_serde]
pub struct FeederInfo {
    /// The feeder.
    pub address: String,
    /// Its latest price, if any.
    pub last_price: Option<Decimal>,
    /// When it was submitted, seconds since the epoch.
    pub last_submitted: Option<u64>,
}

/// The feeders of one asset.
#[cw_serde]
pub struct FeedersResponse {
    /// The asset.
    pub denom: String,
    /// Feeders in address order.
    pub feeders: Vec<FeederInfo>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_params_are_valid_and_bad_ones_are_not() {
        assert!(OracleParams::default().validate().is_ok());
        let bad = [
            OracleParams {
                max_age: 0,
                ..Default::default()
            },
            OracleParams {
                min_feeders: 0,
                ..Default::default()
            },
            OracleParams {
                max_deviation: Decimal::zero(),
                ..Default::default()
            },
            OracleParams {
                twap_window: 10,
                ..Default::default()
            },
            OracleParams {
                twap_capacity: 1,
                ..Default::default()
            },
            OracleParams {
                breaker_move: Decimal::zero(),
                ..Default::default()
            },
            OracleParams {
                cooldown: 100_000,
                ..Default::default()
            },
        ];
        for p in bad {
            assert!(p.validate().is_err(), "{p:?}");
        }
    }

    #[test]
    fn price_bounds_are_what_the_docs_say() {
        assert_eq!(MAX_PRICE, Decimal::from_ratio(1_000_000_000_000u128, 1u128));
        assert_eq!(MIN_PRICE, Decimal::from_ratio(1u128, 1_000_000_000_000u128));
    }
}
