//! Applying a [`LiquidationPlan`]: storage writes, messages and events only. Every decision
//! was taken by the planner; here the debt shares are burned, collateral leaves the account,
//! the auctions and the absorb are sent, bad debt and provisions go through the waterfall, the
//! keeper is paid, and the `liquidate` event reports it.
use super::settle::{cover_bad_debt, keeper_reward, pay, provision, BackstopFunds};
use crate::error::ContractError;
use crate::redistribution::distribute;
use crate::state::{
    save_account, Account, AuctionBook, Liquidation, MarketState, AUCTION_BOOKS, COLLATERALS, STATE,
};
use breakwater_types::liquidation::{LiquidationPlan, Lot, Planned};
use breakwater_types::liquidator::Seller;
use cosmwasm_std::{coin, Addr, Event, Response, Storage, Uint128};

/// The mutable context of one liquidation.
pub struct Ctx<'a> {
    /// The liquidation set-up.
    pub liq: &'a Liquidation,
    /// The liquidated account's address.
    pub borrower: Addr,
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
    /// What the market may still lend the backstop for this liquidation's bad debt (see
    /// [`super::settle::backstop_credit`]; zero unless the plan's loss exceeds the pool's base).
    pub credit: Uint128,
}

impl<'a> Ctx<'a> {
    /// A context with nothing done yet.
    pub fn new(
        liq: &'a Liquidation,
        borrower: Addr,
        state: MarketState,
        account: Account,
        book: AuctionBook,
        credit: Uint128,
    ) -> Self {
        Ctx {
            liq,
            borrower,
            state,
            account,
            book,
            res: Response::new(),
            denoms: String::new(),
            lots: String::new(),
            credit,
        }
    }

    /// The backstop's funds for a cover: `base` (the plan's reading of its balance) and the
    /// credit left.
    fn funds(&self, base: Uint128) -> BackstopFunds {
        BackstopFunds {
            base,
            credit: self.credit,
        }
    }

