//! The partial path: the seizure order, the closed-form repay, and the search over candidates
//! (see the parent module for the derivations).
use super::{Holding, LiquidationPlan, Lot, PlanError, Quotes};
use crate::market::{LiquidationParams, WhenThrottled};
use crate::oracle::OracleStatus;
use cosmwasm_std::{Decimal, Uint128};

/// One holding, priced at the trusted price, with its seizure figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Held {
    /// The denom.
    pub denom: String,
    /// Units held.
    pub amount: Uint128,
    /// The trusted price.
    pub price: Decimal,
    /// `floor(amount × price)`.
    pub value: Uint128,
    /// `1 + liquidation_penalty`.
    pub bonus: Decimal,
    /// `LT_now × (1 + penalty)`: liquidation value lost per unit of debt repaid.
    pub factor: Decimal,
    /// `LT_now`, the liquidation threshold in force.
    pub threshold: Decimal,
    /// Whether its oracle price is active (an unforced auction needs one).
    pub active: bool,
    /// Whether its oracle price is halted (a breaker trip).
    pub halted: bool,
    /// Its oracle status's name.
    pub status: &'static str,
}

impl Held {
    /// Prices `h` at its trusted price, with the penalty in force `penalty`.
    pub fn new(h: &Holding, penalty: Decimal) -> Result<Held, PlanError> {
        let price = h.trusted_price();
        let bonus = Decimal::one().checked_add(penalty)?;
        Ok(Held {
            denom: h.denom.clone(),
            amount: h.amount,
            price,
            value: h
                .amount
                .checked_mul_floor(price)
                .map_err(PlanError::Valuation)?,
            bonus,
            factor: h.liquidation_threshold.checked_mul(bonus)?,
            threshold: h.liquidation_threshold,
            active: h.status.is_active(),
            halted: matches!(h.status, OracleStatus::Halted { .. }),
            status: h.status.name(),
        })
    }

    /// Collateral units seized to repay `tab`: `ceil(ceil(tab × (1+p)) / price)`.
    pub fn lot_for(&self, tab: Uint128) -> Result<Uint128, PlanError> {
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
) -> Result<Uint128, PlanError> {
    let num = debt.checked_mul_ceil(target)?.saturating_sub(w);
    let den = target.checked_sub(f)?;
    Ok(num.checked_div_ceil(den)?.min(debt))
}

/// The account-wide figures a partial liquidation is sized against (at the trusted prices).
#[derive(Debug, Clone)]
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
    ) -> Result<Result<(Uint128, Uint128, Uint128), Miss>, PlanError> {
        let p = self.params;
        let d = self.debt;
        let need = repay_to_target(d, self.liquidation_value, p.target_health_factor, h.factor)?;
        let cap = h.value.checked_div_floor(h.bonus)?;
        let (mut tab, mut lot) = (need, h.lot_for(need)?);
        if lot > h.amount {
            (tab, lot) = (cap.min(d), h.amount);
        }
        let left = h
            .amount
            .checked_sub(lot)?
            .checked_mul_floor(h.price)
            .map_err(PlanError::Valuation)?;
        let value_left = self
            .collateral_value
            .checked_sub(h.value)?
            .checked_add(left)?;
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
    /// a tab burning no debt share is `Miss::TooSmall`, unless the room cut it: a room too
    /// small for one debt share's worth is no room (`Miss::NoRoom`).
    pub fn fit(
        &self,
        h: &Held,
        (tab, lot, need): (Uint128, Uint128, Uint128),
        room: Uint128,
    ) -> Result<Result<Partial, Miss>, PlanError> {
        let (mut tab, mut lot) = (tab, lot);
        let cut = tab > room;
        if cut {
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
            return Ok(Err(if cut {
                Miss::NoRoom(room)
            } else {
                Miss::TooSmall
            }));
        }
        Ok(Ok(Partial {
            tab,
            lot,
            burned,
            need,
        }))
    }

    /// Whether seizing all of `h` at its bonus repays at least one debt share:
    /// `floor(value / (1+p))` closes the debt or is worth a share at the borrow index.
    pub fn repays_a_share(&self, h: &Held) -> Result<bool, PlanError> {
        let cap = h.value.checked_div_floor(h.bonus)?;
        Ok(cap >= self.debt || !cap.checked_div_floor(self.borrow_index)?.is_zero())
    }

    /// A repay is useful when it is at least `min(min_debt, need)`: a candidate whose holding
    /// or room allows less (a dust holding, one unit of room) does not stop the search.
    pub fn useful(&self, p: &Partial) -> bool {
        p.tab >= self.params.min_debt.min(p.need)
    }
}

