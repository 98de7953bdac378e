//! Storage layout of the market and the stored structs.
use breakwater_types::adapters::{BackstopContract, LiquidatorContract, OracleContract};
use breakwater_types::market::{
    CollateralParams, LiquidationConfig, LiquidationParams, MarketParams,
};
use breakwater_types::math::margin::Ramp;
use breakwater_types::risk::RiskSignal;
use cosmwasm_std::{Addr, Decimal, Uint128, Uint256};
use cw_storage_plus::{Item, Map};
use serde::{Deserialize, Serialize};

breakwater_types::cw_serde_struct! {
    @de
    /// Contract-wide configuration.
    #[derive(Serialize, Clone, Debug, PartialEq)]
    pub struct Config {
        /// The oracle pricing every collateral in base units.
        pub oracle: OracleContract,
        /// The borrowable base asset.
        pub base_denom: String,
        /// Market-wide parameters.
        pub params: MarketParams,
    }
    defaults {
        /// The liquidation set-up, once configured with `SetLiquidation`.
        #[serde(default)]
        pub liquidation: Option<Liquidation>,
    }
}

impl Config {
    /// The liquidation set-up, or `LiquidationUnavailable` before `SetLiquidation`.
    pub fn liquidation_set_up(&self) -> Result<&Liquidation, crate::ContractError> {
        self.liquidation
            .as_ref()
            .ok_or(crate::ContractError::LiquidationUnavailable)
    }
}

/// The liquidation set-up, its addresses validated by `SetLiquidation`. It is stored in the
/// message's own shape (`LiquidationConfig`, bare addresses), so the contract carries one
/// serializer and one deserializer for both; what storage holds was validated before it was
/// saved.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(from = "LiquidationConfig", into = "LiquidationConfig")]
pub struct Liquidation {
    /// The Dutch-auction liquidator.
    pub liquidator: LiquidatorContract,
    /// The backstop pool.
    pub backstop: BackstopContract,
    /// May set the breaker level besides the owner.
    pub guardian: Option<Addr>,
    /// Liquidation parameters.
    pub params: LiquidationParams,
}

impl From<Liquidation> for LiquidationConfig {
    fn from(l: Liquidation) -> Self {
        LiquidationConfig {
            liquidator: l.liquidator.0.into_string(),
            backstop: l.backstop.0.into_string(),
            guardian: l.guardian.map(Addr::into_string),
            params: l.params,
        }
    }
}

impl From<LiquidationConfig> for Liquidation {
    /// Only for what storage holds: `SetLiquidation` validated the addresses before saving.
    fn from(c: LiquidationConfig) -> Self {
        Liquidation {
            liquidator: LiquidatorContract(Addr::unchecked(c.liquidator)),
            backstop: BackstopContract(Addr::unchecked(c.backstop)),
            guardian: c.guardian.map(Addr::unchecked),
            params: c.params,
        }
    }
}

breakwater_types::cw_serde_struct! {
/// Market totals. `cash` is tracked here and never read from the bank, so a donation to the
/// contract changes nothing in the accounting.
pub struct MarketState {
    /// Supply shares outstanding.
    pub total_supply_shares: Uint128,
    /// Debt shares outstanding.
    pub total_debt_shares: Uint128,
    /// Base units per supply share (starts at 1).
    pub supply_index: Decimal,
    /// Base units per debt share (starts at 1).
    pub borrow_index: Decimal,
    /// Base units kept by the protocol from interest.
    pub reserves: Uint128,
    /// Base units held by the market according to its own books.
    pub cash: Uint128,
    /// Time of the last accrual, seconds since the epoch.
    pub last_accrued: u64,
}
// Fields added after the first release: absent from older records.
defaults {
    /// Debt handed to auctions and not yet settled, base units. The books balance as
    /// `cash + total_borrowed + debt_in_auction >= total_supplied + reserves + provision`.
    #[serde(default)]
    pub debt_in_auction: Uint128,
    /// Expected losses of running auctions, booked through the waterfall when they started
    /// (see [`AuctionBook`]).
    #[serde(default)]
    pub provision: Uint128,
    /// Part of `reserves` earmarked for the backstop, paid by `SweepReserves`.
    #[serde(default)]
    pub backstop_due: Uint128,
    /// Bad debt paid by the backstop so far, base units.
    #[serde(default)]
    pub bad_debt_covered_by_backstop: Uint128,
    /// Bad debt paid from reserves so far, base units.
    #[serde(default)]
    pub bad_debt_covered_by_reserves: Uint128,
    /// Bad debt socialized across suppliers so far, base units.
    #[serde(default)]
    pub bad_debt_socialized: Uint128,
    /// Circuit-breaker level (`breakwater_types::market::breaker`).
    #[serde(default)]
    pub breaker_level: u8,
    /// The risk signal of the last complete `UpdateRisk` pass, which raises the backstop's
    /// share of new reserves (`breakwater_types::risk`).
    #[serde(default)]
    pub risk: Option<RiskSignal>,
    /// Debt redistributed to other borrowers so far, base units.
    #[serde(default)]
    pub debt_redistributed: Uint128,
    /// Bad debt the market covered on credit to the backstop, not yet repaid (an asset of the
    /// market: the books balance as `cash + total_borrowed + debt_in_auction + backstop_debt
    /// >= total_supplied + reserves + provision`). Never positive together with
    /// `backstop_due` (see [`MarketState::net_backstop`]).
    #[serde(default)]
    pub backstop_debt: Uint128,
}
}

