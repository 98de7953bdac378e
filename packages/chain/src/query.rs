//! Paging through the contracts' list queries, sized for wasmd's smart-query gas cap
//! (3,000,000 by default): the market's accounts, the liquidator's auctions, the oracle's
//! prices.
use crate::client::{Client, TxError};
use crate::deploy::Deployment;
use breakwater_types::liquidator::{self, AuctionResponse, AuctionsResponse};
use breakwater_types::market::{AccountSummary, AccountsResponse, QueryMsg};
use breakwater_types::oracle::{self, PricesResponse};
use cosmwasm_std::Decimal;
use std::collections::BTreeMap;

/// Pages through `market`'s accounts in `(start, end]` (`end = None`: to the last).
async fn fetch_range(
    client: &Client,
    market: &str,
    start: Option<String>,
    end: Option<String>,
    limit: u32,
) -> Result<Vec<AccountSummary>, TxError> {
    let mut out = vec![];
    let mut after = start;
    loop {
        let page: AccountsResponse = client
            .query(
                market,
                &QueryMsg::Accounts {
                    start_after: after.clone(),
                    limit: Some(limit),
                },
            )
            .await?;
        let full = page.accounts.len() as u32 >= limit;
        let mut reached_end = false;
        for a in page.accounts {
            if end.as_ref().is_some_and(|e| a.address > *e) {
                reached_end = true;
                break;
            }
            out.push(a);
        }
        if !full || reached_end {
            return Ok(out);
        }
        let last = out.last().map(|a| a.address.clone());
        if last.is_none() || last == end {
            return Ok(out);
        }
        after = last;
    }
}

/// Scans every account; remembers page boundaries so the next scan runs its pages at once.
#[derive(Debug, Default)]
pub struct Scanner {
    boundaries: Vec<String>,
}

impl Scanner {
    /// Every account of the market, sorted by address.
    pub async fn scan(
        &mut self,
        client: &Client,
        market: &str,
        limit: u32,
        concurrency: usize,
    ) -> Result<Vec<AccountSummary>, TxError> {
        let limit = limit.clamp(1, 100);
        let mut starts: Vec<Option<String>> = vec![None];
        starts.extend(self.boundaries.iter().cloned().map(Some));
        let ranges: Vec<(Option<String>, Option<String>)> = starts
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), starts.get(i + 1).cloned().flatten()))
            .collect();
        let mut all = vec![];
        for chunk in ranges.chunks(concurrency.max(1)) {
            let pages = futures::future::join_all(
                chunk
                    .iter()
                    .map(|(s, e)| fetch_range(client, market, s.clone(), e.clone(), limit)),
            )
            .await;
            for p in pages {
                all.extend(p?);
            }
        }
        all.sort_by(|a, b| a.address.cmp(&b.address));
        all.dedup_by(|a, b| a.address == b.address);
        self.boundaries = all
            .iter()
            .skip(limit as usize - 1)
            .step_by(limit as usize)
            .map(|a| a.address.clone())
            .collect();
        Ok(all)
    }
}

/// Every account of the market (sorted by address).
pub async fn all_accounts(client: &Client, d: &Deployment) -> Result<Vec<AccountSummary>, TxError> {
    Scanner::default().scan(client, &d.market, 50, 4).await
}

/// Auctions per query page: pricing an auction reads the oracle, and a page of 100 exceeds
/// wasmd's default smart-query gas limit (3,000,000).
pub const AUCTION_PAGE: u32 = 20;

/// Every running auction.
pub async fn all_auctions(client: &Client, liq: &str) -> Result<Vec<AuctionResponse>, TxError> {
    let mut out: Vec<AuctionResponse> = vec![];
    loop {
        let page: AuctionsResponse = client
            .query(
                liq,
                &liquidator::QueryMsg::Auctions {
                    denom: None,
                    start_after: out.last().map(|a| a.id),
                    limit: Some(AUCTION_PAGE),
                },
            )
            .await?;
        let n = page.auctions.len();
        out.extend(page.auctions);
        if n < AUCTION_PAGE as usize {
            return Ok(out);
        }
    }
}

/// The oracle's medians of every asset.
pub async fn prices(client: &Client, oracle: &str) -> Result<BTreeMap<String, Decimal>, TxError> {
    let mut out = BTreeMap::new();
    loop {
        let page: PricesResponse = client
            .query(
                oracle,
                &oracle::QueryMsg::Prices {
                    start_after: out.keys().next_back().cloned(),
                    limit: Some(30),
                },
            )
            .await?;
        let n = page.prices.len();
        out.extend(page.prices.into_iter().map(|p| (p.denom, p.median)));
        if n < 30 {
            return Ok(out);
        }
    }
}