/// What the partial path decided.
pub(super) enum Outcome {
    /// A useful partial liquidation, or a transfer to the backstop.
    Plan(LiquidationPlan),
    /// No useful auction fits the room and the backstop took no part: what happens unless
    /// the position moves whole (a partial auction below the useful size, or the refusal).
    Throttled(Result<LiquidationPlan, PlanError>),
    /// The whole-position path (toxic, or a dust account no candidate closes).
    Whole,
}

/// The partial path over `held` (in seizure order) at health factor `hf`: the first useful
/// candidate, else the fitting one with the largest repay (`Throttled`). `Whole`: the
/// whole-position path (toxic, or a dust account no candidate closes). Candidates that heal
/// the account but fit no room throttle it (`NoRoom`, else `TooSmall`).
pub(super) fn plan<Q: Quotes>(
    sizing: &Sizing,
    held: &[Held],
    hf: Decimal,
    quotes: &mut Q,
) -> Result<Outcome, Q::Error> {
    let mut best: Option<(&Held, Partial)> = None;
    let (mut any, mut no_room, mut most_room, mut too_small) =
        (false, String::new(), Uint128::zero(), false);
    let candidates = held.iter().filter(|h| h.active && h.factor < hf);
    for h in candidates {
        // A holding whose whole seizure repays less than one debt share heals nothing: it is
        // no candidate (the account is toxic without it).
        if !sizing.repays_a_share(h)? {
            continue;
        }
        any = true;
        let Ok(sized) = sizing.before_room(h)? else {
            continue;
        };
        match sizing.fit(h, sized, quotes.room(&h.denom)?.room)? {
            Ok(part) if sizing.useful(&part) => {
                best = Some((h, part));
                break;
            }
            Ok(part) => {
                if best.as_ref().is_none_or(|(_, b)| part.tab > b.tab) {
                    best = Some((h, part));
                }
            }
            Err(Miss::NoRoom(r)) => {
                if !no_room.is_empty() {
                    no_room.push(',');
                }
                no_room.push_str(&h.denom);
                most_room = most_room.max(r);
            }
            Err(_) => too_small = true,
        }
    }
    let useful = best.as_ref().is_some_and(|(_, p)| sizing.useful(p));
    let throttled = !no_room.is_empty() || best.is_some();
    if !useful && throttled && sizing.params.when_throttled == WhenThrottled::Transfer {
        if let Some(plan) = super::transfer::plan(sizing, held, hf, quotes)? {
            return Ok(Outcome::Plan(plan));
        }
    }
    if let Some((h, part)) = best {
        let plan = LiquidationPlan::Partial {
            full: part.tab == sizing.debt,
            bonus: h
                .bonus
                .checked_sub(Decimal::one())
                .map_err(PlanError::from)?,
            lot: Lot {
                denom: h.denom.clone(),
                amount: part.lot,
                tab: part.tab,
            },
            burned: part.burned,
        };
        return Ok(if useful {
            Outcome::Plan(plan)
        } else {
            Outcome::Throttled(Ok(plan))
        });
    }
    if any && !sizing.dust_account() {
        if !no_room.is_empty() {
            return Ok(Outcome::Throttled(Err(PlanError::NoRoom {
                denom: no_room,
                room: most_room,
            })));
        }
        if too_small {
            return Ok(Outcome::Throttled(Err(PlanError::TooSmall)));
        }
    }
    Ok(Outcome::Whole)
}
