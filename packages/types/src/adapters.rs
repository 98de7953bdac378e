//! Typed wrappers for cross-contract calls.
//!
//! For each contract, an unchecked wrapper (`OracleUnchecked`, `MarketUnchecked`, ...) holds a
//! raw string from a message; `check(api)` validates it into the checked wrapper
//! (`OracleContract`, ...), which knows how to query and call the contract with exactly the
//! messages defined in this crate. A checked wrapper serializes as the bare address, so a
//! stored `Addr` field can become one without a migration.
//!
//! Queries a contract acts on deserialize into lean views (`PriceView`, `MarketStateView`,
//! `AuctionView`, ...) that skip the fields it does not read: every field of a response type
//! the contract deserializes costs code in its wasm.
use crate::backstop::AbsorbQuoteResponse;
use crate::liquidator::{
    ExecuteMsg as LiquidatorMsg, FlashCallback, FlashReceiverMsg, QueryMsg as LiquidatorQuery,
    Seller,
};
use crate::market::{ExecuteMsg as MarketMsg, QueryMsg as MarketQuery};
use crate::oracle::{BelowTwap, OracleStatus, PriceResponse};
use cosmwasm_schema::cw_serde;
use cosmwasm_std::{from_json, BankQuery, Decimal, Empty, Uint128, Uint256, WasmMsg};
use cosmwasm_std::{to_json_binary, Addr, Api, Coin, CosmosMsg, QuerierWrapper, StdResult};
use cw_storage_plus::Map;
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize};

/// Declares a contract's unchecked and checked address wrappers.
macro_rules! contract_ref {
    ($(#[$udoc:meta])* $unchecked:ident => $(#[$cdoc:meta])* $checked:ident) => {
        $(#[$udoc])*
        #[cw_serde]
        pub struct $unchecked(pub String);

        impl $unchecked {
            /// Validates the address.
            pub fn check(&self, api: &dyn Api) -> StdResult<$checked> {
                Ok($checked(api.addr_validate(&self.0)?))
            }
        }

        $(#[$cdoc])*
        #[cw_serde]
        pub struct $checked(pub Addr);

        impl $checked {
            /// The contract address.
            pub fn addr(&self) -> &Addr {
                &self.0
            }
        }
    };
}

/// One variant of a message enum, serialized as the enum would serialize it (`{"name":
/// payload}`), without linking the enum's serializer for all its variants: a contract that
/// sends one message of another contract then carries the code for that message only.
struct Variant<T>(&'static str, T);

impl<T: Serialize> Serialize for Variant<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(1))?;
        m.serialize_entry(self.0, &self.1)?;
        m.end()
    }
}

/// `msg` executed on `contract` with `funds`.
fn execute<T: serde::Serialize>(
    contract: &Addr,
    msg: &T,
    funds: Vec<Coin>,
) -> StdResult<CosmosMsg> {
    Ok(WasmMsg::Execute {
        contract_addr: contract.to_string(),
        msg: to_json_binary(msg)?,
        funds,
    }
    .into())
}

/// `address`'s bank balance of `denom`: the query `QuerierWrapper::query_balance` sends, with
/// only the amount read from the answer (cosmwasm-std's `BalanceResponse` and its derived
/// deserializer cost every contract that calls `query_balance` about 1.8 KB of wasm).
pub fn query_balance_amount(
    querier: &QuerierWrapper,
    address: impl Into<String>,
    denom: impl Into<String>,
) -> StdResult<Uint256> {
    crate::cw_serde_struct! {
        @de
        struct Balance {
            amount: Amount,
        }
    }
    crate::cw_serde_struct! {
        @de
        struct Amount {
            amount: Uint256,
        }
    }
    let request = BankQuery::Balance {
        address: address.into(),
        denom: denom.into(),
    }
    .into();
    let balance: Balance = querier.query(&request)?;
    Ok(balance.amount.amount)
}

contract_ref!(
    /// An oracle address as received in a message.
    OracleUnchecked =>
    /// A validated oracle contract.
    OracleContract
);
contract_ref!(
    /// A market address as received in a message.
    MarketUnchecked =>
    /// A validated market contract.
    MarketContract
);
contract_ref!(
    /// A liquidator address as received in a message.
    LiquidatorUnchecked =>
    /// A validated liquidator contract.
    LiquidatorContract
);
contract_ref!(
    /// A backstop address as received in a message.
    BackstopUnchecked =>
    /// A validated backstop contract.
    BackstopContract
);
contract_ref!(
    /// A flash-bid receiver address as received in a message.
    FlashReceiverUnchecked =>
    /// A validated flash-bid receiver (any contract accepting [`FlashReceiverMsg`]).
    FlashReceiverContract
);

impl OracleContract {
    /// The fields of `denom`'s price record a contract acts on (see [`PriceView`]).
    pub fn query_price_view(&self, querier: &QuerierWrapper, denom: &str) -> StdResult<PriceView> {
        querier.query_wasm_smart(&self.0, &price(denom))
    }

    /// What the liquidator's caps read from the oracle's record of `denom` at `now` (the
    /// measured depth in force, what [`PriceView::depth`] reports, and the median's streak
    /// under its TWAP, `PriceResponse::below_twap`), read raw from the asset's status record: no contract
    /// call, so a caller that needs only these does not pay for a price query.
    pub fn query_gauge(
        &self,
        querier: &QuerierWrapper,
        denom: &str,
        now: u64,
    ) -> StdResult<OracleGauge> {
        crate::cw_serde_struct! {
            @de
            struct Lean {}
            defaults {
                depth: Option<LeanDepth>,
                below_twap: Option<BelowTwap>,
            }
        }
        crate::cw_serde_struct! {
            @de
            struct LeanDepth {
                depth: Uint128,
                fresh_until: u64,
            }
        }
        let key = Map::<&str, Empty>::new(crate::oracle::STATUS_NAMESPACE).key(denom);
        let Some(raw) = querier.query_wasm_raw(self.0.as_str(), key.to_vec())? else {
            return Ok(OracleGauge::default());
        };
        let record: Lean = from_json(raw)?;
        Ok(OracleGauge {
            depth: record
                .depth
                .filter(|d| now <= d.fresh_until)
                .map(|d| d.depth),
            below_twap: record.below_twap,
            book_holds: false,
            ceiling: None,
        })
    }

    /// The full price record of `denom` (median, TWAP, volatility, status, feeders).
    pub fn query_price(&self, querier: &QuerierWrapper, denom: &str) -> StdResult<PriceResponse> {
        querier.query_wasm_smart(&self.0, &price(denom))
    }
}

fn price(denom: &str) -> impl Serialize + '_ {
    #[derive(Serialize)]
    struct Price<'a> {
        denom: &'a str,
    }
    Variant("price", Price { denom })
}