impl MarketState {
    /// An empty market whose indices start at 1, accrued at `now`.
    pub fn new(now: u64) -> Self {
        MarketState {
            total_supply_shares: Uint128::zero(),
            total_debt_shares: Uint128::zero(),
            supply_index: Decimal::one(),
            borrow_index: Decimal::one(),
            reserves: Uint128::zero(),
            cash: Uint128::zero(),
            last_accrued: now,
            debt_in_auction: Uint128::zero(),
            provision: Uint128::zero(),
            backstop_due: Uint128::zero(),
            bad_debt_covered_by_backstop: Uint128::zero(),
            bad_debt_covered_by_reserves: Uint128::zero(),
            bad_debt_socialized: Uint128::zero(),
            breaker_level: 0,
            risk: None,
            debt_redistributed: Uint128::zero(),
            backstop_debt: Uint128::zero(),
        }
    }

    /// Settles what the market owes the pool (`backstop_due`, earmarked reserves) against what
    /// the pool owes the market (`backstop_debt`): both fall by the smaller, and so do the
    /// reserves that held the earmark (the market keeps that cash as the repayment).
    pub fn net_backstop(&mut self) -> Result<(), cosmwasm_std::OverflowError> {
        let m = self.backstop_due.min(self.backstop_debt);
        if !m.is_zero() {
            self.backstop_due = self.backstop_due.checked_sub(m)?;
            self.backstop_debt = self.backstop_debt.checked_sub(m)?;
            self.reserves = self.reserves.checked_sub(m)?;
        }
        Ok(())
    }

    /// Base units owed to lenders: `floor(total_supply_shares × supply_index)`.
    pub fn total_supplied(&self) -> Result<Uint128, crate::ContractError> {
        Ok(self
            .total_supply_shares
            .checked_mul_floor(self.supply_index)?)
    }

    /// Base units owed by borrowers: `ceil(total_debt_shares × borrow_index)`.
    pub fn total_borrowed(&self) -> Result<Uint128, crate::ContractError> {
        Ok(self.total_debt_shares.checked_mul_ceil(self.borrow_index)?)
    }

    /// Reserves the market may spend (keeper rewards, bad debt): `reserves − backstop_due`.
    pub fn free_reserves(&self) -> Uint128 {
        self.reserves.saturating_sub(self.backstop_due)
    }

    /// Base units that may leave the market (withdrawals, borrows): `cash − reserves`, zero
    /// when reserves exceed cash.
    pub fn available_liquidity(&self) -> Uint128 {
        self.cash.saturating_sub(self.reserves)
    }
}

breakwater_types::cw_serde_struct! {
/// A listed collateral.
pub struct CollateralState {
    /// Its parameters; `liquidation_threshold` is the target of `threshold_ramp`.
    pub params: CollateralParams,
    /// The liquidation threshold over time (constant when no change is under way).
    pub threshold_ramp: Ramp,
    /// Units deposited across all accounts.
    pub total_deposited: Uint128,
}
}

breakwater_types::cw_serde_struct! {
/// A borrower's position.
#[derive(Default)]
pub struct Account {
    /// Collateral holdings sorted by denom, never holding a zero amount.
    pub collaterals: Vec<(String, Uint128)>,
    /// Debt shares held.
    pub debt_shares: Uint128,
}
defaults {
    /// Per collateral held that was ever redistributed: the accumulators when the account
    /// last took its share (see [`crate::redistribution`]); sorted by denom.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub snapshots: Vec<(String, Uint256, Uint256)>,
}
}

impl Account {
    /// Units of `denom` held (zero when none).
    pub fn collateral(&self, denom: &str) -> Uint128 {
        self.collaterals
            .binary_search_by(|(d, _)| d.as_str().cmp(denom))
            .ok()
            .and_then(|i| self.collaterals.get(i))
            .map(|(_, a)| *a)
            .unwrap_or_default()
    }

