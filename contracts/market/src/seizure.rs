//! Seizing collateral for a liquidation: the seizure order, the closed-form repay amount,
//! the tab split of a whole position, and the bookkeeping shared by both liquidation paths
//! (see [`crate::liquidate`] for the derivations).
use crate::error::ContractError;
use crate::state::{Account, AuctionBook, Liquidation, MarketState, COLLATERALS};
use breakwater_types::liquidator::{
    ExecuteMsg as LiquidatorMsg, QueryMsg as LiquidatorQuery, RoomResponse, Seller,
};
use breakwater_types::market::LiquidationParams;
use breakwater_types::math::health::value;
use cosmwasm_std::{
    coin, to_json_binary, Decimal, QuerierWrapper, Response, Storage, Uint128, Uint512, WasmMsg,
};

/// One held collateral, priced once for the whole liquidation.
#[derive(Debug, Clone, PartialEq)]
pub struct Held {
    /// The denom.
    pub denom: String,
    /// Units held.
    pub amount: Uint128,
    /// Oracle median.
    pub price: Decimal,
    /// `floor(amount × median)`.
    pub value: Uint128,
    /// `1 + liquidation_penalty`.
    pub bonus: Decimal,
    /// `LT_now × (1 + penalty)`: liquidation value lost per unit of debt repaid.
    pub factor: Decimal,
    /// Whether its oracle price is active (a partial auction may only start on one that is).
    pub active: bool,
    /// Its oracle status's name.
    pub status: &'static str,
}

impl Held {
    /// Collateral units seized to repay `tab`: `ceil(ceil(tab × (1+p)) / median)`.
    pub fn lot_for(&self, tab: Uint128) -> Result<Uint128, ContractError> {
        Ok(tab
            .checked_mul_ceil(self.bonus)?
            .checked_div_ceil(self.price)?)
    }

    /// Whether `self` is seized before `other`: smaller factor, then larger value, then denom.
    fn before(&self, other: &Held) -> bool {
        (self.factor, other.value, &self.denom) < (other.factor, self.value, &other.denom)
    }
}

/// Sorts holdings into seizure order (an insertion sort: at most `MAX_COLLATERALS` entries).
pub fn seizure_order(held: &mut [Held]) {
    for i in 1..held.len() {
        let mut j = i;
        while j > 0 && held[j].before(&held[j - 1]) {
            held.swap(j, j - 1);
            j -= 1;
        }
    }
}

/// Debt to repay against a collateral of factor `f` to bring `W / D` to `target`:
/// `ceil((ceil(target·D) − W) / (target − f))`, at most `D`.
pub fn repay_to_target(
    debt: Uint128,
    w: Uint128,
    target: Decimal,
    f: Decimal,
) -> Result<Uint128, ContractError> {
    let num = debt.checked_mul_ceil(target)?.saturating_sub(w);
    let den = target.checked_sub(f)?;
    Ok(num.checked_div_ceil(den)?.min(debt))
}

/// The account-wide figures a partial liquidation is sized against.
pub struct Sizing<'a> {
    /// Liquidation parameters.
    pub params: &'a LiquidationParams,
    /// The account's debt `D`.
    pub debt: Uint128,
    /// Its liquidation value `W`.
    pub liquidation_value: Uint128,
    /// Its collateral value.
    pub collateral_value: Uint128,
    /// Debt shares it holds.
    pub debt_shares: Uint128,
    /// Base units per debt share.
    pub borrow_index: Decimal,
}

/// A liquidation against one holding, sized.
#[derive(Debug, Clone, PartialEq)]
pub struct Partial {
    /// Debt repaid (the auction's tab).
    pub tab: Uint128,
    /// Collateral seized.
    pub lot: Uint128,
    /// Debt shares burned (all of them when `tab = D`).
    pub burned: Uint128,
    /// The repay that would bring the account to the target, before any cap.
    pub need: Uint128,
}

/// Why a candidate cannot be liquidated now.
#[derive(Debug, Clone, PartialEq)]
pub enum Miss {
    /// It cannot close a dust account fully (the account goes down the whole-position path).
    Dust,
    /// The room under the caps (`.0`) fits no repay that leaves no dust.
    NoRoom(Uint128),
    /// The repay would burn no debt share.
    TooSmall,
}