/// What the liquidator's caps and curves read from the oracle besides a [`PriceView`]
/// ([`OracleContract::query_gauge`]): the measured depth in force (`None` while no quorum of
/// fresh reports carries one) and the median's streak under its TWAP. The streak is not in
/// [`PriceView`]: the market and the backstop, which read that view, do not act on it, and
/// its reader would cost them wasm size.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct OracleGauge {
    /// Market depth measured by the feeders, while fresh (base value per 1% move).
    pub depth: Option<Uint128>,
    /// The median's streak at least its `fall_band` under its TWAP (`None`: not now).
    pub below_twap: Option<BelowTwap>,
    /// Whether the book holds in the fall: set by the liquidator from the ceiling it reads
    /// for a collateral whose slide rule has `deep` ([`Slide::book_holds`]); false as read
    /// from the oracle.
    ///
    /// [`Slide::book_holds`]: crate::liquidator::Slide::book_holds
    pub book_holds: bool,
    /// The market's configured depth of the collateral, once the liquidator has read it to
    /// judge the book (`None` as read from the oracle): the cap reads it from here instead of
    /// asking the market again.
    pub ceiling: Option<Uint128>,
}

crate::cw_serde_struct! {
    @de
    /// The part of the oracle's [`PriceResponse`] that contracts act on. It skips the feeder
    /// lists and other fields when deserializing, which keeps the contracts' wasm small.
    #[derive(Debug, Clone, PartialEq)]
    pub struct PriceView {
        /// Median of the agreeing fresh submissions.
        pub median: Decimal,
        /// Time-weighted average of the median over the window.
        pub twap: Decimal,
        /// Annualized realized volatility.
        pub volatility: Decimal,
        /// Status at query time.
        pub status: OracleStatus,
    }
    defaults {
        /// Market depth measured by the feeders, while fresh (base value per 1% move).
        pub depth: Option<Uint128>,
    }
}