    /// Sets the holding of `denom` to `amount`, keeping the list sorted and removing the entry
    /// when `amount` is zero.
    pub fn set_collateral(&mut self, denom: &str, amount: Uint128) {
        match self
            .collaterals
            .binary_search_by(|(d, _)| d.as_str().cmp(denom))
        {
            Ok(i) => {
                if amount.is_zero() {
                    self.collaterals.remove(i);
                } else if let Some(entry) = self.collaterals.get_mut(i) {
                    entry.1 = amount;
                }
            }
            Err(i) => {
                if !amount.is_zero() {
                    self.collaterals.insert(i, (denom.to_string(), amount));
                }
            }
        }
    }

    /// The redistribution accumulators of `denom` when the account last took its share (zero
    /// when it never did).
    pub fn snapshot(&self, denom: &str) -> (Uint256, Uint256) {
        self.snapshots
            .iter()
            .find(|(d, _, _)| d == denom)
            .map_or((Uint256::zero(), Uint256::zero()), |(_, c, d)| (*c, *d))
    }

    /// Sets the snapshot of `denom`.
    pub fn set_snapshot(&mut self, denom: &str, coll: Uint256, debt: Uint256) {
        match self.snapshots.iter_mut().find(|(d, _, _)| d == denom) {
            Some(s) => (s.1, s.2) = (coll, debt),
            None => {
                self.snapshots.push((denom.to_string(), coll, debt));
                self.snapshots.sort_by(|a, b| a.0.cmp(&b.0));
            }
        }
    }

    /// Whether the account holds nothing and owes nothing (and should be deleted).
    pub fn is_empty(&self) -> bool {
        self.collaterals.is_empty() && self.debt_shares.is_zero()
    }
}

/// A borrower's running liquidation auctions and the loss provisioned for them.
///
/// A toxic auction whose tab exceeds its lot's value has a visible shortfall: it is booked at
/// once through the waterfall (backstop, free reserves, supply index), so a lender who leaves
/// while the auction runs bears its share. The parts left record who paid what is still
/// provisioned. A shortfall at settlement uses the provision first, in waterfall order
/// (backstop part, then reserves, then suppliers), and only the excess goes through the
/// waterfall again. When the borrower's last auction settles, what is left returns in reverse:
/// suppliers (the index rises), reserves, the backstop (earmarked in `backstop_due`).
///
/// Stored as a JSON array of its four amounts (one small deserializer instead of a struct's).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(from = "[Uint128; 4]", into = "[Uint128; 4]")]
pub struct AuctionBook {
    /// Tabs of the borrower's running liquidation auctions, base units.
    pub in_auction: Uint128,
    /// Provision still held that the backstop paid.
    pub by_backstop: Uint128,
    /// Provision still held that free reserves paid.
    pub by_reserves: Uint128,
    /// Provision still held that was cut from the supply index.
    pub socialized: Uint128,
}

impl From<[Uint128; 4]> for AuctionBook {
    fn from([in_auction, by_backstop, by_reserves, socialized]: [Uint128; 4]) -> Self {
        AuctionBook {
            in_auction,
            by_backstop,
            by_reserves,
            socialized,
        }
    }
}

impl From<AuctionBook> for [Uint128; 4] {
    fn from(b: AuctionBook) -> Self {
        [b.in_auction, b.by_backstop, b.by_reserves, b.socialized]
    }
}

impl AuctionBook {
    /// The provision still held.
    pub fn provision(&self) -> Result<Uint128, cosmwasm_std::OverflowError> {
        self.by_backstop
            .checked_add(self.by_reserves)?
            .checked_add(self.socialized)
    }
}

breakwater_types::cw_serde_struct! {
/// What an `UpdateRisk` pass has counted for one collateral.
pub struct CollateralTally {
    /// The collateral denom.
    pub denom: String,
    /// Debt of the accounts holding it that are liquidatable at the prices of the pass.
    pub now: Uint128,
    /// Debt of the accounts holding it that become liquidatable (and are not now) when its
    /// price falls by each of `FALLS` (one entry per fall).
    pub newly: Vec<Uint128>,
    /// Once the pass is complete: the depth its wall was compared with (zero before).
    pub depth: Uint128,
    /// Once the pass is complete: whether `depth` came from the oracle's measurement.
    pub measured: bool,
    /// Once the pass is complete: its spiral index.
    pub spiral_index: Decimal,
}
}

