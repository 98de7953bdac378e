//! Attacks on the risk snapshot that sizes the backstop's share of new reserves (issue 14): a
//! backstop depositor gains from a higher share, a borrower or the protocol from a lower one.
use super::*;
use breakwater_types::market::ExecuteMsg;
use breakwater_types::risk::RiskShareParams;
use cosmwasm_std::coin;

/// Two accounts, in the order the crank walks them, each able to borrow.
fn two_accounts(s: &mut Suite) -> (Addr, Addr) {
    let (a, b) = (s.addr("mover-a"), s.addr("mover-b"));
    let (first, second) = if a.as_bytes() < b.as_bytes() {
        (a, b)
    } else {
        (b, a)
    };
    s.open_position(&first, ATOM, COLLATERAL, 6_700_000_000);
    s.open_position(&second, ATOM, COLLATERAL, 0);
    (first, second)
}

/// Threat: `UpdateRisk` is permissionless, so anyone chooses when a pass runs and how it is
/// paged: finish a pass without walking the book (a zero limit), attach data or funds, keep a
/// calm snapshot alive after the risk has risen, or assemble a snapshot from pages read at
/// different times.
///
/// Why it holds: the message carries only a page size; every figure is read from storage,
/// the oracle and the backstop. A page walks at least one account and a pass completes only on
/// a page shorter than its limit (the end of the book). A snapshot counts for `max_age` after
/// its pass started and a pass older than `max_age` starts over, so no snapshot mixes readings
/// further apart than that; when the risk rises, anyone's next completed pass raises the share.
#[test]
fn nobody_can_forge_the_risk_snapshot() {
    let mut s = lent(SuiteBuilder::new().backstop_deposit(50_000_000_000));
    two_accounts(&mut s);
    let attacker = stranger(&s);
    s.fund(&attacker, &[coin(1_000, USDC)]);
    // Nothing but the page size is accepted.
    assert_err(
        s.market_execute(
            &attacker,
            &ExecuteMsg::UpdateRisk { limit: None },
            &[coin(1_000, USDC)],
        ),
        "accept funds",
    );
    // A zero limit still walks an account and does not complete the pass.
    let res = s.update_risk(&attacker, Some(0)).unwrap();
    assert_eq!(attr(&res, "done").as_deref(), Some("false"));
    let started = s.market_risk().pass.unwrap().started_at;
    // A pass left unfinished for longer than max_age starts over: its old page is dropped.
    let max_age = RiskShareParams::default().max_age;
    s.advance_time(max_age + 1);
    let res = s.update_risk(&attacker, Some(1)).unwrap();
    assert_eq!(attr(&res, "walked").as_deref(), Some("1"));
    let pass = s.market_risk().pass.unwrap();
    assert_eq!(pass.started_at, started + max_age + 1);
    age(&mut s, 0);

    // A calm snapshot (a large pool, a deep book) at the base share ...
    s.complete_risk_pass(100);
    let base = dec("0.5");
    assert_eq!(s.market_risk().backstop_share, base);
    // ... stays only until the next pass: the book thins and anyone's crank shows it.
    s.feed_with_depth(ATOM, dec("10"), &[500_000_000; 3]);
    assert_eq!(s.market_risk().backstop_share, base, "no pass yet");
    let snapshot_before = s.market_risk().snapshot;
    let other = s.addr("someone-else");
    s.fund(&other, &[coin(1, USDC)]);
    s.market_execute(&other, &ExecuteMsg::UpdateRisk { limit: None }, &[])
        .unwrap();
    let r = s.market_risk();
    assert_ne!(r.snapshot, snapshot_before);
    assert!(r.backstop_share > base, "{}", r.backstop_share);
    // Whoever completes the pass, the snapshot is the same.
    let mine = r.snapshot.unwrap();
    s.complete_risk_pass(1);
    let theirs = s.market_risk().snapshot.unwrap();
    assert_eq!(
        (theirs.collaterals, theirs.spiral_index, theirs.total_debt),
        (mine.collaterals, mine.spiral_index, mine.total_debt)
    );
}

/// Threat: a depositor of the backstop wants a higher share. Between two pages of a pass, it
/// moves its risky debt from an account the crank has walked to one it has not (borrow on the
/// second, repay the first), so the same debt is counted twice, then moves it back.
///
/// Why it holds: a pass cannot count more debt than the market's `total_borrowed` at its end;
/// when it did, every figure is scaled down by `total_borrowed / counted`.
#[test]
fn moving_debt_ahead_of_the_risk_crank_cannot_double_count_it() {
    let mut s = lent(SuiteBuilder::new().backstop_deposit(50_000_000_000));
    let (first, second) = two_accounts(&mut s);
    let keeper = s.keeper.clone();
    // The first page walks the risky account.
    s.update_risk(&keeper, Some(1)).unwrap();
    // The debt moves to the account not yet walked.
    s.borrow(&second, 6_700_000_000).unwrap();
    let debt = s.account(&first).debt.u128();
    s.fund(&second, &[coin(debt, USDC)]);
    s.market_execute(
        &second,
        &ExecuteMsg::Repay {
            on_behalf_of: Some(first.to_string()),
        },
        &[coin(debt, USDC)],
    )
    .unwrap();
    assert!(s.account(&first).debt.is_zero());
    s.complete_risk_pass(1);
    let snap = s.market_risk().snapshot.unwrap();
    let total = s.market_state().total_borrowed;
    // At most a unit of rounding per account above the debt that exists.
    assert!(snap.total_debt.u128() <= total.u128() + 2);
    let atom = &snap.collaterals[0];
    for f in &atom.falls {
        assert!(
            f.liquidatable <= snap.total_debt,
            "{} > {total}",
            f.liquidatable
        );
    }
    // Counted twice it would be 13,400 at a 5% fall; it is the 6,700 that exists.
    let at_5 = atom.falls[0].liquidatable.u128();
    assert!((6_700_000_000..=6_700_000_002).contains(&at_5), "{at_5}");
}