impl MarketContract {
    /// `RepayBackstopDebt {}` with `amount` of the base attached.
    pub fn repay_backstop_debt(&self, amount: Coin) -> StdResult<CosmosMsg> {
        #[derive(Serialize)]
        struct RepayBackstopDebt {}
        execute(
            &self.0,
            &Variant("repay_backstop_debt", RepayBackstopDebt {}),
            vec![amount],
        )
    }

    /// The fields of the market's `State {}` another contract acts on (see [`MarketStateView`]).
    pub fn query_state_view(&self, querier: &QuerierWrapper) -> StdResult<MarketStateView> {
        querier.query_wasm_smart(&self.0, &MarketQuery::State {})
    }

    /// The configured market depth of collateral `denom` (its `Collateral {}` params), base
    /// units per 1% price move.
    pub fn query_collateral_depth(
        &self,
        querier: &QuerierWrapper,
        denom: &str,
    ) -> StdResult<Uint128> {
        crate::cw_serde_struct! {
            @de
            struct Lean {
                params: LeanParams,
            }
        }
        crate::cw_serde_struct! {
            @de
            struct LeanParams {
                depth: Uint128,
            }
        }
        let c: Lean = querier.query_wasm_smart(
            &self.0,
            &MarketQuery::Collateral {
                denom: denom.to_string(),
            },
        )?;
        Ok(c.params.depth)
    }

    /// `AuctionProceeds { borrower, shortfall, denom }` with `funds` (proceeds and leftover
    /// lot) for an auction of `denom`.
    pub fn auction_proceeds(
        &self,
        borrower: &Addr,
        shortfall: Uint128,
        denom: &str,
        funds: Vec<Coin>,
    ) -> StdResult<CosmosMsg> {
        let msg = MarketMsg::AuctionProceeds {
            borrower: borrower.to_string(),
            shortfall,
            denom: Some(denom.to_string()),
        };
        execute(&self.0, &msg, funds)
    }

    /// `RewardKeeper { keeper, tab }`.
    pub fn reward_keeper(&self, keeper: &Addr, tab: Uint128) -> StdResult<CosmosMsg> {
        let msg = MarketMsg::RewardKeeper {
            keeper: keeper.to_string(),
            tab,
        };
        execute(&self.0, &msg, vec![])
    }
}

/// The part of the market's `StateResponse` that other contracts act on; the other fields are
/// skipped when deserializing.
#[derive(Deserialize, Debug, Clone, PartialEq)]
pub struct MarketStateView {
    /// Circuit-breaker level (0 normal, 1 no borrows, 2 no auctions, 3 no bids).
    pub breaker_level: u8,
    /// Reserves earmarked for the backstop and not yet paid (`SweepReserves`), base units.
    pub backstop_due: Uint128,
    /// What the market lent the backstop to cover bad debt, not yet repaid, base units
    /// (absent from a market that predates the field: nothing).
    #[serde(default)]
    pub backstop_debt: Uint128,
}

impl LiquidatorContract {
    /// `StartAuction { seller, tab, force }` with the lot attached.
    pub fn start_auction(
        &self,
        seller: Seller,
        tab: Uint128,
        force: bool,
        lot: Coin,
    ) -> StdResult<CosmosMsg> {
        #[derive(Serialize)]
        struct StartAuction {
            seller: Seller,
            tab: Uint128,
            force: bool,
        }
        let msg = Variant("start_auction", StartAuction { seller, tab, force });
        execute(&self.0, &msg, vec![lot])
    }

    /// `Bid { auction_id, max_collateral, max_price, callback }` with `funds` attached.
    pub fn bid(
        &self,
        auction_id: u64,
        max_collateral: Uint128,
        max_price: Decimal,
        callback: Option<FlashCallback>,
        funds: Vec<Coin>,
    ) -> StdResult<CosmosMsg> {
        let msg = LiquidatorMsg::Bid {
            auction_id,
            max_collateral,
            max_price,
            callback,
        };
        execute(&self.0, &msg, funds)
    }

