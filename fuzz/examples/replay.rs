//! Replays inputs natively (no libFuzzer) and times each: `cargo run --release --example
//! replay -- <target> <file or dir>...`. Prints the slowest inputs; a crash panics here with
//! the same message as under the fuzzer, with a plain backtrace.
use breakwater_fuzz::{run_execute, run_queries, run_structured, Contract};
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let target = args
        .next()
        .expect("usage: replay <target> <file or dir>...");
    let run: fn(&[u8]) = match target.as_str() {
        "fuzz_market_execute" => |d| run_execute(Contract::Market, d),
        "fuzz_oracle_execute" => |d| run_execute(Contract::Oracle, d),
        "fuzz_liquidator_execute" => |d| run_execute(Contract::Liquidator, d),
        "fuzz_backstop_execute" => |d| run_execute(Contract::Backstop, d),
        "fuzz_queries" => run_queries,
        "fuzz_structured" => run_structured,
        other => panic!("unknown target {other}"),
    };
    let mut files: Vec<PathBuf> = vec![];
    for a in args {
        let p = PathBuf::from(a);
        if p.is_dir() {
            for e in std::fs::read_dir(&p).expect("read dir") {
                files.push(e.expect("dir entry").path());
            }
        } else {
            files.push(p);
        }
    }
    run(b""); // prepare the world outside the timings
    let mut times = vec![];
    let start = Instant::now();
    for f in &files {
        let data = std::fs::read(f).expect("read input");
        let t = Instant::now();
        run(&data);
        times.push((t.elapsed(), f.clone()));
    }
    let total = start.elapsed();
    times.sort();
    for (t, f) in times.iter().rev().take(5) {
        println!("{:>10.3} ms  {}", t.as_secs_f64() * 1e3, f.display());
    }
    println!(
        "{} inputs in {:.3} s ({:.0} inputs/s)",
        files.len(),
        total.as_secs_f64(),
        files.len() as f64 / total.as_secs_f64().max(1e-9)
    );
}