impl Sizing<'_> {
    /// Dust as a whole: the debt is below `min_debt` or the collateral below
    /// `min_collateral_value`.
    pub fn dust_account(&self) -> bool {
        self.debt < self.params.min_debt || self.collateral_value < self.params.min_collateral_value
    }

    /// The repay against `h`, before the room:
    ///
    /// 1. `R = repay_to_target` (at most `D`); when its lot exceeds the holding, the lot is
    ///    the holding and `R = floor(value / (1+p))`.
    /// 2. Dust (Aave v3.3: clear fully or leave at least the minimum): when the repay leaves
    ///    `D − R < min_debt` or collateral worth less than `min_collateral_value`, close fully
    ///    with `h` if it covers `D·(1+p)`; otherwise a dust account is `Miss::Dust` (it goes
    ///    down the whole-position path), and an account that is not dust clears the holding
    ///    (`R = floor(value / (1+p))`) when the debt left would be dust.
    ///
    /// Returns `(R, lot, need)`.
    pub fn before_room(
        &self,
        h: &Held,
    ) -> Result<Result<(Uint128, Uint128, Uint128), Miss>, ContractError> {
        let p = self.params;
        let d = self.debt;
        let need = repay_to_target(d, self.liquidation_value, p.target_health_factor, h.factor)?;
        let cap = h.value.checked_div_floor(h.bonus)?;
        let (mut tab, mut lot) = (need, h.lot_for(need)?);
        if lot > h.amount {
            (tab, lot) = (cap.min(d), h.amount);
        }
        let value_left = self
            .collateral_value
            .checked_sub(h.value)?
            .checked_add(value(h.amount.checked_sub(lot)?, h.price)?)?;
        let debt_dust = d.checked_sub(tab)? < p.min_debt;
        if tab < d && (debt_dust || value_left < p.min_collateral_value) {
            let full = h.lot_for(d)?;
            if full <= h.amount {
                (tab, lot) = (d, full);
            } else if self.dust_account() {
                return Ok(Err(Miss::Dust));
            } else if debt_dust {
                (tab, lot) = (cap, h.amount);
            }
        }
        Ok(Ok((tab, lot, need)))
    }

    /// Fits a repay `(tab, lot, need)` from [`Sizing::before_room`] into `room`: a larger tab
    /// is cut to `min(room, D − min_debt)` (a throttled repay never leaves dust) with its lot;
    /// a tab burning no debt share is `Miss::TooSmall`.
    pub fn fit(
        &self,
        h: &Held,
        (tab, lot, need): (Uint128, Uint128, Uint128),
        room: Uint128,
    ) -> Result<Result<Partial, Miss>, ContractError> {
        let (mut tab, mut lot) = (tab, lot);
        if tab > room {
            tab = room.min(self.debt.saturating_sub(self.params.min_debt));
            if tab.is_zero() {
                return Ok(Err(Miss::NoRoom(room)));
            }
            lot = h.lot_for(tab)?;
        }
        let burned = if tab == self.debt {
            self.debt_shares
        } else {
            tab.checked_div_floor(self.borrow_index)?
        };
        if tab.is_zero() || burned.is_zero() {
            return Ok(Err(Miss::TooSmall));
        }
        Ok(Ok(Partial {
            tab,
            lot,
            burned,
            need,
        }))
    }

    /// A repay is useful when it is at least `min(min_debt, need)`: a candidate whose holding
    /// or room allows less (a dust holding, one unit of room) does not stop the search.
    pub fn useful(&self, p: &Partial) -> bool {
        p.tab >= self.params.min_debt.min(p.need)
    }
}

/// Splits `debt` across holdings by value (`floor`), the largest (first in seizure order
/// among equals) taking the remainder.
pub fn split_tabs(held: &[Held], debt: Uint128) -> Result<Vec<Uint128>, ContractError> {
    let mut total = Uint128::zero();
    let mut largest = 0;
    for (i, h) in held.iter().enumerate() {
        total = total.checked_add(h.value)?;
        if held.get(largest).is_some_and(|l| h.value > l.value) {
            largest = i;
        }
    }
    let mut tabs = vec![];
    let mut rest = debt;
    for h in held {
        let t = if total.is_zero() {
            Uint128::zero()
        } else {
            debt.checked_multiply_ratio(h.value, total)?
        };
        rest = rest.checked_sub(t)?;
        tabs.push(t);
    }
    if let Some(t) = tabs.get_mut(largest) {
        *t = t.checked_add(rest)?;
    }
    Ok(tabs)
}

