//! The gas price: configured, read from the chain's fee market, and raised when a
//! transaction is refused for an insufficient fee.
use crate::config::GasPriceSource;
use cosmrs::proto::prost::Message;
use std::sync::Mutex;

/// `feemarket.feemarket.v1.GasPriceRequest`.
#[derive(Clone, PartialEq, Message)]
pub struct FeemarketGasPriceRequest {
    /// The fee denom.
    #[prost(string, tag = "1")]
    pub denom: String,
}

/// `cosmos.base.v1beta1.DecCoin` (the amount is a `LegacyDec`: an integer scaled by 10^18).
#[derive(Clone, PartialEq, Message)]
pub struct DecCoin {
    /// Denom.
    #[prost(string, tag = "1")]
    pub denom: String,
    /// Amount × 10^18, as a decimal integer string.
    #[prost(string, tag = "2")]
    pub amount: String,
}

/// `feemarket.feemarket.v1.GasPriceResponse`.
#[derive(Clone, PartialEq, Message)]
pub struct FeemarketGasPriceResponse {
    /// The price per gas unit.
    #[prost(message, optional, tag = "1")]
    pub price: Option<DecCoin>,
}

/// `osmosis.txfees.v1beta1.QueryEipBaseFeeRequest`.
#[derive(Clone, PartialEq, Message)]
pub struct OsmosisBaseFeeRequest {}

/// `osmosis.txfees.v1beta1.QueryEipBaseFeeResponse`.
#[derive(Clone, PartialEq, Message)]
pub struct OsmosisBaseFeeResponse {
    /// The base fee per gas unit, a `LegacyDec` (× 10^18 integer string).
    #[prost(string, tag = "1")]
    pub base_fee: String,
}

/// The ABCI path of Skip's fee-market gas price query.
pub const FEEMARKET_PATH: &str = "/feemarket.feemarket.v1.Query/GasPrice";
/// The ABCI path of Osmosis' EIP-1559 base fee query.
pub const OSMOSIS_PATH: &str = "/osmosis.txfees.v1beta1.Query/GetEipBaseFee";

/// A `LegacyDec` as protobuf carries it (the integer × 10^18, e.g. `"2500000000000000"` for
/// 0.0025); a string with a decimal point is read as a plain decimal.
pub fn parse_legacy_dec(s: &str) -> Option<f64> {
    let s = s.trim();
    if s.contains('.') {
        return s.parse().ok();
    }
    let v: f64 = s.parse().ok()?;
    Some(v / 1e18)
}

/// The amount required in `denom` quoted by an "insufficient fees" error, e.g.
/// `insufficient fees; got: 100ustake required: 2500ustake: insufficient fee`.
pub fn required_fee(log: &str, denom: &str) -> Option<u128> {
    let rest = &log[log.find("required:")? + "required:".len()..];
    rest.split([',', ' ', ':'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .find_map(|coin| {
            let amount = coin.strip_suffix(denom)?;
            // A DecCoin (fee markets quote e.g. `12.5untrn`): round up.
            amount.parse::<f64>().ok().map(|a| a.ceil() as u128)
        })
}

/// Whether a CheckTx refusal is about the fee (SDK code 13, or the message).
pub fn is_insufficient_fee(code: u32, log: &str) -> bool {
    code == 13 || log.contains("insufficient fee")
}

/// The price per gas unit in use, shared by every wallet of a client.
#[derive(Debug)]
pub struct GasPrice {
    /// Configured floor (and fixed price).
    pub floor: f64,
    /// Cap.
    pub max: f64,
    /// Factor on an insufficient-fee refusal.
    pub bump: f64,
    /// The source; `Auto` is resolved on first refresh.
    pub source: Mutex<GasPriceSource>,
    current: Mutex<f64>,
}

impl GasPrice {
    /// A price starting at `floor`.
    pub fn new(floor: f64, max: f64, bump: f64, source: GasPriceSource) -> Self {
        GasPrice {
            floor,
            max: max.max(floor),
            bump,
            source: Mutex::new(source),
            current: Mutex::new(floor),
        }
    }

    /// The price per gas unit now.
    pub fn get(&self) -> f64 {
        *self.current.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sets the price (kept within floor and cap); returns it.
    pub fn set(&self, p: f64) -> f64 {
        let p = if p.is_finite() { p } else { self.floor };
        let p = p.clamp(self.floor, self.max);
        *self.current.lock().unwrap_or_else(|e| e.into_inner()) = p;
        p
    }

    /// The fee of `gas_limit` at the current price, rounded up.
    pub fn fee(&self, gas_limit: u64) -> u128 {
        (gas_limit as f64 * self.get()).ceil() as u128
    }

    /// After a refusal of a transaction with `gas_limit` for an insufficient fee: the price
    /// the chain asked for (its quoted requirement, else the current price × `bump`), capped.
    /// `None` when already at the cap.
    pub fn bump_for(&self, gas_limit: u64, log: &str, denom: &str) -> Option<f64> {
        let now = self.get();
        if now >= self.max {
            return None;
        }
        let quoted = required_fee(log, denom)
            .filter(|_| gas_limit > 0)
            .map(|r| r as f64 / gas_limit as f64 * 1.000_001);
        let next = quoted.unwrap_or(0.0).max(now * self.bump);
        Some(self.set(next))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_decimals_are_scaled_by_ten_to_the_eighteen() {
        assert_eq!(parse_legacy_dec("2500000000000000"), Some(0.0025));
        assert_eq!(parse_legacy_dec("0.0053"), Some(0.0053));
        assert_eq!(parse_legacy_dec("x"), None);
    }

    #[test]
    fn the_required_fee_is_read_from_the_refusal() {
        let log = "insufficient fees; got: 1000ustake required: 2500ustake: insufficient fee";
        assert_eq!(required_fee(log, "ustake"), Some(2500));
        let multi = "insufficient fees; got: 1uatom required: 30uatom,2500ustake";
        assert_eq!(required_fee(multi, "ustake"), Some(2500));
        assert_eq!(
            required_fee("got: 1untrn required: 12.4untrn", "untrn"),
            Some(13)
        );
        assert_eq!(required_fee("out of gas", "ustake"), None);
        assert!(is_insufficient_fee(13, ""));
        assert!(!is_insufficient_fee(5, "insufficient funds"));
    }

    #[test]
    fn a_refusal_raises_the_price_to_what_the_chain_asks_within_the_cap() {
        let p = GasPrice::new(0.001, 0.01, 1.5, GasPriceSource::Fixed);
        // The chain wants 2,500 for 1,000,000 gas: 0.0025 per gas.
        let log = "insufficient fees; got: 1000ustake required: 2500ustake";
        let next = p.bump_for(1_000_000, log, "ustake").unwrap();
        assert!((0.0025..0.002501).contains(&next), "{next}");
        assert!(p.fee(1_000_000) >= 2500);
        // No quote: ×1.5.
        let next = p.bump_for(1_000_000, "insufficient fee", "ustake").unwrap();
        assert!((next - 0.00375).abs() < 1e-5, "{next}");
        // Capped, then no further bump.
        p.set(1.0);
        assert_eq!(p.get(), 0.01);
        assert_eq!(p.bump_for(1, "insufficient fee", "ustake"), None);
        // Never below the floor.
        assert_eq!(p.set(0.0), 0.001);
    }
}
