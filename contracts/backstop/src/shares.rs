//! Share math (ERC-4626 with OpenZeppelin's virtual offset against first-depositor inflation).
//!
//! ```text
//! minted  = floor(amount · (total_shares + VIRTUAL_SHARES) / (total_value + VIRTUAL_ASSETS))
//! value   = floor(shares · (total_value + VIRTUAL_ASSETS) / (total_shares + VIRTUAL_SHARES))
//! payout  = floor(shares · balance / (total_shares + VIRTUAL_SHARES))   (per denom, in kind)
//! ```
//! Minting and paying out both count the virtual shares, so the pool is one consistent
//! share book: a deposit can never dilute existing holders, and what the virtual shares
//! "own" stays in the pool for the remaining holders. Everything rounds down: the pool never
//! credits or pays more than it holds. The virtual
//! shares make a donation to a near-empty pool cost the donor ~all of it: an attacker holding
//! `s` shares captures at most `s / (s + VIRTUAL_SHARES)` of what they donate.
use cosmwasm_std::{Decimal, StdResult, Uint128};

/// Virtual shares added to the supply in the mint and value formulas.
pub const VIRTUAL_SHARES: Uint128 = Uint128::new(1_000_000);
/// Virtual base units added to the pool value in the mint and value formulas.
pub const VIRTUAL_ASSETS: Uint128 = Uint128::new(1);

/// Shares minted for `amount` base units deposited into a pool worth `total_value` (measured
/// before the deposit) with `total_shares` outstanding. Rounds down.
pub fn shares_for_deposit(
    amount: Uint128,
    total_shares: Uint128,
    total_value: Uint128,
) -> StdResult<Uint128> {
    let num = total_shares.checked_add(VIRTUAL_SHARES)?;
    let den = total_value.checked_add(VIRTUAL_ASSETS)?;
    Ok(amount.checked_multiply_ratio(num, den)?)
}

/// Base-unit value of `shares`. Rounds down.
pub fn value_of_shares(
    shares: Uint128,
    total_shares: Uint128,
    total_value: Uint128,
) -> StdResult<Uint128> {
    let num = total_value.checked_add(VIRTUAL_ASSETS)?;
    let den = total_shares.checked_add(VIRTUAL_SHARES)?;
    Ok(shares.checked_multiply_ratio(num, den)?)
}

/// The part of `balance` that `shares` of `total_shares` (plus the virtual shares) are
/// entitled to. Rounds down.
pub fn pro_rata(shares: Uint128, total_shares: Uint128, balance: Uint128) -> StdResult<Uint128> {
    Ok(balance.checked_multiply_ratio(shares, total_shares.checked_add(VIRTUAL_SHARES)?)?)
}

