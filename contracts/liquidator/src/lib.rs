//! Breakwater's Dutch-auction liquidator.
//!
//! Seized collateral is sold on a falling price curve (Maker Liquidations 2.0), never below a
//! floor to ordinary bidders, under per-collateral and global caps derived from market depth.
//! Stale auctions reset at a fresh price; bidders may buy partial slices with a `max_price`
//! guard or through a flash callback that pays within the same transaction.
pub mod admin;
pub mod auction;
pub mod bid;
pub mod contract;
pub mod curve;
pub mod error;
pub mod query;
pub mod reset;
pub mod start;
pub mod state;
