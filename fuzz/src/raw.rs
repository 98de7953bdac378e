//! The input format of the raw-JSON targets: text, one message per line (at most
//! [`MAX_LINES`]), each line a short header then the JSON given byte for byte to the entry
//! point:
//!
//! ```text
//! <sender> <funds> <seconds> <json>        execute targets
//! <contract> <seconds> <json>              fuzz_queries
//! ```
//!
//! - `sender`: a name from [`crate::world::SENDER_NAMES`] (`owner`, `feeder0`, `borrower`,
//!   `keeper`, `stranger`, `market`, ...), a number (an index into that list, modulo), or any
//!   other word (a fresh, unfunded address derived from it);
//! - `funds`: `-` for none, else comma-separated coins `<amount><denom>` (`1000000uusdc`,
//!   `5uatom,7uusdc`); amounts may exceed `u128`. The harness mints them to the sender first;
//! - `seconds`: time that passes before the message (capped at ten years);
//! - `contract`: `oracle`, `market`, `liquidator`, `backstop` (or the first letter).
//!
//! A line whose header does not parse is skipped; a JSON that is no message of the contract
//! is refused by serde with a typed error (counted, not run).
use cosmwasm_std::{Coin, Uint256};
use std::str::FromStr;

/// Most lines (messages) one input runs.
pub const MAX_LINES: usize = 8;

/// One execute line.
#[derive(Debug, Clone)]
pub struct ExecLine<'a> {
    /// Sender token.
    pub sender: &'a str,
    /// Attached coins.
    pub funds: Vec<Coin>,
    /// Seconds that pass first.
    pub advance: u64,
    /// Whether the feeders refresh every price after `advance`.
    pub feed: bool,
    /// The message.
    pub json: &'a [u8],
}

/// One query line.
#[derive(Debug, Clone)]
pub struct QueryLine<'a> {
    /// Contract token.
    pub contract: &'a str,
    /// Seconds that pass first.
    pub advance: u64,
    /// The query.
    pub json: &'a [u8],
}

/// Splits `line` into `n` space-separated header tokens and the rest.
fn header(line: &[u8], n: usize) -> Option<(Vec<&str>, &[u8])> {
    let mut tokens = Vec::with_capacity(n);
    let mut rest = line;
    for _ in 0..n {
        let end = rest.iter().position(|b| *b == b' ')?;
        tokens.push(std::str::from_utf8(&rest[..end]).ok()?);
        rest = &rest[end + 1..];
    }
    Some((tokens, rest))
}

fn lines(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    data.split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .take(MAX_LINES)
}

/// Coins `<amount><denom>,...`, or `-` for none. `None` when a coin does not parse.
pub fn parse_funds(token: &str) -> Option<Vec<Coin>> {
    if token == "-" {
        return Some(vec![]);
    }
    token
        .split(',')
        .map(|c| {
            let split = c.find(|ch: char| !ch.is_ascii_digit())?;
            let (amount, denom) = c.split_at(split);
            let amount = Uint256::from_str(amount).ok()?;
            Some(Coin::new(amount, denom))
        })
        .collect()
}

/// The execute lines of an input.
pub fn exec_lines(data: &[u8]) -> Vec<ExecLine<'_>> {
    lines(data)
        .filter_map(|line| {
            let (t, json) = header(line, 3)?;
            let (secs, feed) = match t[2].strip_suffix('f') {
                Some(secs) => (secs, true),
                None => (t[2], false),
            };
            Some(ExecLine {
                sender: t[0],
                funds: parse_funds(t[1])?,
                advance: secs.parse().ok()?,
                feed,
                json,
            })
        })
        .collect()
}

/// The query lines of an input.
pub fn query_lines(data: &[u8]) -> Vec<QueryLine<'_>> {
    lines(data)
        .filter_map(|line| {
            let (t, json) = header(line, 2)?;
            Some(QueryLine {
                contract: t[0],
                advance: t[1].parse().ok()?,
                json,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_headers_and_skips_broken_lines() {
        let data = b"lender 1000uusdc,5uatom 0 {\"supply\":{}}\nbroken\nkeeper - 60 {}\n";
        let l = exec_lines(data);
        assert_eq!(l.len(), 2);
        assert_eq!(l[0].sender, "lender");
        assert_eq!(l[0].funds.len(), 2);
        assert_eq!(l[0].json, b"{\"supply\":{}}");
        assert_eq!(l[1].advance, 60);
        assert!(!l[1].feed);
        assert!(exec_lines(b"keeper - 60f {}")[0].feed);
        assert!(l[1].funds.is_empty());
        let q = query_lines(b"market 5 {\"state\":{}}");
        assert_eq!((q[0].contract, q[0].advance), ("market", 5));
    }
}
