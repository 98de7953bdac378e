//! The external market of the collateral: where keepers dump won lots, where arbitrageurs buy,
//! and whose price the oracle feeders read.
//!
//! # State
//!
//! The realized price is the scenario's exogenous price times an endogenous impact factor:
//!
//! ```text
//! realized = exogenous · exp(e)
//! ```
//!
//! `e` is a signed log-price offset: sales push it down (`e < 0`, price below exogenous), buys
//! push it up. Time pulls it back toward 0 with the configured `recovery_half_life`
//! (`e ← e · 2^(−dt / half_life)`, arbitrage refilling the book). `e` is clamped to
//! `[ln(1e-9), ln(1e9)]`, so the realized price never reaches 0 however large the sale.
//!
//! `D` = [`DepthParams::depth_per_pct`], `m` = the scenario's `depth_mult`, `X` = the exogenous
//! price, `P0 = X·exp(e)` the realized price before a trade. The linear book and the pool are
//! anchored at the exogenous price (their shape is fixed relative to `X`, the endogenous state
//! says where on it the market stands), so a sale followed by buying back the proceeds returns
//! exactly the units sold; the square-root law is re-centred on `P0` at every trade.
//!
//! # Models and calibration
//!
//! All three are calibrated so that, with no endogenous impact and normal depth (`m = 1`), a
//! sale of base value `D` moves the price by (about) −1%: exactly for the linear book, −0.993%
//! for the pool, −0.995% for the square-root law.
//!
//! * [`DepthKind::LinearBook`] (Kyle lambda): a sale of value `Q = u·X` moves the price by
//!   `Q / (D·m)` percent of `X`: the price falls linearly in the units sold,
//!   `P1 = P0 − λ·u` with `λ = X² / (100·D·m)`, and execution is at the average of the pre- and
//!   post-trade prices, `received = u · (P0 + P1) / 2`. The book ends at the price floor
//!   (`1e-9 × X`); the part of a sale beyond it is filled at the floor. Buying mirrors it:
//!   `P1 = P0 + λ·u`, cost `u · (P0 + P1) / 2`.
//! * [`DepthKind::ConstantProduct`]: an `x · y = k` pool (no fee) whose base reserve at the
//!   exogenous price is `y_X = 200 · D · m`, so `k = y_X² / X`; at the realized price `P0` its
//!   reserves are `y = sqrt(k·P0) = y_X·sqrt(P0/X)` and `x = y / P0`. Calibration: the local
//!   slope matches, since for small trades `dP/P = −2·dQ/y`, so `y/200 = D·m` moves the price 1%.
//!   The value that moves the price exactly 10% is then `V10 = y · (1/√0.9 − 1) ≈ 10.82·D·m`
//!   (conversely a pool calibrated by "the volume that moves the price 10%" has
//!   `y = V10 / (1/√0.9 − 1)`, see [`cp_reserve_from_v10`]). depth_mult scales the reserves.
//!   Exact AMM formulas: selling `u` units returns `y·u / (x + u)` and moves the price to
//!   `P0 · (x / (x + u))²`; buying with value `v` returns `x·v / (y + v)` units and moves the
//!   price to `P0 · ((y + v) / y)²`.
//! * [`DepthKind::SquareRoot`]: the square-root law `dP/P = Y · σ · sqrt(Q / V)` with `Y = 1`,
//!   `σ = 5%` (daily volatility) and daily volume `V = (σ / 1%)² · D · m = 25 · D · m`, so a sale
//!   of `Q = D` gives an impact `I = 1%`; here `Q = u·P0`. `m` scales `V`, so depth withdrawn by
//!   `m` makes the same sale `1/√m` times worse. The impact is applied in log space,
//!   `P1 = P0 · exp(−I)`, `I = σ · sqrt(Q / V)` (identical to first order, never negative).
//!   Execution integrates the marginal price along the sale: with `S = I(Q)`,
//!   `received = u · P0 · 2 · (1 − (1 + S)·e^(−S)) / S²` (≈ `u·P0·(1 − 2S/3)`, the familiar
//!   "average impact is two thirds of the final impact"). Buys mirror it with `P0 · exp(+I)` and
//!   cost `u · P0 · 2 · (1 + (S − 1)·e^S) / S²` (solved for `u` numerically). Being concave, a
//!   sale followed by buying back the proceeds loses a little.
//!
//! [`ExternalMarket::depth_now`] returns the base value (at the realized price `P`) whose sale
//! moves the price exactly 1% right now: `D·m·(P/X)²` (linear),
//! `200·D·m·sqrt(P/X)·(1/√0.99 − 1) ≈ 1.0076·D·m·sqrt(P/X)` (pool),
//! `(ln(1/0.99)/σ)² · V ≈ 1.0202·D·m` (square root); all ≈ `D·m` without endogenous impact.
use crate::model::{DepthKind, DepthParams, ScenarioPoint};

