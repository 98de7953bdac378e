//! What the generated sequences exercised, summed over every case of a run (shrinking
//! included), printed at the end of the run (`-- --nocapture` shows it).
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Mutex;

/// Counters and extremes of one case or of a whole run.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    /// Cases run.
    pub cases: u64,
    /// Actions run.
    pub steps: u64,
    /// Contract messages sent by actions, by kind: (succeeded, failed).
    pub messages: BTreeMap<&'static str, (u64, u64)>,
    /// Refusals by message kind and (normalized) reason.
    pub refusals: BTreeMap<String, u64>,
    /// Successful liquidations by mode.
    pub liquidations: BTreeMap<String, u64>,
    /// Liquidation attempts on accounts with HF < 1 refused with a throttle or pause reason.
    pub throttled: u64,
    /// Successful bids (events), of which at the floor, and of which by the backstop.
    pub bids: u64,
    pub bids_at_floor: u64,
    pub bids_by_backstop: u64,
    /// Bad-debt events, and how many socialized something.
    pub bad_debt_events: u64,
    pub socialized_events: u64,
    /// Largest books gap `cash + total_borrowed + debt_in_auction − total_supplied −
    /// reserves` seen, and the step count of the case where it was seen.
    pub max_gap: i128,
    pub max_gap_steps: u64,
    /// Partial liquidations, and those after which the exact HF was (within the documented
    /// rounding tolerance) lower than before.
    pub partials_checked: u64,
    pub partial_hf_rounding_dips: u64,
    /// Backstop deposits checked, and the largest loss of existing holders measured by the
    /// raw `value_per_share` (total value / total shares), in base units.
    pub backstop_deposits_checked: u64,
    pub max_raw_vps_loss: u128,
    /// Deposits after which existing holders lost more than one base unit by the raw measure.
    pub raw_vps_losses_over_one: u64,
    /// Actions across which a just-in-time backstop depositor was checked to gain nothing
    /// beyond rounding, and the largest such gain seen (base units of the whole pool).
    pub jit_checks: u64,
    pub max_jit_gain: u128,
    /// Liquidations whose borrower loss was checked against the penalty or discount on what
    /// was taken, and the largest loss seen as a share of that bound (per mille).
    pub loss_checks: u64,
    pub max_loss_permille: u64,
    /// Accounts refused while unhealthy that the end-of-case drain then liquidated, and the
    /// liquidations the drain made.
    pub refused_then_liquidated: u64,
    pub drain_liquidations: u64,
    /// Collateral-steps (with `hold`) ending in a fall through a book that holds: a slide by
    /// the book, its curves priced ahead of the oracle.
    pub book_falls: u64,
}

impl Stats {
    /// Counts one message of `kind`.
    pub fn message(&mut self, kind: &'static str, ok: bool) {
        let e = self.messages.entry(kind).or_default();
        if ok {
            e.0 += 1;
        } else {
            e.1 += 1;
        }
    }

    /// Counts a refusal of a `kind` message with root cause `reason` (digits blanked).
    pub fn refusal(&mut self, kind: &str, reason: &str) {
        let mut r = String::new();
        for c in reason.chars() {
            let c = if c.is_ascii_digit() || c == '.' {
                '#'
            } else {
                c
            };
            if !(c == '#' && r.ends_with('#')) {
                r.push(c);
            }
        }
        r.truncate(70);
        *self.refusals.entry(format!("{kind}: {r}")).or_default() += 1;
    }

