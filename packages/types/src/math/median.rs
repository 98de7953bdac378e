//! Median and outlier exclusion for the oracle.
use cosmwasm_std::{Decimal, Uint128};

/// Median of `values`, `None` when empty.
///
/// ```text
/// sorted x_1 <= ... <= x_n
/// median = x_{(n+1)/2}                     for odd n
///        = (x_{n/2} + x_{n/2+1}) / 2       for even n (rounded down at 18 decimals)
/// ```
pub fn median(values: &[Decimal]) -> Option<Decimal> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort();
    let n = v.len();
    if n % 2 == 1 {
        Some(v[n / 2])
    } else {
        let (a, b) = (v[n / 2 - 1], v[n / 2]);
        // a/2 + b/2 cannot overflow; add back the atom lost when both are odd.
        let half = |x: Decimal| Decimal::new(Uint128::new(x.atomics().u128() / 2));
        let both_odd = a.atomics().u128() % 2 == 1 && b.atomics().u128() % 2 == 1;
        Some(
            half(a)
                + half(b)
                + if both_odd {
                    Decimal::new(Uint128::new(1))
                } else {
                    Decimal::zero()
                },
        )
    }
}

/// The middle submission(s) of `values`: the median itself for an odd count, the two values
/// whose mean is the median for an even count (sorted). Empty when `values` is.
pub fn middle_values(values: &[Decimal]) -> Vec<Decimal> {
    let mut v = values.to_vec();
    v.sort();
    let n = v.len();
    match n {
        0 => vec![],
        _ if n % 2 == 1 => vec![v[n / 2]],
        _ => vec![v[n / 2 - 1], v[n / 2]],
    }
}

/// Relative distance of `price` from `reference`: `|price − reference| / reference`.
/// Saturates at `Decimal::MAX`; a zero reference gives `Decimal::MAX` unless `price` is zero too.
pub fn deviation(price: Decimal, reference: Decimal) -> Decimal {
    let diff = price.abs_diff(reference);
    if diff.is_zero() {
        return Decimal::zero();
    }
    diff.checked_div(reference).unwrap_or(Decimal::MAX)
}

/// The result of medianizing a set of submissions.
#[derive(Debug, Clone, PartialEq)]
pub struct Medianized<T> {
    /// Median of the kept submissions.
    pub median: Decimal,
    /// Submissions within `max_deviation` of every middle submission of all of them.
    pub kept: Vec<(T, Decimal)>,
    /// Submissions farther than `max_deviation`, excluded from the result.
    pub excluded: Vec<(T, Decimal)>,
}