    /// `FinishFlash {}` (the liquidator sends it to itself).
    pub fn finish_flash(&self) -> StdResult<CosmosMsg> {
        execute(&self.0, &LiquidatorMsg::FinishFlash {}, vec![])
    }

    /// Whether the liquidator has auction parameters for `denom`, i.e. can auction it: a raw
    /// read of its storage, no contract call.
    pub fn auctions(&self, querier: &QuerierWrapper, denom: &str) -> StdResult<bool> {
        let key = Map::<&str, Empty>::new(crate::liquidator::AUCTION_PARAMS_NAMESPACE).key(denom);
        Ok(querier
            .query_wasm_raw(self.0.as_str(), key.to_vec())?
            .is_some())
    }

    /// Room under the caps for a new auction of `denom` (`Room {}.room`).
    pub fn query_room(&self, querier: &QuerierWrapper, denom: &str) -> StdResult<Uint128> {
        crate::cw_serde_struct! {
            @de
            struct Lean {
                room: Uint128,
            }
        }
        let msg = LiquidatorQuery::Room {
            denom: denom.to_string(),
        };
        Ok(querier.query_wasm_smart::<Lean>(&self.0, &msg)?.room)
    }

    /// The caps for a new auction of `denom` as the liquidation planner reads them: the room
    /// for one auction and what the global cap leaves for all (`Room {}`).
    pub fn query_room_caps(
        &self,
        querier: &QuerierWrapper,
        denom: &str,
    ) -> StdResult<crate::liquidation::Room> {
        crate::cw_serde_struct! {
            @de
            struct Lean {
                room: Uint128,
                global_hole: Uint128,
                global_dirt: Uint128,
            }
        }
        #[derive(Serialize)]
        struct Room<'a> {
            denom: &'a str,
        }
        let r: Lean = querier.query_wasm_smart(&self.0, &Variant("room", Room { denom }))?;
        Ok(crate::liquidation::Room {
            room: r.room,
            global: r.global_hole.saturating_sub(r.global_dirt),
        })
    }

    /// Units of `denom` in the backstop's running resale auctions (`ResaleLot {}.lot`).
    pub fn query_resale_lot(&self, querier: &QuerierWrapper, denom: &str) -> StdResult<Uint128> {
        crate::cw_serde_struct! {
            @de
            struct Lean {
                lot: Uint128,
            }
        }
        let msg = LiquidatorQuery::ResaleLot {
            denom: denom.to_string(),
        };
        Ok(querier.query_wasm_smart::<Lean>(&self.0, &msg)?.lot)
    }

    /// The fields of a running auction a bidder acts on (see [`AuctionView`]).
    pub fn query_auction_view(
        &self,
        querier: &QuerierWrapper,
        auction_id: u64,
    ) -> StdResult<AuctionView> {
        querier.query_wasm_smart(&self.0, &LiquidatorQuery::Auction { auction_id })
    }
}

/// The part of the liquidator's `AuctionResponse` a bidder acts on; the other fields are
/// skipped when deserializing.
#[derive(Deserialize, Debug, Clone, PartialEq)]
pub struct AuctionView {
    /// Who sells.
    pub seller: Seller,
    /// Collateral denom.
    pub denom: String,
    /// Collateral units left to sell.
    pub lot: Uint128,
    /// Base units still to raise (0 for a resale).
    pub tab: Uint128,
    /// Current price, never below `floor`.
    pub price: Decimal,
    /// Floor price now.
    pub floor: Decimal,
    /// Whether the curve has reached the floor.
    pub at_floor: bool,
}

/// The backstop's `AbsorbQuote` body (`halted` sent only when true, so the query is the one
/// older backstops parse).
#[derive(Serialize)]
struct AbsorbQuote {
    collateral: Vec<Coin>,
    debt: Uint128,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    halted: bool,
}

