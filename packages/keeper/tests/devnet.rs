//! The devnet lifecycle against a real wasmd (ignored by default: it needs the binary that
//! `scripts/tools.sh` builds). Run with
//! `cargo test -p breakwater-keeper --test devnet -- --ignored --nocapture`.
use breakwater_chain::devnet::{self, DevnetConfig};
use breakwater_chain::harness::test_port_base;
use std::net::TcpListener;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Stops the test node even when an assertion fails half-way.
struct StopOnDrop(DevnetConfig);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        if let Err(e) = devnet::down(&self.0) {
            eprintln!("cleanup: {e:#}");
        }
    }
}

fn height(cfg: &DevnetConfig) -> u64 {
    let st = devnet::status(cfg).expect("status");
    assert!(st.running, "devnet should be running:\n{st}");
    st.height.expect("height")
}

#[test]
#[ignore = "needs wasmd: scripts/tools.sh"]
fn devnet_lifecycle() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "breakwater_keeper=debug".into()),
        )
        .with_test_writer()
        .try_init();
    let base = test_port_base(0, 36657).expect("port base");
    let cfg = DevnetConfig {
        home: PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("devnet-lifecycle"),
        ..DevnetConfig::default()
    }
    .with_port_base(base)
    .expect("ports");
    let _guard = StopOnDrop(cfg.clone());
    devnet::down(&cfg).expect("initial down");
    if cfg.home.exists() {
        std::fs::remove_dir_all(&cfg.home).expect("remove old home");
    }

    // Fresh chain: init + start + first blocks.
    let t = Instant::now();
    let st = devnet::up(&cfg).expect("up (fresh)");
    let fresh_up = t.elapsed();
    println!("fresh up (init + start + height >= 2): {fresh_up:.2?}\n{st}");
    assert!(st.running && st.height.is_some_and(|h| h >= 2));
    let pid = st.pid.expect("pid");
    assert_eq!(st.rpc, format!("http://127.0.0.1:{base}"));

    // Accounts: the configured ones plus the validator, with 24-word mnemonics.
    let accounts = devnet::accounts(&cfg).expect("accounts");
    let names: Vec<&str> = accounts.iter().map(|a| a.name.as_str()).collect();
    let mut expected: Vec<&str> = cfg.accounts.iter().map(String::as_str).collect();
    expected.push(devnet::VALIDATOR);
    assert_eq!(names, expected);
    for a in &accounts {
        assert!(a.address.starts_with("wasm1"), "{a:?}");
        assert_eq!(a.mnemonic.split_whitespace().count(), 24, "{}", a.name);
    }
    assert_eq!(
        devnet::account(&cfg, "faucet").expect("faucet").address,
        accounts[8].address
    );

    // Blocks about every second.
    let (h0, t0) = (height(&cfg), Instant::now());
    std::thread::sleep(Duration::from_secs(5));
    let (h1, dt) = (height(&cfg), t0.elapsed());
    assert!(h1 > h0, "height did not grow: {h0} -> {h1}");
    let interval = dt.as_secs_f64() / (h1 - h0) as f64;
    println!("blocks {h0} -> {h1} in {dt:.2?}: {interval:.2} s per block");
    assert!(
        (0.5..2.5).contains(&interval),
        "block interval {interval:.2} s is not ~1 s"
    );

    // `up` again: same process.
    let t = Instant::now();
    let again = devnet::up(&cfg).expect("up (running)");
    println!("up while running: {:.2?}", t.elapsed());
    assert_eq!(again.pid, Some(pid));

    // Down keeps the state; down twice is fine.
    let t = Instant::now();
    devnet::down(&cfg).expect("down");
    println!("down: {:.2?}", t.elapsed());
    devnet::down(&cfg).expect("down again");
    let st = devnet::status(&cfg).expect("status after down");
    println!("{st}");
    assert!(!st.running && st.pid.is_none() && st.height.is_none());
    let before = h1;

    // A busy port is reported before starting.
    {
        let _busy = TcpListener::bind(("127.0.0.1", cfg.rpc_port)).expect("bind rpc port");
        let e = devnet::up(&cfg)
            .expect_err("up with a busy port")
            .to_string();
        assert!(e.contains(&format!("port {base} is busy")), "{e}");
        assert!(!devnet::status(&cfg).expect("status").running);
    }

    // Resume: the height continues.
    let t = Instant::now();
    let resumed = devnet::up(&cfg).expect("up (resume)");
    println!("resume up: {:.2?}\n{resumed}", t.elapsed());
    let resumed_height = resumed.height.expect("height");
    assert!(
        resumed_height > before,
        "height went back: {before} -> {resumed_height}"
    );
    assert_ne!(resumed.pid, Some(pid));

    // Reset: a fresh chain from height ~2 with new keys.
    let t = Instant::now();
    let fresh = devnet::reset(&cfg).expect("reset");
    println!("reset: {:.2?}\n{fresh}", t.elapsed());
    let fresh_height = fresh.height.expect("height");
    assert!(
        fresh_height < resumed_height,
        "reset did not restart the chain: {resumed_height} -> {fresh_height}"
    );
    let new_accounts = devnet::accounts(&cfg).expect("accounts after reset");
    assert_ne!(new_accounts[0].address, accounts[0].address);

    devnet::down(&cfg).expect("final down");
    assert!(!devnet::status(&cfg).expect("final status").running);
}