/// `total_value / total_shares`, or 1 when no shares are outstanding.
pub fn value_per_share(total_value: Uint128, total_shares: Uint128) -> StdResult<Decimal> {
    if total_shares.is_zero() {
        return Ok(Decimal::one());
    }
    Ok(Decimal::checked_from_ratio(total_value, total_shares)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(x: u128) -> Uint128 {
        Uint128::new(x)
    }

    #[test]
    fn first_deposit_mints_virtual_shares_per_unit() {
        assert_eq!(shares_for_deposit(u(1), u(0), u(0)).unwrap(), u(1_000_000));
        assert_eq!(
            shares_for_deposit(u(5_000), u(0), u(0)).unwrap(),
            u(5_000_000_000)
        );
    }

    #[test]
    fn minting_and_valuing_round_down() {
        // Pool worth 3 with 2_000_000 shares: (2e6 + 1e6) / (3 + 1) = 750_000 per unit.
        assert_eq!(
            shares_for_deposit(u(1), u(2_000_000), u(3)).unwrap(),
            u(750_000)
        );
        // 7 units: 7 · 3e6 / 4 = 5_250_000 exactly; 1 unit more in value: 7 · 3e6 / 5 = 4.2e6.
        assert_eq!(
            shares_for_deposit(u(7), u(2_000_000), u(4)).unwrap(),
            u(4_200_000)
        );
        // Value of 1 share in a pool of 10 units / 3 shares: 1 · 11 / 1_000_003 -> 0.
        assert_eq!(value_of_shares(u(1), u(3), u(10)).unwrap(), u(0));
        // 1_000_003 shares of that pool are worth 11 (virtual unit included), never more.
        assert_eq!(value_of_shares(u(1_000_003), u(3), u(10)).unwrap(), u(11));
    }

    #[test]
    fn a_deposit_never_gains_value_on_the_spot() {
        // Depositing and immediately valuing the minted shares never returns more than paid.
        let cases = [
            (u(1), u(0), u(0)),
            (u(999), u(1_000_000), u(1)),
            (u(123_456_789), u(7_777_777_777), u(9_999)),
            (u(10u128.pow(12)), u(1_000_000), u(10u128.pow(12) + 1)),
            (u(3), u(10u128.pow(18)), u(10u128.pow(9))),
        ];
        for (amount, shares, value) in cases {
            let minted = shares_for_deposit(amount, shares, value).unwrap();
            let after = value_of_shares(minted, shares + minted, value + amount).unwrap();
            assert!(after <= amount, "{amount} {shares} {value}: {after}");
        }
    }

    #[test]
    fn proportional_payout_rounds_down_and_sums_to_at_most_the_balance() {
        // 1 of 3 real shares plus 10^6 virtual ones.
        let vs = VIRTUAL_SHARES.u128();
        assert_eq!(pro_rata(u(vs), u(vs), u(10)).unwrap(), u(5));
        assert_eq!(pro_rata(u(vs), u(3 * vs), u(1_000)).unwrap(), u(250));
        assert_eq!(pro_rata(u(5), u(0), u(10)).unwrap(), u(0));
        // Three holders withdrawing in turn never overdraw the pool; what the virtual shares
        // "own" stays behind.
        let (mut balance, mut total) = (u(3_000_000), u(3_000_000));
        for s in [u(1_000_000), u(1_999_999), u(1)] {
            let paid = pro_rata(s, total, balance).unwrap();
            assert!(paid * (total + VIRTUAL_SHARES) <= balance * s);
            balance -= paid;
            total -= s;
        }
        assert_eq!(total, u(0));
        assert!(balance < u(3_000_000));
    }

    #[test]
    fn zero_deposit_into_a_rich_pool_mints_zero() {
        // A unit deposit into a pool far richer per share than the first mint price mints 0:
        // the deposit handler refuses it instead of taking the funds for nothing.
        assert_eq!(
            shares_for_deposit(u(1), u(1_000_000), u(10u128.pow(12))).unwrap(),
            u(0)
        );
    }

    #[test]
    fn classic_inflation_attack_does_not_pay() {
        // Attacker deposits 1 unit into the empty pool, then donates 10^12 directly.
        let attacker_shares = shares_for_deposit(u(1), u(0), u(0)).unwrap();
        let donation = u(10u128.pow(12));
        let value = u(1) + donation;
        // The victim deposits 10^12.
        let victim_in = u(10u128.pow(12));
        let victim_shares = shares_for_deposit(victim_in, attacker_shares, value).unwrap();
        assert!(!victim_shares.is_zero());
        let total_shares = attacker_shares + victim_shares;
        let balance = value + victim_in;
        // Both withdraw in kind, pro rata.
        let victim_out = pro_rata(victim_shares, total_shares, balance).unwrap();
        let attacker_out = pro_rata(attacker_shares, total_shares, balance - victim_out).unwrap();
        // The victim keeps (at least) what they put in, up to a millionth.
        assert!(
            victim_out >= victim_in - victim_in / u(1_000_000),
            "victim got {victim_out} for {victim_in}"
        );
        // The attacker loses money on the attack.
        assert!(
            attacker_out < u(1) + donation,
            "attacker got {attacker_out}"
        );
        // And the victim's quoted value is ~all of their deposit as well.
        let quoted = value_of_shares(victim_shares, total_shares, balance).unwrap();
        assert!(quoted >= victim_in - victim_in / u(1_000_000), "{quoted}");
    }

    #[test]
    fn value_per_share_is_one_without_shares() {
        assert_eq!(value_per_share(u(0), u(0)).unwrap(), Decimal::one());
        assert_eq!(
            value_per_share(u(3), u(2_000_000)).unwrap(),
            Decimal::from_ratio(3u128, 2_000_000u128)
        );
        assert!(value_per_share(Uint128::MAX, u(1)).is_err());
    }
}