impl BackstopContract {
    /// `AbsorbQuote { collateral, debt, halted }` (`halted` sent only when true).
    pub fn query_absorb_quote(
        &self,
        querier: &QuerierWrapper,
        collateral: Vec<Coin>,
        debt: Uint128,
        halted: bool,
    ) -> StdResult<AbsorbQuoteResponse> {
        let msg = Variant(
            "absorb_quote",
            AbsorbQuote {
                collateral,
                debt,
                halted,
            },
        );
        querier.query_wasm_smart(&self.0, &msg)
    }

    /// `Absorb { borrower, pay, on_credit, halted }` with the position's collateral attached
    /// (`on_credit` sent only when positive, `halted` only when true).
    pub fn absorb(
        &self,
        borrower: &Addr,
        pay: Uint128,
        on_credit: Uint128,
        halted: bool,
        collateral: Vec<Coin>,
    ) -> StdResult<CosmosMsg> {
        #[derive(Serialize)]
        struct Absorb<'a> {
            borrower: &'a str,
            pay: Uint128,
            #[serde(skip_serializing_if = "Uint128::is_zero")]
            on_credit: Uint128,
            #[serde(skip_serializing_if = "std::ops::Not::not")]
            halted: bool,
        }
        let msg = Variant(
            "absorb",
            Absorb {
                borrower: borrower.as_str(),
                pay,
                on_credit,
                halted,
            },
        );
        execute(&self.0, &msg, collateral)
    }

    /// `CoverShortfall { amount }`.
    pub fn cover_shortfall(&self, amount: Uint128) -> StdResult<CosmosMsg> {
        #[derive(Serialize)]
        struct CoverShortfall {
            amount: Uint128,
        }
        let msg = Variant("cover_shortfall", CoverShortfall { amount });
        execute(&self.0, &msg, vec![])
    }

    /// `ProvisionReturned { amount }` (the market, when a toxic auction's provision comes back
    /// to the pool).
    pub fn provision_returned(&self, amount: Uint128) -> StdResult<CosmosMsg> {
        #[derive(Serialize)]
        struct ProvisionReturned {
            amount: Uint128,
        }
        let msg = Variant("provision_returned", ProvisionReturned { amount });
        execute(&self.0, &msg, vec![])
    }

    /// `ResaleProceeds { denom, sold }` with the bid's `proceeds` attached (the liquidator, when a
    /// bid buys from the pool's resale auction).
    pub fn resale_proceeds(
        &self,
        denom: &str,
        sold: Uint128,
        proceeds: Vec<Coin>,
    ) -> StdResult<CosmosMsg> {
        #[derive(Serialize)]
        struct ResaleProceeds<'a> {
            denom: &'a str,
            sold: Uint128,
        }
        let msg = Variant("resale_proceeds", ResaleProceeds { denom, sold });
        execute(&self.0, &msg, proceeds)
    }

    /// `FloorBidSettled { denom, base_before, units_before }` (the backstop sends it to itself
    /// after its floor bid).
    pub fn floor_bid_settled(
        &self,
        denom: &str,
        base_before: Uint128,
        units_before: Uint128,
    ) -> StdResult<CosmosMsg> {
        #[derive(Serialize)]
        struct FloorBidSettled<'a> {
            denom: &'a str,
            base_before: Uint128,
            units_before: Uint128,
        }
        let msg = FloorBidSettled {
            denom,
            base_before,
            units_before,
        };
        execute(&self.0, &Variant("floor_bid_settled", msg), vec![])
    }

    /// The pool's value (its `Pool {}` total value: base, collateral at the median and what
    /// the market owes it), base units.
    pub fn query_pool_value(&self, querier: &QuerierWrapper) -> StdResult<Uint128> {
        crate::cw_serde_struct! {
            @de
            struct Lean {
                total_value: Uint128,
            }
        }
        #[derive(Serialize)]
        struct Pool {}
        let p: Lean = querier.query_wasm_smart(&self.0, &Variant("pool", Pool {}))?;
        Ok(p.total_value)
    }

    /// `Fund {}` with `amount` attached.
    pub fn fund(&self, amount: Coin) -> StdResult<CosmosMsg> {
        #[derive(Serialize)]
        struct Fund {}
        execute(&self.0, &Variant("fund", Fund {}), vec![amount])
    }
}

