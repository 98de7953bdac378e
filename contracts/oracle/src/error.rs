//! Errors of the oracle contract.
use breakwater_types::error::CommonError;
use cosmwasm_std::Decimal;
use thiserror::Error;

/// Everything the oracle can refuse.
#[derive(Error, Debug)]
pub enum ContractError {
    /// Failures every contract shares: storage and queries, ownership, funds, migration,
    /// parameters, checked arithmetic.
    #[error(transparent)]
    Common(#[from] CommonError),

    /// A denom that is empty or malformed.
    #[error("invalid denom {denom:?}: {reason}")]
    InvalidDenom {
        /// The denom given.
        denom: String,
        /// What is wrong with it.
        reason: String,
    },

    /// The asset is not listed.
    #[error("unknown asset: {denom} is not listed by the oracle")]
    UnknownAsset {
        /// The denom.
        denom: String,
    },

    /// The asset is already listed.
    #[error("asset already listed: {denom}")]
    AssetExists {
        /// The denom.
        denom: String,
    },

    /// The asset is listed but has never had a quorum price.
    #[error("no price yet for {denom}: no quorum of feeders has priced it")]
    NoPriceYet {
        /// The denom.
        denom: String,
    },

    /// The sender is not a whitelisted feeder of the asset.
    #[error("unauthorized: {sender} is not a feeder of {denom}")]
    NotFeeder {
        /// The asset.
        denom: String,
        /// The sender.
        sender: String,
    },

    /// `SubmitPrices` with no price.
    #[error("empty submission: at least one price is required")]
    EmptySubmission,

    /// `SubmitPrices` with too many prices.
    #[error("too many prices in one submission: {count} (at most {max})")]
    TooManyPrices {
        /// Prices given.
        count: usize,
        /// The limit.
        max: usize,
    },

    /// The same denom twice in one message.
    #[error("duplicate denom in one message: {denom}")]
    DuplicateDenom {
        /// The denom.
        denom: String,
    },

    /// A zero price.
    #[error("zero price submitted for {denom}: prices must be positive")]
    ZeroPrice {
        /// The asset.
        denom: String,
    },

    /// A price outside `[MIN_PRICE, MAX_PRICE]`.
    #[error("price out of range for {denom}: {price} is outside [{min}, {max}]")]
    PriceOutOfRange {
        /// The asset.
        denom: String,
        /// The price submitted.
        price: Decimal,
        /// Smallest accepted price.
        min: Decimal,
        /// Largest accepted price.
        max: Decimal,
    },

    /// The same feeder twice in one list, or listed again at instantiation.
    #[error("duplicate feeder {feeder} for {denom}")]
    DuplicateFeeder {
        /// The asset.
        denom: String,
        /// The feeder.
        feeder: String,
    },

    /// More feeders than `MAX_FEEDERS_PER_ASSET`.
    #[error("too many feeders for {denom}: {count} (at most {max})")]
    TooManyFeeders {
        /// The asset.
        denom: String,
        /// Feeders the asset would have.
        count: usize,
        /// The limit.
        max: usize,
    },

    /// `AddFeeders` / `RemoveFeeders` with an empty list.
    #[error("no feeders given for {denom}")]
    NoFeedersGiven {
        /// The asset.
        denom: String,
    },

    /// Removing an address that is not a feeder of the asset.
    #[error("unknown feeder {feeder} for {denom}")]
    UnknownFeeder {
        /// The asset.
        denom: String,
        /// The address.
        feeder: String,
    },
}

breakwater_types::common_errors!(ContractError);