/// Lowest realized price as a fraction of the exogenous price.
pub const PRICE_FLOOR_FRACTION: f64 = 1e-9;
/// Daily volatility σ used by the square-root model.
pub const SQRT_SIGMA: f64 = 0.05;
/// Smallest depth multiplier used (guards against a zero or negative `depth_mult`).
const MIN_DEPTH_MULT: f64 = 1e-12;

/// Base reserve `y` of a constant-product pool whose sale of `v10` (notional at the pool price)
/// moves the price exactly −10%: `y = v10 / (1/√0.9 − 1)` (≈ 18.49 · v10).
pub fn cp_reserve_from_v10(v10: f64) -> f64 {
    v10 / (1.0 / 0.9f64.sqrt() - 1.0)
}

/// The external market of one collateral: depth parameters plus the endogenous impact state.
#[derive(Debug, Clone, PartialEq)]
pub struct ExternalMarket {
    params: DepthParams,
    /// Signed log-price offset: realized = exogenous · exp(e).
    e: f64,
}

impl ExternalMarket {
    /// A market with no endogenous impact yet.
    pub fn new(params: DepthParams) -> Self {
        ExternalMarket { params, e: 0.0 }
    }

    /// The parameters.
    pub fn params(&self) -> &DepthParams {
        &self.params
    }

    /// Realized price now: exogenous price × endogenous impact factor `exp(e)` (≤ 1 after net
    /// selling).
    pub fn price(&self, point: &ScenarioPoint) -> f64 {
        point.price * self.e.exp()
    }

    /// Sell `units` of collateral now (point = current exogenous state, incl. depth_mult);
    /// returns the base value received (average execution price × units) and pushes the
    /// endogenous impact down according to the model (module docs), depth scaled by
    /// depth_mult. Non-positive or non-finite `units` do nothing and return 0.
    pub fn sell(&mut self, units: f64, point: &ScenarioPoint) -> f64 {
        if !(is_pos(units) && is_pos(point.price)) {
            return 0.0;
        }
        let p0 = self.price(point);
        let floor = point.price * PRICE_FLOOR_FRACTION;
        let m = mult(point);
        let d = self.params.depth_per_pct.max(f64::MIN_POSITIVE) * m;
        let (received, p1) = match self.params.kind {
            DepthKind::LinearBook => {
                let lambda = point.price * point.price / (100.0 * d);
                // Units the book absorbs before the price reaches the floor.
                let cap_units = ((p0 - floor) / lambda).max(0.0);
                let in_book = units.min(cap_units);
                let p1 = (p0 - lambda * in_book).max(floor);
                let rest = units - in_book;
                (in_book * (p0 + p1) / 2.0 + rest * floor.min(p0), p1)
            }
            DepthKind::ConstantProduct => {
                let y = cp_base_reserve(d, p0, point.price);
                let x = y / p0;
                let received = y * units / (x + units);
                let r = x / (x + units);
                (received, p0 * r * r)
            }
            DepthKind::SquareRoot => {
                let s = sqrt_impact(units * p0, d);
                (units * p0 * avg_factor_sell(s), p0 * (-s).exp())
            }
        };
        self.set_price(p1, point);
        received
    }

    /// Units whose sale now takes the realized price down to `target` (0 when it is already at
    /// or below it): the most a seller can sell with the marginal price staying at or above
    /// `target`. Linear book: `(P0 − target)/λ` (not below the book's floor); pool:
    /// `x·(sqrt(P0/target) − 1)`; square root: `V·(ln(P0/target)/σ)² / P0`.
    pub fn units_to_price(&self, target: f64, point: &ScenarioPoint) -> f64 {
        let p0 = self.price(point);
        if !(is_pos(target) && is_pos(point.price)) || target >= p0 {
            return 0.0;
        }
        let d = self.params.depth_per_pct.max(f64::MIN_POSITIVE) * mult(point);
        match self.params.kind {
            DepthKind::LinearBook => {
                let lambda = point.price * point.price / (100.0 * d);
                let floor = point.price * PRICE_FLOOR_FRACTION;
                (p0 - target.max(floor)) / lambda
            }
            DepthKind::ConstantProduct => {
                let x = cp_base_reserve(d, p0, point.price) / p0;
                x * ((p0 / target).sqrt() - 1.0)
            }
            DepthKind::SquareRoot => {
                let i = (p0 / target).ln();
                sqrt_volume(d) * (i / SQRT_SIGMA).powi(2) / p0
            }
        }
    }