impl FlashReceiverContract {
    /// The flash callback: the receiver holds the lot and must pay within the transaction.
    pub fn breakwater_flash(&self, msg: &FlashReceiverMsg) -> StdResult<CosmosMsg> {
        execute(&self.0, msg, vec![])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backstop::{ExecuteMsg as BackstopMsg, QueryMsg as BackstopQuery};
    use crate::oracle::QueryMsg as OracleQuery;
    use cosmwasm_std::{coin, to_json_string};

    /// The lean single-variant messages serialize exactly as their enums do.
    #[test]
    fn single_variant_messages_serialize_as_their_enums() {
        let same = |lean: &dyn erased::Json, full: String| assert_eq!(lean.json(), full);
        same(
            &price("uatom"),
            to_json_string(&OracleQuery::Price {
                denom: "uatom".into(),
            })
            .unwrap(),
        );
        #[derive(Serialize)]
        struct Room<'a> {
            denom: &'a str,
        }
        same(
            &Variant("room", Room { denom: "uatom" }),
            to_json_string(&LiquidatorQuery::Room {
                denom: "uatom".into(),
            })
            .unwrap(),
        );
        let liquidator = LiquidatorContract(Addr::unchecked("liq"));
        let backstop = BackstopContract(Addr::unchecked("bs"));
        let wasm = |m: CosmosMsg| match m {
            CosmosMsg::Wasm(WasmMsg::Execute { msg, .. }) => {
                String::from_utf8(msg.to_vec()).unwrap()
            }
            other => panic!("{other:?}"),
        };
        let seller = Seller::Liquidation {
            borrower: "b".into(),
        };
        let start = liquidator
            .start_auction(seller.clone(), Uint128::new(5), true, coin(1, "uatom"))
            .unwrap();
        let full = LiquidatorMsg::StartAuction {
            seller,
            tab: Uint128::new(5),
            force: true,
        };
        assert_eq!(wasm(start), to_json_string(&full).unwrap());
        for (halted, lent) in [(false, 0), (true, 0), (false, 4), (true, 4)] {
            let on_credit = Uint128::new(lent);
            let absorb = backstop
                .absorb(
                    &Addr::unchecked("b"),
                    Uint128::new(7),
                    on_credit,
                    halted,
                    vec![],
                )
                .unwrap();
            let full = BackstopMsg::Absorb {
                borrower: "b".into(),
                pay: Uint128::new(7),
                on_credit,
                halted,
            };
            let (lean, full) = (wasm(absorb), to_json_string(&full).unwrap());
            // Without the flag and the loan the message is the one older backstops parse.
            assert_eq!(lean.contains("halted"), halted);
            assert_eq!(lean.contains("on_credit"), lent > 0);
            assert_eq!(
                cosmwasm_std::from_json::<BackstopMsg>(&lean).unwrap(),
                cosmwasm_std::from_json::<BackstopMsg>(&full).unwrap()
            );
        }
        let cover = backstop.cover_shortfall(Uint128::new(3)).unwrap();
        let full = BackstopMsg::CoverShortfall {
            amount: Uint128::new(3),
        };
        assert_eq!(wasm(cover), to_json_string(&full).unwrap());
        let fund = backstop.fund(coin(1, "uusdc")).unwrap();
        assert_eq!(wasm(fund), to_json_string(&BackstopMsg::Fund {}).unwrap());
        // The quote the adapter sends parses as the enum's, with and without `halted`.
        let coins = vec![coin(2, "uatom")];
        for halted in [false, true] {
            let lean = erased::Json::json(&Variant(
                "absorb_quote",
                AbsorbQuote {
                    collateral: coins.clone(),
                    debt: Uint128::new(9),
                    halted,
                },
            ));
            assert_eq!(lean.contains("halted"), halted);
            let full = BackstopQuery::AbsorbQuote {
                collateral: coins.clone(),
                debt: Uint128::new(9),
                halted,
            };
            assert_eq!(
                cosmwasm_std::from_json::<BackstopQuery>(&lean).unwrap(),
                full
            );
        }
    }

    mod erased {
        /// Anything serializable, as JSON text.
        pub trait Json {
            fn json(&self) -> String;
        }
        impl<T: serde::Serialize> Json for T {
            fn json(&self) -> String {
                cosmwasm_std::to_json_string(self).unwrap()
            }
        }
    }
}