/// Two-pass medianization with outlier exclusion:
///
/// ```text
/// C        = the middle prices: { x_{(n+1)/2} } for odd n, { x_{n/2}, x_{n/2+1} } for even n
/// kept     = { p : |p − c| / c <= max_deviation for every c in C }
/// excluded = the rest
/// median   = median(kept)   (the previous median when nothing is kept)
/// ```
/// A minority of liars cannot move the middle prices past the honest range, so they land in
/// `excluded` and do not count toward quorum. For an even count a price must be close to both
/// middle prices, not to their mean: with two fresh submissions (one feeder stale) both are
/// kept only if they lie within `max_deviation` of each other, so one liar beside one honest
/// feeder moves the median by at most half of `max_deviation` (measured from the mean, a pair
/// 35% apart was kept and a liar moved the median 17.6%); two camps that disagree keep nobody.
/// `None` when `items` is empty.
pub fn medianize<T>(items: Vec<(T, Decimal)>, max_deviation: Decimal) -> Option<Medianized<T>> {
    let prices: Vec<Decimal> = items.iter().map(|(_, p)| *p).collect();
    let middles = middle_values(&prices);
    let m0 = median(&prices)?;
    let (kept, excluded): (Vec<_>, Vec<_>) = items
        .into_iter()
        .partition(|(_, p)| middles.iter().all(|c| deviation(*p, *c) <= max_deviation));
    let kept_prices: Vec<Decimal> = kept.iter().map(|(_, p)| *p).collect();
    // Nothing kept (no quorum): the caller keeps its last price; `m0` is never recorded.
    let median = median(&kept_prices).unwrap_or(m0);
    Some(Medianized {
        median,
        kept,
        excluded,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::reference::d;
    use proptest::prelude::*;

    #[test]
    fn median_of_odd_and_even_sets() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[d("3")]), Some(d("3")));
        assert_eq!(median(&[d("3"), d("1"), d("2")]), Some(d("2")));
        assert_eq!(median(&[d("4"), d("1"), d("2"), d("3")]), Some(d("2.5")));
        assert_eq!(
            median(&[Decimal::new(Uint128::new(1)), Decimal::new(Uint128::new(3))]),
            Some(Decimal::new(Uint128::new(2)))
        );
        assert_eq!(median(&[Decimal::MAX, Decimal::MAX]), Some(Decimal::MAX));
    }

    #[test]
    fn one_lying_feeder_is_excluded_and_reported() {
        let items = vec![
            ("a", d("100")),
            ("b", d("101")),
            ("c", d("99")),
            ("liar", d("150")),
        ];
        let m = medianize(items, d("0.1")).unwrap();
        assert_eq!(m.median, d("100"));
        assert_eq!(m.excluded, vec![("liar", d("150"))]);
        assert_eq!(m.kept.len(), 3);
    }

    #[test]
    fn deviation_is_relative_to_the_reference() {
        assert_eq!(deviation(d("110"), d("100")), d("0.1"));
        assert_eq!(deviation(d("90"), d("100")), d("0.1"));
        assert_eq!(deviation(d("1"), d("0")), Decimal::MAX);
    }

    #[test]
    fn two_submissions_are_both_kept_only_within_max_deviation_of_each_other() {
        // 8.5 and 6.29 are each within 15% of their mean, 7.395, but 35% apart.
        let m = medianize(vec![("h", d("8.5")), ("l", d("6.29"))], d("0.15")).unwrap();
        assert!(m.kept.is_empty());
        // Two camps of two that disagree keep nobody.
        let split = vec![(0, d("10")), (1, d("10")), (2, d("5")), (3, d("5"))];
        assert!(medianize(split, d("0.15")).unwrap().kept.is_empty());
        let m = medianize(vec![("h", d("8")), ("l", d("7"))], d("0.15")).unwrap();
        assert_eq!((m.median, m.kept.len()), (d("7.5"), 2));
        assert_eq!(middle_values(&[d("3"), d("1"), d("2")]), vec![d("2")]);
        assert_eq!(middle_values(&[d("4"), d("1")]), vec![d("1"), d("4")]);
    }

    proptest! {
        #[test]
        fn median_lies_between_min_and_max(v in proptest::collection::vec(1u64..1_000_000, 1..15)) {
            let ds: Vec<Decimal> = v.iter().map(|x| Decimal::from_ratio(*x, 1000u64)).collect();
            let m = median(&ds).unwrap();
            prop_assert!(m >= *ds.iter().min().unwrap());
            prop_assert!(m <= *ds.iter().max().unwrap());
        }

        #[test]
        fn a_minority_of_liars_cannot_move_the_median_out_of_the_honest_range(
            honest in proptest::collection::vec(95u64..=105, 3..8),
            liars in proptest::collection::vec(0u64..10_000, 0..3),
        ) {
            prop_assume!(liars.len() < honest.len());
            let items: Vec<(usize, Decimal)> = honest.iter().chain(liars.iter())
                .enumerate().map(|(i, p)| (i, Decimal::from_ratio(*p, 1u64))).collect();
            let m = medianize(items, Decimal::percent(15)).unwrap();
            let lo = Decimal::from_ratio(*honest.iter().min().unwrap(), 1u64);
            let hi = Decimal::from_ratio(*honest.iter().max().unwrap(), 1u64);
            prop_assert!(m.median >= lo && m.median <= hi);
        }

        #[test]
        fn one_liar_beside_one_honest_price_moves_the_median_by_at_most_half_the_deviation(
            honest in 1_000u64..100_000,
            liar in 1u64..1_000_000,
        ) {
            let (h, l) = (Decimal::from_ratio(honest, 1u64), Decimal::from_ratio(liar, 1u64));
            let m = medianize(vec![(0, h), (1, l)], Decimal::percent(15)).unwrap();
            if m.kept.len() == 2 {
                prop_assert!(deviation(m.median, h) <= Decimal::permille(75));
            }
        }
    }
}