    /// Base value a sale of `units` would receive now, without selling.
    pub fn quote_sell(&self, units: f64, point: &ScenarioPoint) -> f64 {
        self.clone().sell(units, point)
    }

    /// Buy `value` worth of base (arbitrage/keepers buying): mirror of [`sell`](Self::sell);
    /// returns the collateral units obtained and pushes the endogenous impact up. Non-positive
    /// or non-finite `value` does nothing and returns 0.
    pub fn buy(&mut self, value: f64, point: &ScenarioPoint) -> f64 {
        if !(is_pos(value) && is_pos(point.price)) {
            return 0.0;
        }
        let p0 = self.price(point);
        let m = mult(point);
        let d = self.params.depth_per_pct.max(f64::MIN_POSITIVE) * m;
        let (units, p1) = match self.params.kind {
            DepthKind::LinearBook => {
                // cost(u) = u·(P0 + λu/2) = value  →  (λ/2)·u² + P0·u − value = 0
                let lambda = point.price * point.price / (100.0 * d);
                let u = 2.0 * value / (p0 + (p0 * p0 + 2.0 * lambda * value).sqrt());
                (u, p0 + lambda * u)
            }
            DepthKind::ConstantProduct => {
                let y = cp_base_reserve(d, p0, point.price);
                let x = y / p0;
                let g = (y + value) / y;
                (x * value / (y + value), p0 * g * g)
            }
            DepthKind::SquareRoot => {
                // Solve u·P0·avg_factor_buy(I(u·P0)) = value by bisection on the notional q.
                let cost = |q: f64| q * avg_factor_buy(sqrt_impact(q, d));
                let (mut lo, mut hi) = (0.0, value);
                // cost(q) >= q, so q <= value; bisect in [0, value].
                for _ in 0..200 {
                    let mid = 0.5 * (lo + hi);
                    if cost(mid) > value {
                        hi = mid;
                    } else {
                        lo = mid;
                    }
                    if hi - lo <= 1e-15 * hi {
                        break;
                    }
                }
                let q = 0.5 * (lo + hi);
                (q / p0, p0 * sqrt_impact(q, d).exp())
            }
        };
        self.set_price(p1, point);
        units
    }

    /// Time passes: the endogenous offset decays toward 0 in log space,
    /// `e ← e · 2^(−dt / recovery_half_life)`. A half-life ≤ 0 recovers at once; an infinite
    /// one never recovers.
    pub fn advance(&mut self, dt: u64) {
        if dt == 0 {
            return;
        }
        let h = self.params.recovery_half_life;
        if h.is_nan() || h <= 0.0 {
            self.e = 0.0;
        } else if h.is_finite() {
            self.e *= 0.5f64.powf(dt as f64 / h);
        }
    }

    /// Base value (notional at the current price) whose sale moves the price exactly 1% right
    /// now: the model's local depth × depth_mult (module docs). Used for the spiral index `g`.
    pub fn depth_now(&self, point: &ScenarioPoint) -> f64 {
        let d = self.params.depth_per_pct * mult(point);
        let ratio = self.e.exp(); // P / X
        match self.params.kind {
            DepthKind::LinearBook => d * ratio * ratio,
            DepthKind::ConstantProduct => 200.0 * d * ratio.sqrt() * (1.0 / 0.99f64.sqrt() - 1.0),
            DepthKind::SquareRoot => {
                let v = sqrt_volume(d);
                let i = -(0.99f64.ln());
                (i / SQRT_SIGMA).powi(2) * v
            }
        }
    }

    /// Current endogenous impact as a fraction: `1 − exp(e)` (0.1 = price 10% below exogenous;
    /// negative when net buying lifted the price above it).
    pub fn impact(&self) -> f64 {
        1.0 - self.e.exp()
    }

    /// The raw log-price offset `e` (realized = exogenous · exp(e)).
    pub fn log_offset(&self) -> f64 {
        self.e
    }