/// The lots an absorb at `discount` takes to cover `debt`, one per holding of `held` (in
/// seizure order): holdings are taken whole until the next one covers the rest, which is
/// taken in part, rounded up; the holdings after it stay with the borrower. `None` when every
/// holding at the discount does not cover `debt` (the pool then takes all of them for their
/// discounted value and the rest is bad debt).
///
/// The backstop pays at most `floor(Σ a_k·p_k·(1 − d))` for the coins attached, so the lots
/// must satisfy `(S + u·p)·(1 − d) >= debt`, where `S` is the value of the holdings taken
/// whole and `p` the price of the one taken in part. With the prices and `keep = 1 − d` as
/// their 18-decimal integers `P_k` and `K`, and `S18 = Σ a_k·P_k`, the least `u` is
///
/// ```text
/// u = ceil((debt·10^36 − S18·K) / (P·K))
/// ```
///
/// computed exactly in 512-bit integers. The borrower loses the discount on what is taken,
/// `d·(S + u·p)`, plus less than one unit of the last holding.
pub fn absorb_lots(
    held: &[Held],
    debt: Uint128,
    discount: Decimal,
) -> Result<Option<Vec<Uint128>>, ContractError> {
    let k = Uint512::from(Decimal::one().checked_sub(discount)?.atomics());
    let target = Uint512::from(debt).checked_mul(Uint512::from(10u128.pow(36)))?;
    let mut taken = Uint512::zero();
    let mut lots = vec![];
    for h in held {
        let pk = Uint512::from(h.price.atomics()).checked_mul(k)?;
        let whole = Uint512::from(h.amount).checked_mul(pk)?;
        let next = taken.checked_add(whole)?;
        if next >= target {
            let need = target.checked_sub(taken)?;
            let units = if need.is_zero() {
                Uint512::zero()
            } else {
                need.checked_add(pk.checked_sub(Uint512::one())?)?
                    .checked_div(pk)?
            };
            lots.push(Uint128::try_from(units)?.min(h.amount));
            return Ok(Some(lots));
        }
        taken = next;
        lots.push(h.amount);
    }
    Ok(None)
}

/// The mutable context of one liquidation.
pub struct Ctx<'a> {
    /// The liquidation set-up.
    pub liq: &'a Liquidation,
    /// The liquidated account's address.
    pub borrower: String,
    /// Market totals, accrued.
    pub state: MarketState,
    /// The liquidated account.
    pub account: Account,
    /// Its running auctions and their provision.
    pub book: AuctionBook,
    /// The response being built.
    pub res: Response,
    /// Denoms seized, comma-separated (for the event).
    pub denoms: String,
    /// Lots seized, comma-separated.
    pub lots: String,
}

impl Ctx<'_> {
    /// Takes `lot` of `denom` out of the account and the collateral's totals.
    pub fn seize(
        &mut self,
        storage: &mut dyn Storage,
        denom: &str,
        lot: Uint128,
    ) -> Result<(), ContractError> {
        let held = self.account.collateral(denom).checked_sub(lot)?;
        self.account.set_collateral(denom, held);
        let mut c = COLLATERALS.load(storage, denom)?;
        c.total_deposited = c.total_deposited.checked_sub(lot)?;
        COLLATERALS.save(storage, denom, &c)?;
        if !self.denoms.is_empty() {
            self.denoms.push(',');
            self.lots.push(',');
        }
        self.denoms.push_str(denom);
        self.lots.push_str(&lot.to_string());
        Ok(())
    }

    /// Burns `shares` of the account's debt shares.
    pub fn burn(&mut self, shares: Uint128) -> Result<(), ContractError> {
        self.account.debt_shares = self.account.debt_shares.checked_sub(shares)?;
        self.state.total_debt_shares = self.state.total_debt_shares.checked_sub(shares)?;
        Ok(())
    }

    /// Seizes `lot` of `denom` and starts its auction for `tab`.
    pub fn auction(
        &mut self,
        storage: &mut dyn Storage,
        denom: &str,
        lot: Uint128,
        tab: Uint128,
        force: bool,
    ) -> Result<(), ContractError> {
        self.seize(storage, denom, lot)?;
        let msg = WasmMsg::Execute {
            contract_addr: self.liq.liquidator.clone(),
            msg: to_json_binary(&LiquidatorMsg::StartAuction {
                seller: Seller::Liquidation {
                    borrower: self.borrower.clone(),
                },
                tab,
                force,
            })?,
            funds: vec![coin(lot.u128(), denom)],
        };
        self.res = std::mem::take(&mut self.res).add_message(msg);
        self.state.debt_in_auction = self.state.debt_in_auction.checked_add(tab)?;
        self.book.in_auction = self.book.in_auction.checked_add(tab)?;
        Ok(())
    }
}