    /// Adds `other` into `self`.
    pub fn merge(&mut self, other: &Stats) {
        self.cases += other.cases;
        self.steps += other.steps;
        for (k, (a, b)) in &other.messages {
            let e = self.messages.entry(k).or_default();
            e.0 += a;
            e.1 += b;
        }
        for (k, v) in &other.refusals {
            *self.refusals.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &other.liquidations {
            *self.liquidations.entry(k.clone()).or_default() += v;
        }
        self.throttled += other.throttled;
        self.bids += other.bids;
        self.bids_at_floor += other.bids_at_floor;
        self.bids_by_backstop += other.bids_by_backstop;
        self.bad_debt_events += other.bad_debt_events;
        self.socialized_events += other.socialized_events;
        if other.max_gap > self.max_gap {
            self.max_gap = other.max_gap;
            self.max_gap_steps = other.max_gap_steps;
        }
        self.partials_checked += other.partials_checked;
        self.partial_hf_rounding_dips += other.partial_hf_rounding_dips;
        self.backstop_deposits_checked += other.backstop_deposits_checked;
        self.max_raw_vps_loss = self.max_raw_vps_loss.max(other.max_raw_vps_loss);
        self.raw_vps_losses_over_one += other.raw_vps_losses_over_one;
        self.jit_checks += other.jit_checks;
        self.max_jit_gain = self.max_jit_gain.max(other.max_jit_gain);
        self.loss_checks += other.loss_checks;
        self.max_loss_permille = self.max_loss_permille.max(other.max_loss_permille);
        self.refused_then_liquidated += other.refused_then_liquidated;
        self.drain_liquidations += other.drain_liquidations;
        self.book_falls += other.book_falls;
    }
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "cases {}, actions {}", self.cases, self.steps)?;
        writeln!(f, "messages (ok / refused):")?;
        for (k, (a, b)) in &self.messages {
            writeln!(f, "  {k:<22} {a:>6} / {b:<6}")?;
        }
        writeln!(f, "refusals by reason:")?;
        for (k, n) in &self.refusals {
            writeln!(f, "  {n:>6}  {k}")?;
        }
        writeln!(f, "liquidations by mode: {:?}", self.liquidations)?;
        writeln!(f, "unhealthy but throttled/paused: {}", self.throttled)?;
        writeln!(
            f,
            "bids {} (at floor {}, by the backstop {})",
            self.bids, self.bids_at_floor, self.bids_by_backstop
        )?;
        writeln!(
            f,
            "bad debt events {} (socialized {})",
            self.bad_debt_events, self.socialized_events
        )?;
        writeln!(
            f,
            "max books gap {} units (in a case of {} actions)",
            self.max_gap, self.max_gap_steps
        )?;
        writeln!(
            f,
            "partial liquidations checked {} (HF dips within rounding tolerance {})",
            self.partials_checked, self.partial_hf_rounding_dips
        )?;
        writeln!(
            f,
            "backstop deposits checked {} (max raw value-per-share loss of holders {} units; \
             > 1 unit in {})",
            self.backstop_deposits_checked, self.max_raw_vps_loss, self.raw_vps_losses_over_one
        )?;
        writeln!(
            f,
            "just-in-time backstop depositor checked across {} actions (largest gain {} units \
             of pool value)",
            self.jit_checks, self.max_jit_gain
        )?;
        writeln!(
            f,
            "borrower losses checked {} (largest {} per mille of the penalty/discount bound)",
            self.loss_checks, self.max_loss_permille
        )?;
        writeln!(
            f,
            "falls through a book that holds: {} collateral-steps",
            self.book_falls
        )?;
        write!(
            f,
            "drain: {} liquidations; {} accounts refused while unhealthy were liquidated later",
            self.drain_liquidations, self.refused_then_liquidated
        )
    }
}

/// The run's totals.
pub static TOTALS: Mutex<Option<Stats>> = Mutex::new(None);

/// Adds one case's stats to the run's totals.
pub fn record(case: &Stats) {
    let mut t = TOTALS.lock().unwrap_or_else(|e| e.into_inner());
    t.get_or_insert_with(Stats::default).merge(case);
}

/// Takes the run's totals (and resets them).
pub fn take() -> Stats {
    let mut t = TOTALS.lock().unwrap_or_else(|e| e.into_inner());
    t.take().unwrap_or_default()
}