    fn set_price(&mut self, p1: f64, point: &ScenarioPoint) {
        let lo = PRICE_FLOOR_FRACTION.ln();
        let e = (p1 / point.price).ln();
        self.e = if e.is_nan() { lo } else { e.clamp(lo, -lo) };
    }
}

fn is_pos(x: f64) -> bool {
    x.is_finite() && x > 0.0
}

fn mult(point: &ScenarioPoint) -> f64 {
    if point.depth_mult.is_finite() {
        point.depth_mult.max(MIN_DEPTH_MULT)
    } else {
        1.0
    }
}

/// Base reserve of the constant-product pool at realized price `p0`: `200·d·sqrt(p0 / x)` with
/// `d = D·m` and `x` the exogenous price (the pool holds `200·d` of base at the exogenous price).
fn cp_base_reserve(d: f64, p0: f64, x: f64) -> f64 {
    200.0 * d * (p0 / x).sqrt()
}

/// Daily volume `V = (σ / 1%)² · D·m` of the square-root model.
fn sqrt_volume(d: f64) -> f64 {
    (SQRT_SIGMA / 0.01).powi(2) * d
}

/// Square-root impact `I = σ · sqrt(Q / V)` of notional `q` at local depth `d` (= D·m).
fn sqrt_impact(q: f64, d: f64) -> f64 {
    SQRT_SIGMA * (q / sqrt_volume(d)).sqrt()
}

/// Average execution price / P0 for a sale whose final impact is `s`:
/// `(1/S²)·∫₀^S 2s·e^(−s) ds = 2(1 − (1+S)e^(−S))/S²`.
fn avg_factor_sell(s: f64) -> f64 {
    if s < 1e-3 {
        1.0 - 2.0 * s / 3.0 + s * s / 4.0
    } else {
        2.0 * (1.0 - (1.0 + s) * (-s).exp()) / (s * s)
    }
}