breakwater_types::cw_serde_struct! {
/// An `UpdateRisk` pass, under way or complete (the snapshot): one stored type for both keeps
/// the wasm small.
pub struct RiskPass {
    /// When it started, seconds since the epoch.
    pub started_at: u64,
    /// When it completed (zero while under way).
    pub completed_at: u64,
    /// The last account walked.
    pub cursor: Option<Addr>,
    /// Accounts walked.
    pub walked: u32,
    /// Accounts with debt among them.
    pub accounts: u32,
    /// Their debt, base units.
    pub total_debt: Uint128,
    /// Debt of the accounts liquidatable at the prices of the pass.
    pub liquidatable_now: Uint128,
    /// Per collateral held by an indebted account, sorted by denom.
    pub collaterals: Vec<CollateralTally>,
    /// Once complete: the largest spiral index.
    pub spiral_index: Decimal,
    /// Once complete: the largest debt liquidatable at a 20% fall over the pool's value
    /// (`None` when the pool could not be valued).
    pub exposure: Option<Decimal>,
}
}

/// The configuration.
pub const CONFIG: Item<Config> = Item::new("config");
/// The market totals.
pub const STATE: Item<MarketState> = Item::new("state");
/// Listed collaterals by denom (at most `MAX_COLLATERALS`).
pub const COLLATERALS: Map<&str, CollateralState> = Map::new("collaterals");
/// Borrower positions; an account is deleted once it holds and owes nothing.
pub const ACCOUNTS: Map<&Addr, Account> = Map::new("accounts");
/// Running liquidation auctions per borrower, with their provision; deleted when the last one
/// settles.
pub const AUCTION_BOOKS: Map<&Addr, AuctionBook> = Map::new("auction_books");
/// Lenders' supply shares; deleted at zero.
pub const SUPPLIERS: Map<&Addr, Uint128> = Map::new("suppliers");
/// The `UpdateRisk` pass under way.
pub const RISK_PASS: Item<RiskPass> = Item::new("risk_pass");
/// The last complete pass: the risk snapshot.
pub const RISK_SNAPSHOT: Item<RiskPass> = Item::new("risk_snapshot");

/// Loads an account as queries show it: an empty one when it does not exist, with what
/// redistributions owe it taken (in memory only; see [`crate::redistribution::pending`]).
pub fn load_account(
    storage: &dyn cosmwasm_std::Storage,
    addr: &Addr,
) -> cosmwasm_std::StdResult<Account> {
    let mut account = ACCOUNTS.may_load(storage, addr)?.unwrap_or_default();
    crate::redistribution::pending(storage, &mut account)?;
    Ok(account)
}

/// Saves an account, or deletes it when empty, moving the holder totals of its collaterals
/// from its stored record to it ([`crate::redistribution::track_holders`]). The account was loaded with
/// [`crate::redistribution::settle`] (it owes and is owed nothing from redistributions so
/// far): a holding new since then starts at the accumulators of now, and the snapshots of
/// collaterals no longer held are dropped.
pub fn save_account(
    storage: &mut dyn cosmwasm_std::Storage,
    addr: &Addr,
    account: &Account,
) -> cosmwasm_std::StdResult<()> {
    let old = ACCOUNTS.may_load(storage, addr)?.unwrap_or_default();
    crate::redistribution::track_holders(storage, &old, account)?;
    if account.is_empty() {
        ACCOUNTS.remove(storage, addr);
        return Ok(());
    }
    let mut account = account.clone();
    account
        .snapshots
        .retain(|(d, _, _)| account.collaterals.iter().any(|(c, _)| c == d));
    for (denom, _) in account.collaterals.clone() {
        if account.snapshots.iter().any(|(d, _, _)| *d == denom) {
            continue;
        }
        if let Some(r) = crate::redistribution::REDISTRIBUTIONS.may_load(storage, &denom)? {
            account.set_snapshot(&denom, r.coll_per_stake, r.debt_per_stake);
        }
    }
    ACCOUNTS.save(storage, addr, &account)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_collaterals_stay_sorted_without_zero_entries() {
        let mut a = Account::default();
        a.set_collateral("uosmo", Uint128::new(5));
        a.set_collateral("uatom", Uint128::new(3));
        a.set_collateral("ueth", Uint128::new(0));
        assert_eq!(
            a.collaterals,
            vec![
                ("uatom".to_string(), Uint128::new(3)),
                ("uosmo".to_string(), Uint128::new(5))
            ]
        );
        assert_eq!(a.collateral("uosmo"), Uint128::new(5));
        assert_eq!(a.collateral("ueth"), Uint128::zero());
        a.set_collateral("uatom", Uint128::new(7));
        assert_eq!(a.collateral("uatom"), Uint128::new(7));
        a.set_collateral("uatom", Uint128::zero());
        a.set_collateral("uosmo", Uint128::zero());
        assert!(a.is_empty());
    }
}