    /// Takes `lot` of `denom` out of the account and the collateral's totals.
    fn seize(
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
    fn burn(&mut self, shares: Uint128) -> Result<(), ContractError> {
        self.account.debt_shares = self.account.debt_shares.checked_sub(shares)?;
        self.state.total_debt_shares = self.state.total_debt_shares.checked_sub(shares)?;
        Ok(())
    }

    /// Seizes `lot` and starts its auction.
    fn auction(
        &mut self,
        storage: &mut dyn Storage,
        lot: &Lot,
        force: bool,
    ) -> Result<(), ContractError> {
        self.seize(storage, &lot.denom, lot.amount)?;
        let seller = Seller::Liquidation {
            borrower: self.borrower.to_string(),
        };
        let msg = self.liq.liquidator.start_auction(
            seller,
            lot.tab,
            force,
            coin(lot.amount.u128(), &lot.denom),
        )?;
        self.res = std::mem::take(&mut self.res).add_message(msg);
        self.state.debt_in_auction = self.state.debt_in_auction.checked_add(lot.tab)?;
        self.book.in_auction = self.book.in_auction.checked_add(lot.tab)?;
        Ok(())
    }

    /// Gives `lot` and `shares` debt shares (already out of the account) to the other holders
    /// of its denom; the account's own holding left starts at the new accumulators.
    fn redistribute(
        &mut self,
        storage: &mut dyn Storage,
        lot: &Lot,
        shares: Uint128,
    ) -> Result<(), ContractError> {
        let kept = self
            .account
            .collateral(&lot.denom)
            .checked_sub(lot.amount)?;
        self.account.set_collateral(&lot.denom, kept);
        let r = distribute(storage, &lot.denom, lot.amount, shares, kept)?;
        self.account
            .set_snapshot(&lot.denom, r.coll_per_stake, r.debt_per_stake);
        self.res = std::mem::take(&mut self.res).add_event(
            Event::new("redistribution")
                .add_attribute("denom", &lot.denom)
                .add_attribute("amount", lot.amount)
                .add_attribute("debt", lot.tab)
                .add_attribute("debt_shares", shares)
                .add_attribute("coll_per_stake", r.coll_per_stake.to_string())
                .add_attribute("debt_per_stake", r.debt_per_stake.to_string()),
        );
        if !self.denoms.is_empty() {
            self.denoms.push(',');
            self.lots.push(',');
        }
        self.denoms.push_str(&lot.denom);
        self.lots.push_str(&lot.amount.to_string());
        Ok(())
    }

    /// Covers `bad` through the waterfall with `base` in the backstop.
    fn cover(&mut self, bad: Uint128, base: Uint128) -> Result<(), ContractError> {
        if !bad.is_zero() {
            let res = std::mem::take(&mut self.res);
            let mut funds = self.funds(base);
            self.res = cover_bad_debt(res, &mut self.state, self.liq, bad, &mut funds)?.0;
            self.credit = funds.credit;
        }
        Ok(())
    }
}

/// Applies `planned` for an account of debt `debt`, pays `keeper` its reward in `base_denom`,
/// saves the account, its auction book and the market totals, and returns the response.
pub fn apply(
    storage: &mut dyn Storage,
    mut ctx: Ctx,
    planned: &Planned,
    debt: Uint128,
    keeper: &Addr,
    base_denom: &str,
) -> Result<Response, ContractError> {
    let plan = &planned.plan;
    if let LiquidationPlan::Redistribute { burned, .. } = plan {
        // The shares stay outstanding: the recipients owe them.
        ctx.account.debt_shares = ctx.account.debt_shares.checked_sub(*burned)?;
    } else {
        ctx.burn(plan.burned())?;
    }
    match plan {
        LiquidationPlan::Partial { lot, .. } => ctx.auction(storage, lot, false)?,
        LiquidationPlan::Absorb {
            lots,
            tab,
            pay,
            on_credit,
            base,
            ..
        } => {
            if !lots.is_empty() {
                // The chain accepts funds only as coins sorted by denom: the account's
                // holdings are kept sorted, so take the lots in their order.
                let funds: Vec<_> = ctx
                    .account
                    .collaterals
                    .iter()
                    .filter_map(|(d, _)| lots.iter().find(|l| &l.denom == d))
                    .map(|l| coin(l.amount.u128(), &l.denom))
                    .collect();
                let halted = ctx.liq.params.wick.is_some();
                let msg =
                    ctx.liq
                        .backstop
                        .absorb(&ctx.borrower, *pay, *on_credit, halted, funds)?;
                ctx.res = std::mem::take(&mut ctx.res).add_message(msg);
            }
            for l in lots {
                ctx.seize(storage, &l.denom, l.amount)?;
            }
            ctx.state.cash = ctx.state.cash.checked_add(*pay)?;
            // The rest of the price: first what the market owes the pool (earmarked
            // reserves), then a loan to it, an asset of the market like its cover loans.
            let st = &mut ctx.state;
            let due = (*on_credit).min(st.backstop_due);
            st.backstop_due = st.backstop_due.checked_sub(due)?;
            st.reserves = st.reserves.checked_sub(due)?;
            st.backstop_debt = st.backstop_debt.checked_add(on_credit.checked_sub(due)?)?;
            ctx.cover(tab.checked_sub(*pay)?.checked_sub(*on_credit)?, *base)?;
        }
        LiquidationPlan::PartialAbsorb { lot, .. } => {
            let funds = vec![coin(lot.amount.u128(), &lot.denom)];
            let msg =
                ctx.liq
                    .backstop
                    .absorb(&ctx.borrower, lot.tab, Uint128::zero(), false, funds)?;
            ctx.res = std::mem::take(&mut ctx.res).add_message(msg);
            ctx.seize(storage, &lot.denom, lot.amount)?;
            ctx.state.cash = ctx.state.cash.checked_add(lot.tab)?;
        }
        LiquidationPlan::Auctions {
            lots,
            forced,
            provision: loss,
            base,
            ..
        } => {
            for l in lots {
                ctx.auction(storage, l, *forced)?;
            }
            if !loss.is_zero() {
                let res = std::mem::take(&mut ctx.res);
                let mut funds = ctx.funds(*base);
                ctx.res = provision(
                    res,
                    &mut ctx.state,
                    ctx.liq,
                    &mut ctx.book,
                    *loss,
                    &mut funds,
                )?;
                ctx.credit = funds.credit;
            }
        }
        LiquidationPlan::Redistribute {
            lots, shares, tab, ..
        } => {
            for (l, s) in lots.iter().zip(shares) {
                ctx.redistribute(storage, l, *s)?;
            }
            ctx.state.debt_redistributed = ctx.state.debt_redistributed.checked_add(*tab)?;
        }
        LiquidationPlan::WriteOff { tab, base, .. } => ctx.cover(*tab, *base)?,
    }

    let tab = plan.tab();
    let reward = keeper_reward(&mut ctx.state, &ctx.liq.params, tab)?;
    save_account(storage, &ctx.borrower, &ctx.account)?;
    if !ctx.book.in_auction.is_zero() {
        AUCTION_BOOKS.save(storage, &ctx.borrower, &ctx.book)?;
    }
    STATE.save(storage, &ctx.state)?;
    let mut res = std::mem::take(&mut ctx.res);
    if let LiquidationPlan::Partial { bonus, .. } = plan {
        res = res.add_attribute("bonus", bonus.to_string());
    }
    if let LiquidationPlan::Auctions { part: true, .. } = plan {
        res = res.add_attribute("part", "true");
    }
    if let LiquidationPlan::Absorb { on_credit, .. } = plan {
        if !on_credit.is_zero() {
            res = res.add_attribute("on_credit", on_credit.to_string());
        }
    }
    let res = res
        .add_attribute("action", "liquidate")
        .add_attribute("borrower", ctx.borrower.as_str())
        .add_attribute("keeper", keeper.as_str())
        .add_attribute("health_factor", planned.health_factor.to_string())
        .add_attribute("debt", debt)
        .add_attribute("mode", plan.mode())
        .add_attribute("denom", ctx.denoms)
        .add_attribute("lot", ctx.lots)
        .add_attribute("tab", tab)
        .add_attribute("hard_floor", planned.hard_floor.to_string())
        .add_attribute("keeper_reward", reward)
        .add_attribute("debt_in_auction", ctx.state.debt_in_auction);
    Ok(pay(res, keeper, reward, base_denom))
}
