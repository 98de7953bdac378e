//! Transfer before sale: a partial absorb of one holding when the liquidator has no room for
//! a useful auction (see the parent module).
use super::partial::{repay_to_target, Held, Sizing};
use super::whole::absorb_lots;
use super::{LiquidationPlan, Lot, PlanError, Quotes};
use cosmwasm_std::{coin, Decimal, Uint128};

/// `LT / (1 − δ)` rounded up: the liquidation value an absorb at discount `δ` removes per unit
/// of debt it repays (rounding up asks a larger repay of the closed form, never a smaller one).
pub fn absorb_factor(lt: Decimal, discount: Decimal) -> Result<Decimal, PlanError> {
    let keep = Decimal::one().checked_sub(discount)?;
    let f = lt.checked_div(keep).map_err(|_| PlanError::TooSmall)?;
    Ok(if f.checked_mul(keep)? < lt {
        f.checked_add(Decimal::new(Uint128::one()))?
    } else {
        f
    })
}

/// Debt shares a repay of `tab` burns: all of them when it closes the debt, else
/// `floor(tab / index)`; `None` when that is none.
fn burned_for(sizing: &Sizing, tab: Uint128) -> Result<Option<Uint128>, PlanError> {
    let burned = if tab == sizing.debt {
        sizing.debt_shares
    } else {
        tab.checked_div_floor(sizing.borrow_index)?
    };
    Ok((!burned.is_zero()).then_some(burned))
}

/// The first active holding of `held` (in seizure order) with `f = LT / (1 − δ) < hf` whose
/// transfer the pool can pay and that is useful: `R = repay_to_target` with that factor (the
/// whole debt when less than `min_debt` would be left), the least lot that covers it at the
/// discount ([`absorb_lots`]), within the pool's base. `None`: nothing the pool can take.
pub(super) fn plan<Q: Quotes>(
    sizing: &Sizing,
    held: &[Held],
    hf: Decimal,
    quotes: &mut Q,
) -> Result<Option<LiquidationPlan>, Q::Error> {
    let d = sizing.debt;
    for h in held.iter().filter(|h| h.active && !h.value.is_zero()) {
        let quote = quotes.absorb_quote(vec![coin(h.amount.u128(), &h.denom)], d, false)?;
        if quote.pay.is_zero() || quote.available.is_zero() {
            continue;
        }
        let f = absorb_factor(h.threshold, quote.discount)?;
        if f >= hf {
            continue;
        }
        let need = repay_to_target(
            d,
            sizing.liquidation_value,
            sizing.params.target_health_factor,
            f,
        )?;
        let mut tab = need;
        if d.checked_sub(tab).map_err(PlanError::from)? < sizing.params.min_debt {
            tab = d;
        }
        let Some(lot) = absorb_lots(std::slice::from_ref(h), tab, quote.discount)? else {
            continue;
        };
        let Some(&amount) = lot.first() else {
            continue;
        };
        if tab > quote.available || amount.is_zero() || tab < sizing.params.min_debt.min(need) {
            continue;
        }
        let full = tab == d;
        let Some(burned) = burned_for(sizing, tab)? else {
            continue;
        };
        return Ok(Some(LiquidationPlan::PartialAbsorb {
            lot: Lot {
                denom: h.denom.clone(),
                amount,
                tab,
            },
            burned,
            full,
        }));
    }
    Ok(None)
}