/// The liquidator's caps for a new auction of `denom`: `.room` fits one auction; the global
/// cap (`global_hole − global_dirt`) bounds several.
pub fn room(
    querier: &QuerierWrapper,
    liq: &Liquidation,
    denom: &str,
) -> Result<RoomResponse, ContractError> {
    Ok(querier.query_wasm_smart(
        &liq.liquidator,
        &LiquidatorQuery::Room {
            denom: denom.to_string(),
        },
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn held(denom: &str, amount: u128, price: &str, lt: &str, penalty: &str) -> Held {
        let bonus = Decimal::one() + d(penalty);
        let price = d(price);
        Held {
            denom: denom.to_string(),
            amount: Uint128::new(amount),
            price,
            value: Uint128::new(amount).mul_floor(price),
            bonus,
            factor: d(lt) * bonus,
            active: true,
            status: "active",
        }
    }

    #[test]
    fn seizure_order_heals_fastest_first_then_larger_value_then_denom() {
        let mut h = vec![
            held("c", 100, "1", "0.8", "0.05"),  // 0.84
            held("b", 100, "1", "0.6", "0.1"),   // 0.66
            held("a", 100, "1", "0.6", "0.1"),   // 0.66
            held("z", 1_000, "1", "0.6", "0.1"), // 0.66, larger
        ];
        seizure_order(&mut h);
        let names: Vec<&str> = h.iter().map(|x| x.denom.as_str()).collect();
        assert_eq!(names, ["z", "a", "b", "c"]);
    }

    #[test]
    fn repaying_the_closed_form_lands_on_the_target() {
        // W = 0.7·1000 = 700, D = 800 (HF 0.875); f = 0.7·1.05 = 0.735; T = 1.05.
        let (w, debt, t, f) = (700u128, 800u128, d("1.05"), d("0.735"));
        let r = repay_to_target(Uint128::new(debt), Uint128::new(w), t, f).unwrap();
        // (840 − 700) / 0.315 = 444.44… → 445.
        assert_eq!(r.u128(), 445);
        let hf = (w as f64 - 445.0 * 0.735) / (debt as f64 - 445.0);
        assert!((1.05..1.052).contains(&hf), "{hf}");
        // Never more than the debt.
        let r = repay_to_target(Uint128::new(100), Uint128::new(1), t, d("0.99")).unwrap();
        assert_eq!(r.u128(), 100);
    }

    #[test]
    fn an_absorb_takes_holdings_in_order_the_last_in_part_rounded_up() {
        let hs = vec![
            held("a", 400, "10", "0.7", "0.05"),
            held("b", 10, "2400", "0.825", "0.05"),
        ];
        // 4,000·0.95 = 3,800 from `a`; 1,200 more from `b` at 2,280: ceil(0.526…) = 1.
        let lots = absorb_lots(&hs, Uint128::new(5_000), d("0.05")).unwrap();
        assert_eq!(lots, Some(vec![Uint128::new(400), Uint128::new(1)]));
        // Exactly covered by `a` alone: nothing of `b`.
        let lots = absorb_lots(&hs, Uint128::new(3_800), d("0.05")).unwrap();
        assert_eq!(lots, Some(vec![Uint128::new(400)]));
        // One unit more needs one more unit of `a`... which `a` does not have: `b` pays it.
        let lots = absorb_lots(&hs, Uint128::new(3_801), d("0.05")).unwrap();
        assert_eq!(lots, Some(vec![Uint128::new(400), Uint128::new(1)]));
        // Within `a`: ceil(1,000 / 9.5) = 106 (105 · 9.5 = 997.5 < 1,000).
        let lots = absorb_lots(&hs, Uint128::new(1_000), d("0.05")).unwrap();
        assert_eq!(lots, Some(vec![Uint128::new(106)]));
        // Not covered at the discount: 28,000 · 0.95 = 26,600.
        assert_eq!(
            absorb_lots(&hs, Uint128::new(26_601), d("0.05")).unwrap(),
            None
        );
        let all = absorb_lots(&hs, Uint128::new(26_600), d("0.05")).unwrap();
        assert_eq!(all, Some(vec![Uint128::new(400), Uint128::new(10)]));
    }

    fn sizing(params: &LiquidationParams, debt: u128, w: u128, cv: u128) -> Sizing<'_> {
        Sizing {
            params,
            debt: Uint128::new(debt),
            liquidation_value: Uint128::new(w),
            collateral_value: Uint128::new(cv),
            debt_shares: Uint128::new(debt),
            borrow_index: Decimal::one(),
        }
    }

    #[test]
    fn a_throttled_repay_never_leaves_dust_and_a_repay_burning_nothing_is_too_small() {
        let params = LiquidationParams {
            min_debt: Uint128::new(100),
            min_collateral_value: Uint128::new(100),
            ..LiquidationParams::default()
        };
        let h = held("a", 1_000, "1", "0.7", "0.05");
        // D 800, W 700: the target repay is 445, leaving 355 (not dust).
        let s = sizing(&params, 800, 700, 1_000);
        let pre = s.before_room(&h).unwrap().unwrap();
        assert_eq!(pre.0, Uint128::new(445));
        let p = s.fit(&h, pre, Uint128::new(10_000)).unwrap().unwrap();
        assert_eq!(
            (p.tab.u128(), p.lot.u128(), p.burned.u128()),
            (445, 468, 445)
        );
        assert!(s.useful(&p));
        // Throttled to the room: useful only from min(min_debt, need) = 100 up.
        let p = s.fit(&h, pre, Uint128::new(99)).unwrap().unwrap();
        assert!(!s.useful(&p));
        assert_eq!(
            s.fit(&h, pre, Uint128::zero()).unwrap(),
            Err(Miss::NoRoom(Uint128::zero()))
        );
        // A full close (D 150 < min_debt + the target repay) cut by a room of 100 would leave
        // 50 of dust: it cuts to D − min_debt = 50 instead.
        let s = sizing(&params, 150, 131, 1_000);
        let pre = s.before_room(&h).unwrap().unwrap();
        assert_eq!(pre.0, Uint128::new(150), "full close");
        let p = s.fit(&h, pre, Uint128::new(100)).unwrap().unwrap();
        assert_eq!(p.tab, Uint128::new(50));
        // A dust account (D < min_debt) is never cut: no room for the close means none at all.
        let s = sizing(&params, 90, 80, 1_000);
        let pre = s.before_room(&h).unwrap().unwrap();
        assert_eq!(
            s.fit(&h, pre, Uint128::new(89)).unwrap(),
            Err(Miss::NoRoom(Uint128::new(89)))
        );
        // A repay below one debt share's worth burns nothing.
        let mut s = sizing(&params, 800, 700, 1_000);
        s.borrow_index = d("1000");
        let pre = s.before_room(&h).unwrap().unwrap();
        assert_eq!(
            s.fit(&h, pre, Uint128::new(999)).unwrap(),
            Err(Miss::TooSmall)
        );
    }

    #[test]
    fn a_holding_that_cannot_close_a_dust_account_misses_and_one_that_can_closes_it() {
        let params = LiquidationParams {
            min_debt: Uint128::new(1_000),
            min_collateral_value: Uint128::new(1),
            ..LiquidationParams::default()
        };
        // D 900 < min_debt: `small` (value 500) cannot cover 900·1.05; `big` can.
        let s = sizing(&params, 900, 850, 1_600);
        let small = held("s", 500, "1", "0.7", "0.05");
        let big = held("b", 1_100, "1", "0.7", "0.05");
        assert_eq!(s.before_room(&small).unwrap(), Err(Miss::Dust));
        let pre = s.before_room(&big).unwrap().unwrap();
        assert_eq!((pre.0.u128(), pre.1.u128()), (900, 945));
        // An account that is not dust clears a holding that cannot close it (Aave v3.3).
        let s = sizing(&params, 1_200, 1_150, 1_600);
        let pre = s.before_room(&small).unwrap().unwrap();
        assert_eq!((pre.0.u128(), pre.1.u128()), (476, 500));
    }

    #[test]
    fn lots_round_up_and_tabs_split_by_value_summing_to_the_debt() {
        let h = held("a", 1_000, "3", "0.7", "0.05");
        // 100 · 1.05 = 105 → 105 / 3 = 35.
        assert_eq!(h.lot_for(Uint128::new(100)).unwrap().u128(), 35);
        assert_eq!(h.lot_for(Uint128::new(101)).unwrap().u128(), 36);
        let hs = vec![
            held("a", 1_000, "1", "0.7", "0.05"),
            held("b", 2_000, "1", "0.7", "0.05"),
            held("c", 1, "0.000001", "0.7", "0.05"),
        ];
        let tabs = split_tabs(&hs, Uint128::new(1_000)).unwrap();
        assert_eq!(tabs, [333u128, 667, 0].map(Uint128::new));
        let none = split_tabs(&hs[2..], Uint128::new(7)).unwrap();
        assert_eq!(none, [Uint128::new(7)]);
    }
}