/// Average execution price / P0 for a buy whose final impact is `s`:
/// `2(1 + (S−1)e^S)/S²`.
fn avg_factor_buy(s: f64) -> f64 {
    if s < 1e-3 {
        1.0 + 2.0 * s / 3.0 + s * s / 4.0
    } else {
        2.0 * (1.0 + (s - 1.0) * s.exp()) / (s * s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: f64 = 1_000_000.0;
    const KINDS: [DepthKind; 3] = [
        DepthKind::LinearBook,
        DepthKind::ConstantProduct,
        DepthKind::SquareRoot,
    ];

    fn market(kind: DepthKind) -> ExternalMarket {
        ExternalMarket::new(DepthParams {
            kind,
            depth_per_pct: D,
            recovery_half_life: 3600.0,
        })
    }

    fn pt(price: f64, depth_mult: f64) -> ScenarioPoint {
        ScenarioPoint {
            time: 0,
            price,
            depth_mult,
            venue_price: None,
        }
    }

    /// Relative price move caused by selling notional `q` at price 10 and depth_mult `m`.
    fn move_of(kind: DepthKind, q: f64, m: f64) -> f64 {
        let mut mk = market(kind);
        let p = pt(10.0, m);
        mk.sell(q / 10.0, &p);
        mk.price(&p) / 10.0 - 1.0
    }

    #[test]
    fn sale_of_depth_moves_one_percent() {
        assert!((move_of(DepthKind::LinearBook, D, 1.0) + 0.01).abs() < 1e-12);
        assert!((move_of(DepthKind::ConstantProduct, D, 1.0) + 0.01).abs() < 1e-4);
        assert!((move_of(DepthKind::SquareRoot, D, 1.0) + 0.01).abs() < 1e-4);
        for k in KINDS {
            let mk = market(k);
            let dn = mk.depth_now(&pt(10.0, 1.0));
            assert!((dn / D - 1.0).abs() < 0.03, "{k:?} depth_now {dn}");
            // depth_now is exactly the notional that moves the price 1%
            assert!((move_of(k, dn, 1.0) + 0.01).abs() < 1e-9, "{k:?}");
            assert!((mk.depth_now(&pt(10.0, 0.1)) / dn - 0.1).abs() < 1e-12);
        }
    }

    #[test]
    fn bigger_sales_move_more() {
        for k in KINDS {
            let mut last = 0.0;
            for i in 1..=40 {
                let mv = -move_of(k, D * i as f64 * 0.5, 1.0);
                assert!(mv > last, "{k:?} not monotonic at {i}");
                last = mv;
            }
        }
        // square root: concave in size
        let f = |q: f64| -move_of(DepthKind::SquareRoot, q, 1.0);
        for i in 1..20 {
            let q = D * i as f64;
            assert!(f(q + D) - f(q) < f(q) - f(q - D) + 1e-12);
        }
        assert!((f(4.0 * D) / f(D) - 2.0).abs() < 0.05);
        // constant product: V10 ≈ 10.82·D gives exactly -10%
        let v10 = 200.0 * D * (1.0 / 0.9f64.sqrt() - 1.0);
        assert!((move_of(DepthKind::ConstantProduct, v10, 1.0) + 0.10).abs() < 1e-12);
        assert!((cp_reserve_from_v10(v10) / (200.0 * D) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn thin_depth_is_worse() {
        let normal = move_of(DepthKind::LinearBook, 0.5 * D, 1.0);
        let thin = move_of(DepthKind::LinearBook, 0.5 * D, 0.1);
        assert!((thin / normal - 10.0).abs() < 1e-9);
        let normal = move_of(DepthKind::ConstantProduct, 0.2 * D, 1.0);
        let thin = move_of(DepthKind::ConstantProduct, 0.2 * D, 0.1);
        assert!(thin / normal > 9.0 && thin / normal < 10.0);
        let normal = move_of(DepthKind::SquareRoot, D, 1.0);
        let thin = move_of(DepthKind::SquareRoot, D, 0.1);
        assert!(thin / normal > 3.0, "sqrt: 1/sqrt(m) worse");
    }

    #[test]
    fn execution_prices() {
        for k in KINDS {
            let mut mk = market(k);
            let p = pt(10.0, 1.0);
            let units = 5.0 * D / 10.0;
            let got = mk.sell(units, &p);
            let after = mk.price(&p);
            let avg = got / units;
            assert!(avg < 10.0 && avg > after, "{k:?}: avg {avg} after {after}");
        }
        // linear: average of pre and post
        let mut mk = market(DepthKind::LinearBook);
        let p = pt(10.0, 1.0);
        let got = mk.sell(2.0 * D / 10.0, &p);
        assert!((got / (2.0 * D / 10.0) - (10.0 + 9.8) / 2.0).abs() < 1e-9);
    }

    #[test]
    fn impact_decays_with_half_life() {
        for k in KINDS {
            let mut mk = market(k);
            let p = pt(10.0, 1.0);
            mk.sell(20.0 * D / 10.0, &p);
            let e0 = mk.log_offset();
            assert!(e0 < 0.0 && mk.impact() > 0.0);
            mk.advance(3600);
            assert!((mk.log_offset() / e0 - 0.5).abs() < 1e-12);
            mk.advance(1800);
            mk.advance(1800);
            assert!((mk.log_offset() / e0 - 0.25).abs() < 1e-12);
            mk.advance(0);
            assert!((mk.log_offset() / e0 - 0.25).abs() < 1e-12);
        }
        let mut mk = ExternalMarket::new(DepthParams {
            kind: DepthKind::LinearBook,
            depth_per_pct: D,
            recovery_half_life: 0.0,
        });
        mk.sell(1000.0, &pt(10.0, 1.0));
        mk.advance(1);
        assert_eq!(mk.impact(), 0.0);
    }

    #[test]
    fn sell_then_buy_round_trips() {
        for k in KINDS {
            for m in [1.0, 0.2] {
                let mut mk = market(k);
                let p = pt(10.0, m);
                let units = 3.0 * D / 10.0;
                let got = mk.sell(units, &p);
                let back = mk.buy(got, &p);
                assert!(
                    (back / units - 1.0).abs() < 0.05,
                    "{k:?} m={m}: {back} vs {units}"
                );
                assert!(back <= units * (1.0 + 1e-9), "{k:?}: no free lunch");
                assert!(
                    mk.impact().abs() < 0.01,
                    "{k:?} m={m}: impact {}",
                    mk.impact()
                );
                if k != DepthKind::SquareRoot {
                    // anchored book / pool: exact round trip
                    assert!(
                        (back / units - 1.0).abs() < 1e-9,
                        "{k:?}: {back} vs {units}"
                    );
                    assert!(mk.impact().abs() < 1e-9, "{k:?}");
                }
            }
        }
        // the same holds when the sale starts from an impacted price, in several slices
        for k in [DepthKind::LinearBook, DepthKind::ConstantProduct] {
            let mut mk = market(k);
            let p = pt(10.0, 0.5);
            mk.sell(D / 2.0, &p);
            let before = mk.log_offset();
            let got: f64 = (0..4).map(|_| mk.sell(D / 20.0, &p)).sum();
            let back = mk.buy(got, &p);
            assert!((back / (D / 5.0) - 1.0).abs() < 1e-9, "{k:?}");
            assert!((mk.log_offset() - before).abs() < 1e-9, "{k:?}");
        }
    }

    #[test]
    fn depth_now_under_impact() {
        for k in KINDS {
            let mut mk = market(k);
            let p = pt(10.0, 0.3);
            mk.sell(5.0 * D / 10.0, &p);
            let p0 = mk.price(&p);
            assert!(p0 < 9.9, "{k:?}");
            let dn = mk.depth_now(&p);
            mk.sell(dn / p0, &p);
            assert!(
                (mk.price(&p) / p0 - 0.99).abs() < 1e-9,
                "{k:?}: {}",
                mk.price(&p) / p0
            );
        }
    }

    #[test]
    fn buys_lift_the_price() {
        for k in KINDS {
            let mut mk = market(k);
            let p = pt(10.0, 1.0);
            let u = mk.buy(D, &p);
            assert!(u > 0.0 && u < D / 10.0, "{k:?}");
            assert!(mk.price(&p) > 10.0 && mk.impact() < 0.0);
            assert!(
                (mk.price(&p) / 10.0 - 1.01).abs() < 0.002,
                "{k:?}: {}",
                mk.price(&p)
            );
        }
    }

    #[test]
    fn prices_stay_positive() {
        for k in KINDS {
            let mut mk = market(k);
            let p = pt(10.0, 0.01);
            let units = 1e30;
            let got = mk.sell(units, &p);
            assert!(got.is_finite() && got >= 0.0, "{k:?}: got {got}");
            let pr = mk.price(&p);
            assert!(pr >= 10.0 * PRICE_FLOOR_FRACTION * 0.999_999, "{k:?}: {pr}");
            mk.sell(units, &p);
            assert!(mk.price(&p) > 0.0);
            // and buying from the floor works
            let u = mk.buy(1.0, &p);
            assert!(u.is_finite() && u > 0.0);
        }
        // linear book: value received is bounded by the book plus the floor
        let mut mk = market(DepthKind::LinearBook);
        let got = mk.sell(1e9, &pt(10.0, 1.0));
        assert!(got <= 100.0 * D / 2.0 + 1e9 * 10.0 * PRICE_FLOOR_FRACTION + 1.0);
        // nothing happens for non-positive amounts
        let mut mk = market(DepthKind::SquareRoot);
        assert_eq!(mk.sell(0.0, &pt(10.0, 1.0)), 0.0);
        assert_eq!(mk.sell(-1.0, &pt(10.0, 1.0)), 0.0);
        assert_eq!(mk.buy(f64::NAN, &pt(10.0, 1.0)), 0.0);
        assert_eq!(mk.impact(), 0.0);
    }

    #[test]
    fn selling_units_to_price_lands_on_the_target() {
        for k in KINDS {
            for m in [1.0, 0.1] {
                let mut mk = market(k);
                let p = pt(10.0, m);
                mk.sell(D / 20.0, &p);
                let p0 = mk.price(&p);
                let target = p0 * 0.93;
                let u = mk.units_to_price(target, &p);
                assert!(u > 0.0);
                let before = mk.clone();
                mk.sell(u, &p);
                assert!(
                    (mk.price(&p) / target - 1.0).abs() < 1e-9,
                    "{k:?} m={m}: {} vs {target}",
                    mk.price(&p)
                );
                assert_eq!(before.units_to_price(p0 * 1.01, &p), 0.0);
                assert_eq!(before.quote_sell(u, &p), before.clone().sell(u, &p));
            }
        }
    }

    #[test]
    fn impact_follows_the_exogenous_price() {
        let mut mk = market(DepthKind::LinearBook);
        mk.sell(D / 10.0, &pt(10.0, 1.0));
        assert!((mk.price(&pt(5.0, 1.0)) - 5.0 * 0.99).abs() < 1e-12);
        assert!((mk.impact() - 0.01).abs() < 1e-12);
    }
}
